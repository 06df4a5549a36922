/*
 * The table of replacement policies, lookup by name, and the calls every
 * caller makes the same way (asking again for victims, evicted, put_back
 * and kept with their defaults). Each policy lives in its own file, above the
 * toolkit they share (toolkit.c).
 */
#include <stddef.h>
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

void policy_kept(const struct policy_ops *ops, struct policy *p, uint32_t frame)
{
	if (ops->kept)
		ops->kept(p, frame);
	else
		policy_put_back(ops, p, frame);
}

uint32_t policy_isolate_retrying(const struct policy_ops *ops, struct policy *p,
				 const struct policy_env *env, uint32_t *victims, uint32_t max)
{
	uint32_t n = ops->isolate(p, env, victims, max);

	for (int again = 0; n == 0 && max > 0 && env->max_looks == 0 && again < 2; again++)
		n = ops->isolate(p, env, victims, max);
	return n;
}
