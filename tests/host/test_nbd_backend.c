/*
 * Host tests for the pager's NBD swap backend (pager/swap/nbd_backend.c)
 * over a fake netd defined here (its status page, and its answer to a
 * flush call, and its completion of writes at once): a write batch begun
 * before a connection was lost with writes unflushed is not vouched for by
 * a flush, whether the server answers it or cannot flush at all
 * (-ENOTSUP); a write netd marks as gone out on a lost connection fails
 * its pages with the device's verdict (their slots retired), even when
 * answered, unless netd read the page back as written over a slot whose
 * checksum before was known and another, or its bytes never went out
 * (then its slot is let go); the mark of a tag's earlier completion is
 * not taken for a later one's; the device is stalled while netd's outage word says it
 * rides one out, and only until the time it names, and a write unanswered
 * is called stopped at netd's answer bound, not the disk's. A write or a flush the
 * pager lock's holder waits for as an outage begins is left in flight (its
 * frames still in netd's window, its tags netd's), and so is one sent past
 * the outage's bound while netd, late, still rides it out; collected once
 * netd answers, a write gone out on a lost connection failed as late;
 * through the engine's transfers (transfer.c), each slot retired so is
 * counted once, whether it was lost before the write was left or after,
 * and a batch whose flush a loss left unvouched is kept as unsent, said
 * once as the loss, not as the device's flush failing, and so is a batch
 * whose flush call netd refused (nothing sent), the refusal said once;
 * the swap-out thread's (the lock let go) and any read are waited for. Pages read back are checked against the checksum of
 * their slot's last write answered with success: other data (a server
 * restored from an older copy) fails the page with the device's verdict;
 * a slot never written, or whose last write failed or went out on a lost
 * connection, is not checked whatever it holds. The checksums are made
 * as swap starts, for the swap area's slots (the header's), not the
 * export's, and netd is told then that the export is taken; the table is
 * freed once the device is seen gone (netd gave the server up, or netd
 * ended), by the last transfer using it, and nothing reads it afterwards.
 * The fake netd keeps the export's pages and moves them to and from the
 * frames its window maps (a buffer for RAM).
 */
#define _POSIX_C_SOURCE 200809L	/* fileno, dup: the console caught (said.h) */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/threads.h"
#include "said.h"
#include "drivers/blk_request.h"
#include "drivers/net_protocol.h"
#include "swap/blk_link.h"
#include "base/vmstat.h"
#include "swap/internal.h"
#include "swap/nbd_backend.h"
#include "sys.h"
#include "vm/frames.h"

/* What the backend frees (its only allocation is the checksum table). */
static unsigned frees;
void __real_free(void *p);
void __wrap_free(void *p)
{
	frees += p != NULL;
	__real_free(p);
}

static struct net_shared shared;
static struct pager_thread *holder;	/* the pager lock's */

struct pager_thread *pager_holder(void)
{
	return holder;
}
static int64_t flush_answer;	/* netd's answer to NET_SWAP_FLUSH */
static int64_t start_answer;	/* and to NET_SWAP_START */
static unsigned starts;		/* NET_SWAP_START calls */
static struct pager_thread writer = { .name = "swapout", .io_client = IO_SWAPOUT };

/* Slots whose write netd completes as gone out on a lost connection, with
 * late_error (the answer to its check): nothing of it lands (the write is
 * not sent again). Of each such request, the pages whose bytes went out
 * (late_out, by page; 0: all). */
static uint32_t late_first, late_n;
static int late_error;
static uint16_t late_out;
/* Slots whose requests the server fails (-EIO); a write lands all the
 * same (its answer is what failed). */
static uint32_t failing_first, failing_n;

/* RAM: the pages at RAM_BASE, seen through frames_at as the pager sees its
 * frames. */
#define RAM_BASE 0x80000000ull
#define RAM_PAGES 64
static uint64_t ram[RAM_PAGES][BLK_PAGE_SIZE / 8];
struct frames_at frames_at = { .base = RAM_BASE, .span = sizeof(ram), .window = (uint8_t *)ram };

/* The export (the test's 2048 sectors), and the frame each page of
 * netd's window maps (sys_map). */
#define EXPORT_PAGES 256
static uint8_t export[EXPORT_PAGES][BLK_PAGE_SIZE];
static uint64_t window_pa[BLK_TAGS * NET_MAX_PAGES];

static uint8_t *window_page(uint32_t tag, uint32_t i)
{
	return frame_ptr(window_pa[(net_window_va(tag) - NET_WIN_VA) / BLK_PAGE_SIZE + i]);
}

/* r's pages, moved between the export and the frames its window maps. */
static void move_pages(const struct blk_request *r)
{
	uint32_t slot = (uint32_t)(r->sector / BLK_SECTORS_PER_PAGE);

	for (uint32_t i = 0; i < r->npages; i++) {
		assert_true(slot + i < EXPORT_PAGES);
		if (r->write)
			memcpy(export[slot + i], window_page(r->tag, i), BLK_PAGE_SIZE);
		else
			memcpy(window_page(r->tag, i), export[slot + i], BLK_PAGE_SIZE);
	}
}

/* Called once a read's pages are in (and then forgotten): what another
 * thread does while the reader has not yet looked at them. */
static void (*after_read)(void);

/* netd completes r, marking a write on the late slots and failing a
 * request on the failing ones. */
static void complete(const struct blk_request *r)
{
	uint32_t slot = (uint32_t)(r->sector / BLK_SECTORS_PER_PAGE);
	int late = r->write && slot - late_first < late_n;
	uint16_t all = (uint16_t)((1u << r->npages) - 1);
	uint16_t out = late_out ? late_out & all : all;

	if (!late)
		move_pages(r);
	shared.late[r->tag] = late ? out : 0;
	shared.slot[r->tag].error = late ? late_error :
				    slot - failing_first < failing_n ? -EIO : 0;
	shared.slot[r->tag].state = BLK_DONE;
}

