/*
 * The policies' toolkit out of line: the per-frame arrays frame queues are
 * threaded through, and the per-call look limit with its announcements.
 */
#include <stdlib.h>
#include <string.h>
#include "reclaim/policy/toolkit.h"

int frame_links_alloc(struct frame_links *l, uint32_t nframes)
{
	/* One extra element each, so nframes == 0 still allocates. */
	l->older = malloc(((size_t)nframes + 1) * sizeof(*l->older));
	l->younger = malloc(((size_t)nframes + 1) * sizeof(*l->younger));
	if (l->older && l->younger)
		return 0;
	frame_links_free(l);
	return -1;
}

void frame_links_free(struct frame_links *l)
{
	free(l->older);
	free(l->younger);
	l->older = l->younger = NULL;
}

int policy_looks_alloc(struct policy_looks *pl, uint32_t nframes)
{
	pl->call = 0;
	pl->budget = 0;
	pl->order = NULL;
	pl->ahead_n = pl->ahead_at = 0;
	pl->expect = POLICY_LOOK_AHEAD;
	pl->stamp = calloc((size_t)nframes + 1, sizeof(*pl->stamp));
	return pl->stamp ? 0 : -1;
}

void policy_looks_free(struct policy_looks *pl)
{
	free(pl->stamp);
	pl->stamp = NULL;
}

void policy_looks_begin(struct policy_looks *pl, const struct policy_env *env, uint32_t nframes)
{
	/* The call number lives in 30 bits: before it comes round, forget
	 * every stamp, so an old one never passes for this call's. */
	if (++pl->call >= 1u << 30) {
		memset(pl->stamp, 0, ((size_t)nframes + 1) * sizeof(*pl->stamp));
		pl->call = 1;
	}
	pl->budget = env->max_looks ? env->max_looks : UINT32_MAX;
	pl->ahead_n = pl->ahead_at = 0;
	pl->expect = POLICY_LOOK_AHEAD;
	pl->passes_over = NULL;	/* until a walk says what it passes over */
}

void policy_announce(struct policy_looks *pl, const struct policy_env *env, uint32_t f)
{
	/* No more than the call may still look at (this look is counted),
	 * nor than the walk expects to. */
	uint32_t n = 0, most = pl->budget < pl->expect ? pl->budget + 1 : pl->expect;

	/* Frames of the batch skipped on the way (looked at already, moved)
	 * are passed over: the batch still holds. */
	while (pl->ahead_at < pl->ahead_n && pl->ahead[pl->ahead_at] != f)
		pl->ahead_at++;
	if (pl->ahead_at < pl->ahead_n) {
		pl->ahead_at++;
		return;
	}
	for (uint32_t g = f; g != POLICY_NIL && n < most; g = pl->order->younger[g])
		if (g == f || !pl->passes_over || !pl->passes_over(pl->walker, g))
			pl->ahead[n++] = g;
	pl->ahead_n = n;
	pl->ahead_at = 1;
	env->will_look(env->ctx, pl->ahead, n);
}
