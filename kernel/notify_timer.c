/*
 * A small table of armed timers, each holding a reference to its
 * notification until it fires or is disarmed, checked at every timer tick.
 * Sixteen are enough for the pager's service threads and a few programs.
 */
#include "notify_timer.h"
#include "notify.h"
#include "handle.h"
#include "thread.h"
#include "proc.h"
#include "abi/errno.h"

struct timer {
	struct notify *n;	/* NULL: free */
	int root;		/* armed by the root task */
	uint64_t bits;
	uint64_t deadline;
};

static struct timer timers[NOTIFY_TIMERS];

void notify_timer_tick(uint64_t now_ns)
{
	for (int i = 0; i < NOTIFY_TIMERS; i++) {
		struct timer *tm = &timers[i];
		struct notify *n = tm->n;
		if (!n || tm->deadline > now_ns)
			continue;
		tm->n = NULL;
		notify_signal(n, tm->bits);
		object_put(&n->obj);
	}
}

static struct timer *find(const struct notify *n, uint64_t bits)
{
	for (int i = 0; i < NOTIFY_TIMERS; i++)
		if (timers[i].n == n && timers[i].bits == bits)
			return &timers[i];
	return NULL;
}

/* A free timer, if the caller may take one more. */
static struct timer *free_timer(int root)
{
	struct timer *free = NULL;
	int user = 0;

	for (int i = 0; i < NOTIFY_TIMERS; i++) {
		user += timers[i].n && !timers[i].root;
		if (!timers[i].n && !free)
			free = &timers[i];
	}
	return root || user < NOTIFY_TIMERS_USER ? free : NULL;
}

int64_t sys_notify_timer(struct thread *t, const uint64_t *a)
{
	struct notify *n = (struct notify *)handle_get(t->proc, a[0], OBJ_NOTIFY);
	uint64_t deadline = a[1], bits = a[2];
	struct timer *tm;

	if (!n)
		return -ERR_BADF;
	if (!bits || (bits & ~NOTIFY_BITS_MASK))
		return -ERR_INVAL;
	tm = find(n, bits);
	if (deadline == 0) {
		if (tm) {
			tm->n = NULL;
			object_put(&n->obj);
		}
		return 0;
	}
	if (!tm) {
		if (!(tm = free_timer(t->proc->is_root)))
			return -ERR_NOMEM;
		object_get(&n->obj);
		tm->n = n;
		tm->bits = bits;
		tm->root = t->proc->is_root;
	}
	tm->deadline = deadline;
	return 0;
}
