/*
 * The test rig of vm_fake.h: a recording mmu_ops and a frame table over a
 * buffer, and the cross-check of the fake's mappings against the VM core.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host_pages.h"
#include "kernel/abi/vm.h"
#include "vm/swapcache.h"
#include "vm_fake.h"

struct fake_mmu fake;
uint8_t *fake_ram;

static struct fake_map *find(int as, uint64_t va)
{
	for (int i = 0; i < FAKE_MAPS; i++)
		if (fake.m[i].used && fake.m[i].as == as && fake.m[i].va == va)
			return &fake.m[i];
	return NULL;
}

/* The kernel's rules: page aligned, some permission, W only with R. */
static int perm_ok(unsigned perm)
{
	return (perm & 7u) && !(perm & ~15u) && (!(perm & VM_W) || (perm & VM_R));
}

/* Whether a mapping made or changed with perm starts dirty (as the kernel:
 * writable and not VM_CLEAN), else keeps was. */
static int dirty_after(unsigned perm, int was)
{
	return ((perm & VM_W) && !(perm & VM_CLEAN)) || was;
}

/* Unmaps held (queue_held): sent, as the pager's mmu does, in one harvest
 * of HARVEST_UNMAP entries when the hold ends or before any other call. */
static struct {
	int as;
	uint64_t va;
} held[FAKE_MAPS];
static unsigned nheld;

static int held_refused;	/* since the hold began: its off says so */

static void send_held(void)
{
	if (nheld == 0)
		return;
	if (fake.fail_unmap) {	/* the harvest and each unmap after it refused */
		nheld = 0;
		held_refused = 1;
		return;
	}
	for (unsigned k = 0; k < nheld; k++) {
		struct fake_map *m = find(held[k].as, held[k].va);

		if (m) {
			m->used = 0;
			fake.harvest_unmaps++;
		}
	}
	nheld = 0;
	fake.harvests++;
	fake.held_harvests++;
	fake.free_at_send = frames_free();
}

static int fake_hold_unmaps(void *ctx, int on)
{
	int refused;

	(void)ctx;
	fake.holding = on && fake.queue_held;
	if (on)
		return 0;
	send_held();
	refused = held_refused;
	held_refused = 0;
	return refused ? -22 : 0;
}

static int fake_map(void *ctx, int as, uint64_t va, uint64_t pa, unsigned perm)
{
	struct frame *f = frame_desc(pa);
	struct fake_map *m = find(as, va);

	(void)ctx;
	send_held();
	if (fake.map_budget == 0)
		return -12;
	if (!perm_ok(perm) || (va & (VM_PAGE - 1)) || !f || f->state != FRAME_ANON) {
		fake.errors++;
		return -22;
	}
	for (int i = 0; !m && i < FAKE_MAPS; i++)
		if (!fake.m[i].used)
			m = &fake.m[i];
	assert_non_null(m);
	*m = (struct fake_map){ 1, as, va, pa, perm, 1, dirty_after(perm, 0) };
	fake.maps++;
	if (fake.map_budget > 0)
		fake.map_budget--;
	return 0;
}

static int fake_unmap(void *ctx, int as, uint64_t va)
{
	struct fake_map *m = find(as, va);

	(void)ctx;
	if (m && fake.holding) {
		assert_true(nheld < FAKE_MAPS);
		held[nheld].as = as;
		held[nheld++].va = va;
		return 0;
	}
	if (!m) {
		fake.errors++;	/* the VM core unmaps only what it mapped */
		return 0;
	}
	if (fake.fail_unmap)
		return -22;
	m->used = 0;
	fake.unmaps++;
	return 0;
}

/* Every page mapped in the range goes, each counted as an unmap; the
 * call is counted apart. */
static int fake_unmap_range(void *ctx, int as, uint64_t va, uint64_t n)
{
	(void)ctx;
	send_held();
	if (fake.fail_unmap_range)
		return -12;
	fake.range_va = va;
	fake.range_n = n;
	for (int i = 0; i < FAKE_MAPS; i++) {
		struct fake_map *m = &fake.m[i];

		if (m->used && m->as == as && m->va >= va && (m->va - va) / VM_PAGE < n) {
			m->used = 0;
			fake.unmaps++;
		}
	}
	fake.unmap_ranges++;
	return 0;
}

static int fake_protect(void *ctx, int as, uint64_t va, unsigned perm)
{
	struct fake_map *m = find(as, va);

	(void)ctx;
	send_held();
	if (fake.fail_protect ||
	    (fake.refuse_protect && as == fake.refuse_as && va == fake.refuse_va))
		return -12;
	if (!m || !perm_ok(perm)) {
		fake.errors++;
		return -22;
	}
	m->perm = perm;
	m->dirty = dirty_after(perm, m->dirty);
	fake.protects++;
	return 0;
}

/* As the kernel's SYS_PROTECT: page by page, stopping at a refusal. */
static int fake_protect_range(void *ctx, int as, uint64_t va, uint64_t n, unsigned perm)
{
	int r = 0;

	fake.protect_ranges++;
	for (uint64_t k = 0; k < n && r == 0; k++)
		r = fake_protect(ctx, as, va + k * VM_PAGE, perm);
	return r;
}

