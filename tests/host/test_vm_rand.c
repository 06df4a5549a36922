/*
 * A random model test of the pager's VM core (host, deterministic: fixed
 * seeds): four spaces with private, shared, discardable, image and heap
 * regions fork, fault, write, unmap, unlock and exit, against a model of
 * what every page must hold; a swap engine imitating swap/out.c's write-out
 * and drop-clean steps, reads that let the lock go (another "thread" acting
 * meanwhile) or keep it, reclaim from inside heap allocations, and injected
 * mmu, heap, slab (chunks, region records) and read failures, each chosen
 * per seed. Every step: vm_check, the fake's mappings against the reverse
 * map, every page against the model; at the end nothing is left (frames,
 * slots). A failure names its seed and step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap_fake.h"
#include "base/heap_alloc.h"
#include "base/slab.h"
#include "vm/swapcache.h"
#include "vm/evict.h"
#include "kernel/abi/vm.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define NSP 4
#define PV 0x100000UL
#define NP 12
#define SV 0x200000UL
#define NSH 8
#define DV 0x300000UL
#define ND 6
#define IV 0x400000UL
#define NI 4
#define HV 0x500000UL
#define NH 6

/* SEEDS runs of STEPS steps: ~0.3 s a seed under ASan here (~9 s in all). */
#define SEEDS 30
#define STEPS 2000

static uint8_t file[NI * PG];

/* What a seed's run may meet besides the rest (each chosen per seed): reads
 * that fail, reads that keep the lock, failures injected into the engine's
 * own steps too, spaces with page-array budgets. */
static struct {
	int read_fails, sync_reads, engine_fails, budgets;
} opt;

/* ---- failure injection on the heap and the slabs (chunks, region records) ---- */
static int armed;
static unsigned fail_pct;
static int inject;	/* this step may fail (NOMEM answers accepted) */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_slab_alloc(struct slab_cache *c);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_slab_alloc(struct slab_cache *c);
static int heap_fails(void)
{
	return armed && fail_pct && (unsigned)(rand() % 100) < fail_pct;
}
void *__wrap_malloc(size_t n)
{
	return heap_fails() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t s)
{
	return heap_fails() ? NULL : __real_calloc(n, s);
}
void *__wrap_realloc(void *p, size_t n)
{
	return n && heap_fails() ? NULL : __real_realloc(p, n);
}
void *__wrap_slab_alloc(struct slab_cache *c)
{
	return heap_fails() ? NULL : __real_slab_alloc(c);
}

/* ---- model ---- */
struct sp {
	struct vm_space *s;
	int as;
	int pv[NP];
	uint8_t p[NP];
	uint8_t *sh[NSH];
	unsigned dn;		/* discard region [DV, DV + dn pages) */
	uint8_t d[ND], dmaybe[ND];
	int dunlocked, ddiscarded_seen;
	int ipresent;
	uint8_t img[NI];
	unsigned hn;
	uint8_t h[NH];
};
static struct sp m[NSP];
static int next_as = 1;
static unsigned step_no;
static unsigned long seed_no;

#define MAXCELLS 100000
static uint8_t cells[MAXCELLS];
static unsigned ncells;
static uint8_t *new_cell(void)
{
	assert_true(ncells < MAXCELLS);
	cells[ncells] = 0;
	return &cells[ncells++];
}

/* ---- the engine ---- */
struct wr {
	uint64_t pa;
	uint32_t slot;
};
static struct wr inflight[64];
static unsigned ninflight;
static int keep_copies_on = 1;
static int in_other;	/* another thread is acting: no nesting */
static int unlock_reads;

static uint64_t hog[FAKE_FRAMES];
static unsigned nhog;

static void slot_release(uint32_t slot)
{
	sw_ops.slot_put(NULL, slot);
}

static int my_keep(void *ctx)
{
	(void)ctx;
	return keep_copies_on;
}

static void other_thread(void);

static int my_read_n(const uint32_t *slots, const uint64_t *pa, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		const struct frame *f = frame_desc(pa[k]);
		assert_true(slots[k] > 0 && slots[k] < NSLOT && sw.disk[slots[k]] &&
			    sw.refs[slots[k]] > 0);
		assert_true(f && f->state == FRAME_ANON && !f->mapcount && !f->obj);
	}
	if (!unlock_reads || in_other) {
		for (unsigned k = 0; k < n; k++) {
			memcpy(frame_ptr(pa[k]), sw.disk[slots[k]], PG);
			swapcache_tie(slots[k], pa[k]);
		}
		return 0;
	}
	int bad[1 + VM_READAHEAD_MAX], unsent = opt.read_fails && rand() % 40 == 0;
	for (unsigned k = 0; k < n; k++) {
		swapcache_read_begin(slots[k], pa[k]);
		bad[k] = unsent || (opt.read_fails && rand() % 30 == 0);
	}
	/* the device reads now: the slot's contents as they are */
	for (unsigned k = 0; k < n; k++)
		memcpy(frame_ptr(pa[k]), sw.disk[slots[k]], PG);
	other_thread();
	for (unsigned k = 0; k < n; k++)
		swapcache_read_end(slots[k], pa[k], !bad[k], k == 0);
	if (unsent)
		return VM_SWAP_UNLOCKED_NOMEM;
	return bad[0] ? VM_SWAP_UNLOCKED_IO : VM_SWAP_UNLOCKED;
}

