/*
 * The way back to user mode, jumped to by arch.h's returns and regs.c:
 * restore a thread's struct arch_regs (x[0] = pc at offset 0, x[i] at
 * 8 * i) and sret, sscratch holding the context again for the next trap
 * (trap.S).
 */
	.section .text

/* Load what every return restores from the thread's own context (a0):
 * all but t0, t1, a0-a7, which the two returns below load apart. */
.macro load_own
	ld	x1, 8(a0)
	ld	x2, 16(a0)
	ld	x3, 24(a0)
	ld	x4, 32(a0)
	ld	x7, 56(a0)
	ld	x8, 64(a0)
	ld	x9, 72(a0)
	ld	x18, 144(a0)
	ld	x19, 152(a0)
	ld	x20, 160(a0)
	ld	x21, 168(a0)
	ld	x22, 176(a0)
	ld	x23, 184(a0)
	ld	x24, 192(a0)
	ld	x25, 200(a0)
	ld	x26, 208(a0)
	ld	x27, 216(a0)
	ld	x28, 224(a0)
	ld	x29, 232(a0)
	ld	x30, 240(a0)
	ld	x31, 248(a0)
.endm

/* Start a return to r (a0): sscratch and the pc. */
.macro return_to
	csrw	sscratch, a0
	ld	t0, 0(a0)
	csrw	sepc, t0
.endm

/* Load the message words but the label, w[0..5] (t0, t1, a3..a6), from
 * the context at a1. */
.macro load_words
	ld	x5, 40(a1)
	ld	x6, 48(a1)
	ld	x13, 104(a1)
	ld	x14, 112(a1)
	ld	x15, 120(a1)
	ld	x16, 128(a1)
.endm

/* trap_return_msg(struct arch_regs *r, const struct arch_regs *from),
 * jumped to (arch.h's returns), never returns: restore r and sret to user
 * mode, but t0, t1 and a2..a6 (a message's label and words, abi/msg.h)
 * come from `from` (a1), loaded before a1 itself is; from = r for a plain
 * return. */
	.globl trap_return_msg
trap_return_msg:
	return_to
	load_words
	ld	x12, 96(a1)
	ld	x11, 88(a0)
	ld	x17, 136(a0)
	load_own
	ld	x10, 80(a0)
	sret

/* trap_return_stamped(r, from, uint64_t ids, uint64_t origin): the same,
 * for a message received in registers, its stamps (arch_msg_stamp's) from
 * a2 and a3 rather than stored in r: a0 = MSG_IN_REGS (1), a1 = ids,
 * a7 = origin. t6 holds ids on the way, then load_own gives it r's value. */
	.globl trap_return_stamped
trap_return_stamped:
	return_to
	mv	a7, a3
	load_words
	mv	t6, a2
	ld	x12, 96(a1)
	mv	a1, t6
	load_own
	li	a0, 1
	sret
