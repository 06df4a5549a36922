/*
 * The policies' toolkit (toolkit.c): frame queues threaded through
 * per-frame arrays, the per-call look limit, shadow words. Beneath the
 * policies that use it and policy.c's table of them, which it never calls.
 */
#ifndef PAGER_POLICY_TOOLKIT_H
#define PAGER_POLICY_TOOLKIT_H

#include <stddef.h>
#include <stdint.h>
#include "reclaim/policy/policy.h"

#define POLICY_NIL UINT32_MAX

/*
 * Queues of frames threaded through two per-frame arrays, so that taking a
 * frame out of the middle costs O(1). A frame is on at most one queue of the
 * links it belongs to; which one is the policy's to remember.
 */
struct frame_links {
	uint32_t *older;	/* [nframes]: the next frame towards the old end */
	uint32_t *younger;	/* [nframes]: towards the young end */
};

struct frame_queue {
	uint32_t young, old;	/* the ends, POLICY_NIL when empty */
	uint32_t len;
};

/* 0, or -1 if memory runs out (frame_links_free is then still safe). */
int frame_links_alloc(struct frame_links *l, uint32_t nframes);
void frame_links_free(struct frame_links *l);

static inline void fq_init(struct frame_queue *q)
{
	q->young = q->old = POLICY_NIL;
	q->len = 0;
}

/* A run of frames joining q at its young end, in order, as fq_push_young
 * would push them one by one: begin, push each (on no queue), end. The
 * queue's young end and the link arrays stay in the run (in registers)
 * until the end, and the youngest frame's NIL link is written once there,
 * where a push of each would load them again after every store (a store
 * through a pointer may alias them). */
struct fq_run {
	uint32_t *older, *younger;
	struct frame_queue *q;
	uint32_t young, n;
};

static inline struct fq_run fq_run_begin(struct frame_links *l, struct frame_queue *q)
{
	return (struct fq_run){ l->older, l->younger, q, q->young, 0 };
}

/* f's younger link is written by the next push, or by the end. */
static inline void fq_run_push(struct fq_run *r, uint32_t f)
{
	r->older[f] = r->young;
	if (r->young == POLICY_NIL)
		r->q->old = f;
	else
		r->younger[r->young] = f;
	r->young = f;
	r->n++;
}

static inline void fq_run_end(struct fq_run *r)
{
	if (r->n == 0)
		return;
	r->younger[r->young] = POLICY_NIL;
	r->q->young = r->young;
	r->q->len += r->n;
}

/* A run of one. */
static inline void fq_push_young(struct frame_links *l, struct frame_queue *q, uint32_t f)
{
	struct fq_run r = fq_run_begin(l, q);

	fq_run_push(&r, f);
	fq_run_end(&r);
}

static inline void fq_push_old(struct frame_links *l, struct frame_queue *q, uint32_t f)
{
	l->older[f] = POLICY_NIL;
	l->younger[f] = q->old;
	if (q->old == POLICY_NIL)
		q->young = f;
	else
		l->older[q->old] = f;
	q->old = f;
	q->len++;
}

static inline void fq_unlink(struct frame_links *l, struct frame_queue *q, uint32_t f)
{
	uint32_t older = l->older[f], younger = l->younger[f];

	if (younger == POLICY_NIL)
		q->young = older;
	else
		l->older[younger] = older;
	if (older == POLICY_NIL)
		q->old = younger;
	else
		l->younger[older] = younger;
	q->len--;
}

/*
 * Two looks per frame per isolate call, and env->max_looks in all, for
 * policies whose frames may come round again within one call (a referenced
 * frame moved to a list the same call still walks). stamp[f] holds the call
 * that last looked at f and how many times it did.
 */
#define POLICY_LOOK_AHEAD 32	/* frames announced to env->will_look at once */

struct policy_looks {
	uint32_t call;		/* this isolate call's number, from 1 */
	uint32_t budget;	/* looks left in this call (env->max_looks) */
	uint32_t *stamp;	/* [nframes]: call << 2 | looks and passes in that call */
	/* Optional (NULL: nothing is announced): the links the policy's looks
	 * walk, towards the young end. policy_look then announces the frames
	 * after the one it looks at (env->will_look), a batch at a time. */
	const struct frame_links *order;
	uint32_t ahead[POLICY_LOOK_AHEAD];	/* the batch announced last */
	uint32_t ahead_n, ahead_at;	/* its length; the next one expected */
	uint32_t expect;	/* a batch's most (policy_looks_expect) */
	/* Optional (NULL: the walk looks at every frame it meets): whether
	 * the walk under way passes over frame f without a look, called with
	 * walker; such frames are not announced, since a frame read ahead and
	 * never asked is read for nothing. The frame being looked at is
	 * announced whatever this says (it is asked now). */
	int (*passes_over)(const void *walker, uint32_t f);
	const void *walker;
};

