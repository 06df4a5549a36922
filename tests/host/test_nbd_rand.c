/*
 * A random model test of swap over NBD as netd runs it (host, fixed
 * seeds): pages written and read, one to four at a time, and flushes,
 * through netd's swap link (drivers/netd/swap_link.c, included, over the
 * NBD client) against a fake server whose weather changes as it goes:
 * handshakes to refuse or to skip an information reply in; replies late,
 * out of order, duplicated, with another request's cookie or a bad magic,
 * split or trickled; EIO, ENOSPC (the export full) and ESHUTDOWN answers;
 * a send buffer it stops reading; connections dropped with requests out,
 * each write it held performed, dropped or kept to land at any time later;
 * restarts refused for a while or past the outage's budget, or back as
 * another size, another first page or without flush; in some seeds an
 * export without flush, or a server that caches writes and loses those no
 * flush made stable when it restarts. Bursts put every tag in flight.
 * After every step, the model: a read holds, word for word, a version its
 * slot may hold (the last write answered, and those since that may have
 * landed: late in the pages that went out, failed with the link, or, with
 * a caching server, not yet vouched for by a flush as the pager's batches
 * count on); an error only where the server answered one or a connection
 * was lost while the request waited, ENXIO only with the link gone, gone
 * only for the weather's reason and by the bound swap_link_outage_until
 * named; every request ends once, and until then is the client's or held
 * behind the stamp's flush, once. A slot whose write ended late is not
 * written while a lost connection's server holds a write to it (the pager
 * retires such slots). A link gone is set up again and the model goes on;
 * at a seed's end, the weather calm, every request ends and every slot
 * reads back as the model says. Each kind of weather takes effect over the
 * fixed seeds. NBD_RAND_SEEDS="first:count" runs others, NBD_RAND_TRACE=1
 * says each step and the link's console.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rand_met.h"

static unsigned said_gone;		/* "gone for good" lines said */
static unsigned said_timeout;		/* connections given up for no answer in time */
static char said[512];			/* the link's last console line */
static int tracing;

static int say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(said, sizeof(said), fmt, ap);
	va_end(ap);
	said_gone += strstr(said, "gone for good") != NULL;
	said_timeout += strstr(said, "answer in time") || strstr(said, "answered in time");
	return tracing ? fprintf(stderr, "%s", said) : 0;
}

/* Both included, so that their console lines are said only when tracing. */
#define printf say
#include "netd/swap_link.c"
#include "netd/swap_stamp.c"
#undef printf

#define PG 4096u
#define DISK_PAGES 320u			/* more slots than tags: every tag can be out */
#define DISK ((uint64_t)DISK_PAGES * PG)
#define NTAGS BLK_TAGS
#define MS_ (1000 * 1000LL)
#define TICK_NS (100 * MS_)		/* netd's timer */
#define OUTAGE_S 120			/* swap.nbd_outage's default */
#define OUTAGE_NS_ ((int64_t)OUTAGE_S * 1000 * MS_)
#define SEEDS 40
#define STEPS 1500
#define RUN_MAX 4			/* pages a request moves, at most */
#define MAYBE 8				/* versions a slot may hold at once, at most */
#define HELD_MAX 300			/* requests the server holds unanswered */

static unsigned long seed_no;
static unsigned step_no;

#define trace(...) do { if (tracing) fprintf(stderr, __VA_ARGS__); } while (0)
#define check(c, ...) do { if (!(c)) failed(__VA_ARGS__); } while (0)

/* A check failed: said with its seed and step. */
static void failed(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fail_msg("seed %lu step %u: %s", seed_no, step_no, why);
}

static unsigned pick(unsigned n)
{
	return n ? (unsigned)rand() % n : 0;
}

static bool chance(unsigned in)
{
	return in && pick(in) == 0;
}

/* Per mille. */
static bool pm(unsigned x)
{
	return pick(1000) < x;
}

/* --- what the weather made happen, over the seeds --- */

static struct {
	unsigned hs_bad, hs_extra, late, reorder, dup, bad_cookie, bad_magic, split, eio, enospc;
	unsigned shutdown, stall, dropped, dropped_applied, zombie, zombie_landed, refused;
	unsigned gone_outage, gone_size, gone_other, gone_flush, burst_full, late_write,
		 late_part, blamed_eio, cache_lost, vouched, trickle, no_flush;
} met;

/* --- the fake connection --- */

#define IN_MAX (1u << 20)
#define OUT_MAX (4u << 20)

static struct {
	int64_t now;
	const struct swap_tcp_events *ev;
	bool open, connected, hs_done;
	bool trickled;			/* bytes delivered this tick (wx.trickle) */
	bool flush_offered;		/* this connection's handshake offered flush */
	uint8_t in[IN_MAX];		/* the client's bytes to the server */
	uint32_t in_len, in_used;
	uint32_t sndbuf;		/* bytes it holds that the server has not read */
	uint8_t out[OUT_MAX];		/* the server's bytes not yet delivered */
	uint32_t out_len, out_used;
} net;

int swap_tcp_open(uint32_t addr, uint16_t port, const struct swap_tcp_events *ev)
{
	(void)addr;
	(void)port;
	net.ev = ev;
	net.open = true;
	net.connected = net.hs_done = false;
	net.in_len = net.in_used = net.out_len = net.out_used = 0;
	return 0;
}

static void server_forget(void);

void swap_tcp_close(void)
{
	if (net.open)
		server_forget();
	net.open = false;
}

bool swap_tcp_is_open(void)
{
	return net.open;
}

