/*
 * Private memory: anonymous (heap, mmap MAP_PRIVATE), stack and program
 * image. Each space has its own pages; fork shares them copy-on-write (and
 * the slots of swapped ones), and a frame goes when its last mapping does.
 */
#include <string.h>
#include "base/page.h"
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/swapcache.h"

/* Copy the file's bytes that fall in page va: [vaddr, vaddr + filesz)
 * comes from file + offset; the rest stays zero. */
static uint64_t fill_image(const struct vm_region *r, uint64_t va, uint8_t *page)
{
	const struct vm_image *m = &r->img;
	uint64_t lo = va > m->vaddr ? va : m->vaddr;
	uint64_t hi = va + VM_PAGE < m->vaddr + m->filesz ? va + VM_PAGE : m->vaddr + m->filesz;

	if (lo >= hi)
		return 0;
	memcpy(page + (lo - va), m->file + m->offset + (lo - m->vaddr), hi - lo);
	return hi - lo;
}

/* Fill new frame pa for page i (counted as a zero or an image fill; a
 * kind with no fill keeps the zeroes frame_alloc wrote). Inline: every
 * first touch calls it. */
static inline __attribute__((always_inline)) void fill_page(struct vm_region *r, uint64_t i, uint64_t pa)
{
	if (r->ops->fill && r->ops->fill(r, r->start + i * VM_PAGE, frame_ptr(pa)))
		vmstat_count(VMSTAT_FAULTS_IMAGE);
	else
		vmstat_count(VMSTAT_FAULTS_ZERO);
	/* The file can fill it again while no write is seen (a read-only
	 * segment's pages cannot be written: evict.c needs no mark). */
	if (r->kind == VM_IMAGE && (r->perm & VM_W))
		vm_frame_filled_from_file(pa);
}

static int private_page_in(struct vm_region *r, uint64_t i, uint64_t *out)
{
	uint64_t pa = vm_frame_alloc();

	if (!pa)
		return VM_FAULT_NOMEM;
	fill_page(r, i, pa);
	*out = pa;
	return 0;
}

/* Fault-around asks for pages nobody touched yet: no reclaim for them.
 * A kind without fill keeps frame_alloc's zeroes, and fill_run counts
 * those it maps (a frame it cannot map is given back, not a fault). A
 * kind with a fill counts each fill here, mapped or not: the file was
 * read either way. */
static unsigned private_page_in_run(struct vm_region *r, const uint64_t *idx, uint64_t *pa,
				    unsigned n)
{
	unsigned got = frame_alloc_run(pa, n);

	if (!r->ops->fill)
		return got;
	for (unsigned k = 0; k < got; k++)
		fill_page(r, idx[k], pa[k]);
	return got;
}

static void private_page_gone(struct vm_region *r, uint64_t i, uint64_t pa)
{
	(void)r, (void)i;
	if (vm_mapcount(pa) == 0)
		vm_frame_release(pa);
}

/* What fork_page needs besides the page: both sides, p's permission
 * less W, and the child's pages not taken yet: a run of up to VM_RUN_MAX
 * present pages in one chunk, taken as one (vm_pages_adopt_run: one pass
 * for the page array and the reverse map; a map a page was ~190
 * instructions, scripts/profile forkcow). */
struct fork_ctx {
	struct vm_space *ps, *cs;
	struct vm_region *p, *c;
	unsigned ro, n;
	uint64_t idx[VM_RUN_MAX], pa[VM_RUN_MAX];
	unsigned how[VM_RUN_MAX];
	/* Parent pages [pfirst, pfirst + pn) to lose W, in one protect call
	 * (a system call a page was ~450 instructions with its trap: the
	 * first fork of forkcow made 7,478), their copy-on-write marks set
	 * once the call made the change. */
	uint64_t pfirst, pn;
	uint64_t chunk;		/* the child's chunk (i / PV_CHUNK) made last */
	/* Pages [cfirst, cend) hold every page taken since the child's
	 * tables were last made from the parent's (mmu_ops.copy_range: one
	 * system call for them, not a map entry a page sent, copied in and
	 * checked, ~100 instructions a page: scripts/profile forkcow). */
	uint64_t cfirst, cend;
};

/* Copy-on-write mark for p's page i, present. */
static void mark_cow(struct fork_ctx *x, uint64_t i)
{
	pv_set(&x->p->pages, i, region_entry(x->p, i) | PAGE_COW);	/* present: no chunk made or freed */
}