/* netd holds the requests it takes (an outage: the server is away), those
 * from slot hold_from on (0: all), and the flush too if hold_flush, until
 * answer_held (or answer_first_held). */
static int hold, hold_flush;
static uint32_t hold_from;
static struct blk_request held[BLK_TAGS];
static unsigned nheld;
static int64_t held_flush = -1;	/* its tag */

static void answer_held(void)
{
	for (unsigned i = 0; i < nheld; i++)
		complete(&held[i]);
	nheld = 0;
	if (held_flush >= 0) {
		shared.slot[held_flush].error = 0;
		shared.slot[held_flush].state = BLK_DONE;
		held_flush = -1;
	}
}

/* netd answers the first request it holds, and holds the others on. */
static void answer_first_held(void)
{
	assert_true(nheld > 0);
	complete(&held[0]);
	memmove(&held[0], &held[1], --nheld * sizeof(held[0]));
}

/* netd takes the requests: completes each at once, or holds it. */
static int64_t take_requests(const struct msg *m)
{
	struct blk_request r[BLK_SUBMIT_MAX];
	int n = blk_submit_requests(m, r, BLK_SUBMIT_MAX);

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(shared.late[r[i].tag], 0);	/* zeroed before */
		if (hold && r[i].sector / BLK_SECTORS_PER_PAGE >= hold_from)
			held[nheld++] = r[i];
		else
			complete(&r[i]);
	}
	if (!r[0].write && after_read) {
		void (*fn)(void) = after_read;

		after_read = NULL;
		fn();
	}
	return n;
}

/* netd takes a flush and completes it at once (0), or refuses it. */
int sys_call(int ep, struct msg *m)
{
	(void)ep;
	if (m->label == BLK_SUBMIT || m->label == BLK_SUBMIT_ONE) {
		m->label = (uint64_t)take_requests(m);
		return 0;
	}
	if (m->label == NET_SWAP_START) {
		starts++;
		m->label = (uint64_t)start_answer;
		return 0;
	}
	assert_int_equal(m->label, NET_SWAP_FLUSH);
	if (flush_answer == 0 && hold_flush)
		held_flush = (int64_t)m->w[0];
	else if (flush_answer == 0) {
		shared.slot[m->w[0]].error = 0;
		shared.slot[m->w[0]].state = BLK_DONE;
	}
	m->label = (uint64_t)flush_answer;
	return 0;
}

/* The window's mappings: which frame each page of it shows. */
int sys_map(int proc, const struct map_entry *e, size_t n)
{
	(void)proc;
	for (size_t i = 0; i < n; i++)
		window_pa[(e[i].va - NET_WIN_VA) / BLK_PAGE_SIZE] = e[i].pa;
	return 0;
}

static int play_direct;	/* at the writer's next unmap, a direct reclaimer writes */
static struct pager_thread direct = { .name = "service0", .io_client = IO_SERVICE };
static struct swap_backend b;

/* The engine's device (swap.c's), for its transfers (transfer.c). */
const struct swap_backend *swap_engine_device(void)
{
	return &b;
}

int sys_unmap(int proc, uintptr_t va, size_t n)
{
	(void)proc, (void)n;
	/* The writer waits for its 2nd request with the lock let go
	 * (writer.c); a faulting thread's swap_out_now writes meanwhile. */
	if (play_direct && va == net_window_va(blk_tag_of(IO_SWAPOUT, 1))) {
		struct swap_req q[1] = { { .pa = RAM_BASE + 40 * BLK_PAGE_SIZE, .slot = 100 } };
		struct swap_done d;

		play_direct = 0;
		assert_int_equal(b.ops->write(b.ctx, &direct, q, 1, &d), 0);
	}
	return 0;
}

int sys_notify_signal(int h, uint64_t bits)
{
	(void)h, (void)bits;
	fail();
	return -1;
}

static int64_t now;		/* the clock */

int64_t pager_clock(void)
{
	return now;
}

int sys_notify_timer(int h, int64_t deadline, uint64_t bits)
{
	(void)h, (void)deadline, (void)bits;
	return 0;
}

/* What happens while a thread waits for netd (its completion bit comes
 * after it): none unless a test says (netd answers at once). */
static void (*on_wait)(struct pager_thread *t);
static unsigned waits;

uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want)
{
	(void)note;
	assert_non_null(on_wait);
	waits++;
	on_wait(t);
	return want & BLK_DONE_BIT;
}

void pager_thread_forget(struct pager_thread *t, uint64_t bits)
{
	(void)t, (void)bits;
	fail();
}

void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS])
{
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		notes[c] = -1;
}

/* The outage's budget netd is given (swap.nbd_outage's default). */
#define OUTAGE_NS (120000 * CLOCK_NS_PER_MS)

