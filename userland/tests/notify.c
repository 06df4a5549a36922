/*
 * notify: bits signalled by another thread accumulate until a wait takes
 * them all at once; a wait with none pending blocks until a signal comes,
 * and every bit a sender may use comes back as it was signalled.
 * A notification bound to a thread arrives through its receive instead.
 */
#include <errno.h>

#include "check.h"
#include "sleep.h"
#include "tests.h"
#include "thread.h"

#define DELAY (20 * MS)

struct signaller {
	int note;
	int64_t delay;		/* spin this long (yielding) before signalling */
	const uint64_t *bits;	/* signal each, until a 0 */
	int failed;		/* a sys_notify_signal that did not return 0 */
	volatile int done;
};

static void signaller_thread(void *arg)
{
	struct signaller *s = arg;
	int64_t start = sys_clock();

	while (sys_clock() - start < s->delay)
		sys_yield();
	for (const uint64_t *b = s->bits; *b != 0; b++)
		if (sys_notify_signal(s->note, *b) != 0)
			s->failed++;
	s->done = 1;
}

static int start_signaller(struct signaller *s, int note, int64_t delay,
			   const uint64_t *bits)
{
	*s = (struct signaller){ .note = note, .delay = delay, .bits = bits };
	CHECK(thread_spawn(signaller_thread, s, TEST_STACK, PRIO_NORMAL) >= 0);
	return 0;
}

/* Three signals before anyone waits: one wait returns their OR. */
static int pending_bits(int note)
{
	static const uint64_t bits[] = { 0x1, 0x4, 0x100, 0 };
	static struct signaller s;

	CHECK_RUN(start_signaller(&s, note, 0, bits));
	CHECK_RUN(wait_flag(&s.done, TEST_TIMEOUT));
	CHECK_EQ(s.failed, 0);
	CHECK_EQ(sys_notify_wait(note), 0x105);
	CHECK_EQ(sys_notify_poll(note), 0);
	return 0;
}

/* A wait with nothing pending sleeps until the signal comes. */
static int blocking_wait(int note)
{
	static const uint64_t bits[] = { 0x8000, 0 };
	static struct signaller s;

	CHECK_RUN(start_signaller(&s, note, DELAY, bits));
	int64_t start = sys_clock();
	CHECK_EQ(sys_notify_wait(note), 0x8000);
	int64_t waited = sys_clock() - start;
	diag("notify_wait blocked %ld us", (long)(waited / 1000));
	CHECK(waited >= DELAY / 2);
	CHECK_RUN(wait_flag(&s.done, TEST_TIMEOUT));
	CHECK_EQ(s.failed, 0);
	CHECK_EQ(sys_notify_poll(note), 0);
	return 0;
}

/* Each bit a sender may use (0..62), pending alone, comes back whole from
 * a wait and from a poll: no value of the bits is one the kernel keeps for
 * itself (1 << 62 alone once read as "the caller blocked": the wait took
 * the bit and returned its own handle argument). */
static int each_bit_alone(int note)
{
	for (int bit = 0; bit < 63; bit++) {
		long want = (long)(1UL << bit);

		CHECK_EQ(sys_notify_signal(note, (uint64_t)want), 0);
		CHECK_EQ(sys_notify_wait(note), want);
		CHECK_EQ(sys_notify_signal(note, (uint64_t)want), 0);
		CHECK_EQ(sys_notify_poll(note), want);
	}
	CHECK_EQ(sys_notify_poll(note), 0);
	return 0;
}

int test_notify(void)
{
	int note = sys_notify_create();

	CHECK(note >= 0);
	CHECK_EQ(sys_notify_poll(note), 0);
	int r = pending_bits(note);
	if (r == 0)
		r = blocking_wait(note);
	if (r == 0)
		r = each_bit_alone(note);
	sys_handle_close(note);
	return r;
}

/* Bits signalled while the bound thread waits in recv arrive as a message. */
static int bound_while_receiving(int note, int ep)
{
	static const uint64_t bits[] = { 0x20, 0 };
	static struct signaller s;
	static struct msg m;

	CHECK_RUN(start_signaller(&s, note, DELAY, bits));
	CHECK_EQ(sys_recv(ep, &m), 0);
	CHECK_EQ(m.origin, ORIGIN_NOTIFY);
	CHECK_EQ(m.w[0], 0x20);
	CHECK_EQ(m.handle, -1);
	CHECK_RUN(wait_flag(&s.done, TEST_TIMEOUT));
	CHECK_EQ(sys_notify_poll(note), 0);	/* taken by the receive */
	return 0;
}

/* Bits pending before the receive are delivered at once, as one message. */
static int bound_pending(int note, int ep)
{
	static struct msg m;

	CHECK_EQ(sys_notify_signal(note, 0x3), 0);
	CHECK_EQ(sys_notify_signal(note, 0x40), 0);
	CHECK_EQ(sys_recv(ep, &m), 0);
	CHECK_EQ(m.origin, ORIGIN_NOTIFY);
	CHECK_EQ(m.w[0], 0x43);
	return 0;
}

