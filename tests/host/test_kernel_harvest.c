/*
 * Host tests for SYS_HARVEST's run entries: the kernel's checks
 * (kernel/harvest.c) and the Sv39 walk that answers them (arch/riscv/mmu.c),
 * both compiled here over heap pages for the kernel pool and a caller whose
 * user memory is the test's own. Nothing else reaches a run of the kernel.
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
#include "../../kernel/harvest.c"

#include "test_kernel_fake.h"

/* budget.h's, for a charge given back twice (mmu.c's tables). */
_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

/* The caller, holding handles 0 and 1 to the twins procs[0] (harvested by
 * run entries) and procs[1] (by single ones). */
static struct proc caller;
static struct handle handles[2];
static struct thread thread = { .tid = 1 };

#define BASE 0x40000000UL		/* 2 MiB aligned */
#define RANGE (1UL << ARCH_PT_RANGE_SHIFT)
#define PAGES_SPANNED (2 * RANGE / PAGE_SIZE)

static int setup(void **state)
{
	(void)state;
	twins_create();
	for (int i = 0; i < 2; i++) {
		procs[i].obj.type = OBJ_PROC;
		procs[i].alive = 1;
		handles[i] = (struct handle){ .obj = &procs[i].obj, .rights = RIGHT_SEND };
	}
	caller = (struct proc){ .is_root = 1, .alive = 1, .handles = handles, .nhandles = 2 };
	thread.proc = &caller;
	fake_unmapped = fake_readonly = 0;
	return 0;
}

/* Map va in both twins with the PTE's accessed and dirty bits as given. */
static void map_both(uint64_t va, uint64_t ad)
{
	for (int i = 0; i < 2; i++) {
		uint64_t *e;

		assert_int_equal(arch_pt_map(&procs[i].pt, va, 0x80000000UL + va % RANGE,
					     MAP_R | MAP_W), 0);
		e = walk(&procs[i].pt, va, 0, 0);
		*e = (*e & ~(PTE_A | PTE_D)) | ad;
	}
}

static int64_t harvest(struct harvest_entry *e, size_t n)
{
	uint64_t a[2] = { (uint64_t)(uintptr_t)e, n };

	return sys_harvest(&thread, a);
}

/* One entry of `pages` pages at va for proc handle h. */
static struct harvest_entry run(uint32_t h, uint64_t va, uint32_t pages, uint32_t want)
{
	return (struct harvest_entry){ h, want | ((pages - 1) << HARVEST_RUN_SHIFT), va };
}

/* e refused, and the page at watch (one e would have touched) as it was. */
static void check_refused(struct harvest_entry e, uint64_t watch)
{
	uint64_t before = pte_of(0, watch);

	assert_int_equal(harvest(&e, 1), -ERR_INVAL);
	assert_int_equal(pte_of(0, watch), before);
}

static void test_run_too_long(void **state)
{
	struct harvest_entry e = run(0, BASE, HARVEST_RUN_MAX, HARVEST_ACCESSED);

	(void)state;
	map_both(BASE, PTE_A);
	check_refused(run(0, BASE, HARVEST_RUN_MAX + 1, HARVEST_ACCESSED), BASE);
	assert_int_equal(harvest(&e, 1), 1);	/* the longest run is taken */
	assert_int_equal(e.bits, HARVEST_PRESENT | HARVEST_ACCESSED);
	assert_int_equal(pte_of(0, BASE) & PTE_A, 0);
}

static void test_run_past_user_top(void **state)
{
	uint64_t last = USER_TOP - PAGE_SIZE;
	struct harvest_entry e = run(0, last - PAGE_SIZE, 2, HARVEST_ACCESSED);

	(void)state;
	map_both(last, PTE_A);
	check_refused(run(0, last - PAGE_SIZE, 3, HARVEST_ACCESSED), last);	/* ends at USER_TOP */
	check_refused(run(0, last, HARVEST_RUN_MAX, HARVEST_ACCESSED), last);
	assert_int_equal(harvest(&e, 1), 1);	/* ends on the last user page */
	assert_int_equal(e.bits, HARVEST_PRESENT | HARVEST_ACCESSED);
	assert_int_equal(pte_of(0, last) & PTE_A, 0);
}

static void test_reserved_bits(void **state)
{
	(void)state;
	map_both(BASE, PTE_A);
	check_refused(run(0, BASE, 1, HARVEST_ACCESSED | HARVEST_PRESENT), BASE);	/* out only */
	check_refused(run(0, BASE, 4, HARVEST_ACCESSED | 0x20), BASE);
	check_refused(run(0, BASE, 1, HARVEST_UNMAP | 0x20), BASE);	/* nothing goes */
	check_refused(run(0, BASE, 4, HARVEST_ACCESSED | 0x80), BASE);
}

