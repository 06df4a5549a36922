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
 * (thread_exit). The stack is never freed: threads are few and long-lived.
 * Returns the new thread's id, or a negated kernel/abi/errno.h code. */
int thread_spawn(void (*fn)(void *), void *arg, size_t stack_bytes, int prio);

/* End the calling thread. The last of the threads that end this way (the
 * first thread and those thread_spawn made) ends the process as exit(0)
 * does: partial lines written, atexit handlers run. A thread that calls
 * sys_thread_exit itself skips this and is counted as live for ever. */
_Noreturn void thread_exit(void);

/* 1 while the process has no thread but the caller's, counting the first
 * thread and those thread_spawn made (one a program made with
 * sys_thread_create itself is not counted), else 0. */
int thread_only_one(void);

/* fork's child: its one thread is the only one live. */
void thread_fork_child(void);

#endif
