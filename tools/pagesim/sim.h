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

/* The insertion rule a run uses: the policy's own (ops->fault_counts), or
 * one forced on every policy for an experiment. */
enum sim_insert_bit {
	SIM_BIT_POLICY = -1,	/* the policy's rule: what the pager does */
	SIM_BIT_CLEAR = 0,	/* a page comes in unreferenced */
	SIM_BIT_SET = 1,	/* the faulting reference sets the accessed bit */
};

/* Bounds of the experiment options below (main.c's usage says them). */
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
	/* The pager's own form of it (victims.c's UNCOUNTED_MAX): such bits
	 * noted, up to clear_note frames, and cleared together when one more
	 * comes or before a look. 0: no note. At most one of the two. */
	uint32_t clear_note;
	/* Victims the policy is asked for per look, its frames freed for
	 * the faults that follow, as the pager's reclaim takes a batch. 0 or
	 * 1: one, at each fault that finds no free frame. */
	uint32_t victims;
};

struct sim_result {
	uint64_t refs;		/* references replayed (the trace's) */
	uint64_t faults;	/* references that found their page absent */
	uint64_t writebacks;	/* dirty pages evicted */
	uint64_t remembered;	/* faults whose page's shadow was still kept */
};

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

/* ---- shared by sim.c and sim_policy.c ---- */

#define SIM_NONE UINT32_MAX	/* no frame, no page */

/* Frames beyond the number of distinct pages would never be used, and no
 * eviction happens with that many: runs use fewer so a huge -f costs
 * nothing. The counts are the same. At least 1. */
uint32_t sim_frames_needed(const struct trace *t, uint32_t frames);
/* calloc that gives an array even for n == 0. */
void *sim_calloc(size_t n, size_t size);
/* Every element SIM_NONE. */
void sim_fill_none(uint32_t *a, size_t n);

#endif
