/*
 * The end of a thread: what it undoes in IPC, notifications, its process
 * and the scheduler. Above all of them; thread.c, below, keeps the records.
 */
#ifndef KERNEL_THREAD_END_H
#define KERNEL_THREAD_END_H

struct thread;

/* Take t off every queue, break its IPC links and free it. */
void thread_end(struct thread *t);

#endif
