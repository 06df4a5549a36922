/*
 * Host tests for pagesim's trace readers: comments, CRLF, R/W marks, gzip,
 * CSV columns and headers, and errors named by line.
 */
#define _DEFAULT_SOURCE		/* mkstemps */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "sim.h"
#include "test_util.h"
#include "trace.h"

/* ---- the reader ---- */

static void test_parse_marks_comments(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("# a comment\n* checkpoint 1\n\n5\n  7 W\n5\tR\n \t\n"
		"18446744073709551615 W  \n0\n7", &t);
	assert_int_equal(t.nrefs, 6);
	assert_int_equal(t.npages, 4);
	assert_int_equal(t.refs[0].page, 5);
	assert_int_equal(t.refs[0].write, 0);
	assert_int_equal(t.refs[1].page, 7);
	assert_int_equal(t.refs[1].write, 1);
	assert_int_equal(t.refs[2].write, 0);
	assert_true(t.refs[3].page == UINT64_MAX);
	assert_int_equal(t.refs[3].write, 1);
	/* Dense numbers in order of first use. */
	assert_int_equal(t.dense[0], 0);
	assert_int_equal(t.dense[1], 1);
	assert_int_equal(t.dense[2], 0);
	assert_int_equal(t.dense[3], 2);
	assert_int_equal(t.dense[4], 3);
	assert_int_equal(t.dense[5], 1);
	trace_free(&t);
}

static void test_parse_crlf(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("*\r\n1\r\n2 W\r\n\r\n1\r\n", &t);
	assert_int_equal(t.nrefs, 3);
	assert_int_equal(t.npages, 2);
	assert_int_equal(t.refs[1].page, 2);
	assert_int_equal(t.refs[1].write, 1);
	trace_free(&t);
}

static void test_parse_empty(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("", &t);
	assert_int_equal(t.nrefs, 0);
	assert_int_equal(t.npages, 0);
	trace_free(&t);
}

/* Every malformed line is refused, with the file and its line number. */
static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"abc", "12x", "5 Q", "5 W x", "5 WW", "-1", "+1", "0x10", "5 w",
		"18446744073709551616", "1 2", "5\rW", " # indented comment",
	};
	struct trace t;
	char text[128], want[96];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# header\n1\n\n%s\n2\n", bad[i]);
		assert_int_equal(test_load_text(text, &t), -1);
		snprintf(want, sizeof(want), "%s:4: ", test_tmp_path);
		if (strncmp(test_err, want, strlen(want)))
			fail_msg("'%s': error '%s' does not start with '%s'", bad[i], test_err, want);
		assert_null(t.refs);
	}
}

static void test_parse_missing_file(void **state)
{
	struct trace t;

	(void)state;
	assert_int_equal(trace_load("/nonexistent/pagesim.trace", &t, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "/nonexistent/pagesim.trace"));
}

static void write_gz(const char *path, const char *text)
{
	gzFile gz = gzopen(path, "wb");

	assert_non_null(gz);
	assert_int_equal(gzputs(gz, text), (int)strlen(text));
	assert_int_equal(gzclose(gz), Z_OK);
}

static void test_parse_gzip(void **state)
{
	struct trace t;
	const char *path = test_new_tmp();

	(void)state;
	write_gz(path, "* start\r\n3 W\r\n4\r\n3\r\n");
	assert_int_equal(trace_load(path, &t, test_err, sizeof(test_err)), 0);
	assert_int_equal(t.nrefs, 3);
	assert_int_equal(t.npages, 2);
	assert_int_equal(t.refs[0].page, 3);
	assert_int_equal(t.refs[0].write, 1);
	trace_free(&t);
	unlink(path);
}

