/*
 * lru2: Linux's active and inactive lists (the rule for mapped pages is
 * page_check_references() in Linux's mm/vmscan.c). New pages start inactive;
 * victims come from the inactive tail; a page that shows it is used is
 * promoted to the active list, and the active list ages back into the
 * inactive one.
 *
 * Promotion takes two references, seen on two different looks. The kernel
 * maps every page with its accessed bit already set (PTE_A in perm_bits,
 * arch/riscv/mmu.c), so the first look at a page just faulted in always says
 * "referenced", whether or not the program used it again: that look shows
 * only the fault. Promoting on it moved every new page to the active list,
 * pages used once (a scan) with the rest, and the active list then aged the
 * working set out to make room for them. Linux has the same problem ("all
 * mapped pages start out with page table references from the instantiating
 * fault, so we need to look twice") and the same answer, PG_referenced: a
 * per-page "referenced once" mark, here once (lru2_trips.h). At the
 * inactive tail:
 *
 *   referenced, once clear  set once; the frame gets another trip through
 *                           the inactive list (back to its head)
 *   referenced, once set    promoted to the active head; once cleared
 *   not referenced          once cleared; the victim if it is evictable,
 *                           set aside for the call (parked) if not
 *
 * On the active list, aged from its tail whenever less than a third of the
 * frames are inactive: referenced, another round on the active list; not
 * referenced, back to the inactive head with once clear, so it must again be
 * referenced twice to come back. once is cleared on insert (a new page, or a
 * victim put back) and on remove. (Linux leaves the mark set on pages it
 * activates, so that one demoted but still used comes back on a single
 * reference; here a demoted page starts again from scratch, as the mark's
 * only job is to tell the fault's reference from a real one.)
 *
 * A page used only at its fault goes after one trip through the inactive
 * list; a page used steadily is referenced on two looks in a row and stays.
 *
 * Refaults (Linux's mm/workingset.c): a counter, the non-resident age, goes
 * up by one at every eviction and every promotion; an evicted page's shadow
 * holds its value then. When the page is faulted back, the counter's advance
 * since (the refault distance) is how many more inactive slots it would have
 * needed to stay: had the active list given up that many, it would not have
 * faulted. So a refault whose distance is below the active list's length goes
 * straight to the active list; any other starts inactive like a new page.
 *
 * The trip must take time (lru2_trips.c says why): a marked page found
 * unreferenced after a short second trip, in program time (env->now, pages
 * brought in), is passed over, still marked, and sent round again. Only a
 * call with a look limit (background reclaim while memory is not yet short,
 * which can wait) passes such pages over; a call with none (a fault waits,
 * or memory is short) judges them as before, so it always finds its
 * victims, and pagesim (a fault waits at every miss) sees lru2 unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/lru2_trips.h"
#include "reclaim/policy/toolkit.h"

/*
 * Keep at least a third of the tracked frames inactive: the inactive list is
 * low when inactive * 2 < active. Linux's inactive_is_low() computes the same
 * with a ratio of 1 below 1 GiB and sqrt(10 * GiB) above; 2 sits between. The
 * inactive list is where a page has to prove itself by being referenced again
 * before it reaches the tail: a third of memory gives it a fair time to, and
 * leaves two thirds to the working set on the active list.
 */
static const uint64_t inactive_ratio = 2;

/*
 * Which list a frame is on. PARKED and ROTATED hold inactive frames set aside
 * for one isolate call only, so that the call does not look at them again;
 * they return to the inactive head when the call ends (ROTATED ones nearest
 * the head: they were just referenced). PARKED: not referenced, but may not
 * be evicted now. ROTATED: referenced for the first time, sent round the
 * inactive list once more. Going straight to the inactive head, a rotated
 * frame would meet the tail walk again in the same call once the older
 * frames are gone: setting it aside keeps the bound of two looks per frame
 * per call without a budget for the inactive list.
 */
enum { ON_NONE, ON_INACTIVE, ON_ACTIVE, ON_PARKED, ON_ROTATED, NLISTS };

struct lru2 {
	uint32_t nframes;
	struct frame_links links;
	/* [ON_NONE] stays empty. A list's head is its young end, where frames
	 * arrive; its tail the old end, where they are taken from. */
	struct frame_queue lists[NLISTS];
	uint8_t *on;		/* [nframes]: ON_* */
	struct lru2_trips trips;	/* the once marks and their trips */
	uint32_t age;		/* evictions + promotions (the non-resident age) */
};

