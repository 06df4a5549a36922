/*
 * Host tests for lib/fdt.c and lib/devtree.c on the device tree QEMU's virt
 * machine dumps (built by meson), and on damaged copies of it. Arguments:
 * the .dtb path, the -append text QEMU was given, and the initrd size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devtree.h"
#include "fdt.h"

static const char *dtb_path, *expected_bootargs;
static uint64_t expected_initrd_size;
static uint8_t *dtb;		/* the dumped file */
static size_t dtb_file_size;
static uint32_t dtb_size;	/* its header's totalsize */

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int load_dtb(void **state)
{
	FILE *f = fopen(dtb_path, "rb");

	(void)state;
	if (!f)
		return -1;
	dtb = malloc(1 << 21);
	dtb_file_size = fread(dtb, 1, 1 << 21, f);
	fclose(f);
	if (dtb_file_size < 40)
		return -1;
	dtb_size = get_be32(dtb + 4);
	return 0;
}

static int free_dtb(void **state)
{
	(void)state;
	free(dtb);
	return 0;
}

/* A heap copy of the blob's totalsize bytes, so ASan sees reads past it. */
static uint8_t *copy_dtb(void)
{
	uint8_t *c = malloc(dtb_size);

	memcpy(c, dtb, dtb_size);
	return c;
}

/* Where in blob c the value of property name of the node at path starts. */
static uint8_t *prop_value(uint8_t *c, const char *path, const char *name)
{
	struct fdt f;
	uint32_t len;
	const void *v;

	assert_int_equal(fdt_open(&f, c, dtb_size), 0);
	v = fdt_prop(&f, fdt_path(&f, path), name, &len);
	assert_non_null(v);
	return c + ((const uint8_t *)v - c);
}

/* fdt_open alone on c: it must catch structural damage by itself. */
static int open_only(const uint8_t *c)
{
	struct fdt f;

	return fdt_open(&f, c, dtb_size);
}

/* Run devtree_read on c (totalsize bytes), free it, return the result. */
static int read_copy(uint8_t *c, size_t size)
{
	struct devtree_info info;
	int err = devtree_read(c, size, &info);

	free(c);
	return err;
}

static void test_qemu_virt(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(devtree_read(dtb, dtb_file_size, &d), 0);
	assert_int_equal(d.nmem, 1);
	assert_int_equal(d.mem[0].base, 0x80000000u);
	assert_int_equal(d.mem[0].size, 128u << 20);
	assert_int_equal(d.nreserved, 0);
	assert_non_null(d.bootargs);
	assert_int_equal(d.bootargs_len, strlen(expected_bootargs));
	assert_string_equal(d.bootargs, expected_bootargs);
	assert_int_equal(d.initrd_end - d.initrd_start, expected_initrd_size);
	assert_true(d.initrd_start >= d.mem[0].base);
	assert_true(d.initrd_end <= d.mem[0].base + d.mem[0].size);
	assert_int_equal(d.timebase_hz, 10000000);
	assert_int_equal(d.uart.base, 0x10000000);
	assert_int_equal(d.uart.size, 0x100);
	assert_int_equal(d.uart.irq, 10);
	assert_int_equal(d.plic.base, 0xc000000);
	assert_int_equal(d.plic_ndev, 96);	/* QEMU 7.2 virt: 0x60 sources */
	assert_int_equal(d.plic.irq, 0);	/* it has interrupts-extended only */
	assert_int_equal(d.finisher.base, 0x100000);
	assert_int_equal(d.finisher.size, 0x1000);
	assert_int_equal(d.nvirtio, 8);
	for (uint32_t slot = 1; slot <= 8; slot++) {
		int found = 0;

		for (size_t i = 0; i < d.nvirtio; i++)
			if (d.virtio[i].base == 0x10000000u + 0x1000u * slot) {
				assert_int_equal(d.virtio[i].irq, slot);
				assert_int_equal(d.virtio[i].size, 0x1000);
				found++;
			}
		assert_int_equal(found, 1);
	}
}

/* The virtio slots come back in the order of the blob's /soc children. */
static void test_virtio_blob_order(void **state)
{
	struct devtree_info d;
	struct fdt f;
	size_t i = 0;

	(void)state;
	assert_int_equal(devtree_read(dtb, dtb_file_size, &d), 0);
	assert_int_equal(fdt_open(&f, dtb, dtb_file_size), 0);
	for (int n = fdt_first_child(&f, fdt_path(&f, "/soc")); n >= 0; n = fdt_next_sibling(&f, n)) {
		if (!fdt_compatible(&f, n, "virtio,mmio"))
			continue;
		assert_true(i < d.nvirtio);
		assert_int_equal(strtoull(strchr(fdt_name(&f, n), '@') + 1, NULL, 16),
				 d.virtio[i].base);
		i++;
	}
	assert_int_equal(i, 8);
}