/* Take W from x's parent run; 0 or VM_FAULT_NOMEM. A range refused part
 * way has changed an unknown prefix: its pages are protected again one by
 * one, each marked as its call succeeds, as a page at a time would have. */
static int fork_protects(struct fork_ctx *x)
{
	uint64_t n = x->pn, va = x->p->start + x->pfirst * VM_PAGE;

	x->pn = 0;
	if (!n)
		return 0;
	if (!vm.mmu.protect_range || vm.mmu.protect_range(vm.mmu.ctx, x->ps->as, va, n, x->ro) < 0) {
		for (uint64_t k = 0; k < n; k++) {
			if (vm.mmu.protect(vm.mmu.ctx, x->ps->as, va + k * VM_PAGE, x->ro) < 0)
				return VM_FAULT_NOMEM;
			mark_cow(x, x->pfirst + k);
		}
		return 0;
	}
	for (uint64_t k = 0; k < n; k++)
		mark_cow(x, x->pfirst + k);
	return 0;
}

/* Parent page i joins x's run to lose W (a new run if it does not follow). */
static int fork_protect(struct fork_ctx *x, uint64_t i)
{
	if (x->pn && x->pfirst + x->pn == i) {
		x->pn++;
		return 0;
	}
	if (fork_protects(x) < 0)
		return VM_FAULT_NOMEM;
	x->pfirst = i, x->pn = 1;
	return 0;
}

/* x's run taken by the child, copy-on-write: its page entries and
 * reverse-map entries, in one pass (vm_pages_adopt_run; reserved, so all
 * are); the tables follow at the next fork_copies. */
static void fork_maps(struct fork_ctx *x)
{
	unsigned n = x->n;

	x->n = 0;
	if (!n)
		return;
	vm_pages_adopt_run(x->cs, x->c, x->idx, x->pa, x->how, n);
	if (x->cend == 0)
		x->cfirst = x->idx[0];
	x->cend = x->idx[n - 1] + 1;
}

/* x's run taken, and the child's tables made for every page taken since
 * the last copy: before anything that may reclaim (which may unmap or
 * harvest through the child's reverse-map entries) and at the end. In
 * between, a page of the range the child did not take (swapped, absent)
 * is not in the parent's tables either, so the copy maps nothing there;
 * a frame unmapped for its write-out was put back first (fork_page). */
static int fork_copies(struct fork_ctx *x)
{
	uint64_t va, n;

	fork_maps(x);
	if (!(n = x->cend - x->cfirst))
		return 0;
	va = x->p->start + x->cfirst * VM_PAGE;	/* the run just taken may have begun it */
	x->cend = x->cfirst = 0;
	return vm.mmu.copy_range(vm.mmu.ctx, x->ps->as, x->cs->as, va, n, x->ro) < 0 ?
		VM_FAULT_NOMEM : 0;
}

/* The child's chunk for page i made before anything of it is queued or
 * set: making it may reclaim, and reclaim may evict or unmap a frame
 * waiting in the child's run (the child would map a freed frame), a
 * parent page waiting for its protect, or a page the child took whose
 * tables are not copied yet, so the runs are made and the copy first. */
static int fork_chunk(struct fork_ctx *x, uint64_t i)
{
	if (fork_protects(x) < 0 || fork_copies(x) < 0 || pv_reserve(&x->c->pages, i) < 0)
		return VM_FAULT_NOMEM;
	x->chunk = i / PV_CHUNK;
	return 0;
}

/* Give page i of x->p, entry e, to x->c: a swapped page's slot is named
 * by both; a present page of a writable region becomes read-only and
 * copy-on-write in both. A program-file copy loses W with its dirty bit
 * read in the same step: unwritten, both spaces' pages are still the
 * file's. 0 or VM_FAULT_NOMEM. */
