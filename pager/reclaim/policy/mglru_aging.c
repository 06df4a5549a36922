/*
 * The multi-gen LRU policy's aging (policy_mglru.c): when a new youngest
 * generation opens, and which pages' accessed bits the walk reads to move
 * the referenced ones into it.
 */
#include "reclaim/policy/mglru.h"

/* Linux's should_run_aging with three generations, as two margins, each
 * >= 0 while it says no: the youngest's below half the pages, and the
 * oldest's above a quarter (its waiting frames not counted: they are the
 * eviction's for now). */
struct spread {
	int64_t young_room, old_room;
};

static struct spread spread_of(const struct mglru *m)
{
	const struct mglru_gens *g = &m->g;
	int64_t total = mglru_gens_tracked(g), young = mglru_gen_len(g, g->max_seq);
	int64_t old = (int64_t)mglru_gen_len(g, g->max_seq - MIN_NR_GENS) - g->waiting;

	return (struct spread){ total - young * MIN_NR_GENS, old * (MIN_NR_GENS + 2) - total };
}

/* Linux's should_run_aging: eviction needs three generations, and the
 * pages are best spread a third each (a half to a quarter). */
static int should_age(const struct mglru *m)
{
	uint32_t nr = mglru_nr_gens(&m->g);
	struct spread sp;

	/* Counted only with three generations (spread_of). */
	if (nr <= MIN_NR_GENS)
		return 1;
	if (nr > MIN_NR_GENS + 1)
		return 0;
	sp = spread_of(m);
	return sp.young_room < 0 || sp.old_room < 0;
}

/*
 * Eviction's steps (a frame met, or a waiting frame taken) that can follow
 * mglru_maybe_age's 0 before it could answer otherwise or a generation
 * close, so that eviction need not ask before each frame (one_victim):
 * ~20 instructions a frame met, redone for every one. A step moves at
 * most one frame out of the oldest generation (kept, promoted, taken, or
 * onto the wait list), and at most one into the youngest (promoted): the
 * oldest's length falls by at most 1, the youngest's margin by at most
 * MIN_NR_GENS (a frame promoted; one taken, 1), the oldest's by at most
 * MIN_NR_GENS + 2 (a frame leaving it or waiting; a waiting one taken
 * raises it). So after this many steps should_age still says no and no
 * generation closes: what eviction decides is what asking each time
 * decided. With aging due, the 0 said the call cannot walk (can_walk), and
 * it never can again: its looks left only fall, and the generations it
 * would walk only gain frames (eviction moves frames out of the oldest
 * only); then only the oldest's end is waited for.
 */
uint32_t mglru_quiet_steps(const struct mglru *m)
{
	uint32_t nr = mglru_nr_gens(&m->g), oldest = mglru_gen_len(&m->g, m->g.min_seq);
	int64_t steps;
	struct spread sp;

	if (nr <= MIN_NR_GENS || oldest == 0)
		return 0;
	steps = oldest - 1;
	if (nr > MIN_NR_GENS + 1)
		return (uint32_t)steps;
	sp = spread_of(m);
	if (sp.young_room < 0 || sp.old_room < 0)
		return (uint32_t)steps;	/* due, and the walk does not fit */
	if (steps > sp.young_room / MIN_NR_GENS)
		steps = sp.young_room / MIN_NR_GENS;
	if (steps > sp.old_room / (MIN_NR_GENS + 2))
		steps = sp.old_room / (MIN_NR_GENS + 2);
	return (uint32_t)steps;
}

/* Whether the call may look at every page aging would walk: bounded by
 * all of every generation but the oldest. age_reads passes some over,
 * which this does not count (it would walk the lists), so under a tight
 * look budget (max_looks) a call may stop whose reads would have fit; a
 * later call with more looks ages instead. */
static int can_walk(const struct mglru *m)
{
	uint32_t walk = 0;

	for (uint32_t seq = m->g.min_seq + 1; seq <= m->g.max_seq; seq++)
		walk += mglru_gen_len(&m->g, seq);
	return walk <= policy_looks_left(&m->looks);
}

#ifdef MGLRU_CHECK_QUIET
int mglru_quiet_holds(const struct mglru *m, uint32_t agings)
{
	if (mglru_gen_len(&m->g, m->g.min_seq) == 0)
		return 0;
	return !should_age(m) ||
	       (agings < MAX_NR_GENS && !can_walk(m) && mglru_nr_gens(&m->g) > MIN_NR_GENS);
}
#endif

/* Whether aging reads frame's bit. Not if this call read it already (or
 * eviction passed it, keeping it unread: a later call reads it), nor
 * if an aging's look read it since it joined its generation, finding it
 * idle there or moving it there (the look cleared the bit as it joined):
 * its bit has gathered every reference since, and eviction reads it
 * before the page can go, so no reference is lost to the choice of
 * victims (Linux's page-table walk reads every young PTE, but a read costs
 * it a few instructions, not a harvest through the reverse map). What is
 * lost is speed and count: such a page used again moves up only when
 * eviction meets it, and one use a trip down (refs + 1), not one an aging,
 * so its tier rises more slowly and it counts in the older generations
 * meanwhile (should_age's spread). A page eviction's look moved up is read
 * again: sparing that read too cost shift 19% more major faults
 * (docs/policies.md). */
static int age_reads(const struct mglru *m, uint32_t f)
{
	return !policy_looked(&m->looks, f) && !mglru_gens_read_since_joined(&m->g, f);
}

/* policy_looks' passes_over while aging walks: what it will not read is
 * not announced (read ahead, it would be harvested for nothing). */
static int age_passes_over(const void *walker, uint32_t f)
{
	return !age_reads(walker, f);
}

/* A new youngest generation, and every page found referenced in the others
 * but the oldest moves into it; age_reads says which are looked at. Only
 * after can_walk said the looks suffice (mglru_maybe_age, the one caller): a
 * page not looked at yet may be then, so policy_may_look need not be
 * asked. */
static void age(struct mglru *m, const struct policy_env *env)
{
	policy_looks_expect(&m->looks, 0);	/* a walk of whole generations */
	m->looks.passes_over = age_passes_over;
	m->looks.walker = m;
	m->g.max_seq++;
	for (uint32_t seq = m->g.min_seq + 1; seq < m->g.max_seq; seq++) {
		uint32_t f = mglru_gen(&m->g, seq)->old;

		while (f != POLICY_NIL) {
			uint32_t next = m->g.links.younger[f];

			if (age_reads(m, f)) {
				if (policy_look(&m->looks, env, f))
					mglru_promote(m, f);
				/* idle where it stays, or clear where the look
				 * moved it: read since it joined either way */
				mglru_gens_mark_read(&m->g, f);
			}
			f = next;
		}
	}
	m->looks.passes_over = NULL;	/* eviction looks at every page it meets */
}

/* Aging if due: 1 if it opened a generation, 0 if eviction goes on
 * without, -1 if the call must stop. Only a whole walk opens one (a walk
 * cut short by the call's looks opened one holding almost nothing): a call
 * that cannot afford it leaves it to one that can look further. */
int mglru_maybe_age(struct mglru *m, const struct policy_env *env, uint32_t *agings)
{
	if (!should_age(m))
		return 0;
	/* mglru_quiet_steps relies on this test coming before can_walk's */
	if (*agings == MAX_NR_GENS)
		return -1;
	if (!can_walk(m))
		return mglru_nr_gens(&m->g) > MIN_NR_GENS ? 0 : -1;
	(*agings)++;
	age(m, env);
	return 1;
}
