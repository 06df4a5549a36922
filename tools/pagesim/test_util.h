/*
 * What pagesim's host tests share: trace text loaded through a temporary
 * file, and one simulation run, failing the test with the error on the way.
 */
#ifndef PAGESIM_TEST_UTIL_H
#define PAGESIM_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "reclaim/policy/policy.h"
#include "sim.h"
#include "trace.h"

/* The last error a loader or a run wrote, and the last temporary file
 * named (a loader's errors name it). */
extern char test_err[256];
extern char test_tmp_path[64];

/* A fresh temporary file's name, in test_tmp_path (the caller removes the file). */
const char *test_new_tmp(void);
void test_write_file(const char *path, const void *data, size_t len);
/* Text as a trace file: trace_load's result (test_err says why). */
int test_load_text(const char *text, struct trace *t);
/* The same; a failure fails the test. */
void test_load_ok(const char *text, struct trace *t);
/* A run under insertion rule bit (SIM_BIT_*); a failure fails the test. */
struct sim_result test_run(const struct trace *t, const char *name, uint32_t frames,
			   enum sim_insert_bit bit);

/* A trace's text with locality (mostly a small hot set, sometimes any of
 * 60 pages, a fifth written), the same for the same seed; the caller frees it. */
char *test_random_text(uint64_t seed, size_t n);

/* The base of the tests' own policies: it counts what it tracks and
 * chooses nothing by itself (each test supplies isolate). */
struct test_stub {
	uint32_t tracked;
};
struct policy *test_stub_create(uint32_t nframes, uint64_t seed);
void test_stub_destroy(struct policy *p);
void test_stub_insert(struct policy *p, uint32_t frame, uint32_t shadow);
void test_stub_remove(struct policy *p, uint32_t frame);
uint32_t test_stub_tracked(const struct policy *p);

#endif
