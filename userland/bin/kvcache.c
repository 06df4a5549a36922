/*
 * kvcache on|off PAGES HOGPAGES: an in-memory key-value cache serving
 * lookups while a hog (hog take HOGPAGES) runs beside it. With "on" it gives
 * slabs back when the pager reports pressure and leaves its cold half
 * discardable, so the hog's memory need not come from swap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exit_report.h"
#include "pager_client.h"
#include "sys.h"

#define PAGE_BYTES 4096
#define PAGE_WORDS 512		/* 64-bit words per page: one value each */
#define SLAB_PAGES 64		/* pages per mmap: the unit given back */
#define SLAB_BYTES (SLAB_PAGES * PAGE_BYTES)
#define LOOKUPS 4		/* keys read per round while the hog runs */

/* Slabs [0, nhot) are hot: locked, read by lookups. The others are cold:
 * in mode "on" unlocked, read only at the end (after a lock). Slabs are
 * given back from the end of each half, so the live ones of a half always
 * form a prefix of it and a random key needs no search. */
struct cache {
	uint64_t **slab;	/* NULL: given back */
	size_t nslabs, nhot;
	size_t live_hot, live_cold;
	int note;		/* pressure notification; -1 in mode "off" */
	uint64_t dropped;	/* slabs given back on pressure events */
	uint64_t discarded;	/* cold slabs the pager dropped */
	uint64_t stale;		/* words that did not hold their value */
	uint64_t rng;
};

/* Every word of every value differs, so a page read in the wrong place,
 * a lost page (zeros) or a partial write all show. */
static uint64_t value_word(uint64_t key, uint64_t word)
{
	return (key * 0x9e3779b97f4a7c15ULL) ^ (word << 40) ^ word ^ 0x6b76;
}

