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
/* The state goes (memory was short, or for the host tests). */
void victims_fini(void);
/* The frames in use join the policy, and every frame from now on: with
 * swap or without (pages that need no write are dropped then). */
void victims_start(void);

/* Which frames may be chosen. */
enum victims_only {
	VICTIMS_ANY,		/* any the policy would take (swap has room) */
	/* Nothing can be written: only pages that go without I/O (an
	 * unwritten program page, a clean copy in a slot of a device still
	 * there), bar those a refault holds (victims.c) ... */
	VICTIMS_NO_IO,
	/* ... or held too: for a process asked to give memory back, which
	 * must run to do so (critical.c). */
	VICTIMS_NO_IO_HELD_TOO
};
/* Up to max victims (frames, by address) into pa[], looking at no more
 * than looks frames (0: as many as it takes), chosen by the policy among
 * those only allows (it passes over the others, in their place). */
size_t victims_choose(uint64_t *pa, size_t max, uint32_t looks, enum victims_only only);
/* Pages that could go without I/O now, or fewer (0: none). */
uint64_t victims_droppable(void);
/* Moves whenever a page may have become one that goes without I/O and is
 * not held, but for a page read back from swap (pswpin says those): a
 * program page dropped (holds lapse only so), or filled from its file. A
 * drop round that found nothing finds nothing again until one of the two
 * moves. */
uint64_t victims_drop_news(void);
/* Program time (policy_env.now): process frames allocated so far. */
uint64_t victims_now(void);
/* The policy's state is made (victims_init): victims may be chosen. */
int victims_ready(void);
/* pa's program page (key: the file's page) was dropped: its record is
 * kept (dropped.h), with the policy's shadow word. */
void victims_dropped(uint64_t key, uint64_t pa);
/* The VM core filled a program page into pa (vm_image_fill_fn): a page
 * dropped coming back at the program's fault is a refault, which the
 * policy hears of with its shadow word and which holds the page against
 * the next drops for a while. */
void victims_image_filled(uint64_t key, uint64_t pa, int faulting);
/* pa was not evicted after all: back to the policy. */
void victims_put_back(uint64_t pa);
/* pa's page left memory (written out, or dropped with a valid copy): the
 * policy's shadow word for it (0: nothing), for the swap engine to keep. */
uint32_t victims_evicted(uint64_t pa);
/* pa holds a page read back whose eviction left shadow: the policy sees it
 * as that page come back (a refault), not as a new one. */
void victims_refaulted(uint64_t pa, uint32_t shadow);

#endif
