/*
 * The replacement-policy interface: what a policy is told about frames and
 * what it answers (victims). The pager's swapper and the trace simulator
 * (tools/pagesim) drive the very same policy files. Plain C, no kernel or
 * pager headers: frames are named by index 0 .. nframes - 1.
 *
 * A policy sees references the way the hardware shows them: through
 * accessed bits, which it may test (and so clear) with env->referenced.
 * It never sees individual references.
 *
 * Life of a frame in a policy:
 *   insert   the frame now holds a reclaimable page (or is put back after
 *            an isolate that did not evict it)
 *   isolate  the policy picks victims and stops tracking them; the caller
 *            evicts each one or inserts it again (put back)
 *   remove   the frame stopped being a reclaimable page (freed, unmapped);
 *            a frame the policy does not track is ignored
 */
#ifndef PAGER_POLICY_H
#define PAGER_POLICY_H

#include <stddef.h>
#include <stdint.h>

struct policy;		/* one policy's state, made by ops->create */

/* What the caller offers the policy while it looks for victims. */
struct policy_env {
	/* 1 if frame was referenced since the last call for it (the call
	 * clears the bit), 0 if not. */
	int (*referenced)(void *ctx, uint32_t frame);
	/* 1 if frame may be evicted now. A policy skips a frame that may not
	 * (it stays tracked, as if referenced: it is not a victim this time). */
	int (*evictable)(void *ctx, uint32_t frame);
	void *ctx;
	/* The most calls to referenced one isolate may make; 0: no limit but
	 * the two looks per frame. A look needs time after it: a page whose
	 * bit a look has just cleared shows nothing until the program has run
	 * again. Background reclaim looks a little at a time while memory is
	 * not yet short; a fault that waits for a frame looks as far as it
	 * must. */
	uint32_t max_looks;
};

struct policy_ops {
	const char *name;	/* as in pager.policy= */
	const char *summary;	/* one line for docs and the simulator's help */
	/* State for frames 0 .. nframes - 1; seed feeds any randomness so runs
	 * repeat. NULL if memory runs out. */
	struct policy *(*create)(uint32_t nframes, uint64_t seed);
	void (*destroy)(struct policy *p);
	/* frame < nframes and not tracked: track it. Tracked already: ignored. */
	void (*insert)(struct policy *p, uint32_t frame);
	/* Stop tracking frame (not tracked: ignored). */
	void (*remove)(struct policy *p, uint32_t frame);
	/* Up to max victims, untracked from now on, into victims[], in the
	 * order they should go. May return fewer (even 0) when the frames it
	 * tracks are referenced or not evictable, or env->max_looks ran out;
	 * a policy looks at each tracked frame at most twice per call, so a
	 * call always ends. */
	uint32_t (*isolate)(struct policy *p, const struct policy_env *env, uint32_t *victims,
			    uint32_t max);
	/* Frames tracked now. */
	uint32_t (*tracked)(const struct policy *p);
};

/* Every policy, in the order the docs list them; NULL-terminated. The first
 * is the default (clock). */
extern const struct policy_ops *const policy_all[];

/* ops->isolate, and when it found nothing with no limit on looks (a fault
 * waits), up to two more calls: that look cleared the bits it read, so
 * another finds the pages not touched since (CLOCK's second sweep; lru2
 * may need two more, as a page it meets referenced for the first time only
 * goes round the inactive list again). A guess, as no time passed between
 * the looks, which is why a call with a limit (background reclaim) never
 * makes it. The pager's reclaim and tools/pagesim both ask through it. */
uint32_t policy_isolate(const struct policy_ops *ops, struct policy *p,
			const struct policy_env *env, uint32_t *victims, uint32_t max);

/* The policy named name, or NULL. */
const struct policy_ops *policy_find(const char *name);
/* "clock|lru2|fifo|random": the names, for error messages. */
const char *policy_names(void);

#endif