static int my_read(void *ctx, uint32_t slot, uint64_t pa)
{
	(void)ctx;
	return my_read_n(&slot, &pa, 1);
}

static int my_read_many(void *ctx, const uint32_t *slots, const uint64_t *pa, unsigned n)
{
	(void)ctx;
	return my_read_n(slots, pa, n);
}

static void my_wait(void *ctx, uint32_t slot)
{
	(void)ctx;
	(void)slot;
	sw.waits++;
}

static struct vm_swap_ops my_ops;

static uint32_t my_read_further(void *ctx, const uint32_t *slots, unsigned n)
{
	uint32_t took = 0;

	(void)ctx;
	for (unsigned k = 0; k < n; k++) {
		uint64_t pa;
		assert_int_equal(swapcache_lookup(slots[k]), 0);
		if (!sw.disk[slots[k]] || rand() % 2 || !(pa = frame_alloc_unzeroed()))
			continue;
		swapcache_read_begin(slots[k], pa);
		memcpy(frame_ptr(pa), sw.disk[slots[k]], PG);
		swapcache_read_end(slots[k], pa, 1, 0);
		took |= 1u << k;
	}
	return took;
}

/* The engine's write-out of pa begins (swap_batch_prepare) after its
 * drop-clean step (swap_batch_drop_clean). finish: at once (direct). */
static void finish_write(unsigned k);

static int engine_take_n(const uint64_t *in, unsigned n, int finish_now)
{
	uint64_t v[8], gonev[8], w[8];
	unsigned nv = 0, ngone = 0, nw = 0, first;
	int freed = 0;

	for (unsigned k = 0; k < n; k++) {
		int dup = 0;
		for (unsigned j = 0; j < nv; j++)
			dup |= v[j] == in[k];
		if (!dup && swapcache_reclaimable(in[k]))
			v[nv++] = in[k];
	}
	if (!nv)
		return 0;
	vm_frames_seal(v, nv);
	vm_unmaps_hold(1);
	for (unsigned k = 0; k < nv; k++) {
		uint64_t pa = v[k];
		uint32_t slot = swapcache_slot(pa);
		if (slot && (swapcache_parked_clean(pa) || vm_evict(pa, slot) > 0)) {
			swapcache_untie(slot);
			gonev[ngone++] = pa;
		} else if (!slot && vm_drop_refillable(pa) == 0) {
			gonev[ngone++] = pa;
		} else if (slot && swapcache_held(pa)) {
			if (swapcache_writing(pa))
				vm_frame_write_end(pa);
		} else {
			w[nw++] = pa;
		}
	}
	assert_int_equal(vm_unmaps_hold(0), 0);
	for (unsigned k = 0; k < ngone; k++)
		frame_free(gonev[k]);
	freed = (int)ngone;
	first = ninflight;
	for (unsigned k = 0; k < nw; k++) {
		uint32_t slot;
		if (ninflight >= 64 || !(slot = swap_fake_slot_alloc())) {
			for (; k < nw; k++)
				if (swapcache_writing(w[k]))
					vm_frame_write_end(w[k]);
			break;
		}
		swapcache_tie(slot, w[k]);
		inflight[ninflight++] = (struct wr){ w[k], slot };
	}
	{
		uint64_t u[8];
		unsigned nu = 0;
		for (unsigned k = first; k < ninflight; k++)
			u[nu++] = inflight[k].pa;
		vm_frames_unmap(u, nu);
	}
	if (finish_now) {
		uint64_t before = frames_free();
		while (ninflight > first)
			finish_write(ninflight - 1);
		if (frames_free() > before)
			freed += (int)(frames_free() - before);
	}
	return freed;
}


static void finish_write(unsigned k)
{
	uint64_t pa = inflight[k].pa;
	uint32_t slot = inflight[k].slot;
	int clean = swapcache_writing(pa);
	int kept = vm_frame_kept_by_fault(pa);
	int evicted = 0, gone = 0;

	inflight[k] = inflight[--ninflight];
	memcpy(sw.disk[slot], frame_ptr(pa), PG);	/* the device's copy */
	vm_unmaps_hold(1);
	if (kept && clean && !vm_frame_parked(pa) && swapcache_keep_written(slot, pa)) {
		/* kept holding its slot */
	} else {
		swapcache_untie(slot);
		if (clean && !kept && vm_evict(pa, slot) > 0)
			evicted = 1;
		slot_release(slot);
	}
	if (!evicted) {
		vm_frame_write_end(pa);
		gone = vm_frame_parked(pa);
	} else {
		gone = 1;
	}
	assert_int_equal(vm_unmaps_hold(0), 0);
	if (gone)
		frame_free(pa);
}

