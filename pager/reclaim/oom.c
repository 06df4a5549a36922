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
