/*
 * nbdcheck: the NBD client (drivers/nbd_client.c) over a program's TCP
 * connection through netd, against the swap export scripts/run serves
 * (QEMU_SWAP=nbd) booted with swap.device=blk and no disk, so that the
 * export is not the pager's live swap (netd refuses a program's connection
 * to that: -EACCES): the handshake, the swap signature in page 0, then pages
 * written with many requests in flight and read back word for word. It
 * checks the client, netd, lwIP and the virtio-net driver end to end,
 * before and apart from the pager's own use of them. Exit 0 if all held.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "drivers/nbd_client.h"
#include "drivers/nbd_proto.h"
#include "kernel/abi/msg.h"
#include "net.h"

#define PAGE 4096u
#define PAGES 48u		/* written at once: all in flight together */
#define WAIT_MS 5000u
#define NBD_SERVER NET_ADDR(10, 0, 2, 100)
#define NBD_PORT 10809

static int conn;
static uint8_t pages[PAGES + 1][PAGE];	/* id 0: page 0; ids 1..PAGES: ours */
static int results[PAGES + 1];		/* 1 + error once done */
static unsigned ndone;

static uint32_t io_send(void *ctx, const uint8_t *d, uint32_t len)
{
	long r = net_send_some(conn, d, len);

	(void)ctx;
	return r > 0 ? (uint32_t)r : 0;
}

static uint8_t *io_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	*run = PAGE - off;
	return &pages[id][off];
}

static void io_done(void *ctx, uint64_t id, int error)
{
	(void)ctx;
	results[id] = 1 + error;
	ndone++;
}

static const struct nbd_io io = { io_send, io_data, io_done, NULL };
static struct nbd_client cl;

/* Feed what arrives to the handshake until it ends; 0 or -1. */
static int handshake(struct nbd_handshake *h)
{
	static uint8_t buf[MSG_DATA_MAX];

	nbd_hs_start(h, "");
	while (h->state != NBD_HS_DONE && h->state != NBD_HS_FAILED) {
		long n = net_recv(conn, buf, sizeof(buf), WAIT_MS);
		if (n <= 0) {
			printf("nbdcheck: the handshake got no answer (%ld)\n", n);
			return -1;
		}
		if (nbd_hs_input(h, buf, (size_t)n) != (size_t)n) {
			printf("nbdcheck: the server spoke before the handshake was over\n");
			return -1;
		}
		if (h->out_len && net_send(conn, h->out, h->out_len, WAIT_MS) < 0)
			return -1;
		h->out_len = 0;
	}
	if (h->state == NBD_HS_FAILED) {
		printf("nbdcheck: handshake refused: %s (%d)\n", h->why, h->error);
		return -1;
	}
	printf("nbdcheck: export of %lu bytes, flags 0x%x\n", (unsigned long)h->size, h->flags);
	return 0;
}

/* Pump and take replies until want requests are done; 0 or -1. */
static int run(unsigned want)
{
	static uint8_t buf[MSG_DATA_MAX];

	while (ndone < want) {
		nbd_pump(&cl);
		long n = net_recv(conn, buf, sizeof(buf), 0);
		if (n > 0) {
			if (nbd_input(&cl, buf, (uint32_t)n) < 0) {
				printf("nbdcheck: a reply no request asked for\n");
				return -1;
			}
			continue;
		}
		if (n == 0) {
			printf("nbdcheck: the server closed the connection, %u of %u done\n", ndone,
			       want);
			return -1;
		}
		if (n != -ETIMEDOUT || net_wait(conn, WAIT_MS) != 1) {
			printf("nbdcheck: waiting for replies: %ld, %u of %u done\n", n, ndone, want);
			return -1;
		}
	}
	return 0;
}

static uint32_t word(unsigned id, unsigned i)
{
	return id * 0x9e3779b1u ^ i * 2654435761u;
}

static int write_and_read(uint64_t base)
{
	for (unsigned id = 1; id <= PAGES; id++) {
		for (unsigned i = 0; i < PAGE / 4; i++)
			((uint32_t *)pages[id])[i] = word(id, i);
		if (nbd_submit(&cl, NBD_CMD_WRITE, id, base + (uint64_t)id * PAGE, PAGE) < 0) {
			printf("nbdcheck: the client refused write %u\n", id);
			return -1;
		}
	}
	if (run(ndone + PAGES) < 0)
		return -1;
	memset(pages[1], 0, sizeof(pages) - PAGE);
	for (unsigned id = 1; id <= PAGES; id++)
		if (nbd_submit(&cl, NBD_CMD_READ, id, base + (uint64_t)id * PAGE, PAGE) < 0) {
			printf("nbdcheck: the client refused read %u\n", id);
			return -1;
		}
	if (run(ndone + PAGES) < 0)
		return -1;
	for (unsigned id = 1; id <= PAGES; id++)
		for (unsigned i = 0; i < PAGE / 4; i++)
			if (results[id] != 1 || ((uint32_t *)pages[id])[i] != word(id, i)) {
				printf("nbdcheck: page %u word %u read back wrong\n", id, i);
				return -1;
			}
	return 0;
}

int main(void)
{
	struct nbd_handshake h;
	struct net_stats st;

	conn = net_connect(NBD_SERVER, NBD_PORT, WAIT_MS);
	if (conn < 0) {
		printf("nbdcheck: cannot connect to the NBD server: %d\n", conn);
		return 1;
	}
	if (handshake(&h) < 0)
		return 1;
	nbd_client_init(&cl, &io, NULL, &h);
	if (nbd_submit(&cl, NBD_CMD_READ, 0, 0, PAGE) < 0 || run(1) < 0)
		return 1;
	if (memcmp(pages[0] + PAGE - 10, "SWAPSPACE2", 10) != 0) {
		printf("nbdcheck: page 0 has no swap signature\n");
		return 1;
	}
	printf("nbdcheck: page 0 carries the swap signature\n");
	if (write_and_read(h.size / 2) < 0)
		return 1;
	printf("nbdcheck: %u pages written and read back intact, at most %lu in flight at once\n",
	       PAGES, (unsigned long)cl.cnt.most_pending);
	if (cl.cnt.most_pending < 2) {
		printf("nbdcheck: the requests went one at a time\n");
		return 1;
	}
	net_close(conn);
	if (net_stats(&st) == 0)
		printf("nbdcheck: netd: %lu packets in, %lu out, %lu dropped for lack of memory, "
		       "%lu from the reserve\n", (unsigned long)st.rx_packets,
		       (unsigned long)st.tx_packets, (unsigned long)st.rx_dropped_nomem,
		       (unsigned long)st.reserve_allocs);
	return 0;
}
