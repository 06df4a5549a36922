/*
 * pagesim's arguments: the options parsed and checked into struct options
 * (a bad one ends the program with status 2 and a message naming it), and
 * the usage text. The frame counts themselves are sizes.c's.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagesim.h"

#define EXIT_USAGE 2
#define AUTO_DEFAULT 10		/* sizes for a run given no frame option */
#define AUTO_MAX 1000

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

struct sim_params params_of(const struct options *o, uint32_t frames)
{
	return (struct sim_params){ .frames = frames, .seed = o->seed,
				    .insert_bit = o->insert_bit,
				    .clear_delay = o->clear_delay,
				    .clear_note = o->clear_note, .victims = o->victims };
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

/* An experiment's number: digits, at least min (the option's own floor: 0
 * is no experiment, given by leaving the option out); the ceiling is
 * sim_params_check's, in finish_args. Beyond 32 bits it is kept as the
 * largest, which that check refuses. */
static uint32_t parse_experiment(const char *what, const char *arg, uint32_t min)
{
	uint64_t v;

	if (parse_u64(arg, strlen(arg), &v) || v < min)
		die_usage("%s: '%s' is not a whole number%s", what, arg, min ? " from 1" : "");
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
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

/* --insert-bit's word as *bit; -1 if it names no rule. */
static int insert_bit_of(const char *s, enum sim_insert_bit *bit)
{
	if (!strcmp(s, "set"))
		*bit = SIM_BIT_SET;
	else if (!strcmp(s, "clear"))
		*bit = SIM_BIT_CLEAR;
	else if (!strcmp(s, "policy"))
		*bit = SIM_BIT_POLICY;
	else
		return -1;
	return 0;
}

static void set_mode(struct options *o, enum mode m)
{
	if (o->mode != MODE_NONE)
		die_usage("give only one of -f, --sweep and --sweep-auto, once");
	o->mode = m;
}

enum { OPT_SWEEP = 256, OPT_AUTO, OPT_SEED, OPT_INSERT, OPT_DATA, OPT_TIME,
       OPT_FORMAT, OPT_ID_COL, OPT_OP_COL, OPT_DELIM, OPT_DELAY, OPT_NOTE, OPT_VICTIMS };

/* The run's options (seed, insertion rule, experiments): 1 if c was one. */
static int parse_run_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_SEED:
		if (parse_u64(arg, strlen(arg), &o->seed))
			die_usage("--seed: '%s' is not a whole number", arg);
		return 1;
	case OPT_INSERT:
		if (insert_bit_of(arg, &o->insert_bit))
			die_usage("--insert-bit: '%s' is not 'policy', 'set' or 'clear'", arg);
		return 1;
	case OPT_DELAY:
		o->clear_delay = parse_experiment("--clear-delay", arg, 0);
		return 1;
	case OPT_NOTE:
		o->clear_note = parse_experiment("--clear-note", arg, 1);
		return 1;
	case OPT_VICTIMS:
		o->victims = parse_experiment("--victims", arg, 1);
		return 1;
	}
	return 0;
}

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
	return parse_run_option(o, c, arg);
}

/* The experiments' ranges and combinations, as the simulation checks them. */
static void check_experiments(const struct options *o)
{
	const struct sim_params p = params_of(o, 1);
	char err[160];

	if (sim_params_check(&p, err, sizeof(err)))
		die_usage("%s", err);
}

/* After the options: the trace, the defaults, and the combinations refused. */
static void finish_args(int argc, char **argv, struct options *o)
{
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
	check_experiments(o);
	if (o->data && o->mode == MODE_FRAMES)
		die_usage("--data writes a curve's points: use it with --sweep or --sweep-auto");
}

void parse_args(int argc, char **argv, struct options *o)
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
		case 'h':
			usage(stdout);
			exit(0);
		default:	/* getopt_long has said what was wrong */
			fputs("Try 'pagesim --help'.\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	finish_args(argc, argv, o);
}
