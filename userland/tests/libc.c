/*
 * malloc_printf: the C library on top of our glue. The heap grows through
 * the pager by more than a megabyte and keeps every byte; snprintf formats.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tests.h"

#define NBLOCKS 96
#define BLOCK_BASE 8192
#define BLOCK_STEP 232		/* sizes differ, so blocks do not line up */

static size_t block_size(int i)
{
	return BLOCK_BASE + (size_t)i * BLOCK_STEP;
}

static uint8_t pattern(int block, size_t offset)
{
	return (uint8_t)(block * 31 + offset * 7 + (offset >> 12));
}

static int check_block(const uint8_t *p, int i)
{
	for (size_t k = 0; k < block_size(i); k++) {
		if (p[k] != pattern(i, k)) {
			check_failed(__FILE__, __LINE__, "block %d byte %lu is %u, want %u",
				     i, (unsigned long)k, p[k], pattern(i, k));
			return -1;
		}
	}
	return 0;
}

static void free_all(uint8_t **blocks)
{
	for (int i = 0; i < NBLOCKS; i++) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
}

/* Allocate, fill, then check every block; total more than 1 MiB. */
static int fill_and_check(uint8_t **blocks)
{
	size_t total = 0;

	for (int i = 0; i < NBLOCKS; i++) {
		blocks[i] = malloc(block_size(i));
		CHECK(blocks[i] != NULL);
		for (size_t k = 0; k < block_size(i); k++)
			blocks[i][k] = pattern(i, k);
		total += block_size(i);
	}
	CHECK(total > 1024 * 1024);
	for (int i = 0; i < NBLOCKS; i++)
		CHECK_RUN(check_block(blocks[i], i));
	return 0;
}

static int heap(void)
{
	static uint8_t *blocks[NBLOCKS];
	uintptr_t brk_before = (uintptr_t)sbrk(0);

	int r = fill_and_check(blocks);
	free_all(blocks);
	CHECK_RUN(r);
	uintptr_t brk_after = (uintptr_t)sbrk(0);
	diag("the break moved by %lu KiB", (unsigned long)((brk_after - brk_before) / 1024));
	CHECK(brk_after - brk_before >= 1024 * 1024);

	/* Freed memory is reused: one big block fits without growing much. */
	void *big = malloc(1024 * 1024);
	CHECK(big != NULL);
	memset(big, 0x5a, 1024 * 1024);
	free(big);
	CHECK((intptr_t)((uintptr_t)sbrk(0) - brk_after) < 64 * 1024);

	/* A break below the heap's start, however far, is refused and moves
	 * nothing (PTRDIFF_MIN has no negation: the pager must not take one). */
	uintptr_t now = (uintptr_t)sbrk(0);
	CHECK(sbrk(PTRDIFF_MIN) == (void *)-1 && errno == ENOMEM);
	CHECK(sbrk(-(ptrdiff_t)(now - brk_before) - (ptrdiff_t)(64 << 20)) == (void *)-1);
	CHECK(sbrk(PTRDIFF_MAX) == (void *)-1);
	CHECK((uintptr_t)sbrk(0) == now);
	return 0;
}

/* The values are volatile so the compiler cannot format them itself. */
static int formatting(void)
{
	static volatile int neg = -12345, width = 42;
	static volatile unsigned big = 4000000000u;
	static volatile unsigned long hex = 0xdeadbeefUL;
	static volatile long wide = 1234567890123L;
	static const char *volatile str = "str";
	char buf[64];
	size_t small = sizeof(buf) / 8;		/* 8: too short for wide */

	int n = snprintf(buf, sizeof(buf), "%d %u %lx %s %c %5d|", neg, big,
			 hex, str, 'x', width);
	CHECK(strcmp(buf, "-12345 4000000000 deadbeef str x    42|") == 0);
	CHECK_EQ(n, (int)strlen(buf));
	n = snprintf(buf, small, "%ld", wide);
	CHECK_EQ(n, 13);			/* the length it wanted */
	CHECK(strcmp(buf, "1234567") == 0);	/* truncated, terminated */
	return 0;
}

int test_malloc_printf(void)
{
	CHECK_RUN(heap());
	return formatting();
}
