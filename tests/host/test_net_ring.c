/*
 * Host tests for drivers/net_ring.c against a fake virtio-net device
 * (net_fake_dev.c): frames received arrive whole in pool buffers, refills
 * keep the device supplied and stop at an empty pool, frames sent leave
 * byte for byte with a clean header, and a busy transmit queue refuses
 * rather than overwrites.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net_fake_dev.h"
#include "net_ring.h"

#define PG 4096u
#define POOL_PAGES 32u		/* 64 buffers */
#define QSIZE 32u

static uint8_t *mem, *rings;
static uint64_t pa[POOL_PAGES];
static struct net_pool pool;
static struct virtqueue rxq, txq;
static struct net_ring ring;
static struct fake_net dev;

/* Host addresses stand in for physical ones: the fake device uses them. */
static void start(uint32_t rx_target, uint32_t ntx, uint32_t reserve)
{
	for (unsigned i = 0; i < POOL_PAGES; i++)
		pa[i] = (uintptr_t)mem + i * PG;
	assert_int_equal(net_pool_init(&pool, (uintptr_t)mem, pa, POOL_PAGES, reserve), 0);
	vq_init(&rxq, QSIZE, rings, rings + PG, rings + PG + 1024);
	vq_init(&txq, QSIZE, rings + 2 * PG, rings + 3 * PG, rings + 3 * PG + 1024);
	assert_int_equal(netr_init(&ring, &rxq, &txq, &pool, rx_target, ntx), 0);
	fake_net_free(&dev);
	fake_net_init(&dev, &rxq, &txq);
}

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(PG, POOL_PAGES * PG);
	rings = aligned_alloc(PG, 4 * PG);
	return mem && rings ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fake_net_free(&dev);
	free(mem);
	free(rings);
	return 0;
}

static void frame_of(uint8_t *f, uint32_t len, unsigned seed)
{
	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i);
}

static void bad_init(void **state)
{
	(void)state;
	start(8, 4, 0);
	assert_int_equal(netr_init(&ring, &rxq, &txq, &pool, 0, 4), -EINVAL);
	assert_int_equal(netr_init(&ring, &rxq, &txq, &pool, QSIZE + 1, 4), -EINVAL);
	assert_int_equal(netr_init(&ring, &rxq, &txq, &pool, 8, NET_TX_SLOTS_MAX + 1), -EINVAL);
}

static void receive_whole(void **state)
{
	uint8_t f[1514], *got;
	uint32_t len;

	(void)state;
	start(16, 4, 0);
	assert_int_equal(netr_refill(&ring), 16);
	assert_int_equal(pool.nfree, pool.nbufs - 16 - 4);
	for (unsigned k = 0; k < 20; k++) {
		uint32_t n = 60 + k * 70;
		frame_of(f, n, k);
		assert_true(fake_net_deliver(&dev, f, n));
		int b = netr_receive(&ring, (void **)&got, &len);
		assert_true(b >= 0);
		assert_int_equal(len, n);
		assert_memory_equal(got, f, n);
		net_pool_give(&pool, (unsigned)b);
		assert_int_equal(netr_refill(&ring), 1);
	}
	assert_int_equal(netr_receive(&ring, (void **)&got, &len), -1);
	assert_int_equal(ring.cnt.rx_packets, 20);
	assert_int_equal(dev.malformed, 0);
}

static void runt_dropped(void **state)
{
	uint8_t f[8] = { 0 }, *got;
	uint32_t len;

	(void)state;
	start(4, 4, 0);
	netr_refill(&ring);
	fake_net_deliver(&dev, f, sizeof(f));
	assert_int_equal(netr_receive(&ring, (void **)&got, &len), -1);
	assert_int_equal(ring.cnt.rx_bad, 1);
	assert_int_equal(pool.nfree, pool.nbufs - 4 - 3);	/* its buffer came back */
}

static void refill_stops_at_empty_pool(void **state)
{
	uint8_t f[100] = { 0 }, *got;
	uint32_t len;
	int held[64];
	unsigned n = 0;

	(void)state;
	start(QSIZE, 4, 8);
	/* 60 buffers left after the transmit slots: 32 posted (reserve too). */
	assert_int_equal(netr_refill(&ring), QSIZE);
	/* Frames kept by the stack, never given back: refills run dry. */
	while (fake_net_deliver(&dev, f, sizeof(f))) {
		int b = netr_receive(&ring, (void **)&got, &len);
		assert_true(b >= 0);
		held[n++] = b;
		netr_refill(&ring);
	}
	assert_int_equal(pool.nfree, 0);
	assert_int_equal(n, pool.nbufs - 4);
	assert_true(ring.cnt.rx_starved > 0);
	assert_int_equal(dev.dropped, 1);
	/* Buffers given back let the device receive again. */
	for (unsigned i = 0; i < n; i++)
		net_pool_give(&pool, (unsigned)held[i]);
	assert_int_equal(netr_refill(&ring), QSIZE);
	assert_true(fake_net_deliver(&dev, f, sizeof(f)));
}

static void send_byte_for_byte(void **state)
{
	uint8_t a[14], b[1000], c[500];

	(void)state;
	start(4, 8, 0);
	frame_of(a, sizeof(a), 1);
	frame_of(b, sizeof(b), 2);
	frame_of(c, sizeof(c), 3);
	struct net_frag frags[] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	for (unsigned k = 0; k < 40; k++) {
		assert_int_equal(netr_send(&ring, frags, 3), 0);
		assert_int_equal(fake_net_drain(&dev, 8, true), 1);
	}
	assert_int_equal(dev.nsent, 40);
	for (unsigned k = 0; k < 40; k++) {
		assert_int_equal(dev.sent_len[k], sizeof(a) + sizeof(b) + sizeof(c));
		assert_memory_equal(dev.sent[k], a, sizeof(a));
		assert_memory_equal(dev.sent[k] + sizeof(a), b, sizeof(b));
		assert_memory_equal(dev.sent[k] + sizeof(a) + sizeof(b), c, sizeof(c));
	}
	assert_int_equal(dev.malformed, 0);
	assert_int_equal(ring.cnt.tx_packets, 40);
}

static void send_refuses_when_busy(void **state)
{
	uint8_t a[60] = { 0 }, big[NET_FRAME_MAX + 1] = { 0 };
	struct net_frag f = { a, sizeof(a) }, fbig = { big, sizeof(big) };

	(void)state;
	start(4, 4, 0);
	assert_int_equal(netr_send(&ring, &fbig, 1), -EINVAL);
	assert_int_equal(netr_send(&ring, &f, 0), -EINVAL);
	for (int k = 0; k < 4; k++)
		assert_int_equal(netr_send(&ring, &f, 1), 0);
	fake_net_drain(&dev, 4, false);			/* taken, not finished */
	assert_int_equal(netr_send(&ring, &f, 1), -EAGAIN);
	assert_int_equal(ring.cnt.tx_busy, 1);
	fake_net_drain(&dev, 0, true);			/* now finished */
	assert_int_equal(netr_send(&ring, &f, 1), 0);	/* slots taken back */
	assert_int_equal(ring.ntx_free, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_init),
		cmocka_unit_test(receive_whole),
		cmocka_unit_test(runt_dropped),
		cmocka_unit_test(refill_stops_at_empty_pool),
		cmocka_unit_test(send_byte_for_byte),
		cmocka_unit_test(send_refuses_when_busy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
