/*
 * Host tests for reclaim when nothing can be written (pager/reclaim/free.c,
 * victims.c, dropped.c over the swap engine, the real VM core on the fake
 * mmu, one fake pager thread and an in-memory device): swap full, its
 * device gone for good, or no swap at all, the pages that go without I/O
 * (an unwritten program page; a clean copy in its slot while the device is
 * there) are dropped, by direct and background reclaim, chosen by the
 * policy among themselves, so that a fault's reclaim frees frames instead
 * of handing the process to the OOM killer; the pages that would need a
 * write are not chosen (none is put back). A refault is a fault on a page
 * dropped (reclaim's record), never a first touch nor a page mapped around
 * a fault; pages back so soon are held, and while all are, reclaim frees
 * nothing (thrashing ends in the OOM killer) and looks at nothing again
 * until something changed. vm_check runs after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "backend_fake.h"
#include "base/threads.h"
#include "reclaim/free.h"
#include "reclaim/policy.h"
#include "reclaim/victims.h"
#include "swap/header.h"
#include "swap/internal.h"
#include "swap/swap.h"
#include "vm/evict.h"
#include "vm/swapcache.h"
#include "vm/internal.h"
#include "vm_fake.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define ANON_VA 0x10000UL
#define TEXT_VA 0x400000UL
#define SLOTS 8			/* the small device's */
#define ANON_PAGES (SLOTS + 4)	/* more than it holds */
#define TEXT_PAGES 4
#define MORE_VA 0x800000UL	/* a second program segment, touched later */

static struct pager_thread me;
static unsigned faultaround;	/* the VM core's, for the test under way */
static const struct policy_ops *policy;	/* every one in turn */
static unsigned put_backs;

/* Chosen and not evicted after all: back to the policy, counted. */
static void put_back(uint64_t pa)
{
	put_backs++;
	victims_put_back(pa);
}

static void batch_written(void)
{
}

/* What reclaim/setup.c lends the engine (no kswapd here). */
static const struct swap_reclaim_hooks hooks = { .put_back = put_back,
						 .evicted = victims_evicted,
						 .refaulted = victims_refaulted,
						 .dropped = victims_dropped,
						 .written = batch_written };

static void setup(void)
{
	fake_setup(faultaround);
	swap_reset();
	swap_set_reclaim_hooks(&hooks);
	fake_swap_threads_once(&me);
	pager_lock(&me);
	put_backs = 0;
	assert_int_equal(victims_init(policy, 1), 0);
	vm_set_image_fill(victims_image_filled);
}

static void teardown(void)
{
	vm_set_image_fill(NULL);
	swap_reset();
	frames_set_observer(NULL, NULL, NULL);
	victims_fini();
	fake_teardown();
}

/* body under every policy: the choice is the policy's, and each must
 * pass over the pages that need a write. */
static void each_policy(void (*body)(void))
{
	for (size_t k = 0; policy_all[k]; k++) {
		policy = policy_all[k];
		print_message("policy %s\n", policy->name);
		setup();
		body();
		teardown();
	}
}

#define TEST(f) cmocka_unit_test(f)
#define EACH_POLICY(f) static void f(void **state) { (void)state; each_policy(f##_body); }

/* Swap on a device of SLOTS slots, then the policy takes the frames (as
 * reclaim_start_swap and reclaim_start_policy do). */
static void swap_small(void)
{
	uint32_t last = SLOTS;	/* slots 1..SLOTS: the header's page is 0 */

	fake_disk_init(1);
	memcpy(disk.page[0] + SWAP_OFF_LAST_PAGE, &last, sizeof(last));
	swap_start(&fake_backend, &me);
	assert_true(swap_on());
	victims_start();
}

/* ANON_PAGES private pages at ANON_VA, page j written with j + 1. */
static struct vm_space *anon_space(void)
{
	struct vm_space *s = fake_space(1);

