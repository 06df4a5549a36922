/*
 * The IPC wrappers that choose a message's form (kernel/abi/msg.h): a
 * header-only message goes in registers, the kernel touching no user memory
 * for it; one with data or a handle goes in memory. Either way what arrives
 * is stored in the caller's struct msg, so programs see one form.
 */
#include "sys.h"
#include "syscall.h"	/* this directory's: sys_ecall() */

/* Whether m can travel in registers: no data, no handle. */
static int header_only(const struct msg *m)
{
	return m->len == 0 && m->handle == -1;
}

/* System call n of the register form on ep with buffer buf, sending out's
 * label and w[] (out NULL: nothing sent). A message received in registers
 * is stored in buf, whole; the result is the call's. */
static int ecall_regs(long n, int ep, struct msg *buf, const struct msg *out)
{
	static const struct msg none;
	const struct msg *o = out ? out : &none;
	register long a0 __asm__("a0") = ep;
	register uint64_t a1 __asm__("a1") = (uint64_t)buf;
	register uint64_t a2 __asm__("a2") = o->label;
	register uint64_t a3 __asm__("a3") = o->w[0];
	register uint64_t a4 __asm__("a4") = o->w[1];
	register uint64_t a5 __asm__("a5") = o->w[2];
	register uint64_t a6 __asm__("a6") = o->w[3];
	register uint64_t t0 __asm__("t0") = o->w[4];
	register uint64_t t1 __asm__("t1") = o->w[5];
	register uint64_t a7 __asm__("a7") = (uint64_t)n;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5),
			   "+r"(a6), "+r"(a7), "+r"(t0), "+r"(t1)
			 :
			 : "t2", "t3", "t4", "t5", "t6", "memory");
	if (a0 != MSG_IN_REGS)
		return (int)a0;
	buf->label = a1;
	buf->pid = (uint32_t)t0;
	buf->tid = (uint32_t)(t0 >> 32);
	buf->origin = (uint32_t)t1;
	buf->len = 0;
	buf->handle = -1;
	buf->rights = 0;
	buf->w[0] = a2;
	buf->w[1] = a3;
	buf->w[2] = a4;
	buf->w[3] = a5;
	buf->w[4] = a6;
	buf->w[5] = a7;
	return 0;
}

int sys_call_regs(int ep, struct msg *m)
{
	return ecall_regs(SYS_CALL_REGS, ep, m, m);
}

int sys_recv_regs(int ep, struct msg *m)
{
	return ecall_regs(SYS_RECV_REGS, ep, m, NULL);
}

int sys_reply_recv_regs(int ep, const struct msg *reply, struct msg *recv)
{
	return ecall_regs(SYS_REPLY_RECV_REGS, ep, recv, reply);
}

int sys_call(int ep, struct msg *m)
{
	if (header_only(m))
		return sys_call_regs(ep, m);
	return (int)sys_ecall(SYS_CALL, ep, (long)m, 0, 0, 0, 0);
}

int sys_recv(int ep, struct msg *m)
{
	return sys_recv_regs(ep, m);
}

int sys_reply_recv(int ep, const struct msg *reply, struct msg *recv)
{
	if (header_only(reply))
		return sys_reply_recv_regs(ep, reply, recv);
	return (int)sys_ecall(SYS_REPLY_RECV, ep, (long)reply, (long)recv, 0, 0, 0);
}
