/*
 * Background reclaim: the kswapd thread, woken when free frames fall to the
 * start mark, queues victims for the swap-out thread until the stop mark is
 * in sight; and the requests throttled while those writes are in flight.
 */
#ifndef PAGER_RECLAIM_KSWAPD_H
#define PAGER_RECLAIM_KSWAPD_H

#include "kernel/abi/clock.h"

struct pager_thread;

/* Waits a request makes for background writes (kswapd_throttle) before it
 * acts alone: reclaims itself, or, for a fault with no frame, meets the
 * critical wait and the OOM killer. Each ends at a batch written
 * (milliseconds on a disk) or at RECLAIM_WAIT_NS. As many as the batches
 * the request would write itself (SWAP_OUT_BATCH, direct reclaim's) to
 * bring free frames from none up to the minimum mark, or, with no minimum
 * (seed's pager.free_min=0), up to where memory counts as back for a fault
 * with none (the reserve plus FREE_FLOOR, oom_wait.c): the writer's fair
 * chance to fill the gap the request waits on, which grows with the marks
 * and so with memory (7 at 32 MiB, 12 at 128 MiB, 33 at 1 GiB: minimums
 * of 194, 382 and 1,037 frames; 3 with no minimum and the default
 * reserve). Never more than throttle_rounds_max (kswapd.c), so a writer
 * that never answers holds a request no longer than the device lets one
 * write go unanswered (swap_write_bound_ns). A congested device's waits, much shorter, have their
 * own count (CONGESTED_ROUNDS). */
unsigned kswapd_throttle_rounds(void);
/* Whether a request that has made *waited counted waits for background
 * writes (kswapd_throttle) waits once more; the one rule for a request
 * below the minimum (direct.c) and a fault with no frame (oom_wait.c).
 * THROTTLE_WAIT while writes are queued or in flight,
 * kswapd_throttle_rounds() times, each counted in *waited; and
 * THROTTLE_OUTAGE, not counted in *waited, for as long as the swap
 * device rides out an outage (swap_out_stalled: an NBD server being
 * reconnected to), whose budget bounds those waits instead: every write
 * out, held or to come, is answered when the server is back, or fails
 * when the device gives up, and a process must not die for memory that
 * comes back once a restarting server does; and so, too, while the
 * swap-out thread's write is overdue (swap_out_overdue: a device that
 * stopped answering, its outage or end not yet come), until that write
 * ends (THROTTLE_OVERDUE), or until it is out past every bound of its
 * device's: THROTTLE_ABANDONED then, counted as THROTTLE_WAIT is, a write
 * that may never end, which the thread deaths come to makes no wait for
 * (direct.c), nor for an overdue one. Each wait still ends by
 * RECLAIM_WAIT_NS, so a fault whose process ended meanwhile is let go
 * then (fault.c looks the process up again), and wakes kswapd, which
 * queues writes for when the server is back. */
enum throttle { THROTTLE_NO, THROTTLE_WAIT, THROTTLE_OUTAGE, THROTTLE_OVERDUE, THROTTLE_ABANDONED };
enum throttle kswapd_throttle_again(unsigned *waited);
/* Waits a request makes for a congested swap device (wait_congested,
 * direct.c, CONGESTED_NS each) before it reclaims itself: 160 ms. A live
 * server answers a batch's writes in milliseconds, each reply giving
 * netd buffers back, so a pool still in its reserve after 160 ms is not
 * waiting for replies about to come but for a server that has stopped
 * answering, which netd gives up on only after seconds (ANSWER_NS); the
 * request then frees memory itself. Fixed, not from the marks: what it
 * waits on, netd's pool (a fixed size) and the server's answer time, does
 * not grow with the guest's memory. Its own count, apart from the
 * writer's waits (kswapd_throttle_rounds, up to RECLAIM_WAIT_NS each): a
 * pool that recovered leaves the writes in flight worth their wait. */
#define CONGESTED_ROUNDS 16
/* The longest one wait of a request on others lasts: subscribers giving
 * memory back (a critical episode, oom_wait.c), or the swap-out thread's
 * next batch (kswapd_throttle). A batch takes milliseconds; only a device
 * that takes writes and never answers (an NBD server that stopped
 * replying; netd gives up on it only after ANSWER_NS and its retries)
 * meets the bound, so a request is never held for ever by the writer;
 * its write out longer is overdue (swap_out_overdue: the swap engine is
 * lent this bound, setup.c), and no request writes while it is. */
#define RECLAIM_WAIT_NS (300 * CLOCK_NS_PER_MS)

int kswapd_start(void);
/* Wake kswapd, once per run of it. */
void kswapd_wake(void);
/* Service thread t waits, the lock let go, until the swap-out thread
 * finishes its next batch (kswapd woken first), RECLAIM_WAIT_NS at most
 * (none if no timer can be armed); how: what kswapd_throttle_again said
 * (an outage's wait is counted in outage_waits, an overdue write's in
 * overdue_waits). */
void kswapd_throttle(struct pager_thread *t, enum throttle how);
/* The swap-out thread finished a batch: kswapd queues more, and the
 * throttled requests go on (the swap engine's written hook). */
void kswapd_batch_written(void);
/* Whether the swap-out thread may hold victims back until they fill a
 * write (the swap engine's writes_may_wait hook). */
int kswapd_writes_may_wait(void);

#endif
