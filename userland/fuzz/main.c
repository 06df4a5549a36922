/*
 * fuzz [SEED [CALLS [WORKERS [TRACE]]]]: random system calls and pager
 * requests from supervised workers (init.run=fuzz init.args=SEED,CALLS,...).
 * The seed is printed first: the same arguments make the same calls again.
 * Worker slot k makes the same sequence whatever WORKERS is (only its share
 * changes), and with TRACE workers print each call from number TRACE of
 * their sequence on.
 * Exit status: the number of checks that failed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

#define DEFAULT_SEED 1
#define DEFAULT_CALLS 100000
#define DEFAULT_WORKERS 4
#define WATCHDOG_NS (60000 * MS)	/* no supervisor progress for this long: a hang */

static int parse(int argc, char **argv, struct fuzz_config *cfg)
{
	char *end = NULL;

	*cfg = (struct fuzz_config){ DEFAULT_SEED, DEFAULT_CALLS, DEFAULT_WORKERS, ~0UL };
	if (argc > 1 && ((cfg->seed = strtoull(argv[1], &end, 0)), *end != '\0'))
		return -1;
	if (argc > 2 && ((cfg->calls = strtoull(argv[2], &end, 0)), *end != '\0'))
		return -1;
	if (argc > 3 && ((cfg->workers = (unsigned)strtoul(argv[3], &end, 0)), *end != '\0'))
		return -1;
	if (argc > 4 && ((cfg->trace_from = strtoull(argv[4], &end, 0)), *end != '\0'))
		return -1;
	return cfg->workers >= 1 && cfg->workers <= FUZZ_WORKERS_MAX && argc <= 5 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct fuzz_config cfg;
	struct fuzz_snapshot before;
	struct fuzz_tally tally;

	if (parse(argc, argv, &cfg) < 0) {
		printf("fuzz: usage: fuzz [SEED [CALLS [WORKERS (1-%d) [TRACE]]]]\n",
		       FUZZ_WORKERS_MAX);
		return 1;
	}
	printf("# fuzz: seed 0x%lx, %lu calls, %u workers; replay with "
	       "init.run=fuzz init.args=0x%lx,%lu,%u\n",
	       (unsigned long)cfg.seed, (unsigned long)cfg.calls, cfg.workers,
	       (unsigned long)cfg.seed, (unsigned long)cfg.calls, cfg.workers);
	if (watchdog_start(WATCHDOG_NS) < 0 || supervise_init(&cfg) < 0 ||
	    snapshot_take(&before) < 0) {
		printf("Bail out! fuzz: cannot start its watchdog or read the counters\n");
		return 1;
	}
	int status = supervise(&cfg, &tally);
	return checks_report(&cfg, &tally, &before, status);
}
