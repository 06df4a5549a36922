/*
 * isolation: what one program can do to the others. The pager's endpoint
 * is send-only for programs; handles passed where none is expected are
 * not kept; and everything a process holds (handles, timers, threads,
 * mappings) comes back when it ends, whether it exits or is killed, so
 * the next one can take as much again.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "tests.h"
#include "thread.h"

#define FAR (3600 * 1000 * MS)	/* a deadline no test outlives */

/* Kernel objects equal to want's (the kernel pool's free pages may differ:
 * its caches keep pages once grown). Polls until the pager has reaped what
 * just ended (promptly; CHILD_TIMEOUT only bounds a hang: a loaded host
 * must not fail it); 0, or -1 (recorded) with both counts. */
static int kinfo_settles(const struct kernel_info *want)
{
	int64_t start = sys_clock();
	struct kernel_info now;

	for (;;) {
		CHECK_EQ(sys_kernel_info(&now), 0);
		if (now.procs == want->procs && now.threads == want->threads &&
		    now.endpoints == want->endpoints && now.notifies == want->notifies &&
		    now.handles == want->handles && now.timers == want->timers &&
		    now.pending_copies == want->pending_copies &&
		    now.irq_bindings == want->irq_bindings && now.budgets == want->budgets)
			return 0;
		if (sys_clock() - start > CHILD_TIMEOUT)
			break;
		sys_yield();
	}
	check_failed(__FILE__, __LINE__,
		     "kernel objects did not come back: procs %lu/%lu threads %lu/%lu endpoints "
		     "%lu/%lu notifies %lu/%lu handles %lu/%lu timers %lu/%lu",
		     (unsigned long)now.procs, (unsigned long)want->procs,
		     (unsigned long)now.threads, (unsigned long)want->threads,
		     (unsigned long)now.endpoints, (unsigned long)want->endpoints,
		     (unsigned long)now.notifies, (unsigned long)want->notifies,
		     (unsigned long)now.handles, (unsigned long)want->handles,
		     (unsigned long)now.timers, (unsigned long)want->timers);
	return -1;
}

/* In a child: a receive on the pager's endpoint must be refused at once,
 * not hand it someone else's page fault. */
static int receive_on_pager(void *arg)
{
	static struct msg m, reply = { .handle = -1 };

	(void)arg;
	int r1 = sys_recv(HANDLE_PAGER, &m);
	int r2 = sys_reply_recv(HANDLE_PAGER, &reply, &m);
	return (r1 == -ERR_ACCES ? 0 : 1) | (r2 == -ERR_ACCES ? 0 : 2);
}

int test_pager_ep_send_only(void)
{
	struct exit_info info;
	pid_t pid = fork_run(receive_on_pager, NULL);

	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "a receive on the pager's endpoint"));
	int h = sys_handle_info(HANDLE_PAGER);
	CHECK_EQ(HANDLE_INFO_TYPE(h), HANDLE_TYPE_ENDPOINT);
	CHECK_EQ(HANDLE_INFO_RIGHTS(h), RIGHT_SEND);
	return 0;
}

/* Two threads of this process: one receives on ep, the test sends. */
struct receiver {
	int ep;
	struct msg m;
	int r;
	volatile int done;
};

static void receiver_thread(void *arg)
{
	struct receiver *rc = arg;

	rc->r = sys_recv(rc->ep, &rc->m);
	rc->done = 1;
}

/* Pass note over ep asking for `rights`; the receiver's copy (or -1). */
static int pass_over(int ep, int note, uint32_t rights, uint32_t *got)
{
	static struct receiver rc;
	struct msg m = { .label = 7, .handle = note, .rights = rights };

	rc = (struct receiver){ .ep = ep };
	if (thread_spawn(receiver_thread, &rc, TEST_STACK, PRIO_NORMAL) < 0)
		return -1;
	if (sys_send(ep, &m) != 0 || wait_flag(&rc.done, TEST_TIMEOUT) < 0 || rc.r != 0)
		return -1;
	*got = rc.m.rights;
	return rc.m.handle;
}

/* Pass h over ep asking for `rights`, a receiver waiting (a send that goes
 * through is seen, not left queued); the send's result. */
