/*
 * fork() in user space over PAGER_FORK. The caller's registers are saved
 * with setjmp in a struct on its stack; the pager copies the whole address
 * space (copy-on-write) and starts the child's one thread in __fork_entry
 * (fork_entry.S), which finds the struct at the same address in its copy
 * and longjmps back into fork(), where fork returns 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "children.h"
#include "console.h"
#include "libc_lock.h"
#include "mutex.h"
#include "pager_client.h"
#include "sys.h"
#include "thread.h"

/* The child's first stack lies this far below the saved context, so the
 * trampoline's own stack use can never overwrite it. */
#define CHILD_STACK_GAP 1024

/* What __fork_entry finds in a0; the offsets are used there. */
struct fork_context {
	uintptr_t tp;		/* 0: the TLS pointer (errno lives there) */
	uintptr_t pad;		/* 8: unused */
	jmp_buf jb;		/* 16 */
};

_Static_assert(offsetof(struct fork_context, tp) == 0 &&
	       offsetof(struct fork_context, jb) == 16, "fork_entry.S offsets");

void __fork_entry(void);

static uintptr_t current_tp(void)
{
	uintptr_t tp;

	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

/* Ask the pager for the copy: the child's pid and handle, or -errno.
 * noinline: its message lives in a frame of its own below fork()'s,
 * never between the context and the child's sp. */
static __attribute__((noinline)) pid_t fork_request(struct fork_context *ctx, int *handle)
{
	struct msg m = { .label = PAGER_FORK, .handle = -1 };

	m.w[0] = (uintptr_t)__fork_entry;
	m.w[1] = ((uintptr_t)ctx - CHILD_STACK_GAP) & ~(uintptr_t)15;
	m.w[2] = (uintptr_t)ctx;
	int r = pager_call(&m);
	if (r < 0) {
		close_unstarted(&m, r);
		return r;
	}
	*handle = (int)m.w[0];
	return (pid_t)m.w[1];
}

/* The child's one thread: it holds what fork took, and the threads that
 * waited for those locks, like the handles in the child table, are the
 * parent's. */
static void fork_child(void)
{
	mutex_forget_slots();
	thread_fork_child();
	children_fork_child();
	console_fork_child();
	libc_lock_fork_child();
}

pid_t fork(void)
{
	struct fork_context ctx;
	/* A slot first: a child made is always one we can wait for. */
	int slot = child_reserve();

	if (slot < 0) {
		errno = EAGAIN;
		return -1;
	}
	/* pthread_atfork's discipline: no other thread may be inside malloc,
	 * half-way through a line or through a change to the child table when
	 * the address space is copied, or the child would find that lock held
	 * for ever or a slot half written. The lines are written out too: a
	 * half-written one would be printed by both. Order: table, libc,
	 * console (nothing takes them the other way). */
	children_hold();
	libc_lock_hold();
	console_hold();
	ctx.tp = current_tp();
	ctx.pad = 0;
	if (setjmp(ctx.jb) != 0) {
		fork_child();
		return 0;
	}
	int handle = -1;
	pid_t pid = fork_request(&ctx, &handle);
	console_release();
	libc_lock_release();
	children_release();
	if (pid < 0) {
		child_unreserve(slot);
		errno = -pid;
		return -1;
	}
	child_fill(slot, pid, handle);
	return pid;
}
