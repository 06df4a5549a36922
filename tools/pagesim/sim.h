/*
 * pagesim's simulations: one policy over a whole trace at a fixed number of
 * frames. A pager policy is driven through policy.h exactly as the pager's
 * reclaim drives it; exact LRU and Belady's OPT are references computed here.
 */
#ifndef PAGESIM_SIM_H
#define PAGESIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "reclaim/policy/policy.h"
#include "sim_params.h"
#include "trace.h"

/* The reference policies, after the pager's in pagesim's lists. */
#define SIM_REFERENCE_NAMES "lru|opt"

/* 1 if name is a pager policy, "lru" or "opt". */
int sim_known(const char *name);

/* Replay t through the policy named name (as sim_known); lru and opt use
 * only p->frames. 0 on success; -1 with a message in err. */
int sim_run(const struct trace *t, const char *name, const struct sim_params *p,
	    struct sim_result *r, char *err, size_t errlen);

/* A pager policy. Frames have accessed and dirty bits: every reference sets
 * its frame's accessed bit (the one that faults the page in only if the
 * insertion rule says it counts), and a write sets the dirty bit. A miss
 * takes a free frame while there is one, then one the policy freed: the
 * victims policy_isolate_retrying(max = p->victims) names, the first for
 * this fault, the rest for the next (as in the pager's reclaim, a call
 * that names none is followed by up to two more); every frame is evictable,
 * so a policy that names none in three calls fails the run (-1, an error in
 * err). The victim's shadow (evicted) goes into a shadow table (the pager's,
 * pager/swap/shadow.c) under its page number, and the faulting page's, if still
 * kept, goes to insert: history exactly as bounded as in the pager. A
 * frame is cheap (env->cheap) while it is clean. */
int sim_policy(const struct trace *t, const struct policy_ops *ops, const struct sim_params *p,
	       struct sim_result *r, char *err, size_t errlen);

/* The accessed bit a page faulted in gets under rule bit: 1 or 0 (0
 * however late the clearing: the reference it lost is the fault's). */
uint8_t sim_fault_bit(const struct policy_ops *ops, enum sim_insert_bit bit);

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
