/*
 * A random model test of pager/base/mmu.c's batching (host, deterministic:
 * fixed seeds). The VM core's changes (map, map runs, unmap, unmap
 * ranges, protect, copies of one space's tables into another, harvests,
 * unmaps held back) go through the real mmu.c to a fake kernel of page
 * tables, one a process handle, whose processes end (their tables gone,
 * every call on them -ERR_SRCH) and are reaped (mmu_forget, the handle
 * closed and soon given to a new process) with changes held for them; the
 * kernel refuses a SYS_MAP part way (the entries before the refused one
 * made, the refused one a page with no mapping), a harvest of held
 * unmaps whole and an unmap, by chance; a map may put another frame over
 * a mapped page, and never leaves it on the old one. A model
 * of each space as the VM core sees it is checked against the kernel's tables
 * wherever mmu.h says the kernel has every change: after a flush, a fault
 * reply's take (its entries then put in by the test, as the kernel does
 * with the reply), a harvest (it sees every map made before it), a copy,
 * a protect; an unmap not held is made at once; a refused unmap is told
 * to its caller, or at its hold's end. A call naming a handle
 * closed, or one forgotten before it is closed, is a failure, and so is a
 * batch past its bound. MMU_RAND_SEEDS=first:count by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/mmu.h"
#include "sys.h"
#include "rand_met.h"

#define SEEDS 200
#define STEPS 2000
#define NH 8		/* handles 1..NH-1 name processes */
#define NPG 96		/* pages each space may map: more than a batch */
#define VA0 0x100000UL
#define REPLY_MAX 21	/* a fault reply's entries (fault.c's REPLY_MAPS) */

static unsigned long seed_no;
static unsigned step_no;
static int tracing;

#define trace(...) do { if (tracing) fprintf(stderr, __VA_ARGS__); } while (0)

static struct {
	unsigned full_batch, map_refused, unmap_refused, hold_refused, harvest_refused, held_sent,
		ended_calls, forgot_held, reused, take_left, copied, remapped, remap_refused;
} met;

#define check(cond, ...) RAND_CHECK(seed_no, step_no, cond, __VA_ARGS__)
#define rnd rand_below
#define chance rand_chance

/* ================= the fake kernel ================= */
enum hstate { H_CLOSED, H_LIVE, H_ENDED };
struct pte {
	uint64_t pa;		/* 0: none */
	unsigned perm;
};
static enum hstate hs[NH];
static struct pte kt[NH][NPG];		/* the kernel's tables */
static int forgotten = -1;		/* mmu_forget's space, till mmu_forget(-1) */
static unsigned bad_calls;
static unsigned inj_map, inj_harvest, inj_unmap;	/* refusals' chances, per seed */
/* The unmap call whose refusal its caller is told (a direct unmap's:
 * handle, address, pages; 0: none), told from held ones sent before it. */
static struct { int h; uintptr_t va; size_t n; } direct;
static unsigned held_refusals;	/* held unmaps refused since the hold began */

static int page_of(uint64_t va)
{
	return va >= VA0 && va < VA0 + NPG * PAGE_SIZE && !(va & (PAGE_SIZE - 1))
		       ? (int)((va - VA0) / PAGE_SIZE) : -1;
}

/* What a call naming h gets before it acts: 0 (live), -ERR_SRCH (ended),
 * -ERR_BADF (no such handle: a call never to be made, counted). */
static int target(int h)
{
	if (h <= 0 || h >= NH || hs[h] == H_CLOSED || h == forgotten) {
		bad_calls++;
		return -ERR_BADF;
	}
	if (hs[h] == H_ENDED) {
		met.ended_calls++;
		return -ERR_SRCH;
	}
	return 0;
}

/* The model's pages whose change the kernel refused: a map (the kernel
 * may lack the page, or keep its old permissions), a held unmap (the
 * kernel may keep the page, its frames retired by the hold's caller). */
enum { MAP_REFUSED = 1, UNMAP_REFUSED = 2 };
static uint8_t refused_pg[NH][NPG];

