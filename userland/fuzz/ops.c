/*
 * The operations a worker draws from, by weight: raw calls and pager
 * requests with made-up arguments, and the well-formed things real programs
 * do (IPC with a handle passed to the partner thread, timers, memory touched,
 * copy-on-write children, a child killed while it faults, spawns), so the
 * made-up calls meet a system with state in it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "fuzz.h"
#include "pager_client.h"
#include "thread.h"

#define PAGE 4096UL
#define CHILD_CALLS_MAX 8

/* A call to the partner thread, passing a handle with made-up rights. */
static void op_ipc(struct rng *r)
{
	struct msg *m = gen_scratch(r, sizeof(*m));
	int ep = fuzz_env.ep;

	if (fuzz_env.is_child || ep < 0)
		return (void)sys_notify_poll(fuzz_env.note);	/* no partner in a child */
	memset(m, 0, MSG_HEADER_SIZE);
	m->label = rng_next(r);		/* the partner's choices come from it */
	m->handle = rng_one_in(r, 3) ? -1 : (int32_t)gen_handle(r);
	m->rights = gen_rights(r);
	m->len = (uint32_t)rng_below(r, 64);
	fuzz_may_block();	/* the partner may be gone */
	if (rng_one_in(r, 3))
		sys_send(ep, m);
	else
		sys_call(ep, m);
}

/* Notifications and timers: signal, poll, arm, move and disarm. */
static void op_notify(struct rng *r)
{
	int n = gen_handle_of(r, HANDLE_TYPE_NOTIFY);
	uint64_t bit = 1UL << rng_below(r, 63);

	if (n < 0 || rng_one_in(r, 8)) {
		sys_notify_create();
		return;
	}
	switch (rng_below(r, 4)) {
	case 0:
		sys_notify_signal(n, bit);
		break;
	case 1:
		sys_notify_poll(n);
		break;
	case 2:
		sys_notify_timer(n, sys_clock() + (int64_t)rng_below(r, 5 * MS), bit);
		break;
	default:
		sys_notify_timer(n, rng_one_in(r, 2) ? 0 : sys_clock() + 3600LL * 1000 * MS, bit);
		break;
	}
}

/* Close a live handle other than the process's own and the pager's. */
static void op_close(struct rng *r)
{
	int h = gen_handle_of(r, 0);

	if (h > HANDLE_PAGER)
		sys_handle_close(h);
}

/* Write a pattern into some pages of the private and shared areas. */
static void touch(struct rng *r, int pages)
{
	for (int i = 0; i < pages; i++) {
		uint64_t k = rng_below(r, fuzz_env.area_pages + fuzz_env.shared_pages);
		uint8_t *p = k < fuzz_env.area_pages
				     ? fuzz_env.area + k * PAGE
				     : fuzz_env.shared + (k - fuzz_env.area_pages) * PAGE;
		p[rng_below(r, PAGE)] = (uint8_t)k;
	}
}

/* Map, touch and unmap: well-formed memory requests. */
static void op_memory(struct rng *r)
{
	uint64_t pages = 1 + rng_below(r, 32);
	uint8_t *p;

	switch (rng_below(r, 5)) {
	case 0:
	case 1:
		touch(r, 1 + (int)rng_below(r, 8));
		break;
	case 2:
		p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			 (rng_one_in(r, 2) ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		for (uint64_t i = 0; i < pages; i += 1 + rng_below(r, 4))
			p[i * PAGE] = 1;
		if (!rng_one_in(r, 4))	/* most go again; the rest stay for the rest of its life */
			munmap(p, pages * PAGE);
		break;
	case 3:
		pager_discard_unlock(fuzz_env.area, fuzz_env.area_pages * PAGE);
		touch(r, 2);
		pager_discard_lock(fuzz_env.area, fuzz_env.area_pages * PAGE);
		break;
	default:	/* a hole in the area: the pages there are gone for good */
		munmap(fuzz_env.area + rng_below(r, fuzz_env.area_pages) * PAGE, PAGE);
		break;
	}
}

/* Memory pressure: write up to a sixteenth of memory and read it back; keep
 * it half the time (unless KEPT_HOGS_MAX are kept), so that several
 * workers together push the pager into reclaim, swap and at times the OOM
 * killer. Every word must come back. */
static void op_pressure(struct rng *r)
{
	uint64_t pages = 1 + rng_below(r, fuzz_env.hog_pages), wrong = 0, salt = rng_next(r);
	uint64_t *p;

	if (fuzz_env.is_child)
		return;
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	for (uint64_t i = 0; i < pages; i++) {
		p[i * (PAGE / 8) + i % 512] = salt ^ i;
		if (i % 256 == 0)
			fuzz_progress();	/* slow under swap, but moving */
	}
	for (uint64_t i = 0; i < pages; i++) {
		wrong += p[i * (PAGE / 8) + i % 512] != (salt ^ i);
		if (i % 256 == 0)
			fuzz_progress();
	}
	fuzz_pages_checked(pages, wrong);
	if (rng_one_in(r, 2) || fuzz_env.nkept_hogs == KEPT_HOGS_MAX) {
		munmap(p, pages * PAGE);
		return;
	}
	fuzz_env.kept_hogs[fuzz_env.nkept_hogs].addr = p;
	fuzz_env.kept_hogs[fuzz_env.nkept_hogs++].len = pages * PAGE;
}

/* A worker's forked child: a few calls of its own (none that may block:
 * fuzz_env.is_child), then exit; nothing reported (the slot's state is its
 * parent's). */
static _Noreturn void child_main(uint64_t seed)
{
	struct rng r = { seed };
	uint64_t calls = 1 + rng_below(&r, CHILD_CALLS_MAX);

	progress_stop();
	fuzz_env.is_child = 1;
	fuzz_env.pager_closed = 0;	/* fork gave it the pager's endpoint again */
	fuzz_env.ep = -1;	/* no partner thread here */
	for (uint64_t i = 0; i < calls; i++)
		fuzz_op(&r);
	_exit((int)rng_below(&r, 256));
}

/* A forked child: copy-on-write writes, a few calls of its own, exit. */
static void op_fork(struct rng *r)
{
	if (fuzz_env.is_child) {
		touch(r, 2);
		return;
	}
	pid_t pid = fork();
	if (pid == 0)
		child_main(rng_next(r));
	if (pid < 0)
		fuzz_fork_failed(errno);
}

/* Reap the children that have ended (never waits). */
static void op_reap(struct rng *r)
{
	int status;

	for (int i = 0; i < 1 + (int)rng_below(r, 4); i++)
		if (waitpid(-1, &status, WNOHANG) <= 0)
			break;
}

/* A child that faults through a big mapping, killed in the middle. */
static void op_kill_mid_fault(struct rng *r)
{
	uint64_t pages = 256 + rng_below(r, 768);
	int status;

	if (fuzz_env.is_child)
		return;
	uint8_t *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (p == MAP_FAILED)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		for (uint64_t i = 0; i < pages; i++)
			p[i * PAGE] = (uint8_t)i;
		_exit(0);
	}
	for (uint64_t k = rng_below(r, 3); k > 0; k--)
		sys_yield();
	if (pid > 0) {
		kill(pid, SIGKILL);
		/* A killed child ends at once; but the table's handle for it may
		 * have been closed by a made-up call, and now name another. */
		fuzz_may_block();
		waitpid(pid, &status, 0);
	} else {
		fuzz_fork_failed(errno);
	}
	munmap(p, pages * PAGE);
}

