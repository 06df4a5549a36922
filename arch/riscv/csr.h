/*
 * Supervisor CSRs and their bits, and the few instructions the kernel needs
 * as inline functions. Only arch/riscv/ includes this file.
 */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_VS_MASK (3UL << 9)	/* the vector unit's state: kept off */
#define SSTATUS_FS_MASK (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SSTATUS_SD (1UL << 63)		/* FS, XS or VS dirty */
#define SSTATUS_SUM (1UL << 18)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9

/* Exception causes (scause without the interrupt bit); macros, so that
 * trap.S reads the same numbers. */
#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS 1
#define EXC_ILLEGAL 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_INSN_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

#define SATP_SV39 (8UL << 60)

#ifndef __ASSEMBLER__
#define csr_read(name) ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" : : "r"((uint64_t)(v)))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" : : "r"((uint64_t)(v)))
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" : : "r"((uint64_t)(v)))

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" : : : "memory");
}

/* Load the page tables satp value names, and flush the TLB (no ASIDs). */
static inline void satp_load(uint64_t value)
{
	csr_write(satp, value);
	sfence_vma_all();
}

/* Flush the translations of one page, va, in every address space. */
static inline void sfence_vma_page(uint64_t va)
{
	__asm__ volatile("sfence.vma %0, zero" : : "r"(va) : "memory");
}

static inline void sfence_vma_asid(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" : : "r"(asid) : "memory");
}

static inline void wfi(void)
{
	__asm__ volatile("wfi");
}
#endif /* __ASSEMBLER__ */

#endif
