/*
 * The swap cache: which frame holds the page of which swap slot while the
 * two are tied (being written, being read, or clean with a valid copy), so
 * a fault finds the frame instead of the disk and no read races a write.
 */
#ifndef PAGER_SWAP_CACHE_H
#define PAGER_SWAP_CACHE_H

#include <stdint.h>

/*
 * An entry's life:
 *   add WRITING (eviction started) -> write ok: CLEAN, failed: remove
 *   add READING (swap-in started)  -> read ok:  CLEAN, failed: remove
 *   CLEAN -> remove: the frame is dropped without another write, or the page
 *            was dirtied and the copy on disk is stale (put the slot then)
 */
enum swap_cache_state {
	SWAP_CACHE_NONE = 0,		/* not in the cache (lookups) */
	/* The frame's data is going to the slot. The frame is the page: a
	 * fault maps it (read-only, so the copy being written stays the
	 * page's) and must never read the slot, whose data is not there yet. */
	SWAP_CACHE_WRITING = 1,
	/* The slot's data is coming into the frame: a fault waits for it
	 * rather than start a second read; nothing may map the frame yet. */
	SWAP_CACHE_READING = 2,
	/* Frame and slot hold the same data: the frame can be freed without
	 * a write, and brought back from the slot. */
	SWAP_CACHE_CLEAN = 3
};

struct swap_cache;

struct swap_cache_entry {
	uint32_t slot;
	uint64_t pa;			/* the frame's physical address */
	enum swap_cache_state state;
};

/* A cache for at most max_entries pairs (each frame holds at most one slot:
 * the number of frames is enough). NULL if malloc fails or max is 0. */
struct swap_cache *swap_cache_create(uint32_t max_entries);
void swap_cache_destroy(struct swap_cache *c);

/* Tie slot and frame in state WRITING or READING. 0, or -1 if either is
 * already in the cache, slot or pa is 0, the state is another, or the cache
 * is full. */
int swap_cache_add(struct swap_cache *c, uint32_t slot, uint64_t pa,
		   enum swap_cache_state state);
/* The I/O on slot finished well: WRITING or READING becomes CLEAN. 0, or -1
 * if the slot is not in the cache or is CLEAN already. */
int swap_cache_io_done(struct swap_cache *c, uint32_t slot);
/* Untie slot from its frame. 0, or -1 if it is not in the cache. */
int swap_cache_remove(struct swap_cache *c, uint32_t slot);

/* The entry for a slot / a frame: its state, and *e filled if e is not NULL;
 * SWAP_CACHE_NONE if there is none. */
enum swap_cache_state swap_cache_find_slot(const struct swap_cache *c, uint32_t slot,
					   struct swap_cache_entry *e);
enum swap_cache_state swap_cache_find_frame(const struct swap_cache *c, uint64_t pa,
					    struct swap_cache_entry *e);

/* Entries in a state (SWAP_CACHE_NONE: all of them). */
uint32_t swap_cache_count(const struct swap_cache *c, enum swap_cache_state state);

/* 0 if both hash chains reach every entry exactly once and the counts
 * agree, else -1 (tests). */
int swap_cache_check(const struct swap_cache *c);

#endif
