/*
 * The in-memory swap device of backend_fake.h: frames are the test's RAM
 * buffer (frame_ptr); a transfer is one device request for each run of
 * slots that follow one another in its order (as blk_merge.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "backend_fake.h"
#include "base/threads.h"
#include "swap_header.h"
#include "vm/frames.h"

struct fake_disk disk;
struct fake_met fake_met;
static void *start_table;	/* ops.start's: slot_bytes a slot */

/* By I/O client: slots written since its thread's last flush. */
static struct {
	unsigned n;
	uint32_t slot[SWAP_IO_MAX];
} unflushed[PAGER_IO_CLIENTS];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

void fake_disk_init(int header)
{
	free(start_table);
	start_table = NULL;
	memset(&disk, 0, sizeof(disk));
	memset(unflushed, 0, sizeof(unflushed));
	if (!header)
		return;
	put32(disk.page[0] + SWAP_OFF_VERSION, 1);
	put32(disk.page[0] + SWAP_OFF_LAST_PAGE, DISK_PAGES - 1);
	memcpy(disk.page[0] + SWAP_OFF_MAGIC, "SWAPSPACE2", 10);
}

void fake_disk_set_last(uint32_t last)
{
	put32(disk.page[0] + SWAP_OFF_LAST_PAGE, last);
}

static uint64_t size(void *ctx, int *read_only)
{
	(void)ctx;
	*read_only = disk.read_only;
	return disk.bytes ? disk.bytes : sizeof(disk.page);
}

static int bad_err(void)
{
	return disk.bad_err ? disk.bad_err : -EIO;
}

static int fake_read(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		     struct swap_done *done)
{
	(void)ctx, (void)t;
	if (disk.during_read && !disk.moves_first)
		disk.during_read();
	if (disk.gone) {
		fake_met.gone_reads++;
		return -ENXIO;		/* as a network device given up */
	}
	if (disk.unsent_reads > 0) {
		disk.unsent_reads--;
		fake_met.unsent_reads++;
		return -ENOMEM;		/* nothing sent: no transfer counted */
	}
	disk.reads++;
	disk.last_read_pages = n;
	fake_met.window_failed += disk.window_fails && n > 1;
	done->requests = 0;
	for (unsigned k = 0; k < n; k++) {
		/* A device request per run of slots that follow one another in
		 * p's order, as blk_merge.h builds them. */
		done->requests += k == 0 || p[k].slot != p[k - 1].slot + 1;
		int bad = (disk.bad_read && p[k].slot == disk.bad_read) || (disk.window_fails && n > 1);
		done->err[k] = bad ? bad_err() : 0;
		fake_met.read_bad += disk.bad_read && p[k].slot == disk.bad_read;
		if (!bad) {
			memcpy(frame_ptr(p[k].pa), disk.page[p[k].slot], 4096);
			disk.pages_read++;
		}
	}
	if (disk.during_read && disk.moves_first)
		disk.during_read();
	return 0;
}

static int bad_slot(uint32_t slot)
{
	return disk.writes_fail || (disk.bad_write && slot == disk.bad_write);
}

void fake_disk_land_late(void)
{
	for (unsigned k = 0; k < disk.late_n; k++)
		memcpy(disk.page[disk.late[k].slot], disk.late[k].data, 4096);
	fake_met.late_landed += disk.late_n;
	disk.late_n = 0;
}

/* What a failed page's result was, counted: bad for its own slot (else
 * for its run's), or as every write fails. */
static void met_write_failure(uint32_t slot, int err)
{
	if (disk.writes_fail)
		fake_met.write_all_fail++;
	else if (!bad_slot(slot))
		fake_met.write_by_request++;
	if (err == -EIO)
		fake_met.write_eio++;
	else if (err == SWAP_ERR_LATE)
		fake_met.write_late++;
	else if (err == SWAP_ERR_UNSENT)
		fake_met.write_unsent++;
}

/* One page written, or failed (bad): its result in *err. One failed late
 * is kept to land later (all those kept land now if there is no room). */
static void write_page(const struct swap_req *p, int bad, int *err)
{
	*err = bad ? bad_err() : 0;
	if (bad)
		met_write_failure(p->slot, *err);
	if (bad && *err == SWAP_ERR_LATE) {
		if (disk.late_n == sizeof(disk.late) / sizeof(disk.late[0]))
			fake_disk_land_late();
		disk.late[disk.late_n].slot = p->slot;
		memcpy(disk.late[disk.late_n++].data, frame_ptr(p->pa), 4096);
	}
	if (bad)
		return;
	memcpy(disk.page[p->slot], frame_ptr(p->pa), 4096);
	disk.pages_written++;
}

/* A page left in flight takes its verdict from collect (left_err, or
 * SWAP_ERR_LATE for left_late, its slot then retired): a copy kept to land
 * late from its first answer must not land on a slot let go. */
static void forget_late(uint32_t slot)
{
	for (unsigned k = 0; k < disk.late_n; k++)
		if (disk.late[k].slot == slot)
			disk.late[k--] = disk.late[--disk.late_n];
}

