/*
 * Reads the machine description the kernel needs out of a device tree, asking
 * libfdt. The blob is checked whole first (fdt_check_full), so a malformed one
 * is one clear error; then one pass over every node, with its parent's
 * #address-cells and #size-cells, decodes "reg" the same way wherever a
 * device sits.
 */
#include "devtree.h"

#include <libfdt.h>

/* Cells this reader decodes: reg values must fit 64 bits. */
#define MAX_ADDR_CELLS 2
#define MAX_SIZE_CELLS 2

struct cells {
	int ac, sc;	/* the parent's #address-cells and #size-cells */
};

struct walk {
	const void *fdt;
	struct devtree_info *out;
	int have_uart, have_plic, have_finisher;
};

/* A number of ncells (0, 1 or 2) big-endian cells at p; 0 cells read nothing. */
static uint64_t read_cells(const fdt32_t *p, int ncells)
{
	uint64_t v = 0;

	for (int i = 0; i < ncells; i++)
		v = v << 32 | fdt32_ld(p + i);
	return v;
}

/* 1 if node's string property name is exactly value. */
static int prop_is(const void *fdt, int node, const char *name, const char *value)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);
	size_t n = strlen(value) + 1;

	return p && (size_t)len == n && memcmp(p, value, n) == 0;
}

static int compatible(const void *fdt, int node, const char *compat)
{
	return fdt_node_check_compatible(fdt, node, compat) == 0;
}

/* One of the cells a node gives its children: dflt if absent (the spec's
 * defaults, 2 and 1), -1 if it is not a value this reader can decode. */
static int cells_prop(const void *fdt, int node, const char *name, int dflt, int min, int max)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	uint32_t v;

	if (!p)
		return dflt;
	v = len == 4 ? fdt32_ld(p) : UINT32_MAX;
	return v >= (uint32_t)min && v <= (uint32_t)max ? (int)v : -1;
}

/* The cells node gives its children; a bad one is an error only if a child
 * has a "reg". */
static struct cells child_cells(const void *fdt, int node)
{
	struct cells c = {
		cells_prop(fdt, node, "#address-cells", 2, 1, MAX_ADDR_CELLS),
		cells_prop(fdt, node, "#size-cells", 1, 0, MAX_SIZE_CELLS),
	};

	if (c.ac < 0 || c.sc < 0)
		c.ac = c.sc = -1;
	return c;
}

/* Find node's "reg" (NULL if none) and count its (address, size) entries. */
static int reg_entries(const void *fdt, int node, struct cells c, const fdt32_t **reg,
		       int *count)
{
	int len;

	*reg = fdt_getprop(fdt, node, "reg", &len);
	*count = 0;
	if (!*reg)
		return 0;
	if (c.ac < 0 || len % (4 * (c.ac + c.sc)) != 0)
		return DT_ERR_BADREG;
	*count = len / (4 * (c.ac + c.sc));
	return 0;
}

/* Append every reg entry of node to ranges[*n..max); zero-sized ones are skipped. */
static int add_ranges(const void *fdt, int node, struct cells c, struct dt_range *ranges,
		      size_t *n, size_t max)
{
	const fdt32_t *reg;
	int count, err = reg_entries(fdt, node, c, &reg, &count);

	for (int i = 0; !err && i < count; i++) {
		const fdt32_t *e = reg + (c.ac + c.sc) * i;
		uint64_t size = read_cells(e + c.ac, c.sc);

		if (size == 0)
			continue;
		if (*n == max)
			return DT_ERR_TOOMANY;
		ranges[*n].base = read_cells(e, c.ac);
		ranges[*n].size = size;
		(*n)++;
	}
	return err;
}

