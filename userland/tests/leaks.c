/*
 * leaks: resources a failed operation must not leave behind, found by the
 * fuzzer and the issue-14 investigations. A message whose delivery fails
 * must not leave its passed handle in the receiver's table; a spawn whose
 * reply cannot carry the child's handle must not leave the child running
 * where no one can wait for it or kill it; huge mappings with a few
 * pages touched must not take the pager's memory by their size; and the
 * kernel's page tables for pages unmapped must go back, not stay until
 * the process ends; and one line's forks must not take more of the kernel
 * pool than its budget.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "children.h"
#include "pager_client.h"
#include "pool_touch.h"
#include "tests.h"
#include "thread.h"

/* Entries in use in this process's handle table. */
static int handles_in_use(void)
{
	int n = 0;

	for (int h = 0; h < HANDLES_MAX; h++)
		n += sys_handle_info(h) >= 0;
	return n;
}

static struct receiving {
	int ep;
	struct msg *buf;
	volatile int started, done;
	int r;
} rx;

static void receiver(void *arg)
{
	(void)arg;
	rx.started = 1;
	rx.r = sys_recv(rx.ep, rx.buf);
	rx.done = 1;
}

/* A thread waits in recv with its buffer in a page; the page is unmapped;
 * a message passing a handle comes. The receive fails with -ERR_FAULT and
 * the handle must not stay in the table, where no one knows its number. */
int test_failed_delivery_keeps_no_handle(void)
{
	struct msg m = { .label = 5, .handle = -1 };
	int note = sys_notify_create(), before;
	uint8_t *page = anon_pages(1, MAP_PRIVATE);

	CHECK(note >= 0 && page != NULL);
	memset(page, 1, PAGE_SIZE);	/* present: the receive starts at once */
	rx = (struct receiving){ .ep = sys_endpoint_create(), .buf = (struct msg *)page };
	CHECK(rx.ep >= 0);
	CHECK(thread_spawn(receiver, NULL, TEST_STACK, PRIO_NORMAL) >= 0);
	CHECK_RUN(wait_flag(&rx.started, TEST_TIMEOUT));
	for (int i = 0; i < 10; i++)
		sys_yield();	/* it is blocked in recv by now */
	before = handles_in_use();
	CHECK_EQ(munmap(page, PAGE_SIZE), 0);
	m.handle = note;
	CHECK_EQ(sys_send(rx.ep, &m), 0);
	CHECK_RUN(wait_flag(&rx.done, TEST_TIMEOUT));
	CHECK_EQ(rx.r, -ERR_FAULT);
	CHECK_EQ(handles_in_use(), before);
	CHECK_EQ(sys_handle_close(note), 0);
	CHECK_EQ(sys_handle_close(rx.ep), 0);
	return 0;
}

static int held[HANDLES_MAX];

/* Fill this process's table; how many were taken. */
static int fill_table(void)
{
	int n = 0, h;

	while ((h = sys_notify_create()) >= 0)
		held[n++] = h;
	return n;
}

static void empty_table(int n)
{
	for (int i = 0; i < n; i++)
		sys_handle_close(held[i]);
}

/* The pager's process count once it has settled. */
static int processes_now(uint64_t *n)
{
	struct pager_stats st;

	CHECK_RUN(stats_settled(&st));
	*n = st.processes;
	return 0;
}

/* The pager's process count back to before once ended children are
 * reaped (CHILD_TIMEOUT only bounds a hang: a loaded host must not fail
 * it). */
static int processes_back_to(uint64_t before)
{
	int64_t start = sys_clock();
	uint64_t after;

	do {
		CHECK_RUN(processes_now(&after));
	} while (after != before && sys_clock() - start < CHILD_TIMEOUT);
	CHECK_EQ(after, before);
	return 0;
}

/* A spawn from a process whose table is full cannot hand over the child's
 * handle: it must fail with EMFILE and leave no child behind (spinner
 * would run for ever, unreachable). */
