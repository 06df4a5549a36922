/*
 * The multi-gen LRU policy's refault tiers: a page's tier is order_base_2
 * of its uses, as Linux counts them, and a PID-like controller (Linux's
 * positive_ctrl_err, gains 2:3, at least 64 refaults) protects every tier
 * whose refault rate is higher than tier 0's.
 */
#include "reclaim/policy/mglru_tiers.h"

#define MIN_LRU_BATCH 64	/* BITS_PER_LONG: the controller's noise floor */

struct ctrl_pos {
	uint64_t refaulted, total, gain;
};

uint32_t mglru_tier(uint32_t uses, int workingset)
{
	uint32_t beyond = (uses ? uses - 1 : 0) + (workingset != 0), k = 0;

	while ((1u << k) < beyond + 1)
		k++;
	return k < MGLRU_TIERS ? k : MGLRU_TIERS - 1;
}

static struct ctrl_pos read_ctrl_pos(const struct mglru_tiers *t, int tier, uint64_t gain)
{
	return (struct ctrl_pos){
		.refaulted = t->avg_refaulted[tier] + t->refaulted[tier],
		.total = t->avg_total[tier] + t->evicted[tier] + t->protected[tier],
		.gain = gain,
	};
}

/* pv has few refaults, or a refault rate no higher than sp's. */
static int positive_ctrl_err(const struct ctrl_pos *sp, const struct ctrl_pos *pv)
{
	return pv->refaulted < MIN_LRU_BATCH ||
	       pv->refaulted * (sp->total + MIN_LRU_BATCH) * sp->gain <=
	       (sp->refaulted + 1) * pv->total * pv->gain;
}

int mglru_tiers_evictable(const struct mglru_tiers *t)
{
	struct ctrl_pos sp = read_ctrl_pos(t, 0, 2);
	int tier;

	for (tier = 1; tier < MGLRU_TIERS; tier++) {
		struct ctrl_pos pv = read_ctrl_pos(t, tier, 3);

		if (!positive_ctrl_err(&sp, &pv))
			break;
	}
	return tier - 1;
}

void mglru_tiers_carry_over(struct mglru_tiers *t)
{
	for (int i = 0; i < MGLRU_TIERS; i++) {
		t->avg_refaulted[i] = (t->avg_refaulted[i] + t->refaulted[i]) / 2;
		t->avg_total[i] = (t->avg_total[i] + t->evicted[i] + t->protected[i]) / 2;
		t->refaulted[i] = t->evicted[i] = t->protected[i] = 0;
	}
}
