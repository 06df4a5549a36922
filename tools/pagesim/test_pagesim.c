/*
 * Host tests for pagesim: the trace reader (comments, CRLF, R/W marks, gzip,
 * errors by line) and the simulations (textbook fault counts, write-backs,
 * the insertion rule, policies that fail, LRU and OPT against naive ones).
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
#include "trace.h"

#define CLASSIC "7\n0\n1\n2\n0\n3\n0\n4\n2\n3\n0\n3\n2\n1\n2\n0\n1\n7\n0\n1\n"

static char tmp_path[64];
static char err[256];

/* ---- helpers ---- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A fresh temporary file name in tmp_path; each test removes its file. */
static const char *new_tmp(void)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/pagesim-test-XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	close(fd);
	return tmp_path;
}

/* Load text as a trace file; the result of trace_load. */
static int load_text(const char *text, struct trace *t)
{
	const char *path = new_tmp();
	int r;

	write_file(path, text, strlen(text));
	r = trace_load(path, t, err, sizeof(err));
	unlink(path);
	return r;
}

static void load_ok(const char *text, struct trace *t)
{
	if (load_text(text, t))
		fail_msg("trace_load: %s", err);
}

/* A run under insertion rule bit (SIM_BIT_*). */
static struct sim_result run(const struct trace *t, const char *name, uint32_t frames,
			     enum sim_insert_bit bit)
{
	struct sim_params p = { .frames = frames, .seed = 1, .insert_bit = bit };
	struct sim_result r;

	if (sim_run(t, name, &p, &r, err, sizeof(err)))
		fail_msg("%s at %u frames: %s", name, frames, err);
	return r;
}

/* ---- the reader ---- */

static void test_parse_marks_comments(void **state)
{
	struct trace t;

	(void)state;
	load_ok("# a comment\n* checkpoint 1\n\n5\n  7 W\n5\tR\n \t\n"
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
	load_ok("*\r\n1\r\n2 W\r\n\r\n1\r\n", &t);
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
	load_ok("", &t);
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
		assert_int_equal(load_text(text, &t), -1);
		snprintf(want, sizeof(want), "%s:4: ", tmp_path);
		if (strncmp(err, want, strlen(want)))
			fail_msg("'%s': error '%s' does not start with '%s'", bad[i], err, want);
		assert_null(t.refs);
	}
}

