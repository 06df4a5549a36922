/*
 * pagesim's command line: load a trace, replay it through the chosen policies
 * at one frame count or a sweep of them, print an aligned table, and write
 * the sweep as columns of numbers for scripts/plot (gnuplot) if asked.
 */
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "trace.h"

#define EXIT_USAGE 2
#define AUTO_DEFAULT 10		/* sizes for a run given no frame option */
#define AUTO_MAX 1000
#define ERRLEN 256
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

static const char *const reference_names[] = { "lru", "opt" };
static const char *const reference_summaries[] = {
	"exact LRU (reference): the page used least recently goes",
	"Belady's OPT (reference): the page next used farthest ahead goes",
};
#define NREFERENCES (sizeof(reference_names) / sizeof(reference_names[0]))

/* ---- messages ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pagesim [-p POLICY[,POLICY...]] [-f FRAMES | --sweep A,B,C | --sweep-auto N]\n"
		"               [--data OUT.dat] [--time] [--seed S]\n"
		"               [--insert-bit policy|set|clear] [--clear-delay N | --clear-note M]\n"
		"               [--victims B] [--format text|csv]\n"
		"               [--csv-id-col N] [--csv-op-col N] [--csv-delimiter C] TRACE\n"
		"\n"
		"Replay a page-reference trace (one page number per line, optional R/W, or\n"
		"libCacheSim-style CSV; gzip'd or plain) and report faults, miss ratio and\n"
		"write-backs (docs/pagesim.md).\n"
		"\n"
		"  -p LIST          policies to run (default: all)\n"
		"  -f FRAMES        one run per policy with FRAMES frames\n"
		"  --sweep A,B,C    a miss-ratio table over these frame counts\n"
		"  --sweep-auto N   N frame counts from 1%% of the distinct pages to all of\n"
		"                   them, spaced geometrically (the default, N = %d)\n"
		"  --data FILE      with a sweep: the table as columns of numbers, which\n"
		"                   scripts/plot draws with gnuplot\n"
		"  --time           each policy's speed, in references per second\n"
		"  --seed S         seed for randomised policies (default 1)\n"
		"  --insert-bit B   the accessed bit of a page just faulted in: policy (the\n"
		"                   default: each policy's own rule, as the pager maps\n"
		"                   pages), or set or clear for every policy\n"
		"  --clear-delay N  where the fault does not count: the accessed bit it set\n"
		"                   is cleared N faults later (0 to %u; default 0, at once),\n"
		"                   or when the policy next looks, as the pager clears it\n"
		"  --clear-note M   the same as the pager does it: such bits noted, and\n"
		"                   cleared together when M frames are noted and one more\n"
		"                   comes, or when the policy next looks (1 to %u)\n"
		"  --victims B      victims the policy is asked for per look, the rest\n"
		"                   kept free for the next faults (1 to %u; default 1)\n"
		"  --format F       text (PAGE [R|W] lines) or csv; default: csv if TRACE\n"
		"                   ends in .csv or .csv.gz, else text\n"
		"  --csv-id-col N   CSV: the page's column, from 1 (default: by the header)\n"
		"  --csv-op-col N   CSV: the operation's column (default: by the header)\n"
		"  --csv-delimiter C  CSV: the field delimiter, one character or 'tab' (,)\n"
		"\n"
		"policies:\n",
		AUTO_DEFAULT, SIM_CLEAR_DELAY_MAX, SIM_CLEAR_DELAY_MAX, SIM_VICTIMS_MAX);
	for (size_t i = 0; policy_all[i]; i++)
		fprintf(out, "  %-8s %s\n", policy_all[i]->name, policy_all[i]->summary);
	for (size_t i = 0; i < NREFERENCES; i++)
		fprintf(out, "  %-8s %s\n", reference_names[i], reference_summaries[i]);
}

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("pagesim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'pagesim --help'.\n", stderr);
	exit(EXIT_USAGE);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fputs("pagesim: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* ---- arguments ---- */

/* Decimal digits only: strtoull would take signs, blanks and hex. */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static uint32_t parse_range(const char *what, const char *s, size_t len, uint32_t min,
			    uint32_t max)
{
	uint64_t v;

	if (parse_u64(s, len, &v) || v < min || v > max)
		die_usage("%s: '%.*s' is not a whole number from %u to %u", what, (int)len, s,
			  min, max);
	return (uint32_t)v;
}

static uint32_t parse_count(const char *what, const char *s, size_t len, uint32_t max)
{
	return parse_range(what, s, len, 1, max);
}

static size_t count_items(const char *list)
{
	size_t n = 1;

	for (; *list; list++)
		n += *list == ',';
	return n;
}

