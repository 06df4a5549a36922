/*
 * Host tests for pages of a writable program segment (.data) that still
 * hold what the program file holds: mapped writable with the dirty bit
 * clear, refillable (dropped without I/O, filled from the file again) until
 * a write is seen (a dirty bit in a look or in the seal before the drop, a
 * write fault), and across fork while neither space writes; and the mark
 * (frame.image_map) every page a program segment maps gets, whether mapped
 * alone or in a fault-around run. Over the fake mmu, which keeps dirty bits
 * as the kernel does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "swap_fake.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"
#include "vm/evict.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
#define AS 1
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, swap_fake_group_teardown)

static uint8_t file[2 * PG];	/* the segment's bytes: page k holds 0xD0 + k */

static int setup(void **state)
{
	(void)state;
	swap_fake_setup();
	memset(file, 0xD0, PG);
	memset(file + PG, 0xD1, PG);
	return 0;
}

/* A two-page writable program segment at VA in a new space for as, whose
 * first page was read (a read fault: filled from the file). */
static struct vm_space *data_space(int as)
{
	struct vm_image img = { file, 0, VA, sizeof(file) };
	struct vm_space *s = fake_space(as);

	assert_int_equal(vm_region_add(s, VA, VA + 2 * PG, RW, VM_IMAGE, &img), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	return s;
}

/* Reclaim's cheap drop of pa, as swap/out.c does it: sealed, then dropped
 * if still refillable (its frame freed). 0 or -1 as vm_drop_refillable. */
static int drop(uint64_t pa)
{
	vm_frames_seal(&pa, 1);
	if (vm_drop_refillable(pa) < 0)
		return -1;
	frame_free(pa);
	swap_fake_check();
	return 0;
}

/* A look at (as, va), as reclaim's: both bits read and cleared. */
static unsigned look(int as, uint64_t va, uint64_t pa)
{
	struct harvest_entry e = { (uint32_t)as, HARVEST_ACCESSED | HARVEST_DIRTY, va };

	assert_int_equal(vm_harvest(&e, &pa, 1), 0);
	return e.bits;
}

/* Read, never written: mapped clean, dropped without I/O, filled from the
 * file again. */
static void test_unwritten_refilled(void **state)
{
	struct vm_space *s = data_space(AS);
	uint64_t pa = vm_lookup(s, VA), drops = vmstat_get(VMSTAT_PGDROP_IMAGE);

	(void)state;
	assert_int_equal(fake_perm(AS, VA), RW | VM_CLEAN);
	assert_true(vm_frame_refillable(pa));
	assert_int_equal(look(AS, VA, pa), HARVEST_PRESENT | HARVEST_ACCESSED);
	assert_true(vm_frame_refillable(pa));
	assert_int_equal(drop(pa), 0);
	assert_int_equal(vmstat_get(VMSTAT_PGDROP_IMAGE), drops + 1);
	assert_int_equal(vm_lookup(s, VA), 0);
	assert_int_equal(sw.dups, 0);			/* no slot named */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);	/* from the file */
	assert_int_equal(fake_peek(s, VA + 5), 0xD0);
	assert_true(vm_frame_refillable(vm_lookup(s, VA)));
	vm_space_destroy(s);
	swap_fake_check();
}

/* A write no fault saw, found by a look or by the seal before the drop:
 * not refillable from then on, the byte kept, W given back. */
static void test_written_kept(void **state)
{
	struct vm_space *s = data_space(AS);
	uint64_t pa = vm_lookup(s, VA);

	(void)state;
	fake_poke(s, VA + 3, 0x33);
	assert_int_equal(drop(pa), -1);
	assert_false(vm_frame_refillable(pa));
	assert_false(swapcache_writing(pa));
	assert_int_equal(fake_perm(AS, VA), RW);
	assert_int_equal(fake_peek(s, VA + 3), 0x33);

	fake_fault(s, VA + PG, VM_R, VM_FAULT_MAPPED);
	pa = vm_lookup(s, VA + PG);
	fake_poke(s, VA + PG, 0x44);
	assert_true(vm_frame_refillable(pa));	/* nobody has looked yet */
	assert_int_equal(look(AS, VA + PG, pa), HARVEST_PRESENT | HARVEST_ACCESSED | HARVEST_DIRTY);
	assert_false(vm_frame_refillable(pa));
	vm_space_destroy(s);
	swap_fake_check();
}

