/*
 * Boot-argument parsing: "key=value" words checked against a table of known
 * keys. The kernel owns keys that start with "kernel."; the pager owns every
 * other key. Each side parses the whole command line, looks only at its own
 * keys, and reports its unknown keys and bad values by name with what it
 * accepts, keeping the default. Plain C (no kernel or libc headers).
 */
#ifndef LIB_BOOTARGS_H
#define LIB_BOOTARGS_H

#include <stddef.h>
#include <stdint.h>

enum bootarg_type {
	BOOTARG_STRING,		/* text without spaces, < BOOTARG_STR_MAX, at least min long */
	BOOTARG_UINT,		/* decimal, within [min, max] */
	BOOTARG_CHOICE,		/* one of the '|'-separated names in choices */
	BOOTARG_IPV4		/* the word in choices (e.g. "dhcp": num 0), or an IPv4
				 * address a.b.c.d with an optional /prefix (1..30,
				 * default 24) that a host may have (not in 0/8,
				 * 127/8, 224/3, nor its subnet's own or broadcast
				 * address): num = address << 8 | prefix */
};

struct bootarg_spec {
	const char *key;
	enum bootarg_type type;
	const char *def;	/* default, as it would be written */
	const char *choices;	/* BOOTARG_CHOICE: "clock|lru2|fifo|random" */
	uint64_t min, max;	/* BOOTARG_UINT: the range; BOOTARG_STRING: min is the
				 * shortest length accepted (1: an empty value is bad) */
	const char *doc;	/* one line, for the summary and docs */
};

/* A text value's bytes with its NUL. The longest value any boot gives is
 * init.args, which init splits on ',' into its arguments (pager/server/
 * main.c copies it whole): the guest swap suites name eight tests there,
 * 144 bytes (meson.build's guest_slow_tests), the longest list the build
 * passes; 256 leaves room for half as many names again. Not derived from
 * those lists, which lib/ cannot see: a value that outgrows it is refused
 * by name as a bad value (the default used, test_bootargs.c's
 * test_overlong), so a longer list fails loudly at boot, never cut. */
#define BOOTARG_STR_MAX 256

struct bootarg_value {
	uint64_t num;		/* UINT: the number; CHOICE: index in choices;
				 * IPV4: address << 8 | prefix, 0 for the word */
	char str[BOOTARG_STR_MAX]; /* the value in force, as text */
	int given;		/* 1 if taken from the command line */
};

/* Called once per problem with a complete line of text (no newline). */
typedef void (*bootarg_report_fn)(void *ctx, const char *line);

/*
 * Parse cmdline (NUL-terminated, may be NULL) against specs[0..n). values[i]
 * always ends up holding a valid value for specs[i]: the given one if it was
 * good, else the default. Words whose key starts with skip_prefix (if not
 * NULL), or does not start with only_prefix (if not NULL), belong to someone
 * else and are passed over silently. Reported: an unknown key (with the list
 * of known keys), a bad value (with the accepted values or range and the
 * default used), a word without '=', a key given twice (the last one wins).
 * Returns the number of problems reported.
 */
int bootargs_parse(const char *cmdline, const struct bootarg_spec *specs, size_t n,
		   struct bootarg_value *values, const char *only_prefix,
		   const char *skip_prefix, bootarg_report_fn report, void *ctx);

/*
 * Copy the command line src[0..len) (it ends early at a NUL; src may be NULL)
 * into dst, cap >= 1 bytes with the NUL, keeping whole words only: when it is
 * longer than cap - 1 bytes, the copy ends before the first word that does
 * not fit entirely, so a cut word is never parsed as a value. Each word
 * dropped is reported by name ("boot: command line longer than N bytes;
 * dropped 'word'"), the first BOOTARGS_DROPPED_NAMED of them, then how many
 * more. Returns the number of words dropped.
 */
#define BOOTARGS_DROPPED_NAMED 16
size_t bootargs_keep(const char *src, size_t len, char *dst, size_t cap,
		     bootarg_report_fn report, void *ctx);

#endif
