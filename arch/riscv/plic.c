/*
 * The platform-level interrupt controller (RISC-V PLIC spec): enable a
 * source for this hart's S-mode context, claim the next pending one,
 * complete it. Hart 0's S-mode is context 1 on QEMU's virt machine.
 */
#include "arch.h"

#define CONTEXT 1
#define PRIORITY(irq) (4 * (irq))
#define ENABLE(irq) (0x2000 + 0x80 * CONTEXT + 4 * ((irq) / 32))
#define THRESHOLD (0x200000 + 0x1000 * CONTEXT)
#define CLAIM (0x200004 + 0x1000 * CONTEXT)
#define MAX_SOURCES 1023	/* the spec's: a larger riscv,ndev is wrong */

static volatile uint8_t *plic;
static uint32_t nsources;	/* sources are 1..nsources (0 means none) */

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)(plic + off);
}

static int source_ok(uint32_t irq)
{
	return plic && irq >= 1 && irq <= nsources;
}

void arch_irq_init(uint64_t base, uint32_t ndev)
{
	plic = base ? pa_to_kva(base) : NULL;
	nsources = ndev < MAX_SOURCES ? ndev : MAX_SOURCES;
	if (plic)
		*reg(THRESHOLD) = 0;
}

int arch_irq_enable(uint32_t irq)
{
	if (!source_ok(irq))
		return -1;
	*reg(PRIORITY(irq)) = 1;
	*reg(ENABLE(irq)) |= 1u << (irq % 32);
	return 0;
}

void arch_irq_disable(uint32_t irq)
{
	if (!source_ok(irq))
		return;
	*reg(ENABLE(irq)) &= ~(1u << (irq % 32));
	*reg(PRIORITY(irq)) = 0;
}

uint32_t arch_irq_claim(void)
{
	return plic ? *reg(CLAIM) : 0;
}

void arch_irq_complete(uint32_t irq)
{
	if (plic)
		*reg(CLAIM) = irq;
}
