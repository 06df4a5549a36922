/*
 * lifetimes: a long-lived system. 10,000 short process lifetimes, five
 * kinds in turn (a forked child writing copy-on-write pages, one writing
 * shared memory, one killed while it faults through a big mapping, a
 * spawned program, a child that forks a grandchild), each checked; then
 * frames, reverse-map entries, swap slots, the pager's heap, handles and
 * kernel objects must be exactly where they were. A warm-up of every kind
 * first takes the one-time growth (the pager's heap, the kernel's object
 * caches), which is measured and reported.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define LIFETIMES 10000
#define WARMUP 100		/* of each kind, before the first count */
#define PRIVATE_PAGES 64	/* the parent's copy-on-write area */
#define SHARED_PAGES 16
#define BIG_PAGES 512		/* the mapping a killed child faults through */
#define SETTLE (2000 * MS)

struct world {
	uint64_t *priv;		/* PRIVATE_PAGES, every page written by the parent */
	uint64_t *shared;	/* SHARED_PAGES, MAP_SHARED */
	volatile uint64_t *progress;	/* the big child's pages touched (shared) */
	uint64_t killed_midway;	/* big children killed before their last page */
};

#define WORDS (PAGE_SIZE / 8)

static uint64_t pattern(uint64_t page, uint64_t gen)
{
	return page * 0x9E3779B97F4A7C15ULL + gen;
}

/* A child: write 8 private pages (each a copy-on-write break), check the
 * rest still hold the parent's words; exit 0 if all held. */
static int cow_child(void *arg)
{
	struct world *w = arg;
	int bad = 0;

	for (uint64_t i = 0; i < 8; i++)
		w->priv[(i * 8) * WORDS] = ~0ULL;
	for (uint64_t i = 0; i < PRIVATE_PAGES; i++)
		if (i % 8 != 0 || i >= 64)
			bad |= w->priv[i * WORDS] != pattern(i, 0);
	return bad;
}

/* A child: write n into every shared page. */
static int shared_child(void *arg)
{
	struct world *w = arg;
	uint64_t n = w->shared[1] + 1;

	for (uint64_t i = 0; i < SHARED_PAGES; i++)
		w->shared[i * WORDS] = n;
	return 0;
}

/* A child: fault through a fresh big mapping, saying how far it got, then
 * wait to be killed. */
_Noreturn static int big_child(void *arg)
{
	struct world *w = arg;
	uint8_t *p = anon_pages(BIG_PAGES, MAP_PRIVATE);

	for (uint64_t i = 0; p && i < BIG_PAGES; i++) {
		p[i * PAGE_SIZE] = (uint8_t)i;
		*w->progress = i + 1;
	}
	for (;;)
		sys_yield();
}

static int grandchild(void *arg)
{
	struct world *w = arg;

	w->priv[WORDS] = 7;	/* a copy of a copy */
	return w->priv[2 * WORDS] == pattern(2, 0) ? 0 : 1;
}

/* A child: fork a grandchild, both write, the child reaps it. */
static int chain_child(void *arg)
{
	struct world *w = arg;
	struct exit_info info;
	pid_t pid = fork_run(grandchild, w);

	w->priv[0] = 3;
	if (pid < 0 || reap(pid, &info, CHILD_TIMEOUT) < 0)
		return 2;
	return info.how == EXIT_NORMAL && info.status == 0 ? 0 : 4;
}

static int run_forked(int (*fn)(void *), struct world *w, const char *what)
{
	struct exit_info info;
	pid_t pid = fork_run(fn, w);

	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	return expect_clean_exit(&info, what);
}

/* The shared child's write is seen here, and ours stays private. */
static int shared_life(struct world *w)
{
	uint64_t want = w->shared[1] + 1;

	CHECK_RUN(run_forked(shared_child, w, "a shared-memory child"));
	CHECK_EQ(w->shared[SHARED_PAGES / 2 * WORDS], want);
	return 0;
}

/* Kill the big child at a point that moves with n: mostly mid-way. */
static int killed_life(struct world *w, uint64_t n)
{
	struct exit_info info;
	uint64_t at = 1 + (n * 37) % (BIG_PAGES - 1);

	*w->progress = 0;
	pid_t pid = fork_run(big_child, w);
	CHECK(pid > 0);
	if (poll_flag((volatile int *)w->progress, CHILD_TIMEOUT) < 0)
		CHECK(0);
	while (*w->progress < at && *w->progress < BIG_PAGES)
		sys_yield();
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_EQ(info.how, EXIT_KILLED);
	w->killed_midway += *w->progress < BIG_PAGES;
	return 0;
}

static int spawned_life(uint64_t n)
{
	char status[2] = { (char)('0' + n % 10), '\0' };
	struct child c = { -1, 0 };
	struct exit_info info;

	CHECK_RUN(child_start(&c, "exiter", status, -1));
	int r = child_wait(&c, &info);
	child_cleanup(&c);
	CHECK_RUN(r);
	CHECK_EQ(info.how, EXIT_NORMAL);
	CHECK_EQ(info.status, (long)(n % 10));
	return 0;
}

