/*
 * Host tests for the pager's NBD swap backend (pager/swap/nbd_backend.c)
 * over a fake netd defined here (its status page, and its answer to a
 * flush call): a write batch begun before a connection was lost with
 * writes unflushed is not vouched for by a flush, whether the server
 * answers it or cannot flush at all (-ENOTSUP).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/threads.h"
#include "drivers/net_protocol.h"
#include "swap/nbd_backend.h"
#include "sys.h"

static struct net_shared shared;
static int64_t flush_answer;	/* netd's answer to NET_SWAP_FLUSH */
static struct pager_thread writer = { .name = "swapout", .io_client = IO_SWAPOUT };

/* netd takes a flush and completes it at once (0), or refuses it. */
int sys_call(int ep, struct msg *m)
{
	(void)ep;
	assert_int_equal(m->label, NET_SWAP_FLUSH);
	if (flush_answer == 0) {
		shared.slot[m->w[0]].error = 0;
		shared.slot[m->w[0]].state = BLK_DONE;
	}
	m->label = (uint64_t)flush_answer;
	return 0;
}

/* Nothing else is asked of the kernel: a write batch of no pages. */
int sys_map(int proc, const struct map_entry *e, size_t n)
{
	(void)proc, (void)e, (void)n;
	fail();
	return -1;
}

int sys_unmap(int proc, uintptr_t va, size_t n)
{
	(void)proc, (void)va, (void)n;
	fail();
	return -1;
}

int sys_notify_signal(int h, uint64_t bits)
{
	(void)h, (void)bits;
	fail();
	return -1;
}

int64_t pager_clock(void)
{
	return 0;
}

int sys_notify_timer(int h, int64_t deadline, uint64_t bits)
{
	(void)h, (void)deadline, (void)bits;
	return 0;
}

uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want)
{
	(void)t, (void)note, (void)want;
	fail();
	return 0;
}

void pager_thread_forget(struct pager_thread *t, uint64_t bits)
{
	(void)t, (void)bits;
	fail();
}

void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS])
{
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		notes[c] = -1;
}

static struct swap_backend b;

static int setup(void **state)
{
	struct nbd_driver d = { .ep = 3, .proc = 4, .shared = &shared, .sectors = 2048 };

	(void)state;
	memset(&shared, 0, sizeof(shared));
	flush_answer = 0;
	nbd_backend_init(&b, &d);
	return 0;
}

/* A write batch begins (no pages: only its start matters here). */
static void batch_begins(void)
{
	struct swap_req p[1] = { { 0 } };
	struct swap_done done = { 0 };

	assert_int_equal(b.ops->write(b.ctx, &writer, p, 0, &done), 0);
}

/* No loss since the batch began: an answered flush, or none possible
 * (writes are done when answered), completes it. */
static void flush_without_loss(void **state)
{
	(void)state;
	batch_begins();
	assert_int_equal(b.ops->flush(b.ctx, &writer), 0);
	flush_answer = -ENOTSUP;
	batch_begins();
	assert_int_equal(b.ops->flush(b.ctx, &writer), 0);
}

/* A connection lost since the batch began, writes unflushed on it: the
 * batch stays in memory, whether the flush is answered or refused. */
static void loss_before_flush(void **state)
{
	(void)state;
	batch_begins();
	shared.swap_lost_writes++;
	assert_int_equal(b.ops->flush(b.ctx, &writer), SWAP_ERR_UNSENT);
	batch_begins();
	shared.swap_lost_writes++;
	flush_answer = -ENOTSUP;
	assert_int_equal(b.ops->flush(b.ctx, &writer), SWAP_ERR_UNSENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(flush_without_loss, setup),
		cmocka_unit_test_setup(loss_before_flush, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
