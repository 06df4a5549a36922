/*
 * Host tests for drivers/blk_queue.c against a fake virtio-blk device
 * (blk_fake_dev.c): data written reads back identical, a bad batch takes
 * nothing, requests wait for descriptors in order and are never dropped,
 * failures reach the status page, requests as large as the device's
 * segment limits allow (pages split when its segments are smaller), and a
 * long random run keeps the disk equal to a shadow copy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blk_dma.h"
#include "blk_fake_dev.h"
#include "blk_queue.h"
#include "blk_request.h"

#define PG BLK_PAGE_SIZE
#define CAPACITY 4096u		/* sectors: 2 MiB, 512 pages */
#define NFRAMES 256u

static uint8_t *dma, *frames, *disk;
static struct blk_status shared[BLK_TAGS];
static uint64_t list[BLK_LIST_ENTRIES];	/* entry i: frame i */
static struct blk_disk bdisk;
static struct virtqueue vq;
static struct blk_queue q;
static struct fake_blk dev;

/* Errors reported through the callback. */
static struct {
	unsigned count;
	uint32_t tag;
	uint64_t sector;
	unsigned status;
} reported;

static void on_error(void *ctx, const struct blk_request *r, unsigned status)
{
	assert_ptr_equal(ctx, &reported);
	reported.count++;
	reported.tag = r->tag;
	reported.sector = r->sector;
	reported.status = status;
}

static uint8_t *frame(unsigned i)
{
	return frames + (size_t)i * PG;
}

/* Host addresses stand in for physical ones: the fake device uses them.
 * The queue of qsize entries and a device that allows segments of at most
 * size_max bytes (and seg_max of them, when not 0). */
static void start_limited(uint16_t qsize, uint32_t seg_max, uint32_t size_max)
{
	uint64_t pa[BLK_DMA_PAGES];
	struct blk_dma d;
	struct blk_device_limits lim = { .queue_size = qsize, .has_seg_max = seg_max != 0,
		.seg_max = seg_max, .has_size_max = true, .size_max = size_max };

	for (unsigned i = 0; i < BLK_DMA_PAGES; i++)
		pa[i] = (uintptr_t)dma + i * PG;
	for (unsigned i = 0; i < NFRAMES; i++)
		list[i] = (uintptr_t)frame(i);
	assert_int_equal(blk_dma_place(&d, (uintptr_t)dma, pa), 0);
	bdisk = (struct blk_disk){ .capacity = CAPACITY, .list = list };
	assert_int_equal(blk_shape_for(&lim, &bdisk.shape), 0);
	vq_init(&vq, qsize, d.desc, d.avail, d.used);
	blkq_init(&q, &vq, &d.slots, shared, &bdisk);
	fake_blk_init(&dev, &vq, disk, CAPACITY);
	if (seg_max != 0)
		dev.seg_max = seg_max;
	dev.size_max = size_max;
	memset(shared, 0, sizeof(shared));
	memset(&reported, 0, sizeof(reported));
}

static void start(uint16_t qsize)
{
	start_limited(qsize, 0, PG);
}