int sys_map(int proc, const struct map_entry *e, size_t n)
{
	int r = target(proc);
	size_t stop = n;

	if (n == 0 || n > MMU_BATCH) {
		bad_calls++;
		return -ERR_INVAL;
	}
	met.full_batch += n == MMU_BATCH;
	trace("  sys_map %d 0x%lx %zu\n", proc, (unsigned long)e[0].va, n);
	if (r < 0)
		return r;
	/* Refused at an entry whose page has no mapping (its table may be
	 * missing: -ERR_NOMEM); one over a mapped page has its table, and is
	 * never refused (kernel/vmcall.h). */
	if (inj_map && chance(inj_map))
		for (stop = rnd((unsigned)n); stop < n && kt[proc][page_of(e[stop].va)].pa; stop++)
			;
	for (size_t k = 0; k < n; k++) {
		int pg = page_of(e[k].va);
		check(pg >= 0 && e[k].pa, "a map of 0x%lx", (unsigned long)e[k].va);
		/* Every page of a refused call: mmu.c may send it again, dirty. */
		if (stop < n)
			refused_pg[proc][pg] |= MAP_REFUSED;
		if (k >= stop) {
			met.remap_refused += kt[proc][pg].pa && kt[proc][pg].pa != e[k].pa;
			continue;
		}
		kt[proc][pg] = (struct pte){ e[k].pa, (unsigned)e[k].perm };
		refused_pg[proc][pg] &= (uint8_t)~UNMAP_REFUSED;
	}
	if (stop < n) {
		trace("  refused from entry %zu\n", stop);
		met.map_refused++;
		return -ERR_NOMEM;
	}
	return (int)n;
}

int sys_unmap(int proc, uintptr_t va, size_t n)
{
	int r = target(proc), pg = page_of(va);

	trace("  sys_unmap %d 0x%lx %zu\n", proc, (unsigned long)va, n);
	if (r < 0)
		return r;
	check(pg >= 0 && pg + n <= NPG, "an unmap of 0x%lx %zu", (unsigned long)va, n);
	if (inj_unmap && chance(inj_unmap)) {	/* as for a bad handle: nothing done */
		for (size_t k = 0; k < n; k++)
			refused_pg[proc][pg + k] |= UNMAP_REFUSED;
		met.unmap_refused++;
		held_refusals += !(proc == direct.h && va == direct.va && n == direct.n);
		return -ERR_INVAL;
	}
	for (size_t k = 0; k < n; k++) {
		kt[proc][pg + k] = (struct pte){ 0, 0 };
		refused_pg[proc][pg + k] &= (uint8_t)~UNMAP_REFUSED;
	}
	return 0;
}

int sys_protect(int proc, uintptr_t va, size_t n, int perm)
{
	int r = target(proc), pg = page_of(va);

	if (r < 0)
		return r;
	check(pg >= 0 && pg + n <= NPG, "a protect of 0x%lx %zu", (unsigned long)va, n);
	for (size_t k = 0; k < n; k++) {
		if (!kt[proc][pg + k].pa)
			return -ERR_INVAL;	/* arch_pt_protect: stops there */
		kt[proc][pg + k].perm = (unsigned)perm;
	}
	return 0;
}

int sys_copy_maps(int from, int to, uintptr_t va, size_t n, int perm)
{
	int r = target(from), pg = page_of(va);

	if (r < 0 || (r = target(to)) < 0)
		return r;
	check(pg >= 0 && pg + n <= NPG && from != to, "a copy");
	for (size_t k = 0; k < n; k++)
		if (kt[from][pg + k].pa)
			kt[to][pg + k] = (struct pte){ kt[from][pg + k].pa, (unsigned)perm };
	return 0;
}

/* Checked whole first (a closed handle fails it all), then each entry:
 * an ended process's answer 0. A call of unmaps alone (mmu.c's held
 * ones) refused whole by chance. */
