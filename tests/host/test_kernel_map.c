/*
 * Host tests for a run of map entries (kernel/vmcall.c's vm_map_entries):
 * the checks a run remembers (the last frame's memory range and the last
 * perm) and the PTE bits arch_pt_map_run keeps, against single entries';
 * and arch_pt_unmap's steps over a sparse span, and the tables it gives
 * back once empty; a map its budget refuses, made from the empty tables
 * another process sharing the budget keeps (kernel/budget_members.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_csr.h"

#include "../../arch/riscv/mmu.c"
#include "../../kernel/memmap.c"
#include "../../kernel/vmcall.c"
#include "../../kernel/budget_members.c"
#include "test_kernel_fake.h"

_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

#define VA 0x40000000UL			/* 2 MiB aligned */
#define RANGE (1UL << ARCH_PT_RANGE_SHIFT)
#define FREE0 0x80400000UL		/* two free ranges of four frames, */
#define FREE1 (FREE0 + 8 * PAGE_SIZE)	/* with four not the root task's between */
#define RW (MAP_R | MAP_W)

/* The caller; procs[0] is mapped by runs, procs[1] one entry a call. */
static struct proc root = { .is_root = 1, .alive = 1 };

static int setup(void **state)
{
	(void)state;
	memset(&memmap, 0, sizeof(memmap));
	memmap.free[0] = (struct phys_range){ FREE0, FREE0 + 4 * PAGE_SIZE };
	memmap.free[1] = (struct phys_range){ FREE1, FREE1 + 4 * PAGE_SIZE };
	memmap.nfree = 2;
	twins_create();
	return 0;
}

/* A run of n entries mapped into proc 0 fails with -ERR_INVAL at entry
 * bad: those before it are mapped to their frames, it and those after
 * not; alone, it is refused too. */
static void check_run_stops(const struct map_entry *e, size_t n, size_t bad)
{
	assert_int_equal(vm_map_entries(&root, &procs[0], e, n), -ERR_INVAL);
	for (size_t k = 0; k < n; k++) {
		uint64_t pte = pte_of(0, e[k].va);

		assert_int_equal(pte & PTE_V, k < bad ? PTE_V : 0);
		if (k < bad)
			assert_int_equal(PTE_TO_PA(pte), e[k].pa);
	}
	assert_int_equal(vm_map_entries(&root, &procs[1], &e[bad], 1), -ERR_INVAL);
	assert_int_equal(pte_of(1, e[bad].va) & PTE_V, 0);
}

/* A frame just past a free range's end is not the root task's, though
 * the run's frames so far lie in that range. */
static void test_run_past_range_end(void **state)
{
	struct map_entry e[6];

	(void)state;
	for (size_t k = 0; k < 6; k++)
		e[k] = (struct map_entry){ VA + k * PAGE_SIZE, FREE0 + k * PAGE_SIZE, RW };
	e[5].pa = FREE1;	/* good, but after the bad one */
	check_run_stops(e, 6, 4);
}

/* A perm perm_ok refuses, after a run of good ones in one range. */
static void test_run_bad_perm(void **state)
{
	static const uint64_t bad[] = { MAP_W, MAP_CLEAN, RW | 0x10, (uint64_t)RW << 32 };
	struct map_entry e[5];

	(void)state;
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		for (size_t k = 0; k < 5; k++)
			e[k] = (struct map_entry){ VA + (8 * b + k) * PAGE_SIZE,
						   FREE0 + (k % 4) * PAGE_SIZE, RW };
		e[3].perm = bad[b];
		check_run_stops(e, 5, 3);
	}
}

/* A run across a 2 MiB range and from one free range to the other, its
 * perm changing on the way: each entry's PTE is the one it gets alone. */
