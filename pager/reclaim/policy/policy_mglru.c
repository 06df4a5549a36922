/*
 * A generational policy in the manner of Linux's multi-gen LRU (mm/vmscan.c,
 * Documentation/mm/multigen_lru.rst; Yu Zhao, 2022). Pages are grouped in
 * generations of similar recency, numbered min_seq (oldest) to max_seq
 * (youngest), two to four of them (MIN_NR_GENS, MAX_NR_GENS). A page faulted
 * in joins the second youngest (the youngest if it refaulted recently).
 * Eviction takes pages from the oldest generation and stalls when only two
 * are left; aging then opens a new youngest generation and moves into it
 * every page found referenced in the others, only when the call can look
 * at all of them (Linux increments max_seq once its walk is over).
 * Eviction keeps a page that may not go now, and one whose tier is
 * protected (below), without reading its bit, as Linux's sort_folio
 * decides both before any look at page tables; the bit waits for the next
 * look. It looks at every other page it meets (Linux's look-around): one
 * referenced since is moved to the youngest generation instead.
 *
 * Refault tiers. A page's tier is Linux's order_base_2(refs + 1), refs
 * counting the looks that found it referenced beyond the first (up to 3)
 * plus one if it refaulted recently (PG_workingset): a page seen used once
 * is tier 0, like one never seen. A refault is recent when the page was
 * evicted fewer than MAX_NR_GENS generations ago (its shadow holds min_seq
 * then, and its tier); it comes in at the top tier, as Linux makes a
 * refault in a fault. Per tier the policy counts evictions, protections and
 * recent refaults, averaged over generations, and a PID-like controller
 * (Linux's get_tier_idx, positive_ctrl_err, gains 2:3, at least 64
 * refaults) protects the tiers whose refault rate is higher than tier 0's:
 * met at eviction, such a page goes one generation up unread (min_seq + 1)
 * and loses its tier, as folio_inc_gen clears it.
 *
 * Kept from Linux: the generations and their bounds, aging's heuristics
 * (age when only two generations are left, or with three when the youngest
 * holds more than half the pages or the oldest less than a quarter),
 * eviction from the oldest with look-around, the shadow's recency test, the tiers and the controller with its constants.
 * Changed: Linux marks every page added in a fault active (the youngest
 * generation), which counts the fault as a use; this policy's insertion
 * rule does not (fault_counts 0, like CLOCK's), so only a recent refault is
 * active. Simplified: one type of page (no anon/file balance, so the
 * controller only chooses tiers); aging reads the accessed bit of each page in the
 * generations it walks (one look, through the reverse map), not page
 * tables, and skips the oldest generation, whose pages eviction looks at
 * anyway, and every page its look found idle since it joined its
 * generation or moved there (its bit keeps what came since, for eviction
 * to read); tiers count
 * looks, as a pager sees no access through file descriptors, which are all
 * Linux counts there (it clears a page's tier when it finds it young
 * through page tables).
 *
 * Cheaper victims first among equals: within the oldest generation, a
 * page that may go but is not cheap (env->cheap) waits while the call
 * looks for cheap ones, up to as many as the call's batch; it goes when the
 * wait list is longer than that or the generation has no more to offer
 * (MGLRU's "clean pages do not require writeback ... helpful when access
 * recency is similar").
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/mglru.h"

static struct mglru *mg_of(struct policy *p)
{
	return (struct mglru *)p;
}

static void mg_destroy(struct policy *p)
{
	struct mglru *m = mg_of(p);

	if (!m)
		return;
	mglru_gens_free(&m->g);
	policy_looks_free(&m->looks);
	free(m->refs);
	free(m->workingset);
	free(m->left_tier);
	free(m);
}

static struct policy *mg_create(uint32_t nframes, uint64_t seed)
{
	struct mglru *m = calloc(1, sizeof(*m));
	size_t n = (size_t)nframes + 1;

	(void)seed;	/* deterministic: nothing to seed */
	if (!m)
		return NULL;
	m->nframes = nframes;
	m->refs = calloc(n, 1);
	m->workingset = calloc(n, 1);
	m->left_tier = calloc(n, 1);
	if (mglru_gens_alloc(&m->g, nframes) || policy_looks_alloc(&m->looks, nframes) ||
	    !m->refs || !m->workingset || !m->left_tier) {
		mg_destroy((struct policy *)m);
		return NULL;
	}
	m->looks.order = &m->g.links;	/* aging and eviction walk towards the young end */
	return (struct policy *)m;
}