static void test_parse_missing_file(void **state)
{
	struct trace t;

	(void)state;
	assert_int_equal(trace_load("/nonexistent/pagesim.trace", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/pagesim.trace"));
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
	const char *path = new_tmp();

	(void)state;
	write_gz(path, "* start\r\n3 W\r\n4\r\n3\r\n");
	assert_int_equal(trace_load(path, &t, err, sizeof(err)), 0);
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
	const char *path = new_tmp();
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
	write_file(path, data, len / 2);
	assert_int_equal(trace_load(path, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	unlink(path);
}

/* ---- CSV ---- */

/* Load text as a CSV trace with options o; the result of trace_load_with.
 * The file is named *.csv, so the automatic format finds CSV too. */
static int load_csv(const char *text, const struct trace_options *o, struct trace *t)
{
	int fd, r;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/pagesim-test-XXXXXX.csv");
	fd = mkstemps(tmp_path, 4);
	assert_true(fd >= 0);
	close(fd);
	write_file(tmp_path, text, strlen(text));
	r = trace_load_with(tmp_path, o, t, err, sizeof(err));
	unlink(tmp_path);
	return r;
}

static void csv_ok(const char *text, const struct trace_options *o, struct trace *t)
{
	if (load_csv(text, o, t))
		fail_msg("trace_load_with: %s", err);
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
		if (!strstr(err, tmp_path) || !strstr(err, bad[i].line) || !strstr(err, bad[i].why))
			fail_msg("'%s': error '%s' lacks '%s' or '%s'", bad[i].text, err, bad[i].line,
				 bad[i].why);
		assert_null(t.refs);
	}
}

/* ---- simulations ---- */

/* The textbook string at 3 frames: OPT 9 faults, LRU 12, FIFO 15. */
static void test_classic_string(void **state)
{
	struct trace t;

	(void)state;
	load_ok(CLASSIC, &t);
	assert_int_equal(t.nrefs, 20);
	assert_int_equal(run(&t, "opt", 3, 1).faults, 9);
	assert_int_equal(run(&t, "lru", 3, 1).faults, 12);
	assert_int_equal(run(&t, "fifo", 3, 1).faults, 15);
	assert_int_equal(run(&t, "fifo", 3, 0).faults, 15);	/* FIFO ignores bits */
	assert_int_equal(run(&t, "opt", 3, 1).refs, 20);
	assert_int_equal(run(&t, "opt", 4, 1).faults, 8);
	assert_int_equal(run(&t, "lru", 4, 1).faults, 8);
	trace_free(&t);
}

/* Belady's anomaly: FIFO faults more with 4 frames than with 3. */
static void test_fifo_anomaly(void **state)
{
	struct trace t;

	(void)state;
	load_ok("1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n", &t);
	assert_int_equal(run(&t, "fifo", 3, 1).faults, 9);
	assert_int_equal(run(&t, "fifo", 4, 1).faults, 10);
	trace_free(&t);
}

/*
 * The insertion rule, through CLOCK at 2 frames on 1 2 3 2 1 3. Bit set on
 * fault: 3 sweeps both bits clear and evicts 1 (hand now at frame 1); 2
 * hits; 1 clears 2's bit and 3's, then evicts 2; 3 hits: 4 faults. Bit
 * clear: 3 evicts 1 at once; 2 hits; 1 clears 2's bit, evicts 3; 3 misses.
 * CLOCK's own rule is the classic one, clear; lru2's is set (its first
 * look discounts the fault), and either forced on it changes its run.
 */
static void test_insertion_rule_clock(void **state)
{
	struct trace t;

	(void)state;
	load_ok("1\n2\n3\n2\n1\n3\n", &t);
	assert_int_equal(run(&t, "clock", 2, SIM_BIT_SET).faults, 4);
	assert_int_equal(run(&t, "clock", 2, SIM_BIT_CLEAR).faults, 5);
	assert_int_equal(run(&t, "clock", 2, SIM_BIT_POLICY).faults, 5);
	assert_int_equal(sim_fault_bit(policy_find("clock"), SIM_BIT_POLICY), 0);
	assert_int_equal(sim_fault_bit(policy_find("lru2"), SIM_BIT_POLICY), 1);
	assert_int_equal(sim_fault_bit(policy_find("lru2"), SIM_BIT_CLEAR), 0);
	assert_int_equal(sim_fault_bit(policy_find("clock"), SIM_BIT_SET), 1);
	trace_free(&t);
}

/* At one frame every policy must evict the only page, so every reference
 * faults. The dirty evictions are 1 (written as it came in) and 2 (its second
 * stay); 1's second stay is clean, and 3 W is still resident at the end.
 * Under both insertion rules. */
static void test_writebacks_every_policy(void **state)
{
	struct trace t;

	(void)state;
	load_ok("1 W\n2\n1\n2 W\n3 W\n", &t);
	for (size_t i = 0; policy_all[i]; i++) {
		for (int bit = SIM_BIT_POLICY; bit <= SIM_BIT_SET; bit++) {
			struct sim_result r = run(&t, policy_all[i]->name, 1,
						  (enum sim_insert_bit)bit);

			assert_int_equal(r.faults, 5);
			assert_int_equal(r.writebacks, 2);
		}
	}
	assert_int_equal(run(&t, "lru", 1, 1).writebacks, 2);
	assert_int_equal(run(&t, "opt", 1, 1).writebacks, 2);
	trace_free(&t);
}

/* A write on a hit dirties the page too: 4 faults (2 hits), and 2, written
 * only on its hit, is written back when 1 returns. */
static void test_writeback_after_hit(void **state)
{
	static const char *const names[] = { "clock", "lru2", "fifo", "random", "lru", "opt" };
	struct trace t;

	(void)state;
	load_ok("1 W\n2\n2 W\n1\n3\n", &t);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sim_result r = run(&t, names[i], 1, 1);

		assert_int_equal(r.faults, 4);
		assert_int_equal(r.writebacks, 2);
	}
	trace_free(&t);
}

/* LRU evicts the dirty page used least recently; OPT, with neither page
 * used again, evicts the clean one. */
static void test_writebacks_lru_opt(void **state)
{
	struct trace t;

	(void)state;
	load_ok("1 W\n2\n3\n", &t);
	assert_int_equal(run(&t, "lru", 2, 1).writebacks, 1);
	assert_int_equal(run(&t, "opt", 2, 1).writebacks, 0);
	assert_int_equal(run(&t, "fifo", 2, 1).writebacks, 1);
	trace_free(&t);
}

/* More frames than pages: only the first references fault, for every
 * policy; no frames at all is refused. */
static void test_frames_edges(void **state)
{
	static const char *const refs[] = { "clock", "lru2", "fifo", "random", "lru", "opt" };
	struct sim_params zero = { .frames = 0, .seed = 1, .insert_bit = SIM_BIT_POLICY };
	struct sim_result r;
	struct trace t;

	(void)state;
	load_ok(CLASSIC, &t);
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		assert_true(sim_known(refs[i]));
		assert_int_equal(run(&t, refs[i], 6, 1).faults, 6);
		assert_int_equal(run(&t, refs[i], 4000000000u, 1).faults, 6);
		assert_int_equal(sim_run(&t, refs[i], &zero, &r, err, sizeof(err)), -1);
	}
	assert_false(sim_known("belady"));
	assert_int_equal(sim_run(&t, "belady", &zero, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lru|opt"));
	trace_free(&t);
}

/* ---- a policy that breaks the contract ---- */

struct stub {
	uint32_t tracked;
};

static struct policy *stub_create(uint32_t nframes, uint64_t seed)
{
	(void)nframes;
	(void)seed;
	return calloc(1, sizeof(struct stub));
}

static void stub_destroy(struct policy *p)
{
	free(p);
}

static void stub_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	(void)frame;
	(void)shadow;
	((struct stub *)p)->tracked++;
}

static void stub_remove(struct policy *p, uint32_t frame)
{
	(void)p;
	(void)frame;
}

/* What isolate answers: after stub_empty calls in a row that name no
 * victim, stub_count victims, frame stub_answer. stub_calls counts calls. */
static uint32_t stub_answer, stub_count, stub_empty, stub_calls;
static uint32_t stub_empty_left;

static uint32_t stub_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	(void)env;
	(void)max;
	stub_calls++;
	if (stub_empty_left) {
		stub_empty_left--;
		return 0;
	}
	stub_empty_left = stub_empty;
	if (stub_count) {
		victims[0] = stub_answer;
		((struct stub *)p)->tracked--;
	}
	return stub_count;
}

static uint32_t stub_tracked(const struct policy *p)
{
	return ((const struct stub *)p)->tracked;
}

static const struct policy_ops stub_ops = {
	.name = "stub", .summary = "test", .create = stub_create, .destroy = stub_destroy,
	.insert = stub_insert, .remove = stub_remove, .isolate = stub_isolate,
	.tracked = stub_tracked,
};

/* Run the stub on t with isolate answering as given; sim_policy's result. */
static int run_stub(const struct trace *t, uint32_t empty, uint32_t count, uint32_t answer,
		    struct sim_result *r)
{
	struct sim_params p = { .frames = 2, .seed = 1, .insert_bit = SIM_BIT_SET };

	stub_empty = stub_empty_left = empty;
	stub_count = count;
	stub_answer = answer;
	stub_calls = 0;
	return sim_policy(t, &stub_ops, &p, r, err, sizeof(err));
}

/* As in the pager's swapper, a call that names no victim is followed by up
 * to two more. No victim in all three (every frame evictable), or a frame that
 * does not exist: the run fails with a message, it is not worked around. */
static void test_policy_without_victim(void **state)
{
	struct sim_result r;
	struct trace t;

	(void)state;
	load_ok("1\n2\n3\n4\n", &t);
	/* The second call names the victim: two misses, two calls each. */
	assert_int_equal(run_stub(&t, 1, 1, 1, &r), 0);
	assert_int_equal(r.faults, 4);
	assert_int_equal(stub_calls, 4);
	/* The third call names it: three calls per eviction. */
	assert_int_equal(run_stub(&t, 2, 1, 1, &r), 0);
	assert_int_equal(stub_calls, 6);
	/* None in three calls: an error, and no fourth call. */
	assert_int_equal(run_stub(&t, 3, 1, 1, &r), -1);
	assert_non_null(strstr(err, "no victim"));
	assert_non_null(strstr(err, "three calls"));
	assert_int_equal(stub_calls, 3);
	assert_int_equal(run_stub(&t, 0, 0, 0, &r), -1);
	assert_non_null(strstr(err, "no victim"));
	assert_int_equal(stub_calls, 3);
	/* A frame out of range, or too many victims. */
	assert_int_equal(run_stub(&t, 0, 1, 7, &r), -1);
	assert_non_null(strstr(err, "frame 7"));
	assert_int_equal(run_stub(&t, 0, 2, 1, &r), -1);
	assert_non_null(strstr(err, "gave 2 victims"));
	/* One call, one victim: no second call. */
	assert_int_equal(run_stub(&t, 0, 1, 1, &r), 0);
	assert_int_equal(r.faults, 4);
	assert_int_equal(stub_calls, 2);
	trace_free(&t);
}

/* ---- LRU and OPT against the obvious quadratic versions ---- */

static uint32_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* A trace with locality: mostly a small hot set, sometimes anything. */
static char *random_text(uint64_t seed, size_t n)
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

/* Naive LRU and OPT: resident[] scanned on every miss. */
static void naive(const struct trace *t, uint32_t frames, int opt, struct sim_result *r)
{
	uint32_t res[64], n = 0;
	size_t last[64];
	uint8_t dirty[64];

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t p = t->dense[i], k;

		for (k = 0; k < n && res[k] != p; k++)
			;
		if (k == n) {
			r->faults++;
			if (n == frames) {
				size_t best = 0, best_key = 0;

				for (uint32_t j = 0; j < n; j++) {
					size_t key = SIZE_MAX - last[j];	/* LRU: oldest */

					if (opt) {
						for (key = i + 1; key < t->nrefs && t->dense[key] != res[j]; key++)
							;
						key = key * 2 + !dirty[j];	/* farthest; clean first on ties */
					}
					if (key > best_key || j == 0) {
						best = j;
						best_key = key;
					}
				}
				r->writebacks += dirty[best];
				k = (uint32_t)best;
			} else {
				k = n++;
			}
			res[k] = p;
			dirty[k] = 0;
		}
		last[k] = i;
		dirty[k] |= t->refs[i].write;
	}
}