/* xorshift64: reproducible lookups with no state in the C library. */
static uint64_t next_random(struct cache *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static uint64_t *value_at(struct cache *c, uint64_t key)
{
	return c->slab[key / SLAB_PAGES] + (key % SLAB_PAGES) * PAGE_WORDS;
}

static void write_value(struct cache *c, uint64_t key)
{
	uint64_t *v = value_at(c, key);

	for (uint64_t w = 0; w < PAGE_WORDS; w++)
		v[w] = value_word(key, w);
}

static void check_value(struct cache *c, uint64_t key)
{
	const uint64_t *v = value_at(c, key);

	for (uint64_t w = 0; w < PAGE_WORDS; w++)
		c->stale += v[w] != value_word(key, w);
}

static void fill_slab(struct cache *c, size_t s)
{
	for (uint64_t k = 0; k < SLAB_PAGES; k++)
		write_value(c, s * SLAB_PAGES + k);
}

static void check_slab(struct cache *c, size_t s)
{
	for (uint64_t k = 0; k < SLAB_PAGES; k++)
		check_value(c, s * SLAB_PAGES + k);
}

/* 0, or -1 if a slab could not be mapped (the message is printed). */
static int fill(struct cache *c)
{
	for (size_t s = 0; s < c->nslabs; s++) {
		void *p = mmap(NULL, SLAB_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("kvcache: cannot map slab %lu\n", (unsigned long)s);
			return -1;
		}
		c->slab[s] = p;
		fill_slab(c, s);
	}
	return 0;
}

/* Subscribe to pressure events and let the pager drop the cold half
 * without writing it: those values can be rebuilt, swap would only keep
 * what is cheaper to make again. 0, or -1 (the message is printed). */
static int listen_and_unlock(struct cache *c)
{
	c->note = sys_notify_create();
	if (c->note < 0 || pager_pressure_subscribe(c->note) < 0) {
		printf("kvcache: cannot subscribe to pressure events\n");
		return -1;
	}
	for (size_t s = c->nhot; s < c->nslabs; s++)
		if (pager_discard_unlock(c->slab[s], SLAB_BYTES) < 0) {
			printf("kvcache: cannot unlock slab %lu\n", (unsigned long)s);
			return -1;
		}
	return 0;
}

static void give_back(struct cache *c, size_t s)
{
	munmap(c->slab[s], SLAB_BYTES);
	c->slab[s] = NULL;
	c->dropped++;
}

/* Hot slabs first: the pager would have to write them to swap, while the
 * cold ones it can already drop for nothing. One hot slab stays so the
 * cache still serves; the cold half is the last resort. */
static void shrink(struct cache *c, uint64_t target)
{
	uint64_t freed = 0;

	while (freed < target && c->live_hot > 1) {
		give_back(c, --c->live_hot);
		freed += SLAB_PAGES;
	}
	while (freed < target && c->live_cold > 0) {
		give_back(c, c->nhot + --c->live_cold);
		freed += SLAB_PAGES;
	}
}

/* Answer the pager's events since the last round, if any. */
static void on_pressure(struct cache *c)
{
	uint64_t mask = PAGER_PRESSURE_BIT(PAGER_PRESSURE_LOW) |
			PAGER_PRESSURE_BIT(PAGER_PRESSURE_CRITICAL);
	uint64_t target = 0;
	long bits;

	if (c->note < 0)
		return;
	bits = sys_notify_poll(c->note);
	if (bits <= 0 || !((uint64_t)bits & mask))
		return;
	/* The level may have moved since the event: ask what is wanted now. */
	if (pager_pressure_level(&target, NULL) > PAGER_PRESSURE_NORMAL)
		shrink(c, target);
}

static void lookup_round(struct cache *c)
{
	uint64_t keys = c->live_hot * SLAB_PAGES;

	for (int i = 0; i < LOOKUPS; i++)
		check_value(c, next_random(c) % keys);
}

/* Serve lookups until the hog ends; its end is left in *info. */
static void serve(struct cache *c, int hog, struct exit_info *info)
{
	for (;;) {
		memset(info, 0, sizeof(*info));
		if (sys_proc_wait(hog, info, WAIT_NOHANG) < 0 ||
		    info->how != EXIT_RUNNING)
			return;
		lookup_round(c);
		on_pressure(c);
		sys_yield();	/* the hog's turn */
	}
}

/* A cold slab is only read locked; if the pager dropped any of it, all of
 * it is rebuilt, since its surviving pages cannot be told from lost ones
 * without trusting old contents. */
static void check_cold(struct cache *c, size_t s)
{
	int lost = pager_discard_lock(c->slab[s], SLAB_BYTES);

	if (lost < 0) {
		printf("kvcache: cannot lock slab %lu\n", (unsigned long)s);
		c->stale += SLAB_PAGES * PAGE_WORDS;
		return;
	}
	if (lost) {
		c->discarded++;
		fill_slab(c, s);
	}
	check_slab(c, s);
}

static void check_all(struct cache *c)
{
	for (size_t s = 0; s < c->live_hot; s++)
		check_slab(c, s);
	for (size_t s = c->nhot; s < c->nhot + c->live_cold; s++) {
		if (c->note >= 0)
			check_cold(c, s);
		else
			check_slab(c, s);	/* never unlocked */
	}
}

static int start_hog(const char *pages)
{
	const char *const argv[] = { "hog", "take", pages, NULL };
	int h = spawn("hog", argv, -1, NULL);

	if (h < 0)
		printf("kvcache: cannot start the hog: error %d\n", -h);
	return h;
}

static int report(struct cache *c, const char *mode, const struct exit_info *hog)
{
	char how[96];
	int hog_ok = hog->how == EXIT_NORMAL && hog->status == 0;

	if (!hog_ok)
		printf("kvcache: the hog %s\n", exit_describe(hog, how, sizeof(how)));
	printf("kvcache (%s): %lu slabs kept, %lu dropped on events, "
	       "%lu discarded by the pager, %lu stale words\n", mode,
	       (unsigned long)(c->live_hot + c->live_cold), (unsigned long)c->dropped,
	       (unsigned long)c->discarded, (unsigned long)c->stale);
	return c->stale == 0 && hog_ok ? 0 : 1;
}

static int usage(void)
{
	printf("usage: kvcache on|off PAGES HOGPAGES (PAGES at least %d)\n",
	       2 * SLAB_PAGES);
	return 2;
}

int main(int argc, char **argv)
{
	struct cache c = { .note = -1, .rng = 0x2545f4914f6cdd1dULL };
	struct exit_info hog_end;
	int on, hog;

	if (argc != 4 || atol(argv[2]) < 2 * SLAB_PAGES || atol(argv[3]) <= 0)
		return usage();
	on = strcmp(argv[1], "on") == 0;
	if (!on && strcmp(argv[1], "off") != 0)
		return usage();
	c.nslabs = (size_t)atol(argv[2]) / SLAB_PAGES;
	c.nhot = c.live_hot = c.nslabs / 2;
	c.live_cold = c.nslabs - c.nhot;
	c.slab = calloc(c.nslabs, sizeof(*c.slab));
	if (!c.slab || fill(&c) < 0 || (on && listen_and_unlock(&c) < 0))
		return 1;
	if ((hog = start_hog(argv[3])) < 0)
		return 1;
	serve(&c, hog, &hog_end);
	sys_handle_close(hog);
	check_all(&c);
	return report(&c, argv[1], &hog_end);
}
