/*
 * The transmission phase (nbd_client.h). A cookie is the slot in its low
 * 16 bits and the request's submission number above, so a reply is found
 * by index and then matched whole: a duplicate reply, or one to a request
 * whose slot a newer one has taken, is nobody's (-EPROTO), never the
 * newer request's answer. A write whose data went out on a lost connection
 * goes again as a read of its range, its data consumed (nbd_late).
 */
#include <errno.h>
#include <string.h>

#include "nbd_client.h"

#define SECTOR 512u
#define LEN_MAX (32u << 20)	/* one request: 32 MiB at most */

static void adopt(struct nbd_client *c, const struct nbd_handshake *h)
{
	c->size = h->size;
	c->read_only = (h->flags & NBD_FLAG_READ_ONLY) != 0;
	c->can_flush = (h->flags & NBD_FLAG_SEND_FLUSH) != 0;
}

void nbd_client_init(struct nbd_client *c, const struct nbd_io *io, void *ctx,
		     const struct nbd_handshake *h)
{
	memset(c, 0, sizeof(*c));
	c->io = io;
	c->ctx = ctx;
	c->rslot = -1;
	adopt(c, h);
}

static uint64_t cookie(const struct nbd_client *c, unsigned slot)
{
	return c->req[slot].seq << 16 | slot;
}

static int check(const struct nbd_client *c, enum nbd_cmd type, uint64_t offset, uint32_t len)
{
	if (type == NBD_CMD_FLUSH)
		return c->can_flush ? 0 : -ENOTSUP;
	if (type != NBD_CMD_READ && type != NBD_CMD_WRITE)
		return -EINVAL;
	if (len == 0 || len > LEN_MAX || offset % SECTOR || len % SECTOR || offset > c->size ||
	    len > c->size - offset)
		return -EINVAL;
	return type == NBD_CMD_WRITE && c->read_only ? -EROFS : 0;
}

static void enqueue(struct nbd_client *c, unsigned slot)
{
	c->sendq[(c->sq_first + c->sq_n) % NBD_SLOTS] = (uint16_t)slot;
	c->sq_n++;
	c->req[slot].state = NBD_REQ_QUEUED;
}

int nbd_submit(struct nbd_client *c, enum nbd_cmd type, uint64_t id, uint64_t offset,
	       uint32_t len)
{
	int err = check(c, type, offset, type == NBD_CMD_FLUSH ? 0 : len);

	if (err < 0)
		return err;
	for (unsigned s = 0; s < NBD_SLOTS; s++) {
		if (c->req[s].state != NBD_REQ_FREE)
			continue;
		c->req[s] = (struct nbd_req){ .type = (uint8_t)type, .id = id, .offset = offset,
					      .len = type == NBD_CMD_FLUSH ? 0 : len, .seq = c->seq++ };
		enqueue(c, s);
		c->cnt.submitted++;
		c->cnt.flushes += type == NBD_CMD_FLUSH;
		unsigned n = nbd_pending(c);
		if (n > c->cnt.most_pending)
			c->cnt.most_pending = n;
		return 0;
	}
	return -EBUSY;
}

/* r's first byte is going out: it is out from here, and its answer's
 * clock starts (a request the server stops reading part way is as
 * unanswered as one it took whole). */
static void going_out(struct nbd_client *c, struct nbd_req *r)
{
	r->sends++;
	c->cnt.resent += r->sends > 1;
	r->covers = c->written;
	r->out = true;
	r->answered_at = c->answered;
	r->out_at = c->io->now ? c->io->now(c->ctx) : 0;
}

/* What r goes as: a write's check is a read. */
static uint16_t wire_type(const struct nbd_req *r)
{
	return r->check ? NBD_CMD_READ : r->type;
}

/* Push the rest of the first queued request; whether it is all out. */
static bool push_first(struct nbd_client *c)
{
	unsigned slot = c->sendq[c->sq_first];
	struct nbd_req *r = &c->req[slot];
	uint32_t total = NBD_REQUEST_BYTES + (wire_type(r) == NBD_CMD_WRITE ? r->len : 0);

	while (c->sent_cur < NBD_REQUEST_BYTES) {
		uint8_t hdr[NBD_REQUEST_BYTES];
		nbd_encode_request(hdr, wire_type(r), cookie(c, slot), r->offset, r->len);
		uint32_t n = c->io->send(c->ctx, hdr + c->sent_cur, NBD_REQUEST_BYTES - c->sent_cur);
		if (n == 0)
			return false;
		if (c->sent_cur == 0)
			going_out(c, r);
		c->sent_cur += n;
	}
	while (c->sent_cur < total) {
		uint32_t off = c->sent_cur - NBD_REQUEST_BYTES, run;
		const uint8_t *p = c->io->data(c->ctx, r->id, off, &run);
		if (run > r->len - off)
			run = r->len - off;
		uint32_t n = c->io->send(c->ctx, p, run);
		if (n == 0)
			return false;
		c->sent_cur += n;
		if (c->sent_cur - NBD_REQUEST_BYTES > r->pushed)
			r->pushed = c->sent_cur - NBD_REQUEST_BYTES;
	}
	return true;
}