static int setup(void **state)
{
	struct nbd_driver d = { .ep = 3, .proc = 4, .shared = &shared, .sectors = 2048,
				.outage_ns = OUTAGE_NS };

	(void)state;
	memset(&shared, 0, sizeof(shared));
	late_n = failing_n = 0;
	late_error = 0;
	late_out = 0;
	flush_answer = start_answer = 0;
	starts = 0;
	now = 0;
	frees = 0;
	hold = hold_flush = 0;
	hold_from = 0;
	nheld = 0;
	held_flush = -1;
	on_wait = NULL;
	waits = 0;
	holder = NULL;
	vmstat_reset();
	nbd_backend_init(&b, &d);
	assert_int_equal(b.ops->start(b.ctx, EXPORT_PAGES - 1), 0);
	assert_int_equal(starts, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swap_transfer_reset();
	nbd_backend_fini();
	return 0;
}

/* A write batch begins (no pages: only its start matters here). */
static void batch_begins(void)
{
	struct swap_req p[1] = { { 0 } };
	struct swap_done done = { 0 };

	assert_int_equal(b.ops->write(b.ctx, &writer, p, 0, &done), 0);
}

/* No loss since the batch began: an answered flush, or none possible
 * (writes are done when answered), completes it. */
static void flush_without_loss(void **state)
{
	(void)state;
	batch_begins();
	assert_int_equal(b.ops->flush(b.ctx, &writer), 0);
	flush_answer = -ENOTSUP;
	batch_begins();
	assert_int_equal(b.ops->flush(b.ctx, &writer), 0);
}

/* A connection lost since the batch began, writes unflushed on it: the
 * batch stays in memory, whether the flush is answered or refused. */
static void loss_before_flush(void **state)
{
	(void)state;
	batch_begins();
	shared.swap_lost_writes++;
	assert_int_equal(b.ops->flush(b.ctx, &writer), SWAP_ERR_UNSENT);
	batch_begins();
	shared.swap_lost_writes++;
	flush_answer = -ENOTSUP;
	assert_int_equal(b.ops->flush(b.ctx, &writer), SWAP_ERR_UNSENT);
}

/* The writer writes eight pages in four runs of two slots (16-17, 20-21,
 * 24-25, 28-29: four requests), netd marking the one at slot late as gone
 * out on a lost connection: both of its pages fail with the device's
 * verdict, the others are written. */
static void write_with_late_run(struct swap_req p[8], uint32_t late, struct swap_done *done)
{
	for (unsigned k = 0; k < 8; k++)
		p[k] = (struct swap_req){ .pa = RAM_BASE + k * BLK_PAGE_SIZE,
					  .slot = 16 + 4 * (k / 2) + k % 2 };
	late_first = late;
	late_n = 1;
	assert_int_equal(b.ops->write(b.ctx, &writer, p, 8, done), 0);
	for (unsigned k = 0; k < 8; k++)
		assert_int_equal(done->err[k], p[k].slot - late < 2 ? -ESTALE : 0);
}

/* The run at slot 20 late; then, nothing marked, the same tags' marks are
 * not taken again. */
static void lost_out_write_fails(void **state)
{
	struct swap_req p[8];
	struct swap_done done;

	(void)state;
	write_with_late_run(p, 20, &done);
	assert_true(swap_err_from_device(done.err[2]));	/* the engine retires the slot */
	late_n = 0;
	assert_int_equal(b.ops->write(b.ctx, &writer, p, 8, &done), 0);
	for (unsigned k = 0; k < 8; k++)
		assert_int_equal(done.err[k], 0);
}

/* A late request answered with an error (the server's, on the next
 * connection; or NBD_BLAME_MAX losses blamed on it) fails as late all the
 * same: the old connection may still write it, so it is neither written
 * again nor its slot reused (an -EIO was written again, alone, by the
 * engine). */
static void lost_out_failed_is_late(void **state)
{
	struct swap_req p[8];
	struct swap_done done;

	(void)state;
	late_error = -EIO;
	write_with_late_run(p, 24, &done);
}

/* Every slot retired so is counted (swap_slots_late): each loss retires
 * the writes out on it for the rest of the boot, and over a link that
 * keeps failing that adds up, unseen before. Once they pass 1/16 of the
 * area (16 of its 256 slots: the eighth run of two) it is said, once. */
static void late_slots_counted(void **state)
{
	struct swap_req p[8];
	struct swap_done done;

	(void)state;
	said_begin();
	for (unsigned k = 0; k < 7; k++)
		write_with_late_run(p, 20, &done);
	assert_int_equal(said_end("uses the area up"), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 14);
	said_begin();
	for (unsigned k = 0; k < 3; k++)
		write_with_late_run(p, 24, &done);
	assert_int_equal(said_end("uses the area up"), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 20);
}

/* Batches whose flush a loss fails, one after another while the link
 * flaps: said once, not once a batch; a batch flushed ends the run. */
static void flush_loss_said_once(void **state)
{
	(void)state;
	said_begin();
	for (unsigned k = 0; k < 5; k++) {
		batch_begins();
		shared.swap_lost_writes++;
		assert_int_equal(b.ops->flush(b.ctx, &writer), SWAP_ERR_UNSENT);
	}
	batch_begins();
	assert_int_equal(b.ops->flush(b.ctx, &writer), 0);
	batch_begins();
	shared.swap_lost_writes++;
	assert_int_equal(b.ops->flush(b.ctx, &writer), SWAP_ERR_UNSENT);
	assert_int_equal(said_end("lost before its writes were flushed"), 2);
}

/* As lost_out_write_fails, the late request the writer's first (slots
 * 16-17), with a direct reclaimer's write begun while the writer waits for
 * its second: the writer's late pages must still fail. */
static void lost_out_survives_direct_write(void **state)
{
	struct swap_req p[8];
	struct swap_done done;

	(void)state;
	play_direct = 1;
	write_with_late_run(p, 16, &done);
	assert_int_equal(play_direct, 0);
}

/* netd rides out an outage until the time it publishes: the device is
 * stalled until then, and no longer, whether or not netd has written 0
 * since (a netd that stopped publishing holds reclaim no longer). When
 * it ends with the server back the device says so, as netd wrote it
 * (outage_ended), none before. */
static void stalled_until_outage_bound(void **state)
{
	(void)state;
	now = 5000;
	assert_false(b.ops->stalled(b.ctx));
	shared.swap_outage_until = 9000;
	assert_true(b.ops->stalled(b.ctx));
	now = 8999;
	assert_true(b.ops->stalled(b.ctx));
	now = 9000;
	assert_false(b.ops->stalled(b.ctx));
	now = 6000;
	assert_int_equal(b.ops->outage_ended(b.ctx), 0);
	shared.swap_outage_ended = 5900;
	shared.swap_outage_until = 0;	/* answered, or given up */
	assert_false(b.ops->stalled(b.ctx));
	assert_int_equal(b.ops->outage_ended(b.ctx), 5900);
	shared.swap_outage_ended = 0;
}

/* Frame k of RAM holds a page of its own (seed), its every word set. */
static void fill_frame(unsigned k, uint64_t seed)
{
	for (unsigned w = 0; w < BLK_PAGE_SIZE / 8; w++)
		ram[k][w] = (seed << 32 | w) * 0x9e3779b97f4a7c15ull;
}

/* Frames k .. k + n - 1 for slots slot .. slot + n - 1 (one request). */
static void pages_at(struct swap_req *p, unsigned k, uint32_t slot, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (struct swap_req){ .pa = RAM_BASE + (uint64_t)(k + i) * BLK_PAGE_SIZE,
					  .slot = slot + i };
}

/* While the writer waits, the connection is lost with its writes, and
 * netd answers them on the next one. */
static void link_lost_then_answer(struct pager_thread *t)
{
	(void)t;
	shared.swap_lost_writes++;
	answer_held();
}

/* Through the engine's transfer (transfer.c): a batch whose connection was
 * lost before it was flushed keeps its pages, as unsent, the loss said
 * once (the backend's line), and the engine does not take it for the
 * device's flush failing: it says nothing more, and a batch of pages
 * unsent after it is one that may pass (swap_flush_failing: out.c). Before,
 * the engine said "the device's flush failed (-11)" beside the loss and
 * judged the device's flushes failing. */
static void lost_flush_through_engine(void **state)
{
	struct swap_req p[2];
	int err[2];

	(void)state;
	pages_at(p, 0, 16, 2);
	hold = 1;
	on_wait = link_lost_then_answer;
	said_begin();
	swap_transfer(&writer, 1, p, 2, err);
	assert_int_equal(said_end("flush"), 1);
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(err[k], SWAP_ERR_UNSENT);
	assert_false(swap_flush_failing());
	assert_int_equal(vmstat_get(VMSTAT_SWAP_PAGES_OUT), 0);
}

/* Through the engine's transfer: a flush call netd refuses (its answer to
 * the call: here a tag it holds in flight, -EBUSY, then -EINVAL) sent
 * nothing, so the batch is kept as unsent, as a write whose call was
 * refused, the refusal said once with its code, and the device's flushes
 * are not judged failing. Before, the refusal went back raw: the engine
 * said "the device's flush failed (-16)" and judged them failing. */
static void refused_flush_through_engine(void **state)
{
	struct swap_req p[2];
	int err[2];

	(void)state;
	pages_at(p, 0, 16, 2);
	flush_answer = -EBUSY;
	said_begin();
	swap_transfer(&writer, 1, p, 2, err);
	assert_int_equal(said_end("netd refused the flush call (-16)"), 1);
	assert_null(strstr(said_text, "the device's flush failed"));
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(err[k], SWAP_ERR_UNSENT);
	assert_false(swap_flush_failing());
	assert_int_equal(shared.slot[blk_tag_of(IO_SWAPOUT, 0)].state, BLK_FREE);
	flush_answer = -EINVAL;
	said_begin();
	swap_transfer(&writer, 1, p, 2, err);
	assert_int_equal(said_end("flush"), 0);
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(err[k], SWAP_ERR_UNSENT);
	assert_false(swap_flush_failing());
	assert_int_equal(vmstat_get(VMSTAT_SWAP_PAGES_OUT), 0);
}

/* Frames 0 .. n - 1, filled with pages seed .. seed + n - 1, written to
 * slots slot .. slot + n - 1 (one request). */
static void write_at(struct swap_req *p, uint32_t slot, unsigned n, uint64_t seed,
		     struct swap_done *done)
{
	for (unsigned k = 0; k < n; k++)
		fill_frame(k, seed + k);
	pages_at(p, 0, slot, n);
	assert_int_equal(b.ops->write(b.ctx, &writer, p, n, done), 0);
}

/* Read slots slot .. slot + n - 1 into frames 32.. (zeroed first). */
static void read_back(uint32_t slot, unsigned n, struct swap_done *done)
{
	struct swap_req p[8];

	pages_at(p, 32, slot, n);
	memset(ram[32], 0, n * BLK_PAGE_SIZE);
	assert_int_equal(b.ops->read(b.ctx, &writer, p, n, done), 0);
}

/* Four pages written and read back whole: every page as written; a slot
 * never written reads whatever the export holds, unchecked. */
static void read_back_as_written(void **state)
{
	struct swap_req p[4];
	struct swap_done done;

	(void)state;
	write_at(p, 40, 4, 1, &done);
	read_back(40, 4, &done);
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(done.err[k], 0);
		assert_memory_equal(ram[32 + k], ram[k], BLK_PAGE_SIZE);
	}
	memset(export[60], 0x5a, BLK_PAGE_SIZE);
	read_back(60, 1, &done);
	assert_int_equal(done.err[0], 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SUM_MISMATCHES), 0);
}