/* Pages around the 2 MiB boundary at BASE + RANGE: some mapped with each
 * mix of bits, some not; with far, pages past the boundary too (else that
 * range has no leaf table at all). */
/* A caller may read its own pages' bits but not unmap them (its answers'
 * page could go under the copy-out, and their dirty bits with it). */
static void test_unmap_self_refused(void **state)
{
	struct harvest_entry e = run(0, BASE, 1, HARVEST_ACCESSED);

	(void)state;
	map_both(BASE, PTE_A);
	procs[0].handles = handles;
	procs[0].nhandles = 2;
	procs[0].is_root = 1;
	thread.proc = &procs[0];
	check_refused(run(0, BASE, 1, HARVEST_UNMAP), BASE);
	assert_int_equal(harvest(&e, 1), 1);
	assert_true(e.bits & HARVEST_ACCESSED);
}

static void map_around_boundary(int far)
{
	static const uint64_t ad[] = { 0, PTE_A, PTE_D, PTE_A | PTE_D };
	uint64_t edge = BASE + RANGE;

	for (int k = 0; k < 8; k++)
		map_both(edge - (3 + 3 * k) * PAGE_SIZE, ad[k % 4]);
	for (int k = 0; far && k < 4; k++)
		map_both(edge + (1 + 2 * k) * PAGE_SIZE, ad[(k + 1) % 4]);
	assert_int_equal(walk(&procs[0].pt, edge, 0, 0) != NULL, far);
}

/* A run from va of `pages` pages in proc 0 and the same pages one entry
 * each in proc 1: the run answers the OR of the single answers and leaves
 * the same PTEs; the OR it answered is returned. */
static uint32_t check_run_as_singles(uint64_t va, uint32_t pages, uint32_t want)
{
	struct harvest_entry r = run(0, va, pages, want), single[HARVEST_RUN_MAX];
	uint32_t any = 0;

	for (uint32_t k = 0; k < pages; k++)
		single[k] = run(1, va + k * PAGE_SIZE, 1, want);
	assert_int_equal(harvest(&r, 1), 1);
	assert_int_equal(harvest(single, pages), pages);
	for (uint32_t k = 0; k < pages; k++)
		any |= single[k].bits;
	assert_int_equal(r.bits, any);
	for (uint64_t k = 0; k < PAGES_SPANNED; k++)
		assert_int_equal(pte_of(0, BASE + k * PAGE_SIZE), pte_of(1, BASE + k * PAGE_SIZE));
	return any;
}

static void check_across_boundary(int far)
{
	static const uint32_t wants[] = { HARVEST_ACCESSED, HARVEST_ACCESSED | HARVEST_DIRTY,
					  HARVEST_DIRTY | HARVEST_PROTECT };
	uint64_t from = BASE + RANGE - (HARVEST_RUN_MAX / 2) * PAGE_SIZE;

	map_around_boundary(far);
	/* The first look finds every kind of bit; after the full clearing
	 * none but present is left, and a run over no page finds nothing. */
	assert_int_equal(check_run_as_singles(from, HARVEST_RUN_MAX, wants[0]),
			 HARVEST_PRESENT | HARVEST_ACCESSED | HARVEST_DIRTY);
	for (size_t w = 1; w < sizeof(wants) / sizeof(wants[0]); w++)
		check_run_as_singles(from, HARVEST_RUN_MAX, wants[w]);
	assert_int_equal(check_run_as_singles(from, HARVEST_RUN_MAX, HARVEST_ACCESSED),
			 HARVEST_PRESENT);
	assert_int_equal(check_run_as_singles(BASE + 2 * RANGE - 8 * PAGE_SIZE, 8,
					      HARVEST_ACCESSED), 0);
	assert_int_equal(pte_of(0, BASE + RANGE - 3 * PAGE_SIZE) & PTE_W, 0);	/* protected */
}

static void test_run_into_absent_table(void **state)
{
	(void)state;
	check_across_boundary(0);
}

static void test_run_into_present_table(void **state)
{
	(void)state;
	check_across_boundary(1);
}

/* HARVEST_UNMAP: each page answers the bits it had and loses its mapping
 * (the whole leaf), a run's pages as singles' do; a page not mapped
 * answers 0 and stays so; the next harvest finds none of them. */
