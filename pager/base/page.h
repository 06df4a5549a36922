/*
 * Zeroing and copying whole pages, the pager's hottest loops. picolibc's
 * memset and memcpy as Debian builds them move one byte at a time, which
 * made a page fault cost ~17,000 instructions; these move eight bytes at a
 * time (base/libc_mem.c replaces memset and memcpy themselves likewise).
 */
#ifndef PAGER_PAGE_H
#define PAGER_PAGE_H

void page_zero(void *page);			/* page: 4 KiB, 8-byte aligned */
void page_copy(void *dst, const void *src);	/* both: 4 KiB, 8-byte aligned */

#endif