/* The server restored from a copy taken after the first of two writes:
 * its slots hold the first write's pages. The second write's pages read
 * back fail with the device's verdict, counted; a page the copy holds as
 * written (slot 43, written once) reads back. */
static void read_back_other_data_fails(void **state)
{
	static uint8_t copy[4][BLK_PAGE_SIZE];
	struct swap_req p[4];
	struct swap_done done;

	(void)state;
	write_at(p, 40, 4, 1, &done);
	memcpy(copy, export[40], sizeof(copy));
	write_at(p, 40, 3, 10, &done);
	memcpy(export[40], copy, sizeof(copy));	/* restored */
	read_back(40, 4, &done);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(done.err[k], -EBADMSG);
		assert_true(swap_err_from_device(done.err[k]));
	}
	assert_int_equal(done.err[3], 0);
	assert_memory_equal(ram[35], ram[3], BLK_PAGE_SIZE);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SUM_MISMATCHES), 3);
}

/* The swap-in thread's read of slot 40, answered with the page written
 * there; before the reader looks at it, the slot's last owner has gone and
 * the slot is written again with another page (the writer's): the read's
 * page is stale, which the engine finds (its frame untied) and drops; it
 * is no checksum mismatch, said or counted (before, the new page's
 * checksum failed the old page: "restored from an older copy?"). */
