/*
 * Host tests for pager/swap/blk_link.c, the pager's side of the block
 * protocol, over a fake kernel and driver defined here: a call either
 * reaches the driver (which takes the requests) or fails as the kernel
 * fails it, and each wait for a completion is where the driver acts: it
 * completes what it holds, or ends (the driver watch then calls
 * blk_link_end, as the pager does). What must hold: a driver that ends
 * with requests in flight fails them (no waiter waits for ever), wakes
 * every I/O client, and is sent nothing more; a read a DMA device may still
 * fill is stuck; a call that never reached the device is not a media error;
 * a request the device never completes ends the driver once a fake clock
 * passes BLK_OVERDUE_NS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/threads.h"
#include "swap/blk_link.h"
#include "sys.h"

#define PA(i) (0x80000000UL + (uint64_t)(i) * 4096)

enum driver_act { COMPLETE, END, NEVER, GARBLE };

/* The fake kernel and driver. */
struct fake {
	int call_result;		/* what sys_call returns (0: it reaches the driver) */
	int64_t refusal;		/* the driver's answer label (0: accepted) */
	int32_t device_error;		/* each completed request's status */
	enum driver_act act;		/* what the driver does at the next wait */
	unsigned calls, requests, waits;
	int64_t now;			/* pager_clock */
	int64_t timer;			/* the waiter's armed deadline (0: none) */
	int fires_at_completion;	/* the timer fires as the request completes */
	unsigned arms, overdues;
	uint64_t forgotten;		/* bits pager_thread_forget was given */
	uint64_t signalled[PAGER_IO_CLIENTS];	/* bits each I/O client's note got */
};
static struct fake f;
static struct blk_status status[BLK_TAGS];
static uint64_t list[BLK_LIST_ENTRIES];
static struct blk_link link;
/* A started thread's disk is its wake notification (threads.c). */
static struct pager_thread writer = { .name = "swapout", .io_client = IO_SWAPOUT, .disk = 42,
				      .wake = 42 };

/* Each I/O client's note is 100 + its number. */
void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS])
{
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		notes[c] = 100 + (int)c;
}

int sys_notify_signal(int h, uint64_t bits)
{
	assert_true(h >= 100 && h < 100 + PAGER_IO_CLIENTS);
	f.signalled[h - 100] |= bits;
	return 0;
}

/* The driver takes the requests (their tags must have been marked). */
int sys_call(int ep, struct msg *m)
{
	uint32_t n = m->label == BLK_SUBMIT_ONE ? 1 : m->len / (uint32_t)sizeof(struct blk_request);
	const struct blk_request *r = m->label == BLK_SUBMIT_ONE ? (const void *)m->w : (const void *)m->data;

	(void)ep;
	f.calls++;
	if (f.call_result < 0)
		return f.call_result;
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(status[r[i].tag].state, BLK_SUBMITTED);
	f.requests += n;
	m->label = (uint64_t)f.refusal;
	return 0;
}

int64_t pager_clock(void)
{
	return f.now;
}

/* The waiter's timer: on its disk notification, TB_TIMER. A disarm says
 * whether it was armed (0) or not (1: it fired), as the kernel's does. */
int sys_notify_timer(int h, int64_t deadline, uint64_t bits)
{
	int was_armed = f.timer != 0;

	assert_int_equal(h, writer.disk);
	assert_int_equal(bits, TB_TIMER);
	f.timer = deadline;
	f.arms += deadline != 0;
	return deadline || was_armed ? 0 : 1;
}

void pager_thread_forget(struct pager_thread *t, uint64_t bits)
{
	assert_ptr_equal(t, &writer);
	f.forgotten |= bits;
}

/* A device that stopped: time passes, a second a wait, until the
 * waiter's timer fires (none armed: it would wait for ever). */
static uint64_t never_completes(uint64_t want)
{
	for (;;) {
		assert_true(++f.waits < 1000);	/* a waiter that would wait for ever */
		f.now += 1000 * CLOCK_NS_PER_MS;
		if (f.timer && (want & TB_TIMER) && f.now >= f.timer) {
			f.timer = 0;
			return TB_TIMER;
		}
	}
}

/* The overdue hook ends the driver: its death reaches blk_link_end. */
static void end_overdue(const struct blk_link *l)
{
	(void)l;
	f.overdues++;
	f.act = END;
	blk_link_end(&link);
}