static void test_lru_opt_match_naive(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		char *text = random_text(seed, 3000);
		struct trace t;

		load_ok(text, &t);
		free(text);
		for (uint32_t frames = 1; frames <= 64 && frames <= t.npages; frames += 3) {
			struct sim_result want, lru = run(&t, "lru", frames, 1);
			struct sim_result opt = run(&t, "opt", frames, 1);

			naive(&t, frames, 0, &want);
			assert_int_equal(lru.faults, want.faults);
			assert_int_equal(lru.writebacks, want.writebacks);
			naive(&t, frames, 1, &want);
			assert_int_equal(opt.faults, want.faults);
			assert_int_equal(opt.writebacks, want.writebacks);
			/* OPT is optimal: no other policy beats it, under
			 * either insertion rule. */
			assert_true(opt.faults <= lru.faults);
			for (size_t k = 0; policy_all[k]; k++) {
				for (int bit = SIM_BIT_POLICY; bit <= SIM_BIT_SET; bit++)
					assert_true(opt.faults <=
						    run(&t, policy_all[k]->name, frames,
							(enum sim_insert_bit)bit).faults);
			}
		}
		trace_free(&t);
	}
}

/* The same seed gives the same run, so random's numbers repeat. */
static void test_seed_repeats(void **state)
{
	struct sim_params p = { .frames = 20, .seed = 42, .insert_bit = SIM_BIT_POLICY };
	struct sim_result a, b;
	char *text = random_text(9, 3000);
	struct trace t;

	(void)state;
	load_ok(text, &t);
	free(text);
	assert_int_equal(sim_run(&t, "random", &p, &a, err, sizeof(err)), 0);
	assert_int_equal(sim_run(&t, "random", &p, &b, err, sizeof(err)), 0);
	assert_int_equal(a.faults, b.faults);
	assert_int_equal(a.writebacks, b.writebacks);
	trace_free(&t);
}

