/*
 * Taking a thread out of the middle of its queue (tqueue.h), as an ended
 * or interrupted wait does; pushes and pops are inline there.
 */
#include "tqueue.h"

void tq_remove(struct thread *t)
{
	struct tqueue *q = t->queue;
	struct thread *prev = NULL;

	if (!q)
		return;
	for (struct thread *x = q->head; x; prev = x, x = x->qnext) {
		if (x != t)
			continue;
		if (prev)
			prev->qnext = t->qnext;
		else
			q->head = t->qnext;
		if (q->tail == t)
			q->tail = prev;
		break;
	}
	t->qnext = NULL;
	t->queue = NULL;
}
