/*
 * fuzz [SEED [CALLS [WORKERS]]] [trace=N] [hog=D]: random system calls and
 * pager requests from supervised workers (init.run=fuzz
 * init.args=SEED,CALLS,WORKERS,...). The seed is printed first: the same
 * arguments make the same calls again. Worker slot k makes the same
 * sequence whatever WORKERS is (only its share changes). trace=N: workers
 * print each call from number N of their sequence on. hog=D: a pressure
 * operation writes up to 1/D of memory (default 16; 4 with little memory
 * drives the pager into swap).
 * Exit status: the number of checks that failed.
 * fuzz argchild=SEED: the program a worker spawns with a handle to use
 * (handarg.c), not a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define DEFAULT_SEED 1
#define DEFAULT_CALLS 100000
#define DEFAULT_WORKERS 4
#define DEFAULT_HOG 16
#define WATCHDOG_NS (60000 * MS)	/* no supervisor progress for this long: a hang */

/* *out = the number in s, all of it; 0, or -1. */
static int number(const char *s, uint64_t *out)
{
	char *end = NULL;

	*out = strtoull(s, &end, 0);
	return *s && *end == '\0' ? 0 : -1;
}

/* One word: a named option, or the next positional number. */
static int word(const char *w, struct fuzz_config *cfg, int *pos)
{
	uint64_t v;

	if (strncmp(w, "trace=", 6) == 0)
		return number(w + 6, &cfg->trace_from);
	if (strncmp(w, "hog=", 4) == 0)
		return number(w + 4, &v) < 0 || v == 0 ? -1 : (cfg->hog_divisor = (unsigned)v, 0);
	if (number(w, &v) < 0)
		return -1;
	switch ((*pos)++) {
	case 0:
		cfg->seed = v;
		return 0;
	case 1:
		cfg->calls = v;
		return 0;
	case 2:
		cfg->workers = (unsigned)v;
		return v >= 1 && v <= FUZZ_WORKERS_MAX ? 0 : -1;
	default:
		return -1;
	}
}

static int parse(int argc, char **argv, struct fuzz_config *cfg)
{
	int pos = 0;

	*cfg = (struct fuzz_config){ DEFAULT_SEED, DEFAULT_CALLS, DEFAULT_WORKERS, ~0UL,
				     DEFAULT_HOG };
	for (int i = 1; i < argc; i++)
		if (word(argv[i], cfg, &pos) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct fuzz_config cfg;
	struct fuzz_snapshot before;
	struct fuzz_tally tally;
	uint64_t child_seed;

	if (argc == 2 && strncmp(argv[1], "argchild=", 9) == 0 &&
	    number(argv[1] + 9, &child_seed) == 0)
		return argchild_main(child_seed);
	if (parse(argc, argv, &cfg) < 0) {
		printf("fuzz: usage: fuzz [SEED [CALLS [WORKERS (1-%d)]]] [trace=N] [hog=D]\n",
		       FUZZ_WORKERS_MAX);
		return 1;
	}
	printf("# fuzz: seed 0x%lx, %lu calls, %u workers, hog=%u; replay with "
	       "init.run=fuzz init.args=0x%lx,%lu,%u,hog=%u\n",
	       (unsigned long)cfg.seed, (unsigned long)cfg.calls, cfg.workers, cfg.hog_divisor,
	       (unsigned long)cfg.seed, (unsigned long)cfg.calls, cfg.workers, cfg.hog_divisor);
	if (watchdog_start(WATCHDOG_NS) < 0 || supervise_init(&cfg) < 0 ||
	    snapshot_take(&before) < 0) {
		printf("Bail out! fuzz: cannot start its watchdog or read the counters\n");
		return 1;
	}
	int status = supervise(&cfg, &tally);
	return checks_report(&cfg, &tally, &before, status);
}