void nbd_pump(struct nbd_client *c)
{
	while (c->sq_n > 0 && push_first(c)) {
		struct nbd_req *r = &c->req[c->sendq[c->sq_first]];

		r->state = NBD_REQ_SENT;
		c->sq_first = (c->sq_first + 1) % NBD_SLOTS;
		c->sq_n--;
		c->sent_cur = 0;
	}
}

static void finish(struct nbd_client *c, unsigned slot, int error)
{
	uint64_t id = c->req[slot].id;

	c->req[slot].state = NBD_REQ_FREE;
	c->cnt.completed++;
	c->cnt.errors += error != 0;
	/* Kept apart: done may submit another request into this slot. */
	c->ending_late = c->req[slot].lost_out;
	if (c->ending_late)
		c->late = (struct nbd_late){ .out = c->req[slot].pushed };
	c->io->done(c->ctx, id, error);
	c->ending_late = false;
}

bool nbd_done_late(const struct nbd_client *c, struct nbd_late *late)
{
	if (!c->ending_late)
		return false;
	*late = c->late;
	return true;
}

/* A whole reply header: match it to its request. */
static int on_reply(struct nbd_client *c)
{
	struct nbd_reply r;

	if (nbd_decode_reply(c->rbuf, &r) < 0)
		return -EPROTO;
	unsigned slot = (unsigned)(r.cookie & 0xffff);

	if (slot >= NBD_SLOTS || c->req[slot].state != NBD_REQ_SENT || r.cookie != cookie(c, slot))
		return -EPROTO;
	/* A server shutting down answers what it will not do with ESHUTDOWN:
	 * not the request's failure; it goes again on the next connection,
	 * a write as a write (refused, nothing of it can land late: not a
	 * check, as nbd_lost would make of a write whose data went out),
	 * and a check as a check (the write it checks went out before).
	 * Said after an answer to a later request, it is counted: a server
	 * that says so on every connection to one request while it answers
	 * the others would keep it (and a fault waiting on it) for ever. */
	if (r.error == NBD_ESHUTDOWN) {
		c->req[slot].shut_alone += c->answered_past > c->req[slot].seq;
		if (!c->req[slot].check)
			c->req[slot].pushed = 0;
		return -ECONNRESET;
	}
	c->answered++;
	if (c->req[slot].seq >= c->answered_past)
		c->answered_past = c->req[slot].seq + 1;
	c->progress += NBD_REPLY_BYTES;
	/* A flush vouches for the writes answered before it went out. */
	if (r.error == 0 && wire_type(&c->req[slot]) == NBD_CMD_WRITE)
		c->written++;
	if (r.error == 0 && c->req[slot].type == NBD_CMD_FLUSH && c->req[slot].covers > c->flushed)
		c->flushed = c->req[slot].covers;
	c->cnt.flushes_ok += r.error == 0 && c->req[slot].type == NBD_CMD_FLUSH;
	if (r.error != 0 || wire_type(&c->req[slot]) != NBD_CMD_READ) {
		finish(c, slot, r.error ? -EIO : 0);
		return 0;
	}
	c->rslot = (int)slot;	/* its data follows */
	c->rdata = 0;
	return 0;
}

/* Read data for c->rslot; bytes used. A check's data is consumed, never
 * stored (the caller's buffer may be read-only) nor compared (what it
 * says is not acted on: nbd_late). */
static uint32_t take_data(struct nbd_client *c, const uint8_t *d, uint32_t len)
{
	struct nbd_req *r = &c->req[c->rslot];
	uint32_t used = 0;

	while (used < len && c->rdata < r->len) {
		uint32_t n = r->len - c->rdata;

		if (n > len - used)
			n = len - used;
		if (!r->check) {
			uint32_t run;
			uint8_t *p = c->io->data(c->ctx, r->id, c->rdata, &run);

			if (n > run)
				n = run;
			memcpy(p, d + used, n);
		}
		used += n;
		c->rdata += n;
		c->progress += n;
	}
	if (c->rdata == r->len) {
		unsigned slot = (unsigned)c->rslot;
		c->rslot = -1;
		finish(c, slot, 0);
	}
	return used;
}

