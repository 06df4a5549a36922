/*
 * FIFO: the page loaded longest ago goes first, however much it is used.
 * It never looks at referenced bits; it is the baseline the others must beat
 * (and shows Belady's anomaly: more frames can mean more faults).
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/toolkit.h"

/* One frame queue (toolkit.h), so removing a frame from the middle (it was
 * freed) costs O(1): insert at the young end, take from the old end. */
struct fifo {
	uint32_t nframes;
	struct frame_links links;
	struct frame_queue q;
	uint8_t *tracked;	/* [nframes]: 1 if in the queue */
};

static struct fifo *fifo_of(struct policy *p)
{
	return (struct fifo *)p;
}

static const struct fifo *fifo_of_const(const struct policy *p)
{
	return (const struct fifo *)p;
}

static void fifo_destroy(struct policy *p)
{
	struct fifo *q = fifo_of(p);

	if (!q)
		return;
	frame_links_free(&q->links);
	free(q->tracked);
	free(q);
}

static struct policy *fifo_create(uint32_t nframes, uint64_t seed)
{
	struct fifo *q = calloc(1, sizeof(*q));

	(void)seed;	/* FIFO is deterministic: nothing to seed */
	if (!q)
		return NULL;
	q->nframes = nframes;
	fq_init(&q->q);
	/* One extra element, so nframes == 0 still allocates. */
	q->tracked = calloc((size_t)nframes + 1, sizeof(*q->tracked));
	if (frame_links_alloc(&q->links, nframes) || !q->tracked) {
		fifo_destroy((struct policy *)q);
		return NULL;
	}
	return (struct policy *)q;
}

static void push_young(struct fifo *q, uint32_t frame)
{
	fq_push_young(&q->links, &q->q, frame);
	q->tracked[frame] = 1;
}

static void unlink_frame(struct fifo *q, uint32_t frame)
{
	fq_unlink(&q->links, &q->q, frame);
	q->tracked[frame] = 0;
}

static void fifo_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct fifo *q = fifo_of(p);

	(void)shadow;	/* FIFO keeps no history */
	if (frame >= q->nframes || q->tracked[frame])
		return;
	push_young(q, frame);
}

static void fifo_remove(struct policy *p, uint32_t frame)
{
	struct fifo *q = fifo_of(p);

	if (frame >= q->nframes || !q->tracked[frame])
		return;
	unlink_frame(q, frame);
}

/* A frame that may not go now moves to the young end, as if just loaded,
 * so the scan gets past it. Each frame is looked at once per call: as many
 * steps as frames were queued when the call began. */
static uint32_t fifo_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	struct fifo *q = fifo_of(p);
	uint32_t steps = q->q.len;
	uint32_t n = 0;

	while (n < max && q->q.len > 0 && steps-- > 0) {
		uint32_t frame = q->q.old;

		unlink_frame(q, frame);
		if (env->evictable(env->ctx, frame))
			victims[n++] = frame;
		else
			push_young(q, frame);
	}
	return n;
}

static uint32_t fifo_tracked(const struct policy *p)
{
	return fifo_of_const(p)->q.len;
}

const struct policy_ops policy_fifo_ops = {
	.name = "fifo",
	.summary = "FIFO: the page loaded first goes first, referenced bits ignored",
	.reads_bits = 0,
	.fault_counts = 0,	/* never reads the bits: either rule would do */
	.create = fifo_create,
	.destroy = fifo_destroy,
	.insert = fifo_insert,
	.remove = fifo_remove,
	.isolate = fifo_isolate,
	.tracked = fifo_tracked,
};
