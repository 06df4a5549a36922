/*
 * The shadow table: the history a replacement policy keeps for pages that
 * are out of memory. Each entry maps a key (the swap slot in the pager, the
 * page number in pagesim) to the policy's 32-bit shadow word (policy.h).
 * Bounded by the RAM, not the swap: two entries per frame, 16 bytes per frame
 * in all. Set-associative; a full set forgets its oldest entry, so history
 * may be lost under pressure, as Linux's shadow shrinker loses it. Plain C.
 */
#ifndef PAGER_SWAP_SHADOW_H
#define PAGER_SWAP_SHADOW_H

#include <stddef.h>
#include <stdint.h>

#define SHADOW_PER_FRAME 2	/* entries per frame of RAM, at most */
#define SHADOW_ENTRY_BYTES 8	/* a key and a shadow word */
#define SHADOW_WAYS 16		/* entries per set */

struct shadow_table;

struct shadow_counters {
	uint64_t stored;	/* shadows kept (shadow_store with a shadow) */
	uint64_t found;		/* refaults that found theirs (shadow_take) */
	uint64_t missed;	/* shadow_take that found none */
	uint64_t lost;		/* entries pushed out of a full set */
	uint64_t forgotten;	/* entries dropped by shadow_forget (page freed) */
};

/* The bytes a table of per_frame (<= SHADOW_PER_FRAME) entries for each of
 * nframes frames takes: 8 per entry, so 16 per frame at most, and a header
 * of a few dozen. */
size_t shadow_table_bytes(uint32_t nframes, uint32_t per_frame);
/* A table of per_frame entries for each of nframes frames of RAM (a policy
 * that keeps history of its own gets fewer: policy_shadows_per_frame);
 * NULL if memory runs out. */
struct shadow_table *shadow_create(uint32_t nframes, uint32_t per_frame);
void shadow_destroy(struct shadow_table *t);
/* Keep shadow for key (an entry key had already is replaced); shadow 0
 * only forgets key. */
void shadow_store(struct shadow_table *t, uint32_t key, uint32_t shadow);
/* key's shadow, removed from the table (a refault); 0 if none is kept. */
uint32_t shadow_take(struct shadow_table *t, uint32_t key);
/* Drop key's entry, if any: its page was freed and leaves no history. */
void shadow_forget(struct shadow_table *t, uint32_t key);
/* Entries held now. */
uint32_t shadow_count(const struct shadow_table *t);
void shadow_counters(const struct shadow_table *t, struct shadow_counters *out);

#endif
