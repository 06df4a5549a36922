/*
 * Host tests for the boot memory map (kernel/memmap.c): the initrd lies
 * where the device tree's /chosen says, which only the loader decides, and
 * its pages become the root task's (mapped writable, and frames it may map
 * into any process). So memmap_init takes it only wholly inside one memory
 * range and clear of the firmware, the kernel image, the reserved ranges
 * and the device tree, page by page; otherwise the boot stops with a panic
 * (caught here) that says which. QEMU's own layouts are taken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/memmap.c"

/* A test expecting a panic sets panic_jump; the panic returns there with
 * its message in panicked. Any other panic fails the test. */
static jmp_buf *panic_jump;
static char panicked[256];

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panicked, sizeof(panicked), fmt, ap);
	va_end(ap);
	if (panic_jump)
		longjmp(*panic_jump, 1);
	fail_msg("panic: %s", panicked);
	abort();
}

#define MIB (1UL << 20)
#define RAM 0x80000000UL
#define KERNEL_END 0x80219000UL		/* OpenSBI below 0x80200000, then the kernel */
#define DTB_SIZE 0x1200UL

/* QEMU virt with OpenSBI and `-m mib`M: RAM from 0x80000000, OpenSBI's two
 * reserved ranges, the device tree 2 MiB-aligned below the top of RAM, and
 * the initrd (1,728,340 bytes, a build's) at the kernel's load address
 * plus half the RAM. */
static struct devtree_info qemu(uint64_t mib, uint64_t *dtb_pa)
{
	struct devtree_info dt = { .nmem = 1, .nreserved = 2 };

	dt.mem[0] = (struct dt_range){ RAM, mib * MIB };
	dt.reserved[0] = (struct dt_range){ RAM, 0x40000 };
	dt.reserved[1] = (struct dt_range){ RAM + 0x40000, 0x20000 };
	dt.initrd_start = 0x80200000UL + mib * MIB / 2;
	dt.initrd_end = dt.initrd_start + 1728340;
	*dtb_pa = ALIGN_DOWN(RAM + mib * MIB - DTB_SIZE, 2 * MIB);
	return dt;
}

/* memmap_init over dt from a fresh map: NULL if it took the layout, else
 * the panic's message. */
static const char *init(const struct devtree_info *dt, uint64_t dtb_pa)
{
	jmp_buf jump;
	const char *result = NULL;

	memset(&memmap, 0, sizeof(memmap));
	panicked[0] = 0;
	if (setjmp(jump) == 0) {
		panic_jump = &jump;
		assert_int_equal(memmap_init(dt, dtb_pa, DTB_SIZE, KERNEL_END), 0);
	} else {
		result = panicked;
	}
	panic_jump = NULL;
	return result;
}

/* init must panic with a message naming why. */
static void refused(const struct devtree_info *dt, uint64_t dtb_pa, const char *why)
{
	const char *msg = init(dt, dtb_pa);

	if (!msg)
		fail_msg("initrd 0x%lx-0x%lx taken; wanted \"%s\"", (unsigned long)dt->initrd_start,
			 (unsigned long)dt->initrd_end, why);
	assert_non_null(strstr(msg, "initrd at 0x"));
	assert_non_null(strstr(msg, why));
}

/* Whether [base, end) is in none of the free ranges. */
static int none_free(uint64_t base, uint64_t end)
{
	for (uint64_t i = 0; i < memmap.nfree; i++)
		if (base < memmap.free[i].end && memmap.free[i].base < end)
			return 0;
	return 1;
}

/* QEMU's layouts at 128 and 32 MiB: the initrd's pages are the root
 * task's, apart from the free ones; the kernel's are no one's. */
static void test_qemu_layouts(void **state)
{
	static const uint64_t sizes[] = { 128, 32 };
	struct phys_range r;
	uint64_t dtb_pa;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct devtree_info dt = qemu(sizes[i], &dtb_pa);

		assert_null(init(&dt, dtb_pa));
		assert_int_equal(memmap.initrd.base, dt.initrd_start);
		assert_int_equal(memmap.initrd.end, ALIGN_UP(dt.initrd_end, PAGE_SIZE));
		assert_true(none_free(memmap.initrd.base, memmap.initrd.end));
		assert_int_equal(memmap_user_range(dt.initrd_end - 1, &r), 1);
		assert_int_equal(r.base, memmap.initrd.base);
		assert_int_equal(memmap_user_range(KERNEL_END - PAGE_SIZE, &r), 0);
		assert_int_equal(memmap_user_range(dtb_pa, &r), 0);
	}
}

