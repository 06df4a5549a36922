/*
 * The swap engine: victims from the replacement policy (accessed bits
 * harvested through the reverse map), written in batches to consecutive
 * slots, directly or through the swap-out queue; pages read back on fault.
 * Plugged into the VM core as its struct vm_swap_ops. Every call is made
 * with the pager lock held; a fault's read lets it go while the disk works
 * (VM_SWAP_UNLOCKED), so faults on other pages go on meanwhile.
 */
#ifndef PAGER_SWAPPER_H
#define PAGER_SWAPPER_H

#include <stddef.h>
#include <stdint.h>

struct swap_area;
struct policy_ops;
struct pager_thread;

/* Start swapping to the checked area of the disk, victims chosen by policy
 * (seeded with seed). 0, or -ENOMEM. */
int swapper_init(const struct swap_area *area, const struct policy_ops *policy, uint64_t seed);
/* Direct reclaim (by the lock's holder, which keeps the lock while the
 * disk works): write a batch of pages out now and wait (a whole batch, at
 * least `want` when there are that many victims); how many frames were
 * freed. Reclaim drops discardable pages before it asks (reclaim_pages). */
size_t swapper_reclaim(size_t want);
/* Background reclaim, once no discardable page is left: up to `want`
 * victims into the swap-out queue; a push
 * into a full queue is refused and the page goes back to the policy, to be
 * met again later. Patient (memory is not short yet): looks at a few frames
 * per page wanted and never looks again at once when every one was
 * referenced, so a round may queue nothing and the caller tries again after
 * the program has run; else looks as far as it takes, as direct reclaim
 * does. How many were queued. */
size_t swapper_queue_victims(size_t want, int patient);
/* The swap-out thread t: write one batch from the queue, letting the lock
 * go while the disk works. Frames freed, or -1 if the queue was empty. */
long swapper_write_queued(struct pager_thread *t);
/* The swap-in thread t: read one batch of the slots queued ahead of a
 * stream's faults into the swap cache, letting the lock go while the disk
 * works. Pages read, or -1 if the queue was empty. */
long swapper_read_queued(struct pager_thread *t);
/* The thread to wake when slots are queued; it leaves keep_free frames
 * free (it never reclaims). */
void swapper_set_swapin_thread(struct pager_thread *t, uint64_t keep_free);
/* Faults whose swap-in is waiting for the disk, the lock let go. */
uint32_t swapper_reads_waiting(void);
/* Pages queued or being written by the swap-out thread. */
uint32_t swapper_queued(void);


#endif