/* ---- the experiments: late clearing, victims in batches ---- */

/* A run with the fault's bit cleared delay faults late (sim_params), victims
 * per look. */
static struct sim_result run_late(const struct trace *t, const char *name, uint32_t frames,
				  uint32_t delay, uint32_t victims)
{
	struct sim_params p = { .frames = frames, .seed = 1, .insert_bit = SIM_BIT_POLICY,
				.clear_delay = delay, .victims = victims };
	struct sim_result r;

	if (sim_run(t, name, &p, &r, err, sizeof(err)))
		fail_msg("%s at %u frames, delay %u: %s", name, frames, delay, err);
	return r;
}

/*
 * The late clearing, through CLOCK at 3 frames on 1 2 1 3 4 1. Cleared at
 * once (delay 0), 1's hit counts: 4 evicts 2 (the hand clears 1's bit and
 * passes), and 1 hits: 4 faults. Delay 1: 1's bit is cleared at fault 2,
 * before its hit, which still counts: 4 faults. Delay 2 or 3: the hit
 * comes while the fault's bit is still set and is lost with it; 4 finds 1
 * unreferenced and evicts it, and 1 faults again: 5. A delay longer than the
 * time to the next look is cut by the look (the pager clears before it
 * looks): a delay of 1000 faults gives what 3 gives.
 */
