/*
 * More threads in the calling process. All threads of a process share its
 * one TLS block (tp), so they share errno: a thread that needs errno must not
 * race another thread's libc calls. malloc and stdio take libc's lock.
 */
#ifndef USER_THREAD_H
#define USER_THREAD_H

#include <stddef.h>

#define THREAD_STACK_MIN 4096

/* Start fn(arg) on a new thread of this process with a malloc'd stack of
 * stack_bytes and priority prio (enum prio). When fn returns the thread ends
 * (sys_thread_exit). The stack is never freed: threads are few and long-lived.
 * Returns the new thread's id, or a negated kernel/abi/errno.h code. */
int thread_spawn(void (*fn)(void *), void *arg, size_t stack_bytes, int prio);

#endif
