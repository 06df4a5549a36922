/*
 * What wakes a service thread waiting for its next request, besides a
 * request: the deaths, for the first thread (its disk notification, bound
 * to it for good: service_loop); and, for any thread while it has a direct
 * write left in flight (swap.h's swap_out_left_of), its disk's completions,
 * so that it settles the write (reclaim_after_request) once the device
 * answers it or gives up, not only when it next serves a request, which
 * may be long in coming: until then the write's batch holds its frames (up
 * to SWAP_OUT_BATCH) and their slots.
 */
#ifndef PAGER_SERVER_IDLE_H
#define PAGER_SERVER_IDLE_H

struct pager_thread;

/* Service thread t (the caller), its request served, will wait for its
 * next: its disk notification bound to it while it has a write left (its
 * receive then ends with the completion bits as a message), and not
 * otherwise, so that stray completion bits (netd's as an outage begins,
 * one that came after its wait) stay for its next wait for the disk,
 * which looks at the requests' states anyway, rather than wake it for
 * nothing. A system call only when that changes; with no write left by
 * any thread and t's disk not bound here, two loads. Lock held. */
void idle_hear_left(struct pager_thread *t);

#endif
