/*
 * pager.check: the VM core's consistency walker (vm_check, after MINIX's
 * SANITYCHECK) around the requests that may change an address space.
 */
#ifndef PAGER_SERVER_CHECK_H
#define PAGER_SERVER_CHECK_H

#include "kernel/abi/msg.h"
#include "server/requests.h"
#include "base/config.h"
#include "vm/vm.h"

/* The guest's exit status when a check finds the VM core inconsistent. */
#define CHECK_FAIL_STATUS 101

enum check_when {
	CHECK_BEFORE = 2,	/* walked before a request at pager.check=2 */
	CHECK_AFTER = 1		/* and after it from pager.check=1 */
};

/* Around fault f, or else request in (lock held): walk the VM core if
 * pager.check asks for it at this point and the request may change a
 * space (changes); and after every request, whatever pager.check says,
 * look whether the VM core met an inconsistency on its own (vm_bug).
 * Either way, the first broken invariant is printed with what it concerns
 * and the machine stops with CHECK_FAIL_STATUS. */
/* check_request's two halves (check.c): the walk, and the stop. f: the
 * fault being served, or NULL for a request, in; while f is set,
 * in is stale (the last message stored) and is not read. */
void check_walk(enum check_when when, const struct fault *f, const struct msg *in);
_Noreturn void check_stop(enum check_when when, const struct fault *f, const struct msg *in,
			  const char *why);

/* At pager.check=2, as thread `taker` takes the lock: the last fault reply
 * of another thread, out, to process pid, is in the kernel's page tables:
 * each mapping it carried that the pager still holds is present there. A
 * reply sent after its thread let the lock go could reach the kernel after
 * another thread unmapped and freed its pages (service.c). Else the
 * machine stops as check_stop stops it. */
void check_reply_applied(const struct msg *out, uint32_t pid, const char *taker);

static inline void check_request(enum check_when when, const struct fault *f,
				 const struct msg *in, int changes)
{
	/* Inline: at pager.check=0 a request pays one call, for vm_bug. */
	if (when == CHECK_AFTER && vm_bug())
		check_stop(when, f, in, vm_bug());
	if (changes && config.check >= (unsigned)when)
		check_walk(when, f, in);
}

#endif