	assert_int_equal(vm_region_add(s, ANON_VA, ANON_VA + ANON_PAGES * PG, RW, VM_ANON, NULL), 0);
	for (unsigned j = 0; j < ANON_PAGES; j++)
		fake_poke(s, ANON_VA + j * PG, (uint8_t)(j + 1));
	return s;
}

/* pages of a read-only program segment at va in s, each read (faulted in
 * from the file, so refillable). */
static void map_program(struct vm_space *s, uint64_t va, uint8_t *file, struct vm_image *img,
			unsigned pages)
{
	memset(file, 0x5A, pages * PG);
	*img = (struct vm_image){ file, 0, va, pages * PG };
	assert_int_equal(vm_region_add(s, va, va + pages * PG, VM_R | VM_X, VM_IMAGE, img), 0);
	for (unsigned k = 0; k < pages; k++) {
		fake_fault(s, va + k * PG, VM_R, VM_FAULT_MAPPED);
		assert_true(vm_frame_refillable(vm_lookup(s, va + k * PG)));
	}
}

/* pages (at most 4) of a second program segment at MORE_VA in s, each
 * read: first touches. */
static void map_more(struct vm_space *s, unsigned pages)
{
	static uint8_t file[4 * PG];
	static struct vm_image img;

	map_program(s, MORE_VA, file, &img, pages);
}

/* TEXT_PAGES of text at TEXT_VA in s. */
static void map_text(struct vm_space *s)
{
	static uint8_t file[TEXT_PAGES * PG];
	static struct vm_image img;

	map_program(s, TEXT_VA, file, &img, TEXT_PAGES);
}

/* The anonymous pages of s resident, each with its bytes. */
static unsigned anon_resident(struct vm_space *s)
{
	unsigned n = 0;

	for (unsigned j = 0; j < ANON_PAGES; j++) {
		if (!vm_lookup(s, ANON_VA + j * PG))
			continue;
		assert_int_equal(fake_peek(s, ANON_VA + j * PG), j + 1);
		n++;
	}
	return n;
}

/* Text pages of s not resident (dropped: the file has them). */
static unsigned text_dropped(struct vm_space *s)
{
	unsigned n = 0;

	for (unsigned k = 0; k < TEXT_PAGES; k++)
		n += vm_lookup(s, TEXT_VA + k * PG) == 0;
	return n;
}

/* Fault page va of s back from swap for access (the read lets the lock
 * go). */
static void fault_back(struct vm_space *s, uint64_t va, unsigned access)
{
	int r = vm_fault(s, va, access);

	if (r == VM_FAULT_RETRY) {
		pager_lock(&me);
		r = vm_fault_again(s, va, access);
	}
	assert_int_equal(r, VM_FAULT_MAPPED);
	fake_check();
}

/* The first anonymous page of s that is not resident. */
static unsigned first_out(struct vm_space *s)
{
	unsigned j;

	for (j = 0; vm_lookup(s, ANON_VA + j * PG); j++)
		assert_true(j + 1 < ANON_PAGES);
	return j;
}

/* Direct reclaim until the device is full: every slot holds an anonymous
 * page nothing in memory keeps a copy of. */
static void fill_device(struct vm_space *s)
{
	while (vmstat_get(VMSTAT_SWAP_SLOTS_FREE) > 0)
		assert_int_not_equal(reclaim_for_fault(1), 0);
	fake_check();
	assert_int_equal(disk.pages_written, SLOTS);
	assert_false(swap_has_room());
	(void)s;
}


/* A fault's reclaim drops all of s's text, no more: frames freed, none
 * put back (no page that needs a write chosen). */
static void drops_text(struct vm_space *s)
{
	uint64_t free0 = frames_free();

	put_backs = 0;
	assert_int_equal(reclaim_for_fault(1), TEXT_PAGES);
	fake_check();
	assert_int_equal(put_backs, 0);
	assert_int_equal(frames_free(), free0 + TEXT_PAGES);
	assert_int_equal(text_dropped(s), TEXT_PAGES);
}

