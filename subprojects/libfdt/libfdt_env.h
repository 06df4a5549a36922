/*
 * libfdt's environment: the types and byte order it expects each embedder to
 * supply (libfdt's own libfdt_env.h is not fetched; OpenSBI, U-Boot and Linux
 * each have theirs). Plain C11, the same for the kernel, the pager and the host.
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>	/* mem*, strlen, strnlen, strrchr: klib's in the kernel */

/* Big-endian values as stored in a blob; read them with fdtN_to_cpu. */
typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

/* Byte n (0 = first in memory) of x. Works whatever the CPU's byte order. */
#define FDT_ENV_BYTE(x, n) ((uint64_t)((const uint8_t *)&(x))[n])

static inline uint16_t fdt16_to_cpu(fdt16_t x)
{
	return (uint16_t)(FDT_ENV_BYTE(x, 0) << 8 | FDT_ENV_BYTE(x, 1));
}

static inline uint32_t fdt32_to_cpu(fdt32_t x)
{
	return (uint32_t)(FDT_ENV_BYTE(x, 0) << 24 | FDT_ENV_BYTE(x, 1) << 16 |
			  FDT_ENV_BYTE(x, 2) << 8 | FDT_ENV_BYTE(x, 3));
}

static inline uint64_t fdt64_to_cpu(fdt64_t x)
{
	uint64_t v = 0;

	for (int n = 0; n < 8; n++)
		v = v << 8 | FDT_ENV_BYTE(x, n);
	return v;
}

/* The same operation both ways: a swap on a little-endian CPU, none on a
 * big-endian one. */
static inline fdt16_t cpu_to_fdt16(uint16_t x)
{
	return fdt16_to_cpu(x);
}

static inline fdt32_t cpu_to_fdt32(uint32_t x)
{
	return fdt32_to_cpu(x);
}

static inline fdt64_t cpu_to_fdt64(uint64_t x)
{
	return fdt64_to_cpu(x);
}

#endif
