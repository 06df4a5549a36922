/*
 * pager.check around requests (check.h): level 1 walks the VM core after
 * each request that may change a space, level 2 before it too. A broken
 * invariant stops the machine at once, with what was being served, so the
 * run ends where the damage is rather than later, somewhere else.
 */
#include <stdio.h>
#include "base/config.h"
#include "base/threads.h"
#include "server/check.h"
#include "server/procs.h"
#include "vm/vm.h"
#include "sys.h"

static _Noreturn void power_off(void)
{
	sys_poweroff(CHECK_FAIL_STATUS);
	for (;;)
		;
}

/* Say why, where, and what it means (verdict), and stop the machine. */
static _Noreturn void stop(enum check_when when, const struct fault *f, const struct msg *in,
			   const char *why, const char *verdict)
{
	printf("pager: check: %s %s 0x%lx from pid %u: %s\n",
	       when == CHECK_BEFORE ? "before" : "after", f ? "the fault at" : "request",
	       (unsigned long)(f ? f->addr : in->label), f ? f->pid : in->pid, why);
	printf("pager: check: %s; stopping the machine\n", verdict);
	power_off();
}

_Noreturn void check_stop(enum check_when when, const struct fault *f, const struct msg *in,
			  const char *why)
{
	stop(when, f, in, why, "the VM core is inconsistent");
}

/* The lock's count of takes at the last walk after a request that passed.
 * A walk before a request whose take of the lock is the very next one has
 * nothing new to see: the hold that walked ended with no change to the VM
 * core after the walk. A walk before a request proves no such thing: the
 * same hold goes on to change the VM core (direct reclaim, the request)
 * and may let the lock go in the middle (a swap-in's wait, a throttle),
 * for another thread to take it next; so it is not recorded. */
static uint64_t clean_at = UINT64_MAX - 1;

void check_walk(enum check_when when, const struct fault *f, const struct msg *in)
{
	int res;

	if (when == CHECK_BEFORE && pager_lock_takes() == clean_at + 1)
		return;
	res = vm_check();
	if (res == VM_CHECK_CANNOT)	/* asked for, so not skipped unsaid */
		stop(when, f, in, vm_check_error(), "the VM core cannot be checked");
	if (res < 0)
		check_stop(when, f, in, vm_check_error());
	if (when == CHECK_AFTER)
		clean_at = pager_lock_takes();
}

/* The mappings fault reply out carries: its one entry, or those in its
 * data; 0 for a reply that maps nothing. */
static size_t reply_entries(const struct msg *out, const struct map_entry **e,
			    struct map_entry *one)
{
	if (out->label == FAULT_RESUME_ONE) {
		*one = (struct map_entry){ out->w[0], out->w[1], out->w[2] };
		*e = one;
		return 1;
	}
	if (out->label != FAULT_RESUME)
		return 0;
	*e = (const struct map_entry *)(const void *)out->data;
	return out->len / sizeof(struct map_entry);
}

/* Whether process p still runs: a page missing from the tables of a
 * process that has ended is no news (the reply went nowhere). */
static int still_runs(const struct pproc *p)
{
	struct proc_info info;

	return sys_proc_info(p->handle, &info) == 0 && info.threads > 0;
}

void check_reply_applied(const struct msg *out, uint32_t pid, const char *taker)
{
	static struct harvest_entry h[MSG_DATA_MAX / sizeof(struct map_entry)];
	const struct map_entry *e;
	struct map_entry one;
	struct pproc *p = pid ? procs_by_pid(pid) : NULL;
	size_t n = reply_entries(out, &e, &one), k = 0;

	if (!p || !p->vm)
		return;
	for (size_t i = 0; i < n && k < sizeof(h) / sizeof(h[0]); i++)
		if (vm_mapped_at(p->vm, e[i].va, e[i].pa))
			h[k++] = (struct harvest_entry){ (uint32_t)p->handle, 0, e[i].va };
	if (k == 0)
		return;
	if (sys_harvest(h, k) < 0) {
		printf("pager: check: as %s took the lock: cannot read the page tables\n", taker);
		power_off();
	}
	for (size_t i = 0; i < k; i++) {
		if ((h[i].bits & HARVEST_PRESENT) || !still_runs(p))
			continue;
		printf("pager: check: as %s took the lock: a fault reply's mapping is not in the "
		       "page table: pid %u, address 0x%lx\n", taker, pid, (unsigned long)h[i].va);
		printf("pager: check: a reply reached the kernel after its lock; stopping the machine\n");
		power_off();
	}
}
