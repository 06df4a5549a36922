/*
 * Threads: a user context plus the state of whatever it is blocked on. A
 * thread is on at most one queue at a time (tqueue.h: run queue or a wait
 * queue). Single hart, kernel never preempted: no locks.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdint.h>
#include "arch.h"
#include "abi/msg.h"

struct proc;
struct endpoint;
struct notify;
struct object;
struct tqueue;

enum thread_state {
	T_RUNNING = 1,		/* current, or about to return to user */
	T_READY,		/* on a run queue */
	T_SEND,			/* on blocked_ep's senders (send, call or fault) */
	T_RECV,			/* on blocked_ep's receivers */
	T_REPLY,		/* waiting for `replier` to reply */
	T_NOTIFY,		/* waiting on blocked_notify */
	T_WAIT			/* waiting for proc `awaited` to end */
};

/* Bytes the kernel owes a blocked thread's memory (a message, an exit
 * record) while its pager brings the page in. */
struct pending_copy {
	uint64_t va;
	uint32_t len;			/* <= sizeof(struct msg) */
	int32_t handle;			/* installed in its table for this message,
					 * closed if the copy is given up; or -1 */
	uint32_t gen;			/* that entry's gen when installed: closed
					 * and used again since, it is not undone */
	uint8_t call;			/* a call's message: given up, its receiver
					 * would owe a reply to one it never saw */
	_Alignas(8) uint8_t bytes[sizeof(struct msg)];
};
/* Word-aligned bytes: klib's memcpy copies by words only then. */
_Static_assert(offsetof(struct pending_copy, bytes) % 8 == 0, "pending_copy.bytes aligned");

/* A message's header alone: struct msg's first MSG_HEADER_SIZE bytes, laid
 * out as struct msg's (checked below), for the fault message every thread
 * keeps, which carries no data: a whole struct msg there made each thread
 * record 512 bytes larger (three to a kernel page, not five). */
struct msg_head {
	uint64_t label;
	uint32_t pid, tid, origin, len;
	int32_t handle;
	uint32_t rights;
	uint64_t w[MSG_WORDS];
};
_Static_assert(sizeof(struct msg_head) == MSG_HEADER_SIZE &&
	       offsetof(struct msg_head, w) == offsetof(struct msg, w) &&
	       offsetof(struct msg_head, rights) == offsetof(struct msg, rights) &&
	       offsetof(struct msg_head, origin) == offsetof(struct msg, origin),
	       "struct msg_head is struct msg's header, byte for byte");

/* A message buffer of the thread's as the IPC fast path last checked it:
 * the whole struct msg at va in one page, at kva in the direct map. Good
 * while gen is its process's pt_gen (any page-table change moves that). */
struct msg_window {
	uint64_t va;
	uint64_t gen;			/* 0: none */
	struct msg *kva;
};

/* The release word of the thread's reply_recv (release.h) as last checked:
 * an aligned word at va in one page, at kva in the direct map, good while
 * gen is its process's pt_gen. */
struct release_window {
	uint64_t va;
	uint64_t gen;			/* 0: none */
	uint64_t *kva;
};

struct thread {
	struct arch_regs regs;		/* user context; must stay first */
	uint32_t tid;
	/* A copy of proc->pid and tid as a register-form message stamps
	 * them (arch_msg_ids), set by thread_create: both never change,
	 * so it cannot go stale. Kept for speed: made at each delivery
	 * instead, the IPC round trip cost 400 -> 405 instructions and a
	 * faultaround=0 fault 1,893 -> 1,897 (scripts/bench, session 9). */
	uint64_t msg_ids;
	uint8_t prio;			/* enum prio */
	enum thread_state state;
	struct proc *proc;
	struct thread *proc_next;	/* proc's list of threads */
	struct thread *qnext;		/* link in the one queue it is on */
	struct tqueue *queue;		/* that queue, or NULL */

	/* Blocked in IPC. */
	struct endpoint *blocked_ep;
	uint64_t msg_va;		/* user buffer of the pending send/recv/call */
	int is_call;			/* pending send expects a reply */
	int in_fault;			/* pending call is a page fault (kernel message) */
	uint8_t send_regs;		/* pending send's message is in its registers
					 * (abi/msg.h's register form), not at msg_va */
	uint8_t recv_regs;		/* a header-only message for it goes to its
					 * registers; any other to msg_va */
	int syscall_fault;		/* that fault stopped a system call, which
					 * runs again once the page is there */
	struct thread *reply_to;	/* server side: the caller owed a reply */
	struct thread *replier;		/* caller side: who owes us the reply */
	struct msg_head fault_msg;	/* the fault message (a header: no data) */
	struct pending_copy *copy;	/* room for one, made with it (thread.c) */
	struct pending_copy *stash;	/* copy while a result for it waits for a
					 * page of its buffer (delivery_copy), or NULL */
	struct msg_window win[2];	/* msgwin.h: [0] read, [1] write */
	struct release_window release;	/* release.h */
	uint64_t slow_calls;		/* its calls the slow path took (ipc.c's;
					 * SYS_KERNEL_INFO tells it, for tests) */

	struct notify *blocked_notify;
	struct notify *bound;		/* bound notification (ref held), or NULL */
	struct proc *awaited;		/* T_WAIT */
	uint64_t wait_va;		/* where to write its struct exit_info */
};

/* The thread whose saved context r is (regs comes first in the record). */
static inline struct thread *thread_of_regs(struct arch_regs *r)
{
	_Static_assert(offsetof(struct thread, regs) == 0, "regs first");
	return (struct thread *)(void *)r;
}

/* A new thread of p, ready, with its room for a message copy, charged to
 * p's budget; NULL if the pool or the budget has no room (the budget's
 * members' tables left empty given back first: budget_members.h). */
struct thread *thread_create(struct proc *p, uint64_t pc, uint64_t sp, uint64_t arg, int prio);
/* Free t's record, which nothing names any more (thread_end.h). */
void thread_free(struct thread *t);
/* Threads alive now (SYS_KERNEL_INFO). */
uint64_t thread_count(void);
/* What a system call returns when its thread blocked (or is gone): whoever
 * wakes it sets its result (thread_wake). It must be a value no call can
 * return, or a result equal to it is taken for a block and lost: results
 * are any value >= 0 (a wait's notification bits can be any of them) or a
 * small negated errno. */
#define SYSCALL_BLOCKED INT64_MIN
/* Wake a blocked thread with result r. */
void thread_wake(struct thread *t, int64_t r);

#endif
