/*
 * A new program's argument block (stack_args.h). The size is summed before
 * anything is written: argv comes from a spawn request or the pager's own
 * callers (spawn_mode), and what does not fit the page is refused rather
 * than written below it.
 */
#include <errno.h>
#include <string.h>
#include "server/stack_args.h"
#include "kernel/abi/vm.h"

/* strlen(s), or max if it is no shorter (without reading past s[max - 1]). */
static uint64_t length_upto(const char *s, uint64_t max)
{
	uint64_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

uint64_t stack_args_bytes(int argc, const char *const *argv)
{
	uint64_t bytes = (uint64_t)(argc + 2) * 8;	/* argc, the pointers, NULL */

	for (int i = 0; i < argc && bytes <= PAGE_SIZE; i++)
		bytes += length_upto(argv[i], PAGE_SIZE) + 1;
	return bytes;
}

int stack_args_lay(uint8_t *page, uint64_t page_va, int argc, const char *const *argv,
		   uint64_t *sp)
{
	uint64_t bytes = stack_args_bytes(argc, argv), str, base, argc64 = (uint64_t)argc;

	if (argc < 0 || bytes > PAGE_SIZE)
		return -E2BIG;
	/* PAGE_SIZE is a multiple of 16, so rounding down stays in the page. */
	base = (PAGE_SIZE - bytes) & ~15UL;
	memcpy(page + base, &argc64, 8);
	str = PAGE_SIZE;
	for (int i = argc - 1; i >= 0; i--) {
		size_t len = strlen(argv[i]) + 1;
		uint64_t va;

		str -= len;
		memcpy(page + str, argv[i], len);
		va = page_va + str;
		memcpy(page + base + 8 + 8 * (uint64_t)i, &va, 8);
	}
	memset(page + base + 8 + 8 * argc64, 0, 8);
	*sp = page_va + base;
	return 0;
}