/* Drop rounds reclaim made: each may look at every frame. */
static uint64_t looks(void)
{
	return reclaim_drop_rounds();
}

/* The device is full and no page in memory has a clean copy: a fault's
 * reclaim still frees frames, by dropping the text the file fills again
 * (pgdrop_image), with no write and no anonymous page chosen (none put
 * back). Once the text is gone, reclaim frees nothing, and looks at
 * nothing (nothing can be dropped). The text comes back from the file,
 * a refault. */
static void test_full_drops_image_body(void)
{
	struct vm_space *s = anon_space();
	uint64_t writes, looked;

	swap_small();
	fill_device(s);
	map_text(s);
	writes = disk.writes;
	drops_text(s);
	assert_int_equal(vmstat_get(VMSTAT_PGDROP_IMAGE), TEXT_PAGES);
	looked = looks();
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(looks(), looked);
	fake_check();
	assert_int_equal(disk.writes, writes);
	assert_int_equal(anon_resident(s), ANON_PAGES - SLOTS);
	fake_fault(s, TEXT_VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(s, TEXT_VA), 0x5A);
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), 1);
	vm_space_destroy(s);
	fake_check();
}

/* No swap at all: the policy still follows the frames, and a fault's
 * reclaim drops the text, then looks at nothing while nothing can go. */
static void test_no_swap_drops_image_body(void)
{
	struct vm_space *s = anon_space();
	uint64_t looked;

	victims_start();
	assert_false(swap_on());
	map_text(s);
	drops_text(s);
	looked = looks();
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(looks(), looked);
	assert_int_equal(anon_resident(s), ANON_PAGES);
	fake_fault(s, TEXT_VA + PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(s, TEXT_VA + PG), 0x5A);
	vm_space_destroy(s);
	fake_check();
}

/* Background reclaim drops too, with no swap, only text: a policy that
 * reads no bits at once, the others once a look has shown the text unused
 * (at most a round per look the policy needs); never an anonymous page. */
static void test_background_drops_body(void)
{
	static uint8_t file[4 * PG];
	static struct vm_image img;
	struct vm_space *s = anon_space();
	size_t freed = 0;

	victims_start();
	map_text(s);
	img = (struct vm_image){ file, 0, MORE_VA, sizeof(file) };
	assert_int_equal(vm_region_add(s, MORE_VA, MORE_VA + 4 * PG, VM_R, VM_IMAGE, &img), 0);
	put_backs = 0;
	for (unsigned round = 0; round < 4 && freed < TEXT_PAGES; round++) {
		freed += reclaim_pages(TEXT_PAGES, RECLAIM_BACKGROUND);
		fake_check();
		/* Time passes: a first touch elsewhere (news for the next
		 * round), a page that the next round may drop too. */
		fake_fault(s, MORE_VA + round * PG, VM_R, VM_FAULT_MAPPED);
	}
	if (!policy->reads_bits)
		assert_true(text_dropped(s) == TEXT_PAGES);
	assert_int_equal(put_backs, 0);
	assert_int_equal(anon_resident(s), ANON_PAGES);
	vm_space_destroy(s);
	fake_check();
}

/* A refault is the program's fault on a page reclaim dropped: with
 * fault-around 2, the text's first touches and the pages mapped around
 * the fault on a dropped page are none (they came back all the same), a
 * fault on a page never dropped is none. */
static void test_refaults_counted_body(void)
{
	struct vm_space *s = anon_space();

	victims_start();
	map_text(s);	/* page 0 maps 1 and 2 around it; 3 its own fault */
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), 0);
	assert_int_equal(reclaim_for_fault(1), TEXT_PAGES);
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), 0);
	fake_fault(s, TEXT_VA, VM_R, VM_FAULT_MAPPED);	/* 1 and 2 around it */
	assert_int_equal(text_dropped(s), 1);
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), 1);
	fake_fault(s, TEXT_VA + 3 * PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), 2);
	map_more(s, 2);		/* first touches */
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), 2);
	fake_check();
	vm_space_destroy(s);
	fake_check();
}