uint32_t swap_tcp_write(const uint8_t *d, uint32_t len, bool more)
{
	(void)more;
	uint32_t queued = net.in_len - net.in_used;
	uint32_t room = queued >= net.sndbuf ? 0 : net.sndbuf - queued;

	if (!net.open)
		return 0;
	if (len > room)
		len = room;
	if (net.in_len + len > IN_MAX) {
		memmove(net.in, net.in + net.in_used, net.in_len - net.in_used);
		net.in_len -= net.in_used;
		net.in_used = 0;
	}
	memcpy(net.in + net.in_len, d, len);
	net.in_len += len;
	return len;
}

/* Its connection takes bytes whenever it has room. */
bool swap_tcp_waits(void)
{
	return false;
}

void swap_tcp_output(void)
{
}

int64_t netd_now(void)
{
	return net.now;
}

/* --- the fake server and its weather --- */

struct held {
	uint64_t seq;			/* the order it was taken in */
	uint64_t cookie, off;
	uint16_t type;
	uint32_t len;
	uint8_t data[RUN_MAX * PG];	/* a write's */
};

static struct {
	uint8_t disk[DISK];		/* as reads find it */
	/* Some seeds' server caches writes: what a flush made stable, which
	 * a restart may go back to, losing the writes since. */
	bool volatile_;
	uint8_t stable[DISK];
	uint64_t size;			/* the export's, as the handshake says */
	bool other_disk;		/* serve another first page */
	bool no_flush;
	bool flushless;			/* the export offers no flush at setup (some seeds) */
	bool refuse;			/* close each connection at once */
	int64_t refuse_until;		/* 0: for ever (until the weather says) */
	bool long_outage;		/* refusing past the outage's budget */
	int64_t outage_from;
	bool stall;			/* not reading the client's bytes */
	struct held held[HELD_MAX];
	unsigned nheld;
	uint64_t taken;			/* requests taken, every connection */
	/* Writes a lost connection's server still holds: each may land at
	 * any time after, over whatever was written since (nbd_late). */
	struct held zombie[HELD_MAX];
	unsigned nzombie;
} srv;

/* Per mille each server turn, or per step. */
static struct {
	unsigned answer;		/* a turn answers (else: late) */
	bool in_order;
	unsigned dup, bad_cookie, bad_magic, eio, enospc, shutdown, drop, split, stall, hs_bad;
	bool full;			/* writes fail ENOSPC */
	bool trickle;			/* a few bytes a tick to the client */
	unsigned sndbuf;
} wx;

static void server_say(const void *b, uint32_t n)
{
	if (net.out_len + n > OUT_MAX) {
		memmove(net.out, net.out + net.out_used, net.out_len - net.out_used);
		net.out_len -= net.out_used;
		net.out_used = 0;
	}
	assert_true(net.out_len + n <= OUT_MAX);
	memcpy(net.out + net.out_len, b, n);
	net.out_len += n;
}

/* This connection's handshake (wx.hs_bad): HS_GOOD; one the client must
 * refuse, with a reason; or one with an information reply it must skip. */
enum { HS_GOOD, HS_BAD_MAGIC, HS_NOT_FIXED, HS_REFUSED, HS_SHORT_INFO, HS_NO_INFO,
       HS_EXTRA_INFO, HS_KINDS };
static unsigned hs_kind;

static void greeting(void)
{
	uint8_t b[18];

	nbd_put64(b, hs_kind == HS_BAD_MAGIC ? NBD_MAGIC ^ 1 : NBD_MAGIC);
	nbd_put64(b + 8, NBD_OPT_MAGIC);
	nbd_put16(b + 16, (hs_kind == HS_NOT_FIXED ? 0 : NBD_FLAG_FIXED_NEWSTYLE) |
			  NBD_FLAG_NO_ZEROES);
	server_say(b, sizeof(b));
}

static void option_reply(uint32_t type, uint32_t len)
{
	uint8_t b[20];

	nbd_put64(b, NBD_REP_MAGIC);
	nbd_put32(b + 8, NBD_OPT_GO);
	nbd_put32(b + 12, type);
	nbd_put32(b + 16, len);
	server_say(b, sizeof(b));
}

/* The client's flags and NBD_OPT_GO: the export's size and flags, then
 * an ACK (or what this handshake's kind says instead). */
static bool handshake(void)
{
	uint8_t info[12];

	if (net.in_len - net.in_used < 26)
		return false;
	net.in_used += 26;
	net.hs_done = true;
	if (hs_kind == HS_REFUSED) {
		option_reply(NBD_REP_ERR | 1, 0);	/* NBD_REP_ERR_UNSUP */
		return true;
	}
	if (hs_kind == HS_EXTRA_INFO) {
		static const uint8_t name[10] = { 0, 1, 'e', 'x', 'p', 'o', 'r', 't', '!', '!' };
		option_reply(NBD_REP_INFO, sizeof(name));	/* NBD_INFO_NAME: skipped */
		server_say(name, sizeof(name));
	}
	if (hs_kind != HS_NO_INFO) {
		uint32_t len = hs_kind == HS_SHORT_INFO ? 11 : 12;
		nbd_put16(info, NBD_INFO_EXPORT);
		nbd_put64(info + 2, srv.size);
		nbd_put16(info + 10, NBD_FLAG_HAS_FLAGS | (srv.no_flush ? 0 : NBD_FLAG_SEND_FLUSH));
		net.flush_offered = !srv.no_flush;
		option_reply(NBD_REP_INFO, len);
		server_say(info, len);
	}
	option_reply(NBD_REP_ACK, 0);
	return true;
}

