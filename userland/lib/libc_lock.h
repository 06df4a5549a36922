/*
 * fork()'s hold on libc's own lock (the one malloc and atexit take), so no
 * other thread is inside malloc when the address space is copied.
 */
#ifndef USER_LIBC_LOCK_H
#define USER_LIBC_LOCK_H

/* Take libc's lock (recursive: the caller may hold it already). */
void libc_lock_hold(void);
/* Give back one hold. */
void libc_lock_release(void);
/* fork's child: the lock fork took is this thread's, with no parent thread
 * waiting for it; give fork's hold back. */
void libc_lock_fork_child(void);

#endif
