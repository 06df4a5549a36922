/*
 * CLOCK-Pro's clock (policy_clockpro.c): resident pages hot or cold in
 * clock order, which cold pages are on test, HAND_test, and the ring of
 * non-resident pages on test. It moves pages and ends the tests HAND_hot
 * has passed; which page goes where, and the cold share, are the policy's.
 */
#ifndef PAGER_RECLAIM_CLOCKPRO_CLOCK_H
#define PAGER_RECLAIM_CLOCKPRO_CLOCK_H

#include <stdint.h>
#include "reclaim/policy/ghost_ring.h"
#include "reclaim/policy/toolkit.h"

enum { CP_NONE, CP_HOT, CP_COLD };	/* which queue a frame is on */

/*
 * The paper's one clock of all pages, resident or not, kept as: a stamp per
 * page, the count of moves to the head when it last moved there, so "older
 * in the clock" is "smaller stamp"; the hot queue in stamp order, HAND_hot at
 * its old end; the cold queue of resident cold pages, HAND_cold at its old
 * end; HAND_test: a test ends when HAND_hot passes the page, resident cold
 * pages walked by a cursor, non-resident ones leaving the ring's end.
 */
struct cp_clock {
	struct frame_links links;
	struct frame_queue hot, cold;	/* in stamp order, oldest at the old end */
	uint8_t *on;		/* [nframes]: CP_* */
	uint8_t *test;		/* [nframes]: a cold page on test */
	uint32_t *stamp;	/* [nframes]: its head position */
	uint32_t now;		/* moves to the head so far: the newest stamp */
	uint32_t test_hand;	/* the youngest resident cold page HAND_test has
				 * passed; NIL: none of those left */
	struct ghost_ring ring;	/* non-resident cold pages on test, by stamp;
				 * at most as many as frames (the paper's bound) */
};

/* 0, or -1 out of memory (cp_clock_free is then still safe). */
int cp_clock_alloc(struct cp_clock *k, uint32_t nframes);
void cp_clock_free(struct cp_clock *k);

/* Stamps count moves to the head modulo 2^32: compared by age, which is
 * right while no page goes 2^31 moves unmoved. */
static inline uint32_t cp_clock_age(const struct cp_clock *k, uint32_t stamp)
{
	return k->now - stamp;
}

/* To the head of the clock, in queue id (CP_HOT, CP_COLD), with a new
 * stamp; its test flag is left as it is. */
void cp_clock_to_head(struct cp_clock *k, int id, uint32_t frame);
/* To the head as hot (off test), or as cold on a new test. */
void cp_clock_make_hot(struct cp_clock *k, uint32_t frame);
void cp_clock_retest(struct cp_clock *k, uint32_t frame);

/* The tests HAND_hot has passed end: resident cold pages from the cursor
 * on, non-resident ones from the ring's old end. Returns how many of the
 * latter ended unused (their page never came back). */
uint32_t cp_clock_end_tests(struct cp_clock *k);
/* frame (on a queue) leaves it, keeping its stamp and test flag. The cursor
 * steps back past a cold page leaving; the oldest hot page leaving moves
 * HAND_hot on, which may end tests: returns cp_clock_end_tests's count. */
uint32_t cp_clock_take_out(struct cp_clock *k, uint32_t frame);

#endif
