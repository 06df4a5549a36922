/*
 * The failure record behind the CHECK macros, TAP diagnostics, and waiting
 * for another thread's flag with a deadline.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sleep.h"

static char reason[200];	/* why the running test failed, or "" */

void check_failed(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	const char *base = strrchr(file, '/');
	int n;

	if (reason[0] != '\0')
		return;		/* the first failure is the one that matters */
	n = snprintf(reason, sizeof(reason), "%s:%d: ", base ? base + 1 : file, line);
	if (n < 0 || (size_t)n >= sizeof(reason))
		return;
	va_start(ap, fmt);
	vsnprintf(reason + n, sizeof(reason) - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = reason; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';	/* a TAP result is one line */
}

void check_reset(void)
{
	reason[0] = '\0';
}

const char *check_reason(void)
{
	return reason;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int own_threads(void)
{
	struct proc_info info;

	return sys_proc_info(HANDLE_SELF, &info) == 0 ? (int)info.threads : -1;
}

uint64_t own_pt_pages(void)
{
	struct proc_info self;

	return sys_proc_info(HANDLE_SELF, &self) == 0 ? self.pt_pages : 0;
}

int threads_back_to(int n, int64_t timeout_ns)
{
	int64_t start = sys_clock();
	int now;

	while ((now = own_threads()) != n) {
		if (sys_clock() - start > timeout_ns) {
			check_failed(__FILE__, __LINE__, "%d threads left after %ld ms, want %d",
				     now, (long)(timeout_ns / MS), n);
			return -1;
		}
		/* Asleep: the threads to end may be of a lower priority. */
		sleep_ns(MS);
	}
	return 0;
}

int wait_flag(volatile int *flag, int64_t timeout_ns)
{
	int64_t start = sys_clock();

	while (!*flag) {
		if (sys_clock() - start > timeout_ns) {
			check_failed(__FILE__, __LINE__,
				     "a thread did not finish within %ld ms",
				     (long)(timeout_ns / MS));
			return -1;
		}
		sys_yield();
	}
	return 0;
}
