/*
 * The multi-gen LRU policy's state, shared by its files: policy_mglru.c
 * (the interface, eviction, insertion) and mglru_aging.c (aging). Only
 * they include this (and test_policy.c, which reads misuses and the
 * quiet checks).
 */
#ifndef PAGER_RECLAIM_MGLRU_H
#define PAGER_RECLAIM_MGLRU_H

#include <stdint.h>
#include "reclaim/policy/mglru_gens.h"
#include "reclaim/policy/mglru_tiers.h"
#include "reclaim/policy/toolkit.h"

#define MAX_NR_GENS MGLRU_MAX_GENS
#define MIN_NR_GENS MGLRU_MIN_GENS
#define MAX_REFS 4		/* PG_referenced, then LRU_REFS_WIDTH 2: 3 more */

struct mglru {
	uint32_t nframes;
	struct mglru_gens g;	/* the generations and the cheap wait list */
	uint8_t *refs;		/* [nframes]: looks that found it referenced, <= MAX_REFS */
	uint8_t *workingset;	/* [nframes]: refaulted recently */
	uint8_t *left_tier;	/* [nframes]: an isolated frame's tier */
	struct mglru_tiers tiers;	/* the refault tiers' counts */
	struct policy_looks looks;
#ifdef MGLRU_CHECK_QUIET
	/* Host tests only: asks eviction skipped (mglru_quiet_steps), and
	 * those where asking would have closed a generation or not found
	 * mglru_maybe_age's 0 (mglru_quiet_holds). */
	uint32_t quiet_checked, quiet_wrong;
#endif
};

/* A page found referenced (by aging or by eviction's look-around): one
 * more use, and the youngest generation. */
static inline void mglru_promote(struct mglru *m, uint32_t frame)
{
	m->refs[frame] += m->refs[frame] < MAX_REFS;
	mglru_gens_move_to(&m->g, m->g.max_seq, frame);
}

/* Aging if due: 1 if it opened a generation, 0 if eviction goes on
 * without, -1 if the call must stop; *agings counts the call's agings. */
int mglru_maybe_age(struct mglru *m, const struct policy_env *env, uint32_t *agings);
/* After mglru_maybe_age returned 0: eviction steps (a frame met, or a
 * waiting frame taken) in which it would return 0 again and no generation
 * closes empty (mglru_aging.c). */
uint32_t mglru_quiet_steps(const struct mglru *m);
#ifdef MGLRU_CHECK_QUIET
/* Host tests only: whether asking now would change nothing: the oldest
 * generation not empty, and mglru_maybe_age (given the call's agings)
 * would return 0. */
int mglru_quiet_holds(const struct mglru *m, uint32_t agings);
#endif

#endif
