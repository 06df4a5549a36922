/*
 * The virtio-mmio transport (virtio_mmio.h) on RISC-V. Register accesses
 * are fenced against memory like Linux's readl/writel, so ring stores reach
 * the device before a notify and its DMA is seen after an interrupt read.
 */
#include <errno.h>

#include "virtio_mmio.h"

#define RESET_SPINS 1000000	/* reads of Status before giving up on reset */

static uint32_t rd(uintptr_t base, unsigned off)
{
	uint32_t v = *(volatile uint32_t *)(base + off);

	__asm__ volatile("fence i, r" ::: "memory");	/* before later loads */
	return v;
}

static void wr(uintptr_t base, unsigned off, uint32_t v)
{
	__asm__ volatile("fence w, o" ::: "memory");	/* earlier stores first */
	*(volatile uint32_t *)(base + off) = v;
}

static void set_status(uintptr_t base, uint32_t bits)
{
	wr(base, VMMIO_STATUS, rd(base, VMMIO_STATUS) | bits);
}

uint32_t vmmio_status(uintptr_t base)
{
	return rd(base, VMMIO_STATUS);
}

int vmmio_probe(uintptr_t base, uint32_t device_id)
{
	if (rd(base, VMMIO_MAGIC_VALUE) != VMMIO_MAGIC ||
	    rd(base, VMMIO_VERSION) != 2 ||
	    rd(base, VMMIO_DEVICE_ID) != device_id)
		return -ENODEV;
	return 0;
}

/* The spec: after writing 0, wait until Status reads 0 before going on. */
static int reset(uintptr_t base)
{
	wr(base, VMMIO_STATUS, 0);
	for (long i = 0; i < RESET_SPINS; i++)
		if (rd(base, VMMIO_STATUS) == 0)
			return 0;
	return -ENODEV;
}

static uint64_t device_features(uintptr_t base)
{
	wr(base, VMMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t high = rd(base, VMMIO_DEVICE_FEATURES);

	wr(base, VMMIO_DEVICE_FEATURES_SEL, 0);
	return high << 32 | rd(base, VMMIO_DEVICE_FEATURES);
}

static void driver_features(uintptr_t base, uint64_t features)
{
	wr(base, VMMIO_DRIVER_FEATURES_SEL, 1);
	wr(base, VMMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(base, VMMIO_DRIVER_FEATURES_SEL, 0);
	wr(base, VMMIO_DRIVER_FEATURES, (uint32_t)features);
}

int vmmio_negotiate(uintptr_t base, uint64_t wanted, uint64_t required,
		    uint64_t *accepted)
{
	if (reset(base) < 0)
		return -ENODEV;
	set_status(base, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(base, VIRTIO_STATUS_DRIVER);
	uint64_t offered = device_features(base);

	if ((offered & required) != required) {
		vmmio_fail(base);
		return -ENODEV;
	}
	*accepted = offered & wanted;
	driver_features(base, *accepted);
	set_status(base, VIRTIO_STATUS_FEATURES_OK);
	/* The device clears FEATURES_OK if it cannot work with our subset. */
	if (!(rd(base, VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		vmmio_fail(base);
		return -ENODEV;
	}
	return 0;
}

unsigned vmmio_queue_max(uintptr_t base, unsigned q)
{
	wr(base, VMMIO_QUEUE_SEL, q);
	if (rd(base, VMMIO_QUEUE_READY) != 0)
		return 0;
	return rd(base, VMMIO_QUEUE_NUM_MAX);
}

void vmmio_queue_setup(uintptr_t base, unsigned q, unsigned size,
		       uint64_t desc_pa, uint64_t avail_pa, uint64_t used_pa)
{
	wr(base, VMMIO_QUEUE_SEL, q);
	wr(base, VMMIO_QUEUE_NUM, size);
	wr(base, VMMIO_QUEUE_DESC_LOW, (uint32_t)desc_pa);
	wr(base, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(desc_pa >> 32));
	wr(base, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)avail_pa);
	wr(base, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail_pa >> 32));
	wr(base, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)used_pa);
	wr(base, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used_pa >> 32));
	wr(base, VMMIO_QUEUE_READY, 1);
}

uint64_t vmmio_config64(uintptr_t base, unsigned off)
{
	uint32_t gen, lo, hi;

	/* Two 32-bit reads are not atomic: retry if the device changed the
	 * configuration between them. */
	do {
		gen = rd(base, VMMIO_CONFIG_GENERATION);
		lo = rd(base, VMMIO_CONFIG + off);
		hi = rd(base, VMMIO_CONFIG + off + 4);
	} while (rd(base, VMMIO_CONFIG_GENERATION) != gen);
	return (uint64_t)hi << 32 | lo;
}

uint8_t vmmio_config8(uintptr_t base, unsigned off)
{
	uint8_t v = *(volatile uint8_t *)(base + VMMIO_CONFIG + off);

	__asm__ volatile("fence i, r" ::: "memory");
	return v;
}

uint32_t vmmio_config32(uintptr_t base, unsigned off)
{
	return rd(base, VMMIO_CONFIG + off);	/* one read: consistent */
}

void vmmio_driver_ok(uintptr_t base)
{
	set_status(base, VIRTIO_STATUS_DRIVER_OK);
}

void vmmio_fail(uintptr_t base)
{
	set_status(base, VIRTIO_STATUS_FAILED);
}

void vmmio_notify(uintptr_t base, unsigned q)
{
	wr(base, VMMIO_QUEUE_NOTIFY, q);
}

uint32_t vmmio_interrupt_take(uintptr_t base)
{
	uint32_t why = rd(base, VMMIO_INTERRUPT_STATUS);

	if (why != 0)
		wr(base, VMMIO_INTERRUPT_ACK, why);
	return why;
}
