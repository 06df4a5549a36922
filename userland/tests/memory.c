/*
 * Memory on demand: a large anonymous mapping reads as zero and pages
 * arrive one fault (plus fault-around) at a time; a 32 MiB heap; munmap
 * gives frames back and leaves a hole that kills; a child that maps,
 * touches and forks leaves no frame behind; threads faulting at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"
#include "thread.h"

#define MIB (1024UL * 1024)
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))
#define FAULTAROUND_MAX 16	/* pager.faultaround's limit (docs/boot-args.md) */

static uint64_t word_pattern(size_t page, size_t word)
{
	return (page * 0x9e3779b97f4a7c15ULL) ^ (word << 3) ^ 0x5a00000000000000ULL;
}

static void *map_anon(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		check_failed(__FILE__, __LINE__, "mmap %lu bytes: errno %d",
			     (unsigned long)len, errno);
	return p;
}

/* Every word of page i of base is zero (full) or one word, a different
 * one on each page. */
static int page_zero(const volatile uint64_t *base, size_t i, int full)
{
	const volatile uint64_t *page = base + i * WORDS_PER_PAGE;

	if (!full)
		return page[i % WORDS_PER_PAGE] == 0 ? 0 : -1;
	for (size_t w = 0; w < WORDS_PER_PAGE; w++)
		if (page[w] != 0)
			return -1;
	return 0;
}

static int reads_zero(const volatile uint64_t *base, size_t pages)
{
	for (size_t i = 0; i < pages; i++) {
		int full = i < 2 || i == pages / 2 || i == pages - 1;
		if (page_zero(base, i, full) < 0) {
			check_failed(__FILE__, __LINE__, "page %lu is not zero", (unsigned long)i);
			return -1;
		}
	}
	return 0;
}

static void fill_pages(volatile uint64_t *base, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		for (size_t w = 0; w < WORDS_PER_PAGE; w++)
			base[i * WORDS_PER_PAGE + w] = word_pattern(i, w);
}

/* Page i holds word_pattern(i, ...) for i in [first, first + pages). */
static int check_pages(const volatile uint64_t *base, size_t first, size_t pages)
{
	for (size_t i = first; i < first + pages; i++) {
		for (size_t w = 0; w < WORDS_PER_PAGE; w++) {
			if (base[i * WORDS_PER_PAGE + w] != word_pattern(i, w)) {
				check_failed(__FILE__, __LINE__, "page %lu word %lu is wrong",
					     (unsigned long)i, (unsigned long)w);
				return -1;
			}
		}
	}
	return 0;
}

/* What touching `pages` fresh pages must have cost the pager. */
static int check_fault_counts(const struct pager_stats *a, const struct pager_stats *b,
			      size_t pages)
{
	uint64_t faults = b->pgfault - a->pgfault;
	uint64_t around = b->faultaround_pages - a->faultaround_pages;
	uint64_t used = a->frames_free - b->frames_free;

	diag("%lu pages: %lu faults, %lu pages faulted around, %lu frames used",
	     (unsigned long)pages, (unsigned long)faults, (unsigned long)around,
	     (unsigned long)used);
	CHECK(faults >= pages / (1 + FAULTAROUND_MAX));
	CHECK(faults + around >= pages);	/* each page came one way or the other */
	CHECK(a->frames_free >= b->frames_free && used >= pages);
	return 0;
}

static int demand_zero_in(volatile uint64_t *base, size_t pages)
{
	struct pager_stats before, after, unmapped;

	CHECK_RUN(stats_settled(&before));
	CHECK_RUN(reads_zero(base, pages));
	fill_pages(base, pages);
	CHECK_RUN(check_pages(base, 0, pages));
	CHECK_RUN(stats_get(&after));
	CHECK_RUN(check_fault_counts(&before, &after, pages));
	CHECK_EQ(munmap((void *)base, pages * PAGE_SIZE), 0);
	CHECK_RUN(stats_get(&unmapped));
	CHECK(unmapped.frames_free >= after.frames_free + pages);
	return 0;
}

int test_demand_zero(void)
{
	const size_t len = 16 * MIB;
	volatile uint64_t *base = map_anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	CHECK(base != MAP_FAILED);
	CHECK(((uintptr_t)base & (PAGE_SIZE - 1)) == 0);
	int r = demand_zero_in(base, len / PAGE_SIZE);
	if (r < 0)
		munmap((void *)base, len);	/* may be unmapped already: fine */
	return r;
}

#define HEAP_PIECES 512
#define HEAP_TOTAL (32 * MIB)

/* Sizes alternate around the mean so neighbours do not line up, and every
 * pair sums to twice the mean: the total is exactly HEAP_TOTAL. */