/* Generations emptied by eviction close (never below two), each carrying
 * its tiers' counts over. */
static void drop_empty_oldest(struct mglru *m)
{
	for (uint32_t n = mglru_gens_close_empty(&m->g); n > 0; n--)
		mglru_tiers_carry_over(&m->tiers);
}

/* ---- eviction ---- */

/* What eviction does with the oldest generation's oldest page. */
enum verdict { KEPT, VICTIM, WAIT, STOP };

/* A page kept unseen goes one generation up; a protected one counts as
 * such and loses its tier, as folio_inc_gen clears it. Its accessed bit
 * is not read: what it holds waits for the next look. */
static void keep_unseen(struct mglru *m, uint32_t frame, uint32_t tier, int evictable)
{
	if (evictable) {
		m->tiers.protected[tier]++;
		m->refs[frame] = 0;
		m->workingset[frame] = 0;
	}
	mglru_gens_move_to(&m->g, m->g.min_seq + 1, frame);
}

/* Linux's sort_folio and then folio_referenced: a page that may not go now
 * or whose tier is protected is kept before its bit is read (a pass,
 * counted with the looks per frame); only a page that may go is looked at. */
static enum verdict sort_page(struct mglru *m, const struct policy_env *env, uint32_t frame,
			      int idx)
{
	uint32_t tier;
	int evictable;

	if (!policy_may_look(&m->looks, frame))
		return STOP;
	tier = mglru_tier(m->refs[frame], m->workingset[frame]);
	evictable = env->evictable(env->ctx, frame);
	if (!evictable || (int)tier > idx) {
		policy_pass(&m->looks, frame);
		keep_unseen(m, frame, tier, evictable);
		return KEPT;
	}
	if (policy_look(&m->looks, env, frame)) {	/* look-around: young */
		mglru_promote(m, frame);
		return KEPT;
	}
	m->left_tier[frame] = (uint8_t)tier;
	if (env->cheap && !env->cheap(env->ctx, frame))
		return WAIT;
	return VICTIM;
}

/* One isolate call's search: its agings, and the steps left before aging
 * and the oldest generation's end must be asked about again
 * (mglru_quiet_steps), each frame met or waiting frame taken one. */
struct search {
	uint32_t agings;
	uint32_t quiet;
};

static inline void stepped(struct search *s)
{
	s->quiet -= s->quiet != 0;
}

/* The wait list's first frame, a step. */
static uint32_t take_waiting(struct mglru *m, struct search *s)
{
	stepped(s);
	return mglru_gens_take_waiting(&m->g);
}

/* Aging and closing, asked only when the quiet steps are used up: 1 if
 * aging opened a generation, 0 if eviction goes on, -1 if it must stop. */
static int before_meeting(struct mglru *m, const struct policy_env *env, struct search *s)
{
	int aged;

	if (s->quiet) {
#ifdef MGLRU_CHECK_QUIET
		m->quiet_checked++;
		m->quiet_wrong += !mglru_quiet_holds(m, s->agings);
#endif
		return 0;
	}
	drop_empty_oldest(m);
	if ((aged = mglru_maybe_age(m, env, &s->agings)) == 0)
		s->quiet = mglru_quiet_steps(m);
	return aged;
}

/* The next victim, or NIL. Waiting pages go when the wait list holds more
 * than the batch, or when the oldest generation has nothing else. */