static void test_clear_delay_loses_references(void **state)
{
	struct trace t;

	(void)state;
	load_ok("1\n2\n1\n3\n4\n1\n", &t);
	assert_int_equal(run_late(&t, "clock", 3, 0, 1).faults, 4);
	assert_int_equal(run_late(&t, "clock", 3, 1, 1).faults, 4);
	assert_int_equal(run_late(&t, "clock", 3, 2, 1).faults, 5);
	assert_int_equal(run_late(&t, "clock", 3, 3, 1).faults, 5);
	assert_int_equal(run_late(&t, "clock", 3, 1000, 1).faults, 5);
	/* lru2 counts the fault: nothing to clear late. FIFO never looks. */
	assert_int_equal(run_late(&t, "lru2", 3, 2, 1).faults, run_late(&t, "lru2", 3, 0, 1).faults);
	assert_int_equal(run_late(&t, "fifo", 3, 2, 1).faults, run_late(&t, "fifo", 3, 0, 1).faults);
	trace_free(&t);
}

/* A policy that, asked for victims, reads the bits of frames 0 to
 * peek_frames - 1 (peek_seen: bit f set if frame f was referenced) and names
 * frames 0 to max - 1 (at most peek_frames); peek_looks counts its calls. */
static uint32_t peek_seen, peek_frames, peek_looks;

static uint32_t peek_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	uint32_t n = max < peek_frames ? max : peek_frames;

	peek_looks++;
	peek_seen = 0;
	for (uint32_t f = 0; f < peek_frames; f++)
		peek_seen |= (uint32_t)env->referenced(env->ctx, f) << f;
	for (uint32_t k = 0; k < n; k++)
		victims[k] = k;
	((struct stub *)p)->tracked -= n;
	return n;
}

static const struct policy_ops peek_ops = {
	.name = "peek", .summary = "test", .create = stub_create, .destroy = stub_destroy,
	.insert = stub_insert, .remove = stub_remove, .isolate = peek_isolate,
	.tracked = stub_tracked,
};

/* What peek must see at the last look on a trace at frames, per rule and
 * victims per look (0: the default, one). */
