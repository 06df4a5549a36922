/*
 * Connections' owners (owners.h). netd trusts no pid or line a program
 * could write: the pid of a call is the kernel's, and its line and its end
 * are read from the admission table only the pager writes.
 */
#include <errno.h>

#include "net_protocol.h"
#include "owners.h"

static const volatile uint64_t *admitted;
static struct owner slots[NET_SOCKETS_MAX];	/* admission 0: free */
static uint32_t share;				/* buffers a line may hold */

static uint32_t pid_of(uint64_t admission)
{
	return (uint32_t)admission;
}

static uint32_t line_of(uint64_t admission)
{
	return (uint32_t)(admission >> 32);
}

void owners_init(const volatile uint64_t *table, uint32_t line_bufs)
{
	admitted = table;
	share = line_bufs;
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		slots[i] = (struct owner){ 0 };
}

/* pid's entry in the admission table: 0 and *o, or -EPERM. Pids start at
 * 1, so an empty entry (0) is never pid's. */
static int admission_of(uint32_t pid, struct owner *o)
{
	for (uint32_t k = 0; k < NET_ADMITTED_MAX && pid; k++) {
		uint64_t a = admitted[k];	/* one read: a whole entry */

		if (pid_of(a) == pid) {
			*o = (struct owner){ a, k };
			return 0;
		}
	}
	return -EPERM;
}

long owners_place(uint32_t pid, struct owner *o)
{
	long slot = -1;
	unsigned mine = 0, line = 0;

	if (admission_of(pid, o) < 0)
		return -EPERM;
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++) {
		uint64_t a = slots[i].admission;

		if (!a && slot < 0)
			slot = i;
		mine += a && pid_of(a) == pid;
		line += a && line_of(a) == line_of(o->admission);
	}
	/* Line 0 is no line: the pager's own processes (net_protocol.h). */
	if (slot < 0 || mine >= NET_SOCKETS_PER_PROC ||
	    (line_of(o->admission) && line >= NET_LINE_SOCKETS))
		return -EMFILE;
	return slot;
}

void owners_take(unsigned slot, const struct owner *o)
{
	slots[slot] = *o;
}

void owners_drop(unsigned slot)
{
	slots[slot] = (struct owner){ 0 };
}

/* Whether admission b shares a's bound: its line, or for line 0 (no line:
 * the pager's own processes) its process, as owners_place counts. */
static bool same_share(uint64_t a, uint64_t b)
{
	if (!a || !b)
		return false;
	return line_of(a) ? line_of(b) == line_of(a) : pid_of(b) == pid_of(a);
}

uint32_t owners_room(unsigned slot, const uint32_t held[NET_SOCKETS_MAX])
{
	uint64_t a = slot < NET_SOCKETS_MAX ? slots[slot].admission : 0;
	uint32_t used = 0;

	if (!a)
		return 0;
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		if (same_share(a, slots[i].admission))
			used += held[i];
	return used < share ? share - used : 0;
}

bool owners_holds(unsigned slot, uint32_t pid)
{
	return slot < NET_SOCKETS_MAX && slots[slot].admission && pid_of(slots[slot].admission) == pid;
}

bool owners_gone(unsigned slot)
{
	const struct owner *o = &slots[slot];

	return o->admission && admitted[o->entry] != o->admission;
}