static int fake_write(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		      struct swap_done *done)
{
	(void)ctx;
	if (disk.during_write && !disk.moves_first)
		disk.during_write();
	if (disk.unsent_writes > 0) {
		disk.unsent_writes--;
		fake_met.unsent_writes++;
		return -ENOMEM;
	}
	disk.writes++;
	done->requests = 0;
	if (t->io_client < PAGER_IO_CLIENTS)
		unflushed[t->io_client].n = 0;	/* the last write's verdict given */
	for (unsigned k = 0, end; k < n; k = end) {
		int bad = 0;

		/* A device request per run, as for a read; with
		 * request_fails, a bad slot fails every page of its run. */
		for (end = k + 1; end < n && p[end].slot == p[end - 1].slot + 1; end++)
			;
		done->requests++;
		for (unsigned j = k; j < end; j++)
			bad |= bad_slot(p[j].slot);
		for (unsigned j = k; j < end; j++)
			write_page(&p[j], disk.request_fails ? bad : bad_slot(p[j].slot),
				   &done->err[j]);
	}
	for (unsigned k = 0; k < n && t->io_client < PAGER_IO_CLIENTS; k++)
		if (done->err[k] == 0)
			unflushed[t->io_client].slot[unflushed[t->io_client].n++] = p[k].slot;
	if (disk.during_write && disk.moves_first)
		disk.during_write();
	if (disk.leaves && t == pager_holder())
		for (unsigned k = 0; k < n; k++) {
			forget_late(p[k].slot);
			disk.left_slot[disk.left_n++] = p[k].slot;
			done->err[k] = SWAP_ERR_LEFT;
			fake_met.left++;
		}
	return 0;
}

static int was_left(uint32_t slot)
{
	for (unsigned i = 0; i < disk.left_n; i++)
		if (disk.left_slot[i] == slot)
			return 1;
	return 0;
}

static int collect(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		   struct swap_done *done, int wait)
{
	(void)ctx;
	disk.collects++;
	if (!disk.left_answered &&
	    (!wait || (t == pager_holder() && (disk.stalled || disk.left_holds))))
		return 0;
	for (unsigned k = 0; k < n; k++)
		if (was_left(p[k].slot)) {
			done->err[k] = p[k].slot == disk.left_late ? SWAP_ERR_LATE : disk.left_err;
			fake_met.left_late += done->err[k] == SWAP_ERR_LATE;
			fake_met.left_err += done->err[k] != 0 && done->err[k] != SWAP_ERR_LATE;
		}
	disk.left_n = 0;
	disk.flush_left = 0;
	return 1;
}

/* t's writes since its last flush are vouched for (or, with
 * unflushed_spoil, spoilt: never known to have landed). */
static void flushed(struct pager_thread *t, int vouched)
{
	if (t->io_client >= PAGER_IO_CLIENTS)
		return;
	for (unsigned k = 0; k < unflushed[t->io_client].n && !vouched && disk.unflushed_spoil; k++) {
		uint8_t *d = disk.page[unflushed[t->io_client].slot[k]];

		for (unsigned b = 0; b < 4096; b++)
			d[b] = (uint8_t)~d[b];
		fake_met.spoilt++;
	}
	unflushed[t->io_client].n = 0;
}

static int flush(void *ctx, struct pager_thread *t)
{
	(void)ctx;
	disk.flushes++;
	if (disk.flush_leaves && t == pager_holder()) {
		disk.flush_left = 1;
		return SWAP_ERR_LEFT;
	}
	if (disk.lost_flushes > 0) {
		disk.lost_flushes--;
		fake_met.flush_lost++;
		fake_met.lost_after_failed += disk.flush_last != 0;
		disk.flush_lost_last = 1;
		flushed(t, 0);
		return SWAP_ERR_UNSENT;
	}
	fake_met.flush_failed += disk.flush_err != 0;
	fake_met.failed_after_lost += disk.flush_err != 0 && disk.flush_lost_last;
	disk.flush_lost_last = 0;
	disk.flush_last = disk.flush_err;
	flushed(t, disk.flush_err == 0);
	return disk.flush_err;
}

static int congested(void *ctx)
{
	(void)ctx;
	return disk.congested;
}

static int stalled(void *ctx)
{
	(void)ctx;
	return disk.stalled;
}

static int64_t outage_ended(void *ctx)
{
	(void)ctx;
	return disk.outage_ended;
}

static int gone(void *ctx)
{
	(void)ctx;
	return disk.gone;
}

static void ended(void *ctx)
{
	(void)ctx;
	disk.ended++;
}

static int start(void *ctx, uint32_t last)
{
	(void)ctx;
	disk.starts++;
	disk.start_last = last;
	if (disk.start_err)
		return disk.start_err;
	free(start_table);
	start_table = NULL;
	if (fake_backend.slot_bytes &&
	    !(start_table = calloc((size_t)last + 1, fake_backend.slot_bytes)))
		return -ENOMEM;
	return 0;
}

static const struct swap_backend_ops ops = { .size = size, .read = fake_read, .write = fake_write,
					     .flush = flush, .gone = gone, .ended = ended,
					     .congested = congested, .stalled = stalled,
					     .start = start, .collect = collect,
					     .outage_ended = outage_ended };

struct swap_backend fake_backend = { &ops, NULL, "the fake disk", 0, 0, 0, 0 };
