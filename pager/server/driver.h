/*
 * What starting any pinned user-level driver takes (the block driver,
 * netd): its device found in the boot information, fresh pinned frames
 * mapped into it, and its notifications handed over.
 */
#ifndef PAGER_SERVER_DRIVER_H
#define PAGER_SERVER_DRIVER_H

#include <stdint.h>
#include "kernel/abi/bootinfo.h"
#include "server/procs.h"

/* The index in bi of the first virtio device with this device id, or -1. */
int driver_find(const struct bootinfo *bi, uint32_t device_id);

/* Map n fresh pinned frames into d at va; their addresses in pa[]. 0, or
 * -ENOMEM. */
int driver_give_frames(struct pproc *d, uint64_t va, int n, uint64_t *pa);

/* Give d a notification bound to irq (signalled with irq_bit), as its
 * handle irq_handle with receive rights, then the pager threads' I/O
 * notifications, send only, as handles done_handle, done_handle + 1, ...
 * (one per I/O client). 0, or -EINVAL if a handle lands elsewhere. */
int driver_give_notifications(struct pproc *d, uint32_t irq, uint64_t irq_bit, int irq_handle,
			      int done_handle);

#endif
