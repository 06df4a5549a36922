/*
 * The OOM killer and processes sharing memory: a family sharing half of
 * memory goes before a hog with less, and a process growing into a region
 * its child holds goes with the child, one group, as does a process that
 * forks after each stretch of growth with its children, while a holder
 * beside them keeps every word. Slow: each needs its own boot.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "oom_board.h"
#include "pager_client.h"
#include "tests.h"

struct sharer {
	struct board *b;
	uint64_t pages;
};

/* The family's parent: a shared region filled once, a child that maps it
 * too (its pages count for both), then wait and check, reaping the child. */
static int share_first(void *arg)
{
	struct sharer *s = arg;
	uint64_t *buf = anon_pages(s->pages, MAP_SHARED);
	volatile uint64_t sum = 0;
	pid_t child;

	if (!buf)
		return 2;
	fill(buf, s->pages);
	child = fork();
	if (child == 0) {
		for (uint64_t p = 0; p < s->pages; p++)
			sum += buf[p * WORDS];	/* mapped here too */
		__atomic_add_fetch(&s->b->filled, 1, __ATOMIC_SEQ_CST);
		if (poll_flag(&s->b->check, OOM_TIMEOUT) < 0)
			_exit(3);
		_exit(bad_pages(buf, s->pages) ? 1 : 0);
	}
	if (child < 0)
		return 4;
	__atomic_add_fetch(&s->b->filled, 1, __ATOMIC_SEQ_CST);
	if (poll_flag(&s->b->check, OOM_TIMEOUT) < 0)
		return 3;
	return bad_pages(buf, s->pages) ? 1 : 0;
}

/* Two hogs and a family sharing half of memory, which only both deaths
 * give back: the family goes first, both of them, then the big hog; the
 * small hog is spared. Under oom.policy=unshared the family is one group,
 * killed at once; under rss each member scores the whole half, and the
 * parent's death gives little back before its child's. Swap off. */
int test_oom_two_hogs(void)
{
	struct pager_stats before, after;
	struct pager_info info;
	struct sharer *fam;
	struct holder small;
	pid_t family, hog_small, hog_big;

	CHECK_RUN(stats_get(&before));
	CHECK_EQ(pager_info(&info), 0);
	CHECK_EQ(before.swap_slots_total, 0);
	CHECK(strcmp(info.oom_policy, "rss") == 0 || strcmp(info.oom_policy, "unshared") == 0);
	fam = anon_pages(1, MAP_SHARED);
	CHECK(fam != NULL);
	*fam = (struct sharer){ new_board(), before.frames_total / 2 };
	small = (struct holder){ new_board(), before.frames_total / 16 };
	CHECK(fam->b != NULL && small.b != NULL);
	CHECK((family = fork_run(share_first, fam)) > 0);
	CHECK((hog_small = fork_run(hold, &small)) > 0);
	for (int64_t t = sys_clock(); fam->b->filled < 2 || small.b->filled < 1; sys_yield())
		CHECK(sys_clock() - t < OOM_TIMEOUT);
	CHECK((hog_big = fork_run(grow_forever, NULL)) > 0);
	CHECK_RUN(expect_oom_kill(family, "the family's parent"));
	CHECK_RUN(expect_oom_kill(hog_big, "the big hog"));
	CHECK_RUN(stats_get(&after));
	fam->b->check = small.b->check = 1;
	CHECK_EQ(after.oom_kill - before.oom_kill, 3);
	CHECK_RUN(expect_clean(hog_small, "the small hog"));
	return 0;
}

/* The growing pair's parent: a MAP_SHARED region as large as memory, a
 * child that only holds it (it reaches every page, so neither holds one
 * alone), then a write to page after page. */
static int grow_shared(void *arg)
{
	const struct holder *h = arg;
	volatile uint64_t *buf = anon_pages(h->pages, MAP_SHARED);
	pid_t child;

	if (!buf)
		return 2;
	child = fork();
	if (child == 0)
		_exit(poll_flag(&h->b->check, OOM_TIMEOUT) < 0 ? 3 : 4);
	if (child < 0)
		return 4;
	for (uint64_t p = 0;; p = (p + 1) % h->pages)
		buf[p * WORDS] = p;
}

/* grow (arg: a board and memory's pages / divisor) runs memory out beside
 * a holder and this process's sixteenth (holder_outlives); *kills: the
 * kills that took. Then a quarter of memory is there for the taking with
 * no more: every member's death gave its pages back. Swap off. */
static int group_killed(int (*grow)(void *), const char *what, uint64_t divisor,
			uint64_t *kills)
{
	struct pager_stats before, after;
	struct holder g;
	uint64_t quarter, *more;

	CHECK_RUN(stats_get(&before));
	CHECK_EQ(before.swap_slots_total, 0);
	g = (struct holder){ new_board(), before.frames_total / divisor };
	CHECK(g.b != NULL);
	CHECK_RUN(holder_outlives(grow, &g, what, before.frames_total / 16, kills));
	quarter = before.frames_total / 4;
	CHECK((more = anon_pages(quarter, MAP_PRIVATE)) != NULL);
	fill(more, quarter);
	CHECK_EQ(bad_pages(more, quarter), 0);
	CHECK_RUN(stats_get(&after));
	CHECK_EQ(after.oom_kill - before.oom_kill, *kills);
	CHECK_EQ(munmap(more, quarter * 4096), 0);
	return 0;
}

/* A process growing into a region as large as memory that its child
 * holds is killed with the child, one group; a holder of an eighth of
 * memory keeps every word, as does this process its sixteenth. (Scored
 * one by one, the pair held nothing alone: the holder was killed first.) */
int test_oom_shared_pair(void)
{
	uint64_t kills;

	CHECK_RUN(group_killed(grow_shared, "the growing parent", 1, &kills));
	CHECK_EQ(kills, 2);
	return 0;
}

/* The chain's parent: stretch after stretch of private pages, each
 * written, then a child forked that only waits, so stretch k is the
 * parent's and every later child's, copy-on-write. */
static int grow_forking(void *arg)
{
	const struct holder *h = arg;

	for (;;) {
		volatile uint64_t *buf = anon_pages(h->pages, MAP_PRIVATE);
		if (!buf) {
			sys_yield();
			continue;
		}
		for (uint64_t p = 0; p < h->pages; p++)
			buf[p * WORDS] = p;
		if (fork() == 0)
			_exit(poll_flag(&h->b->check, OOM_TIMEOUT) < 0 ? 3 : 4);
	}
}

/* The copy-on-write chain: a process forks a child after each stretch of
 * a sixteenth of memory, less than the holder's eighth, and the children
 * only wait. The process and its children are one group, killed together
 * (at least it and a child: how many children it forked before is its
 * race with the fault that ran out); the holder and this process keep
 * every word. (Scored one by one, the holder was killed first: every
 * stretch but the last was shared.) */
int test_oom_cow_chain(void)
{
	uint64_t kills;

	CHECK_RUN(group_killed(grow_forking, "the forking parent", 16, &kills));
	diag("killed with its children: %lu", (unsigned long)kills);
	CHECK(kills >= 2);
	return 0;
}
