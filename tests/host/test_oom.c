/*
 * Host tests for pager/reclaim/oom.c, the OOM killer's choice: scores under each
 * policy with the spawn adjustment, and which candidate oom_choose names,
 * all against numbers worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "reclaim/oom.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct oom_candidate cand(uint64_t alone, uint64_t shared, int adj)
{
	return (struct oom_candidate){ .pid = 0, .adj = adj, .exempt = 0, .alone = alone,
				       .shared = shared };
}

/* The names follow the enum and the boot argument's list. */
static void test_policy_names(void **state)
{
	(void)state;
	assert_string_equal(oom_policy_names[OOM_UNSHARED], "unshared");
	assert_string_equal(oom_policy_names[OOM_RSS], "rss");
	assert_string_equal(oom_policy_names[OOM_PANIC], "panic");
	assert_null(oom_policy_names[3]);
	assert_string_equal(OOM_POLICY_CHOICES, "unshared|rss|panic");
}

/* unshared counts only what a kill gives back; rss counts everything. */
static void test_score_by_policy(void **state)
{
	struct oom_candidate c = cand(300, 700, 0);

	(void)state;
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 300);
	assert_int_equal(oom_score(OOM_RSS, &c, 1000), 1000);
	c = cand(0, 50, 0);
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 0);
	assert_int_equal(oom_score(OOM_RSS, &c, 1000), 50);
}

/* adj / 1000 of all frames is added: a share of memory, not of the
 * process's own pages, so it weighs the same for small and large ones. */
static void test_score_adjustment(void **state)
{
	struct oom_candidate c = cand(10, 20, 500);

	(void)state;
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 10 + 500);
	assert_int_equal(oom_score(OOM_RSS, &c, 1000), 30 + 500);
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 4000), 10 + 2000);
	c.adj = OOM_ADJ_MAX;
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 10 + 1000);
	c = cand(300, 0, -100);	/* 300 - 100 * 2000 / 1000 */
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 2000), 100);
	c = cand(7, 0, 3);	/* 3 * 500 / 1000 = 1.5: whole frames only */
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 500), 8);
}

/* A negative adjustment larger than the pages leaves 0, never below. */
static void test_score_floor(void **state)
{
	struct oom_candidate c = cand(100, 0, -500);

	(void)state;
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 0);	/* 100 - 500 */
	c = cand(100, 350, -500);
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 0);
	assert_int_equal(oom_score(OOM_RSS, &c, 1000), 0);	/* 450 - 500 */
	c = cand(100, 450, -500);
	assert_int_equal(oom_score(OOM_RSS, &c, 1000), 50);	/* 550 - 500 */
	c = cand(5, 0, OOM_ADJ_NEVER);
	assert_int_equal(oom_score(OOM_UNSHARED, &c, 1000), 0);
}

static void test_choose_highest(void **state)
{
	struct oom_candidate c[] = { cand(10, 0, 0), cand(40, 0, 0), cand(30, 0, 0),
				     cand(39, 0, 0) };

	(void)state;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 1);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 1000, 0), 1);
	/* The adjustment turns it: 10 + 50 * 1000 / 1000 = 60 beats 40. */
	c[0].adj = 50;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 0);
	/* 40 - 2 = 38 falls below 39. */
	c[0].adj = 0;
	c[1].adj = -2;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 3);
}

/* Exempt, fully protected and freeing-nothing candidates are passed over,
 * however high their score; the best of the rest is chosen. */
static void test_choose_skips(void **state)
{
	struct oom_candidate c[] = { cand(5, 0, 0), cand(900, 0, 0), cand(800, 0, OOM_ADJ_NEVER),
				     cand(0, 5000, OOM_ADJ_MAX), cand(6, 0, 0) };

	(void)state;
	c[1].exempt = 1;
	assert_int_equal(oom_score(OOM_RSS, &c[3], 1000), 6000);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 4);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 1000, 0), 4);
	/* Just above OOM_ADJ_NEVER it may be chosen: 800 - 999 floors at 0,
	 * which loses to 6. */
	c[2].adj = OOM_ADJ_NEVER + 1;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 4);
	c[2].adj = -500;	/* 800 - 500 = 300 */
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 2);
}

/* A choosable candidate scored 0 is still a victim: better than none. */
static void test_choose_zero_score(void **state)
{
	struct oom_candidate c[] = { cand(5, 0, 0), cand(50, 0, -900) };

	(void)state;
	c[0].exempt = 1;
	assert_int_equal(oom_score(OOM_UNSHARED, &c[1], 1000), 0);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 1);
}