/* a random frame reclaim may take */
static uint64_t random_reclaimable(void)
{
	uint64_t cand[FAKE_FRAMES];
	unsigned n = 0;

	for (unsigned k = FAKE_RESERVED; k < FAKE_FRAMES; k++) {
		uint64_t pa = FAKE_RAM_BASE + k * PG;
		int in = 0;
		for (unsigned j = 0; j < ninflight; j++)
			in |= inflight[j].pa == pa;	/* off the policy's lists in a batch */
		if (!in && swapcache_reclaimable(pa))
			cand[n++] = pa;
	}
	return n ? cand[rand() % n] : 0;
}

static void engine_random_batch(int finish_now)
{
	uint64_t b[8];
	unsigned n = 1 + (unsigned)(rand() % 8);

	for (unsigned k = 0; k < n; k++)
		if (!(b[k] = random_reclaimable()))
			return;
	engine_take_n(b, n, finish_now);
}

static size_t reclaim_some(size_t want)
{
	size_t got = 0;
	int save = armed, fp = fake.fail_protect, fh = fake.fail_harvest, mb = fake.map_budget;

	armed = 0;
	if (!opt.engine_fails)
		fake.fail_protect = fake.fail_harvest = 0, fake.map_budget = -1;
	for (int tries = 0; tries < 8 && got < want; tries++) {
		int op = rand() % 6;
		uint64_t before = frames_free();
		if (op == 0 && nhog) {
			frame_free(hog[--nhog]);
		} else if (op == 1) {
			vm_discard_some(want, 8);
		} else {
			engine_random_batch(1);
		}
		if (frames_free() > before)
			got += frames_free() - before;
	}
	armed = save;
	if (!opt.engine_fails)
		fake.fail_protect = fp, fake.fail_harvest = fh, fake.map_budget = mb;
	return got;
}

static size_t my_reclaim(size_t want)
{
	return reclaim_some(want);
}

static int my_refill(void)
{
	return reclaim_some(1) > 0 || rand() % 2;
}

/* ---- program actions ---- */
static uint8_t rd(uint64_t pa, int last)
{
	return ((uint8_t *)frame_ptr(pa))[last ? PG - 1 : 0];
}

static void expect_page(uint64_t pa, uint8_t v, int maybe0, const char *what, int k, uint64_t va)
{
	uint8_t a = rd(pa, 0), b = rd(pa, 1);

	if (a == v && b == (uint8_t)(v ? v ^ 0x5a : 0))
		return;
	if (maybe0 && a == 0 && b == 0)
		return;
	fail_msg("seed %lu step %u: space %d %s va 0x%lx holds %02x/%02x, expected %02x%s", seed_no,
		 step_no, k, what, (unsigned long)va, a, b, v, maybe0 ? " or 0" : "");
}

/* The contents of a swapped entry's slot (the disk), and the frame the
 * cache ties to it, if any, must agree with the model. */
static void expect_slot(uint32_t slot, uint8_t v, int maybe0, const char *what, int k, uint64_t va)
{
	uint64_t pa = swapcache_lookup(slot);
	uint8_t a, b;

	assert_non_null(sw.disk[slot]);
	a = sw.disk[slot][0], b = sw.disk[slot][PG - 1];
	if (!((a == v && b == (uint8_t)(v ? v ^ 0x5a : 0)) || (maybe0 && !a && !b)))
		fail_msg("seed %lu step %u: space %d %s va 0x%lx slot %u holds %02x/%02x, expected %02x",
			 seed_no, step_no, k, what, (unsigned long)va, slot, a, b, v);
	if (pa && !swapcache_reading(pa))
		expect_page(pa, v, maybe0, "(slot's cached frame)", k, va);
}

/* What space k's page at va holds, through the VM core's own state. */
static void check_page(int k, uint64_t va, uint8_t v, int maybe0, int zero_if_absent,
		       const char *what)
{
	const struct vm_region *r = vm_region_find(m[k].s, va);
	uint64_t i;
	uint32_t e;

	assert_non_null(r);
	i = (va - r->start) / PG;
	e = region_entry(r, i);
	if (entry_frame(e)) {
		expect_page(entry_frame(e), v, maybe0, what, k, va);
		return;
	}
	if (entry_slot(e)) {
		expect_slot(entry_slot(e), v, maybe0, what, k, va);
		return;
	}
	if (r->obj) {
		uint32_t oe = pv_get(&r->obj->pages, r->pgoff + i);
		if (entry_frame(oe))
			expect_page(entry_frame(oe), v, maybe0, what, k, va);
		else if (entry_slot(oe))
			expect_slot(entry_slot(oe), v, maybe0, what, k, va);
		else if (v)
			fail_msg("seed %lu step %u: space %d shared va 0x%lx absent in object, expected %02x",
				 seed_no, step_no, k, (unsigned long)va, v);
		return;
	}
	if (zero_if_absent && v && !maybe0)
		fail_msg("seed %lu step %u: space %d %s va 0x%lx absent, expected %02x", seed_no,
			 step_no, k, what, (unsigned long)va, v);
}

