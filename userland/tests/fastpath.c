/*
 * The kernel's IPC fast path: each case it must leave to the slow path
 * (receiver not waiting or of lower priority, data, a passed handle, a
 * receiver's buffer page not there, a handle without the right) and the
 * cases it takes (a call to a waiting server, a fault answered with
 * mappings), each checked for the full answer and, through the kernel's
 * counters (kernel_info), for the path it took. fastpath_regs.c: the
 * register form against the memory form.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "tests.h"
#include "thread.h"
#include "echo_server.h"

#define CALLS 10

/* Calls to a waiting server of our priority take the fast path both ways;
 * one with data and one passing a handle do not, and still arrive whole. */
int test_fastpath_calls(void)
{
	static struct server s;
	struct kernel_info a, b;

	CHECK_RUN(server_start(&s, PRIO_NORMAL, 0));
	CHECK_RUN(server_waits(&s));
	a = kinfo();
	for (int i = 0; i < CALLS; i++)
		CHECK_RUN(call_checked(&s, 0, -1, 0));
	b = kinfo();
	/* Every one, but for a pager thread woken meanwhile (it would run
	 * first, so the kernel must queue). */
	CHECK(b.fast_calls - a.fast_calls >= CALLS - 2);
	CHECK(b.fast_replies - a.fast_replies >= CALLS - 2);
	CHECK_RUN(call_checked(&s, 24, -1, 0));
	CHECK_EQ(kinfo().fast_calls, b.fast_calls);
	int note = sys_notify_create();
	CHECK(note >= 0);
	b = kinfo();
	CHECK_RUN(call_checked(&s, 0, note, 0));
	CHECK_EQ(kinfo().fast_calls, b.fast_calls);
	CHECK_EQ(s.handles, 1);
	sys_handle_close(note);
	sys_handle_close(s.ep);		/* the server's receive fails: it ends */
	return 0;
}

/* late_server's thread: waits for a go-ahead before serving. */
struct late {
	struct server s;
	int go;			/* notification */
	volatile int parked;
};

static void late_thread(void *arg)
{
	struct late *l = arg;

	l->parked = 1;
	if (sys_notify_wait(l->go) > 0)
		server_thread(&l->s);
}

/* The kernel's counters are the whole machine's: a pager or driver thread
 * that happens to make a fast call while a test measures would read as the
 * test's. A measurement that saw fast calls is made again, up to TRIES
 * times: a call that wrongly takes the fast path does so every time. */
#define TRIES 3

/* One call to a server made ready but not yet receiving (late, a struct
 * no earlier try's thread still reads); the fast calls and register-form
 * messages the kernel counted meanwhile. -1 if the server could not be set
 * up or the call failed (said why). */
static int late_call(struct late *l, uint64_t *fast, uint64_t *regs)
{
	struct kernel_info a, b;
	int ok;

	memset(l, 0, sizeof(*l));
	l->s.ep = sys_endpoint_create();
	l->go = sys_notify_create();
	ok = l->s.ep >= 0 && l->go >= 0 &&
	     thread_spawn(late_thread, l, TEST_STACK, PRIO_NORMAL) >= 0 &&
	     wait_flag(&l->parked, TEST_TIMEOUT) == 0;
	if (ok) {
		sys_yield();				/* it waits for go */
		a = kinfo();
		ok = sys_notify_signal(l->go, 1) == 0 &&	/* ready, not receiving */
		     call_checked(&l->s, 0, -1, 0) == 0;
		b = kinfo();
		*fast = b.fast_calls - a.fast_calls;
		*regs = b.msgs_in_regs - a.msgs_in_regs;
	}
	if (l->s.ep >= 0)
		sys_handle_close(l->s.ep);
	if (l->go >= 0)
		sys_handle_close(l->go);	/* a thread still waiting for go ends */
	return ok ? 0 : -1;
}

/* CALLS calls to s; the fast calls and register-form messages meanwhile. */
static int calls_to(struct server *s, uint64_t *fast, uint64_t *regs)
{
	struct kernel_info a = kinfo(), b;

	for (int i = 0; i < CALLS; i++)
		if (call_checked(s, 0, -1, 0))
			return -1;
	b = kinfo();
	*fast = b.fast_calls - a.fast_calls;
	*regs = b.msgs_in_regs - a.msgs_in_regs;
	return 0;
}

/* A call made while the server is ready but not yet receiving queues
 * (slow path), as does one to a waiting server of lower priority; both are
 * answered in full. */
int test_fastpath_slow_receivers(void)
{
	static struct late late[TRIES];
	static struct server low;
	uint64_t fast = 0, regs = 0;

	for (int t = 0; t < TRIES && (t == 0 || fast); t++)
		CHECK_RUN(late_call(&late[t], &fast, &regs));
	CHECK_EQ(fast, 0);
	/* The slow path keeps the register form: the queued call read from
	 * the caller's registers, the reply written to them. */
	CHECK(regs >= 2);	/* and any pager thread's */

	CHECK_RUN(server_start(&low, PRIO_IDLE, 0));
	CHECK_RUN(call_checked(&low, 0, -1, 0));	/* it receives while we wait */
	for (int t = 0; t < TRIES && (t == 0 || fast); t++)
		CHECK_RUN(calls_to(&low, &fast, &regs));
	CHECK_EQ(fast, 0);
	CHECK(regs >= 2 * CALLS);
	sys_handle_close(low.ep);
	return 0;
}