static int name_listed(const struct options *o, const char *name, size_t len)
{
	for (size_t i = 0; i < o->npolicies; i++)
		if (strlen(o->names[i]) == len && !strncmp(o->names[i], name, len))
			return 1;
	return 0;
}

/* The canonical spelling of a known policy name, or NULL. */
static const char *known_name(const char *s, size_t len)
{
	for (size_t i = 0; policy_all[i]; i++)
		if (strlen(policy_all[i]->name) == len && !strncmp(policy_all[i]->name, s, len))
			return policy_all[i]->name;
	for (size_t i = 0; i < NREFERENCES; i++)
		if (strlen(reference_names[i]) == len && !strncmp(reference_names[i], s, len))
			return reference_names[i];
	return NULL;
}

static void parse_policies(struct options *o, const char *list)
{
	o->names = xcalloc(count_items(list), sizeof(*o->names));
	o->npolicies = 0;
	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");
		const char *name = known_name(s, len);

		if (!name)
			die_usage("unknown policy '%.*s' (policies: %s|%s)", (int)len, s,
				  policy_names(), SIM_REFERENCE_NAMES);
		if (name_listed(o, s, len))
			die_usage("policy '%s' is listed twice", name);
		o->names[o->npolicies++] = name;
		s += len;
		if (!*s)
			break;
	}
}

static void default_policies(struct options *o)
{
	size_t n = 0;

	while (policy_all[n])
		n++;
	o->names = xcalloc(n + NREFERENCES, sizeof(*o->names));
	for (size_t i = 0; i < n; i++)
		o->names[o->npolicies++] = policy_all[i]->name;
	for (size_t i = 0; i < NREFERENCES; i++)
		o->names[o->npolicies++] = reference_names[i];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Ascending and without repeats: the table's rows and the plot's x order. */
static void sort_sizes(struct options *o)
{
	size_t n = 0;

	qsort(o->sizes, o->nsizes, sizeof(*o->sizes), cmp_u32);
	for (size_t i = 0; i < o->nsizes; i++)
		if (!n || o->sizes[n - 1] != o->sizes[i])
			o->sizes[n++] = o->sizes[i];
	o->nsizes = n;
}

static void parse_sweep(struct options *o, const char *list)
{
	o->sizes = xcalloc(count_items(list), sizeof(*o->sizes));
	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");

		o->sizes[o->nsizes++] = parse_count("--sweep", s, len, UINT32_MAX);
		s += len;
		if (!*s)
			break;
	}
	sort_sizes(o);
}

static enum sim_insert_bit insert_bit_of(const char *s)
{
	if (!strcmp(s, "set"))
		return SIM_BIT_SET;
	return strcmp(s, "clear") ? SIM_BIT_POLICY : SIM_BIT_CLEAR;
}

/* What the run's header and the plot say about the insertion rule and the
 * experiments, if any: into buf, returned. */
static const char *rule_text(const struct options *o, char *buf, size_t len)
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

static void set_mode(struct options *o, enum mode m)
{
	if (o->mode != MODE_NONE)
		die_usage("give only one of -f, --sweep and --sweep-auto, once");
	o->mode = m;
}

enum { OPT_SWEEP = 256, OPT_AUTO, OPT_SEED, OPT_INSERT, OPT_DATA, OPT_TIME,
       OPT_FORMAT, OPT_ID_COL, OPT_OP_COL, OPT_DELIM, OPT_DELAY, OPT_NOTE, OPT_VICTIMS };

