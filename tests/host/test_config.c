/*
 * Host tests for pager/base/config.c, the pager's boot arguments over
 * lib/bootargs.c, its console lines caught (printf is config_printf here,
 * meson.build): a key given where it can have no effect is named, with
 * why, and nothing else is said of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/config.h"
#include "config_said.h"

static void parse(const char *cmdline)
{
	static const struct config_choices choices = { "mglru|clock", "unshared|rss|panic", 16, 16 };

	config_said_clear();
	config_parse(cmdline, &choices);
}

static const char scale_unused[] =
	"pager: boot: pager.watermark_scale=50 has no effect: it spaces the linux watermarks, "
	"and the seed ones are in force\n";

/* pager.watermark_scale with the seed watermarks chosen by name, or by a
 * percentage, is named as having no effect. */
static void test_scale_with_seed(void **state)
{
	(void)state;
	parse("pager.watermarks=seed pager.watermark_scale=50");
	assert_int_equal(config.watermarks, WATERMARKS_SEED);
	assert_string_equal(said, scale_unused);
	parse("pager.watermark_scale=50 pager.reclaim_at=90");
	assert_int_equal(config.watermarks, WATERMARKS_SEED);
	assert_string_equal(said, scale_unused);
}

/* The opposite combination, and the other two, as they were: linux named
 * with a percentage chooses seed, said; the scale with linux is used;
 * seed alone says nothing. */
static void test_other_combinations(void **state)
{
	(void)state;
	parse("pager.watermarks=linux pager.free_min=1");
	assert_int_equal(config.watermarks, WATERMARKS_SEED);
	assert_non_null(strstr(said, "using pager.watermarks=seed"));
	assert_null(strstr(said, "no effect"));
	parse("pager.watermark_scale=50");
	assert_int_equal(config.watermarks, WATERMARKS_LINUX);
	assert_int_equal(config.watermark_scale, 50);
	assert_string_equal(said, "");
	parse("pager.watermarks=seed");
	assert_string_equal(said, "");
}

/* config_no_effect names a key given, with its value as written and why;
 * a key not given (its default in force) is not named. */
static void test_no_effect(void **state)
{
	(void)state;
	parse("net.addr=10.0.2.20/24 swap.end_driver_at=3");
	config_no_effect("net.addr", "no network");
	config_no_effect("swap.end_driver_at", "no disk");
	config_no_effect("net.end_at_start", "no network");
	assert_string_equal(said, "pager: boot: net.addr=10.0.2.20/24 has no effect: no network\n"
				  "pager: boot: swap.end_driver_at=3 has no effect: no disk\n");
}

/* A key no boot argument has (a caller's slip) is said, never silent:
 * else a caller's line could stop coming with no test to notice. */
static void test_no_effect_unknown_key(void **state)
{
	(void)state;
	parse("");
	config_no_effect("swap.nbd_outgae", "typo");
	assert_string_equal(said, "pager: config_no_effect: no boot argument swap.nbd_outgae\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_with_seed),
		cmocka_unit_test(test_other_combinations),
		cmocka_unit_test(test_no_effect),
		cmocka_unit_test(test_no_effect_unknown_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
