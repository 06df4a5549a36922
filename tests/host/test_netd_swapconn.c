/*
 * Host tests for netd's swap connection as the pager sees it
 * (drivers/netd/swapconn.c, with drivers/blk_request.c's checks) over
 * fakes defined here of the swap link, netd's pool and the notification
 * call: as the link begins riding out an outage, the pager threads with
 * a request in flight are signalled, each once, and no other, so that one
 * waiting for a write with the pager lock held looks at the outage's bound
 * (the pager's nbd_backend.c leaves such a write in flight); nothing is
 * signalled while the outage lasts or outside one. An export the pager
 * lets go (NET_SWAP_STOP) leaves the status page's swap fields as before
 * its setup.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "blk_protocol.h"
#include "net_protocol.h"
#include "netd_mem.h"
#include "swap_link.h"
#include "swapconn.h"

/* --- the world swapconn.c sees --- */

static enum swap_state state = SWAP_OFF;
static const struct nbd_io *pager_io;	/* the completions' way back */
static struct nbd_counters counters;

long swap_link_open(uint32_t addr, uint16_t port, unsigned outage_s, const struct nbd_io *pager,
		    void (*gone)(void), void (*lost)(void))
{
	(void)addr, (void)port, (void)outage_s, (void)gone, (void)lost;
	pager_io = pager;
	state = SWAP_UP;
	return 0;
}

static unsigned link_submits;		/* requests the link was given */
static bool given_tag[BLK_TAGS];		/* given, not yet done (by tag) */

int swap_link_submit(enum nbd_cmd cmd, uint64_t id, uint64_t offset, uint32_t len)
{
	(void)cmd, (void)offset, (void)len;
	link_submits++;
	given_tag[id] = true;
	return 0;
}

long swap_link_start(void) { return 0; }
long swap_link_stop(void)
{
	state = SWAP_OFF;
	return 0;
}
bool swap_link_started(void) { return true; }	/* the pager took the export */
void swap_link_push(void) {}
enum swap_state swap_link_state(void) { return state; }
const struct nbd_counters *swap_link_counters(void) { return &counters; }
bool swap_link_done_late(struct nbd_late *late) { (void)late; return false; }
uint64_t swap_link_sectors(void) { return 2048; }
bool swap_link_read_only(void) { return false; }

struct net_pool netd_pool;
bool net_pool_in_reserve(const struct net_pool *p) { (void)p; return false; }

/* The notifications signalled: how many times, by handle. */
static unsigned signalled[NET_HANDLE_DONE + BLK_DONE_NOTES];

long sys_notify_signal(int h, uint64_t bits)
{
	assert_true(h >= NET_HANDLE_DONE && h < NET_HANDLE_DONE + BLK_DONE_NOTES);
	assert_int_equal(bits, BLK_DONE_BIT);
	signalled[h]++;
	return 0;
}

/* --- the pager's side --- */

static struct net_shared shared;

/* The pager submits a write of one page at slot to tag, for the thread
 * whose completions come to notification `notify`: the tag's state first,
 * then the call (nbd_backend.c). */
static void submit(uint32_t tag, uint32_t notify, uint32_t slot)
{
	struct msg m;
	struct blk_request r = { .tag = tag, .write = 1, .sector = (uint64_t)slot * BLK_SECTORS_PER_PAGE,
				 .npages = 1, .notify = notify, .list = 0 };

	memset(&m, 0, sizeof(m));
	m.label = BLK_SUBMIT_ONE;
	memcpy(m.w, &r, sizeof(r));
	shared.slot[tag].state = BLK_SUBMITTED;
	assert_int_equal(swapconn_submit(&m), 1);
}

static int setup(void **state_)
{
	struct msg in, out;

	(void)state_;
	for (uint32_t tag = 0; tag < BLK_TAGS; tag++)	/* the last test's, ended */
		if (given_tag[tag])
			pager_io->done(NULL, tag, -ENXIO);
	memset(given_tag, 0, sizeof(given_tag));
	memset(&shared, 0, sizeof(shared));
	memset(signalled, 0, sizeof(signalled));
	memset(&in, 0, sizeof(in));
	in.w[0] = 0x0a000202;
	in.w[1] = 10809;
	in.w[2] = 120;
	state = SWAP_OFF;
	assert_int_equal(swapconn_setup(&in, &out, &shared), 0);
	return 0;
}

static unsigned signals(void)
{
	unsigned n = 0;

	for (unsigned h = 0; h < NET_HANDLE_DONE + BLK_DONE_NOTES; h++)
		n += signalled[h];
	return n;
}

