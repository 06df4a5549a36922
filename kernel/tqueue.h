/*
 * Queues of threads, linked through the threads' own records: a thread is
 * on at most one (a run queue, an endpoint's senders or receivers, a
 * process's waiters) and knows which.
 */
#ifndef KERNEL_TQUEUE_H
#define KERNEL_TQUEUE_H

#include "thread.h"

struct tqueue {
	struct thread *head, *tail;
};

/* Queue operations, inline: the IPC fast path does one of each per
 * message, and a call would cost it a frame. */
static inline void tq_push(struct tqueue *q, struct thread *t)
{
	t->qnext = NULL;
	t->queue = q;
	if (q->tail)
		q->tail->qnext = t;
	else
		q->head = t;
	q->tail = t;
}

static inline struct thread *tq_pop(struct tqueue *q)
{
	struct thread *t = q->head;

	if (!t)
		return NULL;
	q->head = t->qnext;
	if (!q->head)
		q->tail = NULL;
	t->qnext = NULL;
	t->queue = NULL;
	return t;
}

void tq_remove(struct thread *t);	/* off whatever queue it is on */

#endif
