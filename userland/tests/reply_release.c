/*
 * reply_recv_release: the kernel lets the server's lock word go between
 * its reply and its receive, only when the word says held with no one
 * waiting; otherwise, and for a word it may not write, nothing is done
 * (the caller still waits for its reply). Both forms, fast and slow path.
 */
#include <string.h>

#include "check.h"
#include "ipc_regs.h"
#include "tests.h"
#include "thread.h"

#define WAITING_TOO ((uint64_t)RELEASE_HELD | 2)	/* held, and a waiter's bit */

static uint64_t word;			/* the server's lock word */
static const uint64_t read_only_word = RELEASE_HELD;

/* The calling thread: call after call until told to stop, noting for each
 * reply the lock word it found as it ran again. */
struct release_caller {
	int ep;
	int with_data;			/* ask for a reply in memory */
	volatile int replies;
	volatile uint64_t word_seen;	/* at the last reply */
	volatile int stop, done, wrong;
};

static void release_caller_thread(void *arg)
{
	struct release_caller *c = arg;

	while (!c->stop) {
		struct msg m = { .label = 100 + (uint64_t)c->replies, .handle = -1 };
		int r = sys_call(c->ep, &m);

		c->word_seen = word;
		if (r != 0 || m.label != 200 + (uint64_t)c->replies)
			c->wrong++;
		c->replies++;
	}
	c->done = 1;
}

/* Reply rep for the call in req (label 100 + n), data in memory or not. */
static void reply_for(const struct msg *req, struct msg *rep, int with_data)
{
	*rep = (struct msg){ .label = req->label + 100, .handle = -1 };
	if (with_data) {
		rep->len = 8;
		memset(rep->data, 'r', rep->len);
	}
}

/* Bad words: refused with -ERR_FAULT, the word and the caller untouched. */
static int refuses_bad_words(int ep, struct release_caller *c, struct msg *req, struct msg *rep)
{
	uint64_t *const bad[] = { (uint64_t *)((uintptr_t)&word + 1),	/* not aligned */
				  (uint64_t *)(uintptr_t)8,		/* not mapped */
				  (uint64_t *)(uintptr_t)0xffffffc080200000UL,	/* the kernel's */
				  (uint64_t *)(uintptr_t)&read_only_word };
	int before = c->replies;

	word = RELEASE_HELD;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(sys_reply_recv_release(ep, rep, req, bad[i]), -ERR_FAULT);
	CHECK_EQ(word, RELEASE_HELD);
	CHECK_EQ(read_only_word, RELEASE_HELD);
	CHECK_EQ(c->replies, before);	/* no reply went */
	return 0;
}

/* A word not held, or held with a waiter's bit: -ERR_AGAIN, nothing
 * done; the server then replies and receives apart, as a pager thread
 * does. */
static int refuses_waiting(int ep, struct release_caller *c, struct msg *req, struct msg *rep)
{
	int before = c->replies;

	word = 0;
	CHECK_EQ(sys_reply_recv_release(ep, rep, req, &word), -ERR_AGAIN);
	CHECK_EQ(word, 0);
	word = WAITING_TOO;
	CHECK_EQ(sys_reply_recv_release(ep, rep, req, &word), -ERR_AGAIN);
	CHECK_EQ(word, WAITING_TOO);
	CHECK_EQ(c->replies, before);
	CHECK_EQ(sys_reply(rep), 0);
	CHECK_EQ(sys_recv(ep, req), 0);
	CHECK_EQ(c->replies, before + 1);
	return 0;
}

/* Held with no waiter: the reply reaches the caller, which finds the word
 * let go already, and the next call comes in. */
static int lets_go(int ep, struct release_caller *c, struct msg *req, struct msg *rep)
{
	int before = c->replies;

	word = RELEASE_HELD;
	CHECK_EQ(sys_reply_recv_release(ep, rep, req, &word), 0);
	CHECK_EQ(word, 0);
	CHECK_EQ(c->replies, before + 1);
	CHECK_EQ(c->word_seen, 0);
	CHECK_EQ(req->label, 100 + (uint64_t)c->replies);
	return 0;
}

/* The cases, twice: the kernel's first look at a word is the slow path's
 * (it remembers where the word lies), later ones the fast path's when the
 * reply can take it (in registers; a reply with data is the slow path's). */
static int run_cases(int ep, struct release_caller *c)
{
	static struct msg req, rep;

	CHECK_EQ(sys_recv(ep, &req), 0);
	for (int round = 0; round < 2; round++) {
		reply_for(&req, &rep, c->with_data);
		CHECK_RUN(refuses_bad_words(ep, c, &req, &rep));
		CHECK_RUN(refuses_waiting(ep, c, &req, &rep));
		reply_for(&req, &rep, c->with_data);
		CHECK_RUN(lets_go(ep, c, &req, &rep));
	}
	c->stop = 1;
	reply_for(&req, &rep, c->with_data);
	CHECK_EQ(sys_reply(&rep), 0);
	CHECK_RUN(wait_flag(&c->done, TEST_TIMEOUT));
	CHECK_EQ(c->wrong, 0);
	return 0;
}

static int one_form(int with_data)
{
	static struct release_caller c;
	int ep = sys_endpoint_create();

	CHECK(ep >= 0);
	c = (struct release_caller){ .ep = ep, .with_data = with_data };
	CHECK(thread_spawn(release_caller_thread, &c, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(run_cases(ep, &c));
	sys_handle_close(ep);
	return 0;
}

int test_reply_release(void)
{
	CHECK_RUN(one_form(0));	/* the register form */
	return one_form(1);	/* a reply with data: reply_recv, the word in a3 */
}
