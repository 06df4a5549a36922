/*
 * Replacement-policy benchmark: four page-reference workloads over more
 * memory than the machine has, each printing the major faults, swap-outs
 * and guest instructions it cost under the policy of this boot.
 * scripts/bench boots once per policy and replays the same reference
 * strings (scripts/policy-workloads.py generates them identically, checked
 * by a digest) through tools/pagesim's OPT for the lower bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "sys.h"
#include "pager_client.h"
#include "pager/protocol.h"

#define WORDS 512

/* The generator both sides use: 64-bit LCG (Knuth's MMIX constants). */
static uint64_t lcg = 1;

static uint64_t next_random(uint64_t n)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (lcg >> 33) % n;
}

/* Workloads in units of the frames the pager manages (T). Each returns the
 * page of reference r, for r < refs. */
struct workload {
	const char *name;
	uint64_t pages_x10, refs_x10;	/* pages and references, in tenths of T */
};

static const struct workload workloads[] = {
	{ "seq", 15, 30 },	/* two sweeps over 1.5 T */
	{ "loop", 12, 48 },	/* four loops over 1.2 T */
	{ "hotcold", 20, 80 },	/* 90% of references to the first 10% of 2 T */
	{ "random", 15, 60 },	/* uniform over 1.5 T */
};

static uint64_t page_of(const struct workload *w, uint64_t r, uint64_t pages)
{
	if (strcmp(w->name, "seq") == 0 || strcmp(w->name, "loop") == 0)
		return r % pages;
	if (strcmp(w->name, "hotcold") == 0) {
		uint64_t hot = pages / 10;
		return next_random(10) < 9 ? next_random(hot) : hot + next_random(pages - hot);
	}
	return next_random(pages);
}

static uint64_t instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static int run(const struct workload *w, uint64_t total)
{
	struct pager_stats a, b;
	uint64_t pages = total * w->pages_x10 / 10, refs = total * w->refs_x10 / 10;
	uint64_t digest = 0, i0, d0, *buf;

	buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	lcg = 1;
	pager_stats(&a);
	i0 = instret();
	d0 = (uint64_t)sys_idle_ns();
	for (uint64_t r = 0; r < refs; r++) {
		uint64_t p = page_of(w, r, pages);
		buf[p * WORDS] += r;	/* every reference writes: pages go out dirty */
		digest = digest * 31 + p;
	}
	uint64_t work = instret() - i0 - ((uint64_t)sys_idle_ns() - d0);
	pager_stats(&b);
	printf("policybench: %s pages=%lu refs=%lu digest=%016lx pgmajfault=%lu pswpin=%lu "
	       "pswpout=%lu work_instructions=%lu\n", w->name, (unsigned long)pages,
	       (unsigned long)refs, (unsigned long)digest,
	       (unsigned long)(b.pgmajfault - a.pgmajfault), (unsigned long)(b.pswpin - a.pswpin),
	       (unsigned long)(b.pswpout - a.pswpout), (unsigned long)work);
	munmap(buf, pages * 4096);
	return 0;
}

int main(void)
{
	struct pager_stats st;
	struct pager_info in;
	int failed = 0;

	if (pager_stats(&st) < 0 || pager_info(&in) < 0 || st.swap_slots_total == 0) {
		printf("policybench: needs a swap disk\n");
		return 1;
	}
	/* Frames the workload can hold: what is free now, less what background
	 * reclaim keeps free (it stops at the stop mark). */
	printf("policybench: policy=%s frames_total=%lu frames_usable=%lu\n", in.policy,
	       (unsigned long)st.frames_total, (unsigned long)(st.frames_free - in.stop_free));
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		failed |= run(&workloads[i], st.frames_total);
	return failed;
}
