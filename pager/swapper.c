/*
 * Swap-out and swap-in. The replacement policy (policy.h, chosen at boot)
 * picks victims, seeing accesses through accessed bits harvested via the
 * reverse map. Victims are write-protected, written to consecutive slots in
 * as few requests as possible, and handed to the VM core, which makes every
 * page entry name the slot. Background reclaim queues victims for the
 * swap-out thread (the swap-out queue); direct reclaim writes its own batch
 * at once. A fault reads the page back, with the pages after it in its
 * region that follow it on the disk (readahead) in the same request, and
 * lets the pager lock go while the disk works; after a stream's read the
 * next slots go to the swap-in queue, read by the swap-in thread. A page
 * that several processes still name stays in memory (the swap cache) so
 * they share one frame again, as they did before.
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
#include "policy.h"
#include "threads.h"
#include "vm.h"
#include "mmu.h"
#include "sys.h"

#define BATCH 32		/* victims written per request batch */
/* Frames background reclaim may look at per page it was asked for, in one
 * go. Enough for lru2's two looks at a page used once and a promotion or
 * two; few enough that a page it marks is not looked at again before the
 * program has run (see policy.h, max_looks). */
#define BACKGROUND_LOOKS 4
#define HARVEST_MAX 64		/* mappings checked in one harvest call */
/* Requests one read_many may need: 1 + VM_READAHEAD_MAX pages. */
#define READ_MANY_REQUESTS ((1 + VM_READAHEAD_MAX + BLK_MAX_PAGES - 1) / BLK_MAX_PAGES)
_Static_assert(READ_MANY_REQUESTS * sizeof(struct blk_request) <= MSG_DATA_MAX,
	       "read_many's requests must go in one message");

static struct swap_slots *slots;
static uint64_t *cache;		/* [slot]: frame holding its contents, or 0 */
static uint32_t last_slot;
static const struct policy_ops *pol_ops;
static struct policy *pol;
static struct swap_queue outq;	/* background victims for the swap-out thread */
static struct swap_queue inq;	/* slots for the swap-in thread to read ahead */
static struct pager_thread *swapin_thread;
static uint64_t prefetch_floor;	/* the swap-in thread leaves this many frames free */
static uint32_t writing;	/* popped from outq, being written by that thread */
static struct swapper_counters cnt;
static uint32_t reads_waiting;	/* faults whose read lets the lock go now */

static uint64_t sector_of(uint32_t slot)
{
	return (uint64_t)slot * SWAP_SECTORS_PER_SLOT;
}

/* Block requests for pages at slots (consecutive slots share a request:
 * swap_merge), tagged with t's tags 0, 1, ...: a batch waits for all its
 * own tags. */
static int to_requests(const struct pager_thread *t, const struct swap_req *pages, size_t n,
		       int write, struct blk_request *req, size_t max)
{
	uint32_t nreq = swap_merge(pages, (uint32_t)n, write, req, (uint32_t)max, NULL);

	for (uint32_t i = 0; i < nreq; i++)
		req[i].tag = blkdev_tag(t->blk_client, i);
	return (int)nreq;
}

