/*
 * Reads the machine description the kernel needs out of a device tree.
 * One recursive walk visits every node with its parent's #address-cells and
 * #size-cells, so "reg" is decoded the same way wherever a device sits.
 */
#include "devtree.h"
#include "fdt.h"

#define DT_MAX_DEPTH 16
#define DT_DEFAULT_CELLS 2	/* used when a bus gives no #address-cells/#size-cells */

struct walk {
	const struct fdt *f;
	struct devtree_info *out;
	int have_uart, have_plic, have_finisher;
};

/* 1 if node has string property name equal to value. */
static int prop_is(const struct fdt *f, int node, const char *name, const char *value)
{
	uint32_t len, i;
	const char *p = fdt_prop(f, node, name, &len);

	if (!p)
		return 0;
	for (i = 0; i < len && value[i] && p[i] == value[i]; i++)
		;
	return value[i] == 0 && i < len && p[i] == 0;
}

/* The #address-cells or #size-cells a node gives its children. */
static int child_cells(const struct fdt *f, int node, const char *name)
{
	uint32_t len;
	const void *p = fdt_prop(f, node, name, &len);

	if (!p || len != 4)
		return DT_DEFAULT_CELLS;
	return fdt_cells(p, 1) > 2 ? -1 : (int)fdt_cells(p, 1);
}

/* Find node's "reg" and count its (address, size) entries. */
static int reg_entries(const struct fdt *f, int node, int ac, int sc,
		       const uint8_t **reg, uint32_t *count)
{
	uint32_t len, entry;

	if (ac < 1 || sc < 0)
		return DT_ERR_BADREG;
	entry = 4u * (uint32_t)(ac + sc);
	*reg = fdt_prop(f, node, "reg", &len);
	if (!*reg) {
		*count = 0;
		return 0;
	}
	if (len % entry != 0)
		return DT_ERR_BADREG;
	*count = len / entry;
	return 0;
}

/* Append every reg entry of node to ranges[*n..max); zero-sized ones are skipped. */
static int add_ranges(const struct fdt *f, int node, int ac, int sc,
		      struct dt_range *ranges, size_t *n, size_t max)
{
	const uint8_t *reg;
	uint32_t count, i;
	int err = reg_entries(f, node, ac, sc, &reg, &count);

	if (err)
		return err;
	for (i = 0; i < count; i++) {
		const uint8_t *e = reg + 4u * (uint32_t)(ac + sc) * i;
		uint64_t size = fdt_cells(e + 4 * ac, sc);

		if (size == 0)
			continue;
		if (*n == max)
			return DT_ERR_TOOMANY;
		ranges[*n].base = fdt_cells(e, ac);
		ranges[*n].size = size;
		(*n)++;
	}
	return 0;
}

/* Fill dev from node's first reg entry and first interrupt. */
static int read_device(const struct fdt *f, int node, int ac, int sc, struct dt_device *dev)
{
	const uint8_t *reg;
	uint32_t count, len;
	const void *irq;
	int err = reg_entries(f, node, ac, sc, &reg, &count);

	if (err)
		return err;
	if (count == 0)
		return DT_ERR_BADREG;
	dev->base = fdt_cells(reg, ac);
	dev->size = fdt_cells(reg + 4 * ac, sc);
	irq = fdt_prop(f, node, "interrupts", &len);
	dev->irq = irq && len >= 4 ? (uint32_t)fdt_cells(irq, 1) : 0;
	return 0;
}

static int visit_devices(struct walk *w, int node, int ac, int sc)
{
	const struct fdt *f = w->f;
	struct devtree_info *out = w->out;

	if (!w->have_uart && fdt_compatible(f, node, "ns16550a")) {
		w->have_uart = 1;
		return read_device(f, node, ac, sc, &out->uart);
	}
	if (!w->have_plic && (fdt_compatible(f, node, "riscv,plic0") ||
			      fdt_compatible(f, node, "sifive,plic-1.0.0"))) {
		uint32_t len;
		const void *ndev = fdt_prop(f, node, "riscv,ndev", &len);

		w->have_plic = 1;
		out->plic_ndev = ndev && len == 4 ? (uint32_t)fdt_cells(ndev, 1) : 0;
		return read_device(f, node, ac, sc, &out->plic);
	}
	if (!w->have_finisher && fdt_compatible(f, node, "sifive,test0")) {
		w->have_finisher = 1;
		return read_device(f, node, ac, sc, &out->finisher);
	}
	if (fdt_compatible(f, node, "virtio,mmio")) {
		if (out->nvirtio == DT_MAX_VIRTIO)
			return DT_ERR_TOOMANY;
		return read_device(f, node, ac, sc, &out->virtio[out->nvirtio++]);
	}
	return 0;
}

