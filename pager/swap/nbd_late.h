/*
 * The NBD backend's late writes: the pages of a write whose data went out
 * on a connection netd lost before its answer, and which of their slots
 * must be retired for the rest of the boot and which may be given back.
 * Kept by I/O client (each thread's write is its own), from the write's
 * start to its verdict. Plain C: host-tested with the backend.
 */
#ifndef PAGER_SWAP_NBD_LATE_H
#define PAGER_SWAP_NBD_LATE_H

#include <stdint.h>
#include "swap/backend.h"

struct swap_sums;

/* Swap starts over an area of slots slots: nothing late yet. */
void nbd_late_start(uint32_t slots);

/* Client c's write of p[0..n) begins: its slots are noted. */
void nbd_late_begin(unsigned c, const struct swap_req *p, unsigned n);

/* One of c's write requests, of slots first .. first + npages - 1, came
 * back with netd's late word (net_protocol.h's net_shared.late: the pages
 * that went out; 0: not late). */
void nbd_late_note(unsigned c, uint32_t first, uint32_t npages, uint32_t word);

/* c's write of p[0..n) (those of its pages' requests noted since the last
 * settle) is over: each page whose request was late gets its verdict in
 * done->err[k] (not one -ENXIO, already SWAP_ERR_LATE or SWAP_ERR_LEFT):
 * SWAP_ERR_LATE (its slot is retired), or SWAP_ERR_UNSENT (its slot is let
 * go: its bytes never left netd). Said and counted once a
 * page. The notes are used up. */
void nbd_late_settle(unsigned c, const struct swap_req *p, unsigned n, struct swap_done *done);

/* c's write is vouched for by no flush (it failed, or the write was left
 * in flight): what its slots hold is not known after all, so each
 * checksum its answers kept is forgotten. */
void nbd_late_unvouched(unsigned c, struct swap_sums *s);

#endif
