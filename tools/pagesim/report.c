/*
 * pagesim's output: the runs' table (one frame count, or a sweep), the sweep
 * as columns of numbers for scripts/plot, each policy's speed, and the words
 * on the insertion rule and the experiments that head them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagesim.h"

/* What the run's header and the plot say about the insertion rule and the
 * experiments, if any: into buf, returned. */
const char *rule_text(const struct options *o, char *buf, size_t len)
{
	const char *rule = o->insert_bit == SIM_BIT_POLICY ? "each policy's insertion rule" :
			   o->insert_bit == SIM_BIT_SET ? "pages fault in with the accessed bit set"
							: "pages fault in with the accessed bit clear";
	int n = snprintf(buf, len, "%s", rule);

	if (o->clear_delay && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", its clearing %u faults late",
			      o->clear_delay);
	if (o->clear_note && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", cleared in notes of %u frames",
			      o->clear_note);
	if (o->victims > 1 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; %u victims per look", o->victims);
	return buf;
}

#define CELL_LEN 32

/* Rows of cells printed in columns as wide as their widest cell, numbers
 * right-aligned; the first column left-aligned if it holds names. */
struct table {
	size_t ncols, nrows;
	int names_first;
	char (*text)[CELL_LEN];	/* [nrows * ncols] */
};

static struct table table_new(size_t nrows, size_t ncols, int names_first)
{
	struct table tb = { ncols, nrows, names_first, xcalloc(nrows * ncols, CELL_LEN) };

	return tb;
}

static void table_set(struct table *tb, size_t row, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tb->text[row * tb->ncols + col], CELL_LEN, fmt, ap);
	va_end(ap);
}

static void table_print(struct table *tb)
{
	size_t *width = xcalloc(tb->ncols, sizeof(*width));

	for (size_t r = 0; r < tb->nrows; r++)
		for (size_t c = 0; c < tb->ncols; c++) {
			size_t len = strlen(tb->text[r * tb->ncols + c]);

			if (len > width[c])
				width[c] = len;
		}
	for (size_t r = 0; r < tb->nrows; r++) {
		for (size_t c = 0; c < tb->ncols; c++)
			printf(c ? "  %*s" : tb->names_first ? "%-*s" : "%*s", (int)width[c],
			       tb->text[r * tb->ncols + c]);
		putchar('\n');
	}
	free(width);
	free(tb->text);
}

void print_frames_table(const struct options *o, const struct cell *cells)
{
	static const char *const head[] = { "policy", "frames", "references", "faults",
					    "miss ratio", "write-backs" };
	struct table tb = table_new(o->npolicies + 1, 6, 1);

	for (size_t c = 0; c < 6; c++)
		table_set(&tb, 0, c, "%s", head[c]);
	for (size_t p = 0; p < o->npolicies; p++) {
		const struct cell *cl = &cells[p];

		table_set(&tb, p + 1, 0, "%s", o->names[p]);
		table_set(&tb, p + 1, 1, "%u", o->sizes[0]);
		table_set(&tb, p + 1, 2, "%llu", (unsigned long long)cl->r.refs);
		if (!cl->ok) {
			table_set(&tb, p + 1, 3, "error");
			table_set(&tb, p + 1, 4, "-");
			table_set(&tb, p + 1, 5, "-");
			continue;
		}
		table_set(&tb, p + 1, 3, "%llu", (unsigned long long)cl->r.faults);
		table_set(&tb, p + 1, 4, "%.4f", sim_miss_ratio(&cl->r));
		table_set(&tb, p + 1, 5, "%llu", (unsigned long long)cl->r.writebacks);
	}
	table_print(&tb);
}

void print_sweep_table(const struct options *o, const struct cell *cells)
{
	struct table tb = table_new(o->nsizes + 1, o->npolicies + 1, 0);

	table_set(&tb, 0, 0, "frames");
	for (size_t p = 0; p < o->npolicies; p++)
		table_set(&tb, 0, p + 1, "%s", o->names[p]);
	for (size_t s = 0; s < o->nsizes; s++) {
		table_set(&tb, s + 1, 0, "%u", o->sizes[s]);
		for (size_t p = 0; p < o->npolicies; p++) {
			const struct cell *cl = &cells[s * o->npolicies + p];

			if (cl->ok)
				table_set(&tb, s + 1, p + 1, "%.4f", sim_miss_ratio(&cl->r));
			else
				table_set(&tb, s + 1, p + 1, "error");
		}
	}
	printf("miss ratio by frames:\n");
	table_print(&tb);
}

/* The sweep as columns of numbers, a row per frame count, for gnuplot and
 * the like: "nan" where a run failed. */
int write_data(const struct options *o, const struct trace *t, const struct cell *cells)
{
	FILE *f = fopen(o->data, "w");
	char rule[RULE_LEN];

	if (!f) {
		fprintf(stderr, "pagesim: %s: %s\n", o->data, strerror(errno));
		return -1;
	}
	fprintf(f, "# pagesim %s: %zu references, %u distinct pages; %s\n# frames", o->trace,
		t->nrefs, t->npages, rule_text(o, rule, sizeof(rule)));
	for (size_t p = 0; p < o->npolicies; p++)
		fprintf(f, " %s", o->names[p]);
	fputc('\n', f);
	for (size_t s = 0; s < o->nsizes; s++) {
		fprintf(f, "%u", o->sizes[s]);
		for (size_t p = 0; p < o->npolicies; p++) {
			const struct cell *c = &cells[s * o->npolicies + p];

			if (c->ok)
				fprintf(f, " %.6f", sim_miss_ratio(&c->r));
			else
				fputs(" nan", f);
		}
		fputc('\n', f);
	}
	if (fclose(f)) {
		fprintf(stderr, "pagesim: %s: %s\n", o->data, strerror(errno));
		return -1;
	}
	return 0;
}

/* Each policy's references replayed per CPU second, over all its runs. */
void print_speed(const struct options *o, const struct cell *cells)
{
	struct table tb = table_new(o->npolicies + 1, 4, 1);

	table_set(&tb, 0, 0, "policy");
	table_set(&tb, 0, 1, "references");
	table_set(&tb, 0, 2, "seconds");
	table_set(&tb, 0, 3, "M refs/s");
	for (size_t p = 0; p < o->npolicies; p++) {
		double secs = 0, refs = 0;

		for (size_t s = 0; s < o->nsizes; s++) {
			secs += cells[s * o->npolicies + p].seconds;
			refs += (double)cells[s * o->npolicies + p].r.refs;
		}
		table_set(&tb, p + 1, 0, "%s", o->names[p]);
		table_set(&tb, p + 1, 1, "%.0f", refs);
		table_set(&tb, p + 1, 2, "%.3f", secs);
		table_set(&tb, p + 1, 3, "%.1f", secs > 0 ? refs / secs / 1e6 : 0.0);
	}
	printf("speed:\n");
	table_print(&tb);
}
