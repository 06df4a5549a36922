/*
 * Pages read back from swap and then written: the write takes no second
 * fault (the page came back writable, the pager learns of the write from
 * the dirty bit), and the new data is what comes back after the page goes
 * out again (a written page is written out, never dropped as a clean
 * copy). The slow set: the guest-swap boots run it with little RAM.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define WORDS (4096 / sizeof(uint64_t))

static uint64_t word(uint64_t page, uint64_t w, int round)
{
	return (page << 32) ^ (w * 0x9e3779b97f4a7c15ULL) ^ (round ? 0xa5a5a5a5 : 0x5a5a5a5a);
}

/* Pages of buf whose words are not round's (word 1 of each page is round
 * 1's once written; the others stay round 0's). */
static uint64_t bad_pages(const volatile uint64_t *buf, uint64_t pages, int round)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < pages; p++) {
		int wrong = 0;
		for (uint64_t w = 0; w < WORDS; w++)
			wrong |= buf[p * WORDS + w] != word(p, w, w == 1 && round);
		bad += (uint64_t)wrong;
	}
	return bad;
}

int test_swap_written_back(void)
{
	struct pager_stats before, written, after;
	volatile uint64_t *buf;
	uint64_t pages, bad = 0;

	CHECK_EQ(pager_stats(&before), 0);
	CHECK(before.swap_slots_total > 0);
	/* A quarter more than memory: the first pages are out by the end. */
	pages = before.frames_total + before.frames_total / 4;
	CHECK(before.swap_slots_free > 2 * pages);
	buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(buf != MAP_FAILED);
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < WORDS; w++)
			buf[p * WORDS + w] = word(p, w, 0);

	/* Read each page (back from swap, for the first ones), then write it. */
	CHECK_EQ(pager_stats(&before), 0);
	for (uint64_t p = 0; p < pages; p++) {
		bad += buf[p * WORDS] != word(p, 0, 0);
		buf[p * WORDS + 1] = word(p, 1, 1);
	}
	CHECK_EQ(pager_stats(&written), 0);
	CHECK_EQ(bad, 0);
	diag("%lu pages: %lu faults, %lu major, %lu read ahead, %lu write faults on present pages",
	     (unsigned long)pages, (unsigned long)(written.pgfault - before.pgfault),
	     (unsigned long)(written.pgmajfault - before.pgmajfault),
	     (unsigned long)(written.swap_ra_mapped - before.swap_ra_mapped),
	     (unsigned long)(written.cow_reuse - before.cow_reuse));
	CHECK(written.pgmajfault > before.pgmajfault);
	/* A page read back by the read was writable at once: no write fault
	 * took it back from a read-only mapping. */
	CHECK_EQ(written.cow_reuse, before.cow_reuse);

	/* Reading them all in order sends the written ones out again. */
	CHECK_EQ(bad_pages(buf, pages, 1), 0);
	CHECK_EQ(pager_stats(&after), 0);
	CHECK(after.pswpout > written.pswpout);
	CHECK(after.pgmajfault > written.pgmajfault);
	CHECK_EQ(munmap((void *)buf, pages * 4096), 0);
	return 0;
}
