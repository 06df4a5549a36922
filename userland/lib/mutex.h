/*
 * The lock every thread-shared part of the runtime takes (libc's lock, the
 * console lines, the child table): a word that says held, and a mask of the
 * threads asleep for it. A thread that finds it held sleeps on a kernel
 * notification of its own until the holder lets go, so a holder of lower
 * priority gets the processor (the scheduler always runs the highest ready
 * priority: a waiter that only yielded would run instead of it for ever).
 */
#ifndef USER_MUTEX_H
#define USER_MUTEX_H

#include <stdint.h>

struct mutex {
	int held;		/* 0 free, 1 held */
	uint64_t sleepers;	/* bit i: the thread of wait slot i sleeps for it */
};

#define MUTEX_INIT { 0, 0 }

void mutex_lock(struct mutex *m);
/* Take m if it is free: 1 if taken, else 0. */
int mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

/* fork's child, whose one thread holds m because fork took it before the
 * copy: forget the sleepers (threads of the parent's), so that unlocking
 * it wakes no one. */
void mutex_forget_sleepers(struct mutex *m);

/* fork's child: forget the parent's threads' wait slots (their
 * notifications are handles of the parent's). Before any mutex is used. */
void mutex_forget_slots(void);

/* The calling thread ends: its wait slot (and its notification, kept for
 * the next thread to use it) is free for another. */
void mutex_thread_exit(void);

#endif
