/*
 * A random model test of the virtio-blk driver against a hostile device and
 * a careless client (host, fixed seeds): drivers/blk_device.c and
 * virtio_mmio.c, included whole over a register window this file plays,
 * with the virtqueue and request engine under them and blk_fake_dev.c
 * serving the rings. Each seed draws a device: its queue size, seg_max,
 * size_max (offered or not, zero, below a sector or a page, huge), its
 * capacity (none, under a page, odd, vast), read-only or not, a
 * configuration that never settles. Then steps: the client submits batches
 * (BLK_SUBMIT and BLK_SUBMIT_ONE), some with one fault (past the capacity,
 * no pages, more than a request may carry, a tag in flight or twice in the
 * batch, page list entries out of the list or not page-aligned, a bad
 * notification, write or reserved field, a write to a read-only disk, a
 * message of the wrong length) and stops the device (refused while the
 * driver holds a request; a device that never resets) to set it up
 * again; the device serves some chains, returns
 * them late and out of order or never, with status bytes garbage or
 * unwritten and lengths short or long, fails sectors, changes its
 * capacity, interrupts with nothing done, and at times breaks: a used
 * entry naming a chain out of range, never given or already returned, its
 * used index run ahead of every chain it holds, DEVICE_NEEDS_RESET.
 * After every step, the model: a refused batch changes nothing; every
 * request done was returned by the device, once, with the error its status
 * and length owe (a read's pages the disk's, a write's on the disk), no
 * other; nothing outside the rings, headers and status bytes of the DMA
 * pages written; a device that broke given up at the interrupt that saw
 * it, no earlier, with nothing more started on it. At a seed's end the
 * device behaves: every request it did not drop finishes.
 * BLK_RAND_SEEDS="first:count" runs others by hand.
 */
#define _POSIX_C_SOURCE 200809L	/* said.h */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blk_device.h"
#include "blk_fake_dev.h"
#include "rand_met.h"
#include "said.h"
#include "virtio_blk_hw.h"
#include "virtio_mmio.h"

#define SEEDS 400
#define STEPS 300
#define PG BLK_PAGE_SIZE
#define DISK_SECTORS 16384u		/* 8 MiB behind the device */
#define DISK_PAGES (DISK_SECTORS / 8)
#define SET_PAGES 32u			/* a request's frames and disk region at most */
#define NSETS 16u
#define NFRAMES (NSETS * SET_PAGES)	/* page list entry i names frame i */
#define MAX_REGIONS (DISK_PAGES / SET_PAGES)
#define CANARY 0xa5
#define BASE 0x1000UL			/* the register window */

/* ---- The register window ---- */

#define DRIVERS_VMMIO_REGS_H
static struct regs {
	uint32_t status, int_status, queue_max, queue_num, queue_ready;
	uint64_t offered, accepted;
	uint32_t features_sel, driver_sel;
	uint64_t capacity;
	uint32_t size_max, seg_max, generation;
	int unsettled;			/* the generation moves at every read */
	int never_resets;		/* Status never reads 0 after a reset */
	unsigned notifies, acks;
} regs;

static uint32_t config_rd(unsigned off)
{
	switch (off) {
	case VIRTIO_BLK_CFG_CAPACITY:
		return (uint32_t)regs.capacity;
	case VIRTIO_BLK_CFG_CAPACITY + 4:
		return (uint32_t)(regs.capacity >> 32);
	case VIRTIO_BLK_CFG_SIZE_MAX:
		return regs.size_max;
	case VIRTIO_BLK_CFG_SEG_MAX:
		return regs.seg_max;
	}
	fail_msg("a read of configuration field 0x%x", off);
	return 0;
}

static uint32_t vmmio_rd(uintptr_t base, unsigned off)
{
	if (base != BASE)
		fail_msg("a read outside the device's window");
	switch (off) {
	case VMMIO_MAGIC_VALUE:
		return VMMIO_MAGIC;
	case VMMIO_VERSION:
		return 2;
	case VMMIO_DEVICE_ID:
		return VIRTIO_ID_BLOCK;
	case VMMIO_DEVICE_FEATURES:
		return (uint32_t)(regs.features_sel ? regs.offered >> 32 : regs.offered);
	case VMMIO_STATUS:
		return regs.status;
	case VMMIO_QUEUE_NUM_MAX:
		return regs.queue_max;
	case VMMIO_QUEUE_READY:
		return regs.queue_ready;
	case VMMIO_INTERRUPT_STATUS:
		return regs.int_status;
	case VMMIO_CONFIG_GENERATION:
		return regs.unsettled ? ++regs.generation : regs.generation;
	}
	if (off >= VMMIO_CONFIG)
		return config_rd(off - VMMIO_CONFIG);
	fail_msg("a read of register 0x%x", off);
	return 0;
}

static uint8_t vmmio_rd8(uintptr_t base, unsigned off)
{
	(void)base;
	fail_msg("a byte read of 0x%x", off);
	return 0;
}