/* Fill dev from node's first reg entry and first interrupt. */
static int read_device(const void *fdt, int node, struct cells c, struct dt_device *dev)
{
	const fdt32_t *reg, *irq;
	int count, len, err = reg_entries(fdt, node, c, &reg, &count);

	if (err)
		return err;
	if (count == 0)
		return DT_ERR_BADREG;
	dev->base = read_cells(reg, c.ac);
	dev->size = read_cells(reg + c.ac, c.sc);
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	dev->irq = irq && len >= 4 ? fdt32_ld(irq) : 0;
	return 0;
}

static int visit_plic(struct walk *w, int node, struct cells c)
{
	int len;
	const fdt32_t *ndev = fdt_getprop(w->fdt, node, "riscv,ndev", &len);

	w->have_plic = 1;
	w->out->plic_ndev = ndev && len == 4 ? fdt32_ld(ndev) : 0;
	return read_device(w->fdt, node, c, &w->out->plic);
}

/* The first console, interrupt controller and finisher; every virtio slot. */
static int visit_devices(struct walk *w, int node, struct cells c)
{
	const void *fdt = w->fdt;
	struct devtree_info *out = w->out;

	if (!w->have_uart && compatible(fdt, node, "ns16550a")) {
		w->have_uart = 1;
		return read_device(fdt, node, c, &out->uart);
	}
	if (!w->have_plic && (compatible(fdt, node, "riscv,plic0") ||
			      compatible(fdt, node, "sifive,plic-1.0.0")))
		return visit_plic(w, node, c);
	if (!w->have_finisher && compatible(fdt, node, "sifive,test0")) {
		w->have_finisher = 1;
		return read_device(fdt, node, c, &out->finisher);
	}
	if (compatible(fdt, node, "virtio,mmio")) {
		if (out->nvirtio == DT_MAX_VIRTIO)
			return DT_ERR_TOOMANY;
		return read_device(fdt, node, c, &out->virtio[out->nvirtio++]);
	}
	return 0;
}

static int visit(struct walk *w, int node, struct cells c)
{
	if (prop_is(w->fdt, node, "device_type", "memory")) {
		int err = add_ranges(w->fdt, node, c, w->out->mem, &w->out->nmem, DT_MAX_MEM);

		if (err)
			return err;
	}
	return visit_devices(w, node, c);
}

/* Every node in blob order; parent[d] holds the cells for nodes at depth d.
 * fdt_next_node ends with the depth below 0 (past the root) or an error. */
static int walk_tree(struct walk *w)
{
	struct cells parent[DT_MAX_DEPTH + 1];
	int depth = 0, node, err;

	parent[0] = (struct cells){ 2, 1 };	/* the root has no parent: the defaults */
	for (node = 0; node >= 0 && depth >= 0; node = fdt_next_node(w->fdt, node, &depth)) {
		if (depth > DT_MAX_DEPTH)
			return DT_ERR_DEEP;
		err = visit(w, node, parent[depth]);
		if (err)
			return err;
		if (depth < DT_MAX_DEPTH)
			parent[depth + 1] = child_cells(w->fdt, node);
	}
	return node < 0 && node != -FDT_ERR_NOTFOUND ? node : 0;
}

/* /reserved-memory's children, then the memory reservation block. */
static int read_reserved(const void *fdt, struct devtree_info *out)
{
	int node = fdt_path_offset(fdt, "/reserved-memory");
	int child, err;

	if (node >= 0) {
		struct cells c = child_cells(fdt, node);

		fdt_for_each_subnode(child, fdt, node) {
			err = add_ranges(fdt, child, c, out->reserved, &out->nreserved,
					 DT_MAX_RESERVED);
			if (err)
				return err;
		}
	}
	/* Never negative here: check_blob's fdt_check_full already refused a
	 * block with no all-zero entry before the blob's end (-FDT_ERR_TRUNCATED,
	 * test_devtree.c's test_unterminated_rsvmap). */
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		if (out->nreserved == DT_MAX_RESERVED)
			return DT_ERR_TOOMANY;
		fdt_get_mem_rsv(fdt, i, &out->reserved[out->nreserved].base,
				&out->reserved[out->nreserved].size);
		out->nreserved++;
	}
	return 0;
}