static int fork_page(void *ctx, uint64_t i, uint32_t e)
{
	struct fork_ctx *x = ctx;
	uint64_t pa, va = x->p->start + i * VM_PAGE;
	uint32_t slot;

	if (!entry_slot(e) && !entry_frame(e))
		return 0;
	if (i / PV_CHUNK != x->chunk) {
		if (fork_chunk(x, i) < 0)
			return VM_FAULT_NOMEM;
		e = region_entry(x->p, i);	/* making it may have reclaimed page i */
	}
	slot = entry_slot(e), pa = entry_frame(e);
	/* The run ends before a page it cannot take: the child's entry for
	 * a slot is set here, before the maps held would be made. */
	if (x->n && (slot || x->n == VM_RUN_MAX))
		fork_maps(x);
	if (slot) {
		if (pv_set(&x->c->pages, i, e) < 0)
			return VM_FAULT_NOMEM;
		swapcache_slot_dup(slot);
	}
	if (!pa)
		return 0;
	/* Unmapped for its write-out: back first, to be protected and shared
	 * (the runs made before, as bringing it back may allocate). */
	if (vm_frame_unmapped(pa) &&
	    (fork_protects(x) < 0 || fork_copies(x) < 0 || vm_frame_back(pa) < 0))
		return VM_FAULT_NOMEM;
	if ((x->p->perm & VM_W) && !(e & PAGE_COW)) {
		/* Its dirty bit stays with this mapping, where a frame
		 * mapped twice could lose it: a clean copy goes now. */
		swapcache_forget_copy(pa);
		if (!vm_frame_file_copy(pa)) {
			if (fork_protect(x, i) < 0)
				return VM_FAULT_NOMEM;
		} else {
			if (vm_page_seal(x->ps, va, pa, x->ro) < 0)
				return VM_FAULT_NOMEM;
			pv_set(&x->p->pages, i, e | PAGE_COW);	/* present: no chunk made or freed */
		}
	}
	x->idx[x->n] = i;
	x->pa[x->n] = pa;
	x->how[x->n++] = VM_MAP_COW;	/* reserved: private_fork's rmap_reserve */
	return 0;
}

/* fork_page for each of the parent's entries in [0, n): pv_each's walk,
 * made here so that fork_page is inline in its loop (through pv_each's
 * callback it was a call an entry: ~1.5 M instructions of forkcow). */
static int fork_walk(struct fork_ctx *x, uint64_t n)
{
	struct pagevec *v = &x->p->pages;
	const uint32_t *e;
	uint64_t first;
	int r = 0;

	for (uint32_t k = pv_walk_begin(v, 0); !r && pv_walk_chunk(v, k, &first, &e); k++)
		for (uint64_t j = first; j < first + PV_CHUNK && j < n && !r; j++)
			r = e[j - first] ? fork_page(x, j, e[j - first]) : 0;
	pv_walk_end(v);
	return r;
}

/* Every page of p goes to c (fork_page), in one walk of p's page array
 * that hands each entry over without a look-up, the child's pages taken a
 * run at a time and its tables copied from p's a chunk at a time. */
static int private_fork(struct vm_space *ps, struct vm_region *p, struct vm_space *cs,
			struct vm_region *c)
{
	/* The run's arrays are not cleared: each entry is written before the
	 * run is read (an initialiser cost a memset a region). */
	struct fork_ctx x;
	uint64_t n = region_pages(p);
	int res;

	x.ps = ps, x.cs = cs, x.p = p, x.c = c;
	x.ro = p->perm & ~(unsigned)VM_W;
	x.n = 0;
	x.pfirst = x.pn = 0;
	x.chunk = UINT64_MAX;
	x.cfirst = x.cend = 0;

	if (rmap_reserve(pv_count(&p->pages, 0, n)) < 0)
		return VM_FAULT_NOMEM;
	res = fork_walk(&x, n);
	if (!res)
		res = fork_protects(&x);
	return res ? res : fork_copies(&x);
}

/* Copy-on-write page i's frame is its own now: no mark, and W back unless
 * the frame is being written out (the write fault that follows ends that).
 * It may be written from now on, so it is no slot's copy any more, but
 * for its write-out's own tie (own_tie: swapcache_write_own_tie), which
 * stays until the write's end, so that, let go meanwhile (munmap, exit),
 * the frame is parked rather than freed under the device's read. map:
 * for a write fault, which has not mapped the page (fault.c's
 * cow_step_maps): mapped so, in the fault's reply, rather than changed by
 * a protect call of its own (a system call more a fault); dirty, as it is
 * about to be written. */
