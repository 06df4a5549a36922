/*
 * The pressure requests: a program subscribes a notification to be told
 * the level (or unsubscribes), and any program may read the level, the
 * pages the pager wants back and how many subscribe.
 */
#include <errno.h>
#include "base/vmstat.h"
#include "reclaim/pressure.h"
#include "server/procs.h"
#include "server/requests.h"
#include "sys.h"

void handle_pressure_subscribe(const struct msg *in, struct msg *out)
{
	const struct pproc *p = procs_by_pid(in->pid);

	if (!p) {
		if (in->handle >= 0)
			sys_handle_close(in->handle);
		reply_result(out, -ESRCH);
		return;
	}
	/* A notification passed that the pager's table had no room for: not
	 * an unsubscribe, which passes none. */
	if (in->handle == MSG_HANDLE_LOST) {
		reply_result(out, -EMFILE);
		return;
	}
	if (in->handle < 0) {
		pressure_unsubscribe(in->pid);
		reply_result(out, 0);
		return;
	}
	/* Signalling no bits checks that it is a notification the pager may
	 * signal, changing nothing. */
	if (sys_notify_signal(in->handle, 0) < 0) {
		sys_handle_close(in->handle);
		reply_result(out, -EINVAL);
		return;
	}
	reply_result(out, pressure_subscribe(in->pid, p->line, in->handle));
}

void handle_pressure_level(const struct msg *in, struct msg *out)
{
	(void)in;
	reply_result(out, 0);
	out->w[0] = pressure_level();
	out->w[1] = pressure_target();
	out->w[2] = vmstat_get(VMSTAT_PRESSURE_EVENTS);
	out->w[3] = (uint64_t)pressure_subscribers();
}
