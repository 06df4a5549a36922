/*
 * Host tests for lib/bootargs.c: defaults, each value type, every kind of
 * report (checked word for word), and the kernel/pager split by key prefix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bootargs.h"

#define MAX_LINES 24

struct capture {
	int n;
	char lines[MAX_LINES][600];
};

static void capture_line(void *ctx, const char *line)
{
	struct capture *c = ctx;

	assert_true(strlen(line) < 512);
	if (c->n < MAX_LINES)
		strcpy(c->lines[c->n], line);
	c->n++;
}

static const struct bootarg_spec kernel_specs[] = {
	{ "kernel.timeslice_ms", BOOTARG_UINT, "10", NULL, 1, 1000, "scheduler slice" },
	{ "kernel.verbose", BOOTARG_UINT, "0", NULL, 0, 1, "chatty boot" },
};

static const struct bootarg_spec pager_specs[] = {
	{ "pager.policy", BOOTARG_CHOICE, "clock", "clock|lru2|fifo|random", 0, 0, "policy" },
	{ "pager.swap_dev", BOOTARG_STRING, "virtio0", NULL, 0, 0, "swap disk" },
	{ "oom.policy", BOOTARG_CHOICE, "unshared", "unshared|swap|age", 0, 0, "oom" },
};

#define NK (sizeof(kernel_specs) / sizeof(kernel_specs[0]))
#define NP (sizeof(pager_specs) / sizeof(pager_specs[0]))

static struct capture cap;
static struct bootarg_value kv[NK], pv[NP];

static int kernel_parse(const char *cmdline)
{
	memset(&cap, 0, sizeof(cap));
	return bootargs_parse(cmdline, kernel_specs, NK, kv, "kernel.", NULL, capture_line, &cap);
}

static int pager_parse(const char *cmdline)
{
	memset(&cap, 0, sizeof(cap));
	return bootargs_parse(cmdline, pager_specs, NP, pv, NULL, "kernel.", capture_line, &cap);
}

static void assert_kernel_defaults(void)
{
	assert_int_equal(kv[0].num, 10);
	assert_string_equal(kv[0].str, "10");
	assert_int_equal(kv[0].given, 0);
	assert_int_equal(kv[1].num, 0);
	assert_string_equal(kv[1].str, "0");
}

static void assert_pager_defaults(void)
{
	assert_int_equal(pv[0].num, 0);
	assert_string_equal(pv[0].str, "clock");
	assert_string_equal(pv[1].str, "virtio0");
	assert_string_equal(pv[2].str, "unshared");
	for (size_t i = 0; i < NP; i++)
		assert_int_equal(pv[i].given, 0);
}

static void test_defaults(void **state)
{
	static const char *const empties[] = { NULL, "", "   ", " \t \t" };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(kernel_parse(empties[i]), 0);
		assert_kernel_defaults();
		assert_int_equal(pager_parse(empties[i]), 0);
		assert_pager_defaults();
		assert_int_equal(cap.n, 0);
	}
}

static void test_good_values(void **state)
{
	(void)state;
	assert_int_equal(kernel_parse("kernel.timeslice_ms=25\tkernel.verbose=1"), 0);
	assert_int_equal(kv[0].num, 25);
	assert_string_equal(kv[0].str, "25");
	assert_int_equal(kv[0].given, 1);
	assert_int_equal(kv[1].num, 1);
	assert_int_equal(kernel_parse("  kernel.timeslice_ms=007  "), 0);
	assert_int_equal(kv[0].num, 7);
	assert_string_equal(kv[0].str, "7");

	assert_int_equal(pager_parse("pager.policy=random pager.swap_dev=vdb oom.policy=age"), 0);
	assert_int_equal(pv[0].num, 3);
	assert_string_equal(pv[0].str, "random");
	assert_string_equal(pv[1].str, "vdb");
	assert_int_equal(pv[1].given, 1);
	assert_int_equal(pv[2].num, 2);
	assert_int_equal(pager_parse("pager.policy=lru2 pager.swap_dev="), 0);
	assert_int_equal(pv[0].num, 1);
	assert_string_equal(pv[1].str, "");
}

static void test_bad_uint(void **state)
{
	static const char *const bad[] = {
		"kernel.timeslice_ms=1001", "kernel.timeslice_ms=", "kernel.timeslice_ms=12x",
		"kernel.timeslice_ms=-5", "kernel.timeslice_ms=+5", "kernel.timeslice_ms=0x10",
		"kernel.timeslice_ms=99999999999999999999999",
	};

	(void)state;
	assert_int_equal(kernel_parse("kernel.timeslice_ms=0"), 1);
	assert_string_equal(cap.lines[0], "boot: bad value '0' for kernel.timeslice_ms "
			    "(accepted: 1..1000); using default '10'");
	assert_kernel_defaults();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kernel_parse(bad[i]), 1);
		assert_non_null(strstr(cap.lines[0], "for kernel.timeslice_ms (accepted: 1..1000)"));
		assert_kernel_defaults();
	}
}

static void test_uint_limits(void **state)
{
	static const struct bootarg_spec big[] = {
		{ "pager.max", BOOTARG_UINT, "5", NULL, 0, UINT64_MAX, "" },
	};
	struct bootarg_value v;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(bootargs_parse("pager.max=18446744073709551615", big, 1, &v, NULL,
					NULL, capture_line, &cap), 0);
	assert_true(v.num == UINT64_MAX);
	assert_string_equal(v.str, "18446744073709551615");
	assert_int_equal(bootargs_parse("pager.max=18446744073709551616", big, 1, &v, NULL,
					NULL, capture_line, &cap), 1);
	assert_int_equal(v.num, 5);
	assert_string_equal(cap.lines[0], "boot: bad value '18446744073709551616' for pager.max "
			    "(accepted: 0..18446744073709551615); using default '5'");
}

/* A string key with a shortest length (init.run's 1): an empty value is a
 * bad value, named and replaced by the default like any other. */
