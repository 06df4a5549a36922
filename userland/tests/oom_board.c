/*
 * The OOM tests' shared pieces (oom_board.h): patterned pages, a holder of
 * private pages beside a process that runs memory out, and how a child ended.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "oom_board.h"
#include "pager_client.h"
#include "tests.h"

static uint64_t pattern(uint64_t page, uint64_t word)
{
	return (page << 32) ^ (word * 0x9e3779b97f4a7c15ULL) ^ 0x00a1;
}

void fill(uint64_t *buf, uint64_t pages)
{
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < WORDS; w++)
			buf[p * WORDS + w] = pattern(p, w);
}

uint64_t bad_pages(const uint64_t *buf, uint64_t pages)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < WORDS; w++)
			if (buf[p * WORDS + w] != pattern(p, w)) {
				bad++;
				break;
			}
	return bad;
}

struct board *new_board(void)
{
	return anon_pages(1, MAP_SHARED);
}

/* Fill private pages, wait to be told, check them: 0 if all held. */
int hold(void *arg)
{
	const struct holder *h = arg;
	uint64_t *buf = anon_pages(h->pages, MAP_PRIVATE);

	if (!buf)
		return 2;
	fill(buf, h->pages);
	__atomic_add_fetch(&h->b->filled, 1, __ATOMIC_SEQ_CST);
	if (poll_flag(&h->b->check, OOM_TIMEOUT) < 0)
		return 3;
	return bad_pages(buf, h->pages) ? 1 : 0;
}

int expect_oom_kill(pid_t pid, const char *what)
{
	struct exit_info info;

	CHECK_RUN(reap(pid, &info, OOM_TIMEOUT));
	diag("%s (pid %d): how %u cause %u status %d", what, (int)pid, info.how, info.cause,
	     (int)info.status);
	CHECK_EQ(info.how, EXIT_KILLED);
	CHECK_EQ(info.cause, CAUSE_KILLED);
	CHECK_EQ(info.status, PAGER_KILLED_OOM);
	return 0;
}

int expect_clean(pid_t pid, const char *what)
{
	struct exit_info info;

	CHECK_RUN(reap(pid, &info, OOM_TIMEOUT));
	return expect_clean_exit(&info, what);
}

int holder_outlives(int (*grow)(void *), void *arg, const char *what, uint64_t mine,
		    uint64_t *kills)
{
	struct pager_stats before, after;
	struct holder h;
	uint64_t *buf;
	pid_t holder, grower;

	CHECK_RUN(stats_get(&before));
	CHECK((buf = anon_pages(mine, MAP_PRIVATE)) != NULL);
	fill(buf, mine);
	h = (struct holder){ new_board(), before.frames_total / 8 };
	CHECK(h.b != NULL);
	CHECK((holder = fork_run(hold, &h)) > 0);
	CHECK_RUN(poll_flag(&h.b->filled, OOM_TIMEOUT));
	CHECK((grower = fork_run(grow, arg)) > 0);
	CHECK_RUN(expect_oom_kill(grower, what));
	CHECK_RUN(stats_get(&after));
	*kills = after.oom_kill - before.oom_kill;
	h.b->check = 1;
	CHECK_RUN(expect_clean(holder, "the holder"));
	CHECK_EQ(bad_pages(buf, mine), 0);
	CHECK_EQ(munmap(buf, mine * 4096), 0);
	return 0;
}
