/*
 * An object read after slab_free (pager/base/slab.c) must be reported by
 * ASan, as a use after free() is: meson expects this program to abort
 * (should_fail). It exits 0, and so fails, if the free object is readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/slab.h"

#define PG 4096

struct object {
	uint64_t word[16];
};

static void *take(void)
{
	return aligned_alloc(PG, PG);
}

static void give(void *page)
{
	free(page);
}

int main(void)
{
	static struct slab_cache objects = SLAB_CACHE(struct object);
	volatile struct object *a, *b;

	slab_set_page_source(take, give);
	a = slab_alloc(&objects);
	b = slab_alloc(&objects);	/* the page stays in use */
	if (!a || !b)
		return 1;
	a->word[5] = 7;
	slab_free(&objects, (void *)a);
	printf("read after free: %lu\n", (unsigned long)a->word[5]);
	return 0;
}
