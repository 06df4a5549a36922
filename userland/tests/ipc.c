/*
 * IPC tests: calls to an echo server in another process, one-way sends
 * between threads with a handle passed along, and a reply_recv server loop
 * serving several clients.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tests.h"
#include "thread.h"

#define PINGPONG_CALLS 100
#define SERVER_CLIENTS 2
#define CLIENT_CALLS 20

/* Call i of ipc_pingpong: every field of the answer is checked. */
static int pingpong_one(const struct echo *e, int i)
{
	struct msg m = { .label = 1000 + (uint64_t)i, .handle = -1 };
	char text[32];
	int n = snprintf(text, sizeof(text), "ping %d of pingpong", i);

	memcpy(m.data, text, (size_t)n);
	m.len = (uint32_t)n;
	m.w[1] = 3 * (uint64_t)i;
	CHECK_EQ(sys_call(e->ep, &m), 0);
	CHECK_EQ(m.label, 1000 + i);
	CHECK_EQ(m.len, n);
	CHECK_EQ(m.pid, e->proc.pid);		/* the kernel says who answered */
	CHECK_EQ(m.w[0], i + 1);		/* calls answered so far */
	CHECK_EQ(m.w[1], 3 * i);
	for (int k = 0; k < n; k++)
		CHECK_EQ(m.data[k], toupper((unsigned char)text[k]));
	return 0;
}

int test_ipc_pingpong(void)
{
	struct echo e;

	CHECK_RUN(echo_start(&e));
	for (int i = 0; i < PINGPONG_CALLS; i++) {
		if (pingpong_one(&e, i) < 0) {
			echo_cleanup(&e);
			return -1;
		}
	}
	return echo_stop(&e);
}

/* ipc_send_recv's receiving thread: takes one message, and signals the
 * notification handle that came with it with the bits in w[0]. */
struct receiver {
	int ep;
	int recv_result;
	int signal_result;
	struct msg m;
	volatile int done;
};