/* Take one whole request into srv.held; whether one was taken. */
static bool take_request(void)
{
	const uint8_t *h = net.in + net.in_used;
	uint32_t have = net.in_len - net.in_used;

	if (have < NBD_REQUEST_BYTES || srv.nheld == HELD_MAX)
		return false;
	check(nbd_get32(h) == NBD_REQUEST_MAGIC, "a request with a bad magic");
	struct held *r = &srv.held[srv.nheld];
	r->type = nbd_get16(h + 6);
	r->cookie = nbd_get64(h + 8);
	r->off = nbd_get64(h + 16);
	r->len = nbd_get32(h + 24);
	check(r->type <= NBD_CMD_FLUSH && r->type != NBD_CMD_DISC, "command %u", r->type);
	check(r->type == NBD_CMD_FLUSH ||
	      (r->len % PG == 0 && r->len && r->len <= RUN_MAX * PG && r->off % PG == 0 &&
	       r->off + r->len <= srv.size),
	      "a request past the export or not pages: %llu+%u", (unsigned long long)r->off,
	      r->len);
	check(r->type != NBD_CMD_FLUSH || net.flush_offered,
	      "a flush sent on a connection whose export does not offer it");
	uint32_t need = NBD_REQUEST_BYTES + (r->type == NBD_CMD_WRITE ? r->len : 0);
	if (have < need)
		return false;
	if (r->type == NBD_CMD_WRITE)
		memcpy(r->data, h + NBD_REQUEST_BYTES, r->len);
	r->seq = srv.taken++;
	net.in_used += need;
	srv.nheld++;
	return true;
}

static void reply_header(uint32_t error, uint64_t cookie)
{
	uint8_t b[NBD_REPLY_BYTES];

	nbd_put32(b, NBD_SIMPLE_REPLY_MAGIC);
	nbd_put32(b + 4, error);
	nbd_put64(b + 8, cookie);
	server_say(b, sizeof(b));
}

/* A read's data: page 0 another disk's if so. */
static void read_data(const struct held *r)
{
	uint8_t data[RUN_MAX * PG];

	memcpy(data, srv.disk + r->off, r->len);
	if (r->off == 0 && srv.other_disk)
		data[1036] ^= 0x55;	/* another UUID */
	server_say(data, r->len);
}

/* The pager's request this cookie names (an id < NTAGS), or -1. */
static int tag_of(uint64_t cookie)
{
	unsigned slot = (unsigned)(cookie & 0xffff);

	if (slot >= NBD_SLOTS || sc.cl.req[slot].state == NBD_REQ_FREE ||
	    cookie != (sc.cl.req[slot].seq << 16 | slot) || sc.cl.req[slot].id >= NTAGS)
		return -1;
	return (int)sc.cl.req[slot].id;
}

static void drop_held(unsigned k)
{
	srv.held[k] = srv.held[--srv.nheld];
}

/* --- the pager's side and the model --- */

static struct {
	uint8_t mem[NTAGS][RUN_MAX * PG];	/* request tag's pages */
	uint32_t pages[NTAGS];
	bool busy[NTAGS];
	uint8_t cmd[NTAGS];
	uint32_t slot[NTAGS];
	uint64_t ver[NTAGS];		/* a write's version */
	bool srv_err[NTAGS];		/* the server answered it an error */
	unsigned losses[NTAGS];		/* connections lost while it waited */
	unsigned nbusy;
	int slot_tag[DISK_PAGES];	/* the request out on a slot, or -1 */
	/* A write to it ended late or with the link gone: it may still land,
	 * so the slot is not written again while a server holds a write to
	 * it (the pager retires such slots; this one knows when it may
	 * reuse them). */
	bool retired[DISK_PAGES];
	/* A server that caches writes: a write is there for good once a
	 * flush submitted after its answer is answered with no connection
	 * lost unflushed since the write began (lost_writes, as the pager's
	 * batches count on). */
	uint64_t lost_at[NTAGS];	/* a write's lost_writes as it began */
	uint64_t ends;			/* requests ended so far */
	uint64_t flush_after[NTAGS];	/* a flush's: ends as it began */
	struct {
		uint64_t ver;		/* the last write ended on the slot, if answered (0: not) */
		uint64_t lost_at, ended;
	} unvouched[DISK_PAGES];
	uint64_t next_ver;
	unsigned gone_hook;
} pg;

/* Each slot's versions it may hold (0: zeros, never written). */
static struct {
	uint64_t v[MAYBE];
	unsigned n;
	bool any;			/* more than MAYBE: not checked */
} model[DISK_PAGES];

/* Words of a version's page: its slot and version in each. */
static void fill(uint8_t *p, uint32_t slot, uint64_t ver)
{
	if (ver == 0) {
		memset(p, 0, PG);
		return;
	}
	for (uint32_t i = 0; i < PG / 8; i++) {
		uint64_t w = ver << 24 ^ (uint64_t)slot << 12 ^ i;
		memcpy(p + 8 * i, &w, 8);
	}
}

static bool holds(const uint8_t *p, uint32_t slot, uint64_t ver)
{
	uint8_t want[PG];

	fill(want, slot, ver);
	return memcmp(p, want, PG) == 0;
}

static void model_may(uint32_t slot, uint64_t ver)
{
	trace("  slot %u may hold %llu\n", slot, (unsigned long long)ver);
	for (unsigned i = 0; i < model[slot].n; i++)
		if (model[slot].v[i] == ver)
			return;
	if (model[slot].n == MAYBE) {
		model[slot].any = true;
		return;
	}
	model[slot].v[model[slot].n++] = ver;
}

static void model_is(uint32_t slot, uint64_t ver)
{
	trace("  slot %u holds %llu\n", slot, (unsigned long long)ver);
	model[slot].n = 1;
	model[slot].v[0] = ver;
	model[slot].any = false;
}

