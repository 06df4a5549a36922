/*
 * Host tests for drivers/virtqueue.c: chains written as the spec says,
 * nothing visible before publish, the free list surviving any completion
 * order, and 16-bit indices wrapping; a used entry naming no chain in
 * flight, or a used index moved past the chains published, is a broken
 * device, and nothing of it is collected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virtqueue.h"

#define SIZE 8

static struct virtqueue vq;
static _Alignas(16) uint8_t desc_mem[VQ_DESC_BYTES(VQ_MAX_SIZE)];
static _Alignas(16) uint8_t avail_mem[VQ_AVAIL_BYTES(VQ_MAX_SIZE)];
static _Alignas(16) uint8_t used_mem[VQ_USED_BYTES(VQ_MAX_SIZE)];

static struct vq_desc *desc(void) { return (struct vq_desc *)desc_mem; }
static struct vq_avail *avail(void) { return (struct vq_avail *)avail_mem; }
static struct vq_used *used(void) { return (struct vq_used *)used_mem; }

static void init(uint16_t size)
{
	memset(desc_mem, 0xA5, sizeof(desc_mem));	/* vq_init must clear */
	memset(avail_mem, 0xA5, sizeof(avail_mem));
	memset(used_mem, 0xA5, sizeof(used_mem));
	vq_init(&vq, size, desc_mem, avail_mem, used_mem);
}

/* The device finishes the chain at head, writing len bytes. */
static void device_done(uint16_t head, uint32_t len)
{
	uint16_t i = used()->idx;

	used()->ring[i % vq.size] = (struct vq_used_elem){ head, len };
	used()->idx = i + 1;
}

static int add_chain(unsigned n)
{
	struct vq_buf bufs[VQ_MAX_SIZE];

	for (unsigned i = 0; i < n; i++)
		bufs[i] = (struct vq_buf){ 0x1000 * (i + 1), 100 + i, i % 2 };
	return vq_add(&vq, bufs, n);
}

static void test_init(void **state)
{
	(void)state;
	init(SIZE);
	assert_int_equal(vq_free_count(&vq), SIZE);
	assert_int_equal(avail()->idx, 0);
	assert_int_equal(avail()->flags, 0);
	assert_int_equal(used()->idx, 0);
	uint32_t len;

	assert_int_equal(vq_collect(&vq, &len), -1);
}

static void test_chain_layout(void **state)
{
	(void)state;
	struct vq_buf bufs[] = { { 0x1000, 16, false }, { 0x2000, 4096, true },
				 { 0x3000, 1, true } };

	init(SIZE);
	int head = vq_add(&vq, bufs, 3);

	assert_true(head >= 0 && head < SIZE);
	assert_int_equal(vq_free_count(&vq), SIZE - 3);
	uint16_t d = (uint16_t)head;

	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(desc()[d].addr, bufs[i].pa);
		assert_int_equal(desc()[d].len, bufs[i].len);
		assert_int_equal(!!(desc()[d].flags & VQ_DESC_F_WRITE),
				 bufs[i].device_writes);
		assert_int_equal(!!(desc()[d].flags & VQ_DESC_F_NEXT), i < 2);
		d = desc()[d].next;
	}
	assert_int_equal(avail()->ring[0], head);
	assert_int_equal(avail()->idx, 0);	/* not yet published */
	vq_publish(&vq);
	assert_int_equal(avail()->idx, 1);
}

static void test_full_refuses_whole_chain(void **state)
{
	(void)state;
	init(SIZE);
	assert_true(add_chain(6) >= 0);
	assert_int_equal(add_chain(3), -1);
	assert_int_equal(vq_free_count(&vq), 2);
	assert_int_equal(add_chain(0), -1);
	assert_true(add_chain(2) >= 0);
	assert_int_equal(vq_free_count(&vq), 0);
	assert_int_equal(add_chain(1), -1);
}

static void test_collect_frees(void **state)
{
	(void)state;
	init(SIZE);
	int a = add_chain(3), b = add_chain(5);
	uint32_t len = 0;

	vq_publish(&vq);
	assert_int_equal(vq_free_count(&vq), 0);
	device_done((uint16_t)b, 77);
	assert_int_equal(vq_collect(&vq, &len), b);
	assert_int_equal(len, 77);
	assert_int_equal(vq_free_count(&vq), 5);
	assert_int_equal(vq_collect(&vq, &len), -1);
	device_done((uint16_t)a, 1);
	assert_int_equal(vq_collect(&vq, &len), a);
	assert_int_equal(vq_free_count(&vq), SIZE);
	/* Every descriptor can be taken again in one chain. */
	assert_true(add_chain(SIZE) >= 0);
}

/* Two chains a and b published, then the device's entry naming id (or a
 * twice): the queue breaks, and what it holds stays in flight. */
static void stray_breaks(int id)
{
	uint32_t len;
	int a, b;

	init(SIZE);
	a = add_chain(2);
	b = add_chain(2);
	vq_publish(&vq);
	if (id < 0) {
		device_done((uint16_t)a, 9);
		assert_int_equal(vq_collect(&vq, &len), a);
		id = a;
	}
	device_done((uint16_t)id, 0);
	assert_int_equal(vq_collect(&vq, &len), -1);
	assert_non_null(vq.broken);
	assert_int_equal(vq_free_count(&vq), SIZE - (id == a ? 2 : 4));
	device_done((uint16_t)b, 9);	/* the real one, after: not trusted */
	assert_int_equal(vq_collect(&vq, &len), -1);
}

static void test_stray_used_breaks(void **state)
{
	(void)state;
	stray_breaks(SIZE + 3);		/* out of range */
	stray_breaks(5);		/* never given (a and b are 0 to 3) */
	stray_breaks(-1);		/* given back already */
}

