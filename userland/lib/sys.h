/*
 * Typed wrappers for every system call in kernel/abi/syscall.h, one each,
 * named sys_<call>. They return the kernel's result unchanged: >= 0 success,
 * < 0 a negated code from kernel/abi/errno.h (errno is not touched).
 */
#ifndef USER_SYS_H
#define USER_SYS_H

#include <stddef.h>
#include <stdint.h>

/* The ABI headers are named from the repository root: kernel/abi/errno.h
 * on the include path as "errno.h" would hide the C library's <errno.h>. */
#include "kernel/abi/errno.h"
#include "kernel/abi/handle.h"
#include "kernel/abi/kinfo.h"
#include "kernel/abi/limits.h"
#include "kernel/abi/msg.h"
#include "kernel/abi/proc.h"
#include "kernel/abi/syscall.h"
#include "kernel/abi/vm.h"

/* Anyone. */
long sys_debug_write(const char *buf, size_t len);
int sys_yield(void);
_Noreturn void sys_exit(int status);
int sys_getpid(void);
int64_t sys_clock(void);		/* nanoseconds since boot */
int sys_handle_close(int h);
_Noreturn void sys_thread_exit(void);
int sys_gettid(void);
int64_t sys_idle_ns(void);	/* time the machine slept idle since boot */
/* (type << 8) | rights of handle h (kernel/abi/handle.h), or -ERR_BADF. */
int sys_handle_info(int h);
/* The kernel's pool and object counts (kernel/abi/kinfo.h). */
int sys_kernel_info(struct kernel_info *info);

/* IPC. Every struct msg is the caller's own memory. A page of it not yet
 * there is brought in by the pager for the call; a bad pointer is
 * -ERR_FAULT and the caller lives on. */
int sys_endpoint_create(void);
int sys_send(int ep, const struct msg *m);
int sys_recv(int ep, struct msg *m);
int sys_call(int ep, struct msg *m);	/* the reply overwrites *m */
int sys_reply(const struct msg *reply);
int sys_reply_recv(int ep, const struct msg *reply, struct msg *recv);

/* Notifications. Bits returned as a long: a pending bit 63 would read as an
 * error, so senders use bits 0..62 only. */
int sys_notify_create(void);
/* The calling thread's sys_recv also returns when h is signalled: a message
 * with origin ORIGIN_NOTIFY and the bits in w[0]. h = -1 unbinds. */
int sys_notify_bind(int h);
/* Done with interrupt irq (delivered through notification `notify`). */
int sys_irq_ack(int notify, unsigned irq);
int sys_notify_signal(int h, uint64_t bits);
long sys_notify_wait(int h);		/* blocks while no bit is pending */
long sys_notify_poll(int h);		/* 0 if none pending; never blocks */
/* Signal bits on h at deadline_ns (sys_clock's time; met within a time
 * slice); one timer per (h, bits), re-arming moves it; 0 disarms. */
int sys_notify_timer(int h, int64_t deadline_ns, uint64_t bits);

/* Threads and processes. */
int sys_thread_create(int proc, uintptr_t pc, uintptr_t sp, uintptr_t arg,
		      int prio);
int sys_proc_wait(int proc, struct exit_info *info, int flags);
int sys_proc_kill(int proc, int reason);
/* Listed with the root-only calls in kernel/abi/syscall.h, but the kernel
 * answers anyone who holds a handle to proc. */
int sys_proc_info(int proc, struct proc_info *info);

/* Root task (the pager) only: anyone else gets -ERR_PERM. */
int sys_proc_create(const struct proc_spec *spec);
int sys_map(int proc, const struct map_entry *entries, size_t n);
int sys_unmap(int proc, uintptr_t va, size_t npages);
int sys_protect(int proc, uintptr_t va, size_t npages, int perm);
/* A copy of h in proc with rights, a non-empty subset of h's. */
int sys_handle_grant(int proc, int h, unsigned rights);
int sys_harvest(struct harvest_entry *entries, size_t n);
int sys_device_map(int proc, unsigned index, uintptr_t va);
int sys_irq_bind(unsigned irq, int notify, uint64_t bits);
/* If the kernel refuses (not the root task), the caller exits with status
 * instead: it never returns. Programs use poweroff() (pager_client.h). */
_Noreturn void sys_poweroff(int status);

#endif
