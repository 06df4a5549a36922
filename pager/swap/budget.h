/*
 * How large a swap area the pager takes: its tables kept per slot (the
 * slot allocator's reference counts, the swap cache's ties, the device's
 * own: swap over NBD keeps a checksum) may take at most a sixteenth of the
 * frames the pager manages. They are made once, from the pager's heap,
 * and kept for good; sized by the area's header, not by memory, a large
 * enough device would take the memory the processes need, or all of it
 * (a 256 GiB device's tables are 640 MiB). A sixteenth is the cap Linux
 * puts on its own boot-time tables whose size is set by something other
 * than memory (alloc_large_system_hash: "limit allocation size to 1/16
 * total memory by default"). Linux's swapon keeps about a byte a slot
 * (swap_map) and refuses nothing for its size; this pager keeps 10 (14
 * over NBD), so the rule admits an area of up to 4096 / (16 * 10) = 25.6
 * times the pager's memory on a disk, 18.3 times over NBD: far beyond any
 * advice on swap sizes, and refusing only an area whose tables would
 * starve the system. docs/design.md has the table by RAM. Plain C.
 */
#ifndef PAGER_SWAP_BUDGET_H
#define PAGER_SWAP_BUDGET_H

#include <stdint.h>

/* The tables of an area may take 1 / SWAP_TABLES_SHARE of the frames. */
#define SWAP_TABLES_SHARE 16

/* The bytes of the tables kept for an area of slots 0..last, the device's
 * backend_bytes a slot included. */
uint64_t swap_tables_bytes(uint32_t last, uint32_t backend_bytes);
/* The most they may take when the pager manages nframes frames. */
uint64_t swap_tables_budget(uint64_t nframes);
/* The largest last whose tables fit that budget (0: not even slot 1's). */
uint32_t swap_tables_last_max(uint32_t backend_bytes, uint64_t nframes);

#endif