/* A read's pages, each one its slot may hold. */
static void check_read(unsigned tag)
{
	for (uint32_t i = 0; i < pg.pages[tag]; i++) {
		uint32_t slot = pg.slot[tag] + i;
		const uint8_t *p = pg.mem[tag] + i * PG;
		bool ok = model[slot].any;

		for (unsigned k = 0; k < model[slot].n && !ok; k++)
			ok = holds(p, slot, model[slot].v[k]);
		if (ok)
			continue;
		uint64_t w;
		memcpy(&w, p, 8);
		failed("slot %u read back wrong data (first word %#llx, %u versions it may hold, "
		       "the last %llu)", slot, (unsigned long long)w, model[slot].n,
		       (unsigned long long)model[slot].v[model[slot].n - 1]);
	}
}

/* A write ended: what each of its slots may hold now. One answered is
 * there; one late is there or not in the pages that went out on a lost
 * connection, its later pages never left; one failed with the link gone
 * may be anywhere; one failed otherwise never landed (the server's error,
 * or no byte of its data out on a connection lost). A slot that may still
 * be written by a lost connection's server is retired. */
static void write_ended(unsigned tag, int error, bool is_late, const struct nbd_late *late)
{
	uint32_t out = pg.pages[tag];

	if (is_late) {
		check(late->out <= pg.pages[tag] * PG, "%u bytes out of %u", late->out,
		      pg.pages[tag] * PG);
		out = (late->out + PG - 1) / PG;
	}
	for (uint32_t i = 0; i < pg.pages[tag]; i++) {
		uint32_t slot = pg.slot[tag] + i;

		pg.unvouched[slot].ver = 0;
		if (error == 0 && !is_late && !srv.volatile_) {
			model_is(slot, pg.ver[tag]);
		} else if (error == 0 && !is_late) {
			model_may(slot, pg.ver[tag]);	/* there until a restart, or for good */
			pg.unvouched[slot].ver = pg.ver[tag];
			pg.unvouched[slot].lost_at = pg.lost_at[tag];
			pg.unvouched[slot].ended = pg.ends;
		} else if ((is_late && i < out) || error == -ENXIO) {
			model_may(slot, pg.ver[tag]);
			pg.retired[slot] = true;
		}
	}
}

/* A flush answered: the writes it vouches for are there for good. */
static void flush_ended(unsigned tag)
{
	uint64_t lost = swap_link_counters()->lost_writes;

	for (uint32_t s = 1; s < DISK_PAGES; s++) {
		if (!pg.unvouched[s].ver || pg.unvouched[s].ended >= pg.flush_after[tag] ||
		    pg.unvouched[s].lost_at != lost)
			continue;
		model_is(s, pg.unvouched[s].ver);
		pg.unvouched[s].ver = 0;
		met.vouched++;
	}
}

/* An error the model explains: the server's for it, a loss while it
 * waited, the link gone. */
static void check_error(unsigned tag, int error)
{
	if (error == 0)
		return;
	if (error == -ENXIO) {
		check(swap_link_state() == SWAP_GONE, "tag %u failed ENXIO, the link not gone", tag);
		return;
	}
	if (error == -ENOTSUP) {
		/* A flush waiting when the export came back without flush:
		 * refused as nbd_submit would refuse it now. */
		check(pg.cmd[tag] == NBD_CMD_FLUSH && !sc.cl.can_flush,
		      "tag %u failed ENOTSUP", tag);
		return;
	}
	check(error == -EIO, "tag %u failed %d", tag, error);
	check(pg.srv_err[tag] || pg.losses[tag] > 0,
	      "tag %u failed EIO with no error answered and no connection lost", tag);
	met.blamed_eio += !pg.srv_err[tag];
}

static void pager_done(void *ctx, uint64_t id, int error)
{
	struct nbd_late late;

	(void)ctx;
	check(id < NTAGS && pg.busy[id], "tag %llu ended and was not waiting",
	      (unsigned long long)id);
	bool is_late = swap_link_done_late(&late);
	unsigned tag = (unsigned)id;
	uint32_t slot = pg.slot[tag];

	check_error(tag, error);
	check(!is_late || pg.cmd[tag] == NBD_CMD_WRITE, "a %u ended late", pg.cmd[tag]);
	check(!is_late || pg.losses[tag] > 0, "a write ended late with no connection lost");
	trace("  done tag %u cmd %u slot %u error %d%s\n", tag, pg.cmd[tag], slot, error,
	      is_late ? " late" : "");
	if (pg.cmd[tag] == NBD_CMD_WRITE) {
		met.late_write += is_late;
		met.late_part += is_late && late.out < pg.pages[tag] * PG;
		write_ended(tag, error, is_late, &late);
	} else if (pg.cmd[tag] == NBD_CMD_READ && error == 0) {
		check_read(tag);
	} else if (pg.cmd[tag] == NBD_CMD_FLUSH && error == 0) {
		flush_ended(tag);
	}
	pg.ends++;
	for (uint32_t i = 0; pg.cmd[tag] != NBD_CMD_FLUSH && i < pg.pages[tag]; i++)
		pg.slot_tag[slot + i] = -1;
	pg.busy[tag] = false;
	pg.nbusy--;
}

static void pager_gone(void)
{
	pg.gone_hook++;
}

static void pager_lost(void)
{
	for (unsigned t = 0; t < NTAGS; t++)
		pg.losses[t] += pg.busy[t];
}

static uint8_t *pager_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	check(id < NTAGS && pg.busy[id] && off < pg.pages[id] * PG, "data of tag %llu at %u",
	      (unsigned long long)id, off);
	*run = pg.pages[id] * PG - off;
	return pg.mem[id] + off;
}

static const struct nbd_io pager_io = { NULL, pager_data, pager_done, NULL };

/* --- the server's turns --- */

