/*
 * Sparse page arrays (pagevec.h): a sorted array of chunk pointers, found
 * by binary search. Each chunk counts its non-zero entries and is freed
 * when the count falls to 0, so memory follows the pages in use.
 */
#include <stdlib.h>
#include <string.h>
#include "base/heap_alloc.h"
#include "base/slab.h"
#include "vm/pagevec.h"

struct pv_chunk {
	uint64_t first;		/* index of e[0], a multiple of PV_CHUNK */
	uint32_t used;		/* entries not 0 */
	uint32_t held;		/* pv_hold's: kept while not 0 */
	uint32_t e[PV_CHUNK];
};

/* Chunks in pages of their own (base/slab.h): an array's chunks freed go
 * back to the frame pool once their page is empty, not to malloc's heap,
 * which keeps its high-water mark. */
static struct slab_cache chunks = SLAB_CACHE(struct pv_chunk);
_Static_assert(sizeof(struct pv_chunk) <= SLAB_OBJECT_MAX, "a chunk fits a slab page");

/* The position of the first chunk whose first index is >= base. */
static uint32_t lower_bound(const struct pagevec *v, uint64_t base)
{
	uint32_t lo = 0, hi = v->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v->chunks[mid]->first < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The chunk whose first index is base, searched for; NULL if none. Where
 * no chunk is missing below base (a region in use end to end, the usual
 * case), base's chunk sits at its distance from the first one: that place
 * is tried before the binary search (random faults over a large region
 * miss the hint; measured: ~42 -> ~8 instructions a search). The chunk
 * found becomes the hint, a look-up as much as a set: a fault's steps, or
 * an eviction's, each look its page up again (shift made ~3.7 searches a
 * page read back while only sets moved the hint). The hint is a cache,
 * not v's contents, so even a look-up through a const v may move it. */
__attribute__((noinline)) static struct pv_chunk *search(const struct pagevec *v, uint64_t base)
{
	uint64_t guess = v->n ? (base - v->chunks[0]->first) / PV_CHUNK : 0;
	struct pv_chunk *c = NULL;
	uint32_t k;

	if (guess < v->n && v->chunks[guess]->first == base) {
		c = v->chunks[guess];	/* below the first, guess wraps past n */
	} else {
		k = lower_bound(v, base);
		if (k < v->n && v->chunks[k]->first == base)
			c = v->chunks[k];
	}
	if (c)
		((struct pagevec *)v)->last = c;
	return c;
}

/* The chunk holding index i; NULL if none. The hint answers most calls
 * (a fault's pages are near the last one's), without search's frame. */
static struct pv_chunk *find(const struct pagevec *v, uint64_t i)
{
	uint64_t base = i - i % PV_CHUNK;

	if (v->last && v->last->first == base)
		return v->last;
	return search(v, base);
}

uint32_t pv_get(const struct pagevec *v, uint64_t i)
{
	const struct pv_chunk *c = find(v, i);

	return c ? c->e[i % PV_CHUNK] : 0;
}

/* v's budget gains (or, negative, loses) bytes. */
static void charge(struct pagevec *v, int64_t bytes)
{
	if (v->budget)
		v->budget->bytes += (uint64_t)bytes;
}

/* The chunk pointers v's array holds once it grows. */
static uint32_t next_cap(const struct pagevec *v)
{
	return v->cap ? v->cap * 2 : 4;
}

/* Whether v's budget has room for a chunk more (and its pointer array's
 * growth). */
static int budget_room(const struct pagevec *v)
{
	const struct pv_budget *b = v->budget;
	uint64_t more = pv_chunk_bytes() +
			(v->n < v->cap ? 0 : (next_cap(v) - v->cap) * sizeof(*v->chunks));

	return !b || !b->max || b->bytes + more <= b->max;
}

/* Room for one more chunk pointer; 0 or -1. */
static int grow(struct pagevec *v)
{
	uint32_t cap = next_cap(v);
	struct pv_chunk **p;

	if (v->n < v->cap)
		return 0;
	if (!(p = heap_realloc(v->chunks, cap * sizeof(*p))))
		return -1;
	charge(v, (int64_t)((cap - v->cap) * sizeof(*p)));
	v->chunks = p;
	v->cap = cap;
	return 0;
}

