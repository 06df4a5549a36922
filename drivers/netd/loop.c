/*
 * netd's clock and its waiting (loop.h): one notification carries both the
 * device's interrupt and the timer, so every wait is bounded by the timer.
 */
#include "lwip/timeouts.h"
#include "kernel/abi/clock.h"
#include "loop.h"
#include "net_protocol.h"
#include "sys.h"

static void (*bits_handler)(uint64_t bits);

int64_t netd_now(void)
{
	return sys_clock();
}

/* lwIP's clock (its port layer): milliseconds. */
u32_t sys_now(void)
{
	return (u32_t)(sys_clock() / CLOCK_NS_PER_MS);
}

void netd_loop_init(void (*on_bits)(uint64_t bits))
{
	bits_handler = on_bits;
}

void netd_arm_timer(int64_t deadline)
{
	int64_t next = netd_now() + NETD_TICK_NS;
	/* Before lwip_init there is no timeout: lwIP says "infinite" (about
	 * 49 days in ms), which never comes first. */
	int64_t lwip = netd_now() + (int64_t)sys_timeouts_sleeptime() * CLOCK_NS_PER_MS;

	if (lwip < next)
		next = lwip;
	if (deadline > 0 && deadline < next)
		next = deadline;
	sys_notify_timer(NET_HANDLE_IRQ, next, NET_TIMER_BIT);
}

bool netd_run_until(bool (*done)(void *ctx), void *ctx, int64_t deadline)
{
	while (!done(ctx)) {
		if (netd_now() >= deadline)
			return false;
		netd_arm_timer(deadline);
		long bits = sys_notify_wait(NET_HANDLE_IRQ);
		if (bits > 0)
			bits_handler((uint64_t)bits);
	}
	return true;
}