/* Answer held request k as the weather says. */
static void answer(unsigned k)
{
	struct held *r = &srv.held[k];
	int tag = tag_of(r->cookie);

	if (pm(wx.bad_cookie)) {
		/* Another request's cookie: the same slot, another number. */
		reply_header(0, r->cookie ^ (1ull << 20));
		met.bad_cookie++;
		return;
	}
	if (pm(wx.shutdown)) {
		reply_header(NBD_ESHUTDOWN, r->cookie);	/* not performed */
		met.shutdown++;
		return drop_held(k);
	}
	bool full = wx.full && r->type == NBD_CMD_WRITE;
	if (full || pm(wx.eio)) {
		if (tag >= 0)
			pg.srv_err[tag] = true;
		reply_header(full ? 28 : 5, r->cookie);
		met.enospc += full;
		met.eio += !full;
		return drop_held(k);
	}
	if (r->type == NBD_CMD_WRITE)
		memcpy(srv.disk + r->off, r->data, r->len);
	if (r->type == NBD_CMD_FLUSH && srv.volatile_)
		memcpy(srv.stable, srv.disk, DISK);
	reply_header(0, r->cookie);
	if (r->type == NBD_CMD_READ)
		read_data(r);
	if (pm(wx.dup)) {
		reply_header(0, r->cookie);
		if (r->type == NBD_CMD_READ)
			read_data(r);
		met.dup++;
	}
	drop_held(k);
}

/* The connection is gone: the server's unsent bytes are lost, each write
 * it held performed now, dropped, or kept to land later (page 0's, the
 * stamp's, not kept: a restarted netd's stamp is not this test's). */
static void server_forget(void)
{
	for (unsigned k = 0; k < srv.nheld; k++) {
		struct held *r = &srv.held[k];
		unsigned fate = r->type == NBD_CMD_WRITE ? pick(r->off ? 3 : 2) : 1;

		if (fate == 2 && srv.nzombie < HELD_MAX) {
			srv.zombie[srv.nzombie++] = *r;
			met.zombie++;
		} else if (fate != 1) {
			memcpy(srv.disk + r->off, r->data, r->len);
			met.dropped_applied++;
		}
	}
	srv.nheld = 0;
	net.out_len = net.out_used = 0;
	if (srv.volatile_ && chance(2)) {
		memcpy(srv.disk, srv.stable, DISK);	/* restarted: the cache lost */
		met.cache_lost++;
	}
}

/* The server drops the connection. */
static void server_close(void)
{
	if (!net.open)
		return;
	server_forget();
	net.open = false;
	net.ev->failed("the server closed the connection");
}

/* Writes kept by lost connections' servers land, or are forgotten. */
static void zombies_move(void)
{
	for (unsigned k = 0; k < srv.nzombie; k++) {
		if (!chance(40))
			continue;
		struct held *r = &srv.zombie[k];
		if (pick(2)) {
			memcpy(srv.disk + r->off, r->data, r->len);
			met.zombie_landed++;
		}
		srv.zombie[k--] = srv.zombie[--srv.nzombie];
	}
}

static bool zombie_on(uint32_t slot)
{
	for (unsigned k = 0; k < srv.nzombie; k++)
		if (srv.zombie[k].off <= (uint64_t)slot * PG &&
		    (uint64_t)slot * PG < srv.zombie[k].off + srv.zombie[k].len)
			return true;
	return false;
}

/* Bytes to the client: all, or a few (split across receives). */
static bool deliver(void)
{
	uint32_t n = net.out_len - net.out_used;

	if (n == 0 || !net.open || (wx.trickle && net.trickled))
		return false;
	net.trickled = true;
	if (wx.trickle && n > 8) {
		n = 1 + pick(8);
		met.trickle++;
	} else if (n > 1 && pm(wx.split)) {
		n = 1 + pick(n < 64 ? n : 64);
		met.split++;
	}
	uint32_t at = net.out_used;
	net.out_used += n;
	net.ev->received(net.out + at, n);
	return true;
}

/* A connection being made: refused, or greeted (its handshake's kind
 * drawn); whether it was taken. */
static bool accept_connection(void)
{
	if (srv.refuse) {
		met.refused++;
		net.open = false;
		net.ev->failed("connection refused");
		return false;
	}
	net.connected = true;
	hs_kind = pm(wx.hs_bad) ? 1 + pick(HS_KINDS - 1) : HS_GOOD;
	met.hs_bad += hs_kind != HS_GOOD && hs_kind != HS_EXTRA_INFO;
	met.hs_extra += hs_kind == HS_EXTRA_INFO;
	net.ev->connected();
	greeting();
	return true;
}

/* The request held longest. */
static unsigned oldest_held(void)
{
	unsigned k = 0;

	for (unsigned i = 1; i < srv.nheld; i++)
		if (srv.held[i].seq < srv.held[k].seq)
			k = i;
	return k;
}

/* One server turn: connect, read, answer, deliver. Whether anything moved. */
static bool server_turn(void)
{
	if (!net.open)
		return false;
	if (!net.connected)
		return accept_connection();
	bool moved = false;
	uint32_t used = net.in_used;

	if (!net.hs_done)
		moved = handshake();
	else if (!srv.stall)
		while (take_request())
			moved = true;
	if (net.open && net.in_used != used)
		net.ev->pump();
	if (net.hs_done && srv.nheld > 0 && pm(wx.answer)) {
		unsigned oldest = oldest_held(), k = wx.in_order ? oldest : pick(srv.nheld);
		met.reorder += k != oldest;
		answer(k);
		moved = true;
	} else if (srv.nheld > 0) {
		met.late++;
	}
	if (net.hs_done && pm(wx.bad_magic)) {
		static const uint8_t junk[NBD_REPLY_BYTES] = "not a reply....";
		server_say(junk, sizeof(junk));
		met.bad_magic++;
	}
	return deliver() || moved;
}

