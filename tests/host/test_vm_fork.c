/*
 * Host tests for fork in the pager's VM core: copy-on-write along a chain
 * parent -> child -> grandchild with the writes and exits in every order,
 * checked against a model after each step; unmapping in one sharer;
 * MAP_SHARED regions; unmapping a frame everywhere; running out of memory;
 * the footprint (alone or shared pages) the OOM killer reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vm_fake.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL	/* a private region of two pages; the first is used */
#define NSP 4
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static int setup(void **state)
{
	(void)state;
	fake_setup(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_teardown();
	return 0;
}

/* What each space should map at VA: spaces in one group share a frame. */
struct model {
	struct vm_space *s[NSP];
	int alive[NSP], group[NSP], ro[NSP];
	uint8_t val[NSP];
	int next_group;
	uint64_t breaks, reuse, free0;
};

static int group_size(const struct model *m, int g)
{
	int n = 0;

	for (int k = 0; k < NSP; k++)
		n += m->alive[k] && m->group[k] == g;
	return n;
}

/* Model facts, checked for one live space a. */
static void model_check_space(const struct model *m, int a, uint64_t want_set)
{
	unsigned perm;
	uint64_t pa = fake_pa(a, VA, &perm);

	assert_int_not_equal(pa, 0);
	assert_int_equal(vm_lookup(m->s[a], VA), pa);
	assert_int_equal(perm, m->ro[a] ? VM_R : RW);
	assert_int_equal(fake_peek(m->s[a], VA + 5), m->val[a]);
	assert_int_equal(vm_mapcount(pa), group_size(m, m->group[a]));
	assert_int_equal(fake_rmap_set(pa), want_set);
	assert_int_equal(fake_pa(a, VA + PG, NULL), 0);	/* never touched */
	for (int b = 0; b < NSP; b++)
		if (m->alive[b])
			assert_int_equal(fake_pa(b, VA, NULL) == pa, m->group[b] == m->group[a]);
}

static void model_check(const struct model *m)
{
	uint64_t groups = 0, shared = 0;

	fake_check();
	for (int g = 0; g < m->next_group; g++) {
		int n = group_size(m, g);
		groups += n > 0;
		shared += n > 1;
	}
	for (int a = 0; a < NSP; a++) {
		uint64_t set = 0;
		if (!m->alive[a])
			continue;
		for (int b = 0; b < NSP; b++)
			if (m->alive[b] && m->group[b] == m->group[a])
				set |= 1ULL << b;
		model_check_space(m, a, set);
	}
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_SHARED), shared);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_MAPPED), groups);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), m->breaks);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), m->reuse);
	assert_int_equal(frames_free(), m->free0 - groups);
}

static void model_start(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->free0 = frames_free();
	m->s[0] = vm_space_create(0, 100);
	assert_int_equal(vm_region_add(m->s[0], VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fake_poke(m->s[0], VA + 5, 1);
	m->alive[0] = 1;
	m->val[0] = 1;
	m->next_group = 1;
	model_check(m);
}

static void model_fork(struct model *m, int a, int b)
{
	m->s[b] = vm_space_create(b, (uint32_t)(100 + b));
	assert_int_equal(vm_fork(m->s[a], m->s[b]), 0);
	m->alive[b] = 1;
	m->group[b] = m->group[a];
	m->ro[a] = m->ro[b] = 1;
	m->val[b] = m->val[a];
}

static void model_write(struct model *m, int a)
{
	if (m->ro[a] && group_size(m, m->group[a]) > 1) {
		m->group[a] = m->next_group++;
		m->breaks++;
	} else if (m->ro[a]) {
		m->reuse++;
	}
	m->ro[a] = 0;
	m->val[a] = (uint8_t)(m->val[a] * 3 + 10 + a);
	fake_poke(m->s[a], VA + 5, m->val[a]);
}

/* Run a script of steps ("f01": 0 forks 1, "w2": 2 writes, "W2": a write
 * fault on what 2 may already write, "x1": 1 exits), checking the model
 * after each; then every live space exits and nothing may be left. */
static void run_script(const char *script)
{
	struct model m;

	fake_teardown();
	fake_setup(0);
	model_start(&m);
	for (const char *p = script; *p; p++) {
		int a = p[1] - '0';
		if (*p == ' ')
			continue;
		if (*p == 'f')
			model_fork(&m, a, p[2] - '0'), p++;
		else if (*p == 'w')
			model_write(&m, a);
		else if (*p == 'W')
			fake_fault(m.s[a], VA, VM_W, VM_FAULT_MAPPED), model_write(&m, a);
		else if (*p == 'x')
			vm_space_destroy(m.s[a]), m.alive[a] = 0;
		p++;
		model_check(&m);
	}
	for (int a = 0; a < NSP; a++)
		if (m.alive[a]) {
			vm_space_destroy(m.s[a]);
			m.alive[a] = 0;
			model_check(&m);
		}
	assert_int_equal(fake_count(-1), 0);
	assert_int_equal(vmstat_get(VMSTAT_RMAP_ENTRIES), 0);
	assert_int_equal(frames_free(), m.free0);
}

static void test_fork_chain_all_orders(void **state)
{
	static const char *const scripts[] = {
		/* parent -> child -> grandchild, all three write, in every order */
		"f01 f12 w0 w1 w2", "f01 f12 w0 w2 w1", "f01 f12 w1 w0 w2",
		"f01 f12 w1 w2 w0", "f01 f12 w2 w0 w1", "f01 f12 w2 w1 w0",
		/* only one writes; the others keep sharing */
		"f01 f12 w0", "f01 f12 w1", "f01 f12 w2",
		/* writes again after breaking: no more faults or copies */
		"f01 f12 w1 w1 W1 w0 w0", "f01 f12 w2 w0 W0 W2",
		/* exits before or between writes: the last one left reuses */
		"f01 f12 x1 w0 w2", "f01 f12 x0 x2 w1", "f01 f12 w0 x1 x0 w2",
		"f01 f12 x0 x1 x2",
		/* a child that broke COW forks again; fans out from the parent */
		"f01 w1 f12 w2 w1 w0", "f01 w1 f12 w1 w2", "f01 f02 f03 w3 w0 w2 w1",
		"f01 f02 x0 f13 w1 w3 w2",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		run_script(scripts[i]);
}

/* Unmapping the page in one sharer leaves the others as they were. */
static void test_unmap_in_one_sharer(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2),
			*g = vm_space_create(3, 3);
	uint64_t free0 = frames_free(), pa;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, VA, 42);
	fake_poke(p, VA + PG, 43);
	pa = vm_lookup(p, VA);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_fork(c, g), 0);
	assert_int_equal(vm_mapcount(pa), 3);
	assert_int_equal(vm_unmap_range(c, VA, VA + PG), 0);
	fake_check();
	assert_int_equal(fake_pa(2, VA, NULL), 0);
	assert_int_equal(vm_mapcount(pa), 2);
	assert_int_equal(fake_rmap_set(pa), (1u << 1) | (1u << 3));
	assert_int_equal(fake_peek(p, VA), 42);
	assert_int_equal(fake_peek(g, VA), 42);
	assert_int_equal(fake_peek(c, VA + PG), 43);	/* its other page stays */
	fake_fault(c, VA, VM_R, VM_FAULT_NOREGION);
	assert_int_equal(frames_free(), free0 - 2);
	fake_poke(g, VA, 7);		/* still shared: copies */
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	fake_poke(p, VA, 8);		/* the last: reuses */
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	assert_int_equal(vm_lookup(p, VA), pa);
	assert_int_equal(fake_peek(g, VA), 7);
	fake_check();
	vm_space_destroy(g);
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* MAP_SHARED: one frame for every sharer, writable in all, kept while any
 * sharer lives, freed with the last. */
static void test_shared_region(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2), *c2;
	uint64_t free0 = frames_free(), pa, pa1;
	unsigned perm;

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x42000, RW, VM_SHARED, NULL), 0);
	fake_poke(p, 0x40000, 7);
	pa = vm_lookup(p, 0x40000);
	assert_int_equal(vm_fork(p, c), 0);
	fake_check();
	assert_int_equal(fake_pa(2, 0x40000, &perm), pa);
	assert_int_equal(perm, RW);	/* no copy-on-write for shared memory */
	assert_int_equal(fake_pa(1, 0x40000, &perm), pa);
	assert_int_equal(perm, RW);
	assert_int_equal(vm_mapcount(pa), 2);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_SHARED), 1);
	fake_poke(c, 0x40000, 9);
	assert_int_equal(fake_peek(p, 0x40000), 9);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS) + vmstat_get(VMSTAT_COW_REUSE), 0);
	/* A page first touched after the fork is found by the other sharer. */
	fake_poke(c, 0x41000, 3);
	fake_fault(p, 0x41000, VM_R, VM_FAULT_MAPPED);
	pa1 = vm_lookup(p, 0x41000);
	assert_int_equal(pa1, vm_lookup(c, 0x41000));
	assert_int_equal(fake_peek(p, 0x41000), 3);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 2);
	assert_int_equal(frames_free(), free0 - 2);
	/* One sharer exits: the frames stay for the other. */
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(vm_mapcount(pa), 1);
	assert_int_equal(fake_peek(p, 0x40000), 9);
	/* Unmapping a page in one sharer keeps it for the others. */
	c2 = vm_space_create(3, 3);
	assert_int_equal(vm_fork(p, c2), 0);
	assert_int_equal(vm_unmap_range(p, 0x40000, 0x41000), 0);
	fake_check();
	assert_int_equal(fake_pa(1, 0x40000, NULL), 0);
	assert_int_equal(fake_peek(c2, 0x40000), 9);
	assert_int_equal(frames_free(), free0 - 2);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(fake_peek(c2, 0x41000), 3);
	vm_space_destroy(c2);	/* the last reference */
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* Growing a shared region grows its object; each sharer sees the pages. */
static void test_shared_resize(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x41000, RW, VM_SHARED, NULL), 0);
	fake_poke(p, 0x40000, 1);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_region_resize(p, 0x41000, 0x43000), 0);
	assert_int_equal(vm_region_resize(c, 0x41000, 0x43000), 0);
	fake_poke(p, 0x42000, 5);
	fake_fault(c, 0x42000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(c, 0x42000), 5);
	assert_int_equal(vm_lookup(c, 0x42000), vm_lookup(p, 0x42000));
	fake_check();
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

