/*
 * picolibc's retargetable locks (malloc, atexit, ...), so the threads of one
 * process can share libc: a recursive lock owned by a thread id, waiting
 * with sys_yield while another thread holds it.
 */
#include <stdlib.h>
#include <sys/lock.h>

#include "sys.h"

struct __lock {
	int owner;		/* holder's tid + 1, or 0 when free */
	unsigned depth;		/* acquisitions by owner not yet released;
				 * touched only by the owner */
};

/* The lock libc's own code names (__LIBC_LOCK). */
struct __lock __lock___libc_recursive_mutex;

static int self(void)
{
	return sys_gettid() + 1;
}

/* Take l for me if it is free or already mine; 1 if taken. */
static int lock_take(struct __lock *l, int me)
{
	int free_owner = 0;

	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == me) {
		l->depth++;
		return 1;
	}
	if (!__atomic_compare_exchange_n(&l->owner, &free_owner, me, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	l->depth = 1;
	return 1;
}

static void lock_give(struct __lock *l)
{
	if (--l->depth == 0)
		__atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
}

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(**lock));	/* NULL: the lock does nothing */
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock == NULL)
		return;
	int me = self();
	while (!lock_take(lock, me))
		sys_yield();
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	__retarget_lock_acquire(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return lock == NULL || lock_take(lock, self());
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return __retarget_lock_try_acquire(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock != NULL)
		lock_give(lock);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	__retarget_lock_release(lock);
}
