/*
 * What the random model tests (test_nbd_rand.c, test_netd_rand.c,
 * test_server_rand.c, test_mmu_rand.c, test_service_recv.c) share
 * about their seeds: their random numbers, a failure said with where it
 * was, the range asked for by hand, and the kinds of event the seeds met,
 * said at the end and, over the fixed seeds, each asserted met (weather
 * that never happens checks nothing). After cmocka.h.
 */
#ifndef TESTS_HOST_RAND_MET_H
#define TESTS_HOST_RAND_MET_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* A number below n (0 when n is 0), and pct in 100's chance: rand()'s,
 * which each seed's srand makes the same every run. */
static inline unsigned rand_below(unsigned n)
{
	return n ? (unsigned)rand() % n : 0;
}
static inline int rand_chance(unsigned pct)
{
	return rand_below(100) < pct;
}

/* fail_msg unless cond, said with the seed and the step it failed at. */
#define RAND_CHECK(seed, step, cond, ...)                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "seed %lu step %u: ", (seed), (step));             \
			fail_msg(__VA_ARGS__);                                             \
		}                                                                          \
	} while (0)

struct met_kind {
	const char *name;
	const unsigned *n;
};

/* The seeds to run: var's "first:count" when set and well formed, else
 * 1 to *n as given. Whether var was set (a run by hand). */
static inline bool rand_seeds(const char *var, unsigned long *first, unsigned long *n)
{
	const char *e = getenv(var);
	unsigned long fixed = *n;

	*first = 1;
	if (e && sscanf(e, "%lu:%lu", first, n) != 2)
		*first = 1, *n = fixed;
	return e != NULL;
}

/* Says how often each kind was met; unless by hand, fails for one never. */
static inline void rand_met(const struct met_kind *k, size_t nk, bool by_hand)
{
	fprintf(stderr, "over the seeds:");
	for (size_t i = 0; i < nk; i++)
		fprintf(stderr, " %s %u,", k[i].name, *k[i].n);
	fprintf(stderr, "\n");
	for (size_t i = 0; i < nk && !by_hand; i++)
		if (*k[i].n == 0)
			fail_msg("no seed met: %s", k[i].name);
}

#endif
