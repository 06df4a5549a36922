/*
 * The IPC fast path (kernel/fastpath.c) on the host, each system call made
 * as the trap makes it: fastpath_syscall, then syscall_after_fastpath if it
 * returned; the way back to user mode a jump back to the test
 * (test_kernel_ipc_fake.h's ecall). Each kernel
 * object is a heap block of its own (no FAKE_REAL_KMEM), so ASan sees a
 * freed thread used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define FAKE_REAL_PROCS	/* processes and threads made and ended for real */
#define FAKE_FASTPATH
#include "test_kernel_ipc_fake.h"

#define PC 0x10000UL

/* t makes system call n with arguments a (up to four), as the trap makes
 * it (ecall): the context the kernel returned to user mode in, or NULL if
 * it found none to run (it would idle). t may be freed once it returns. */
static struct arch_regs *trap_ecall(struct thread *t, uint64_t n, const uint64_t *a, int nargs)
{
	ecall_at(t, PC, n, a, nargs);
	if (fake_entered)
		return fake_entered;
	return sched_running ? &sched_running->regs : NULL;
}

/* A process taking its own faults (it holds its fault endpoint, as the
 * root task may arrange): thread a's fault goes to thread b by the fast
 * path, and b answers it with system call n (a reply_recv form), its
 * arguments a (the endpoint's handle put in a[0]), a mapping the kernel refuses (the fake's vm_map_entries and
 * vm_map_one refuse every entry), which the fast path takes. That ends
 * their process, and b with it: nothing may read b's freed record after
 * (ASan), and the kernel goes on with no thread to run. Nothing is left. */
static struct msg buf;	/* b's receive buffer */
static void reply_ends_own_process(uint64_t n, const uint64_t *a, int nargs)
{
	static struct msg bad __attribute__((aligned(PAGE_SIZE)));
	uint64_t handles = handle_count(), resumes = fastpath_counts.resumes;
	struct proc *p = proc_create("own pager", 0, NULL);
	struct endpoint *ep = endpoint_create(NULL);
	struct thread *f, *b;
	uint64_t h, args[4];

	assert_non_null(p);
	assert_non_null(ep);
	h = (uint64_t)handle_install(p, &ep->obj, RIGHTS_ALL);
	object_get(&ep->obj);
	p->fault_ep = ep;
	object_get(&p->obj);	/* the test's, to look at it once it has ended */
	assert_non_null(f = thread_create(p, PC, 0, 0, PRIO_NORMAL));
	assert_non_null(b = thread_create(p, PC, 0, 0, PRIO_NORMAL));
	trap_ecall(b, SYS_RECV, (const uint64_t[]){ h, (uintptr_t)&buf }, 2);
	assert_int_equal(b->state, T_RECV);
	fake_unmapped = (uintptr_t)&bad;	/* f's message: a fault call to b */
	assert_ptr_equal(trap_ecall(f, SYS_SEND, (const uint64_t[]){ h, (uintptr_t)&bad }, 2),
			 &b->regs);
	assert_int_equal(f->state, T_REPLY);
	assert_ptr_equal(f->replier, b);
	assert_int_equal(buf.origin, ORIGIN_FAULT);
	memcpy(args, a, (size_t)nargs * sizeof(uint64_t));
	args[0] = h;
	assert_null(trap_ecall(b, n, args, nargs));
	assert_int_equal(fastpath_counts.resumes, resumes);
	assert_false(p->alive);
	assert_int_equal(p->exit.cause, CAUSE_PAGE_FAULT);
	fake_unmapped = 0;
	object_put(&p->obj);
	assert_int_equal(handle_count(), handles);
	assert_int_equal(ipc_endpoints(), 0);
	assert_int_equal(thread_count(), 0);
}

/* The memory form: the reply a FAULT_RESUME_ONE in b's buffer. */
static void test_reply_ends_own_process(void **state)
{
	static struct msg reply;

	(void)state;
	reply = (struct msg){ .label = FAULT_RESUME_ONE, .handle = -1 };
	reply_ends_own_process(SYS_REPLY_RECV,
			       (const uint64_t[]){ 0, (uintptr_t)&reply, (uintptr_t)&buf, 0 }, 4);
}

/* The register forms: FAULT_RESUME_ONE in a2, no release word. */
static void test_reply_regs_ends_own_process(void **state)
{
	(void)state;
	reply_ends_own_process(SYS_REPLY_RECV_REGS,
			       (const uint64_t[]){ 0, (uintptr_t)&buf, FAULT_RESUME_ONE }, 3);
	reply_ends_own_process(SYS_REPLY_RECV_RELEASE,
			       (const uint64_t[]){ 0, (uintptr_t)&buf, FAULT_RESUME_ONE }, 3);
}