/* A 4- or 8-byte number property; *val is left alone if it is absent. */
static int read_number(const void *fdt, int node, const char *name, uint64_t *val, int bad)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 4 && len != 8)
		return bad;
	*val = read_cells(p, len / 4);
	return 0;
}

static int read_bootargs(const void *fdt, int chosen, struct devtree_info *out)
{
	int len;
	const char *args = fdt_getprop(fdt, chosen, "bootargs", &len);

	if (!args)
		return 0;
	/* The kernel parses it as a C string, so it must end inside the property. */
	if (len == 0 || args[len - 1] != 0)
		return -FDT_ERR_BADVALUE;
	out->bootargs = args;
	out->bootargs_len = strlen(args);
	return 0;
}

static int read_chosen(const void *fdt, struct devtree_info *out)
{
	int node = fdt_path_offset(fdt, "/chosen");
	int err;

	if (node < 0)
		return 0;
	err = read_bootargs(fdt, node, out);
	if (!err)
		err = read_number(fdt, node, "linux,initrd-start", &out->initrd_start, DT_ERR_BADREG);
	if (!err)
		err = read_number(fdt, node, "linux,initrd-end", &out->initrd_end, DT_ERR_BADREG);
	/* Both or neither: a range with one end missing is not a range. */
	if (!err && (out->initrd_end < out->initrd_start ||
		     (out->initrd_start == 0) != (out->initrd_end == 0)))
		err = DT_ERR_BADREG;
	return err;
}

/* timebase-frequency lives in /cpus, or on older trees in each cpu node. */
static int read_timebase(const void *fdt, struct devtree_info *out)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int err;

	if (cpus < 0)
		return DT_ERR_NOTIMER;
	err = read_number(fdt, cpus, "timebase-frequency", &out->timebase_hz, DT_ERR_NOTIMER);
	if (!err && out->timebase_hz == 0) {
		int cpu = fdt_first_subnode(fdt, cpus);

		if (cpu >= 0)
			err = read_number(fdt, cpu, "timebase-frequency", &out->timebase_hz,
					  DT_ERR_NOTIMER);
	}
	if (!err && out->timebase_hz == 0)
		err = DT_ERR_NOTIMER;
	return err;
}

/*
 * libfdt 1.6.1's fdt_next_tag adds a property's length to an int offset
 * before checking it: a length near 4 GiB wraps the offset back to where it
 * was, and fdt_check_full then loops for ever (dtc 1.7.0 checks first). So
 * every property must end inside the blob before libfdt walks the tokens;
 * any other damage is left to fdt_check_full to name.
 */
static int check_prop_lengths(const void *fdt)
{
	uint64_t limit = fdt_totalsize(fdt) - (uint64_t)fdt_off_dt_struct(fdt);
	int offset = 0, next;
	uint32_t tag;

	do {
		const fdt32_t *p = fdt_offset_ptr(fdt, offset, 8);

		if (p && fdt32_ld(p) == FDT_PROP &&
		    (uint64_t)offset + sizeof(struct fdt_property) + fdt32_ld(p + 1) > limit)
			return -FDT_ERR_TRUNCATED;
		tag = fdt_next_tag(fdt, offset, &next);
		offset = next;
	} while (tag != FDT_END && next >= 0);
	return 0;
}

