/*
 * Host tests for the virtio-mmio transport (drivers/virtio_mmio.c) and the
 * virtio-net bring-up over it (drivers/virtio_net.c), both included whole
 * over a fake register window: this file sets vmmio_regs.h's guard and
 * defines its accesses.
 *
 * The 64-bit configuration read: a field is read when the configuration
 * generation holds across its two halves; a device whose generation
 * changes at every read is given up on after a bounded number of reads
 * (-EIO), not waited on for ever.
 *
 * vmmio_agree, one case for each reason it refuses a device (no device of
 * the type in the window, a legacy transport, VIRTIO_F_VERSION_1 or
 * another required feature not offered, FEATURES_OK cleared, no reset),
 * each -ENOTSUP with its own reason; and a device agreed with.
 *
 * virtio_net_start: a device refused, or a queue too small, is the
 * device's fault (-ENOTSUP, "refusing the virtio-net device"); a packet
 * pool too small for the transmit slots is netd's own (-ENOMEM), and the
 * console line says so, not that the device is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "virtio_mmio.h"
#include "virtio_net_hw.h"

#define DRIVERS_VMMIO_REGS_H
#define BASE 0x1000UL
#define FIELD 8			/* the field's offset in the configuration */
#define READS_GUARD 3000000	/* far past any bound (a reset's spins): the read never ended */

struct fake_dev {
	/* The configuration field read whole (vmmio_config64). */
	uint64_t value;		/* the field */
	uint64_t after;		/* its value once the configuration changed */
	unsigned changes;	/* generation reads left that see a change */
	uint32_t gen;
	unsigned reads;		/* every register read */
	/* The device behind the window. */
	uint32_t magic, version, device_id;
	uint64_t offered;	/* its features */
	uint64_t accepted;	/* the driver's, as written */
	uint32_t status;
	int never_resets;	/* Status never reads 0 after a reset */
	int refuses_features;	/* clears FEATURES_OK when it is set */
	uint32_t queue_max;	/* QueueNumMax of every queue */
	uint32_t features_sel, driver_sel, queue_sel;
	unsigned queues_ready;	/* queues set up (QueueReady written) */
};
static struct fake_dev dev;

/* A generation read while changes are left moves the generation on, and
 * the field with it: the halves read in between were torn. */
static uint32_t config_rd(unsigned off)
{
	if (off == VMMIO_CONFIG_GENERATION) {
		if (dev.changes > 0) {
			dev.changes--;
			dev.gen++;
			dev.value = dev.value == dev.after ? ~dev.after : dev.after;
		}
		return dev.gen;
	}
	if (off == VMMIO_CONFIG + FIELD)
		return (uint32_t)dev.value;
	if (off == VMMIO_CONFIG + FIELD + 4)
		return (uint32_t)(dev.value >> 32);
	fail_msg("a read of register 0x%x", off);
	return 0;
}

static uint32_t vmmio_rd(uintptr_t base, unsigned off)
{
	if (++dev.reads > READS_GUARD)
		fail_msg("the read never ended (%u register reads)", dev.reads);
	if (base != BASE)
		fail_msg("a read outside the device's window");
	switch (off) {
	case VMMIO_MAGIC_VALUE:
		return dev.magic;
	case VMMIO_VERSION:
		return dev.version;
	case VMMIO_DEVICE_ID:
		return dev.device_id;
	case VMMIO_DEVICE_FEATURES:
		return (uint32_t)(dev.features_sel ? dev.offered >> 32 : dev.offered);
	case VMMIO_STATUS:
		return dev.status;
	case VMMIO_QUEUE_NUM_MAX:
		return dev.queue_max;
	case VMMIO_QUEUE_READY:
		return 0;
	}
	return config_rd(off);
}

/* The MAC address's bytes. */
static uint8_t vmmio_rd8(uintptr_t base, unsigned off)
{
	(void)base;
	if (off < VMMIO_CONFIG + VIRTIO_NET_CFG_MAC || off >= VMMIO_CONFIG + VIRTIO_NET_CFG_MAC + 6)
		fail_msg("a byte read of 0x%x", off);
	return (uint8_t)(0x50 + off - VMMIO_CONFIG);
}

static void status_wr(uint32_t v)
{
	if (v == 0) {
		if (!dev.never_resets)
			dev.status = 0;
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && dev.refuses_features)
		v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	dev.status = v;
}

