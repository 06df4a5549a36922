/*
 * A fixed table of process records; small enough to search linearly. Each
 * record names its line, so that no one program and what it starts can
 * take more than PAGER_LINE_PROCS_MAX of the table.
 */
#include <string.h>
#include "server/procs.h"
#include "base/vmstat.h"

static struct pproc table[PROCS_MAX];
static uint32_t lines;	/* the last line number given */

/* Live processes in line. */
static unsigned line_count(uint32_t line)
{
	unsigned n = 0;

	for (int i = 0; i < PROCS_MAX; i++)
		n += table[i].used && table[i].line == line;
	return n;
}

/* The line a child of parent joins: parent's, or a new one under a
 * process the pager started (a line number is not reused before 2^32
 * lines have been made, so a line's dead head is never taken for
 * another's); 0 for the pager's own. */
static uint32_t child_line(const struct pproc *parent)
{
	if (!parent)
		return 0;
	if (parent->line)
		return parent->line;
	if (++lines == 0)
		lines = 1;
	return lines;
}

struct pproc *procs_new(const struct pproc *parent)
{
	if (parent && parent->line && line_count(parent->line) >= PAGER_LINE_PROCS_MAX)
		return NULL;
	for (int i = 0; i < PROCS_MAX; i++) {
		if (table[i].used)
			continue;
		memset(&table[i], 0, sizeof(table[i]));
		table[i].used = 1;
		table[i].handle = -1;
		table[i].pool_budget = -1;
		table[i].line = child_line(parent);
		return &table[i];
	}
	return NULL;
}

struct pproc *procs_by_pid(uint32_t pid)
{
	static struct pproc *last;	/* the last found: faults come in runs */

	if (last && last->used && last->pid == pid)
		return last;
	for (int i = 0; i < PROCS_MAX; i++)
		if (table[i].used && table[i].pid == pid)
			return last = &table[i];
	return NULL;
}

struct pproc *procs_line_member(const struct pproc *p)
{
	for (int i = 0; i < PROCS_MAX && p->line; i++)
		if (table[i].used && table[i].line == p->line && &table[i] != p && table[i].vm)
			return &table[i];
	return NULL;
}

int procs_line_pool_budget(const struct pproc *p)
{
	for (int i = 0; i < PROCS_MAX && p->line; i++)
		if (table[i].used && table[i].line == p->line && &table[i] != p &&
		    table[i].pool_budget >= 0)
			return table[i].pool_budget;
	return -1;
}

struct pproc *procs_slot(int slot)
{
	if (slot < 0 || slot >= PROCS_MAX || !table[slot].used)
		return NULL;
	return &table[slot];
}

int procs_slot_of(const struct pproc *p)
{
	return (int)(p - table);
}

void procs_release(struct pproc *p)
{
	p->used = 0;
}

static uint64_t procs_count(void)
{
	uint64_t n = 0;

	for (int i = 0; i < PROCS_MAX; i++)
		n += table[i].used != 0;
	return n;
}

void procs_init(void)
{
	vmstat_gauge(VMSTAT_PROCESSES, procs_count);
}
