/*
 * Victim choice: the replacement policy (policy.h, chosen at boot) over the
 * pager's frames, seeing references through accessed bits harvested via
 * the reverse map. Every process frame joins the policy when it is
 * allocated and leaves it when freed; a victim not evicted after all goes
 * back to it.
 */
#ifndef PAGER_RECLAIM_VICTIMS_H
#define PAGER_RECLAIM_VICTIMS_H

#include <stddef.h>
#include <stdint.h>

struct policy_ops;

/* The policy's state for every frame (seeded with seed). 0, or -1 if
 * memory is short. */
int victims_init(const struct policy_ops *ops, uint64_t seed);
/* Swap did not come up: the state goes. */
void victims_fini(void);
/* Swap is up: the frames in use join the policy, and every frame from now
 * on. */
void victims_start(void);

/* Up to max victims (frames, by address) into pa[], looking at no more
 * than looks frames (0: as many as it takes). */
size_t victims_choose(uint64_t *pa, size_t max, uint32_t looks);
/* pa was not evicted after all: back to the policy. */
void victims_put_back(uint64_t pa);
/* pa was not evicted because a fault used it during its write-out: back
 * to the policy, as used (policy_kept). */
void victims_kept(uint64_t pa);
/* pa's page left memory (written out, or dropped with a valid copy): the
 * policy's shadow word for it (0: nothing), for the swap engine to keep. */
uint32_t victims_evicted(uint64_t pa);
/* pa holds a page read back whose eviction left shadow: the policy sees it
 * as that page come back (a refault), not as a new one. */
void victims_refaulted(uint64_t pa, uint32_t shadow);

#endif
