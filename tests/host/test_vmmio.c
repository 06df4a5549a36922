/*
 * Host tests for the virtio-mmio transport's 64-bit configuration read
 * (drivers/virtio_mmio.c, included whole over a fake register window: this
 * file sets vmmio_regs.h's guard and defines its accesses). A field is
 * read when the configuration generation holds across its two halves; a
 * device whose generation changes at every read is given up on after a
 * bounded number of reads (-EIO), not waited on for ever.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "virtio_mmio.h"

#define DRIVERS_VMMIO_REGS_H
#define BASE 0x1000UL
#define FIELD 8			/* the field's offset in the configuration */
#define READS_GUARD 100000	/* far past any bound: the read never ended */

struct fake_dev {
	uint64_t value;		/* the field */
	uint64_t after;		/* its value once the configuration changed */
	unsigned changes;	/* generation reads left that see a change */
	uint32_t gen;
	unsigned reads;		/* every register read */
};
static struct fake_dev dev;

/* A generation read while changes are left moves the generation on, and
 * the field with it: the halves read in between were torn. */
static uint32_t vmmio_rd(uintptr_t base, unsigned off)
{
	if (++dev.reads > READS_GUARD)
		fail_msg("the read never ended (%u register reads)", dev.reads);
	if (base != BASE)
		fail_msg("a read outside the device's window");
	if (off == VMMIO_CONFIG_GENERATION) {
		if (dev.changes > 0) {
			dev.changes--;
			dev.gen++;
			dev.value = dev.value == dev.after ? ~dev.after : dev.after;
		}
		return dev.gen;
	}
	if (off == VMMIO_CONFIG + FIELD)
		return (uint32_t)dev.value;
	if (off == VMMIO_CONFIG + FIELD + 4)
		return (uint32_t)(dev.value >> 32);
	fail_msg("a read of register 0x%x", off);
	return 0;
}

static uint8_t vmmio_rd8(uintptr_t base, unsigned off)
{
	(void)base;
	fail_msg("a byte read of 0x%x", off);
	return 0;
}

static void vmmio_wr(uintptr_t base, unsigned off, uint32_t v)
{
	(void)base;
	(void)off;
	(void)v;
	fail_msg("a register write");
}

#include "../../drivers/virtio_mmio.c"

static int setup(void **state)
{
	(void)state;
	dev = (struct fake_dev){ .value = 0x123456789abcdef0UL, .after = 0x0fedcba987654321UL };
	return 0;
}

/* A settled configuration: the field in one try (four reads). */
static void test_steady(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vmmio_config64(BASE, FIELD, &v), 0);
	assert_int_equal(v, 0x123456789abcdef0UL);
	assert_int_equal(dev.reads, 4);
}

/* The configuration changes under the first tries, then settles: the
 * value read is the settled one, never halves of two. */
static void test_changes_then_settles(void **state)
{
	uint64_t v = 0;

	(void)state;
	dev.changes = 3;
	assert_int_equal(vmmio_config64(BASE, FIELD, &v), 0);
	assert_int_equal(dev.changes, 0);
	assert_int_equal(v, dev.value);
}

/* A device whose generation changes at every read: -EIO after a bounded
 * number of reads, v untouched. */
static void test_never_settles(void **state)
{
	uint64_t v = 7;

	(void)state;
	dev.changes = ~0u;
	assert_int_equal(vmmio_config64(BASE, FIELD, &v), -EIO);
	assert_int_equal(v, 7);
	assert_true(dev.reads <= 4 * CONFIG64_TRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_steady, setup),
		cmocka_unit_test_setup(test_changes_then_settles, setup),
		cmocka_unit_test_setup(test_never_settles, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