/* The network until it settles, bounded. */
static void net_run(void)
{
	for (unsigned k = 0; k < 64 && server_turn(); k++)
		;
}

bool netd_run_until(bool (*done)(void *ctx), void *ctx, int64_t deadline)
{
	for (;;) {
		net_run();
		if (done(ctx))
			return true;
		if (net.now >= deadline)
			return false;
		net.now += 10 * MS_;
	}
}

/* --- the pager's steps --- */

/* A free tag, and a slot with nothing out on it, from random starts. */
static int free_tag(void)
{
	unsigned at = pick(NTAGS);

	for (unsigned k = 0; k < NTAGS; k++)
		if (!pg.busy[(at + k) % NTAGS])
			return (int)((at + k) % NTAGS);
	return -1;
}

/* A slot no request is out on; for a write, none retired while a lost
 * connection's server may still write it. */
static bool slot_free(uint32_t s, bool write)
{
	if (s == 0 || s >= DISK_PAGES || pg.slot_tag[s] >= 0)
		return false;
	return !write || !pg.retired[s] || !zombie_on(s);
}

/* The first of n such slots in a row, from a random start; -1 if none. */
static int free_run(uint32_t n, bool write)
{
	unsigned at = pick(DISK_PAGES - 1);

	for (unsigned k = 0; k < DISK_PAGES - 1; k++) {
		uint32_t s = 1 + (at + k) % (DISK_PAGES - 1), i = 0;

		while (i < n && slot_free(s + i, write))
			i++;
		if (i < n)
			continue;
		for (i = 0; write && i < n; i++)
			pg.retired[s + i] = false;	/* no write of a lost server's left */
		return (int)s;
	}
	return -1;
}

/* A request of n pages as swapconn makes one (none to a link gone for
 * good); whether one went. */
static bool submit(enum nbd_cmd cmd, uint32_t n)
{
	int tag = free_tag(), slot = n ? free_run(n, cmd == NBD_CMD_WRITE) : 0;

	if (tag < 0 || slot < 0 || swap_link_state() == SWAP_GONE)
		return false;
	pg.busy[tag] = true;
	pg.nbusy++;
	pg.cmd[tag] = (uint8_t)cmd;
	pg.slot[tag] = (uint32_t)slot;
	pg.pages[tag] = n;
	pg.srv_err[tag] = false;
	pg.losses[tag] = 0;
	pg.ver[tag] = ++pg.next_ver;
	pg.lost_at[tag] = swap_link_counters()->lost_writes;
	pg.flush_after[tag] = pg.ends;
	for (uint32_t i = 0; i < n; i++) {
		pg.slot_tag[slot + i] = tag;
		if (cmd == NBD_CMD_WRITE)
			fill(pg.mem[tag] + i * PG, (uint32_t)slot + i, pg.ver[tag]);
		else
			memset(pg.mem[tag] + i * PG, 0xee, PG);
	}
	trace("  submit tag %d cmd %u slot %d pages %u\n", tag, cmd, slot, n);
	int err = swap_link_submit(cmd, (uint64_t)tag, (uint64_t)slot * PG, n * PG);
	if (cmd == NBD_CMD_FLUSH && !sc.cl.can_flush) {
		/* Refused at once: the pager takes its writes as done when answered. */
		check(err == -ENOTSUP, "a flush the export cannot do: %d", err);
		pg.busy[tag] = false;
		pg.nbusy--;
		met.no_flush++;
		return true;
	}
	check(err == 0, "submit of tag %d refused: %d", tag, err);
	swap_link_push();
	return true;
}

/* Every tag out at once: the pager's whole depth. */
static void burst(void)
{
	while (submit(pick(2) ? NBD_CMD_WRITE : NBD_CMD_READ, 1))
		;
	met.burst_full += pg.nbusy == NTAGS;
}

static int64_t t_progress;		/* a request answered, or the link up with none waiting */
static uint64_t answered_ok;		/* the client's requests answered without error */

static void note_progress(void)
{
	uint64_t ok = sc.cl.cnt.completed - sc.cl.cnt.errors;

	if (ok != answered_ok || (swap_link_state() == SWAP_UP && nbd_pending(&sc.cl) == 0))
		t_progress = net.now;
	answered_ok = ok;
}

/* Time passes, a tick at a time, the server dropping connections at the
 * weather's rate and a short outage ending. */
static void ticks(unsigned n)
{
	for (unsigned t = 0; t < n; t++) {
		net.now += TICK_NS;
		if (srv.refuse && srv.refuse_until && net.now >= srv.refuse_until)
			srv.refuse = false;
		if (net.open && pm(wx.drop)) {
			met.dropped++;
			server_close();
		}
		zombies_move();
		net.trickled = false;
		int64_t until = swap_link_outage_until();
		swap_link_tick();
		net_run();
		note_progress();
		/* The pager's reclaim waits until then (swap_link.h). */
		check(swap_link_state() != SWAP_GONE || !until || net.now <= until,
		      "gone %lld ms after the bound it named", (long long)((net.now - until) / MS_));
	}
}

