/*
 * The driver watch (driver_watch.h): one thread blocked on the drivers'
 * death notification. It reads only a record's serves_swap (set before the
 * driver could end for virtio_blk; for netd, when it takes the swap
 * connection, long after its start: a netd that ends before that is not
 * seen as swap's, and the setup call to it fails with -EPIPE instead) and
 * calls only what needs no lock. A record is released when the death it
 * passes on is reaped, or, for a driver the pager ends itself
 * (driver_abandon: a start undone, a disk swap refused), at once, its
 * serves_swap cleared first: the bit may then find the slot empty or
 * another's, never a swap driver's that is not.
 */
#include <stdint.h>
#include "server/driver_watch.h"
#include "server/procs.h"
#include "swap/swap.h"
#include "sys.h"
#include "thread.h"

#define WATCH_STACK (8 * 1024)

static int note = -1;	/* drivers' deaths, one bit a process slot */
static int deaths = -1;	/* the service thread's, where deaths are reaped */

/* The swap device's driver among those that ended? */
static int ended_swap_driver(uint64_t bits)
{
	for (int slot = 0; slot < PROCS_MAX; slot++) {
		const struct pproc *p = procs_slot(slot);
		if ((bits & (1UL << slot)) && p && p->serves_swap)
			return 1;
	}
	return 0;
}

static void watch(void *arg)
{
	(void)arg;
	for (;;) {
		long bits = sys_notify_wait(note);
		if (bits <= 0)
			continue;
		if (ended_swap_driver((uint64_t)bits))
			swap_device_ended();
		sys_notify_signal(deaths, (uint64_t)bits);
	}
}

int driver_watch_start(int service_deaths)
{
	int r;

	deaths = service_deaths;
	if ((note = sys_notify_create()) < 0)
		return note;
	r = thread_spawn(watch, NULL, WATCH_STACK, PRIO_SERVER);
	return r < 0 ? r : note;
}