static void test_choose_ties_lowest_index(void **state)
{
	struct oom_candidate c[] = { cand(1, 0, 0), cand(50, 10, 0), cand(20, 40, 0),
				     cand(50, 0, 0), cand(60, 0, 0) };

	(void)state;
	c[4].exempt = 1;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 1);	/* 50, 50 */
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 1000, 0), 1);	/* 60, 60, 50 */
	c[1].exempt = 1;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 3);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 1000, 0), 2);
}

/* panic names no one, however clear the choice would be. */
static void test_choose_panic(void **state)
{
	struct oom_candidate c[] = { cand(900, 0, OOM_ADJ_MAX) };

	(void)state;
	assert_int_equal(oom_choose(OOM_PANIC, c, N(c), 1000, 0), -1);
}

static void test_choose_none(void **state)
{
	struct oom_candidate c[] = { cand(100, 0, 0), cand(200, 0, OOM_ADJ_NEVER),
				     cand(0, 300, 0) };

	(void)state;
	c[0].exempt = 1;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), -1);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 1000, 0), -1);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, 0, 1000, 0), -1);
	c[0].exempt = 0;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), 0);
}

/* With no one choosable, the requester is the last resort if it may be
 * killed at all: not exempt, not protected, and a process (pid 0 is the
 * pager's own request); never under panic. */
static void test_choose_requester(void **state)
{
	struct oom_candidate c[] = { cand(100, 0, 0), cand(0, 300, 0), cand(0, 300, OOM_ADJ_NEVER),
				     cand(0, 300, 0) };

	(void)state;
	for (size_t i = 0; i < N(c); i++)
		c[i].pid = (uint32_t)i + 1;
	c[0].exempt = 1;
	c[3].exempt = 1;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 1000, 0), -1);
	assert_int_equal(oom_choose_requester(OOM_UNSHARED, c, N(c), 2), 1);
	assert_int_equal(oom_choose_requester(OOM_RSS, c, N(c), 2), 1);
	assert_int_equal(oom_choose_requester(OOM_PANIC, c, N(c), 2), -1);
	assert_int_equal(oom_choose_requester(OOM_UNSHARED, c, N(c), 1), -1);	/* exempt */
	assert_int_equal(oom_choose_requester(OOM_UNSHARED, c, N(c), 3), -1);	/* protected */
	assert_int_equal(oom_choose_requester(OOM_UNSHARED, c, N(c), 4), -1);	/* exempt */
	assert_int_equal(oom_choose_requester(OOM_UNSHARED, c, N(c), 9), -1);	/* not listed */
	assert_int_equal(oom_choose_requester(OOM_UNSHARED, c, N(c), 0), -1);	/* the pager */
}

/* The case the policies differ on: B maps much more, but nearly all of it
 * is shared, so killing B gives back 100 frames and killing A 900. */
static void test_two_hogs(void **state)
{
	struct oom_candidate c[] = { cand(900, 0, 0), cand(100, 2000, 0) };

	(void)state;
	assert_int_equal(oom_score(OOM_UNSHARED, &c[0], 4096), 900);
	assert_int_equal(oom_score(OOM_UNSHARED, &c[1], 4096), 100);
	assert_int_equal(oom_score(OOM_RSS, &c[0], 4096), 900);
	assert_int_equal(oom_score(OOM_RSS, &c[1], 4096), 2100);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), 0);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 4096, 0), 1);
}

/* A process's page arrays (the pager's heap it causes) count under every
 * policy, as Linux counts page tables: a sparse toucher with 1000 pages
 * and 250 pages of arrays (1 KiB a page) outscores a denser process with
 * 1100 pages and 5, which by pages alone would be the victim. */
static void test_page_arrays_count(void **state)
{
	struct oom_candidate c[] = { cand(1100, 0, 0), cand(1000, 0, 0) };

	(void)state;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), 0);
	c[0].meta = 5;
	c[1].meta = 250;
	assert_int_equal(oom_score(OOM_UNSHARED, &c[0], 4096), 1105);
	assert_int_equal(oom_score(OOM_UNSHARED, &c[1], 4096), 1250);
	assert_int_equal(oom_score(OOM_RSS, &c[1], 4096), 1250);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), 1);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 4096, 0), 1);
	c[1].shared = 300;	/* rss adds its shared pages, unshared does not */
	assert_int_equal(oom_score(OOM_RSS, &c[1], 4096), 1550);
	assert_int_equal(oom_score(OOM_UNSHARED, &c[1], 4096), 1250);
}

