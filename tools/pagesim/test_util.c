/*
 * What pagesim's host tests share (test_util.h): a trace from text through
 * a temporary file, and a simulation run that fails the test on an error.
 */
#define _DEFAULT_SOURCE		/* mkstemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_util.h"

char test_err[256];
char test_tmp_path[64];

void test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

const char *test_new_tmp(void)
{
	int fd;

	snprintf(test_tmp_path, sizeof(test_tmp_path), "/tmp/pagesim-test-XXXXXX");
	fd = mkstemp(test_tmp_path);
	assert_true(fd >= 0);
	close(fd);
	return test_tmp_path;
}

int test_load_text(const char *text, struct trace *t)
{
	const char *path = test_new_tmp();
	int r;

	test_write_file(path, text, strlen(text));
	r = trace_load(path, t, test_err, sizeof(test_err));
	unlink(path);
	return r;
}

void test_load_ok(const char *text, struct trace *t)
{
	if (test_load_text(text, t))
		fail_msg("trace_load: %s", test_err);
}

struct sim_result test_run(const struct trace *t, const char *name, uint32_t frames,
			   enum sim_insert_bit bit)
{
	struct sim_params p = { .frames = frames, .seed = 1, .insert_bit = bit };
	struct sim_result r;

	if (sim_run(t, name, &p, &r, test_err, sizeof(test_err)))
		fail_msg("%s at %u frames: %s", name, frames, test_err);
	return r;
}

static uint32_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* A trace with locality: mostly a small hot set, sometimes anything. */
char *test_random_text(uint64_t seed, size_t n)
{
	char *text = malloc(n * 16 + 1);
	size_t len = 0;

	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		uint32_t r = rng_next(&seed);
		uint32_t page = r % 4 ? r / 4 % 12 : r / 4 % 60;

		len += (size_t)sprintf(text + len, "%u%s\n", page, rng_next(&seed) % 5 ? "" : " W");
	}
	text[len] = '\0';
	return text;
}

struct policy *test_stub_create(uint32_t nframes, uint64_t seed)
{
	(void)nframes;
	(void)seed;
	return calloc(1, sizeof(struct test_stub));
}

void test_stub_destroy(struct policy *p)
{
	free(p);
}

void test_stub_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	(void)frame;
	(void)shadow;
	((struct test_stub *)p)->tracked++;
}

void test_stub_remove(struct policy *p, uint32_t frame)
{
	(void)p;
	(void)frame;
}

uint32_t test_stub_tracked(const struct policy *p)
{
	return ((const struct test_stub *)p)->tracked;
}
