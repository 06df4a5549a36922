/*
 * Who owns each of programs' connections (sockets.c's table, slot for
 * slot), as the pager has admitted them (net_protocol.h's
 * net_shared.admitted): the pid and the line of the owner of each, whether
 * a caller may open one more, the pool buffers each holds and how many
 * more its line may take, and whether an owner has ended. Plain C, no
 * system calls: the host tests run it over an admission table of their own.
 */
#ifndef NETD_OWNERS_H
#define NETD_OWNERS_H

#include <stdbool.h>
#include <stdint.h>

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

/* The pool buffers slot's connection holds now (sockets.c counts them
 * afresh before each decision: received and unread, queued to send,
 * refused, out of order). A free slot holds none. */
void owners_hold(unsigned slot, uint32_t bufs);

/* Buffers slot's connection may still take: line_bufs less what its
 * line's connections hold (line 0: its process's), 0 at or past it, or if
 * slot is free. */
uint32_t owners_room(unsigned slot);

/* Whether slot is taken and pid's. */
bool owners_holds(unsigned slot, uint32_t pid);

/* Whether slot is taken by an owner the pager no longer admits: its entry
 * is empty, or another process's (the pager reaped it). */
bool owners_gone(unsigned slot);

#endif