static void vmmio_wr(uintptr_t base, unsigned off, uint32_t v)
{
	if (base != BASE)
		fail_msg("a write outside the device's window");
	switch (off) {
	case VMMIO_STATUS:
		status_wr(v);
		return;
	case VMMIO_DEVICE_FEATURES_SEL:
		dev.features_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES_SEL:
		dev.driver_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES:
		if (dev.driver_sel)
			dev.accepted = (dev.accepted & 0xffffffffu) | (uint64_t)v << 32;
		else
			dev.accepted = (dev.accepted & ~0xffffffffull) | v;
		return;
	case VMMIO_QUEUE_SEL:
		dev.queue_sel = v;
		return;
	case VMMIO_QUEUE_READY:
		dev.queues_ready++;
		return;
	case VMMIO_QUEUE_NUM: case VMMIO_QUEUE_DESC_LOW: case VMMIO_QUEUE_DESC_HIGH:
	case VMMIO_QUEUE_DRIVER_LOW: case VMMIO_QUEUE_DRIVER_HIGH: case VMMIO_QUEUE_DEVICE_LOW:
	case VMMIO_QUEUE_DEVICE_HIGH: case VMMIO_QUEUE_NOTIFY:
		return;
	}
	fail_msg("a write of register 0x%x", off);
}

#include "../../drivers/virtio_mmio.c"
#include "../../drivers/virtio_net.c"

#define VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
#define WANTED (VERSION_1 | 1ULL << VIRTIO_NET_F_MAC)

/* A virtio 1.x network device offering version 1, the MAC and more. */
static int setup(void **state)
{
	(void)state;
	dev = (struct fake_dev){ .value = 0x123456789abcdef0UL, .after = 0x0fedcba987654321UL,
				 .magic = VMMIO_MAGIC, .version = 2, .device_id = VIRTIO_ID_NET,
				 .offered = VERSION_1 | 1ULL << VIRTIO_NET_F_MAC | 1ULL << 40,
				 .status = VIRTIO_STATUS_DRIVER_OK, .queue_max = 256 };
	return 0;
}

/* A settled configuration: the field in one try (four reads). */
static void test_steady(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vmmio_config64(BASE, FIELD, &v), 0);
	assert_int_equal(v, 0x123456789abcdef0UL);
	assert_int_equal(dev.reads, 4);
}

/* The configuration changes under the first tries, then settles: the
 * value read is the settled one, never halves of two. */
static void test_changes_then_settles(void **state)
{
	uint64_t v = 0;

	(void)state;
	dev.changes = 3;
	assert_int_equal(vmmio_config64(BASE, FIELD, &v), 0);
	assert_int_equal(dev.changes, 0);
	assert_int_equal(v, dev.value);
}

/* A device whose generation changes at every read: -EIO after a bounded
 * number of reads, v untouched. */
static void test_never_settles(void **state)
{
	uint64_t v = 7;

	(void)state;
	dev.changes = ~0u;
	assert_int_equal(vmmio_config64(BASE, FIELD, &v), -EIO);
	assert_int_equal(v, 7);
	assert_true(dev.reads <= 4 * CONFIG64_TRIES);
}

/* vmmio_agree on the fake device: its result, with *why (NULL if unset). */
static int agree(uint64_t required, uint64_t *accepted, const char **why)
{
	*why = NULL;
	return vmmio_agree(BASE, VIRTIO_ID_NET, WANTED, required, accepted, why);
}

