/*
 * Trap entry: save the user context and call the dispatcher (trap.c). In
 * user mode sscratch holds the running thread's struct arch_regs; in the
 * kernel it is zero, so a trap taken in the kernel (always a kernel bug:
 * interrupts are masked there) is told apart. Layout: x[0] = pc at offset
 * 0, x[i] at 8 * i. The way back is return.S.
 */
#include "csr.h"

/* Store what a system call keeps (ra, gp, tp, s0-s11) and its number and
 * arguments (a7, a0-a5): every trap stores these. */
.macro save_kept
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
.endm

/* Store the user sp and pc (t0 = the pc to resume at), mark the kernel as
 * running (sscratch = 0) and switch to the kernel stack. The handlers find
 * the context as the current thread's. gp is not loaded: the kernel is
 * linked with no __global_pointer$ (kernel.ld), so no access is gp-relative,
 * and the compiler never allocates gp; it keeps the user's value. */
.macro enter_kernel
	sd	t0, 0(sp)
	csrrw	t0, sscratch, zero
	sd	t0, 16(sp)		/* user sp */
	la	sp, boot_stack_top
.endm

	.section .text
	.globl trap_vector
	.align 4
trap_vector:
	csrrw	sp, sscratch, sp
	beqz	sp, from_kernel
	sd	x5, 40(sp)
	csrr	t0, scause
	addi	t0, t0, -EXC_ECALL_U
	beqz	t0, ecall_entry

	save_kept
	sd	x6, 48(sp)		/* and what a system call may clobber */
	sd	x7, 56(sp)
	sd	x16, 128(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	csrr	t0, sepc
	enter_kernel
	call	trap_from_user		/* does not return */
1:	j	1b

/*
 * A system call saves less: the ABI (userland/lib/syscall.h) lets it
 * clobber t0, t1, t3-t6 and a1-a7, so only what it keeps (t2 too: the IPC
 * wrappers keep their buffer's address there, with no frame of their own)
 * and its number and arguments are stored, with a6 and t1 (t0 is stored
 * above): the register form of a message (abi/msg.h) sends w[3..5] in
 * them. The other slots keep this thread's values from its last full
 * trap, so trap_return_msg hands back nothing of the kernel's; of another
 * thread's only the message registers it passes on from a sender. The pc
 * saved is the one after the ecall. The IPC fast path is called first,
 * with no C frame between; the system-call table only if it returns.
 */
ecall_entry:
	save_kept
	sd	x6, 48(sp)
	sd	x7, 56(sp)		/* t2: kept across a system call */
	sd	x16, 128(sp)
	csrr	t0, sepc
	addi	t0, t0, 4		/* resume after the ecall */
	mv	a2, sp			/* the context, for trap_ecall_fast; a0, */
	enter_kernel			/* a1 and a7 are still the caller's */
	call	trap_ecall_fast		/* returns only if the fast path cannot */
	call	trap_from_ecall		/* does not return */
3:	j	3b

from_kernel:
	csrrw	sp, sscratch, sp	/* back to the kernel sp, sscratch = 0 */
	call	trap_from_kernel	/* reports and stops */
2:	j	2b
