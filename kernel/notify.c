/*
 * Notifications: asynchronous bits. Signalling never blocks; one thread at
 * a time may wait, and it takes every pending bit when it wakes.
 */
#include "notify.h"
#include "thread.h"
#include "proc.h"
#include "handle.h"
#include "budget_caches.h"
#include "tqueue.h"
#include "delivery.h"
#include "klib.h"
#include "abi/errno.h"
#include "abi/handle.h"

_Static_assert((NOTIFY_BITS_MASK & (uint64_t)SYSCALL_BLOCKED) == 0,
	       "a wait's bits are never taken for \"blocked\"");

static struct budget_kind notify_kind = { .global = { .name = "notify", .size = sizeof(struct notify) },
					   .index = BUDGET_NOTIFIES };

struct notify *notify_create(struct budget *budget)
{
	struct notify *n = budget_kind_alloc(budget, &notify_kind);

	if (!n)
		return NULL;
	n->obj.type = OBJ_NOTIFY;
	n->budget = budget;
	return n;
}

/* What else goes with a notification's last receiving handle: device.c's
 * hook, its interrupt bindings (device.c is above this file). */
static object_fn *drop_interrupts;

void notify_on_orphaned(object_fn *fn)
{
	drop_interrupts = fn;
}

/* n's waiter, if it has one, leaves its wait with result r. */
static void wake_waiter(struct notify *n, int64_t r)
{
	struct thread *w = n->waiter;

	if (!w)
		return;
	n->waiter = NULL;
	w->blocked_notify = NULL;
	thread_wake(w, r);
}

/* The last handle that may wait on n closed (another thread of the
 * waiter's process closed it): every signal is -ERR_PIPE from now on, so a
 * thread still waiting would wait for ever. It fails as an endpoint's
 * receivers do. */
static void notify_orphaned(struct object *o)
{
	struct notify *n = (struct notify *)o;

	wake_waiter(n, -ERR_PIPE);
	if (drop_interrupts)
		drop_interrupts(o);
}

static void notify_free(struct object *o)
{
	struct notify *n = (struct notify *)o;

	if (n->bound)
		n->bound->bound = NULL;	/* cannot happen: the binding holds a ref */
	wake_waiter(n, -ERR_PIPE);	/* cannot happen: notify_orphaned woke it */
	budget_kind_free(n->budget, &notify_kind, n);
}

void notify_init(void)
{
	object_on_free(OBJ_NOTIFY, notify_free);
	object_on_orphaned(OBJ_NOTIFY, notify_orphaned);
}

void notify_message(struct msg *k, uint64_t bits)
{
	memset(k, 0, MSG_HEADER_SIZE);
	k->origin = ORIGIN_NOTIFY;
	k->handle = -1;
	k->w[0] = bits;
}

/* t, blocked in recv on an endpoint, is taken off it and gets the bits of
 * its bound notification as a message. */
static void give_bound(struct thread *t, uint64_t bits)
{
	static struct msg k;

	tq_remove(t);
	t->blocked_ep = NULL;
	notify_message(&k, bits);
	delivery_to(t, &k);
}

void notify_signal(struct notify *n, uint64_t bits)
{
	int64_t taken;

	n->bits |= bits & NOTIFY_BITS_MASK;
	if (!n->bits)
		return;
	if (!n->waiter && n->bound && n->bound->state == T_RECV) {
		/* The bound thread waits for a message: this is one. */
		give_bound(n->bound, n->bits);
		n->bits = 0;
		return;
	}
	if (!n->waiter)
		return;
	taken = (int64_t)n->bits;
	n->bits = 0;
	wake_waiter(n, taken);
}

/* The notification h names, if t may use it for `need`. */
static int lookup(struct thread *t, uint64_t h, uint32_t need, struct notify **n)
{
	struct object *o;
	int r = handle_lookup(t->proc, h, OBJ_NOTIFY, need, &o);

	*n = r == 0 ? (struct notify *)o : NULL;
	return r;
}

uint64_t notify_count(void)
{
	return notify_kind.live;
}

int64_t sys_notify_create(struct thread *t, const uint64_t *a)
{
	/* Its maker pays, as for an endpoint (ipc.c). */
	struct notify *n = notify_create(t->proc->budget);
	int h;

	(void)a;
	if (!n)
		return -ERR_NOMEM;
	h = handle_install(t->proc, &n->obj, RIGHTS_ALL);
	if (h < 0)
		notify_free(&n->obj);
	return h;
}

int64_t sys_notify_signal(struct thread *t, const uint64_t *a)
{
	struct notify *n;
	int r = lookup(t, a[0], RIGHT_SEND, &n);

	if (r < 0)
		return r;
	/* As for an endpoint: no one could ever take the bits. A server
	 * learns this way that a client which gave it a notification is gone. */
	if (n->obj.receivers == 0)
		return -ERR_PIPE;
	notify_signal(n, a[1]);
	return 0;
}

int64_t sys_notify_wait(struct thread *t, const uint64_t *a)
{
	struct notify *n;
	int64_t bits;
	int r = lookup(t, a[0], RIGHT_RECV, &n);

	if (r < 0)
		return r;
	if (n->bits) {
		bits = (int64_t)n->bits;
		n->bits = 0;
		return bits;
	}
	if (n->waiter)
		return -ERR_BUSY;
	n->waiter = t;
	t->blocked_notify = n;
	t->state = T_NOTIFY;
	return SYSCALL_BLOCKED;
}

int64_t sys_notify_poll(struct thread *t, const uint64_t *a)
{
	struct notify *n;
	int64_t bits;
	int r = lookup(t, a[0], RIGHT_RECV, &n);

	if (r < 0)
		return r;
	bits = (int64_t)n->bits;
	n->bits = 0;
	return bits;
}

uint64_t notify_take_bound(struct thread *t)
{
	uint64_t bits;

	if (!t->bound)
		return 0;
	bits = t->bound->bits;
	t->bound->bits = 0;
	return bits;
}

void notify_unbind(struct thread *t)
{
	if (!t->bound)
		return;
	t->bound->bound = NULL;
	object_put(&t->bound->obj);
	t->bound = NULL;
}

int64_t sys_notify_bind(struct thread *t, const uint64_t *a)
{
	struct notify *n;
	int r;

	if (a[0] == ~0UL) {
		notify_unbind(t);
		return 0;
	}
	if ((r = lookup(t, a[0], RIGHT_RECV, &n)) < 0)
		return r;
	if (n->bound && n->bound != t)
		return -ERR_BUSY;
	notify_unbind(t);
	object_get(&n->obj);
	n->bound = t;
	t->bound = n;
	return 0;
}
