/*
 * Host tests for victim choice's looks (pager/reclaim/victims.c) over the
 * VM core and its fake mmu (vm_fake.c), under CLOCK: a look that cannot be
 * made (a frame with more mappings than one harvest checks, a harvest
 * that fails) reads as a reference, so a page in use is never taken idle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/abi/vm.h"
#include "reclaim/policy/policy.h"
#include "reclaim/victims.h"
#include "vm_fake.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
/* One mapping more than a harvest call checks (victims.c, LOOK_MAX). */
#define SHARERS (HARVEST_IN_PLACE + 1)

static int setup(void **state)
{
	(void)state;
	fake_setup(0);
	assert_int_equal(victims_init(policy_find("clock"), 1), 0);
	victims_start();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	while (vm.spaces)
		vm_space_destroy(vm.spaces);
	frames_set_observer(NULL, NULL, NULL);
	victims_fini();
	fake_teardown();
	return 0;
}

/* A space of its own with one page written at VA: its frame. */
static uint64_t page_in(int as)
{
	struct vm_space *s = fake_space(as);

	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fake_poke(s, VA, (uint8_t)as);
	return vm_lookup(s, VA);
}

/* Every accessed bit cleared, as if nothing had been touched since. */
static void all_idle(void)
{
	for (int k = 0; k < FAKE_MAPS; k++)
		fake.m[k].accessed = 0;
}

/* A frame mapped by SHARERS processes (a parent and its children), one
 * of them using it: whichever mapping it is, CLOCK, looking once at each
 * frame, takes the idle frame of another process and keeps the shared
 * one. Without a look at every mapping the shared frame looked idle when
 * the use was in a mapping the harvest left out. */
static void test_many_mappings_used(void **state)
{
	struct vm_space *p = fake_space(1);
	uint64_t shared, idle, pa[2];
	unsigned users = 0;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fake_poke(p, VA, 1);
	shared = vm_lookup(p, VA);
	for (int as = 2; as <= SHARERS; as++) {
		struct vm_space *c = fake_space(as);
		assert_int_equal(vm_fork(p, c), 0);
		if (!vm_lookup(c, VA))
			fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	}
	assert_int_equal(vm_mapcount(shared), SHARERS);
	idle = page_in(SHARERS + 1);
	/* The insertion rule's clearing of the new frames' bits, now. */
	assert_int_equal(victims_choose(pa, 0, 0), 0);

	for (int k = 0; k < FAKE_MAPS; k++) {
		if (!fake.m[k].used || fake.m[k].pa != shared)
			continue;
		users++;
		all_idle();
		fake.m[k].accessed = 1;
		if (victims_choose(pa, 2, 2) != 1 || pa[0] != idle)
			fail_msg("used in as %d's mapping: the shared frame looked idle",
				 fake.m[k].as);
		victims_put_back(idle);
	}
	assert_int_equal(users, SHARERS);
}

/* A harvest that fails has read nothing: no frame may look idle for it,
 * even to a fault's choice, which looks as long as it takes. */
static void test_failed_harvest_no_victim(void **state)
{
	uint64_t pa[2];

	(void)state;
	page_in(1);
	page_in(2);
	assert_int_equal(victims_choose(pa, 0, 0), 0);
	all_idle();
	fake.fail_harvest = 1;
	assert_int_equal(victims_choose(pa, 2, 0), 0);
	assert_int_equal(victims_choose(pa, 2, 2), 0);
	/* Looks that work again find both idle. */
	fake.fail_harvest = 0;
	assert_int_equal(victims_choose(pa, 2, 0), 2);
	victims_put_back(pa[0]);
	victims_put_back(pa[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_mappings_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_harvest_no_victim, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
