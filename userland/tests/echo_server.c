/*
 * The echo server of the IPC fast-path tests (echo_server.h): a thread of
 * the test process serving one endpoint, and the checked call made to it.
 */
#include <string.h>

#include "check.h"
#include "echo_server.h"
#include "syscall.h"	/* userland/lib: sys_ecall, for the memory form */
#include "tests.h"
#include "thread.h"

static void answer(struct server *s)
{
	s->out.label = s->in.label + 1;
	s->out.handle = -1;
	s->out.len = s->in.len;
	for (int i = 0; i < MSG_WORDS; i++)
		s->out.w[i] = s->in.w[i] * 2;
	for (uint32_t i = 0; i < s->in.len; i++)
		s->out.data[i] = s->in.data[s->in.len - 1 - i];
	if (s->in.handle >= 0) {
		s->handles++;
		sys_handle_close(s->in.handle);
	}
	s->bad += s->in.origin != ORIGIN_CALL;
	s->last_pid = s->in.pid;
	s->last_tid = s->in.tid;
}

static int serve_recv(struct server *s)
{
	if (s->mem)
		return (int)sys_ecall(SYS_RECV, s->ep, (long)&s->in, 0, 0, 0, 0);
	return sys_recv(s->ep, &s->in);
}

static int serve_reply_recv(struct server *s)
{
	if (s->mem)
		return (int)sys_ecall(SYS_REPLY_RECV, s->ep, (long)&s->out, (long)&s->in, 0, 0, 0);
	return sys_reply_recv(s->ep, &s->out, &s->in);
}

void server_thread(void *arg)
{
	struct server *s = arg;

	s->tid = sys_gettid();
	s->waiting = 1;
	if (serve_recv(s) < 0)
		return;
	for (;;) {
		answer(s);
		s->waiting = 1;
		if (serve_reply_recv(s) < 0)
			return;
	}
}

int server_start(struct server *s, int prio, int mem)
{
	memset(s, 0, sizeof(*s));
	s->mem = mem;
	s->ep = sys_endpoint_create();
	CHECK(s->ep >= 0);
	CHECK(thread_spawn(server_thread, s, TEST_STACK, prio) >= 0);
	return 0;
}

int server_waits(struct server *s)
{
	CHECK_RUN(wait_flag(&s->waiting, TEST_TIMEOUT));
	sys_yield();
	return 0;
}

struct kernel_info kinfo(void)
{
	struct kernel_info k = { 0 };

	sys_kernel_info(&k);
	return k;
}

/* The kernel's fields of m are set to lies: neither form may carry them. */
int call_checked(struct server *s, uint32_t len, int pass, int raw)
{
	struct msg m = { .label = 40 + len, .handle = pass, .len = len, .pid = 4242,
			 .tid = 77, .origin = ORIGIN_FAULT, .rights = pass < 0 ? 5 : 0 };

	for (int i = 0; i < MSG_WORDS; i++)
		m.w[i] = 100 + (uint64_t)i;
	for (uint32_t i = 0; i < len; i++)
		m.data[i] = (uint8_t)i;
	if (raw)
		CHECK_EQ(sys_ecall(SYS_CALL, s->ep, (long)&m, 0, 0, 0, 0), 0);
	else
		CHECK_EQ(sys_call(s->ep, &m), 0);
	CHECK_EQ(m.label, 41 + len);
	CHECK_EQ(m.origin, ORIGIN_SEND);
	CHECK_EQ(m.pid, sys_getpid());
	CHECK_EQ(m.tid, s->tid);
	CHECK_EQ(m.handle, -1);
	CHECK_EQ(m.rights, 0);
	CHECK_EQ(m.len, len);
	for (int i = 0; i < MSG_WORDS; i++)
		CHECK_EQ(m.w[i], 2 * (100 + i));
	for (uint32_t i = 0; i < len; i++)
		CHECK_EQ(m.data[i], (uint8_t)(len - 1 - i));
	CHECK_EQ(s->bad, 0);
	CHECK_EQ(s->last_pid, sys_getpid());
	CHECK_EQ(s->last_tid, sys_gettid());
	return 0;
}
