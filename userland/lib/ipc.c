/*
 * The IPC wrappers that choose a message's form (kernel/abi/msg.h): a
 * header-only message goes in registers, the kernel touching no user memory
 * for it; one with data or a handle goes in memory. Either way what arrives
 * is stored in the caller's struct msg, so programs see one form (the
 * pager's service loop alone reads a fault from registers: ipc_regs.h). The
 * register-form calls have no wrappers of their own (syscalls.list): one
 * could only drop a message that does not fit the registers.
 */
#include "sys.h"
#include "syscall.h"	/* this directory's: sys_ecall() */
#include "ipc_regs.h"

/* A register-form call's result r: a message received in registers (got)
 * stored in buf. */
__attribute__((always_inline)) static inline int regs_result(long r, struct msg *buf,
							      const struct msg_regs *got)
{
	if (__builtin_expect(r != MSG_IN_REGS, 0))
		return (int)r;
	msg_store_regs(buf, got);
	return 0;
}

/* The register form, a message received in registers stored in buf;
 * kept: t2's value (ipc_regs.h). */
__attribute__((always_inline)) static inline int call_regs(long n, int ep, struct msg *buf,
							    const struct msg *out, uint64_t kept)
{
	struct msg_regs got;
	long r = ecall_regs(n, ep, buf, out, kept, &got);

	return regs_result(r, buf, &got);
}

int sys_call(int ep, struct msg *m)
{
	if (msg_header_only(m))
		return call_regs(SYS_CALL_REGS, ep, m, m, (uint64_t)m);
	return (int)sys_ecall(SYS_CALL, ep, (long)m, 0, 0, 0, 0);
}

int sys_recv(int ep, struct msg *m)
{
	return call_regs(SYS_RECV_REGS, ep, m, NULL, (uint64_t)m);
}

/* recv's register form, the acknowledgement in the words a receive does
 * not send (kernel/device.c). */
int sys_irq_ack_recv(int ep, struct msg *m, int notify, unsigned irq)
{
	const uint64_t w[6] = { irq };
	struct msg_regs got;
	long r = ecall_regs_words(SYS_IRQ_ACK_RECV, ep, m, (uint64_t)notify, w, (uint64_t)m, &got);

	return regs_result(r, m, &got);
}

int sys_reply_recv(int ep, const struct msg *reply, struct msg *recv)
{
	if (msg_header_only(reply))
		return call_regs(SYS_REPLY_RECV_REGS, ep, recv, reply, (uint64_t)recv);
	return (int)sys_ecall(SYS_REPLY_RECV, ep, (long)reply, (long)recv, 0, 0, 0);
}

int sys_reply_recv_release(int ep, const struct msg *reply, struct msg *recv, uint64_t *release)
{
	if (msg_header_only(reply))
		return call_regs(SYS_REPLY_RECV_RELEASE, ep, recv, reply, (uint64_t)release);
	return (int)sys_ecall(SYS_REPLY_RECV, ep, (long)reply, (long)recv, (long)release, 0, 0);
}