static void check_all(void)
{
	for (int k = 0; k < NSP; k++) {
		struct sp *x = &m[k];
		if (!x->s)
			continue;
		for (int i = 0; i < NP; i++)
			if (x->pv[i])
				check_page(k, PV + i * PG, x->p[i], 0, 1, "private");
		for (int i = 0; i < NSH; i++)
			if (x->sh[i])
				check_page(k, SV + i * PG, *x->sh[i], 0, 1, "shared");
		for (unsigned i = 0; i < x->dn; i++)
			check_page(k, DV + i * PG, x->d[i], x->dmaybe[i], 1, "discard");
		if (x->ipresent)
			for (int i = 0; i < NI; i++) {
				const struct vm_region *r = vm_region_find(x->s, IV + i * PG);
				uint32_t e = r ? region_entry(r, (IV + i * PG - r->start) / PG) : 0;
				if (!r)
					continue;
				/* absent: the file refills it, which the model must equal */
				if (!e && x->img[i] != (uint8_t)(0x40 + i))
					fail_msg("seed %lu step %u: space %d image page %d absent but written (%02x)",
						 seed_no, step_no, k, i, x->img[i]);
				if (e)
					check_page(k, IV + i * PG, x->img[i], 0, 0, "image");
			}
		for (unsigned i = 0; i < x->hn; i++)
			check_page(k, HV + i * PG, x->h[i], 0, 1, "heap");
	}
	/* Held clean copies must equal their slot unless a mapping's dirty bit says written. */
	for (unsigned f = FAKE_RESERVED; f < FAKE_FRAMES; f++) {
		uint64_t pa = FAKE_RAM_BASE + f * PG;
		uint32_t slot = swapcache_slot(pa);
		if (!slot || swapcache_reading(pa) || !sw.disk[slot])
			continue;
		if (swapcache_writing(pa) || swapcache_dirtied(pa))
			continue;	/* a write-out's own tie: the disk gets it at the end */
		int dirty = 0;
		for (int i = 0; i < FAKE_MAPS; i++)
			if (fake.m[i].used && fake.m[i].pa == pa && fake.m[i].dirty &&
			    (fake.m[i].perm & VM_W))
				dirty = 1;
		if (dirty)
			continue;
		if (memcmp(frame_ptr(pa), sw.disk[slot], PG) != 0)
			fail_msg("seed %lu step %u: frame 0x%lx tied to slot %u (flags %x, held %d) differs from the slot",
				 seed_no, step_no, (unsigned long)pa, slot, swapcache_flags(pa),
				 swapcache_held(pa));
	}
}

static void check_consistency(void)
{
	int total = 0;

	fake_check();
	for (uint32_t s = 1; s < NSLOT; s++) {
		assert_int_equal(sw.refs[s] > 0, sw.disk[s] != NULL);
		total += sw.refs[s];
	}
	uint64_t held = 0;
	for (uint32_t s = 1; s < NSLOT; s++)
		held += swapcache_held(swapcache_lookup(s)) != 0;
	assert_int_equal(held, vmstat_get(VMSTAT_SWAP_COPIES));
	if ((uint64_t)total != vmstat_get(VMSTAT_SWAP_ENTRIES) + held + ninflight)
		fail_msg("seed %lu step %u: slot refs %d != entries %lu + held %lu + inflight %u",
			 seed_no, step_no, total, (unsigned long)vmstat_get(VMSTAT_SWAP_ENTRIES),
			 (unsigned long)held, ninflight);
	if (vm_bug())
		fail_msg("seed %lu step %u: vm_bug: %s", seed_no, step_no, vm_bug());
	check_all();
}

static uint8_t *model_of(int k, uint64_t va, uint8_t **maybe);
static void kill_space(int k);

/* Make va mapped in k with access (a fault loop). 1 if it is, 0 if the
 * space died or (inject) memory failed. */