/* Writes out for threads 2 (two of them) and 3, one of thread 4's
 * answered: as the outage begins, 2 and 3 are signalled once each, 4 not;
 * the bound is in the page. */
static void outage_wakes_waiters(void **state_)
{
	(void)state_;
	submit(64, 2, 10);
	submit(65, 2, 11);
	submit(96, 3, 12);
	submit(128, 4, 13);
	pager_io->done(NULL, 128, 0);	/* answered: its thread told */
	assert_int_equal(signalled[NET_HANDLE_DONE + 4], 1);
	memset(signalled, 0, sizeof(signalled));
	swapconn_publish_outage(&shared, 0, 0);
	assert_int_equal(signals(), 0);
	swapconn_publish_outage(&shared, 9000, 0);
	assert_int_equal(shared.swap_outage_until, 9000);
	assert_int_equal(signalled[NET_HANDLE_DONE + 2], 1);
	assert_int_equal(signalled[NET_HANDLE_DONE + 3], 1);
	assert_int_equal(signals(), 2);
}

/* While the outage lasts nothing more is signalled; once it is over (its
 * end in the page) and another begins, the threads with requests out are
 * told again. */
static void only_as_one_begins(void **state_)
{
	(void)state_;
	submit(64, 2, 10);
	swapconn_publish_outage(&shared, 9000, 0);
	assert_int_equal(signals(), 1);
	swapconn_publish_outage(&shared, 9000, 0);
	assert_int_equal(signals(), 1);
	swapconn_publish_outage(&shared, 0, 15000);	/* over: its end named */
	assert_int_equal(shared.swap_outage_until, 0);
	assert_int_equal(shared.swap_outage_ended, 15000);
	swapconn_publish_outage(&shared, 20000, 15000);
	assert_int_equal(signalled[NET_HANDLE_DONE + 2], 2);
	assert_int_equal(signals(), 2);
}

/* The server given up and an outage published, then the pager refuses
 * the export: the page says neither, and another setup may follow. */
static void stop_clears_the_page(void **state_)
{
	struct msg in = { .w = { 0x0a000202, 10809, 120 } }, out;

	(void)state_;
	shared.swap_gone = 1;
	swapconn_publish_outage(&shared, 9000, 5000);
	assert_int_equal(swapconn_stop(), 0);
	assert_int_equal(shared.swap_gone, 0);
	assert_int_equal(shared.swap_outage_until, 0);
	assert_int_equal(shared.swap_outage_ended, 0);
	assert_int_equal(swapconn_setup(&in, &out, &shared), 0);
}

/* A tag in flight submitted again (alone, in a batch, as a flush), or
 * twice in one batch, is refused with -EBUSY as virtio_blk refuses it,
 * the batch untaken; once its request is done, the tag goes again.
 * Taken, it would be done twice, the second time perhaps after the pager
 * has collected the first and given the tag to another request (before
 * session 27 netd took both). */
static void tag_in_flight_refused(void **state_)
{
	struct blk_request twice[2] = {
		{ .tag = 7, .write = 1, .sector = 8, .npages = 1, .notify = 1 },
		{ .tag = 7, .write = 1, .sector = 16, .npages = 1, .notify = 1 },
	};
	struct msg m = { .label = BLK_SUBMIT_ONE };
	struct msg flush = { .label = NET_SWAP_FLUSH, .w = { 5, 1 } };

	(void)state_;
	submit(5, 1, 10);
	unsigned given = link_submits;
	struct blk_request again = { .tag = 5, .write = 1, .sector = 88, .npages = 1 };

	memcpy(m.w, &again, sizeof(again));
	assert_int_equal(swapconn_submit(&m), -EBUSY);
	assert_int_equal(swapconn_flush(&flush), -EBUSY);
	m = (struct msg){ .label = BLK_SUBMIT, .len = sizeof(twice) };
	memcpy(m.data, twice, sizeof(twice));
	shared.slot[7].state = BLK_SUBMITTED;
	assert_int_equal(swapconn_submit(&m), -EBUSY);
	assert_int_equal(link_submits, given);
	pager_io->done(NULL, 5, 0);
	given_tag[5] = false;
	submit(5, 1, 11);	/* collected: the tag is the pager's to use again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(outage_wakes_waiters, setup),
		cmocka_unit_test_setup(only_as_one_begins, setup),
		cmocka_unit_test_setup(stop_clears_the_page, setup),
		cmocka_unit_test_setup(tag_in_flight_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
