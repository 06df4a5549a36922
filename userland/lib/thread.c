/*
 * thread_spawn(): a stack from malloc, a start record on top of it, and a
 * thread created in HANDLE_SELF at __thread_entry (thread_entry.S).
 */
#include <stdint.h>
#include <stdlib.h>

#include "mutex.h"
#include "sys.h"
#include "thread.h"

/* Threads that end through thread_exit, the first one included. */
static int threads_live = 1;

/* What __thread_entry finds at its sp; the offsets are used there. */
struct thread_start {
	void (*fn)(void *);	/* 0 */
	void *arg;		/* 8 */
	void *tp;		/* 16: the process's TLS block */
	uint64_t pad;		/* keeps sp 16-byte aligned */
};

_Static_assert(sizeof(struct thread_start) == 32, "thread_entry.S offsets");

void __thread_entry(void);

static void *current_tp(void)
{
	void *tp;

	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

int thread_spawn(void (*fn)(void *), void *arg, size_t stack_bytes, int prio)
{
	if (fn == NULL || stack_bytes < THREAD_STACK_MIN)
		return -ERR_INVAL;
	char *stack = malloc(stack_bytes);
	if (stack == NULL)
		return -ERR_NOMEM;

	uintptr_t top = ((uintptr_t)stack + stack_bytes) & ~(uintptr_t)15;
	struct thread_start *start = (struct thread_start *)top - 1;
	start->fn = fn;
	start->arg = arg;
	start->tp = current_tp();
	start->pad = 0;

	__atomic_add_fetch(&threads_live, 1, __ATOMIC_RELAXED);
	int tid = sys_thread_create(HANDLE_SELF, (uintptr_t)__thread_entry,
				    (uintptr_t)start, (uintptr_t)start, prio);
	if (tid < 0) {
		__atomic_sub_fetch(&threads_live, 1, __ATOMIC_RELAXED);
		free(stack);
	}
	return tid;
}

_Noreturn void thread_exit(void)
{
	mutex_thread_exit();
	/* The kernel would end the process with the last thread, but as
	 * sys_exit(0): without the partial lines and atexit that exit has. */
	if (__atomic_sub_fetch(&threads_live, 1, __ATOMIC_ACQ_REL) == 0)
		exit(0);
	sys_thread_exit();
}

int thread_only_one(void)
{
	return __atomic_load_n(&threads_live, __ATOMIC_ACQUIRE) == 1;
}

void thread_fork_child(void)
{
	if (threads_live != 1)
		threads_live = 1;	/* only then: a page not written stays shared */
}
