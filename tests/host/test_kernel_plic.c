/*
 * Host tests for the PLIC driver (arch/riscv/plic.c) over a buffer standing
 * for its registers: sources are numbered 1..riscv,ndev, so the last one
 * can be enabled and disabled and one past it cannot; a riscv,ndev above
 * the spec's 1023 is held to 1023, so no write lands past the priorities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../arch/riscv/plic.c"

#define REGS_SIZE 0x202000	/* through hart 0's S-mode claim register */
#define NDEV 96			/* QEMU virt's riscv,ndev */

static uint32_t *regs;

static int setup(void **state)
{
	(void)state;
	regs = aligned_alloc(4096, REGS_SIZE);
	assert_non_null(regs);
	memset(regs, 0, REGS_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(regs);
	return 0;
}

static uint32_t priority_of(uint32_t irq) { return regs[PRIORITY(irq) / 4]; }
static int enabled(uint32_t irq) { return (regs[ENABLE(irq) / 4] >> (irq % 32)) & 1; }

/* Source NDEV is the last: it is enabled and disabled like any other. */
static void test_last_source(void **state)
{
	(void)state;
	arch_irq_init(kva_to_pa(regs), NDEV);
	assert_int_equal(arch_irq_enable(NDEV), 0);
	assert_int_equal(priority_of(NDEV), 1);
	assert_true(enabled(NDEV));
	arch_irq_disable(NDEV);
	assert_int_equal(priority_of(NDEV), 0);
	assert_false(enabled(NDEV));
	assert_int_equal(arch_irq_enable(1), 0);
	assert_true(enabled(1));
}

/* Source 0 (no interrupt) and NDEV + 1 are no sources: nothing written. */
static void test_no_such_source(void **state)
{
	(void)state;
	arch_irq_init(kva_to_pa(regs), NDEV);
	assert_int_equal(arch_irq_enable(0), -1);
	assert_int_equal(arch_irq_enable(NDEV + 1), -1);
	assert_int_equal(priority_of(NDEV + 1), 0);
	assert_false(enabled(NDEV + 1));
	assert_false(enabled(0));
}

/* A device tree claiming more sources than a PLIC has: 1023 is the last. */
static void test_ndev_held_to_spec(void **state)
{
	(void)state;
	arch_irq_init(kva_to_pa(regs), 5000);
	assert_int_equal(arch_irq_enable(1023), 0);
	assert_true(enabled(1023));
	assert_int_equal(arch_irq_enable(1024), -1);
	assert_int_equal(arch_irq_enable(4999), -1);
	for (uint32_t off = PRIORITY(1024); off < 0x2000; off += 4)
		assert_int_equal(regs[off / 4], 0);	/* pending bits, context 0's enables */
}

/* No PLIC in the device tree: every source is refused. */
static void test_no_plic(void **state)
{
	(void)state;
	arch_irq_init(0, NDEV);
	assert_int_equal(arch_irq_enable(1), -1);
	arch_irq_disable(1);
	assert_int_equal(arch_irq_claim(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_last_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_such_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ndev_held_to_spec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_plic, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