static void test_fdt_lookups(void **state)
{
	struct fdt f;
	uint32_t len;
	uint64_t base, size;
	int soc, serial, cpu;

	(void)state;
	assert_int_equal(fdt_open(&f, dtb, dtb_file_size), 0);
	assert_int_equal(f.size, dtb_size);
	assert_int_equal(fdt_path(&f, "/"), 0);
	assert_string_equal(fdt_name(&f, 0), "");
	soc = fdt_path(&f, "/soc");
	assert_true(soc > 0);
	serial = fdt_path(&f, "/soc/serial");
	assert_true(serial > soc);
	assert_string_equal(fdt_name(&f, serial), "serial@10000000");
	assert_int_equal(fdt_path(&f, "/soc/serial@10000000/"), serial);
	assert_int_equal(fdt_path(&f, "/soc/serial@1000000"), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path(&f, "/soc/seria"), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path(&f, "/nope"), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path(&f, "soc"), FDT_ERR_NOTFOUND);
	assert_true(fdt_compatible(&f, fdt_path(&f, "/soc/plic"), "riscv,plic0"));
	assert_true(fdt_compatible(&f, fdt_path(&f, "/soc/plic"), "sifive,plic-1.0.0"));
	assert_false(fdt_compatible(&f, fdt_path(&f, "/soc/plic"), "riscv,plic"));
	assert_false(fdt_compatible(&f, fdt_path(&f, "/soc/plic"), "riscv,plic00"));
	assert_non_null(fdt_prop(&f, fdt_path(&f, "/chosen"), "bootargs", &len));
	assert_int_equal(len, strlen(expected_bootargs) + 1);
	assert_null(fdt_prop(&f, fdt_path(&f, "/chosen"), "nothing", &len));
	assert_non_null(fdt_prop(&f, soc, "ranges", &len));	/* empty, but present */
	assert_int_equal(len, 0);
	cpu = fdt_first_child(&f, fdt_path(&f, "/cpus"));
	assert_string_equal(fdt_name(&f, cpu), "cpu@0");
	assert_string_equal(fdt_name(&f, fdt_next_sibling(&f, cpu)), "cpu-map");
	assert_int_equal(fdt_next_sibling(&f, fdt_next_sibling(&f, cpu)), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_first_child(&f, serial), FDT_ERR_NOTFOUND);
	assert_null(fdt_name(&f, 4));	/* not a node */
	assert_int_equal(fdt_memreserve(&f, 0, &base, &size), FDT_ERR_NOTFOUND);
}

static void test_bad_header(void **state)
{
	uint8_t *c;

	(void)state;
	c = copy_dtb();
	c[0] ^= 0xff;
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_MAGIC);
	c = copy_dtb();
	set_be32(c + 20, 15);	/* version */
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_VERSION);
	c = copy_dtb();
	set_be32(c + 4, dtb_size + 1);	/* totalsize beyond the buffer */
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_TOOBIG);
	c = copy_dtb();
	set_be32(c + 4, 0xffffffffu);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_TOOBIG);
}

static void test_bad_offsets(void **state)
{
	/* Header field offset and a bad value for it. */
	static const struct { int field; uint32_t value; } bad[] = {
		{ 8, 0x7ffffff0u }, { 8, 0xfffffffcu }, { 8, 2 }, { 36, 0x7ffffff0u },
		{ 12, 0x7ffffff0u }, { 12, 0xffffffffu }, { 32, 0x7ffffff0u }, { 32, 0xffffffffu },
		{ 16, 0x7ffffff0u },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *c = copy_dtb();

		set_be32(c + bad[i].field, bad[i].value);
		assert_true(read_copy(c, dtb_size) < 0);
	}
}

static void test_truncated(void **state)
{
	(void)state;
	/* Cut short, with the header unchanged or claiming only what is left. */
	for (uint32_t len = 0; len < dtb_size; len++) {
		uint8_t *c = malloc(len ? len : 1);

		memcpy(c, dtb, len);
		assert_true(read_copy(c, len) < 0);
		if (len < 40)
			continue;
		c = malloc(len);
		memcpy(c, dtb, len);
		set_be32(c + 4, len);
		assert_true(read_copy(c, len) < 0);
	}
}

