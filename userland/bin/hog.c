/*
 * hog grow: takes memory without bound, one written page at a time, until
 * the OOM killer ends it. hog hold PAGES: writes a pattern over PAGES
 * pages, waits for a signal on its HANDLE_ARG notification, then checks
 * every word and exits 0 if all held. The demonstration's out-of-memory act.
 * hog take PAGES: uses PAGES pages once (written, read back) and exits; the
 * pressure that a cache beside it must answer (kvcache).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pager_client.h"
#include "sys.h"

#define WORDS 512	/* 64-bit words per page */
#define CHUNK 256	/* pages per mmap */

static uint64_t pattern(uint64_t page, uint64_t word)
{
	return (page << 32) ^ (word * 0x9e3779b97f4a7c15ULL) ^ 0x40c4;
}

/* Never returns: a refused mmap (the pager's own memory short) is retried. */
_Noreturn static void grow(void)
{
	for (uint64_t n = 0;; n++) {
		uint64_t *p = mmap(NULL, CHUNK * 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			sys_yield();
			continue;
		}
		for (uint64_t i = 0; i < CHUNK; i++)
			p[i * WORDS] = n * CHUNK + i;
	}
}

/* pages fresh private pages, or NULL after saying so. */
static uint64_t *map_pages(uint64_t pages)
{
	uint64_t *buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf != MAP_FAILED)
		return buf;
	printf("hog: cannot map %lu pages\n", (unsigned long)pages);
	return NULL;
}

/* Write the first `words` words of every page with the pattern. */
static void write_pages(uint64_t *buf, uint64_t pages, uint64_t words)
{
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < words; w++)
			buf[p * WORDS + w] = pattern(p, w);
}

/* Read them back: 0 if all held, else 1 after saying how many did not. */
static int check_pages(const uint64_t *buf, uint64_t pages, uint64_t words)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t w = 0; w < words; w++)
			bad += buf[p * WORDS + w] != pattern(p, w);
	if (bad)
		printf("hog: %lu of %lu words wrong\n", (unsigned long)bad,
		       (unsigned long)(pages * words));
	return bad ? 1 : 0;
}

static int hold(uint64_t pages)
{
	uint64_t *buf = map_pages(pages);

	if (!buf)
		return 2;
	write_pages(buf, pages, WORDS);
	if (sys_notify_wait(HANDLE_ARG) < 0)
		return 3;
	return check_pages(buf, pages, WORDS);
}

/* One word per page is enough to make the pager give each page a frame;
 * reading them all back makes the hog's whole footprint live at once, so
 * whatever was swapped out to make room comes back in. */
static int take(uint64_t pages)
{
	uint64_t *buf = map_pages(pages);

	if (!buf)
		return 2;
	write_pages(buf, pages, 1);
	return check_pages(buf, pages, 1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "grow") == 0)
		grow();
	if (argc == 3 && strcmp(argv[1], "hold") == 0 && atol(argv[2]) > 0)
		return hold((uint64_t)atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "take") == 0 && atol(argv[2]) > 0)
		return take((uint64_t)atol(argv[2]));
	printf("usage: hog grow | hog hold PAGES | hog take PAGES\n");
	return 2;
}