int sys_harvest(struct harvest_entry *e, size_t n)
{
	int unmaps_only = 1;

	trace("  sys_harvest %zu: %u 0x%lx bits %x\n", n, e[0].proc, (unsigned long)e[0].va,
	      e[0].bits);
	if (n == 0 || n > HARVEST_MAX) {
		bad_calls++;
		return -ERR_INVAL;
	}
	for (size_t k = 0; k < n; k++) {
		int h = (int)e[k].proc, pg = page_of(e[k].va);
		if (h <= 0 || h >= NH || hs[h] == H_CLOSED || h == forgotten || pg < 0 ||
		    pg + harvest_run_pages(e[k].bits) > NPG) {
			bad_calls++;
			return -ERR_BADF;
		}
	}
	for (size_t k = 0; k < n && unmaps_only; k++)
		unmaps_only = (e[k].bits & HARVEST_UNMAP) != 0;
	if (unmaps_only && inj_harvest && chance(inj_harvest)) {
		met.harvest_refused++;
		return -ERR_NOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		int h = (int)e[k].proc, pg = page_of(e[k].va);
		uint32_t in = e[k].bits, out = 0;
		if (hs[h] == H_ENDED) {
			e[k].bits = 0;
			continue;
		}
		for (uint32_t i = 0; i < harvest_run_pages(in); i++) {
			struct pte *p = &kt[h][pg + i];
			if (in & HARVEST_UNMAP)
				refused_pg[h][pg + i] &= (uint8_t)~UNMAP_REFUSED;
			if (!p->pa)
				continue;
			out |= HARVEST_PRESENT;
			if (in & HARVEST_UNMAP)
				*p = (struct pte){ 0, 0 };
			else if (in & HARVEST_PROTECT)
				p->perm &= ~(unsigned)MAP_W;
		}
		e[k].bits = out;
	}
	return (int)n;
}

/* ================= the model: each space as the VM core sees it ================= */
static struct pte mt[NH][NPG];
static int holding;

static const unsigned perms[] = { MAP_R, MAP_R | MAP_W, MAP_R | MAP_X, MAP_R | MAP_W | MAP_CLEAN };

static uint64_t va_of(int pg)
{
	return VA0 + (uint64_t)pg * PAGE_SIZE;
}

/* Page pg of h: the kernel's as the model's. A page whose map was refused
 * may be missing, or keep the permissions it had: never another frame; one
 * whose held unmap was refused may keep its old frame till the kernel
 * next changes the page (the hold's caller retires that frame). */
static void check_page(int h, int pg)
{
	const struct pte *k = &kt[h][pg], *m = &mt[h][pg];

	if (hs[h] != H_LIVE)
		return;
	if (k->pa == m->pa && k->perm == m->perm)
		return;
	if (refused_pg[h][pg] & UNMAP_REFUSED)
		return;		/* the old frame may stay, whatever came after */
	check((refused_pg[h][pg] & MAP_REFUSED) && (!k->pa || k->pa == m->pa),
	      "handle %d 0x%lx: kernel %lx perm %u, model %lx perm %u%s", h,
	      (unsigned long)va_of(pg), (unsigned long)k->pa, k->perm, (unsigned long)m->pa,
	      m->perm, refused_pg[h][pg] ? " (a change refused)" : "");
}

static void check_space(int h)
{
	for (int pg = 0; pg < NPG; pg++)
		check_page(h, pg);
}

static void check_all(void)
{
	check(bad_calls == 0, "%u calls naming no process", bad_calls);
	for (int h = 1; h < NH; h++)
		check_space(h);
}

/* A live handle at random, or 0. */
static int live(void)
{
	int hh[NH], n = 0;

	for (int h = 1; h < NH; h++)
		if (hs[h] == H_LIVE || (hs[h] == H_ENDED && chance(20)))
			hh[n++] = h;
	return n ? hh[rnd((unsigned)n)] : 0;
}

static void set_map(int h, int pg, uint64_t pa, unsigned perm)
{
	trace("  model %d 0x%lx: %lx %u\n", h, (unsigned long)va_of(pg), (unsigned long)pa, perm);
	mt[h][pg] = (struct pte){ pa, perm };
	refused_pg[h][pg] &= (uint8_t)~MAP_REFUSED;	/* an unmap's stays till the kernel's own */
}

/* ================= the steps ================= */
static const struct mmu_ops *ops;

/* A frame for page pg of h, as the VM core maps: a new page's, or the
 * frame mapped there already with other permissions (a write fault's
 * upgrade), or by chance another frame over it (a copy-on-write break's
 * copy, which today goes in the fault's reply; mmu.c makes it safe in a
 * SYS_MAP too). */
static uint64_t frame_for(int h, int pg)
{
	if (mt[h][pg].pa && !chance(20))
		return mt[h][pg].pa;
	met.remapped += mt[h][pg].pa != 0;
	return 0x80000000UL + (uint64_t)(1 + rnd(4096)) * PAGE_SIZE;
}