static void vmmio_wr(uintptr_t base, unsigned off, uint32_t v)
{
	if (base != BASE)
		fail_msg("a write outside the device's window");
	switch (off) {
	case VMMIO_STATUS:
		if (v == 0 && regs.never_resets)
			return;
		regs.status = v;
		if (v == 0)
			regs.queue_ready = 0;
		return;
	case VMMIO_DEVICE_FEATURES_SEL:
		regs.features_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES_SEL:
		regs.driver_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES:
		if (regs.driver_sel)
			regs.accepted = (regs.accepted & 0xffffffffu) | (uint64_t)v << 32;
		else
			regs.accepted = (regs.accepted & ~0xffffffffull) | v;
		return;
	case VMMIO_QUEUE_NUM:
		regs.queue_num = v;
		return;
	case VMMIO_QUEUE_READY:
		regs.queue_ready = v;
		return;
	case VMMIO_QUEUE_NOTIFY:
		regs.notifies++;
		return;
	case VMMIO_INTERRUPT_ACK:
		regs.int_status &= ~v;
		regs.acks++;
		return;
	case VMMIO_QUEUE_SEL: case VMMIO_QUEUE_DESC_LOW: case VMMIO_QUEUE_DESC_HIGH:
	case VMMIO_QUEUE_DRIVER_LOW: case VMMIO_QUEUE_DRIVER_HIGH: case VMMIO_QUEUE_DEVICE_LOW:
	case VMMIO_QUEUE_DEVICE_HIGH:
		return;
	}
	fail_msg("a write of register 0x%x", off);
}

#include "../../drivers/virtio_mmio.c"
#include "../../drivers/blk_device.c"

/* ---- The world ---- */

static uint8_t *dma, *frames, *disk, *may_write;
static struct blk_status *shared;
static uint64_t *list;
static struct blk_dma lay;
static struct blk_device blk;
static struct fake_blk fdev;
static unsigned long seed_no;
static unsigned step_no;
static bool by_hand;

/* A tag as the client and the device have seen it. */
static struct tag_model {
	bool accepted;			/* the driver took it: not yet reaped */
	struct blk_request r;
	unsigned set, region;
	bool returned;			/* the device put its chain on the used ring */
	bool dropped;			/* the device will never return it */
	int owed;			/* the error its status and length call for */
} tags[BLK_TAGS];
static bool set_busy[NSETS], region_busy[MAX_REGIONS];
static unsigned nregions, region_pages;	/* good requests' room on this disk */
static uint16_t dropped_heads[VQ_MAX_SIZE];
static unsigned ndropped;
static bool expect_give_up;		/* the device broke where the driver can see it */
static const char *broke_how;		/* how, for a failure's message */
static const char *given_up;
static bool capacity_moved;
static unsigned reports;

static unsigned met_refused_dev, met_unsettled, met_started, met_refused_req[4], met_done_ok,
	met_done_err, met_given_up[4], met_dropped, met_late, met_idle_irq, met_cap_moved,
	met_stops[3];

static uint8_t *frame(unsigned i)
{
	return frames + (size_t)i * PG;
}

static uint8_t *disk_at(uint64_t sector)
{
	return disk + sector * BLK_SECTOR;
}

/* The DMA pages' bytes neither may write, as spans (a few: between the
 * rings and slots), checked at every step against a page of canaries. */
static struct { size_t at, len; } fenced[16];
static unsigned nfenced;
static uint8_t canaries[PG];

static void find_fenced(void)
{
	nfenced = 0;
	for (size_t i = 0; i < BLK_DMA_PAGES * PG;) {
		size_t end = i;

		while (end < BLK_DMA_PAGES * PG && !may_write[end] && end / PG == i / PG)
			end++;
		if (end > i) {
			assert_true(nfenced < sizeof(fenced) / sizeof(fenced[0]));
			fenced[nfenced].at = i;
			fenced[nfenced++].len = end - i;
			i = end;
		} else {
			i++;
		}
	}
}

static void mark(const void *p, size_t n)
{
	memset(may_write + ((const uint8_t *)p - dma), 1, n);
}

/* The bytes of the DMA pages the driver and device may write: the rings,
 * the headers and the status bytes. */
static void mark_writable(uint16_t size)
{
	memset(may_write, 0, BLK_DMA_PAGES * PG);
	mark(lay.desc, VQ_DESC_BYTES(size));
	mark(lay.avail, VQ_AVAIL_BYTES(size));
	mark(lay.used, VQ_USED_BYTES(size));
	mark((const void *)lay.slots.status, BLK_TAGS);
	mark(lay.slots.hdr, BLK_TAGS * sizeof(struct virtio_blk_hdr));
	find_fenced();
}

static void check_dma_canary(void)
{
	for (unsigned k = 0; k < nfenced; k++)
		RAND_CHECK(seed_no, step_no, memcmp(dma + fenced[k].at, canaries, fenced[k].len) == 0,
			   "DMA bytes %zu..%zu written, outside the rings and slots", fenced[k].at,
			   fenced[k].at + fenced[k].len);
}

/* ---- The device drawn ---- */

static const uint32_t queue_maxes[] = { 0, 1, 2, 3, 4, 5, 8, 16, 32, 64, 100, 256, 300,
					65535, 0xffffffffu };
static const uint32_t seg_maxes[] = { 0, 1, 2, 3, 7, 8, 9, 16, 64, 126, 254, 1000,
				      0xffffffffu };