/* A fresh spell of weather: each kind on or off, at its own rate. */
static void weather(void)
{
	wx.answer = pick(2) ? 1000 : 50 + pick(900);
	wx.in_order = pick(2);
	wx.dup = chance(6) ? 1 + pick(30) : 0;
	wx.bad_cookie = chance(6) ? 1 + pick(30) : 0;
	wx.bad_magic = chance(8) ? 1 + pick(5) : 0;
	wx.eio = chance(4) ? 1 + pick(100) : 0;
	wx.shutdown = chance(6) ? 1 + pick(30) : 0;
	wx.drop = chance(4) ? 1 + pick(20) : 0;
	wx.split = chance(2) ? pick(1000) : 0;
	wx.full = chance(10);
	wx.trickle = chance(12);
	wx.hs_bad = chance(4) ? pick(500) : 0;
	srv.stall = chance(8);
	met.stall += srv.stall;
	net.sndbuf = chance(3) ? 100 + pick(3 * PG) : 256 * 1024;
}

static void calm(void)
{
	memset(&wx, 0, sizeof(wx));
	wx.answer = 1000;
	wx.in_order = true;
	srv.stall = false;
	net.sndbuf = 256 * 1024;
}

/* The server restarts: now and then as another export, or refusing
 * connections for a while (within the outage's budget). */
static void restart(void)
{
	unsigned r = pick(40);

	if (r == 0)
		srv.size = DISK - 64 * PG;
	else if (r == 1)
		srv.other_disk = true;
	else if (r == 2)
		srv.no_flush = !srv.no_flush;	/* lost; or gained, which harms nothing */
	else if (r < 10 && !srv.long_outage) {
		srv.refuse = true;
		srv.refuse_until = net.now + (int64_t)(1 + pick(60)) * 1000 * MS_;
	}
	server_close();
}

/* Refused past the outage's budget: the link must give the server up. */
static void long_outage(void)
{
	srv.refuse = srv.long_outage = true;
	srv.refuse_until = 0;
	srv.outage_from = net.now;
	server_close();
}

static void one_step(void)
{
	unsigned r = pick(100);

	uint32_t pages = pick(3) ? 1 : 1 + pick(RUN_MAX);

	if (r < 30)
		(void)submit(NBD_CMD_WRITE, pages);
	else if (r < 50)
		(void)submit(NBD_CMD_READ, pages);
	else if (r < 53)
		(void)submit(NBD_CMD_FLUSH, 0);
	else if (r < 54)
		burst();
	else if (r < 80)
		ticks(1 + pick(5));
	else if (r < 85)
		ticks(1 + pick(300));
	else if (r < 90)
		weather();
	else if (r < 94)
		server_close();
	else if (r < 96)
		restart();
	else if (r < 97 && chance(40))
		long_outage();
	else
		net_run();
}

/* --- the checks --- */

/* Every request waiting is the client's once, or held behind the stamp's
 * flush once; netd's own (the stamp's) one at most. */
static void check_requests(void)
{
	static unsigned seen[NTAGS];
	unsigned stamp = 0, n = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned s = 0; s < NBD_SLOTS; s++) {
		const struct nbd_req *r = &sc.cl.req[s];
		if (r->state == NBD_REQ_FREE)
			continue;
		if (r->id == STAMP_ID) {
			stamp++;
			continue;
		}
		check(r->id < NTAGS && pg.busy[r->id], "the client holds tag %llu, not waiting",
		      (unsigned long long)r->id);
		seen[r->id]++;
		n++;
	}
	for (unsigned k = 0; k < sc.nheld; k++) {
		check(sc.held[k] < NTAGS && pg.busy[sc.held[k]] && pg.cmd[sc.held[k]] == NBD_CMD_FLUSH,
		      "a held flush of tag %llu", (unsigned long long)sc.held[k]);
		seen[sc.held[k]]++;
		n++;
	}
	check(stamp <= 1, "%u stamp requests", stamp);
	check(n == pg.nbusy, "%u requests waiting, the client and the link hold %u", pg.nbusy, n);
	for (unsigned t = 0; t < NTAGS; t++)
		check(seen[t] == pg.busy[t], "tag %u held %u times", t, seen[t]);
	check(sc.cl.sq_n <= nbd_pending(&sc.cl), "%u queued, %u pending", sc.cl.sq_n,
	      nbd_pending(&sc.cl));
}

/* The link gave the server up: for the reason the weather gave. */
static void check_gone(void)
{
	check(pg.nbusy == 0, "gone with %u requests waiting", pg.nbusy);
	check(pg.gone_hook == 1 && said_gone == 1, "gone told %u times, said %u", pg.gone_hook,
	      said_gone);
	if (strstr(said, "changed size")) {
		check(srv.size != DISK, "gone for a size that did not change");
		met.gone_size++;
	} else if (strstr(said, "not the one swap was set up on")) {
		check(srv.other_disk, "gone for a first page that did not change");
		met.gone_other++;
	} else if (strstr(said, "flags changed")) {
		check(srv.no_flush && !srv.flushless, "gone for flags that did not change");
		met.gone_flush++;
	} else {
		check(net.now - t_progress >= OUTAGE_NS_,
		      "gone %lld ms after the last answer (%s)",
		      (long long)((net.now - t_progress) / MS_), said);
		met.gone_outage++;
	}
}

static void boot(void);

static void check_all(void)
{
	if (swap_link_state() == SWAP_GONE) {
		check_gone();
		trace("  gone: %s", said);
		boot();
		weather();
		return;
	}
	check_requests();
	note_progress();
	check(!srv.long_outage || net.now <= srv.outage_from + OUTAGE_NS_ + GIVE_UP_LATE_NS,
	      "still trying %lld ms into an outage", (long long)((net.now - srv.outage_from) / MS_));
}

/* --- a seed's life --- */

/* A swap header the pager takes: version 1, every page of the export. */
static void mkswap(void)
{
	memset(srv.disk, 0, PG);
	srv.disk[1024] = 1;
	srv.disk[1028] = (uint8_t)(DISK_PAGES - 1);
	srv.disk[1029] = (uint8_t)((DISK_PAGES - 1) >> 8);
	for (unsigned i = 0; i < 16; i++)
		srv.disk[1036 + i] = (uint8_t)(seed_no * 31 + i);
	memcpy(srv.disk + PG - 10, "SWAPSPACE2", 10);
}

