/*
 * Swap-out and swap-in. Reclaim sweeps a CLOCK hand over the frame table:
 * a frame whose mappings were accessed since the last sweep gets a second
 * chance (the harvest clears the bits); others are write-protected, written
 * to consecutive slots in as few requests as possible, and handed to the
 * VM core, which makes every page entry name the slot. A fault reads the
 * page back, with the pages after it in its region that follow it on the
 * disk (readahead) in the same request; a page that several processes still
 * name stays in memory (the swap cache) so they share one frame again, as
 * they did before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swapper.h"
#include "swap_header.h"
#include "swap_slots.h"
#include "swap_queue.h"
#include "blkdev.h"
#include "frames.h"
#include "vm.h"
#include "sys.h"

#define BATCH 32		/* victims written per reclaim */
#define HARVEST_MAX 64		/* mappings of one frame checked at once */
/* Requests one read_many may need: 1 + VM_READAHEAD_MAX pages. */
#define READ_MANY_REQUESTS ((1 + VM_READAHEAD_MAX + BLK_MAX_PAGES - 1) / BLK_MAX_PAGES)
_Static_assert(READ_MANY_REQUESTS * sizeof(struct blk_request) <= MSG_DATA_MAX,
	       "read_many's requests must go in one message");

static struct swap_slots *slots;
static uint64_t *cache;		/* [slot]: frame holding its contents, or 0 */
static uint32_t last_slot;
static uint64_t hand;		/* the CLOCK hand: next frame to look at */
static struct swapper_counters cnt;

static uint64_t sector_of(uint32_t slot)
{
	return (uint64_t)slot * SWAP_SECTORS_PER_SLOT;
}

/* Block requests for pages at slots (consecutive slots share a request:
 * swap_merge), tagged 0, 1, ...: a batch waits for all its own tags. */
static int to_requests(const struct swap_req *pages, size_t n, int write, struct blk_request *req,
		       size_t max)
{
	uint32_t nreq = swap_merge(pages, (uint32_t)n, write, req, (uint32_t)max, NULL);

	for (uint32_t i = 0; i < nreq; i++)
		req[i].tag = i;
	return (int)nreq;
}

/* Submit (as many per message as fit) and wait; err[i] for request i. */
static void submit_and_wait(struct blk_request *req, int nreq, int *err)
{
	int per_msg = (int)(MSG_DATA_MAX / sizeof(*req));

	for (int i = 0; i < nreq; i += per_msg) {
		int k = nreq - i < per_msg ? nreq - i : per_msg;
		int r = blkdev_submit(&req[i], k);
		for (int j = 0; j < k; j++)
			err[i + j] = r < 0 ? r : blkdev_wait(req[i + j].tag);
	}
}

/* --- struct vm_swap_ops --- */

static uint64_t cached(void *ctx, uint32_t slot)
{
	uint64_t pa = slot <= last_slot ? cache[slot] : 0;
	struct frame *f = pa ? frame_desc(pa) : NULL;

	(void)ctx;
	/* A frame freed since (its descriptor reset) no longer holds the slot. */
	return f && f->state == FRAME_ANON && f->swap == slot ? pa : 0;
}

static void forget(uint32_t slot)
{
	uint64_t pa = cached(NULL, slot);

	if (pa)
		frame_desc(pa)->swap = 0;
	cache[slot] = 0;
}

/* pa holds slot's contents now: others naming the slot find this frame. */
static void tie(uint32_t slot, uint64_t pa)
{
	cache[slot] = pa;
	frame_desc(pa)->swap = slot;
}

static int read_slot(void *ctx, uint32_t slot, uint64_t pa)
{
	int r = blkdev_sync(0, sector_of(slot), pa);

	(void)ctx;
	cnt.requests_in++;
	if (r < 0) {
		cnt.read_errors++;
		return r;
	}
	cnt.pages_in++;
	tie(slot, pa);
	return 0;
}

/* A fault's page and its readahead window, consecutive slots: one request,
 * or two when the window is the longest (16 pages after the page asked for,
 * one more than a request holds), sent in one message. A failure is not a
 * read error: the VM core reads the page asked for alone next, and that
 * read's result is what counts. */
static int read_many(void *ctx, uint32_t first, const uint64_t *pa, unsigned n)
{
	static struct swap_req pages[1 + VM_READAHEAD_MAX];
	static struct blk_request req[READ_MANY_REQUESTS];
	static int errs[READ_MANY_REQUESTS];
	int nreq, err = 0;

	(void)ctx;
	if (n == 0 || n > 1 + VM_READAHEAD_MAX)
		return -EINVAL;
	for (unsigned k = 0; k < n; k++)
		pages[k] = (struct swap_req){ pa[k], first + k, 0 };
	nreq = to_requests(pages, n, 0, req, READ_MANY_REQUESTS);
	submit_and_wait(req, nreq, errs);
	cnt.requests_in += (uint64_t)nreq;
	for (int k = 0; k < nreq; k++)
		err = err < 0 ? err : errs[k];
	if (err < 0)
		return err;
	cnt.pages_in += n;
	for (unsigned k = 0; k < n; k++)
		tie(first + k, pa[k]);
	return 0;
}

static void slot_dup(void *ctx, uint32_t slot)
{
	(void)ctx;
	swap_slot_dup(slots, slot);
}

static void slot_put(void *ctx, uint32_t slot)
{
	(void)ctx;
	if (swap_slot_put(slots, slot) == 0)
		forget(slot);	/* no entry names it: slot free, cache entry gone */
}