static volatile int other_bind_result, other_bind_done;

static void bind_elsewhere(void *arg)
{
	other_bind_result = sys_notify_bind(*(int *)arg);
	other_bind_done = 1;
}

int test_notify_bind(void)
{
	static int note;
	int ep = sys_endpoint_create(), r;

	note = sys_notify_create();
	CHECK(note >= 0 && ep >= 0);
	CHECK_EQ(sys_notify_bind(ep), -ERR_BADF);	/* not a notification */
	CHECK_EQ(sys_notify_bind(note), 0);
	/* A second thread may not bind a notification that is bound. */
	CHECK(thread_spawn(bind_elsewhere, &note, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(wait_flag(&other_bind_done, TEST_TIMEOUT));
	CHECK_EQ(other_bind_result, -ERR_BUSY);
	r = bound_pending(note, ep);
	if (r == 0)
		r = bound_while_receiving(note, ep);
	CHECK_EQ(sys_notify_bind(-1), 0);
	sys_handle_close(note);
	sys_handle_close(ep);
	return r;
}

/* A timer signals its bits at the deadline, not before; moving it moves
 * the deadline; disarming it means no bits come, and says whether it was
 * armed (0) or had fired (1); bad arguments and a ninth timer for programs
 * are refused. */
int test_notify_timer(void)
{
	int note = sys_notify_create();
	int64_t start, waited;
	long bits;

	CHECK(note >= 0);
	CHECK_EQ(sys_notify_timer(note, sys_clock() + DELAY, 0), -ERR_INVAL);
	CHECK_EQ(sys_notify_timer(note, sys_clock() + DELAY, 1UL << 63), -ERR_INVAL);
	CHECK_EQ(sys_notify_timer(999, sys_clock() + DELAY, 1), -ERR_BADF);
	/* Armed an hour ahead, then moved earlier: if the move were lost,
	 * the wait would outlast the boot's timeout (a hang, not a clock
	 * read against a limit, which a busy host could miss). */
	start = sys_clock();
	CHECK_EQ(sys_notify_timer(note, start + 3600 * 1000 * MS, 0x5), 0);
	CHECK_EQ(sys_notify_timer(note, start + DELAY, 0x5), 0);	/* moved earlier */
	bits = sys_notify_wait(note);
	waited = sys_clock() - start;
	diag("timer: waited %ld ms for a %ld ms deadline", (long)(waited / MS), (long)(DELAY / MS));
	CHECK_EQ(bits, 0x5);
	CHECK(waited >= DELAY);
	CHECK_EQ(sys_notify_timer(note, 0, 0x5), 1);			/* it had fired */
	CHECK_EQ(sys_notify_timer(note, sys_clock() + DELAY, 0x2), 0);
	CHECK_EQ(sys_notify_timer(note, 0, 0x2), 0);			/* disarmed */
	CHECK_EQ(sys_notify_timer(note, 0, 0x2), 1);			/* none armed */
	for (start = sys_clock(); sys_clock() - start < 3 * DELAY;)
		sys_yield();
	CHECK_EQ(sys_notify_poll(note), 0);
	/* A process may hold 8 armed timers (NOTIFY_TIMERS_PER_PROC). */
	for (int k = 0; k < NOTIFY_TIMERS_PER_PROC; k++)
		CHECK_EQ(sys_notify_timer(note, sys_clock() + 1000 * MS, 1UL << k), 0);
	CHECK_EQ(sys_notify_timer(note, sys_clock() + 1000 * MS, 1UL << NOTIFY_TIMERS_PER_PROC),
		 -ERR_NOMEM);
	for (int k = 0; k < NOTIFY_TIMERS_PER_PROC; k++)
		CHECK_EQ(sys_notify_timer(note, 0, 1UL << k), 0);
	CHECK_EQ(sys_handle_close(note), 0);
	return 0;
}

/* sleep_ns (userland/lib/sleep.c) waits on a timer of its own: a negative
 * time is refused, the wait is at least the time asked, and its
 * notification is closed after every sleep (more sleeps than a process
 * may hold handles all succeed). */
int test_sleep(void)
{
	int64_t start, waited;

	errno = 0;
	CHECK_EQ(sleep_ns(-1), -1);
	CHECK_EQ(errno, EINVAL);
	start = sys_clock();
	CHECK_EQ(sleep_ns(DELAY), 0);
	waited = sys_clock() - start;
	diag("sleep_ns: waited %ld ms for %ld ms", (long)(waited / MS), (long)(DELAY / MS));
	CHECK(waited >= DELAY);
	for (int k = 0; k < 2 * HANDLES_MAX; k++)
		CHECK_EQ(sleep_ns(0), 0);
	return 0;
}