static struct pager_thread swapin = { .name = "swapin", .io_client = IO_SWAPIN };

static void rewrite_slot_40(void)
{
	struct swap_req q[1] = { { .pa = RAM_BASE + 5 * BLK_PAGE_SIZE, .slot = 40 } };
	struct swap_done d;

	fill_frame(5, 99);
	assert_int_equal(b.ops->write(b.ctx, &writer, q, 1, &d), 0);
	assert_int_equal(d.err[0], 0);
}

static void read_of_slot_written_again(void **state)
{
	struct swap_req p[1];
	struct swap_done done;

	(void)state;
	write_at(p, 40, 1, 1, &done);
	after_read = rewrite_slot_40;
	pages_at(p, 32, 40, 1);
	assert_int_equal(b.ops->read(b.ctx, &swapin, p, 1, &done), 0);
	assert_null(after_read);
	assert_int_equal(done.err[0], 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SUM_MISMATCHES), 0);
}

/* A slot's write that the server fails, though it landed: the slot's
 * earlier checksum is forgotten, not kept stale, so reading what the slot
 * now holds is no mismatch (the engine retires the slot and never reads
 * it: what matters is that nothing stale is left to compare). */
static void failed_write_forgets(void **state)
{
	struct swap_req p[1];
	struct swap_done done;

	(void)state;
	write_at(p, 50, 1, 1, &done);
	failing_first = 50;
	failing_n = 1;
	write_at(p, 50, 1, 2, &done);
	assert_int_equal(done.err[0], -EIO);
	failing_n = 0;
	read_back(50, 1, &done);
	assert_int_equal(done.err[0], 0);
}

/* A write that went out on a lost connection is answered, yet fails
 * (-ESTALE): its page's checksum is not kept either, since the lost
 * connection's server may still write older data there late. */
static void lost_out_write_keeps_no_sum(void **state)
{
	struct swap_req p[1];
	struct swap_done done;

	(void)state;
	late_first = 70;
	late_n = 1;
	write_at(p, 70, 1, 1, &done);
	assert_int_equal(done.err[0], -ESTALE);
	late_n = 0;
	memset(export[70], 0, BLK_PAGE_SIZE);	/* the old server's write, late */
	read_back(70, 1, &done);
	assert_int_equal(done.err[0], 0);
}

/* Slots 80 and 81 hold pages 1 and 2 (written, answered, flushed: their
 * checksums known); pages 10 and 11 then go there in one request whose
 * data went out on a connection lost before its answer. Both slots are
 * retired, their checksums notwithstanding: a checksum may name bytes its
 * slot never held (a frame written to while written out: nbd_late.c).
 * Before session 23's last review, a page netd read back as written over
 * a known checksum was let go, and the old server could write over its
 * slot's next page late. */
static void late_write_retired(void **state)
{
	struct swap_req p[2];
	struct swap_done done;

	(void)state;
	write_at(p, 80, 2, 1, &done);
	late_first = 80;
	late_n = 1;
	said_begin();
	write_at(p, 80, 2, 10, &done);
	assert_int_equal(said_end("2 slots retired (the old server may still write them late), "
				  "0 let go"), 1);
	assert_int_equal(done.err[0], -ESTALE);
	assert_int_equal(done.err[1], -ESTALE);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE_BACK), 0);
}

/* A request of four pages (slots 88-91) of which the lost connection took
 * the first two pages' bytes only: the last two never left netd, and go
 * back whatever the slots held; the first two, not read back, retired. */
static void late_write_never_sent_pages_given_back(void **state)
{
	struct swap_req p[4];
	struct swap_done done;

	(void)state;
	late_first = 88;
	late_n = 1;
	late_out = 0x3;
	write_at(p, 88, 4, 1, &done);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(done.err[k], k < 2 ? -ESTALE : SWAP_ERR_UNSENT);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE_BACK), 2);
}

/* netd gives the server up: whoever sees the device gone first frees its
 * checksum table, once; a read or write after it touches nothing (-ENXIO;
 * the sanitizer would see a freed table read). */
static void sums_freed_when_gone(void **state)
{
	struct swap_req p[2];
	struct swap_done done;

	(void)state;
	write_at(p, 40, 2, 1, &done);
	assert_int_equal(frees, 0);
	shared.swap_gone = 1;
	assert_true(b.ops->gone(b.ctx));
	assert_int_equal(frees, 1);
	assert_true(b.ops->gone(b.ctx));
	assert_int_equal(b.ops->read(b.ctx, &writer, p, 2, &done), -ENXIO);
	assert_int_equal(b.ops->write(b.ctx, &writer, p, 2, &done), -ENXIO);
	assert_int_equal(frees, 1);
}

/* The device is seen gone while a read is out (the swap-in thread's, the
 * lock let go): the read still compares its page with the table, which
 * goes when the read is over. */
static void see_gone(void)
{
	shared.swap_gone = 1;
	assert_true(b.ops->gone(b.ctx));
	assert_int_equal(frees, 0);	/* the read holds it */
}

