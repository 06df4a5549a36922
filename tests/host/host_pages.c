/*
 * The host tests' source of pages of objects (host_pages.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/slab.h"
#include "host_pages.h"

#define PG 4096

long host_pages_out;
int host_pages_refuse;

static void *take(void)
{
	void *p;

	if (host_pages_refuse)
		return NULL;
	p = aligned_alloc(PG, PG);
	assert_non_null(p);
	memset(p, HOST_PAGES_DIRT, PG);	/* as a frame's old contents: slab.h asks no zeroing */
	host_pages_out++;
	return p;
}

static void give(void *page)
{
	host_pages_out--;
	free(page);
}

void host_pages_source(void)
{
	slab_set_page_source(take, give);
}
