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
/* The state goes (its memory could not all be had). */
void victims_fini(void);
/* The frames in use join the policy, and every frame from now on: with
 * swap or without (program pages the file fills again go then). */
void victims_start(void);

/* Program time (policy_env.now): process frames allocated so far. */
uint64_t victims_now(void);
/* The policy's state is made (victims_init): victims may be chosen. */
int victims_ready(void);
/* Up to max victims (frames, by address) into pa[], looking at no more
 * than looks frames (0: as many as it takes). drop_only: nothing can be
 * written, so only frames whose page goes without I/O may be chosen (a
 * clean copy in a slot of a device still there, an unwritten program
 * page); the policy's order decides among them. */
size_t victims_choose(uint64_t *pa, size_t max, uint32_t looks, int drop_only);
/* pa was not evicted after all: back to the policy. */
void victims_put_back(uint64_t pa);
/* pa's page left memory (written out, or dropped with a valid copy): the
 * policy's shadow word for it (0: nothing), for the swap engine to keep. */
uint32_t victims_evicted(uint64_t pa);
/* pa holds a page read back whose eviction left shadow: the policy sees it
 * as that page come back (a refault), not as a new one. */
void victims_refaulted(uint64_t pa, uint32_t shadow);

#endif
