/*
 * Memory-pressure notifications: programs subscribe a notification and are
 * told the level (normal, low, critical) and how many pages the pager
 * would like back, so a cache can shrink before the pager swaps its pages
 * or kills anyone (the proposal that user-space caches be asked to shrink
 * is the idea). The levels are reclaim's to decide (oom_wait.c); this
 * module keeps the subscribers and signals them.
 */
#ifndef PAGER_PRESSURE_H
#define PAGER_PRESSURE_H

#include <stdint.h>
#include "pager/protocol.h"

/* One subscription per process the pager may hold (a second replaces the
 * first, and a process's end takes its own away before its record is
 * free), so no process meets a full table. */
#define PRESSURE_SUBSCRIBERS PAGER_PROCS_MAX
/* Subscriptions the processes of one line (server/procs.h) may hold at
 * once: one for each process a line may have (PAGER_LINE_PROCS_MAX, at
 * most half the process table), so two lines at their bound still leave
 * room for everyone else; a bound of its own for callers whose pids are
 * not the process table's. */
#define PRESSURE_LINE_SUBSCRIBERS PAGER_LINE_PROCS_MAX
_Static_assert(2 * PRESSURE_LINE_SUBSCRIBERS < PRESSURE_SUBSCRIBERS,
	       "no two lines can hold every subscription");

/* Subscribe pid, of line (0: in none, not bounded), with note, a
 * notification handle of the pager's (taken over: closed when it
 * unsubscribes); a second subscription replaces the first. It is told the
 * current level at once if that is not normal. 0, or -ENOSPC: the table,
 * or the line's share of it, is full (the handle is closed then). */
int pressure_subscribe(uint32_t pid, uint32_t line, int note);
/* pid's subscription ends (its request, or its death); none: no-op. */
void pressure_unsubscribe(uint32_t pid);

/* Move to level, wanting target pages back. Going up, each subscriber gets
 * the bit of every level passed (PAGER_PRESSURE_BIT), so events arrive in
 * level order; going down, the new level's bit. The same level again only
 * updates the target. */
void pressure_set(enum pager_pressure level, uint64_t target);
enum pager_pressure pressure_level(void);
uint64_t pressure_target(void);
int pressure_subscribers(void);
/* Report the level in vmstat (once, at start-up). */
void pressure_init(void);

#endif