/* A new chunk (all 0) for index i, in its place; or NULL, and *err why.
 * Out of line: chunk_for's usual path saves no registers. */
__attribute__((noinline)) static struct pv_chunk *new_chunk(struct pagevec *v, uint64_t i,
							    int *err)
{
	uint64_t base = i - i % PV_CHUNK;
	struct pv_chunk *c;
	uint32_t k;

	if (!budget_room(v)) {
		*err = PV_AT_BOUND;
		return NULL;
	}
	if (grow(v) < 0 || !(c = heap_slab_alloc(&chunks))) {
		*err = PV_HEAP_SHORT;
		return NULL;
	}
	charge(v, (int64_t)pv_chunk_bytes());
	c->first = base;
	k = lower_bound(v, base);
	memmove(&v->chunks[k + 1], &v->chunks[k], (v->n - k) * sizeof(*v->chunks));
	v->chunks[k] = c;
	v->n++;
	return c;
}

/* chunk_for past the hint: searched for, or made. Out of line, so that
 * the hint's path is a leaf that saves no registers (err, kept across
 * the search for new_chunk, cost every call three instructions). */
__attribute__((noinline)) static struct pv_chunk *chunk_search(struct pagevec *v, uint64_t i,
							       int *err)
{
	struct pv_chunk *c = search(v, i - i % PV_CHUNK);

	if (!c && !(c = new_chunk(v, i, err)))
		return NULL;
	return v->last = c;
}

/* The chunk holding index i, made (all 0) if need be; or NULL, and *err
 * why. It becomes the hint. */
static inline struct pv_chunk *chunk_for(struct pagevec *v, uint64_t i, int *err)
{
	struct pv_chunk *c = v->last;

	if (c && c->first == i - i % PV_CHUNK)
		return c;
	return chunk_search(v, i, err);
}

/* Free chunk k (all its entries are 0). */
static void drop_chunk(struct pagevec *v, uint32_t k)
{
	if (v->last == v->chunks[k])
		v->last = NULL;
	slab_free(&chunks, v->chunks[k]);
	charge(v, -(int64_t)pv_chunk_bytes());
	memmove(&v->chunks[k], &v->chunks[k + 1], (v->n - k - 1) * sizeof(*v->chunks));
	v->n--;
}

int pv_reserve(struct pagevec *v, uint64_t i)
{
	int err;

	return chunk_for(v, i, &err) ? 0 : err;
}

/* c goes if nothing keeps it: no entry, no hold; during a walk, once the
 * walk is over (pv_each). */
static void drop_if_unused(struct pagevec *v, const struct pv_chunk *c)
{
	if (c->used || c->held)
		return;
	if (v->walks) {
		v->emptied = 1;	/* a flag, not a count: the same chunk may
				 * be left empty again and again */
		return;
	}
	drop_chunk(v, lower_bound(v, c->first));
}

void pv_unreserve(struct pagevec *v, uint64_t i)
{
	struct pv_chunk *c = find(v, i);

	if (c)
		drop_if_unused(v, c);
}

struct pv_chunk *pv_hold(struct pagevec *v, uint64_t i, int *err)
{
	struct pv_chunk *c = chunk_for(v, i, err);

	if (c)
		c->held++;
	return c;
}

void pv_unhold(struct pagevec *v, struct pv_chunk *c)
{
	c->held--;
	drop_if_unused(v, c);
}

/* A clearing set makes its chunk the hint too: an unmap's walk clears page
 * after page of one chunk, and reads each before it clears it. */
int pv_set(struct pagevec *v, uint64_t i, uint32_t e)
{
	int err = 0;	/* a clear needs no chunk: nothing to set without one */
	struct pv_chunk *c = e ? chunk_for(v, i, &err) : find(v, i);
	uint32_t *slot;

	if (!c)
		return err;
	v->last = c;
	slot = &c->e[i % PV_CHUNK];
	c->used += (e != 0) - (*slot != 0);
	*slot = e;
	drop_if_unused(v, c);
	return 0;
}

/* The hint's chunk when it holds i (a reserve or a set there just now):
 * no search, and no call that would make its callers keep a frame. */
int pv_put(struct pagevec *v, uint64_t i, uint32_t e)
{
	struct pv_chunk *c = v->last;
	uint32_t *slot;

	if (!e || !c || c->first != i - i % PV_CHUNK)
		return pv_set(v, i, e);	/* the hint moves to its chunk; a clear may free it */
	slot = &c->e[i % PV_CHUNK];
	c->used += (*slot == 0);
	*slot = e;
	return 0;
}

