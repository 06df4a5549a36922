/*
 * Sparse page arrays: a region's or a shared object's 32-bit page entries
 * (vm/internal.h), kept in chunks of PV_CHUNK entries that exist only while
 * one of their entries is not 0. The pager's memory for them follows the
 * pages a process has touched, not the size of what it mapped: a 1 GiB
 * mapping with one page touched costs one chunk, not a 1 MiB array.
 */
#ifndef PAGER_PAGEVEC_H
#define PAGER_PAGEVEC_H

#include <stdint.h>

#define PV_CHUNK 256	/* entries per chunk: 1 KiB for 1 MiB of address space */

struct pv_chunk;

/* What a group of page arrays holds of the pager's heap, their chunks and
 * chunk-pointer arrays, and the most it may (0: no bound): a chunk that
 * would take it past that is refused (PV_AT_BOUND). Its holders are the
 * VM core's to count (array_budget.h). */
struct pv_budget {
	uint64_t bytes, max;
	uint32_t holders;
};

/* Why a chunk could not be made, the call that needed it says: the
 * pager's heap was short, or the array's budget is at its bound. A
 * result, not a mark left on the budget: the caller whose request fails
 * tells the two apart there (a fault's answer: the bound is no shortage
 * an OOM kill could mend), and one that goes on without the chunk (a
 * fault-around run cut short) has nothing left behind to forget. */
enum pv_short { PV_HEAP_SHORT = -1, PV_AT_BOUND = -2 };

/* All zero: every entry 0, charged to no budget. */
struct pagevec {
	struct pv_chunk **chunks;	/* sorted by first index */
	uint32_t n, cap;		/* chunks in use, room for */
	struct pv_chunk *last;		/* the chunk last made, set or searched
					 * for, or NULL: a page's look-ups and
					 * the next page's are mostly in the
					 * same chunk, so it is looked at
					 * before the binary search */
	uint32_t walks;			/* pv_each walks under way: no chunk is
					 * freed meanwhile (the walk's indices
					 * stay), and the empty ones go after */
	uint8_t emptied;		/* 1: a chunk was left empty under a
					 * walk, so once the last walk ends
					 * the empty chunks are looked for */
	struct pv_budget *budget;	/* charged with what v holds, or NULL */
};

/* Entry i (0 if its chunk does not exist). */
uint32_t pv_get(const struct pagevec *v, uint64_t i);
/* Set entry i to e. Setting an entry whose chunk does not exist yet to a
 * non-zero value needs a chunk: PV_HEAP_SHORT or PV_AT_BOUND (negative)
 * if it cannot be made, with nothing changed. Setting one
 * to 0 never fails; a chunk whose last entry goes is freed. */
int pv_set(struct pagevec *v, uint64_t i, uint32_t e);
/* pv_set, without a search when e is not 0 and i is in the hint's chunk
 * (the chunk last reserved or set): a fault's set after its pv_reserve. */
int pv_put(struct pagevec *v, uint64_t i, uint32_t e);
/* pv_set(v, idx[m], e[m]) for each of n entries, none 0, whose chunks
 * exist (pv_reserve): one loop for a fault-around run. */
void pv_set_run(struct pagevec *v, const uint64_t *idx, const uint32_t *e, unsigned n);
/* Make sure setting entry i cannot fail; 0, or PV_HEAP_SHORT or
 * PV_AT_BOUND. */
int pv_reserve(struct pagevec *v, uint64_t i);
/* Entry i was reserved but none was set: its chunk goes if it holds no
 * entry (no empty chunk is left for a page never mapped). */
void pv_unreserve(struct pagevec *v, uint64_t i);
/* pv_reserve, and entry i's chunk is kept, even when its last entry goes,
 * until pv_unhold: for a fault that finds its page only after it reserved
 * (finding it may reclaim, which may clear the chunk's other entries, and
 * making the chunk again then could reclaim the page found). Holds nest.
 * The chunk, or NULL and *err why (enum pv_short; written only then: a
 * pair returned by value cost a fault's path ~5 instructions a call, its
 * halves spilled to the stack). */
struct pv_chunk *pv_hold(struct pagevec *v, uint64_t i, int *err);
/* The hold on chunk c of v ends: c goes if it holds no entry and no other
 * hold. */
void pv_unhold(struct pagevec *v, struct pv_chunk *c);
/* The first index in [i, end) whose entry is not 0, or end. */
uint64_t pv_next(const struct pagevec *v, uint64_t i, uint64_t end);
/* Up to max indices in [from, to) whose entries are 0, rising, into idx;
 * how many. */
unsigned pv_absent(const struct pagevec *v, uint64_t from, uint64_t to, uint64_t *idx,
		   unsigned max);
/* fn(ctx, i, entry) for each entry in [from, to) that is not 0, in order,
 * until fn returns other than 0; returns that, or 0. One pass over the
 * chunks: for a walk over everything (vm_check, fork), where a look-up per
 * entry would cost a search each. fn may set entries of v to other
 * non-zero values, and what fn does may clear entries (reclaim, when fn
 * allocates): no chunk is freed until the walk ends, and a cleared entry
 * the walk has not reached yet is not met. */
typedef int pv_fn(void *ctx, uint64_t i, uint32_t e);
/* pv_each's steps, for a walk whose per-entry code should be inline in
 * its caller (fork's): pv_walk_begin gives the index of the first chunk
 * that may hold entries at or past from; pv_walk_chunk gives chunk k's
 * first index and entries (PV_CHUNK of them), or 0 past the last chunk;
 * pv_walk_end ends the walk. Between begin and end no chunk is freed, so
 * chunk indices and entry pointers stay good whatever the walk's code
 * clears (pv_each's promise), and entries it sets non-zero are set in
 * chunks that exist. */
uint32_t pv_walk_begin(struct pagevec *v, uint64_t from);
int pv_walk_chunk(const struct pagevec *v, uint32_t k, uint64_t *first, const uint32_t **e);
/* During a walk, entry i of chunk k (pv_walk_chunk's) becomes 0 where it
 * lies: no search, and the chunk, if left empty, goes at the walk's end.
 * The entry must not be 0 already (the caller read it non-zero and
 * nothing cleared it since: vm_pages_drop's walk allocates nothing, so
 * nothing reclaims under it): the chunk's count of entries drops by one
 * unlooked, and a second clear would count an entry that is not there. */
void pv_walk_clear(struct pagevec *v, uint32_t k, uint64_t i);
void pv_walk_end(struct pagevec *v);
int pv_each(const struct pagevec *v, uint64_t from, uint64_t to, pv_fn *fn, void *ctx);
/* Entries in [from, to) that are not 0. */
uint64_t pv_count(const struct pagevec *v, uint64_t from, uint64_t to);
/* Entries from n on become 0. */
void pv_truncate(struct pagevec *v, uint64_t n);
/* Move the entries from `at` on into empty *tail, renumbered from 0; 0, or
 * PV_HEAP_SHORT (nothing moved): the tail is not held to its budget's
 * bound. Memory for the tail may reclaim,
 * which may change v's entries meanwhile: what moves is v's entries as they
 * are once the tail has all its memory. */
int pv_split(struct pagevec *v, uint64_t at, struct pagevec *tail);
/* Every entry becomes 0 and the memory goes (v keeps its budget). */
void pv_free(struct pagevec *v);
/* Bytes of the pager's memory v holds (vm_check and tests). */
uint64_t pv_bytes(const struct pagevec *v);
/* What one chunk costs: its share of a page of chunks (three to a page,
 * base/slab.h), what describing PV_CHUNK pages costs at least. */
uint64_t pv_chunk_bytes(void);

#endif