/*
 * Overlapping buffers: buffer_of() gives the fast path a receiver's buffer
 * only if its header does not overlap the sender's message, since the
 * fast path writes one while it reads the other; the slow path copies
 * through the kernel. Here a caller c and a server s, two threads of one
 * process (one address space: the same address is the same memory), and
 * a receiving buffer at offset d from the sending one: from 0 (the same
 * buffer) through overlaps either way to adjacent (+-MSG_HEADER_SIZE),
 * where the fast path must take it. Either way the receiver gets the same
 * message, and both threads are left as the slow path leaves them.
 */
struct duo {
	struct proc *p;
	uint64_t h;		/* the endpoint, in p's table */
	struct thread *c, *s;	/* caller, server */
	uint64_t threads, endpoints, handles;	/* before: what must be left */
};

/* Room for buffers at offsets either way within one page. */
static uint8_t arena[4 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
#define ARENA_MID (arena + PAGE_SIZE + PAGE_SIZE / 2)
static struct msg server_buf __attribute__((aligned(1024)));	/* s's next receive */

/* A fresh duo, counting what exists before it, the arena filled with a
 * pattern no message holds. */
static void duo_make(struct duo *d)
{
	struct endpoint *ep;
	int h;

	d->threads = thread_count();
	d->endpoints = ipc_endpoints();
	d->handles = handle_count();
	assert_non_null(d->p = proc_create("duo", 0, NULL));
	assert_non_null(ep = endpoint_create(NULL));
	assert_true((h = handle_install(d->p, &ep->obj, RIGHTS_ALL)) >= 0);
	d->h = (uint64_t)h;
	assert_non_null(d->c = thread_create(d->p, PC, 0, 0, PRIO_NORMAL));
	assert_non_null(d->s = thread_create(d->p, PC, 0, 0, PRIO_NORMAL));
	memset(arena, 0xa5, sizeof(arena));
}

/* Ends the duo's process: nothing left. */
static void duo_end(struct duo *d)
{
	proc_end(d->p, &(struct exit_info){ .how = EXIT_NORMAL }, NULL);
	assert_int_equal(thread_count(), d->threads);
	assert_int_equal(ipc_endpoints(), d->endpoints);
	assert_int_equal(handle_count(), d->handles);
}

/* What ran after t's system call made receiver r ready: by the fast path
 * (fast), r at once; by the slow path, r made ready (the fake has no run
 * queue: the kernel returns to the thread still current, if any). */
static void assert_ready(const struct arch_regs *ran, const struct thread *r, int fast)
{
	if (fast)
		assert_ptr_equal(ran, &r->regs);
	else
		assert_int_equal(r->state, T_READY);
}

/* A header-only message at m, with label and words from seed, and the
 * kernel's fields holding what the kernel must not pass on. */
static void put_msg(struct msg *m, uint64_t seed)
{
	m->label = seed;
	m->pid = 0xdead;
	m->tid = 0xbeef;
	m->origin = 77;
	m->len = 0;
	m->handle = -1;
	m->rights = 0;
	for (int i = 0; i < MSG_WORDS; i++)
		m->w[i] = seed * 0x100 + (uint64_t)i;
}

/* Whether m holds the message put_msg(seed) wrote, as the kernel delivers
 * it from thread `from` (origin) to a receiver in its buffer. */
static void assert_got(const struct msg *m, uint64_t seed, const struct thread *from,
		       uint32_t origin)
{
	assert_int_equal(m->label, seed);
	assert_int_equal(m->pid, from->proc->pid);
	assert_int_equal(m->tid, from->tid);
	assert_int_equal(m->origin, origin);
	assert_int_equal(m->len, 0);
	assert_int_equal(m->handle, -1);
	assert_int_equal(m->rights, 0);
	for (int i = 0; i < MSG_WORDS; i++)
		assert_int_equal(m->w[i], seed * 0x100 + (uint64_t)i);
}

/* Whether m still holds what put_msg(seed) wrote (the sender's message
 * where no receiver's overlaps it). */
static void assert_kept(const struct msg *m, uint64_t seed)
{
	assert_int_equal(m->label, seed);
	assert_int_equal(m->pid, 0xdead);
	assert_int_equal(m->tid, 0xbeef);
	assert_int_equal(m->origin, 77);
	for (int i = 0; i < MSG_WORDS; i++)
		assert_int_equal(m->w[i], seed * 0x100 + (uint64_t)i);
}

/* c calls s, waiting in its buffer at d bytes from c's message: by the
 * fast path if fast, else the slow path; the same result either way. */
static void call_at(long d, int fast)
{
	struct duo du;
	struct msg *sm = (struct msg *)ARENA_MID, *rm = (struct msg *)(ARENA_MID + d);
	uint64_t calls = fastpath_calls();
	struct arch_regs *ran;

	duo_make(&du);
	trap_ecall(du.s, SYS_RECV, (const uint64_t[]){ du.h, (uintptr_t)rm }, 2);
	assert_int_equal(du.s->state, T_RECV);
	put_msg(sm, 0x51);
	ran = trap_ecall(du.c, SYS_CALL, (const uint64_t[]){ du.h, (uintptr_t)sm }, 2);
	assert_int_equal(fastpath_calls(), calls + (uint64_t)fast);
	assert_ready(ran, du.s, fast);
	assert_got(rm, 0x51, du.c, ORIGIN_CALL);
	if (d <= -MSG_HEADER_SIZE || d >= MSG_HEADER_SIZE)
		assert_kept(sm, 0x51);
	assert_int_equal(du.s->regs.x[10], 0);	/* in its buffer */
	assert_null(du.s->blocked_ep);
	assert_ptr_equal(du.s->reply_to, du.c);
	assert_int_equal(du.c->state, T_REPLY);
	assert_ptr_equal(du.c->replier, du.s);
	assert_int_equal(du.c->msg_va, (uintptr_t)sm);
	assert_true(du.c->is_call);
	duo_end(&du);
}

/* s, called by c, answers with reply_recv, its reply d bytes from c's
 * buffer (where c's call was), and waits again in server_buf: by the fast
 * path if fast, else the slow path; the same result either way. */
static void reply_at(long d, int fast)
{
	struct duo du;
	struct msg *cm = (struct msg *)ARENA_MID, *rep = (struct msg *)(ARENA_MID + d);
	uint64_t replies;
	struct arch_regs *ran;

	duo_make(&du);
	trap_ecall(du.s, SYS_RECV, (const uint64_t[]){ du.h, (uintptr_t)&server_buf }, 2);
	put_msg(cm, 0x51);
	assert_ptr_equal(trap_ecall(du.c, SYS_CALL, (const uint64_t[]){ du.h, (uintptr_t)cm }, 2),
			 &du.s->regs);
	assert_got(&server_buf, 0x51, du.c, ORIGIN_CALL);
	put_msg(rep, 0x52);
	replies = fastpath_replies();
	ran = trap_ecall(du.s, SYS_REPLY_RECV,
			 (const uint64_t[]){ du.h, (uintptr_t)rep, (uintptr_t)&server_buf, 0 }, 4);
	assert_int_equal(fastpath_replies(), replies + (uint64_t)fast);
	assert_ready(ran, du.c, fast);
	assert_got(cm, 0x52, du.s, ORIGIN_SEND);
	if (d <= -MSG_HEADER_SIZE || d >= MSG_HEADER_SIZE)
		assert_kept(rep, 0x52);
	assert_int_equal(du.c->regs.x[10], 0);	/* in its buffer */
	assert_null(du.c->replier);
	assert_null(du.s->reply_to);
	assert_int_equal(du.s->state, T_RECV);
	assert_int_equal(du.s->msg_va, (uintptr_t)&server_buf);
	duo_end(&du);
}

/* (a) The same buffer: the slow path. */
static void test_overlap_same(void **state)
{
	(void)state;
	call_at(0, 0);
	reply_at(0, 0);
}

/* (b) Overlapping either way, by as little as a word and as much as all
 * but one: the slow path. */
static void test_overlap_partial(void **state)
{
	static const long offsets[] = { 8, -8, MSG_HEADER_SIZE - 8, -(MSG_HEADER_SIZE - 8) };

	(void)state;
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		call_at(offsets[i], 0);
		reply_at(offsets[i], 0);
	}
}

/* (c) Adjacent either way, and apart: the fast path. */
static void test_overlap_adjacent(void **state)
{
	static const long offsets[] = { MSG_HEADER_SIZE, -MSG_HEADER_SIZE, 2 * MSG_HEADER_SIZE,
					-2 * MSG_HEADER_SIZE };

	(void)state;
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		call_at(offsets[i], 1);
		reply_at(offsets[i], 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_ends_own_process),
		cmocka_unit_test(test_reply_regs_ends_own_process),
		cmocka_unit_test(test_overlap_same),
		cmocka_unit_test(test_overlap_partial),
		cmocka_unit_test(test_overlap_adjacent),
	};

	(void)twins_create;	/* the fake's twins: this test makes its own processes */
	(void)teardown;
	(void)pte_of;
	kernel_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
