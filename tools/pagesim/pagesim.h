/*
 * What pagesim's command-line files share: the options (args.c parses
 * them, sizes.c orders their frame counts), one run's outcome, and the
 * output (report.c).
 */
#ifndef PAGESIM_PAGESIM_H
#define PAGESIM_PAGESIM_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "trace.h"

#define RULE_LEN 128		/* the header's words on the rule and experiments */

enum mode { MODE_NONE, MODE_FRAMES, MODE_SWEEP, MODE_AUTO };

struct options {
	const char **names;	/* policies, in column order */
	size_t npolicies;
	enum mode mode;
	uint32_t *sizes;	/* frame counts, ascending, no repeats */
	size_t nsizes;
	uint32_t auto_n;
	uint64_t seed;
	enum sim_insert_bit insert_bit;	/* --insert-bit (default: each policy's rule) */
	uint32_t clear_delay;		/* --clear-delay (default 0: the exact rule) */
	uint32_t clear_note;		/* --clear-note (default 0: none) */
	uint32_t victims;		/* --victims (default 1) */
	struct trace_options format;	/* --format, --csv-* */
	const char *data;		/* --data: the sweep as columns of numbers */
	int timing;			/* --time: each policy's speed */
	const char *trace;
};

/* One simulation's outcome; ok is 0 if it failed (its message went out). */
struct cell {
	struct sim_result r;
	int ok;
	double seconds;		/* the run's time, for --time */
};

/* The simulation's parameters the options give, at frames frames. */
struct sim_params params_of(const struct options *o, uint32_t frames);
/* xcalloc.c: calloc, or the program ends with "out of memory". */
void *xcalloc(size_t n, size_t size);

/* Parse and check the command line into o (zeroed); exits on a bad one. */
void parse_args(int argc, char **argv, struct options *o);
/* sizes.c: o's frame counts sorted ascending, repeats dropped. */
void sort_sizes(struct options *o);
/* --sweep-auto's frame counts for a trace of npages distinct pages. */
void auto_sizes(struct options *o, uint32_t npages);

/* The header's and the data file's words on the rule and experiments, in
 * buf (len bytes), returned. */
const char *rule_text(const struct options *o, char *buf, size_t len);
void print_frames_table(const struct options *o, const struct cell *cells);
void print_sweep_table(const struct options *o, const struct cell *cells);
/* --data's file; -1 (a message out) if it could not be written. */
int write_data(const struct options *o, const struct trace *t, const struct cell *cells);
void print_speed(const struct options *o, const struct cell *cells);

#endif
