/*
 * The replacement-policy interface: what a policy is told about frames and
 * what it answers (victims, and a shadow word for each page it lets go). The
 * pager's reclaim and the trace simulator (tools/pagesim) drive the very
 * same policy files. Plain C, no kernel or pager headers: frames are named by
 * index 0 .. nframes - 1.
 *
 * A policy sees references the way the hardware shows them: through
 * accessed bits, which it may test (and so clear) with env->referenced,
 * only while it looks for victims. It never sees individual references.
 *
 * Life of a frame in a policy:
 *   insert    the frame now holds a reclaimable page; shadow is what the
 *             policy said when that page last left memory (0: nothing)
 *   isolate   the policy picks victims and stops tracking them; the caller
 *             evicts each one (evicted) or gives it back (put_back)
 *   evicted   the isolated frame's page really left memory: the policy
 *             returns a shadow word, which the caller keeps with the page
 *             (in a bounded table: it may be lost) and hands back to
 *             insert when the page is faulted in again
 *   put_back  an isolated frame was not evicted after all (its write
 *             failed, no slot was free, the queue was full); a frame freed
 *             while isolated gets neither this nor kept: its next insert
 *             starts afresh
 *   kept      an isolated frame was used after isolate let it go: the
 *             swap-out path had unmapped it for its write, and a fault
 *             mapped it back and kept it in memory. Its use came after the
 *             policy let the page go, as a refault's does (the access also
 *             set its accessed bit, for the policy's next look); a policy
 *             that wants to credit the use at once does so in kept
 *             (without one: put_back)
 *   remove    the frame stopped being a reclaimable page (freed, unmapped);
 *             a frame the policy does not track is ignored
 *
 * The small toolkit the policy files share (frame queues, the per-call
 * look limit, shadow words) is toolkit.h, beneath both this table and the
 * policies: each policy stays one file that includes only toolkit.h
 * (which includes this header).
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
	/* Optional (NULL: no frame is). 1 if dropping frame costs no I/O: a
	 * clean copy of its page is on disk or in the program file. A policy
	 * may prefer such victims among frames it holds equal (docs/policies.md
	 * says which do). */
	int (*cheap)(void *ctx, uint32_t frame);
	/* Optional. The policy will soon look at some of frames[0..n), in
	 * that order: the caller may read all their bits now in one go (one
	 * kernel call, not n) and answer referenced from what it read, until
	 * the isolate call ends. */
	void (*will_look)(void *ctx, const uint32_t *frames, uint32_t n);
	/* Program time: pages brought into memory for programs so far
	 * (faulted in, read ahead, copied; pagesim: its misses). It moves on
	 * only while programs run, unlike looks and evictions, so that a
	 * policy can tell "not used since the last look" from "no time to be
	 * used since". 0: the caller keeps none (a policy then never waits). */
	uint64_t now;
};

/* What a policy remembers of the pages it evicts (policy_history). A fresh
 * page came in with no shadow word and was not referenced since (a page a
 * program wrote once); a page referenced again may be forgotten under
 * either kind of history (S3-FIFO and 2Q forget their main queues'). */
enum policy_history {
	POLICY_NO_HISTORY,	/* nothing: evicted is NULL */
	POLICY_HISTORY_ALWAYS,	/* a shadow word for every fresh page it evicts */
	POLICY_HISTORY_SOME	/* for some fresh pages only (policy_ops.history_some) */
};