static void test_string_not_empty(void **state)
{
	static const struct bootarg_spec run[] = {
		{ "init.run", BOOTARG_STRING, "demo", NULL, 1, 0, "program" },
	};
	struct bootarg_value v;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(bootargs_parse("init.run=", run, 1, &v, NULL, "kernel.", capture_line,
					&cap), 1);
	assert_string_equal(cap.lines[0], "boot: bad value '' for init.run (accepted: text of 1 "
			    "to 255 characters); using default 'demo'");
	assert_string_equal(v.str, "demo");
	assert_int_equal(v.given, 0);
	/* The last word wins, so a later good name still counts. */
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(bootargs_parse("init.run= init.run=x", run, 1, &v, NULL, "kernel.",
					capture_line, &cap), 2);
	assert_string_equal(cap.lines[1], "boot: init.run given twice; using the last");
	assert_string_equal(v.str, "x");
	assert_int_equal(v.given, 1);
}

static void test_ipv4(void **state)
{
	static const struct bootarg_spec addr[] = {
		{ "net.addr", BOOTARG_IPV4, "dhcp", "dhcp", 0, 0, "address" },
	};
	static const char *const bad[] = {
		"net.addr=", "net.addr=10.0.2", "net.addr=10.0.2.256", "net.addr=10.0.2.15/",
		"net.addr=10.0.2.15/31", "net.addr=10.0.2.15/0", "net.addr=0.0.0.0",
		"net.addr=10.0.2.15.1", "net.addr=1000.0.2.1", "net.addr=10..2.1", "net.addr=DHCP",
		"net.addr=10.0.2.15/24x",
	};
	struct bootarg_value v;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(bootargs_parse("", addr, 1, &v, NULL, "kernel.", capture_line, &cap), 0);
	assert_int_equal(v.num, 0);
	assert_string_equal(v.str, "dhcp");
	assert_int_equal(bootargs_parse("net.addr=10.0.2.15", addr, 1, &v, NULL, "kernel.",
					capture_line, &cap), 0);
	assert_int_equal(v.num, (uint64_t)0x0a00020f << 8 | 24);
	assert_int_equal(bootargs_parse("net.addr=192.168.7.9/30", addr, 1, &v, NULL, "kernel.",
					capture_line, &cap), 0);
	assert_int_equal(v.num, (uint64_t)0xc0a80709 << 8 | 30);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&cap, 0, sizeof(cap));
		assert_int_equal(bootargs_parse(bad[i], addr, 1, &v, NULL, "kernel.", capture_line,
						&cap), 1);
		assert_int_equal(v.num, 0);
	}
	assert_string_equal(cap.lines[0], "boot: bad value '10.0.2.15/24x' for net.addr (accepted: "
			    "dhcp or a host's IPv4 address a.b.c.d[/1..30]); using default 'dhcp'");
}