static void test_unmap_frame_everywhere(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2),
			*g = vm_space_create(3, 3);
	uint64_t free0 = frames_free(), pa, fresh;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, VA, 42);
	pa = vm_lookup(p, VA);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_fork(c, g), 0);
	assert_int_equal(vm_mapcount(pa), 3);
	assert_int_equal(vm_unmap_frame_everywhere(pa), 3);
	fake_check();	/* detached: the caller's, not a leak */
	assert_int_equal(fake_count(-1), 0);
	assert_int_equal(vm_mapcount(pa), 0);
	assert_int_equal(vm_lookup(p, VA) | vm_lookup(c, VA) | vm_lookup(g, VA), 0);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_MAPPED), 0);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_SHARED), 0);
	assert_int_equal(frames_free(), free0 - 1);
	frame_free(pa);
	fake_check();
	assert_int_equal(frames_free(), free0);
	/* The next touch is a fresh page of its own, writable at once. */
	fake_poke(c, VA, 1);
	fresh = vm_lookup(c, VA);
	assert_int_equal(vm_mapcount(fresh), 1);
	assert_int_equal(fake_peek(c, VA + 1), 0);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS) + vmstat_get(VMSTAT_COW_REUSE), 0);
	assert_int_equal(vm_unmap_frame_everywhere(frame_alloc_pinned()), -1);
	assert_int_equal(vm_unmap_frame_everywhere(0x1000), -1);
	vm_space_destroy(p);
	vm_space_destroy(c);
	vm_space_destroy(g);
	fake_check();
}

/* A shared object's frame: mapped twice, then held by the object alone. */
static void test_unmap_frame_everywhere_shared(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free(), pa, again;

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x42000, RW, VM_SHARED, NULL), 0);
	fake_poke(p, 0x40000, 7);
	pa = vm_lookup(p, 0x40000);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_unmap_frame_everywhere(pa), 2);
	fake_check();
	frame_free(pa);
	fake_check();
	/* The object forgot it: both sharers get one new zero page. */
	fake_fault(c, 0x40000, VM_R, VM_FAULT_MAPPED);
	fake_fault(p, 0x40000, VM_R, VM_FAULT_MAPPED);
	again = vm_lookup(p, 0x40000);
	assert_int_equal(vm_lookup(c, 0x40000), again);
	assert_int_equal(fake_peek(p, 0x40000), 0);
	/* p's second page, which c reaches but never mapped, leaves p's
	 * range: the object alone holds its frame. */
	fake_poke(p, 0x41000, 8);
	again = vm_lookup(p, 0x41000);
	assert_int_equal(vm_unmap_range(p, 0x41000, 0x42000), 0);
	fake_check();
	assert_int_equal(vm_mapcount(again), 0);
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(vm_unmap_frame_everywhere(again), 0);
	fake_check();
	frame_free(again);	/* refused if the object still held it */
	fake_check();
	assert_int_equal(frames_free(), free0 - 1);
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* Image pages are private too: a child's write copies the file's bytes. */
static void test_fork_image(void **state)
{
	static uint8_t file[PG];
	struct vm_image img = { file, 0, VA, 100 };
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);

	(void)state;
	memset(file, 0x11, sizeof(file));
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_IMAGE, &img), 0);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vm_fork(p, c), 0);
	fake_check();
	fake_poke(c, VA + 1, 0x22);
	assert_int_equal(fake_peek(c, VA), 0x11);
	assert_int_equal(fake_peek(c, VA + 100), 0);
	assert_int_equal(fake_peek(p, VA + 1), 0x11);
	assert_int_equal(file[1], 0x11);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_IMAGE), 1);
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
}

