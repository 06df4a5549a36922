/*
 * The pager's own heap, under picolibc's malloc (sbrk). The pager cannot
 * fault on its own memory, so the heap grows by mapping frames into itself
 * before they are used. It also lends frames whole, for the pages of
 * objects that must go back when what used them ends (slab.h): malloc
 * never gives a frame back. Where the frames come from is not base's to
 * know: the layer that decides who may take the last ones (reclaim) says.
 *
 * The rule of the frame source: it takes a frame or says there is none,
 * and does nothing else: no reclaim, no free, no malloc. It runs inside
 * malloc (picolibc 1.8's nano-malloc calls sbrk from __malloc_grow_chunk
 * with pointers into its free list in hand, and its lock is recursive, so
 * the same thread would pass it): a free there (reclaim empties a page
 * array's chunk) or a malloc (a second sbrk before the first returns)
 * would leave malloc's list naming memory it no longer describes. Memory
 * is reclaimed for the heap outside malloc instead: heap_alloc.h. The
 * sink's rule is the same: it takes a frame back, no longer mapped, and
 * does nothing else (a frame table's free is not malloc's).
 */
#ifndef PAGER_BASE_HEAP_H
#define PAGER_BASE_HEAP_H

#include <stdint.h>

/* A frame (physical address) for the heap, or 0 if none may be had. Its
 * contents may be anything: the heap zeroes the pages it maps for malloc,
 * and a frame lent whole needs no zeroing (slab.h). */
typedef uint64_t heap_frame_fn(void);
/* A frame the source gave, unmapped again: a growth that failed part way
 * gives back what it had mapped. */
typedef void heap_unframe_fn(uint64_t pa);
/* Where the heap takes its frames from now on, and gives back those of a
 * growth it could not finish; until then it cannot grow. Also starts
 * reporting heap_pages as vmstat's. */
void heap_set_frame_source(heap_frame_fn *take, heap_unframe_fn *give);
/* The pager's own frames: pages mapped into the heap so far, the one
 * frame kept for the next growth if the kernel refused to map it, and the
 * frames lent whole (heap_frame_take). The mapped pages are never given
 * back once a growth has succeeded (one that fails gives back the frames
 * it mapped): malloc's high-water mark; the lent ones go back as their
 * objects are freed (slab_trim), so this falls when a line that held
 * many regions and page arrays ends (vmstat tells the pager's own growth
 * apart from a leak with it). */
uint64_t heap_pages(void);
/* Of those, the pages mapped into the heap for malloc (its high-water
 * mark), one run from the heap's base: the only ones the pager's own page
 * tables map (a lent frame is seen through frame_ptr's window onto RAM,
 * mapped at boot; the kept one is not mapped). vmstat's heap_malloc_pages. */
uint64_t heap_malloc_pages(void);
/* A frame lent whole, for the pager's pages of objects (slab.h), from the
 * source (its old contents left) and under its rules as a growth's, the
 * kept frame first, except PAGER_HEAP_MAX: lent frames are not bounded by
 * it. Counted in heap_pages
 * until given back. 0 if none may be had: then, as after a growth of one
 * page that failed, heap_short and heap_growth_wanted (1) say so, for the
 * refill and the OOM killer. One lent clears neither (it proves nothing
 * of malloc's growth, nor of its cap). Seen at frame_ptr(pa). */
uint64_t heap_frame_take(void);
/* A frame heap_frame_take lent, back to the sink (no longer used). */
void heap_frame_give(uint64_t pa);
/* The most the heap grows to: sbrk refuses beyond it. Frames lent
 * (heap_frame_take) follow a growth's rules but this one: they are not
 * counted against it. */
#define PAGER_HEAP_MAX (512UL << 20)
/* Frames the last growth wanted at once when it failed, none of which it
 * kept: what the heap's refill must free for the same growth to succeed
 * (reclaim_for_heap). 0 once a growth has succeeded since, or the last was
 * refused at PAGER_HEAP_MAX, or it was forgotten (heap_growth_forget). */
uint64_t heap_growth_wanted(void);
/* 1 if the last growth failed, for frames (heap_growth_wanted) or at
 * PAGER_HEAP_MAX, and none has succeeded or been forgotten since: what ran
 * out is the heap, whose page arrays an OOM kill gives back (the OOM
 * killer's choice reads it). Apart from heap_growth_wanted, which the
 * refill reclaims for: at the cap no frame freed lets the heap grow, so
 * the refill must not be told to try again. */
int heap_short(void);
/* The request whose growth failed has been answered: its failure no longer
 * says the heap is what is short (heap_short), so a later fault short of
 * frames alone is not taken for the heap's. Called after every request
 * (reclaim_after_request). */
void heap_growth_forget(void);

#endif
