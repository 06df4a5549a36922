/*
 * Background reclaim: the kswapd thread, woken when free frames fall to the
 * start mark, queues victims for the swap-out thread until the stop mark is
 * in sight; and the requests throttled while those writes are in flight.
 */
#ifndef PAGER_RECLAIM_KSWAPD_H
#define PAGER_RECLAIM_KSWAPD_H

struct pager_thread;

int kswapd_start(void);
/* Wake kswapd, once per run of it. */
void kswapd_wake(void);
/* Service thread t waits, the lock let go, until the swap-out thread
 * finishes its next batch (kswapd woken first). */
void kswapd_throttle(struct pager_thread *t);
/* The swap-out thread finished a batch: kswapd queues more, and the
 * throttled requests go on (the swap engine's written hook). */
void kswapd_batch_written(void);
/* Whether the swap-out thread may hold victims back until they fill a
 * write (the swap engine's writes_may_wait hook). */
int kswapd_writes_may_wait(void);

#endif
