/*
 * Host tests for drivers/netd/owners.c: netd takes a connection only from
 * a process the pager admitted, at most NET_SOCKETS_PER_PROC a process and
 * NET_LINE_SOCKETS a line (line 0, the pager's own, has no line bound), so
 * a line at its bound leaves another line room; and an owner the pager
 * reaped (its entry emptied, or another process's since) is gone; and the
 * pool buffers a line's connections hold count against its share alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "net_protocol.h"
#include "netd/owners.h"

static volatile uint64_t admitted[NET_ADMITTED_MAX];

#define SHARE 100	/* buffers a line may hold: any bound will do here */

static void start(void)
{
	for (unsigned k = 0; k < NET_ADMITTED_MAX; k++)
		admitted[k] = 0;
	owners_init(admitted, SHARE);
}

/* The pager admits pid of line into entry k. */
static void admit(unsigned k, uint32_t pid, uint32_t line)
{
	admitted[k] = net_admission(pid, line);
}

/* A connection for pid: its slot, or owners_place's -errno. */
static long open_one(uint32_t pid)
{
	struct owner o;
	long slot = owners_place(pid, &o);

	if (slot >= 0)
		owners_take((unsigned)slot, &o);
	return slot;
}

static void only_admitted(void **state)
{
	(void)state;
	start();
	assert_int_equal(open_one(5), -EPERM);
	assert_int_equal(open_one(0), -EPERM);	/* an empty entry is nobody's */
	admit(3, 5, 1);
	assert_int_equal(open_one(5), 0);
	assert_true(owners_holds(0, 5));
	assert_false(owners_holds(0, 6));
	assert_false(owners_holds(1, 5));
	assert_false(owners_holds(NET_SOCKETS_MAX, 5));
	admitted[3] = 0;	/* reaped */
	assert_int_equal(open_one(5), -EPERM);
}

static void process_bound(void **state)
{
	(void)state;
	start();
	admit(0, 5, 1);
	for (int i = 0; i < NET_SOCKETS_PER_PROC; i++)
		assert_int_equal(open_one(5), i);
	assert_int_equal(open_one(5), -EMFILE);
	owners_drop(2);
	assert_int_equal(open_one(5), 2);	/* the freed slot */
}

/* A parent and three children of one line, each asking for its 4: the
 * line gets half the table; a process of another line still gets one,
 * and one of line 0 is held by the process bound alone. */
static void line_bound(void **state)
{
	long got = 0;

	(void)state;
	start();
	for (uint32_t k = 0; k < 4; k++)
		admit(k, 10 + k, 7);
	for (uint32_t k = 0; k < 4; k++)
		for (int i = 0; i < NET_SOCKETS_PER_PROC; i++) {
			long r = open_one(10 + k);

			assert_true(r >= 0 || r == -EMFILE);
			got += r >= 0;
		}
	assert_int_equal(got, NET_LINE_SOCKETS);
	admit(9, 20, 8);
	assert_true(open_one(20) >= 0);
	admit(10, 1, 0);
	for (int i = 0; i < NET_SOCKETS_PER_PROC; i++)
		assert_true(open_one(1) >= 0);
	assert_int_equal(open_one(1), -EMFILE);
	/* The line's own end frees its share: one of its processes reaped,
	 * its connections dropped (as sockets_reap does), another may open. */
	for (unsigned s = 0; s < NET_SOCKETS_MAX; s++)
		if (owners_holds(s, 10))
			owners_drop(s);
	assert_true(open_one(12) >= 0);
}

static void table_full(void **state)
{
	(void)state;
	start();
	for (uint32_t k = 0; k < NET_SOCKETS_MAX; k++) {
		admit(k, 100 + k, 200 + k);	/* a line each */
		assert_int_equal(open_one(100 + k), (long)k);
	}
	admit(NET_SOCKETS_MAX, 300, 400);
	assert_int_equal(open_one(300), -EMFILE);
}

static void gone(void **state)
{
	(void)state;
	start();
	admit(4, 5, 1);
	admit(6, 8, 1);
	assert_int_equal(open_one(5), 0);
	assert_int_equal(open_one(8), 1);
	assert_false(owners_gone(0));
	assert_false(owners_gone(1));
	assert_false(owners_gone(2));	/* a free slot has no owner to lose */
	admitted[4] = 0;			/* 5 reaped */
	assert_true(owners_gone(0));
	admit(4, 9, 2);				/* its entry another's since */
	assert_true(owners_gone(0));
	owners_drop(0);
	assert_false(owners_gone(0));
}

/* What one connection holds counts against its whole line (the audit:
 * 8 connections of one line, each within its own bound, held the whole
 * ordinary pool); another line, and each process of line 0, has its own
 * share; the room never wraps below 0; a free slot's count is not read,
 * and a free slot has no room. */
static void buffer_share(void **state)
{
	uint32_t held[NET_SOCKETS_MAX] = { 0 };	/* sockets.c's counts, here ours */

	(void)state;
	start();
	admit(0, 10, 7);
	admit(1, 11, 7);
	admit(2, 20, 8);
	admit(3, 1, 0);
	admit(4, 2, 0);
	long a = open_one(10), b = open_one(11), c = open_one(20), d = open_one(1), e = open_one(2);

	assert_true(a >= 0 && b >= 0 && c >= 0 && d >= 0 && e >= 0);
	assert_int_equal(owners_room((unsigned)a, held), SHARE);
	held[a] = 30;
	held[b] = 50;
	assert_int_equal(owners_room((unsigned)a, held), SHARE - 80);
	assert_int_equal(owners_room((unsigned)b, held), SHARE - 80);
	assert_int_equal(owners_room((unsigned)c, held), SHARE);	/* another line */
	held[b] = SHARE;
	assert_int_equal(owners_room((unsigned)a, held), 0);		/* past it: none */
	held[d] = 90;
	assert_int_equal(owners_room((unsigned)d, held), SHARE - 90);
	assert_int_equal(owners_room((unsigned)e, held), SHARE);	/* line 0: by process */
	owners_drop((unsigned)b);
	held[b] = 40;						/* free: not read */
	assert_int_equal(owners_room((unsigned)a, held), SHARE - 30);
	assert_int_equal(owners_room((unsigned)b, held), 0);
	assert_int_equal(open_one(11), b);			/* taken again: its count read */
	assert_int_equal(owners_room((unsigned)a, held), SHARE - 70);
	assert_int_equal(owners_room(NET_SOCKETS_MAX, held), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_admitted), cmocka_unit_test(process_bound),
		cmocka_unit_test(line_bound), cmocka_unit_test(table_full),
		cmocka_unit_test(gone), cmocka_unit_test(buffer_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
