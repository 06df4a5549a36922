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

_Noreturn void check_stop(enum check_when when, const struct fault *f, const struct msg *in,
			  const char *why)
{
	printf("pager: check: %s %s 0x%lx from pid %u: %s\n",
	       when == CHECK_BEFORE ? "before" : "after", f ? "the fault at" : "request",
	       (unsigned long)(f ? f->addr : in->label), f ? f->pid : in->pid, why);
	printf("pager: check: the VM core is inconsistent; stopping the machine\n");
	sys_poweroff(CHECK_FAIL_STATUS);
	for (;;)
		;
}

/* The lock's count of takes at the last walk that passed. A walk before a
 * request whose take of the lock is the very next one has nothing new to
 * see: no one touched the VM core in between. */
static uint64_t clean_at = UINT64_MAX - 1;

void check_walk(enum check_when when, const struct fault *f, const struct msg *in)
{
	if (when == CHECK_BEFORE && pager_lock_takes() == clean_at + 1)
		return;
	if (vm_check() < 0)
		check_stop(when, f, in, vm_check_error());
	clean_at = pager_lock_takes();
}