/* A write fault (first touch a write, or a write after the seal took W)
 * ends the file's copy at once. */
static void test_write_fault_ends_copy(void **state)
{
	struct vm_space *s = data_space(AS);
	uint64_t pa = vm_lookup(s, VA);

	(void)state;
	fake_fault(s, VA + PG, VM_W, VM_FAULT_MAPPED);
	assert_false(vm_frame_refillable(vm_lookup(s, VA + PG)));
	uint64_t faults;

	vm_frames_seal(&pa, 1);
	assert_int_equal(fake_perm(AS, VA) & VM_W, 0);
	faults = vmstat_get(VMSTAT_PGFAULT);
	fake_poke(s, VA, 0x55);			/* faults: W went with the seal */
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), faults + 1);
	assert_false(vm_frame_refillable(pa));
	assert_int_equal(vm_drop_refillable(pa), -1);
	assert_int_equal(fake_peek(s, VA), 0x55);
	vm_space_destroy(s);
	swap_fake_check();
}

/* A zero fill's write fault takes no step (vm_fault's fresh_zero_fill):
 * that is right only while a frame freed with a copy comes back holding
 * none. A page dropped from the file's copy, then every free frame taken
 * by written anonymous pages (the dropped one among them): none holds a
 * copy or swap state, none is in a write-out. */
static void test_zero_fill_reuses_no_copy(void **state)
{
	struct vm_space *s = data_space(AS);
	uint64_t pa = vm_lookup(s, VA), n = frames_free() + 1, seen = 0;
	uint64_t anon = 0x100000;

	(void)state;
	assert_true(vm_frame_refillable(pa));
	assert_int_equal(drop(pa), 0);
	assert_int_equal(vm_region_add(s, anon, anon + n * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t k = 0; k < n && frames_free() > 0; k++) {
		uint64_t got;

		fake_fault(s, anon + k * PG, VM_W, VM_FAULT_MAPPED);
		got = vm_lookup(s, anon + k * PG);
		assert_int_not_equal(got, 0);
		assert_false(vm_frame_may_hold_copy(frame_desc(got)));
		assert_false(swapcache_writing(got));
		seen += got == pa;
	}
	assert_true(seen >= 1);	/* the dropped frame was one of them */
	vm_space_destroy(s);
	swap_fake_check();
}

/* Fork reads the parent's dirty bit as it takes W away: an unwritten page
 * stays the file's in both spaces, and is dropped from both; a page
 * written before the fork is not, even once the parent, which wrote it,
 * has gone. */
static void test_fork(void **state)
{
	struct vm_space *p = data_space(AS), *c = fake_space(AS + 1);
	uint64_t pa, written;

	(void)state;
	fake_fault(p, VA + PG, VM_R, VM_FAULT_MAPPED);
	fake_poke(p, VA + PG + 9, 0x99);	/* no fault, no look */
	pa = vm_lookup(p, VA);
	written = vm_lookup(p, VA + PG);
	assert_int_equal(vm_fork(p, c), 0);
	swap_fake_check();
	assert_int_equal(fake_perm(AS, VA), VM_R);
	assert_int_equal(fake_perm(AS + 1, VA), VM_R);
	assert_true(vm_frame_refillable(pa));
	assert_false(vm_frame_refillable(written));
	vm_space_destroy(p);
	swap_fake_check();
	assert_false(vm_frame_refillable(written));
	assert_int_equal(drop(written), -1);
	assert_int_equal(fake_peek(c, VA + PG + 9), 0x99);
	assert_int_equal(drop(pa), 0);
	assert_int_equal(vm_lookup(c, VA), 0);
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(c, VA), 0xD0);
	vm_space_destroy(c);
	swap_fake_check();
}

/* After fork, the space that writes gets its own copy (no file copy); the
 * frame the other keeps is still the file's. */
static void test_fork_copy_written(void **state)
{
	struct vm_space *p = data_space(AS), *c = fake_space(AS + 1);
	uint64_t pa = vm_lookup(p, VA);

	(void)state;
	assert_int_equal(vm_fork(p, c), 0);
	fake_poke(c, VA + 1, 0x11);
	assert_int_not_equal(vm_lookup(c, VA), pa);
	assert_false(vm_frame_refillable(vm_lookup(c, VA)));
	assert_true(vm_frame_refillable(pa));
	assert_int_equal(drop(pa), 0);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(p, VA + 1), 0xD0);
	assert_int_equal(fake_peek(c, VA + 1), 0x11);
	vm_space_destroy(p);
	vm_space_destroy(c);
	swap_fake_check();
}

