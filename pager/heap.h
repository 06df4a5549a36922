/*
 * The pager's own heap (heap.c): how much of memory it holds, for vmstat.
 * It grows by pinned frames and keeps them, so its size is the high-water
 * mark of what the pager has needed at once.
 */
#ifndef PAGER_HEAP_H
#define PAGER_HEAP_H

#include <stdint.h>

/* Pages mapped into the heap so far (pinned frames, never given back). */
uint64_t heap_pages(void);

#endif
