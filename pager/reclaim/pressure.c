/*
 * The subscriber table and the level. A subscriber that ignores its events
 * costs nothing: signalling never blocks, and the pager's bounded wait
 * before an OOM kill (oom_wait.c) does not depend on anyone answering.
 */
#include <errno.h>
#include "reclaim/pressure.h"
#include "base/vmstat.h"
#include "sys.h"

struct subscriber {
	uint32_t pid;	/* 0: free */
	uint32_t line;	/* its process's line (procs.h); 0: none */
	int note;
};

static struct subscriber subs[PRESSURE_SUBSCRIBERS];
static enum pager_pressure level = PAGER_PRESSURE_NORMAL;
static uint64_t target;

static struct subscriber *find(uint32_t pid)
{
	for (int i = 0; i < PRESSURE_SUBSCRIBERS; i++)
		if (subs[i].pid == pid)
			return &subs[i];
	return NULL;
}

/* Bits for a move from `from` to `to`: every level passed going up. */
static uint64_t bits_for(enum pager_pressure from, enum pager_pressure to)
{
	uint64_t bits = 0;

	if (to <= from)
		return PAGER_PRESSURE_BIT(to);
	for (int l = (int)from + 1; l <= (int)to; l++)
		bits |= PAGER_PRESSURE_BIT(l);
	return bits;
}

static void tell(struct subscriber *s, uint64_t bits)
{
	sys_notify_signal(s->note, bits);
	vmstat_count(VMSTAT_PRESSURE_EVENTS);
}

/* Subscriptions held by processes of line (none for line 0). */
static int line_count(uint32_t line)
{
	int n = 0;

	for (int i = 0; i < PRESSURE_SUBSCRIBERS && line; i++)
		n += subs[i].pid && subs[i].line == line;
	return n;
}

int pressure_subscribe(uint32_t pid, uint32_t line, int note)
{
	struct subscriber *s;

	pressure_unsubscribe(pid);
	if (line_count(line) >= PRESSURE_LINE_SUBSCRIBERS || !(s = find(0))) {
		sys_handle_close(note);
		return -ENOSPC;
	}
	*s = (struct subscriber){ pid, line, note };
	if (level != PAGER_PRESSURE_NORMAL)
		tell(s, bits_for(PAGER_PRESSURE_NORMAL, level));
	return 0;
}

void pressure_unsubscribe(uint32_t pid)
{
	struct subscriber *s = pid ? find(pid) : NULL;

	if (!s)
		return;
	sys_handle_close(s->note);
	s->pid = 0;
}

/* The level becomes to: every subscriber is told. Out of line: the usual
 * call, every request's, changes nothing and saves no registers. */
__attribute__((noinline)) static void change_level(enum pager_pressure to)
{
	uint64_t bits = bits_for(level, to);

	level = to;
	for (int i = 0; i < PRESSURE_SUBSCRIBERS; i++)
		if (subs[i].pid)
			tell(&subs[i], bits);
}

void pressure_set(enum pager_pressure to, uint64_t want)
{
	target = want;
	if (to != level)
		change_level(to);
}

enum pager_pressure pressure_level(void)
{
	return level;
}

uint64_t pressure_target(void)
{
	return target;
}

int pressure_subscribers(void)
{
	int n = 0;

	for (int i = 0; i < PRESSURE_SUBSCRIBERS; i++)
		n += subs[i].pid != 0;
	return n;
}

static uint64_t level_now(void)
{
	return level;
}

void pressure_init(void)
{
	vmstat_gauge(VMSTAT_PRESSURE_LEVEL, level_now);
}
