/*
 * Host tests for placing objects the kernel reads in place (base/placed.h):
 * a harvest batch, and an array of objects each its power-of-two
 * alignment apart, each within one page wherever its storage starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/placed.h"
#include "kernel/abi/vm.h"
#include "vm/harvest_batch.h"

/* A harvest batch lies within one page wherever its storage starts (the
 * linker's choice): placed at the first boundary, inside the storage. */
static void test_batch_placed_in_page(void **state)
{
	VM_HARVEST_BATCH_SPACE(space);	/* for its size */
	static char buf[2 * PAGE_SIZE];

	(void)state;
	for (size_t off = 0; off < PAGE_SIZE; off += 8) {
		char *at = buf + off;
		char *b = placed(at, VM_HARVEST_ALIGN);
		uintptr_t first = (uintptr_t)b, last = first + sizeof(struct vm_harvest_batch) - 1;

		assert_true(b >= at);
		assert_true(b + sizeof(struct vm_harvest_batch) <= at + sizeof(space));
		assert_int_equal(first / PAGE_SIZE, last / PAGE_SIZE);
		assert_ptr_equal(vm_harvest_batch_start(at, HARVEST_ACCESSED)->e,
				 b + offsetof(struct vm_harvest_batch, e));
	}
}

/* PLACED_ALIGN is the least power of two that holds its size; an array of
 * objects so placed (a service thread's messages: 3 of ~1,200 bytes) has
 * each object within one page and inside the storage, wherever the
 * storage starts. */
struct placed_test { char bytes[1200]; };
#define PLACED_TEST_ALIGN PLACED_ALIGN(sizeof(struct placed_test))

static void test_placed_array_in_pages(void **state)
{
	PLACED_SPACE(space, struct placed_test, PLACED_TEST_ALIGN, 3);
	static char buf[3 * PAGE_SIZE];

	(void)state;
	assert_int_equal(PLACED_ALIGN(1), 1);
	assert_int_equal(PLACED_ALIGN(64), 64);
	assert_int_equal(PLACED_ALIGN(65), 128);
	assert_int_equal(PLACED_TEST_ALIGN, 2048);
	assert_int_equal(VM_HARVEST_ALIGN / 2 < sizeof(struct vm_harvest_batch), 1);
	for (size_t off = 0; off < PAGE_SIZE; off += 8) {
		char *at = buf + off;

		for (size_t k = 0; k < 3; k++) {
			char *o = placed_nth(at, PLACED_TEST_ALIGN, k);
			uintptr_t first = (uintptr_t)o, last = first + sizeof(struct placed_test) - 1;

			assert_true(o >= at);
			assert_true(o + sizeof(struct placed_test) <= at + sizeof(space));
			assert_int_equal(first / PAGE_SIZE, last / PAGE_SIZE);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_placed_in_page),
		cmocka_unit_test(test_placed_array_in_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