/* The output and trace-format options: 1 if c was one of them. */
static int parse_more(struct options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_DATA:
		o->data = arg;
		return 1;
	case OPT_TIME:
		o->timing = 1;
		return 1;
	case OPT_DELAY:
		o->clear_delay = parse_range("--clear-delay", arg, strlen(arg), 0,
					     SIM_CLEAR_DELAY_MAX);
		return 1;
	case OPT_NOTE:
		o->clear_note = parse_count("--clear-note", arg, strlen(arg), SIM_CLEAR_DELAY_MAX);
		return 1;
	case OPT_VICTIMS:
		o->victims = parse_count("--victims", arg, strlen(arg), SIM_VICTIMS_MAX);
		return 1;
	case OPT_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "csv"))
			die_usage("--format: '%s' is neither 'text' nor 'csv'", arg);
		o->format.format = strcmp(arg, "csv") ? TRACE_TEXT : TRACE_CSV;
		return 1;
	case OPT_ID_COL:
		o->format.id_col = parse_count("--csv-id-col", arg, strlen(arg), 64);
		return 1;
	case OPT_OP_COL:
		o->format.op_col = parse_count("--csv-op-col", arg, strlen(arg), 64);
		return 1;
	case OPT_DELIM:
		if (strcmp(arg, "tab") && (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n'))
			die_usage("--csv-delimiter: '%s' is not one character or 'tab'", arg);
		o->format.delimiter = strcmp(arg, "tab") ? arg[0] : '\t';
		return 1;
	}
	return 0;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'f' },
		{ "sweep", required_argument, NULL, OPT_SWEEP },
		{ "sweep-auto", required_argument, NULL, OPT_AUTO },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "insert-bit", required_argument, NULL, OPT_INSERT },
		{ "clear-delay", required_argument, NULL, OPT_DELAY },
		{ "clear-note", required_argument, NULL, OPT_NOTE },
		{ "victims", required_argument, NULL, OPT_VICTIMS },
		{ "data", required_argument, NULL, OPT_DATA },
		{ "time", no_argument, NULL, OPT_TIME },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "csv-id-col", required_argument, NULL, OPT_ID_COL },
		{ "csv-op-col", required_argument, NULL, OPT_OP_COL },
		{ "csv-delimiter", required_argument, NULL, OPT_DELIM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->seed = 1;
	o->insert_bit = SIM_BIT_POLICY;
	o->victims = 1;
	while ((c = getopt_long(argc, argv, "p:f:h", longopts, NULL)) != -1) {
		if (parse_more(o, c, optarg))
			continue;
		switch (c) {
		case 'p':
			if (o->names)
				die_usage("give -p once, with a comma-separated list");
			parse_policies(o, optarg);
			break;
		case 'f':
			set_mode(o, MODE_FRAMES);
			o->sizes = xcalloc(1, sizeof(*o->sizes));
			o->sizes[o->nsizes++] = parse_count("-f", optarg, strlen(optarg), UINT32_MAX);
			break;
		case OPT_SWEEP:
			set_mode(o, MODE_SWEEP);
			parse_sweep(o, optarg);
			break;
		case OPT_AUTO:
			set_mode(o, MODE_AUTO);
			o->auto_n = parse_count("--sweep-auto", optarg, strlen(optarg), AUTO_MAX);
			break;
		case OPT_SEED:
			if (parse_u64(optarg, strlen(optarg), &o->seed))
				die_usage("--seed: '%s' is not a whole number", optarg);
			break;
		case OPT_INSERT:
			if (strcmp(optarg, "policy") && strcmp(optarg, "set") && strcmp(optarg, "clear"))
				die_usage("--insert-bit: '%s' is not 'policy', 'set' or 'clear'", optarg);
			o->insert_bit = insert_bit_of(optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:	/* getopt_long has said what was wrong */
			fputs("Try 'pagesim --help'.\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind != argc - 1)
		die_usage(optind == argc ? "no TRACE given" : "give one TRACE, not %d",
			  argc - optind);
	o->trace = argv[optind];
	if (!o->names)
		default_policies(o);
	if (o->mode == MODE_NONE) {
		o->mode = MODE_AUTO;
		o->auto_n = AUTO_DEFAULT;
	}
	if (o->clear_delay && o->clear_note)
		die_usage("give --clear-delay or --clear-note, not both");
	if ((o->clear_delay || o->clear_note) && o->insert_bit == SIM_BIT_SET)
		die_usage("--clear-delay and --clear-note delay clearing the fault's accessed "
			  "bit, which --insert-bit set keeps");
	if (o->data && o->mode == MODE_FRAMES)
		die_usage("--data writes a curve's points: use it with --sweep or --sweep-auto");
}

/* Geometric steps from 1% of the distinct pages (where the classic traces'
 * curves start to bend) to all of them (cold misses only). */
static void auto_sizes(struct options *o, uint32_t npages)
{
	double lo = npages / 100 ? npages / 100 : 1, hi = npages ? npages : 1;

	o->sizes = xcalloc(o->auto_n, sizeof(*o->sizes));
	for (uint32_t i = 0; i < o->auto_n; i++) {
		double t = o->auto_n > 1 ? (double)i / (o->auto_n - 1) : 1.0;

		o->sizes[o->nsizes++] = (uint32_t)llround(lo * pow(hi / lo, t));
	}
	sort_sizes(o);
}

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
			struct sim_params sp = { o->sizes[s], o->seed, o->insert_bit,
						 o->clear_delay, o->clear_note, o->victims };
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

/* ---- tables ---- */

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

static void print_frames_table(const struct options *o, const struct cell *cells)
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

static void print_sweep_table(const struct options *o, const struct cell *cells)
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
static int write_data(const struct options *o, const struct trace *t, const struct cell *cells)
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
static void print_speed(const struct options *o, const struct cell *cells)
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
