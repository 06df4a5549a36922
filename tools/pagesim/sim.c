/*
 * The reference simulations behind sim.h, exact LRU as a linked list and
 * Belady's OPT as a max-heap on next-use times, and the run by name; the
 * pager policies' run is sim_policy.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define NONE SIM_NONE
/* The next-use time of a page never referenced again. */
#define NEVER SIZE_MAX

/* ---- exact LRU ---- */

/* Resident pages, most recently used at the head. */
struct lru_list {
	uint32_t *prev, *next;	/* per page; NONE at the ends */
	uint32_t head, tail;
};

static void lru_unlink(struct lru_list *l, uint32_t p)
{
	if (l->prev[p] != NONE)
		l->next[l->prev[p]] = l->next[p];
	else
		l->head = l->next[p];
	if (l->next[p] != NONE)
		l->prev[l->next[p]] = l->prev[p];
	else
		l->tail = l->prev[p];
}

static void lru_push_head(struct lru_list *l, uint32_t p)
{
	l->prev[p] = NONE;
	l->next[p] = l->head;
	if (l->head != NONE)
		l->prev[l->head] = p;
	else
		l->tail = p;
	l->head = p;
}

static void lru_free(struct lru_list *l, uint8_t *resident, uint8_t *dirty)
{
	free(l->prev);
	free(l->next);
	free(resident);
	free(dirty);
}

int sim_lru(const struct trace *t, uint32_t frames, struct sim_result *r, char *err,
	    size_t errlen)
{
	struct lru_list l = { .head = NONE, .tail = NONE };
	uint8_t *resident, *dirty;
	uint32_t count = 0;

	memset(r, 0, sizeof(*r));
	r->refs = t->nrefs;
	if (!frames) {
		pagesim_error(err, errlen, "frames must be at least 1");
		return -1;
	}
	l.prev = sim_calloc(t->npages, sizeof(*l.prev));
	l.next = sim_calloc(t->npages, sizeof(*l.next));
	resident = sim_calloc(t->npages, 1);
	dirty = sim_calloc(t->npages, 1);
	if (!l.prev || !l.next || !resident || !dirty) {
		pagesim_error(err, errlen, "lru: out of memory");
		lru_free(&l, resident, dirty);
		return -1;
	}
	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t p = t->dense[i];

		if (resident[p]) {
			lru_unlink(&l, p);
		} else {
			r->faults++;
			if (count == frames) {
				uint32_t v = l.tail;

				lru_unlink(&l, v);
				resident[v] = 0;
				r->writebacks += dirty[v];
				count--;
			}
			resident[p] = 1;
			dirty[p] = 0;
			count++;
		}
		lru_push_head(&l, p);
		dirty[p] |= t->refs[i].write;
	}
	lru_free(&l, resident, dirty);
	return 0;
}

/* ---- Belady's OPT ---- */

/* Resident pages in a max-heap on eviction priority: the next use, and at
 * equal next use (only NEVER ties) a clean page before a dirty one, since
 * evicting it costs no write-back. pos[] lets a hit re-key its page. */
struct opt_heap {
	uint32_t *heap;		/* pages; the root is the victim */
	uint32_t *pos;		/* per page: its index in heap, or NONE */
	size_t *key;		/* per page: its next use */
	const uint8_t *dirty;	/* per page */
	uint32_t size;
};

static int opt_before(const struct opt_heap *h, uint32_t a, uint32_t b)
{
	if (h->key[a] != h->key[b])
		return h->key[a] > h->key[b];
	return !h->dirty[a] && h->dirty[b];
}

static void opt_place(struct opt_heap *h, uint32_t i, uint32_t page)
{
	h->heap[i] = page;
	h->pos[page] = i;
}

static void opt_up(struct opt_heap *h, uint32_t i)
{
	uint32_t page = h->heap[i];

	while (i > 0 && opt_before(h, page, h->heap[(i - 1) / 2])) {
		opt_place(h, i, h->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	opt_place(h, i, page);
}

static void opt_down(struct opt_heap *h, uint32_t i)
{
	uint32_t page = h->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->size)
			break;
		if (c + 1 < h->size && opt_before(h, h->heap[c + 1], h->heap[c]))
			c++;
		if (!opt_before(h, h->heap[c], page))
			break;
		opt_place(h, i, h->heap[c]);
		i = c;
	}
	opt_place(h, i, page);
}