static void test_space_info(void **state)
{
	struct vm_space *p = vm_space_create(1, 7), *c = vm_space_create(2, 8);
	struct vm_space_info ip, ic;

	(void)state;
	assert_int_equal(vm_region_add(p, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(p, 0x40000, 0x42000, RW, VM_SHARED, NULL), 0);
	for (uint64_t va = 0x10000; va < 0x14000; va += PG)
		fake_poke(p, va, 1);
	fake_poke(p, 0x40000, 1);
	fake_poke(p, 0x41000, 1);
	assert_int_equal(vm_fork(p, c), 0);
	fake_poke(c, 0x10000, 2);
	fake_poke(c, 0x40000, 2);	/* shared memory stays shared */
	vm_space_info(p, &ip);
	vm_space_info(c, &ic);
	assert_int_equal(ip.pid, 7);
	assert_int_equal(ic.pid, 8);
	assert_int_equal(ip.regions, 2);
	assert_int_equal(ic.regions, 2);
	assert_int_equal(ip.resident, 6);
	assert_int_equal(ic.resident, 6);
	assert_int_equal(ip.shared, 5);
	assert_int_equal(ic.shared, 5);
	vm_space_destroy(p);
	vm_space_info(c, &ic);
	assert_int_equal(ic.shared, 0);
	vm_space_destroy(c);
	fake_check();
}

/* Copy-on-write and shared-object links broken by hand: vm_check notices. */
static void test_check_catches_fork_corruption(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	struct vm_region *r;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, VA, 1);
	assert_int_equal(vm_fork(p, c), 0);
	fake_check();
	r = vm_region_find(c, VA);
	pv_set(&r->pages, 0, pv_get(&r->pages, 0) & ~PAGE_COW);
	if (vm_check() == 0)
		fail_msg("vm_check missed a shared private page mapped writable");
	pv_set(&r->pages, 0, pv_get(&r->pages, 0) | PAGE_COW);
	fake_check();
	/* A shared object's reference count and a frame's link back to it. */
	assert_int_equal(vm_region_add(p, 0x40000, 0x42000, RW, VM_SHARED, NULL), 0);
	fake_poke(p, 0x41000, 1);
	r = vm_region_find(p, 0x40000);
	r->obj->refs++;
	if (vm_check() == 0)
		fail_msg("vm_check missed a shared object's extra reference");
	r->obj->refs--;
	frame_desc(vm_lookup(p, 0x41000))->obj_page = 0;
	if (vm_check() == 0)
		fail_msg("vm_check missed a frame naming the wrong object page");
	frame_desc(vm_lookup(p, 0x41000))->obj_page = 1;
	fake_check();
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
}

/* vm_check finds a page a shared object holds that no region reaches (a
 * leak: nothing could map it or free it before the object's end): a frame
 * planted in a hole, links and counts otherwise right, and found again at
 * the end of the object, past every region. */
static void test_check_catches_unreached_page(void **state)
{
	struct vm_space *p = vm_space_create(1, 1);
	struct vm_object *o;
	uint64_t pa;
	struct frame *f;

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x43000, RW, VM_SHARED, NULL), 0);
	fake_poke(p, 0x40000, 1);
	assert_int_equal(vm_unmap_range(p, 0x41000, 0x42000), 0);
	assert_int_equal(vm_region_resize(p, 0x43000, 0x42000), 0);
	fake_check();
	o = vm_region_find(p, 0x40000)->obj;
	pa = frame_alloc();
	f = frame_desc(pa);
	for (uint32_t j = 1; j < 3; j++) {
		f->obj = o->id;
		f->obj_page = j;
		assert_int_equal(pv_set(&o->pages, j, pa_pfn(pa)), 0);
		if (vm_check() == 0)
			fail_msg("vm_check missed object page %u that no region reaches", j);
		assert_non_null(strstr(vm_check_error(), "no region reaches"));
		pv_set(&o->pages, j, 0);
		f->obj = f->obj_page = 0;
	}
	frame_free(pa);
	fake_check();
	vm_space_destroy(p);
	fake_check();
}

static void test_fork_nomem(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free(), hog[FAKE_FRAMES], n = 0, pa;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t i = 0; i < 4; i++)
		fake_poke(p, VA + i * PG, (uint8_t)i);
	/* The mmu fails half-way through the child's copy: the child is
	 * left with pages the tables lack (as a map refused leaves them),
	 * and destroying it, which the caller does at once, cleans up. */
	fake.map_budget = 2;
	assert_int_equal(vm_fork(p, c), VM_FAULT_NOMEM);
	fake.map_budget = -1;
	vm_space_destroy(c);
	fake_check();
	/* Pages made read-only for the failed fork are taken back, not copied:
	 * all four, since the child's maps are made a run at a time, after
	 * the run's pages were protected in the parent. */
	for (uint64_t i = 0; i < 4; i++)
		fake_poke(p, VA + i * PG, (uint8_t)(10 + i));
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 0);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 4);
	assert_int_equal(frames_free(), free0 - 4);
	/* No frame for a copy-on-write break. */
	c = vm_space_create(2, 2);
	assert_int_equal(vm_fork(p, c), 0);
	while ((pa = frame_alloc_pinned()) != 0)
		hog[n++] = pa;
	fake_fault(c, VA, VM_W, VM_FAULT_NOMEM);
	assert_int_equal(fake_peek(c, VA), 10);
	while (n > 0)
		frame_free(hog[--n]);
	fake_poke(c, VA, 99);
	assert_int_equal(fake_peek(p, VA), 10);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* A fork takes W from a run of parent pages in one call; refused part
 * way (the third page), the run is protected again page by page, so the
 * pages before the refusal are marked copy-on-write (taken back on a
 * write, not copied) and the rest stay writable, unmarked. */
static void test_fork_protect_refused(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t i = 0; i < 4; i++)
		fake_poke(p, VA + i * PG, (uint8_t)i);
	fake.refuse_protect = 1;
	fake.refuse_as = 1;
	fake.refuse_va = VA + 2 * PG;
	assert_int_equal(vm_fork(p, c), VM_FAULT_NOMEM);
	fake.refuse_protect = 0;
	assert_true(fake.protect_ranges > 0);
	vm_space_destroy(c);
	fake_check();
	for (uint64_t i = 0; i < 4; i++)
		fake_poke(p, VA + i * PG, (uint8_t)(10 + i));
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 0);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 2);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(fake_peek(p, VA + i * PG), 10 + i);
	vm_space_destroy(p);
	fake_check();
}

