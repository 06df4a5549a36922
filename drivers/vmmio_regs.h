/*
 * A virtio-mmio register's reads and write, fenced against memory like
 * Linux's readl/writel, so ring stores reach the device before a notify
 * and its DMA is seen after an interrupt read. Apart from virtio_mmio.c's
 * steps so that a host test can put its own device behind them (it sets
 * this guard and defines all three).
 */
#ifndef DRIVERS_VMMIO_REGS_H
#define DRIVERS_VMMIO_REGS_H

#include <stdint.h>

static inline uint32_t vmmio_rd(uintptr_t base, unsigned off)
{
	uint32_t v = *(volatile uint32_t *)(base + off);

	__asm__ volatile("fence i, r" ::: "memory");	/* before later loads */
	return v;
}

/* A byte of the window (a device-specific configuration field). */
static inline uint8_t vmmio_rd8(uintptr_t base, unsigned off)
{
	uint8_t v = *(volatile uint8_t *)(base + off);

	__asm__ volatile("fence i, r" ::: "memory");
	return v;
}

static inline void vmmio_wr(uintptr_t base, unsigned off, uint32_t v)
{
	__asm__ volatile("fence w, o" ::: "memory");	/* earlier stores first */
	*(volatile uint32_t *)(base + off) = v;
}

#endif
