/*
 * What the OOM tests (oom.c, oom_share.c) share: a board children wait on,
 * pages filled with a pattern and checked, a holder of private pages, and
 * checks of how a process ended.
 */
#ifndef TESTS_OOM_BOARD_H
#define TESTS_OOM_BOARD_H

#include <stdint.h>
#include <sys/types.h>

#define WORDS (4096 / sizeof(uint64_t))
#define SECOND (1000 * MS)
#define OOM_TIMEOUT (300 * SECOND)

/* Shared with the children: they hold their data until told to check it. */
struct board {
	volatile int check;
	volatile int filled;
};

struct holder {
	struct board *b;
	uint64_t pages;
};

/* buf's pages filled with the pattern; how many of them no longer hold it. */
void fill(uint64_t *buf, uint64_t pages);
uint64_t bad_pages(const uint64_t *buf, uint64_t pages);
/* A board in a shared page, or NULL. */
struct board *new_board(void);
/* A child's body (arg: a struct holder): fill private pages, wait to be
 * told, check them: 0 if all held. */
int hold(void *arg);
/* pid reaped: killed by the OOM killer, or ended cleanly; 0, else a
 * failure said (what names it). */
int expect_oom_kill(pid_t pid, const char *what);
int expect_clean(pid_t pid, const char *what);
/* This process holding mine pages of its own and a holder an eighth of
 * memory, grow(arg) beside them runs memory out: it is killed (what),
 * and the holder and this process keep every word; *kills: the OOM kills
 * meanwhile. 0, else a failure said. */
int holder_outlives(int (*grow)(void *), void *arg, const char *what, uint64_t mine,
		    uint64_t *kills);

#endif
