/*
 * The NBD client's transmission phase: requests in flight (each named by a
 * cookie, replies matched to them in whatever order they come), bytes
 * pushed into the connection as it takes them, read data placed where the
 * caller says, and every unanswered request sent again, in order, on a new
 * connection; but a write whose data went out on a lost connection is not
 * written again: its range is read back, the data consumed
 * (nbd_done_late). The connection itself (a TCP socket, a test's script)
 * is the caller's, behind struct nbd_io. Plain C: host-tested.
 */
#ifndef DRIVERS_NBD_CLIENT_H
#define DRIVERS_NBD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "nbd_proto.h"

/* Lost connections blamed on one request before it fails (-EIO) instead
 * of going again: a request that breaks every connection it meets must not
 * break them for ever. A loss is blamed on a request only when it points
 * at that request (nbd_lost): one the server broke the connection on as
 * it went out, or one left unanswered while the server answered one sent
 * after it.
 * A server that answers nothing at all is not any request's fault: the
 * caller's outage budget ends that. So many ESHUTDOWN answers to one
 * request, each after the server answered one sent after it on the same
 * connection (nbd_req's shut_alone), fail it too: such a server answers
 * (which ends the caller's outage) and so would shut the link down over
 * that one request for ever. */
#define NBD_BLAME_MAX 4
/* Requests in flight at most: a block driver's tags (BLK_TAGS), and one
 * for netd's own (the swap header's stamp, drivers/netd/swap_stamp.h). */
#define NBD_SLOTS 257

struct nbd_io {
	/* Push up to len bytes into the connection; how many it took (0: no
	 * room now: the caller pumps again when there is). */
	uint32_t (*send)(void *ctx, const uint8_t *data, uint32_t len);
	/* Request id's data at byte off: a pointer to a run of *run bytes
	 * (at most what is left, at least 1): where a write's bytes come
	 * from, where a read's go. */
	uint8_t *(*data)(void *ctx, uint64_t id, uint32_t off, uint32_t *run);
	/* Request id is over: 0, or -EIO (the server's error). */
	void (*done)(void *ctx, uint64_t id, int error);
	/* Optional: the caller's clock, stamped on each request as its first
	 * byte goes out (nbd_oldest_out). */
	int64_t (*now)(void *ctx);
};

/* What came of a write whose data went out on a connection lost before
 * its answer. Nothing later on another connection is ordered with the old
 * connection's server (a process of its own, which may hold the write,
 * paused, and perform it at any time): not an answer, not a flush, not
 * time; nor its bytes read back as written (the place may have held them
 * before). So it is never written again, and its range is read back (the
 * check) only for an answer, which ends the caller's outage for a server
 * whose writes alone hang; that data is consumed, not compared. */
struct nbd_late {
	/* Its first bytes that any connection took: those after them never
	 * left, and land nowhere. */
	uint32_t out;
};

enum nbd_req_state { NBD_REQ_FREE = 0, NBD_REQ_QUEUED, NBD_REQ_SENT };

struct nbd_req {
	uint8_t state;		/* enum nbd_req_state */
	uint8_t type;		/* enum nbd_cmd */
	uint16_t sends;		/* times it went out (more than 1: resent) */
	uint16_t blamed;	/* lost connections blamed on it (NBD_BLAME_MAX) */
	/* ESHUTDOWN answers to it after an answer to a request submitted
	 * after it, on the same connection (NBD_BLAME_MAX): not blamed (a
	 * parallel server shutting down may finish a later request and
	 * refuse an earlier one), but counted apart. */
	uint16_t shut_alone;
	/* Its first byte went out on this connection (the rest may not have:
	 * a write larger than the send buffer the server stopped reading). */
	bool out;
	/* A write whose data went out (some of it) on a connection lost
	 * before its answer: that connection's server may still perform it,
	 * late, over whatever is written there since. It is not written
	 * again (a copy landed by the new connection's server would hide
	 * whether the old one's has): from then on it goes as a read of its
	 * range (check), whose data is consumed (nbd_late). */
	bool lost_out;
	bool check;
	uint32_t pushed;	/* its data's bytes the most any connection took */
	uint32_t len;
	uint64_t offset;
	uint64_t covers;	/* a flush: writes answered on its connection before it went out */
	uint64_t id;		/* the caller's name for it */
	/* Submission order, resent in this order; in its cookie with its
	 * slot, so that no reply to another request (a duplicate, one to the
	 * slot's last request) is ever taken for its own. */
	uint64_t seq;
	uint64_t answered_at;	/* the connection's answers as it went out */
	int64_t out_at;		/* io->now as its first byte went out */
};

struct nbd_counters {
	uint64_t submitted, completed, errors, resent, reconnects;
	uint64_t flushes;	/* of submitted: NBD_CMD_FLUSH */
	uint64_t flushes_ok;	/* flushes answered without error */
	uint64_t most_pending;	/* the most requests waiting for replies at once */
	/* Connections lost with writes answered on them that no flush
	 * answered on them covered: a server that restarts may have lost
	 * those writes, so a flush answered later does not vouch for them. */
	uint64_t lost_writes;
};