static uint32_t one_victim(struct mglru *m, const struct policy_env *env, int idx,
			   uint32_t batch, struct search *s)
{
	struct mglru_gens *g = &m->g;

	for (;;) {
		uint32_t frame, after;
		enum verdict v;
		int aged;

		if (g->waiting > batch)
			break;
		if (g->waiting > 0 && g->next == POLICY_NIL)
			break;
		aged = before_meeting(m, env, s);
		if (aged < 0)
			return POLICY_NIL;
		if (aged > 0)
			continue;
		frame = mglru_gens_next(g);
		/* The most looks the search needs if no page it meets is kept:
		 * the wait list one longer than the batch (a cheap page ends
		 * it sooner; each page kept makes the next announcement
		 * shorter, so frames are never read ahead beyond this). */
		policy_looks_expect(&m->looks, batch + 1 - g->waiting);
		after = g->links.younger[frame];
		v = sort_page(m, env, frame, idx);
		stepped(s);
		if (v == STOP)
			return g->waiting ? take_waiting(m, s) : POLICY_NIL;
		if (v == VICTIM)
			mglru_gens_take_out(g, frame);
		mglru_gens_met(g, after, v == WAIT);
		if (v == VICTIM)
			return frame;
	}
	return take_waiting(m, s);
}

static uint32_t mg_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			   uint32_t max)
{
	struct mglru *m = mg_of(p);
	int idx = mglru_tiers_evictable(&m->tiers);
	struct search s = { 0, 0 };
	uint32_t n = 0;

	mglru_gens_check_not_waiting(&m->g);	/* an isolate from inside one */

	policy_looks_begin(&m->looks, env, m->nframes);
	while (n < max) {
		uint32_t frame = one_victim(m, env, idx, max - n, &s);

		if (frame == POLICY_NIL)
			break;
		victims[n++] = frame;
	}
	mglru_gens_unwait(&m->g);	/* pages still waiting: the oldest, where they lie */
	return n;
}

/* ---- the rest of the interface ---- */

/* A page's uses as it joins: a recent refault starts at the top tier
 * (Linux's PG_workingset), any other page with none. */
static inline void mg_set_history(uint8_t *refs, uint8_t *workingset, uint32_t frame, int recent)
{
	refs[frame] = recent ? MAX_REFS : 0;
	workingset[frame] = (uint8_t)recent;
}

/* Whether frame may join (it is one, and untracked) and, if so, its first
 * use counted as a reference if recent: the step every insert takes, the
 * arrays passed in so that a run keeps them in registers. */
static inline int mg_first_use(uint8_t *refs, uint8_t *workingset, const uint8_t *gen_of,
			       uint32_t nframes, uint32_t frame, int recent)
{
	if (frame >= nframes || gen_of[frame] != MGLRU_NONE)
		return 0;
	mg_set_history(refs, workingset, frame, recent);
	return 1;
}

/* Whether a refault is recent: evicted fewer than MAX_NR_GENS generations ago. */
static int mg_recent(const struct mglru *m, uint32_t shadow)
{
	return shadow && shadow_distance(m->g.max_seq, shadow_value(shadow)) < MAX_NR_GENS;
}

/* Where a page joins, and its refault counted against its tier. */
static uint32_t mg_join_seq(struct mglru *m, uint32_t shadow, int recent)
{
	if (!recent)
		return m->g.max_seq - 1;
	m->tiers.refaulted[shadow_kind(shadow) % MGLRU_TIERS]++;
	return m->g.max_seq;
}

/* A recent refault counts against its tier, comes in at the top tier and
 * joins the youngest generation (a page in use, as Linux activates a
 * workingset refault). Any other page joins the second youngest: its fault
 * is not a use (the classic insertion rule), so it goes where Linux puts a
 * page it adds outside a fault, and the next aging promotes it if it is
 * used. */
static void mg_join(struct mglru *m, uint32_t frame, uint32_t shadow, int recent)
{
	if (mg_first_use(m->refs, m->workingset, m->g.gen_of, m->nframes, frame, recent))
		mglru_gens_put(&m->g, mg_join_seq(m, shadow, recent), frame);
}

static void mg_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct mglru *m = mg_of(p);

	mglru_gens_check_not_waiting(&m->g);
	mg_join(m, frame, shadow, mg_recent(m, shadow));
}