static size_t reclaim(void *ctx, size_t want)
{
	(void)ctx;
	return swapper_reclaim(want);
}

/* --- CLOCK --- */

struct harvest_batch {
	struct harvest_entry e[HARVEST_MAX];
	size_t n;
};

static void collect(void *ctx, struct vm_space *s, uint64_t va)
{
	struct harvest_batch *b = ctx;

	if (b->n < HARVEST_MAX)
		b->e[b->n++] = (struct harvest_entry){ (uint32_t)vm_space_as(s), 0, va };
}

/* Was any mapping of pa accessed since the last look? (Clears the bits.) */
static int recently_used(uint64_t pa)
{
	static struct harvest_batch b;

	b.n = 0;
	vm_rmap_walk(pa, collect, &b);
	if (b.n == 0 || sys_harvest(b.e, b.n) < 0)
		return 0;
	for (size_t i = 0; i < b.n; i++)
		if (b.e[i].bits & HARVEST_ACCESSED)
			return 1;
	return 0;
}

/* The next frame under the hand, wrapping around RAM. */
static uint64_t advance(void)
{
	uint64_t pa = hand;

	hand += PAGE_SIZE;
	if (hand >= frames_ram_end())
		hand = frames_ram_base();
	return pa;
}

/* Up to max victims; one sweep and a second (after the bits were cleared). */
static size_t choose(struct swap_req *victims, size_t max)
{
	uint64_t budget = 2 * (frames_ram_end() - frames_ram_base()) / PAGE_SIZE;
	size_t n = 0;

	while (n < max && budget-- > 0) {
		uint64_t pa = advance();
		if (!vm_frame_evictable(pa))
			continue;
		cnt.scanned++;
		if (recently_used(pa)) {
			cnt.second_chances++;
			continue;
		}
		victims[n++] = (struct swap_req){ pa, 0, 0 };
	}
	return n;
}

/* --- writing out --- */


/* After the write: hand the page to the VM core, or keep it after an error. */
/* The free list hands out the last frame freed first: freeing the batch
 * last to first gives the next pages touched in address order frames in
 * slot order, so a streaming program's pages land on disk in address
 * order again and readahead finds them. */
static void free_in_reverse(const uint64_t *pa, size_t n)
{
	while (n-- > 0)
		frame_free(pa[n]);
}

static size_t finish(const struct swap_req *v, size_t n, const struct blk_request *req,
		     const int *err)
{
	static uint64_t gone[BATCH];
	size_t freed = 0, k = 0;

	for (int r = 0; k < n; r++) {
		for (uint32_t j = 0; j < req[r].npages; j++, k++) {
			if (err[r] < 0) {
				cnt.write_errors++;
				swap_slot_mark_bad(slots, v[k].slot);
				vm_frame_write_protect(v[k].pa, 0);
				printf("pager: swap: writing slot %u failed (%d); the page stays in memory\n",
				       v[k].slot, err[r]);
				continue;
			}
			/* Still the page we wrote, untouched since (a write fault or
			 * a free clears the flag)? */
			if ((frame_desc(v[k].pa)->flags & FRAME_F_WRITE_PROTECT) &&
			    vm_evict(v[k].pa, v[k].slot) > 0) {
				gone[freed++] = v[k].pa;
				cnt.pages_out++;
			} else {
				vm_frame_write_protect(v[k].pa, 0);
			}
			swap_slot_put(slots, v[k].slot);	/* the allocation's own reference */
		}
	}
	free_in_reverse(gone, freed);
	return freed;
}

size_t swapper_reclaim(size_t want)
{
	static struct swap_req victims[BATCH];
	static struct blk_request req[BATCH];
	static int err[BATCH];
	size_t n, got = 0;
	int nreq;

	if (!slots)
		return 0;
	if (swap_slots_free(slots) == 0) {
		/* Nowhere to write: do not sweep the frames for nothing. */
		if (!cnt.full++)
			printf("pager: swap: the swap device is full\n");
		return 0;
	}
	/* A whole batch whatever was asked: the victims array holds BATCH, and
	 * one bigger write is cheaper than several small ones. */
	(void)want;
	n = choose(victims, BATCH);
	for (; got < n && (victims[got].slot = swap_slot_alloc(slots)) != 0; got++)
		vm_frame_write_protect(victims[got].pa, 1);
	if (got < n && !cnt.full++)
		printf("pager: swap: the swap device is full\n");
	if (got == 0)
		return 0;
	nreq = to_requests(victims, got, 1, req, BATCH);
	submit_and_wait(req, nreq, err);
	cnt.requests_out += (uint64_t)nreq;
	return finish(victims, got, req, err);
}

int swapper_init(const struct swap_area *area)
{
	static const struct vm_swap_ops ops = { read_slot, cached, slot_dup, slot_put, reclaim, NULL,
						read_many };

	slots = swap_slots_create(area->first, area->last, area->bad, area->nbad);
	cache = calloc((size_t)area->last + 1, sizeof(*cache));
	if (!slots || !cache)
		return -ENOMEM;
	last_slot = area->last;
	hand = frames_ram_base();
	vm_set_swap(&ops);
	return 0;
}

void swapper_counters(struct swapper_counters *out)
{
	*out = cnt;
	out->slots_total = slots ? swap_slots_total(slots) : 0;
	out->slots_free = slots ? swap_slots_free(slots) : 0;
	out->slots_bad = slots ? swap_slots_bad(slots) : 0;
}