struct nbd_client {
	const struct nbd_io *io;
	void *ctx;
	uint64_t size;		/* the export's, in bytes */
	bool read_only, can_flush;
	struct nbd_req req[NBD_SLOTS];
	uint16_t sendq[NBD_SLOTS];	/* slots to send, oldest first */
	uint32_t sq_first, sq_n;
	uint32_t sent_cur;	/* bytes of sendq's first already pushed */
	uint8_t rbuf[NBD_REPLY_BYTES];	/* the reply header being gathered */
	uint32_t rhave;
	int rslot;		/* the read whose data is arriving, or -1 */
	uint32_t rdata;		/* bytes of it so far */
	uint64_t answered;	/* requests answered on this connection */
	/* One past the latest-submitted request answered on this connection
	 * (0: none): an answer to a later one says the server skipped the
	 * older ones still out. */
	uint64_t answered_past;
	/* Answers taken, in bytes: whole reply headers matched to their
	 * request and read data. A byte of a header is not an answer: a
	 * server trickling them does not show it is answering. */
	uint64_t progress;
	uint64_t written;	/* writes answered on this connection */
	uint64_t flushed;	/* of them, the first this many covered by an answered flush */
	uint64_t seq;		/* the next request's (the caller may set where it starts) */
	bool ending_late;	/* the request io->done is ending was lost out */
	struct nbd_late late;	/* and what came of it (nbd_done_late) */
	struct nbd_counters cnt;
};

/* Start over an export negotiated by the handshake h. */
void nbd_client_init(struct nbd_client *c, const struct nbd_io *io, void *ctx,
		     const struct nbd_handshake *h);

/* Queue a request (type READ, WRITE or FLUSH) for id; it goes out with the
 * next pump. 0, -EBUSY (every slot taken), -EINVAL (past the export, not
 * whole sectors, too long), -EROFS (a write to a read-only export),
 * -ENOTSUP (flush the server cannot do). */
int nbd_submit(struct nbd_client *c, enum nbd_cmd type, uint64_t id, uint64_t offset,
	       uint32_t len);

/* Push queued requests into the connection while it takes bytes. */
void nbd_pump(struct nbd_client *c);

/* Bytes from the server. 0, or -EPROTO (a reply nobody asked for or a bad
 * magic) or -ECONNRESET (the server is shutting down: ESHUTDOWN): the connection must
 * then be dropped (nbd_lost) and its requests go again on the next one. */
int nbd_input(struct nbd_client *c, const uint8_t *data, uint32_t len);

/* How a connection was lost, which says what it may be blamed on. */
enum nbd_loss {
	/* Broken: closed or reset by the server, or a reply no request asked
	 * for. The request going out as it broke (partly pushed, or the last
	 * out whole with nothing answered since) may have broken it. */
	NBD_LOST_BROKEN,
	/* Given up: no answer in the caller's time. A server that answered
	 * nothing says nothing of any one request. */
	NBD_LOST_WAITED,
	/* The server said it is shutting down (nbd_input's -ECONNRESET): it
	 * leaves every request, so none is to blame. */
	NBD_LOST_SHUTDOWN,
};

/* The connection is gone: every request not yet answered is queued again,
 * in its first order, for the next connection (after a new handshake,
 * nbd_client_resume), a write whose data it took as its check (nbd_late).
 * The loss is blamed on the request it points at, if
 * any: the one going out as the connection broke (NBD_LOST_BROKEN), and,
 * unless the server was shutting down, the oldest out and unanswered if a
 * request submitted after it was answered (the server skipped it: answers
 * in order to older ones are progress, not a skip); one blamed
 * NBD_BLAME_MAX times fails, and so does one answered ESHUTDOWN
 * NBD_BLAME_MAX times while the server answered later ones (shut_alone).
 * Writes answered on it and not yet flushed on it count in lost_writes. */
void nbd_lost(struct nbd_client *c, enum nbd_loss how);
/* Go on over the new connection's export (handshake h). If it no longer
 * offers flush, the flushes waiting end -ENOTSUP (as nbd_submit would
 * refuse them now) rather than go to a server that did not offer it. */
void nbd_client_resume(struct nbd_client *c, const struct nbd_handshake *h);

/* Inside io->done: whether the request ending is such a write, and if so
 * what came of it (*late). Its answer (io->done's error) is the check's:
 * the write itself was answered by no server. */
bool nbd_done_late(const struct nbd_client *c, struct nbd_late *late);

/* End every request with error (the server is gone for good). */
void nbd_fail_all(struct nbd_client *c, int error);

/* Requests not yet answered. */
unsigned nbd_pending(const struct nbd_client *c);

/* The earliest out_at of the requests out on this connection (their first
 * byte at least) and not yet answered (a server may answer others and
 * never that one, or stop reading one part way); false if none is out. */
bool nbd_oldest_out(const struct nbd_client *c, int64_t *at);

#endif