/* Over the kernel image or the firmware below it, even by a page. */
static void test_over_kernel(void **state)
{
	struct devtree_info dt;
	uint64_t dtb_pa;

	(void)state;
	dt = qemu(128, &dtb_pa);
	dt.initrd_start = 0x80210000UL;		/* inside the kernel */
	refused(&dt, dtb_pa, "overlaps the firmware or the kernel image");
	dt.initrd_start = KERNEL_END - 1;	/* its last page */
	refused(&dt, dtb_pa, "overlaps the firmware or the kernel image");
	dt.initrd_start = 0x80100000UL;		/* the firmware, not reserved here */
	dt.nreserved = 0;
	dt.initrd_end = 0x80100800UL;
	refused(&dt, dtb_pa, "overlaps the firmware or the kernel image");
	dt = qemu(128, &dtb_pa);
	dt.initrd_start = KERNEL_END;		/* just after it: taken */
	assert_null(init(&dt, dtb_pa));
}

/* Over a reserved range, or sharing a page with it. */
static void test_over_reserved(void **state)
{
	struct devtree_info dt;
	uint64_t dtb_pa;

	(void)state;
	dt = qemu(128, &dtb_pa);
	dt.reserved[dt.nreserved++] = (struct dt_range){ 0x86000800UL, 0x100000 };
	dt.initrd_start = 0x85ff0000UL;
	dt.initrd_end = 0x86000000UL;		/* ends at the reserved range's page */
	assert_null(init(&dt, dtb_pa));
	dt.initrd_end = 0x86000001UL;		/* a byte into that page */
	refused(&dt, dtb_pa, "overlaps a reserved memory range");
	dt.initrd_start = 0x86050000UL;		/* inside it */
	dt.initrd_end = 0x86060000UL;
	refused(&dt, dtb_pa, "overlaps a reserved memory range");
}

/* Over the device tree, or sharing a page with it. */
static void test_over_dtb(void **state)
{
	struct devtree_info dt;
	uint64_t dtb_pa;

	(void)state;
	dt = qemu(128, &dtb_pa);
	dt.initrd_end = dtb_pa;			/* ends where it starts */
	assert_null(init(&dt, dtb_pa));
	dt.initrd_end = dtb_pa + 8;
	refused(&dt, dtb_pa, "overlaps the device tree");
	dt.initrd_start = dtb_pa + DTB_SIZE - 1;	/* its last byte's page */
	dt.initrd_end = dtb_pa + 3 * PAGE_SIZE;
	refused(&dt, dtb_pa, "overlaps the device tree");
}

/* Not wholly inside one memory range: past RAM's end, across it, across two
 * ranges that meet, or an end so high it wraps when rounded up. Wholly in
 * the second range is taken. */
static void test_outside_ram(void **state)
{
	struct devtree_info dt;
	uint64_t dtb_pa, top = RAM + 128 * MIB;

	(void)state;
	dt = qemu(128, &dtb_pa);
	dt.initrd_start = 0x90000000UL;
	dt.initrd_end = 0x90001000UL;
	refused(&dt, dtb_pa, "is not inside one memory range");
	dt.initrd_start = 0x10000000UL;		/* a device's registers (the uart) */
	dt.initrd_end = 0x10000100UL;
	refused(&dt, dtb_pa, "is not inside one memory range");
	dt.initrd_start = top - PAGE_SIZE;
	dt.initrd_end = top + 1;
	refused(&dt, dtb_pa, "is not inside one memory range");
	dt.initrd_start = 0x84200000UL;
	dt.initrd_end = UINT64_MAX - 100;
	refused(&dt, dtb_pa, "is not inside one memory range");
	dt = qemu(128, &dtb_pa);
	dt.mem[dt.nmem++] = (struct dt_range){ top, 64 * MIB };
	dt.initrd_start = top - PAGE_SIZE;	/* across the two */
	dt.initrd_end = top + PAGE_SIZE;
	refused(&dt, dtb_pa, "is not inside one memory range");
	dt.initrd_start = top + MIB;		/* wholly in the second */
	dt.initrd_end = top + 2 * MIB + 5;
	assert_null(init(&dt, dtb_pa));
	assert_true(none_free(memmap.initrd.base, memmap.initrd.end));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_layouts),
		cmocka_unit_test(test_over_kernel),
		cmocka_unit_test(test_over_reserved),
		cmocka_unit_test(test_over_dtb),
		cmocka_unit_test(test_outside_ram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