static int reuse(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa, int own_tie,
		 int map)
{
	uint64_t va = r->start + i * VM_PAGE;
	int writing = swapcache_writing(pa);

	if (map && vm.mmu.map(vm.mmu.ctx, s->as, va, pa,
			      writing ? r->perm & ~(unsigned)VM_W : r->perm) < 0)
		return VM_FAULT_NOMEM;
	if (!map && !writing && vm.mmu.protect(vm.mmu.ctx, s->as, va, r->perm) < 0)
		return VM_FAULT_NOMEM;
	if (!own_tie)
		swapcache_untie_frame(pa);
	pv_put(&r->pages, i, region_entry(r, i) & ~PAGE_COW);	/* present: cannot fail */
	return VM_FAULT_MAPPED;
}

/* How to map pa for the entry naming slot. Alone (no other mapping, and
 * this entry the slot's only reference): writable with its dirty bit clear,
 * so a write needs no fault and the frame may keep the slot as its clean
 * copy (swapcache_hold) until a harvest sees the dirty bit. Otherwise
 * copy-on-write, as before it went out, while another space maps it or the
 * slot's other entries will come back to it (the cache still ties it). */
static unsigned swap_map_how(uint32_t slot, uint64_t pa)
{
	if (vm_mapcount(pa) == 0 && vm.swap.slot_refs && !swapcache_held(pa) &&
	    vm.swap.slot_refs(vm.swap.ctx, slot) == 1)
		return VM_MAP_CLEAN;
	return vm_mapcount(pa) > 0 || swapcache_tied(pa) ? VM_MAP_COW : 0;
}

/* 1 if pa, which the swap cache ties to a private page's slot, is a
 * shared object's frame: a bug, noted. */
static int object_frame(uint64_t pa)
{
	if (!frame_desc(pa)->obj)
		return 0;
	vm_note_bug("the swap cache gave a private page a shared object's frame");
	return 1;
}

/* pa was just mapped at private page i, whose entry named slot: the
 * slot's claim (counted as from says), and a copy-on-write page that was
 * the slot's last entry becomes its own. */
static void swap_mapped(struct vm_space *s, struct vm_region *r, uint64_t i, uint32_t slot,
			uint64_t pa, enum vm_swap_from from)
{
	vm_swap_claimed(slot, pa, from, 1);
	if (region_page_cow(r, i) && vm_mapcount(pa) == 1 && !swapcache_tied(pa))
		reuse(s, r, i, pa, 0, 0);	/* it was the slot's last entry; else stays COW */
}

/* Map pa, holding the contents of the slot private page i names, at i
 * (swap_map_how says how). A frame read for it is released if it cannot
 * be mapped. */
static int swap_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa,
		    enum vm_swap_from from)
{
	uint32_t slot = region_slot(r, i);
	int res;

	if (object_frame(pa))
		return VM_FAULT_IO;
	if ((res = vm_page_map(s, r, i, pa, swap_map_how(slot, pa))) < 0) {
		if (from != VM_SWAP_CACHED)
			vm_frame_release(pa);
		return res;
	}
	swap_mapped(s, r, i, slot, pa, from);
	return VM_FAULT_MAPPED;
}

/* The n pages after private page i, pages i + 1 + k naming slots[k],
 * whose frames pa[k] are read ahead: mapped as swap_map would map each, in
 * one run (one rmap reservation, one mmu call). read: the frames are this
 * fault's read, and one that cannot be mapped is released (else they are
 * the swap cache's, parked, and stay so). How many were mapped, in
 * order. */
static unsigned swap_map_run(struct vm_space *s, struct vm_region *r, uint64_t i,
			     const uint32_t *slots, const uint64_t *pa, unsigned n, int read)
{
	uint64_t idx[VM_READAHEAD_MAX];
	unsigned how[VM_READAHEAD_MAX], m = 0, k;

	/* map_run cuts a longer run (and notes it as a bug). */
	_Static_assert(VM_READAHEAD_MAX <= VM_RUN_MAX, "a readahead window fits one run");

	/* One page takes the shorter path, as first touch's does. */
	if (n == 1 || rmap_reserve(n) < 0) {
		while (m < n && swap_map(s, r, i + 1 + m, pa[m], read || swapcache_ahead(pa[m]) ?
						 VM_SWAP_AHEAD : VM_SWAP_CACHED) == VM_FAULT_MAPPED)
			m++;
		/* swap_map released the frame it could not map (NOMEM or ARRAYS); its IO
		 * answer is for a shared object's frame, which a frame read here
		 * never is, and a cached one stays the cache's. */
		k = m + 1;
	} else {
		for (k = 0; k < n; k++) {
			idx[k] = i + 1 + k;
			how[k] = swap_map_how(slots[k], pa[k]);
		}
		m = vm_pages_map_run_how(s, r, idx, pa, how, n);
		for (k = 0; k < m; k++)
			swap_mapped(s, r, idx[k], slots[k], pa[k],
				    read || swapcache_ahead(pa[k]) ? VM_SWAP_AHEAD : VM_SWAP_CACHED);
	}
	for (; read && k < n; k++)
		vm_frame_release(pa[k]);	/* parked, tied to its slot */
	return m;
}