/* One page's harvest, as the kernel's: what it found, after the change. */
static unsigned fake_harvest_page(int as, uint64_t va, unsigned want)
{
	struct fake_map *m = find(as, va);
	unsigned found;

	if (!m)
		return 0;
	found = HARVEST_PRESENT | (m->accessed ? HARVEST_ACCESSED : 0) |
		(m->dirty ? HARVEST_DIRTY : 0);
	m->accessed &= !(want & HARVEST_ACCESSED);
	m->dirty &= !(want & HARVEST_DIRTY);
	if (want & HARVEST_PROTECT)
		m->perm &= ~(unsigned)(VM_W | VM_CLEAN);
	if (want & HARVEST_UNMAP) {
		m->used = 0;
		fake.harvest_unmaps++;
	}
	return found;
}

/* As SYS_HARVEST: report, then clear what each entry asks; a run entry
 * (HARVEST_RUN_SHIFT) gets the OR of its pages' bits. */
static int fake_harvest(void *ctx, struct harvest_entry *e, size_t n)
{
	(void)ctx;
	send_held();
	if (fake.fail_harvest)
		return -22;
	if (n && (uintptr_t)e / PAGE_SIZE != ((uintptr_t)(e + n) - 1) / PAGE_SIZE)
		fake.harvests_crossing++;
	for (size_t k = 0; k < n; k++) {
		uint32_t pages = harvest_run_pages(e[k].bits);
		unsigned found = 0;

		assert_true(pages <= HARVEST_RUN_MAX);
		for (uint32_t p = 0; p < pages; p++)
			found |= fake_harvest_page((int)e[k].proc, e[k].va + p * VM_PAGE, e[k].bits);
		fake.harvest_entries++;
		fake.harvest_pages += pages;
		e[k].bits = found;
	}
	fake.harvests++;
	return 0;
}

/* Each entry as fake_map would map it, stopping at the first it refuses
 * (map_budget), as the kernel's run does. */
static size_t fake_map_run(void *ctx, int as, const struct map_entry *e, size_t n)
{
	size_t k = 0;

	fake.runs++;
	while (k < n && fake_map(ctx, as, e[k].va, e[k].pa, (unsigned)e[k].perm) == 0)
		k++;
	return k;
}

/* As the kernel's SYS_COPY_MAPS: each page from maps in the range, mapped
 * in to (a page from does not map is left as it is in to). */
static int fake_copy_range(void *ctx, int from, int to, uint64_t va, uint64_t n, unsigned perm)
{
	(void)ctx;
	send_held();
	fake.copies++;
	if (fake.fail_copy)
		return -12;
	for (uint64_t k = 0; k < n; k++) {
		struct fake_map *m = find(from, va + k * VM_PAGE);

		if (m && fake_map(NULL, to, m->va, m->pa, perm) < 0)
			return -12;
	}
	return 0;
}

static const struct mmu_ops fake_ops = {
	.map = fake_map, .unmap = fake_unmap, .protect = fake_protect,
	.protect_range = fake_protect_range, .harvest = fake_harvest,
	.map_run = fake_map_run, .unmap_range = fake_unmap_range, .hold_unmaps = fake_hold_unmaps,
	.copy_range = fake_copy_range,
};

void fake_setup(unsigned faultaround)
{
	struct frame_range free = { FAKE_RAM_BASE + FAKE_RESERVED * VM_PAGE,
				    FAKE_RAM_BASE + FAKE_FRAMES * VM_PAGE };

	memset(&fake, 0, sizeof(fake));
	nheld = 0;
	held_refused = 0;
	fake.map_budget = -1;
	fake_ram = aligned_alloc(VM_PAGE, FAKE_FRAMES * VM_PAGE);
	assert_non_null(fake_ram);
	memset(fake_ram, 0xAA, FAKE_FRAMES * VM_PAGE);	/* so zero-fill shows */
	assert_int_equal(frames_init(FAKE_RAM_BASE, FAKE_RAM_BASE + FAKE_FRAMES * VM_PAGE, &free, 1,
				     fake_ram), 0);
	vm_init(&fake_ops, faultaround);
	host_pages_source();	/* not the fake frames: tests count those as pages' */
}

void fake_teardown(void)
{
	free(fake_ram);
	fake_ram = NULL;
}

struct vm_space *fake_space(int as)
{
	struct vm_space *s = vm_space_create(as, (uint32_t)(100 + as));

	assert_non_null(s);
	return s;
}

uint64_t fake_pa(int as, uint64_t va, unsigned *perm)
{
	struct fake_map *m = find(as, va);

	if (perm)
		*perm = m ? m->perm : 0;
	return m ? m->pa : 0;
}

void fake_lose(int as, uint64_t va)
{
	struct fake_map *m = find(as, va);

	assert_non_null(m);
	m->used = 0;
}

unsigned fake_perm(int as, uint64_t va)
{
	unsigned perm;

	assert_int_not_equal(fake_pa(as, va, &perm), 0);
	return perm;
}

