/*
 * lwIP's timers at netd's tick (tcp_timers.h): the persist mend, then the
 * timers themselves in memalloc context.
 */
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "netd_mem.h"
#include "tcp_timers.h"

void netd_tcp_persist_mend(void)
{
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->persist_backoff > 0 && !pcb->unsent)
			pcb->persist_backoff = 0;
}

void netd_tcp_timers(void)
{
	netd_tcp_persist_mend();
	netd_memalloc_begin();
	sys_check_timeouts();
	netd_memalloc_end();
}
