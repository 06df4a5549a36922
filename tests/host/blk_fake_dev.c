/*
 * The fake virtio-blk device (blk_fake_dev.h). It checks every chain the way
 * a strict device would: header first and device-readable, data segments in
 * the right direction within seg_max and size_max and whole sectors in all,
 * one status byte last; a chain that breaks a rule is counted and answered
 * UNSUPP.
 */
#include <string.h>

#include "blk_fake_dev.h"
#include "virtio_blk_hw.h"

#define PAGE 4096u
#define SECTOR 512u

void fake_blk_init(struct fake_blk *f, const struct virtqueue *vq,
		   uint8_t *disk, uint64_t capacity)
{
	memset(f, 0, sizeof(*f));
	f->size = vq->size;
	f->desc = (struct vq_desc *)vq->desc;
	f->avail = (struct vq_avail *)vq->avail;
	f->used = (struct vq_used *)vq->used;
	f->disk = disk;
	f->capacity = capacity;
	f->fail_sector = UINT64_MAX;
	f->seg_max = vq->size - 2u;
	f->size_max = PAGE;
}

static void *at(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* The chain from head as a list of descriptors; 0 if it loops or leaves
 * the table. */
static unsigned walk(const struct fake_blk *f, uint16_t head, uint16_t *out)
{
	unsigned n = 0;
	uint16_t d = head;

	for (;;) {
		if (d >= f->size || n == f->size)
			return 0;
		out[n++] = d;
		if (!(f->desc[d].flags & VQ_DESC_F_NEXT))
			return n;
		d = f->desc[d].next;
	}
}

/* The data bytes of chain c[0..n). */
static uint64_t data_bytes(const struct fake_blk *f, const uint16_t *c, unsigned n)
{
	uint64_t bytes = 0;

	for (unsigned i = 1; i + 1 < n; i++)
		bytes += f->desc[c[i]].len;
	return bytes;
}

/* Whether the chain has a request's shape, for a disk of f's capacity. */
static bool well_formed(const struct fake_blk *f, const uint16_t *c, unsigned n)
{
	if (n < 3 || n - 2 > f->seg_max)
		return false;
	const struct vq_desc *h = &f->desc[c[0]], *s = &f->desc[c[n - 1]];

	if (h->len != sizeof(struct virtio_blk_hdr) || (h->flags & VQ_DESC_F_WRITE) ||
	    s->len != 1 || !(s->flags & VQ_DESC_F_WRITE))
		return false;
	const struct virtio_blk_hdr *hdr = at(h->addr);
	bool reading = hdr->type == VIRTIO_BLK_T_IN;

	if (hdr->type > VIRTIO_BLK_T_OUT || hdr->reserved != 0)
		return false;
	for (unsigned i = 1; i + 1 < n; i++)
		if (f->desc[c[i]].len == 0 || f->desc[c[i]].len > f->size_max ||
		    !!(f->desc[c[i]].flags & VQ_DESC_F_WRITE) != reading)
			return false;
	uint64_t bytes = data_bytes(f, c, n);

	return bytes % SECTOR == 0 && hdr->sector + bytes / SECTOR <= f->capacity;
}

/* Move the segments, one after another on the disk; the status the device
 * would report. */
static uint8_t transfer(struct fake_blk *f, const uint16_t *c, unsigned n)
{
	const struct virtio_blk_hdr *hdr = at(f->desc[c[0]].addr);
	uint64_t first = hdr->sector, off = first * SECTOR;

	if (f->fail_sector >= first && f->fail_sector < first + data_bytes(f, c, n) / SECTOR)
		return VIRTIO_BLK_S_IOERR;
	for (unsigned i = 1; i + 1 < n; i++) {
		uint32_t len = f->desc[c[i]].len;
		void *mem = at(f->desc[c[i]].addr);

		if (hdr->type == VIRTIO_BLK_T_IN)
			memcpy(mem, f->disk + off, len);
		else
			memcpy(f->disk + off, mem, len);
		off += len;
	}
	return VIRTIO_BLK_S_OK;
}

/* Serve one chain; the bytes written into it. */
static uint32_t serve(struct fake_blk *f, uint16_t head)
{
	uint16_t c[VQ_MAX_SIZE];
	unsigned n = walk(f, head, c);
	uint8_t status;

	if (n == 0 || !well_formed(f, c, n)) {
		f->malformed++;
		status = VIRTIO_BLK_S_UNSUPP;
		if (n == 0)
			return 0;
	} else {
		status = transfer(f, c, n);
	}
	if (!f->skip_status)
		*(uint8_t *)at(f->desc[c[n - 1]].addr) = status;
	const struct virtio_blk_hdr *hdr = at(f->desc[c[0]].addr);
	bool wrote_data = status == VIRTIO_BLK_S_OK && hdr->type == VIRTIO_BLK_T_IN;

	return (wrote_data ? (uint32_t)data_bytes(f, c, n) : 0) + 1 - (f->short_len ? 1 : 0);
}

unsigned fake_blk_fetch(struct fake_blk *f, unsigned max)
{
	unsigned taken = 0;

	while (taken < max && f->last_avail != f->avail->idx) {
		uint16_t head = f->avail->ring[f->last_avail % f->size];

		f->last_avail++;
		f->pending[f->npending] = head;
		f->pending_len[f->npending] = serve(f, head);
		f->npending++;
		f->served++;
		taken++;
	}
	return taken;
}

void fake_blk_put_used(struct fake_blk *f, uint32_t id, uint32_t len)
{
	struct vq_used_elem *e = &f->used->ring[f->used_idx % f->size];

	e->id = id;
	e->len = len;
	f->used_idx++;
}

void fake_blk_forget(struct fake_blk *f, unsigned k)
{
	f->npending--;
	memmove(&f->pending[k], &f->pending[k + 1], (f->npending - k) * sizeof(f->pending[0]));
	memmove(&f->pending_len[k], &f->pending_len[k + 1],
		(f->npending - k) * sizeof(f->pending_len[0]));
}

void fake_blk_publish_used(struct fake_blk *f, uint16_t extra)
{
	f->used_idx = (uint16_t)(f->used_idx + extra);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* entries before the index */
	f->used->idx = f->used_idx;
}

uint8_t *fake_blk_status_byte(const struct fake_blk *f, uint16_t head)
{
	uint16_t c[VQ_MAX_SIZE];
	unsigned n = walk(f, head, c);

	return n < 2 ? NULL : at(f->desc[c[n - 1]].addr);
}

unsigned fake_blk_retire(struct fake_blk *f, bool reverse)
{
	unsigned n = f->npending;

	for (unsigned i = 0; i < n; i++) {
		unsigned k = reverse ? n - 1 - i : i;

		fake_blk_put_used(f, f->pending[k], f->pending_len[k]);
	}
	fake_blk_publish_used(f, 0);
	f->npending = 0;
	return n;
}