static void test_refaults_counted(void **state)
{
	(void)state;
	faultaround = 2;
	each_policy(test_refaults_counted_body);
	faultaround = 0;
}

/* Thrashing: the text dropped comes straight back (refaults), so it is
 * held, and reclaim frees nothing (the fault goes to the OOM killer)
 * rather than drop it again; asked again with nothing changed, it looks
 * at nothing. A program page touched since (not held) goes, the text
 * stays. A process asked to give memory back may have held pages dropped
 * (reclaim_drop_held_too). */
static void test_held_then_nothing_body(void)
{
	struct vm_space *s = anon_space();
	uint64_t looked;

	victims_start();
	map_text(s);
	assert_int_equal(reclaim_for_fault(1), TEXT_PAGES);
	for (unsigned k = 0; k < TEXT_PAGES; k++)
		fake_fault(s, TEXT_VA + k * PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_WORKINGSET_REFAULT_FILE), TEXT_PAGES);
	looked = looks();
	assert_int_equal(reclaim_for_fault(1), 0);
	fake_check();
	assert_int_equal(text_dropped(s), 0);
	assert_int_equal(looks(), looked + 1);	/* it looked, and found them held */
	looked = looks();
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(looks(), looked);	/* nothing changed: no look */
	map_more(s, 2);
	assert_int_equal(reclaim_for_fault(1), 2);
	fake_check();
	assert_int_equal(text_dropped(s), 0);
	assert_null(vm_lookup(s, MORE_VA));
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(reclaim_drop_held_too(), TEXT_PAGES);
	fake_check();
	assert_int_equal(text_dropped(s), TEXT_PAGES);
	assert_int_equal(anon_resident(s), ANON_PAGES);
	vm_space_destroy(s);
	fake_check();
}

/* The device is gone for good, slots free: nothing is written, but the
 * text still goes; a page read back whose clean copy is on the dead
 * device stays (that copy is never read again) and is not even chosen. */
static void test_gone_drops_image_body(void)
{
	struct vm_space *s = anon_space();
	uint64_t copy;
	unsigned out;

	swap_small();
	assert_int_not_equal(reclaim_for_fault(1), 0);	/* some pages out */
	fake_check();
	while (vmstat_get(VMSTAT_SWAP_SLOTS_FREE) <= SLOTS / 2)
		fault_back(s, ANON_VA + first_out(s) * PG, VM_W);
	out = first_out(s);
	fault_back(s, ANON_VA + out * PG, VM_R);
	copy = vm_lookup(s, ANON_VA + out * PG);
	assert_true(swapcache_held(copy));
	map_text(s);
	swap_device_ended();
	assert_true(vmstat_get(VMSTAT_SWAP_SLOTS_FREE) > 0);
	drops_text(s);
	assert_int_equal(vm_lookup(s, ANON_VA + out * PG), copy);
	assert_int_equal(fake_peek(s, ANON_VA + out * PG), out + 1);
	assert_int_equal(vmstat_get(VMSTAT_PGDROP_CLEAN), 0);
	assert_int_equal(reclaim_for_fault(1), 0);
	assert_int_equal(vm_lookup(s, ANON_VA + out * PG), copy);
	vm_space_destroy(s);
	fake_check();
}

EACH_POLICY(test_full_drops_image)
EACH_POLICY(test_no_swap_drops_image)
EACH_POLICY(test_background_drops)
EACH_POLICY(test_held_then_nothing)
EACH_POLICY(test_gone_drops_image)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_full_drops_image),
		TEST(test_no_swap_drops_image),
		TEST(test_background_drops),
		TEST(test_refaults_counted),
		TEST(test_held_then_nothing),
		TEST(test_gone_drops_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