/* pv_put's way, with the hint's chunk checked once for all the pages of
 * the run it holds (idx[] rises; below its first, idx[m] - c->first wraps
 * to a large number), and no call a page (measured: first touch 1,138 ->
 * 1,135 a page; a call a page cost ~70 instructions a fault-around fault). */
void pv_set_run(struct pagevec *v, const uint64_t *idx, const uint32_t *e, unsigned n)
{
	unsigned m = 0;

	while (m < n) {
		struct pv_chunk *c = v->last;

		if (!c || idx[m] - c->first >= PV_CHUNK) {
			(void)pv_set(v, idx[m], e[m]);	/* reserved: cannot fail */
			m++;
			continue;
		}
		uint32_t used = c->used;	/* in a register: the entries' stores may alias it */

		for (; m < n && idx[m] - c->first < PV_CHUNK; m++) {
			uint32_t *slot = &c->e[idx[m] - c->first];

			used += (*slot == 0);
			*slot = e[m];
		}
		c->used = used;
	}
}

/* The hint's chunk first, without the search, when it holds i: an unmap's
 * walk asks for the page after the one it just cleared there. */
uint64_t pv_next(const struct pagevec *v, uint64_t i, uint64_t end)
{
	const struct pv_chunk *h = v->last;

	if (h && i >= h->first && i < h->first + PV_CHUNK) {
		for (; i < h->first + PV_CHUNK && i < end; i++)
			if (h->e[i - h->first])
				return i;
		if (i >= end)
			return end;
	}
	for (uint32_t k = lower_bound(v, i - i % PV_CHUNK); k < v->n; k++) {
		const struct pv_chunk *c = v->chunks[k];
		uint64_t j = i > c->first ? i : c->first;
		if (j >= end)
			return end;
		for (; j < c->first + PV_CHUNK && j < end; j++)
			if (c->e[j - c->first])
				return j;
	}
	return end;
}

/* A chunk at a time, its entries read in place: fault-around asks about
 * the few pages after a fault, most in one chunk, and pv_get for each cost
 * ~20 instructions a page. Each pass looks at no more pages than it may
 * still take, so its loop tests one bound, not two, and writes through a
 * pointer (~14 -> 7 instructions a page; first touch 1,091 -> 1,085 with
 * pv_set_run's count in a register); a pass that met present pages is
 * followed by another (the hint finds the chunk). */
unsigned pv_absent(const struct pagevec *v, uint64_t from, uint64_t to, uint64_t *idx,
		   unsigned max)
{
	uint64_t *out = idx, *const full = idx + max;

	while (from < to && out < full) {
		const struct pv_chunk *c = find(v, from);
		uint64_t end = from - from % PV_CHUNK + PV_CHUNK;

		if (end > to)
			end = to;
		if (end - from > (uint64_t)(full - out))
			end = from + (uint64_t)(full - out);
		if (!c) {
			while (from < end)
				*out++ = from++;
			continue;
		}
		for (const uint32_t *e = &c->e[from % PV_CHUNK]; from < end; from++, e++)
			if (!*e)
				*out++ = from;
	}
	return (unsigned)(out - idx);
}

/* The chunks a walk left empty go once every walk is over. Out of line
 * and cold: pv_each stays small enough to take its callback inline. */
__attribute__((noinline, cold)) static void drop_emptied(struct pagevec *v)
{
	v->emptied = 0;
	for (uint32_t k = v->n; k-- > 0;)
		if (!v->chunks[k]->used && !v->chunks[k]->held)
			drop_chunk(v, k);
}

uint32_t pv_walk_begin(struct pagevec *v, uint64_t from)
{
	v->walks++;
	return lower_bound(v, from - from % PV_CHUNK);
}

int pv_walk_chunk(const struct pagevec *v, uint32_t k, uint64_t *first, const uint32_t **e)
{
	if (k >= v->n)
		return 0;
	*first = v->chunks[k]->first;
	*e = v->chunks[k]->e;
	return 1;
}

