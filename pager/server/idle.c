/*
 * A service thread's disk heard while it waits for requests, while it has
 * a direct write left in flight (idle.h).
 */
#include "base/threads.h"
#include "server/idle.h"
#include "swap/swap.h"
#include "sys.h"

/* By thread id: its disk notification is bound to it here. */
static uint8_t bound[PAGER_THREADS_MAX];

void idle_hear_left(struct pager_thread *t)
{
	int want;

	if (swap_out_left_count == 0 && !bound[t->id])
		return;		/* the usual: nothing left, nothing to undo */
	want = swap_out_left_of(t);
	/* The first thread's disk is the deaths' notification, bound to it
	 * for good: its receive hears its completions already. */
	if (t->hears_deaths || want == bound[t->id])
		return;
	/* Refused (it cannot be: the notification is the caller's own), the
	 * thread settles its write at its next request, as before; tried
	 * again at the next wait. */
	if (sys_notify_bind(want ? t->disk : -1) == 0)
		bound[t->id] = (uint8_t)want;
}
