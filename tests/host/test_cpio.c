/*
 * Host tests for lib/cpio.c on archives built here: lookups, iteration, and
 * each kind of damage. Damaged archives sit in exactly-sized heap copies so
 * AddressSanitizer catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpio.h"

#define REG 0100644u
#define DIR 0040755u
#define LNK 0120777u

struct archive {
	uint8_t buf[4096];
	size_t len;
};

static void pad4(struct archive *a)
{
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

/* Append a header with the given magic and fields, then name[0..namebytes). */
static void put_raw(struct archive *a, const char *magic, const uint32_t f[13],
		    const char *name, size_t namebytes)
{
	char text[111];
	int n = snprintf(text, sizeof(text), "%s", magic);

	for (int i = 0; i < 13; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%08X", f[i]);
	assert_int_equal(n, 110);
	memcpy(a->buf + a->len, text, 110);
	memcpy(a->buf + a->len + 110, name, namebytes);
	a->len += 110 + namebytes;
	pad4(a);
}

static void put_entry(struct archive *a, const char *name, uint32_t mode,
		      const char *data, size_t size)
{
	uint32_t f[13] = { 1, mode, 0, 0, 1, 0, (uint32_t)size, 0, 0, 0, 0,
			   (uint32_t)strlen(name) + 1, 0 };

	put_raw(a, "070701", f, name, strlen(name) + 1);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad4(a);
}

static void put_trailer(struct archive *a)
{
	put_entry(a, "TRAILER!!!", 0, "", 0);
}

/* The sample's entries start at 0 (bin), 116 (init), 240 (./pager),
 * 368 (link), 488 (bin/ls: body at 608..611), 612 (empty) and 728 (the
 * trailer); it is 852 bytes long. */
static void sample(struct archive *a)
{
	a->len = 0;
	put_entry(a, "bin", DIR, "", 0);
	put_entry(a, "init", REG, "INIT-ELF", 8);
	put_entry(a, "./pager", REG, "PAGER", 5);
	put_entry(a, "link", LNK, "init", 4);
	put_entry(a, "bin/ls", REG, "LS!", 3);
	put_entry(a, "empty", REG, "", 0);
	put_trailer(a);
}

/* cpio_find on an exactly-sized heap copy of a[0..len). */
static int find_in_copy(const struct archive *a, size_t len, const char *name,
			struct cpio_file *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, a->buf, len);
	err = cpio_find(copy, len, name, out);
	free(copy);
	return err;
}

static void test_find(void **state)
{
	struct archive a;
	struct cpio_file f;

	(void)state;
	sample(&a);
	assert_int_equal(cpio_find(a.buf, a.len, "init", &f), CPIO_OK);
	assert_int_equal(f.size, 8);
	assert_memory_equal(f.data, "INIT-ELF", 8);
	assert_string_equal(f.name, "init");
	assert_int_equal(f.mode, REG);
	assert_int_equal(cpio_find(a.buf, a.len, "./init", &f), CPIO_OK);
	assert_int_equal(cpio_find(a.buf, a.len, "pager", &f), CPIO_OK);
	assert_string_equal(f.name, "./pager");
	assert_memory_equal(f.data, "PAGER", 5);
	assert_int_equal(cpio_find(a.buf, a.len, "bin/ls", &f), CPIO_OK);
	assert_memory_equal(f.data, "LS!", 3);
	assert_int_equal(cpio_find(a.buf, a.len, "empty", &f), CPIO_OK);
	assert_int_equal(f.size, 0);
	/* Directories and symlinks are not files to load. */
	assert_int_equal(cpio_find(a.buf, a.len, "bin", &f), CPIO_ERR_NOTFOUND);
	assert_int_equal(cpio_find(a.buf, a.len, "link", &f), CPIO_ERR_NOTFOUND);
	assert_int_equal(cpio_find(a.buf, a.len, "ini", &f), CPIO_ERR_NOTFOUND);
	assert_int_equal(cpio_find(a.buf, a.len, "initx", &f), CPIO_ERR_NOTFOUND);
	assert_int_equal(cpio_find(a.buf, a.len, "TRAILER!!!", &f), CPIO_ERR_NOTFOUND);
}

static void test_iterate(void **state)
{
	static const char *const names[] = { "bin", "init", "./pager", "link", "bin/ls", "empty" };
	struct archive a;
	struct cpio_file f;
	size_t off = 0;

	(void)state;
	sample(&a);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(cpio_next(a.buf, a.len, &off, &f), CPIO_OK);
		assert_string_equal(f.name, names[i]);
		assert_int_equal(off % 4, 0);
	}
	assert_int_equal(cpio_next(a.buf, a.len, &off, &f), CPIO_END);
	assert_int_equal(off, a.len);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &f), CPIO_ERR_TRUNCATED);
}