int test_spawn_full_table_leaves_no_child(void)
{
	const char *argv[] = { "spinner", NULL };
	uint64_t before;
	int pid = 0, n, h;

	CHECK_RUN(processes_now(&before));
	n = fill_table();
	h = spawn("spinner", argv, -1, &pid);
	empty_table(n);
	if (h >= 0) {
		sys_proc_kill(h, 9);
		sys_handle_close(h);
	}
	CHECK_EQ(h, -ERR_MFILE);
	CHECK_RUN(processes_back_to(before));
	return 0;
}

/* A forked child's whole life, at pc: mark the page it shares with its
 * parent, then end. No stack, no call before the mark: a child started
 * at all would leave it. */
static void mark_and_end(volatile uint64_t *flag)
{
	*flag = 1;
	sys_exit(0);
}

/* A fork from a process whose table is full cannot hand over the child's
 * handle: EMFILE, and the child is ended unstarted (pager/protocol.h), the
 * handle asked for before its thread is made, so it never runs: a mark it
 * would make in shared memory first thing stays 0, every time; and no
 * process is left. */
int test_fork_full_table_never_runs(void)
{
	volatile uint64_t *flag = anon_pages(1, MAP_SHARED);
	uint64_t before;
	int n;

	CHECK(flag != NULL);
	*flag = 0;
	CHECK_RUN(processes_now(&before));
	for (int k = 0; k < 20; k++) {
		struct msg m = { .label = PAGER_FORK, .handle = -1 };
		m.w[0] = (uintptr_t)mark_and_end;
		m.w[1] = (uintptr_t)flag + PAGE_SIZE;	/* unused: it takes no stack */
		m.w[2] = (uintptr_t)flag;
		n = fill_table();
		int r = pager_call(&m);
		empty_table(n);
		if (r >= 0) {
			sys_proc_kill((int)m.w[0], 9);
			sys_handle_close((int)m.w[0]);
		}
		CHECK_EQ(r, -ERR_MFILE);
	}
	CHECK_RUN(processes_back_to(before));
	CHECK_EQ(*flag, 0);
	return 0;
}

#define HUGE (1UL << 30)	/* the largest mapping the pager grants */
#define HUGE_MAPS 6
#define SPARSE_HEAP_MAX 32	/* pages: chunks and records, not page arrays */

/* Pages touched far apart in huge mappings: what the pager keeps for
 * them must follow the pages, not the gigabytes mapped. */
static int touch_sparse(uint8_t **maps, uint64_t off)
{
	for (int k = 0; k < HUGE_MAPS; k++) {
		maps[k][off] = 1;
		maps[k][HUGE / 2 + off] = 2;
	}
	return 0;
}

static int sparse_child(void *arg)
{
	return touch_sparse(arg, 3 * PAGE_SIZE);
}

/* Six 1 GiB mappings (one shared), two pages touched in each, then a
 * forked child touching two more: the pager's heap grows by a few pages,
 * where whole page arrays would have taken 1 MiB a mapping, and a copy of
 * each for the child. */
int test_sparse_mappings_cost_little(void)
{
	static uint8_t *maps[HUGE_MAPS];
	struct pager_stats before, after;
	struct exit_info info;

	CHECK_RUN(stats_settled(&before));
	for (int k = 0; k < HUGE_MAPS; k++) {
		maps[k] = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
			       (k == 0 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
		CHECK(maps[k] != MAP_FAILED);
	}
	touch_sparse(maps, 0);
	pid_t pid = fork_run(sparse_child, maps);
	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "a child touching huge mappings"));
	CHECK_RUN(stats_settled(&after));
	for (int k = 0; k < HUGE_MAPS; k++)
		CHECK_EQ(munmap(maps[k], HUGE), 0);
	diag("the pager's heap: %lu pages before, %lu after", (unsigned long)before.heap_pages,
	     (unsigned long)after.heap_pages);
	/* Signed: lent pages trimmed can make the heap fall (pager_heap.c). */
	CHECK((int64_t)after.heap_pages - (int64_t)before.heap_pages <= SPARSE_HEAP_MAX);
	return 0;
}

