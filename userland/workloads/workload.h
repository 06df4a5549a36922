/*
 * The workloads scripts/compare runs on this system and on Linux: one C
 * source per workload, each defining `workload`, over the portable harness
 * in workload.c (arguments, counters, the console markers, the result
 * line). Only port.h knows which system it runs on.
 *
 * Every page a workload writes holds wl_word(page, version, i) in word i,
 * so a page that comes back from swap wrong, misplaced or zero is counted
 * as an error word by word.
 */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#define WL_PAGE 4096
#define WL_WORDS (WL_PAGE / sizeof(uint64_t))

/* What a run did, filled in by the workload. */
struct wl_report {
	uint64_t pages;		/* pages of memory it used at most */
	uint64_t refs;		/* page references it made (each checks or fills a page) */
	uint64_t errors;	/* words read back wrong, or children that failed */
	uint64_t extra;		/* per workload: see its `extra` name, 0 if none */
};

struct workload {
	const char *name;
	const char *extra;	/* what report.extra counts, or NULL */
	int swap;		/* 1: runs with a swap disk, 0: must run without */
	/* Run over `unit` pages (the available memory, or the fixed count). */
	void (*run)(uint64_t unit, struct wl_report *r);
};

extern const struct workload workload;

/* The value of word i of page p at version v (v < 4096): never zero,
 * different for every (p, v, i). */
static inline uint64_t wl_word(uint64_t p, uint64_t v, uint64_t i)
{
	return 0xa500000000000000ULL ^ (p << 32) ^ (v << 20) ^ i;
}

/* A private anonymous mapping of n pages, or NULL (reported). */
uint64_t *wl_map(uint64_t n);
void wl_unmap(uint64_t *base, uint64_t n);
/* Fill page p of base with version v. */
void wl_fill(uint64_t *base, uint64_t p, uint64_t v);
/* Check every word of page p against version v: the wrong words. */
uint64_t wl_check(const uint64_t *base, uint64_t p, uint64_t v);
/* A pseudo-random number below n (n > 0), the same sequence everywhere. */
uint64_t wl_random(uint64_t n);
/* References over pages [first, first + n) of base, whose versions are in
 * ver[] (indexed by page): each checks the whole page, every fourth also
 * rewrites it with the next version. hot_pct of them go to the first
 * fifth of the range, the rest anywhere in the other four fifths; 0 means
 * uniform over the whole range. Adds wrong words to r->errors. */
void wl_references(uint64_t *base, uint16_t *ver, uint64_t first, uint64_t n,
		   uint64_t refs, unsigned hot_pct, struct wl_report *r);

#endif
