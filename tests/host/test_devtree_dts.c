/*
 * Host tests for lib/devtree.c on small device trees compiled from
 * tests/host/dts/ by dtc: the cases QEMU's virt tree does not have (1-cell
 * buses, nested buses, reserved memory, the reservation block, 8-byte
 * values, too many entries, too deep, bad initrd and reg properties).
 * Arguments: the compiled .dtb files.
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

static char **dtb_paths;
static int ndtbs;

/* The fixture NAME.dtb, read into an 8-byte aligned heap buffer of exactly
 * its size (so ASan sees any read past it); *size gets the size. */
static uint8_t *load(const char *name, size_t *size)
{
	char want[64];
	size_t len = (size_t)snprintf(want, sizeof(want), "/%s.dtb", name);

	for (int i = 0; i < ndtbs; i++) {
		size_t plen = strlen(dtb_paths[i]);
		FILE *f;
		uint8_t *blob;

		if (plen < len || strcmp(dtb_paths[i] + plen - len, want) != 0)
			continue;
		f = fopen(dtb_paths[i], "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		*size = (size_t)ftell(f);
		rewind(f);
		blob = malloc(*size);
		assert_int_equal(fread(blob, 1, *size, f), *size);
		fclose(f);
		return blob;
	}
	fail_msg("fixture %s.dtb was not given", name);
	return NULL;
}

/* devtree_read on fixture name; d gets what it read. */
static int read_fixture(const char *name, struct devtree_info *d)
{
	size_t size;
	uint8_t *blob = load(name, &size);
	int err = devtree_read(blob, size, d);

	free(blob);
	return err;
}

static void test_full_machine(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(read_fixture("full", &d), 0);
	assert_int_equal(d.nmem, 3);	/* the zero-sized entry is skipped */
	assert_int_equal(d.mem[0].base, 0x80000000u);
	assert_int_equal(d.mem[0].size, 0x100000u);
	assert_int_equal(d.mem[1].base, 0x90000000u);
	assert_int_equal(d.mem[2].base, 0xb0000000u);
	assert_int_equal(d.mem[2].size, 0x2000u);
	assert_int_equal(d.nreserved, 3);
	assert_int_equal(d.reserved[0].base, 0x80000000u);
	assert_int_equal(d.reserved[0].size, 0x40000u);
	assert_int_equal(d.reserved[1].base, 0x80100000u);
	assert_int_equal(d.reserved[1].size, 0x2000u);
	assert_int_equal(d.reserved[2].base, 0x123456789ull);
	assert_int_equal(d.reserved[2].size, 0x10);
	assert_null(d.bootargs);
	assert_int_equal(d.initrd_start, 0x100001000ull);
	assert_int_equal(d.initrd_end, 0x100003000ull);
	assert_int_equal(d.timebase_hz, 1000000);
	assert_int_equal(d.uart.base, 0x20000);
	assert_int_equal(d.uart.size, 0x100);
	assert_int_equal(d.uart.irq, 5);
	assert_int_equal(d.nvirtio, 1);
	assert_int_equal(d.virtio[0].base, 0x40000);	/* the first reg entry */
	assert_int_equal(d.virtio[0].size, 0x200);
	assert_int_equal(d.virtio[0].irq, 0);
	assert_int_equal(d.finisher.base, 0x100000000ull);
	assert_int_equal(d.finisher.size, 0x1000);
	assert_int_equal(d.plic.base, 0);	/* none */
}

static void test_timebase_in_cpu(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(read_fixture("cpu-timebase", &d), 0);
	assert_int_equal(d.nmem, 1);
	assert_int_equal(d.mem[0].base, 0x80000000u);
	assert_int_equal(d.mem[0].size, 0x1000u);
	assert_int_equal(d.timebase_hz, 12345);
	assert_non_null(d.bootargs);
	assert_int_equal(d.bootargs_len, 0);
}

static void test_no_size_cells(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(read_fixture("size-cells-0", &d), 0);
	assert_int_equal(d.uart.base, 0x20000);
	assert_int_equal(d.uart.size, 0);
}

static void test_too_many(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(read_fixture("virtio-8", &d), 0);
	assert_int_equal(d.nvirtio, DT_MAX_VIRTIO);
	assert_int_equal(d.virtio[7].base, 0x7000);
	assert_int_equal(d.virtio[7].irq, 8);
	assert_int_equal(read_fixture("virtio-9", &d), DT_ERR_TOOMANY);
	assert_int_equal(read_fixture("memory-5", &d), DT_ERR_TOOMANY);
	assert_int_equal(read_fixture("memreserve-4", &d), 0);
	assert_int_equal(d.nreserved, 4);
	assert_int_equal(d.reserved[3].base, 0x4000);
}

static void test_depth(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(read_fixture("deep-16", &d), 0);
	assert_int_equal(read_fixture("deep-17", &d), DT_ERR_DEEP);
}

static void test_bad_initrd(void **state)
{
	static const char *const bad[] = {
		"initrd-no-end", "initrd-no-start", "initrd-backwards",
		"initrd-start-12", "initrd-end-12",
	};
	struct devtree_info d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(read_fixture(bad[i], &d), DT_ERR_BADREG);
}

static void test_bad_reg(void **state)
{
	struct devtree_info d;

	(void)state;
	assert_int_equal(read_fixture("serial-no-reg", &d), DT_ERR_BADREG);
	assert_int_equal(read_fixture("reserved-bad-reg", &d), DT_ERR_BADREG);
}

/* The reservation block moved to 8 bytes before the end: half an entry. */
static void test_memreserve_overrun(void **state)
{
	struct devtree_info d;
	size_t size;
	uint8_t *blob = load("minimal", &size);

	(void)state;
	fdt_set_off_mem_rsvmap(blob, (uint32_t)size - 8);
	assert_true(devtree_read(blob, size, &d) < 0);
	free(blob);
}

/* dtc -V 16: no size_dt_struct in the header. */
static void test_version16(void **state)
{
	struct devtree_info d;
	size_t size;
	uint8_t *blob = load("minimal-v16", &size);

	(void)state;
	assert_int_equal(fdt_version(blob), 16);
	assert_int_equal(devtree_read(blob, size, &d), 0);
	assert_int_equal(d.timebase_hz, 1000000);
	free(blob);
}

/* The last string of the strings block loses its NUL. */
static void test_unterminated_string(void **state)
{
	struct devtree_info d;
	size_t size;
	uint8_t *blob = load("minimal", &size);

	(void)state;
	blob[fdt_off_dt_strings(blob) + fdt_size_dt_strings(blob) - 1] = 'x';
	assert_true(devtree_read(blob, size, &d) < 0);
	free(blob);
}

/* libfdt reads aligned blobs only; anything else is named, not misread. */
static void test_unaligned(void **state)
{
	struct devtree_info d;
	size_t size;
	uint8_t *blob = load("minimal", &size);
	uint8_t *odd = malloc(size + 1);

	(void)state;
	memcpy(odd + 1, blob, size);
	assert_int_equal(devtree_read(odd + 1, size, &d), -FDT_ERR_ALIGNMENT);
	assert_non_null(strstr(devtree_strerror(-FDT_ERR_ALIGNMENT), "aligned"));
	free(odd);
	free(blob);
}

/* Fixture "minimal" with one block (its offset field at header byte
 * field_at, its size size) copied past the end at an offset off by
 * misalign from 8, the header pointing there: a blob libfdt's own checks
 * pass, sized exactly, in an 8-byte aligned buffer. */
static uint8_t *moved_block(uint32_t field_at, uint32_t size, uint32_t misalign, size_t *total)
{
	size_t len;
	uint8_t *blob = load("minimal", &len), *moved;
	uint32_t from = fdt32_ld((const fdt32_t *)(blob + field_at));
	uint32_t to = (uint32_t)((len + 7) / 8 * 8 + misalign);

	*total = to + size;
	moved = calloc(1, *total);
	assert_non_null(moved);
	memcpy(moved, blob, len);
	memcpy(moved + to, blob + from, size);
	fdt_set_totalsize(moved, (uint32_t)*total);
	*(fdt32_t *)(moved + field_at) = cpu_to_fdt32(to);
	free(blob);
	return moved;
}

/* The spec aligns the reservation block to 8 and the structure block to
 * 4, and libfdt reads them in place as structs: a blob with either off
 * (found by test_parse_fuzz.c) is refused, never read with misaligned
 * loads (UBSan fails this test if it is). */
static void test_misaligned_blocks(void **state)
{
	struct devtree_info d;
	size_t size;
	uint8_t *rsv = moved_block(offsetof(struct fdt_header, off_mem_rsvmap), 16, 4, &size);

	(void)state;
	assert_int_equal(devtree_read(rsv, size, &d), DT_ERR_MISALIGNED);
	free(rsv);
	for (uint32_t off = 1; off < 4; off++) {
		uint8_t *blob = load("minimal", &size);
		uint8_t *st = moved_block(offsetof(struct fdt_header, off_dt_struct),
					  fdt_size_dt_struct(blob), off, &size);

		assert_int_equal(devtree_read(st, size, &d), DT_ERR_MISALIGNED);
		free(st);
		free(blob);
	}
	assert_non_null(strstr(devtree_strerror(DT_ERR_MISALIGNED), "aligned"));
}

/* Before version 16 libfdt names a node by its full path, and
 * fdt_check_full reads the root's name without checking it was found:
 * "minimal" relabelled version 15 (found by test_parse_fuzz.c) read a
 * NULL pointer there. Such trees are refused before any check. */
static void test_old_version(void **state)
{
	static const uint32_t versions[] = { 2, 3, 15 };
	struct devtree_info d;
	size_t size;

	(void)state;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		uint8_t *blob = load("minimal", &size);

		fdt_set_version(blob, versions[i]);
		fdt_set_last_comp_version(blob, 2);
		assert_int_equal(devtree_read(blob, size, &d), -FDT_ERR_BADVERSION);
		free(blob);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_machine),
		cmocka_unit_test(test_timebase_in_cpu),
		cmocka_unit_test(test_no_size_cells),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_bad_initrd),
		cmocka_unit_test(test_bad_reg),
		cmocka_unit_test(test_memreserve_overrun),
		cmocka_unit_test(test_version16),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_misaligned_blocks),
		cmocka_unit_test(test_old_version),
	};

	dtb_paths = argv + 1;
	ndtbs = argc - 1;
	return cmocka_run_group_tests_name("devtree-dts", tests, NULL, NULL);
}