/* The device says it finished more entries than the ring holds: none is
 * collected (stale entries could name chains in flight), the queue is
 * broken, and stays so. */
static void test_used_idx_past_ring(void **state)
{
	uint32_t len;
	int a, b;

	(void)state;
	init(SIZE);
	a = add_chain(1);
	b = add_chain(1);
	vq_publish(&vq);
	device_done((uint16_t)a, 1);
	assert_int_equal(vq_collect(&vq, &len), a);
	used()->ring[1 % SIZE] = (struct vq_used_elem){ (uint32_t)b, 1 };
	used()->idx = (uint16_t)(used()->idx + SIZE + 1);
	assert_int_equal(vq_collect(&vq, &len), -1);
	assert_non_null(vq.broken);
	assert_int_equal(vq_free_count(&vq), SIZE - 1);	/* b still in flight */
	used()->idx = 2;	/* back in range: still not trusted */
	assert_int_equal(vq_collect(&vq, &len), -1);
}

/* Within the ring, but past the chains it holds: one in flight and the
 * index moved by two. The second entry is stale and may name the chain
 * in flight (here it does, left from an earlier lap): nothing is
 * collected, or that chain would finish before the device did. */
static void test_used_idx_past_chains(void **state)
{
	uint32_t len;
	int a;

	(void)state;
	init(SIZE);
	a = add_chain(1);
	vq_publish(&vq);
	used()->ring[0] = (struct vq_used_elem){ (uint32_t)a, 1 };
	used()->ring[1] = (struct vq_used_elem){ (uint32_t)a, 1 };
	used()->idx = 2;
	assert_int_equal(vq_collect(&vq, &len), -1);
	assert_non_null(vq.broken);
	assert_int_equal(vq_free_count(&vq), SIZE - 1);
}

/* The index runs ahead while the device holds nothing; the driver then
 * publishes a chain, whose head the stale entry names: seen at the
 * publish, or the entry would pass for that chain's completion. */
static void test_used_idx_ahead_at_publish(void **state)
{
	uint32_t len;
	int a;

	(void)state;
	init(SIZE);
	used()->ring[0] = (struct vq_used_elem){ 0, 1 };
	used()->idx = 1;
	a = add_chain(1);
	assert_int_equal(a, 0);
	vq_publish(&vq);
	assert_non_null(vq.broken);
	assert_int_equal(vq_collect(&vq, &len), -1);
	assert_int_equal(vq_free_count(&vq), SIZE - 1);
}

static void test_kick_suppression(void **state)
{
	(void)state;
	init(SIZE);
	assert_true(vq_needs_kick(&vq));
	used()->flags = VQ_USED_F_NO_NOTIFY;
	assert_false(vq_needs_kick(&vq));
}

/* 70,000 round trips through a queue of 4: both indices wrap past 65535. */
static void test_index_wrap(void **state)
{
	(void)state;
	init(4);
	for (unsigned i = 0; i < 70000; i++) {
		uint32_t len;
		int head = add_chain(1 + i % 4);

		assert_true(head >= 0);
		vq_publish(&vq);
		device_done((uint16_t)head, i);
		assert_int_equal(vq_collect(&vq, &len), head);
		assert_int_equal(len, i);
	}
	assert_int_equal(avail()->idx, (uint16_t)70000);
	assert_int_equal(vq_free_count(&vq), 4);
}

/* Mark the descriptors of the chain at head as owned; fail on any taken. */
static void claim_chain(uint16_t head, unsigned n, uint8_t *owned)
{
	uint16_t d = head;

	for (unsigned i = 0; i < n; i++) {
		assert_true(d < vq.size);
		assert_false(owned[d]);
		owned[d] = 1;
		assert_int_equal(!!(desc()[d].flags & VQ_DESC_F_NEXT), i + 1 < n);
		d = desc()[d].next;
	}
}

/* Random chain lengths finished in random order: no descriptor is ever in
 * two live chains, and the free count always balances. */
static void test_random_order(void **state)
{
	(void)state;
	uint16_t live[VQ_MAX_SIZE], live_len[VQ_MAX_SIZE];
	unsigned nlive = 0, in_use = 0;

	srand(7);
	init(32);
	for (unsigned round = 0; round < 20000; round++) {
		unsigned n = 1 + (unsigned)rand() % 18;
		int head = add_chain(n);

		if (head >= 0) {
			live[nlive] = (uint16_t)head;
			live_len[nlive++] = (uint16_t)n;
			in_use += n;
			vq_publish(&vq);
		} else {
			assert_true(32 - in_use < n);
		}
		uint8_t owned[VQ_MAX_SIZE] = { 0 };

		for (unsigned i = 0; i < nlive; i++)
			claim_chain(live[i], live_len[i], owned);
		assert_int_equal(vq_free_count(&vq), 32 - in_use);
		if (nlive > 0 && (head < 0 || rand() % 3 == 0)) {
			unsigned k = (unsigned)rand() % nlive;
			uint32_t len;

			device_done(live[k], 0);
			assert_int_equal(vq_collect(&vq, &len), live[k]);
			in_use -= live_len[k];
			live[k] = live[--nlive];
			live_len[k] = live_len[nlive];
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_chain_layout),
		cmocka_unit_test(test_full_refuses_whole_chain),
		cmocka_unit_test(test_collect_frees),
		cmocka_unit_test(test_stray_used_breaks),
		cmocka_unit_test(test_used_idx_past_ring),
		cmocka_unit_test(test_used_idx_past_chains),
		cmocka_unit_test(test_used_idx_ahead_at_publish),
		cmocka_unit_test(test_kick_suppression),
		cmocka_unit_test(test_index_wrap),
		cmocka_unit_test(test_random_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
