/*
 * Saving and restoring a thread's floating-point registers. The kernel itself
 * is built without F/D, so only this file enables them for the assembler.
 */
	.option arch, +d
	.section .text
/* void fpu_save(struct arch_regs *r), void fpu_restore(const struct arch_regs *r):
 * f[i] at 256 + 8 * i, fcsr at 512. The caller enables sstatus.FS. */
	.globl fpu_save
fpu_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (256 + 8 * \n)(a0)
	.endr
	frcsr	t0
	sd	t0, 512(a0)
	ret

	.globl fpu_restore
fpu_restore:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (256 + 8 * \n)(a0)
	.endr
	ld	t0, 512(a0)
	fscsr	t0
	ret
