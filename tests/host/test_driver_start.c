/*
 * Host tests for pager/server/driver.c, starting a pinned driver, over a
 * fake kernel defined here that can refuse any one step: whichever step
 * fails, driver_abandon must leave no frame, handle or interrupt binding.
 * The fake tracks each handle it hands the pager: closing one that is not
 * open fails the test, and the tests name the handles left open. Then the
 * block driver's start and stop over it (pager/server/blk_driver.c): a
 * disk swap did not come on over leaves its driver serving no swap,
 * however the stop goes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "base/threads.h"
#include "server/blk_driver.h"
#include "server/driver.h"
#include "server/spawn.h"
#include "vm/frames.h"
#include "sys.h"

#define PG 4096UL
#define BASE 0x80000000UL
#define NFRAMES 64
#define IRQ_HANDLE 3		/* where the driver must get its interrupt's notification */
#define DONE_HANDLE 4
#define FIRST_HANDLE 10		/* the pager's first handle in the fake */
#define MAX_HANDLES 64		/* the pager's handle numbers the fake can hand out */

static _Alignas(4096) uint8_t ram[NFRAMES * PG];

/* The fake kernel: every call is a step; step fail_at (from 1) is refused. */
struct fake_kernel {
	int step, fail_at;
	uint8_t open[MAX_HANDLES];	/* the pager's handles open, by number */
	int next;		/* the next handle number */
	int irq_note;		/* the notification sys_notify_create made */
	int receivers;		/* handles that may receive from it */
	int bound;		/* bound to the interrupt, and not yet orphaned */
	int driver_next;	/* the next handle in the driver's table */
	int driver_has_note;	/* the driver was granted a receiver of it */
	int mapped;		/* frames mapped into the driver */
	int spawned, killed;
	uint64_t free_at_kill;	/* frames free when the process ended */
	int driver_ended;	/* the block driver ended by itself: a call is -EPIPE */
	int64_t stop_answer;	/* its answer to BLK_STOP: 0, or -errno (no reset) */
};
static struct fake_kernel k;
static struct pproc proc;

static int refused(void)
{
	return ++k.step == k.fail_at;
}

/* A new handle of the pager's, open. */
static int open_handle(void)
{
	assert_true(k.next < MAX_HANDLES);
	k.open[k.next] = 1;
	return k.next++;
}

/* The pager closes h: it must be open (a second close is a bug). */
static void close_handle(int h)
{
	if (h < 0 || h >= MAX_HANDLES || !k.open[h])
		fail_msg("handle %d closed but not open (closed twice, or never opened)", h);
	k.open[h] = 0;
}

/* How many of the pager's handles are open. */
static int open_count(void)
{
	int n = 0;

	for (int h = 0; h < MAX_HANDLES; h++)
		n += k.open[h];
	return n;
}

static void drop_receiver(void)
{
	if (--k.receivers == 0)
		k.bound = 0;	/* the kernel unbinds an orphaned notification */
}

int sys_endpoint_create(void)
{
	return refused() ? -ERR_NOMEM : open_handle();
}

int sys_notify_create(void)
{
	if (refused())
		return -ERR_NOMEM;
	k.receivers++;
	return k.irq_note = open_handle();
}

int sys_handle_close(int h)
{
	close_handle(h);
	if (h == k.irq_note)
		drop_receiver();
	return 0;
}

int sys_irq_bind(unsigned irq, int notify, uint64_t bits)
{
	(void)irq, (void)notify, (void)bits;
	if (refused())
		return -ERR_INVAL;
	k.bound = 1;
	return 0;
}

int sys_handle_grant(int p, int h, unsigned rights)
{
	(void)rights;
	if (refused())
		return -ERR_NOMEM;
	if (p == HANDLE_SELF)
		return open_handle();	/* the pager's own copy */
	if (h == k.irq_note) {
		k.receivers++;
		k.driver_has_note = 1;
	}
	return k.driver_next++;
}