static void sums_kept_while_read_out(void **state)
{
	struct swap_req p[1];
	struct swap_done done;

	(void)state;
	write_at(p, 40, 1, 1, &done);
	memset(export[40], 0, BLK_PAGE_SIZE);	/* other data: the check fails it */
	after_read = see_gone;
	pages_at(p, 32, 40, 1);
	assert_int_equal(b.ops->read(b.ctx, &swapin, p, 1, &done), 0);
	assert_null(after_read);
	assert_int_equal(done.err[0], -EBADMSG);
	assert_int_equal(frees, 1);
}

/* netd ended: its table goes as for a server given up. */
static void sums_freed_when_netd_ends(void **state)
{
	(void)state;
	b.ops->ended(b.ctx);
	assert_int_equal(frees, 1);
	nbd_backend_fini();	/* as main.c would if swap had not come up: no second free */
	assert_int_equal(frees, 1);
}

/* netd begins an outage while the thread waits: it publishes the time by
 * which it will have given up and wakes the waiters of what it holds
 * (swapconn_outage_began). A second wait of the lock's holder would be one
 * made through the outage, holding every pager thread. */
static void outage_begins(struct pager_thread *t)
{
	assert_int_equal(shared.swap_outage_until, 0);
	assert_true(t != holder || waits == 1);
	now = 1000;
	shared.swap_outage_until = 50000;
}

/* netd begins an outage at the first wait; at the next the server is back
 * and netd answers everything it held. */
static void outage_then_answer(struct pager_thread *t)
{
	if (waits == 1)
		return outage_begins(t);
	answer_held();
	shared.swap_outage_until = 0;
}

/* The lock's holder (a direct reclaim) writes four pages in two requests
 * (slots 16-17, 20-21), which netd holds, and an outage begins: the holder
 * stops waiting, the pages left in flight (SWAP_ERR_LEFT), their frames
 * still in netd's window and the tags netd's. Looked at before netd
 * answers, they are still out; once it has, collected: the tags free, each
 * page its request's result. */
static void write_left(struct swap_req p[4], struct swap_done *done)
{
	for (unsigned k = 0; k < 4; k++)
		p[k] = (struct swap_req){ .pa = RAM_BASE + k * BLK_PAGE_SIZE,
					  .slot = 16 + 4 * (k / 2) + k % 2 };
	holder = &direct;
	hold = 1;
	on_wait = outage_begins;
	assert_int_equal(b.ops->write(b.ctx, &direct, p, 4, done), 0);
	assert_int_equal(waits, 1);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(done->err[k], SWAP_ERR_LEFT);
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t tag = blk_tag_of(IO_SERVICE, i);

		assert_int_equal(shared.slot[tag].state, BLK_SUBMITTED);
		assert_int_equal(window_pa[(net_window_va(tag) - NET_WIN_VA) / BLK_PAGE_SIZE],
				 p[2 * i].pa);
	}
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 4, done, 0), 0);
	assert_int_equal(nheld, 2);
}

static void holder_leaves_write_in_outage(void **state)
{
	struct swap_req p[4];
	struct swap_done done;

	(void)state;
	write_left(p, &done);
	answer_held();
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 4, &done, 0), 1);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(done.err[k], 0);
	assert_int_equal(shared.slot[blk_tag_of(IO_SERVICE, 0)].state, BLK_FREE);
	assert_int_equal(shared.slot[blk_tag_of(IO_SERVICE, 1)].state, BLK_FREE);
}

/* A request left in flight that netd answers as gone out on a lost
 * connection fails as late, as when waited for: it may still land. */
static void left_write_lost_out_is_late(void **state)
{
	struct swap_req p[4];
	struct swap_done done;

	(void)state;
	write_left(p, &done);
	late_first = 20;
	late_n = 1;
	answer_held();
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 4, &done, 0), 1);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(done.err[k], k < 2 ? 0 : -ESTALE);
}

/* Through the engine (transfer.c), as direct reclaim writes: the lock's
 * holder writes slots 16-17 and 20-21 (frames 0-3, two requests). netd
 * answers the first at once as gone out on a lost connection; the second
 * it holds, and an outage begins as the holder waits for it: the write is
 * left, the first request's pages failed as late (two slots retired). */
static void write_left_after_loss(struct swap_req p[4], int err[4])
{
	pages_at(p, 0, 16, 2);
	pages_at(&p[2], 2, 20, 2);
	holder = &direct;
	hold = 1;
	hold_from = 20;
	late_first = 16;
	late_n = 1;
	on_wait = outage_begins;
	swap_transfer(&direct, 1, p, 4, err);
	assert_true(swap_transfer_left(&direct));
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(err[k], k < 2 ? -ESTALE : SWAP_ERR_LEFT);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 2);
}

/* The write of write_left_after_loss, its second request answered, once
 * the server is back, as gone out on the connection lost as the outage
 * began: collected, its pages fail as late too, and each late slot is
 * counted once, the first request's not again (swap_slots_late 4). Before,
 * the collect failed the first request's pages again from the engine's
 * pre-fill (their runs were still noted), counting six and saying them
 * twice, so the 1/16-of-the-area line came early. */
static void write_lost_twice_counts_each_once(void **state)
{
	struct swap_req p[4];
	int err[4];

	(void)state;
	write_left_after_loss(p, err);
	late_first = 20;
	said_begin();
	answer_held();
	shared.swap_outage_until = 0;
	assert_int_equal(swap_transfer_collect(&direct, p, 4, err, 0), 1);
	assert_int_equal(said_end("went out on an NBD connection lost"), 1);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(err[k], -ESTALE);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 4);
	assert_false(swap_transfer_left(&direct));
}