static void step_map(int h)
{
	int pg = (int)rnd(NPG);
	uint64_t pa = frame_for(h, pg);
	unsigned perm = perms[rnd(4)];

	set_map(h, pg, pa, perm);	/* first: a refusal while it is made marks it */
	check(ops->map(ops->ctx, h, va_of(pg), pa, perm) == 0, "map");
}

static void step_map_run(int h)
{
	struct map_entry e[NPG];
	int pg = (int)rnd(NPG), n = 1 + (int)rnd(chance(20) ? NPG : 16);
	unsigned perm = perms[rnd(4)];

	if (pg + n > NPG)
		n = NPG - pg;
	for (int k = 0; k < n; k++)
		e[k] = (struct map_entry){ va_of(pg + k), frame_for(h, pg + k), perm };
	for (int k = 0; k < n; k++)	/* first, as step_map's */
		set_map(h, pg + k, e[k].pa, perm);
	check(ops->map_run(ops->ctx, h, e, (size_t)n) == (size_t)n, "map_run");
}

/* A direct unmap the kernel refused (r): the pages are as the kernel has
 * them, the caller told (the VM core keeps them). */
static void unmap_refused(int h, int pg, int n, int r)
{
	check(r < 0 && hs[h] == H_LIVE && (refused_pg[h][pg] & UNMAP_REFUSED),
	      "unmap of handle %d 0x%lx: %d", h, (unsigned long)va_of(pg), r);
	for (int k = 0; k < n; k++) {
		mt[h][pg + k] = kt[h][pg + k];
		refused_pg[h][pg + k] = 0;
	}
}

static void step_unmap(int h)
{
	int pg = (int)rnd(NPG), r;

	set_map(h, pg, 0, 0);	/* first: a refusal while it is made marks it */
	if (!holding)
		direct.h = h, direct.va = va_of(pg), direct.n = 1;
	r = ops->unmap(ops->ctx, h, va_of(pg));
	direct.h = 0;
	if (r != 0)
		unmap_refused(h, pg, 1, r);
	if (!holding)
		check_page(h, pg);
}

static void step_unmap_range(int h)
{
	int pg = (int)rnd(NPG), n = 1 + (int)rnd(12), r;

	if (pg + n > NPG)
		n = NPG - pg;
	for (int k = 0; k < n; k++)
		set_map(h, pg + k, 0, 0);
	direct.h = h, direct.va = va_of(pg), direct.n = (size_t)n;
	r = ops->unmap_range(ops->ctx, h, va_of(pg), (uint64_t)n);
	direct.h = 0;
	if (r != 0)
		unmap_refused(h, pg, n, r);
	for (int k = 0; k < n; k++)
		check_page(h, pg + k);
}

/* Only pages the VM core knows present, each of them made in the kernel
 * (a refused map's page is refused again, as the fork's protect is). */
static void step_protect(int h)
{
	int pg = (int)rnd(NPG), n = chance(50) ? 1 : 1 + (int)rnd(8), r;
	unsigned perm = perms[rnd(4)] & ~(unsigned)MAP_CLEAN;
	int refused = 0;

	if (pg + n > NPG)
		n = NPG - pg;
	for (int k = 0; k < n; k++)
		if (!mt[h][pg + k].pa)
			return;
	r = n == 1 ? ops->protect(ops->ctx, h, va_of(pg), perm)
		   : ops->protect_range(ops->ctx, h, va_of(pg), (uint64_t)n, perm);
	for (int k = 0; k < n; k++)
		refused |= refused_pg[h][pg + k];	/* the maps it sent first, too */
	if (r < 0) {
		check(refused && hs[h] == H_LIVE, "protect refused: %d", r);
		for (int k = 0; k < n; k++)	/* a prefix changed: the kernel's is the VM core's */
			if (kt[h][pg + k].pa)
				mt[h][pg + k] = kt[h][pg + k];
		return;
	}
	for (int k = 0; k < n; k++) {
		mt[h][pg + k].perm = perm;
		check_page(h, pg + k);
	}
}

