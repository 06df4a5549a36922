/*
 * The simulations behind sim.h: a frame table with accessed and dirty bits
 * that feeds a pager policy through its policy_env, exact LRU as a linked
 * list, and Belady's OPT as a max-heap on next-use times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swap/shadow.h"
#include "sim.h"

#define NONE UINT32_MAX
/* The next-use time of a page never referenced again. */
#define NEVER SIZE_MAX

/* Frames beyond the number of distinct pages would never be used, and no
 * eviction happens with that many: run with fewer so a huge -f costs
 * nothing. The counts are the same. */
static uint32_t frames_needed(const struct trace *t, uint32_t frames)
{
	uint32_t n = frames < t->npages ? frames : t->npages;

	return n ? n : 1;
}

static void *alloc_array(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static void fill_none(uint32_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = NONE;
}

/* ---- pager policies ---- */

struct frame_table {
	uint32_t nframes;
	uint32_t used;		/* frames 0 .. used - 1 have held a page */
	uint32_t *owner;	/* per frame: its page */
	uint32_t *where;	/* per page: its frame, or NONE */
	uint8_t *accessed;	/* per frame: referenced since the policy last looked */
	uint8_t *dirty;		/* per frame: written since it was brought in */
	int bad_frame;		/* the policy asked about a frame out of range */
	struct shadow_table *shadows;	/* evicted pages' history, by page */
};

static int frames_init(struct frame_table *ft, const struct trace *t, uint32_t nframes,
		       uint32_t shadows_per_frame)
{
	memset(ft, 0, sizeof(*ft));
	ft->nframes = nframes;
	ft->owner = alloc_array(nframes, sizeof(*ft->owner));
	ft->where = alloc_array(t->npages, sizeof(*ft->where));
	ft->accessed = alloc_array(nframes, 1);
	ft->dirty = alloc_array(nframes, 1);
	ft->shadows = shadow_create(nframes, shadows_per_frame);
	if (!ft->owner || !ft->where || !ft->accessed || !ft->dirty || !ft->shadows)
		return -1;
	fill_none(ft->where, t->npages);
	return 0;
}

static void frames_fini(struct frame_table *ft)
{
	free(ft->owner);
	free(ft->where);
	free(ft->accessed);
	free(ft->dirty);
	if (ft->shadows)
		shadow_destroy(ft->shadows);
}

/* What the hardware's accessed bit gives the pager: test and clear. */
static int env_referenced(void *ctx, uint32_t frame)
{
	struct frame_table *ft = ctx;
	int was;

	if (frame >= ft->nframes) {
		ft->bad_frame = 1;
		return 0;
	}
	was = ft->accessed[frame];
	ft->accessed[frame] = 0;
	return was;
}

/* Nothing is pinned or under I/O in a simulation. */
static int env_evictable(void *ctx, uint32_t frame)
{
	(void)ctx;
	(void)frame;
	return 1;
}

/* A clean page costs nothing to drop: its copy is where it came from. */
static int env_cheap(void *ctx, uint32_t frame)
{
	struct frame_table *ft = ctx;

	return frame < ft->nframes && !ft->dirty[frame];
}

/* The frame for a missing page: a free one, else the policy's victim
 * (counting its write-back, keeping its shadow). NONE if the policy failed;
 * err says how.
 *
 * Asked as the pager's reclaim asks (policy_isolate_retrying): a call that
 * finds no victim is followed by up to two more, since the first cleared
 * the accessed bits it looked at. No victim in three calls, with every frame
 * evictable, is a policy bug. */
static uint32_t frame_for_miss(struct frame_table *ft, const struct policy_ops *ops,
			       struct policy *pol, struct sim_result *r, char *err,
			       size_t errlen)
{
	/* Program time is pages brought in, as in the pager: the misses. */
	const struct policy_env env = { .referenced = env_referenced,
					.evictable = env_evictable, .ctx = ft,
					.cheap = env_cheap, .now = r->faults };
	uint32_t victim = NONE, n, shadow;

	if (ft->used < ft->nframes)
		return ft->used++;
	n = policy_isolate_retrying(ops, pol, &env, &victim, 1);
	if (n == 0) {
		pagesim_error(err, errlen, "policy %s: isolate found no victim among %u frames "
			"in three calls, all evictable", ops->name, ft->used);
		return NONE;
	}
	if (n > 1 || ft->bad_frame || victim >= ft->used) {
		pagesim_error(err, errlen, "policy %s: isolate(max 1) gave %u victim(s), frame %u "
			"of %u%s", ops->name, n, victim, ft->used,
			ft->bad_frame ? "; it asked about a frame out of range" : "");
		return NONE;
	}
	ft->where[ft->owner[victim]] = NONE;
	if (ft->dirty[victim])
		r->writebacks++;
	shadow = policy_evicted(ops, pol, victim);
	if (shadow)
		shadow_store(ft->shadows, ft->owner[victim], shadow);
	return victim;
}

static int replay_policy(const struct trace *t, struct frame_table *ft,
			 const struct policy_ops *ops, struct policy *pol, uint8_t fault_bit,
			 struct sim_result *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t page = t->dense[i];
		uint32_t f = ft->where[page];

		if (f == NONE) {
			/* Its shadow first: the victim's, stored next, might
			 * push it out of a full set. */
			uint32_t shadow = shadow_take(ft->shadows, page);

			r->faults++;
			r->remembered += shadow != 0;
			f = frame_for_miss(ft, ops, pol, r, err, errlen);
			if (f == NONE)
				return -1;
			ft->owner[f] = page;
			ft->where[page] = f;
			ft->dirty[f] = t->refs[i].write;
			ft->accessed[f] = fault_bit;
			ops->insert(pol, f, shadow);
			continue;
		}
		ft->accessed[f] = 1;
		ft->dirty[f] |= t->refs[i].write;
	}
	if (ops->tracked(pol) != ft->used) {
		pagesim_error(err, errlen, "policy %s: tracks %u frames at the end, %u hold pages",
			ops->name, ops->tracked(pol), ft->used);
		return -1;
	}
	return 0;
}