static const uint32_t size_maxes[] = { 0, 1, 511, 512, 513, 1000, 1024, 1536, 2048, 4095,
				       4096, 4097, 65536, 0xffffffffu };
static const uint64_t capacities[] = { 0, 1, 7, 8, 9, 100, 1000, DISK_SECTORS - 1,
				       DISK_SECTORS, DISK_SECTORS + 5, 1ull << 32, 1ull << 63,
				       UINT64_MAX };

#define PICK(a) (a)[rand_below(sizeof(a) / sizeof((a)[0]))]

static uint64_t draw_capacity(void)
{
	return rand_chance(20) ? rand_below(DISK_SECTORS * 2) : PICK(capacities);
}

static void draw_device(void)
{
	regs = (struct regs){ .queue_max = rand_chance(50) ? PICK(queue_maxes) : rand_below(400),
			       .offered = 1ull << VIRTIO_F_VERSION_1 | 1ull << 40 };
	if (rand_chance(70)) {
		regs.offered |= 1ull << VIRTIO_BLK_F_SEG_MAX;
		regs.seg_max = rand_chance(70) ? PICK(seg_maxes) : rand_below(300);
	}
	if (rand_chance(70)) {
		regs.offered |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
		regs.size_max = rand_chance(70) ? PICK(size_maxes) : rand_below(9000);
	}
	if (rand_chance(15))
		regs.offered |= 1ull << VIRTIO_BLK_F_RO;
	regs.capacity = draw_capacity();
	regs.unsettled = rand_chance(3);
}

/* What start must say of the device drawn: whether one page fits a
 * request (virtio_blk's rule, from the spec's limits), and the queue. */
static unsigned queue_for(uint32_t max)
{
	unsigned q = VQ_MAX_SIZE;

	while (q > max)
		q /= 2;
	return q;
}

static unsigned seg_bytes_for(void)
{
	bool has = regs.offered >> VIRTIO_BLK_F_SIZE_MAX & 1;

	return has && regs.size_max < PG ? regs.size_max / BLK_SECTOR * BLK_SECTOR : PG;
}

static unsigned segs_allowed(unsigned q)
{
	unsigned segs = q - 2;

	if ((regs.offered >> VIRTIO_BLK_F_SEG_MAX & 1) && regs.seg_max < segs)
		segs = regs.seg_max;
	return segs;
}

static bool one_page_fits(unsigned q)
{
	unsigned seg = seg_bytes_for();

	return seg > 0 && q >= 3 && (PG + seg - 1) / seg <= segs_allowed(q);
}

static void check_shape(unsigned q)
{
	const struct blk_shape *s = &blk.disk.shape;
	unsigned segs = segs_allowed(q);

	RAND_CHECK(seed_no, 0, s->seg_bytes == seg_bytes_for(), "segment of %u bytes", s->seg_bytes);
	RAND_CHECK(seed_no, 0, s->segs_per_page == (PG + s->seg_bytes - 1) / s->seg_bytes,
		   "%u segments a page", s->segs_per_page);
	RAND_CHECK(seed_no, 0, s->max_pages >= 1 && s->max_pages <= BLK_MAX_PAGES &&
		   s->max_pages * s->segs_per_page <= segs &&
		   (s->max_pages == BLK_MAX_PAGES || (s->max_pages + 1) * s->segs_per_page > segs),
		   "%u pages a request (%u segments allowed)", s->max_pages, segs);
	RAND_CHECK(seed_no, 0, blk.vq.size == q && regs.queue_num == q && regs.queue_ready == 1,
		   "queue of %u", blk.vq.size);
}

/* Start the driver on the device drawn: true if it took it. */
static bool start(void)
{
	uint64_t pa[BLK_DMA_PAGES];
	unsigned q = queue_for(regs.queue_max);
	int want = !one_page_fits(q) ? -ENOTSUP : regs.unsettled ? -EIO : 0, r;

	memset(dma, CANARY, BLK_DMA_PAGES * PG);
	for (unsigned i = 0; i < BLK_DMA_PAGES; i++)
		pa[i] = (uintptr_t)dma + i * PG;
	assert_int_equal(blk_dma_place(&lay, (uintptr_t)dma, pa), 0);
	memset(&blk, 0, sizeof(blk));
	blk.mmio = BASE;
	said_begin();
	r = blk_device_start(&blk, &lay, shared, list);
	int said_why = said_end(r == -ENOTSUP ? "virtio_blk: refusing the device: " :
				r == -EIO ? "giving the device up" : "virtio_blk:");

	RAND_CHECK(seed_no, 0, r == want, "start gave %d, not %d (queue %u)", r, want, q);
	RAND_CHECK(seed_no, 0, said_why == (r < 0), "%d console lines on why", said_why);
	if (r < 0) {
		RAND_CHECK(seed_no, 0, regs.status & VIRTIO_STATUS_FAILED, "refused but not FAILED");
		RAND_CHECK(seed_no, 0, regs.queue_ready == 0, "a queue set up on a refused device");
		met_refused_dev += r == -ENOTSUP;
		met_unsettled += r == -EIO;
		return false;
	}
	RAND_CHECK(seed_no, 0, regs.status & VIRTIO_STATUS_DRIVER_OK, "started without DRIVER_OK");
	check_shape(q);
	RAND_CHECK(seed_no, 0, blk.disk.capacity == regs.capacity, "capacity %llu",
		   (unsigned long long)blk.disk.capacity);
	RAND_CHECK(seed_no, 0, blk.disk.read_only == (regs.offered >> VIRTIO_BLK_F_RO & 1),
		   "read-only wrong");
	mark_writable(blk.vq.size);
	fake_blk_init(&fdev, &blk.vq, disk,
		      regs.capacity < DISK_SECTORS ? regs.capacity : DISK_SECTORS);
	fdev.seg_max = regs.offered >> VIRTIO_BLK_F_SEG_MAX & 1 ? regs.seg_max : blk.vq.size - 2u;
	fdev.size_max = regs.offered >> VIRTIO_BLK_F_SIZE_MAX & 1 ? regs.size_max : PG;
	met_started++;
	return true;
}