/* A fork tree over swapped sparse pages: its 28 members share every slot
 * (alone 0) and each holds its own copy of every chunk, so all it costs is
 * the pager's heap, which its death gives back to the next arrays. When
 * the heap is what could not grow, a member is chosen, under both
 * policies, over an innocent process with fewer pages of its own than a
 * member's arrays (the tree had been left out as freeing nothing, and the
 * innocent went, then the requester); when frames ran out, the innocent
 * is (arrays give frames back only as whole pages of chunks empty, which a
 * death does not promise). A
 * process whose death frees neither pages nor arrays is never chosen. */
static void test_tree_of_arrays_chosen(void **state)
{
	enum { TREE = 28 };
	struct oom_candidate c[TREE + 2];

	(void)state;
	c[0] = cand(200, 0, 0);		/* the innocent */
	for (int k = 1; k <= TREE; k++) {
		c[k] = cand(0, 30, 0);
		c[k].meta = 300;
	}
	c[TREE + 1] = cand(0, 5000, 0);	/* shares much, frees nothing */
	assert_int_equal(oom_score(OOM_UNSHARED, &c[1], 4096), 300);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 1), 1);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 4096, 1), 1);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), 0);
	assert_int_equal(oom_choose(OOM_RSS, c, N(c), 4096, 0), 0);
	c[0] = cand(0, 0, 0);		/* no one frees a frame */
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), -1);
	for (int k = 1; k <= TREE; k++)
		c[k].meta = 0;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 1), -1);
}

/* The unit the unshared killer chooses among c with sets s: its members. */
static uint64_t unit_of(const struct oom_candidate *c, size_t n, const struct oom_set *s,
			size_t ns, struct oom_unit *u)
{
	int found = oom_choose_unit(OOM_UNSHARED, c, n, s, ns, 4096, 0, u);

	assert_int_equal(found, u->who != 0);
	return u->who;
}

#define BIT(k) (1ull << (k))

/* P maps a large MAP_SHARED region, forks C, which only holds it, and
 * writes page after page into it: neither holds a page alone. One by one
 * the killer took the holder, then the runner (the most pages alone),
 * each death feeding P; as a group, P and C give back the region. The
 * text the runner's children share with it (30 pages, all four reach)
 * and what the runner shares with P and C alone (20) bind no one: the
 * runner and the holder hold more of their own. */
static void test_group_shared_pair(void **state)
{
	enum { INIT, RUNNER, HOLDER, P, C };
	struct oom_candidate c[] = { cand(5, 0, 0), cand(40, 50, 0), cand(800, 30, 0),
				     cand(3, 3950, 0), cand(2, 3950, 0) };
	struct oom_set s[] = { { BIT(RUNNER) | BIT(HOLDER) | BIT(P) | BIT(C), 30 },
			       { BIT(P) | BIT(C), 3900 }, { BIT(RUNNER) | BIT(P) | BIT(C), 20 } };
	struct oom_unit u;

	(void)state;
	c[INIT].exempt = 1;
	c[P].meta = 4;
	c[C].meta = 1;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), HOLDER);
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(P) | BIT(C));
	assert_int_equal(u.pages, 3 + 2 + 3900);
	assert_int_equal(u.meta, 5);
	assert_int_equal(u.score, 3910);
	/* Early on, the region smaller than the holder's own: the holder. */
	s[1].pages = 700;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(HOLDER));
	assert_int_equal(u.score, 800);
	/* rss scores each alone, as before, whatever the sets. */
	s[1].pages = 3900;
	assert_int_equal(oom_choose_unit(OOM_RSS, c, N(c), s, N(s), 4096, 0, &u), 1);
	assert_int_equal(u.who, BIT(P));
	assert_int_equal(oom_choose_unit(OOM_PANIC, c, N(c), s, N(s), 4096, 0, &u), 0);
	assert_int_equal(u.who, 0);
}

/* Copy-on-write: P forks a child after each of four stretches of 400
 * pages, so stretch k is reached by P and children k..4: nested sets,
 * none larger than the holder's 500. Bound through them all, P and its
 * four children are one group and give back every stretch (P's fifth,
 * under way, its own), and the holder lives. */