/* After page i came from the cache in a region whose window is eager: the
 * pages after it that wait there unmapped (read with it by a read that let
 * the lock go, or read ahead by the swap-in thread) are mapped as a read's
 * readahead would have, as one run. How many were; *ahead: how many of
 * those mapped still waited as read ahead (the swap-in thread's, or an
 * earlier window's left in the cache): the caller judges each a hit. */
static unsigned map_read_ahead(struct vm_space *s, struct vm_region *r, uint64_t i,
			       unsigned *ahead)
{
	uint64_t n = region_pages(r), pa[VM_READAHEAD_MAX];
	uint32_t slots[VM_READAHEAD_MAX];
	uint8_t was_ahead[VM_READAHEAD_MAX];
	unsigned k = 0, m;

	*ahead = 0;
	for (; r->ra.eager && k < vm.readahead && i + 1 + k < n; k++) {
		if (!(slots[k] = region_slot(r, i + 1 + k)))
			break;
		pa[k] = swapcache_lookup(slots[k]);
		if (!pa[k] || !vm_frame_parked(pa[k]) || object_frame(pa[k]))
			break;
	}
	if (!k)
		return 0;
	for (unsigned j = 0; j < k; j++)
		was_ahead[j] = swapcache_ahead(pa[j]) != 0;	/* the mapping clears it */
	m = swap_map_run(s, r, i, slots, pa, k, 0);
	for (unsigned j = 0; j < m; j++)	/* the run maps from its start */
		*ahead += was_ahead[j];
	return m;
}

/* Private page i names a swap slot: map the frame holding its contents,
 * then, if its region's window is eager (readahead.h), the pages read
 * ahead with it, each as its own fault would have (one that cannot be
 * mapped stays swapped, its frame released); otherwise they wait in the
 * swap cache, and a fault that finds one there is a readahead hit. The
 * retry of a fault whose own read let the lock go (its page fresh) is no
 * hit: its window was judged when it was read. */
static int private_swap_in(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa[1 + VM_READAHEAD_MAX];
	/* Not zeroed: slots[1..n) are written by the read that fills them
	 * before anything reads them (an initialiser cleared all 17 words, a
	 * memset call of ~80 instructions a fault found in the cache or read). */
	uint32_t slots[1 + VM_READAHEAD_MAX];
	unsigned n, mapped, more;
	int cached, own, ahead, res;

	/* Every reverse-map entry this fault can use (its page and a window,
	 * read or found waiting), before any frame is found: growing the pool
	 * may reclaim (a heap allocation reclaims when memory is short:
	 * base/heap_alloc.h), which could free a parked frame found below
	 * between its lookup and its mapping (as fork_chunk makes the
	 * child's chunk first). */
	if (rmap_reserve(1 + vm.readahead) < 0)
		return VM_FAULT_NOMEM;
	slots[0] = region_slot(r, i);
	res = vm_swap_frames(r, i, slots, pa, &n, &cached);
	if (res < 0)
		return res;
	own = cached && swapcache_fresh(pa[0]);
	ahead = cached && swapcache_ahead(pa[0]);
	res = swap_map(s, r, i, pa[0], cached ? VM_SWAP_CACHED : VM_SWAP_READ);
	if (n > 1 && r->ra.eager)
		swap_map_run(s, r, i, slots + 1, pa + 1, n - 1, 1);
	else
		for (unsigned k = 1; k < n; k++)
			vm_frame_release(pa[k]);	/* parked: tied to its slot */
	if (!cached || res != VM_FAULT_MAPPED)
		return res;
	mapped = map_read_ahead(s, r, i, &more);
	if (own)
		return res;
	vmstat_count_n(VMSTAT_SWAP_RA_HIT, readahead_hit(&r->ra, &vm.ra_seen, i, ahead, mapped));
	/* Found waiting and mapped by this stream: used (swap_ra_hit counts
	 * them when the stream's next fault shows its window used). */
	for (unsigned k = 0; k < more; k++)
		readahead_judged(&vm.ra_seen, 1);
	return res;
}