static void receiver_thread(void *arg)
{
	struct receiver *rc = arg;

	rc->recv_result = sys_recv(rc->ep, &rc->m);
	rc->signal_result = -1;
	if (rc->recv_result == 0 && rc->m.handle >= 0) {
		rc->signal_result = sys_notify_signal(rc->m.handle, rc->m.w[0]);
		sys_handle_close(rc->m.handle);
	}
	rc->done = 1;
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Send one message with handle note to rc's thread; check what it got. */
static int send_to_thread(struct receiver *rc, int note)
{
	struct msg m = { .label = 0x5e4d, .handle = note, .len = 200 };

	m.w[0] = 0x30;
	m.w[5] = 0x1122334455667788ULL;
	fill_pattern(m.data, m.len, 11);
	CHECK_EQ(sys_send(rc->ep, &m), 0);
	CHECK_RUN(wait_flag(&rc->done, TEST_TIMEOUT));
	CHECK_EQ(rc->recv_result, 0);
	CHECK_EQ(rc->m.label, 0x5e4d);
	CHECK_EQ(rc->m.origin, ORIGIN_SEND);
	CHECK_EQ(rc->m.pid, sys_getpid());
	CHECK_EQ(rc->m.tid, sys_gettid());
	CHECK_EQ(rc->m.len, 200);
	CHECK(rc->m.w[5] == 0x1122334455667788ULL);
	CHECK(memcmp(rc->m.data, m.data, 200) == 0);
	CHECK(rc->m.handle >= 0);		/* the notification came along */
	CHECK_EQ(rc->signal_result, 0);
	CHECK_EQ(sys_notify_poll(note), 0x30);	/* the receiver signalled it */
	return 0;
}

int test_ipc_send_recv(void)
{
	static struct receiver rc;	/* static: the thread may outlive a failure */
	int r = -1;

	memset(&rc, 0, sizeof(rc));
	rc.ep = sys_endpoint_create();
	CHECK(rc.ep >= 0);
	int note = sys_notify_create();
	if (note < 0) {
		check_failed(__FILE__, __LINE__, "sys_notify_create: %d", note);
	} else if (thread_spawn(receiver_thread, &rc, TEST_STACK, PRIO_NORMAL) < 0) {
		check_failed(__FILE__, __LINE__, "thread_spawn failed");
	} else {
		r = send_to_thread(&rc, note);
	}
	if (note >= 0)
		sys_handle_close(note);
	sys_handle_close(rc.ep);
	return r;
}

/* One of ipc_call_reply's client threads: CLIENT_CALLS calls, each answer
 * checked; the server (the test's main thread) answers label + 1, the data
 * upper-cased and w[0] * 2. */
struct caller {
	int ep;
	unsigned id;
	int tid;
	int wrong;		/* calls that failed or got a wrong answer */
	volatile int done;
};

static uint64_t caller_label(unsigned id, unsigned seq)
{
	return ((uint64_t)id << 16) | seq;
}

static void caller_thread(void *arg)
{
	struct caller *c = arg;

	for (unsigned i = 0; i < CLIENT_CALLS; i++) {
		struct msg m = { .label = caller_label(c->id, i), .handle = -1,
				 .len = 8 };
		memset(m.data, 'a' + (int)c->id, m.len);
		m.w[0] = i;
		int r = sys_call(c->ep, &m);
		if (r != 0 || m.label != caller_label(c->id, i) + 1 ||
		    m.len != 8 || m.data[7] != 'A' + c->id || m.w[0] != 2 * i)
			c->wrong++;
	}
	c->done = 1;
}

static void answer(const struct msg *req, struct msg *rep)
{
	rep->label = req->label + 1;
	rep->handle = -1;
	rep->len = req->len;
	for (uint32_t i = 0; i < req->len && i < MSG_DATA_MAX; i++)
		rep->data[i] = (uint8_t)toupper(req->data[i]);
	rep->w[0] = req->w[0] * 2;
}

/* Serve every call of the callers with sys_reply_recv, checking that each
 * caller's calls arrive in the order it made them. */
static int serve(int ep, const struct caller *callers)
{
	static struct msg req, rep;
	unsigned next[SERVER_CLIENTS] = { 0 };
	const int total = SERVER_CLIENTS * CLIENT_CALLS;

	CHECK_EQ(sys_recv(ep, &req), 0);
	for (int k = 0; k < total; k++) {
		unsigned id = (unsigned)(req.label >> 16);
		CHECK_EQ(req.origin, ORIGIN_CALL);
		CHECK_EQ(req.pid, sys_getpid());
		CHECK(id < SERVER_CLIENTS);
		CHECK_EQ(req.tid, callers[id].tid);
		CHECK_EQ(req.label & 0xffff, next[id]);
		next[id]++;
		answer(&req, &rep);
		if (k == total - 1)
			CHECK_EQ(sys_reply(&rep), 0);
		else
			CHECK_EQ(sys_reply_recv(ep, &rep, &req), 0);
	}
	return 0;
}

static int serve_threads(void)
{
	static struct caller callers[SERVER_CLIENTS];
	int ep = sys_endpoint_create();

	CHECK(ep >= 0);
	for (unsigned i = 0; i < SERVER_CLIENTS; i++) {
		callers[i] = (struct caller){ .ep = ep, .id = i };
		callers[i].tid = thread_spawn(caller_thread, &callers[i],
					      TEST_STACK, PRIO_NORMAL);
		CHECK(callers[i].tid >= 0);
	}
	CHECK_RUN(serve(ep, callers));
	for (unsigned i = 0; i < SERVER_CLIENTS; i++) {
		CHECK_RUN(wait_flag(&callers[i].done, TEST_TIMEOUT));
		CHECK_EQ(callers[i].wrong, 0);
	}
	sys_handle_close(ep);
	return 0;
}

/* A call to another process with MSG_DATA_MAX bytes each way. */
static int full_message(const struct echo *e)
{
	struct msg m = { .label = 77, .handle = -1, .len = MSG_DATA_MAX };

	for (int i = 0; i < MSG_DATA_MAX; i++)
		m.data[i] = (uint8_t)('a' + i % 26);
	CHECK_EQ(sys_call(e->ep, &m), 0);
	CHECK_EQ(m.label, 77);
	CHECK_EQ(m.len, MSG_DATA_MAX);
	for (int i = 0; i < MSG_DATA_MAX; i++)
		CHECK_EQ(m.data[i], 'A' + i % 26);
	return 0;
}

int test_ipc_call_reply(void)
{
	struct echo e;

	CHECK_RUN(echo_start(&e));
	if (full_message(&e) < 0) {
		echo_cleanup(&e);
		return -1;
	}
	CHECK_RUN(echo_stop(&e));
	return serve_threads();
}