/* Submit (as many per message as fit) and wait; err[i] for request i. */
static void submit_and_wait(struct pager_thread *t, struct blk_request *req, int nreq, int *err)
{
	int per_msg = (int)(MSG_DATA_MAX / sizeof(*req));

	for (int i = 0; i < nreq; i += per_msg) {
		int k = nreq - i < per_msg ? nreq - i : per_msg;
		int r = blkdev_submit(t->blk_client, &req[i], k);
		for (int j = 0; j < k; j++)
			err[i + j] = r < 0 ? r : blkdev_wait(t, req[i + j].tag);
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

/* Threads waiting for another fault's read to end (wait_read). */
static struct pager_thread *read_waiters[PAGER_THREADS_MAX];

/* Let the lock go while t waits for the disk. Mappings held back for a
 * reply go out first: the batch is shared, and the process they are for
 * may end before the lock comes back. */
static void let_go(struct pager_thread *t)
{
	mmu_flush();
	pager_unlock(t);
}

static void wake_readers(void)
{
	for (unsigned k = 0; k < PAGER_THREADS_MAX; k++) {
		if (!read_waiters[k])
			continue;
		pager_thread_signal(read_waiters[k], TB_READ);
		read_waiters[k] = NULL;
	}
}

/* A fault met slot's frame being read by another fault: let the lock go
 * until some read is over; the fault then starts over. */
static void wait_read(void *ctx, uint32_t slot)
{
	struct pager_thread *t = pager_holder();

	(void)ctx;
	(void)slot;
	read_waiters[t->id] = t;
	cnt.read_waits++;
	let_go(t);
	pager_thread_wait(t, t->wake, TB_READ);
	pager_lock(t);
}

/* ok[k] for page k of the pages the requests cover, in order. */
static void page_results(const struct blk_request *req, int nreq, const int *err, int *ok)
{
	unsigned k = 0;

	for (int r = 0; r < nreq; r++)
		for (uint32_t j = 0; j < req[r].npages; j++)
			ok[k++] = err[r] == 0;
}

/* The read of slot into pa is over: keep the frame for the fault that maps
 * it (fresh: a fault's read, whose first mapping counts it), or free it
 * (the read failed, or no entry names the slot any more: an exit or munmap
 * untied it meanwhile). */
static void settle(uint32_t slot, uint64_t pa, int ok, int fresh)
{
	struct frame *f = frame_desc(pa);
	int tied = cache[slot] == pa && f->swap == slot;

	f->flags &= (uint8_t)~(FRAME_F_READING | FRAME_F_DETACHED);
	if (ok && tied) {
		f->flags |= fresh ? FRAME_F_FRESH : 0;
		cnt.pages_in++;
		return;
	}
	if (tied)
		forget(slot);
	frame_free(pa);
}

/* A fault read a run of n slots (its page and readahead): likely a stream.
 * The n slots after the run go to the swap-in thread, to be in memory
 * before the faults that will want them (a full queue refuses them:
 * dropped, their faults read them). Like a disk cluster, they need not be
 * the same region's: only slots in use and not in the cache are queued,
 * whose contents are on the disk. */
static void queue_ahead(uint32_t first, unsigned n)
{
	unsigned queued = 0;

	if (!swapin_thread)
		return;
	for (uint32_t s = first; s < first + n && s <= last_slot; s++) {
		if (swap_slot_refs(slots, s) <= 0 || cached(NULL, s))
			continue;
		if (swap_queue_push(&inq, 0, s) == 0)
			queued++;
	}
	if (queued)
		pager_thread_signal(swapin_thread, TB_WORK);
}

/*
 * A fault's page and its readahead window, consecutive slots, in one
 * request (two when the window is the longest: 16 pages after the page
 * asked for, one more than a request holds). The lock is let go while the
 * disk works, so other faults go on; each frame is tied to its slot
 * meanwhile, marked READING and the swap code's, so a fault on the same
 * slot waits for this read (wait_read) and an exit or munmap that frees
 * the slot only unties it. A window that fails is given up and the first
 * page read alone; only its own error fails the fault.
 */
static int read_unlocked(uint32_t first, const uint64_t *pa, unsigned n)
{
	struct pager_thread *t = pager_holder();
	struct swap_req pages[1 + VM_READAHEAD_MAX];
	struct blk_request req[READ_MANY_REQUESTS];
	int errs[READ_MANY_REQUESTS], ok[1 + VM_READAHEAD_MAX], nreq, retried = 0;

	if (n == 0 || n > 1 + VM_READAHEAD_MAX)
		return -EINVAL;
	for (unsigned k = 0; k < n; k++) {
		pages[k] = (struct swap_req){ pa[k], first + k, 0 };
		tie(first + k, pa[k]);
		frame_desc(pa[k])->flags |= FRAME_F_READING | FRAME_F_DETACHED;
	}
	nreq = to_requests(t, pages, n, 0, req, READ_MANY_REQUESTS);
	reads_waiting++;
	let_go(t);
	submit_and_wait(t, req, nreq, errs);
	page_results(req, nreq, errs, ok);
	if (!ok[0] && n > 1) {
		retried = 1;
		ok[0] = blkdev_sync(t, 0, sector_of(first), pa[0]) == 0;
	}
	pager_lock(t);
	reads_waiting--;
	cnt.requests_in += (uint64_t)(nreq + retried);
	for (unsigned k = 0; k < n; k++)
		settle(first + k, pa[k], ok[k], 1);
	wake_readers();
	if (ok[0] && n > 1 && ok[n - 1])
		queue_ahead(first + n, n);
	if (ok[0])
		return VM_SWAP_UNLOCKED;
	cnt.read_errors++;
	return VM_SWAP_UNLOCKED_IO;
}

static int read_slot(void *ctx, uint32_t slot, uint64_t pa)
{
	(void)ctx;
	return read_unlocked(slot, &pa, 1);
}

static int read_many(void *ctx, uint32_t first, const uint64_t *pa, unsigned n)
{
	(void)ctx;
	return read_unlocked(first, pa, n);
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

/* A page read back keeps its slot while it stays clean only while half the
 * slots or more are free: past that, slots are for pages that must be
 * written (Linux gives swap cache up the same way once swap is half full). */
static int keep_copies(void *ctx)
{
	(void)ctx;
	return swap_slots_free(slots) * 2 >= swap_slots_total(slots);
}

static uint32_t slot_refs(void *ctx, uint32_t slot)
{
	int n = swap_slot_refs(slots, slot);

	(void)ctx;
	return n > 0 ? (uint32_t)n : 0;
}

static size_t reclaim(void *ctx, size_t want)
{
	(void)ctx;
	return swapper_reclaim(want);
}


/* --- what the policy sees: frames by index, accessed bits --- */

static uint32_t index_of(uint64_t pa)
{
	return (uint32_t)((pa - frames_ram_base()) / PAGE_SIZE);
}

static uint64_t pa_of(uint32_t i)
{
	return frames_ram_base() + (uint64_t)i * PAGE_SIZE;
}

/*
 * Accessed bits are harvested in batches: when the policy asks about the
 * frame after the one it asked about last (a CLOCK hand), the frames after
 * it are harvested in the same system call and the answers kept for the
 * questions that follow. A kept "referenced" stays until asked (the
 * harvest cleared the bit, so dropping it would lose the reference); a
 * kept "not referenced" goes stale as soon as the run of questions breaks,
 * since the page may be touched any time after.
 */
#define AHEAD 16		/* frames harvested ahead of a sequential scan */

enum { KEPT_NONE = 1, KEPT_IDLE = 2, KEPT_USED = 3 };

static uint8_t *kept;		/* [frame]: enum above (0 before init) */
static uint32_t last_asked = UINT32_MAX;
static uint32_t ahead_first, ahead_n;	/* the frames harvested ahead */

struct harvest_batch {
	struct harvest_entry e[HARVEST_MAX];
	uint32_t frame[HARVEST_MAX];	/* which frame each entry maps */
	size_t n;
	uint32_t current;
};

static void collect(void *ctx, struct vm_space *s, uint64_t va)
{
	struct harvest_batch *b = ctx;

	if (b->n >= HARVEST_MAX)
		return;
	b->frame[b->n] = b->current;
	b->e[b->n++] = (struct harvest_entry){ (uint32_t)vm_space_as(s), 0, va };
}

/* Parked and holding its slot's valid contents (read ahead, or kept for a
 * slot's other entries): freed without any I/O when reclaim meets it. */
static int parked_clean(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return vm_frame_parked(pa) && f->swap && cached(NULL, f->swap) == pa &&
	       !(f->flags & (FRAME_F_WRITE_PROTECT | FRAME_F_QUEUED | FRAME_F_READING));
}

static int evictable(void *ctx, uint32_t i)
{
	uint64_t pa = pa_of(i);

	(void)ctx;
	if (parked_clean(pa))
		return 1;
	return vm_frame_evictable(pa) &&
	       !(frame_desc(pa)->flags & (FRAME_F_WRITE_PROTECT | FRAME_F_QUEUED));
}

/* Forget the "not referenced" answers kept from the last harvest ahead. */
static void expire_ahead(void)
{
	for (uint32_t i = ahead_first; i < ahead_first + ahead_n; i++)
		if (kept[i] == KEPT_IDLE)
			kept[i] = KEPT_NONE;
	ahead_n = 0;
}

/* Harvest frames first .. first + n - 1 (those with mappings that fit in
 * one call) and keep each one's answer in kept[]. */
static void harvest(uint32_t first, uint32_t n)
{
	static struct harvest_batch b;
	uint32_t nframes = (uint32_t)((frames_ram_end() - frames_ram_base()) / PAGE_SIZE), i;

	b.n = 0;
	for (i = first; i < first + n && i < nframes; i++) {
		size_t before = b.n;
		if (kept[i] != KEPT_NONE || (i != first && !evictable(NULL, i)))
			continue;
		b.current = i;
		vm_rmap_walk(pa_of(i), collect, &b);
		if (b.n == HARVEST_MAX && i != first) {
			b.n = before;	/* its mappings did not all fit: next time */
			break;
		}
		kept[i] = KEPT_IDLE;
	}
	ahead_first = first + 1;
	ahead_n = i > first ? i - first - 1 : 0;
	if (b.n == 0 || sys_harvest(b.e, b.n) < 0)
		return;
	for (size_t k = 0; k < b.n; k++)
		if (b.e[k].bits & HARVEST_ACCESSED)
			kept[b.frame[k]] = KEPT_USED;
}

static int referenced(void *ctx, uint32_t i)
{
	int answer;

	(void)ctx;
	if (i != last_asked + 1)
		expire_ahead();
	if (kept[i] == KEPT_NONE)
		harvest(i, i == last_asked + 1 ? AHEAD : 1);
	last_asked = i;
	answer = kept[i] == KEPT_USED;
	kept[i] = KEPT_NONE;
	cnt.scanned++;
	cnt.second_chances += (uint64_t)answer;
	return answer;
}

/* Every process frame is the policy's from allocation to free. */
static void observe(void *ctx, uint64_t pa, int allocated)
{
	uint32_t i = index_of(pa);

	(void)ctx;
	kept[i] = KEPT_NONE;
	if (allocated)
		pol_ops->insert(pol, i, 0);
	else
		pol_ops->remove(pol, i);
}

/* Back to the policy: a victim that was not evicted after all. */
static void put_back(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	if (f && f->state == FRAME_ANON)
		policy_put_back(pol_ops, pol, index_of(pa));
}

/* A victim's page left memory (written out, or dropped with a valid copy):
 * the policy may remember it. Its shadow is not kept yet; the swap engine
 * will keep it with the slot and hand it back at refault (issue 16's
 * integration step), so until then every refault reads as a new page. */
static void evicted(uint64_t pa)
{
	(void)policy_evicted(pol_ops, pol, index_of(pa));
}

/* Up to max victims from the policy, looking at no more than looks frames
 * (0: as many as it takes). */
static size_t choose(struct swap_req *victims, size_t max, uint32_t looks)
{
	static uint32_t idx[BATCH];
	struct policy_env e = { .referenced = referenced, .evictable = evictable,
				.max_looks = looks };
	uint32_t want = (uint32_t)(max < BATCH ? max : BATCH);
	uint32_t n;

	expire_ahead();		/* time passed since the last choice */
	/* With no limit (a fault waits), asked again when every frame was
	 * referenced; background reclaim, limited, never is (policy.h). */
	n = policy_isolate_retrying(pol_ops, pol, &e, idx, want);

	for (uint32_t k = 0; k < n; k++)
		victims[k] = (struct swap_req){ pa_of(idx[k]), 0, 0 };
	return n;
}

/* --- writing out --- */

/* One batch of victims on its way to the disk. */
struct write_batch {
	struct swap_req v[BATCH];
	size_t n;
	struct blk_request req[BATCH];
	int err[BATCH];
	int nreq;
	int at_floor;	/* started with no frame free above the reserve */
};

/* The free list hands out the last frame freed first: freeing the batch
 * last to first gives the next pages touched in address order frames in
 * slot order, so a streaming program's pages land on disk in address
 * order again and readahead finds them. */
static void free_in_reverse(const uint64_t *pa, size_t n)
{
	while (n-- > 0)
		frame_free(pa[n]);
}

/* Cheapest first: a victim whose swap copy is still valid (the swap cache
 * ties it to a slot other entries name or the frame holds, and it was not
 * written since: a write unties it) is dropped without any I/O, its
 * entries pointed at that slot; a parked one (read ahead, not mapped yet)
 * just goes. One that holds its slot but cannot be dropped goes back to
 * the policy (writing it to a new slot would lose the old one). The
 * others stay in b, in order. Frames freed. */
static size_t drop_clean(struct write_batch *b)
{
	size_t kept_n = 0, dropped = 0;

	for (size_t k = 0; k < b->n; k++) {
		uint64_t pa = b->v[k].pa;
		uint32_t slot = frame_desc(pa)->swap;
		if (slot && cached(NULL, slot) == pa && (parked_clean(pa) || vm_evict(pa, slot) > 0)) {
			cache[slot] = 0;
			frame_desc(pa)->swap = 0;
			evicted(pa);
			frame_free(pa);
			dropped++;
			continue;
		}
		if (frame_desc(pa)->flags & FRAME_F_SLOT_HELD) {
			put_back(pa);
			continue;
		}
		b->v[kept_n++] = b->v[k];
	}
	b->n = kept_n;
	cnt.clean_dropped += dropped;
	return dropped;
}

/* Slots for the victims (a run of consecutive ones), each write-protected
 * and tied to its slot, so that a free while the write is in flight parks
 * the frame instead of reusing it under the DMA. Victims left without a
 * slot go back to the policy. How many will be written. */
static size_t prepare(struct write_batch *b)
{
	size_t got = 0;

	for (; got < b->n && (b->v[got].slot = swap_slot_alloc(slots)) != 0; got++) {
		vm_frame_write_protect(b->v[got].pa, 1);
		tie(b->v[got].slot, b->v[got].pa);
	}
	if (got < b->n && !cnt.full++)
		printf("pager: swap: the swap device is full\n");
	for (size_t k = got; k < b->n; k++)
		put_back(b->v[k].pa);
	b->n = got;
	b->at_floor = frames_free() <= frames_reserve();
	return got;
}

/* After the write: hand each page to the VM core, or keep it (written to
 * since, or the write failed), or free it (abandoned). Frames freed. */
static size_t finish(struct write_batch *b)
{
	static uint64_t gone[BATCH];
	size_t freed = 0, k = 0;

	for (int r = 0; k < b->n; r++) {
		for (uint32_t j = 0; j < b->req[r].npages; j++, k++) {
			uint64_t pa = b->v[k].pa;
			uint32_t slot = b->v[k].slot;
			int clean = (frame_desc(pa)->flags & FRAME_F_WRITE_PROTECT) != 0;
			cache[slot] = 0;	/* untie: the write is over */
			if (frame_desc(pa)->swap == slot)
				frame_desc(pa)->swap = 0;
			if (b->err[r] < 0) {
				cnt.write_errors++;
				swap_slot_mark_bad(slots, slot);
				printf("pager: swap: writing slot %u failed (%d); the page stays in memory\n",
				       slot, b->err[r]);
			} else if (clean && vm_evict(pa, slot) > 0) {
				evicted(pa);
				gone[freed++] = pa;
				cnt.pages_out++;
				cnt.pages_out_at_floor += b->at_floor != 0;
				swap_slot_put(slots, slot);	/* the allocation's own reference */
				continue;
			} else {
				swap_slot_put(slots, slot);
			}
			vm_frame_write_protect(pa, 0);
			if (vm_frame_parked(pa))	/* let go during the write, tie now gone */
				gone[freed++] = pa;
			else
				put_back(pa);
		}
	}
	free_in_reverse(gone, freed);
	return freed;
}

static size_t write_direct(struct write_batch *b)
{
	size_t dropped = drop_clean(b);

	if (prepare(b) == 0)
		return dropped;
	/* Direct: the lock stays held while the disk works. */
	b->nreq = to_requests(pager_holder(), b->v, b->n, 1, b->req, BATCH);
	submit_and_wait(pager_holder(), b->req, b->nreq, b->err);
	cnt.requests_out += (uint64_t)b->nreq;
	return dropped + finish(b);
}

/* No slot is free. Direct reclaim (copies 1) may still sweep while some
 * pages keep their slot, as those go without a new one; background reclaim
 * does not, or it would queue and put back the same pages for ever. */
static int no_room(int copies)
{
	if (swap_slots_free(slots) > 0 || (copies && vm_counters()->swap_copies > 0))
		return 0;
	/* Nowhere to write: do not sweep the frames for nothing. */
	if (!cnt.full++)
		printf("pager: swap: the swap device is full\n");
	return 1;
}

size_t swapper_reclaim(size_t want)
{
	static struct write_batch b;
	struct pager_thread *t = pager_holder();
	int was_memalloc = t->memalloc;
	size_t freed;

	if (!slots)
		return 0;
	/* Unlocked pages go first, without any I/O. */
	if ((freed = vm_discard_some(BATCH)) > 0) {
		cnt.direct_pages += freed;
		cnt.direct_runs++;
		return freed;
	}
	if (no_room(1))
		return 0;
	/* A whole batch whatever was asked: one bigger write is cheaper than
	 * several small ones. */
	(void)want;
	t->memalloc = 1;	/* freeing memory: the reserve is ours if need be */
	b.n = choose(b.v, BATCH, 0);
	freed = write_direct(&b);
	t->memalloc = was_memalloc;
	cnt.direct_pages += freed;
	cnt.direct_runs++;
	return freed;
}

size_t swapper_queue_victims(size_t want, int patient)
{
	static struct swap_req v[BATCH];
	uint64_t looks = patient ? BACKGROUND_LOOKS * want + BATCH : UINT64_MAX;
	uint64_t start = cnt.scanned;
	size_t queued = 0;

	if (!slots)
		return 0;
	/* Unlocked pages go first, without any I/O: freed, not queued. */
	if ((queued = vm_discard_some(want)) > 0) {
		cnt.background_pages += queued;
		return queued;
	}
	if (no_room(0))
		return 0;
	while (queued < want && cnt.scanned - start < looks) {
		size_t space = swap_queue_space(&outq), n;
		if (space == 0)
			break;
		n = choose(v, want - queued < BATCH ? want - queued : BATCH,
			   patient ? (uint32_t)(looks - (cnt.scanned - start)) : 0);
		if (n == 0)
			break;
		for (size_t k = 0; k < n; k++) {
			if (swap_queue_push(&outq, v[k].pa, 0) < 0) {
				put_back(v[k].pa);	/* refused: met again later */
				continue;
			}
			frame_desc(v[k].pa)->flags |= FRAME_F_QUEUED;
			queued++;
		}
	}
	return queued;
}

/* Queued pages still worth writing: not freed since (the flag would be
 * gone), and not referenced while they waited. */
static size_t take_queued(struct write_batch *b)
{
	static struct swap_req popped[BATCH];
	uint32_t n = swap_queue_pop(&outq, popped, BATCH);

	b->n = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t pa = popped[k].pa;
		struct frame *f = frame_desc(pa);
		if (!(f->flags & FRAME_F_QUEUED))
			continue;
		f->flags &= (uint8_t)~FRAME_F_QUEUED;
		if (!evictable(NULL, index_of(pa)) || referenced(NULL, index_of(pa))) {
			cnt.queue_rescued++;
			put_back(pa);
			continue;
		}
		b->v[b->n++] = (struct swap_req){ pa, 0, 0 };
	}
	return n;
}

long swapper_write_queued(struct pager_thread *t)
{
	static struct write_batch b;
	size_t freed;

	if (!slots || swap_queue_len(&outq) == 0)
		return -1;
	take_queued(&b);
	freed = drop_clean(&b);
	cnt.background_pages += freed;
	if (prepare(&b) == 0)
		return (long)freed;
	b.nreq = to_requests(t, b.v, b.n, 1, b.req, BATCH);
	writing = (uint32_t)b.n;
	let_go(t);	/* the disk works; others may fault meanwhile */
	submit_and_wait(t, b.req, b.nreq, b.err);
	pager_lock(t);
	writing = 0;
	cnt.requests_out += (uint64_t)b.nreq;
	size_t written = finish(&b);
	cnt.background_pages += written;
	return (long)(freed + written);
}

/* Queued slots still worth reading (in use, not in memory), each with a
 * new frame tied to it while it is read; frames are taken only while more
 * than keep_free stay free, and never by reclaim. How many in b. */
static uint32_t take_reads(struct swap_req *b, uint32_t n)
{
	uint32_t got = 0;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t s = b[k].slot;
		uint64_t pa;
		if (swap_slot_refs(slots, s) <= 0 || cached(NULL, s))
			continue;
		if (frames_free() <= prefetch_floor || !(pa = frame_alloc()))
			break;
		tie(s, pa);
		frame_desc(pa)->flags |= FRAME_F_READING | FRAME_F_DETACHED;
		b[got++] = (struct swap_req){ pa, s, 0 };
	}
	return got;
}

long swapper_read_queued(struct pager_thread *t)
{
	struct swap_req b[BATCH];
	struct blk_request req[BATCH];
	int errs[BATCH], ok[BATCH], nreq;
	uint32_t n;

	if (!slots || swap_queue_len(&inq) == 0)
		return -1;
	n = swap_queue_pop(&inq, b, BATCH);
	swap_sort_by_slot(b, n);
	n = take_reads(b, n);
	if (n == 0)
		return 0;
	nreq = to_requests(t, b, n, 0, req, BATCH);
	let_go(t);
	submit_and_wait(t, req, nreq, errs);
	page_results(req, nreq, errs, ok);
	pager_lock(t);
	cnt.requests_in += (uint64_t)nreq;
	for (uint32_t k = 0; k < n; k++) {
		settle(b[k].slot, b[k].pa, ok[k], 0);
		cnt.background_in += (uint64_t)ok[k];
	}
	wake_readers();		/* a fault may have met one of these being read */
	return (long)n;
}

void swapper_set_swapin_thread(struct pager_thread *t, uint64_t keep_free)
{
	swapin_thread = t;
	prefetch_floor = keep_free;
}

uint32_t swapper_reads_waiting(void)
{
	return reads_waiting;
}

uint32_t swapper_queued(void)
{
	return swap_queue_len(&outq) + writing;
}

int swapper_init(const struct swap_area *area, const struct policy_ops *policy, uint64_t seed)
{
	static const struct vm_swap_ops ops = { read_slot, cached, slot_dup, slot_put, reclaim, NULL,
						read_many, wait_read, keep_copies, slot_refs };
	uint32_t nframes = (uint32_t)((frames_ram_end() - frames_ram_base()) / PAGE_SIZE);

	slots = swap_slots_create(area->first, area->last, area->bad, area->nbad);
	cache = calloc((size_t)area->last + 1, sizeof(*cache));
	kept = calloc(nframes, 1);
	pol_ops = policy;
	pol = policy->create(nframes, seed);
	if (!slots || !cache || !kept || !pol || swap_queue_init(&outq, SWAP_OUT_QUEUE_LEN) < 0 ||
	    swap_queue_init(&inq, SWAP_IN_QUEUE_LEN) < 0)
		return -ENOMEM;
	last_slot = area->last;
	/* Frames already in use (init, the driver) join the policy now. */
	for (uint32_t i = 0; i < nframes; i++) {
		kept[i] = KEPT_NONE;
		if (frame_desc(pa_of(i))->state == FRAME_ANON)
			pol_ops->insert(pol, i, 0);
	}
	frames_set_observer(observe, NULL);
	vm_set_swap(&ops);
	return 0;
}

void swapper_counters(struct swapper_counters *out)
{
	*out = cnt;
	out->slots_total = slots ? swap_slots_total(slots) : 0;
	out->slots_free = slots ? swap_slots_free(slots) : 0;
	out->slots_bad = slots ? swap_slots_bad(slots) : 0;
	out->queued = slots ? swapper_queued() : 0;
	out->queue_refused = slots ? outq.refused : 0;
	out->in_queue_refused = slots ? inq.refused : 0;
}