static void test_run_perm_changes(void **state)
{
	static const uint64_t perm[] = { RW, RW, RW | MAP_CLEAN, MAP_R, MAP_R | MAP_X, RW,
					 RW | MAP_CLEAN, MAP_R };
	enum { N = sizeof(perm) / sizeof(perm[0]) };
	struct map_entry e[N];

	(void)state;
	for (size_t k = 0; k < N; k++)
		e[k] = (struct map_entry){ VA + RANGE + (k - N / 2) * PAGE_SIZE,
					   (k < 4 ? FREE0 : FREE1) + (k % 4) * PAGE_SIZE, perm[k] };
	assert_int_equal(vm_map_entries(&root, &procs[0], e, N), 0);
	for (size_t k = 0; k < N; k++)
		assert_int_equal(vm_map_entries(&root, &procs[1], &e[k], 1), 0);
	for (size_t k = 0; k < N; k++) {
		assert_true(pte_of(0, e[k].va) & PTE_V);
		assert_int_equal(pte_of(0, e[k].va), pte_of(1, e[k].va));
	}
	/* The bits do differ with the perm: the compare above could fail. */
	assert_true(pte_of(0, e[1].va) & PTE_D);
	assert_int_equal(pte_of(0, e[2].va) & PTE_D, 0);
	assert_int_equal(pte_of(0, e[3].va) & PTE_W, 0);
	assert_true(pte_of(0, e[4].va) & PTE_X);
}

/* A fault reply's one entry (FAULT_RESUME_ONE, vm_map_one from the
 * registers): from a replier that is not the root task it is refused
 * (-ERR_PERM) whatever it names; from the root task, an address that is
 * not a user page (unaligned, in the kernel's half, past Sv39, at or past
 * USER_TOP, below USER_BASE) or a frame not its own is refused
 * (-ERR_INVAL). Nothing is mapped for any, and good entries after them
 * map, the last user page among them. */
static void test_one_entry_refused(void **state)
{
	static const uint64_t bad_va[] = { VA + 8, 0xffffffc000000000UL, 1UL << 39, USER_TOP,
					   USER_BASE - PAGE_SIZE, 0 };
	const uint64_t last = USER_TOP - PAGE_SIZE;
	struct proc other = { .is_root = 0, .alive = 1 };

	(void)state;
	assert_int_equal(vm_map_one(&other, &procs[1], VA, FREE0, RW), -ERR_PERM);
	assert_int_equal(pte_of(1, VA) & PTE_V, 0);
	for (size_t k = 0; k < sizeof(bad_va) / sizeof(bad_va[0]); k++) {
		assert_int_equal(vm_map_one(&root, &procs[1], bad_va[k], FREE0, RW), -ERR_INVAL);
		/* By the kernel's own check: the page table's refuses USER_TOP too. */
		assert_false(vm_user_page(bad_va[k]));
	}
	assert_int_equal(vm_map_one(&root, &procs[1], VA, FREE0 + 4 * PAGE_SIZE, RW), -ERR_INVAL);
	assert_int_equal(vm_map_one(&root, &procs[1], VA, FREE0 + 8, RW), -ERR_INVAL);
	assert_int_equal(pte_of(1, VA) & PTE_V, 0);
	assert_int_equal(vm_map_one(&root, &procs[1], VA, FREE0, RW), 0);
	assert_int_equal(PTE_TO_PA(pte_of(1, VA)), FREE0);
	assert_int_equal(vm_map_one(&root, &procs[1], last, FREE0 + PAGE_SIZE, RW), 0);
	assert_int_equal(PTE_TO_PA(pte_of(1, last)), FREE0 + PAGE_SIZE);
}

/* arch_pt_unmap over a sparse span: its walk steps past a 2 MiB with no
 * leaf table and past a whole 1 GiB with no root table (past_absent), so a
 * step must land on the next range's first page, whatever the start's
 * offset: every page mapped inside [start, end) goes, none outside it. */
