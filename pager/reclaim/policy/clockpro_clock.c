/*
 * CLOCK-Pro's clock (clockpro_clock.h): two frame queues in stamp order
 * stand for the paper's single circular list, and HAND_test's position is
 * known by stamps, so no hand walks pages it has nothing to do with.
 */
#include <stdlib.h>
#include "reclaim/policy/clockpro_clock.h"

int cp_clock_alloc(struct cp_clock *k, uint32_t nframes)
{
	size_t n = (size_t)nframes + 1;

	fq_init(&k->hot);
	fq_init(&k->cold);
	k->now = 0;
	k->test_hand = POLICY_NIL;
	k->on = calloc(n, 1);
	k->test = calloc(n, 1);
	k->stamp = calloc(n, sizeof(*k->stamp));
	if (frame_links_alloc(&k->links, nframes) || ghost_ring_alloc(&k->ring, nframes) ||
	    !k->on || !k->test || !k->stamp) {
		cp_clock_free(k);
		return -1;
	}
	return 0;
}

void cp_clock_free(struct cp_clock *k)
{
	frame_links_free(&k->links);
	ghost_ring_free(&k->ring);
	free(k->on);
	free(k->test);
	free(k->stamp);
	k->on = k->test = NULL;
	k->stamp = NULL;
}

/* 1 if HAND_hot has passed a page with this stamp: the oldest hot page is
 * younger. With no hot page, no test ends. */
static int hot_hand_passed(const struct cp_clock *k, uint32_t stamp)
{
	if (k->hot.len == 0)
		return 0;
	return cp_clock_age(k, stamp) > cp_clock_age(k, k->stamp[k->hot.old]);
}

uint32_t cp_clock_end_tests(struct cp_clock *k)
{
	uint32_t f = k->test_hand == POLICY_NIL ? k->cold.old : k->links.younger[k->test_hand];
	uint32_t unused = 0;

	while (f != POLICY_NIL && hot_hand_passed(k, k->stamp[f])) {
		k->test[f] = 0;
		k->test_hand = f;
		f = k->links.younger[f];
	}
	while (ghost_ring_len(&k->ring) > 0 && hot_hand_passed(k, ghost_ring_oldest(&k->ring)))
		unused += (uint32_t)ghost_ring_expire(&k->ring);
	return unused;
}

static struct frame_queue *queue(struct cp_clock *k, int id)
{
	return id == CP_HOT ? &k->hot : &k->cold;
}

void cp_clock_to_head(struct cp_clock *k, int id, uint32_t frame)
{
	k->stamp[frame] = ++k->now;
	fq_push_young(&k->links, queue(k, id), frame);
	k->on[frame] = (uint8_t)id;
}

void cp_clock_make_hot(struct cp_clock *k, uint32_t frame)
{
	k->test[frame] = 0;
	cp_clock_to_head(k, CP_HOT, frame);
}

void cp_clock_retest(struct cp_clock *k, uint32_t frame)
{
	k->test[frame] = 1;
	cp_clock_to_head(k, CP_COLD, frame);
}

uint32_t cp_clock_take_out(struct cp_clock *k, uint32_t frame)
{
	int was_oldest_hot = k->on[frame] == CP_HOT && k->hot.old == frame;

	if (frame == k->test_hand)
		k->test_hand = k->links.older[frame];
	fq_unlink(&k->links, queue(k, k->on[frame]), frame);
	k->on[frame] = CP_NONE;
	return was_oldest_hot ? cp_clock_end_tests(k) : 0;
}
