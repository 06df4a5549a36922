/*
 * For host tests that compile arch/riscv/mmu.c: csr.h's instructions are
 * RISC-V only, so its guard is set and the ones mmu.c needs are no-ops here
 * (there is no TLB to flush; a flush is counted, a page's noted). Include before the
 * kernel's sources.
 */
#ifndef TEST_KERNEL_CSR_H
#define TEST_KERNEL_CSR_H

#include <stdint.h>

#define ARCH_CSR_H
#define SATP_SV39 (8UL << 60)
unsigned fake_tlb_flushes;	/* sfence_vma_all calls */
static inline void sfence_vma_all(void) { fake_tlb_flushes++; }
static inline void satp_load(uint64_t value) { (void)value; }
uint64_t fake_sfenced;		/* the page sfence_vma_page last flushed */
static inline void sfence_vma_page(uint64_t va) { fake_sfenced = va; }

#endif