static struct lru2 *lru2_of(struct policy *p)
{
	return (struct lru2 *)p;
}

static const struct lru2 *lru2_of_const(const struct policy *p)
{
	return (const struct lru2 *)p;
}

static void lru2_destroy(struct policy *p)
{
	struct lru2 *l = lru2_of(p);

	if (!l)
		return;
	frame_links_free(&l->links);
	free(l->on);
	lru2_trips_free(&l->trips);
	free(l);
}

static struct policy *lru2_create(uint32_t nframes, uint64_t seed)
{
	struct lru2 *l = calloc(1, sizeof(*l));

	(void)seed;	/* lru2 is deterministic: nothing to seed */
	if (!l)
		return NULL;
	l->nframes = nframes;
	for (int i = 0; i < NLISTS; i++)
		fq_init(&l->lists[i]);
	/* One extra element, so nframes == 0 still allocates. */
	l->on = calloc((size_t)nframes + 1, sizeof(*l->on));
	if (frame_links_alloc(&l->links, nframes) || !l->on ||
	    lru2_trips_alloc(&l->trips, nframes)) {
		lru2_destroy((struct policy *)l);
		return NULL;
	}
	return (struct policy *)l;
}

static void push_head(struct lru2 *l, int id, uint32_t frame)
{
	fq_push_young(&l->links, &l->lists[id], frame);
	l->on[frame] = (uint8_t)id;
}

static void unlink_frame(struct lru2 *l, uint32_t frame)
{
	fq_unlink(&l->links, &l->lists[l->on[frame]], frame);
	l->on[frame] = ON_NONE;
}

static void move_to_head(struct lru2 *l, int id, uint32_t frame)
{
	unlink_frame(l, frame);
	push_head(l, id, frame);
}

static uint32_t len_of(const struct lru2 *l, int id)
{
	return l->lists[id].len;
}

/* The non-resident age moves on: one more eviction or promotion. */
static void age_nonresident(struct lru2 *l)
{
	l->age = (l->age + 1) & SHADOW_VALUE_MASK;
}

/* A refault whose distance is below the active list's length. */
static int refault_is_active(const struct lru2 *l, uint32_t shadow)
{
	return shadow && shadow_distance(l->age, shadow_value(shadow)) < len_of(l, ON_ACTIVE);
}

static void lru2_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct lru2 *l = lru2_of(p);

	if (frame >= l->nframes || l->on[frame] != ON_NONE)
		return;
	lru2_unmark(&l->trips, frame);
	if (refault_is_active(l, shadow)) {
		age_nonresident(l);	/* a promotion, as Linux counts it */
		push_head(l, ON_ACTIVE, frame);
		return;
	}
	push_head(l, ON_INACTIVE, frame);
}

/* Only inactive pages are evicted; the counter first, as in Linux, so a page
 * faulted back at once has distance 0. */
static uint32_t lru2_evicted(struct policy *p, uint32_t frame)
{
	struct lru2 *l = lru2_of(p);

	(void)frame;
	age_nonresident(l);
	return shadow_make(0, l->age);
}

static void lru2_remove(struct policy *p, uint32_t frame)
{
	struct lru2 *l = lru2_of(p);

	if (frame >= l->nframes || l->on[frame] == ON_NONE)
		return;
	unlink_frame(l, frame);
	lru2_unmark(&l->trips, frame);
}

static uint32_t inactive_len(const struct lru2 *l)
{
	return len_of(l, ON_INACTIVE) + len_of(l, ON_PARKED) + len_of(l, ON_ROTATED);
}

/*
 * Parked and rotated frames are inactive ones, only set aside for this call,
 * and count as inactive. Demote also when the inactive list has nothing left
 * to look at and nothing was rotated, or frames that are not evictable now
 * would hide idle active frames from a call. Rotated frames do not count as
 * nothing left: a call that meets only pages fresh from their fault ends with
 * fewer victims (even none) rather than age the active list beyond the
 * third, and the next call finds the rotated pages not used since.
 */
static int needs_demotion(const struct lru2 *l)
{
	uint64_t inactive = inactive_len(l);

	if (len_of(l, ON_INACTIVE) == 0 && len_of(l, ON_ROTATED) == 0)
		return 1;
	return inactive * inactive_ratio < len_of(l, ON_ACTIVE);
}

