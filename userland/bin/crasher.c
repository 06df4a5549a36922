/*
 * crasher MODE: dies of the fault MODE names, for the demonstration and the
 * tests: null (store to address 0), illegal (an illegal instruction),
 * misaligned (an AMO on an address = 2 mod 4), wild (load from 0x3000000000),
 * vector (vsetvli: the kernel leaves the vector unit off, so on a hart
 * that has one it is an illegal instruction all the same).
 * The faults are written in assembly so the compiler cannot turn them into
 * something else (a NULL store would become ebreak), each at a label.
 * crasher where MODE: exits with the address of the instruction that
 * faults in MODE (its label), so a test can hold the pc its death reports
 * against the very instruction.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define WILD_ADDRESS 0x3000000000UL

/* The faulting instructions' labels, defined in the asm below. */
extern const char fault_null[], fault_illegal[], fault_misaligned[], fault_wild[], fault_vector[];

static void store_null(void)
{
	__asm__ volatile(".globl fault_null\nfault_null: sw zero, 0(zero)" ::: "memory");
}

static void illegal(void)
{
	/* All-zero bits are defined to be an illegal instruction. */
	__asm__ volatile(".globl fault_illegal\nfault_illegal: .4byte 0" ::: "memory");
}

static void vector(void)
{
	/* vsetvli t0, zero, e8, m1, as bits: the toolchain's -march has no V. */
	__asm__ volatile(".globl fault_vector\nfault_vector: .4byte 0x000072d7" ::: "t0", "memory");
}

static void misaligned_amo(void)
{
	static uint32_t words[2] __attribute__((aligned(8)));
	uintptr_t at = (uintptr_t)words + 2;
	uint32_t old;

	__asm__ volatile(".globl fault_misaligned\nfault_misaligned: amoadd.w %0, %2, (%1)"
			 : "=r"(old) : "r"(at), "r"(1) : "memory");
	(void)old;
}

static void load_wild(void)
{
	uint64_t v;

	__asm__ volatile(".globl fault_wild\nfault_wild: ld %0, 0(%1)"
			 : "=r"(v) : "r"(WILD_ADDRESS) : "memory");
	(void)v;
}

static const struct {
	const char *name;
	void (*crash)(void);
	const char *at;		/* the instruction that faults */
} modes[] = {
	{ "null", store_null, fault_null },
	{ "illegal", illegal, fault_illegal },
	{ "misaligned", misaligned_amo, fault_misaligned },
	{ "wild", load_wild, fault_wild },
	{ "vector", vector, fault_vector },
};

int main(int argc, char **argv)
{
	int where = argc > 2 && strcmp(argv[1], "where") == 0;
	const char *mode = argc > 1 ? argv[1 + where] : "null";

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(mode, modes[i].name) == 0) {
			if (where)
				return (int)(uintptr_t)modes[i].at;	/* below 2^31 */
			modes[i].crash();
			printf("crasher: %s did not crash\n", mode);
			return 1;
		}
	}
	printf("crasher: unknown mode '%s' (null, illegal, misaligned, wild, vector)\n", mode);
	return 2;
}
