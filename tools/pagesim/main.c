/*
 * pagesim's command line: load a trace, replay it through the chosen policies
 * at one frame count or a sweep of them, print an aligned table, and write
 * the sweep as columns of numbers for scripts/plot (gnuplot) if asked.
 * Arguments are args.c's, output report.c's.
 */
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pagesim.h"

#define ERRLEN 256

/* ---- running ---- */

/* CPU seconds this process has run: the speed of the simulation itself,
 * not of a machine shared with other work. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every policy at every size: cells[size * npolicies + policy]. Failures are
 * reported as they happen; *failed counts them. */
static struct cell *run_all(const struct options *o, const struct trace *t, int *failed)
{
	struct cell *cells = xcalloc(o->nsizes * o->npolicies, sizeof(*cells));

	for (size_t s = 0; s < o->nsizes; s++) {
		for (size_t p = 0; p < o->npolicies; p++) {
			struct cell *c = &cells[s * o->npolicies + p];
			struct sim_params sp = params_of(o, o->sizes[s]);
			char err[ERRLEN];

			double start = now();

			c->ok = !sim_run(t, o->names[p], &sp, &c->r, err, sizeof(err));
			c->seconds = now() - start;
			if (!c->ok) {
				fprintf(stderr, "pagesim: %s at %u frames: %s\n", o->names[p],
					o->sizes[s], err);
				(*failed)++;
			}
		}
	}
	return cells;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct trace t;
	struct cell *cells;
	char err[ERRLEN], rule[RULE_LEN];
	int failed = 0;

	parse_args(argc, argv, &o);
	if (trace_load_with(o.trace, &o.format, &t, err, sizeof(err))) {
		fprintf(stderr, "pagesim: %s\n", err);
		return 1;
	}
	if (!t.nrefs) {
		fprintf(stderr, "pagesim: %s: no references\n", o.trace);
		trace_free(&t);
		return 1;
	}
	if (o.mode == MODE_AUTO)
		auto_sizes(&o, t.npages);
	cells = run_all(&o, &t, &failed);
	printf("trace %s: %zu references, %u distinct pages; %s\n", o.trace, t.nrefs, t.npages,
	       rule_text(&o, rule, sizeof(rule)));
	if (o.mode == MODE_FRAMES)
		print_frames_table(&o, cells);
	else
		print_sweep_table(&o, cells);
	if (o.timing)
		print_speed(&o, cells);
	if (o.data && write_data(&o, &t, cells))
		failed++;
	free(cells);
	free(o.sizes);
	free(o.names);
	trace_free(&t);
	return failed ? 1 : 0;
}
