/*
 * lwIP's configuration for the network server: no operating system
 * (NO_SYS, the raw callback API, one thread), IPv4 with ARP, DHCP and TCP,
 * and every byte of packet data from the server's pool (netd_mem.c), so the
 * reserve rules of seed 002 apply to lwIP's own allocations too.
 */
#ifndef NETD_LWIPOPTS_H
#define NETD_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_RAW 0
#define IP_REASSEMBLY 0		/* nothing we speak sends fragments */
#define IP_FRAG 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_STATS 0
#define LWIP_RAND() netd_rand()

/* Packet data: lwIP's heap is the pool's buffers (netd_mem.c). A pbuf of
 * PBUF_RAM is one buffer, so nothing larger than a buffer is allocated. */
#define MEM_LIBC_MALLOC 1
#define MEM_ALIGNMENT 8
#define mem_clib_malloc netd_mem_malloc
#define mem_clib_free netd_mem_free
#define mem_clib_calloc netd_mem_calloc
#define LWIP_SUPPORT_CUSTOM_PBUF 1	/* received frames stay in their buffers */

/* Protocol state: fixed tables in the server's pinned image. */
#define MEMP_NUM_TCP_PCB 24
#define MEMP_NUM_TCP_PCB_LISTEN 2
#define MEMP_NUM_TCP_SEG 512
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_UDP_PCB 4
#define PBUF_POOL_SIZE 8
#define MEMP_NUM_SYS_TIMEOUT 12
#define ARP_TABLE_SIZE 8
#define ARP_QUEUEING 1
#define MEMP_NUM_ARP_QUEUE 8

/* TCP: a send buffer and a window of 16 full segments a connection. Each
 * segment takes a whole pool buffer however small, so bytes do not bound
 * buffers: the send queue (TCP_SND_QUEUELEN pbufs) bounds what a connection
 * holds to send, and sockets.c (NET_RX_BUFS_MAX) what a program's holds
 * received; what all of one line's connections hold is bounded by its
 * share of the pool (owners.h), out-of-order segments included. */
#define TCP_MSS 1460
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 8
#define TCP_OOSEQ_MAX_BYTES (8 * TCP_MSS)
#define TCP_OOSEQ_PBUFS_LIMIT(pcb) netd_ooseq_limit(pcb)
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 0
/* Received data is in receive buffers, not lwIP's PBUF_POOL, whose size its
 * sanity check would hold the window to. */
#define LWIP_DISABLE_TCP_SANITY_CHECKS 1

/* Seed 002's rule for received segments (netd_pool.c). */
#define LWIP_HOOK_FILENAME "netd_hooks.h"
#define LWIP_HOOK_TCP_INPACKET_PCB netd_tcp_inpacket

#define LWIP_CHKSUM_ALGORITHM 3
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_UDP 1

#include "netd_hooks.h"	/* the functions named above */

#endif
