/*
 * The record of dropped program pages (dropped.h): a table indexed by a
 * hash of the key, one record a bucket, the newest winning. Plain C.
 */
#include <stdlib.h>
#include "reclaim/dropped.h"

struct record {
	uint64_t key;		/* 0: empty */
	struct dropped_page d;
};

static struct record *table;
static uint32_t mask;		/* entries - 1 */

/* Keys are addresses of pages in the program files, so their low 12 bits
 * say little: a multiplicative hash spreads the page numbers. */
static uint32_t bucket(uint64_t key)
{
	return (uint32_t)(((key >> 12) * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

int dropped_init(uint32_t entries)
{
	uint32_t n = 1;

	dropped_fini();
	while (n < entries && n < (1u << 31))
		n <<= 1;
	if (!(table = calloc(n, sizeof(*table))))
		return -1;
	mask = n - 1;
	return 0;
}

void dropped_fini(void)
{
	free(table);
	table = NULL;
	mask = 0;
}

void dropped_keep(uint64_t key, struct dropped_page d)
{
	if (!table || key == 0)
		return;
	table[bucket(key)] = (struct record){ key, d };
}

int dropped_take(uint64_t key, struct dropped_page *d)
{
	struct record *r;

	if (!table || key == 0)
		return 0;
	r = &table[bucket(key)];
	if (r->key != key)
		return 0;
	*d = r->d;
	r->key = 0;
	return 1;
}