int sys_map(int p, const struct map_entry *entries, size_t n)
{
	(void)p, (void)entries;
	if (refused())
		return -ERR_NOMEM;
	k.mapped += (int)n;
	return 0;
}

void pager_thread_io_notes(int notes[PAGER_IO_CLIENTS])
{
	for (int c = 0; c < PAGER_IO_CLIENTS; c++)
		notes[c] = 100 + c;
}

struct pproc *spawn_mode(int argc, const char *const *argv, int pass_handle, unsigned pass_rights,
			 int pinned, int *err)
{
	(void)argc, (void)argv, (void)pass_handle, (void)pass_rights, (void)pinned;
	if (refused()) {
		*err = -ERR_NOMEM;
		return NULL;
	}
	k.spawned = 1;
	proc.handle = open_handle();
	return &proc;
}

void spawn_abandon(struct pproc *p)
{
	assert_ptr_equal(p, &proc);
	k.killed = 1;
	k.free_at_kill = frames_free();
	if (k.driver_has_note)
		drop_receiver();	/* the driver's copy goes with it */
	close_handle(p->handle);	/* the pager's handle to it */
}

int sys_device_map(int p, unsigned index, uintptr_t va)
{
	(void)p, (void)index, (void)va;
	return refused() ? -ERR_INVAL : 0;
}

/* The block driver: BLK_SETUP answered with a disk, BLK_STOP as the test
 * asks; a driver that has ended answers nothing. */
int sys_call(int ep, struct msg *m)
{
	assert_true(k.open[ep]);
	if (k.driver_ended)
		return -EPIPE;
	if (m->label == BLK_SETUP) {
		*m = (struct msg){ .label = 0, .w = { 2048, 0, BLK_MAX_PAGES } };
		return 0;
	}
	assert_int_equal(m->label, BLK_STOP);
	m->label = (uint64_t)k.stop_answer;
	return 0;
}

/* Start a driver as netd's start does, with step fail_at refused. */
static int start(struct driver *d, int fail_at)
{
	uint64_t pa[8], st;

	k = (struct fake_kernel){ .fail_at = fail_at, .next = FIRST_HANDLE, .irq_note = -1,
				  .driver_next = IRQ_HANDLE };
	if (driver_spawn(d, "fake") < 0)
		return -1;
	if (driver_give_frames(d, 0x100000, 8, pa) < 0 || driver_give_frames(d, 0x200000, 1, &st) < 0 ||
	    driver_give_notifications(d, 5, 1, IRQ_HANDLE, DONE_HANDLE) < 0) {
		driver_abandon(d);
		return -1;
	}
	return 0;
}

static int setup(void **state)
{
	struct frame_range all = { BASE, BASE + NFRAMES * PG };

	(void)state;
	return frames_init(BASE, BASE + NFRAMES * PG, &all, 1, ram);
}

/* Nothing refused: the driver keeps 9 frames, its notification bound and
 * received by it alone; the pager keeps its endpoint and process handles. */
static void test_success(void **state)
{
	static struct driver d;
	uint64_t before = frames_free();

	(void)state;
	assert_int_equal(start(&d, 0), 0);
	assert_int_equal(frames_free(), before - 9);
	assert_int_equal(d.nframes, 9);
	assert_int_equal(open_count(), 2);
	assert_true(k.open[d.ep]);
	assert_true(k.open[d.proc->handle]);
	assert_false(k.open[k.irq_note]);	/* the driver and the binding keep it */
	assert_int_equal(k.receivers, 1);
	assert_true(k.bound);
	assert_false(k.killed);
}