/* vm_check demands the mark of frame pa, mapped in a program segment:
 * with it cleared the checker names it, and the frame is no longer
 * refillable; given back, both hold again. */
static void expect_mark_checked(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	assert_int_equal(f->image_map, 1);
	assert_true(vm_frame_refillable(pa));
	assert_int_equal(vm_check(), 0);
	f->image_map = 0;
	assert_false(vm_frame_refillable(pa));
	assert_int_not_equal(vm_check(), 0);
	assert_non_null(strstr(vm_check_error(), "image_map"));
	f->image_map = 1;
	assert_int_equal(vm_check(), 0);
}

/* The image mark (frame.image_map) that lets vm_frame_refillable answer
 * an anonymous page from its descriptor: a read-only segment's page is
 * marked and refillable, an anonymous page is neither; a segment's page
 * that lost its mark would be kept from the file's refill, and vm_check
 * names it. */
static void test_image_mark(void **state)
{
	struct vm_image img = { file, 0, VA, PG };
	struct vm_space *s = fake_space(AS);
	uint64_t anon = 0x100000, text, page;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, VM_R | VM_X, VM_IMAGE, &img), 0);
	assert_int_equal(vm_region_add(s, anon, anon + PG, RW, VM_ANON, NULL), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	fake_fault(s, anon, VM_W, VM_FAULT_MAPPED);
	text = vm_lookup(s, VA);
	page = vm_lookup(s, anon);
	expect_mark_checked(text);
	assert_int_equal(frame_desc(page)->image_map, 0);
	assert_false(vm_frame_refillable(page));
	assert_int_equal(drop(text), 0);	/* dropped, filled again on the next read */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(frame_desc(vm_lookup(s, VA))->image_map, 1);
	vm_space_destroy(s);
	swap_fake_check();
}

/* A writable segment's page read and never written holds the file's copy
 * (file_copy): marked as it is mapped (the fault's own page, through
 * vm_page_map), and the checker holds to it; written, it is the program's
 * own and needs no mark. */
static void test_image_mark_data(void **state)
{
	struct vm_space *s = data_space(AS);
	uint64_t pa = vm_lookup(s, VA);

	(void)state;
	assert_int_equal(frame_desc(pa)->file_copy, 1);
	expect_mark_checked(pa);
	fake_fault(s, VA, VM_W, VM_FAULT_MAPPED);
	assert_false(vm_frame_refillable(vm_lookup(s, VA)));
	assert_int_equal(vm_check(), 0);
	vm_space_destroy(s);
	swap_fake_check();
}

/* With fault-around, the pages after the fault's own come as one run
 * (vm_pages_map_run), not through vm_page_map: each is marked too, in a
 * read-only segment and in a writable one's file copies. */
static void test_image_mark_run(void **state)
{
	uint64_t data = VA + 2 * PG, around = vmstat_get(VMSTAT_FAULTAROUND_PAGES);
	struct vm_image text_img = { file, 0, VA, sizeof(file) };
	struct vm_image data_img = { file, 0, data, sizeof(file) };
	struct vm_space *s;

	(void)state;
	swap_fake_restart(1);
	s = fake_space(AS);
	assert_int_equal(vm_region_add(s, VA, VA + 2 * PG, VM_R | VM_X, VM_IMAGE, &text_img), 0);
	assert_int_equal(vm_region_add(s, data, data + 2 * PG, RW, VM_IMAGE, &data_img), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	fake_fault(s, data, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), around + 2);
	expect_mark_checked(vm_lookup(s, VA + PG));
	assert_int_equal(frame_desc(vm_lookup(s, data + PG))->file_copy, 1);
	expect_mark_checked(vm_lookup(s, data + PG));
	assert_int_equal(fake_peek(s, data + PG), 0xD1);
	vm_space_destroy(s);
	swap_fake_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_unwritten_refilled),
		TEST(test_written_kept),
		TEST(test_write_fault_ends_copy),
		TEST(test_zero_fill_reuses_no_copy),
		TEST(test_fork),
		TEST(test_fork_copy_written),
		TEST(test_image_mark),
		TEST(test_image_mark_data),
		TEST(test_image_mark_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