static uint32_t opt_pop(struct opt_heap *h)
{
	uint32_t victim = h->heap[0];

	h->pos[victim] = NONE;
	if (--h->size) {
		opt_place(h, 0, h->heap[h->size]);
		opt_down(h, 0);
	}
	return victim;
}

/* next[i]: the index of the next reference to refs[i]'s page, or NEVER. */
static size_t *next_uses(const struct trace *t)
{
	size_t *next = sim_calloc(t->nrefs, sizeof(*next));
	size_t *last = sim_calloc(t->npages, sizeof(*last));

	if (next && last) {
		for (uint32_t p = 0; p < t->npages; p++)
			last[p] = NEVER;
		for (size_t i = t->nrefs; i-- > 0;) {
			next[i] = last[t->dense[i]];
			last[t->dense[i]] = i;
		}
	} else {
		free(next);
		next = NULL;
	}
	free(last);
	return next;
}

static void opt_replay(const struct trace *t, const size_t *next, uint32_t frames,
		       struct opt_heap *h, uint8_t *dirty, struct sim_result *r)
{
	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t p = t->dense[i];

		if (h->pos[p] == NONE) {
			r->faults++;
			if (h->size == frames) {
				uint32_t v = opt_pop(h);

				r->writebacks += dirty[v];
			}
			dirty[p] = 0;
			opt_place(h, h->size++, p);
		}
		/* The next use only moves later, and a W only matters between
		 * equal keys, which a later key never has: sifting up suffices. */
		h->key[p] = next[i];
		dirty[p] |= t->refs[i].write;
		opt_up(h, h->pos[p]);
	}
}

int sim_opt(const struct trace *t, uint32_t frames, struct sim_result *r, char *err,
	    size_t errlen)
{
	uint32_t nframes = sim_frames_needed(t, frames);
	uint8_t *dirty = sim_calloc(t->npages, 1);
	struct opt_heap h = {
		.heap = sim_calloc(nframes, sizeof(uint32_t)),
		.pos = sim_calloc(t->npages, sizeof(uint32_t)),
		.key = sim_calloc(t->npages, sizeof(size_t)),
		.dirty = dirty,
	};
	size_t *next = next_uses(t);
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->refs = t->nrefs;
	if (!frames) {
		pagesim_error(err, errlen, "frames must be at least 1");
	} else if (!dirty || !h.heap || !h.pos || !h.key || !next) {
		pagesim_error(err, errlen, "opt: out of memory");
	} else {
		sim_fill_none(h.pos, t->npages);
		opt_replay(t, next, nframes, &h, dirty, r);
		ret = 0;
	}
	free(next);
	free(h.heap);
	free(h.pos);
	free(h.key);
	free(dirty);
	return ret;
}

/* ---- by name ---- */

int sim_known(const char *name)
{
	return !strcmp(name, "lru") || !strcmp(name, "opt") || policy_find(name) != NULL;
}

int sim_run(const struct trace *t, const char *name, const struct sim_params *p,
	    struct sim_result *r, char *err, size_t errlen)
{
	const struct policy_ops *ops;

	if (!strcmp(name, "lru"))
		return sim_lru(t, p->frames, r, err, errlen);
	if (!strcmp(name, "opt"))
		return sim_opt(t, p->frames, r, err, errlen);
	ops = policy_find(name);
	if (!ops) {
		memset(r, 0, sizeof(*r));
		pagesim_error(err, errlen, "unknown policy '%s' (policies: %s|%s)", name,
			policy_names(), SIM_REFERENCE_NAMES);
		return -1;
	}
	return sim_policy(t, ops, p, r, err, errlen);
}

double sim_miss_ratio(const struct sim_result *r)
{
	return r->refs ? (double)r->faults / (double)r->refs : 0.0;
}