static int pass_refused(int ep, int h, uint32_t rights)
{
	static struct receiver rc;
	struct msg m = { .label = 7, .handle = h, .rights = rights };
	int r;

	rc = (struct receiver){ .ep = ep };
	if (thread_spawn(receiver_thread, &rc, TEST_STACK, PRIO_NORMAL) < 0)
		return -1;
	r = sys_send(ep, &m);
	if (r < 0) {
		m = (struct msg){ .label = 8, .handle = -1 };	/* let the receiver go */
		CHECK_EQ(sys_send(ep, &m), 0);
	}
	CHECK_RUN(wait_flag(&rc.done, TEST_TIMEOUT));
	return r;
}

/* Rights only shrink: a copy passed with send only cannot be waited on
 * nor passed again; asking for a right the sender lacks fails the send. */
int test_rights_shrink(void)
{
	int ep = sys_endpoint_create(), note = sys_notify_create(), copy, again, grant;
	uint32_t got = 0, got2 = 0, got3 = 0;
	struct msg m = { .label = 7, .handle = -1 };

	CHECK(ep >= 0 && note >= 0);
	CHECK_EQ(HANDLE_INFO_RIGHTS(sys_handle_info(note)), RIGHTS_ALL);
	copy = pass_over(ep, note, RIGHT_SEND, &got);
	CHECK(copy >= 0);
	CHECK_EQ(got, RIGHT_SEND);
	CHECK_EQ(HANDLE_INFO_RIGHTS(sys_handle_info(copy)), RIGHT_SEND);
	CHECK_EQ(sys_notify_signal(copy, 0x10), 0);
	CHECK_EQ(sys_notify_wait(copy), -ERR_ACCES);
	CHECK_EQ(sys_notify_poll(copy), -ERR_ACCES);
	CHECK_EQ(sys_notify_timer(copy, sys_clock() + FAR, 1), -ERR_ACCES);
	CHECK_EQ(sys_notify_wait(note), 0x10);
	m.handle = copy;	/* no RIGHT_GRANT: it cannot be passed on */
	CHECK_EQ(sys_send(ep, &m), -ERR_ACCES);
	m.handle = note;
	m.rights = 8;		/* no such right */
	CHECK_EQ(sys_send(ep, &m), -ERR_INVAL);
	again = pass_over(ep, note, RIGHT_RECV | RIGHT_GRANT, &got2);
	CHECK(again >= 0);
	CHECK_EQ(got2, RIGHT_RECV | RIGHT_GRANT);
	CHECK_EQ(sys_notify_signal(again, 1), -ERR_ACCES);
	grant = pass_over(ep, note, RIGHT_SEND | RIGHT_GRANT, &got3);
	CHECK(grant >= 0);
	/* Not grant's: no copy, not even one with no rights. */
	CHECK_EQ(pass_refused(ep, grant, RIGHT_RECV), -ERR_ACCES);
	CHECK_EQ(sys_handle_close(grant), 0);
	CHECK_EQ(sys_handle_close(again), 0);
	CHECK_EQ(sys_handle_close(copy), 0);
	CHECK_EQ(sys_handle_close(note), 0);
	CHECK_EQ(sys_handle_close(ep), 0);
	return 0;
}

struct queued_sender {
	int ep;
	struct msg m;
	int r;
	volatile int started, done;
};

static void queued_send(void *arg)
{
	struct queued_sender *q = arg;

	q->started = 1;
	q->r = sys_send(q->ep, &q->m);
	q->done = 1;
}

