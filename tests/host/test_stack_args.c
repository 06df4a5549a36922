/*
 * Host tests for a new program's argument block (pager/server/stack_args.c):
 * argc, argv[] and NULL at a 16-byte aligned sp, the strings above, all in
 * the stack's top page; arguments that need exactly the page fit, one byte
 * more (or one string longer than the page) is -E2BIG with the page
 * untouched, never written below it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/stack_args.h"
#include "kernel/abi/vm.h"

#define PAGE_VA 0x3FFFFFE000UL	/* where the page is mapped in the program */
#define FILL 0xa5

static uint8_t *page;

static int setup(void **state)
{
	(void)state;
	page = malloc(PAGE_SIZE);	/* exactly a page: ASan sees a write past it */
	assert_non_null(page);
	memset(page, FILL, PAGE_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(page);
	return 0;
}

static uint64_t word_at(uint64_t va)
{
	uint64_t w;

	assert_true(va >= PAGE_VA && va + 8 <= PAGE_VA + PAGE_SIZE);
	memcpy(&w, page + (va - PAGE_VA), 8);
	return w;
}

/* What a program finds at sp: argc, then argv[] and NULL, each string in
 * the page. */
static void check_block(uint64_t sp, int argc, const char *const *argv)
{
	assert_int_equal(sp % 16, 0);
	assert_int_equal(word_at(sp), (uint64_t)argc);
	for (int i = 0; i < argc; i++) {
		uint64_t s = word_at(sp + 8 + 8 * (uint64_t)i);

		assert_true(s > sp && s + strlen(argv[i]) + 1 <= PAGE_VA + PAGE_SIZE);
		assert_string_equal((const char *)page + (s - PAGE_VA), argv[i]);
	}
	assert_int_equal(word_at(sp + 8 + 8 * (uint64_t)argc), 0);
}

static int untouched(void)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (page[i] != FILL)
			return 0;
	return 1;
}

static void test_layout(void **state)
{
	const char *const argv[] = { "exiter", "7", "" };
	uint64_t sp;

	(void)state;
	assert_int_equal(stack_args_bytes(3, argv), 5 * 8 + 7 + 2 + 1);
	assert_int_equal(stack_args_lay(page, PAGE_VA, 3, argv, &sp), 0);
	check_block(sp, 3, argv);
	assert_int_equal(sp, (PAGE_VA + PAGE_SIZE - (5 * 8 + 10)) & ~15UL);
}

/* Arguments needing exactly the page fit, sp at its start; a byte more
 * does not. */
static void test_exact_fit(void **state)
{
	static char big[PAGE_SIZE];
	const char *const argv[] = { "prog", big };
	uint64_t sp;

	(void)state;
	memset(big, 'x', PAGE_SIZE - 4 * 8 - 5 - 1);	/* its NUL is the page's last byte */
	assert_int_equal(stack_args_bytes(2, argv), PAGE_SIZE);
	assert_int_equal(stack_args_lay(page, PAGE_VA, 2, argv, &sp), 0);
	assert_int_equal(sp, PAGE_VA);
	check_block(sp, 2, argv);
	memset(page, FILL, PAGE_SIZE);
	big[PAGE_SIZE - 4 * 8 - 5 - 1] = 'x';
	assert_int_equal(stack_args_bytes(2, argv), PAGE_SIZE + 1);
	assert_int_equal(stack_args_lay(page, PAGE_VA, 2, argv, &sp), -E2BIG);
	assert_true(untouched());
}

/* One string longer than the page, and many that add up past it. */
static void test_too_big(void **state)
{
	static char huge[3 * PAGE_SIZE];
	static char part[200];
	const char *argv[32];
	uint64_t sp = 0;

	(void)state;
	memset(huge, 'y', sizeof(huge) - 1);
	argv[0] = "prog";
	argv[1] = huge;
	assert_true(stack_args_bytes(2, argv) > PAGE_SIZE);
	assert_int_equal(stack_args_lay(page, PAGE_VA, 2, argv, &sp), -E2BIG);
	assert_true(untouched());
	memset(part, 'z', sizeof(part) - 1);
	for (int i = 1; i < 32; i++)
		argv[i] = part;
	assert_int_equal(stack_args_lay(page, PAGE_VA, 32, argv, &sp), -E2BIG);
	assert_true(untouched());
	assert_int_equal(sp, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
