/*
 * Host tests for lib/devtree.c (over libfdt) on the device tree QEMU's virt
 * machine dumps (built by meson), and on damaged copies of it: each damage
 * must be an error, never a misread. Arguments: the .dtb path, the -append
 * text QEMU was given, and the initrd size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "devtree.h"

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

/* Where in blob c the value of property name of the node at path starts
 * (its length is the 4 bytes 8 before, its name offset the 4 before). */
static uint8_t *prop_value(uint8_t *c, const char *path, const char *name)
{
	int len;
	void *v = fdt_getprop_w(c, fdt_path_offset(c, path), name, &len);

	assert_non_null(v);
	return v;
}

/* libfdt's whole-blob check alone on c: it must catch structural damage. */
static int check_only(const uint8_t *c)
{
	return fdt_check_full(c, dtb_size);
}

/* The struct block offset of the node at path in c. */
static uint32_t node_at(const uint8_t *c, const char *path)
{
	int node = fdt_path_offset(c, path);

	assert_true(node > 0);
	return fdt_off_dt_struct(c) + (uint32_t)node;
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
	assert_int_equal(d.size, dtb_size);
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
	size_t i = 0;
	int n;

	(void)state;
	assert_int_equal(devtree_read(dtb, dtb_file_size, &d), 0);
	fdt_for_each_subnode(n, dtb, fdt_path_offset(dtb, "/soc")) {
		if (fdt_node_check_compatible(dtb, n, "virtio,mmio") != 0)
			continue;
		assert_true(i < d.nvirtio);
		assert_int_equal(strtoull(strchr(fdt_get_name(dtb, n, NULL), '@') + 1, NULL, 16),
				 d.virtio[i].base);
		i++;
	}
	assert_int_equal(i, 8);
}

static void test_bad_header(void **state)
{
	uint8_t *c;

	(void)state;
	c = copy_dtb();
	c[0] ^= 0xff;
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADMAGIC);
	c = copy_dtb();
	set_be32(c + 20, 1);	/* version */
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADVERSION);
	c = copy_dtb();
	set_be32(c + 24, 18);	/* last_comp_version: one this reader is older than */
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADVERSION);
	c = copy_dtb();
	set_be32(c + 4, dtb_size + 1);	/* totalsize beyond the buffer */
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_TOOBIG);
	c = copy_dtb();
	set_be32(c + 4, 0xffffffffu);	/* beyond what libfdt takes at all */
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_TRUNCATED);
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
	/* Property lengths running off the end, one so long that the next
	 * offset would wrap around to the property itself: libfdt 1.6.1 alone
	 * overflows an int on both, and loops for ever on the second, so
	 * devtree_read checks them first (lib/devtree.c, check_prop_lengths). */
	c = copy_dtb();
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 8, 0x7fffff00u);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_TRUNCATED);
	c = copy_dtb();
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 8, 0xfffffff4u);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_TRUNCATED);
	c = copy_dtb();	/* past the structure block, not the blob: libfdt sees it */
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 8, fdt_size_dt_struct(c) - (uint32_t)(v - c - fdt_off_dt_struct(c)) + 4);
	assert_int_equal(check_only(c), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADSTRUCTURE);
	c = copy_dtb();	/* a property name outside the strings block */
	v = prop_value(c, "/chosen", "bootargs");
	set_be32(v - 4, 0x7fffff00u);
	assert_int_equal(check_only(c), -FDT_ERR_BADOFFSET);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADOFFSET);
	c = copy_dtb();	/* bootargs without its NUL */
	v = prop_value(c, "/chosen", "bootargs");
	v[strlen(expected_bootargs)] = 'x';
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADVALUE);
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
	c = copy_dtb();	/* 3-cell addresses: libfdt allows them, this reader not */
	v = prop_value(c, "/", "#address-cells");
	set_be32(v, 3);
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_BADREG);
}

static void test_bad_tokens(void **state)
{
	uint8_t *c;
	uint32_t serial, end;

	(void)state;
	c = copy_dtb();	/* a garbage token in place of a node */
	serial = node_at(c, "/soc/serial");
	end = fdt_off_dt_struct(c) + fdt_size_dt_struct(c);
	set_be32(c + serial, 0x12345678u);
	assert_int_equal(check_only(c), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADSTRUCTURE);
	c = copy_dtb();	/* the root's END_NODE turned into a NOP: it never closes */
	set_be32(c + end - 8, FDT_NOP);
	assert_int_equal(check_only(c), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADSTRUCTURE);
	c = copy_dtb();	/* an extra END_NODE: the root closes early */
	set_be32(c + serial, FDT_END_NODE);
	assert_int_equal(check_only(c), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADSTRUCTURE);
	c = copy_dtb();	/* no FDT_END */
	set_be32(c + end - 4, FDT_NOP);
	assert_int_equal(check_only(c), -FDT_ERR_BADSTRUCTURE);
	assert_int_equal(read_copy(c, dtb_size), -FDT_ERR_BADSTRUCTURE);
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
	c[fdt_off_dt_strings(c) + get_be32(v - 4)] = 'T';
	assert_int_equal(read_copy(c, dtb_size), DT_ERR_NOTIMER);
}

/* A memory reservation block with no all-zero entry before the blob's
 * end: libfdt cannot count it, so the reservations are unknown. It must be
 * an error, never all of them dropped without a word (read_reserved counts
 * on fdt_check_full for this). The block is moved to one nonzero entry
 * appended to the blob. */
static void test_unterminated_rsvmap(void **state)
{
	uint32_t at = (dtb_size + 7) & ~7u, size = at + 16;	/* entries are 8-aligned */
	uint8_t *c = calloc(1, size);

	(void)state;
	memcpy(c, dtb, dtb_size);
	memset(c + at, 0xff, 16);
	set_be32(c + 4, size);		/* totalsize */
	set_be32(c + 16, at);		/* off_mem_rsvmap */
	assert_int_equal(fdt_num_mem_rsv(c), -FDT_ERR_TRUNCATED);
	assert_int_equal(read_copy(c, size), -FDT_ERR_TRUNCATED);
}

/* Every error has words; libfdt's are named as libfdt names them too. */
static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(strstr(devtree_strerror(-FDT_ERR_BADMAGIC), "FDT_ERR_BADMAGIC"));
	assert_non_null(strstr(devtree_strerror(-FDT_ERR_TRUNCATED), "cut short"));
	for (int err = -1; err >= -30; err--)
		assert_true(strlen(devtree_strerror(err)) > 0);
	assert_string_not_equal(devtree_strerror(DT_ERR_NOMEM), devtree_strerror(DT_ERR_NOTIMER));
	assert_string_not_equal(devtree_strerror(DT_ERR_DEEP), devtree_strerror(DT_ERR_TOOBIG));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_virtio_blob_order),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_offsets),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_properties),
		cmocka_unit_test(test_bad_tokens),
		cmocka_unit_test(test_missing_parts),
		cmocka_unit_test(test_unterminated_rsvmap),
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