/* Every step refused in turn: all undone, whatever was done before. */
static void test_every_failure_undone(void **state)
{
	static struct driver d;
	uint64_t before = frames_free();
	int steps;

	(void)state;
	assert_int_equal(start(&d, 0), 0);
	steps = k.step;
	driver_abandon(&d);
	for (int fail = 1; fail <= steps; fail++) {
		assert_int_equal(start(&d, fail), -1);
		assert_int_equal(frames_free(), before);
		assert_int_equal(open_count(), 0);
		assert_int_equal(k.receivers, 0);
		assert_false(k.bound);
		assert_int_equal(k.killed, k.spawned);
		if (k.killed)	/* ended before its frames were freed */
			assert_int_equal(k.free_at_kill, before - (uint64_t)k.mapped);
		assert_null(d.proc);
		assert_int_equal(d.ep, -1);
		assert_int_equal(frames_check(), 0);
	}
}

/* Told to start its device, then abandoned (its setup answer refused):
 * the process ends, but the frames it had stay allocated, since the device
 * may still write into them. */
static void test_told_device_keeps_frames(void **state)
{
	static struct driver d;
	uint64_t before = frames_free();

	(void)state;
	assert_int_equal(start(&d, 0), 0);
	driver_device_told(&d);
	driver_abandon(&d);
	assert_int_equal(k.killed, 1);
	assert_int_equal(frames_free(), before - 9);
	assert_int_equal(d.nframes, 0);
	assert_int_equal(open_count(), 0);
	assert_int_equal(frames_check(), 0);
}

/* A machine with one virtio block device: the block driver started on
 * it, serving swap from then on. */
static void blk_start(struct blk_driver *drv)
{
	static struct bootinfo bi;

	bi.ndevices = 1;
	bi.devices[0].kind = 1;
	bi.devices[0].device_id = 2;
	bi.devices[0].irq = 5;
	bi.devices[0].base = 0x10001000;
	k = (struct fake_kernel){ .next = FIRST_HANDLE, .irq_note = -1, .driver_next = IRQ_HANDLE };
	proc = (struct pproc){ 0 };
	assert_int_equal(blk_driver_start(&bi, drv), 0);
	assert_int_equal(proc.serves_swap, 1);
}

/* Swap did not come on and the driver resets its device at BLK_STOP: it
 * ends, its frames come back, and it serves no swap. */
static void test_blk_stop_resets(void **state)
{
	struct blk_driver drv;
	uint64_t before = frames_free();

	(void)state;
	blk_start(&drv);
	blk_driver_stop(&drv);
	assert_int_equal(proc.serves_swap, 0);
	assert_int_equal(k.killed, 1);
	assert_int_equal(frames_free(), before);
	assert_int_equal(drv.link.ep, -1);
	assert_int_equal(open_count(), 0);
}

/* The driver ended by itself before BLK_STOP (during the swap header's
 * read): BLK_STOP finds no one (-EPIPE) and its frames stay pinned, but
 * its reaping must not say a swap device is gone, nor keep its handle, for
 * swap that never came on: it serves no swap. */
static void test_blk_stop_after_driver_ended(void **state)
{
	struct blk_driver drv;
	uint64_t before = frames_free();

	(void)state;
	blk_start(&drv);
	k.driver_ended = 1;
	blk_driver_stop(&drv);
	assert_int_equal(proc.serves_swap, 0);
	assert_int_equal(frames_free(), before - (BLK_DMA_PAGES + 2));
}

/* The driver refuses BLK_STOP (it did not reset its device): it keeps
 * running with its frames, and serves no swap either: its end later is
 * not swap's. */
static void test_blk_stop_refused(void **state)
{
	struct blk_driver drv;
	uint64_t before = frames_free();

	(void)state;
	blk_start(&drv);
	k.stop_answer = -EIO;
	blk_driver_stop(&drv);
	assert_int_equal(proc.serves_swap, 0);
	assert_int_equal(k.killed, 0);
	assert_int_equal(frames_free(), before - (BLK_DMA_PAGES + 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_success, setup),
		cmocka_unit_test_setup(test_every_failure_undone, setup),
		cmocka_unit_test_setup(test_told_device_keeps_frames, setup),
		cmocka_unit_test_setup(test_blk_stop_resets, setup),
		cmocka_unit_test_setup(test_blk_stop_after_driver_ended, setup),
		cmocka_unit_test_setup(test_blk_stop_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
