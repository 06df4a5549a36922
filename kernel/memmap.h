/*
 * Physical memory at boot: RAM less the firmware, the kernel, reserved
 * ranges and the device tree. The kernel carves its pool and the root task's
 * image from it; every other frame, and the initrd, belong to the root task.
 */
#ifndef KERNEL_MEMMAP_H
#define KERNEL_MEMMAP_H

#include <stdint.h>
#include "abi/bootinfo.h"
#include "devtree.h"

struct memmap {
	struct phys_range free[BOOTINFO_MAX_RANGES];	/* not yet given to anyone */
	uint64_t nfree;
	struct phys_range initrd;			/* page-aligned, or empty */
	struct phys_range root_image;			/* taken by memmap_take_root */
	uint64_t ram_base, ram_end;
	uint64_t reserved_bytes;			/* reserved ranges and the device tree,
						 * outside the firmware area */
};

extern struct memmap memmap;

/* Fill memmap from the device tree; kernel_end_pa is the end of the image.
 * Panics if the initrd is not wholly in one memory range, or shares a page
 * with the firmware, the kernel, a reserved range or the device tree. */
int memmap_init(const struct devtree_info *dt, uint64_t dtb_pa, uint64_t dtb_size,
		uint64_t kernel_end_pa);
/* Take `bytes` (page multiple) contiguous bytes from the free ranges; 0 if none. */
uint64_t memmap_take(uint64_t bytes);
/* 1 if pa is a frame the root task owns (free, its image, or the
 * initrd), with the whole range that holds it in *r, so that a caller
 * checking many frames asks again only for one outside it. */
int memmap_user_range(uint64_t pa, struct phys_range *r);
uint64_t memmap_free_bytes(void);

#endif
