/*
 * lru2: Linux's two lists (seeds 003, 004). New pages start inactive; a page
 * referenced again while inactive is promoted to active; the active list ages
 * back into the inactive one, and victims come from the inactive tail.
 */
#include <stdint.h>
#include <stdlib.h>
#include "policy.h"

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

/* Which list a frame is on. PARKED holds, during one isolate call only,
 * inactive frames that may not be evicted now, so the call does not look at
 * them again; they return to the inactive head when the call ends. */
enum { ON_NONE, ON_INACTIVE, ON_ACTIVE, ON_PARKED, NLISTS };

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
	free(l->next);
	free(l->prev);
	free(l->on);
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
	if (!l->next || !l->prev || !l->on) {
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

static void lru2_insert(struct policy *p, uint32_t frame)
{
	struct lru2 *l = lru2_of(p);

	if (frame >= l->nframes || l->on[frame] != ON_NONE)
		return;
	push_head(l, ON_INACTIVE, frame);
}

static void lru2_remove(struct policy *p, uint32_t frame)
{
	struct lru2 *l = lru2_of(p);

	if (frame >= l->nframes || l->on[frame] == ON_NONE)
		return;
	unlink_frame(l, frame);
}

/* Parked frames are inactive ones, only set aside for this call. Demote
 * also when the inactive list has nothing left to look at, or frames that
 * are not evictable now would hide idle active frames from a call. */
static int needs_demotion(const struct lru2 *l)
{
	uint64_t inactive = (uint64_t)len_of(l, ON_INACTIVE) + len_of(l, ON_PARKED);

	if (len_of(l, ON_INACTIVE) == 0)
		return 1;
	return inactive * inactive_ratio < len_of(l, ON_ACTIVE);
}

/*
 * Age the active list from its tail: a frame referenced since the last look
 * gets another round on the active list (the look cleared its bit), one that
 * was not goes to the inactive head. *budget is the number of frames the
 * active list held when the call began: moved frames go to a head, so the
 * tail walk sees each of those frames once and never one promoted by this
 * same call, which is what bounds a call to two looks per frame.
 */
static void demote(struct lru2 *l, const struct policy_env *env, uint32_t *budget)
{
	while (*budget > 0 && len_of(l, ON_ACTIVE) > 0 && needs_demotion(l)) {
		uint32_t frame = l->lists[ON_ACTIVE].tail;

		(*budget)--;
		if (env->referenced(env->ctx, frame))
			move_to_head(l, ON_ACTIVE, frame);
		else
			move_to_head(l, ON_INACTIVE, frame);
	}
}

static void unpark(struct lru2 *l)
{
	while (len_of(l, ON_PARKED) > 0)
		move_to_head(l, ON_INACTIVE, l->lists[ON_PARKED].tail);
}

/* Every step takes a frame off the inactive list for good (promoted, parked
 * or a victim), and only demote() adds to it, within its budget: the loop
 * ends. A call may find nothing when every frame was referenced; their bits
 * are clear then, so the next call finds the ones not used since. */
static uint32_t lru2_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	struct lru2 *l = lru2_of(p);
	uint32_t budget = len_of(l, ON_ACTIVE);
	uint32_t n = 0;

	while (n < max) {
		uint32_t frame;

		demote(l, env, &budget);
		if (len_of(l, ON_INACTIVE) == 0)
			break;
		frame = l->lists[ON_INACTIVE].tail;
		if (env->referenced(env->ctx, frame)) {
			move_to_head(l, ON_ACTIVE, frame);
			continue;
		}
		if (!env->evictable(env->ctx, frame)) {
			move_to_head(l, ON_PARKED, frame);
			continue;
		}
		unlink_frame(l, frame);
		victims[n++] = frame;
	}
	unpark(l);
	return n;
}

static uint32_t lru2_tracked(const struct policy *p)
{
	const struct lru2 *l = lru2_of_const(p);

	return len_of(l, ON_INACTIVE) + len_of(l, ON_ACTIVE) + len_of(l, ON_PARKED);
}

const struct policy_ops policy_lru2_ops = {
	.name = "lru2",
	.summary = "two lists as in Linux: referenced pages promoted to active, idle ones aged out",
	.create = lru2_create,
	.destroy = lru2_destroy,
	.insert = lru2_insert,
	.remove = lru2_remove,
	.isolate = lru2_isolate,
	.tracked = lru2_tracked,
};
