/*
 * A model of the pager around a replacement policy, shared by the policy
 * tests (test_policy.c, test_policy_rand.c): frames holding pages, their
 * accessed bits, what the policy should be tracking, and each call checked
 * against policy.h's contract as it is made.
 */
#ifndef TESTS_HOST_POLICY_SIM_H
#define TESTS_HOST_POLICY_SIM_H

#include <stddef.h>
#include <stdint.h>
#include "reclaim/policy/policy.h"

#define MAX_FRAMES 64
#define MAX_EVICTED 512
#define NO_PAGE 0		/* pages are numbered from 1 */
#define NO_FRAME UINT32_MAX

/*
 * A model of the pager around a policy: frames holding pages, an accessed bit
 * per frame that every reference sets (the faulting reference only if the
 * insertion rule says it counts), and on a miss with no free frame,
 * isolate(max = 1), the victim's shadow kept in a shadow table under its
 * page, and the new page loaded into the victim's frame with its own shadow.
 */
struct sim {
	const struct policy_ops *ops;
	struct policy *p;
	struct shadow_table *shadows;
	int fault_bit;			/* -1: the policy's rule; 0 or 1 forced */
	uint32_t remembered;		/* faults that found their page's shadow */
	uint32_t nframes;
	uint32_t page[MAX_FRAMES];	/* the page a frame holds, or NO_PAGE */
	uint8_t tracked[MAX_FRAMES];	/* what the policy should be tracking */
	uint8_t accessed[MAX_FRAMES];
	uint8_t pinned[MAX_FRAMES];	/* not evictable */
	uint8_t costly[MAX_FRAMES];	/* not cheap to drop (env->cheap, if offered) */
	uint8_t offer_cheap;		/* pass env->cheap */
	uint8_t offer_will_look;	/* pass env->will_look */
	uint8_t announced[MAX_FRAMES];	/* will_look named it, not looked at since */
	uint8_t unannounced_ok;		/* with will_look, a look need not come
					 * announced (policy.h asks none to) */
	uint32_t will_look_calls;
	uint8_t sticky;			/* every frame reads as referenced, always */
	uint64_t *coin;			/* non-NULL: each look reads a draw of this
					 * xorshift64 state, not the bit (the
					 * program runs on another hart) */
	uint32_t max_looks;		/* passed in env (0: no limit) */
	uint64_t now;			/* env->now: pages brought in (faults) */
	uint32_t ref_looks[MAX_FRAMES];	/* env->referenced calls, this isolate */
	uint32_t evict_looks[MAX_FRAMES];	/* env->evictable calls, this isolate */
	uint32_t ref_calls;		/* env->referenced calls, ever */
	uint32_t faults;
	uint32_t evicted[MAX_EVICTED];	/* pages, in eviction order */
	uint32_t nevicted;
	uint32_t shadowed;		/* evictions evicted() gave a shadow word */
	uint8_t fresh[MAX_FRAMES];	/* came in with no shadow, not referenced since */
	uint32_t fresh_evicted, fresh_shadowed;	/* evictions of fresh pages; with a word */
};

/* The env callbacks sim_isolate passes (a test may build its own env). */
int sim_referenced(void *ctx, uint32_t frame);
int sim_evictable(void *ctx, uint32_t frame);

/* A policy of that name on nframes frames, seeded, with a shadow table. */
void sim_start(struct sim *s, const char *policy, uint32_t nframes, uint64_t seed);
/* sim_start, and frames 0..nframes-1 hold new pages, inserted in order. */
void sim_start_filled(struct sim *s, const char *policy, uint32_t nframes);
/* mglru's wait list is empty whenever isolate has returned, so no call
 * made to it counts as a misuse (mglru_gens.h), and no ask its eviction
 * skipped would have answered otherwise (MGLRU_CHECK_QUIET): checked after
 * every run under mglru (its state read as policy_mglru.c reads it). */
void sim_end(struct sim *s);

/* The calls policy.h allows, each recorded in s->tracked. */
void sim_insert_shadow(struct sim *s, uint32_t frame, uint32_t shadow);
void sim_insert(struct sim *s, uint32_t frame);
/* A victim not evicted after all. */
void sim_put_back(struct sim *s, uint32_t frame);
/* A victim used after its isolation (a fault kept it during its write). */
void sim_kept(struct sim *s, uint32_t frame);
void sim_remove(struct sim *s, uint32_t frame);
/* One isolate call, checked against policy.h: at most max victims, each one
 * tracked and evictable, none twice, no frame looked at more than twice,
 * no more looks than s->max_looks, and the policy's count of tracked
 * frames the record's. */
uint32_t sim_isolate(struct sim *s, uint32_t *victims, uint32_t max);
/* Frames the policy should be tracking, by the record. */
uint32_t tracked_count(const struct sim *s);

/* The pager model: the frame holding page (NO_FRAME: none), a reference
 * to page (a fault if it is not in), a string of them. */
uint32_t frame_of(const struct sim *s, uint32_t page);
void sim_ref(struct sim *s, uint32_t page);
void sim_run(struct sim *s, const uint32_t *refs, size_t n);
/* The pages evicted so far are want[0..n), in that order. */
void assert_evicted(const struct sim *s, const uint32_t *want, uint32_t n);

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
