/*
 * Sv39 page-table entry layout (RISC-V privileged spec, 4.4) with named
 * accessors. Only arch/riscv/ includes this file.
 */
#ifndef ARCH_PTE_H
#define ARCH_PTE_H

#include <stdint.h>

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)

#define PTE_PPN_SHIFT 10
#define PTE_TO_PA(pte) (((pte) >> PTE_PPN_SHIFT) << 12)
#define PA_TO_PTE(pa) (((uint64_t)(pa) >> 12) << PTE_PPN_SHIFT)

/* Index of va at level (2 = root, 0 = leaf table). */
#define VPN(va, level) (((uint64_t)(va) >> (12 + 9 * (level))) & 0x1ff)

#define PT_ENTRIES 512
#define KERNEL_ROOT_FIRST 256	/* root entries 256..511 map the kernel half */

#endif
