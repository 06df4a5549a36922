/*
 * fork() in user space over PAGER_FORK. The caller's registers are saved
 * with setjmp in a struct on its stack; the pager copies the whole address
 * space (copy-on-write) and starts the child's one thread in __fork_entry
 * (fork_entry.S), which finds the struct at the same address in its copy
 * and longjmps back into fork(), where fork returns 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "children.h"
#include "console.h"
#include "pager_client.h"
#include "sys.h"

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

/* Record the new child; one we could never wait for is ended instead. */
static pid_t adopt(int handle, pid_t pid)
{
	struct exit_info info;

	if (child_register(pid, handle) == 0)
		return pid;
	sys_proc_kill(handle, SIGKILL);
	sys_proc_wait(handle, &info, 0);
	sys_handle_close(handle);
	errno = EAGAIN;
	return -1;
}

/* Ask the pager for the copy. noinline: its message lives in a frame of
 * its own below fork()'s, never between the context and the child's sp. */
static __attribute__((noinline)) pid_t fork_request(struct fork_context *ctx)
{
	struct msg m = { .label = PAGER_FORK, .handle = -1 };

	m.w[0] = (uintptr_t)__fork_entry;
	m.w[1] = ((uintptr_t)ctx - CHILD_STACK_GAP) & ~(uintptr_t)15;
	m.w[2] = (uintptr_t)ctx;
	int r = pager_call(&m);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return adopt((int)m.w[0], (pid_t)m.w[1]);
}

pid_t fork(void)
{
	struct fork_context ctx;

	/* A line half-written to stdout would be printed by both. */
	console_flush();
	ctx.tp = current_tp();
	ctx.pad = 0;
	if (setjmp(ctx.jb) != 0) {
		/* The child: the recorded handles are the parent's. */
		children_forget_all();
		return 0;
	}
	return fork_request(&ctx);
}