/* A left write collected in two steps: netd answers its first request (as
 * gone out on a lost connection) and holds the second, so a look collects
 * the first alone and the write is still out; once the second is answered
 * (written), the write is collected. The first request's pages fail as
 * late (their result at the first look is not kept by the engine, which
 * pre-fills the second's), the second's are let go as never flushed. */
static void left_write_collected_in_steps(void **state)
{
	struct swap_req p[4];
	int err[4];

	(void)state;
	pages_at(p, 0, 16, 2);
	pages_at(&p[2], 2, 20, 2);
	holder = &direct;
	hold = 1;
	on_wait = outage_begins;
	swap_transfer(&direct, 1, p, 4, err);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(err[k], SWAP_ERR_LEFT);
	late_first = 16;
	late_n = 1;
	answer_first_held();
	assert_int_equal(swap_transfer_collect(&direct, p, 4, err, 0), 0);
	assert_int_equal(shared.slot[blk_tag_of(IO_SERVICE, 0)].state, BLK_FREE);
	late_n = 0;
	answer_held();
	shared.swap_outage_until = 0;
	assert_int_equal(swap_transfer_collect(&direct, p, 4, err, 0), 1);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(err[k], k < 2 ? -ESTALE : SWAP_ERR_UNSENT);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_SLOTS_LATE), 2);
}

/* A write left in flight is vouched for by no flush: the pages of its
 * first request, answered before the thread left (slots 16-17), keep no
 * checksum, and a late write there later is retired, not let go. */
static void left_write_keeps_no_sum(void **state)
{
	struct swap_req p[4], q[1];
	struct swap_done done;
	int err[4];

	(void)state;
	for (unsigned k = 0; k < 4; k++)
		fill_frame(k, k + 1);
	pages_at(p, 0, 16, 2);
	pages_at(&p[2], 2, 20, 2);
	holder = &direct;
	hold = 1;
	hold_from = 20;
	on_wait = outage_begins;
	swap_transfer(&direct, 1, p, 4, err);
	assert_int_equal(err[0], SWAP_ERR_LEFT);
	answer_held();
	shared.swap_outage_until = 0;
	assert_int_equal(swap_transfer_collect(&direct, p, 4, err, 0), 1);
	assert_int_equal(err[0], SWAP_ERR_UNSENT);
	hold = 0;
	holder = NULL;
	late_first = 16;
	late_n = 1;
	fill_frame(8, 50);
	pages_at(q, 8, 16, 1);
	assert_int_equal(b.ops->write(b.ctx, &writer, q, 1, &done), 0);
	assert_int_equal(done.err[0], -ESTALE);
}

/* t reads or writes slots 16-17 (frames k, k + 1) as netd begins an
 * outage, and netd answers at t's next wait: t waits through the outage
 * (two waits), and every page is moved. */
static void waits_through_outage(struct pager_thread *t, int write, unsigned k)
{
	struct swap_req p[2];
	struct swap_done done;

	pages_at(p, k, 16, 2);
	hold = 1;
	on_wait = outage_then_answer;
	assert_int_equal((write ? b.ops->write : b.ops->read)(b.ctx, t, p, 2, &done), 0);
	assert_int_equal(waits, 2);
	assert_int_equal(done.err[0], 0);
	assert_int_equal(done.err[1], 0);
}

/* The swap-out thread writes with the lock let go: it waits the outage
 * out, holding nobody, and its write is answered as usual. */
static void writer_waits_out_outage(void **state)
{
	(void)state;
	waits_through_outage(&writer, 1, 0);
}

/* Nor is a read left, the lock held or not (the swap header's, at boot). */
static void holder_waits_for_read(void **state)
{
	(void)state;
	holder = &direct;
	waits_through_outage(&direct, 0, 32);
}

/* The holder's write is answered at once, its flush held as the outage
 * begins: the flush is left (SWAP_ERR_LEFT) and collected once answered. */
static void holder_leaves_flush_in_outage(void **state)
{
	struct swap_req p[2];
	struct swap_done done;

	(void)state;
	holder = &direct;
	pages_at(p, 0, 16, 2);
	assert_int_equal(b.ops->write(b.ctx, &direct, p, 2, &done), 0);
	hold_flush = 1;
	on_wait = outage_begins;
	assert_int_equal(b.ops->flush(b.ctx, &direct), SWAP_ERR_LEFT);
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 2, &done, 0), 0);
	answer_held();
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 2, &done, 0), 1);
	assert_int_equal(shared.slot[blk_tag_of(IO_SERVICE, 0)].state, BLK_FREE);
}

/* netd answers what it holds at the next wait (a wait the test does not
 * expect: made, the write is not left). */
static void answer_at_wait(struct pager_thread *t)
{
	(void)t;
	answer_held();
}

/* Past the bound netd published, netd neither answered nor gave up yet (it
 * gives up at its next loss, late): the device is no longer stalled, so
 * direct reclaim writes again, and no signal comes (netd gives those as an
 * outage begins). The holder's write sent now is left at once, and so is
 * its wait for it again (its next direct reclaim's), as netd's word still
 * says it rides the outage out: before, both waited, the lock held, until
 * netd gave up or the server answered. Once netd has answered and cleared
 * its word, the write is collected. */
static void holder_leaves_write_past_outage_bound(void **state)
{
	struct swap_req p[2];
	struct swap_done done;

	(void)state;
	holder = &direct;
	hold = 1;
	on_wait = answer_at_wait;
	shared.swap_outage_until = 9000;
	now = 9000;
	assert_false(b.ops->stalled(b.ctx));
	pages_at(p, 0, 16, 2);
	assert_int_equal(b.ops->write(b.ctx, &direct, p, 2, &done), 0);
	assert_int_equal(waits, 0);
	assert_int_equal(done.err[0], SWAP_ERR_LEFT);
	assert_int_equal(done.err[1], SWAP_ERR_LEFT);
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 2, &done, 1), 0);
	assert_int_equal(waits, 0);
	answer_held();
	shared.swap_outage_until = 0;
	assert_int_equal(b.ops->collect(b.ctx, &direct, p, 2, &done, 1), 1);
	assert_int_equal(done.err[0], 0);
	assert_int_equal(done.err[1], 0);
	assert_int_equal(shared.slot[blk_tag_of(IO_SERVICE, 0)].state, BLK_FREE);
}

