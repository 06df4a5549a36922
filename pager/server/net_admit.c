/*
 * Programs' admission to netd: a program asks for netd's endpoint
 * (PAGER_NET) and is given a send-only handle to it, once its line is in
 * the status page netd reads (netd learns who may hold connections from
 * the pager alone); at its reaping its entry goes, and netd frees its
 * connections. netd itself is netdev.c's.
 */
#include <errno.h>
#include "server/netdev.h"
#include "server/procs.h"
#include "server/requests.h"
#include "sys.h"
#include "drivers/net_protocol.h"

/* Tell netd, before p may call it, that p may hold connections, and from
 * which line (net_shared.admitted). A fence orders the entry before the
 * handle: the entry is netd's only word on p. */
static void admit(const struct pproc *p)
{
	struct net_shared *shared = netdev_status();

	if (!shared)
		return;
	shared->admitted[procs_slot_of(p)] = net_admission(p->pid, p->line);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void netdev_forget(const struct pproc *p)
{
	struct net_shared *shared = netdev_status();

	/* A netd gone keeps its status page (its frames are never freed:
	 * its device may still write into them), so a late store is
	 * harmless; none is made once the pager has let netd go. */
	if (shared)
		shared->admitted[procs_slot_of(p)] = 0;
}

void handle_net(const struct msg *in, struct msg *out)
{
	struct pproc *caller = procs_by_pid(in->pid);
	int ep = netdev_endpoint(), h;

	if (!caller) {
		reply_result(out, -ESRCH);
		return;
	}
	if (ep < 0) {
		reply_result(out, -ENODEV);
		return;
	}
	admit(caller);
	h = sys_handle_grant(caller->handle, ep, RIGHT_SEND);
	out->label = (uint64_t)(int64_t)(h < 0 ? h : 0);
	out->w[0] = (uint64_t)h;
}
