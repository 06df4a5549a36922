/*
 * What the in-guest tests are written with: CHECK macros that record why a
 * test failed and return from it, diagnostics, and small helpers for the
 * children and threads the tests start.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdint.h>

#include "sys.h"

#define MS 1000000LL			/* nanoseconds */
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
