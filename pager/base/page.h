/*
 * Zeroing and copying whole pages (and page-sized runs of bytes), the
 * pager's hottest loops. picolibc's memset and memcpy as Debian builds
 * them move one byte at a time, which made a page fault cost ~17,000
 * instructions; these move eight bytes at a time.
 */
#ifndef PAGER_PAGE_H
#define PAGER_PAGE_H

#include <stddef.h>

void page_zero(void *page);			/* page: 4 KiB, 8-byte aligned */
void page_copy(void *dst, const void *src);	/* both: 4 KiB, 8-byte aligned */
/* memcpy, eight bytes at a time when dst and src share their alignment. */
void bytes_copy(void *dst, const void *src, size_t n);

#endif
