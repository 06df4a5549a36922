/*
 * The virtio-mmio transport (virtio_mmio.h) on RISC-V, over the fenced
 * register accesses of vmmio_regs.h.
 */
#include <errno.h>

#include "virtio_mmio.h"
#include "vmmio_regs.h"

#define RESET_SPINS 1000000	/* reads of Status before giving up on reset */
/* Reads of a 64-bit field before giving up on a device whose
 * configuration generation changed across every one: a device changes its
 * configuration on an event (a disk resized), so one retry is rare and
 * two in a row rarer; 64 changes in a row are no event but a device that
 * never settles, which the driver must not wait on for ever. */
#define CONFIG64_TRIES 64

static void set_status(uintptr_t base, uint32_t bits)
{
	vmmio_wr(base, VMMIO_STATUS, vmmio_rd(base, VMMIO_STATUS) | bits);
}

uint32_t vmmio_status(uintptr_t base)
{
	return vmmio_rd(base, VMMIO_STATUS);
}

/* Whether the window at base holds a version-2 device of type device_id:
 * 0, or -ENOTSUP with *why saying what is there instead. */
static int probe(uintptr_t base, uint32_t device_id, const char **why)
{
	if (vmmio_rd(base, VMMIO_MAGIC_VALUE) != VMMIO_MAGIC ||
	    vmmio_rd(base, VMMIO_DEVICE_ID) != device_id) {
		*why = "its window holds no device of its type";
		return -ENOTSUP;
	}
	/* The device is there, behind a transport this driver does not
	 * speak: said so, not that there is no device. */
	if (vmmio_rd(base, VMMIO_VERSION) != 2) {
		*why = "its virtio-mmio transport is not version 2 (virtio 1.x): a legacy device";
		return -ENOTSUP;
	}
	return 0;
}

/* The spec: after writing 0, wait until Status reads 0 before going on. */
int vmmio_reset(uintptr_t base)
{
	vmmio_wr(base, VMMIO_STATUS, 0);
	for (long i = 0; i < RESET_SPINS; i++)
		if (vmmio_rd(base, VMMIO_STATUS) == 0)
			return 0;
	return -ENODEV;
}

static uint64_t device_features(uintptr_t base)
{
	vmmio_wr(base, VMMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t high = vmmio_rd(base, VMMIO_DEVICE_FEATURES);

	vmmio_wr(base, VMMIO_DEVICE_FEATURES_SEL, 0);
	return high << 32 | vmmio_rd(base, VMMIO_DEVICE_FEATURES);
}

static void driver_features(uintptr_t base, uint64_t features)
{
	vmmio_wr(base, VMMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_wr(base, VMMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vmmio_wr(base, VMMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_wr(base, VMMIO_DRIVER_FEATURES, (uint32_t)features);
}

/* Reset the device, announce a driver, offer it the wanted features it has
 * and check it accepts them (FEATURES_OK). Features are bit masks over all
 * 64 feature bits; required ones must be among the device's. 0 with
 * *accepted set; or -ENOTSUP with *why saying which step failed (the
 * device marked FAILED if it reset). */
static int negotiate(uintptr_t base, uint64_t wanted, uint64_t required, uint64_t *accepted,
		     const char **why)
{
	if (vmmio_reset(base) < 0) {
		*why = "it did not reset";
		return -ENOTSUP;
	}
	set_status(base, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(base, VIRTIO_STATUS_DRIVER);
	uint64_t offered = device_features(base);

	if ((offered & required) != required) {
		vmmio_fail(base);
		*why = required == 1ULL << VIRTIO_F_VERSION_1 ?
		       "it does not offer VIRTIO_F_VERSION_1 (virtio 1.x)" :
		       "it does not offer a feature its driver requires";
		return -ENOTSUP;
	}
	*accepted = offered & wanted;
	driver_features(base, *accepted);
	set_status(base, VIRTIO_STATUS_FEATURES_OK);
	/* The device clears FEATURES_OK if it cannot work with our subset. */
	if (!(vmmio_rd(base, VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		vmmio_fail(base);
		*why = "it cleared FEATURES_OK: it cannot work with the features accepted";
		return -ENOTSUP;
	}
	return 0;
}

int vmmio_agree(uintptr_t base, uint32_t device_id, uint64_t wanted, uint64_t required,
		uint64_t *accepted, const char **why)
{
	int r = probe(base, device_id, why);

	return r < 0 ? r : negotiate(base, wanted, required, accepted, why);
}

unsigned vmmio_queue_max(uintptr_t base, unsigned q)
{
	vmmio_wr(base, VMMIO_QUEUE_SEL, q);
	if (vmmio_rd(base, VMMIO_QUEUE_READY) != 0)
		return 0;
	return vmmio_rd(base, VMMIO_QUEUE_NUM_MAX);
}

void vmmio_queue_setup(uintptr_t base, unsigned q, unsigned size,
		       uint64_t desc_pa, uint64_t avail_pa, uint64_t used_pa)
{
	vmmio_wr(base, VMMIO_QUEUE_SEL, q);
	vmmio_wr(base, VMMIO_QUEUE_NUM, size);
	vmmio_wr(base, VMMIO_QUEUE_DESC_LOW, (uint32_t)desc_pa);
	vmmio_wr(base, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(desc_pa >> 32));
	vmmio_wr(base, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)avail_pa);
	vmmio_wr(base, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail_pa >> 32));
	vmmio_wr(base, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)used_pa);
	vmmio_wr(base, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used_pa >> 32));
	vmmio_wr(base, VMMIO_QUEUE_READY, 1);
}

int vmmio_config64(uintptr_t base, unsigned off, uint64_t *v)
{
	/* Two 32-bit reads are not atomic: read again if the device changed
	 * the configuration between them. */
	for (int i = 0; i < CONFIG64_TRIES; i++) {
		uint32_t gen = vmmio_rd(base, VMMIO_CONFIG_GENERATION);
		uint32_t lo = vmmio_rd(base, VMMIO_CONFIG + off);
		uint32_t hi = vmmio_rd(base, VMMIO_CONFIG + off + 4);

		if (vmmio_rd(base, VMMIO_CONFIG_GENERATION) == gen) {
			*v = (uint64_t)hi << 32 | lo;
			return 0;
		}
	}
	return -EIO;
}

uint8_t vmmio_config8(uintptr_t base, unsigned off)
{
	return vmmio_rd8(base, VMMIO_CONFIG + off);
}

uint32_t vmmio_config32(uintptr_t base, unsigned off)
{
	return vmmio_rd(base, VMMIO_CONFIG + off);	/* one read: consistent */
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
	vmmio_wr(base, VMMIO_QUEUE_NOTIFY, q);
}

uint32_t vmmio_interrupt_take(uintptr_t base)
{
	uint32_t why = vmmio_rd(base, VMMIO_INTERRUPT_STATUS);

	if (why != 0)
		vmmio_wr(base, VMMIO_INTERRUPT_ACK, why);
	return why;
}
