/*
 * Scoring and choosing the OOM victim. Under `unshared` only what a kill
 * would give back counts, so a process whose memory is mostly shared is
 * spared; under `rss` a process pays for everything it maps, as in Linux.
 */
#include "reclaim/oom.h"

const char *const oom_policy_names[] = { "unshared", "rss", "panic", NULL };

int64_t oom_score(enum oom_policy policy, const struct oom_candidate *c, uint64_t total)
{
	int64_t pages = (int64_t)(policy == OOM_RSS ? c->alone + c->shared : c->alone) +
			(int64_t)c->meta;
	int64_t score = pages + (int64_t)c->adj * (int64_t)total / 1000;

	return score > 0 ? score : 0;
}

/* Not exempt nor protected: the killer may end it. */
static int killable(const struct oom_candidate *c)
{
	return !c->exempt && c->adj > OOM_ADJ_NEVER;
}

/* Killable, and its death gives back what ran out: pages of its own
 * (frames, or slots that let reclaim free frames), or, when it is the
 * pager's heap that could not grow, the heap its page arrays hold, which
 * serves the next arrays (a fork tree over swapped sparse pages holds
 * nothing alone; all it costs is that heap). For a fault that wants a
 * frame they do not count: their chunks' frames come back only as whole
 * pages of chunks empty (base/slab.h), which one death does not promise,
 * and its reverse-map entries, in malloc's heap, give none. A choice, kept
 * for now: a fork tree over sparse pages whose chunks hold the frames is
 * not chosen when frames alone run out (docs/design.md, the OOM killer). */
static int choosable(const struct oom_candidate *c, int heap_short)
{
	return killable(c) && (c->alone > 0 || (heap_short && c->meta > 0));
}

int oom_choose(enum oom_policy policy, const struct oom_candidate *c, size_t n, uint64_t total,
	       int heap_short)
{
	int best = -1;
	int64_t best_score = -1;

	if (policy == OOM_PANIC)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int64_t s;
		if (!choosable(&c[i], heap_short))
			continue;
		s = oom_score(policy, &c[i], total);
		if (s > best_score) {
			best = (int)i;
			best_score = s;
		}
	}
	return best;
}

int oom_choose_requester(enum oom_policy policy, const struct oom_candidate *c, size_t n,
			 uint32_t requester)
{
	if (policy == OOM_PANIC || requester == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (c[i].pid == requester)
			return killable(&c[i]) ? (int)i : -1;
	return -1;
}

/* Whether every member of s is killable and s holds more pages than any
 * of them does alone: then they are one unit for the killer. */
static int binds(const struct oom_candidate *c, size_t n, const struct oom_set *s)
{
	if (s->who >> n || !(s->who & (s->who - 1)))
		return 0;
	for (uint64_t m = s->who; m; m &= m - 1) {
		const struct oom_candidate *k = &c[__builtin_ctzll(m)];
		if (!killable(k) || k->alone >= s->pages)
			return 0;
	}
	return 1;
}

/* group[k]: the members of c[k]'s group (itself alone if no set binds
 * it), joined through the sets that bind until none joins more. */
static void join_groups(const struct oom_candidate *c, size_t n, const struct oom_set *sets,
			size_t nsets, uint64_t *group)
{
	int changed = 1;

	for (size_t k = 0; k < n; k++)
		group[k] = 1ull << k;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < nsets; i++) {
			uint64_t all = sets[i].who;
			if (!binds(c, n, &sets[i]))
				continue;
			for (uint64_t m = sets[i].who; m; m &= m - 1)
				all |= group[__builtin_ctzll(m)];
			for (uint64_t m = all; m; m &= m - 1)
				if (group[__builtin_ctzll(m)] != all) {
					group[__builtin_ctzll(m)] = all;
					changed = 1;
				}
		}
	}
}

/* The unit of group g: what its deaths give back and its score. */
static struct oom_unit group_unit(const struct oom_candidate *c, const struct oom_set *sets,
				  size_t nsets, uint64_t g, uint64_t total)
{
	struct oom_candidate all = { .adj = OOM_ADJ_NEVER };

	for (uint64_t m = g; m; m &= m - 1) {
		const struct oom_candidate *k = &c[__builtin_ctzll(m)];
		all.alone += k->alone;
		all.meta += k->meta;
		all.adj = k->adj > all.adj ? k->adj : all.adj;
	}
	for (size_t i = 0; i < nsets; i++)
		if (sets[i].who && !(sets[i].who & ~g))
			all.alone += sets[i].pages;
	return (struct oom_unit){ g, oom_score(OOM_UNSHARED, &all, total), all.alone, all.meta };
}

int oom_choose_unit(enum oom_policy policy, const struct oom_candidate *c, size_t n,
		    const struct oom_set *sets, size_t nsets, uint64_t total, int heap_short,
		    struct oom_unit *u)
{
	uint64_t group[OOM_GROUP_MAX];
	int v = oom_choose(policy, c, n, total, heap_short);

	*u = (struct oom_unit){ 0, -1, 0, 0 };
	if (v >= 0)
		*u = (struct oom_unit){ 1ull << v, oom_score(policy, &c[v], total), c[v].alone,
					c[v].meta };
	if (policy != OOM_UNSHARED || n > OOM_GROUP_MAX)
		return u->who != 0;
	join_groups(c, n, sets, nsets, group);
	for (size_t k = 0; k < n; k++) {
		struct oom_unit g;
		if (!(group[k] & (group[k] - 1)) || __builtin_ctzll(group[k]) != (int)k)
			continue;	/* alone, or met at its first member */
		g = group_unit(c, sets, nsets, group[k], total);
		if (g.score > u->score)
			*u = g;
	}
	return u->who != 0;
}
