/*
 * notify: bits signalled by another thread accumulate until a wait takes
 * them all at once; a wait with none pending blocks until a signal comes.
 */
#include "check.h"
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

int test_notify(void)
{
	int note = sys_notify_create();

	CHECK(note >= 0);
	CHECK_EQ(sys_notify_poll(note), 0);
	int r = pending_bits(note);
	if (r == 0)
		r = blocking_wait(note);
	sys_handle_close(note);
	return r;
}