struct peek_case {
	enum sim_insert_bit bit;
	uint32_t delay, note;
	uint32_t want;		/* peek_seen */
	uint32_t victims;
};

/* What peek saw at the last look of a run at frames under case c. */
static uint32_t peek_at_look(const struct trace *t, uint32_t frames, const struct peek_case *c)
{
	struct sim_params p = { .frames = frames, .seed = 1, .insert_bit = c->bit,
				.clear_delay = c->delay, .clear_note = c->note,
				.victims = c->victims };
	struct sim_result r;

	peek_seen = UINT32_MAX;
	peek_frames = frames;
	peek_looks = 0;
	if (sim_policy(t, &peek_ops, &p, &r, err, sizeof(err)))
		fail_msg("peek, delay %u: %s", c->delay, err);
	return peek_seen;
}

static void check_peeks(const char *text, uint32_t frames, const struct peek_case *c, size_t n)
{
	struct trace t;

	load_ok(text, &t);
	for (size_t k = 0; k < n; k++) {
		uint32_t seen = peek_at_look(&t, frames, &c[k]);

		if (seen != c[k].want)
			fail_msg("%s at %u frames, delay %u, note %u, victims %u: saw %#x, want %#x",
				 text, frames, c[k].delay, c[k].note, c[k].victims, seen, c[k].want);
	}
	trace_free(&t);
}

/*
 * The look clears the note first, as the pager clears it before the policy
 * looks: on 1 2 1 3 at 2 frames, the look at 3 sees 1's hit (frame 0) when
 * the fault's bit is cleared at once or at fault 2 (delay 1), and nothing
 * under a delay still running at the look, however long: 1's hit is lost
 * and 2's fault bit is cleared, not seen. With the bit set and never cleared,
 * both frames look referenced.
 *
 * Between looks, with 2 victims per look at 3 frames, on 1 2 3 4 5 4 5 6:
 * faults 1-3 fill the frames; the look at fault 4 frees frames 0 and 1: 4
 * takes frame 0, and 5 (fault 5) frame 1 with no look; then 4 and 5 are
 * referenced, and the look at fault 6 reads the bits. Delay 0: both hits
 * seen (frames 0 and 1). Delay 1, shorter than the two faults between looks:
 * 4's bit is cleared at fault 5, before its hit, which counts; 5's is due at
 * fault 6, so its hit is lost: frame 0 only. Delay 2 (the look interval) or
 * more: 4's bit is also due at fault 6, its hit lost too: nothing. A note of
 * 1 frame clears 4 as 5 comes (as delay 1); a note of 2 holds both to the
 * look.
 */
static void test_clear_delay_cut_by_look(void **state)
{
	static const struct peek_case one_per_look[] = {
		{ SIM_BIT_CLEAR, 0, 0, 1, 1 }, { SIM_BIT_CLEAR, 1, 0, 1, 1 },
		{ SIM_BIT_CLEAR, 2, 0, 0, 1 }, { SIM_BIT_CLEAR, 1000, 0, 0, 1 },
		{ SIM_BIT_CLEAR, 0, 1000, 0, 1 }, { SIM_BIT_SET, 0, 0, 3, 1 },
	};
	static const struct peek_case two_per_look[] = {
		{ SIM_BIT_CLEAR, 0, 0, 3, 2 }, { SIM_BIT_CLEAR, 1, 0, 1, 2 },
		{ SIM_BIT_CLEAR, 2, 0, 0, 2 }, { SIM_BIT_CLEAR, 1000, 0, 0, 2 },
		{ SIM_BIT_CLEAR, 0, 1, 1, 2 }, { SIM_BIT_CLEAR, 0, 2, 0, 2 },
	};

	(void)state;
	check_peeks("1\n2\n1\n3\n", 2, one_per_look,
		    sizeof(one_per_look) / sizeof(one_per_look[0]));
	check_peeks("1\n2\n3\n4\n5\n4\n5\n6\n", 3, two_per_look,
		    sizeof(two_per_look) / sizeof(two_per_look[0]));
}