/* netd starts (again), the server as at first, the weather calm. */
static void boot(void)
{
	calm();
	srv.size = DISK;
	srv.other_disk = srv.refuse = srv.long_outage = false;
	srv.no_flush = srv.flushless;
	srv.nheld = 0;
	memset(&sc, 0, sizeof(sc));
	memset(&first, 0, sizeof(first));
	pg.gone_hook = said_gone = 0;
	/* A new link's flushes vouch for nothing written before it. */
	memset(pg.unvouched, 0, sizeof(pg.unvouched));
	answered_ok = 0;
	check(swap_link_open(0x0a000264, 10809, OUTAGE_S, &pager_io, pager_gone, pager_lost) == 0,
	      "no link: %s", said);
	check(swap_link_start() == 0, "not started");
	net_run();
	t_progress = net.now;
}

/* The weather calm until every request has ended. */
static void drain(void)
{
	for (unsigned t = 0; t < 6000 && (pg.nbusy > 0 || nbd_pending(&sc.cl) > 0); t++) {
		calm();		/* again after each tick: a link set up again draws weather */
		srv.refuse = srv.long_outage = false;
		ticks(1);
		check_all();
	}
	check(pg.nbusy == 0 && nbd_pending(&sc.cl) == 0, "%u requests never ended", pg.nbusy);
}

/* Every slot read back as the model says. */
static void read_all(void)
{
	for (unsigned s = 1; s < DISK_PAGES; s++) {
		int tag = free_tag();

		check(tag >= 0 && pg.slot_tag[s] < 0, "slot %u busy at the end", s);
		pg.busy[tag] = true;
		pg.nbusy++;
		pg.cmd[tag] = NBD_CMD_READ;
		pg.slot[tag] = s;
		pg.pages[tag] = 1;
		pg.srv_err[tag] = false;
		pg.losses[tag] = 0;
		pg.slot_tag[s] = tag;
		memset(pg.mem[tag], 0xee, PG);
		check(swap_link_submit(NBD_CMD_READ, (uint64_t)tag, (uint64_t)s * PG, PG) == 0,
		      "read of slot %u refused", s);
		swap_link_push();
		net_run();
		if (pg.nbusy == NTAGS)
			drain();
	}
	drain();
}

static void run_seed(unsigned long seed)
{
	seed_no = seed;
	step_no = 0;
	srand((unsigned)seed);
	memset(&net, 0, sizeof(net));
	memset(&srv, 0, sizeof(srv));
	memset(&pg, 0, sizeof(pg));
	memset(model, 0, sizeof(model));
	for (unsigned s = 0; s < DISK_PAGES; s++) {
		pg.slot_tag[s] = -1;
		model[s].n = 1;		/* zeros */
	}
	net.now = 1000 * MS_;
	/* A server without flush vouches for nothing: it does not cache. */
	srv.flushless = chance(8);
	srv.volatile_ = !srv.flushless && chance(3);
	trace("seed %lu:%s%s\n", seed, srv.flushless ? " no flush" : "",
	      srv.volatile_ ? " caching" : "");
	mkswap();
	memcpy(srv.stable, srv.disk, DISK);
	boot();
	weather();
	for (step_no = 0; step_no < STEPS; step_no++) {
		one_step();
		check_all();
	}
	drain();
	if (swap_link_state() == SWAP_GONE)
		check_all();
	srv.size = DISK;		/* a restart's change not yet met: forgotten */
	srv.other_disk = false;
	srv.no_flush = srv.flushless;
	read_all();
	check(swap_link_state() != SWAP_GONE, "gone in calm weather: %s", said);
}

static const struct met_kind met_kinds[] = {
	{ "handshake refused", &met.hs_bad }, { "handshake's extra info", &met.hs_extra },
	{ "answer late", &met.late }, { "no answer in time", &said_timeout },
	{ "out of order", &met.reorder },
	{ "duplicate reply", &met.dup }, { "wrong cookie", &met.bad_cookie },
	{ "bad magic", &met.bad_magic }, { "split delivery", &met.split },
	{ "trickled replies", &met.trickle }, { "flush refused: none offered", &met.no_flush },
	{ "EIO", &met.eio }, { "ENOSPC (full)", &met.enospc }, { "ESHUTDOWN", &met.shutdown },
	{ "server not reading", &met.stall }, { "connection dropped", &met.dropped },
	{ "held write performed as dropped", &met.dropped_applied },
	{ "held write kept", &met.zombie }, { "kept write landed late", &met.zombie_landed },
	{ "connection refused", &met.refused }, { "gone: outage", &met.gone_outage },
	{ "gone: size changed", &met.gone_size }, { "gone: another first page", &met.gone_other },
	{ "gone: flush lost", &met.gone_flush }, { "every tag out", &met.burst_full },
	{ "write ended late", &met.late_write }, { "late write partly out", &met.late_part },
	{ "EIO by blame", &met.blamed_eio }, { "a restart lost the cache", &met.cache_lost },
	{ "writes vouched for by a flush", &met.vouched },
};

static void test_random(void **state)
{
	unsigned long first_seed, n = SEEDS;
	bool by_hand = rand_seeds("NBD_RAND_SEEDS", &first_seed, &n);

	(void)state;
	tracing = getenv("NBD_RAND_TRACE") != NULL;
	for (unsigned long s = first_seed; s < first_seed + n; s++)
		run_seed(s);
	rand_met(met_kinds, sizeof(met_kinds) / sizeof(met_kinds[0]), by_hand);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