static void test_bad_properties(void **state)
{
	uint8_t *c, *v;

	(void)state;
	c = copy_dtb();	/* a property length running off the end */
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 8, 0x7fffff00u);
	assert_int_equal(open_only(c), FDT_ERR_TRUNCATED);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_TRUNCATED);
	c = copy_dtb();	/* one so long that the next offset would wrap around */
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 8, 0xfffffff4u);
	assert_int_equal(open_only(c), FDT_ERR_TRUNCATED);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_TRUNCATED);
	c = copy_dtb();	/* a property name outside the strings block */
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 4, 0x7fffff00u);
	assert_int_equal(open_only(c), FDT_ERR_BADSTRUCT);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_BADSTRUCT);
	c = copy_dtb();	/* bootargs without its NUL */
	v = prop_value(c, "/chosen", "bootargs");
	v[strlen(expected_bootargs)] = 'x';
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_BADSTRUCT);
	c = copy_dtb();	/* initrd-start named on the 32-byte rng-seed instead */
	v = prop_value(c, "/chosen", "linux,initrd-start");
	{
		uint8_t *seed = prop_value(c, "/chosen", "rng-seed");
		uint32_t name = get_be32(v - 4);

		set_be32(v - 4, get_be32(seed - 4));
		set_be32(seed - 4, name);
	}
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_BADREG);
	c = copy_dtb();	/* the root's cells no longer fit the memory reg */
	v = prop_value(c, "/", "#size-cells");
	set_be32(v, 1);
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_BADREG);
	c = copy_dtb();
	v = prop_value(c, "/", "#address-cells");
	set_be32(v, 3);
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_BADREG);
}

static void test_bad_tokens(void **state)
{
	struct fdt f;
	uint8_t *c;
	int node;

	(void)state;
	c = copy_dtb();	/* a garbage token in place of a node */
	assert_int_equal(fdt_open(&f, c, dtb_size), 0);
	node = fdt_path(&f, "/soc/serial");
	set_be32(c + f.off_struct + (uint32_t)node, 0x12345678u);
	assert_int_equal(open_only(c), FDT_ERR_BADSTRUCT);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_BADSTRUCT);
	c = copy_dtb();	/* an END_NODE turned into a NOP: the nesting never closes */
	assert_int_equal(fdt_open(&f, c, dtb_size), 0);
	set_be32(c + f.off_struct + f.size_struct - 8, 4);
	assert_int_equal(open_only(c), FDT_ERR_BADSTRUCT);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_BADSTRUCT);
	c = copy_dtb();	/* an extra END_NODE: the root closes early */
	set_be32(c + f.off_struct + (uint32_t)node, 2);
	assert_int_equal(open_only(c), FDT_ERR_BADSTRUCT);
	free(c);
	c = copy_dtb();	/* no FDT_END */
	set_be32(c + f.off_struct + f.size_struct - 4, 4);
	assert_int_equal(open_only(c), FDT_ERR_TRUNCATED);
	assert_int_equal(read_copy(c, dtb_size), FDT_ERR_TRUNCATED);
}

static void test_missing_parts(void **state)
{
	uint8_t *c, *v;

	(void)state;
	c = copy_dtb();	/* no node with device_type "memory" */
	v = prop_value(c, "/memory", "device_type");
	v[5] = 'x';
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_NOMEM);
	c = copy_dtb();	/* no timebase-frequency anywhere */
	v = prop_value(c, "/cpus", "timebase-frequency");
	{
		struct fdt f;

		assert_int_equal(fdt_open(&f, c, dtb_size), 0);
		c[f.off_strings + get_be32(v - 4)] = 'T';
	}
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_NOTIMER);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(devtree_strerror(FDT_ERR_MAGIC), fdt_strerror(FDT_ERR_MAGIC));
	for (int err = -1; err >= -30; err--)
		assert_true(strlen(devtree_strerror(err)) > 0);
	assert_string_not_equal(devtree_strerror(DT_ERR_NOMEM), devtree_strerror(DT_ERR_NOTIMER));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_virtio_blob_order),
		cmocka_unit_test(test_fdt_lookups),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_offsets),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_properties),
		cmocka_unit_test(test_bad_tokens),
		cmocka_unit_test(test_missing_parts),
		cmocka_unit_test(test_strerror),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: %s qemu-virt.dtb bootargs initrd-size\n", argv[0]);
		return 2;
	}
	dtb_path = argv[1];
	expected_bootargs = argv[2];
	expected_initrd_size = strtoull(argv[3], NULL, 0);
	return cmocka_run_group_tests_name("devtree", tests, load_dtb, free_dtb);
}
