/*
 * Notifications: a word of pending bits that signallers OR in and one
 * waiter takes out. Used for wake-ups between threads, process deaths,
 * interrupts, timers and the pager's memory-pressure events.
 */
#ifndef KERNEL_NOTIFY_H
#define KERNEL_NOTIFY_H

#include <stdint.h>
#include "object.h"
#include "thread.h"

/* Bit 63 is reserved so a result is never mistaken for a negative error. */
#define NOTIFY_BITS_MASK 0x7fffffffffffffffULL

struct budget;

struct notify {
	struct object obj;
	uint64_t bits;
	struct thread *waiter;		/* in notify_wait on it */
	struct thread *bound;		/* its recv also wakes for these bits */
	struct budget *budget;		/* charged for it (a reference), or NULL */
};

/* At boot: how a notification is freed and orphaned (object.h). */
void notify_init(void);
/* At boot: what else goes when a notification's last handle that may wait
 * on it closes (device.c's interrupt bindings); its waiter fails here. */
void notify_on_orphaned(object_fn *fn);
/* A notification charged to budget (NULL: none), or NULL: past its
 * limit, or the pool is empty. */
struct notify *notify_create(struct budget *budget);
void notify_signal(struct notify *n, uint64_t bits);
/* Notifications alive now (SYS_KERNEL_INFO). */
uint64_t notify_count(void);

int64_t sys_notify_create(struct thread *t, const uint64_t *a);
int64_t sys_notify_signal(struct thread *t, const uint64_t *a);
int64_t sys_notify_wait(struct thread *t, const uint64_t *a);
int64_t sys_notify_poll(struct thread *t, const uint64_t *a);
int64_t sys_notify_bind(struct thread *t, const uint64_t *a);
/* t is going away: undo its binding. */
void notify_unbind(struct thread *t);
/* 1 if t's bound notification has bits pending (its recv returns them).
 * Inline: the IPC fast path asks at every reply_recv. */
static inline int notify_bound_pending(const struct thread *t)
{
	return t->bound && t->bound->bits;
}
/* Write into k the message that a bound notification fired with bits
 * (origin ORIGIN_NOTIFY, w[0] = bits, from no one): what its thread's
 * recv returns. */
void notify_message(struct msg *k, uint64_t bits);
/* Take the pending bits of t's bound notification (0 if none). */
uint64_t notify_take_bound(struct thread *t);

#endif
