/*
 * What the OOM killer (reclaim/oom_kill.c) sees of the processes (and of
 * the pages they share) and how it ends one: the server keeps the process
 * table and reaps the dead, so it lends the killer these steps rather than
 * have reclaim call up into the request loop.
 */
#include "pager/protocol.h"
#include "reclaim/oom.h"
#include "reclaim/oom_kill.h"
#include "server/procs.h"
#include "server/service.h"
#include "swap/swap.h"
#include "vm/vm.h"
#include "sys.h"

_Static_assert(PROCS_MAX <= OOM_CANDIDATES_MAX, "the OOM killer sees every process");

/* The spaces of the processes list gave last, in its order (for sets). */
static const struct vm_space *listed[OOM_CANDIDATES_MAX];
static size_t nlisted;

static size_t list(struct oom_candidate *c, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < PROCS_MAX && n < max; i++) {
		struct pproc *p = procs_slot(i);
		if (!p || !p->vm)
			continue;
		c[n] = (struct oom_candidate){ .pid = p->pid, .name = p->name, .adj = p->oom_adj,
					       .exempt = p->oom_exempt || p->pinned };
		vm_space_footprint(p->vm, swap_copies_usable(), &c[n].alone, &c[n].shared);
		c[n].meta = vm_space_meta_pages(p->vm);
		listed[n++] = p->vm;
	}
	return nlisted = n;
}

static size_t sets(struct oom_set *s, size_t max)
{
	static struct vm_share share[OOM_SETS_MAX];
	size_t n = vm_spaces_sharing(listed, nlisted, swap_copies_usable(), share,
				     max < OOM_SETS_MAX ? max : OOM_SETS_MAX);

	for (size_t k = 0; k < n; k++)
		s[k] = (struct oom_set){ share[k].who, share[k].pages };
	return n;
}

static int kill(uint32_t pid)
{
	struct pproc *p = procs_by_pid(pid);
	int had_ended;

	if (!p)
		return 0;
	had_ended = sys_proc_kill(p->handle, PAGER_KILLED_OOM) == -ERR_SRCH;
	if (!service_reap(p))
		return 0;
	return had_ended ? OOM_HAD_ENDED : 1;
}

/* Drivers are left to the driver watch and the thread that hears deaths
 * (a driver's end stops its device first). */
static size_t reap_ended(void)
{
	size_t n = 0;

	for (int i = 0; i < PROCS_MAX; i++) {
		struct pproc *p = procs_slot(i);

		if (p && p->vm && !p->pinned)
			n += (size_t)service_reap(p);
	}
	return n;
}

static const struct oom_procs procs = { list, kill, reap_ended, sets };

void oom_procs_init(void)
{
	oom_kill_set_procs(&procs);
}
