/*
 * The IPC wrappers that choose a message's form (kernel/abi/msg.h): a
 * header-only message goes in registers, the kernel touching no user memory
 * for it; one with data or a handle goes in memory. Either way what arrives
 * is stored in the caller's struct msg, so programs see one form. The
 * register-form calls have no wrappers of their own (syscalls.list): one
 * could only drop a message that does not fit the registers.
 */
#include <stddef.h>

#include "sys.h"
#include "syscall.h"	/* this directory's: sys_ecall() */

_Static_assert(offsetof(struct msg, tid) == 12 && offsetof(struct msg, origin) == 16 &&
	       offsetof(struct msg, len) == 20 && offsetof(struct msg, handle) == 24 &&
	       offsetof(struct msg, rights) == 28, "the stamps' words in store_received()");

/* Whether m can travel in registers: no data, no handle. */
static int header_only(const struct msg *m)
{
	return m->len == 0 && m->handle == -1;
}

/* Store a message received in registers (abi/msg.h: r[] = label and w[]
 * from a2..a6, t0, t1, then pid | tid << 32 from a1, origin from a7) in m.
 * pid, tid, origin, len, handle and rights go as three words: a1's word is
 * pid and tid already, a7's origin with len 0, then handle -1, rights 0. */
static void store_received(struct msg *m, const uint64_t r[9])
{
	typedef uint64_t __attribute__((may_alias)) word;
	word *stamps = (word *)(void *)&m->pid;
	uint64_t none;			/* handle -1, rights 0 */

	/* 0xffffffff made here: else GCC derives it from the -1 header_only()
	 * compared against, kept in a saved register across the ecall, and
	 * the wrapper needs a frame. volatile: kept after the ecall, where it
	 * is written, not hoisted where its register must be saved. */
	__asm__ volatile("li %0, -1\n\tsrli %0, %0, 32" : "=r"(none));
	m->label = r[0];
	stamps[0] = r[7];
	stamps[1] = r[8];
	stamps[2] = none;
	m->w[0] = r[1];		/* word by word: a loop would become a memcpy call */
	m->w[1] = r[2];
	m->w[2] = r[3];
	m->w[3] = r[4];
	m->w[4] = r[5];
	m->w[5] = r[6];
}

/* System call n of the register form on ep with buffer buf, sending out's
 * label and w[] (out NULL: nothing sent). A message received in registers
 * is stored in buf, whole; the result is the call's. */
__attribute__((always_inline)) static inline int ecall_regs(long n, int ep, struct msg *buf,
							     const struct msg *out)
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
			 : "t3", "t4", "t5", "t6", "memory");	/* t2 is kept */
	if (a0 != MSG_IN_REGS)
		return (int)a0;
	store_received(buf, (const uint64_t[]){ a2, a3, a4, a5, a6, t0, t1, a1, a7 });
	return 0;
}

int sys_call(int ep, struct msg *m)
{
	if (header_only(m))
		return ecall_regs(SYS_CALL_REGS, ep, m, m);
	return (int)sys_ecall(SYS_CALL, ep, (long)m, 0, 0, 0, 0);
}

int sys_recv(int ep, struct msg *m)
{
	return ecall_regs(SYS_RECV_REGS, ep, m, NULL);
}

int sys_reply_recv(int ep, const struct msg *reply, struct msg *recv)
{
	if (header_only(reply))
		return ecall_regs(SYS_REPLY_RECV_REGS, ep, recv, reply);
	return (int)sys_ecall(SYS_REPLY_RECV, ep, (long)reply, (long)recv, 0, 0, 0);
}
