/*
 * lwIP's timers as netd runs them at each tick (netd.c), and the mend of
 * a state a peer can drive lwIP 2.1.3 into that its timer would take for
 * a fault of its own and end netd for.
 */
#ifndef NETD_TCP_TIMERS_H
#define NETD_TCP_TIMERS_H

/* lwIP's due timers (retransmissions, ACKs, the persist timer), run in
 * memalloc context (netd_mem.h: what they send may use the reserve),
 * after netd_tcp_persist_mend. */
void netd_tcp_timers(void);

/* Stop the persist timer of every pcb that has nothing left to send.
 * lwIP 2.1.3 starts it when a retransmission finds the peer's window
 * closed (the retransmitted data back on the unsent queue, nothing in
 * flight) but does not stop it when the peer then acknowledges all that
 * data, window still closed: the queue is empty, and its slow timer's
 * assertion (persist ticking with empty send buffer) ends netd, the swap
 * connection with it. Probing a window with nothing to send is no use,
 * and tcp_output starts the timer again when data waits. */
void netd_tcp_persist_mend(void);

#endif