#define GIB (1UL << 30)
static void test_unmap_sparse(void **state)
{
	/* Pages in GiB 0 (before and after the start), at the 2 MiB boundary
	 * where GiB 2 begins and the next 2 MiB up, and just past the end;
	 * GiB 1 has no table at all. */
	const uint64_t before = 0x08000000UL, in0 = 0x30000000UL;
	const uint64_t in2 = 2 * GIB, in2b = 2 * GIB + RANGE + 5 * PAGE_SIZE;
	const uint64_t end = in2b + PAGE_SIZE;
	const uint64_t page[] = { before, in0, in2, in2b, end };
	enum { N = sizeof(page) / sizeof(page[0]) };
	struct arch_pt *pt = &procs[0].pt;

	(void)state;
	for (size_t k = 0; k < N; k++)
		assert_int_equal(arch_pt_map(pt, page[k], FREE0 + k * PAGE_SIZE, RW), 0);
	assert_int_equal(pt->root[VPN(GIB, 2)] & PTE_V, 0);
	/* From the middle of GiB 0 (not 2 MiB aligned) across GiB 1 into 2. */
	arch_pt_unmap(pt, before + 3 * PAGE_SIZE, (end - before - 3 * PAGE_SIZE) / PAGE_SIZE);
	assert_true(pte_of(0, before) & PTE_V);
	assert_int_equal(pte_of(0, in0) & PTE_V, 0);
	assert_int_equal(pte_of(0, in2) & PTE_V, 0);
	assert_int_equal(pte_of(0, in2b) & PTE_V, 0);
	assert_true(pte_of(0, end) & PTE_V);

	/* From mid-gigabyte in the absent GiB 1 (neither 1 GiB nor 2 MiB
	 * aligned): the step out of it lands on GiB 2's first page. */
	assert_int_equal(arch_pt_map(pt, in2, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, in2b, FREE0, RW), 0);
	arch_pt_unmap(pt, GIB + 0x12345000UL, (end - GIB - 0x12345000UL) / PAGE_SIZE);
	assert_int_equal(pte_of(0, in2) & PTE_V, 0);
	assert_int_equal(pte_of(0, in2b) & PTE_V, 0);
	assert_true(pte_of(0, end) & PTE_V);
	assert_true(pte_of(0, before) & PTE_V);
}

/* arch_pt_copy_range maps in the child, with the perm given, exactly the
 * 4 KiB pages the parent maps inside the range (their frames, the
 * parent's own entries unchanged), across a 2 MiB with no leaf table and a
 * 1 GiB with none at all; a page outside it, or one the child maps where
 * the parent has none, is left as it was. */
static void test_copy_range(void **state)
{
	const uint64_t before = 0x08000000UL, in0 = 0x30000000UL + 7 * PAGE_SIZE;
	const uint64_t in2 = 2 * GIB, in2b = 2 * GIB + RANGE + 5 * PAGE_SIZE;
	const uint64_t end = in2b + PAGE_SIZE, own = in0 + PAGE_SIZE;
	const uint64_t page[] = { before, in0, in2, in2b, end };
	enum { N = sizeof(page) / sizeof(page[0]) };
	struct arch_pt *from = &procs[0].pt, *to = &procs[1].pt;
	uint64_t parent[N];

	(void)state;
	for (size_t k = 0; k < N; k++) {
		assert_int_equal(arch_pt_map(from, page[k], FREE0 + k * PAGE_SIZE, RW), 0);
		parent[k] = pte_of(0, page[k]);
	}
	assert_int_equal(arch_pt_map(to, own, FREE1, RW), 0);
	assert_int_equal(arch_pt_copy_range(from, to, before + 3 * PAGE_SIZE,
					    (end - before - 3 * PAGE_SIZE) / PAGE_SIZE, MAP_R),
			 0);
	for (size_t k = 0; k < N; k++) {
		uint64_t pte = pte_of(1, page[k]);

		assert_int_equal(pte_of(0, page[k]), parent[k]);
		if (page[k] == before || page[k] == end) {
			assert_int_equal(pte & PTE_V, 0);
			continue;
		}
		assert_int_equal(PTE_TO_PA(pte), FREE0 + k * PAGE_SIZE);
		assert_int_equal(pte & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_V),
				 PTE_R | PTE_U | PTE_V);
	}
	assert_int_equal(PTE_TO_PA(pte_of(1, own)), FREE1);
	assert_int_equal(pte_of(1, own + PAGE_SIZE) & PTE_V, 0);
}

