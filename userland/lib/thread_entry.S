/*
 * Where every thread made by thread_spawn() starts. thread_spawn leaves a
 * struct thread_start (fn, arg, tp) at the new sp, so nothing here depends
 * on which registers the kernel sets besides pc and sp.
 */
	.text
	.globl __thread_entry
	.type __thread_entry, @function
__thread_entry:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	ld	tp, 16(sp)		/* the process's TLS block: shared */
	ld	t0, 0(sp)		/* fn */
	ld	a0, 8(sp)		/* arg */
	li	ra, 0
	jalr	t0
	call	thread_exit		/* does not return */
	.size __thread_entry, . - __thread_entry
