/*
 * Who owns each of programs' connections (sockets.c's table, slot for
 * slot), as the pager has admitted them (net_protocol.h's
 * net_shared.admitted): the pid and the line of the owner of each, whether
 * a caller may open one more, how many more pool buffers its line may
 * take (of what sockets.c counts each holds), and whether an owner has
 * ended. Plain C, no system calls: the host tests run it over an
 * admission table of their own.
 */
#ifndef NETD_OWNERS_H
#define NETD_OWNERS_H

#include <stdbool.h>
#include <stdint.h>

#include "net_protocol.h"	/* NET_SOCKETS_MAX */

/* An owner: its entry in the admission table and what the pager wrote
 * there when it admitted it. */
struct owner {
	uint64_t admission;	/* net_admission(pid, line); 0: none */
	uint32_t entry;		/* its index in the admission table */
};

/* Read admissions from admitted[0 .. NET_ADMITTED_MAX) (netd: its status
 * page's), and free every slot. A line's connections may hold line_bufs
 * pool buffers in all (netd.c derives it), as may each process of line 0. */
void owners_init(const volatile uint64_t *admitted, uint32_t line_bufs);

/* A free slot (of NET_SOCKETS_MAX) for a new connection of pid, its owner
 * in *o; or -EPERM, the pager has not admitted pid (or it has ended);
 * -EMFILE, every slot is taken, or pid holds NET_SOCKETS_PER_PROC, or its
 * line NET_LINE_SOCKETS. Takes nothing: owners_take does. */
long owners_place(uint32_t pid, struct owner *o);

/* Slot becomes o's (owners_place's answer), or free again. */
void owners_take(unsigned slot, const struct owner *o);
void owners_drop(unsigned slot);

/* Buffers slot's connection may still take: line_bufs less what its
 * line's connections hold (line 0: its process's), 0 at or past it, or if
 * slot is free. held[i] is what slot i's connection holds now, as
 * sockets.c counts it (its one owner: received and unread, queued to send,
 * refused, out of order); a free slot's is not read. */
uint32_t owners_room(unsigned slot, const uint32_t held[NET_SOCKETS_MAX]);

/* Whether slot is taken and pid's. */
bool owners_holds(unsigned slot, uint32_t pid);

/* Whether slot is taken by an owner the pager no longer admits: its entry
 * is empty, or another process's (the pager reaped it). */
bool owners_gone(unsigned slot);

#endif