static size_t piece_size(size_t i)
{
	const size_t mean = HEAP_TOTAL / HEAP_PIECES;

	return i % 2 == 0 ? mean - 1000 : mean + 1000;
}

static int heap_fill(uint64_t **piece)
{
	size_t total = 0;

	for (size_t i = 0; i < HEAP_PIECES; i++) {
		size_t words = piece_size(i) / sizeof(uint64_t);
		piece[i] = malloc(piece_size(i));
		CHECK(piece[i] != NULL);
		for (size_t w = 0; w < words; w++)
			piece[i][w] = word_pattern(i, w);
		total += piece_size(i);
	}
	CHECK_EQ(total, HEAP_TOTAL);
	return 0;
}

static int heap_check(uint64_t *const *piece)
{
	for (size_t i = 0; i < HEAP_PIECES; i++) {
		for (size_t w = 0; w < piece_size(i) / sizeof(uint64_t); w++) {
			if (piece[i][w] != word_pattern(i, w)) {
				check_failed(__FILE__, __LINE__, "piece %lu word %lu is wrong",
					     (unsigned long)i, (unsigned long)w);
				return -1;
			}
		}
	}
	return 0;
}

int test_heap_big(void)
{
	static uint64_t *piece[HEAP_PIECES];
	uintptr_t brk_before = (uintptr_t)sbrk(0);

	memset(piece, 0, sizeof(piece));
	int r = heap_fill(piece);
	if (r == 0)
		r = heap_check(piece);
	diag("the break moved by %lu KiB",
	     (unsigned long)(((uintptr_t)sbrk(0) - brk_before) / 1024));
	for (size_t i = 0; i < HEAP_PIECES; i++)
		free(piece[i]);
	return r;
}

#define UNMAP_PAGES 64
#define HOLE_FIRST 16
#define HOLE_PAGES 16

static int touch_byte(void *p)
{
	return *(volatile uint8_t *)p == 0x77 ? 2 : 1;	/* survived: wrong */
}

/* Unmap a hole in the middle: its frames come back, the pages either side
 * keep their data, and a child touching the hole dies. */
static int unmap_hole(volatile uint64_t *base)
{
	struct pager_stats a, b;
	uint8_t *hole = (uint8_t *)base + HOLE_FIRST * PAGE_SIZE;

	CHECK_RUN(stats_settled(&a));
	CHECK_EQ(munmap(hole, HOLE_PAGES * PAGE_SIZE), 0);
	CHECK_RUN(stats_get(&b));
	diag("munmap of %d pages freed %ld frames", HOLE_PAGES,
	     (long)(b.frames_free - a.frames_free));
	CHECK(b.frames_free >= a.frames_free + HOLE_PAGES);
	CHECK_RUN(check_pages(base, 0, HOLE_FIRST));
	CHECK_RUN(check_pages(base, HOLE_FIRST + HOLE_PAGES,
			      UNMAP_PAGES - HOLE_FIRST - HOLE_PAGES));
	CHECK_RUN(expect_fault_kill(touch_byte, hole + PAGE_SIZE + 8,
				    (uintptr_t)(hole + PAGE_SIZE + 8)));
	return 0;
}

/* Unmap the rest (over the hole: unmapped parts are fine). */
static int unmap_rest(volatile uint64_t *base)
{
	struct pager_stats a, b;
	const size_t rest = UNMAP_PAGES - HOLE_PAGES;

	CHECK_RUN(stats_settled(&a));
	CHECK_EQ(munmap((void *)base, UNMAP_PAGES * PAGE_SIZE), 0);
	CHECK_RUN(stats_get(&b));
	CHECK(b.frames_free >= a.frames_free + rest);
	CHECK_RUN(expect_fault_kill(touch_byte, (void *)base, (uintptr_t)base));
	return 0;
}