/* mg_insert(frames[k], 0) for each: never seen, so one generation for all,
 * joined as one run (mglru_gens_run) with the arrays in registers: each
 * byte stored may alias anything, so a frame-by-frame insert loaded every
 * array and the queue again (measured: ~37 -> ~24 instructions a frame;
 * first touch 1,101 -> 1,091 a page). */
static void mg_insert_run(struct policy *p, const uint32_t *frames, uint32_t n)
{
	struct mglru *m = mg_of(p);
	uint8_t *refs = m->refs, *workingset = m->workingset;
	const uint32_t nframes = m->nframes;
	struct mglru_gens_run run;

	mglru_gens_check_not_waiting(&m->g);
	run = mglru_gens_run_begin(&m->g, m->g.max_seq - 1);
	/* A frame named twice is tracked the second time: skipped, as insert
	 * skips it. frame is read once: the byte stores may alias frames[]
	 * (read again for the put, ~4 instructions a frame more). */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t frame = frames[k];

		if (mg_first_use(refs, workingset, run.gen_of, nframes, frame, 0))
			mglru_gens_run_put(&run, frame);
	}
	mglru_gens_run_end(&run);
}

static void mg_remove(struct policy *p, uint32_t frame)
{
	struct mglru *m = mg_of(p);

	mglru_gens_check_not_waiting(&m->g);
	if (frame >= m->nframes || m->g.gen_of[frame] == MGLRU_NONE)
		return;
	mglru_gens_take_out(&m->g, frame);
}

/* The page's history, given to a frame already taken in as new: its
 * counts set as insert sets them and, if an aging came between (it is not
 * in the generation insert would choose now), moved; its place within the
 * generation stays its allocation's, a moment earlier. One step instead of
 * remove and insert (~117 instructions a page read back). A frame not
 * tracked is inserted. */
static void mg_refaulted(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct mglru *m = mg_of(p);
	int recent = mg_recent(m, shadow);
	uint32_t seq;

	mglru_gens_check_not_waiting(&m->g);
	if (frame >= m->nframes)
		return;
	if (m->g.gen_of[frame] == MGLRU_NONE) {
		mg_join(m, frame, shadow, recent);
		return;
	}
	mg_set_history(m->refs, m->workingset, frame, recent);
	seq = mg_join_seq(m, shadow, recent);
	if (mglru_gens_queue_of(&m->g, frame) != seq % MAX_NR_GENS)
		mglru_gens_move_to(&m->g, seq, frame);
}

/* The shadow: the tier the page was evicted from and min_seq then. */
static uint32_t mg_evicted(struct policy *p, uint32_t frame)
{
	struct mglru *m = mg_of(p);
	uint32_t tier;

	if (frame >= m->nframes)
		return 0;
	tier = m->left_tier[frame] % MGLRU_TIERS;
	m->tiers.evicted[tier]++;
	return shadow_make(tier, m->g.min_seq);
}

/* Not evicted after all: one generation up from the oldest. */
static void mg_put_back(struct policy *p, uint32_t frame)
{
	struct mglru *m = mg_of(p);

	mglru_gens_check_not_waiting(&m->g);
	if (frame >= m->nframes || m->g.gen_of[frame] != MGLRU_NONE)
		return;
	mglru_gens_put(&m->g, m->g.min_seq + 1, frame);
}

static uint32_t mg_tracked(const struct policy *p)
{
	return mglru_gens_tracked(&((const struct mglru *)p)->g);
}

const struct policy_ops policy_mglru_ops = {
	.name = "mglru",
	.summary = "multi-gen LRU as in Linux: generations aged by accessed bits, refault "
		   "tiers protected by a feedback loop",
	/* The fault is not a use: a new page joins the second youngest
	 * generation, unreferenced. */
	.reads_bits = 1,
	.fault_counts = 0,
	.create = mg_create,
	.destroy = mg_destroy,
	.insert = mg_insert,
	.insert_run = mg_insert_run,
	.refaulted = mg_refaulted,
	.remove = mg_remove,
	.isolate = mg_isolate,
	.evicted = mg_evicted,
	.put_back = mg_put_back,
	.tracked = mg_tracked,
};
