/*
 * What the kernel hands the root task at BOOTINFO_VA: the frames it now
 * owns, where the initrd is, the command line and the devices found.
 */
#ifndef ABI_BOOTINFO_H
#define ABI_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAX_RANGES 16
/* The command line kept, with its NUL: 2047 bytes (docs/boot-args.md); the
 * kernel drops whole words past it and names them on the console. */
#define BOOTINFO_CMDLINE_MAX 2048
#define BOOTINFO_MAX_DEVICES 8

struct phys_range {
	uint64_t base;		/* page-aligned */
	uint64_t end;		/* exclusive, page-aligned */
};

struct bootinfo {
	uint64_t magic;				/* BOOTINFO_MAGIC */
	uint64_t ram_base, ram_end;		/* all of RAM */
	uint64_t kernel_bytes;			/* image + kernel pool */
	uint64_t nfree;				/* entries in free[] */
	struct phys_range free[BOOTINFO_MAX_RANGES]; /* frames the root task owns
						 * and may hand out */
	struct phys_range root_image;		/* frames holding the root task's
						 * own image and stack: pinned */
	struct phys_range initrd;		/* the cpio archive (root task owns
						 * these frames too) */
	uint64_t timebase_hz;
	uint64_t ndevices;
	struct {
		uint64_t base, size;		/* MMIO window */
		uint32_t irq;
		uint32_t kind;			/* 1 = virtio-mmio */
		uint32_t device_id;		/* virtio device id read at boot
						 * (2 = block), 0 = empty slot */
		uint32_t version;		/* virtio-mmio version register */
	} devices[BOOTINFO_MAX_DEVICES];
	char cmdline[BOOTINFO_CMDLINE_MAX];	/* as given, NUL-terminated */
};

#define BOOTINFO_MAGIC 0x6f666e69746f6f62ULL	/* "bootinfo" */

/* The kernel maps one page of it at BOOTINFO_VA (kernel/root.c). */
_Static_assert(sizeof(struct bootinfo) <= 4096, "struct bootinfo must fit in one page");

#endif