/* net.addr takes only an address a host may have, and says which rule one
 * breaks; the edges of each rule are taken. */
static void test_ipv4_host(void **state)
{
	static const struct bootarg_spec addr[] = {
		{ "net.addr", BOOTARG_IPV4, "dhcp", "dhcp", 0, 0, "address" },
	};
	static const struct {
		const char *word, *why;
	} bad[] = {
		{ "net.addr=0.0.0.0", "an address of 'this network', in 0.0.0.0/8: no host's" },
		{ "net.addr=0.1.2.3/8", "an address of 'this network', in 0.0.0.0/8: no host's" },
		{ "net.addr=127.0.0.1", "a loopback address, in 127.0.0.0/8" },
		{ "net.addr=127.255.0.1/16", "a loopback address, in 127.0.0.0/8" },
		{ "net.addr=224.0.0.1", "a multicast address, in 224.0.0.0/4" },
		{ "net.addr=239.255.255.254", "a multicast address, in 224.0.0.0/4" },
		{ "net.addr=240.0.0.1", "a reserved address, in 240.0.0.0/4" },
		{ "net.addr=255.255.255.255", "the limited broadcast address" },
		{ "net.addr=10.0.2.0", "its subnet's own address: the host part is all zeros" },
		{ "net.addr=10.0.0.0/8", "its subnet's own address: the host part is all zeros" },
		{ "net.addr=192.168.7.8/30", "its subnet's own address: the host part is all zeros" },
		{ "net.addr=10.0.2.255", "its subnet's broadcast address: the host part is all ones" },
		{ "net.addr=10.0.255.255/16",
		  "its subnet's broadcast address: the host part is all ones" },
		{ "net.addr=192.168.7.11/30",
		  "its subnet's broadcast address: the host part is all ones" },
		{ "net.addr=128.0.0.0/1", "its subnet's own address: the host part is all zeros" },
	};
	static const struct {
		const char *word;
		uint64_t num;
	} good[] = {
		{ "net.addr=1.0.0.1/8", (uint64_t)0x01000001 << 8 | 8 },
		{ "net.addr=126.255.255.254", (uint64_t)0x7efffffe << 8 | 24 },
		{ "net.addr=128.0.0.1", (uint64_t)0x80000001 << 8 | 24 },
		{ "net.addr=223.255.255.254", (uint64_t)0xdffffffe << 8 | 24 },
		{ "net.addr=10.0.2.255/16", (uint64_t)0x0a0002ff << 8 | 16 },
		{ "net.addr=10.0.3.0/16", (uint64_t)0x0a000300 << 8 | 16 },
		{ "net.addr=192.168.7.10/30", (uint64_t)0xc0a8070a << 8 | 30 },
	};
	struct bootarg_value v;
	char want[600];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *value = strchr(bad[i].word, '=') + 1;

		memset(&cap, 0, sizeof(cap));
		assert_int_equal(bootargs_parse(bad[i].word, addr, 1, &v, NULL, "kernel.",
						capture_line, &cap), 1);
		assert_int_equal(v.num, 0);
		assert_int_equal(v.given, 0);
		snprintf(want, sizeof(want), "boot: bad value '%s' for net.addr (%s; accepted: dhcp "
			 "or a host's IPv4 address a.b.c.d[/1..30]); using default 'dhcp'", value,
			 bad[i].why);
		assert_string_equal(cap.lines[0], want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&cap, 0, sizeof(cap));
		assert_int_equal(bootargs_parse(good[i].word, addr, 1, &v, NULL, "kernel.",
						capture_line, &cap), 0);
		assert_int_equal(v.num, good[i].num);
		assert_int_equal(v.given, 1);
	}
}

