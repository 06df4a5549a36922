/*
 * Sleeps over a kernel timer: a notification armed for the deadline and
 * waited on, so a sleeping thread uses no processor time (spinning on
 * sys_yield would run whenever nothing else is ready).
 */
#include <errno.h>
#include <stdint.h>

#include "sleep.h"
#include "sys.h"

int sleep_on(int note, int64_t ns)
{
	int64_t now = sys_clock(), deadline = INT64_MAX;

	if (ns < 0) {
		errno = EINVAL;
		return -1;
	}
	/* A deadline past the clock's range is forever, not an overflow. */
	if (ns < INT64_MAX - now)
		deadline = now + ns;
	/* Until the deadline, whatever else wakes the wait (armed again each
	 * time: a wake by another signal may have taken the timer's bit too). */
	do {
		if (sys_notify_timer(note, deadline, 1) < 0 || sys_notify_wait(note) < 0) {
			errno = EAGAIN;
			return -1;
		}
	} while (sys_clock() < deadline);
	return 0;
}

int sleep_ns(int64_t ns)
{
	int note, r;

	if (ns < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((note = sys_notify_create()) < 0) {
		errno = EAGAIN;
		return -1;
	}
	r = sleep_on(note, ns);
	sys_handle_close(note);
	return r;
}