uint8_t sim_fault_bit(const struct policy_ops *ops, enum sim_insert_bit bit)
{
	if (bit == SIM_BIT_POLICY)
		return ops->fault_counts != 0;
	return bit == SIM_BIT_SET;
}

int sim_policy(const struct trace *t, const struct policy_ops *ops, const struct sim_params *p,
	       struct sim_result *r, char *err, size_t errlen)
{
	struct frame_table ft;
	struct policy *pol = NULL;
	uint32_t nframes = frames_needed(t, p->frames);
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->refs = t->nrefs;
	if (!p->frames) {
		pagesim_error(err, errlen, "frames must be at least 1");
		return -1;
	}
	if (frames_init(&ft, t, nframes, policy_shadows_per_frame(ops)) ||
	    !(pol = ops->create(nframes, p->seed)))
		pagesim_error(err, errlen, "policy %s: out of memory for %u frames", ops->name, nframes);
	else
		ret = replay_policy(t, &ft, ops, pol, sim_fault_bit(ops, p->insert_bit), r, err,
				    errlen);
	if (pol)
		ops->destroy(pol);
	frames_fini(&ft);
	return ret;
}

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
	l.prev = alloc_array(t->npages, sizeof(*l.prev));
	l.next = alloc_array(t->npages, sizeof(*l.next));
	resident = alloc_array(t->npages, 1);
	dirty = alloc_array(t->npages, 1);
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
	size_t *next = alloc_array(t->nrefs, sizeof(*next));
	size_t *last = alloc_array(t->npages, sizeof(*last));

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
	uint32_t nframes = frames_needed(t, frames);
	uint8_t *dirty = alloc_array(t->npages, 1);
	struct opt_heap h = {
		.heap = alloc_array(nframes, sizeof(uint32_t)),
		.pos = alloc_array(t->npages, sizeof(uint32_t)),
		.key = alloc_array(t->npages, sizeof(size_t)),
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
		fill_none(h.pos, t->npages);
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
