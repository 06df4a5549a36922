/*
 * The OOM killer and the reserves: a process that grows without bound is
 * the victim and everyone else keeps their data, also when it waits for
 * swap-ins (oom_share.c: processes sharing memory); an adjustment given at
 * spawn prefers a process; eight processes faulting at once under pressure
 * are throttled and leave the reserve alone. Slow: each needs its own boot.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "oom_board.h"
#include "pager_client.h"
#include "tests.h"

#define NFILLERS 8

/* Swap off or full: the grower is the victim, once; a holder beside it
 * and this process keep every word. */
int test_oom_grower(void)
{
	struct pager_stats now;
	uint64_t kills;

	CHECK_RUN(stats_get(&now));
	CHECK_RUN(holder_outlives(grow_forever, NULL, "the grower", now.frames_total / 8, &kills));
	CHECK_EQ(kills, 1);
	return 0;
}

/* Fill more than memory, then read it back at random for ever: many reads
 * are swap-ins from the start, more once the grower beside it pushes it out. */
static int read_forever(void *arg)
{
	struct holder *h = arg;
	uint64_t *buf = anon_pages(h->pages, MAP_PRIVATE), x = 1;
	volatile uint64_t sum = 0;

	if (!buf)
		return 2;
	fill(buf, h->pages);
	__atomic_add_fetch(&h->b->filled, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sum += buf[((x >> 33) % h->pages) * WORDS];
	}
}

/* Swap full: the biggest process is killed while it waits for its
 * swap-ins (its faults are in the pager, some with the lock let go for the
 * disk), and nothing hangs: the grower that caused the shortage goes on,
 * meets the OOM killer in its turn, and the test's own data is intact. */
int test_oom_swapin_victim(void)
{
	struct pager_stats before, after;
	struct holder h;
	uint64_t pages, *mine;
	pid_t reader, grower;

	CHECK_RUN(stats_get(&before));
	CHECK(before.swap_slots_total > 0);
	pages = before.frames_total / 16;
	CHECK((mine = anon_pages(pages, MAP_PRIVATE)) != NULL);
	fill(mine, pages);
	/* More than RAM, so that its own reads wait for the disk (a policy
	 * that keeps a reader which fits in RAM would swap out only the
	 * grower's pages), and more than the grower can get: the quarter of
	 * swap left. */
	h = (struct holder){ new_board(), before.frames_total + before.swap_slots_free / 4 };
	CHECK(h.b != NULL);
	CHECK((reader = fork_run(read_forever, &h)) > 0);
	CHECK_RUN(poll_flag(&h.b->filled, OOM_TIMEOUT));
	CHECK((grower = fork_run(grow_forever, NULL)) > 0);
	CHECK_RUN(expect_oom_kill(reader, "the reader"));
	CHECK_RUN(expect_oom_kill(grower, "the grower"));
	CHECK_RUN(stats_get(&after));
	diag("major faults %lu, pages read from swap %lu, faults served during a read %lu",
	     (unsigned long)(after.pgmajfault - before.pgmajfault),
	     (unsigned long)(after.pswpin - before.pswpin),
	     (unsigned long)(after.faults_during_read - before.faults_during_read));
	CHECK_EQ(after.oom_kill - before.oom_kill, 2);
	CHECK(after.pgmajfault > before.pgmajfault);
	CHECK_EQ(bad_pages(mine, pages), 0);
	CHECK_EQ(munmap(mine, pages * 4096), 0);
	return 0;
}

/* An adjustment at spawn: out of range or below the spawner's own (this
 * process is not init) is refused; +1000 makes a small process the first
 * victim, before the grower that caused the shortage. Swap off. */
