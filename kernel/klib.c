/*
 * Freestanding memory and string functions for the kernel.
 */
#include <stdint.h>
#include "klib.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if ((((uintptr_t)d | (uintptr_t)s | n) & 7) == 0) {
		for (size_t i = 0; i < n; i += 8)
			*(uint64_t *)(d + i) = *(const uint64_t *)(s + i);
		return dst;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* Bytes up to an 8-byte boundary, then whole words, thirty-two stores a
 * turn while a turn's 256 bytes remain (a store, an add and a branch a
 * word was ~1,550 instructions a page: kmem clears every page table it
 * gives out, five in bench's small fork + exit, so the unrolled loop is
 * every caller's, ~560 a page), then the words and bytes left. The
 * attribute keeps GCC from making these loops a call to memset, here
 * (the kernel's build says so too: -fno-tree-loop-distribute-patterns). */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) void *memset(void *dst, int c,
									     size_t n)
{
	uint8_t *d = dst;
	uint64_t w = (uint8_t)c * 0x0101010101010101UL, *q;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (uint8_t)c;
	q = (uint64_t *)d;
	for (; n >= 32 * sizeof(w); n -= 32 * sizeof(w), q += 32) {
#pragma GCC unroll 32
		for (size_t j = 0; j < 32; j++)
			q[j] = w;
	}
	for (; n >= sizeof(w); n -= sizeof(w))
		*q++ = w;
	d = (uint8_t *)q;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] == (uint8_t)c)
			return (void *)(p + i);
	return NULL;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++);
	return (char *)last;
}
