/*
 * pager_heap: the pager's own memory for what a line holds (a record per
 * region, a page-array chunk per region touched, a copy of each in every
 * fork) is the system's again once the line has ended, not kept by the
 * pager at its high-water mark.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define LINE_REGIONS 800	/* one page each, touched: a record and a chunk */
/* Each holding a copy of every record and chunk. Few: each fork's page
 * tables and kernel objects come from the line's budget of the kernel
 * pool, 190 pages at 48 MiB, of which the suite holds some. */
#define LINE_FORKS 4
#define LINE_PROCS (LINE_FORKS + 1)
#define CHUNK_BYTES 1024	/* a chunk's entries for 256 pages, at least */
/* What the line must raise the pager's heap by, for the test to say
 * anything: half its chunks' entries alone, in pages. */
#define LINE_HEAP_LEAST ((int64_t)(LINE_PROCS * LINE_REGIONS * CHUNK_BYTES / PAGE_SIZE / 2))

static struct line_hold {
	volatile int ready, release;
	volatile int fork_err;	/* errno of a fork refused, or 0 */
} *hold;

/* A fork of the line's first process: holds its copies until released. */
static int holder(void *arg)
{
	(void)arg;
	return poll_flag(&hold->release, 10 * CHILD_TIMEOUT) == 0 ? 0 : 1;
}

/* The line: LINE_REGIONS one-page regions, each touched, then LINE_FORKS
 * forks holding them, until released; then each fork is reaped. */
static int line(void *arg)
{
	pid_t kids[LINE_FORKS];
	struct exit_info info;
	int n, bad = 0;

	(void)arg;
	for (int i = 0; i < LINE_REGIONS; i++) {
		volatile uint8_t *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		*p = 1;
	}
	for (n = 0; n < LINE_FORKS; n++)
		if ((kids[n] = fork_run(holder, NULL)) <= 0) {
			hold->fork_err = errno;
			bad |= 2;
			break;
		}
	hold->ready = 1;
	if (poll_flag(&hold->release, 10 * CHILD_TIMEOUT) != 0)
		bad |= 4;
	for (int i = 0; i < n; i++)
		if (reap(kids[i], &info, CHILD_TIMEOUT) != 0 || info.how != EXIT_NORMAL || info.status)
			bad |= 8;
	return bad;
}

/* LINE_PROCS processes of the suite's line, each with LINE_REGIONS
 * regions touched: the pager's heap grows by their records and chunks
 * while they live, and gives at least seven eighths of that growth back
 * once they are reaped (what stays: malloc's own high-water mark for the
 * small allocations beside them, the chunk-pointer arrays and
 * reverse-map entries, and an empty page kept per object size). Before,
 * it kept all of it. */
int test_line_heap_returns(void)
{
	struct pager_stats before, peak, after;
	struct exit_info info;
	int64_t grown, kept;
	pid_t pid;
	int ready;

	hold = anon_pages(1, MAP_SHARED);
	CHECK(hold != NULL);
	CHECK_RUN(stats_settled(&before));
	CHECK((pid = fork_run(line, NULL)) > 0);
	ready = poll_flag(&hold->ready, 2 * CHILD_TIMEOUT) == 0 && stats_get(&peak) == 0;
	hold->release = 1;
	CHECK_RUN(reap(pid, &info, 2 * CHILD_TIMEOUT));
	if (hold->fork_err)
		diag("a fork of the line was refused: errno %d", hold->fork_err);
	CHECK_RUN(expect_clean_exit(&info, "a line with many regions"));
	CHECK(ready);
	CHECK_RUN(stats_settled(&after));
	munmap((void *)hold, PAGE_SIZE);
	grown = (int64_t)peak.heap_pages - (int64_t)before.heap_pages;
	kept = (int64_t)after.heap_pages - (int64_t)before.heap_pages;
	diag("the pager's heap: %lu pages before, %lu with the line (%d processes of %d regions), "
	     "%lu after it", (unsigned long)before.heap_pages, (unsigned long)peak.heap_pages,
	     LINE_PROCS, LINE_REGIONS, (unsigned long)after.heap_pages);
	CHECK(grown >= LINE_HEAP_LEAST);
	CHECK(kept * 8 <= grown);
	return 0;
}