/* Refused with -ENOTSUP, *why the reason expected. */
static void refused_for(uint64_t required, const char *reason)
{
	uint64_t accepted;
	const char *why;

	assert_int_equal(agree(required, &accepted, &why), -ENOTSUP);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

/* A device agreed with: the wanted features it offers, FEATURES_OK kept. */
static void test_agree(void **state)
{
	uint64_t accepted = 0;
	const char *why;

	(void)state;
	assert_int_equal(agree(VERSION_1, &accepted, &why), 0);
	assert_true(accepted == WANTED);
	assert_true(dev.accepted == WANTED);
	assert_true(dev.status & VIRTIO_STATUS_FEATURES_OK);
	assert_false(dev.status & VIRTIO_STATUS_FAILED);
}

/* No virtio device in the window, or one of another type. */
static void test_agree_no_device(void **state)
{
	(void)state;
	dev.magic = 0;
	refused_for(VERSION_1, "its window holds no device of its type");
	setup(state);
	dev.device_id = 2;
	refused_for(VERSION_1, "its window holds no device of its type");
}

static void test_agree_legacy(void **state)
{
	(void)state;
	dev.version = 1;
	refused_for(VERSION_1, "its virtio-mmio transport is not version 2 (virtio 1.x): a legacy device");
}

/* VIRTIO_F_VERSION_1 not offered (what every driver requires), and another
 * required feature not offered: each said as such, the device failed. */
static void test_agree_no_version_1(void **state)
{
	(void)state;
	dev.offered &= ~VERSION_1;
	refused_for(VERSION_1, "it does not offer VIRTIO_F_VERSION_1 (virtio 1.x)");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

static void test_agree_required_missing(void **state)
{
	(void)state;
	refused_for(VERSION_1 | 1ULL << 41, "it does not offer a feature its driver requires");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

static void test_agree_features_refused(void **state)
{
	(void)state;
	dev.refuses_features = 1;
	refused_for(VERSION_1, "it cleared FEATURES_OK: it cannot work with the features accepted");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

/* A device whose Status never reads 0 after a reset: given up on after a
 * bounded number of reads. */
static void test_agree_no_reset(void **state)
{
	(void)state;
	dev.never_resets = 1;
	refused_for(VERSION_1, "it did not reset");
}

/* Bringing up the network device: rings in rings[], the pool over
 * pool_pages pages of pool_mem. */
#define POOL_PAGES 16	/* 32 buffers: 16 transmit slots, 16 posted */
static _Alignas(4096) uint8_t rings[NET_DMA_PAGES * NET_PAGE_SIZE];
static _Alignas(4096) uint8_t pool_mem[POOL_PAGES * NET_PAGE_SIZE];
static struct virtio_net net;
static struct net_pool pool;

static int net_start(uint32_t pool_pages, const char **why)
{
	uint64_t dma_pa[NET_DMA_PAGES], pool_pa[POOL_PAGES];

	for (unsigned i = 0; i < NET_DMA_PAGES; i++)
		dma_pa[i] = (uintptr_t)rings + i * NET_PAGE_SIZE;
	for (unsigned i = 0; i < POOL_PAGES; i++)
		pool_pa[i] = (uintptr_t)pool_mem + i * NET_PAGE_SIZE;
	assert_int_equal(net_pool_init(&pool, (uintptr_t)pool_mem, pool_pa, pool_pages, 0), 0);
	*why = NULL;
	return virtio_net_start(&net, BASE, (uintptr_t)rings, dma_pa, &pool, why);
}

/* A device and a pool that serve: both queues set up, the device told
 * DRIVER_OK, its MAC read. */
static void test_net_start(void **state)
{
	const char *why;

	(void)state;
	dev.queue_max = 16;	/* queues of 16: the pool holds their buffers */
	assert_int_equal(net_start(POOL_PAGES, &why), 0);
	assert_int_equal(dev.queues_ready, 2);
	assert_true(dev.status & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(net.mac[0], 0x50);
}

/* The device's fault: -ENOTSUP, said as the device refused, for a reason
 * naming what. */
static void device_refused(const char *what)
{
	const char *why;
	int r = net_start(POOL_PAGES, &why);

	assert_int_equal(r, -ENOTSUP);
	assert_string_equal(virtio_net_failure(r), "refusing the virtio-net device");
	assert_non_null(strstr(why, what));
}

static void test_net_device_refused(void **state)
{
	(void)state;
	dev.version = 1;
	device_refused("legacy");
}

/* Queues under 16 entries: the device's fault too. */
static void test_net_queue_small(void **state)
{
	(void)state;
	dev.queue_max = 8;
	device_refused("fewer than 16 entries");
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

/* A pool of one page (2 buffers) for the device's transmit slots: netd's
 * own shortage. The device is left failed (it was reset and half set up),
 * but the line names the pool, not the device, as the cause. */
static void test_net_pool_short(void **state)
{
	const char *why;
	int r;

	(void)state;
	dev.queue_max = 16;
	r = net_start(1, &why);
	assert_int_equal(r, -ENOMEM);
	assert_null(strstr(virtio_net_failure(r), "refusing"));
	assert_non_null(strstr(virtio_net_failure(r), "packet buffers"));
	assert_non_null(strstr(why, "packet pool"));
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
	assert_int_equal(dev.queues_ready, 2);	/* the device itself was fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_steady, setup),
		cmocka_unit_test_setup(test_changes_then_settles, setup),
		cmocka_unit_test_setup(test_never_settles, setup),
		cmocka_unit_test_setup(test_agree, setup),
		cmocka_unit_test_setup(test_agree_no_device, setup),
		cmocka_unit_test_setup(test_agree_legacy, setup),
		cmocka_unit_test_setup(test_agree_no_version_1, setup),
		cmocka_unit_test_setup(test_agree_required_missing, setup),
		cmocka_unit_test_setup(test_agree_features_refused, setup),
		cmocka_unit_test_setup(test_agree_no_reset, setup),
		cmocka_unit_test_setup(test_net_start, setup),
		cmocka_unit_test_setup(test_net_device_refused, setup),
		cmocka_unit_test_setup(test_net_queue_small, setup),
		cmocka_unit_test_setup(test_net_pool_short, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