static void step_copy(int from)
{
	int to = live(), pg = (int)rnd(NPG), n = 1 + (int)rnd(16), r;
	unsigned perm = MAP_R;

	if (!to || to == from)
		return;
	if (pg + n > NPG)
		n = NPG - pg;
	r = ops->copy_range(ops->ctx, from, to, va_of(pg), (uint64_t)n, perm);
	check(r == 0, "copy_range: %d", r);
	if (hs[from] != H_LIVE || hs[to] != H_LIVE)
		return;		/* an ended process's tables are gone: nothing copied */
	met.copied++;
	for (int k = 0; k < n; k++)
		if (mt[from][pg + k].pa && !refused_pg[from][pg + k])
			set_map(to, pg + k, mt[from][pg + k].pa, perm);
		else if (mt[from][pg + k].pa || refused_pg[from][pg + k])
			/* the kernel copies what it has: the page's absence, or its own */
			mt[to][pg + k] = kt[to][pg + k], refused_pg[to][pg + k] = 0;
	check_all();
}

/* A harvest sees every map made before it: each page's presence as the
 * model's (a page whose map was refused may be absent). */
static void step_harvest(void)
{
	struct harvest_entry e[8];
	int pgs[8], hh[8], protect[8], n = 0, r;

	for (int k = 0; k < 8; k++) {
		int h = live();
		if (!h)
			break;
		pgs[n] = (int)rnd(NPG), hh[n] = h, protect[n] = chance(20);
		e[n] = (struct harvest_entry){ (uint32_t)h, protect[n] ? HARVEST_PROTECT : 0,
					       va_of(pgs[n]) };
		n++;
	}
	if (!n)
		return;
	r = ops->harvest(ops->ctx, e, (size_t)n);
	check(r == 0, "harvest: %d", r);
	for (int k = 0; k < n; k++) {
		int h = hh[k], pg = pgs[k];
		if (hs[h] != H_LIVE)
			continue;
		check((e[k].bits & HARVEST_PRESENT) == (mt[h][pg].pa ? HARVEST_PRESENT : 0) ||
		      ((refused_pg[h][pg] & MAP_REFUSED) && !(e[k].bits & HARVEST_PRESENT)) ||
		      (refused_pg[h][pg] & UNMAP_REFUSED),
		      "harvest of handle %d 0x%lx: bits %u, model %lx", h, (unsigned long)va_of(pg),
		      e[k].bits, (unsigned long)mt[h][pg].pa);
	}
	/* the protects, in the model too */
	for (int k = 0; k < n; k++)
		if (protect[k] && hs[hh[k]] == H_LIVE && mt[hh[k]][pgs[k]].pa)
			mt[hh[k]][pgs[k]].perm &= ~(unsigned)MAP_W;
	check_all();
}

/* A fault of h answered: its maps held taken into the reply, the rest
 * flushed (fault.c's resume, and the lock let go), then the reply's
 * entries put in as the kernel does. */
static void step_take(int h)
{
	struct map_entry out[MMU_BATCH];
	size_t max = chance(80) ? REPLY_MAX : 1 + rnd(MMU_BATCH);
	size_t n = mmu_take(h, out, max);

	check(n <= max, "took %zu of %zu", n, max);
	trace("  take %d: %zu of max %zu\n", h, n, max);
	for (size_t k = 0; k < n; k++)
		trace("    0x%lx %lx %lu\n", (unsigned long)out[k].va, (unsigned long)out[k].pa,
		      (unsigned long)out[k].perm);
	met.take_left += n == max;
	mmu_flush();
	for (size_t k = 0; k < n && hs[h] == H_LIVE; k++) {
		int pg = page_of(out[k].va);
		check(pg >= 0, "a reply's entry");
		kt[h][pg] = (struct pte){ out[k].pa, (unsigned)out[k].perm };
	}
	check_all();
}

static void step_hold(void)
{
	int r;

	if (!holding) {
		holding = 1;
		held_refusals = 0;
		check(ops->hold_unmaps(ops->ctx, 1) == 0, "hold on");
		return;
	}
	holding = 0;
	r = ops->hold_unmaps(ops->ctx, 0);
	check((r < 0) == (held_refusals > 0), "hold off: %d, %u held unmaps refused", r,
	      held_refusals);
	met.hold_refused += r < 0;
	met.held_sent++;	/* the maps held stay held: checked at the next flush */
}