void pv_walk_clear(struct pagevec *v, uint32_t k, uint64_t i)
{
	struct pv_chunk *c = v->chunks[k];

	c->e[i - c->first] = 0;	/* not 0 before: pagevec.h's contract */
	if (--c->used == 0 && !c->held)
		v->emptied = 1;	/* a flag: a count could wrap to 0 */
}

void pv_walk_end(struct pagevec *v)
{
	if (--v->walks == 0 && v->emptied)
		drop_emptied(v);
}

/* Counting walks is bookkeeping, not an entry: taken through the const,
 * as find's hint is. */
int pv_each(const struct pagevec *cv, uint64_t from, uint64_t to, pv_fn *fn, void *ctx)
{
	struct pagevec *v = (struct pagevec *)cv;
	const uint32_t *e;
	uint64_t first;
	int r = 0;

	for (uint32_t k = pv_walk_begin(v, from); !r && pv_walk_chunk(v, k, &first, &e); k++) {
		uint64_t j = from > first ? from : first;

		if (j >= to)
			break;
		for (; j < first + PV_CHUNK && j < to && !r; j++)
			r = e[j - first] ? fn(ctx, j, e[j - first]) : 0;
	}
	pv_walk_end(v);
	return r;
}

/* A chunk wholly inside [from, to) is counted by its used; only the
 * chunks the ends cut are looked through (fork counts whole regions). */
uint64_t pv_count(const struct pagevec *v, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	for (uint32_t k = lower_bound(v, from - from % PV_CHUNK); k < v->n; k++) {
		const struct pv_chunk *c = v->chunks[k];
		if (c->first >= to)
			break;
		if (c->first >= from && c->first + PV_CHUNK <= to) {
			n += c->used;
			continue;
		}
		for (uint64_t j = from > c->first ? from : c->first; j < c->first + PV_CHUNK && j < to; j++)
			n += c->e[j - c->first] != 0;
	}
	return n;
}

void pv_truncate(struct pagevec *v, uint64_t n)
{
	for (uint64_t i = pv_next(v, n, UINT64_MAX); i != UINT64_MAX;
	     i = pv_next(v, i + 1, UINT64_MAX))
		pv_set(v, i, 0);
}

/* Every chunk the tail needs is made before any entry is copied: making
 * one may reclaim (base/heap_alloc.h), which may evict or drop v's pages
 * (a frame freed, its entry a slot or 0); an entry copied before that
 * would name the freed frame. While the chunks are made v alone holds the
 * entries, so the copy reads them as reclaim left them, and allocates
 * nothing; a chunk reserved for an entry reclaim cleared goes. The
 * tail's chunks are charged but not held to the line's bound: they take
 * the place of v's from `at` on, which pv_truncate frees at once (a
 * chunk more where `at` falls inside one), and a munmap, which splits, is
 * how a line at its bound gives memory back. */
int pv_split(struct pagevec *v, uint64_t at, struct pagevec *tail)
{
	struct pv_budget *b = tail->budget;
	int r = 0;

	tail->budget = NULL;	/* made outside the bound, charged once made */
	for (uint64_t i = pv_next(v, at, UINT64_MAX); i != UINT64_MAX && r == 0;
	     i = pv_next(v, i + 1, UINT64_MAX))
		r = pv_reserve(tail, i - at);
	if (r < 0) {
		pv_free(tail);
		tail->budget = b;
		return PV_HEAP_SHORT;	/* no bound held it: the heap's */
	}
	tail->budget = b;
	charge(tail, (int64_t)pv_bytes(tail));
	for (uint64_t i = pv_next(v, at, UINT64_MAX); i != UINT64_MAX;
	     i = pv_next(v, i + 1, UINT64_MAX))
		pv_set(tail, i - at, pv_get(v, i));	/* reserved: cannot fail */
	drop_emptied(tail);
	pv_truncate(v, at);
	return 0;
}

void pv_free(struct pagevec *v)
{
	for (uint32_t k = 0; k < v->n; k++)
		slab_free(&chunks, v->chunks[k]);
	free(v->chunks);
	charge(v, -(int64_t)pv_bytes(v));
	*v = (struct pagevec){ .budget = v->budget };
}

uint64_t pv_bytes(const struct pagevec *v)
{
	return v->cap * sizeof(*v->chunks) + (uint64_t)v->n * pv_chunk_bytes();
}

uint64_t pv_chunk_bytes(void)
{
	return slab_object_bytes(&chunks);
}
