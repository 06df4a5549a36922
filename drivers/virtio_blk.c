/*
 * virtio_blk: the user-level driver for the pager's swap disk, a virtio-blk
 * device on virtio-mmio. One thread serves the pager's calls (blk_protocol.h)
 * and the device's interrupts on one endpoint; it never allocates.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "blk_device.h"
#include "blk_dma.h"
#include "blk_protocol.h"
#include "sys.h"

/* Pinned by the pager: static, never on a heap that would grow. */
static struct blk_device blk = { .mmio = BLK_MMIO_VA };

static struct {
	bool ready;		/* BLK_SETUP succeeded: the device is live */
	bool irq_known;		/* a BLK_SETUP has named the irq and the
				 * interrupt notification is bound to us */
	unsigned irq;		/* from BLK_SETUP, for sys_irq_ack */
	const char *given_up;	/* why the device was given up on: the driver ends */
} dev;

static void say_ready(void)
{
	printf("virtio_blk: %lu sectors (%lu MiB)%s on irq %u, up to %u KiB "
	       "per request\n", (unsigned long)blk.disk.capacity,
	       (unsigned long)(blk.disk.capacity / (1024 * 1024 / BLK_SECTOR)),
	       blk.disk.read_only ? ", read-only" : "", dev.irq,
	       blk.disk.shape.max_pages * (BLK_PAGE_SIZE / 1024));
}

/* Have our receives also wake for the interrupt. Done at set-up, not at
 * start: the pager grants the notification after spawning us, but always
 * before its BLK_SETUP call. */
static int bind_irq(unsigned irq)
{
	if (!dev.irq_known) {
		int err = sys_notify_bind(BLK_HANDLE_IRQ);

		if (err < 0)
			return err;
	}
	dev.irq = irq;
	dev.irq_known = true;
	return 0;
}

/* BLK_SETUP: w[0] = irq, data = the DMA pages' physical addresses. */
static long on_setup(const struct msg *m, struct msg *reply)
{
	uint64_t pa[BLK_DMA_PAGES];
	struct blk_dma d;

	/* Resetting under requests in flight would lose them silently. */
	if (dev.ready && !blkq_idle(&blk.bq))
		return -EBUSY;
	if (m->len < sizeof(pa))
		return -EINVAL;
	memcpy(pa, m->data, sizeof(pa));
	if (blk_dma_place(&d, BLK_DMA_VA, pa) < 0)
		return -EINVAL;
	dev.ready = false;
	int err = bind_irq((unsigned)m->w[0]);

	if (err == 0)
		err = blk_device_start(&blk, &d, (struct blk_status *)BLK_STATUS_VA,
				       (const volatile uint64_t *)BLK_LIST_VA);

	if (err < 0)
		return err;
	dev.ready = true;
	say_ready();
	reply->w[0] = blk.disk.capacity;
	reply->w[1] = blk.disk.read_only;
	reply->w[2] = blk.disk.shape.max_pages;
	return 0;
}

/* BLK_SUBMIT: data = struct blk_request[]; BLK_SUBMIT_ONE: w[] = one. */
static long on_submit(const struct msg *m)
{
	return dev.ready ? blk_device_submit(&blk, m) : -ENODEV;
}

/* BLK_STOP: the device reset, so it touches our frames no more and the
 * pager may take them back. Only when idle: a request in flight would
 * never be finished, nor its page's frame known to be safe. */
static long on_stop(void)
{
	if (!blkq_idle(&blk.bq))
		return -EBUSY;
	/* Before the reset, which may time out half done: no submit reaches
	 * a device being reset, whatever its answer. */
	dev.ready = false;
	return blk_device_stop(&blk);
}

static void serve(const struct msg *m, struct msg *reply)
{
	memset(reply, 0, MSG_HEADER_SIZE);
	reply->handle = -1;
	if (m->label == BLK_SETUP)
		reply->label = (uint64_t)on_setup(m, reply);
	else if (m->label == BLK_SUBMIT || m->label == BLK_SUBMIT_ONE)
		reply->label = (uint64_t)on_submit(m);
	else if (m->label == BLK_STOP)
		reply->label = (uint64_t)on_stop();
	else
		reply->label = (uint64_t)-ENOSYS;
}

static void report_error(void *ctx, const struct blk_request *r,
			 unsigned status)
{
	(void)ctx;
	printf("virtio_blk: I/O error: %s sector %lu (%u pages), tag %u, "
	       "device status %u\n", r->write ? "writing" : "reading",
	       (unsigned long)r->sector, r->npages, r->tag, status);
}

/* Wake each pager thread whose requests finished, and no other, lowest
 * first, from a local copy of the bits, up to the highest set: a loop over
 * every note read bq.done_notes again after each system call (~55
 * instructions an interrupt, most of it for notes with nothing done). */
static void signal_done(void)
{
	uint32_t w = blk.bq.done_notes;

	blk.bq.done_notes = 0;
	/* A shift a note, not __builtin_ctz: without Zbb that is a libgcc
	 * call of ~45 instructions, more than the few notes' tests. */
	for (unsigned i = 0; w; i++, w >>= 1)
		if (w & 1)
			sys_notify_signal(BLK_HANDLE_DONE + i, BLK_DONE_BIT);
}

/* The device interrupted: finish what it completed, tell the pager, start
 * what was waiting for descriptors. Whether the interrupt is to be let
 * come again (acknowledged with the next receive: one trap, not two). A
 * device given up on is left in dev.given_up, for the loop to end. */
static bool on_interrupt(uint64_t bits)
{
	if (!(bits & BLK_IRQ_BIT))
		return false;
	if (dev.ready) {
		dev.given_up = blk_device_interrupt(&blk, report_error, NULL);
		signal_done();	/* what it completed before it broke too */
		if (!dev.given_up)
			blk_device_restart(&blk);
	}
	/* Even when not ready: the kernel holds the line masked until then. */
	return dev.irq_known;
}

int main(void)
{
	static struct msg in, out;
	int r = sys_recv(BLK_HANDLE_EP, &in);
	for (;;) {
		if (r < 0) {
			if (r == -ERR_PIPE)	/* the pager is gone */
				return 0;
			printf("virtio_blk: receive (or its interrupt's acknowledgement) failed: error %d\n", -r);
			return 2;
		}
		if (in.origin == ORIGIN_NOTIFY) {
			bool ack = on_interrupt(in.w[0]);

			/* Its completions can no longer be trusted: the pager
			 * fails what we held (blk_link_end) when we end. */
			if (dev.given_up) {
				printf("virtio_blk: giving the device up: %s: ending\n", dev.given_up);
				return 3;
			}
			/* The acknowledgement and the next receive in one trap;
			 * either's error ends the driver below (an interrupt not
			 * acknowledged would never come again). */
			r = ack ?
				    sys_irq_ack_recv(BLK_HANDLE_EP, &in, BLK_HANDLE_IRQ, dev.irq) :
				    sys_recv(BLK_HANDLE_EP, &in);
			continue;
		}
		if (in.handle >= 0)
			sys_handle_close(in.handle);	/* none expected */
		if (in.origin != ORIGIN_CALL) {
			r = sys_recv(BLK_HANDLE_EP, &in);	/* none to answer */
			continue;
		}
		serve(&in, &out);
		r = sys_reply_recv(BLK_HANDLE_EP, &out, &in);
	}
}
