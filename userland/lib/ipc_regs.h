/*
 * The register-form system call (kernel/abi/msg.h), inline, for the IPC
 * wrappers (ipc.c) and for a server loop that reads a message where the
 * receive left it rather than from its struct msg (the pager's faults).
 */
#ifndef USER_IPC_REGS_H
#define USER_IPC_REGS_H

#include <stdint.h>
#include "kernel/abi/msg.h"

/* Whether m can travel in registers: no data, no handle. */
static inline int msg_header_only(const struct msg *m)
{
	return m->len == 0 && m->handle == -1;
}

/* A message received in registers: label and w[] from a2..a6, t0, t1,
 * pid | tid << 32 from a1, origin from a7 (len 0, handle -1, rights 0). */
struct msg_regs {
	uint64_t label;
	uint64_t w[MSG_WORDS];
	uint64_t ids;
	uint64_t origin;
};

/* System call n of the register form on ep with buffer buf, sending label
 * and w[0..5], and kept in t2: reply_recv_release's release word; the
 * other calls ignore it, so the wrappers pass buf, which they keep there
 * across the call (the kernel keeps t2) with no frame of their own.
 * MSG_IN_REGS: the message is in got, buf untouched; else the call's
 * result (buf holds a message on 0). Inline, so got stays in registers. */
#if defined(__riscv)
__attribute__((always_inline)) static inline long ecall_regs_words(long n, int ep,
								    struct msg *buf,
								    uint64_t label,
								    const uint64_t w[6],
								    uint64_t kept,
								    struct msg_regs *got)
{
	register long a0 __asm__("a0") = ep;
	register uint64_t a1 __asm__("a1") = (uint64_t)buf;
	register uint64_t a2 __asm__("a2") = label;
	register uint64_t a3 __asm__("a3") = w[0];
	register uint64_t a4 __asm__("a4") = w[1];
	register uint64_t a5 __asm__("a5") = w[2];
	register uint64_t a6 __asm__("a6") = w[3];
	register uint64_t t0 __asm__("t0") = w[4];
	register uint64_t t1 __asm__("t1") = w[5];
	register uint64_t a7 __asm__("a7") = (uint64_t)n;
	register uint64_t t2 __asm__("t2") = kept;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5),
			   "+r"(a6), "+r"(a7), "+r"(t0), "+r"(t1)
			 : "r"(t2)
			 : "t3", "t4", "t5", "t6", "memory");	/* t2 is kept */
	*got = (struct msg_regs){ a2, { a3, a4, a5, a6, t0, t1 }, a1, a7 };
	return a0;
}
#else
/* Built for the host (tests/host/test_service_recv.c): the test stands in
 * for the kernel's side of the call, so that a server's decoding of what
 * the call leaves (msg_store_regs, service.c's receive) runs unchanged. */
long ecall_regs_host(long n, int ep, struct msg *buf, uint64_t label, const uint64_t w[6],
		     uint64_t kept, struct msg_regs *got);
static inline long ecall_regs_words(long n, int ep, struct msg *buf, uint64_t label,
				    const uint64_t w[6], uint64_t kept, struct msg_regs *got)
{
	return ecall_regs_host(n, ep, buf, label, w, kept, got);
}
#endif

/* ecall_regs_words sending out's label and w[] (out NULL: nothing sent). */
__attribute__((always_inline)) static inline long ecall_regs(long n, int ep, struct msg *buf,
							      const struct msg *out, uint64_t kept,
							      struct msg_regs *got)
{
	static const struct msg none;
	const struct msg *o = out ? out : &none;

	return ecall_regs_words(n, ep, buf, o->label, o->w, kept, got);
}

/* Store a message received in registers in m, whole. pid, tid, origin,
 * len, handle and rights go as three words: ids is pid and tid already,
 * origin's word has len 0, then handle -1, rights 0. */
__attribute__((always_inline)) static inline void msg_store_regs(struct msg *m,
								 const struct msg_regs *r)
{
	typedef uint64_t __attribute__((may_alias)) word;
	word *stamps = (word *)(void *)&m->pid;
	uint64_t none;			/* handle -1, rights 0 */

	_Static_assert(__builtin_offsetof(struct msg, tid) == 12 &&
		       __builtin_offsetof(struct msg, origin) == 16 &&
		       __builtin_offsetof(struct msg, len) == 20 &&
		       __builtin_offsetof(struct msg, handle) == 24 &&
		       __builtin_offsetof(struct msg, rights) == 28, "the stamps' three words");
	/* 0xffffffff made here: else GCC derives it from the -1 a wrapper
	 * compared against, kept in a saved register across the ecall, and
	 * the wrapper needs a frame. volatile: kept after the ecall, where it
	 * is written, not hoisted where its register must be saved. */
#if defined(__riscv)
	__asm__ volatile("li %0, -1\n\tsrli %0, %0, 32" : "=r"(none));
#else
	none = 0xffffffffUL;
#endif
	m->label = r->label;
	stamps[0] = r->ids;
	stamps[1] = r->origin;
	stamps[2] = none;
	m->w[0] = r->w[0];	/* word by word: a loop would become a memcpy call */
	m->w[1] = r->w[1];
	m->w[2] = r->w[2];
	m->w[3] = r->w[3];
	m->w[4] = r->w[4];
	m->w[5] = r->w[5];
}

#endif
