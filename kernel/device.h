/*
 * Devices the pager may hand to user-level drivers: MMIO windows found in
 * the device tree, mapped into a driver on the pager's request, and
 * interrupts delivered as notification bits until the driver acknowledges
 * them. The kernel drives no device itself (but the console and timer).
 */
#ifndef KERNEL_DEVICE_H
#define KERNEL_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "devtree.h"

struct thread;
struct notify;

struct device {
	uint64_t base, size;	/* MMIO window, page-aligned */
	uint32_t irq;
	uint32_t device_id;	/* virtio DeviceID read at boot, 0 = empty slot */
	uint32_t version;	/* virtio-mmio Version register */
};

void device_init(const struct devtree_info *dt);
size_t device_count(void);
const struct device *device_get(size_t i);
/* Interrupts bound now (SYS_KERNEL_INFO). */
uint64_t device_irq_bindings(void);

int64_t sys_device_map(struct thread *t, const uint64_t *a);
int64_t sys_irq_bind(struct thread *t, const uint64_t *a);
int64_t sys_irq_ack(struct thread *t, const uint64_t *a);
int64_t sys_irq_ack_recv(struct thread *t, const uint64_t *a);

#endif
