/*
 * A fixed table of process records; small enough to search linearly.
 */
#include <string.h>
#include "server/procs.h"
#include "base/vmstat.h"

static struct pproc table[PROCS_MAX];

struct pproc *procs_new(void)
{
	for (int i = 0; i < PROCS_MAX; i++) {
		if (table[i].used)
			continue;
		memset(&table[i], 0, sizeof(table[i]));
		table[i].used = 1;
		table[i].handle = -1;
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
