/*
 * Where the child of fork() starts (fork.c): a0 = the parent's struct
 * fork_context, at the same address in the child's copy of memory. Restore
 * gp and tp, which longjmp does not, then resume fork() with setjmp's
 * value 1. Nothing here touches the stack.
 */
	.text
	.globl __fork_entry
	.type __fork_entry, @function
__fork_entry:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	ld	tp, 0(a0)		/* fork_context.tp */
	addi	a0, a0, 16		/* fork_context.jb */
	li	a1, 1
	tail	longjmp
	.size __fork_entry, . - __fork_entry
