/*
 * Host test for debug_write (kernel/syscall.c) through the real system-call
 * entry: one call writes at most DEBUG_WRITE_MAX bytes and says how many,
 * as write(2) does, so no program holds the machine (the kernel polls the
 * UART, not preemptible) for longer than that takes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_ipc_fake.h"

static struct thread t;		/* the writer, in procs[0] */
static char text[3 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static int setup(void **state)
{
	(void)state;
	twins_create();
	(void)pte_of;
	t = (struct thread){ .proc = &procs[0] };
	fake_unmapped = fake_readonly = 0;
	console_bytes = 0;
	return 0;
}

/* debug_write(buf, len) as t: its result. */
static int64_t debug_write(const char *buf, size_t len)
{
	ecall_at(&t, 0x10000, SYS_DEBUG_WRITE, (const uint64_t[]){ (uintptr_t)buf, len }, 2);
	return (int64_t)t.regs.x[10];
}

/* A short write goes whole; a long one stops at DEBUG_WRITE_MAX, and the
 * rest goes with the calls after it. */
static void test_capped(void **state)
{
	size_t done = 0;
	int calls = 0;

	(void)state;
	assert_int_equal(debug_write(text, 100), 100);
	assert_int_equal(console_bytes, 100);
	console_bytes = 0;
	while (done < sizeof(text)) {
		int64_t n = debug_write(text + done, sizeof(text) - done);
		assert_true(n > 0 && n <= DEBUG_WRITE_MAX);
		done += (size_t)n;
		calls++;
	}
	assert_int_equal(console_bytes, sizeof(text));
	assert_int_equal(calls, (sizeof(text) + DEBUG_WRITE_MAX - 1) / DEBUG_WRITE_MAX);
}

/* Only what the call writes is looked at: memory past the cap that may
 * not be read does not fail it; memory within it does. */
static void test_checks_what_it_writes(void **state)
{
	(void)state;
	fake_unmapped = (uintptr_t)&text[PAGE_SIZE];
	assert_int_equal(debug_write(&text[PAGE_SIZE - DEBUG_WRITE_MAX], 2 * PAGE_SIZE),
			 DEBUG_WRITE_MAX);
	assert_int_equal(debug_write(&text[PAGE_SIZE - 8], 16), -ERR_FAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_what_it_writes, setup, teardown),
	};

	kernel_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
