/*
 * The OOM killer's choice: which process, or group of processes sharing
 * memory, to end when memory has run out and reclaim can free nothing
 * more. Plain C with no kernel headers (host tests): the pager fills in
 * one candidate per process and acts on the answer.
 */
#ifndef PAGER_OOM_H
#define PAGER_OOM_H

#include <stddef.h>
#include <stdint.h>

enum oom_policy {
	OOM_UNSHARED,	/* score: pages only it maps, resident or swapped (what a kill frees),
			 * and its page arrays */
	OOM_RSS,	/* score: all its pages, resident or swapped, and its page
			 * arrays (Linux-like) */
	OOM_PANIC	/* choose no one: stop the machine with a report */
};

/* The adjustment given at spawn (PAGER_SPAWN w[1]): OOM_ADJ_NEVER protects a
 * process completely; otherwise adj / 1000 of all frames is added to its
 * score, so OOM_ADJ_MAX makes it the first choice. */
#define OOM_ADJ_NEVER (-1000)
#define OOM_ADJ_MAX 1000

/* What the pager knows of one process when it must choose. */
struct oom_candidate {
	uint32_t pid;
	const char *name;	/* for the report */
	int adj;		/* OOM_ADJ_NEVER .. OOM_ADJ_MAX */
	int exempt;		/* init and the drivers: never chosen */
	uint64_t alone;		/* pages only it maps (its death frees them) */
	uint64_t shared;	/* pages others map too (its death frees none) */
	uint64_t meta;		/* pages of the pager's heap its page arrays
				 * hold (its death frees them): counted under
				 * every policy, as Linux counts page tables */
};

/* The names by enum value, NULL-terminated, and as the boot argument
 * oom.policy lists them (the same order). */
extern const char *const oom_policy_names[];
#define OOM_POLICY_CHOICES "unshared|rss|panic"

/* c's score under policy over `total` frames: its pages by the policy's
 * measure and its page arrays' pages, moved by its adjustment, at least 0. */
int64_t oom_score(enum oom_policy policy, const struct oom_candidate *c, uint64_t total);

/* The index of the victim among c[0..n): the highest score among processes
 * that may be chosen (not exempt, adj above OOM_ADJ_NEVER, and killing it
 * frees something: alone > 0, or, when what ran out is the pager's heap
 * (heap_short: base/heap.h's heap_short), page arrays: meta > 0); ties go
 * to the lowest index. -1 if none may be chosen, or the policy is
 * OOM_PANIC. */
int oom_choose(enum oom_policy policy, const struct oom_candidate *c, size_t n, uint64_t total,
	       int heap_short);
/* A set of processes, a bit each by index among the candidates, and the
 * pages only they reach (from vm_spaces_sharing): what their deaths
 * together give back. */
struct oom_set {
	uint64_t who;
	uint64_t pages;
};
#define OOM_SETS_MAX 256	/* sets the killer looks at, at most */
#define OOM_GROUP_MAX 63	/* candidates groups are made of, at most */

/* What the killer ends: one process or a group (who: their bits), its
 * score, the pages only its members reach and their page arrays' pages. */
struct oom_unit {
	uint64_t who;
	int64_t score;
	uint64_t pages, meta;
};

/* The victim oom.policy chooses among c[0..n), into *u: 1, or 0 if none
 * (u->who 0). Under OOM_RSS, oom_choose's one. Under OOM_UNSHARED, the
 * best of oom_choose's one and each group: killable processes joined
 * through sets that bind them (a set binds its members when every one is
 * killable and it holds more pages than any one of them alone: a child
 * holding a mapping, a process growing into a region it shares; a process
 * with more of its own than it shares with a set, such as a forking
 * parent whose untouched pages its children reach, is not bound by it).
 * A group's pages are its members' alone and those of every set within
 * it (set sets[0..nsets)), its arrays theirs; it takes its members'
 * highest adjustment (its pages go back only when all die, so one member
 * preferred prefers them all). A group wins only with a score above the
 * single process's (one death before several). */
int oom_choose_unit(enum oom_policy policy, const struct oom_candidate *c, size_t n,
		    const struct oom_set *sets, size_t nsets, uint64_t total, int heap_short,
		    struct oom_unit *u);
/* When oom_choose finds no one: the index of the requester (the process
 * whose request ran out of memory; 0: the pager's own) if it may be killed
 * though its death frees nothing (not exempt, adj above OOM_ADJ_NEVER):
 * killing it ends the demand, where the alternative is stopping the
 * machine. -1 if not, or under OOM_PANIC. */
int oom_choose_requester(enum oom_policy policy, const struct oom_candidate *c, size_t n,
			 uint32_t requester);

#endif
