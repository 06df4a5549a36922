/*
 * Process entry. The pager starts the first thread here with sp at the top
 * of a 64 KiB stack holding argc (8 bytes), argv[0..argc-1], NULL, and the
 * strings above them; a0 is undefined. .bss and .tbss are already zero.
 * The kernel starts the root task (the pager) the same way, with argc = 0.
 */
	.section .text.init.enter, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	/* gp must be set with relaxation off, or the linker would turn this
	 * into "mv gp, gp". */
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop

	/* Keep the argument block in a callee-saved register; give C a
	 * 16-byte aligned stack as the psABI requires. */
	mv	s1, sp
	andi	sp, sp, -16
	li	ra, 0
	li	s0, 0			/* fp: the end of the frame chain */

	/* Thread-local storage: the template in the image is the main
	 * thread's block (see user.ld); errno lives there. */
	la	a0, __tls_base
	call	_set_tls

	call	__libc_init_array

	ld	a0, 0(s1)		/* argc */
	addi	a1, s1, 8		/* argv */
	call	main
	call	exit			/* runs atexit/fini, then _exit */
	.size _start, . - _start

