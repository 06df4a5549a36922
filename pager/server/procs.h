/*
 * The pager's table of the processes it created: its handle to each, its
 * address space (vm.h) and its heap. A slot number doubles as the
 * process's bit in the death notification.
 */
#ifndef PAGER_PROCS_H
#define PAGER_PROCS_H

#include <stdint.h>
#include "pager/protocol.h"

struct vm_space;

#define PROCS_MAX PAGER_PROCS_MAX	/* one notification bit each; bits 57 and
					 * 59 to 61 are the pager threads'
					 * (threads.h), 62 the disk's
					 * (drivers/blk_protocol.h), 58 is free,
					 * 63 reserved */
#define PROC_NAME 16

struct pproc {
	int used;
	int handle;		/* the pager's handle to the process */
	uint32_t pid;
	char name[PROC_NAME];
	struct vm_space *vm;	/* its regions and pages */
	uint64_t brk_base;	/* first heap address */
	uint64_t brk;		/* current break */
	uint64_t heap_end;	/* end of the heap region (page-aligned) */
	int pinned;		/* every page present from the start and never
				 * taken away: a driver the pager waits on */
	int oom_exempt;		/* never the OOM killer's victim: init, drivers */
	/* A driver the swap engine waits on: its end ends swap
	 * (driver_watch.c), and its handle outlives it (service_reap). Set
	 * before swap starts; cleared when swap does not come on over it
	 * (blk_driver_stop, netdev_swap_release). */
	int serves_swap;
	int oom_adj;		/* OOM_ADJ_NEVER .. OOM_ADJ_MAX (oom.h), from spawn */
	uint32_t line;		/* its line (PAGER_LINE_PROCS_MAX), for good; 0:
				 * started by the pager itself, in none */
	/* The pager's handle to its line's budget of the kernel pool
	 * (spawn_pool_limit), the same in each member; -1: none (init and
	 * the drivers, which draw on what the budgets leave). */
	int pool_budget;
};

/* A free record for a process parent starts (NULL: the pager itself), in
 * parent's line, or heading a new one if parent is in none; NULL if the
 * table is full or parent's line holds PAGER_LINE_PROCS_MAX. */
struct pproc *procs_new(const struct pproc *parent);
struct pproc *procs_by_pid(uint32_t pid);
/* A live process of p's line other than p, with its address space made;
 * NULL if p is in none, or is its line's only one. */
struct pproc *procs_line_member(const struct pproc *p);
/* The budget handle of another record of p's line (-1: none holds one):
 * what a new member shares, and whether p's may be closed as it goes. */
int procs_line_pool_budget(const struct pproc *p);
struct pproc *procs_slot(int slot);
int procs_slot_of(const struct pproc *p);
void procs_release(struct pproc *p);
/* Report the number of processes in vmstat (once, at start-up). */
void procs_init(void);
/* Lend the OOM killer the processes and the way to end one (oom_procs.c). */
void oom_procs_init(void);

#endif