/* ---- The client ---- */

/* A free index of busy[0..n) from a random start, or -1. */
static int pick_free(const bool *busy, unsigned n)
{
	unsigned first = rand_below(n);

	for (unsigned i = 0; i < n; i++)
		if (!busy[(first + i) % n])
			return (int)((first + i) % n);
	return -1;
}

static int free_tag(void)
{
	unsigned first = rand_below(BLK_TAGS);

	for (unsigned i = 0; i < BLK_TAGS; i++) {
		unsigned t = (first + i) % BLK_TAGS;

		if (!tags[t].accepted && shared[t].state == BLK_FREE)
			return (int)t;
	}
	return -1;
}

/* n bytes at p: a xorshift stream from x, or the read's poison (x 0). */
static void fill(uint8_t *p, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++) {
		if (x == 0) {
			p[i] = 0xee;
			continue;
		}
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* A well-formed request of a free tag, frame set and region (claimed in
 * the status page as the pager would), or false. A write's frames filled,
 * a read's poisoned. */
static bool make_good(struct blk_request *r, unsigned *set_out, unsigned *region_out)
{
	int tag = free_tag(), set = pick_free(set_busy, NSETS),
	    region = pick_free(region_busy, nregions);
	unsigned most = blk.disk.shape.max_pages < region_pages ? blk.disk.shape.max_pages :
								   region_pages;

	if (tag < 0 || set < 0 || region < 0 || nregions == 0)
		return false;
	unsigned n = 1 + rand_below(most);
	unsigned page = (unsigned)region * region_pages + rand_below(region_pages - n + 1);
	unsigned first = (unsigned)set * SET_PAGES + rand_below(SET_PAGES - n + 1);

	*r = (struct blk_request){ .tag = (uint32_t)tag, .write = !blk.disk.read_only && rand_chance(50),
				   .sector = (uint64_t)page * 8, .npages = n,
				   .notify = rand_below(BLK_DONE_NOTES), .list = first };
	fill(frame(first), n * PG, r->write ? (uint32_t)rand() | 1 : 0);
	set_busy[set] = region_busy[region] = true;
	shared[tag].state = BLK_SUBMITTED;	/* as the pager, before its call */
	*set_out = (unsigned)set;
	*region_out = (unsigned)region;
	return true;
}

enum fault {
	F_TAG_RANGE, F_TAG_FLIGHT, F_TAG_TWICE, F_NO_PAGES, F_TOO_MANY, F_PAST_END, F_SECTOR_VAST,
	F_LIST_RANGE, F_LIST_END, F_UNALIGNED, F_NOTIFY, F_WRITE, F_RESERVED, F_READ_ONLY,
	F_LEN_ODD, F_LEN_ZERO, F_ONE_LEN, NFAULTS
};

/* A tag the driver holds and has not finished, or -1. */
static int tag_in_flight(void)
{
	for (unsigned t = 0; t < BLK_TAGS; t++)
		if (tags[t].accepted && shared[t].state == BLK_SUBMITTED)
			return (int)t;
	return -1;
}

/* Break r by fault f; the error the driver owes, or 0 if f cannot apply. */
static int spoil(struct blk_request *r, enum fault f, const struct blk_request *b, unsigned i)
{
	int t;

	switch (f) {
	case F_TAG_RANGE:
		r->tag = BLK_TAGS + rand_below(1000);
		return -EINVAL;
	case F_TAG_FLIGHT:
		if ((t = tag_in_flight()) < 0)
			return 0;
		r->tag = (uint32_t)t;
		return -EBUSY;
	case F_TAG_TWICE:
		if (i == 0)
			return 0;
		r->tag = b[rand_below(i)].tag;
		return -EBUSY;
	case F_NO_PAGES:
		r->npages = 0;
		return -EINVAL;
	case F_TOO_MANY:
		r->npages = blk.disk.shape.max_pages + 1 + rand_below(100);
		return -EINVAL;
	case F_PAST_END:
		if (blk.disk.capacity < r->npages * 8ull)
			return 0;
		r->sector = blk.disk.capacity - r->npages * 8ull + 1 + rand_below(8);
		return -EINVAL;
	case F_SECTOR_VAST:
		r->sector = UINT64_MAX - rand_below(8);
		return -EINVAL;
	case F_LIST_RANGE:
		r->list = BLK_LIST_ENTRIES + rand_below(1u << 20);
		return -EINVAL;
	case F_LIST_END:
		r->list = BLK_LIST_ENTRIES - rand_below(r->npages);
		return r->list + r->npages > BLK_LIST_ENTRIES ? -EINVAL : 0;
	case F_UNALIGNED:
		list[r->list + rand_below(r->npages)] += 8 * (1 + rand_below(500));
		return -EINVAL;
	case F_NOTIFY:
		r->notify = BLK_DONE_NOTES + rand_below(40);
		return -EINVAL;
	case F_WRITE:
		r->write = 2 + rand_below(10);
		return -EINVAL;
	case F_RESERVED:
		r->reserved = 1 + rand_below(100);
		return -EINVAL;
	case F_READ_ONLY:
		if (!blk.disk.read_only)
			return 0;
		r->write = 1;
		return -EROFS;
	default:
		return 0;
	}
}

static void restore_list(void)
{
	for (unsigned i = 0; i < NFRAMES; i++)
		list[i] = (uintptr_t)frame(i);
}

static void check_shared(void);

/* The driver refused the batch: nothing it holds or published changed. */
static void check_nothing_taken(uint16_t avail_before, uint16_t nwait_before)
{
	RAND_CHECK(seed_no, step_no, blk.vq.avail->idx == avail_before && blk.bq.nwait == nwait_before,
		   "a refused batch reached the queue");
}

/* A message of the batch b[0..n): one in words or all in data; mess
 * spoils its length (the error it owes, else 0). */
static int put_message(struct msg *m, const struct blk_request *b, unsigned n, enum fault f)
{
	memset(m, 0, sizeof(*m));
	m->handle = -1;
	if (f == F_ONE_LEN || (n == 1 && rand_chance(50))) {
		m->label = BLK_SUBMIT_ONE;
		memcpy(m->w, b, sizeof(*b));
		if (f != F_ONE_LEN)
			return 0;
		m->len = 1 + rand_below(MSG_DATA_MAX);
		return -EINVAL;
	}
	m->label = BLK_SUBMIT;
	m->len = (uint32_t)(n * sizeof(*b));
	memcpy(m->data, b, m->len);
	if (f == F_LEN_ODD) {
		m->len -= 1 + rand_below(sizeof(*b) - 1);
		return -EINVAL;
	}
	if (f == F_LEN_ZERO) {
		m->len = 0;
		return -EINVAL;
	}
	return 0;
}

static void release_claims(const unsigned *set, const unsigned *region, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		set_busy[set[i]] = region_busy[region[i]] = false;
}

/* A batch of 1 to 4 requests, at times with one fault. */
static void client_submit(void)
{
	struct blk_request b[4];
	unsigned set[4], region[4], tag[4], n = 0, want = 1 + rand_below(4);
	enum fault f = rand_chance(30) ? (enum fault)rand_below(NFAULTS) : NFAULTS;
	int owed = 0;
	struct msg m;

	while (n < want && make_good(&b[n], &set[n], &region[n])) {
		tag[n] = b[n].tag;
		n++;
	}
	if (n == 0)
		return;
	if (f < F_LEN_ODD) {
		unsigned i = rand_below(n);

		owed = spoil(&b[i], f, b, i);
	}
	int owed_len = put_message(&m, b, n, f < F_LEN_ODD ? NFAULTS : f);

	owed = owed ? owed : owed_len;
	uint16_t avail_before = blk.vq.avail->idx, nwait_before = blk.bq.nwait;
	int r = blk_device_submit(&blk, &m);

	restore_list();
	if (owed < 0) {
		RAND_CHECK(seed_no, step_no, r == owed, "fault %d: submit gave %d, not %d", f, r, owed);
		for (unsigned i = 0; i < n; i++)
			shared[tag[i]].state = BLK_FREE;
		release_claims(set, region, n);
		check_nothing_taken(avail_before, nwait_before);
		met_refused_req[owed == -EINVAL ? 0 : owed == -EBUSY ? 1 : owed == -EROFS ? 2 : 3]++;
		return;
	}
	RAND_CHECK(seed_no, step_no, r == (int)n, "submit of %u gave %d (fault %d)", n, r, f);
	for (unsigned i = 0; i < n; i++)
		tags[b[i].tag] = (struct tag_model){ .accepted = true, .r = b[i], .set = set[i],
						    .region = region[i] };
}

/* Every request the status page says is done: the device returned it, and
 * its result is what it owed. */
static void client_reap(void)
{
	for (unsigned t = 0; t < BLK_TAGS; t++) {
		if (shared[t].state != BLK_DONE)
			continue;
		const struct blk_request *r = &tags[t].r;

		RAND_CHECK(seed_no, step_no, tags[t].accepted && tags[t].returned,
			   "tag %u done, the device never returned it (accepted %d)", t,
			   tags[t].accepted);
		RAND_CHECK(seed_no, step_no, shared[t].error == tags[t].owed,
			   "tag %u done with %d, owed %d", t, shared[t].error, tags[t].owed);
		if (shared[t].error == 0 && r->write)
			RAND_CHECK(seed_no, step_no,
				   memcmp(disk_at(r->sector), frame(r->list), r->npages * PG) == 0,
				   "tag %u written, the disk holds other bytes", t);
		if (shared[t].error == 0 && !r->write)
			RAND_CHECK(seed_no, step_no,
				   memcmp(disk_at(r->sector), frame(r->list), r->npages * PG) == 0,
				   "tag %u read, its frames hold other bytes", t);
		met_done_ok += shared[t].error == 0;
		met_done_err += shared[t].error != 0;
		shared[t].state = BLK_FREE;
		set_busy[tags[t].set] = region_busy[tags[t].region] = false;
		tags[t].accepted = false;
	}
}

/* ---- The device ---- */

static unsigned tag_of_head(uint16_t head)
{
	return (unsigned)((fdev.desc[head].addr - lay.slots.hdr_pa) / sizeof(struct virtio_blk_hdr));
}

/* The error a request returned with status st and length len owes. */
static int owed_for(const struct blk_request *r, uint8_t st, uint32_t len)
{
	uint32_t need = (r->write ? 0 : r->npages * PG) + 1;

	return st == VIRTIO_BLK_S_OK && len >= need ? 0 : -EIO;
}

/* The device spoils what it says of served chain k: its status byte or
 * its length. */
static void spoil_result(unsigned k)
{
	uint8_t *st = fake_blk_status_byte(&fdev, fdev.pending[k]);
	unsigned what = rand_below(100);

	if (what < 4)
		*st = (uint8_t)(1 + rand_below(255));	/* garbage, UNSET among it */
	else if (what < 7)
		*st = VIRTIO_BLK_S_UNSET;		/* never written */
	else if (what < 10)
		fdev.pending_len[k] = rand_below(fdev.pending_len[k] + 1);
	else if (what < 13)
		fdev.pending_len[k] += 1 + rand_below(1u << 20);
}

/* Put served chain k on the used ring: its tag returned, owing what its
 * status and length say. */
static void retire_one(unsigned k)
{
	uint16_t head = fdev.pending[k];
	unsigned t = tag_of_head(head);

	spoil_result(k);
	RAND_CHECK(seed_no, step_no, t < BLK_TAGS && tags[t].accepted && !tags[t].returned,
		   "the device served a chain of tag %u the driver should not have given", t);
	tags[t].returned = true;
	tags[t].owed = owed_for(&tags[t].r, *fake_blk_status_byte(&fdev, head),
				fdev.pending_len[k]);
	fake_blk_put_used(&fdev, head, fdev.pending_len[k]);
	fake_blk_forget(&fdev, k);
}

/* Whether head is a chain the device may still return: served and not
 * returned, published and not yet taken, or dropped (the driver holds it
 * still: naming it is returning it). */
static bool outstanding(uint16_t head)
{
	for (unsigned k = 0; k < fdev.npending; k++)
		if (fdev.pending[k] == head)
			return true;
	for (uint16_t i = fdev.last_avail; i != fdev.avail->idx; i++)
		if (fdev.avail->ring[i % fdev.size] == head)
			return true;
	for (unsigned i = 0; i < ndropped; i++)
		if (dropped_heads[i] == head)
			return true;
	return false;
}

/* Chains the driver has given the device that it has not returned. */
static unsigned chains_held(void)
{
	return fdev.npending + (uint16_t)(fdev.avail->idx - fdev.last_avail) + ndropped;
}

enum breakage { B_RANGE, B_STRAY, B_JUMP, B_RESET, NBREAKS };
static const char *const breakage_name[] = { "a used id out of range",
	"a used id of no chain it holds", "its used index run ahead of its chains",
	"DEVICE_NEEDS_RESET" };
static void interrupt(void);

static bool device_broke(enum breakage b)
{
	expect_give_up = true;
	broke_how = breakage_name[b];
	met_given_up[b]++;
	return true;
}

/* The device breaks, in a way the driver can see: false if it cannot
 * here (no id unheld to name). */
static bool device_break(enum breakage b)
{
	switch (b) {
	case B_RANGE:
		fake_blk_put_used(&fdev, fdev.size + rand_below(rand_chance(50) ? 10 : 1u << 30),
				  rand_below(9000));
		return device_broke(b);
	case B_STRAY: {
		uint16_t id = (uint16_t)rand_below(fdev.size);

		for (unsigned i = 0; i < fdev.size && outstanding(id); i++)
			id = (uint16_t)((id + 1) % fdev.size);
		if (outstanding(id))
			return false;
		fake_blk_put_used(&fdev, id, rand_below(9000));
		return device_broke(b);
	}
	case B_JUMP:
		/* Entries the device cannot have written: more than it holds. */
		fdev.used_idx = (uint16_t)(fdev.used_idx + chains_held() + 1 +
					   rand_below(rand_chance(50) ? 4 : 70000));
		if ((uint16_t)(fdev.used_idx - blk.vq.used_seen) == 0)
			fdev.used_idx++;	/* a jump of 2^16: none at all */
		return device_broke(b);
	case B_RESET:
		regs.status |= VIRTIO_STATUS_NEEDS_RESET;
		regs.int_status |= VMMIO_INT_CONFIG;
		return device_broke(b);
	default:
		return false;
	}
}

/* The device's step: take some chains, return some in any order, at
 * times spoilt, late or never, at times break. */
static void device_step(void)
{
	fake_blk_fetch(&fdev, rand_below(6));
	for (unsigned n = rand_below(fdev.npending + 1); n > 0; n--)
		retire_one(rand_below(fdev.npending));
	met_late += fdev.npending > 0;
	if (fdev.npending > 0 && ndropped < 2 && rand_chance(1)) {
		unsigned k = rand_below(fdev.npending);

		dropped_heads[ndropped++] = fdev.pending[k];
		tags[tag_of_head(fdev.pending[k])].dropped = true;
		fake_blk_forget(&fdev, k);
		met_dropped++;
	}
	enum breakage b = rand_below(NBREAKS);
	bool broke = !expect_give_up && rand_below(1000) < 6 && device_break(b);

	fake_blk_publish_used(&fdev, 0);
	if (rand_chance(5))
		fdev.fail_sector = rand_chance(50) ? UINT64_MAX : rand_below(DISK_SECTORS);
	/* A stray id's interrupt at once: later, the driver may have given
	 * that head again, and the entry is then as good as sound. The
	 * others' may come after more requests are given. */
	if (broke && (b == B_STRAY || rand_chance(50)))
		interrupt();
}

/* Its capacity changes (the disk resized): a configuration interrupt. */
static void device_resize(void)
{
	regs.capacity = draw_capacity();
	regs.generation++;
	regs.int_status |= VMMIO_INT_CONFIG;
	fdev.capacity = regs.capacity < DISK_SECTORS ? regs.capacity : DISK_SECTORS;
	capacity_moved = true;
	met_cap_moved++;
}

/* ---- The driver's interrupt ---- */

static void on_report(void *ctx, const struct blk_request *r, unsigned status)
{
	(void)ctx;
	(void)status;
	RAND_CHECK(seed_no, step_no, r->tag < BLK_TAGS && tags[r->tag].accepted &&
		   tags[r->tag].returned && tags[r->tag].owed != 0,
		   "an error reported for tag %u (status %u, accepted %d returned %d owed %d; broke: %s)", r->tag,
		   status, tags[r->tag].accepted, tags[r->tag].returned, tags[r->tag].owed,
		   expect_give_up ? broke_how : "no");
	reports++;
}

/* The interrupt, as virtio_blk.c's loop takes it. */
static void interrupt(void)
{
	uint16_t avail_before = blk.vq.avail->idx;

	met_idle_irq += fdev.used->idx == blk.vq.used_seen && !expect_give_up;
	regs.int_status |= VMMIO_INT_USED;
	given_up = blk_device_interrupt(&blk, on_report, NULL);
	RAND_CHECK(seed_no, step_no, given_up || !expect_give_up,
		   "the device broke (%s) and the driver went on", broke_how);
	RAND_CHECK(seed_no, step_no, !given_up || expect_give_up,
		   "the driver gave up a sound device: %s", given_up);
	RAND_CHECK(seed_no, step_no, regs.int_status == 0, "the interrupt left unacknowledged");
	RAND_CHECK(seed_no, step_no, blk.vq.avail->idx == avail_before,
		   "the interrupt published chains before its restart");
	blk.bq.done_notes = 0;
	if (!given_up)
		blk_device_restart(&blk);
}

/* ---- The seed ---- */

/* Every tag not accepted is free in the status page or done; the driver's
 * record of each agrees with the model's. */
static void check_shared(void)
{
	for (unsigned t = 0; t < BLK_TAGS; t++) {
		uint32_t st = shared[t].state;

		if (!tags[t].accepted)
			RAND_CHECK(seed_no, step_no, st == BLK_FREE,
				   "tag %u never accepted is %u in the status page", t, st);
		else
			RAND_CHECK(seed_no, step_no, st == BLK_SUBMITTED || st == BLK_DONE,
				   "tag %u accepted is %u in the status page", t, st);
	}
}

static void check_step(void)
{
	check_dma_canary();
	check_shared();
	client_reap();
}

/* The device behaves from now on: every request it holds or will be given
 * finishes, but those it dropped (and any waiting behind their descriptors). */
static bool all_settled(void)
{
	for (unsigned t = 0; t < BLK_TAGS; t++)
		if (tags[t].accepted && !tags[t].dropped &&
		    !(blk.bq.state[t] == BLKQ_WAITING && ndropped > 0))
			return false;
	return true;
}

static void drain(void)
{
	for (unsigned round = 0; round < 4 * BLK_TAGS && !given_up && !all_settled(); round++) {
		fake_blk_fetch(&fdev, VQ_MAX_SIZE);
		while (fdev.npending > 0) {
			unsigned k = rand_below(fdev.npending);
			uint16_t head = fdev.pending[k];
			unsigned t = tag_of_head(head);

			tags[t].returned = true;
			tags[t].owed = owed_for(&tags[t].r, *fake_blk_status_byte(&fdev, head),
						fdev.pending_len[k]);
			fake_blk_put_used(&fdev, head, fdev.pending_len[k]);
			fake_blk_forget(&fdev, k);
		}
		fake_blk_publish_used(&fdev, 0);
		interrupt();
		check_step();
	}
	if (given_up)
		return;
	RAND_CHECK(seed_no, step_no, capacity_moved || fdev.malformed == 0,
		   "%u chains the device could not take", fdev.malformed);
	for (unsigned t = 0; t < BLK_TAGS; t++) {
		bool waiting = blk.bq.state[t] == BLKQ_WAITING;

		RAND_CHECK(seed_no, step_no, !tags[t].accepted || tags[t].dropped ||
			   (waiting && ndropped > 0),
			   "tag %u never finished (driver state %u)", t, blk.bq.state[t]);
	}
}

static void reset_model(void)
{
	memset(tags, 0, sizeof(tags));
	memset(set_busy, 0, sizeof(set_busy));
	memset(region_busy, 0, sizeof(region_busy));
	memset(shared, 0, BLK_TAGS * sizeof(*shared));
	ndropped = 0;
	expect_give_up = capacity_moved = false;
	given_up = NULL;
	restore_list();
}

static void room_for_requests(void)
{
	uint64_t pages = blk.disk.capacity / 8;

	if (pages > DISK_PAGES)
		pages = DISK_PAGES;
	region_pages = pages < SET_PAGES ? (unsigned)pages : SET_PAGES;
	nregions = region_pages ? (unsigned)(pages / region_pages) : 0;
	if (nregions > MAX_REGIONS)
		nregions = MAX_REGIONS;
}

/* BLK_STOP, then BLK_SETUP again if it stopped: refused while the driver
 * holds a request (nothing changes), else the device reset, or -EIO if it
 * never resets (the seed ends: the pager gives the disk up). */
static bool client_stop(void)
{
	bool idle = true;
	uint32_t status = regs.status;

	client_reap();
	for (unsigned t = 0; t < BLK_TAGS; t++)
		idle &= !tags[t].accepted;
	regs.never_resets = rand_chance(10);
	int r = blk_device_stop(&blk), want = !idle ? -EBUSY : regs.never_resets ? -EIO : 0;

	RAND_CHECK(seed_no, step_no, r == want, "stop gave %d, not %d", r, want);
	met_stops[r == 0 ? 0 : r == -EBUSY ? 1 : 2]++;
	if (r == -EBUSY)
		RAND_CHECK(seed_no, step_no, regs.status == status, "a stop refused changed the device");
	if (r < 0)
		return r == -EBUSY;
	RAND_CHECK(seed_no, step_no, regs.status == 0 && regs.queue_ready == 0, "stopped, not reset");
	expect_give_up = false;	/* what broke was reset away */
	RAND_CHECK(seed_no, step_no, start(), "the device refused when set up again");
	room_for_requests();
	return true;
}

static void run_seed(unsigned long seed)
{
	seed_no = seed;
	step_no = 0;
	srand((unsigned)seed);
	reset_model();
	draw_device();
	if (!start())
		return;
	room_for_requests();
	for (step_no = 1; step_no <= STEPS && !given_up; step_no++) {
		unsigned what = rand_below(100);

		if (what < 40)
			client_submit();
		else if (what < 80)
			device_step();
		else if (what < 99 || rand_chance(40))
			interrupt();
		else if (rand_chance(50))
			device_resize();
		else if (!client_stop())
			return;
		check_step();
	}
	drain();
}

static void test_random(void **state)
{
	unsigned long first, n = SEEDS;

	(void)state;
	by_hand = rand_seeds("BLK_RAND_SEEDS", &first, &n);
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s);
	const struct met_kind k[] = {
		{ "device refused", &met_refused_dev }, { "capacity unsettled", &met_unsettled },
		{ "device started", &met_started }, { "batch -EINVAL", &met_refused_req[0] },
		{ "batch -EBUSY", &met_refused_req[1] }, { "batch -EROFS", &met_refused_req[2] },
		{ "done ok", &met_done_ok }, { "done failed", &met_done_err },
		{ "stray id out of range", &met_given_up[B_RANGE] },
		{ "stray id in range", &met_given_up[B_STRAY] },
		{ "used index run ahead", &met_given_up[B_JUMP] },
		{ "needs reset", &met_given_up[B_RESET] }, { "chain dropped", &met_dropped },
		{ "chains late", &met_late }, { "interrupt with nothing", &met_idle_irq },
		{ "capacity changed", &met_cap_moved }, { "errors reported", &reports },
		{ "stopped and set up again", &met_stops[0] }, { "stop refused", &met_stops[1] },
		{ "stop never reset", &met_stops[2] },
	};
	rand_met(k, sizeof(k) / sizeof(k[0]), by_hand);
}

static int setup(void **state)
{
	(void)state;
	dma = aligned_alloc(PG, BLK_DMA_PAGES * PG);
	may_write = malloc(BLK_DMA_PAGES * PG);
	frames = aligned_alloc(PG, NFRAMES * PG);
	memset(canaries, CANARY, sizeof(canaries));
	disk = malloc(DISK_SECTORS * BLK_SECTOR);
	if (disk)
		fill(disk, DISK_SECTORS * BLK_SECTOR, 2463534242u);
	shared = calloc(BLK_TAGS, sizeof(*shared));
	list = calloc(BLK_LIST_ENTRIES, sizeof(*list));
	return dma && may_write && frames && disk && shared && list ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(dma);
	free(may_write);
	free(frames);
	free(disk);
	free(shared);
	free(list);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, setup, teardown);
}