int nbd_input(struct nbd_client *c, const uint8_t *data, uint32_t len)
{
	uint32_t used = 0;

	while (used < len) {
		if (c->rslot >= 0) {
			used += take_data(c, data + used, len - used);
			continue;
		}
		uint32_t n = NBD_REPLY_BYTES - c->rhave;

		if (n > len - used)
			n = len - used;
		memcpy(c->rbuf + c->rhave, data + used, n);
		c->rhave += n;
		used += n;
		if (c->rhave < NBD_REPLY_BYTES)
			break;
		c->rhave = 0;
		int r = on_reply(c);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The request out on this connection, unanswered, that comes first (or
 * last) in submission order; -1 if none is out. */
static int out_end(const struct nbd_client *c, bool last)
{
	int found = -1;

	for (unsigned s = 0; s < NBD_SLOTS; s++) {
		const struct nbd_req *r = &c->req[s];
		if (r->state == NBD_REQ_FREE || !r->out)
			continue;
		if (found < 0 || (last ? r->seq > c->req[found].seq : r->seq < c->req[found].seq))
			found = (int)s;
	}
	return found;
}

/* Whom the loss points at (nbd_lost): each of them is blamed once. The
 * requests go out in submission order, so the last one out is the one
 * going out as the connection broke; answers after it went out and none
 * to it since say it was not what broke it, unless it was still being
 * pushed. The oldest out, while one submitted after it was answered: the
 * server skips it (a bad sector that hangs its reads). Answers only to
 * older ones are a server going in order, slowly or until its storage
 * hung, and a server shutting down leaves every request alike. */
static void blame(struct nbd_client *c, enum nbd_loss how)
{
	int last = out_end(c, true), oldest = out_end(c, false);
	bool last_blamed = false;

	if (how == NBD_LOST_SHUTDOWN)
		return;
	if (how == NBD_LOST_BROKEN && last >= 0 &&
	    (c->req[last].state == NBD_REQ_QUEUED || c->req[last].answered_at == c->answered)) {
		c->req[last].blamed++;
		last_blamed = true;
	}
	if (oldest >= 0 && !(oldest == last && last_blamed) &&
	    c->answered_past > c->req[oldest].seq)
		c->req[oldest].blamed++;
}

void nbd_lost(struct nbd_client *c, enum nbd_loss how)
{
	unsigned n = 0;

	blame(c, how);
	c->sq_n = 0;
	c->rslot = -1;
	c->cnt.lost_writes += c->written > c->flushed;
	c->written = c->flushed = 0;
	for (unsigned s = 0; s < NBD_SLOTS; s++) {
		struct nbd_req *r = &c->req[s];

		/* Its data went out (some): checked from now on, never written
		 * again. A header alone carries nothing to land. */
		if (r->state != NBD_REQ_FREE && r->type == NBD_CMD_WRITE && r->pushed > 0) {
			r->lost_out = r->check = true;
		}
		r->out = false;
	}
	for (unsigned s = 0; s < NBD_SLOTS; s++)
		if (c->req[s].state != NBD_REQ_FREE &&
		    (c->req[s].blamed >= NBD_BLAME_MAX || c->req[s].shut_alone >= NBD_BLAME_MAX))
			finish(c, s, -EIO);
	/* Every other unanswered request, oldest first (insertion sort). */
	for (unsigned s = 0; s < NBD_SLOTS; s++) {
		if (c->req[s].state == NBD_REQ_FREE)
			continue;
		unsigned k = n++;
		while (k > 0 && c->req[c->sendq[k - 1]].seq > c->req[s].seq) {
			c->sendq[k] = c->sendq[k - 1];
			k--;
		}
		c->sendq[k] = (uint16_t)s;
	}
	for (unsigned k = 0; k < n; k++)
		c->req[c->sendq[k]].state = NBD_REQ_QUEUED;
	c->sq_first = 0;
	c->sq_n = n;
	c->sent_cur = 0;
	c->rhave = 0;
	c->rslot = -1;
	c->answered = 0;
	c->answered_past = 0;
	c->cnt.reconnects++;
}

/* The export no longer offers flush: the flushes queued leave the send
 * queue (nothing went out on this connection yet) and end as nbd_submit
 * would refuse them now, -ENOTSUP; the protocol forbids sending them. */
static void drop_flushes(struct nbd_client *c)
{
	uint16_t gone[NBD_SLOTS];
	uint32_t n = 0, kept = 0;

	for (uint32_t k = 0; k < c->sq_n; k++) {
		uint16_t slot = c->sendq[(c->sq_first + k) % NBD_SLOTS];
		if (c->req[slot].type == NBD_CMD_FLUSH)
			gone[n++] = slot;
		else
			c->sendq[(c->sq_first + kept++) % NBD_SLOTS] = slot;
	}
	c->sq_n = kept;
	for (uint32_t k = 0; k < n; k++)	/* done may submit: the queue is whole first */
		finish(c, gone[k], -ENOTSUP);
}

void nbd_client_resume(struct nbd_client *c, const struct nbd_handshake *h)
{
	adopt(c, h);
	if (!c->can_flush)
		drop_flushes(c);
}

void nbd_fail_all(struct nbd_client *c, int error)
{
	for (unsigned s = 0; s < NBD_SLOTS; s++)
		if (c->req[s].state != NBD_REQ_FREE)
			finish(c, s, error);
	c->sq_n = 0;
	c->sent_cur = 0;
	c->rhave = 0;
	c->rslot = -1;
}

unsigned nbd_pending(const struct nbd_client *c)
{
	unsigned n = 0;

	for (unsigned s = 0; s < NBD_SLOTS; s++)
		n += c->req[s].state != NBD_REQ_FREE;
	return n;
}

bool nbd_oldest_out(const struct nbd_client *c, int64_t *at)
{
	bool any = false;

	for (unsigned s = 0; s < NBD_SLOTS; s++) {
		const struct nbd_req *r = &c->req[s];
		if (r->state != NBD_REQ_FREE && r->out && (!any || r->out_at < *at)) {
			*at = r->out_at;
			any = true;
		}
	}
	return any;
}