/* Where the driver acts: it completes every request it holds, ends, or
 * never completes. */
uint64_t pager_thread_wait(struct pager_thread *t, int note, uint64_t want)
{
	(void)t, (void)note;
	if (f.act == NEVER)
		return never_completes(want);
	assert_true(++f.waits < 1000);	/* a waiter that would wait for ever */
	if (f.act == END) {
		blk_link_end(&link);
		return want;
	}
	if (f.act == GARBLE) {	/* a bad value in its requests' states, then it ends */
		for (uint32_t tag = 0; tag < BLK_TAGS; tag++)
			if (status[tag].state == BLK_SUBMITTED)
				status[tag].state = 7;
		f.act = END;
		blk_link_end(&link);
		return want;
	}
	if (f.fires_at_completion)
		f.timer = 0;	/* fired: its bit is on the notification, not seen */
	for (uint32_t tag = 0; tag < BLK_TAGS; tag++)
		if (status[tag].state == BLK_SUBMITTED) {
			status[tag].error = f.device_error;
			status[tag].state = BLK_DONE;
		}
	return want;
}

static int setup(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	writer.pending = 0;
	memset(status, 0, sizeof(status));
	link = (struct blk_link){ .ep = 7, .status = status, .list = list, .max_pages = 64 };
	return 0;
}

/* n pages at scattered slots: a request each. */
static void scattered(struct swap_req *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (struct swap_req){ .pa = PA(i), .slot = 1 + 2 * i };
}

static void assert_tags_free(void)
{
	for (uint32_t tag = 0; tag < BLK_TAGS; tag++)
		assert_int_equal(status[tag].state, BLK_FREE);
}

/* The driver ends with a write's requests in flight: each page fails
 * -ENXIO (not a media error), every I/O client is woken, the tags are
 * free again, and nothing is sent after. */
static void test_end_fails_requests_in_flight(void **state)
{
	struct swap_req p[3];
	struct swap_done done = { 0 };

	(void)state;
	scattered(p, 3);
	f.act = END;
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 3, &done), 0);
	assert_int_equal(f.requests, 3);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(done.err[k], -ENXIO);
		assert_false(swap_err_from_device(done.err[k]));
	}
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		assert_true(f.signalled[c] & BLK_DONE_BIT);
	assert_tags_free();
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 3, &done), -ENXIO);
	assert_int_equal(f.calls, 1);	/* the one before the end */
}

/* The driver writes a value no state has into its requests' states, then
 * ends: the waiter stops at the link's end, not at a state the driver can
 * write (it waited for ever, perhaps with the pager lock held), and a DMA
 * read is stuck as for any end. */
static void test_end_after_bad_state(void **state)
{
	struct swap_req p[1];
	struct swap_done done = { 0 };

	(void)state;
	scattered(p, 1);
	link.dma = 1;
	f.act = GARBLE;
	assert_int_equal(blk_transfer(&link, &writer, 0, p, 1, &done), 0);
	assert_int_equal(done.err[0], SWAP_ERR_STUCK);
	assert_tags_free();
}

/* A read in flight when the driver ends: on a DMA device its frames may
 * still be filled (stuck); through netd's window they may not. */
static void test_end_read_stuck_only_on_dma(void **state)
{
	struct swap_req p[2];
	struct swap_done done = { 0 };

	(void)state;
	scattered(p, 2);
	f.act = END;
	link.dma = 1;
	assert_int_equal(blk_transfer(&link, &writer, 0, p, 2, &done), 0);
	assert_int_equal(done.err[0], SWAP_ERR_STUCK);
	assert_int_equal(done.err[1], SWAP_ERR_STUCK);
	setup(NULL);
	f.act = END;
	assert_int_equal(blk_transfer(&link, &writer, 0, p, 2, &done), 0);
	assert_int_equal(done.err[0], -ENXIO);
	assert_int_equal(done.err[1], -ENXIO);
	/* A write's frames are only read by the device: never stuck. */
	setup(NULL);
	f.act = END;
	link.dma = 1;
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 2, &done), 0);
	assert_int_equal(done.err[0], -ENXIO);
}

/* A call the driver took and never answered (it ended first: the kernel
 * fails it -EPIPE) may have reached the device: a DMA read is stuck. */