/* A 2 MiB page where a walk wanted a leaf table is the caller's error,
 * -ERR_INVAL, not a shortage (-ERR_NOMEM: the pager would reclaim, or
 * the process's table limit be blamed): for a copy into a child holding
 * one (the pages before it copied, as after a shortage), a map and a run
 * of maps over one, and a device window's tables prepared over one (the
 * leaf table made for the window's start goes again). */
static void test_larger_leaf_refused(void **state)
{
	struct arch_pt *from = &procs[0].pt, *to = &procs[1].pt;
	const uint64_t big = VA + 4 * RANGE, inside = big + PAGE_SIZE;
	const struct map_entry run[] = { { VA, FREE0, RW }, { inside, FREE0, RW } };
	uint64_t pages;

	(void)state;
	assert_int_equal(arch_pt_map_2m(to, big, FREE0 & ~(RANGE - 1), RW), 0);
	assert_int_equal(arch_pt_map(from, VA, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(from, inside, FREE0 + PAGE_SIZE, RW), 0);
	assert_int_equal(arch_pt_copy_range(from, to, VA, (inside - VA) / PAGE_SIZE + 1, MAP_R),
			 -ERR_INVAL);
	assert_int_equal(PTE_TO_PA(pte_of(1, VA)), FREE0);	/* before it: copied */
	assert_int_equal(arch_pt_translate(to, inside, 0), (FREE0 & ~(RANGE - 1)) + PAGE_SIZE);

	assert_int_equal(arch_pt_map(to, inside, FREE0, RW), -ERR_INVAL);
	assert_int_equal(vm_map_one(&root, &procs[1], inside, FREE0, RW), -ERR_INVAL);
	assert_int_equal(vm_map_entries(&root, &procs[1], run, 2), -ERR_INVAL);

	pages = to->pages;
	assert_int_equal(arch_pt_prepare(to, big - PAGE_SIZE, 2), -ERR_INVAL);
	assert_int_equal(to->pages, pages);
	assert_int_equal(pte_of(1, big - PAGE_SIZE), 0);	/* no leaf table there */
}

/* A device window's page in the parent (device_map's leaf, a frame no
 * map may name) is copied as the RAM pages are: copy_maps checks no
 * frame, every leaf having come in by a call that checked its own
 * (arch_pt_copy_range's comment), so the copy gives the child nothing
 * the root task could not map there with device_map. */
static void test_copy_range_device_window(void **state)
{
	struct arch_pt *from = &procs[0].pt, *to = &procs[1].pt;
	const uint64_t dev = 0x10001000UL;	/* virtio-mmio's, outside the memory map */

	(void)state;
	assert_int_equal(vm_map_one(&root, &procs[0], VA, dev, RW), -ERR_INVAL);
	assert_int_equal(arch_pt_map(from, VA, dev, RW), 0);	/* as device_map does */
	assert_int_equal(arch_pt_map(from, VA + PAGE_SIZE, FREE0, RW), 0);
	assert_int_equal(arch_pt_copy_range(from, to, VA, 2, MAP_R), 0);
	assert_int_equal(PTE_TO_PA(pte_of(1, VA)), dev);
	assert_int_equal(pte_of(1, VA) & (PTE_R | PTE_W | PTE_U | PTE_V), PTE_R | PTE_U | PTE_V);
	assert_int_equal(PTE_TO_PA(pte_of(1, VA + PAGE_SIZE)), FREE0);
}

/* A process that maps a page and unmaps it, each time in another leaf
 * table and another 1 GiB, many times more than its page-table limit
 * allows tables at once, gets the tables back as the last page of each
 * goes: every map succeeds, and its count and the pool's end where they
 * started. */
static void test_unmap_frees_tables(void **state)
{
	struct arch_pt *pt = &procs[0].pt;
	long pool = fake_pages_out;

	(void)state;
	pt->limit = 3;	/* the root, a table of 2 MiB ranges, a leaf table */
	for (uint64_t k = 0; k < 600; k++) {
		uint64_t va = (1 + k % 255) * GIB + (k % PT_ENTRIES) * RANGE + (k % 7) * PAGE_SIZE;

		assert_int_equal(arch_pt_map(pt, va, FREE0, RW), 0);
		assert_int_equal(pt->pages, 3);
		arch_pt_unmap(pt, va - 3 * PAGE_SIZE, 4);
		assert_int_equal(pte_of(0, va), 0);
		assert_int_equal(pt->pages, 1);
	}
	assert_int_equal(fake_pages_out, pool);
}

/* A table goes only once it is empty: a leaf table keeps its other page,
 * and a table of 2 MiB ranges keeps a 2 MiB page (the pager maps its
 * physmap so) when its last leaf table goes; an unmap across two leaf
 * tables frees both. */
static void test_unmap_keeps_used_tables(void **state)
{
	struct arch_pt *pt = &procs[0].pt;

	(void)state;
	assert_int_equal(arch_pt_map(pt, VA, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, VA + RANGE - PAGE_SIZE, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, VA + RANGE, FREE0, RW), 0);
	assert_int_equal(pt->pages, 4);
	arch_pt_unmap(pt, VA, 1);
	assert_int_equal(pt->pages, 4);
	assert_true(pte_of(0, VA + RANGE - PAGE_SIZE) & PTE_V);
	arch_pt_unmap(pt, VA + RANGE - PAGE_SIZE, 2);	/* the last of each */
	assert_int_equal(pt->pages, 1);

	assert_int_equal(arch_pt_map_2m(pt, VA + 4 * RANGE, FREE0 & ~(RANGE - 1), RW), 0);
	assert_int_equal(arch_pt_map(pt, VA, FREE0, RW), 0);
	assert_int_equal(pt->pages, 3);
	arch_pt_unmap(pt, VA, 1);
	assert_int_equal(pt->pages, 2);
	assert_int_equal(arch_pt_translate(pt, VA + 4 * RANGE, 0), FREE0 & ~(RANGE - 1));
}

/* A leaf taken out for a while (HARVEST_UNMAP clears it in place and
 * keeps its table), as harvest_leaves does. */
static void take_out(struct arch_pt *pt, uint64_t va)
{
	*walk(pt, va, 0, 0) = 0;
}

/* The page-table limit bounds the tables mapped pages need, not those
 * ever made: a map at the limit gives back the tables left empty first,
 * and fails only if none is (or the table it made itself is the only
 * one, given back once and not again: no loop). */
static void test_limit_gives_back_empty_tables(void **state)
{
	struct arch_pt *pt = &procs[0].pt;

	(void)state;
	pt->limit = 4;	/* the root, a table of 2 MiB ranges, two leaf tables */
	assert_int_equal(arch_pt_map(pt, VA, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, VA + RANGE, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, VA + 2 * RANGE, FREE0, RW), -ERR_NOMEM);
	assert_int_equal(pt->pages, 4);
	take_out(pt, VA + RANGE);
	assert_int_equal(pt->pages, 4);	/* kept */
	assert_int_equal(arch_pt_map(pt, VA + 2 * RANGE, FREE0, RW), 0);
	assert_int_equal(pt->pages, 4);
	assert_int_equal(arch_pt_translate(pt, VA, 0), FREE0);

	/* Another 1 GiB: a table of 2 MiB ranges and a leaf table more. */
	assert_int_equal(arch_pt_map(pt, VA + GIB, FREE0, RW), -ERR_NOMEM);
	take_out(pt, VA);
	take_out(pt, VA + 2 * RANGE);
	assert_int_equal(arch_pt_map(pt, VA + GIB, FREE0, RW), 0);
	assert_int_equal(pt->pages, 3);	/* the first 1 GiB's tables all went */

	pt->limit = 4;
	assert_int_equal(arch_pt_map(pt, VA + 2 * GIB, FREE0, RW), -ERR_NOMEM);
	assert_int_equal(pt->pages, 4);	/* the table made for it, left as before */
}

/* The kernel's pool runs out before the process's limit: the empty tables
 * it kept for pages taken out for a while go, and the map is made (it
 * failed with the pool holding them). */
static void test_pool_out_gives_back_empty_tables(void **state)
{
	struct arch_pt *pt = &procs[0].pt;

	(void)state;
	for (uint64_t k = 0; k < 4; k++) {
		assert_int_equal(arch_pt_map(pt, VA + k * RANGE, FREE0, RW), 0);
		take_out(pt, VA + k * RANGE);
	}
	fake_pool_cap = fake_pages_out;
	assert_int_equal(arch_pt_map(pt, VA + 8 * RANGE, FREE0, RW), 0);
	assert_int_equal(arch_pt_translate(pt, VA + 8 * RANGE, 0), FREE0);
	fake_pool_cap = 0;
}

/* A device window's tables made at the limit (arch_pt_prepare): the empty
 * table kept for a page taken out goes, but not the tables the prepare
 * itself made for the window's start, which are empty too until the window
 * is mapped: one given back would leave its page unmappable after the
 * prepare said every page could be. */
static void test_prepare_at_limit(void **state)
{
	struct arch_pt *pt = &procs[0].pt;
	const uint64_t win = VA + 3 * RANGE - PAGE_SIZE;	/* two pages, two ranges */

	(void)state;
	pt->limit = 4;	/* the root, a table of 2 MiB ranges, two leaf tables */
	assert_int_equal(arch_pt_map(pt, VA, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, VA + RANGE, FREE0, RW), 0);
	take_out(pt, VA + RANGE);
	/* The window needs two leaf tables: one more than the limit leaves. */
	assert_int_equal(arch_pt_prepare(pt, win, 2), -ERR_NOMEM);
	assert_int_equal(pt->pages, 3);	/* the kept table went; nothing else */
	assert_int_equal(arch_pt_translate(pt, VA, 0), FREE0);
	pt->limit = 5;
	assert_int_equal(arch_pt_prepare(pt, win, 2), 0);
	assert_int_equal(pt->pages, 5);
	pt->limit = 1;	/* no table may be made now: the prepared ones serve */
	assert_int_equal(arch_pt_map(pt, win, FREE0, RW), 0);
	assert_int_equal(arch_pt_map(pt, win + PAGE_SIZE, FREE0, RW), 0);
}

/* On a hart that faults for a clear A or D bit (Svade), which faults are
 * only that: the bits the kernel sets, or 0 for the pager's faults. */
static void test_ad_missing(void **state)
{
	const uint64_t user = PTE_V | PTE_U, rw = user | PTE_R | PTE_W;

	(void)state;
	assert_int_equal(ad_missing(user | PTE_R, FAULT_READ), PTE_A);
	assert_int_equal(ad_missing(user | PTE_X, FAULT_EXEC), PTE_A);
	assert_int_equal(ad_missing(rw | PTE_A, FAULT_WRITE), PTE_D);
	assert_int_equal(ad_missing(rw, FAULT_WRITE), PTE_A | PTE_D);
	/* A load of a writable page with D clear needs only A. */
	assert_int_equal(ad_missing(rw, FAULT_READ), PTE_A);
	/* Not a missing bit: the pager's. A copy-on-write page's store, with
	 * A and D clear too; no page; a kernel page; an access the page does
	 * not allow; W without R; both bits already there. */
	assert_int_equal(ad_missing(user | PTE_R, FAULT_WRITE), 0);
	assert_int_equal(ad_missing(0, FAULT_READ), 0);
	assert_int_equal(ad_missing(PTE_V | PTE_R | PTE_W, FAULT_WRITE), 0);
	assert_int_equal(ad_missing(rw, FAULT_EXEC), 0);
	assert_int_equal(ad_missing(user | PTE_X, FAULT_READ), 0);
	assert_int_equal(ad_missing(user | PTE_W, FAULT_WRITE), 0);
	assert_int_equal(ad_missing(rw | PTE_A | PTE_D, FAULT_WRITE), 0);
}

/* arch_pt_ad_fault on a page mapped clean: a store's fault sets D, flushes
 * the page and turns the check on; a copy-on-write store and an absent
 * page are left alone. */
static void test_ad_fault(void **state)
{
	struct arch_pt *pt = &procs[0].pt;

	(void)state;
	arch_ad_by_fault = 0;
	assert_int_equal(arch_pt_map(pt, VA, FREE0, RW | MAP_CLEAN), 0);
	assert_int_equal(pte_of(0, VA) & (PTE_A | PTE_D), PTE_A);
	assert_int_equal(arch_pt_ad_fault(pt, VA + 8, FAULT_WRITE), 1);
	assert_int_equal(pte_of(0, VA) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_int_equal(fake_sfenced, VA + 8);
	assert_int_equal(arch_ad_by_fault, 1);
	assert_int_equal(arch_pt_ad_fault(pt, VA, FAULT_WRITE), 0);	/* nothing missing */

	assert_int_equal(arch_pt_map(pt, VA + PAGE_SIZE, FREE0 + PAGE_SIZE, MAP_R), 0);
	assert_int_equal(arch_pt_ad_fault(pt, VA + PAGE_SIZE, FAULT_WRITE), 0);
	assert_int_equal(pte_of(0, VA + PAGE_SIZE) & PTE_D, 0);
	assert_int_equal(arch_pt_ad_fault(pt, VA + 2 * PAGE_SIZE, FAULT_READ), 0);
	assert_int_equal(arch_pt_ad_fault(pt, USER_TOP, FAULT_READ), 0);
}

/* A 2 MiB leaf (the pager's physmap): a fault anywhere in it is its one
 * PTE's, a level above any leaf table (a walk to level 0 finds none). A
 * load's fault sets A, a store's on a clean writable one D too. No 1 GiB
 * leaf: nothing maps one (arch_pt_map_2m is the largest). */
static void test_ad_fault_2m(void **state)
{
	struct arch_pt *pt = &procs[0].pt;
	const uint64_t mid = VA + RANGE / 2 + 8;
	uint64_t *e;

	(void)state;
	arch_ad_by_fault = 0;
	assert_int_equal(arch_pt_map_2m(pt, VA, FREE0, MAP_R | MAP_CLEAN), 0);
	assert_non_null(e = walk(pt, VA, 1, 0));
	*e &= ~PTE_A;	/* as a harvest leaves it */
	assert_int_equal(arch_pt_ad_fault(pt, mid, FAULT_READ), 1);
	assert_int_equal(*e & (PTE_A | PTE_D), PTE_A);
	assert_int_equal(fake_sfenced, mid);
	assert_int_equal(arch_ad_by_fault, 1);
	assert_int_equal(arch_pt_ad_fault(pt, mid, FAULT_WRITE), 0);	/* read-only */

	assert_int_equal(arch_pt_map_2m(pt, VA + RANGE, FREE0 + RANGE, RW | MAP_CLEAN), 0);
	assert_non_null(e = walk(pt, VA + RANGE, 1, 0));
	assert_int_equal(arch_pt_ad_fault(pt, VA + 2 * RANGE - 8, FAULT_WRITE), 1);
	assert_int_equal(*e & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_int_equal(PTE_TO_PA(*e), FREE0 + RANGE);
}

/* A 2 MiB leaf asked for where a leaf table is (a 4 KiB page mapped in
 * the range) is refused: written over, the table and its mappings would be
 * lost, its page still counted in pt->pages. The 4 KiB page stays mapped. */
static void test_map_2m_over_table(void **state)
{
	struct arch_pt *pt = &procs[0].pt;
	uint64_t pages;

	(void)state;
	assert_int_equal(arch_pt_map(pt, VA + PAGE_SIZE, FREE0, RW), 0);
	pages = pt->pages;
	assert_int_equal(arch_pt_map_2m(pt, VA, FREE0 & ~(RANGE - 1), RW), -ERR_INVAL);
	assert_int_equal(pt->pages, pages);
	assert_int_equal(arch_pt_translate(pt, VA + PAGE_SIZE, 0), FREE0);
	assert_int_equal(arch_pt_translate(pt, VA + 2 * PAGE_SIZE, 0), 0);
}

/* The twins made again sharing budget line (a line's processes). */
static void twins_share(struct budget *line)
{
	teardown(NULL);
	for (int i = 0; i < 2; i++) {
		memset(&procs[i], 0, sizeof(procs[i]));
		procs[i].budget = procs[i].pt.budget = line;
		budget_join(&procs[i]);
		assert_int_equal(arch_pt_create(&procs[i].pt), 0);
	}
}

/* p maps one page a 2 MiB range from VA until refused, and has each taken
 * out for a while (HARVEST_UNMAP, as a write-out does: its table kept):
 * how many it mapped. */
static uint64_t fill_and_take_out(struct proc *p)
{
	struct arch_pt_cursor c = { 0 };
	uint64_t n = 0;
	int r;

	while ((r = vm_map_one(&root, p, VA + n * RANGE, FREE0, RW)) == 0)
		n++;
	assert_int_equal(r, -ERR_NOMEM);
	for (uint64_t k = 0; k < n; k++) {
		struct harvest_entry e = { .bits = HARVEST_UNMAP, .va = VA + k * RANGE };

		arch_pt_harvest_run(&p->pt, &c, &e, 1);
		assert_true(e.bits & HARVEST_PRESENT);
	}
	return n;
}

/* Two processes sharing a budget: B fills it with tables and has their
 * pages taken out (tables kept); A's map, refused a table by the budget,
 * is made from B's empty tables, by one entry and by a run (each failed,
 * and its fault killed A, while B kept them). A at its own limit gets
 * none of B's: the limit bounds A's tables, not the line's. */
static void test_budget_prunes_line(void **state)
{
	static struct budget line = { .limit = 8 * PAGE_SIZE };
	struct proc *a = &procs[1], *b = &procs[0];
	const struct map_entry run[2] = { { VA + RANGE, FREE0, RW }, { VA + 2 * RANGE, FREE1, RW } };

	(void)state;
	twins_share(&line);
	/* 8 pages less two roots: a table of 2 MiB ranges and five leaf tables. */
	assert_int_equal(fill_and_take_out(b), 5);
	assert_int_equal(b->pt.pages, 7);
	assert_int_equal(vm_map_one(&root, a, VA, FREE1, RW), 0);
	assert_int_equal(arch_pt_translate(&a->pt, VA, 0), FREE1);
	assert_int_equal(b->pt.pages, 1);	/* all its empty tables went */

	assert_int_equal(fill_and_take_out(b), 3);	/* 4 pages left: 1 + 3 */
	assert_int_equal(vm_map_entries(&root, a, run, 2), 0);
	assert_int_equal(arch_pt_translate(&a->pt, VA + 2 * RANGE, 0), FREE1);
	assert_int_equal(a->pt.pages, 1 + 1 + 3);

	assert_int_equal(fill_and_take_out(b), 1);	/* 2 pages left: 1 + 1 */
	a->pt.limit = a->pt.pages;
	assert_int_equal(vm_map_one(&root, a, VA + 3 * RANGE, FREE0, RW), -ERR_NOMEM);
	assert_int_equal(b->pt.pages, 1 + 1 + 1);	/* B's kept tables stay */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_past_range_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_2m_over_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_larger_leaf_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_range_device_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_bad_perm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_perm_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_entry_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_frees_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_keeps_used_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_gives_back_empty_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_at_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_out_gives_back_empty_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_prunes_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ad_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ad_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ad_fault_2m, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
