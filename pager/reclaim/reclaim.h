/*
 * Reclaim: what it promises the server. When memory is reclaimed and by
 * whom (the watermarks, the background thread kswapd, direct reclaim
 * before a request, the allocation path for the pager's own memory), which
 * pages go (the replacement policy over accessed bits, discardable pages
 * first), and what happens when none can (pressure notifications, the
 * bounded critical wait, the OOM killer: oom_kill.h). It drives the swap
 * engine below it.
 */
#ifndef PAGER_RECLAIM_H
#define PAGER_RECLAIM_H

#include <stdint.h>

struct pager_thread;
struct swap_backend;

/* Work out the watermarks in frames from config; become where the pager's
 * heap takes its frames (reclaim_alloc_pinned) and what frees memory for it
 * (reclaim_for_heap), the VM core's reclaim hook and the swap engine's for
 * its victims. After frames_init and vm_init. */
void reclaim_init(void);
/* Start the background thread (it sleeps until memory runs low). 0, or a
 * negative error. */
int reclaim_start(void);
/* Swap on backend's device (swap_start), with victims chosen by the policy
 * config names; its state is made first and goes again if swap does not
 * come up. t: the calling thread, holding the lock. */
void reclaim_start_swap(const struct swap_backend *backend, struct pager_thread *t);
/* Print the watermarks (boot summary). */
void reclaim_print(void);
/* The watermarks in free frames. */
void reclaim_watermarks(uint64_t *start_free, uint64_t *stop_free, uint64_t *min_free);

/* Around the requests service thread t serves (pager lock held): before
 * a fault or a request that takes memory (the server's choice), below the
 * minimum, wait while the swap-out thread has pages on their way to disk
 * (throttled, the lock let go), else reclaim directly; after each, at or
 * below the start mark, wake background reclaim, and let the pressure
 * level follow free frames. */
void reclaim_before_request(struct pager_thread *t);
void reclaim_after_request(void);
/* Before a request retries a step its heap's growth failed for (a
 * munmap's cut, served with no reclaim first): unless as many frames as
 * the growth wanted are free above the reserve (reclaim_for_heap's rule),
 * wait for the swap-out thread's writes in flight, else reclaim, as
 * reclaim_before_request does, until they are. Lock held; t is the
 * calling thread. */
void reclaim_before_heap_retry(struct pager_thread *t);

/* A frame for the pager itself (its heap's frame source), its old contents
 * left (heap.h: the heap zeroes what it hands out). A thread freeing
 * memory (pager_thread.memalloc) may take it from the reserve; any other
 * must leave the reserve alone. Never reclaims (it runs inside malloc:
 * heap.h): 0 if no frame may be had now. Lock held. */
uint64_t reclaim_alloc_pinned(void);
/* The heap's refill hook (heap_alloc.h), after a malloc failed for want of
 * a frame: a thread that may not take the reserve reclaims directly until
 * as many frames above the reserve are free as the heap's failed growth
 * wanted (heap_growth_wanted; one if none is known) or reclaim makes no
 * progress. 1 if that many are free now, having not been, 0 if not (the
 * request being served fails). Lock held. */
int reclaim_for_heap(void);

/* What a fault that found no frame does next (reclaim_out_of_memory). */
enum reclaim_oom {
	RECLAIM_RETRY,		/* try the fault again: memory came back, or may
				 * have (a wait ended), or another process was
				 * killed */
	RECLAIM_SEND_BACK,	/* resume the process with nothing more mapped:
				 * it faults again, and this thread, the last
				 * fault thread not waiting for memory, is free
				 * meanwhile to serve faults that need no frame
				 * (one a give-back makes) */
	RECLAIM_GONE		/* the OOM killer ended the faulting process */
};

/* The critical allocation path, before and at the OOM killer: a fault of
 * process pid, served by t, found no frame after reclaim. t is a thread
 * faults come to; the one that hears deaths and serves requests takes no
 * fault (server/service.c), so nothing here spares it: no guard for it is
 * kept. While the swap-out thread has pages on their way to disk, t waits
 * for its next batch (kswapd_throttle; kswapd_throttle_rounds() at most
 * per fault, counted in *waits, 0 at the fault's first try; and,
 * uncounted, for as long as the swap device rides out an outage:
 * kswapd_throttle_again). Then the pressure level becomes critical and,
 * if programs subscribe to pressure events, t waits (the lock let go)
 * until memory comes back or the episode's bounded wait (RECLAIM_WAIT_NS
 * from its first such fault) is over; but the last fault thread not
 * waiting so sends its fault back instead (RECLAIM_SEND_BACK), so that a
 * fault the subscriber makes on its way to giving memory back, one that
 * needs no frame, is always served. After that, the OOM killer
 * (oom_kill). */
enum reclaim_oom reclaim_out_of_memory(struct pager_thread *t, uint32_t pid, unsigned *waits);

#endif
