/*
 * pagesim's simulations: one policy over a whole trace at a fixed number of
 * frames. A pager policy is driven through policy.h exactly as the pager's
 * reclaim drives it; exact LRU and Belady's OPT are references computed here.
 */
#ifndef PAGESIM_SIM_H
#define PAGESIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "reclaim/policy.h"
#include "trace.h"

/* The reference policies, after the pager's in pagesim's lists. */
#define SIM_REFERENCE_NAMES "lru|opt"

/* How a pager policy is run. */
struct sim_params {
	uint32_t frames;
	uint64_t seed;		/* for the policy's create: runs repeat */
	/* 1: the reference that faults a page in sets its frame's accessed
	 * bit, as in the pager (the kernel maps pages with the A bit set);
	 * 0: a page comes in unreferenced, the rule of the classic CLOCK
	 * simulators the reference miss ratios come from. */
	int insert_referenced;
};

struct sim_result {
	uint64_t refs;		/* references replayed (the trace's) */
	uint64_t faults;	/* references that found their page absent */
	uint64_t writebacks;	/* dirty pages evicted */
};

/* 1 if name is a pager policy, "lru" or "opt". */
int sim_known(const char *name);

/* Replay t through the policy named name (as sim_known); lru and opt use
 * only p->frames. 0 on success; -1 with a message in err. */
int sim_run(const struct trace *t, const char *name, const struct sim_params *p,
	    struct sim_result *r, char *err, size_t errlen);

/* A pager policy. Frames have accessed and dirty bits: every reference sets
 * its frame's accessed bit (the one that faults the page in only if
 * p->insert_referenced), and a write sets the dirty bit. A miss takes a free
 * frame while there is one, then the one victim isolate(max = 1) names.
 * As in the pager's reclaim (policy_isolate), a call that names none is
 * followed by up to two more (the first cleared the accessed bits it looked
 * at); every frame is evictable, so a policy that names none in three calls
 * fails the run (-1, an error in err). */
int sim_policy(const struct trace *t, const struct policy_ops *ops, const struct sim_params *p,
	       struct sim_result *r, char *err, size_t errlen);

/* Exact LRU: evict the page whose last reference is oldest. */
int sim_lru(const struct trace *t, uint32_t frames, struct sim_result *r, char *err,
	    size_t errlen);

/* Belady's OPT: evict the resident page whose next reference is farthest
 * (never is farthest; among pages never used again, a clean one first). */
int sim_opt(const struct trace *t, uint32_t frames, struct sim_result *r, char *err,
	    size_t errlen);

/* faults / refs; 0 for an empty trace. */
double sim_miss_ratio(const struct sim_result *r);

#endif