/* A huge mapping made, one page touched in it, each time in another 2 MiB
 * (another leaf table), and the mapping dropped, as many times as the
 * kernel pool has pages: more than twice the page-table limit the pager
 * sets (at most half the pool), so a table kept for each would pass it and
 * the fault would kill this child. Its count must end where it began. */
static int sparse_tables_child(void *arg)
{
	struct kernel_info k;
	uint64_t start = own_pt_pages();

	(void)arg;
	if (start == 0 || sys_kernel_info(&k) != 0)
		return 1;
	for (uint64_t i = 0; i < k.pool_pages; i++) {
		uint8_t *map = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (map == MAP_FAILED)
			return 2;
		map[(i % (HUGE / TABLE_SPAN)) * TABLE_SPAN] = 1;
		if (munmap(map, HUGE) != 0)
			return 4;
	}
	return own_pt_pages() == start ? 0 : 8;
}

int test_unmapped_tables_return(void)
{
	return run_child(sparse_tables_child, NULL, "a child mapping and unmapping sparse pages");
}

#define TOUCHERS (PAGER_LINE_PROCS_MAX - 1)	/* the suite and 27 forks: a full line */
/* Pages a refused toucher may have cost its line beyond what the first
 * did: one for each kind of object a fork is made with (its record,
 * handle table, thread and the thread's room for a message copy), each of
 * which may have started a page of the line's cache of its kind for it
 * and found room for the first's. Charges are whole pages, so a refusal
 * leaves less than a page unused: none. */
#define TOUCHER_OBJECT_PAGES 4

static struct touchers {
	volatile int ready[TOUCHERS];
	volatile int release;
	struct pager_info bounds;	/* the line's budget, a process's limit */
	uint64_t tables;		/* each toucher's (pool_touch_tables) */
} *touch;

/* A fork's work: one page touched in each of touch->tables fresh 2 MiB
 * ranges (a leaf table each, a few frames for all), then held until
 * released. A table the line's budget refuses kills it. */
static int pool_toucher(int i)
{
	if (!pool_touch(&touch->bounds, touch->tables))
		return 1;
	touch->ready[i] = 1;
	poll_flag(&touch->release, 10 * CHILD_TIMEOUT);
	return 0;
}

/* Fork toucher i and wait until it holds its tables (1) or has died,
 * reaped: 0 if killed at a fault (a table refused), -2 if it died
 * otherwise. -1 with *err if the fork was refused. */
static int toucher_start(int i, pid_t *pid, int *err)
{
	struct exit_info info;

	if ((*pid = fork()) < 0) {
		*err = errno;
		return -1;
	}
	if (*pid == 0)
		_exit(pool_toucher(i));
	while (!touch->ready[i]) {
		if (waitpid_info(*pid, &info, WNOHANG) == *pid) {
			*pid = 0;
			return info.how == EXIT_KILLED && info.cause == CAUSE_PAGE_FAULT ? 0 : -2;
		}
		sys_yield();
	}
	return 1;
}

/* Free pool pages before minus after, signed: the pool may also grow
 * back meanwhile. */
static int64_t pool_drop(const struct kernel_info *before, const struct kernel_info *after)
{
	return (int64_t)before->pool_free - (int64_t)after->pool_free;
}

/* Pool pages this test may see go besides its line's: the pager's own,
 * which no budget pays for, its page tables for malloc's heap grown from
 * before to after (heap_malloc_pages: one span, never given back): a leaf
 * table for each 2 MiB of it and one more where it starts inside one, a
 * middle table for each 1 GiB and one more. The frames the heap lends
 * whole (page arrays' chunks, region records), which heap_pages counts
 * too, are not mapped in the pager's page tables and need none. The
 * line's objects take no page besides: they are cut from pages of its
 * own, each charged to it whole (kernel/budget_caches.c). */
static int64_t pager_tables(const struct pager_stats *before, const struct pager_stats *after)
{
	uint64_t grown = after->heap_malloc_pages - before->heap_malloc_pages;

	return (int64_t)((grown + 511) / 512 + 1 + grown / (512 * 512) + 1);
}

