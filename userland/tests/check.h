/*
 * What the in-guest tests are written with: CHECK macros that record why a
 * test failed and return from it, diagnostics, and small helpers for the
 * children and threads the tests start.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdint.h>
#include <sys/types.h>

#include "kernel/abi/clock.h"
#include "pager/protocol.h"
#include "sys.h"

#define MS CLOCK_NS_PER_MS
#define TEST_TIMEOUT (5000 * MS)	/* waiting for a thread's flag */
#define TEST_STACK 16384		/* bytes of stack per test thread */

/* Record why the running test failed (the first reason only). */
void check_failed(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fail the test (return -1 from the calling function) unless cond holds. */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			check_failed(__FILE__, __LINE__, "%s", #cond);	\
			return -1;					\
		}							\
	} while (0)

/* Fail the test unless got == want, saying both values. */
#define CHECK_EQ(got, want)						\
	do {								\
		long got_ = (long)(got), want_ = (long)(want);		\
		if (got_ != want_) {					\
			check_failed(__FILE__, __LINE__,		\
				     "%s is %ld, want %ld",		\
				     #got, got_, want_);		\
			return -1;					\
		}							\
	} while (0)

/* Fail the test if a helper that returns -1 on failure failed (it has
 * already said why). */
#define CHECK_RUN(expr) CHECK((expr) == 0)

/* Print a TAP diagnostic line: "# " fmt. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The runner's side: forget the last reason; read it ("" if none). */
void check_reset(void);
const char *check_reason(void);

/* This process's live threads (proc_info), or -1. */
int own_threads(void);
/* This process's page-table pages, or 0 (the root table is always one). */
uint64_t own_pt_pages(void);
/* What one leaf page table maps. */
#define TABLE_SPAN (2UL << 20)

/* Sleep until this process has n threads (those started have ended, even
 * at a lower priority); 0, or -1 (recorded) after timeout_ns. */
int threads_back_to(int n, int64_t timeout_ns);

/* Yield until *flag is non-zero; 0, or -1 (recorded) after timeout_ns. */
int wait_flag(volatile int *flag, int64_t timeout_ns);

/* A process a test started. */
struct child {
	int handle;		/* -1 when none */
	int pid;
};

/* Start program name with one argument arg (or none if NULL), passing
 * handle pass (or -1); 0, or -1 (recorded). */
int child_start(struct child *c, const char *name, const char *arg, int pass);

/* Wait for c (blocking) into *info; 0, or -1 (recorded). */
int child_wait(struct child *c, struct exit_info *info);

/* Kill c if it still runs, reap it and close its handle. */
void child_cleanup(struct child *c);

/* Children made by fork() (forked.c). A child's function returns its exit
 * status: 0 for all well, else bits saying what it saw wrong. */
#define CHILD_TIMEOUT (10000 * MS)	/* a forked child must end by then */

/* Fork a child that runs fn(arg) and exits with what it returns. Its pid,
 * or -1 (recorded). */
pid_t fork_run(int (*fn)(void *), void *arg);

/* Wait for child pid to end and reap it into *info; after timeout_ns kill
 * and reap it and fail. 0, or -1 (recorded). */
int reap(pid_t pid, struct exit_info *info, int64_t timeout_ns);

/* Check that a reaped child exited normally with status 0; else say how it
 * ended (what is a word for the message). 0, or -1 (recorded). */
int expect_clean_exit(const struct exit_info *info, const char *what);

/* fork_run, reap and expect_clean_exit in one: fn(arg) in a child that
 * must exit with 0. 0, or -1 (recorded). */
int run_child(int (*fn)(void *), void *arg, const char *what);

/* A child function for the out-of-memory tests: takes memory 256 pages at
 * a time, one word written per page, until it is killed; a refused mmap
 * (the pager short of its own memory) is tried again. */
_Noreturn int grow_forever(void *arg);

/* pages fresh anonymous pages mapped with flags (MAP_PRIVATE or
 * MAP_SHARED), or NULL. */
void *anon_pages(uint64_t pages, int flags);

/* Run fn(arg) in a forked child and check that the pager killed it for a
 * page fault at addr. 0, or -1 (recorded). */
int expect_fault_kill(int (*fn)(void *), void *arg, uintptr_t addr);

/* Yield until *flag (shared memory) is non-zero or timeout_ns passes; 0, or
 * -1 (not recorded: children use it too). */
int poll_flag(const volatile int *flag, int64_t timeout_ns);

/* The pager's counters (vmstats.c). */

/* Read them; 0, or -1 (recorded). */
int stats_get(struct pager_stats *st);

/* Read them once the pager has finished with processes that have just
 * ended (frames_free and processes stay put across reads). 0, or -1. */
int stats_settled(struct pager_stats *st);

/* Whether swap moved pages between before and after: reclaim may have
 * sent pages out (anyone's), or a fault read some back with its readahead
 * into the swap cache, and free-frame and mapping counts then measure
 * that, not a leak. */
int stats_swap_moved(const struct pager_stats *before, const struct pager_stats *after);

/* Poll until frames_free is before's again, or swap moved pages (then it
 * may never be), or CHILD_TIMEOUT passes; *st holds the last read. 0, or
 * -1 (recorded) if the pager did not answer. */
int stats_wait_free(struct pager_stats *st, const struct pager_stats *before);

/* The pager's statistics for processes pids[0..n-1] into out[0..n-1], from
 * one sweep of its table (one reply while there are at most 16 processes),
 * so they describe one moment. 0, or -1 (recorded) if one is missing. */
int proc_stats_get(const pid_t *pids, struct pager_proc_stats *out, int n);

/* An echo server (userland/bin/echo.h) on an endpoint of its own. */
struct echo {
	int ep;			/* our handle to its endpoint, or -1 */
	struct child proc;
};

/* Start one; 0, or -1 (recorded). */
int echo_start(struct echo *e);

/* Make one call with text and check the answer; 0, or -1 (recorded). */
int echo_call(const struct echo *e, uint64_t label, const char *text);

/* Ask it to quit and check it exits 0; 0, or -1 (recorded). Always
 * releases everything, as echo_cleanup does. */
int echo_stop(struct echo *e);

/* Kill it if it runs and close every handle. */
void echo_cleanup(struct echo *e);

#endif