/* A write to private page i, mapped read-only since a fork or since it
 * came back from swap shared (copy-on-write): the last user takes the frame
 * back writable; others get their own copy. A frame the swap cache still
 * ties to a slot once its hold is dropped is the frame of that slot's other
 * entries too: it is copied, and kept for them. The one tie no entry
 * shares is a write-out's own (swapcache_write_own_tie: while the write is
 * in flight, or written during it since): such a frame is taken back like
 * any, its tie kept to the write's end, and a write fault on a frame still
 * being written then makes its write-out stale (vm_frame_write_resume), as
 * for a page that was never copy-on-write. The fault did not map the page
 * again first (cow_step_maps): every way out that leaves the page present
 * maps it. */
static int private_write(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t va = r->start + i * VM_PAGE, pa = region_frame(r, i), copy;

	if (vm_mapcount(pa) <= 1) {
		int own_tie = swapcache_write_own_tie(pa);	/* asked before the hold goes */

		swapcache_drop_hold(pa);	/* the last user writes: its swap copy is stale */
		if (own_tie || !swapcache_tied(pa)) {
			if (reuse(s, r, i, pa, own_tie, 1) < 0)
				return VM_FAULT_NOMEM;
			vmstat_count(VMSTAT_COW_REUSE);
			return VM_FAULT_MAPPED;
		}
	}
	if (rmap_reserve(1) < 0)
		return VM_FAULT_NOMEM;
	/* Unzeroed: page_copy below overwrites it whole before it is mapped.
	 * pa, its source, is kept from the allocation's reclaim: freed, it
	 * would be read again by the retry, and if it were all reclaim could
	 * free, for ever (swapcache_keep_source); kept, the allocation fails. */
	swapcache_keep_source(pa, 1);
	copy = vm_frame_alloc_unzeroed();
	swapcache_keep_source(pa, 0);
	if (!copy)
		return VM_FAULT_NOMEM;
	if (region_entry(r, i) != (pa_pfn(pa) | PAGE_COW)) {
		/* pa is no longer this page's source. Not reached today: the
		 * lock is held through the allocation and pa kept from its
		 * reclaim (swapcache_keep_source). Were the lock ever let go
		 * there (a space's exit, a munmap, a sharer's write), the
		 * retried write faults again rather than map a stale copy. */
		frame_free(copy);
		return VM_FAULT_MAPPED;
	}
	page_copy(frame_ptr(copy), frame_ptr(pa));
	if (vm.mmu.map(vm.mmu.ctx, s->as, va, copy, r->perm) < 0) {
		frame_free(copy);
		return VM_FAULT_NOMEM;
	}
	rmap_remove(pa, s, va);
	rmap_add_frame(frame_desc(copy), s, va, 0);
	pv_put(&r->pages, i, pa_pfn(copy));	/* present: cannot fail */
	if (vm_mapcount(pa) == 0)
		vm_frame_release(pa);	/* parked for the slot's entries */
	vmstat_count(VMSTAT_COW_BREAKS);
	return VM_FAULT_MAPPED;
}

const struct region_ops vm_anon_ops = {
	.name = "anon", .priv = 1, .faultaround = 1, .guard = 0, .fill = NULL,
	.page_in = private_page_in, .page_in_run = private_page_in_run, .swap_in = private_swap_in, .write = private_write,
	.page_gone = private_page_gone, .fork = private_fork,
};

const struct region_ops vm_stack_ops = {
	.name = "stack", .priv = 1, .faultaround = 1, .guard = 1, .fill = NULL,
	.page_in = private_page_in, .page_in_run = private_page_in_run, .swap_in = private_swap_in, .write = private_write,
	.page_gone = private_page_gone, .fork = private_fork,
};

const struct region_ops vm_image_ops = {
	.name = "image", .priv = 1, .faultaround = 1, .guard = 0, .fill = fill_image,
	.page_in = private_page_in, .page_in_run = private_page_in_run, .swap_in = private_swap_in, .write = private_write,
	.page_gone = private_page_gone, .fork = private_fork,
};
