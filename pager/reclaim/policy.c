/*
 * The table of replacement policies and lookup by name: what pager.policy=
 * and the trace simulator choose from, and how both ask a policy for
 * victims. Each policy lives in its own file.
 */
#include <stddef.h>
#include <string.h>
#include "reclaim/policy.h"

/* Defined by the policy files; only this table refers to them by name. */
extern const struct policy_ops policy_clock_ops;
extern const struct policy_ops policy_lru2_ops;
extern const struct policy_ops policy_fifo_ops;
extern const struct policy_ops policy_random_ops;

const struct policy_ops *const policy_all[] = {
	&policy_clock_ops,	/* first, so the default */
	&policy_lru2_ops,
	&policy_fifo_ops,
	&policy_random_ops,
	NULL,
};

uint32_t policy_isolate(const struct policy_ops *ops, struct policy *p,
			const struct policy_env *env, uint32_t *victims, uint32_t max)
{
	uint32_t n = ops->isolate(p, env, victims, max);

	for (int again = 0; n == 0 && env->max_looks == 0 && again < 2; again++)
		n = ops->isolate(p, env, victims, max);
	return n;
}

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
 * message; 64 bytes holds today's names with room for a few more. */
static char names[64];

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
