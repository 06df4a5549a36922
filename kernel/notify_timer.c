/*
 * Timers live in their process's record; the armed ones are linked on one
 * list, checked at every timer tick. An armed timer holds a reference to
 * its notification until it fires, is disarmed, or its process ends.
 */
#include "notify_timer.h"
#include "notify.h"
#include "handle.h"
#include "thread.h"
#include "proc.h"
#include "abi/errno.h"
#include "abi/handle.h"

static struct notify_timer *armed;
static uint64_t narmed;

static void link(struct notify_timer *tm)
{
	tm->next = armed;
	armed = tm;
	narmed++;
}

static void unlink(struct notify_timer *tm)
{
	struct notify_timer **pp = &armed;

	while (*pp && *pp != tm)
		pp = &(*pp)->next;
	if (*pp)
		*pp = tm->next;
	tm->next = NULL;
	narmed--;
}

/* Take tm off the list and let its notification go. */
static void disarm(struct notify_timer *tm)
{
	struct notify *n = tm->n;

	unlink(tm);
	tm->n = NULL;
	object_put(&n->obj);
}

/* The first armed timer whose deadline has passed, or NULL. */
static struct notify_timer *first_due(uint64_t now_ns)
{
	struct notify_timer *tm = armed;

	while (tm && tm->deadline > now_ns)
		tm = tm->next;
	return tm;
}

/* Each due timer is looked for from the head again once the one before
 * has fired: signalling runs other code (a delivery to a bound thread),
 * and a timer kept from before it could have been disarmed since, its
 * process's record freed. Each fired timer leaves the list, so the loop
 * ends. */
void notify_timer_tick(uint64_t now_ns)
{
	struct notify_timer *tm;

	while ((tm = first_due(now_ns))) {
		struct notify *n = tm->n;
		uint64_t bits = tm->bits;
		object_get(&n->obj);	/* disarm may drop the last reference */
		disarm(tm);
		notify_signal(n, bits);
		object_put(&n->obj);
	}
}

void notify_timers_release(struct proc *p)
{
	for (int i = 0; i < NOTIFY_TIMERS_PER_PROC; i++)
		if (p->timers[i].n)
			disarm(&p->timers[i]);
}

uint64_t notify_timers_armed(void)
{
	return narmed;
}

/* p's timer for (n, bits), or else a free one of p's (NULL: none). */
static struct notify_timer *find(struct proc *p, const struct notify *n, uint64_t bits)
{
	struct notify_timer *free = NULL;

	for (int i = 0; i < NOTIFY_TIMERS_PER_PROC; i++) {
		struct notify_timer *tm = &p->timers[i];
		if (tm->n == n && tm->bits == bits)
			return tm;
		if (!tm->n && !free)
			free = tm;
	}
	return free;
}

int64_t sys_notify_timer(struct thread *t, const uint64_t *a)
{
	struct object *o;
	uint64_t deadline = a[1], bits = a[2];
	struct notify_timer *tm;
	int r = handle_lookup(t->proc, a[0], OBJ_NOTIFY, RIGHT_RECV, &o);

	if (r < 0)
		return r;
	if (!bits || (bits & ~NOTIFY_BITS_MASK))
		return -ERR_INVAL;
	tm = find(t->proc, (struct notify *)o, bits);
	if (deadline == 0) {
		if (!tm || !tm->n)
			return 1;	/* none armed: it may have fired */
		disarm(tm);
		return 0;
	}
	if (!tm)
		return -ERR_NOMEM;
	if (!tm->n) {
		object_get(o);
		tm->n = (struct notify *)o;
		tm->bits = bits;
		link(tm);
	}
	tm->deadline = deadline;
	return 0;
}