static int touch(int k, uint64_t va, unsigned access)
{
	struct vm_space *s = m[k].s;
	int first = 1;

	for (int tries = 0; tries < 20; tries++) {
		unsigned perm;
		uint64_t pa = fake_pa(m[k].as, va, &perm);
		int r;

		if (pa && (perm & access) == access)
			return 1;
		r = first ? vm_fault(s, va, access) : vm_fault_again(s, va, access);
		first = 0;
		if (m[k].s != s)
			return 0;	/* ended meanwhile */
		if (r == VM_FAULT_RETRY && in_other)
			return 0;	/* it would wait for the read in flight */
		if (r == VM_FAULT_IO && opt.read_fails) {
			uint32_t failed = vm_fault_failed_slot();
			if (failed) {
				r = vm_fault_after_failed_read(s, va, access, failed);
				if (m[k].s != s)
					return 0;
			}
			if (r == VM_FAULT_IO) {
				if (in_other)
					return 0;
				kill_space(k);	/* the pager ends it */
				return 0;
			}
			if (r == VM_FAULT_MAPPED || r == VM_FAULT_RETRY)
				continue;
		}
		if (r == VM_FAULT_MAPPED || r == VM_FAULT_RETRY)
			continue;
		if ((r == VM_FAULT_NOMEM || r == VM_FAULT_ARRAYS))
			return 0;
		if (r == VM_FAULT_NOREGION) {
			uint8_t *mb;
			if (!model_of(k, va, &mb))
				return 0;	/* unmapped meanwhile */
		}
		fail_msg("seed %lu step %u: fault at 0x%lx access %u in space %d: %d (%s)", seed_no,
			 step_no, (unsigned long)va, access, k, r, vm_fault_reason(r));
	}
	fail_msg("seed %lu step %u: fault loop at 0x%lx", seed_no, step_no, (unsigned long)va);
	return 0;
}

static uint8_t *model_of(int k, uint64_t va, uint8_t **maybe)
{
	struct sp *x = &m[k];

	*maybe = NULL;
	if (va >= PV && va < PV + NP * PG)
		return x->pv[(va - PV) / PG] ? &x->p[(va - PV) / PG] : NULL;
	if (va >= SV && va < SV + NSH * PG)
		return x->sh[(va - SV) / PG];
	if (va >= DV && va < DV + ND * PG) {
		if ((va - DV) / PG >= x->dn)
			return NULL;
		*maybe = &x->dmaybe[(va - DV) / PG];
		return &x->d[(va - DV) / PG];
	}
	if (va >= IV && va < IV + NI * PG)
		return x->ipresent ? &x->img[(va - IV) / PG] : NULL;
	if (va >= HV && va < HV + NH * PG)
		return (va - HV) / PG < x->hn ? &x->h[(va - HV) / PG] : NULL;
	return NULL;
}

static uint64_t random_va(void)
{
	switch (rand() % 5) {
	case 0: return PV + (uint64_t)(rand() % NP) * PG;
	case 1: return SV + (uint64_t)(rand() % NSH) * PG;
	case 2: return DV + (uint64_t)(rand() % ND) * PG;
	case 3: return IV + (uint64_t)(rand() % NI) * PG;
	default: return HV + (uint64_t)(rand() % NH) * PG;
	}
}

static void do_write(int k, uint64_t va)
{
	uint8_t *maybe, *cell = model_of(k, va, &maybe);
	uint8_t v = (uint8_t)(1 + rand() % 255);
	unsigned perm;
	uint64_t pa;

	if (!cell)
		return;
	if (!touch(k, va, VM_W))
		return;
	if (!(cell = model_of(k, va, &maybe)))
		return;
	pa = fake_pa(m[k].as, va, &perm);
	/* dirty bit, as the hardware sets it */
	for (int i = 0; i < FAKE_MAPS; i++)
		if (fake.m[i].used && fake.m[i].as == m[k].as && fake.m[i].va == va)
			fake.m[i].dirty = fake.m[i].accessed = 1;
	((uint8_t *)frame_ptr(pa))[0] = v;
	((uint8_t *)frame_ptr(pa))[PG - 1] = v ^ 0x5a;
	*cell = v;
	if (maybe)
		*maybe = m[k].dunlocked;	/* written while unlocked: may go again */
}

static void do_read(int k, uint64_t va)
{
	uint8_t *maybe, *cell = model_of(k, va, &maybe);
	uint64_t pa;

	if (!cell || !touch(k, va, VM_R))
		return;
	if (!(cell = model_of(k, va, &maybe)))
		return;
	pa = fake_pa(m[k].as, va, NULL);
	expect_page(pa, *cell, maybe && *maybe, "read", k, va);
	if (maybe && *maybe && rd(pa, 0) == 0 && *cell) {
		/* it went: what the program sees from now on */
		*cell = 0;
		*maybe = m[k].dunlocked;
	}
}

static void kill_space(int k)
{
	vm_space_destroy(m[k].s);
	memset(&m[k], 0, sizeof(m[k]));
}

static void add_regions(int k)
{
	struct vm_image img = { file, 0, IV, NI * PG };
	struct sp *x = &m[k];

	assert_int_equal(vm_region_add(x->s, PV, PV + NP * PG, RW, VM_ANON, NULL), 0);
	for (int i = 0; i < NP; i++)
		x->pv[i] = 1;
	assert_int_equal(vm_region_add(x->s, SV, SV + NSH * PG, RW, VM_SHARED, NULL), 0);
	for (int i = 0; i < NSH; i++)
		x->sh[i] = new_cell();
	assert_int_equal(vm_region_add(x->s, DV, DV + ND * PG, RW, VM_ANON, NULL), 0);
	x->dn = ND;
	assert_int_equal(vm_region_add(x->s, IV, IV + NI * PG, RW, VM_IMAGE, &img), 0);
	x->ipresent = 1;
	for (int i = 0; i < NI; i++)
		x->img[i] = (uint8_t)(0x40 + i);
}