/* The process ends: the kernel frees its tables; the pager learns later. */
static void step_end(int h)
{
	if (hs[h] != H_LIVE)
		return;
	hs[h] = H_ENDED;
	memset(kt[h], 0, sizeof(kt[h]));
}

/* Reaped, as service_reap: forgotten, its space destroyed (unmaps that
 * must make no call), forgotten no more, its handle closed. */
static void step_reap(int h)
{
	int n = (int)rnd(6);

	mmu_forget(h);
	forgotten = h;
	for (int k = 0; k < n; k++) {
		int pg = (int)rnd(NPG);
		if (chance(50))
			(void)ops->unmap(ops->ctx, h, va_of(pg));
		else
			(void)ops->unmap_range(ops->ctx, h, va_of(pg), 1);
	}
	mmu_forget(-1);
	forgotten = -1;
	hs[h] = H_CLOSED;
	memset(kt[h], 0, sizeof(kt[h]));
	memset(mt[h], 0, sizeof(mt[h]));
	memset(refused_pg[h], 0, sizeof(refused_pg[h]));
	met.forgot_held++;
}

/* A new process, given the lowest handle free (as the kernel's table
 * does), with empty tables. */
static void step_new(void)
{
	for (int h = 1; h < NH; h++)
		if (hs[h] == H_CLOSED) {
			met.reused += h < NH - 1 && step_no > 1;
			hs[h] = H_LIVE;
			return;
		}
}

static void one_step(void)
{
	unsigned k = rnd(100);
	int h = live();

	trace("step %u: handle %d kind %u\n", step_no, h, k);

	if (!h || chance(3)) {
		step_new();
		return;
	}
	if (k < 22)
		step_map(h);
	else if (k < 34)
		step_map_run(h);
	else if (k < 46)
		step_unmap(h);
	else if (k < 52)
		step_unmap_range(h);
	else if (k < 60)
		step_protect(h);
	else if (k < 64)
		step_copy(h);
	else if (k < 68)
		step_harvest();
	else if (k < 78)
		step_take(h);
	else if (k < 82) {
		mmu_flush();
		check_all();
	} else if (k < 90)
		step_hold();
	else if (k < 94)
		step_end(h);
	else if (hs[h] == H_ENDED || chance(30))
		step_reap(h);
}

static void run_seed(unsigned long seed, unsigned steps)
{
	seed_no = seed;
	srand((unsigned)seed);
	memset(hs, 0, sizeof(hs));
	memset(kt, 0, sizeof(kt));
	memset(mt, 0, sizeof(mt));
	memset(refused_pg, 0, sizeof(refused_pg));
	bad_calls = 0;
	holding = 0;
	inj_map = chance(50) ? 1 + rnd(10) : 0;
	inj_harvest = chance(50) ? 5 + rnd(30) : 0;
	inj_unmap = chance(30) ? 1 + rnd(4) : 0;
	for (step_no = 1; step_no <= steps; step_no++)
		one_step();
	if (holding)
		step_hold();	/* off */
	mmu_flush();
	check_all();
	for (int h = 1; h < NH; h++)
		if (hs[h] != H_CLOSED) {
			step_end(h);
			step_reap(h);
		}
}

static const struct met_kind met_kinds[] = {
	{ "a full batch sent", &met.full_batch },
	{ "a map refused part way", &met.map_refused },
	{ "an unmap refused", &met.unmap_refused },
	{ "a hold's end told of its refusal", &met.hold_refused },
	{ "the held unmaps' harvest refused", &met.harvest_refused },
	{ "a hold of unmaps ended", &met.held_sent },
	{ "a call on an ended process", &met.ended_calls },
	{ "a process reaped", &met.forgot_held },
	{ "a handle given again", &met.reused },
	{ "a reply's take full", &met.take_left },
	{ "a copy between live spaces", &met.copied },
	{ "another frame mapped over a page", &met.remapped },
	{ "another frame over a page left by a refused map", &met.remap_refused },
};

static void test_random(void **state)
{
	unsigned long first, n = SEEDS;
	bool by_hand = rand_seeds("MMU_RAND_SEEDS", &first, &n);

	(void)state;
	ops = mmu_ops();
	tracing = getenv("MMU_RAND_TRACE") != NULL;
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s, STEPS);
	rand_met(met_kinds, sizeof(met_kinds) / sizeof(met_kinds[0]), by_hand);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
