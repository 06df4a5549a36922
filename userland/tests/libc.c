/*
 * malloc_printf: the C library on top of our glue. The heap grows through
 * the pager by more than a megabyte and keeps every byte; snprintf formats;
 * a thread of normal priority that wants libc's lock while a thread of
 * idle priority holds it waits for it (the holder runs), and so does fork.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "libc_lock.h"
#include "tests.h"
#include "thread.h"

#define NBLOCKS 96
#define BLOCK_BASE 8192
#define BLOCK_STEP 232		/* sizes differ, so blocks do not line up */

static size_t block_size(int i)
{
	return BLOCK_BASE + (size_t)i * BLOCK_STEP;
}

static uint8_t pattern(int block, size_t offset)
{
	return (uint8_t)(block * 31 + offset * 7 + (offset >> 12));
}

static int check_block(const uint8_t *p, int i)
{
	for (size_t k = 0; k < block_size(i); k++) {
		if (p[k] != pattern(i, k)) {
			check_failed(__FILE__, __LINE__, "block %d byte %lu is %u, want %u",
				     i, (unsigned long)k, p[k], pattern(i, k));
			return -1;
		}
	}
	return 0;
}

static void free_all(uint8_t **blocks)
{
	for (int i = 0; i < NBLOCKS; i++) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
}

/* Allocate, fill, then check every block; total more than 1 MiB. */
static int fill_and_check(uint8_t **blocks)
{
	size_t total = 0;

	for (int i = 0; i < NBLOCKS; i++) {
		blocks[i] = malloc(block_size(i));
		CHECK(blocks[i] != NULL);
		for (size_t k = 0; k < block_size(i); k++)
			blocks[i][k] = pattern(i, k);
		total += block_size(i);
	}
	CHECK(total > 1024 * 1024);
	for (int i = 0; i < NBLOCKS; i++)
		CHECK_RUN(check_block(blocks[i], i));
	return 0;
}

static int heap(void)
{
	static uint8_t *blocks[NBLOCKS];
	uintptr_t brk_before = (uintptr_t)sbrk(0);

	int r = fill_and_check(blocks);
	free_all(blocks);
	CHECK_RUN(r);
	uintptr_t brk_after = (uintptr_t)sbrk(0);
	diag("the break moved by %lu KiB", (unsigned long)((brk_after - brk_before) / 1024));
	CHECK(brk_after - brk_before >= 1024 * 1024);

	/* Freed memory is reused: one big block fits without growing much. */
	void *big = malloc(1024 * 1024);
	CHECK(big != NULL);
	memset(big, 0x5a, 1024 * 1024);
	free(big);
	CHECK((intptr_t)((uintptr_t)sbrk(0) - brk_after) < 64 * 1024);

	/* A break below the heap's start, however far, is refused and moves
	 * nothing (PTRDIFF_MIN has no negation: the pager must not take one). */
	uintptr_t now = (uintptr_t)sbrk(0);
	CHECK(sbrk(PTRDIFF_MIN) == (void *)-1 && errno == ENOMEM);
	CHECK(sbrk(-(ptrdiff_t)(now - brk_before) - (ptrdiff_t)(64 << 20)) == (void *)-1);
	CHECK(sbrk(PTRDIFF_MAX) == (void *)-1);
	CHECK((uintptr_t)sbrk(0) == now);
	return 0;
}

/* The values are volatile so the compiler cannot format them itself. */
static int formatting(void)
{
	static volatile int neg = -12345, width = 42;
	static volatile unsigned big = 4000000000u;
	static volatile unsigned long hex = 0xdeadbeefUL;
	static volatile long wide = 1234567890123L;
	static const char *volatile str = "str";
	char buf[64];
	size_t small = sizeof(buf) / 8;		/* 8: too short for wide */

	int n = snprintf(buf, sizeof(buf), "%d %u %lx %s %c %5d|", neg, big,
			 hex, str, 'x', width);
	CHECK(strcmp(buf, "-12345 4000000000 deadbeef str x    42|") == 0);
	CHECK_EQ(n, (int)strlen(buf));
	n = snprintf(buf, small, "%ld", wide);
	CHECK_EQ(n, 13);			/* the length it wanted */
	CHECK(strcmp(buf, "1234567") == 0);	/* truncated, terminated */
	return 0;
}

/* An idle-priority thread that takes libc's lock, says so on note, and
 * gives the lock back when it runs again, which it does only while every
 * thread of higher priority waits; then says so again. */
static void idle_holder(void *arg)
{
	int note = *(int *)arg;

	libc_lock_hold();
	sys_notify_signal(note, 1);	/* the waiter, of higher priority, runs now */
	libc_lock_release();
	sys_notify_signal(note, 2);
}

static int threads_before;

/* Start idle_holder and wait until it holds the lock; note, or -1. */
static int idle_holder_start(int *note)
{
	threads_before = own_threads();
	*note = sys_notify_create();
	CHECK(*note >= 0);
	CHECK(thread_spawn(idle_holder, note, TEST_STACK, PRIO_IDLE) >= 0);
	CHECK_EQ(sys_notify_wait(*note), 1);
	return 0;
}

/* Wait for idle_holder's end of the story and close its note; then for
 * its end (it runs only while this thread sleeps). */
static int idle_holder_done(int note)
{
	long bits = sys_notify_wait(note);

	sys_handle_close(note);
	CHECK_EQ(bits, 2);
	return threads_back_to(threads_before, TEST_TIMEOUT);
}

/* A waiter that only yielded would run for ever instead of the holder. */
static int lock_held_by_idle(void)
{
	int note;

	CHECK_RUN(idle_holder_start(&note));
	void *p = malloc(100);
	CHECK(p != NULL);
	free(p);
	return idle_holder_done(note);
}

static int child_mallocs_prints(void *arg)
{
	(void)arg;
	char *p = malloc(100);
	if (p == NULL)
		return 1;
	snprintf(p, 100, "%d", 42);
	printf("# a child forked while another thread held libc's lock prints %s\n", p);
	free(p);
	return 0;
}

/* fork waits for the lock, so the child never finds it held by a thread of
 * its parent's (it would wait for it for ever). */
static int fork_while_lock_held(void)
{
	struct exit_info info;
	int note;

	CHECK_RUN(idle_holder_start(&note));
	pid_t pid = fork_run(child_mallocs_prints, NULL);
	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "the child that mallocs"));
	return idle_holder_done(note);
}

int test_malloc_printf(void)
{
	CHECK_RUN(heap());
	CHECK_RUN(formatting());
	CHECK_RUN(lock_held_by_idle());
	return fork_while_lock_held();
}
