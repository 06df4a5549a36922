/*
 * The virtio-mmio transport, version 2 (virtio 1.x, 4.2.2): the register
 * window and the steps every device goes through (reset, feature
 * negotiation, queue set-up, interrupts), independent of the device type.
 */
#ifndef DRIVERS_VIRTIO_MMIO_H
#define DRIVERS_VIRTIO_MMIO_H

#include <stdint.h>

/* Register offsets; every register is 32 bits wide. */
#define VMMIO_MAGIC_VALUE 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_DEVICE_FEATURES 0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES 0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INTERRUPT_STATUS 0x060
#define VMMIO_INTERRUPT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LOW 0x080
#define VMMIO_QUEUE_DESC_HIGH 0x084
#define VMMIO_QUEUE_DRIVER_LOW 0x090
#define VMMIO_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_QUEUE_DEVICE_LOW 0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_CONFIG_GENERATION 0x0fc
#define VMMIO_CONFIG 0x100

#define VMMIO_MAGIC 0x74726976		/* "virt" */

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_F_VERSION_1 32		/* feature bit: a virtio 1.x device */

/* InterruptStatus bits. */
#define VMMIO_INT_USED 1		/* a used ring has new entries */
#define VMMIO_INT_CONFIG 2		/* the configuration changed */

/* Write 0 to Status and wait until it reads back 0: from then on the
 * device uses none of the queues or buffers it was given (virtio 1.x,
 * 2.1). 0, or -ENODEV if it did not reset. */
int vmmio_reset(uintptr_t base);

/* For a driver the pager gave a device it found by its type: check the
 * window holds a version-2 device of that type, reset it, announce a
 * driver, offer it the wanted features it has (bit masks over all 64
 * feature bits; required ones must be among the device's) and check it
 * accepts them (FEATURES_OK). 0 with *accepted set, or -ENOTSUP for a
 * device the driver cannot drive (legacy, a required feature not offered,
 * features refused, no reset, or none of the type in the window after
 * all; the device marked FAILED once it has reset) with *why saying
 * which, for the console. Never -ENODEV: the pager keeps that for a
 * machine with no such device. */
int vmmio_agree(uintptr_t base, uint32_t device_id, uint64_t wanted, uint64_t required,
		uint64_t *accepted, const char **why);

/* Largest size queue q may have; 0 if it does not exist or is in use. */
unsigned vmmio_queue_max(uintptr_t base, unsigned q);

/* Give queue q its size and rings (physical addresses) and enable it. */
void vmmio_queue_setup(uintptr_t base, unsigned q, unsigned size,
		       uint64_t desc_pa, uint64_t avail_pa, uint64_t used_pa);

/* A 64-bit configuration field, read consistently (ConfigGeneration) into
 * *v: 0, or -EIO if the generation changed across every one of a bounded
 * number of reads (a device that never settles). */
int vmmio_config64(uintptr_t base, unsigned off, uint64_t *v);
/* A 32-bit configuration field. */
uint32_t vmmio_config32(uintptr_t base, unsigned off);

/* A byte of the device-specific configuration at off. */
uint8_t vmmio_config8(uintptr_t base, unsigned off);

/* Set-up is done: the device may use its queues. */
void vmmio_driver_ok(uintptr_t base);

/* Give up on the device (FAILED); it stays quiet until the next reset. */
void vmmio_fail(uintptr_t base);

/* Tell the device queue q has new available buffers. */
void vmmio_notify(uintptr_t base, unsigned q);

/* Read why the device interrupted (VMMIO_INT_*) and acknowledge it, so a
 * later event raises the line again. */
uint32_t vmmio_interrupt_take(uintptr_t base);

/* The device status register (VIRTIO_STATUS_*). */
uint32_t vmmio_status(uintptr_t base);

#endif