/* The receive buffer of a server in the memory form is copy-on-write after
 * a fork: the call cannot be written in place, takes the slow path (which
 * has the pager copy the page) and arrives whole. */
int test_fastpath_buffer_absent(void)
{
	static struct server s __attribute__((aligned(4096)));
	struct kernel_info a;
	struct exit_info info;
	pid_t pid;

	CHECK_RUN(server_start(&s, PRIO_NORMAL, 1));
	CHECK_RUN(server_waits(&s));
	CHECK_RUN(call_checked(&s, 0, -1, 0));	/* it waits again, on s.in */
	CHECK_RUN(server_waits(&s));
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	a = kinfo();
	CHECK_RUN(call_checked(&s, 0, -1, 0));
	CHECK_EQ(kinfo().fast_calls, a.fast_calls);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	sys_handle_close(s.ep);
	return 0;
}

/* A thread that receives one message on box and keeps what came. */
struct grab {
	int box;
	struct msg m;
	volatile int done;
};

static void grab_thread(void *arg)
{
	struct grab *g = arg;

	if (sys_recv(g->box, &g->m) < 0)
		g->m.handle = -1;
	g->done = 1;
}

/* A copy of ep in this process holding only rights, made by passing it in a
 * message to a thread of ours; the handle, or -1 (recorded). */
static int copy_with(int ep, uint32_t rights)
{
	static struct grab g;
	struct msg m = { .handle = ep, .rights = rights };

	memset(&g, 0, sizeof(g));
	g.box = sys_endpoint_create();
	CHECK(g.box >= 0);
	CHECK(thread_spawn(grab_thread, &g, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_EQ(sys_send(g.box, &m), 0);	/* waits for the thread to take it */
	CHECK_RUN(wait_flag(&g.done, TEST_TIMEOUT));
	sys_handle_close(g.box);
	CHECK(g.m.handle >= 0);
	CHECK_EQ(g.m.rights, rights);
	return g.m.handle;
}

/* A thread that makes one call on ep and keeps the answer. */
struct one_call {
	int ep;
	int result;
	struct msg m;
	volatile int done;
};

static void one_call_thread(void *arg)
{
	struct one_call *c = arg;

	c->m = (struct msg){ .label = 9, .handle = -1 };
	c->result = sys_call(c->ep, &c->m);
	c->done = 1;
}

/* Handles without the right, with a partner waiting each time: calling on a
 * receive-only copy, and replying-and-receiving on a send-only one while a
 * reply is owed, fail with -ERR_ACCES and deliver nothing. */
int test_fastpath_rights(void)
{
	static struct server s;
	static struct one_call c;
	static struct msg req, rep;
	int recv_only, send_only;

	CHECK_RUN(server_start(&s, PRIO_NORMAL, 0));
	CHECK_RUN(server_waits(&s));
	CHECK((recv_only = copy_with(s.ep, RIGHT_RECV)) >= 0);
	CHECK((send_only = copy_with(s.ep, RIGHT_SEND)) >= 0);
	CHECK_RUN(server_waits(&s));
	req = (struct msg){ .label = 1, .handle = -1 };
	CHECK_EQ(sys_call(recv_only, &req), -ERR_ACCES);
	CHECK_RUN(call_checked(&s, 0, -1, 0));	/* the server saw nothing else */

	int ep = sys_endpoint_create();
	CHECK(ep >= 0);
	c = (struct one_call){ .ep = ep };
	CHECK(thread_spawn(one_call_thread, &c, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_EQ(sys_recv(ep, &req), 0);	/* we owe c a reply now */
	rep = (struct msg){ .label = 10, .handle = -1 };
	CHECK_EQ(sys_reply_recv(send_only, &rep, &req), -ERR_ACCES);
	CHECK_EQ(c.done, 0);			/* no reply went */
	CHECK_EQ(sys_reply(&rep), 0);
	CHECK_RUN(wait_flag(&c.done, TEST_TIMEOUT));
	CHECK_EQ(c.result, 0);
	CHECK_EQ(c.m.label, 10);
	sys_handle_close(ep);
	sys_handle_close(recv_only);
	sys_handle_close(send_only);
	sys_handle_close(s.ep);
	return 0;
}

/* First touches fault; the pager's FAULT_RESUME replies carry the page
 * and its fault-around neighbours, applied by the fast path. */
int test_fastpath_faults(void)
{
	const int pages = 64;
	volatile uint8_t *p = mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kernel_info a, b;

	CHECK(p != MAP_FAILED);
	a = kinfo();
	for (int i = 0; i < pages; i++) {
		CHECK_EQ(p[i * PAGE_SIZE + 7], 0);
		p[i * PAGE_SIZE + 7] = (uint8_t)i;
	}
	b = kinfo();
	for (int i = 0; i < pages; i++)
		CHECK_EQ(p[i * PAGE_SIZE + 7], (uint8_t)i);
	diag("fast path: %lu faults, %lu resumes for %d pages", (unsigned long)(b.fast_faults -
	     a.fast_faults), (unsigned long)(b.fast_resumes - a.fast_resumes), pages);
	CHECK(b.fast_faults - a.fast_faults >= 1);
	CHECK(b.fast_resumes - a.fast_resumes >= 1);
	munmap((void *)p, pages * PAGE_SIZE);
	return 0;
}