/* The pager's note clears its frames together when it is full: on 1 2 3 2 4
 * at 3 frames, a note of 2 frames is cleared as 3 comes, so 2's hit after
 * that counts and the look at 4 sees it (frame 1), as with the bit clear at
 * once; a delay of 2 faults keeps 2's bit set past its hit, lost, and the
 * look sees nothing. A note of 1 is a delay of 1. */
static void test_clear_note(void **state)
{
	static const struct peek_case cases[] = {
		{ SIM_BIT_CLEAR, 0, 0, 2, 1 }, { SIM_BIT_CLEAR, 0, 2, 2, 1 },
		{ SIM_BIT_CLEAR, 2, 0, 0, 1 }, { SIM_BIT_CLEAR, 0, 3, 0, 1 },
	};
	struct trace t;

	(void)state;
	check_peeks("1\n2\n3\n2\n4\n", 3, cases, sizeof(cases) / sizeof(cases[0]));
	load_ok("1\n2\n1\n3\n4\n1\n", &t);
	for (size_t k = 0; policy_all[k]; k++) {
		struct sim_params one = { .frames = 3, .seed = 1, .insert_bit = SIM_BIT_POLICY,
					  .clear_note = 1 };
		struct sim_result r;

		assert_int_equal(sim_run(&t, policy_all[k]->name, &one, &r, err, sizeof(err)), 0);
		assert_int_equal(r.faults, run_late(&t, policy_all[k]->name, 3, 1, 1).faults);
	}
	trace_free(&t);
}

/*
 * Delay 0 is the exact rule, and victims 0 or 1 one victim per look: the
 * faults and write-backs pagesim gave before the experiments existed. The
 * numbers were recorded with pagesim built from tag s7-start (no
 * --clear-delay, --victims), `pagesim -p LIST -f 3` and `-f 40` on
 * random_text(5, 3000) written to a file, one line per reference ("N" or
 * "N W"); the policies are as they were then (policy_all's order).
 */
static const struct {
	uint32_t frames;
	uint64_t faults[10], writebacks[10];
} before_experiments[] = {
	{ 3, { 2490, 2511, 2471, 2528, 2523, 2482, 2440, 2528, 2492, 2493 },
	     { 579, 584, 584, 585, 586, 581, 574, 585, 581, 581 } },
	{ 40, { 291, 292, 300, 390, 357, 286, 290, 298, 289, 294 },
	      { 81, 83, 93, 193, 165, 68, 76, 94, 81, 86 } },
};

static void test_clear_delay_zero_is_default(void **state)
{
	char *text = random_text(5, 3000);
	struct trace t;

	(void)state;
	load_ok(text, &t);
	free(text);
	assert_string_equal(policy_all[9]->name, "clockpro");
	assert_null(policy_all[10]);
	for (size_t s = 0; s < 2; s++) {
		for (size_t k = 0; policy_all[k]; k++) {
			uint32_t frames = before_experiments[s].frames;
			const char *name = policy_all[k]->name;

			for (uint32_t victims = 0; victims <= 1; victims++) {
				struct sim_result got = run_late(&t, name, frames, 0, victims);

				if (got.faults != before_experiments[s].faults[k] ||
				    got.writebacks != before_experiments[s].writebacks[k])
					fail_msg("%s at %u frames, victims %u: %llu faults, %llu "
						 "write-backs; before: %llu, %llu", name, frames,
						 victims, (unsigned long long)got.faults,
						 (unsigned long long)got.writebacks,
						 (unsigned long long)before_experiments[s].faults[k],
						 (unsigned long long)before_experiments[s].writebacks[k]);
			}
		}
	}
	trace_free(&t);
}

/* Out-of-range experiments are refused by sim_params_check, which sim_policy
 * and pagesim's arguments both use, naming the option. */
