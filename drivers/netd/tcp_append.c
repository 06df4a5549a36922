/*
 * The guard against lwIP 2.1.3's append to a retransmitted segment
 * (tcp_append.h).
 */
#include "lwip/priv/tcp_priv.h"
#include "tcp_append.h"

bool netd_tcp_appendable(const struct tcp_pcb *pcb)
{
	const struct tcp_seg *last = pcb->unsent;

	if (!last)
		return true;
	while (last->next)
		last = last->next;
	return lwip_ntohl(last->tcphdr->seqno) + TCP_TCPLEN(last) == pcb->snd_lbb;
}
