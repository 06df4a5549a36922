/*
 * flood: a program receiving endless streams (scripts/flood-source, through
 * a guestfwd rule at 10.0.2.101:7000) while memory runs out. It opens a few
 * connections, reads nothing for a while so their segments pile up in
 * netd's pool until each holds its share (NET_RX_BUFS_MAX buffers: then
 * netd refuses its data), or the pool reaches its reserve (then they are
 * dropped at once, seed 002's rule), then reads every stream and checks
 * each word counts on from the last: TCP sends what was refused or dropped
 * again, so nothing is lost. Meanwhile it runs `bigdata` (three times
 * memory through swap) beside it. Usage: flood [connections [seconds
 * [mustrefuse]]]. Exit 0 if no word was lost (and, with mustrefuse=1, netd
 * held the streams back: refused or dropped some of their packets),
 * bigdata's words were all right and, with swap over NBD, swap requests
 * went on meanwhile, their writes flushed, none failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "children.h"
#include "kernel/abi/clock.h"
#include "kernel/abi/msg.h"
#include "net.h"
#include "netstat_print.h"
#include "pager_client.h"
#include "sys.h"

#define FLOOD_SERVER NET_ADDR(10, 0, 2, 101)
#define FLOOD_PORT 7000
#define CONNS_MAX NET_SOCKETS_PER_PROC
#define HOLD_MS 3000		/* reading nothing at first */
#define SEC 1000000000LL

struct stream {
	int c;
	uint32_t next;		/* the word expected next */
	uint8_t carry[4];	/* a word split between two reads */
	unsigned ncarry;
	uint64_t words, lost;
	int ended;
};

static struct stream st[CONNS_MAX];

static void take(struct stream *s, const uint8_t *d, long n)
{
	for (long i = 0; i < n; i++) {
		s->carry[s->ncarry++] = d[i];
		if (s->ncarry < 4)
			continue;
		uint32_t w = (uint32_t)s->carry[0] | (uint32_t)s->carry[1] << 8 |
			     (uint32_t)s->carry[2] << 16 | (uint32_t)s->carry[3] << 24;
		s->ncarry = 0;
		if (w != s->next)
			s->lost++;
		s->next = w + 1;
		s->words++;
	}
}

/* Read what each stream has; whether anything came. */
static int drain(int nconn)
{
	static uint8_t buf[MSG_DATA_MAX];
	int got = 0;

	for (int k = 0; k < nconn; k++) {
		long n;
		while (!st[k].ended && (n = net_recv(st[k].c, buf, sizeof(buf), 0)) > 0) {
			take(&st[k], buf, n);
			got = 1;
		}
		if (!st[k].ended && n != -ETIMEDOUT) {
			printf("flood: stream %d ended: %ld\n", k, n);
			st[k].ended = 1;
		}
	}
	return got;
}

/* Whether bigdata is still running; its status once it ends. */
static int child_running(int pid, int *status)
{
	return pid > 0 && waitpid(pid, status, WNOHANG) == 0;
}

/* Whether swap over NBD (if swap is on the network) went on beside the
 * flood: requests answered without error, the writes flushed. */
static int swap_went_on(const struct net_stats *b, const struct net_stats *a)
{
	uint64_t req = a->nbd_requests - b->nbd_requests, fl = a->nbd_flushes - b->nbd_flushes;
	uint64_t err = a->nbd_errors - b->nbd_errors;

	if (a->swap_state == SWAP_OFF)
		return 1;	/* swap is not on the network */
	printf("flood: swap over NBD meanwhile: %lu requests (%lu of them flushes), %lu errors\n",
	       (unsigned long)req, (unsigned long)fl, (unsigned long)err);
	return req > fl && fl > 0 && err == 0;
}

int main(int argc, char **argv)
{
	int nconn = argc > 1 ? atoi(argv[1]) : 2, seconds = argc > 2 ? atoi(argv[2]) : 20;
	int mustrefuse = argc > 3 && atoi(argv[3]) == 1, pid = -1, status = 0;
	struct net_stats before, after;

	if (nconn < 1 || nconn > CONNS_MAX || seconds < 1 || net_stats(&before) < 0) {
		printf("flood: usage: flood [1..%d connections [seconds [mustrefuse]]], with a network\n",
		       CONNS_MAX);
		return 2;
	}
	for (int k = 0; k < nconn; k++)
		if ((st[k].c = net_connect(FLOOD_SERVER, FLOOD_PORT, 5000)) < 0) {
			printf("flood: cannot connect to the stream: %d\n", st[k].c);
			return 1;
		}
	const char *const args[] = { "bigdata", NULL };
	int h = spawn("bigdata", args, -1, &pid);

	if (h < 0 || child_register(pid, h) < 0) {
		printf("flood: cannot start bigdata beside the streams: %d\n", h);
		return 1;
	}
	int64_t start = sys_clock(), end = start + seconds * SEC;

	printf("flood: %d streams open, bigdata (pid %d) beside them; reading nothing for %d ms\n",
	       nconn, pid, HOLD_MS);
	while (sys_clock() < start + HOLD_MS * CLOCK_NS_PER_MS)
		net_wait(st[0].c, 100);
	while (sys_clock() < end || child_running(pid, &status)) {
		if (!drain(nconn))
			net_wait(st[0].c, 50);
	}
	drain(nconn);
	uint64_t words = 0, lost = 0;

	for (int k = 0; k < nconn; k++) {
		words += st[k].words;
		lost += st[k].lost;
		net_close(st[k].c);
	}
	net_stats(&after);
	uint64_t dropped = after.rx_dropped_nomem - before.rx_dropped_nomem;
	uint64_t refused = after.rx_refused - before.rx_refused;

	printf("flood: %lu words received on %d streams, %lu lost; netd refused their data %lu "
	       "times (each held its share), dropped %lu packets for lack of memory, took %lu "
	       "buffers from its reserve, fewest free %u of %u\n",
	       (unsigned long)words, nconn, (unsigned long)lost, (unsigned long)refused,
	       (unsigned long)dropped,
	       (unsigned long)(after.reserve_allocs - before.reserve_allocs), after.pool_lowest,
	       after.pool_bufs);
	netstat_print("flood: ");
	int child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (!child_ok)
		printf("flood: bigdata failed (status 0x%x)\n", status);
	int swap_ok = swap_went_on(&before, &after);

	return lost == 0 && words > 0 && child_ok && swap_ok && (!mustrefuse || refused + dropped > 0) ?
		       0 : 1;
}
