/*
 * Host tests for the kernel's copies to and from user memory
 * (kernel/usercopy.c) over the real page tables (arch/riscv/mmu.c) and
 * boot memory map (kernel/memmap.c): a page the kernel may read is RAM the
 * root task owns; a driver's device window, though mapped for the driver,
 * is refused as a bad address (the kernel's own load there could meet no
 * register and trap in kernel mode), with no miss for the pager.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_csr.h"
#include "../../arch/riscv/mmu.c"
#include "../../kernel/memmap.c"
#include "../../kernel/usercopy.c"

uint64_t boot_pt[PT_ENTRIES];

void *kmem_page_alloc(void)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	assert_non_null(p);
	return memset(p, 0, PAGE_SIZE);
}

void kmem_page_free(void *page)
{
	free(page);
}

_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

#define RAM_VA 0x40000000UL
#define DEV_VA (RAM_VA + PAGE_SIZE)

static uint8_t ram[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t dev[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));	/* "registers" */
static struct proc drv;

/* The driver with one RAM page (the root task's) and one device page
 * mapped, both readable and writable. */
static int setup(void **state)
{
	(void)state;
	memset(&memmap, 0, sizeof(memmap));
	memmap.free[0] = (struct phys_range){ kva_to_pa(ram), kva_to_pa(ram) + PAGE_SIZE };
	memmap.nfree = 1;
	drv = (struct proc){ .alive = 1 };
	assert_int_equal(arch_pt_create(&drv.pt), 0);
	drv.pt.limit = 16;
	usercopy_forget(&drv);
	assert_int_equal(arch_pt_map(&drv.pt, RAM_VA, kva_to_pa(ram), MAP_R | MAP_W), 0);
	assert_int_equal(arch_pt_map(&drv.pt, DEV_VA, kva_to_pa(dev), MAP_R | MAP_W), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arch_pt_destroy(&drv.pt);
	return 0;
}

/* RAM: checked, read and written through. */
static void test_ram_copies(void **state)
{
	uint64_t v = 0x1122334455667788, back = 0;

	(void)state;
	assert_int_equal(user_check(&drv, RAM_VA, 64, 1), 0);
	assert_int_equal(copyout(&drv, RAM_VA + 8, &v, sizeof(v)), 0);
	assert_int_equal(copyin(&drv, &back, RAM_VA + 8, sizeof(back)), 0);
	assert_int_equal(back, v);
	assert_non_null(user_window(&drv, RAM_VA, 64, 1));
}

/* The device page: every way in is -ERR_FAULT (or NULL), the "registers"
 * untouched, and no miss is left for the pager to be asked about. */
static void test_device_page_refused(void **state)
{
	uint64_t v = 42, back = 7;

	(void)state;
	memset(dev, 0xa5, sizeof(dev));
	user_miss.proc = NULL;
	assert_int_equal(user_check(&drv, DEV_VA, 8, 0), -ERR_FAULT);
	assert_int_equal(copyin(&drv, &back, DEV_VA + 0x800, sizeof(back)), -ERR_FAULT);
	assert_int_equal(back, 7);
	assert_int_equal(copyout(&drv, DEV_VA, &v, sizeof(v)), -ERR_FAULT);
	assert_int_equal(dev[0], 0xa5);
	assert_null(user_window(&drv, DEV_VA, 64, 0));
	/* A copy that starts in RAM and runs into the device page. */
	assert_int_equal(user_check(&drv, DEV_VA - 8, 16, 0), -ERR_FAULT);
	assert_null(user_miss.proc);
}

/* A miss after a device page's refusal is a miss again: the refusal
 * clears only its own record. */
static void test_miss_still_noted(void **state)
{
	uint64_t back;

	(void)state;
	assert_int_equal(copyin(&drv, &back, DEV_VA, sizeof(back)), -ERR_FAULT);
	assert_int_equal(copyin(&drv, &back, DEV_VA + PAGE_SIZE, sizeof(back)), -ERR_FAULT);
	assert_ptr_equal(user_miss.proc, &drv);
	assert_int_equal(user_miss.va, DEV_VA + PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ram_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_page_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_still_noted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
