/*
 * crasher MODE: dies of the fault MODE names, for the demonstration and the
 * tests: null (store to address 0), illegal (an illegal instruction),
 * misaligned (an AMO on an address = 2 mod 4), wild (load from 0x3000000000).
 * The faults are written in assembly so the compiler cannot turn them into
 * something else (a NULL store would become ebreak).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define WILD_ADDRESS 0x3000000000UL

static void store_null(void)
{
	__asm__ volatile("sw zero, 0(zero)" ::: "memory");
}

static void illegal(void)
{
	/* All-zero bits are defined to be an illegal instruction. */
	__asm__ volatile(".4byte 0" ::: "memory");
}

static void misaligned_amo(void)
{
	static uint32_t words[2] __attribute__((aligned(8)));
	uintptr_t at = (uintptr_t)words + 2;
	uint32_t old;

	__asm__ volatile("amoadd.w %0, %2, (%1)"
			 : "=r"(old) : "r"(at), "r"(1) : "memory");
	(void)old;
}

static void load_wild(void)
{
	uint64_t v;

	__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(WILD_ADDRESS) : "memory");
	(void)v;
}

static const struct {
	const char *name;
	void (*crash)(void);
} modes[] = {
	{ "null", store_null },
	{ "illegal", illegal },
	{ "misaligned", misaligned_amo },
	{ "wild", load_wild },
};

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "null";

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(mode, modes[i].name) == 0) {
			modes[i].crash();
			printf("crasher: %s did not crash\n", mode);
			return 1;
		}
	}
	printf("crasher: unknown mode '%s' (null, illegal, misaligned, wild)\n", mode);
	return 2;
}
