/*
 * pager_call (userland/lib/pager_client.c) over a faked sys_call: the
 * pager's reply label, 64 bits, is its result: 0 or more is success, a
 * negated error fits an int, and a negative label that does not fit is a
 * reply that makes no sense (-ERR_INVAL), never a wrapped number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>

#include "console.h"
#include "pager_client.h"
#include "sys.h"

static uint64_t reply_label;

int sys_call(int ep, struct msg *m)
{
	assert_int_equal(ep, HANDLE_PAGER);
	m->label = reply_label;
	return 0;
}

static int closed = -1;	/* the last handle sys_handle_close was given */

int sys_handle_close(int h)
{
	closed = h;
	return 0;
}

void console_flush(void)
{
}

_Noreturn void sys_exit(int status)
{
	(void)status;
	abort();
}

static int answer(int64_t label)
{
	struct msg m = { .label = PAGER_INFO, .handle = -1 };

	reply_label = (uint64_t)label;
	return pager_call(&m);
}

static void test_labels(void **state)
{
	(void)state;
	assert_int_equal(answer(0), 0);
	assert_int_equal(answer(7), 0);
	assert_int_equal(answer((int64_t)1 << 40), 0);
	assert_int_equal(answer(-ERR_NOMEM), -ERR_NOMEM);
	assert_int_equal(answer(INT_MIN), INT_MIN);
	assert_int_equal(answer((int64_t)INT_MIN - 1), -ERR_INVAL);
	assert_int_equal(answer(-((int64_t)1 << 32)), -ERR_INVAL);	/* wrapped: 0 */
	assert_int_equal(answer(INT64_MIN), -ERR_INVAL);
}

/* A failed spawn or fork whose reply names a child ended unstarted (w[0]
 * >= 0) has that handle closed; w[0] = -1, or a failure that is not the
 * pager's reply (the message as sent), closes nothing. */
static void test_close_unstarted(void **state)
{
	struct msg m = { .label = (uint64_t)(int64_t)-ERR_NOMEM, .handle = -1 };

	(void)state;
	m.w[0] = 5;
	close_unstarted(&m, -ERR_NOMEM);
	assert_int_equal(closed, 5);
	closed = -1;
	m.w[0] = (uint64_t)(int64_t)-1;
	close_unstarted(&m, -ERR_NOMEM);
	assert_int_equal(closed, -1);
	m = (struct msg){ .label = PAGER_SPAWN, .handle = -1 };
	m.w[0] = 2;		/* argc, as sent: the call itself failed */
	close_unstarted(&m, -ERR_PIPE);
	assert_int_equal(closed, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_close_unstarted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