static int setup(void **state)
{
	(void)state;
	dma = aligned_alloc(PG, BLK_DMA_PAGES * PG);
	frames = aligned_alloc(PG, NFRAMES * PG);
	disk = calloc(CAPACITY, BLK_SECTOR);
	if (!dma || !frames || !disk)
		return -1;
	for (size_t i = 0; i < NFRAMES * PG; i++)
		frames[i] = (uint8_t)(i * 7 + i / PG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(dma);
	free(frames);
	free(disk);
	return 0;
}

/* A request for npages consecutive frames from first: page list entries
 * first.. name them. */
static struct blk_request req(unsigned tag, int write, uint64_t sector,
			      unsigned npages, unsigned first)
{
	return (struct blk_request){ .tag = tag, .write = (uint32_t)write,
				     .sector = sector, .npages = npages, .list = first };
}

static void submit(const struct blk_request *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		shared[r[i].tag].state = BLK_SUBMITTED;
	assert_int_equal(blkq_accept(&q, r, n), (int)n);
}

/* The device serves everything published; the driver collects it all. */
static unsigned run_device(bool reverse)
{
	fake_blk_fetch(&dev, VQ_MAX_SIZE);
	fake_blk_retire(&dev, reverse);
	return blkq_complete(&q, on_error, &reported);
}

static void assert_done(unsigned tag, int error)
{
	assert_int_equal(shared[tag].state, BLK_DONE);
	assert_int_equal(shared[tag].error, error);
}

/* One request r submitted, started alone, served and collected: it ends
 * with error. */
static void serve_one(const struct blk_request *r, int error)
{
	submit(r, 1);
	assert_int_equal(blkq_start(&q), 1);
	assert_int_equal(run_device(false), 1);
	assert_done(r->tag, error);
}

static void test_write_read_back(void **state)
{
	(void)state;
	struct blk_request w = req(0, 1, 64, 4, 0), r = req(1, 0, 64, 4, 100);

	start(64);
	submit(&w, 1);
	assert_int_equal(blkq_start(&q), 1);
	assert_int_equal(run_device(false), 1);
	assert_done(0, 0);
	assert_memory_equal(disk + 64 * BLK_SECTOR, frame(0), 4 * PG);
	submit(&r, 1);
	assert_int_equal(blkq_start(&q), 1);
	assert_int_equal(run_device(false), 1);
	assert_done(1, 0);
	assert_memory_equal(frame(100), frame(0), 4 * PG);
	assert_int_equal(dev.malformed, 0);
	assert_true(blkq_idle(&q));
	assert_int_equal(vq_free_count(&vq), 64);
}

/* One bad request in a batch: nothing accepted, nothing on the queue. */
static void test_bad_batch_takes_none(void **state)
{
	(void)state;
	struct blk_request b[3] = { req(0, 1, 0, 1, 0), req(1, 1, 8, 1, 1),
				    req(2, 1, CAPACITY - 4, 1, 2) };

	start(64);
	assert_int_equal(blkq_accept(&q, b, 3), -EINVAL);
	b[2] = req(2, 1, 16, 1, 2);
	list[1] += 512;
	assert_int_equal(blkq_accept(&q, b, 3), -EINVAL);
	list[1] -= 512;
	b[1].list = BLK_LIST_ENTRIES;
	assert_int_equal(blkq_accept(&q, b, 3), -EINVAL);
	b[1] = req(1, 1, 8, 1, 1);
	bdisk.read_only = true;
	assert_int_equal(blkq_accept(&q, b, 3), -EROFS);
	bdisk.read_only = false;
	assert_int_equal(blkq_accept(&q, b, 0), -EINVAL);
	assert_true(blkq_idle(&q));
	assert_int_equal(blkq_start(&q), 0);
	assert_int_equal(vq_free_count(&vq), 64);
	assert_int_equal(vq.avail->idx, 0);
}

/* A tag is the pager's again only once its status says BLK_DONE. */
static void test_busy_tags(void **state)
{
	(void)state;
	struct blk_request a = req(5, 0, 0, 1, 0);
	struct blk_request dup[2] = { req(7, 0, 0, 1, 0), req(7, 0, 8, 1, 1) };
	struct blk_request mixed[2] = { req(8, 0, 0, 1, 0), req(5, 0, 8, 1, 1) };

	start(64);
	submit(&a, 1);
	assert_int_equal(blkq_accept(&q, &a, 1), -EBUSY);
	assert_int_equal(blkq_accept(&q, dup, 2), -EBUSY);
	assert_int_equal(blkq_accept(&q, mixed, 2), -EBUSY);
	assert_int_equal(blkq_start(&q), 1);	/* tag 5 only */
	assert_int_equal(blkq_accept(&q, &a, 1), -EBUSY);
	assert_int_equal(run_device(false), 1);
	assert_done(5, 0);
	submit(&a, 1);				/* free again */
	submit(mixed, 1);			/* tag 8 was never taken */
}

/* A queue of 32 holds five 4-page requests (6 descriptors each): the rest
 * wait, start in submission order as chains finish, and all complete. */
static void test_wait_for_descriptors(void **state)
{
	(void)state;
	struct blk_request r[12];

	start(32);
	for (unsigned i = 0; i < 12; i++)
		r[i] = req(i, 1, 8 * 4 * i, 4, 4 * i);
	submit(r, 12);
	assert_int_equal(blkq_start(&q), 5);
	assert_int_equal(q.nwait, 7);
	assert_int_equal(blkq_start(&q), 0);	/* still no room */
	assert_int_equal(vq.avail->idx, 5);	/* published once, together */
	unsigned done = 0;

	while (done < 12) {
		/* Oldest first: the k-th chain published is tag k. */
		for (unsigned k = dev.last_avail; k < vq.avail->idx; k++)
			assert_int_equal(q.head_tag[vq.avail->ring[k % 32]], k);
		done += run_device(done % 2 == 0);
		blkq_start(&q);
	}
	for (unsigned i = 0; i < 12; i++) {
		assert_done(i, 0);
		assert_memory_equal(disk + 8 * 4 * i * BLK_SECTOR, frame(4 * i), 4 * PG);
	}
	assert_true(blkq_idle(&q));
	assert_int_equal(q.completed, 12);
	assert_int_equal(dev.served, 12);
}

/* A big request at the head is not overtaken by a small one behind it,
 * though the small one would fit. */
static void test_fifo_head_of_line(void **state)
{
	(void)state;
	struct blk_request a = req(0, 0, 0, 14, 0);
	struct blk_request b[2] = { req(1, 0, 0, 16, 20), req(2, 0, 0, 1, 40) };

	start(32);
	submit(&a, 1);
	assert_int_equal(blkq_start(&q), 1);	/* 16 descriptors, 16 left */
	submit(b, 2);
	assert_int_equal(blkq_start(&q), 0);	/* the big one needs 18 */
	assert_int_equal(q.nwait, 2);
	run_device(false);
	assert_int_equal(blkq_start(&q), 2);
	assert_int_equal(q.head_tag[vq.avail->ring[1]], 1);
	assert_int_equal(q.head_tag[vq.avail->ring[2]], 2);
	run_device(false);
	for (unsigned t = 0; t < 3; t++)
		assert_done(t, 0);
}

static void test_io_error(void **state)
{
	(void)state;
	struct blk_request r[3] = { req(10, 1, 0, 2, 0), req(11, 1, 16, 2, 2),
				    req(12, 0, 32, 1, 4) };

	start(64);
	dev.fail_sector = 20;
	submit(r, 3);
	blkq_start(&q);
	assert_int_equal(run_device(true), 3);
	assert_done(10, 0);
	assert_done(11, -EIO);
	assert_done(12, 0);
	assert_int_equal(reported.count, 1);
	assert_int_equal(reported.tag, 11);
	assert_int_equal(reported.sector, 16);
	assert_int_equal(reported.status, VIRTIO_BLK_S_IOERR);
	assert_int_equal(q.errors, 1);
}

/* A device that says OK but reports fewer bytes written than a read's
 * pages and status has not said OK: the pager maps read frames unzeroed.
 * A write owes the status byte only. */
static void test_short_length(void **state)
{
	(void)state;
	struct blk_request r = req(0, 0, 0, 2, 0), w = req(1, 1, 64, 1, 4);

	start(64);
	dev.short_len = true;
	serve_one(&r, -EIO);
	assert_int_equal(reported.status, VIRTIO_BLK_S_OK);
	serve_one(&w, -EIO);	/* said short: the status byte not written */
	dev.short_len = false;
	serve_one(&r, 0);
	serve_one(&w, 0);
}

/* A device that never writes the status byte has not said OK. */
static void test_status_unwritten(void **state)
{
	(void)state;
	struct blk_request r = req(0, 0, 0, 1, 0);

	start(64);
	dev.skip_status = true;
	serve_one(&r, -EIO);
	assert_int_equal(reported.status, VIRTIO_BLK_S_UNSET);
}

/* QEMU's disk: a queue of 256 and seg_max 254. A request of BLK_MAX_PAGES
 * (256 KiB) is one chain; the page list is read when the chain is built. */
static void test_largest_request(void **state)
{
	(void)state;
	struct blk_request w = req(0, 1, 0, BLK_MAX_PAGES, 0);
	struct blk_request r = req(1, 0, 0, BLK_MAX_PAGES, 100);

	start_limited(256, 254, 1u << 20);
	assert_int_equal(bdisk.shape.max_pages, BLK_MAX_PAGES);
	submit(&w, 1);
	assert_int_equal(blkq_start(&q), 1);
	assert_int_equal(vq_free_count(&vq), 256 - (BLK_MAX_PAGES + 2));
	assert_int_equal(run_device(false), 1);
	submit(&r, 1);
	blkq_start(&q);
	run_device(false);
	assert_done(0, 0);
	assert_done(1, 0);
	assert_memory_equal(disk, frame(0), BLK_MAX_PAGES * PG);
	assert_memory_equal(frame(100), frame(0), BLK_MAX_PAGES * PG);
	assert_int_equal(dev.malformed, 0);
	w.npages = BLK_MAX_PAGES + 1;
	assert_int_equal(blkq_accept(&q, &w, 1), -EINVAL);
}

/* A device whose segments are at most 1 KiB and 12 per request: each page
 * goes as 4 segments, 3 pages per request, and the data arrives whole. */
static void test_small_segments(void **state)
{
	(void)state;
	struct blk_request w = req(0, 1, 40, 3, 7), r = req(1, 0, 40, 3, 50);

	start_limited(64, 12, 1024);
	assert_int_equal(bdisk.shape.max_pages, 3);
	assert_int_equal(bdisk.shape.segs_per_page, 4);
	submit(&w, 1);
	assert_int_equal(blkq_start(&q), 1);
	assert_int_equal(vq_free_count(&vq), 64 - 14);
	run_device(false);
	submit(&r, 1);
	blkq_start(&q);
	run_device(true);
	assert_done(0, 0);
	assert_done(1, 0);
	assert_int_equal(dev.malformed, 0);
	assert_memory_equal(disk + 40 * BLK_SECTOR, frame(7), 3 * PG);
	assert_memory_equal(frame(50), frame(7), 3 * PG);
	w = req(2, 1, 0, 4, 0);
	assert_int_equal(blkq_accept(&q, &w, 1), -EINVAL);	/* over the shape */
}

/* The random run's bookkeeping: each request in flight owns a set of
 * frames and a region of the disk no other request in flight touches, so
 * completion order cannot change the outcome. */
#define RANDOM_MAX_PAGES 16
#define SETS (NFRAMES / RANDOM_MAX_PAGES)
#define REGIONS (CAPACITY / 8 / RANDOM_MAX_PAGES)

static struct {
	bool busy;
	struct blk_request r;
	unsigned set, region;
} live[BLK_TAGS];
static bool set_busy[SETS], region_busy[REGIONS];
static uint8_t shadow[CAPACITY * BLK_SECTOR];

/* A free index of busy[n] from a random start, or -1. */
static int pick(bool *busy, unsigned n)
{
	unsigned first = (unsigned)rand() % n;

	for (unsigned i = 0; i < n; i++)
		if (!busy[(first + i) % n])
			return (int)((first + i) % n);
	return -1;
}

/* A random request, with its frames filled and the shadow updated if it
 * writes; false if no tag, frame set or region is free. */
static bool make_random(struct blk_request *out)
{
	unsigned tag = (unsigned)rand() % BLK_TAGS;
	int set = pick(set_busy, SETS), region = pick(region_busy, REGIONS);

	if (live[tag].busy || set < 0 || region < 0)
		return false;
	unsigned n = 1 + (unsigned)rand() % RANDOM_MAX_PAGES;
	uint64_t page = (uint64_t)region * RANDOM_MAX_PAGES +
			(unsigned)rand() % (RANDOM_MAX_PAGES - n + 1);

	*out = req(tag, rand() % 2, page * 8, n, (unsigned)set * RANDOM_MAX_PAGES);
	if (out->write) {
		for (size_t i = 0; i < n * PG; i++)
			frame((unsigned)set * RANDOM_MAX_PAGES)[i] = (uint8_t)rand();
		memcpy(shadow + page * PG, frame((unsigned)set * RANDOM_MAX_PAGES), n * PG);
	}
	live[tag].busy = set_busy[set] = region_busy[region] = true;
	live[tag].r = *out;
	live[tag].set = (unsigned)set;
	live[tag].region = (unsigned)region;
	return true;
}

/* Submit a batch of one to three random requests. */
static unsigned submit_random(void)
{
	struct blk_request b[3];
	unsigned n = 0, want = 1 + (unsigned)rand() % 3;

	while (n < want && make_random(&b[n]))
		n++;
	if (n > 0)
		submit(b, n);
	return n;
}

/* Check and release every request the status page says is done. */
static unsigned reap(void)
{
	unsigned reaped = 0;

	for (unsigned t = 0; t < BLK_TAGS; t++) {
		if (!live[t].busy || shared[t].state != BLK_DONE)
			continue;
		const struct blk_request *r = &live[t].r;

		assert_int_equal(shared[t].error, 0);
		if (!r->write)
			assert_memory_equal(frame(live[t].set * RANDOM_MAX_PAGES),
					    shadow + r->sector * BLK_SECTOR,
					    r->npages * PG);
		shared[t].state = BLK_FREE;
		live[t].busy = set_busy[live[t].set] =
			region_busy[live[t].region] = false;
		reaped++;
	}
	return reaped;
}

/* The device serves a random part of what is published. */
static void run_some(void)
{
	blkq_start(&q);
	fake_blk_fetch(&dev, (unsigned)rand() % 8);
	fake_blk_retire(&dev, rand() % 2);
	blkq_complete(&q, on_error, &reported);
}

/* Random reads and writes of random sizes through a small queue, served a
 * few at a time in either order: every read returns what the shadow copy
 * holds, and in the end the disk equals it. */
static void test_random_traffic(void **state)
{
	(void)state;
	unsigned submitted = 0, reaped = 0;

	srand(42);
	start(32);
	memset(disk, 0, CAPACITY * BLK_SECTOR);
	memset(shadow, 0, sizeof(shadow));
	for (unsigned round = 0; round < 5000; round++) {
		if (rand() % 2)
			submitted += submit_random();
		else
			run_some();
		reaped += reap();
	}
	while (!blkq_idle(&q))
		run_some();
	reaped += reap();
	assert_int_equal(reaped, submitted);
	assert_true(submitted > 1000);
	assert_int_equal(dev.malformed, 0);
	assert_int_equal(reported.count, 0);
	assert_memory_equal(disk, shadow, CAPACITY * BLK_SECTOR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_bad_batch_takes_none),
		cmocka_unit_test(test_busy_tags),
		cmocka_unit_test(test_wait_for_descriptors),
		cmocka_unit_test(test_fifo_head_of_line),
		cmocka_unit_test(test_io_error),
		cmocka_unit_test(test_status_unwritten),
		cmocka_unit_test(test_short_length),
		cmocka_unit_test(test_largest_request),
		cmocka_unit_test(test_small_segments),
		cmocka_unit_test(test_random_traffic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
