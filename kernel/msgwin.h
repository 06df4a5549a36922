/*
 * A thread's windows on its message buffers (thread.h's struct msg_window):
 * where the IPC fast path finds a buffer's header in the direct map by a
 * look, without checking and translating the address again.
 */
#ifndef KERNEL_MSGWIN_H
#define KERNEL_MSGWIN_H

#include "thread.h"
#include "proc.h"

/* Check t's message buffer at va again and remember the answer in its
 * window w: the header's kernel address, or NULL. Out of line, so that a
 * hit in msg_at() saves no registers. */
struct msg *msgwin_refill(struct thread *t, struct msg_window *w, uint64_t va, int write);

/* Whether t's window w holds its buffer at va (gen is never 0 with no
 * header: msgwin_refill sets it only with kva, and no pt_gen is 0). */
static inline int msg_window_holds(const struct thread *t, const struct msg_window *w, uint64_t va)
{
	return w->va == va && w->gen == t->proc->pt_gen;
}

/* Whether msg_seen() would find t's buffer at va, without loading the
 * header's address: for the fast path's checks of a buffer it does not
 * touch now. */
static inline int msg_known(const struct thread *t, uint64_t va, int write)
{
	return msg_window_holds(t, &t->win[write], va);
}

/* msg_at() without the refill: NULL on a miss too. No call. */
static inline struct msg *msg_seen(struct thread *t, uint64_t va, int write)
{
	struct msg_window *w = &t->win[write];

	return msg_window_holds(t, w, va) ? w->kva : NULL;
}

/* The header of t's message buffer at va, if the whole struct msg is
 * memory t may read (write: and write) and the header lies in one page:
 * from t's window while its page table is as it was. */
static inline struct msg *msg_at(struct thread *t, uint64_t va, int write)
{
	struct msg *m = msg_seen(t, va, write);

	return m ? m : msgwin_refill(t, &t->win[write], va, write);
}

#endif
