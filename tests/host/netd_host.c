/*
 * netd's dispatch (drivers/netd/netd.c) and the swap connection as the
 * pager sees it (swapconn.c), built for test_netd_rand.c: the status page
 * and the swap window are the test's memory (the guest's fixed addresses
 * lie in ASan's shadow gap on the host), lwIP's start and the pool's
 * setup are left to the test (it made both before NET_SETUP comes), the
 * device is a fake whose interrupts the test plays (it puts packets in
 * itself), and main's loop is the test's: netd_host_call is its body for
 * a call, netd_host_bits for a notification.
 */
#include <stdint.h>

#include "lwip/init.h"
#include "net_protocol.h"
#include "netd_mem.h"
#include "netd_host.h"

struct net_shared netd_host_status;
uint8_t netd_host_window[NET_WIN_PAGES * BLK_PAGE_SIZE];

#undef NET_STATUS_VA
#define NET_STATUS_VA ((uintptr_t)&netd_host_status)
#define net_window_va(tag) \
	((uintptr_t)netd_host_window + (uint64_t)(tag) * NET_MAX_PAGES * BLK_PAGE_SIZE)
#define lwip_init() ((void)0)
#define net_pool_init(...) 0
#define main netd_main
#include "netd.c"
#undef main
#include "swapconn.c"

void netd_host_call(const struct msg *in, struct msg *out)
{
	serve(in, out);
	if (ready)
		publish();
}

void netd_host_bits(uint64_t bits)
{
	on_bits(bits);
}

/* --- the device and the calls only main makes --- */

int virtio_net_start(struct virtio_net *n, uintptr_t mmio, uintptr_t dma_va,
		     const uint64_t dma[NET_DMA_PAGES],
		     struct net_pool *pool, const char **why)
{
	(void)mmio, (void)dma_va, (void)dma, (void)pool, (void)why;
	n->mac[0] = 0x52, n->mac[5] = 0x56;
	return 0;
}

const char *virtio_net_failure(int err)
{
	(void)err;
	return "no device";
}

void virtio_net_interrupt(struct virtio_net *n)
{
	(void)n;
}

void netd_netif_poll(void)
{
}

int netd_netif_add(struct virtio_net *n, uint32_t addr, unsigned prefix)
{
	(void)n, (void)addr, (void)prefix;
	return 0;
}

int sys_irq_ack(int notify, unsigned irq)
{
	(void)notify, (void)irq;
	return 0;
}

int sys_notify_bind(int h)
{
	(void)h;
	return 0;
}

int sys_recv(int ep, struct msg *m)
{
	(void)ep, (void)m;
	return -ERR_PIPE;
}

int sys_reply_recv(int ep, const struct msg *reply, struct msg *recv)
{
	(void)ep, (void)reply, (void)recv;
	return -ERR_PIPE;
}

void netd_loop_init(void (*on)(uint64_t bits))
{
	(void)on;
}

void netd_arm_timer(int64_t deadline)
{
	(void)deadline;
}
