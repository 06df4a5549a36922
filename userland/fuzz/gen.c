/*
 * The fuzzer's random values: a splitmix64 stream per call, and generators
 * for the kinds of argument a hostile program passes (pointers that are
 * unmapped, in the kernel's half, misaligned or read-only; handles that are
 * closed, out of range or of the wrong type; sizes at every boundary).
 */
#include <string.h>

#include "fuzz.h"

#define KERNEL_HALF 0xFFFFFFC000000000UL	/* where the kernel maps itself */
#define WILD 0x3000000000UL			/* in no region of any program */
#define PAGE 4096UL
/* Valid pointers stay this far below the end of scratch, so that the
 * largest thing a call writes (a struct msg) stays inside it. */
#define SCRATCH_SLACK 1024

struct worker_env fuzz_env = { .ep = -1, .note = -1 };

/* Read-only data a call may read but never write. */
static const uint64_t rodata_words[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

int rng_one_in(struct rng *r, uint64_t n)
{
	return rng_below(r, n) == 0;
}

void rng_for_call(struct rng *r, uint64_t seed, unsigned slot, uint64_t index)
{
	r->s = seed ^ ((uint64_t)slot << 56) ^ (index * 0xD1B54A32D192ED03ULL);
	rng_next(r);	/* mix the three before the first value is used */
}

void gen_fill(struct rng *r, void *buf, uint64_t len)
{
	uint8_t *p = buf;

	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v = rng_next(r);
		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* A pointer into scratch with room for any call's output. */
static uint64_t scratch_ptr(struct rng *r)
{
	uint64_t room = fuzz_env.scratch_len - SCRATCH_SLACK;

	return (uint64_t)fuzz_env.scratch + (rng_below(r, room) & ~7UL);
}

void *gen_scratch(struct rng *r, uint64_t size)
{
	uint64_t room = fuzz_env.scratch_len - size;

	return fuzz_env.scratch + (rng_below(r, room) & ~7UL);
}

/* Addresses no mapping can ever cover: a later mmap may fill the holes
 * beside scratch, but never these. */
uint64_t gen_unmapped(struct rng *r)
{
	switch (rng_below(r, 6)) {
	case 0:
		return rng_below(r, 16);			/* null and near it */
	case 1:
		return USER_BASE - 8 * (1 + rng_below(r, 8));	/* below every program */
	case 2:
		return KERNEL_HALF + rng_below(r, 1UL << 31);	/* the kernel's own */
	case 3:
		return USER_TOP - 1 - rng_below(r, 64);		/* above the stack */
	case 4:
		return USER_TOP + rng_below(r, 1UL << 30);	/* not canonical */
	default:
		return ~0UL - rng_below(r, 4096);
	}
}

uint64_t gen_bad_ptr(struct rng *r)
{
	switch (rng_below(r, 7)) {
	case 0:
		return WILD + rng_below(r, 1UL << 20);	/* no region, as a rule */
	case 1:
		return 0x80200000UL + rng_below(r, 1UL << 20);	/* the kernel's physical */
	case 2:
		return PHYSMAP_BASE + 0x80000000UL + rng_below(r, 1UL << 24);	/* the pager's */
	case 3:
		return fuzz_env.hole + rng_below(r, PAGE);	/* unmapped below scratch */
	case 4:	/* unmapped above scratch */
		return (uint64_t)fuzz_env.scratch + fuzz_env.scratch_len + rng_below(r, PAGE);
	case 5:
		return rng_next(r);
	default:
		return gen_unmapped(r);
	}
}

uint64_t gen_ptr(struct rng *r)
{
	switch (rng_below(r, 10)) {
	case 0:
	case 1:
	case 2:
		return scratch_ptr(r);
	case 3:
		return scratch_ptr(r) + 1 + rng_below(r, 7);	/* misaligned */
	case 4:	/* a page of the private area, maybe never touched */
		if (rng_one_in(r, 2))	/* running off scratch's end */
			return (uint64_t)fuzz_env.scratch + fuzz_env.scratch_len - 1 -
			       rng_below(r, 32);
		return (uint64_t)fuzz_env.area + rng_below(r, fuzz_env.area_pages) * PAGE;
	case 5:
		return (uint64_t)&rodata_words[rng_below(r, 8)];	/* read-only */
	case 6:
		return (uint64_t)(uintptr_t)&gen_fill;	/* code: read and execute only */
	default:
		return gen_bad_ptr(r);
	}
}

/* Never an address in the program's code: a thread started there would
 * run the program's own instructions with made-up registers. (An odd pc
 * is no help: the hardware clears bit 0 of sepc.) */
uint64_t gen_bad_pc(struct rng *r)
{
	return rng_one_in(r, 3) ? scratch_ptr(r) : gen_bad_ptr(r);	/* data: not executable */
}

uint64_t gen_len(struct rng *r)
{
	static const uint64_t edges[] = { 0, 1, 7, 8, 16, 511, 512, 513, 4095, 4096, 4097,
					  8192, 65536, 1UL << 20, 1UL << 30, (1UL << 30) + 1,
					  1UL << 32, 1UL << 40, 1UL << 63, ~0UL };

	switch (rng_below(r, 4)) {
	case 0:
		return edges[rng_below(r, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return rng_below(r, 64) * PAGE;
	case 2:
		return rng_below(r, 1024);
	default:
		return rng_next(r) >> rng_below(r, 64);
	}
}

/* A handle number that is free now in this process, or 63 if none is. */
static int closed_handle(struct rng *r)
{
	int start = (int)rng_below(r, HANDLES_MAX);

	for (int k = 0; k < HANDLES_MAX; k++) {
		int h = (start + k) % HANDLES_MAX;
		if (sys_handle_info(h) < 0)
			return h;
	}
	return HANDLES_MAX - 1;
}

int gen_handle_of(struct rng *r, int type)
{
	int live[HANDLES_MAX], n = 0;

	for (int h = 0; h < HANDLES_MAX; h++) {
		int info = sys_handle_info(h);
		if (info >= 0 && (type == 0 || HANDLE_INFO_TYPE(info) == type))
			live[n++] = h;
	}
	return n ? live[rng_below(r, (uint64_t)n)] : -1;
}

int64_t gen_handle(struct rng *r)
{
	static const int64_t out_of_range[] = { HANDLES_MAX, HANDLES_MAX + 1, 255, 256, 257,
						4096, 1L << 31, -1, -2, (1L << 32) | 1,
						(1L << 32) | HANDLE_PAGER, INT64_MIN };
	int h;

	switch (rng_below(r, 8)) {
	case 0:
		return HANDLE_SELF;
	case 1:
		return HANDLE_PAGER;
	case 2:
		return closed_handle(r);
	case 3:
		return out_of_range[rng_below(r, sizeof(out_of_range) / sizeof(out_of_range[0]))];
	case 4:
		return (int64_t)rng_below(r, HANDLES_MAX + 8);
	default:
		h = gen_handle_of(r, (int)rng_below(r, 4));	/* 0: any type */
		return h >= 0 ? h : (int64_t)rng_below(r, HANDLES_MAX);
	}
}

uint32_t gen_rights(struct rng *r)
{
	return (uint32_t)rng_below(r, 16);	/* 8 and up: no such right */
}

uint64_t gen_arg(struct rng *r)
{
	static const uint64_t edges[] = { 0, 1, 2, 0x7FFFFFFF, 0x80000000UL, 0xFFFFFFFFUL,
					  1UL << 32, 1UL << 63, ~0UL, ~0UL - 1 };

	switch (rng_below(r, 7)) {
	case 0:
		return rng_below(r, 17);
	case 1:
		return edges[rng_below(r, sizeof(edges) / sizeof(edges[0]))];
	case 2:
		return gen_ptr(r);
	case 3:
		return (uint64_t)gen_handle(r);
	case 4:
		return gen_len(r);
	default:
		return rng_next(r);
	}
}