static void test_bad_choice(void **state)
{
	static const char *const bad[] = {
		"pager.policy=", "pager.policy=lru", "pager.policy=clockx", "pager.policy=CLOCK",
		"pager.policy=clock|lru2", "pager.policy=|",
	};

	(void)state;
	assert_int_equal(pager_parse("pager.policy=lol"), 1);
	assert_string_equal(cap.lines[0], "boot: bad value 'lol' for pager.policy "
			    "(accepted: clock|lru2|fifo|random); using default 'clock'");
	assert_pager_defaults();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pager_parse(bad[i]), 1);
		assert_pager_defaults();
	}
}

static void test_unknown_keys(void **state)
{
	(void)state;
	assert_int_equal(pager_parse("foo.bar=1"), 1);
	assert_string_equal(cap.lines[0], "boot: unknown key 'foo.bar' "
			    "(known: pager.policy, pager.swap_dev, oom.policy)");
	assert_int_equal(kernel_parse("kernel.foo=1"), 1);
	assert_string_equal(cap.lines[0], "boot: unknown key 'kernel.foo' "
			    "(known: kernel.timeslice_ms, kernel.verbose)");
	assert_int_equal(pager_parse("=3"), 1);
	assert_string_equal(cap.lines[0], "boot: unknown key '' "
			    "(known: pager.policy, pager.swap_dev, oom.policy)");
	/* A prefix of a known key is not that key. */
	assert_int_equal(pager_parse("pager.polic=clock pager.policyx=clock"), 2);
	assert_pager_defaults();
}

static void test_prefix_split(void **state)
{
	const char *line = "kernel.timeslice_ms=5 pager.policy=fifo kernel.x=1 junk oom.policy=swap";

	(void)state;
	/* The kernel sees only its own keys... */
	assert_int_equal(kernel_parse(line), 1);
	assert_string_equal(cap.lines[0], "boot: unknown key 'kernel.x' "
			    "(known: kernel.timeslice_ms, kernel.verbose)");
	assert_int_equal(kv[0].num, 5);
	assert_int_equal(kernel_parse("pager.policy=x"), 0);
	/* ...and the pager everything else, so each word is reported once. */
	assert_int_equal(pager_parse(line), 1);
	assert_string_equal(cap.lines[0], "boot: 'junk' is not key=value (ignored)");
	assert_int_equal(pv[0].num, 2);
	assert_int_equal(pv[2].num, 1);
	assert_int_equal(pager_parse("kernel.x kernel.timeslice_ms=lol"), 0);
}

static void test_not_key_value(void **state)
{
	(void)state;
	assert_int_equal(pager_parse("foo"), 1);
	assert_string_equal(cap.lines[0], "boot: 'foo' is not key=value (ignored)");
	assert_int_equal(kernel_parse("kernel.verbose"), 1);
	assert_string_equal(cap.lines[0], "boot: 'kernel.verbose' is not key=value (ignored)");
	assert_int_equal(kv[1].given, 0);
}

static void test_repeated(void **state)
{
	(void)state;
	assert_int_equal(kernel_parse("kernel.verbose=1 kernel.verbose=0"), 1);
	assert_string_equal(cap.lines[0], "boot: kernel.verbose given twice; using the last");
	assert_int_equal(kv[1].num, 0);
	assert_int_equal(kv[1].given, 1);
	assert_int_equal(kernel_parse("kernel.verbose=0 kernel.verbose=1 kernel.verbose=1"), 2);
	assert_int_equal(kv[1].num, 1);
	/* The last one wins even when it is bad: then the default is in force. */
	assert_int_equal(kernel_parse("kernel.timeslice_ms=50 kernel.timeslice_ms=oops"), 2);
	assert_string_equal(cap.lines[0], "boot: kernel.timeslice_ms given twice; using the last");
	assert_non_null(strstr(cap.lines[1], "bad value 'oops'"));
	assert_kernel_defaults();
	/* A word without '=' is not an earlier value. */
	assert_int_equal(kernel_parse("kernel.verbose kernel.verbose=1"), 1);
	assert_int_equal(kv[1].num, 1);
}