struct policy_ops {
	const char *name;	/* as in pager.policy= */
	const char *summary;	/* one line for docs and the simulator's help */
	/* 1: it reads accessed bits (env->referenced) when it chooses; 0: it
	 * never does (its order alone decides). Said to programs by
	 * PAGER_INFO; test_policy.c checks both ways. */
	int reads_bits;
	/* 1: a new page's references during its first stay do not count (2Q's
	 * A1in), so a page in use may be evicted once before its use shows
	 * (its refault does); 0: none is ignored beyond what reads_bits 0
	 * says (fifo and random read none). Said to programs by
	 * PAGER_INFO; test_policy.c checks both ways, and the guest's hot-set
	 * test bounds such a loss. */
	int first_stay_blind;
	/* 1: evicted() gives a shadow word to some fresh pages only
	 * (CLOCK-Pro: those evicted during their test), so whether a page
	 * finds one is a matter of timing; 0: to every fresh page it evicts.
	 * Whether it remembers at all is whether it has evicted
	 * (policy_history). test_policy.c checks it. */
	int history_some;
	/* The insertion rule, the policy's own. 1: the reference that faulted
	 * a page in counts as a reference (its accessed bit stays set when
	 * the page is mapped); 0: it does not (the caller clears the bit). */
	int fault_counts;
	/* Bytes per frame of history the policy keeps in its own state (ghost
	 * entries beyond its shadow words); the caller's shadow table gets the
	 * rest of the 16 (policy_shadows_per_frame). 0 for most. */
	uint32_t own_history_bytes;
	/* 1: create's seed feeds a generator that draws victims, so the seed
	 * (pager.seed) chooses them; 0: the policy never reads it (the pager
	 * says so of a pager.seed given). test_policy.c checks both ways. */
	int seeded;
	/* State for frames 0 .. nframes - 1; seed feeds any randomness so runs
	 * repeat. NULL if memory runs out. */
	struct policy *(*create)(uint32_t nframes, uint64_t seed);
	void (*destroy)(struct policy *p);
	/* frame < nframes and not tracked: track it. Tracked already: ignored.
	 * shadow != 0: the page was evicted earlier and evicted() said shadow
	 * then (a refault); 0: never seen, or its history was lost. */
	void (*insert)(struct policy *p, uint32_t frame, uint32_t shadow);
	/* insert(p, frames[k], 0) for k = 0 .. n - 1, in that order, in one
	 * call: a fault-around run's new frames. NULL: insert, frame by frame
	 * (policy_insert_run). */
	void (*insert_run)(struct policy *p, const uint32_t *frames, uint32_t n);
	/* frame, tracked since insert or insert_run took it as a page never
	 * seen, turns out to hold a page evicted earlier (shadow != 0, what
	 * evicted() said then): it takes that history, as if insert(frame,
	 * shadow) had taken it (the pager learns it when a swap read ends,
	 * after the frame was allocated). NULL: remove, then insert
	 * (policy_refaulted). */
	void (*refaulted)(struct policy *p, uint32_t frame, uint32_t shadow);
	/* Stop tracking frame (not tracked: ignored). */
	void (*remove)(struct policy *p, uint32_t frame);
	/* Up to max victims, untracked from now on, into victims[], in the
	 * order they should go; each one tracked and evictable when named,
	 * none twice. May return fewer (even 0) when the frames it tracks are
	 * referenced or not evictable, or env->max_looks ran out; but with
	 * max_looks 0, every tracked frame evictable and every look reading
	 * it unreferenced, it returns min(max, tracked) whatever earlier
	 * calls read (test_policy_rand.c checks that, and only that, of
	 * liveness). It asks referenced and evictable only of frames it
	 * tracks, and looks at (or passes over, policy_pass) each at most
	 * twice per call (at most two referenced and two evictable calls), so
	 * a call always ends. No env callback frees,
	 * removes, puts back or inserts a frame: the policy's state is
	 * mid-change until isolate returns (mglru counts such a call as a
	 * misuse, mglru_gens.h). */
	uint32_t (*isolate)(struct policy *p, const struct policy_env *env, uint32_t *victims,
			    uint32_t max);
	/* An isolated frame's page left memory: its shadow word (0: remember
	 * nothing). NULL: the policy never remembers (policy_evicted). */
	uint32_t (*evicted)(struct policy *p, uint32_t frame);
	/* An isolated frame goes back to the policy, not evicted. NULL:
	 * insert(frame, 0) (policy_put_back). */
	void (*put_back)(struct policy *p, uint32_t frame);
	/* An isolated frame goes back to the policy, not evicted because it
	 * was used after isolate let it go (a fault kept it during its
	 * write-out): a policy blind to references where the frame was (2Q's
	 * A1in) credits that use here, as it would a refault's. NULL:
	 * put_back (policy_kept), the use left to the accessed bit it set. */
	void (*kept)(struct policy *p, uint32_t frame);
	/* Frames tracked now. */
	uint32_t (*tracked)(const struct policy *p);
};

/* Every policy, in the order the docs list them; NULL-terminated. The first
 * is the default (pager.policy=, pagesim's first column). */
extern const struct policy_ops *const policy_all[];

/* The policy named name, or NULL. */
const struct policy_ops *policy_find(const char *name);
/* "clock|lru2|...": the names, for error messages. */
const char *policy_names(void);

/* History costs at most POLICY_HISTORY_BYTES per frame of RAM, whatever
 * the swap size: the caller's shadow table (entries of
 * POLICY_SHADOW_ENTRY_BYTES) and the policy's own history together. */
#define POLICY_HISTORY_BYTES 16
#define POLICY_SHADOW_ENTRY_BYTES 8
/* The shadow entries per frame the caller keeps for ops: what the budget
 * leaves after ops->own_history_bytes. */
uint32_t policy_shadows_per_frame(const struct policy_ops *ops);
/* What ops remembers of the pages it evicts: none without evicted. */
enum policy_history policy_history(const struct policy_ops *ops);

/* ops->evicted(p, frame), or 0 if the policy has none. */
uint32_t policy_evicted(const struct policy_ops *ops, struct policy *p, uint32_t frame);
/* ops->insert_run(p, frames, n), or insert(frames[k], 0) for each. */
static inline void policy_insert_run(const struct policy_ops *ops, struct policy *p,
				     const uint32_t *frames, uint32_t n)
{
	if (ops->insert_run) {
		ops->insert_run(p, frames, n);
		return;
	}
	for (uint32_t k = 0; k < n; k++)
		ops->insert(p, frames[k], 0);
}
/* ops->refaulted(p, frame, shadow), or remove and insert(frame, shadow). */
void policy_refaulted(const struct policy_ops *ops, struct policy *p, uint32_t frame,
		      uint32_t shadow);
/* ops->put_back(p, frame), or insert(frame, 0) if the policy has none. */
void policy_put_back(const struct policy_ops *ops, struct policy *p, uint32_t frame);
/* ops->kept(p, frame), or policy_put_back if the policy has none. */
void policy_kept(const struct policy_ops *ops, struct policy *p, uint32_t frame);

/* isolate, asked again (at most twice more) when a call named no victim and
 * env->max_looks set no limit: that call's looks cleared the bits it read,
 * so the next one finds the frames not referenced since (CLOCK's second
 * sweep; lru2 sends a page it meets referenced for the first time round
 * once more). It is a guess, as no time passed between the looks, which is
 * why a caller that can wait (background reclaim) limits its looks and does
 * not retry. The one way the pager's reclaim and pagesim ask for victims. */
uint32_t policy_isolate_retrying(const struct policy_ops *ops, struct policy *p,
				 const struct policy_env *env, uint32_t *victims, uint32_t max);

#endif