/* One line forks sparse touchers (each a few frames but page tables
 * enough that half of them spend the budget, as the pager reports it)
 * until its budget of the kernel pool refuses one (a fork ENOMEM, or a
 * toucher killed at a table): with them all alive, the pool has lost at
 * most the line's budget and the pager's own tables (pager_tables), so
 * the pager, init, the drivers and other lines keep the rest; without the
 * budget they emptied it. The line then uses its budget less at most one
 * toucher's cost (the refused one's, given back; the pager reports the
 * line's use), or something else refused (a process's own page-table
 * limit, say): measured on the budget itself, not the pool, so what the
 * line held before (the suite's own tables) and the pool's other moves
 * count for nothing. Once they end the pool is back where it was, but
 * for the pager's tables. */
int test_limit_pool(void)
{
	struct kernel_info before, first, peak, after;
	struct pager_stats heap_before, heap_peak, heap_after;
	struct pager_info at_peak;
	struct exit_info info;
	pid_t pids[TOUCHERS] = { 0 };
	int n = 0, r = 1, fork_err = 0;
	int64_t budget;

	touch = anon_pages(1, MAP_SHARED);
	CHECK(touch != NULL);
	memset((void *)touch, 0, sizeof(*touch));
	CHECK_EQ(pager_info(&touch->bounds), 0);
	CHECK((touch->tables = pool_touch_tables(&touch->bounds, TOUCHERS)) > 0);
	budget = (int64_t)touch->bounds.line_pool_pages;
	CHECK_EQ(pager_stats(&heap_before), 0);
	CHECK_EQ(sys_kernel_info(&before), 0);
	first = before;
	while (n < TOUCHERS && (r = toucher_start(n, &pids[n], &fork_err)) == 1)
		if (n++ == 0)
			CHECK_EQ(sys_kernel_info(&first), 0);
	CHECK_EQ(sys_kernel_info(&peak), 0);
	CHECK_EQ(pager_info(&at_peak), 0);
	CHECK_EQ(pager_stats(&heap_peak), 0);
	touch->release = 1;
	for (int i = 0; i < n; i++) {
		CHECK_RUN(reap(pids[i], &info, CHILD_TIMEOUT));
		CHECK_RUN(expect_clean_exit(&info, "a toucher its budget let be"));
	}
	CHECK_EQ(sys_kernel_info(&after), 0);
	CHECK_EQ(pager_stats(&heap_after), 0);
	diag("kernel pool: %lu pages, %lu free before, %lu with %d touchers of %lu tables (the first "
	     "cost %ld), %lu after; the line's budget %ld, %lu used (%lu before); the pager's heap "
	     "grew %lu pages, %lu of them malloc's; the next toucher: %d",
	     (unsigned long)before.pool_pages, (unsigned long)before.pool_free,
	     (unsigned long)peak.pool_free, n, (unsigned long)touch->tables,
	     (long)pool_drop(&before, &first), (unsigned long)after.pool_free, (long)budget,
	     (unsigned long)at_peak.line_pool_used, (unsigned long)touch->bounds.line_pool_used,
	     (unsigned long)(heap_peak.heap_pages - heap_before.heap_pages),
	     (unsigned long)(heap_peak.heap_malloc_pages - heap_before.heap_malloc_pages), r);
	/* malloc's pages are of the heap's, and a high-water mark: a fall
	 * would be no growth's */
	CHECK(heap_peak.heap_malloc_pages <= heap_peak.heap_pages);
	CHECK(heap_peak.heap_malloc_pages >= heap_before.heap_malloc_pages);
	CHECK(heap_after.heap_malloc_pages >= heap_peak.heap_malloc_pages);
	CHECK(r == 0 || r == -1);	/* refused: killed at a table, or its fork */
	CHECK(r == 0 || fork_err == ENOMEM);	/* the budget, not the line's bound */
	CHECK(pool_drop(&before, &peak) <= budget + pager_tables(&heap_before, &heap_peak));
	CHECK((int64_t)at_peak.line_pool_used + pool_drop(&before, &first) + TOUCHER_OBJECT_PAGES >=
	      budget);
	CHECK(pool_drop(&before, &after) <= pager_tables(&heap_before, &heap_after));
	return 0;
}
