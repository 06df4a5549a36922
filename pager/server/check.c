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
#include "vm/vm.h"
#include "sys.h"

/* Say why, where, and what it means (verdict), and stop the machine. */
static _Noreturn void stop(enum check_when when, const struct fault *f, const struct msg *in,
			   const char *why, const char *verdict)
{
	printf("pager: check: %s %s 0x%lx from pid %u: %s\n",
	       when == CHECK_BEFORE ? "before" : "after", f ? "the fault at" : "request",
	       (unsigned long)(f ? f->addr : in->label), f ? f->pid : in->pid, why);
	printf("pager: check: %s; stopping the machine\n", verdict);
	sys_poweroff(CHECK_FAIL_STATUS);
	for (;;)
		;
}

_Noreturn void check_stop(enum check_when when, const struct fault *f, const struct msg *in,
			  const char *why)
{
	stop(when, f, in, why, "the VM core is inconsistent");
}

/* The lock's count of takes at the last walk that passed. A walk before a
 * request whose take of the lock is the very next one has nothing new to
 * see: no one touched the VM core in between. */
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
	clean_at = pager_lock_takes();
}
