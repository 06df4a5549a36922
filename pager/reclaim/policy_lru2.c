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
 * per-page "referenced once" mark, here the byte once[frame]. At the
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
 * The trip must take time. When reclaim first starts, every page is new and
 * reads as referenced: a call free to look at them all marks every one and
 * finds nothing, and a second call made at once takes the oldest, whose bits
 * the first has just cleared, with no time for the program to use them in
 * between (the working set, often the oldest pages, went first that way).
 * Background reclaim therefore looks a little at a time (env->max_looks)
 * while memory is not yet short, so a marked page reaches the tail again only
 * after the program has run.
 *
 * That is not enough on its own: once memory is short, a call with no look
 * limit still marks thousands of new pages at once, and the pages marked
 * just before reach the tail again a few faults later; background rounds
 * then evicted those the program had not come back to yet, and each fault
 * on them brought the next evictions just ahead of it (a wave through the
 * working set: docs/policies.md). So a trip is measured in program time
 * (env->now, pages brought in), not in looks: the mark notes when the trip
 * began, and a marked page found unreferenced after a short trip is passed
 * over, still marked, and sent round again. In steady state a second trip
 * takes about half the inactive list in pages brought in (each page passes
 * the tail twice, once to be marked and once to be judged); a trip of less
 * than a sixteenth of the list, an eighth of that, was mostly made of looks
 * that took no time (docs/policies.md has the shares measured). Only a call
 * with a look limit (background reclaim while memory is not yet short,
 * which can wait) passes such pages over; a call with none (a fault waits,
 * or memory is short) judges them as before, so it always finds its
 * victims, and pagesim (a fault waits at every miss) sees lru2 unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy.h"

#define NIL UINT32_MAX

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

struct lru_list {
	uint32_t head;		/* the young end: frames arrive here */
	uint32_t tail;		/* the old end: frames are taken from here */
	uint32_t len;
};

struct lru2 {
	uint32_t nframes;
	struct lru_list lists[NLISTS];	/* [ON_NONE] stays empty */
	uint32_t *next;		/* [nframes]: towards the tail */
	uint32_t *prev;		/* [nframes]: towards the head */
	uint8_t *on;		/* [nframes]: ON_* */
	uint8_t *once;		/* [nframes]: referenced on one look while inactive
				 * (Linux's PG_referenced); 0 when not tracked */
	uint32_t age;		/* evictions + promotions (the non-resident age) */
	uint32_t *marked_at;	/* [nframes]: env->now when once was set, mod 2^32 */
};

/* A second trip shorter than the inactive list over this many, in pages
 * brought in, is too short to judge a page idle (see above). */
static const uint32_t short_trip_share = 16;

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
	free(l->next);
	free(l->prev);
	free(l->on);
	free(l->once);
	free(l->marked_at);
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
		l->lists[i] = (struct lru_list){ .head = NIL, .tail = NIL, .len = 0 };
	/* One extra element each, so nframes == 0 still allocates. */
	l->next = calloc((size_t)nframes + 1, sizeof(*l->next));
	l->prev = calloc((size_t)nframes + 1, sizeof(*l->prev));
	l->on = calloc((size_t)nframes + 1, sizeof(*l->on));
	l->once = calloc((size_t)nframes + 1, sizeof(*l->once));
	l->marked_at = calloc((size_t)nframes + 1, sizeof(*l->marked_at));
	if (!l->next || !l->prev || !l->on || !l->once || !l->marked_at) {
		lru2_destroy((struct policy *)l);
		return NULL;
	}
	return (struct policy *)l;
}

static void push_head(struct lru2 *l, int id, uint32_t frame)
{
	struct lru_list *list = &l->lists[id];

	l->prev[frame] = NIL;
	l->next[frame] = list->head;
	if (list->head == NIL)
		list->tail = frame;
	else
		l->prev[list->head] = frame;
	list->head = frame;
	list->len++;
	l->on[frame] = (uint8_t)id;
}

static void unlink_frame(struct lru2 *l, uint32_t frame)
{
	struct lru_list *list = &l->lists[l->on[frame]];
	uint32_t next = l->next[frame], prev = l->prev[frame];

	if (prev == NIL)
		list->head = next;
	else
		l->next[prev] = next;
	if (next == NIL)
		list->tail = prev;
	else
		l->prev[next] = prev;
	list->len--;
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
	l->once[frame] = 0;
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
	l->once[frame] = 0;
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
		uint32_t frame = l->lists[ON_ACTIVE].tail;

		(*budget)--;
		(*looks)--;
		if (env->referenced(env->ctx, frame)) {
			move_to_head(l, ON_ACTIVE, frame);
		} else {
			l->once[frame] = 0;	/* must prove itself twice again */
			move_to_head(l, ON_INACTIVE, frame);
		}
	}
}

static void unpark(struct lru2 *l)
{
	while (len_of(l, ON_PARKED) > 0)
		move_to_head(l, ON_INACTIVE, l->lists[ON_PARKED].tail);
	while (len_of(l, ON_ROTATED) > 0)
		move_to_head(l, ON_INACTIVE, l->lists[ON_ROTATED].tail);
}

/* A marked frame unreferenced at the tail whose second trip began less
 * than a sixteenth of the inactive list ago in program time (never when the
 * caller keeps none). */
static int short_trip(const struct lru2 *l, const struct policy_env *env, uint32_t frame)
{
	return env->now && (uint32_t)env->now - l->marked_at[frame] <
			   inactive_len(l) / short_trip_share;
}

/* The inactive tail frame, looked at: promoted, marked, passed over (all
 * three set aside or moved for the rest of the call), parked, or taken (1).
 * A short trip counts only in a call with a look limit (see the top). */
static int judge_tail(struct lru2 *l, const struct policy_env *env, uint32_t frame)
{
	if (env->referenced(env->ctx, frame)) {
		if (l->once[frame]) {		/* the second time: active */
			l->once[frame] = 0;
			age_nonresident(l);
			move_to_head(l, ON_ACTIVE, frame);
		} else {			/* the first: one more trip */
			l->once[frame] = 1;
			l->marked_at[frame] = (uint32_t)env->now;
			move_to_head(l, ON_ROTATED, frame);
		}
		return 0;
	}
	if (l->once[frame] && env->max_looks && short_trip(l, env, frame)) {
		move_to_head(l, ON_ROTATED, frame);	/* no time to be used yet */
		return 0;
	}
	l->once[frame] = 0;
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
		frame = l->lists[ON_INACTIVE].tail;
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
	.history = POLICY_HISTORY_ALWAYS,
	.fault_counts = 1,
	.create = lru2_create,
	.destroy = lru2_destroy,
	.insert = lru2_insert,
	.remove = lru2_remove,
	.isolate = lru2_isolate,
	.evicted = lru2_evicted,
	.tracked = lru2_tracked,
};
