/*
 * The machine description the kernel needs, read from a device tree through
 * libfdt: memory, reserved ranges, boot arguments, initrd, timer, console,
 * interrupt controller, test finisher and virtio-mmio slots. Plain C.
 */
#ifndef LIB_DEVTREE_H
#define LIB_DEVTREE_H

#include <stddef.h>
#include <stdint.h>

#define DT_MAX_MEM 4
#define DT_MAX_RESERVED 8
#define DT_MAX_VIRTIO 8

struct dt_range {
	uint64_t base, size;
};

struct dt_device {
	uint64_t base, size;	/* first "reg" entry */
	uint32_t irq;		/* first "interrupts" cell, 0 if none */
};

struct devtree_info {
	uint32_t size;			/* the blob's totalsize, checked */
	struct dt_range mem[DT_MAX_MEM];	/* /memory nodes' reg entries */
	size_t nmem;
	struct dt_range reserved[DT_MAX_RESERVED]; /* /reserved-memory children
					 * and the memory reservation block */
	size_t nreserved;
	const char *bootargs;		/* /chosen/bootargs in the blob, or NULL */
	size_t bootargs_len;		/* without the NUL */
	uint64_t initrd_start, initrd_end; /* /chosen linux,initrd-*; 0 if none */
	uint64_t timebase_hz;		/* /cpus/timebase-frequency */
	struct dt_device uart;		/* "ns16550a"; base 0 if none */
	struct dt_device plic;		/* "riscv,plic0" or "sifive,plic-1.0.0" */
	uint32_t plic_ndev;		/* riscv,ndev */
	struct dt_device finisher;	/* "sifive,test0"; base 0 if none */
	struct dt_device virtio[DT_MAX_VIRTIO]; /* "virtio,mmio", in blob order */
	size_t nvirtio;
};

/* Besides libfdt's errors (-FDT_ERR_*, -1 to -19): */
enum devtree_error {
	DT_ERR_NOMEM = -20,	/* no usable /memory node */
	DT_ERR_NOTIMER = -21,	/* no timebase-frequency */
	DT_ERR_BADREG = -22,	/* a reg or initrd property of the wrong size */
	DT_ERR_TOOMANY = -23,	/* more entries than the arrays above hold */
	DT_ERR_TOOBIG = -24,	/* totalsize larger than the caller allows */
	DT_ERR_DEEP = -25,	/* nodes nested deeper than DT_MAX_DEPTH */
	DT_ERR_MISALIGNED = -26	/* the reservation block not 8-, the structure
				 * block not 4-byte aligned */
};

#define DT_MAX_DEPTH 16

/* Fill out from blob (8-byte aligned, at most max_size readable) after
 * checking the whole blob (fdt_check_full): 0, -FDT_ERR_* or a devtree_error.
 * Extra virtio slots beyond DT_MAX_VIRTIO are an error, not silently
 * dropped. */
int devtree_read(const void *blob, size_t max_size, struct devtree_info *out);

/* Message for a libfdt or devtree error, in words a boot log can show. */
const char *devtree_strerror(int err);

#endif
