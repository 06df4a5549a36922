/*
 * Boot entry. OpenSBI starts us in S-mode at the physical load address with
 * a0 = hart id, a1 = device tree, paging off. We map the upper half with
 * gigapages, turn on Sv39 and jump to kmain at its linked (high) address.
 */
#define PTE_FLAGS 0xcf		/* V R W X A D */
#define GIGA_SHIFT 30
#define DIRECT_GIGS 16		/* map physical 0..16 GiB */

	.section .text.entry
	.globl _entry
_entry:
	/* Build the boot table: entries 0..15 identity, 256..271 KERNBASE + pa. */
	lla	t0, boot_pt
	li	t1, 0
	li	t2, DIRECT_GIGS
1:	slli	t3, t1, GIGA_SHIFT
	srli	t3, t3, 12
	slli	t3, t3, 10
	ori	t3, t3, PTE_FLAGS
	slli	t4, t1, 3
	add	t4, t4, t0
	sd	t3, 0(t4)
	li	t5, 256 * 8
	add	t4, t4, t5
	sd	t3, 0(t4)
	addi	t1, t1, 1
	blt	t1, t2, 1b

	srli	t1, t0, 12
	li	t2, 8
	slli	t2, t2, 60
	or	t1, t1, t2
	csrw	satp, t1
	sfence.vma zero, zero

	/* Continue at the high address of high_entry (an absolute literal). */
	ld	t0, high_entry_addr
	jr	t0

	.align 3
high_entry_addr:
	.dword	high_entry

high_entry:
	/* No gp: the kernel makes no gp-relative access (kernel.ld). */
	/* Clear .bss before any C runs (the boot table lives in .data). */
	la	t0, __bss_start
	la	t1, __bss_end
3:	bgeu	t0, t1, 4f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	3b
4:	la	sp, boot_stack_top
	csrw	sscratch, zero
	call	kmain
	tail	arch_kernel_exit	/* never returns: runs the root task */

	.section .data
	.align 12
	.globl boot_pt
boot_pt:
	.space 4096

	/* The one kernel stack: the kernel never blocks on it, so every trap
	 * starts again at its top. */
	.section .bss
	.globl boot_stack_top
	.align 4
boot_stack:
	.space 16384
boot_stack_top:
