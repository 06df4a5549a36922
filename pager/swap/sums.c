/*
 * Per-slot checksums (sums.h): the table, 4 bytes a slot, and the hash.
 * The hash guards against stale or corrupt data, not an adversary: anyone
 * who can write the export can write a page with the right hash (it is no
 * MAC), and can do worse anyway.
 */
#include <errno.h>
#include <stdlib.h>

#include "swap/sums.h"

#define PAGE_WORDS (4096 / sizeof(uint64_t))
#define MUL 0x9e3779b97f4a7c15ull	/* odd: multiplying by it is a bijection */

/* One word into the state: each step is a bijection of the state for a
 * given word (xor, an odd multiply, an xorshift), so two pages that differ
 * in one word only always end in different 64-bit states; the shift
 * carries the high bits down, which the multiply alone never does. */
static uint64_t step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MUL;
	return h ^ (h >> 32);
}

/* MurmurHash3's 64-bit finaliser: every bit of the state reaches the 32
 * kept. */
static uint64_t fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* Word by word, the slot's position left out: a page read from another
 * slot than its own is another page's data, whose hash differs anyway. */
uint32_t swap_sum_page(const void *page)
{
	const uint64_t *w = page;
	uint64_t h = 0x6a09e667f3bcc908ull;	/* any start but 0 */

	/* Four words a round: the loop's own two instructions a word were two
	 * of seven on RV64 (the pager is built with -flto, whose link drops
	 * GCC's unroll pragma). */
	for (unsigned i = 0; i < PAGE_WORDS; i += 4) {
		h = step(h, w[i]);
		h = step(h, w[i + 1]);
		h = step(h, w[i + 2]);
		h = step(h, w[i + 3]);
	}
	h = fmix(h);
	uint32_t s = (uint32_t)(h ^ (h >> 32));

	return s ? s : 1;	/* 0 means unknown: 1 stands for it */
}

int swap_sums_init(struct swap_sums *s, uint32_t nslots)
{
	s->sum = calloc(nslots ? nslots : 1, sizeof(*s->sum));
	s->nslots = s->sum ? nslots : 0;
	return s->sum ? 0 : -ENOMEM;
}

void swap_sums_fini(struct swap_sums *s)
{
	free(s->sum);
	s->sum = NULL;
	s->nslots = 0;
}

/* Each slot's entry is written only by the thread moving its page (one
 * at a time: a slot is not read while it is written, nor written by two),
 * with or without the pager lock: an aligned 32-bit store, whole. */
void swap_sums_forget(struct swap_sums *s, uint32_t slot)
{
	if (slot < s->nslots)
		s->sum[slot] = 0;
}

void swap_sums_keep(struct swap_sums *s, uint32_t slot, const void *page)
{
	if (slot < s->nslots)
		s->sum[slot] = swap_sum_page(page);
}

uint32_t swap_sums_of(const struct swap_sums *s, uint32_t slot)
{
	return slot < s->nslots ? s->sum[slot] : 0;
}

int swap_sums_check(const struct swap_sums *s, uint32_t slot, const void *page)
{
	if (slot >= s->nslots || s->sum[slot] == 0)
		return 0;
	return swap_sum_page(page) == s->sum[slot] ? 0 : -1;
}