static int one_life(struct world *w, uint64_t n)
{
	switch (n % 5) {
	case 0:
		return run_forked(cow_child, w, "a copy-on-write child");
	case 1:
		return shared_life(w);
	case 2:
		return killed_life(w, n);
	case 3:
		return spawned_life(n);
	default:
		return run_forked(chain_child, w, "a child forking a grandchild");
	}
}

/* Everything that must come back, read once the pager is done with what
 * just ended. */
struct counts {
	struct pager_stats st;
	struct kernel_info k;
	int handles;		/* entries in this process's own table */
};

static int counts_take(struct counts *c)
{
	CHECK_RUN(stats_settled(&c->st));
	CHECK_EQ(sys_kernel_info(&c->k), 0);
	c->handles = 0;
	for (int h = 0; h < HANDLES_MAX; h++)
		c->handles += sys_handle_info(h) >= 0;
	return 0;
}

#define SAME(field) CHECK_EQ(a->field, b->field)

static int counts_same(const struct counts *b, const struct counts *a)
{
	SAME(st.frames_free);
	SAME(st.frames_mapped);
	SAME(st.rmap_entries);
	SAME(st.heap_pages);
	SAME(st.swap_slots_free);
	SAME(st.swap_entries);
	SAME(st.processes);
	SAME(k.procs);
	SAME(k.threads);
	SAME(k.endpoints);
	SAME(k.notifies);
	SAME(k.handles);
	SAME(k.timers);
	SAME(k.pending_copies);
	SAME(k.pool_free);
	SAME(handles);
	return 0;
}

static int lives(struct world *w, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (one_life(w, i) < 0) {
			diag("lifetime %lu (kind %lu) failed", (unsigned long)i, (unsigned long)(i % 5));
			return -1;
		}
	}
	return 0;
}

/* The program's code and read-only data (user.ld: from _start, first in
 * the segment, to __etext), every page read once: a page first run in the
 * middle of the lifetimes (a rare path; where a function lands moves
 * whenever the tests change) would otherwise count as a frame lost. */
extern const char _start[], __etext[];

static void code_resident(void)
{
	uintptr_t page = (uintptr_t)_start & ~(uintptr_t)(PAGE_SIZE - 1);

	for (; page < (uintptr_t)__etext; page += PAGE_SIZE)
		(void)*(const volatile char *)page;
}

static int world_make(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->priv = anon_pages(PRIVATE_PAGES, MAP_PRIVATE);
	w->shared = anon_pages(SHARED_PAGES, MAP_SHARED);
	CHECK(w->priv && w->shared);
	w->progress = (volatile uint64_t *)&w->shared[(SHARED_PAGES - 1) * WORDS + 8];
	for (uint64_t i = 0; i < PRIVATE_PAGES; i++)
		w->priv[i * WORDS] = pattern(i, 0);
	return 0;
}

int test_lifetimes(void)
{
	struct counts start, before, after;
	struct world w;
	int64_t t0;

	CHECK_RUN(world_make(&w));
	code_resident();
	CHECK_RUN(counts_take(&start));
	CHECK_RUN(lives(&w, 0, 5 * WARMUP));
	CHECK_RUN(counts_take(&before));
	diag("warm-up (%d lifetimes): the pager's heap grew by %ld pages, the kernel pool's caches "
	     "by %ld pages; free frames %lu -> %lu", 5 * WARMUP,
	     (long)(before.st.heap_pages - start.st.heap_pages),
	     (long)(start.k.pool_free - before.k.pool_free), (unsigned long)start.st.frames_free,
	     (unsigned long)before.st.frames_free);
	t0 = sys_clock();
	w.killed_midway = 0;
	CHECK_RUN(lives(&w, 5 * WARMUP, LIFETIMES));
	CHECK_RUN(counts_take(&after));
	diag("%d lifetimes in %ld ms, %lu of %d big children killed mid-way; frames free %lu, "
	     "rmap entries %lu, heap pages %lu, swap slots free %lu, kernel handles %lu: before "
	     "and after", LIFETIMES, (long)((sys_clock() - t0) / MS), (unsigned long)w.killed_midway,
	     LIFETIMES / 5, (unsigned long)after.st.frames_free, (unsigned long)after.st.rmap_entries,
	     (unsigned long)after.st.heap_pages, (unsigned long)after.st.swap_slots_free,
	     (unsigned long)after.k.handles);
	CHECK_RUN(counts_same(&before, &after));
	munmap(w.priv, PRIVATE_PAGES * PAGE_SIZE);
	munmap(w.shared, SHARED_PAGES * PAGE_SIZE);
	return 0;
}
