/*
 * The harness every workload links: reads its arguments, measures the
 * available memory, marks the start and end of the work on the console
 * (scripts/compare samples QEMU's disk counters at those lines), reads the
 * counters before and after, and prints one result line. Exit status: 0
 * if no word was wrong, 1 if some were, 2 if it could not run.
 *
 * Arguments: none (the workload scales to the available memory), or
 * pages=N (it scales to N pages instead, so both systems do exactly the
 * same work).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "port.h"
#include "workload.h"

/* Long enough for scripts/compare to sample QEMU at a marker. */
#define PAUSE_MS 1000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t wl_random(uint64_t n)
{
	/* xorshift64*: cheap, and the same sequence on both systems. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 0x2545f4914f6cdd1dULL) >> 11) % n;
}

uint64_t *wl_map(uint64_t n)
{
	void *p = mmap(NULL, n * WL_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("compare: error: mmap of %lu pages: %s\n", (unsigned long)n, strerror(errno));
		return NULL;
	}
	return p;
}

void wl_unmap(uint64_t *base, uint64_t n)
{
	munmap(base, n * WL_PAGE);
}

void wl_fill(uint64_t *base, uint64_t p, uint64_t v)
{
	uint64_t *w = base + p * WL_WORDS;

	for (uint64_t i = 0; i < WL_WORDS; i++)
		w[i] = wl_word(p, v, i);
}

uint64_t wl_check(const uint64_t *base, uint64_t p, uint64_t v)
{
	const uint64_t *w = base + p * WL_WORDS;
	uint64_t bad = 0;

	for (uint64_t i = 0; i < WL_WORDS; i++)
		bad += w[i] != wl_word(p, v, i);
	return bad;
}

/* The page of one reference: hot_pct% in the first fifth of [0, n). */
static uint64_t pick(uint64_t n, unsigned hot_pct)
{
	uint64_t hot = n / 5;

	if (hot_pct == 0 || hot == 0 || hot == n)
		return wl_random(n);
	if (wl_random(100) < hot_pct)
		return wl_random(hot);
	return hot + wl_random(n - hot);
}

void wl_references(uint64_t *base, uint16_t *ver, uint64_t first, uint64_t n,
		   uint64_t refs, unsigned hot_pct, struct wl_report *r)
{
	for (uint64_t k = 0; k < refs; k++) {
		uint64_t p = first + pick(n, hot_pct);

		r->errors += wl_check(base, p, ver[p]);
		if (k % 4 == 3) {
			ver[p] = (ver[p] + 1) & 0xfff;
			wl_fill(base, p, ver[p]);
		}
	}
	r->refs += refs;
}

/* pages=N, or nothing. 0, or -1 (said why). */
static int parse_args(int argc, char **argv, uint64_t *fixed)
{
	for (int i = 1; i < argc; i++) {
		char *end;

		if (strncmp(argv[i], "pages=", 6) != 0) {
			printf("compare: error: unknown argument '%s' (accepted: pages=N)\n", argv[i]);
			return -1;
		}
		errno = 0;
		unsigned long long v = strtoull(argv[i] + 6, &end, 10);
		if (errno || end == argv[i] + 6 || *end != '\0' || v < 16 || v > (1ULL << 24)) {
			printf("compare: error: bad page count '%s' (16 .. %llu)\n", argv[i] + 6, 1ULL << 24);
			return -1;
		}
		*fixed = v;
	}
	return 0;
}

static void print_result(const struct port_counters *a, const struct port_counters *b,
			 const struct wl_report *r)
{
	printf("compare: result workload=%s instret=%lu idle_ns=%lu major=%lu pswpin=%lu "
	       "pswpout=%lu faults=%lu pgscan=%lu pgsteal=%lu pages=%lu refs=%lu errors=%lu",
	       workload.name, (unsigned long)(b->instret - a->instret),
	       (unsigned long)(b->idle_ns - a->idle_ns), (unsigned long)(b->major - a->major),
	       (unsigned long)(b->pswpin - a->pswpin), (unsigned long)(b->pswpout - a->pswpout),
	       (unsigned long)(b->faults - a->faults), (unsigned long)(b->pgscan - a->pgscan),
	       (unsigned long)(b->pgsteal - a->pgsteal), (unsigned long)r->pages,
	       (unsigned long)r->refs, (unsigned long)r->errors);
	if (workload.extra)
		printf(" %s=%lu", workload.extra, (unsigned long)r->extra);
	printf("\n");
}

/* The measured run: markers, counters around it, the result. */
static int measure(uint64_t unit)
{
	struct port_counters a, b;
	struct wl_report r = { 0 };

	printf("compare: start %s\n", workload.name);
	fflush(stdout);
	port_pause_ms(PAUSE_MS);
	printf("compare: go %s\n", workload.name);
	fflush(stdout);
	if (port_counters(&a) != 0)
		return -1;
	workload.run(unit, &r);
	if (port_counters(&b) != 0)
		return -1;
	printf("compare: end %s\n", workload.name);
	fflush(stdout);
	port_pause_ms(PAUSE_MS);	/* QEMU is sampled before the power-off */
	print_result(&a, &b, &r);
	return r.errors ? 1 : 0;
}

static int run(int argc, char **argv)
{
	uint64_t fixed = 0, avail, swap;

	if (port_start() != 0 || parse_args(argc, argv, &fixed) != 0)
		return 2;
	avail = port_avail_pages();
	swap = port_swap_pages();
	if (avail == 0) {
		printf("compare: error: cannot read the available memory\n");
		return 2;
	}
	if ((swap != 0) != (workload.swap != 0)) {
		printf("compare: error: %s must run %s a swap disk\n", workload.name,
		       workload.swap ? "with" : "without");
		return 2;
	}
	printf("compare: begin system=%s workload=%s avail_pages=%lu swap_pages=%lu unit_pages=%lu "
	       "mode=%s\n", PORT_SYSTEM, workload.name, (unsigned long)avail, (unsigned long)swap,
	       (unsigned long)(fixed ? fixed : avail), fixed ? "fixed" : "available");
	int status = measure(fixed ? fixed : avail);
	if (status < 0) {
		printf("compare: error: cannot read the counters\n");
		status = 2;
	}
	return status;
}

int main(int argc, char **argv)
{
	int status = run(argc, argv);

	printf("compare: status %d\n", status);
	fflush(stdout);
	return port_finish(status);
}