static void do_fork(int from, int to)
{
	struct sp *p = &m[from], *c = &m[to];
	int r;

	armed = 0;
	c->s = fake_space(next_as);
	vm_space_budget_share(c->s, p->s);
	armed = !in_other;
	c->as = next_as++;
	r = vm_fork(p->s, c->s);
	if (r < 0) {
		if (!inject && !opt.budgets && !in_other)
			fail_msg("seed %lu step %u: fork failed %d without injection", seed_no, step_no, r);
		vm_space_destroy(c->s);
		memset(c, 0, sizeof(*c));
		return;
	}
	struct vm_space *s = c->s;
	int as = c->as;
	*c = *p;
	c->s = s, c->as = as;
}

static void do_unmap(int k)
{
	uint64_t va = random_va();
	unsigned n = 1 + rand() % 3;
	uint64_t end = va + n * PG;
	int r;

	/* keep within one area */
	if ((va >= DV && va < DV + ND * PG)) {
		/* only a tail of the discard region */
		if (!m[k].dn)
			return;
		va = DV + (uint64_t)(rand() % m[k].dn) * PG;
		end = DV + m[k].dn * PG;
	}
	if (va >= HV)
		return;	/* the heap: resize's */
	r = vm_unmap_range(m[k].s, va, end);
	if (r < 0) {
		if (!inject)
			fail_msg("seed %lu step %u: unmap failed %d", seed_no, step_no, r);
		return;
	}
	for (uint64_t a = va; a < end; a += PG) {
		if (a >= PV && a < PV + NP * PG)
			m[k].pv[(a - PV) / PG] = 0, m[k].p[(a - PV) / PG] = 0;
		else if (a >= SV && a < SV + NSH * PG)
			m[k].sh[(a - SV) / PG] = NULL;
		else if (a >= IV && a < IV + NI * PG)
			m[k].ipresent = 0;
	}
	if (va >= DV && va < DV + ND * PG) {
		m[k].dn = (unsigned)((va - DV) / PG);
		for (unsigned i = m[k].dn; i < ND; i++)
			m[k].d[i] = m[k].dmaybe[i] = 0;
		if (!m[k].dn)
			m[k].dunlocked = 0;
	}
	if (va >= IV && va < IV + NI * PG) {
		/* the whole image region goes in the model: unmap the rest too */
		assert_int_equal(vm_unmap_range(m[k].s, IV, IV + NI * PG) >= 0 || inject, 1);
		if (vm_region_find(m[k].s, IV) || vm_region_find(m[k].s, IV + (NI - 1) * PG)) {
			/* a cut refused: leave the model in step by unmapping again later */
			for (int i = 0; i < NI; i++)
				if (vm_region_find(m[k].s, IV + i * PG))
					vm_unmap_range(m[k].s, IV + i * PG, IV + (i + 1) * PG);
		}
	}
}

static void do_readd(int k)
{
	struct sp *x = &m[k];
	int i = rand() % NP;

	if (!x->pv[i]) {
		int r = vm_region_add(x->s, PV + i * PG, PV + (i + 1) * PG, RW, VM_ANON, NULL);
		if (r == 0)
			x->pv[i] = 1, x->p[i] = 0;
		else if (!inject)
			fail_msg("readd private %d", r);
	}
	i = rand() % NSH;
	if (!x->sh[i]) {
		int r = vm_region_add(x->s, SV + i * PG, SV + (i + 1) * PG, RW, VM_SHARED, NULL);
		if (r == 0)
			x->sh[i] = new_cell();
		else if (!inject)
			fail_msg("readd shared %d", r);
	}
	if (!x->dn) {
		int r = vm_region_add(x->s, DV, DV + ND * PG, RW, VM_ANON, NULL);
		if (r == 0) {
			x->dn = ND;
			memset(x->d, 0, ND);
			memset(x->dmaybe, 0, ND);
			x->dunlocked = 0;
		}
	}
	if (!x->ipresent && !vm_region_find(x->s, IV) && !vm_region_find(x->s, IV + (NI - 1) * PG)) {
		struct vm_image img = { file, 0, IV, NI * PG };
		int ok = 1;
		for (int j = 0; j < NI; j++)
			ok &= !vm_region_find(x->s, IV + j * PG);
		if (ok && vm_region_add(x->s, IV, IV + NI * PG, RW, VM_IMAGE, &img) == 0) {
			x->ipresent = 1;
			for (int j = 0; j < NI; j++)
				x->img[j] = (uint8_t)(0x40 + j);
		}
	}
}