int test_oom_adjust(void)
{
	static const char *const hold_argv[] = { "hog", "hold", "64", NULL };
	struct pager_stats before, after;
	struct child preferred = { -1, 0 };
	struct exit_info info;
	int note = sys_notify_create();
	pid_t grower;

	CHECK(note >= 0);
	CHECK_RUN(stats_get(&before));
	CHECK_EQ(spawn_adj("hog", hold_argv, note, 1001, NULL), -EINVAL);
	CHECK_EQ(spawn_adj("hog", hold_argv, note, -1001, NULL), -EINVAL);
	CHECK_EQ(spawn_adj("hog", hold_argv, note, -1, NULL), -EPERM);
	preferred.handle = spawn_adj("hog", hold_argv, note, 1000, &preferred.pid);
	CHECK(preferred.handle >= 0);
	CHECK((grower = fork_run(grow_forever, NULL)) > 0);
	CHECK_RUN(child_wait(&preferred, &info));
	diag("the preferred holder: how %u cause %u status %d", info.how, info.cause,
	     (int)info.status);
	CHECK_EQ(info.how, EXIT_KILLED);
	CHECK_EQ(info.cause, CAUSE_KILLED);
	CHECK_EQ(info.status, PAGER_KILLED_OOM);
	CHECK_RUN(expect_oom_kill(grower, "the grower"));
	CHECK_RUN(stats_get(&after));
	CHECK_EQ(after.oom_kill - before.oom_kill, 2);
	child_cleanup(&preferred);
	sys_handle_close(note);
	return 0;
}

struct filler {
	struct board *b;
	uint64_t pages;
};

/* Eight at once: fill, then read back. */
static int fill_and_check(void *arg)
{
	const struct filler *f = arg;
	uint64_t *buf = anon_pages(f->pages, MAP_PRIVATE);

	if (!buf)
		return 2;
	__atomic_add_fetch(&f->b->filled, 1, __ATOMIC_SEQ_CST);
	if (poll_flag(&f->b->check, OOM_TIMEOUT) < 0)	/* start together */
		return 3;
	fill(buf, f->pages);
	return bad_pages(buf, f->pages) ? 1 : 0;
}

/* Eight processes fault at once over twice the memory; every one keeps its
 * data and no one is killed. The pager's counters before and after. */
static int eight_at_once(struct pager_stats *before, struct pager_stats *after)
{
	struct filler f;
	pid_t pid[NFILLERS];

	CHECK_RUN(stats_get(before));
	CHECK(before->swap_slots_total > 0);
	f = (struct filler){ new_board(), before->frames_total / 4 };
	CHECK(f.b != NULL);
	for (int k = 0; k < NFILLERS; k++)
		CHECK((pid[k] = fork_run(fill_and_check, &f)) > 0);
	for (int64_t t = sys_clock(); f.b->filled < NFILLERS; sys_yield())
		CHECK(sys_clock() - t < OOM_TIMEOUT);
	f.b->check = 1;
	for (int k = 0; k < NFILLERS; k++)
		CHECK_RUN(expect_clean(pid[k], "a filler"));
	CHECK_RUN(stats_get(after));
	diag("throttled %lu, fewest free %lu, reserve allocations %lu, "
	     "pages written at the floor %lu, direct reclaims %lu",
	     (unsigned long)(after->throttled - before->throttled),
	     (unsigned long)after->frames_free_lowest,
	     (unsigned long)(after->reserve_allocs - before->reserve_allocs),
	     (unsigned long)(after->pswpout_at_floor - before->pswpout_at_floor),
	     (unsigned long)(after->allocstall - before->allocstall));
	CHECK_EQ(after->oom_kill, before->oom_kill);
	return 0;
}

/* With the default watermarks, requests below the minimum wait for the
 * swap-out thread instead of each reclaiming (throttled), and free frames
 * never run out: the reserve is still there. */
int test_reserve_throttle(void)
{
	struct pager_stats before, after;
	struct pager_info info;

	CHECK_EQ(pager_info(&info), 0);
	CHECK(info.min_free > info.reserve);
	CHECK_RUN(eight_at_once(&before, &after));
	CHECK(after.throttled > before.throttled);
	/* Nothing ordinary took from the reserve, and nothing else needed to. */
	CHECK(after.frames_free_lowest >= info.reserve);
	return 0;
}

/* With pager.free_min=0 and background reclaim only from 99% in use
 * (meson.build), faults take nearly every frame above the reserve before
 * background reclaim starts, with no direct reclaim ahead of need: free
 * memory reaches the floor, and the swap-out I/O started there still
 * completes (pages written at the floor). */
int test_reserve_floor(void)
{
	struct pager_stats before, after;
	struct pager_info info;

	CHECK_EQ(pager_info(&info), 0);
	CHECK_EQ(info.min_free, 0);
	CHECK_RUN(eight_at_once(&before, &after));
	CHECK(after.frames_free_lowest <= info.reserve);
	CHECK(after.pswpout_at_floor > before.pswpout_at_floor);
	CHECK(after.frames_free_lowest > 0);
	return 0;
}