/* 0, or -1 if memory runs out. */
int policy_looks_alloc(struct policy_looks *pl, uint32_t nframes);
void policy_looks_free(struct policy_looks *pl);
/* Start an isolate call with env's look budget. */
void policy_looks_begin(struct policy_looks *pl, const struct policy_env *env, uint32_t nframes);

/* 1 if f may be looked at once more in this call (and the budget allows). */
static inline int policy_may_look(const struct policy_looks *pl, uint32_t f)
{
	uint32_t s = pl->stamp[f];

	if (pl->budget == 0)
		return 0;
	return (s >> 2) != pl->call || (s & 3) < 2;
}

/* Looks this call may still make (UINT32_MAX: no limit). */
static inline uint32_t policy_looks_left(const struct policy_looks *pl)
{
	return pl->budget;
}

/* f met and kept without a look (a policy that decides some frames'
 * fate before reading their bits): it counts towards f's two per call, as
 * a look would, so that isolate meets no frame more than twice a call
 * (its rule above, which test_policy.c's sim_isolate holds every policy
 * to; a walk that kept frames without counting them could end all the
 * same, but meeting them more often). It spends none of the budget and
 * announces nothing; but mglru's eviction asks policy_may_look before it
 * knows that a frame will only be passed, so at budget 0 a call stops
 * even if the next frame needed only a pass. */
static inline void policy_pass(struct policy_looks *pl, uint32_t f)
{
	uint32_t s = pl->stamp[f];

	pl->stamp[f] = (s >> 2) == pl->call ? s + 1 : pl->call << 2 | 1;
}

/* How many times this call has looked at f (or passed it). */
static inline uint32_t policy_looked(const struct policy_looks *pl, uint32_t f)
{
	uint32_t s = pl->stamp[f];

	return (s >> 2) == pl->call ? (s & 3) : 0;
}

/* The walk under way expects about n more looks (0 or more than a batch:
 * a whole batch, as every call starts): the next batch announced is no
 * longer, since a frame announced and never asked is read for nothing. */
static inline void policy_looks_expect(struct policy_looks *pl, uint32_t n)
{
	pl->expect = n == 0 || n > POLICY_LOOK_AHEAD ? POLICY_LOOK_AHEAD : n;
}

/* f is about to be looked at and the last batch did not announce it next:
 * announce f and the frames after it in pl->order (env->will_look). */
void policy_announce(struct policy_looks *pl, const struct policy_env *env, uint32_t f);

/* Look at f (policy_may_look said yes): 1 if it was referenced. The
 * common step, f next in the batch announced last, is inline. */
static inline int policy_look(struct policy_looks *pl, const struct policy_env *env, uint32_t f)
{
	policy_pass(pl, f);
	pl->budget--;
	if (pl->ahead_at < pl->ahead_n && pl->ahead[pl->ahead_at] == f)
		pl->ahead_at++;
	else if (pl->order && env->will_look)
		policy_announce(pl, env, f);
	return env->referenced(env->ctx, f);
}

/* env->cheap(f), 0 without one. */
static inline int policy_cheap(const struct policy_env *env, uint32_t f)
{
	return env->cheap ? env->cheap(env->ctx, f) : 0;
}

/*
 * Shadow words. Bit 31 is always set, so a shadow is never 0 ("nothing");
 * bits 28..30 are a kind (which list the page left, the policy's own
 * numbering) and bits 0..27 a value, usually a per-list eviction counter
 * taken when the page left: "still in the ghost list" is then "fewer than
 * |ghost| evictions from that list since", the counters' difference (Linux's
 * refault distance, mm/workingset.c). 2^28 evictions pass before a counter
 * comes round, far more than a bounded table keeps a shadow for.
 */
#define SHADOW_VALUE_BITS 28
#define SHADOW_VALUE_MASK ((1u << SHADOW_VALUE_BITS) - 1)

static inline uint32_t shadow_make(uint32_t kind, uint32_t value)
{
	return 1u << 31 | (kind & 7) << SHADOW_VALUE_BITS | (value & SHADOW_VALUE_MASK);
}

static inline uint32_t shadow_kind(uint32_t shadow)
{
	return shadow >> SHADOW_VALUE_BITS & 7;
}

static inline uint32_t shadow_value(uint32_t shadow)
{
	return shadow & SHADOW_VALUE_MASK;
}

/* How far a counter now stands past then, both taken modulo 2^28. */
static inline uint32_t shadow_distance(uint32_t now, uint32_t then)
{
	return (now - then) & SHADOW_VALUE_MASK;
}

#endif