/* The header first (so totalsize can be trusted), then every block and token. */
static int check_blob(const void *blob, size_t max_size, struct devtree_info *out)
{
	int err;

	if (max_size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	err = fdt_check_header(blob);
	if (err)
		return err;
	/* Before version 16 libfdt names nodes by path, and fdt_check_full
	 * then reads a root without '/' through the NULL fdt_get_name gives
	 * it. Version 16 (2008) and 17 are what dtc and QEMU write. */
	if (fdt_version(blob) < 16)
		return -FDT_ERR_BADVERSION;
	/* libfdt checks the blob's own alignment, not its blocks', yet reads
	 * a reservation entry as an 8-byte struct and a token as a 4-byte
	 * word in place: misaligned loads (a trap where they are not
	 * emulated). The spec aligns them so; a blob that does not is
	 * refused. */
	if (fdt_off_mem_rsvmap(blob) % 8 != 0 || fdt_off_dt_struct(blob) % 4 != 0)
		return DT_ERR_MISALIGNED;
	if (fdt_totalsize(blob) > max_size)
		return DT_ERR_TOOBIG;
	out->size = fdt_totalsize(blob);
	err = check_prop_lengths(blob);
	return err ? err : fdt_check_full(blob, out->size);
}

static void clear_device(struct dt_device *dev)
{
	dev->base = dev->size = 0;
	dev->irq = 0;
}

/* Field by field: a struct copy could need memcpy, which the kernel may lack. */
static void clear_info(struct devtree_info *out)
{
	out->size = 0;
	out->nmem = out->nreserved = out->nvirtio = 0;
	out->bootargs = NULL;
	out->bootargs_len = 0;
	out->initrd_start = out->initrd_end = 0;
	out->timebase_hz = 0;
	out->plic_ndev = 0;
	clear_device(&out->uart);
	clear_device(&out->plic);
	clear_device(&out->finisher);
}

int devtree_read(const void *blob, size_t max_size, struct devtree_info *out)
{
	struct walk w = { blob, out, 0, 0, 0 };
	int err;

	clear_info(out);
	err = check_blob(blob, max_size, out);
	if (!err)
		err = walk_tree(&w);
	if (!err)
		err = read_reserved(blob, out);
	if (!err)
		err = read_chosen(blob, out);
	if (!err)
		err = read_timebase(blob, out);
	if (!err && out->nmem == 0)
		err = DT_ERR_NOMEM;
	return err;
}

/* libfdt's own strings are only its macro names: say what they mean too. */
static const char *fdt_meaning(int err)
{
	switch (err) {
	case -FDT_ERR_BADMAGIC: return "not a device tree: bad magic number (FDT_ERR_BADMAGIC)";
	case -FDT_ERR_BADVERSION: return "device tree version not supported (FDT_ERR_BADVERSION)";
	case -FDT_ERR_TRUNCATED:
		return "device tree cut short: a block, name or property runs past its end "
		       "(FDT_ERR_TRUNCATED)";
	case -FDT_ERR_BADSTRUCTURE:
		return "malformed device tree structure block (FDT_ERR_BADSTRUCTURE)";
	case -FDT_ERR_BADLAYOUT: return "device tree blocks out of place (FDT_ERR_BADLAYOUT)";
	case -FDT_ERR_BADOFFSET:
		return "a device tree offset points outside its block (FDT_ERR_BADOFFSET)";
	case -FDT_ERR_BADVALUE:
		return "a device tree property value is malformed (FDT_ERR_BADVALUE)";
	case -FDT_ERR_ALIGNMENT: return "device tree not 8-byte aligned (FDT_ERR_ALIGNMENT)";
	default: return NULL;
	}
}

const char *devtree_strerror(int err)
{
	switch (err) {
	case DT_ERR_NOMEM: return "no usable memory node in the device tree";
	case DT_ERR_NOTIMER: return "no timebase-frequency in /cpus";
	case DT_ERR_BADREG: return "a reg or initrd property has the wrong size";
	case DT_ERR_TOOMANY: return "more device tree entries than the kernel can hold";
	case DT_ERR_TOOBIG: return "device tree larger than allowed";
	case DT_ERR_DEEP: return "device tree nodes nested too deep";
	case DT_ERR_MISALIGNED:
		return "device tree blocks not aligned (the reservation block to 8 bytes, the "
		       "structure block to 4)";
	default: return fdt_meaning(err) ? fdt_meaning(err) : fdt_strerror(err);
	}
}
