/*
 * Host tests for the insertion rule's note (pager/reclaim/uncounted.h):
 * cleared when allocation UNCOUNTED_FAULTS + 1's frames arrive, however
 * many frames the earlier ones brought (the bound at faultaround=0), or when an
 * allocation's frames would not fit the look interval (UNCOUNTED_FRAMES),
 * through uncounted_take, the one sequence victims.c uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reclaim/uncounted.h"

/* The note as victims.c takes it, with the clearings counted instead of
 * made: frames frame .. frame + frames - 1 noted as one allocation. */
struct model {
	struct uncounted_note t;
	unsigned clearings;
	uint32_t cleared;	/* frames the last clearing held */
	uint32_t first;		/* the first of them */
};

static void count_clearing(void *ctx, const struct uncounted_note *t)
{
	struct model *m = ctx;

	m->clearings++;
	m->cleared = t->n;
	m->first = t->n ? t->frame[0] : UINT32_MAX;
}

static void allocate(struct model *m, uint32_t frame, uint32_t frames)
{
	uint32_t *at = uncounted_take(&m->t, frames, count_clearing, m);

	for (uint32_t k = 0; k < frames; k++)
		at[k] = frame + k;
}

/* One frame a fault (faultaround=0): UNCOUNTED_FAULTS faults stay noted,
 * the next one's arrival clears them all, its own frame noted after. */
static void test_faults_of_one_frame(void **state)
{
	struct model m = { 0 };

	(void)state;
	for (uint32_t k = 0; k < UNCOUNTED_FAULTS; k++)
		allocate(&m, k, 1);
	assert_int_equal(m.clearings, 0);
	assert_int_equal(m.t.n, UNCOUNTED_FAULTS);
	allocate(&m, 100, 1);
	assert_int_equal(m.clearings, 1);
	assert_int_equal(m.cleared, UNCOUNTED_FAULTS);
	assert_int_equal(m.first, 0);
	assert_int_equal(m.t.n, 1);
	assert_int_equal(m.t.frame[0], 100);
}

/* Runs of several frames: the same number of faults, more frames, and no
 * earlier clearing while they fit (a bound in frames would clear sooner). */
static void test_faults_of_runs(void **state)
{
	struct model m = { 0 };
	uint32_t run = UNCOUNTED_FRAMES / UNCOUNTED_FAULTS;

	(void)state;
	for (uint32_t k = 0; k < UNCOUNTED_FAULTS; k++)
		allocate(&m, k * run, run);
	assert_int_equal(m.clearings, 0);
	assert_int_equal(m.t.n, UNCOUNTED_FAULTS * run);
	allocate(&m, 1000, 1);
	assert_int_equal(m.clearings, 1);
	assert_int_equal(m.cleared, UNCOUNTED_FAULTS * run);
	assert_int_equal(m.t.faults, 1);
}

/* A run that would not fit the note clears it first, though fewer than
 * UNCOUNTED_FAULTS faults are noted; one that fits exactly does not. */
static void test_full_note(void **state)
{
	struct model m = { 0 };
	uint32_t big = UNCOUNTED_FRAMES / 2;

	(void)state;
	assert_true(UNCOUNTED_FAULTS > 3);
	allocate(&m, 0, big);
	allocate(&m, big, big);
	assert_int_equal(m.clearings, 0);
	assert_int_equal(m.t.n, UNCOUNTED_FRAMES);
	allocate(&m, 500, 1);
	assert_int_equal(m.clearings, 1);
	assert_int_equal(m.cleared, UNCOUNTED_FRAMES);
	allocate(&m, 600, UNCOUNTED_FRAMES - 1);
	assert_int_equal(m.clearings, 1);
	allocate(&m, 700, 2);
	assert_int_equal(m.clearings, 2);
	assert_int_equal(m.cleared, UNCOUNTED_FRAMES);
	assert_int_equal(m.first, 500);
	assert_int_equal(m.t.n, 2);
}

/* Fault-around runs at the default (a page and 8 around it: pager.faultaround's
 * default, base/config.c): the note in frames governs, clearing when a run
 * would not fit (after UNCOUNTED_FRAMES / run faults), and no clearing holds
 * more than the frames reclaim wants between two looks (SWAP_OUT_BATCH,
 * reclaim/free.c): the note never outlasts the look interval. */
static void test_default_faultaround(void **state)
{
	struct model m = { 0 };
	const uint32_t run = 1 + 8;
	uint32_t faults = 0;

	(void)state;
	while (m.clearings == 0)
		allocate(&m, faults++ * run, run);
	assert_true(faults - 1 < UNCOUNTED_FAULTS);
	assert_int_equal(faults - 1, UNCOUNTED_FRAMES / run);
	assert_int_equal(m.cleared, (UNCOUNTED_FRAMES / run) * run);	/* whole runs, under the interval */
	assert_int_equal(m.t.n, run);
}

/* A clearing before a look (victims_choose) starts the count again. */
static void test_empty_restarts_count(void **state)
{
	struct model m = { 0 };

	(void)state;
	for (uint32_t k = 0; k < UNCOUNTED_FAULTS - 1; k++)
		allocate(&m, k, 1);
	uncounted_clear(&m.t, count_clearing, &m);
	assert_int_equal(m.clearings, 1);
	assert_int_equal(m.cleared, UNCOUNTED_FAULTS - 1);
	assert_int_equal(m.t.n, 0);
	for (uint32_t k = 0; k < UNCOUNTED_FAULTS; k++)
		allocate(&m, k, 1);
	assert_int_equal(m.clearings, 1);
	allocate(&m, 50, 1);
	assert_int_equal(m.clearings, 2);
	assert_int_equal(m.cleared, UNCOUNTED_FAULTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_of_one_frame),
		cmocka_unit_test(test_faults_of_runs),
		cmocka_unit_test(test_full_note),
		cmocka_unit_test(test_default_faultaround),
		cmocka_unit_test(test_empty_restarts_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