unsigned fake_count(int as)
{
	unsigned n = 0;

	for (int i = 0; i < FAKE_MAPS; i++)
		n += fake.m[i].used && (as < 0 || fake.m[i].as == as);
	return n;
}

struct find_ctx {
	int as;
	uint64_t va;
	const struct vm_space *space;
	uint64_t set;
};

static void find_entry(void *ctx, struct vm_space *s, uint64_t va)
{
	struct find_ctx *c = ctx;

	if (s->as == c->as && va == c->va)
		c->space = s;
	c->set |= 1ULL << (s->as & 63);
}

int fake_dirty(int as, uint64_t va)
{
	const struct fake_map *m = find(as, va);

	return m ? m->dirty : -1;
}

int fake_accessed(int as, uint64_t va)
{
	const struct fake_map *m = find(as, va);

	return m ? m->accessed : -1;
}

uint64_t fake_rmap_set(uint64_t pa)
{
	struct find_ctx c = { -1, 0, NULL, 0 };

	vm_rmap_walk(pa, find_entry, &c);
	return c.set;
}

/* One fake mapping is in the reverse map, with the permission the space's
 * page array implies. */
static void check_mapping(const struct fake_map *m)
{
	struct find_ctx c = { m->as, m->va, NULL, 0 };
	const struct vm_region *r;
	uint64_t i;

	vm_rmap_walk(m->pa, find_entry, &c);
	if (!c.space)
		fail_msg("as %d va 0x%lx -> 0x%lx is mapped but not in the rmap", m->as,
			 (unsigned long)m->va, (unsigned long)m->pa);
	r = vm_region_find(c.space, m->va);
	assert_non_null(r);
	i = (m->va - r->start) / VM_PAGE;
	assert_int_equal(region_frame(r, i), m->pa);
	assert_int_equal(m->perm & ~(unsigned)VM_CLEAN,
			 region_page_cow(r, i) || swapcache_writing(m->pa) ? r->perm & ~(unsigned)VM_W
									  : r->perm);
	assert_false(vm_frame_unmapped(m->pa));	/* all its mappings out, or none */
	/* A clean copy mapped writable must show its writes. */
	if ((m->perm & VM_W) && swapcache_held(m->pa))
		assert_true(m->perm & VM_CLEAN);
}

/* vm_rmap_fn: a mapping of a frame unmapped for its write-out, counted in
 * *ctx, is not in the page tables. */
static void check_unmapped(void *ctx, struct vm_space *s, uint64_t va)
{
	if (find(s->as, va))
		fail_msg("as %d va 0x%lx: a frame unmapped for its write-out is mapped", s->as,
			 (unsigned long)va);
	(*(uint64_t *)ctx)++;
}

/* The reverse map's entries the page tables do not hold: those of frames
 * unmapped for their write-out (each checked absent). */
static uint64_t unmapped_entries(void)
{
	uint64_t n = 0;

	for (uint64_t k = 0; k < FAKE_FRAMES; k++) {
		uint64_t pa = FAKE_RAM_BASE + k * VM_PAGE;

		if (vm_frame_unmapped(pa))
			vm_rmap_walk(pa, check_unmapped, &n);
	}
	return n;
}

void fake_check(void)
{
	if (vm_check() < 0)
		fail_msg("vm_check: %s", vm_check_error());
	assert_int_equal(fake.errors, 0);
	for (int i = 0; i < FAKE_MAPS; i++)
		if (fake.m[i].used)
			check_mapping(&fake.m[i]);
	assert_int_equal(fake_count(-1) + unmapped_entries(), vmstat_get(VMSTAT_RMAP_ENTRIES));
}

void fake_fault(struct vm_space *s, uint64_t va, unsigned access, int result)
{
	int r = vm_fault(s, va, access);

	if (r != result)
		fail_msg("fault at 0x%lx access %u: %d (%s), expected %d", (unsigned long)va,
			 access, r, vm_fault_reason(r), result);
	fake_check();
}

uint8_t fake_peek(struct vm_space *s, uint64_t va)
{
	unsigned perm;
	uint64_t pa = fake_pa(s->as, va & ~(VM_PAGE - 1), &perm);

	assert_int_not_equal(pa, 0);
	assert_true(perm & VM_R);
	find(s->as, va & ~(VM_PAGE - 1))->accessed = 1;
	return ((uint8_t *)frame_ptr(pa))[va & (VM_PAGE - 1)];
}

void fake_poke(struct vm_space *s, uint64_t va, uint8_t v)
{
	unsigned perm;
	uint64_t pa;

	pa = fake_pa(s->as, va & ~(VM_PAGE - 1), &perm);
	if (!pa || !(perm & VM_W)) {
		fake_fault(s, va, VM_W, VM_FAULT_MAPPED);
		pa = fake_pa(s->as, va & ~(VM_PAGE - 1), &perm);
	}
	assert_int_not_equal(pa, 0);
	assert_true(perm & VM_W);
	find(s->as, va & ~(VM_PAGE - 1))->accessed = 1;
	find(s->as, va & ~(VM_PAGE - 1))->dirty = 1;
	((uint8_t *)frame_ptr(pa))[va & (VM_PAGE - 1)] = v;
}
