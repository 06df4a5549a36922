/*
 * Whether lwIP 2.1.3's tcp_write may be called on a pcb now without
 * misplacing the bytes it queues.
 */
#ifndef NETD_TCP_APPEND_H
#define NETD_TCP_APPEND_H

#include <stdbool.h>

struct tcp_pcb;

/* tcp_write appends new bytes to the last segment of the unsent queue,
 * taking its end for the stream's. A fast retransmission (tcp_rexmit)
 * puts an old segment back on that queue, sorted, so with nothing else
 * unsent the old one is last until tcp_output sends it again (at the end
 * of tcp_input, or once the peer's window opens): bytes written meanwhile
 * (from a sent or received callback, as the swap link's pump; or by a
 * call while the window is shut) would go out under the old segment's
 * sequence numbers, over bytes already sent, and the peer would take
 * either. False while the last unsent segment does not end where the
 * next byte written goes (snd_lbb): write later, once it has gone. */
bool netd_tcp_appendable(const struct tcp_pcb *pcb);

#endif