/* exiter, or crasher, spawned well-formed; waited for or left running. */
static void op_spawn(struct rng *r)
{
	static const char *const exiter_argv[] = { "exiter", "3", NULL };
	static const char *const crasher_argv[] = { "crasher", "wild", NULL };
	struct exit_info info;
	int crash = rng_one_in(r, 4), pid;
	int h = spawn(crash ? "crasher" : "exiter", crash ? crasher_argv : exiter_argv, -1, &pid);

	if (h < 0 || rng_one_in(r, 4))
		return;		/* the handle stays, for later calls to find */
	fuzz_may_block();	/* it ends by itself, soon */
	sys_proc_wait(h, &info, 0);
	sys_handle_close(h);
}

static void wait_thread(void *arg)
{
	(void)arg;
	sys_notify_wait(fuzz_env.note);	/* until signalled, or the process ends */
}

/* Threads: one started in made-up places, or one that waits. */
void op_thread(struct rng *r)
{
	if (!fuzz_env.is_child && rng_one_in(r, 2)) {
		thread_spawn(wait_thread, NULL, 4096, PRIO_NORMAL);
		return;
	}
	uint64_t pc = rng_one_in(r, 2) ? (uint64_t)(uintptr_t)fuzz_thread_exit_entry : gen_bad_pc(r);
	sys_thread_create(HANDLE_SELF, pc, gen_ptr(r), gen_arg(r), (int)rng_below(r, 4));
}

#define OP(fn, weight) { fn, #fn, weight }

static const struct {
	void (*fn)(struct rng *r);
	const char *name;
	unsigned weight;
} ops[] = {
	OP(op_raw_syscall, 30), OP(op_pager_request, 25), OP(op_ipc, 8),
	OP(op_notify, 6),	OP(op_close, 5),	  OP(op_memory, 12),
	OP(op_fork, 3),		OP(op_reap, 4),		  OP(op_kill_mid_fault, 1),
	OP(op_spawn, 2),	OP(op_thread, 1),	  OP(op_debug_write, 1),
	OP(op_pressure, 1),	OP(op_net, 6),		  OP(op_spawn_passing, 2),
	OP(op_fork_hold, 1),	OP(op_swap_kill, 1),
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

void fuzz_op(struct rng *r)
{
	unsigned total = 0, pick;

	for (size_t i = 0; i < NOPS; i++)
		total += ops[i].weight;
	pick = (unsigned)rng_below(r, total);
	if (fuzz_env.pager_closed) {
		/* Calls to the pager now go wherever handle 1 leads. */
		if (fuzz_env.is_child)
			_exit(0);
		fuzz_may_block();
	}
	for (size_t i = 0; i < NOPS; i++) {
		if (pick < ops[i].weight) {
			fuzz_note((unsigned)i, ops[i].name);
			ops[i].fn(r);
			return;
		}
		pick -= ops[i].weight;
	}
}

const char *fuzz_op_name(unsigned op)
{
	return op < NOPS ? ops[op].name : "?";
}
