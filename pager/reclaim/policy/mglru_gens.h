/*
 * The generations of the multi-gen LRU policy (policy_mglru.c): tracked
 * frames in queues by sequence number, min_seq (oldest) to max_seq
 * (youngest), and one isolate call's wait list. This module keeps the queues
 * and the numbers consistent, and per frame whether a look has read its
 * bit since it joined its generation; which frame goes where, and when to
 * age, is the policy's. The wait list is where its frames lie: the oldest
 * generation's oldest frames, each passed over once, so that waiting and
 * its end move no frame (moving each to a list of its own and back cost
 * four queue steps a frame).
 */
#ifndef PAGER_RECLAIM_MGLRU_GENS_H
#define PAGER_RECLAIM_MGLRU_GENS_H

#include <stdint.h>
#include "reclaim/policy/toolkit.h"

#define MGLRU_MAX_GENS 4	/* Linux's MAX_NR_GENS */
#define MGLRU_MIN_GENS 2	/* MIN_NR_GENS: eviction stalls at two */
#define MGLRU_NONE 0xff		/* gen_of for a frame not tracked */
/* gen_of's flag on a tracked frame: a look has read its bit since it last
 * joined a generation (mglru_gens_mark_read). Every join stores gen_of
 * whole, so a frame joins with it clear and the insert paths store
 * nothing more. */
#define MGLRU_READ 0x80

/* Between MGLRU_MIN_GENS and MGLRU_MAX_GENS generations are open, min_seq
 * to max_seq; a frame is on at most one queue, the one gen_of names. */
struct mglru_gens {
	struct frame_links links;
	struct frame_queue q[MGLRU_MAX_GENS];	/* [seq % MAX_GENS] */
	uint32_t min_seq, max_seq;
	/* [nframes]: seq % MAX_GENS or NONE, with MGLRU_READ
	 * (mglru_gens_queue_of strips it) */
	uint8_t *gen_of;
	/* The wait list: the oldest generation's `waiting` oldest frames;
	 * `next` is the frame after them (NIL: none), valid while any waits.
	 * While frames wait the oldest generation neither closes nor takes
	 * frames in. */
	uint32_t waiting, next;
	/* Calls the wait list forbids, counted (tests expect 0): a frame
	 * inserted, removed, put back or refaulted, or an isolate begun, while
	 * frames wait (only
	 * isolate's env callbacks could, and policy.h says they do not:
	 * mglru_gens_check_not_waiting), or a take with none waiting (which
	 * takes nothing). */
	uint32_t misuses;
};

/* 0, or -1 out of memory (mglru_gens_free is then still safe). No frame
 * is tracked; four generations are open, as Linux's lru_gen_init_lruvec. */
int mglru_gens_alloc(struct mglru_gens *g, uint32_t nframes);
void mglru_gens_free(struct mglru_gens *g);

static inline struct frame_queue *mglru_gen(struct mglru_gens *g, uint32_t seq)
{
	return &g->q[seq % MGLRU_MAX_GENS];
}

static inline uint32_t mglru_gen_len(const struct mglru_gens *g, uint32_t seq)
{
	return g->q[seq % MGLRU_MAX_GENS].len;
}

static inline uint32_t mglru_nr_gens(const struct mglru_gens *g)
{
	return g->max_seq - g->min_seq + 1;
}

/* The frame eviction meets next in the oldest generation: the first after
 * the wait list (NIL if none). */
static inline uint32_t mglru_gens_next(const struct mglru_gens *g)
{
	return g->waiting ? g->next : g->q[g->min_seq % MGLRU_MAX_GENS].old;
}

/* Frames on any queue (those waiting stay in the oldest generation's). */
uint32_t mglru_gens_tracked(const struct mglru_gens *g);

/* frame (not tracked) joins generation seq at its young end. */
void mglru_gens_put(struct mglru_gens *g, uint32_t seq, uint32_t frame);
/* A run of frames joining generation seq at its young end, in order, as
 * mglru_gens_put would put them one by one: begin, put each frame (not
 * tracked), end. toolkit.h's fq_run with each frame's generation stored. */
struct mglru_gens_run {
	struct fq_run q;
	uint8_t *gen_of;
	uint8_t gen;
};

static inline struct mglru_gens_run mglru_gens_run_begin(struct mglru_gens *g, uint32_t seq)
{
	return (struct mglru_gens_run){ fq_run_begin(&g->links, mglru_gen(g, seq)), g->gen_of,
					(uint8_t)(seq % MGLRU_MAX_GENS) };
}

static inline void mglru_gens_run_put(struct mglru_gens_run *r, uint32_t frame)
{
	fq_run_push(&r->q, frame);
	r->gen_of[frame] = r->gen;
}

static inline void mglru_gens_run_end(struct mglru_gens_run *r)
{
	fq_run_end(&r->q);
}

/* frame (tracked) leaves its queue: not tracked. */
void mglru_gens_take_out(struct mglru_gens *g, uint32_t frame);
/* frame (tracked) moves to generation seq's young end. */
void mglru_gens_move_to(struct mglru_gens *g, uint32_t seq, uint32_t frame);
/* Eviction met frame (mglru_gens_next) and it left the oldest generation
 * (moved or taken out) or, if wait, joins the wait list where it lies;
 * after is the frame that followed it, read before it left. */
static inline void mglru_gens_met(struct mglru_gens *g, uint32_t after, int wait)
{
	g->waiting += wait != 0;
	g->next = after;
}

/* The policy's frames are about to change outside isolate's search (an
 * insert, remove, refault or put back): with frames waiting the call came
 * from inside it (an env callback, which policy.h forbids), a misuse,
 * counted. Every such entry point calls this, so tests' misuses == 0 says
 * none came. */
static inline void mglru_gens_check_not_waiting(struct mglru_gens *g)
{
	if (g->waiting != 0)
		g->misuses++;
}

/* The wait list's first frame leaves it and its queue: not tracked.
 * POLICY_NIL if none waits (a misuse). */
uint32_t mglru_gens_take_waiting(struct mglru_gens *g);
/* The wait list ends: its frames stay the oldest, in the order they waited. */
static inline void mglru_gens_unwait(struct mglru_gens *g)
{
	g->waiting = 0;
}
/* The queue frame (tracked) is on: its gen_of without MGLRU_READ. */
static inline uint32_t mglru_gens_queue_of(const struct mglru_gens *g, uint32_t frame)
{
	return g->gen_of[frame] & (uint8_t)~MGLRU_READ;
}

/* A look has read frame's bit (tracked, in a generation) since it joined
 * it: it found the frame idle there, or referenced and moved it there
 * (the look cleared the bit, so the move's join came after the read). */
static inline void mglru_gens_mark_read(struct mglru_gens *g, uint32_t frame)
{
	g->gen_of[frame] |= MGLRU_READ;
}

/* Whether a look has read frame's (tracked) bit since it joined its
 * generation (mglru_gens_mark_read): the bit has gathered every reference
 * since. */
static inline int mglru_gens_read_since_joined(const struct mglru_gens *g, uint32_t frame)
{
	return (g->gen_of[frame] & MGLRU_READ) != 0;
}

/* Empty oldest generations close, never leaving fewer than MIN_GENS: how
 * many closed. */
uint32_t mglru_gens_close_empty(struct mglru_gens *g);

#endif