static void test_experiments_out_of_range(void **state)
{
	struct sim_params bad = { .frames = 4, .seed = 1, .clear_delay = SIM_CLEAR_DELAY_MAX + 1 };
	struct sim_result r;
	struct trace t;

	(void)state;
	load_ok("1\n2\n", &t);
	assert_int_equal(sim_run(&t, "clock", &bad, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--clear-delay"));
	bad.clear_delay = 0;
	bad.clear_note = SIM_CLEAR_DELAY_MAX + 1;
	assert_int_equal(sim_params_check(&bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--clear-note"));
	bad.clear_delay = bad.clear_note = 1;
	assert_int_equal(sim_run(&t, "clock", &bad, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not both"));
	bad.clear_delay = 0;
	bad.insert_bit = SIM_BIT_SET;
	assert_int_equal(sim_params_check(&bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--insert-bit set"));
	bad.clear_note = 0;
	bad.victims = SIM_VICTIMS_MAX + 1;
	assert_int_equal(sim_run(&t, "clock", &bad, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--victims"));
	bad.victims = SIM_VICTIMS_MAX;
	bad.clear_note = SIM_CLEAR_DELAY_MAX;
	bad.insert_bit = SIM_BIT_CLEAR;
	assert_int_equal(sim_params_check(&bad, err, sizeof(err)), 0);
	trace_free(&t);
}

/* Victims in batches: at 2 frames on 1 2 3 2, one victim per look evicts 1
 * and 2 hits (3 faults); two per look evict both, the second frame kept free,
 * and 2 faults again into it (4). The freed frame is used with no look: on
 * 1 2 3 4, peek is asked once with two victims per look, twice with one. */
static void test_victims_batch(void **state)
{
	static const struct peek_case one = { SIM_BIT_CLEAR, 0, 0, 0, 1 };
	static const struct peek_case two = { SIM_BIT_CLEAR, 0, 0, 0, 2 };
	struct trace t;

	(void)state;
	load_ok("1\n2\n3\n2\n", &t);
	assert_int_equal(run_late(&t, "clock", 2, 0, 1).faults, 3);
	assert_int_equal(run_late(&t, "clock", 2, 0, 2).faults, 4);
	assert_int_equal(run_late(&t, "clock", 2, 0, 99).faults, 4);	/* at most the frames */
	trace_free(&t);
	load_ok("1\n2\n3\n4\n", &t);
	(void)peek_at_look(&t, 2, &one);
	assert_int_equal(peek_looks, 2);
	(void)peek_at_look(&t, 2, &two);
	assert_int_equal(peek_looks, 1);
	trace_free(&t);
}

/* A frame freed by a look and not yet used holds no page: on 1 2 3 at 2
 * frames, two victims per look leave one frame free at the end, and every
 * policy tracks one frame, not two (sim_policy's end check; a run that
 * counted the free frame would fail with "tracks 1 frames at the end, 2
 * hold pages"). */
static void test_victims_free_frame_untracked(void **state)
{
	struct sim_params p = { .frames = 2, .seed = 1, .insert_bit = SIM_BIT_POLICY,
				.victims = 2 };
	struct sim_result r;
	struct trace t;

	(void)state;
	load_ok("1\n2\n3\n", &t);
	for (size_t k = 0; policy_all[k]; k++) {
		err[0] = '\0';
		if (sim_run(&t, policy_all[k]->name, &p, &r, err, sizeof(err)))
			fail_msg("%s, 2 victims per look: %s", policy_all[k]->name, err);
	}
	trace_free(&t);
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
		cmocka_unit_test(test_classic_string),
		cmocka_unit_test(test_fifo_anomaly),
		cmocka_unit_test(test_insertion_rule_clock),
		cmocka_unit_test(test_clear_delay_loses_references),
		cmocka_unit_test(test_clear_delay_cut_by_look),
		cmocka_unit_test(test_clear_delay_zero_is_default),
		cmocka_unit_test(test_experiments_out_of_range),
		cmocka_unit_test(test_clear_note),
		cmocka_unit_test(test_victims_batch),
		cmocka_unit_test(test_victims_free_frame_untracked),
		cmocka_unit_test(test_writebacks_every_policy),
		cmocka_unit_test(test_writeback_after_hit),
		cmocka_unit_test(test_writebacks_lru_opt),
		cmocka_unit_test(test_frames_edges),
		cmocka_unit_test(test_policy_without_victim),
		cmocka_unit_test(test_lru_opt_match_naive),
		cmocka_unit_test(test_seed_repeats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
