/*
 * The table of replacement policies, lookup by name, the calls every caller
 * makes the same way (asking again for victims, evicted and put_back with
 * their defaults), and the toolkit the policy files share. Each policy lives
 * in its own file.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "reclaim/policy/policy.h"

/* Defined by the policy files; only this table refers to them by name. */
extern const struct policy_ops policy_clock_ops;
extern const struct policy_ops policy_lru2_ops;
extern const struct policy_ops policy_fifo_ops;
extern const struct policy_ops policy_random_ops;
extern const struct policy_ops policy_sieve_ops;
extern const struct policy_ops policy_s3fifo_ops;
extern const struct policy_ops policy_2q_ops;
extern const struct policy_ops policy_car_ops;
extern const struct policy_ops policy_clockpro_ops;
extern const struct policy_ops policy_mglru_ops;

/* The default first: chosen by measurement (docs/policies.md, "The
 * default"): the one policy never worse than CLOCK on any public trace or
 * policybench workload, and better on many. */
const struct policy_ops *const policy_all[] = {
	&policy_mglru_ops,
	&policy_clock_ops,
	&policy_lru2_ops,
	&policy_fifo_ops,
	&policy_random_ops,
	&policy_sieve_ops,
	&policy_s3fifo_ops,
	&policy_2q_ops,
	&policy_car_ops,
	&policy_clockpro_ops,
	NULL,
};

const struct policy_ops *policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; policy_all[i]; i++)
		if (strcmp(policy_all[i]->name, name) == 0)
			return policy_all[i];
	return NULL;
}

/* Built once from the table so a new policy cannot be left out of the
 * message; 128 bytes holds today's names with room for a few more. */
static char names[128];

static void build_names(void)
{
	size_t len = 0;

	for (size_t i = 0; policy_all[i]; i++) {
		size_t n = strlen(policy_all[i]->name);

		/* Room for a separator, the name and the final NUL, or stop:
		 * a shorter list beats writing past the buffer. */
		if (len + 1 + n + 1 > sizeof(names))
			break;
		if (len > 0)
			names[len++] = '|';
		memcpy(names + len, policy_all[i]->name, n);
		len += n;
	}
	names[len] = '\0';
}

const char *policy_names(void)
{
	if (names[0] == '\0')
		build_names();
	return names;
}

uint32_t policy_shadows_per_frame(const struct policy_ops *ops)
{
	if (ops->own_history_bytes >= POLICY_HISTORY_BYTES)
		return 0;
	return (POLICY_HISTORY_BYTES - ops->own_history_bytes) / POLICY_SHADOW_ENTRY_BYTES;
}

enum policy_history policy_history(const struct policy_ops *ops)
{
	if (!ops->evicted)
		return POLICY_NO_HISTORY;
	return ops->history_some ? POLICY_HISTORY_SOME : POLICY_HISTORY_ALWAYS;
}

uint32_t policy_evicted(const struct policy_ops *ops, struct policy *p, uint32_t frame)
{
	return ops->evicted ? ops->evicted(p, frame) : 0;
}

void policy_refaulted(const struct policy_ops *ops, struct policy *p, uint32_t frame,
		      uint32_t shadow)
{
	if (ops->refaulted) {
		ops->refaulted(p, frame, shadow);
		return;
	}
	ops->remove(p, frame);
	ops->insert(p, frame, shadow);
}

void policy_put_back(const struct policy_ops *ops, struct policy *p, uint32_t frame)
{
	if (ops->put_back)
		ops->put_back(p, frame);
	else
		ops->insert(p, frame, 0);
}

uint32_t policy_isolate_retrying(const struct policy_ops *ops, struct policy *p,
				 const struct policy_env *env, uint32_t *victims, uint32_t max)
{
	uint32_t n = ops->isolate(p, env, victims, max);

	for (int again = 0; n == 0 && max > 0 && env->max_looks == 0 && again < 2; again++)
		n = ops->isolate(p, env, victims, max);
	return n;
}

/* ---- the toolkit ---- */

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
