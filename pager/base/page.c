/*
 * Word-at-a-time page operations (see page.h). The attribute keeps GCC
 * from turning these loops back into calls to the byte-wise memset and
 * memcpy.
 */
#include <stddef.h>
#include <stdint.h>
#include "base/page.h"

#define WORDS (4096 / sizeof(uint64_t))
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Every word stored with no loop around them: 512 stores, a pointer
 * step at 2 KiB (the stores' offsets reach 2,047) and a return, ~515 a
 * page with the call (sixty-four words a turn cost 532, sixteen 585,
 * four 771: every first touch pays it). */
NO_LIBCALL void page_zero(void *page)
{
	uint64_t *w = page;

#pragma GCC unroll 512
	for (size_t i = 0; i < WORDS; i++)
		w[i] = 0;
}

/* Sixty-four words a turn, the inner loop unrolled (page_zero no longer
 * loops): 1,024 loads and stores and 8 turns (sixteen words a turn cost
 * ~1,116; every copy-on-write break pays it). */
NO_LIBCALL void page_copy(void *dst, const void *src)
{
	uint64_t *d = dst;
	const uint64_t *s = src;

	for (size_t i = 0; i < WORDS; i += 64) {
#pragma GCC unroll 64
		for (size_t j = 0; j < 64; j++)
			d[i + j] = s[i + j];
	}
}