static void test_overlong(void **state)
{
	char line[600], msg_start[] = "boot: bad value '";
	size_t i;

	(void)state;
	strcpy(line, "pager.swap_dev=");
	for (i = 0; i < BOOTARG_STR_MAX - 1; i++)
		strcat(line, "d");
	assert_int_equal(pager_parse(line), 0);
	assert_int_equal(strlen(pv[1].str), BOOTARG_STR_MAX - 1);
	strcat(line, "d");
	assert_int_equal(pager_parse(line), 1);
	assert_string_equal(pv[1].str, "virtio0");
	/* The quoted value is cut so the key and the accepted text still fit. */
	assert_memory_equal(cap.lines[0], msg_start, strlen(msg_start));
	assert_non_null(strstr(cap.lines[0], "...' for pager.swap_dev (accepted: text of at "
				"most 255 characters); using default 'virtio0'"));

	strcpy(line, "pager.policy=");
	for (i = 0; i < 500; i++)
		strcat(line, "x");
	assert_int_equal(pager_parse(line), 1);
	assert_non_null(strstr(cap.lines[0], "for pager.policy (accepted: clock|lru2|fifo|random)"));
	memset(line, 'k', 300);
	strcpy(line + 300, "=1");
	assert_int_equal(pager_parse(line), 1);
	assert_non_null(strstr(cap.lines[0], "...' (known: pager.policy"));
}

static void test_long_known_list(void **state)
{
	static struct bootarg_spec many[40];
	struct bootarg_value v[40];
	static char keys[40][32];

	(void)state;
	for (int i = 0; i < 40; i++) {
		strcpy(keys[i], "pager.some_rather_long_key_00");
		keys[i][27] = (char)('0' + i / 10);
		keys[i][28] = (char)('0' + i % 10);
		many[i] = (struct bootarg_spec){ keys[i], BOOTARG_UINT, "1", NULL, 0, 9, "" };
	}
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(bootargs_parse("nope=1 pager.some_rather_long_key_39=4", many, 40, v,
					NULL, NULL, capture_line, &cap), 1);
	assert_int_equal(strlen(cap.lines[0]), 511);	/* cut, and still terminated */
	assert_string_equal(cap.lines[0] + 508, "...");	/* and the cut shows */
	assert_int_equal(v[39].num, 4);
	assert_int_equal(v[0].num, 1);
}

/* bootargs_keep on an exactly-sized heap copy of line without its NUL, so
 * AddressSanitizer catches a read past len; dst holds size bytes. */
static size_t keep(const char *line, char *dst, size_t size)
{
	size_t len = strlen(line), dropped;
	char *copy = malloc(len ? len : 1);

	memcpy(copy, line, len);
	memset(&cap, 0, sizeof(cap));
	dropped = bootargs_keep(copy, len, dst, size, capture_line, &cap);
	free(copy);
	return dropped;
}

static void test_keep_fits(void **state)
{
	char dst[16];

	(void)state;
	/* 15 bytes fit in 16 with the NUL; trailing spaces past it lose nothing. */
	assert_int_equal(keep("a=1 b=22 c=3333", dst, sizeof(dst)), 0);
	assert_string_equal(dst, "a=1 b=22 c=3333");
	assert_int_equal(keep("a=1 b=22 c=3333      \t ", dst, sizeof(dst)), 0);
	assert_string_equal(dst, "a=1 b=22 c=3333");
	assert_int_equal(keep("", dst, sizeof(dst)), 0);
	assert_string_equal(dst, "");
	assert_int_equal(cap.n, 0);
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(bootargs_keep(NULL, 0, dst, sizeof(dst), capture_line, &cap), 0);
	assert_string_equal(dst, "");
	/* A NUL ends the line before len. */
	assert_int_equal(bootargs_keep("a=1\0 junk that is long", 23, dst, sizeof(dst),
				       capture_line, &cap), 0);
	assert_string_equal(dst, "a=1");
	assert_int_equal(cap.n, 0);
}

/* A word cut by the limit is dropped whole and named, never kept in part:
 * "kernel.timeslice_ms=2" of "...=25" would parse as a good value. */
