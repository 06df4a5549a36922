/*
 * The few memory and string functions the freestanding kernel needs (GCC may
 * also emit calls to memcpy and memset on its own; libfdt calls memchr and
 * strrchr too).
 */
#ifndef KERNEL_KLIB_H
#define KERNEL_KLIB_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
void *memchr(const void *s, int c, size_t n);
char *strrchr(const char *s, int c);

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

#endif
