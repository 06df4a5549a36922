/*
 * bigdata: the demonstration's swap act. Writes a distinct pattern over
 * three times the memory the pager manages, reads every word back, and
 * shows what it cost in swap traffic. Exits 0 if every word was right.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "pager_client.h"

#define WORDS 512	/* 64-bit words per page */

static uint64_t pattern(uint64_t page, uint64_t word)
{
	return (page << 32) ^ (word * 0x9e3779b97f4a7c15ULL) ^ 0xb16da7a;
}

int main(void)
{
	struct pager_stats before, after;
	uint64_t pages, bad = 0, *buf;

	if (pager_stats(&before) < 0 || before.swap_slots_total == 0) {
		printf("bigdata: no swap disk: nothing to show (boot without QEMU_SWAP=none)\n");
		return 0;
	}
	pages = 3 * before.frames_total;
	if (pages + 1024 > before.swap_slots_free + before.frames_free) {
		printf("bigdata: the swap disk is too small for three times the memory "
		       "(QEMU_SWAP_MIB)\n");
		return 1;
	}
	buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	printf("bigdata: writing %lu MiB, three times the %lu MiB of memory\n",
	       (unsigned long)(pages / 256), (unsigned long)(before.frames_total / 256));
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < WORDS; w++)
			buf[p * WORDS + w] = pattern(p, w);
	printf("bigdata: reading every word back\n");
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < WORDS; w++)
			bad += buf[p * WORDS + w] != pattern(p, w);
	pager_stats(&after);
	printf("bigdata: %lu pages written to swap in %lu requests, %lu read back (major faults)\n",
	       (unsigned long)(after.pswpout - before.pswpout),
	       (unsigned long)(after.swap_requests_out - before.swap_requests_out),
	       (unsigned long)(after.pgmajfault - before.pgmajfault));
	printf("bigdata: %s\n", bad ? "FAILED: words differ" : "every word read back intact");
	munmap(buf, pages * 4096);
	return bad ? 1 : 0;
}