static void test_call_to_ended_driver(void **state)
{
	struct swap_req p[1];
	struct swap_done done = { 0 };

	(void)state;
	scattered(p, 1);
	f.call_result = -EPIPE;
	link.dma = 1;
	assert_int_equal(blk_transfer(&link, &writer, 0, p, 1, &done), 0);
	assert_int_equal(done.err[0], SWAP_ERR_STUCK);
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 1, &done), 0);
	assert_int_equal(done.err[0], -ENXIO);
	assert_int_equal(f.waits, 0);
	assert_tags_free();
}

/* A call that failed otherwise, or a batch the driver refused, never
 * reached the device: unsent, not a media error; a status the device
 * wrote is one. */
static void test_unsent_is_not_media(void **state)
{
	struct swap_req p[2];
	struct swap_done done = { 0 };

	(void)state;
	scattered(p, 2);
	f.call_result = -ENOMEM;
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 2, &done), 0);
	assert_int_equal(done.err[0], SWAP_ERR_UNSENT);
	assert_false(swap_err_from_device(done.err[1]));
	assert_tags_free();
	setup(NULL);
	f.refusal = -EINVAL;
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 2, &done), 0);
	assert_int_equal(done.err[1], SWAP_ERR_UNSENT);
	assert_tags_free();
	setup(NULL);
	f.device_error = -EIO;
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 2, &done), 0);
	assert_int_equal(done.err[0], -EIO);
	assert_true(swap_err_from_device(done.err[0]));
	assert_int_equal(f.signalled[IO_SWAPOUT], 0);	/* no end: nobody woken but by the driver */
}

/* A device that takes a read and never completes it: once the waiter
 * has waited BLK_OVERDUE_NS the driver is ended (the overdue hook), the
 * read fails stuck (a DMA device may still fill its frames), the tags are
 * free and nothing is sent after. */
static void overdue_request_ends_driver(void **state)
{
	struct swap_req p[2];
	struct swap_done done = { 0 };

	(void)state;
	scattered(p, 2);
	f.act = NEVER;
	link.dma = 1;
	link.overdue = end_overdue;
	assert_int_equal(blk_transfer(&link, &writer, 0, p, 2, &done), 0);
	assert_int_equal(f.overdues, 1);
	assert_true(f.now >= BLK_OVERDUE_NS);	/* not before its bound */
	assert_int_equal(done.err[0], SWAP_ERR_STUCK);
	assert_int_equal(done.err[1], SWAP_ERR_STUCK);
	assert_tags_free();
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 2, &done), -ENXIO);
	assert_int_equal(f.calls, 1);
}

/* A write of two scattered pages that the driver completes in time,
 * bounded (the overdue hook set): it succeeds, the driver left alone. */
static void timely_write(void)
{
	struct swap_req p[2];
	struct swap_done done = { 0 };

	scattered(p, 2);
	link.overdue = end_overdue;
	assert_int_equal(blk_transfer(&link, &writer, 1, p, 2, &done), 0);
	assert_int_equal(done.err[0], 0);
	assert_int_equal(done.err[1], 0);
	assert_int_equal(f.overdues, 0);
}

/* Completions in time: the timer armed for a wait is disarmed after it.
 * The disarm found it armed, so no bit can come from it: nothing is
 * looked for (the system call a wait saves). */
static void timely_completion_disarms(void **state)
{
	(void)state;
	timely_write();
	assert_true(f.arms >= 1);
	assert_int_equal(f.timer, 0);
	assert_int_equal(f.forgotten, 0);
}

/* A timer that fired as the request completed (its bit on the
 * notification, unseen: the disarm finds none armed) leaves no bit to end
 * the thread's next bounded wait at once. */
static void timer_fired_at_completion_forgotten(void **state)
{
	(void)state;
	f.fires_at_completion = 1;
	writer.pending = TB_TIMER;	/* as if it had come already */
	timely_write();
	assert_true(f.forgotten & TB_TIMER);
	assert_false(writer.pending & TB_TIMER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_end_fails_requests_in_flight, setup),
		cmocka_unit_test_setup(test_end_after_bad_state, setup),
		cmocka_unit_test_setup(test_end_read_stuck_only_on_dma, setup),
		cmocka_unit_test_setup(test_call_to_ended_driver, setup),
		cmocka_unit_test_setup(test_unsent_is_not_media, setup),
		cmocka_unit_test_setup(overdue_request_ends_driver, setup),
		cmocka_unit_test_setup(timely_completion_disarms, setup),
		cmocka_unit_test_setup(timer_fired_at_completion_forgotten, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
