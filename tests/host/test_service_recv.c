/*
 * A random model test of a pager service thread's receive loop (host,
 * deterministic: fixed seeds): service.c's serve, receive,
 * receive_contended, fault_in and serve_one, included here, with the real
 * register-form decoding (userland/lib/ipc_regs.h's msg_store_regs) and
 * dispatch, over a fake of the kernel's side of the calls
 * (ecall_regs_host, sys_reply_recv_release, sys_reply, sys_recv). The
 * fake delivers a random stream of messages as the kernel would: in
 * registers when the receive asked so and the message is header-only,
 * else in the buffer; calls, one-way sends, faults and notifications;
 * known labels and unknown ones, data of every length, handles passed,
 * any pid and tid; callers that are gone before their reply; receives
 * that fail, and reply_recv_release refused (-ERR_AGAIN: a waiter came
 * for the lock), and the lock seen contended. The handlers (faked) note
 * what they were given and make a reply of random shape (in registers or
 * with data). Checked: each message reaches its handler once, in order,
 * exactly as sent (a fault's words as fault_of reads them, a
 * notification's bits as the slots looked at), or is refused with EINVAL
 * (no handler, a handle passed to a request that takes none, which is
 * closed); each call and fault is answered once, with the whole reply its
 * handler made, sends and notifications never; no call is made while the
 * lock is held that needs it let go, nor the other way round.
 * SERVICE_RECV_SEEDS=first:count by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/service.c"
#include "service_inert_fake.h"
#include "rand_met.h"

#define SEEDS 100
#define MSGS 400

static unsigned long seed_no;
static unsigned step_no;	/* the message delivered last */

static struct {
	unsigned in_regs, in_memory, fault_regs, fault_memory, reply_regs, reply_memory, again,
		contended, recv_failed, gone, unknown, handle_refused, notify, send;
} met;

#define check(cond, ...) RAND_CHECK(seed_no, step_no, cond, __VA_ARGS__)
#define rnd rand_below
#define chance rand_chance

