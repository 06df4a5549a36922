/*
 * Memory that reclaim can free with no I/O before anyone is killed: with
 * no swap (or swap full), the program pages the file fills again (text,
 * data never written) are dropped for a process's working set, which
 * then fits, rather than the OOM killer ending it.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define WORDS (4096 / sizeof(uint64_t))
#define SECOND (1000 * MS)

/* This program's file-backed pages: text and read-only data from the load
 * address, then .data (user.ld). */
extern const char __etext[], __data_start[], __bss_start[];
#define LOAD_START 0x10000UL

/* What the worker is told, and what it saw. */
struct drop_board {
	uint64_t image_pages;	/* the program pages the parent read */
	uint64_t pages;		/* its working set */
	volatile uint64_t bad;	/* pages of it that did not read back */
};

/* Read one byte of every page of [from, to): each becomes resident, not
 * written. A sum of the text, for its check after the drops. */
static uint64_t touch_pages(uintptr_t from, uintptr_t to)
{
	uint64_t sum = 0;

	for (uintptr_t a = from & ~4095UL; a < to; a += 4096)
		sum += *(const volatile uint8_t *)a;
	return sum;
}

/* Of the text, a checksum of every word. */
static uint64_t text_sum(void)
{
	uint64_t sum = 0;

	for (const uint64_t *w = (const uint64_t *)LOAD_START; (uintptr_t)w < (uintptr_t)__etext; w++)
		sum = sum * 31 + *w;
	return sum;
}

/* A working set more than the frames free above the reserve by a quarter
 * of the program pages the parent holds: filled, then read back whole. */
static int work(void *arg)
{
	struct drop_board *b = arg;
	struct pager_stats st;
	struct pager_info info;
	uint64_t *buf;

	if (pager_stats(&st) < 0 || pager_info(&info) < 0 || st.frames_free < info.reserve)
		return 2;
	b->pages = st.frames_free - info.reserve + b->image_pages / 4;
	if (!(buf = anon_pages(b->pages, MAP_PRIVATE)))
		return 3;
	for (uint64_t p = 0; p < b->pages; p++)
		buf[p * WORDS] = p ^ 0x5eed;
	for (uint64_t p = 0; p < b->pages; p++)
		b->bad += buf[p * WORDS] != (p ^ 0x5eed);
	return b->bad ? 4 : 0;
}

/* No swap, or none free: the parent holds every page of this program
 * resident (its text, read-only data and .data, read only); a forked
 * worker needs more than the free frames by a quarter of those. Reclaim
 * drops program pages (pgdrop_image) and the worker completes, no one
 * killed; the text reads back as it was (the file filled it again).
 * Without drops, the worker is the OOM killer's victim. */
int test_oom_drops_image(void)
{
	struct drop_board *b = anon_pages(1, MAP_SHARED);
	struct pager_stats before, after;
	struct exit_info info;
	uint64_t sum;
	pid_t worker;

	CHECK(b != NULL);
	CHECK_RUN(stats_get(&before));
	CHECK(before.swap_slots_total == 0 || before.swap_slots_free == 0 || before.swap_gone);
	sum = text_sum();
	touch_pages(LOAD_START, (uintptr_t)__bss_start);
	b->image_pages = ((uintptr_t)__bss_start - LOAD_START) / 4096;
	CHECK((worker = fork_run(work, b)) > 0);
	CHECK_RUN(reap(worker, &info, 120 * SECOND));
	CHECK_RUN(stats_get(&after));
	diag("working set %lu pages, program pages %lu, dropped %lu, refaults %lu",
	     (unsigned long)b->pages, (unsigned long)b->image_pages,
	     (unsigned long)(after.pgdrop_image - before.pgdrop_image),
	     (unsigned long)(after.workingset_refault_file - before.workingset_refault_file));
	CHECK_RUN(expect_clean_exit(&info, "the worker"));
	CHECK_EQ(b->bad, 0);
	CHECK_EQ(after.oom_kill - before.oom_kill, 0);
	CHECK(after.pgdrop_image - before.pgdrop_image >= b->image_pages / 4);
	CHECK_EQ(text_sum(), sum);
	CHECK_EQ(munmap(b, 4096), 0);
	return 0;
}
