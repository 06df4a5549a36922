/*
 * System calls on processes and threads: create, exit, wait, kill, their
 * information (a process's, a thread's priority), and the root task's
 * handle grant and power-off.
 */
#ifndef KERNEL_PROCCALL_H
#define KERNEL_PROCCALL_H

#include <stdint.h>

struct thread;

int64_t sys_exit(struct thread *t, const uint64_t *a);
int64_t sys_thread_exit(struct thread *t, const uint64_t *a);
int64_t sys_thread_create(struct thread *t, const uint64_t *a);
int64_t sys_proc_wait(struct thread *t, const uint64_t *a);
int64_t sys_proc_kill(struct thread *t, const uint64_t *a);
int64_t sys_proc_create(struct thread *t, const uint64_t *a);
int64_t sys_handle_grant(struct thread *t, const uint64_t *a);
int64_t sys_poweroff(struct thread *t, const uint64_t *a);
int64_t sys_proc_info(struct thread *t, const uint64_t *a);
int64_t sys_thread_prio(struct thread *t, const uint64_t *a);

#endif
