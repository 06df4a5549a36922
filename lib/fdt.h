/*
 * A reader for flattened device trees (the DTB format of the Devicetree
 * Specification, version 17). Plain C with no kernel headers: the kernel uses
 * it at boot and the host tests run it on dumped and corrupted blobs.
 */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include <stddef.h>
#include <stdint.h>

enum fdt_error {
	FDT_OK = 0,
	FDT_ERR_MAGIC = -1,	/* not a device tree */
	FDT_ERR_VERSION = -2,	/* version older than 16 */
	FDT_ERR_TRUNCATED = -3,	/* a block or token runs past the blob */
	FDT_ERR_BADSTRUCT = -4,	/* malformed structure block */
	FDT_ERR_NOTFOUND = -5,
	FDT_ERR_TOOBIG = -6	/* totalsize larger than the caller allows */
};

struct fdt {
	const uint8_t *blob;
	uint32_t size;			/* header's totalsize, checked */
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
};

/* Check the header of blob (at most max_size bytes readable) and fill f. */
int fdt_open(struct fdt *f, const void *blob, size_t max_size);

/* Offset of the node at path ("/", "/chosen", "/soc/plic@c000000");
 * a component without '@' also matches a name with a unit address. */
int fdt_path(const struct fdt *f, const char *path);

/* Walk the children of node: first child, then the next sibling of child.
 * Each returns a node offset (>= 0) or FDT_ERR_NOTFOUND / another error. */
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int child);

/* Name of the node ("memory@80000000"); "" for the root. NULL on error. */
const char *fdt_name(const struct fdt *f, int node);

/* Property value of node, or NULL; *len gets its length in bytes. */
const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len);

/* 1 if node's "compatible" list contains compat, else 0. */
int fdt_compatible(const struct fdt *f, int node, const char *compat);

/* Read a big-endian cell group of ncells (1 or 2) 32-bit cells. */
uint64_t fdt_cells(const void *p, int ncells);

/* Entry i of the memory reservation block; FDT_ERR_NOTFOUND past the end. */
int fdt_memreserve(const struct fdt *f, int i, uint64_t *base, uint64_t *size);

const char *fdt_strerror(int err);

#endif