static void do_heap(int k)
{
	struct sp *x = &m[k];
	unsigned want = (unsigned)(rand() % (NH + 1));
	int r;

	if (want == x->hn)
		return;
	if (x->hn == 0)
		r = vm_region_add(x->s, HV, HV + want * PG, RW, VM_ANON, NULL);
	else if (want == 0)
		r = vm_unmap_range(x->s, HV, HV + x->hn * PG);
	else
		r = vm_region_resize(x->s, HV + x->hn * PG, HV + want * PG);
	if (r < 0) {
		if (!inject)
			fail_msg("heap %u -> %u: %d", x->hn, want, r);
		return;
	}
	for (unsigned i = x->hn; i < want; i++)
		x->h[i] = 0;
	x->hn = want;
}

static void do_discard(int k)
{
	struct sp *x = &m[k];
	int r;

	if (!x->dn)
		return;
	if (rand() % 2) {
		r = vm_discard_unlock(x->s, DV, DV + x->dn * PG);
		if (r < 0)
			return;	/* not exactly one region (a cut) */
		x->dunlocked = 1;
		for (unsigned i = 0; i < x->dn; i++)
			x->dmaybe[i] = 1;
	} else {
		r = vm_discard_lock(x->s, DV, DV + x->dn * PG);
		if (r < 0)
			return;
		if (r == 0 && x->dunlocked) {
			/* nothing went: every page must be as written */
			for (unsigned i = 0; i < x->dn; i++)
				check_page(k, DV + i * PG, x->d[i], 0, 1, "discard(lock said kept)");
		}
		/* settle the model with what is there now */
		for (unsigned i = 0; i < x->dn; i++) {
			if (!x->dmaybe[i])
				continue;
			const struct vm_region *rr = vm_region_find(x->s, DV + i * PG);
			uint32_t e = region_entry(rr, (DV + i * PG - rr->start) / PG);
			const uint8_t *c = entry_frame(e) ? frame_ptr(entry_frame(e)) :
					   entry_slot(e) ? sw.disk[entry_slot(e)] : NULL;
			if (!e || (c[0] == 0 && c[PG - 1] == 0))
				x->d[i] = 0;
			x->dmaybe[i] = 0;
		}
		x->dunlocked = 0;
	}
}

static void other_thread(void)
{
	int k = rand() % NSP;

	int save = armed;

	if (rand() % 3)
		return;
	int fp = fake.fail_protect, fh = fake.fail_harvest, mb = fake.map_budget, fc = fake.fail_copy;

	armed = 0;
	if (!opt.engine_fails)
		fake.fail_protect = fake.fail_harvest = fake.fail_copy = 0, fake.map_budget = -1;
	in_other = 1;
	switch (rand() % 5) {
	case 0:
		if (m[k].s)
			kill_space(k);
		break;
	case 1:
		if (m[k].s)
			do_unmap(k);
		else
			for (int j = 0; j < NSP; j++)
				if (m[j].s) {
					do_fork(j, k);
					break;
				}
		break;
	case 2:
		if (ninflight)
			finish_write((unsigned)(rand() % ninflight));
		break;
	case 3:
		engine_random_batch(rand() % 2);
		break;
	default:
		if (m[k].s && opt.sync_reads)
			do_write(k, random_va());
		break;
	}
	in_other = 0;
	armed = save;
	if (!opt.engine_fails)
		fake.fail_protect = fp, fake.fail_harvest = fh, fake.fail_copy = fc, fake.map_budget = mb;
}