static void test_keep_cuts_between_words(void **state)
{
	const char *line = "a=1 kernel.timeslice_ms=25 pager.policy=lru2";
	char dst[64];

	(void)state;
	/* Room for 25 bytes: "a=1 kernel.timeslice_ms=2". */
	assert_int_equal(keep(line, dst, 26), 2);
	assert_string_equal(dst, "a=1 ");
	assert_int_equal(cap.n, 2);
	assert_string_equal(cap.lines[0], "boot: command line longer than 25 bytes; dropped "
			    "'kernel.timeslice_ms=25'");
	assert_string_equal(cap.lines[1], "boot: command line longer than 25 bytes; dropped "
			    "'pager.policy=lru2'");
	assert_int_equal(kernel_parse(dst), 0);
	assert_kernel_defaults();
	/* Cut exactly after a word, at the space: that word is kept whole. */
	assert_int_equal(keep(line, dst, 27), 1);
	assert_string_equal(dst, "a=1 kernel.timeslice_ms=25");
	assert_string_equal(cap.lines[0], "boot: command line longer than 26 bytes; dropped "
			    "'pager.policy=lru2'");
	/* Cut right before it, at the space: "a=1" only. */
	assert_int_equal(keep(line, dst, 4), 2);
	assert_string_equal(dst, "a=1");
}

static void test_keep_long_words(void **state)
{
	char line[400], dst[8];

	(void)state;
	/* A first word longer than everything kept leaves nothing. */
	assert_int_equal(keep("kernel.verbose=1", dst, sizeof(dst)), 1);
	assert_string_equal(dst, "");
	assert_string_equal(cap.lines[0], "boot: command line longer than 7 bytes; dropped "
			    "'kernel.verbose=1'");
	/* A word too long to quote is cut in the message, with its length. */
	strcpy(line, "a=1 init.args=");
	memset(line + 14, 'x', 286);
	line[300] = 0;
	assert_int_equal(keep(line, dst, sizeof(dst)), 1);
	assert_string_equal(dst, "a=1 ");
	assert_non_null(strstr(cap.lines[0], "dropped 'init.args=xxxx"));
	assert_non_null(strstr(cap.lines[0], "...' (296 bytes)"));
	assert_true(strlen(cap.lines[0]) < 256);
}

static void test_keep_many_dropped(void **state)
{
	char line[200] = "k=v", dst[4], want[80];
	int words = BOOTARGS_DROPPED_NAMED + 5;

	(void)state;
	for (int i = 0; i < words; i++)
		sprintf(line + strlen(line), " %c=%d", 'a' + i, i);
	assert_int_equal(keep(line, dst, sizeof(dst)), words);
	assert_string_equal(dst, "k=v");
	/* The first ones by name, in order, then a count of the rest. */
	assert_int_equal(cap.n, BOOTARGS_DROPPED_NAMED + 1);
	for (int i = 0; i < BOOTARGS_DROPPED_NAMED; i++) {
		sprintf(want, "boot: command line longer than 3 bytes; dropped '%c=%d'", 'a' + i, i);
		assert_string_equal(cap.lines[i], want);
	}
	assert_string_equal(cap.lines[BOOTARGS_DROPPED_NAMED],
			    "boot: command line longer than 3 bytes; dropped 5 more words");
}

static void test_no_reporter(void **state)
{
	(void)state;
	assert_int_equal(bootargs_parse("foo kernel.verbose=7 x=1", kernel_specs, NK, kv, NULL,
					NULL, NULL, NULL), 3);
	assert_kernel_defaults();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bad_uint),
		cmocka_unit_test(test_uint_limits),
		cmocka_unit_test(test_string_not_empty),
		cmocka_unit_test(test_bad_choice),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv4_host),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_prefix_split),
		cmocka_unit_test(test_not_key_value),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_long_known_list),
		cmocka_unit_test(test_no_reporter),
		cmocka_unit_test(test_keep_fits),
		cmocka_unit_test(test_keep_cuts_between_words),
		cmocka_unit_test(test_keep_long_words),
		cmocka_unit_test(test_keep_many_dropped),
	};

	return cmocka_run_group_tests_name("bootargs", tests, NULL, NULL);
}