static void test_misaligned(void **state)
{
	struct archive a;
	struct cpio_file f;
	uint8_t *shifted = malloc(sizeof(a.buf) + 1);

	(void)state;
	sample(&a);
	memcpy(shifted + 1, a.buf, a.len);
	assert_int_equal(cpio_find(shifted + 1, a.len, "bin/ls", &f), CPIO_OK);
	assert_memory_equal(f.data, "LS!", 3);
	free(shifted);
}

static void test_missing_trailer(void **state)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;

	(void)state;
	put_entry(&a, "init", REG, "abc", 3);
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_OK);
	assert_int_equal(find_in_copy(&a, a.len, "other", &f), CPIO_ERR_TRUNCATED);
	assert_int_equal(find_in_copy(&a, 0, "other", &f), CPIO_ERR_TRUNCATED);
}

/* Header field i (0 = ino ... 12 = check) of the entry at offset o. */
static size_t field(const struct archive *a, size_t o, int i)
{
	char hex[9];

	memcpy(hex, a->buf + o + 6 + 8 * i, 8);
	hex[8] = 0;
	return (size_t)strtoul(hex, NULL, 16);
}

/* What a lookup in a well-formed archive cut to len bytes must say: the part
 * of the entry the cut falls in (the header, the name, the body), or, in a
 * body's padding, that the next header is missing. */
static int cut_error(const struct archive *a, size_t len)
{
	size_t o = 0;

	for (;;) {
		size_t name_end = o + 110 + field(a, o, 11);
		size_t data = (name_end + 3) & ~(size_t)3, body_end = data + field(a, o, 6);

		if (len < o + 110)
			return CPIO_ERR_TRUNCATED;
		if (len < name_end)
			return CPIO_ERR_NAME_PAST_END;
		if (len < body_end)
			return CPIO_ERR_BODY_PAST_END;
		o = (body_end + 3) & ~(size_t)3;
		if (len < o)
			return CPIO_ERR_TRUNCATED;
	}
}

static void test_truncated_everywhere(void **state)
{
	struct archive a;
	struct cpio_file f;
	size_t end_of_trailer_name;

	(void)state;
	sample(&a);
	/* The trailer is 110 + 11 bytes, padded by 3 to end 4-aligned. */
	end_of_trailer_name = a.len - 3;
	assert_int_equal(find_in_copy(&a, end_of_trailer_name, "zzz", &f), CPIO_ERR_NOTFOUND);
	/* Every shorter cut ends inside a header, name or body, or before the
	 * trailer: damage, never "not found", and the kind of damage named. */
	for (size_t len = 0; len < end_of_trailer_name; len++) {
		int err = find_in_copy(&a, len, "zzz", &f);

		assert_true(cpio_damaged(err));
		assert_int_equal(err, cut_error(&a, len));
	}
	/* All three kinds occur in the sample. */
	assert_int_equal(cut_error(&a, 50), CPIO_ERR_TRUNCATED);
	assert_int_equal(cut_error(&a, 112), CPIO_ERR_NAME_PAST_END);
	assert_int_equal(cut_error(&a, 233), CPIO_ERR_BODY_PAST_END);
	assert_int_equal(cut_error(&a, 238), CPIO_ERR_BODY_PAST_END);
	assert_int_equal(cut_error(&a, 366), CPIO_ERR_TRUNCATED);	/* pad of "PAGER" */
}

/* A file stored before the damage is still found whole; a name the walk
 * does not reach is damage, not "no such file". */
static void test_found_before_damage(void **state)
{
	struct archive a;
	struct cpio_file f;
	size_t at, cut = 246;	/* in "./pager"'s header */

	(void)state;
	sample(&a);
	assert_int_equal(find_in_copy(&a, cut, "init", &f), CPIO_OK);
	assert_int_equal(find_in_copy(&a, cut, "bin/ls", &f), CPIO_ERR_TRUNCATED);
	assert_int_equal(find_in_copy(&a, cut, "nosuch", &f), CPIO_ERR_TRUNCATED);
	assert_int_equal(cpio_check(a.buf, cut, &at), CPIO_ERR_TRUNCATED);
	assert_int_equal(at, 240);
}

