/*
 * Host tests for lib/devtree.c on small device trees written here: the cases
 * QEMU's virt tree does not have (1-cell buses, nested buses, reserved
 * memory, the reservation block, 8-byte initrd values, too many entries).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devtree.h"
#include "fdt.h"

/* A device tree under construction; finish() lays it out in blob. */
struct dt {
	uint8_t st[4096];
	uint32_t st_len;
	char strings[1024];
	uint32_t str_len;
	uint64_t rsv[4][2];
	int nrsv;
	uint8_t blob[8192];
	uint32_t size;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void emit32(struct dt *t, uint32_t v)
{
	put32(t->st + t->st_len, v);
	t->st_len += 4;
}

static void emit_bytes(struct dt *t, const void *data, uint32_t len)
{
	memcpy(t->st + t->st_len, data, len);
	t->st_len += len;
	while (t->st_len % 4)
		t->st[t->st_len++] = 0;
}

static void begin(struct dt *t, const char *name)
{
	emit32(t, 1);
	emit_bytes(t, name, (uint32_t)strlen(name) + 1);
}

static void end(struct dt *t)
{
	emit32(t, 2);
}

static void prop(struct dt *t, const char *name, const void *data, uint32_t len)
{
	emit32(t, 3);
	emit32(t, len);
	emit32(t, t->str_len);
	strcpy(t->strings + t->str_len, name);
	t->str_len += (uint32_t)strlen(name) + 1;
	emit_bytes(t, data, len);
}

static void prop_str(struct dt *t, const char *name, const char *s)
{
	prop(t, name, s, (uint32_t)strlen(s) + 1);
}

/* A property of n 32-bit cells. */
static void prop_cells(struct dt *t, const char *name, int n, ...)
{
	uint8_t buf[64];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put32(buf + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	prop(t, name, buf, 4u * (uint32_t)n);
}

static void finish(struct dt *t)
{
	uint32_t rsv = 40, st = rsv + 16u * (uint32_t)(t->nrsv + 1);
	uint32_t str;

	emit32(t, 9);	/* FDT_END */
	str = st + t->st_len;
	t->size = str + t->str_len;
	memset(t->blob, 0, sizeof(t->blob));
	put32(t->blob, 0xd00dfeed);
	put32(t->blob + 4, t->size);
	put32(t->blob + 8, st);
	put32(t->blob + 12, str);
	put32(t->blob + 16, rsv);
	put32(t->blob + 20, 17);
	put32(t->blob + 24, 16);
	put32(t->blob + 32, t->str_len);
	put32(t->blob + 36, t->st_len);
	for (int i = 0; i < t->nrsv; i++)
		for (int k = 0; k < 2; k++) {
			put32(t->blob + rsv + 16 * i + 8 * k, (uint32_t)(t->rsv[i][k] >> 32));
			put32(t->blob + rsv + 16 * i + 8 * k + 4, (uint32_t)t->rsv[i][k]);
		}
	memcpy(t->blob + st, t->st, t->st_len);
	memcpy(t->blob + str, t->strings, t->str_len);
}

/* Root with 1/1 cells, one memory node and a timebase: the least that reads. */
static void start_tree(struct dt *t)
{
	memset(t, 0, sizeof(*t));
	begin(t, "");
	prop_cells(t, "#address-cells", 1, 1u);
	prop_cells(t, "#size-cells", 1, 1u);
	begin(t, "memory@80000000");
	prop_str(t, "device_type", "memory");
	prop_cells(t, "reg", 2, 0x80000000u, 0x100000u);
	end(t);
	begin(t, "cpus");
	prop_cells(t, "timebase-frequency", 1, 1000000u);
	end(t);
}

/* devtree_read on an exactly-sized heap copy at an odd address. */
static int read_tree(struct dt *t, struct devtree_info *out)
{
	uint8_t *mem;
	int err;

	finish(t);
	mem = malloc(t->size + 1);
	memcpy(mem + 1, t->blob, t->size);
	err = devtree_read(mem + 1, t->size, out);
	free(mem);
	return err;
}

static void add_soc(struct dt *t)
{
	begin(t, "soc");
	prop_cells(t, "#address-cells", 1, 1u);
	prop_cells(t, "#size-cells", 1, 1u);
	begin(t, "uart@20000");
	prop_str(t, "compatible", "ns16550a");
	prop_cells(t, "reg", 2, 0x20000u, 0x100u);
	prop_cells(t, "interrupts", 2, 5u, 0u);
	end(t);
	begin(t, "uart@30000");	/* a second console: the first one wins */
	prop_str(t, "compatible", "ns16550a");
	prop_cells(t, "reg", 2, 0x30000u, 0x100u);
	end(t);
	begin(t, "virtio@40000");
	prop(t, "compatible", "vendor,thing\0virtio,mmio", 25);
	prop_cells(t, "reg", 4, 0x40000u, 0x200u, 0x50000u, 0x200u);
	end(t);
	begin(t, "bus@60000");
	prop_cells(t, "#address-cells", 1, 2u);
	prop_cells(t, "#size-cells", 1, 2u);
	begin(t, "test@100000000");
	prop(t, "compatible", "sifive,test1\0sifive,test0", 25);	/* last one unterminated */
	prop_cells(t, "reg", 4, 1u, 0u, 0u, 0x1000u);
	end(t);
	end(t);
	end(t);
}

static void test_full_machine(void **state)
{
	struct dt t;
	struct devtree_info d;

	(void)state;
	start_tree(&t);
	begin(&t, "memory@90000000");
	prop_str(&t, "device_type", "memory");
	prop_cells(&t, "reg", 6, 0x90000000u, 0x1000u, 0xa0000000u, 0u, 0xb0000000u, 0x2000u);
	end(&t);
	begin(&t, "reserved-memory");
	prop_cells(&t, "#address-cells", 1, 2u);
	prop_cells(&t, "#size-cells", 1, 1u);
	begin(&t, "fw@80000000");
	prop_cells(&t, "reg", 3, 0u, 0x80000000u, 0x40000u);
	end(&t);
	begin(&t, "pool");	/* dynamically placed: no reg */
	prop_cells(&t, "size", 1, 0x1000u);
	end(&t);
	end(&t);
	begin(&t, "chosen");
	prop_cells(&t, "linux,initrd-start", 2, 1u, 0x1000u);
	prop_cells(&t, "linux,initrd-end", 2, 1u, 0x3000u);
	end(&t);
	add_soc(&t);
	end(&t);
	t.rsv[0][0] = 0x80100000u;
	t.rsv[0][1] = 0x2000;
	t.rsv[1][0] = 0x123456789ull;
	t.rsv[1][1] = 0x10;
	t.nrsv = 2;
	assert_int_equal(read_tree(&t, &d), 0);
	assert_int_equal(d.nmem, 3);	/* the zero-sized entry is skipped */
	assert_int_equal(d.mem[0].base, 0x80000000u);
	assert_int_equal(d.mem[0].size, 0x100000u);
	assert_int_equal(d.mem[2].base, 0xb0000000u);
	assert_int_equal(d.mem[2].size, 0x2000u);
	assert_int_equal(d.nreserved, 3);
	assert_int_equal(d.reserved[0].base, 0x80000000u);
	assert_int_equal(d.reserved[0].size, 0x40000u);
	assert_int_equal(d.reserved[1].base, 0x80100000u);
	assert_int_equal(d.reserved[2].base, 0x123456789ull);
	assert_int_equal(d.reserved[2].size, 0x10);
	assert_null(d.bootargs);
	assert_int_equal(d.initrd_start, 0x100001000ull);
	assert_int_equal(d.initrd_end, 0x100003000ull);
	assert_int_equal(d.timebase_hz, 1000000);
	assert_int_equal(d.uart.base, 0x20000);
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
	struct dt t;
	struct devtree_info d;

	(void)state;
	memset(&t, 0, sizeof(t));
	begin(&t, "");	/* no cells at the root: 2/2 is assumed */
	begin(&t, "memory");
	prop_str(&t, "device_type", "memory");
	prop_cells(&t, "reg", 4, 0u, 0x80000000u, 0u, 0x1000u);
	end(&t);
	begin(&t, "cpus");
	begin(&t, "cpu@0");
	prop_cells(&t, "timebase-frequency", 2, 0u, 12345u);
	end(&t);
	end(&t);
	begin(&t, "chosen");
	prop_str(&t, "bootargs", "");
	end(&t);
	end(&t);
	assert_int_equal(read_tree(&t, &d), 0);
	assert_int_equal(d.mem[0].base, 0x80000000u);
	assert_int_equal(d.timebase_hz, 12345);
	assert_non_null(d.bootargs);
	assert_int_equal(d.bootargs_len, 0);
}

static void test_too_many(void **state)
{
	struct dt t;
	struct devtree_info d;

	(void)state;
	for (uint32_t n = 8; n <= 9; n++) {
		start_tree(&t);
		for (uint32_t i = 0; i < n; i++) {
			begin(&t, "virtio_mmio");
			prop_str(&t, "compatible", "virtio,mmio");
			prop_cells(&t, "reg", 2, 0x1000u * i, 0x1000u);
			prop_cells(&t, "interrupts", 1, i + 1);
			end(&t);
		}
		end(&t);
		if (n == 9) {
			assert_int_equal(read_tree(&t, &d), DT_ERR_TOOMANY);
			continue;
		}
		assert_int_equal(read_tree(&t, &d), 0);
		assert_int_equal(d.nvirtio, DT_MAX_VIRTIO);
		assert_int_equal(d.virtio[7].base, 0x7000);
		assert_int_equal(d.virtio[7].irq, 8);
	}
	start_tree(&t);
	begin(&t, "memory@0");
	prop_str(&t, "device_type", "memory");
	prop_cells(&t, "reg", 8, 1u, 1u, 2u, 1u, 3u, 1u, 4u, 1u);	/* 1 + 4 > DT_MAX_MEM */
	end(&t);
	end(&t);
	assert_int_equal(read_tree(&t, &d), DT_ERR_TOOMANY);
}

static void test_depth(void **state)
{
	struct dt t;
	struct devtree_info d;

	(void)state;
	for (int depth = 10; depth <= 20; depth += 10) {
		start_tree(&t);
		for (int i = 0; i < depth; i++)
			begin(&t, "deeper");
		for (int i = 0; i < depth; i++)
			end(&t);
		end(&t);
		assert_int_equal(read_tree(&t, &d), depth == 10 ? 0 : FDT_ERR_BADSTRUCT);
	}
}

static void test_bad_chosen(void **state)
{
	/* Each case: cells and value of initrd-start and of initrd-end (0 = absent). */
	static const struct { int ns; uint32_t s; int ne; uint32_t e; } bad[] = {
		{ 1, 0x1000, 1, 0 }, { 1, 0, 1, 0x1000 }, { 1, 0x2000, 1, 0x1000 },
		{ 3, 1, 1, 2 }, { 3, 1, 3, 2 }, { 1, 1, 3, 2 },
	};
	struct dt t;
	struct devtree_info d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t start[12] = { 0 }, end_cells[12] = { 0 };

		start_tree(&t);
		begin(&t, "chosen");
		put32(start + 4 * (bad[i].ns - 1), bad[i].s);
		put32(end_cells + 4 * (bad[i].ne - 1), bad[i].e);
		if (bad[i].s)
			prop(&t, "linux,initrd-start", start, 4u * (uint32_t)bad[i].ns);
		if (bad[i].e)
			prop(&t, "linux,initrd-end", end_cells, 4u * (uint32_t)bad[i].ne);
		end(&t);
		end(&t);
		assert_int_equal(read_tree(&t, &d), DT_ERR_BADREG);
	}
}

static void test_bad_reg(void **state)
{
	struct dt t;
	struct devtree_info d;

	(void)state;
	start_tree(&t);
	begin(&t, "serial");	/* a device without reg */
	prop_str(&t, "compatible", "ns16550a");
	end(&t);
	end(&t);
	assert_int_equal(read_tree(&t, &d), DT_ERR_BADREG);
	start_tree(&t);
	begin(&t, "reserved-memory");
	begin(&t, "fw");	/* 2/2 cells by default, so 12 bytes is wrong */
	prop_cells(&t, "reg", 3, 0u, 0x80000000u, 0x1000u);
	end(&t);
	end(&t);
	end(&t);
	assert_int_equal(read_tree(&t, &d), DT_ERR_BADREG);
}

static void test_memreserve_overrun(void **state)
{
	struct dt t;
	struct devtree_info d;

	(void)state;
	start_tree(&t);
	end(&t);
	finish(&t);
	put32(t.blob + 16, t.size - 8);	/* the block now starts 8 bytes from the end */
	assert_int_equal(devtree_read(t.blob, t.size, &d), FDT_ERR_TRUNCATED);
	start_tree(&t);
	end(&t);
	t.nrsv = 4;
	for (int i = 0; i < 4; i++) {
		t.rsv[i][0] = 0x1000u * (uint64_t)(i + 1);
		t.rsv[i][1] = 0x1000;
	}
	assert_int_equal(read_tree(&t, &d), 0);
	assert_int_equal(d.nreserved, 4);
}

static void test_version16(void **state)
{
	struct dt t;
	struct devtree_info d;

	(void)state;
	start_tree(&t);
	end(&t);
	finish(&t);
	put32(t.blob + 20, 16);
	put32(t.blob + 36, 0);	/* no size_dt_struct before version 17 */
	assert_int_equal(devtree_read(t.blob, t.size, &d), 0);
	assert_int_equal(d.timebase_hz, 1000000);
}

/* Names that run to the end of their block without a NUL. */
static void test_unterminated_names(void **state)
{
	struct dt t;
	struct fdt f;

	(void)state;
	memset(&t, 0, sizeof(t));
	emit32(&t, 1);		/* BEGIN_NODE "abc" and nothing after it */
	memcpy(t.st + t.st_len, "abcd", 4);
	t.st_len += 4;
	finish(&t);
	t.size -= 4;		/* drop the FDT_END finish() added */
	put32(t.blob + 4, t.size);
	put32(t.blob + 12, t.size);	/* an empty strings block at the very end */
	put32(t.blob + 36, t.st_len - 4);
	assert_int_equal(fdt_open(&f, t.blob, t.size), FDT_ERR_TRUNCATED);

	start_tree(&t);
	end(&t);
	finish(&t);
	t.blob[t.size - 1] = 'x';	/* the last string loses its NUL */
	assert_int_equal(fdt_open(&f, t.blob, t.size), FDT_ERR_BADSTRUCT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_machine),
		cmocka_unit_test(test_timebase_in_cpu),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_bad_chosen),
		cmocka_unit_test(test_bad_reg),
		cmocka_unit_test(test_memreserve_overrun),
		cmocka_unit_test(test_version16),
		cmocka_unit_test(test_unterminated_names),
	};

	return cmocka_run_group_tests_name("devtree-built", tests, NULL, NULL);
}
