/*
 * The pager's memset, linked in place of picolibc's, which goes a byte at
 * a time (~4 instructions a byte: calloc's zeroing of a 1 KiB page-array
 * chunk cost ~80 instructions a first-touch fault). Words where it can.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Keeps GCC from turning the loops below into a call to memset itself. */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = (uint8_t)c * 0x0101010101010101ULL;

	for (; n > 0 && ((uintptr_t)d & 7); n--)
		*d++ = (uint8_t)c;
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = w;
	for (; n > 0; n--)
		*d++ = (uint8_t)c;
	return dst;
}