static void test_group_cow_chain(void **state)
{
	enum { RUNNER, HOLDER, P, C1, C2, C3, C4 };
	struct oom_candidate c[] = { cand(40, 30, 0), cand(500, 30, 0), cand(100, 1630, 0),
				     cand(2, 430, 0), cand(2, 830, 0), cand(2, 1230, 0),
				     cand(2, 1630, 0) };
	uint64_t kids = BIT(C1) | BIT(C2) | BIT(C3) | BIT(C4);
	struct oom_set s[] = { { BIT(RUNNER) | BIT(HOLDER) | BIT(P) | kids, 30 },
			       { BIT(P) | kids, 400 },
			       { BIT(P) | BIT(C2) | BIT(C3) | BIT(C4), 400 },
			       { BIT(P) | BIT(C3) | BIT(C4), 400 }, { BIT(P) | BIT(C4), 400 } };
	struct oom_unit u;

	(void)state;
	assert_int_equal(oom_choose(OOM_UNSHARED, c, N(c), 4096, 0), HOLDER);
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(P) | kids);
	assert_int_equal(u.pages, 100 + 4 * 2 + 4 * 400);
	/* A child that holds more of its own than its stretch is its own
	 * process: the chain binds through the sets without it, the later
	 * stretches (C1 is in every set C2 is). */
	c[C2].alone = 450;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(P) | BIT(C3) | BIT(C4));
	assert_int_equal(u.pages, 100 + 2 * 2 + 2 * 400);
	c[C1].alone = c[C2].alone = c[C3].alone = c[C4].alone = 450;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(HOLDER));
}

/* A set with a member the killer may not end (init, a driver, adj -1000)
 * binds no one, and its pages count for no group: no death they could
 * cause gives them back. P and C are a group through what only they
 * reach; what the protected D reaches with them is not theirs to give. */
static void test_group_unkillable_member(void **state)
{
	enum { INIT, HOLDER, P, C, D };
	struct oom_candidate c[] = { cand(5, 3000, 0), cand(500, 0, 0), cand(10, 3000, 0),
				     cand(1, 900, 0), cand(1, 900, OOM_ADJ_NEVER) };
	struct oom_set s[] = { { BIT(INIT) | BIT(P), 2100 }, { BIT(P) | BIT(C) | BIT(D), 600 },
			       { BIT(P) | BIT(C), 300 } };
	struct oom_unit u;

	(void)state;
	c[INIT].exempt = 1;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(HOLDER));
	s[2].pages = 700;	/* now P and C hold more together than the holder */
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(P) | BIT(C));
	assert_int_equal(u.pages, 10 + 1 + 700);
	c[C].adj = OOM_ADJ_NEVER;	/* C protected: P goes alone, or no group */
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(HOLDER));
	c[C].adj = 0;
	c[C].exempt = 1;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(HOLDER));
}

/* Processes that share nothing, or share less than they hold alone, are
 * chosen as before, ties and adjustments alike; a group's adjustment is
 * its members' highest, and it must beat the single process, not tie. */
static void test_group_unrelated_unchanged(void **state)
{
	struct oom_candidate c[] = { cand(10, 0, 0), cand(400, 20, 0), cand(300, 20, 0),
				     cand(399, 0, 0) };
	struct oom_set s[] = { { BIT(1) | BIT(2), 20 } };
	struct oom_unit u;

	(void)state;
	assert_int_equal(unit_of(c, N(c), NULL, 0, &u), BIT(1));
	assert_int_equal(u.score, 400);
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(1));
	c[0].adj = 500;	/* 10 + 500 * 4096 / 1000 */
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(0));
	/* Two that hold 99 apart and 302 together: 302 + 2 = 304 scores
	 * below 399 until one of them asks to go first. */
	c[0].adj = 0;
	c[1] = cand(1, 302, 0);
	c[2] = cand(1, 302, 0);
	s[0].pages = 302;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(3));
	c[2].adj = 25;		/* 304 + 102 */
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(1) | BIT(2));
	assert_int_equal(u.score, 406);
	c[2].adj = 23;		/* 304 + 94 = 398 */
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(3));
	s[0].pages = 397;	/* 399: a tie goes to the single process */
	c[2].adj = 0;
	assert_int_equal(unit_of(c, N(c), s, N(s), &u), BIT(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_score_by_policy),
		cmocka_unit_test(test_score_adjustment),
		cmocka_unit_test(test_score_floor),
		cmocka_unit_test(test_choose_highest),
		cmocka_unit_test(test_choose_skips),
		cmocka_unit_test(test_choose_zero_score),
		cmocka_unit_test(test_choose_ties_lowest_index),
		cmocka_unit_test(test_choose_panic),
		cmocka_unit_test(test_choose_none),
		cmocka_unit_test(test_choose_requester),
		cmocka_unit_test(test_two_hogs),
		cmocka_unit_test(test_page_arrays_count),
		cmocka_unit_test(test_tree_of_arrays_chosen),
		cmocka_unit_test(test_group_shared_pair),
		cmocka_unit_test(test_group_cow_chain),
		cmocka_unit_test(test_group_unkillable_member),
		cmocka_unit_test(test_group_unrelated_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
