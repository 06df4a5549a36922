/*
 * Pages of this program's writable data segment (.data) under memory
 * pressure: the ones only read go without a write and come back from the
 * program file (pgdrop_image, faults_image), the ones written go to swap
 * and keep what was written. The slow set: the guest-swap boots run it
 * with little RAM.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define WORDS (4096 / sizeof(uint64_t))
#define DATA_PAGES 256	/* ten times this program's text: its own drops are few */
#define WRITTEN 8	/* the last pages are written before the sweep */

/* A page of .data: its first and last words say which page it is, in the
 * file; the middle is zeros in the file. */
struct data_page {
	uint64_t tag;
	uint64_t mid[WORDS - 2];
	uint64_t end;
};

#define TAG(n) (0xda7a000000ULL + (n))
#define P1(n) { TAG(n), { 0 }, ~TAG(n) }
#define P4(n) P1(n), P1((n) + 1), P1((n) + 2), P1((n) + 3)
#define P16(n) P4(n), P4((n) + 4), P4((n) + 8), P4((n) + 12)
#define P64(n) P16(n), P16((n) + 16), P16((n) + 32), P16((n) + 48)

/* Written to (the last WRITTEN pages), so it stays in .data, not .rodata. */
static volatile struct data_page data[DATA_PAGES] __attribute__((aligned(4096))) = {
	P64(0), P64(64), P64(128), P64(192)
};

/* Pages of data [from, to) whose words are not what the file holds (and,
 * from WRITTEN before the end, mid[0] = ~tag, as written). */
static uint64_t bad_data(uint64_t from, uint64_t to)
{
	uint64_t bad = 0;

	for (uint64_t p = from; p < to; p++) {
		uint64_t mid = p >= DATA_PAGES - WRITTEN ? ~TAG(p) : 0;
		bad += data[p].tag != TAG(p) || data[p].end != ~TAG(p) || data[p].mid[0] != mid ||
		       data[p].mid[WORDS / 2] != 0;
	}
	return bad;
}

/* Write every page of an anonymous mapping of pages pages, then unmap it. */
static int sweep(uint64_t pages)
{
	volatile uint64_t *buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(buf != MAP_FAILED);
	for (uint64_t p = 0; p < pages; p++)
		buf[p * WORDS] = p;
	CHECK_EQ(munmap((void *)buf, pages * 4096), 0);
	return 0;
}

int test_swap_image_refill(void)
{
	struct pager_stats st, swept, hot, end;

	CHECK_EQ(pager_stats(&st), 0);
	CHECK(st.swap_slots_free > 2 * st.frames_total);
	CHECK_EQ(bad_data(0, DATA_PAGES - WRITTEN), 0);	/* read: filled from the file */
	for (uint64_t p = DATA_PAGES - WRITTEN; p < DATA_PAGES; p++)
		data[p].mid[0] = ~TAG(p);
	/* Twice memory written: even random eviction leaves few pages in. */
	CHECK_RUN(sweep(2 * st.frames_total));
	CHECK_EQ(pager_stats(&swept), 0);
	CHECK_EQ(bad_data(DATA_PAGES - WRITTEN, DATA_PAGES), 0);
	CHECK_EQ(pager_stats(&hot), 0);
	CHECK_EQ(bad_data(0, DATA_PAGES - WRITTEN), 0);
	CHECK_EQ(pager_stats(&end), 0);
	diag("%u .data pages read, %u written, then %lu pages swept: %lu image pages dropped, "
	     "%lu written to swap; written pages back with %lu reads; read pages back with "
	     "%lu image fills, %lu reads", DATA_PAGES - WRITTEN, WRITTEN,
	     (unsigned long)(2 * st.frames_total),
	     (unsigned long)(swept.pgdrop_image - st.pgdrop_image),
	     (unsigned long)(swept.pswpout - st.pswpout),
	     (unsigned long)(hot.pswpin - swept.pswpin),
	     (unsigned long)(end.faults_image - hot.faults_image),
	     (unsigned long)(end.pswpin - hot.pswpin));
	/* Most of the read pages were dropped, and came back from the file,
	 * not from swap; the written ones went to swap (checked above: back
	 * with what was written). */
	CHECK(swept.pgdrop_image - st.pgdrop_image >= (DATA_PAGES - WRITTEN) / 2);
	CHECK(end.faults_image - hot.faults_image >= (DATA_PAGES - WRITTEN) / 2);
	CHECK(end.pswpin - hot.pswpin <= (DATA_PAGES - WRITTEN) / 8);
	CHECK(hot.pswpin > swept.pswpin);
	return 0;
}
