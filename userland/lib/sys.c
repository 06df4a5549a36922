/*
 * The system-call wrappers declared in sys.h: each hands its arguments to
 * sys_ecall() under its number from kernel/abi/syscall.h. A bad pointer
 * is the kernel's to refuse: the wrappers never touch the memory themselves.
 */
#include <stddef.h>

#include "sys.h"
#include "syscall.h"	/* this directory's: sys_ecall() */

_Static_assert(SYS_COUNT == 51,
	       "the system-call list changed: update sys.h and sys.c");
_Static_assert(offsetof(struct msg, data) == MSG_HEADER_SIZE,
	       "struct msg header size disagrees with MSG_HEADER_SIZE");

static long call0(long n)
{
	return sys_ecall(n, 0, 0, 0, 0, 0, 0);
}

static long call1(long n, long a0)
{
	return sys_ecall(n, a0, 0, 0, 0, 0, 0);
}

static long call2(long n, long a0, long a1)
{
	return sys_ecall(n, a0, a1, 0, 0, 0, 0);
}

static long call3(long n, long a0, long a1, long a2)
{
	return sys_ecall(n, a0, a1, a2, 0, 0, 0);
}

long sys_debug_write(const char *buf, size_t len)
{
	return call2(SYS_DEBUG_WRITE, (long)buf, (long)len);
}

int sys_yield(void)
{
	return (int)call0(SYS_YIELD);
}

_Noreturn void sys_exit(int status)
{
	call1(SYS_EXIT, status);
	__builtin_trap();	/* exit never returns; if it did, die visibly */
}

int sys_getpid(void)
{
	return (int)call0(SYS_GETPID);
}

int64_t sys_clock(void)
{
	return call0(SYS_CLOCK);
}

int sys_handle_close(int h)
{
	return (int)call1(SYS_HANDLE_CLOSE, h);
}

_Noreturn void sys_thread_exit(void)
{
	call0(SYS_THREAD_EXIT);
	__builtin_trap();
}

int64_t sys_idle_ns(void)
{
	return call0(SYS_IDLE_NS);
}

int sys_handle_info(int h)
{
	return (int)call1(SYS_HANDLE_INFO, h);
}

int sys_kernel_info(struct kernel_info *info)
{
	return (int)call1(SYS_KERNEL_INFO, (long)info);
}

int sys_gettid(void)
{
	return (int)call0(SYS_GETTID);
}

int sys_endpoint_create(void)
{
	return (int)call0(SYS_ENDPOINT_CREATE);
}

int sys_send(int ep, const struct msg *m)
{
	return (int)call2(SYS_SEND, ep, (long)m);
}

int sys_recv(int ep, struct msg *m)
{
	return (int)call2(SYS_RECV, ep, (long)m);
}

int sys_call(int ep, struct msg *m)
{
	return (int)call2(SYS_CALL, ep, (long)m);
}

int sys_reply(const struct msg *reply)
{
	return (int)call1(SYS_REPLY, (long)reply);
}

int sys_reply_recv(int ep, const struct msg *reply, struct msg *recv)
{
	return (int)call3(SYS_REPLY_RECV, ep, (long)reply, (long)recv);
}

int sys_notify_create(void)
{
	return (int)call0(SYS_NOTIFY_CREATE);
}

int sys_notify_signal(int h, uint64_t bits)
{
	return (int)call2(SYS_NOTIFY_SIGNAL, h, (long)bits);
}

long sys_notify_wait(int h)
{
	return call1(SYS_NOTIFY_WAIT, h);
}

long sys_notify_poll(int h)
{
	return call1(SYS_NOTIFY_POLL, h);
}

int sys_thread_create(int proc, uintptr_t pc, uintptr_t sp, uintptr_t arg,
		      int prio)
{
	return (int)sys_ecall(SYS_THREAD_CREATE, proc, (long)pc, (long)sp,
			      (long)arg, prio, 0);
}

int sys_proc_wait(int proc, struct exit_info *info, int flags)
{
	return (int)call3(SYS_PROC_WAIT, proc, (long)info, flags);
}

int sys_proc_kill(int proc, int reason)
{
	return (int)call2(SYS_PROC_KILL, proc, reason);
}

int sys_proc_create(const struct proc_spec *spec)
{
	return (int)call1(SYS_PROC_CREATE, (long)spec);
}

int sys_map(int proc, const struct map_entry *entries, size_t n)
{
	return (int)call3(SYS_MAP, proc, (long)entries, (long)n);
}

int sys_unmap(int proc, uintptr_t va, size_t npages)
{
	return (int)call3(SYS_UNMAP, proc, (long)va, (long)npages);
}

int sys_protect(int proc, uintptr_t va, size_t npages, int perm)
{
	return (int)sys_ecall(SYS_PROTECT, proc, (long)va, (long)npages, perm,
			      0, 0);
}

int sys_handle_grant(int proc, int h, unsigned rights)
{
	return (int)call3(SYS_HANDLE_GRANT, proc, h, rights);
}

int sys_notify_bind(int h)
{
	return (int)call1(SYS_NOTIFY_BIND, h);
}

int sys_notify_timer(int h, int64_t deadline_ns, uint64_t bits)
{
	return (int)call3(SYS_NOTIFY_TIMER, h, (long)deadline_ns, (long)bits);
}

int sys_irq_ack(int notify, unsigned irq)
{
	return (int)call2(SYS_IRQ_ACK, notify, (long)irq);
}

int sys_device_map(int proc, unsigned index, uintptr_t va)
{
	return (int)call3(SYS_DEVICE_MAP, proc, (long)index, (long)va);
}

int sys_irq_bind(unsigned irq, int notify, uint64_t bits)
{
	return (int)call3(SYS_IRQ_BIND, (long)irq, notify, (long)bits);
}

int sys_harvest(struct harvest_entry *entries, size_t n)
{
	return (int)call2(SYS_HARVEST, (long)entries, (long)n);
}

int sys_proc_info(int proc, struct proc_info *info)
{
	return (int)call2(SYS_PROC_INFO, proc, (long)info);
}

_Noreturn void sys_poweroff(int status)
{
	call1(SYS_POWEROFF, status);
	sys_exit(status);	/* refused: we are not the root task */
}
