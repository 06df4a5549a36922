/*
 * The pager's memset, memcpy and memmove, linked in place of picolibc's,
 * which go a byte at a time (~4-6 instructions a byte: calloc's zeroing of
 * a 1 KiB page-array chunk, realloc's copy of the reverse map's pool, the
 * page arrays' chunk pointers moved to make or close a gap). Words where
 * they can.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Keeps GCC from turning the loops below into calls to themselves. */
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

/* n bytes from s to d, from the first up: words when both sides share
 * their alignment (a realloc'd block, a segment's bytes put in a page at
 * the same offset), else bytes. Each word is read before a later store
 * can reach it, so it serves memmove when d starts below s. */
NO_LIBCALL static inline __attribute__((always_inline)) void copy_up(uint8_t *d, const uint8_t *s,
								    size_t n)
{
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		for (; n > 0 && ((uintptr_t)d & 7); n--)
			*d++ = *s++;
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	for (; n > 0; n--)
		*d++ = *s++;
}

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_up(dst, src, n);
	return dst;
}

/* Overlapping ends: copy_up when dst starts below src, else from the end
 * backwards. */
NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	int words = (((uintptr_t)d ^ (uintptr_t)s) & 7) == 0;

	if ((uintptr_t)d <= (uintptr_t)s) {
		copy_up(d, s, n);
		return dst;
	}
	d += n;
	s += n;
	if (words) {
		for (; n > 0 && ((uintptr_t)d & 7); n--)
			*--d = *--s;
		for (; n >= 8; n -= 8) {
			d -= 8;
			s -= 8;
			*(uint64_t *)d = *(const uint64_t *)s;
		}
	}
	for (; n > 0; n--)
		*--d = *--s;
	return dst;
}