static int bad_munmaps(volatile uint64_t *base)
{
	errno = 0;
	CHECK_EQ(munmap((uint8_t *)base + 1, PAGE_SIZE), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(munmap((void *)base, 0), -1);
	CHECK_EQ(errno, EINVAL);
	return 0;
}

int test_munmap(void)
{
	volatile uint64_t *base = map_anon(UNMAP_PAGES * PAGE_SIZE,
					   PROT_READ | PROT_WRITE, MAP_PRIVATE);

	CHECK(base != MAP_FAILED);
	fill_pages(base, UNMAP_PAGES);
	int r = bad_munmaps(base);
	if (r == 0)
		r = unmap_hole(base);
	if (r == 0)
		return unmap_rest(base);
	munmap((void *)base, UNMAP_PAGES * PAGE_SIZE);
	return r;
}

#define LEAK_PAGES 64
#define LEAK_HEAP (256 * 1024)

/* The grandchild: writes half of the pages it shares with the child. */
static int leak_grandchild(void *arg)
{
	volatile uint64_t *base = arg;

	for (size_t i = 0; i < LEAK_PAGES / 2; i++)
		base[i * WORDS_PER_PAGE] = i;
	return 0;
}

/* The child: maps and touches memory, grows its heap, forks, waits. */
static int leak_child(void *arg)
{
	struct exit_info info;
	volatile uint64_t *base;
	(void)arg;

	base = mmap(NULL, LEAK_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *heap = malloc(LEAK_HEAP);
	if (base == MAP_FAILED || heap == NULL)
		return 1;
	fill_pages(base, LEAK_PAGES);
	memset(heap, 0x3c, LEAK_HEAP);
	pid_t pid = fork_run(leak_grandchild, (void *)base);
	if (pid < 0 || reap(pid, &info, CHILD_TIMEOUT) < 0)
		return 2;
	return info.how == EXIT_NORMAL && info.status == 0 ? 0 : 3;
}

static int leak_run(void)
{
	return run_child(leak_child, NULL, "the mapping child");
}

/* Our own page-table pages, and the kernel pool's free pages. */
static int kernel_pages(uint64_t *own_pt, uint64_t *pool_free)
{
	struct proc_info self;
	struct kernel_info k;

	CHECK_EQ(sys_proc_info(HANDLE_SELF, &self), 0);
	CHECK_EQ(sys_kernel_info(&k), 0);
	*own_pt = self.pt_pages;
	*pool_free = k.pool_free;
	return 0;
}

/* The leak check's tries: swap moving pages during a run makes that run
 * no measurement. Before each, room is made: pages touched and given back,
 * so that reclaim pushes others' pages out now and the run that follows
 * stays above the point where background reclaim starts (start_free);
 * then a run unmeasured, whose faults read back what it needs of ours.
 * A run holds at most LEAK_RUN_PAGES (a child's mapping and heap, and a
 * grandchild's copies of them; its page tables are the kernel's), so
 * start_free + LEAK_RUN_PAGES touched leave that many free above the mark
 * once given back, however far the touching pushed free frames down.
 * One try after a run that met swap has that room again; three bound a
 * loop that must end: swap moving every time means the machine is too
 * small for this test, which fails. */
#define LEAK_TRIES 3
#define LEAK_RUN_PAGES (2 * (LEAK_PAGES + LEAK_HEAP / PAGE_SIZE))

static int make_room(void)
{
	struct pager_info info;
	size_t pages;
	volatile uint64_t *room;

	CHECK_EQ(pager_info(&info), 0);
	pages = info.start_free + LEAK_RUN_PAGES;
	room = mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	CHECK(room != MAP_FAILED);
	fill_pages(room, pages);
	CHECK_EQ(munmap((void *)room, pages * PAGE_SIZE), 0);
	return 0;
}

int test_no_leaks(void)
{
	struct pager_stats before, after;
	uint64_t pt0, pt1, pool0, pool1;
	int tries = 0, moved;

	/* A first run touches every page this one will, and grows the
	 * kernel's caches as far as it will, so the measured run adds no page
	 * of our own and takes no new page of the kernel's for good. */
	CHECK_RUN(leak_run());
	do {
		CHECK(tries++ < LEAK_TRIES);
		CHECK_RUN(make_room());
		CHECK_RUN(leak_run());
		CHECK_RUN(stats_settled(&before));
		CHECK_RUN(kernel_pages(&pt0, &pool0));
		CHECK_RUN(leak_run());
		CHECK_RUN(stats_wait_free(&after, &before));
		CHECK_RUN(kernel_pages(&pt1, &pool1));
		moved = stats_swap_moved(&before, &after);
		if (moved)
			diag("swap moved pages during try %d (%lu written, %lu read): measured again",
			     tries, (unsigned long)(after.pswpout - before.pswpout),
			     (unsigned long)(after.pswpin - before.pswpin));
	} while (moved);
	diag("frames free %lu/%lu, rmap entries %lu/%lu, our page tables %lu/%lu, kernel pool "
	     "free %lu/%lu (before/after)", (unsigned long)before.frames_free,
	     (unsigned long)after.frames_free, (unsigned long)before.rmap_entries,
	     (unsigned long)after.rmap_entries, (unsigned long)pt0, (unsigned long)pt1,
	     (unsigned long)pool0, (unsigned long)pool1);
	CHECK_EQ(after.frames_free, before.frames_free);
	CHECK_EQ(after.processes, before.processes);
	CHECK_EQ(after.rmap_entries, before.rmap_entries);	/* no mapping left behind */
	CHECK_EQ(pt1, pt0);
	CHECK_EQ(pool1, pool0);	/* the children's page tables went back */
	return 0;
}

/* faults_concurrent: threads of one process fault on pages of one mapping
 * at once, so several pager threads serve them at a time (under
 * pager.check=2, each taking the lock checks that the others' replies are
 * in the page tables). Each thread writes its own pages, every one with
 * its own pattern, and reads them all back. */
#define CONCURRENT_THREADS 4
#define CONCURRENT_PAGES 512	/* per thread; a stride of threads apart */

struct faulter {
	volatile uint64_t *base;
	unsigned k;
	volatile int done, wrong;
};

static void faulter_thread(void *arg)
{
	struct faulter *t = arg;

	for (size_t i = t->k; i < CONCURRENT_THREADS * CONCURRENT_PAGES; i += CONCURRENT_THREADS)
		t->base[i * WORDS_PER_PAGE] = word_pattern(i, 0);
	for (size_t i = t->k; i < CONCURRENT_THREADS * CONCURRENT_PAGES; i += CONCURRENT_THREADS)
		t->wrong += t->base[i * WORDS_PER_PAGE] != word_pattern(i, 0);
	t->done = 1;
}

int test_faults_concurrent(void)
{
	static struct faulter t[CONCURRENT_THREADS];
	const size_t len = CONCURRENT_THREADS * CONCURRENT_PAGES * PAGE_SIZE;
	volatile uint64_t *base = map_anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	CHECK(base != MAP_FAILED);
	for (unsigned k = 0; k < CONCURRENT_THREADS; k++) {
		t[k] = (struct faulter){ .base = base, .k = k };
		CHECK(thread_spawn(faulter_thread, &t[k], TEST_STACK, PRIO_NORMAL) >= 0);
	}
	for (unsigned k = 0; k < CONCURRENT_THREADS; k++) {
		CHECK_RUN(wait_flag(&t[k].done, TEST_TIMEOUT));
		CHECK_EQ(t[k].wrong, 0);
	}
	for (size_t i = 0; i < CONCURRENT_THREADS * CONCURRENT_PAGES; i++)
		CHECK_EQ(base[i * WORDS_PER_PAGE], word_pattern(i, 0));
	CHECK_EQ(munmap((void *)base, len), 0);
	return 0;
}

/* reclaim_reads_back: the quick suite's pass through reclaim, so that
 * every guest-suite-P boot runs its policy's choices, not only its
 * bookkeeping. As many pages as are free now, written and read back: the
 * faults cannot all be served from free frames (the reserve is the
 * pager's alone), so reclaim must free some, writing pages to swap (our
 * own written pages among the candidates), and every word must come back
 * whatever it chose. A policy that reads accessed bits must have looked
 * at frames (pgscan), unless it is blind to new pages' references (2Q:
 * ours are all new); one that reads none (FIFO, random) never looks.
 * With no swap, anonymous pages cannot go: the test needs swap and fails
 * without it (every boot that runs the quick suite has swap). */
int test_reclaim_reads_back(void)
{
	struct pager_stats before, after;
	struct pager_info in;
	volatile uint64_t *base;
	size_t pages;

	CHECK_EQ(pager_info(&in), 0);
	CHECK_RUN(stats_get(&before));
	if (before.swap_slots_total == 0)
		diag("no swap: nothing anonymous can be reclaimed, and this test needs it");
	CHECK(before.swap_slots_total > 0);
	pages = before.frames_free;
	base = map_anon(pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK(base != MAP_FAILED);
	fill_pages(base, pages);
	/* Given back before any check can end the test: a whole free memory
	 * left mapped would fail the tests after it. */
	int bad = check_pages(base, 0, pages), got = stats_get(&after);
	CHECK_EQ(munmap((void *)base, pages * PAGE_SIZE), 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(got, 0);
	diag("%lu pages: %lu frames looked at, %lu freed (%lu background, %lu direct), %lu written "
	     "to swap, %lu read back", (unsigned long)pages,
	     (unsigned long)(after.pgscan - before.pgscan),
	     (unsigned long)(after.pgsteal_kswapd + after.pgsteal_direct - before.pgsteal_kswapd -
			     before.pgsteal_direct),
	     (unsigned long)(after.pgsteal_kswapd - before.pgsteal_kswapd),
	     (unsigned long)(after.pgsteal_direct - before.pgsteal_direct),
	     (unsigned long)(after.pswpout - before.pswpout),
	     (unsigned long)(after.pswpin - before.pswpin));
	CHECK(after.pgsteal_kswapd + after.pgsteal_direct > before.pgsteal_kswapd + before.pgsteal_direct);
	CHECK(after.pswpout > before.pswpout);
	if (!(in.policy_traits & PAGER_POLICY_READS_BITS))
		CHECK_EQ(after.pgscan, before.pgscan);
	else if (!(in.policy_traits & PAGER_POLICY_FIRST_STAY_BLIND))
		CHECK(after.pgscan > before.pgscan);
	return 0;
}
