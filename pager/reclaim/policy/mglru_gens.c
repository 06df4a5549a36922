/*
 * The multi-gen LRU's generations (mglru_gens.h): one frame queue per open
 * sequence number modulo MAX_GENS, so opening and closing a generation moves
 * no frame, and gen_of per frame so taking one out costs O(1).
 */
#include <stdlib.h>
#include "reclaim/policy/mglru_gens.h"

int mglru_gens_alloc(struct mglru_gens *g, uint32_t nframes)
{
	size_t n = (size_t)nframes + 1;

	for (int i = 0; i < MGLRU_MAX_GENS; i++)
		fq_init(&g->q[i]);
	g->waiting = g->misuses = 0;
	g->next = POLICY_NIL;
	g->min_seq = 0;
	g->max_seq = MGLRU_MIN_GENS + 1;
	g->gen_of = malloc(n);
	if (frame_links_alloc(&g->links, nframes) || !g->gen_of) {
		mglru_gens_free(g);
		return -1;
	}
	for (size_t f = 0; f < n; f++)
		g->gen_of[f] = MGLRU_NONE;
	return 0;
}

void mglru_gens_free(struct mglru_gens *g)
{
	frame_links_free(&g->links);
	free(g->gen_of);
	g->gen_of = NULL;
}

uint32_t mglru_gens_tracked(const struct mglru_gens *g)
{
	uint32_t n = 0;

	for (int i = 0; i < MGLRU_MAX_GENS; i++)
		n += g->q[i].len;
	return n;
}

/* The run's step for one frame (mglru_gens.h), written out: as a run of
 * one through mglru_gens_run it measured +14 instructions a fault at
 * faultaround=0 (scripts/bench), every single insert paying that run's
 * begin and end (fq_push_young, below, is the queue's own step). */
void mglru_gens_put(struct mglru_gens *g, uint32_t seq, uint32_t frame)
{
	fq_push_young(&g->links, mglru_gen(g, seq), frame);
	g->gen_of[frame] = (uint8_t)(seq % MGLRU_MAX_GENS);
}

void mglru_gens_take_out(struct mglru_gens *g, uint32_t frame)
{
	fq_unlink(&g->links, &g->q[mglru_gens_queue_of(g, frame)], frame);
	g->gen_of[frame] = MGLRU_NONE;
}

void mglru_gens_move_to(struct mglru_gens *g, uint32_t seq, uint32_t frame)
{
	mglru_gens_take_out(g, frame);
	mglru_gens_put(g, seq, frame);
}

uint32_t mglru_gens_take_waiting(struct mglru_gens *g)
{
	uint32_t frame = mglru_gen(g, g->min_seq)->old;

	if (g->waiting == 0) {
		g->misuses++;
		return POLICY_NIL;
	}
	mglru_gens_take_out(g, frame);
	g->waiting--;
	return frame;
}

uint32_t mglru_gens_close_empty(struct mglru_gens *g)
{
	uint32_t closed = 0;

	/* The oldest's length first: eviction asks whenever the oldest
	 * could have emptied (mglru_quiet_steps), and it seldom has. */
	while (mglru_gen_len(g, g->min_seq) == 0 && mglru_nr_gens(g) > MGLRU_MIN_GENS) {
		g->min_seq++;
		closed++;
	}
	return closed;
}