/*
 * Age the active list from its tail: a frame referenced since the last look
 * gets another round on the active list (the look cleared its bit), one that
 * was not goes to the inactive head; each costs one of *looks. *budget is
 * the number of frames the active list held when the call began: moved
 * frames go to a head, so the tail walk sees each of those frames once and
 * never one promoted by this same call, which is what bounds a call to two
 * looks per frame.
 */
static void demote(struct lru2 *l, const struct policy_env *env, uint32_t *budget,
		   uint32_t *looks)
{
	while (*budget > 0 && *looks > 0 && len_of(l, ON_ACTIVE) > 0 && needs_demotion(l)) {
		uint32_t frame = l->lists[ON_ACTIVE].old;

		(*budget)--;
		(*looks)--;
		if (env->referenced(env->ctx, frame)) {
			move_to_head(l, ON_ACTIVE, frame);
		} else {
			lru2_unmark(&l->trips, frame);	/* must prove itself twice again */
			move_to_head(l, ON_INACTIVE, frame);
		}
	}
}

static void unpark(struct lru2 *l)
{
	while (len_of(l, ON_PARKED) > 0)
		move_to_head(l, ON_INACTIVE, l->lists[ON_PARKED].old);
	while (len_of(l, ON_ROTATED) > 0)
		move_to_head(l, ON_INACTIVE, l->lists[ON_ROTATED].old);
}

/* The inactive tail frame, looked at: promoted, marked, passed over (all
 * three set aside or moved for the rest of the call), parked, or taken (1).
 * A short trip counts only in a call with a look limit (see the top). */
static int judge_tail(struct lru2 *l, const struct policy_env *env, uint32_t frame)
{
	if (env->referenced(env->ctx, frame)) {
		if (lru2_marked(&l->trips, frame)) {	/* the second time: active */
			lru2_unmark(&l->trips, frame);
			age_nonresident(l);
			move_to_head(l, ON_ACTIVE, frame);
		} else {			/* the first: one more trip */
			lru2_mark(&l->trips, frame, env->now);
			move_to_head(l, ON_ROTATED, frame);
		}
		return 0;
	}
	if (env->max_looks && lru2_trip_short(&l->trips, frame, env->now, inactive_len(l))) {
		move_to_head(l, ON_ROTATED, frame);	/* no time to be used yet */
		return 0;
	}
	lru2_unmark(&l->trips, frame);
	if (!env->evictable(env->ctx, frame)) {
		move_to_head(l, ON_PARKED, frame);
		return 0;
	}
	unlink_frame(l, frame);
	return 1;
}

/* Every step takes a frame off the inactive list for the rest of the call
 * (promoted, rotated, passed over, parked or a victim), and only demote()
 * adds to it, within its budget: the loop ends. An inactive frame is looked
 * at once, an active one at most twice (aged, then at the inactive tail). A
 * call may find nothing when every frame was referenced or on a short trip;
 * bits are clear then, so the next call finds the ones not used since. */
static uint32_t lru2_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	struct lru2 *l = lru2_of(p);
	uint32_t budget = len_of(l, ON_ACTIVE);
	uint32_t looks = env->max_looks ? env->max_looks : UINT32_MAX;
	uint32_t n = 0;

	while (n < max) {
		uint32_t frame;

		demote(l, env, &budget, &looks);
		if (len_of(l, ON_INACTIVE) == 0 || looks == 0)
			break;
		looks--;
		frame = l->lists[ON_INACTIVE].old;
		if (judge_tail(l, env, frame))
			victims[n++] = frame;
	}
	unpark(l);
	return n;
}

static uint32_t lru2_tracked(const struct policy *p)
{
	const struct lru2 *l = lru2_of_const(p);

	return inactive_len(l) + len_of(l, ON_ACTIVE);
}

const struct policy_ops policy_lru2_ops = {
	.name = "lru2",
	.summary = "two lists as in Linux: pages referenced twice (or refaulting soon) active, "
		   "idle ones aged out",
	/* The pager's rule: the fault's reference is in the bit, and the once
	 * mark discounts it (Linux maps pages young and looks twice). */
	.reads_bits = 1,
	.fault_counts = 1,
	.create = lru2_create,
	.destroy = lru2_destroy,
	.insert = lru2_insert,
	.remove = lru2_remove,
	.isolate = lru2_isolate,
	.evicted = lru2_evicted,
	.tracked = lru2_tracked,
};
