/*
 * What a simulation is given (struct sim_params: frames, seed, insertion
 * rule, the experiments) and gives back (struct sim_result), and the array
 * helpers sim.c and sim_policy.c share; sim.h has the simulations.
 */
#ifndef PAGESIM_SIM_PARAMS_H
#define PAGESIM_SIM_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "trace.h"

/* The insertion rule a run uses: the policy's own (ops->fault_counts), or
 * one forced on every policy for an experiment. */
enum sim_insert_bit {
	SIM_BIT_POLICY = -1,	/* the policy's rule: what the pager does */
	SIM_BIT_CLEAR = 0,	/* a page comes in unreferenced */
	SIM_BIT_SET = 1,	/* the faulting reference sets the accessed bit */
};

/* Bounds of the experiment options below (args.c's usage says them). */
#define SIM_CLEAR_DELAY_MAX 1000000u
#define SIM_VICTIMS_MAX 1024u

/* How a pager policy is run. The last three are experiments; zero (what a
 * designated initializer that leaves them out gives) is the exact rule and
 * one victim per look. */
struct sim_params {
	uint32_t frames;
	uint64_t seed;		/* for the policy's create: runs repeat */
	enum sim_insert_bit insert_bit;
	/* Under a rule that does not count the fault: faults more a new page
	 * keeps the accessed bit its fault set, lost with any reference made
	 * meanwhile, as the pager's late clearing (victims.c) loses them; a
	 * look clears every such bit first. 0: the bit is clear at once. */
	uint32_t clear_delay;
	/* The pager's own form of it (pager/reclaim/uncounted.h): such bits
	 * noted, up to clear_note frames, and cleared together when one more
	 * comes or before a look. With no fault-around a frame is a fault, so
	 * this is the pager's bound in faults (UNCOUNTED_FAULTS) at
	 * faultaround=0. 0: no note. At most one of the two. */
	uint32_t clear_note;
	/* Victims the policy is asked for per look, its frames freed for
	 * the faults that follow, as the pager's reclaim takes a batch. 0 or
	 * 1: one, at each fault that finds no free frame. */
	uint32_t victims;
};

/* 0 if p's experiments are in range and may go together; else -1 and err
 * says why, naming pagesim's option. The one check: sim_policy refuses such
 * params and pagesim's arguments are checked with it. */
int sim_params_check(const struct sim_params *p, char *err, size_t errlen);

struct sim_result {
	uint64_t refs;		/* references replayed (the trace's) */
	uint64_t faults;	/* references that found their page absent */
	uint64_t writebacks;	/* dirty pages evicted */
	uint64_t remembered;	/* faults whose page's shadow was still kept */
};

/* ---- the arrays every simulation keeps ---- */

#define SIM_NONE UINT32_MAX	/* no frame, no page */

/* Frames beyond the number of distinct pages would never be used, and no
 * eviction happens with that many: runs use fewer so a huge -f costs
 * nothing. The counts are the same. At least 1. */
static inline uint32_t sim_frames_needed(const struct trace *t, uint32_t frames)
{
	uint32_t n = frames < t->npages ? frames : t->npages;

	return n ? n : 1;
}

/* calloc that gives an array even for n == 0. */
static inline void *sim_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* Every element SIM_NONE. */
static inline void sim_fill_none(uint32_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = SIM_NONE;
}

#endif
