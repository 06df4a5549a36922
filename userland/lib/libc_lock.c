/*
 * picolibc's retargetable locks (malloc, atexit, ...), so the threads of one
 * process can share libc: a recursive lock owned by a thread id over a
 * mutex (mutex.h), so a waiter sleeps while another thread holds it.
 */
#include <stdlib.h>
#include <sys/lock.h>

#include "libc_lock.h"
#include "mutex.h"
#include "sys.h"

struct __lock {
	int owner;		/* holder's tid + 1, or 0 when free */
	unsigned depth;		/* acquisitions by owner not yet released;
				 * touched only by the owner */
	struct mutex m;		/* held while owner is not 0 */
};

/* The lock libc's own code names (__LIBC_LOCK). */
struct __lock __lock___libc_recursive_mutex;

static int self(void)
{
	return sys_gettid() + 1;
}

/* Take l again if it is mine: 1 if it was. Only the owner ever stores its
 * own id, so another thread never reads it as its. */
static int lock_again(struct __lock *l, int me)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != me)
		return 0;
	l->depth++;
	return 1;
}

/* l's mutex has just been taken by me. */
static void lock_own(struct __lock *l, int me)
{
	__atomic_store_n(&l->owner, me, __ATOMIC_RELAXED);
	l->depth = 1;
}

static void lock_give(struct __lock *l)
{
	if (--l->depth != 0)
		return;
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	mutex_unlock(&l->m);
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
	if (lock_again(lock, me))
		return;
	mutex_lock(&lock->m);
	lock_own(lock, me);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	__retarget_lock_acquire(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	if (lock == NULL)
		return 1;
	int me = self();
	if (lock_again(lock, me))
		return 1;
	if (!mutex_trylock(&lock->m))
		return 0;
	lock_own(lock, me);
	return 1;
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

void libc_lock_hold(void)
{
	__retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
}

void libc_lock_release(void)
{
	__retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
}

void libc_lock_fork_child(void)
{
	struct __lock *l = &__lock___libc_recursive_mutex;

	mutex_forget_sleepers(&l->m);
	/* The child's one thread has a tid of its own: what fork's caller
	 * held besides fork's hold it holds now. Asked only then (a system
	 * call): fork's hold alone is simply given back. */
	if (l->depth > 1)
		__atomic_store_n(&l->owner, self(), __ATOMIC_RELAXED);
	lock_give(l);
}
