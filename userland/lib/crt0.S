/*
 * Process entry. The pager starts the first thread here with sp at the top
 * of a 64 KiB stack holding argc (8 bytes), argv[0..argc-1], NULL, and the
 * strings above them; a0 is undefined. .bss and .tbss are already zero.
 * The root task (the pager) is started by the kernel with sp at the very
 * top of its stack and nothing above: see below.
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

	/* An argument block is never page-aligned (the pager puts it inside
	 * the stack's top page, under the strings). A page-aligned sp is the
	 * kernel's start of the root task, whose stack top is followed by an
	 * unmapped guard page: read nothing there, run main(0, {NULL}). */
	slli	t0, s1, 52
	bnez	t0, 1f
	la	s1, no_arguments
1:

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

	.section .rodata.no_arguments, "a"
	.balign 8
no_arguments:
	.quad	0			/* argc */
	.quad	0			/* argv[0] = NULL */