/* A copy-on-write break maps one page: no fault-around. */
static void test_no_faultaround_on_cow(void **state)
{
	struct vm_space *p, *c;

	(void)state;
	fake_teardown();
	fake_setup(4);
	p = vm_space_create(1, 1);
	c = vm_space_create(2, 2);
	assert_int_equal(vm_region_add(p, VA, VA + 8 * PG, RW, VM_ANON, NULL), 0);
	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 4);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(fake_count(2), 5);
	fake_fault(c, VA, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 4);
	assert_int_equal(fake_count(2), 5);
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
}

/* The child's pages reach its tables by one copy of the parent's a
 * chunk of pages (mmu_ops.copy_range), not by map entries: read-only, the
 * parent's frames; a refused copy fails the fork, and destroying the
 * child cleans up. */
static void test_fork_copies_tables(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	unsigned runs, copies;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 8 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t i = 0; i < 8; i += 2)
		fake_poke(p, VA + i * PG, (uint8_t)i);
	runs = fake.runs, copies = fake.copies;
	assert_int_equal(vm_fork(p, c), 0);
	fake_check();
	assert_int_equal(fake.runs, runs);
	assert_int_equal(fake.copies - copies, 1);
	assert_int_equal(fake_count(2), 4);
	for (uint64_t i = 0; i < 8; i += 2) {
		assert_int_equal(fake_pa(2, VA + i * PG, NULL), fake_pa(1, VA + i * PG, NULL));
		assert_int_equal(fake_perm(2, VA + i * PG), VM_R);
	}
	vm_space_destroy(c);
	c = fake_space(2);
	fake.fail_copy = 1;
	assert_int_equal(vm_fork(p, c), VM_FAULT_NOMEM);
	fake.fail_copy = 0;
	vm_space_destroy(c);
	fake_check();
	vm_space_destroy(p);
	fake_check();
}

/* A write fault on a copy-on-write page changes the tables once: one map
 * (the copy, or the frame taken back writable), which a fault's reply
 * carries, and no protect (a system call of its own); not first the page
 * mapped again as it was. */
static void test_cow_write_maps_once(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	unsigned maps, protects;
	uint64_t pa;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, VA, 7);
	pa = fake_pa(1, VA, NULL);
	assert_int_equal(vm_fork(p, c), 0);
	maps = fake.maps, protects = fake.protects;
	fake_poke(c, VA, 8);	/* shared: a copy */
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	assert_int_equal(fake.maps - maps, 1);
	assert_int_equal(fake.protects, protects);
	assert_int_not_equal(fake_pa(2, VA, NULL), pa);
	maps = fake.maps;
	fake_poke(p, VA, 9);	/* the last user: its frame back, writable */
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	assert_int_equal(fake.maps - maps, 1);
	assert_int_equal(fake.protects, protects);
	assert_int_equal(fake_pa(1, VA, NULL), pa);
	assert_int_equal(fake_dirty(1, VA), 1);
	assert_int_equal(fake_peek(p, VA), 9);
	assert_int_equal(fake_peek(c, VA), 8);
	vm_space_destroy(c);
	vm_space_destroy(p);
	fake_check();
}

/* A copy-on-write page the tables lost (a map the kernel refused) is
 * mapped again by the write fault that finds it so, copied or taken
 * back: the fault no longer maps it as it was first. */
static void test_cow_write_lost_mapping(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, VA, 7);
	assert_int_equal(vm_fork(p, c), 0);
	fake_lose(2, VA);
	fake_fault(c, VA, VM_W, VM_FAULT_MAPPED);	/* a copy */
	assert_int_equal(fake_perm(2, VA), RW);
	assert_int_equal(fake_peek(c, VA), 7);
	fake_lose(1, VA);
	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);	/* its own again */
	assert_int_equal(fake_perm(1, VA), RW);
	assert_int_equal(fake_peek(p, VA), 7);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	vm_space_destroy(c);
	vm_space_destroy(p);
	fake_check();
}

/* What vm_space_footprint says of s: pages only s holds, pages shared. */
static void expect_footprint(const struct vm_space *s, uint64_t alone, uint64_t shared)
{
	uint64_t a = 99, sh = 99;

	vm_space_footprint(s, 1, &a, &sh);
	assert_int_equal(a, alone);
	assert_int_equal(sh, shared);
}

/* expect_footprint, and the walks of shared objects' lists it and the
 * pager-memory count take: each of s's objects once, each of a footprint's
 * two cursors over o's regions once, o the only object s reaches. */
static void expect_footprint_bounded(const struct vm_space *s, const struct vm_object *o,
				     uint64_t alone, uint64_t shared)
{
	vm_object_visits = 0;
	expect_footprint(s, alone, shared);
	assert_in_range(vm_object_visits, 1, 2 * o->refs);
	vm_object_visits = 0;
	vm_space_meta_pages(s);
	assert_in_range(vm_object_visits, 1, o->refs);
}

/* A private region's touched pages, read or written, are all its own;
 * untouched ones and unmapped ones count for nothing. */
static void test_footprint_private(void **state)
{
	struct vm_space *p = vm_space_create(1, 1);
	uint64_t free0 = frames_free();

	(void)state;
	expect_footprint(p, 0, 0);
	assert_int_equal(vm_region_add(p, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	expect_footprint(p, 0, 0);	/* no page array yet */
	fake_poke(p, VA, 1);
	fake_poke(p, VA + PG, 2);
	fake_fault(p, VA + 2 * PG, VM_R, VM_FAULT_MAPPED);	/* a zero page of its own */
	expect_footprint(p, 3, 0);
	assert_int_equal(vm_unmap_range(p, VA + PG, VA + 2 * PG), 0);
	expect_footprint(p, 2, 0);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* After fork every touched page is mapped twice: shared in both. A break
 * gives the writer a copy and leaves the original mapped once, so the page
 * counts alone in both; a reuse changes nothing. Along a chain p -> c -> g
 * with N = 4 pages touched in p (the fifth never). */
static void test_footprint_fork_cow(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2),
			*g = vm_space_create(3, 3);

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 5 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t i = 0; i < 4; i++)
		fake_poke(p, VA + i * PG, (uint8_t)i);
	expect_footprint(p, 4, 0);
	assert_int_equal(vm_fork(p, c), 0);
	expect_footprint(p, 0, 4);
	expect_footprint(c, 0, 4);
	/* The child writes pages 0 and 1: two copies. */
	fake_poke(c, VA, 10);
	fake_poke(c, VA + PG, 11);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 2);
	expect_footprint(c, 2, 2);
	expect_footprint(p, 2, 2);
	/* The parent takes page 0 back (reuse) and breaks page 2. */
	fake_poke(p, VA, 20);
	fake_poke(p, VA + 2 * PG, 22);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 3);
	expect_footprint(p, 3, 1);
	expect_footprint(c, 3, 1);
	/* The child forks: its pages 0-2 are mapped by c and g, page 3 by all
	 * three. */
	assert_int_equal(vm_fork(c, g), 0);
	expect_footprint(p, 3, 1);
	expect_footprint(c, 0, 4);
	expect_footprint(g, 0, 4);
	vm_space_destroy(c);
	expect_footprint(g, 3, 1);
	expect_footprint(p, 3, 1);
	vm_space_destroy(p);
	expect_footprint(g, 4, 0);
	vm_space_destroy(g);
	fake_check();
}