/* How long a write may go unanswered before the device is called stopped
 * (write_bound_ns, the bound on reclaim's counted waits for the writer) is
 * netd's: its answer bound, seen at a tick of its loop, after which an
 * outage begins and the device says it is stalled. Before, the disk's
 * 60 s, three times what a silent server can cost before netd drops it. */
static void write_bound_is_netds(void **state)
{
	(void)state;
	assert_int_equal(b.write_bound_ns, NET_SWAP_ANSWER_NS + NET_TICK_NS);
	assert_true(b.write_bound_ns < BLK_OVERDUE_NS);
}

/* How much longer netd may still hold a write it called stopped (the
 * engine abandons one out past both: swap_out_overdue): the outage's
 * budget it was given, and how late past it netd gives the server up. */
static void give_up_is_netds(void **state)
{
	(void)state;
	assert_int_equal(b.give_up_ns, OUTAGE_NS + NET_SWAP_GIVE_UP_LATE_NS);
}

/* The checksums are the swap area's, not the export's: on the export of
 * 256 pages an area of slots 0..31 has its checksums, and slot 32, outside
 * it, none (its read is not checked, whatever it holds). Before, the
 * table was made at init for the whole export, before the header was
 * read: an empty 256 GiB export took 256 MiB, more than the memory, and
 * init could not start. */
static void sums_sized_by_area(void **state)
{
	struct swap_req p[2];
	struct swap_done done;

	(void)state;
	nbd_backend_fini();
	assert_int_equal(b.slot_bytes, 4);
	assert_int_equal(b.ops->start(b.ctx, 31), 0);
	write_at(p, 31, 2, 1, &done);
	memset(export[31], 0x5a, 2 * BLK_PAGE_SIZE);	/* the server gives other data */
	read_back(31, 2, &done);
	assert_int_equal(done.err[0], -EBADMSG);
	assert_int_equal(done.err[1], 0);
}

/* An export of more pages than a slot number names is no reason to refuse
 * it (nothing is made for it at init: the header's area counts); an area
 * no table can count is refused, and netd is not told. */
static void huge_export_taken_by_area(void **state)
{
	struct nbd_driver d = { .ep = 3, .proc = 4, .shared = &shared,
				.sectors = ((uint64_t)UINT32_MAX + 1) * BLK_SECTORS_PER_PAGE };

	(void)state;
	nbd_backend_fini();
	nbd_backend_init(&b, &d);
	assert_int_equal(b.ops->start(b.ctx, UINT32_MAX), -ENOMEM);
	assert_int_equal(starts, 1);		/* setup's: none sent for it */
	assert_int_equal(b.ops->start(b.ctx, 31), 0);
	assert_int_equal(starts, 2);
}

/* netd refusing the start (it ended): the error comes back, the table
 * made for it goes (LeakSanitizer finds it otherwise), and nothing is
 * checked. */
static void start_refused(void **state)
{
	struct swap_req p[1];
	struct swap_done done;

	(void)state;
	nbd_backend_fini();
	start_answer = -EPIPE;
	assert_int_equal(b.ops->start(b.ctx, EXPORT_PAGES - 1), -EPIPE);
	start_answer = 0;
	write_at(p, 40, 1, 1, &done);
	memset(export[40], 0x5a, BLK_PAGE_SIZE);
	read_back(40, 1, &done);
	assert_int_equal(done.err[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(flush_without_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(loss_before_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_out_write_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_out_survives_direct_write, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_out_failed_is_late, setup, teardown),
		cmocka_unit_test_setup_teardown(late_slots_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(flush_loss_said_once, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_flush_through_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_flush_through_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(stalled_until_outage_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(read_back_as_written, setup, teardown),
		cmocka_unit_test_setup_teardown(read_back_other_data_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(read_of_slot_written_again, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_write_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_out_write_keeps_no_sum, setup, teardown),
		cmocka_unit_test_setup_teardown(late_write_retired, setup, teardown),
		cmocka_unit_test_setup_teardown(late_write_never_sent_pages_given_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(left_write_keeps_no_sum, setup, teardown),
		cmocka_unit_test_setup_teardown(sums_freed_when_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(sums_kept_while_read_out, setup, teardown),
		cmocka_unit_test_setup_teardown(sums_freed_when_netd_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(holder_leaves_write_in_outage, setup, teardown),
		cmocka_unit_test_setup_teardown(left_write_lost_out_is_late, setup, teardown),
		cmocka_unit_test_setup_teardown(write_lost_twice_counts_each_once, setup, teardown),
		cmocka_unit_test_setup_teardown(left_write_collected_in_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(writer_waits_out_outage, setup, teardown),
		cmocka_unit_test_setup_teardown(holder_waits_for_read, setup, teardown),
		cmocka_unit_test_setup_teardown(holder_leaves_flush_in_outage, setup, teardown),
		cmocka_unit_test_setup_teardown(holder_leaves_write_past_outage_bound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(write_bound_is_netds, setup, teardown),
		cmocka_unit_test_setup_teardown(give_up_is_netds, setup, teardown),
		cmocka_unit_test_setup_teardown(sums_sized_by_area, setup, teardown),
		cmocka_unit_test_setup_teardown(huge_export_taken_by_area, setup, teardown),
		cmocka_unit_test_setup_teardown(start_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
