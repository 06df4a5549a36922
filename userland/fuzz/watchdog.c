/*
 * The watchdog: a thread of the supervisor's process that wakes every
 * second on a kernel timer and ends the run, saying where the supervisor
 * stopped, once it has made no progress for the limit. A hang of the
 * kernel or the pager then fails the run with a reason instead of running
 * into the test's timeout with nothing said.
 */
#include <stdio.h>

#include "console.h"
#include "fuzz.h"
#include "sleep.h"
#include "thread.h"

#define WAKE_NS (1000 * MS)
#define WATCHDOG_STATUS 4	/* the run's exit status when it fires */

static volatile int64_t last_ns;
static const char *volatile last_what = "starting";
static int64_t limit;
static int note = -1, sleep_note = -1;

void watchdog_progress(const char *what)
{
	last_what = what;
	last_ns = sys_clock();
}

static void watch(void *arg)
{
	(void)arg;
	for (;;) {
		if (sleep_on(note, WAKE_NS) < 0)
			sys_yield();	/* no timer: look again at the next slice */
		int64_t quiet = sys_clock() - last_ns;
		if (quiet < limit)
			continue;
		printf("Bail out! fuzz watchdog: the supervisor made no progress for %ld s "
		       "(last: %s); the kernel or the pager hangs\n",
		       (long)(quiet / (1000 * MS)), last_what);
		console_flush();
		sys_exit(WATCHDOG_STATUS);
	}
}

/* A start that failed gives back what it made: no handle left behind, and
 * none named by the globals. */
static void watchdog_undo(void)
{
	if (note >= 0)
		sys_handle_close(note);
	if (sleep_note >= 0)
		sys_handle_close(sleep_note);
	note = sleep_note = -1;
}

int watchdog_start(int64_t limit_ns)
{
	limit = limit_ns;
	watchdog_progress("starting");
	note = sys_notify_create();
	sleep_note = sys_notify_create();
	if (note >= 0 && sleep_note >= 0 && thread_spawn(watch, NULL, 8192, PRIO_NORMAL) >= 0)
		return 0;
	watchdog_undo();
	return -1;
}

/* On a notification made at the start: the supervisor must be able to
 * sleep when its workers hold every handle and timer there is to give. */
void fuzz_sleep(int64_t ns)
{
	if (sleep_on(sleep_note, ns) < 0)
		sys_yield();
}