static void test_unmap(void **state)
{
	uint64_t from = BASE + RANGE - (HARVEST_RUN_MAX / 2) * PAGE_SIZE;
	struct harvest_entry e[3];

	(void)state;
	map_around_boundary(1);
	assert_int_equal(check_run_as_singles(from, HARVEST_RUN_MAX, HARVEST_UNMAP),
			 HARVEST_PRESENT | HARVEST_ACCESSED | HARVEST_DIRTY);
	for (uint64_t k = 0; k < PAGES_SPANNED; k++)
		assert_int_equal(pte_of(0, BASE + k * PAGE_SIZE) & PTE_V,
				 BASE + k * PAGE_SIZE < from ? pte_of(1, BASE + k * PAGE_SIZE) & PTE_V : 0);
	assert_int_equal(check_run_as_singles(from, HARVEST_RUN_MAX, HARVEST_ACCESSED), 0);

	/* Single entries, each kind of bits, one never mapped. */
	map_both(BASE, PTE_A);
	map_both(BASE + PAGE_SIZE, PTE_D);
	e[0] = run(0, BASE, 1, HARVEST_UNMAP);
	e[1] = run(0, BASE + PAGE_SIZE, 1, HARVEST_UNMAP | HARVEST_DIRTY);
	e[2] = run(0, BASE + 5 * PAGE_SIZE, 1, HARVEST_UNMAP);
	assert_int_equal(harvest(e, 3), 3);
	assert_int_equal(e[0].bits, HARVEST_PRESENT | HARVEST_ACCESSED);
	assert_int_equal(e[1].bits, HARVEST_PRESENT | HARVEST_DIRTY);
	assert_int_equal(e[2].bits, 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(pte_of(0, e[k].va), 0);
	assert_int_not_equal(pte_of(1, BASE) & PTE_V, 0);	/* the twin keeps its own */
}

/* HARVEST_UNMAP takes a page out for a while: its tables stay for its
 * next fault, and only a map at the limit gives back those left empty.
 * Each twin, at a page-table limit of one table a level, maps a page and a
 * harvest takes it out of both, each time in another leaf table and
 * 1 GiB, many times more than the limit allows tables at once: every
 * harvest leaves the tables, and every map succeeds (the tables the last
 * left go first). A run across two leaf tables keeps both, and an unmap
 * of the range (it clears nothing: its pages are out) gives them back. A
 * batch whose later entry looks at a page of a table an earlier one
 * cleared part of finds it there. */
#define GIB (1UL << 30)
static void test_unmap_keeps_tables(void **state)
{
	long pool = fake_pages_out;
	struct harvest_entry e[3];
	uint64_t kept;

	(void)state;
	procs[0].pt.limit = procs[1].pt.limit = 3;
	for (uint64_t k = 0; k < 600; k++) {
		uint64_t va = (1 + k % 255) * GIB + (k % PT_ENTRIES) * RANGE;

		map_both(va, PTE_A);
		e[0] = run(0, va, 1, HARVEST_UNMAP);
		e[1] = run(1, va, 1, HARVEST_UNMAP);
		assert_int_equal(harvest(e, 2), 2);
		assert_int_equal(e[0].bits & e[1].bits, HARVEST_PRESENT | HARVEST_ACCESSED);
		assert_int_equal(pte_of(0, va), 0);
		assert_int_equal(procs[0].pt.pages, 3);
		assert_int_equal(procs[1].pt.pages, 3);
	}
	assert_int_equal(fake_pages_out, pool + 4);

	procs[0].pt.limit = procs[1].pt.limit = 0;
	kept = procs[0].pt.pages;
	map_both(BASE + RANGE - PAGE_SIZE, 0);
	map_both(BASE + RANGE, 0);
	assert_int_equal(procs[0].pt.pages, kept + 3);
	e[0] = run(0, BASE + RANGE - 2 * PAGE_SIZE, 4, HARVEST_UNMAP);
	assert_int_equal(harvest(e, 1), 1);
	assert_int_equal(procs[0].pt.pages, kept + 3);
	arch_pt_unmap(&procs[0].pt, BASE + RANGE - 2 * PAGE_SIZE, 4);
	assert_int_equal(procs[0].pt.pages, kept);

	map_both(BASE, 0);
	map_both(BASE + PAGE_SIZE, PTE_A);
	map_both(BASE + RANGE, 0);
	e[0] = run(0, BASE, 1, HARVEST_UNMAP);
	e[1] = run(0, BASE + RANGE, 1, HARVEST_UNMAP);
	e[2] = run(0, BASE + PAGE_SIZE, 1, HARVEST_ACCESSED);
	assert_int_equal(harvest(e, 3), 3);
	assert_int_equal(e[2].bits, HARVEST_PRESENT | HARVEST_ACCESSED);
	assert_int_equal(procs[0].pt.pages, kept + 3);
}

/* Two pages of user memory for a buffer placed at will, filled with
 * entries e (n of them) from byte offset off. */
static struct harvest_entry *buffer_at(void *pages, size_t off, const struct harvest_entry *e,
				       size_t n)
{
	struct harvest_entry *b = (struct harvest_entry *)((char *)pages + off);

	memcpy(b, e, n * sizeof(*e));
	return b;
}

/* A buffer the caller cannot write (unmapped: nor read) is refused with
 * -ERR_FAULT before any entry acts: its page's bits and the buffer stay. */
static void check_buffer_refused(int unmapped)
{
	void *pages = kmem_page_alloc();
	struct harvest_entry e = run(0, BASE, 1, HARVEST_ACCESSED);
	struct harvest_entry *b = buffer_at(pages, 0, &e, 1);
	uint64_t before = pte_of(0, BASE);

	*(unmapped ? &fake_unmapped : &fake_readonly) = (uintptr_t)pages;
	assert_int_equal(harvest(b, 1), -ERR_FAULT);
	assert_int_equal(pte_of(0, BASE), before);
	assert_true(before & PTE_A);
	assert_memory_equal(b, &e, sizeof(e));
	kmem_page_free(pages);
}

/* A change of permission is no access: a page whose accessed bit a
 * harvest cleared keeps it clear through a protect, either way (the
 * swap-out path takes W away and gives it back), and one that had it set
 * keeps it. The dirty bit is kept too. */
static void test_protect_keeps_accessed(void **state)
{
	const uint64_t va = BASE;
	struct harvest_entry e = run(0, va, 1, HARVEST_ACCESSED);

	(void)state;
	map_both(va, PTE_A | PTE_D);
	assert_int_equal(harvest(&e, 1), 1);
	assert_int_equal(e.bits & HARVEST_ACCESSED, HARVEST_ACCESSED);
	assert_int_equal(arch_pt_protect(&procs[0].pt, va, MAP_R), 0);
	assert_int_equal(arch_pt_protect(&procs[0].pt, va, MAP_R | MAP_W | MAP_CLEAN), 0);
	assert_int_equal(pte_of(0, va) & (PTE_A | PTE_D | PTE_W), PTE_D | PTE_W);
	e = run(0, va, 1, HARVEST_ACCESSED);
	assert_int_equal(harvest(&e, 1), 1);
	assert_int_equal(e.bits & HARVEST_ACCESSED, 0);
	*walk(&procs[0].pt, va, 0, 0) |= PTE_A;	/* the program touches it */
	assert_int_equal(arch_pt_protect(&procs[0].pt, va, MAP_R), 0);
	assert_int_equal(pte_of(0, va) & (PTE_A | PTE_W), PTE_A);
}

static void test_buffer_unmapped(void **state)
{
	(void)state;
	map_both(BASE, PTE_A);
	check_buffer_refused(1);
}

static void test_buffer_readonly(void **state)
{
	(void)state;
	map_both(BASE, PTE_A);
	check_buffer_refused(0);
}

/* A buffer across a page boundary has no window: it takes the copies and
 * answers as one within a page does, proc 0's pages as proc 1's. */
static void test_buffer_straddling(void **state)
{
	struct harvest_entry e[2][2] = {
		{ run(0, BASE, 1, HARVEST_ACCESSED), run(0, BASE + PAGE_SIZE, 2, HARVEST_DIRTY) },
		{ run(1, BASE, 1, HARVEST_ACCESSED), run(1, BASE + PAGE_SIZE, 2, HARVEST_DIRTY) },
	};
	void *pages = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
	struct harvest_entry *across, *within;

	(void)state;
	assert_non_null(pages);
	map_both(BASE, PTE_A | PTE_D);
	map_both(BASE + 2 * PAGE_SIZE, PTE_A | PTE_D);
	across = buffer_at(pages, PAGE_SIZE - sizeof(e[0][0]), e[0], 2);
	within = buffer_at(pages, 0, e[1], 2);
	fake_copies = 0;
	assert_int_equal(harvest(within, 2), 2);
	assert_int_equal(fake_copies, 0);	/* in place */
	assert_int_equal(harvest(across, 2), 2);
	assert_int_not_equal(fake_copies, 0);	/* copied */
	for (int k = 0; k < 2; k++)
		assert_int_equal(across[k].bits, within[k].bits);
	assert_int_equal(across[0].bits, HARVEST_PRESENT | HARVEST_ACCESSED | HARVEST_DIRTY);
	for (uint64_t k = 0; k < 3; k++)
		assert_int_equal(pte_of(0, BASE + k * PAGE_SIZE), pte_of(1, BASE + k * PAGE_SIZE));
	assert_int_equal(pte_of(0, BASE + 2 * PAGE_SIZE) & PTE_D, 0);
	free(pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_past_user_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_into_absent_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_into_present_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_keeps_accessed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_keeps_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_straddling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_self_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