/* A MAP_SHARED region's pages are the object's: alone while only p refers
 * to it, shared in every sharer after fork, including pages one sharer
 * touched and the other never mapped. */
static void test_footprint_shared_region(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x43000, RW, VM_SHARED, NULL), 0);
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, 0x40000, 1);
	fake_poke(p, 0x41000, 2);
	fake_poke(p, VA, 3);
	expect_footprint(p, 3, 0);
	assert_int_equal(vm_fork(p, c), 0);
	expect_footprint(p, 0, 3);
	expect_footprint(c, 0, 3);
	/* The child's first touch of page 2 puts it in the object for both. */
	fake_poke(c, 0x42000, 4);
	assert_int_equal(vm_lookup(p, 0x42000), 0);
	expect_footprint(p, 0, 4);
	expect_footprint(c, 0, 4);
	/* Its private page is copied on write; the shared one never is. */
	fake_poke(c, VA, 5);
	fake_poke(c, 0x40000, 6);
	expect_footprint(p, 1, 3);
	expect_footprint(c, 1, 3);
	vm_space_destroy(c);
	expect_footprint(p, 4, 0);
	vm_space_destroy(p);
	fake_check();
}

/* The sets of spaces[0..n) that vm_spaces_sharing finds, checked against
 * want[0..nw) ({who, pages}, in any order). */
static void expect_sharing(const struct vm_space *const *spaces, size_t n,
			   const struct vm_share *want, size_t nw)
{
	struct vm_share got[8];
	size_t ng = vm_spaces_sharing(spaces, n, 1, got, 8);

	assert_int_equal(ng, nw);
	for (size_t i = 0; i < nw; i++) {
		size_t k = 0;
		while (k < ng && got[k].who != want[i].who)
			k++;
		assert_true(k < ng);
		assert_int_equal(got[k].pages, want[i].pages);
	}
}

/* Who reaches the pages that are no one's alone, for the OOM killer's
 * groups: p's MAP_SHARED region (3 pages touched of 4) and a private page
 * of two, after fork, are p's and c's together; the private page c wrote
 * is each one's own. When c forks g, the original private page is all
 * three's and c's copy c's and g's. A set with a space not listed counts
 * for none (its death is no one's to cause); a region that reaches only
 * part of the object splits its pages between sets. */
static void test_sharing_sets(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2),
			*g = vm_space_create(3, 3);
	const struct vm_space *two[] = { p, c }, *three[] = { p, c, g }, *one[] = { p };

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x44000, RW, VM_SHARED, NULL), 0);
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t va = 0x40000; va < 0x43000; va += PG)
		fake_poke(p, va, 1);
	fake_poke(p, VA, 2);
	fake_poke(p, VA + PG, 3);
	expect_sharing(two, 1, NULL, 0);
	assert_int_equal(vm_fork(p, c), 0);
	fake_poke(c, VA, 4);	/* a copy: each holds its page 0 alone */
	expect_sharing(two, 2, (const struct vm_share[]){ { 3, 3 + 1 } }, 1);
	expect_sharing(one, 1, NULL, 0);
	assert_int_equal(vm_fork(c, g), 0);
	expect_sharing(three, 3, (const struct vm_share[]){ { 7, 3 + 1 }, { 6, 1 } }, 2);
	expect_sharing(two, 2, NULL, 0);	/* g, not listed, reaches them all */
	/* g keeps only the region's first page: the others are p's and c's. */
	assert_int_equal(vm_unmap_range(g, 0x41000, 0x44000), 0);
	expect_sharing(three, 3,
		       (const struct vm_share[]){ { 7, 1 + 1 }, { 6, 1 }, { 3, 2 } }, 3);
	vm_space_destroy(g);
	vm_space_destroy(c);
	expect_sharing(two, 1, NULL, 0);
	vm_space_destroy(p);
	fake_check();
}

/* A shared object holds only pages some region reaches: a hole punched in
 * p's region (two regions, two references, both p's) or a shrink drops the
 * pages it leaves behind, so what the object holds is what p's regions
 * reach, p's alone until a fork shares it. (Before, the object kept them:
 * p counted 3 alone and 0 / 2 shared after the fork while the object held
 * 3 frames.) */
static void test_footprint_shared_split(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c;
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x43000, RW, VM_SHARED, NULL), 0);
	for (uint64_t va = 0x40000; va < 0x43000; va += PG)
		fake_poke(p, va, 1);
	expect_footprint(p, 3, 0);
	assert_int_equal(vm_unmap_range(p, 0x41000, 0x42000), 0);
	assert_int_equal(vm_region_find(p, 0x40000)->obj->refs, 2);
	assert_int_equal(frames_free(), free0 - 2);	/* the hole's page went */
	expect_footprint(p, 2, 0);
	/* Shared once forked: the child's regions reach the same pages. */
	c = vm_space_create(2, 2);
	assert_int_equal(vm_fork(p, c), 0);
	expect_footprint(p, 0, 2);
	expect_footprint(c, 0, 2);
	vm_space_destroy(c);
	expect_footprint(p, 2, 0);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);

	p = vm_space_create(1, 1);
	assert_int_equal(vm_region_add(p, 0x40000, 0x43000, RW, VM_SHARED, NULL), 0);
	for (uint64_t va = 0x40000; va < 0x43000; va += PG)
		fake_poke(p, va, 1);
	assert_int_equal(vm_region_resize(p, 0x43000, 0x41000), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 1);	/* the shrink's two went */
	expect_footprint(p, 1, 0);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* Partial unmaps in two sharers of 8 pages: p punches pages 2-4, c pages
 * 3-5. Pages 3 and 4, which no region reaches any more, leave the object
 * and their frames are freed; page 2 (c's alone now) and 5 (p's) stay
 * with what was written to them. A shrink drops a page the same way once
 * the other sharer's shrink left it too, and growing back finds a new zero
 * page. (Before, the object kept every page until its last region went:
 * the frames stayed at 8.) */
