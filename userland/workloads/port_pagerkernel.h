/*
 * port.h on this system: the pager's counters (PAGER_STATS), the kernel's
 * idle clock (SYS_IDLE_NS), a timed notification for the pause. init
 * starts the workload (init.run) and powers off with its exit status.
 */
#ifndef WORKLOAD_PORT_PAGERKERNEL_H
#define WORKLOAD_PORT_PAGERKERNEL_H

#include "kernel/abi/clock.h"
#include "pager_client.h"
#include "sleep.h"
#include "sys.h"

#define PORT_SYSTEM "pagerkernel"

static inline uint64_t port_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* Nothing to set up: the pager found the swap disk at boot. */
static int port_start(void)
{
	return 0;
}

/* Available memory: the frames the pager has free now. */
static uint64_t port_avail_pages(void)
{
	struct pager_stats s;

	return pager_stats(&s) < 0 ? 0 : s.frames_free;
}

static uint64_t port_swap_pages(void)
{
	struct pager_stats s;

	return pager_stats(&s) < 0 ? 0 : s.swap_slots_total;
}

/* 0, or -1 if the pager did not answer. */
static int port_counters(struct port_counters *c)
{
	struct pager_stats s;

	if (pager_stats(&s) < 0)
		return -1;
	c->instret = port_instret();
	c->idle_ns = (uint64_t)sys_idle_ns();
	c->major = s.pgmajfault;
	c->pswpin = s.pswpin;
	c->pswpout = s.pswpout;
	c->faults = s.pgfault;
	c->pgscan = s.pgscan;
	c->pgsteal = s.pgsteal_kswapd + s.pgsteal_direct;
	return 0;
}

/* Sleep about ms milliseconds (userland/lib/sleep.c). */
static void port_pause_ms(unsigned ms)
{
	sleep_ns((int64_t)ms * CLOCK_NS_PER_MS);
}

/* The exit status main returns: init powers off with it. */
static int port_finish(int status)
{
	return status;
}

#endif