/* A gzip file cut short is an error, not a shorter trace. */
static void test_parse_gzip_truncated(void **state)
{
	char text[8192], data[8192];
	struct trace t;
	const char *path = test_new_tmp();
	FILE *f;
	size_t len, n = 0;

	(void)state;
	for (int i = 0; n + 16 < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%d\n", i * 7919 % 10007);
	write_gz(path, text);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	assert_true(len > 64);
	test_write_file(path, data, len / 2);
	assert_int_equal(trace_load(path, &t, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, path));
	unlink(path);
}

/* ---- CSV ---- */

/* Load text as a CSV trace with options o; the result of trace_load_with.
 * The file is named *.csv, so the automatic format finds CSV too. */
static int load_csv(const char *text, const struct trace_options *o, struct trace *t)
{
	int fd, r;

	snprintf(test_tmp_path, sizeof(test_tmp_path), "/tmp/pagesim-test-XXXXXX.csv");
	fd = mkstemps(test_tmp_path, 4);
	assert_true(fd >= 0);
	close(fd);
	test_write_file(test_tmp_path, text, strlen(text));
	r = trace_load_with(test_tmp_path, o, t, test_err, sizeof(test_err));
	unlink(test_tmp_path);
	return r;
}

static void csv_ok(const char *text, const struct trace_options *o, struct trace *t)
{
	if (load_csv(text, o, t))
		fail_msg("trace_load_with: %s", test_err);
}

/* libCacheSim's layout with a header: the page and operation columns are
 * found by name, blanks and CRLF ignored, hex accepted. */
static void test_csv_header(void **state)
{
	const struct trace_options autodetect = { 0 };
	struct trace t;

	(void)state;
	csv_ok("# a libCacheSim trace\ntime,obj_id,obj_size,op\n1,5,4096,read\n"
	       "2, 7 ,4096,WRITE\r\n\n3,0x10,4096,get\n4,5,4096,set\n5,18446744073709551615,1,\n",
	       &autodetect, &t);
	assert_int_equal(t.nrefs, 5);
	assert_int_equal(t.npages, 4);
	assert_int_equal(t.refs[0].page, 5);
	assert_int_equal(t.refs[0].write, 0);
	assert_int_equal(t.refs[1].page, 7);
	assert_int_equal(t.refs[1].write, 1);
	assert_int_equal(t.refs[2].page, 16);
	assert_int_equal(t.refs[2].write, 0);
	assert_int_equal(t.refs[3].write, 1);
	assert_true(t.refs[4].page == UINT64_MAX);
	assert_int_equal(t.dense[3], 0);
	trace_free(&t);

	csv_ok("Type;Key\nw;3\nr;4\n", &(struct trace_options){ .delimiter = ';' }, &t);
	assert_int_equal(t.nrefs, 2);
	assert_int_equal(t.refs[0].page, 3);
	assert_int_equal(t.refs[0].write, 1);
	trace_free(&t);
}

/* No header: one column needs no option; several need --csv-id-col, and
 * the operation's column is optional. Options beat a header's names. */
static void test_csv_columns(void **state)
{
	struct trace_options o = { .format = TRACE_CSV };
	struct trace t;

	(void)state;
	csv_ok("9\n8\n9\n", &o, &t);
	assert_int_equal(t.nrefs, 3);
	assert_int_equal(t.npages, 2);
	trace_free(&t);
	o.id_col = 2;
	o.op_col = 3;
	csv_ok("100\t5\tw\n101\t6\tr\n", &(struct trace_options){ TRACE_CSV, 2, 3, '\t' }, &t);
	assert_int_equal(t.refs[0].page, 5);
	assert_int_equal(t.refs[0].write, 1);
	assert_int_equal(t.refs[1].write, 0);
	trace_free(&t);
	o.op_col = 0;
	csv_ok("time,id\n1,2\n", &(struct trace_options){ TRACE_CSV, 1, 0, 0 }, &t);
	assert_int_equal(t.refs[0].page, 1);
	trace_free(&t);
}

/* Every malformed CSV line is refused with the file and its line. */
static void test_csv_errors(void **state)
{
	static const struct {
		const char *text;
		const char *line;	/* ":N: " expected */
		const char *why;
	} bad[] = {
		{ "time,obj_id\n1,abc\n", ":2: ", "not a number" },
		{ "time,obj_id\n1,-4\n", ":2: ", "not a number" },
		{ "time,obj_id\n1,18446744073709551616\n", ":2: ", "not a number" },
		{ "time,obj_id\n1,0x\n", ":2: ", "not a number" },
		{ "time,obj_id\n1,\n", ":2: ", "not a number" },
		{ "time,obj_id,op\n1,2,3\n1,2,erase\n", ":2: ", "operation" },
		{ "time,obj_id,op\n1,2\n", ":2: ", "too few fields" },
		{ "time,size\n1,2\n", ":1: ", "no obj_id" },
		{ "1,2\n3,4\n", ":1: ", "--csv-id-col" },
		{ "time,obj_id\n1,\"2\"\n", ":2: ", "quoted" },
		{ "# c\n\ntime,obj_id\n1,2\n1,2 3\n", ":5: ", "not a number" },
	};
	const struct trace_options o = { .format = TRACE_CSV };
	struct trace t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load_csv(bad[i].text, &o, &t), -1);
		if (!strstr(test_err, test_tmp_path) || !strstr(test_err, bad[i].line) || !strstr(test_err, bad[i].why))
			fail_msg("'%s': error '%s' lacks '%s' or '%s'", bad[i].text, test_err, bad[i].line,
				 bad[i].why);
		assert_null(t.refs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_marks_comments),
		cmocka_unit_test(test_parse_crlf),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_missing_file),
		cmocka_unit_test(test_parse_gzip),
		cmocka_unit_test(test_parse_gzip_truncated),
		cmocka_unit_test(test_csv_header),
		cmocka_unit_test(test_csv_columns),
		cmocka_unit_test(test_csv_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
