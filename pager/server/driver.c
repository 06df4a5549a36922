/*
 * Starting a pinned driver (driver.h): the steps the block driver and netd
 * share, each the same whatever the device.
 */
#include <errno.h>
#include "base/threads.h"
#include "server/driver.h"
#include "vm/frames.h"
#include "sys.h"

int driver_find(const struct bootinfo *bi, uint32_t device_id)
{
	for (uint64_t i = 0; i < bi->ndevices; i++)
		if (bi->devices[i].kind == 1 && bi->devices[i].device_id == device_id)
			return (int)i;
	return -1;
}

int driver_give_frames(struct pproc *d, uint64_t va, int n, uint64_t *pa)
{
	for (int i = 0; i < n; i++) {
		struct map_entry e = { va + (uint64_t)i * PAGE_SIZE, frame_alloc_pinned(), MAP_R | MAP_W };
		if (!e.pa || sys_map(d->handle, &e, 1) < 0)
			return -ENOMEM;
		pa[i] = e.pa;
	}
	return 0;
}

int driver_give_notifications(struct pproc *d, uint32_t irq, uint64_t irq_bit, int irq_handle,
			      int done_handle)
{
	int irq_note = sys_notify_create(), notes[PAGER_IO_CLIENTS];

	if (irq_note < 0 || sys_irq_bind(irq, irq_note, irq_bit) < 0 ||
	    sys_handle_grant(d->handle, irq_note, RIGHT_RECV) != irq_handle)
		return -EINVAL;
	pager_thread_io_notes(notes);
	for (int c = 0; c < PAGER_IO_CLIENTS; c++)
		if (notes[c] < 0 || sys_handle_grant(d->handle, notes[c], RIGHT_SEND) != done_handle + c)
			return -EINVAL;
	sys_handle_close(irq_note);	/* the kernel's binding and the driver keep it */
	return 0;
}
