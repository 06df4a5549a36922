/*
 * Pages of objects (pager/base/slab.h) for the host tests: the host's
 * memory, handed out page-aligned and dirty (every byte HOST_PAGES_DIRT,
 * as a frame's old contents: the source owes no zeroing), counted while
 * the caches hold them, and refused while a test says so.
 */
#ifndef TESTS_HOST_HOST_PAGES_H
#define TESTS_HOST_HOST_PAGES_H

#define HOST_PAGES_DIRT 0xa5

/* The caches take their pages from here from now on. */
void host_pages_source(void);
extern long host_pages_out;	/* pages the caches hold */
extern int host_pages_refuse;	/* while set, no page is to be had */

#endif
