/*
 * Touchers of the kernel pool (pool_touch.h). Their size is learnt from
 * the pager, the one owner of the bounds (spawn_pool_limit,
 * spawn_pt_limit), not copied from its formulas.
 */
#include <sys/mman.h>

#include "pool_touch.h"
#include "kernel/abi/proc.h"
#include "sys.h"

#define HUGE (1UL << 30)	/* the largest mapping the pager grants */
#define TABLE_SPAN (2UL << 20)	/* what one leaf page table maps */
#define SPAN_TABLES (HUGE / TABLE_SPAN)

/* Middle tables over tables leaf tables: a mapping of 1 GiB not aligned
 * to 1 GiB straddles two. */
static uint64_t middle_tables(uint64_t tables)
{
	return 2 * ((tables + SPAN_TABLES - 1) / SPAN_TABLES);
}

uint64_t pool_touch_tables(const struct pager_info *in, int touchers)
{
	return touchers < 2 ? 0 : in->line_pool_pages / (uint64_t)(touchers / 2);
}

/* Tables this process may still add under its own limit, with the middle
 * tables above them. */
static uint64_t own_room(const struct pager_info *in, uint64_t tables)
{
	struct proc_info self;

	if (!in->pt_pages_max || sys_proc_info(HANDLE_SELF, &self) < 0)
		return tables;
	while (tables && self.pt_pages + tables + middle_tables(tables) > in->pt_pages_max)
		tables--;
	return tables;
}

uint64_t pool_touch(const struct pager_info *in, uint64_t tables)
{
	uint8_t *map = NULL;

	tables = own_room(in, tables);
	for (uint64_t k = 0; k < tables; k++) {
		if (k % SPAN_TABLES == 0)
			map = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED)
			return 0;
		map[k % SPAN_TABLES * TABLE_SPAN] = 1;
	}
	return tables;
}