static void one_step(void)
{
	int k = rand() % NSP;
	int op = rand() % 20;

	inject = rand() % 4 == 0;
	fail_pct = inject ? (unsigned)(1 + rand() % 30) : 0;
	if (inject && op < 12) {
		int w = rand() % 5;
		if (w == 0)
			fake.map_budget = rand() % 4;
		else if (w == 1)
			fake.fail_protect = 1;
		else if (w == 2)
			fake.fail_copy = 1;
		else if (w == 3)
			fake.fail_harvest = 1;
	}
	unlock_reads = opt.sync_reads ? rand() % 2 : 1;
	fake.queue_held = rand() % 2;
	keep_copies_on = rand() % 3 != 0;
	if (!m[k].s) {
		int from = -1;
		for (int j = 0; j < NSP; j++)
			if (m[j].s && (from < 0 || rand() % 2))
				from = j;
		if (from >= 0 && op < 10) {
			armed = 1;
			do_fork(from, k);
			armed = 0;
		} else if (from < 0) {
			m[k].s = fake_space(next_as);
			m[k].as = next_as++;
			if (opt.budgets && rand() % 2)
				assert_int_equal(vm_space_budget_new(m[k].s, (uint64_t)(1 + rand() % 12) * 1100), 0);
			add_regions(k);
		}
		goto out;
	}
	armed = 1;
	if (op < 6)
		do_write(k, random_va());
	else if (op < 9)
		do_read(k, random_va());
	else if (op < 10)
		do_unmap(k);
	else if (op < 11)
		do_readd(k);
	else if (op < 12)
		do_heap(k);
	else if (op < 13)
		do_discard(k);
	else if (op < 14) {
		armed = 0;
		vm_discard_some(1 + rand() % 4, 16);
	} else if (op < 16) {
		armed = 0;
		engine_random_batch(rand() % 2);
	} else if (op < 17) {
		armed = 0;
		if (ninflight)
			finish_write((unsigned)(rand() % ninflight));
	} else if (op < 18) {
		armed = 0;
		if (rand() % 8 == 0)
			kill_space(k);
	} else if (op < 19) {
		armed = 0;
		/* memory pressure: hog or give back */
		if (rand() % 2 && frames_free() > 4) {
			uint64_t pa = frame_alloc_pinned();
			if (pa)
				hog[nhog++] = pa;
		} else if (nhog) {
			frame_free(hog[--nhog]);
		}
	} else if (rand() % 2) {
		armed = 0;
		/* a program asks its page's bits (PAGER_PAGE_BITS), or reclaim's look */
		uint64_t va = random_va();
		struct harvest_entry h = { (uint32_t)m[k].as, HARVEST_ACCESSED | HARVEST_DIRTY, va };
		uint64_t pa = vm_lookup(m[k].s, va);
		if (rand() % 2) {
			vm_harvest(&h, &pa, 1);
		} else if (pa) {
			vm_frames_clear_accessed(&pa, 1);
		}
	} else {
		armed = 0;
		/* full read-through of space k */
		for (int i = 0; i < NP && m[k].s; i++)
			do_read(k, PV + i * PG);
	}
out:
	armed = 0;
	fake.map_budget = -1;
	fake.fail_protect = fake.fail_copy = fake.fail_harvest = 0;
	inject = 0;
	fail_pct = 0;
}

static void run_seed(unsigned long seed, unsigned steps)
{
	uint64_t free0;

	seed_no = seed;
	srand((unsigned)seed);
	opt.read_fails = rand() % 2;
	opt.sync_reads = rand() % 2;
	opt.engine_fails = rand() % 2;
	opt.budgets = rand() % 2;
	memset(&sw, 0, sizeof(sw));
	memset(m, 0, sizeof(m));
	ninflight = 0;
	nhog = 0;
	ncells = 0;
	next_as = 1;
	fake_setup(rand() % 2 ? 0 : 4);
	assert_int_equal(swapcache_init(NSLOT - 1), 0);
	my_ops = sw_ra_ops;
	my_ops.read = my_read;
	my_ops.read_many = rand() % 2 ? my_read_many : NULL;
	my_ops.read_further = my_ops.read_many && rand() % 2 ? my_read_further : NULL;
	my_ops.wait = my_wait;
	my_ops.keep_copies = my_keep;
	vm_set_swap(&my_ops);
	vm_set_readahead(my_ops.read_many ? 4 : 0);
	vm_set_reclaim(my_reclaim);
	heap_set_refill(my_refill);
	free0 = frames_free();
	for (unsigned k = 0; k < FAKE_FRAMES - 140; k++) {
		uint64_t pa = frame_alloc_pinned();
		if (!pa)
			break;
		hog[nhog++] = pa;
	}
	for (step_no = 0; step_no < steps; step_no++) {
		one_step();
		check_consistency();
	}
	/* the end: writes over, spaces gone, nothing left */
	while (ninflight)
		finish_write(0);
	for (int k = 0; k < NSP; k++)
		if (m[k].s)
			kill_space(k);
	check_consistency();
	while (nhog)
		frame_free(hog[--nhog]);
	for (uint32_t s = 1; s < NSLOT; s++) {
		if (sw.refs[s])
			fail_msg("seed %lu: slot %u left with %d refs", seed, s, sw.refs[s]);
		free(sw.disk[s]);
		sw.disk[s] = NULL;
	}
	if (frames_free() != free0) {
		for (unsigned f = 0; f < FAKE_FRAMES; f++) {
			const struct frame *d = frame_desc(FAKE_RAM_BASE + f * PG);
			if (d->state != FRAME_FREE && d->state != FRAME_RESERVED)
				fprintf(stderr, "frame %u state %d flags %x swap %u map %u obj %u\n", f, d->state, d->flags, d->swap, d->mapcount, d->obj);
		}
	}
	if (frames_free() != free0)
		fail_msg("seed %lu: %lu frames free at the end, expected %lu", seed,
			 (unsigned long)frames_free(), (unsigned long)free0);
	heap_set_refill(NULL);
	fake_teardown();
}

static void test_random(void **state)
{

	(void)state;
	for (int i = 0; i < NI; i++) {
		file[i * PG] = (uint8_t)(0x40 + i);
		file[i * PG + PG - 1] = (uint8_t)((0x40 + i) ^ 0x5a);
	}
	for (unsigned long s = 1; s <= SEEDS; s++)
		run_seed(s, STEPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
