/*
 * Swap queues: fixed rings that refuse rather than grow (a full queue is
 * back-pressure on reclaim), and sorting a batch by slot so that reads that
 * came in any order can share device requests.
 */
#include <stdlib.h>
#include <string.h>
#include "swap/queue.h"

int swap_queue_init(struct swap_queue *q, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	if (cap == 0 || !(q->ring = calloc(cap, sizeof(*q->ring))))
		return -1;
	q->cap = cap;
	return 0;
}

void swap_queue_fini(struct swap_queue *q)
{
	free(q->ring);
	memset(q, 0, sizeof(*q));
}

int swap_queue_push(struct swap_queue *q, uint64_t pa, uint32_t slot)
{
	if (q->len == q->cap) {
		q->refused++;
		return -1;
	}
	q->ring[(q->head + q->len) % q->cap] = (struct swap_req){ .pa = pa, .slot = slot };
	q->len++;
	return 0;
}

/* n requests from src to out, a word pair at a time (no libc call). */
static void copy_reqs(struct swap_req *out, const struct swap_req *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = src[i];
}

/* The requests sit in at most two straight runs, the ring's tail from head
 * and then its front: two copies, not a division a request (every page
 * swapped out passes through two of these queues). */
uint32_t swap_queue_pop(struct swap_queue *q, struct swap_req *out, uint32_t max)
{
	uint32_t n = max < q->len ? max : q->len;
	uint32_t to_end = q->cap - q->head, first = n < to_end ? n : to_end;

	copy_reqs(out, q->ring + q->head, first);
	copy_reqs(out + first, q->ring, n - first);
	/* An unused queue (cap 0) is empty: head stays 0. */
	q->head = n < to_end ? q->head + n : n - to_end;
	q->len -= n;
	return n;
}

uint32_t swap_queue_len(const struct swap_queue *q)
{
	return q->len;
}

uint32_t swap_queue_space(const struct swap_queue *q)
{
	return q->cap - q->len;
}

/* Insertion sort: the batches are short (a fault's window, READ_MAX; the
 * swap-in thread's, QUEUED_BATCH) and come mostly rising already (a
 * window follows its addresses, mostly the disk's order; the thread's
 * slots are a fault's further pages, by address), so each request moves
 * little, with no calls (qsort cost ~680 instructions a batch it sorted on
 * shift, its comparisons and swaps each a call). Stable; where qsort was
 * not, equal slots are the same request (the thread's carry no frame) or
 * do not occur (a window's pages name distinct slots), so every batch
 * comes out as qsort left it. */
void swap_sort_by_slot(struct swap_req *r, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		struct swap_req x;
		uint32_t j = i;

		if (r[i - 1].slot <= r[i].slot)
			continue;	/* in place already: the usual case */
		x = r[i];
		for (; j > 0 && r[j - 1].slot > x.slot; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}