static void test_shared_holes_dropped(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free(), b = 0x40000;
	const struct vm_object *o;

	(void)state;
	assert_int_equal(vm_region_add(p, b, b + 8 * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t k = 0; k < 8; k++)
		fake_poke(p, b + k * PG, (uint8_t)(10 + k));
	o = vm_region_find(p, b)->obj;
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_unmap_range(p, b + 2 * PG, b + 5 * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 8);	/* c reaches them all */
	assert_int_equal(vm_unmap_range(c, b + 3 * PG, b + 6 * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 6);
	assert_int_equal(pv_count(&o->pages, 0, o->npages), 6);
	assert_int_equal(pv_get(&o->pages, 3) | pv_get(&o->pages, 4), 0);
	assert_int_equal(fake_peek(c, b + 2 * PG), 12);
	assert_int_equal(fake_peek(p, b + 5 * PG), 15);
	expect_footprint(p, 1, 4);	/* page 5 p's alone; 0, 1, 6, 7 shared */
	expect_footprint(c, 1, 4);	/* page 2 c's alone */

	/* Both shrink their last piece by page 7: it goes with the second. */
	assert_int_equal(vm_region_resize(c, b + 8 * PG, b + 7 * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 6);
	assert_int_equal(fake_peek(p, b + 7 * PG), 17);
	assert_int_equal(vm_region_resize(p, b + 8 * PG, b + 7 * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 5);
	assert_int_equal(vm_region_resize(p, b + 7 * PG, b + 8 * PG), 0);
	fake_fault(p, b + 7 * PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(p, b + 7 * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 6);
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0 - 5);	/* p's 0, 1, 5-7; c's page 2 went */
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* p leaves pages 0 and 1 of a region c still maps: they stay, the same
 * frames with the same bytes, and now count c's alone, while pages 2 and
 * 3, which c left, are p's alone. The first exit frees the pages only it
 * reached. (Before, c counted all 4 shared, p 4 shared, and c's exit
 * freed nothing.) */
static void test_shared_kept_while_mapped(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free(), b = 0x40000, pa[4];

	(void)state;
	assert_int_equal(vm_region_add(p, b, b + 4 * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t k = 0; k < 4; k++) {
		fake_poke(p, b + k * PG, (uint8_t)(20 + k));
		pa[k] = vm_lookup(p, b + k * PG);
	}
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_unmap_range(c, b + 2 * PG, b + 4 * PG), 0);
	assert_int_equal(vm_unmap_range(p, b, b + 2 * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 4);
	for (uint64_t k = 0; k < 4; k++) {
		struct vm_space *in = k < 2 ? c : p;
		assert_int_equal(vm_lookup(in, b + k * PG), pa[k]);
		assert_int_equal(vm_mapcount(pa[k]), 1);
		assert_int_equal(fake_peek(in, b + k * PG), 20 + k);
	}
	expect_footprint(p, 2, 0);
	expect_footprint(c, 2, 0);
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	expect_footprint(p, 2, 0);
	assert_int_equal(fake_peek(p, b + 3 * PG), 23);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* The OOM killer's view of a shared mapping cut down in two processes: A
 * maps N pages shared and touches every one, forks B; A unmaps all but the
 * first page, B all but the last. The object keeps those two frames, each
 * its space's alone. (Before, it kept all N, which no region could reach,
 * while A and B each counted one page, shared: N - 2 frames the OOM
 * killer could not see, and neither process counted any page alone.) */
static void test_footprint_shared_cut(void **state)
{
	enum { N = 256 };
	struct vm_space *a = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free(), b = 0x100000;

	(void)state;
	assert_int_equal(vm_region_add(a, b, b + N * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t k = 0; k < N; k++)
		fake_poke(a, b + k * PG, 1);
	assert_int_equal(vm_fork(a, c), 0);
	expect_footprint(a, 0, N);
	assert_int_equal(frames_free(), free0 - N);
	assert_int_equal(vm_unmap_range(a, b + PG, b + N * PG), 0);
	assert_int_equal(vm_unmap_range(c, b, b + (N - 1) * PG), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	expect_footprint(a, 1, 0);
	expect_footprint(c, 1, 0);
	vm_space_destroy(c);
	assert_int_equal(frames_free(), free0 - 1);
	vm_space_destroy(a);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* Many sharers of one object, many regions each: one shared region of
 * 2 * HOLES + 1 pages with a hole punched at every odd page (HOLES + 1
 * regions on the object), then FORKS children, 14,000 regions in all on
 * one object; every fourth region's page is touched. Odd children unmap
 * the first half, even ones the second: every page is still shared, each
 * child's half too; the even children's exits leave the first half to the
 * parent alone, the odd children's the rest. What each footprint counts and
 * which frames each exit frees hold as for two sharers; the walks that
 * learn them visit the object's regions alone, never a bystander's, and
 * a footprint each of them at most twice (before the object's list, one
 * footprint pass over these spaces visited 192 million regions). */
static void test_footprint_many_sharers(void **state)
{
	enum { HOLES = 512, FORKS = 27, HALF = HOLES / 2 };
	struct vm_space *p = vm_space_create(1, 1), *c[FORKS + 1], *by = vm_space_create(99, 99);
	uint64_t free0 = frames_free(), b = 0x1000000, touched = 0, first = 0, refs;
	const struct vm_object *o;

	(void)state;
	assert_int_equal(vm_region_add(p, b, b + (2 * HOLES + 1) * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t k = 0; k < HOLES; k++)
		assert_int_equal(vm_unmap_range(p, b + (2 * k + 1) * PG, b + (2 * k + 2) * PG), 0);
	for (uint64_t k = 0; k <= HOLES; k += 4, touched++) {
		fake_poke(p, b + 2 * k * PG, (uint8_t)k);
		first += k < HALF;
	}
	o = vm_region_find(p, b)->obj;
	assert_int_equal(o->refs, HOLES + 1);
	/* A bystander's regions, which no walk of o's list meets. */
	for (uint64_t k = 0; k < 1000; k++)
		assert_int_equal(vm_region_add(by, b + 2 * k * PG, b + (2 * k + 1) * PG, RW,
					       k % 2 ? VM_ANON : VM_SHARED, NULL), 0);
	for (int i = 1; i <= FORKS; i++) {
		c[i] = vm_space_create(1 + i, 1 + (uint32_t)i);
		assert_int_equal(vm_fork(p, c[i]), 0);
	}
	fake_check();
	for (int i = 1; i <= FORKS; i++)
		expect_footprint_bounded(c[i], o, 0, touched);
	expect_footprint_bounded(p, o, 0, touched);
	for (int i = 1; i <= FORKS; i++) {
		uint64_t mid = b + 2 * HALF * PG, end = b + (2 * HOLES + 1) * PG;
		assert_int_equal(vm_unmap_range(c[i], i % 2 ? b : mid, i % 2 ? mid : end), 0);
		expect_footprint_bounded(c[i], o, 0, i % 2 ? touched - first : first);
	}
	fake_check();
	expect_footprint(p, 0, touched);
	assert_int_equal(frames_free(), free0 - touched);
	/* A child's exit walks nothing: each of its regions has a twin beside
	 * it on o's list (a fork's copy) reaching all it reaches. */
	for (int i = 2; i <= FORKS; i += 2) {
		vm_object_visits = 0;
		vm_space_destroy(c[i]);
		assert_int_equal(vm_object_visits, 0);
	}
	expect_footprint_bounded(p, o, first, touched - first);
	expect_footprint_bounded(c[1], o, 0, touched - first);
	assert_int_equal(frames_free(), free0 - touched);
	for (int i = 1; i <= FORKS; i += 2)
		vm_space_destroy(c[i]);
	fake_check();
	expect_footprint_bounded(p, o, touched, 0);
	assert_int_equal(fake_peek(p, b + 2 * 4 * PG), 4);
	/* The last sharer's exit asks once for each page it held, and each
	 * question walks o's regions alone. */
	refs = o->refs;
	vm_object_visits = 0;
	vm_space_destroy(p);
	assert_in_range(vm_object_visits, 1, touched * refs);
	vm_space_destroy(by);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* A shared region of n pages at b in p, each page written (page i holds
 * i + 1): its object. */
static const struct vm_object *shared_touched(struct vm_space *p, uint64_t b, uint64_t n)
{
	assert_int_equal(vm_region_add(p, b, b + n * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t i = 0; i < n; i++)
		fake_poke(p, b + i * PG, (uint8_t)(i + 1));
	return vm_region_find(p, b)->obj;
}

/* A release's walk of an object's list goes on from where its last
 * question left it: the parent maps a shared region of PAGES pages,
 * touches them all and forks FORKS children; child k keeps one-page
 * regions at pages k, k + STRIDE, ... (its own offsets), the rest punched
 * out, so the object's list holds a region a page over half of it. The
 * parent's munmap asks about each run of pages, reached (a child's page)
 * or not (the other half, which goes): visits of the object's regions
 * stay within twice the pages and regions together (one walk from the
 * head for each run was ~pages x regions / 2: 109,948 visits for 400
 * pages and 448 regions). */
static void test_release_walk_linear(void **state)
{
	enum { PAGES = 256, FORKS = 4, STRIDE = 2 * FORKS };
	struct vm_space *p = vm_space_create(1, 1), *c[FORKS];
	uint64_t free0 = frames_free(), b = 0x1000000, regions;
	const struct vm_object *o;

	(void)state;
	o = shared_touched(p, b, PAGES);
	for (int k = 0; k < FORKS; k++) {
		c[k] = vm_space_create(2 + k, 2 + (uint32_t)k);
		assert_int_equal(vm_fork(p, c[k]), 0);
		for (uint64_t i = 0; i < PAGES; i++)
			if (i % STRIDE != (uint64_t)k)
				assert_int_equal(vm_unmap_range(c[k], b + i * PG, b + (i + 1) * PG), 0);
	}
	fake_check();
	regions = o->refs;
	assert_int_equal(regions, 1 + PAGES / STRIDE * FORKS);
	vm_object_visits = 0;
	assert_int_equal(vm_unmap_range(p, b, b + PAGES * PG), 0);
	assert_in_range(vm_object_visits, 1, 2 * (PAGES + regions));
	fake_check();
	/* The pages no child reaches went; each child's are there. */
	assert_int_equal(frames_free(), free0 - PAGES / STRIDE * FORKS);
	for (int k = 0; k < FORKS; k++)
		assert_int_equal(fake_peek(c[k], b + (uint64_t)(STRIDE + k) * PG),
				 (uint8_t)(STRIDE + k + 1));
	for (int k = 0; k < FORKS; k++)
		vm_space_destroy(c[k]);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* An exit releasing many regions of one object in a row, none covered by
 * a list neighbour (parent and child each keep every other page of a
 * shared region, so their pieces alternate on the object's list): each
 * release's walk goes on from the last one's place, so the exit visits at
 * most twice the pages and regions, not, for each piece, every piece of
 * the parent's before it (~PIECES^2/2 = 8K visits from the head). The
 * pages only the child reached go; the parent's stay. */
static void test_exit_releases_linear(void **state)
{
	enum { PIECES = 128, PAGES = 2 * PIECES };
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	uint64_t free0 = frames_free(), b = 0x1000000, regions;
	const struct vm_object *o;

	(void)state;
	o = shared_touched(p, b, PAGES);
	assert_int_equal(vm_fork(p, c), 0);
	for (uint64_t i = 0; i < PAGES; i++)
		assert_int_equal(vm_unmap_range(i % 2 ? c : p, b + i * PG, b + (i + 1) * PG), 0);
	fake_check();
	regions = o->refs;
	assert_int_equal(regions, PAGES);
	vm_object_visits = 0;
	vm_space_destroy(c);
	assert_in_range(vm_object_visits, 1, 2 * (PAGES + regions));
	fake_check();
	assert_int_equal(frames_free(), free0 - PIECES);
	for (uint64_t i = 1; i < PAGES; i += 2)
		assert_int_equal(fake_peek(p, b + i * PG), (uint8_t)(i + 1));
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* Spaces sharing one object of 8 pages (page i holds i + 1) as pieces:
 * a all 8, then one page each in d (page 0), x (1) and y (2), and pages 4
 * and 5 in z; the object's list A(0,8) D(0) X(1) Y(2) Z(4,5), so that X's
 * neighbours cover it not. Then x exits: its release walks the list from
 * the head, asks about page 1 (A reaches it) and is kept (object.cursor):
 * A and D passed, their furthest reach 8, Y next. */
#define KW 0x1000000UL	/* where the kept-walk tests' region lies, in every space */

struct kept_walk {
	struct vm_space *a, *d, *y, *z;
	struct vm_object *o;
	uint64_t free0;
};

/* Space id's copy of a, keeping only pages [from, to) of its region. */
static struct vm_space *piece_of(struct vm_space *a, int id, uint64_t from, uint64_t to)
{
	struct vm_space *s = vm_space_create(id, (uint32_t)id);

	assert_int_equal(vm_fork(a, s), 0);
	if (from > 0)
		assert_int_equal(vm_unmap_range(s, KW, KW + from * PG), 0);
	assert_int_equal(vm_unmap_range(s, KW + to * PG, KW + 8 * PG), 0);
	return s;
}

static void kept_walk_start(struct kept_walk *k)
{
	struct vm_space *x;
	const struct vm_region *r;
	const uint64_t pgoffs[] = { 0, 0, 2, 4 };

	k->free0 = frames_free();
	k->a = vm_space_create(1, 1);
	shared_touched(k->a, KW, 8);
	k->o = vm_region_find(k->a, KW)->obj;
	/* Each fork's copy joins right after a's region: forked last, d is
	 * its neighbour on the list. */
	k->z = piece_of(k->a, 5, 4, 6);
	k->y = piece_of(k->a, 4, 2, 3);
	x = piece_of(k->a, 3, 1, 2);
	k->d = piece_of(k->a, 2, 0, 1);
	assert_ptr_equal(k->o->regions->obj_next->space, k->d);
	assert_ptr_equal(k->o->regions->obj_next->obj_next->space, x);
	vm_space_destroy(x);
	fake_check();
	r = k->o->regions;
	for (int i = 0; i < 4; i++, r = r->obj_next)
		assert_int_equal(r->pgoff, pgoffs[i]);
	assert_ptr_equal(k->o->cursor.o, k->o);
	assert_ptr_equal(k->o->cursor.at, vm_region_find(k->y, KW + 2 * PG));
	assert_int_equal(k->o->cursor.end, 8);
	assert_int_equal(frames_free(), k->free0 - 8);	/* a reaches every page */
}

static void kept_walk_end(struct kept_walk *k)
{
	vm_space_destroy(k->a);
	vm_space_destroy(k->d);
	vm_space_destroy(k->y);
	if (k->z)
		vm_space_destroy(k->z);
	fake_check();
	assert_int_equal(frames_free(), k->free0);
}

/* A region joins the list behind a kept walk (the tail cut from A when a
 * unmaps pages 4..7 joins after Y, which the walk has not passed, while
 * A, passed, had reached it): the walk is dropped. Kept, its end (8, A's
 * old reach) would hold the tail's pages reached as it goes, and pages 6
 * and 7, which no region reaches any more, would stay. */
static void test_kept_walk_dropped_on_join(void **state)
{
	struct kept_walk k;

	(void)state;
	kept_walk_start(&k);
	assert_int_equal(vm_unmap_range(k.a, KW + 4 * PG, KW + 8 * PG), 0);
	assert_int_equal(frames_free(), k.free0 - 6);	/* pages 0..5: A, Z */
	fake_check();
	assert_int_equal(fake_peek(k.z, KW + 5 * PG), 6);
	kept_walk_end(&k);
}

/* A region's reach changes behind a kept walk (a shrinks A to pages
 * 0..3): the walk is dropped. Kept, its end (8) would hold Z's pages 4
 * and 5, which only Z reached, when z exits. */
static void test_kept_walk_dropped_on_resize(void **state)
{
	struct kept_walk k;

	(void)state;
	kept_walk_start(&k);
	assert_int_equal(vm_region_resize(k.a, KW + 8 * PG, KW + 4 * PG), 0);
	assert_int_equal(frames_free(), k.free0 - 6);	/* 6 and 7 went at once */
	vm_space_destroy(k.z);
	k.z = NULL;
	assert_int_equal(frames_free(), k.free0 - 4);	/* 4 and 5 with z */
	fake_check();
	assert_int_equal(fake_peek(k.a, KW + 3 * PG), 4);
	kept_walk_end(&k);
}

/* vm_check holds a kept walk to one from the head asked the same pages:
 * its end short (or too far), its place past a region it has not passed,
 * or a region at its place it should have passed, each found. */
static void test_check_catches_stale_kept_walk(void **state)
{
	struct kept_walk k;
	struct object_reach saved;

	(void)state;
	kept_walk_start(&k);
	saved = k.o->cursor;
	k.o->cursor.end = 4;
	if (vm_check() == 0)
		fail_msg("vm_check missed a kept walk whose end is short");
	assert_non_null(strstr(vm_check_error(), "kept release walk"));
	k.o->cursor = saved;
	k.o->cursor.at = saved.at->obj_next;
	if (vm_check() == 0)
		fail_msg("vm_check missed a kept walk past a region it has not passed");
	k.o->cursor = saved;
	k.o->cursor.asked = 3;
	if (vm_check() == 0)
		fail_msg("vm_check missed a kept walk asked past its place");
	k.o->cursor = saved;
	fake_check();
	kept_walk_end(&k);
}

/* vm_check finds each way an object's list of its regions can be broken:
 * a region missing from it, a link back wrong, a member no space has (a
 * copy standing in for the region), a member naming the wrong space. */
static void test_check_catches_broken_object_list(void **state)
{
	struct vm_space *p = vm_space_create(1, 1), *c = vm_space_create(2, 2);
	struct vm_region *m, copy;
	struct vm_object *o;

	(void)state;
	assert_int_equal(vm_region_add(p, 0x40000, 0x44000, RW, VM_SHARED, NULL), 0);
	fake_poke(p, 0x40000, 1);
	assert_int_equal(vm_unmap_range(p, 0x41000, 0x42000), 0);
	assert_int_equal(vm_fork(p, c), 0);
	fake_check();
	o = vm_region_find(p, 0x40000)->obj;
	assert_int_equal(o->refs, 4);
	m = o->regions->obj_next;	/* the second of four: neighbours both sides */
	m->obj_prev->obj_next = m->obj_next;
	m->obj_next->obj_prev = m->obj_prev;
	if (vm_check() == 0)
		fail_msg("vm_check missed a region left off its object's list");
	assert_non_null(strstr(vm_check_error(), "misses regions"));
	m->obj_prev->obj_next = m;
	m->obj_next->obj_prev = m;
	fake_check();
	m->obj_next->obj_prev = m->obj_prev;
	if (vm_check() == 0)
		fail_msg("vm_check missed a wrong link back");
	assert_non_null(strstr(vm_check_error(), "not linked back"));
	m->obj_next->obj_prev = m;
	fake_check();
	copy = *m;
	m->obj_prev->obj_next = m->obj_next->obj_prev = &copy;
	if (vm_check() == 0)
		fail_msg("vm_check missed a list member no space has");
	assert_non_null(strstr(vm_check_error(), "no space has"));
	m->obj_prev->obj_next = m->obj_next->obj_prev = m;
	fake_check();
	m->space = m->space == p ? c : p;
	if (vm_check() == 0)
		fail_msg("vm_check missed a list member naming the wrong space");
	m->space = m->space == p ? c : p;
	fake_check();
	vm_space_destroy(p);
	vm_space_destroy(c);
	fake_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_fork_chain_all_orders),
		TEST(test_unmap_in_one_sharer),
		TEST(test_shared_region),
		TEST(test_shared_resize),
		TEST(test_unmap_frame_everywhere),
		TEST(test_unmap_frame_everywhere_shared),
		TEST(test_fork_image),
		TEST(test_space_info),
		TEST(test_check_catches_fork_corruption),
		TEST(test_check_catches_unreached_page),
		TEST(test_fork_nomem),
		TEST(test_fork_protect_refused),
		TEST(test_no_faultaround_on_cow),
		TEST(test_fork_copies_tables),
		TEST(test_cow_write_maps_once),
		TEST(test_cow_write_lost_mapping),
		TEST(test_footprint_private),
		TEST(test_footprint_fork_cow),
		TEST(test_footprint_shared_region),
		TEST(test_sharing_sets),
		TEST(test_footprint_shared_split),
		TEST(test_shared_holes_dropped),
		TEST(test_shared_kept_while_mapped),
		TEST(test_footprint_shared_cut),
		TEST(test_footprint_many_sharers),
		TEST(test_release_walk_linear),
		TEST(test_exit_releases_linear),
		TEST(test_kept_walk_dropped_on_join),
		TEST(test_kept_walk_dropped_on_resize),
		TEST(test_check_catches_stale_kept_walk),
		TEST(test_check_catches_broken_object_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