/* Visit node (whose parent has cells ac/sc) and everything below it. */
static int walk_tree(struct walk *w, int node, int depth, int ac, int sc)
{
	int child, child_ac, child_sc, err;

	if (depth > DT_MAX_DEPTH)
		return FDT_ERR_BADSTRUCT;
	if (prop_is(w->f, node, "device_type", "memory")) {
		err = add_ranges(w->f, node, ac, sc, w->out->mem, &w->out->nmem, DT_MAX_MEM);
		if (err)
			return err;
	}
	err = visit_devices(w, node, ac, sc);
	if (err)
		return err;
	child_ac = child_cells(w->f, node, "#address-cells");
	child_sc = child_cells(w->f, node, "#size-cells");
	for (child = fdt_first_child(w->f, node); child >= 0;
	     child = fdt_next_sibling(w->f, child)) {
		err = walk_tree(w, child, depth + 1, child_ac, child_sc);
		if (err)
			return err;
	}
	return child == FDT_ERR_NOTFOUND ? 0 : child;
}

static int read_reserved(const struct fdt *f, struct devtree_info *out)
{
	int node = fdt_path(f, "/reserved-memory");
	uint64_t base, size;
	int i, err;

	if (node >= 0) {
		int ac = child_cells(f, node, "#address-cells");
		int sc = child_cells(f, node, "#size-cells");

		for (int c = fdt_first_child(f, node); c >= 0; c = fdt_next_sibling(f, c)) {
			err = add_ranges(f, c, ac, sc, out->reserved, &out->nreserved,
					 DT_MAX_RESERVED);
			if (err)
				return err;
		}
	}
	for (i = 0; (err = fdt_memreserve(f, i, &base, &size)) == 0; i++) {
		if (out->nreserved == DT_MAX_RESERVED)
			return DT_ERR_TOOMANY;
		out->reserved[out->nreserved].base = base;
		out->reserved[out->nreserved].size = size;
		out->nreserved++;
	}
	return err == FDT_ERR_NOTFOUND ? 0 : err;
}

/* A 4- or 8-byte number property; *val is left alone if it is absent. */
static int read_number(const struct fdt *f, int node, const char *name, uint64_t *val,
		       int bad)
{
	uint32_t len;
	const void *p = fdt_prop(f, node, name, &len);

	if (!p)
		return 0;
	if (len != 4 && len != 8)
		return bad;
	*val = fdt_cells(p, (int)(len / 4));
	return 0;
}

static int read_chosen(const struct fdt *f, struct devtree_info *out)
{
	int node = fdt_path(f, "/chosen");
	uint32_t len, i;
	const char *args;
	int err;

	if (node < 0)
		return 0;
	args = fdt_prop(f, node, "bootargs", &len);
	if (args) {
		/* The kernel parses it as a C string, so it must end inside the property. */
		if (len == 0 || args[len - 1] != 0)
			return FDT_ERR_BADSTRUCT;
		for (i = 0; args[i]; i++)
			;
		out->bootargs = args;
		out->bootargs_len = i;
	}
	err = read_number(f, node, "linux,initrd-start", &out->initrd_start, DT_ERR_BADREG);
	if (!err)
		err = read_number(f, node, "linux,initrd-end", &out->initrd_end, DT_ERR_BADREG);
	/* Both or neither: a range with one end missing is not a range. */
	if (!err && (out->initrd_end < out->initrd_start ||
		     (out->initrd_start == 0) != (out->initrd_end == 0)))
		err = DT_ERR_BADREG;
	return err;
}

/* timebase-frequency lives in /cpus, or on older trees in each cpu node. */
static int read_timebase(const struct fdt *f, struct devtree_info *out)
{
	int cpus = fdt_path(f, "/cpus");
	int err;

	if (cpus < 0)
		return DT_ERR_NOTIMER;
	err = read_number(f, cpus, "timebase-frequency", &out->timebase_hz, DT_ERR_NOTIMER);
	if (!err && out->timebase_hz == 0) {
		int cpu = fdt_first_child(f, cpus);

		if (cpu >= 0)
			err = read_number(f, cpu, "timebase-frequency", &out->timebase_hz,
					  DT_ERR_NOTIMER);
	}
	if (!err && out->timebase_hz == 0)
		err = DT_ERR_NOTIMER;
	return err;
}

static void clear_device(struct dt_device *dev)
{
	dev->base = dev->size = 0;
	dev->irq = 0;
}

/* Field by field: a struct copy could need memcpy, which the kernel may lack. */
static void clear_info(struct devtree_info *out)
{
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
	struct fdt f;
	struct walk w = { &f, out, 0, 0, 0 };
	int err;

	clear_info(out);
	err = fdt_open(&f, blob, max_size);
	if (!err)
		err = walk_tree(&w, 0, 0, DT_DEFAULT_CELLS, DT_DEFAULT_CELLS);
	if (!err)
		err = read_reserved(&f, out);
	if (!err)
		err = read_chosen(&f, out);
	if (!err)
		err = read_timebase(&f, out);
	if (!err && out->nmem == 0)
		err = DT_ERR_NOMEM;
	return err;
}

const char *devtree_strerror(int err)
{
	switch (err) {
	case DT_ERR_NOMEM: return "no usable memory node in the device tree";
	case DT_ERR_NOTIMER: return "no timebase-frequency in /cpus";
	case DT_ERR_BADREG: return "a reg or initrd property has the wrong size";
	case DT_ERR_TOOMANY: return "more device tree entries than the kernel can hold";
	default: return fdt_strerror(err);
	}
}