static void test_check(void **state)
{
	struct archive a;
	size_t at = 99, trailer = 728;

	(void)state;
	sample(&a);
	assert_int_equal(a.len, 852);
	assert_int_equal(cpio_check(a.buf, a.len, &at), CPIO_OK);
	assert_int_equal(at, trailer);
	/* What follows the trailer is not read. */
	a.buf[a.len] = 'x';
	assert_int_equal(cpio_check(a.buf, a.len + 1, &at), CPIO_OK);
	/* Damage is found wherever it is, with the offset of its entry. */
	a.buf[116 + 3] = 'x';	/* the second entry's magic */
	assert_int_equal(cpio_check(a.buf, a.len, &at), CPIO_ERR_MAGIC);
	assert_int_equal(at, 116);
	sample(&a);
	assert_int_equal(cpio_check(a.buf, trailer, &at), CPIO_ERR_TRUNCATED);
	assert_int_equal(at, trailer);
	assert_int_equal(cpio_check(a.buf, 610, &at), CPIO_ERR_BODY_PAST_END);
	assert_int_equal(at, 488);
	assert_int_equal(cpio_check(a.buf, 600, &at), CPIO_ERR_NAME_PAST_END);
	assert_int_equal(at, 488);
	assert_int_equal(cpio_check(a.buf, 0, &at), CPIO_ERR_TRUNCATED);
	assert_int_equal(at, 0);
}

static void test_damaged(void **state)
{
	(void)state;
	assert_false(cpio_damaged(CPIO_OK));
	assert_false(cpio_damaged(CPIO_END));
	assert_false(cpio_damaged(CPIO_ERR_NOTFOUND));
	for (int err = CPIO_ERR_MAGIC; err >= CPIO_ERR_BODY_PAST_END; err--)
		if (err != CPIO_ERR_NOTFOUND)
			assert_true(cpio_damaged(err));
}

static void test_bad_magic(void **state)
{
	struct archive a;
	struct cpio_file f;

	(void)state;
	sample(&a);
	a.buf[5] = '2';		/* 070702: the CRC variant, not accepted */
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_MAGIC);
	sample(&a);
	memcpy(a.buf + 116, "xxxxxx", 6);	/* the second entry: after 110 + "bin" + pad */
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_MAGIC);
}

static void test_bad_hex(void **state)
{
	struct archive a;
	struct cpio_file f;
	/* The first byte of each field: mode, filesize, namesize, check. */
	static const size_t spots[] = { 6 + 8, 6 + 6 * 8 + 3, 6 + 11 * 8 + 7, 6 + 12 * 8 };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		sample(&a);
		a.buf[spots[i]] = 'g';
		assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_BADHEX);
	}
	sample(&a);
	a.buf[6 + 6 * 8] = ' ';
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_BADHEX);
}

static void test_bad_names(void **state)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	uint32_t zero_name[13] = { 1, REG, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint32_t no_nul[13] = { 1, REG, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 0 };

	(void)state;
	put_raw(&a, "070701", zero_name, "", 0);
	put_trailer(&a);
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_BADNAME);
	a.len = 0;
	put_raw(&a, "070701", no_nul, "init", 4);
	put_trailer(&a);
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_BADNAME);
}

static void test_huge_sizes(void **state)
{
	struct archive a = { .len = 0 };
	struct cpio_file f;
	uint32_t huge_file[13] = { 1, REG, 0, 0, 1, 0, 0xffffffffu, 0, 0, 0, 0, 5, 0 };
	uint32_t huge_name[13] = { 1, REG, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xffffffffu, 0 };

	(void)state;
	put_raw(&a, "070701", huge_file, "init", 5);
	put_trailer(&a);
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_BODY_PAST_END);
	a.len = 0;
	put_raw(&a, "070701", huge_name, "init", 5);
	put_trailer(&a);
	assert_int_equal(find_in_copy(&a, a.len, "init", &f), CPIO_ERR_NAME_PAST_END);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int err = CPIO_END; err >= CPIO_ERR_BODY_PAST_END - 1; err--) {
		assert_non_null(cpio_strerror(err));
		assert_true(strlen(cpio_strerror(err)) > 0);
	}
	/* Each kind of damage has its own words. */
	for (int i = CPIO_END; i >= CPIO_ERR_BODY_PAST_END; i--)
		for (int j = i - 1; j >= CPIO_ERR_BODY_PAST_END; j--)
			assert_string_not_equal(cpio_strerror(i), cpio_strerror(j));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_missing_trailer),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_found_before_damage),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_hex),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_huge_sizes),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