/* q sends m on ep from a thread of its own, queued if no one receives. */
static int send_queued(struct queued_sender *q, int ep, struct msg m)
{
	*q = (struct queued_sender){ .ep = ep, .m = m };
	CHECK(thread_spawn(queued_send, q, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(wait_flag(&q->started, TEST_TIMEOUT));
	for (int i = 0; i < 8; i++)
		sys_yield();	/* most likely queued by now; if not, the same results */
	return 0;
}

/* A sender queued on an endpoint spoils its message while it waits (the
 * handle it passes closed, its length raised): its send fails, and the
 * receiver, which no sender can make fail so, takes the next message. */
int test_queued_sender_fails_alone(void)
{
	static struct queued_sender bad, good;
	int ep = sys_endpoint_create(), note = sys_notify_create();
	struct msg m;

	CHECK(ep >= 0 && note >= 0);
	for (int round = 0; round < 2; round++) {
		CHECK_RUN(send_queued(&bad, ep, (struct msg){ .label = 1, .handle = round ? -1 : note }));
		CHECK_RUN(send_queued(&good, ep, (struct msg){ .label = 2, .handle = -1 }));
		if (round == 0)
			CHECK_EQ(sys_handle_close(note), 0);
		else
			bad.m.len = MSG_DATA_MAX + 88;
		CHECK_EQ(sys_recv(ep, &m), 0);
		CHECK_EQ(m.label, 2);
		CHECK_RUN(wait_flag(&bad.done, TEST_TIMEOUT));
		CHECK_RUN(wait_flag(&good.done, TEST_TIMEOUT));
		CHECK_EQ(bad.r, round ? -ERR_INVAL : -ERR_BADF);
		CHECK_EQ(good.r, 0);
	}
	CHECK_EQ(sys_handle_close(ep), 0);
	return 0;
}

/* A server that ends leaves no one to receive on its endpoint: a call on
 * a send-only copy then fails at once instead of waiting for ever. */
int test_server_gone(void)
{
	struct echo e;
	uint32_t got = 0;
	int via = sys_endpoint_create(), send_only;
	struct msg m = { .label = 1, .handle = -1 };

	CHECK(via >= 0);
	CHECK_RUN(echo_start(&e));
	send_only = pass_over(via, e.ep, RIGHT_SEND, &got);
	CHECK(send_only >= 0);
	CHECK_EQ(got, RIGHT_SEND);
	sys_handle_close(e.ep);	/* now only the server may receive there */
	e.ep = send_only;
	CHECK_RUN(echo_call(&e, 5, "still here"));
	child_cleanup(&e.proc);	/* killed */
	CHECK_EQ(sys_call(send_only, &m), -ERR_PIPE);
	CHECK_EQ(sys_send(send_only, &m), -ERR_PIPE);
	CHECK_EQ(sys_handle_close(send_only), 0);
	CHECK_EQ(sys_handle_close(via), 0);
	return 0;
}

/* A thread waiting on a notification, and how its wait ended. */
struct note_waiter {
	int note, done;		/* it waits on note, then signals done */
	long r;			/* its wait's result */
};

#define PROBE 0x1	/* on note: the waiter met our probe (until_waiting) */
#define DONE 0x1	/* on done: the waiter's wait ended */
#define TIMED_OUT 0x2	/* on done: the test's timer (a bound, not a measure) */

static void note_waiter_thread(void *arg)
{
	struct note_waiter *w = arg;

	/* -ERR_BUSY: the test's probe waits there; let it go and wait again. */
	while ((w->r = sys_notify_wait(w->note)) == -ERR_BUSY)
		sys_notify_signal(w->note, PROBE);
	sys_notify_signal(w->done, DONE);
}

/* Until a thread of ours waits on note, asked without a clock: a wait of
 * ours there is -ERR_BUSY then. One that blocks instead was first; the
 * waiter's own wait meets it busy and ends it with PROBE. */
static int until_waiting(int note)
{
	long r;

	while ((r = sys_notify_wait(note)) == PROBE)
		;
	CHECK_EQ(r, -ERR_BUSY);
	return 0;
}

/* A thread waits on a notification another holder may only signal (as
 * netd holds a program's); a second thread closes the last handle that
 * may wait on it. Every signal is -ERR_PIPE from then on, so the wait
 * fails at once with -ERR_PIPE, as an endpoint's receive would, instead
 * of lasting until the timer that bounds the test. */
int test_notify_receiver_gone(void)
{
	static struct note_waiter w;
	int via = sys_endpoint_create(), note = sys_notify_create(), copy;
	uint32_t got = 0;
	long r;

	w = (struct note_waiter){ .note = note, .done = sys_notify_create(), .r = 0 };
	CHECK(via >= 0 && note >= 0 && w.done >= 0);
	copy = pass_over(via, note, RIGHT_SEND, &got);
	CHECK(copy >= 0);
	CHECK_EQ(got, RIGHT_SEND);
	CHECK(thread_spawn(note_waiter_thread, &w, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(until_waiting(note));
	CHECK_EQ(sys_handle_close(note), 0);
	CHECK_EQ(sys_notify_signal(copy, 0x4), -ERR_PIPE);
	CHECK_EQ(sys_notify_timer(w.done, sys_clock() + TEST_TIMEOUT, TIMED_OUT), 0);
	r = sys_notify_wait(w.done);
	CHECK(sys_notify_timer(w.done, 0, TIMED_OUT) >= 0);	/* 1 if it fired */
	/* The last reference: a wait still there (the wake missed) ends now,
	 * as the notification goes, so a failure leaves no thread waiting. */
	CHECK_EQ(sys_handle_close(copy), 0);
	if (r == TIMED_OUT)
		CHECK_EQ(sys_notify_wait(w.done), DONE);
	CHECK_EQ(r, DONE);
	CHECK_EQ(w.r, -ERR_PIPE);
	CHECK_EQ(sys_handle_close(w.done), 0);
	CHECK_EQ(sys_handle_close(via), 0);
	return 0;
}

/* Ask the pager for its counters while passing a handle it does not
 * expect: the request must fail and the pager must not keep the handle. */
static int stats_passing(int note)
{
	static struct msg m;

	m = (struct msg){ .label = PAGER_STATS, .handle = note };
	CHECK_EQ(sys_call(HANDLE_PAGER, &m), 0);
	CHECK_EQ((int64_t)m.label, -EINVAL);
	return 0;
}

#define PASSES 200	/* three times the pager's old table of 64 */

static int exit_at_once(void *arg)
{
	(void)arg;
	return 0;
}

int test_passed_handles_closed(void)
{
	struct kernel_info before;
	struct exit_info info;
	int note = sys_notify_create();

	CHECK(note >= 0);
	CHECK_EQ(sys_kernel_info(&before), 0);
	for (int i = 0; i < PASSES; i++)
		CHECK_RUN(stats_passing(note));
	CHECK_RUN(kinfo_settles(&before));
	CHECK_EQ(sys_handle_close(note), 0);
	/* Fork still works for everyone: the pager's table has room. */
	pid_t pid = fork_run(exit_at_once, NULL);
	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "a child forked after the passes"));
	return 0;
}

/* How a child that took the maximum of something ends. */
enum ending { ENDS_EXITING, ENDS_KILLED };

struct at_max {
	int (*take)(void);	/* take the maximum; how many, or -1 */
	volatile int count;	/* the child's, in shared memory */
	volatile int ready;
};

_Noreturn static int take_then_wait(void *arg)
{
	struct at_max *a = arg;

	a->count = a->take();
	a->ready = 1;
	for (;;)
		sys_yield();	/* until killed */
}

static int take_then_exit(void *arg)
{
	struct at_max *a = arg;

	a->count = a->take();
	return a->count < 0;
}

/* A child takes the maximum and ends as said; then everything it held is
 * back and this process can take the maximum itself. Its count, or -1. */
static int child_at_max(int (*take)(void), enum ending how)
{
	struct at_max *a = anon_pages(1, MAP_SHARED);
	struct kernel_info before;
	struct exit_info info;
	pid_t pid;
	int count;

	CHECK(a != NULL);
	*a = (struct at_max){ .take = take };
	CHECK_EQ(sys_kernel_info(&before), 0);
	pid = fork_run(how == ENDS_KILLED ? take_then_wait : take_then_exit, a);
	CHECK(pid > 0);
	if (how == ENDS_KILLED) {
		/* A forked child's bound, not a thread's: taking 1,019 regions
		 * is ~1.8 billion guest instructions, over TEST_TIMEOUT on a
		 * loaded host. */
		CHECK_RUN(wait_flag(&a->ready, CHILD_TIMEOUT));
		CHECK_EQ(kill(pid, SIGKILL), 0);
	}
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_EQ(info.how, how == ENDS_KILLED ? EXIT_KILLED : EXIT_NORMAL);
	count = a->count;
	CHECK(count > 0);
	CHECK_RUN(kinfo_settles(&before));
	munmap((void *)a, PAGE_SIZE);
	return count;
}

/* Both endings, then this process takes the maximum too. */
static int limit_holds(const char *what, int (*take)(void), void (*release)(void))
{
	int exited = child_at_max(take, ENDS_EXITING);
	int killed = child_at_max(take, ENDS_KILLED);
	struct kernel_info before;

	CHECK(exited > 0 && killed > 0);
	CHECK_EQ(killed, exited);
	CHECK_EQ(sys_kernel_info(&before), 0);
	int mine = take();
	CHECK(mine > 0);
	release();
	CHECK_RUN(kinfo_settles(&before));
	diag("%s: a child took %d (exiting and killed), this process %d", what, exited, mine);
	return 0;
}

/* Handles: notifications until the table is full. */
static int notes[HANDLES_MAX];
static int nnotes;

static int take_handles(void)
{
	int h;

	nnotes = 0;
	while ((h = sys_notify_create()) >= 0)
		notes[nnotes++] = h;
	if (h != -ERR_MFILE)
		return -1;
	for (int i = 0; i < HANDLES_MAX; i++)
		if (sys_handle_info(i) < 0)
			return -1;	/* every entry must be in use now */
	return nnotes;
}

static void release_handles(void)
{
	for (int i = 0; i < nnotes; i++)
		sys_handle_close(notes[i]);
}

int test_limit_handles(void)
{
	return limit_holds("handles", take_handles, release_handles);
}

/* Timers: every one this process may arm, a long way off. */
static int timer_note = -1;

static int take_timers(void)
{
	int n = 0;

	timer_note = sys_notify_create();
	if (timer_note < 0)
		return -1;
	while (sys_notify_timer(timer_note, sys_clock() + FAR, 1UL << n) == 0)
		n++;
	return n == NOTIFY_TIMERS_PER_PROC ? n : -1;
}

static void release_timers(void)
{
	for (int k = 0; k < NOTIFY_TIMERS_PER_PROC; k++)
		sys_notify_timer(timer_note, 0, 1UL << k);
	sys_handle_close(timer_note);
}

int test_limit_timers(void)
{
	return limit_holds("timers", take_timers, release_timers);
}

/* Threads: each waits in a receive on one endpoint of this process;
 * closing it fails every receive (-ERR_PIPE) and they all leave. */
static int park_ep = -1;
static volatile int parked;

static void parked_thread(void *arg)
{
	struct msg m;

	(void)arg;
	__atomic_add_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	sys_recv(park_ep, &m);
	__atomic_sub_fetch(&parked, 1, __ATOMIC_SEQ_CST);
}

static int take_threads(void)
{
	int n = 1;	/* the calling thread */

	park_ep = sys_endpoint_create();
	if (park_ep < 0)
		return -1;
	while (thread_spawn(parked_thread, NULL, 4096, PRIO_NORMAL) >= 0)
		n++;
	return n == THREADS_MAX ? n : -1;
}

static void release_threads(void)
{
	sys_handle_close(park_ep);
	while (__atomic_load_n(&parked, __ATOMIC_SEQ_CST) > 0)
		sys_yield();
}

int test_limit_threads(void)
{
	return limit_holds("threads", take_threads, release_threads);
}

/* Mappings: one-page regions until the pager refuses. */
static void *maps[PAGER_REGIONS_MAX];
static int nmaps;

static int take_regions(void)
{
	void *p;

	nmaps = 0;
	while (nmaps < PAGER_REGIONS_MAX &&
	       (p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0)) != MAP_FAILED)
		maps[nmaps++] = p;
	if (nmaps == PAGER_REGIONS_MAX || errno != ENOMEM)
		return -1;
	return nmaps;
}

static void release_regions(void)
{
	for (int i = 0; i < nmaps; i++)
		munmap(maps[i], PAGE_SIZE);
}

int test_limit_regions(void)
{
	return limit_holds("mappings", take_regions, release_regions);
}

static int exit_zero(void *arg)
{
	(void)arg;
	return 0;
}

/* Processes: the suite's processes are one line. forkchain, a small
 * program, forks a chain until the pager refuses, and checks with the
 * chain alive that it stopped with EAGAIN at the line's bound with room
 * left in the table (userland/bin/forkchain.c); once the chain has ended,
 * this process forks again. */
int test_limit_processes(void)
{
	struct pager_stats before, now;
	struct child chain;
	struct exit_info info;
	pid_t pid;

	CHECK_RUN(stats_get(&before));
	CHECK_RUN(child_start(&chain, "forkchain", NULL, -1));
	CHECK_RUN(child_wait(&chain, &info));
	child_cleanup(&chain);
	CHECK_RUN(expect_clean_exit(&info, "forkchain"));
	for (int64_t t = sys_clock(); stats_get(&now) == 0 && now.processes > before.processes;
	     sys_yield())
		CHECK(sys_clock() - t < CHILD_TIMEOUT);
	CHECK((pid = fork_run(exit_zero, NULL)) > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	return expect_clean_exit(&info, "a child after the chain");
}