static uint64_t rnd64(void)
{
	return (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
}

/* ================= the stream, and what became of each message ================= */
struct sent {
	struct msg m;
	int gone;		/* its caller ended before the reply */
	int served;		/* its handler's calls (or the slots looked at) */
	int replies;
	struct msg made;	/* the reply its handler made */
	int closed;		/* the handle the pager closed while serving it, or -1 */
	uint64_t slots;		/* a notification's: the slots looked at for its bits */
};
static struct sent stream[MSGS];
static unsigned nsent, next_in;	/* made; the next to deliver */
static int owed = -1;		/* the message a reply is owed to */
static int serving = -1;	/* the one being served */
static int locked;
static unsigned recv_fail_pct, again_pct, contended_pct;
static jmp_buf done;
static uint64_t lock_word;

static const uint64_t labels[] = { PAGER_SPAWN, PAGER_SBRK, PAGER_MMAP, PAGER_MUNMAP, PAGER_FORK,
				   PAGER_STATS, PAGER_PROC_STATS, PAGER_PAGE_BITS, PAGER_INFO,
				   PAGER_PRESSURE_SUBSCRIBE, PAGER_PRESSURE_LEVEL, PAGER_DISCARD,
				   PAGER_NET, PAGER_POWEROFF, 0, 0xff, 0x10e, ~0UL, FAULT_LABEL };

static int takes_handle(uint64_t label)
{
	return label == PAGER_SPAWN || label == PAGER_PRESSURE_SUBSCRIBE;
}
static int has_handler(uint64_t label)
{
	return label >= PAGER_SPAWN && label <= PAGER_NET && label != PAGER_POWEROFF;
}

static void make_msg(struct sent *s)
{
	struct msg *m = &s->m;
	unsigned o = rnd(100);

	memset(s, 0, sizeof(*s));
	s->closed = -1;
	m->origin = o < 55 ? ORIGIN_CALL : o < 65 ? ORIGIN_SEND : o < 90 ? ORIGIN_FAULT
								: ORIGIN_NOTIFY;
	m->pid = chance(10) ? (uint32_t)rnd64() : 2 + rnd(60);
	m->tid = chance(10) ? (uint32_t)rnd64() : 1 + rnd(4);
	m->handle = -1;
	for (int i = 0; i < MSG_WORDS; i++)
		m->w[i] = chance(30) ? rnd64() : rnd(4096);
	if (m->origin == ORIGIN_NOTIFY) {
		m->pid = m->tid = 0;
		m->w[0] = rnd64() & DEATH_BITS;
		for (int i = 1; i < MSG_WORDS; i++)
			m->w[i] = 0;
		return;
	}
	if (m->origin == ORIGIN_FAULT) {
		m->label = FAULT_LABEL;
		m->w[1] = 1u << rnd(3);
		m->w[3] = 0;
		m->w[4] = rnd(2);
		return;
	}
	m->label = labels[rnd(sizeof(labels) / sizeof(labels[0]) - 1)];
	if (chance(40)) {
		m->len = chance(20) ? MSG_DATA_MAX : rnd(MSG_DATA_MAX + 1);
		for (uint32_t i = 0; i < m->len; i++)
			m->data[i] = (uint8_t)rand();
	}
	if (chance(15)) {
		m->handle = 10 + (int)rnd(200);
		m->rights = 1 + rnd(7);
	}
	s->gone = m->origin == ORIGIN_CALL && chance(5);
	/* refused unserved: an empty reply but for the code (dispatch) */
	s->made = (struct msg){ .label = (uint64_t)-EINVAL, .handle = -1 };
}

/* Whether m is answered EINVAL without a handler: no handler for its
 * label, or a handle passed to a request that takes none. */
static int refused(const struct msg *m)
{
	return m->origin != ORIGIN_FAULT && m->origin != ORIGIN_NOTIFY &&
	       (!has_handler(m->label) || (m->handle >= 0 && !takes_handle(m->label)));
}

/* ================= the kernel's side ================= */
/* The reply rep (all of it, or label and w alone: regs) to the message
 * owed one. The kernel drops it for a caller gone. */
static void take_reply(const struct msg *rep, int regs)
{
	struct sent *s;

	check(owed >= 0, "a reply with none owed");
	s = &stream[owed];
	owed = -1;
	s->replies++;
	if (regs) {
		met.reply_regs++;
		check(s->made.len == 0 && s->made.handle == -1,
		      "a reply of %u bytes sent in registers", s->made.len);
	} else {
		met.reply_memory++;
	}
	check(rep->label == s->made.label, "reply label %lx, made %lx", (unsigned long)rep->label,
	      (unsigned long)s->made.label);
	check(!memcmp(rep->w, s->made.w, sizeof(rep->w)), "reply words");
	if (!regs)
		check(rep->len == s->made.len && !memcmp(rep->data, s->made.data, rep->len) &&
		      rep->handle == -1, "reply data");
	if (s->gone)
		met.gone++;
}

/* The next message, into got (regs: asked in registers) or buf; ends the
 * seed when the stream is done. */
static long deliver(struct msg *buf, struct msg_regs *got, int regs, int may_fail)
{
	struct sent *s;

	check(owed < 0, "a receive with a reply owed");
	check(!locked, "a receive with the lock held");
	if (may_fail && recv_fail_pct && chance(recv_fail_pct)) {
		met.recv_failed++;
		return -ERR_FAULT;	/* its buffer unmapped, say */
	}
	if (next_in == nsent)
		longjmp(done, 1);
	s = &stream[next_in];
	step_no = next_in;
	serving = (int)next_in++;
	if (s->m.origin == ORIGIN_CALL || s->m.origin == ORIGIN_FAULT)
		owed = serving;
	met.send += s->m.origin == ORIGIN_SEND;
	if (regs && s->m.len == 0 && s->m.handle == -1) {
		*got = (struct msg_regs){ s->m.label, { 0 }, s->m.pid | (uint64_t)s->m.tid << 32,
					  s->m.origin };
		memcpy(got->w, s->m.w, sizeof(got->w));
		met.in_regs++;
		met.fault_regs += s->m.origin == ORIGIN_FAULT;
		return MSG_IN_REGS;
	}
	memcpy(buf, &s->m, MSG_HEADER_SIZE + s->m.len);
	met.in_memory++;
	met.fault_memory += s->m.origin == ORIGIN_FAULT;
	return 0;
}

/* reply_recv_release's checks, which change nothing when they fail: the
 * lock's word must be held by this thread with no one waiting. */
static int release_refused(const uint64_t *word)
{
	check(word == &lock_word && locked == 1, "reply_recv_release without the lock");
	if (again_pct && chance(again_pct)) {
		met.again++;
		return 1;
	}
	locked = 0;	/* the kernel stores 0 */
	return 0;
}

long ecall_regs_host(long n, int ep, struct msg *buf, uint64_t label, const uint64_t w[6],
		     uint64_t kept, struct msg_regs *got)
{
	struct msg rep = { .label = label, .handle = -1 };

	check(ep == 7 && buf == &pool(0)->in, "the receive's endpoint and buffer");
	if (n == SYS_RECV_REGS)
		return deliver(buf, got, 1, 1);
	check(n == SYS_REPLY_RECV_RELEASE, "call %ld", n);
	if (release_refused((const uint64_t *)kept))
		return -ERR_AGAIN;
	memcpy(rep.w, w, sizeof(rep.w));
	take_reply(&rep, 1);
	return deliver(buf, got, 1, 0);
}

int sys_reply_recv_release(int ep, const struct msg *reply, struct msg *recv, uint64_t *release)
{
	check(ep == 7 && recv == &pool(0)->in, "the receive's endpoint and buffer");
	if (release_refused(release))
		return -ERR_AGAIN;
	take_reply(reply, 0);
	return (int)deliver(recv, NULL, 0, 0);
}

int sys_reply(const struct msg *reply)
{
	int gone = owed >= 0 && stream[owed].gone;

	check(locked == 1, "a reply apart without the lock");
	take_reply(reply, 0);
	return gone ? -ERR_PIPE : 0;
}

int sys_recv(int ep, struct msg *m)
{
	check(ep == 7, "the receive's endpoint");
	return (int)deliver(m, NULL, 0, 1);
}

int sys_handle_close(int h)
{
	check(serving >= 0 && stream[serving].closed < 0, "a handle closed");
	stream[serving].closed = h;
	return 0;
}

int sys_notify_bind(int h)
{
	(void)h;
	return 0;
}

/* ================= the rest of the pager, as serve reaches it ================= */
struct pager_config config;
unsigned swap_out_left_count;
int swap_out_left_of(const struct pager_thread *t)
{
	(void)t;
	return 0;
}
void pager_lock(struct pager_thread *self)
{
	(void)self;
	check(!locked, "the lock taken twice");
	locked = 1;
}
void pager_unlock(struct pager_thread *self)
{
	(void)self;
	check(locked, "the lock let go unheld");
	locked = 0;
}
int pager_lock_contended(void)
{
	int c = contended_pct && chance(contended_pct);

	met.contended += c;
	return c;
}
void pager_lock_watch(void (*fn)(struct pager_thread *taker)) { (void)fn; }
void pager_fault_begin(void) {}
void pager_fault_end(void) {}
uint64_t *pager_unlock_word(struct pager_thread *self)
{
	(void)self;
	lock_word = RELEASE_HELD;
	return &lock_word;
}
void reclaim_before_request(struct pager_thread *t) { (void)t; }

/* The slots a notification's bits name, looked at (no process is there). */
struct pproc *procs_slot(int slot)
{
	check(slot >= 0 && slot < PROCS_MAX, "slot %d", slot);
	if (serving >= 0 && stream[serving].m.origin == ORIGIN_NOTIFY &&
	    (stream[serving].m.w[0] & (1UL << slot)))
		stream[serving].slots |= 1UL << slot;
	return NULL;
}
_Noreturn void sys_poweroff(int status)
{
	fail_msg("powered off (%d)", status);
	abort();
}

/* A reply of random shape: in registers, or with data. */
static void make_reply(struct msg *out, uint64_t label)
{
	struct sent *s = &stream[serving];

	out->label = label;
	for (int i = 0; i < MSG_WORDS; i++)
		out->w[i] = rnd64();
	out->len = 0;
	if (chance(30)) {
		out->len = 1 + rnd(MSG_DATA_MAX);
		for (uint32_t i = 0; i < out->len; i++)
			out->data[i] = (uint8_t)rand();
	}
	s->made = *out;
}

/* What a handler was given: the message as sent, every field. */
static void served(const struct msg *in)
{
	const struct msg *m = &stream[serving].m;

	check(in->label == m->label && in->pid == m->pid && in->tid == m->tid &&
	      in->origin == m->origin && in->len == m->len && in->handle == m->handle &&
	      in->rights == m->rights && !memcmp(in->w, m->w, sizeof(m->w)) &&
	      !memcmp(in->data, m->data, m->len),
	      "label %lx pid %u tid %u origin %u len %u handle %d as given: label %lx pid %u "
	      "tid %u origin %u len %u handle %d", (unsigned long)m->label, m->pid, m->tid,
	      m->origin, m->len, m->handle, (unsigned long)in->label, in->pid, in->tid,
	      in->origin, in->len, in->handle);
	stream[serving].served++;
}

void handle_fault(const struct fault *f, struct msg *out)
{
	const struct msg *m = &stream[serving].m;

	check(m->origin == ORIGIN_FAULT && f->addr == m->w[0] && f->access == m->w[1] &&
	      f->in_syscall == m->w[4] && f->pid == m->pid, "the fault as sent");
	stream[serving].served++;
	make_reply(out, chance(50) ? FAULT_RESUME_ONE : FAULT_KILL);
	if (out->label == FAULT_RESUME_ONE)
		out->len = 0, stream[serving].made.len = 0;
}

#define FAKE_HANDLER(name)                                                                 \
	void name(const struct msg *in, struct msg *out)                                   \
	{                                                                                  \
		served(in);                                                                \
		make_reply(out, (uint64_t)rnd(3) - 1);                                     \
	}
REQUEST_HANDLERS(FAKE_HANDLER)

/* ================= a seed ================= */
/* What each message came to, against what it was. */
static void check_outcomes(void)
{
	for (unsigned i = 0; i < nsent; i++) {
		const struct sent *s = &stream[i];
		const struct msg *m = &s->m;
		int answered = m->origin == ORIGIN_CALL || m->origin == ORIGIN_FAULT;
		int no = refused(m);

		step_no = i;
		if (i >= next_in)
			break;		/* the seed ended before its delivery */
		check(s->replies == answered, "%d replies to origin %u", s->replies, m->origin);
		if (m->origin == ORIGIN_NOTIFY) {
			check(s->slots == m->w[0], "slots %lx looked at for bits %lx",
			      (unsigned long)s->slots, (unsigned long)m->w[0]);
			met.notify++;
			continue;
		}
		check(s->served == !no, "served %d times (label %lx)", s->served,
		      (unsigned long)m->label);
		check(s->closed == (no ? m->handle : -1), "handle %d passed, %d closed", m->handle,
		      s->closed);
		met.unknown += no && !has_handler(m->label);
		met.handle_refused += no && has_handler(m->label);
	}
}

static void run_seed(unsigned long seed)
{
	seed_no = seed;
	srand((unsigned)seed);
	recv_fail_pct = chance(50) ? rnd(10) : 0;
	again_pct = chance(50) ? rnd(20) : 0;
	contended_pct = chance(50) ? rnd(20) : 0;
	nsent = next_in = 0;
	owed = serving = -1;
	locked = 0;
	for (unsigned i = 0; i < MSGS; i++)
		make_msg(&stream[nsent++]);
	pool(0)->t = (struct pager_thread){ .name = "service", .hears_deaths = 1 };
	pool(0)->ep = 7;
	if (!setjmp(done))
		serve(pool(0));
	check_outcomes();
}

static void test_random(void **state)
{
	unsigned long first, n = SEEDS;
	bool by_hand = rand_seeds("SERVICE_RECV_SEEDS", &first, &n);

	(void)state;
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s);
	rand_met((const struct met_kind[]){
			 { "a message in registers", &met.in_regs },
			 { "a message in memory", &met.in_memory },
			 { "a fault in registers", &met.fault_regs },
			 { "a fault in memory", &met.fault_memory },
			 { "a reply in registers", &met.reply_regs },
			 { "a reply in memory", &met.reply_memory },
			 { "reply_recv_release refused", &met.again },
			 { "the lock contended", &met.contended },
			 { "a receive failed", &met.recv_failed },
			 { "a reply to a caller gone", &met.gone },
			 { "an unknown label", &met.unknown },
			 { "a handle passed to a request that takes none", &met.handle_refused },
			 { "a one-way send", &met.send },
			 { "a notification", &met.notify },
		 },
		 14, by_hand);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
