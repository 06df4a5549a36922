/*
 * pagesim's one allocation that cannot fail: the command-line files'
 * arrays (options, frame counts, results, the report's table), whose
 * shortage ends the program. Here alone, so those files need not call one
 * another for it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pagesim.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = sim_calloc(n, size);

	if (!p) {
		fputs("pagesim: out of memory\n", stderr);
		exit(1);
	}
	return p;
}
