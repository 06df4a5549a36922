/*
 * Starting a pinned driver (driver.h): the steps the block driver and netd
 * share, each the same whatever the device, and the one undo for them all.
 */
#include <errno.h>
#include <stdio.h>
#include "base/threads.h"
#include "server/driver.h"
#include "server/spawn.h"
#include "vm/frames.h"
#include "sys.h"

int driver_find(const struct bootinfo *bi, uint32_t device_id)
{
	for (uint64_t i = 0; i < bi->ndevices; i++)
		if (bi->devices[i].kind == 1 && bi->devices[i].device_id == device_id)
			return (int)i;
	return -1;
}

/* Keep only the right to call d's endpoint: the driver then holds its
 * last receiver, and once it has ended a call fails (-EPIPE) at once,
 * instead of waiting for ever for a receive that will never come. 0, or
 * -errno. */
static int keep_send_only(struct driver *d)
{
	int send = sys_handle_grant(HANDLE_SELF, d->ep, RIGHT_SEND);

	if (send < 0)
		return send;
	sys_handle_close(d->ep);
	d->ep = send;
	return 0;
}

int driver_spawn(struct driver *d, const char *name)
{
	const char *const argv[] = { name };
	int err;

	d->proc = NULL;
	d->nframes = 0;
	d->device_told = 0;
	if ((d->ep = sys_endpoint_create()) < 0) {
		err = d->ep;
		d->ep = -1;
	} else if (!(d->proc = spawn_mode(1, argv, d->ep, RIGHT_RECV, 1, &err)) ||
		   (err = keep_send_only(d)) < 0) {
		driver_abandon(d);
	} else {
		return 0;
	}
	printf("pager: cannot start the driver %s (%d)\n", name, err);
	return err;
}

int driver_give_frames(struct driver *d, uint64_t va, int n, uint64_t *pa)
{
	if (n < 0 || n > DRIVER_FRAMES_MAX - d->nframes)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct map_entry e = { va + (uint64_t)i * PAGE_SIZE, frame_alloc_pinned(), MAP_R | MAP_W };

		if (!e.pa)
			return -ENOMEM;
		if (sys_map(d->proc->handle, &e, 1) < 0) {
			frame_free(e.pa);	/* never mapped: not the driver's */
			return -ENOMEM;
		}
		d->frames[d->nframes++] = pa[i] = e.pa;
	}
	return 0;
}

/* Hand the pager threads' I/O notifications to d, send only. */
static int give_done_notes(struct driver *d, int done_handle)
{
	int notes[PAGER_IO_CLIENTS];

	pager_thread_io_notes(notes);
	for (int c = 0; c < PAGER_IO_CLIENTS; c++)
		if (notes[c] < 0 || sys_handle_grant(d->proc->handle, notes[c], RIGHT_SEND) != done_handle + c)
			return -EINVAL;
	return 0;
}

int driver_give_notifications(struct driver *d, uint32_t irq, uint64_t irq_bit, int irq_handle,
			      int done_handle)
{
	int irq_note = sys_notify_create(), r = -EINVAL;

	if (irq_note >= 0 && sys_irq_bind(irq, irq_note, irq_bit) >= 0 &&
	    sys_handle_grant(d->proc->handle, irq_note, RIGHT_RECV) == irq_handle)
		r = give_done_notes(d, done_handle);
	/* The kernel's binding and the driver keep it; if the driver did not
	 * get it, this was its last receiver and the binding goes too. */
	if (irq_note >= 0)
		sys_handle_close(irq_note);
	return r;
}

void driver_device_told(struct driver *d)
{
	d->device_told = 1;
}

void driver_device_reset(struct driver *d)
{
	d->device_told = 0;
}

void driver_abandon(struct driver *d)
{
	/* The process first: its page tables go with it, so no mapping of
	 * these frames is left when they are freed. */
	if (d->proc)
		spawn_abandon(d->proc);
	if (d->device_told && d->nframes > 0) {
		printf("pager: %d frames of the abandoned driver stay pinned: its device may "
		       "still write into them\n", d->nframes);
		d->nframes = 0;
	}
	while (d->nframes > 0)
		frame_free(d->frames[--d->nframes]);
	if (d->ep >= 0)
		sys_handle_close(d->ep);
	d->proc = NULL;
	d->ep = -1;
}
