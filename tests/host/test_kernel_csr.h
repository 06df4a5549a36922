/*
 * For host tests that compile arch/riscv/mmu.c: csr.h's instructions are
 * RISC-V only, so its guard is set and the ones mmu.c needs are no-ops here
 * (there is no TLB to flush; a page's flush is noted). Include before the
 * kernel's sources.
 */
#ifndef TEST_KERNEL_CSR_H
#define TEST_KERNEL_CSR_H

#include <stdint.h>

#define ARCH_CSR_H
#define SATP_SV39 (8UL << 60)
static inline void sfence_vma_all(void) {}
static inline void satp_load(uint64_t value) { (void)value; }
uint64_t fake_sfenced;		/* the page sfence_vma_page last flushed */
static inline void sfence_vma_page(uint64_t va) { fake_sfenced = va; }

#endif
