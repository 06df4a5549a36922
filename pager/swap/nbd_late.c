/*
 * Late writes (nbd_late.h). When may a slot whose write went out on a lost
 * connection be given back? QEMU (or any server) gives each connection a
 * server of its own; the lost one's may hold the write whole (paused, a
 * slow disk, SIGSTOP in guest-nbd) and perform it at any time, over
 * whatever the slot holds by then. Nothing seen on another connection is
 * ordered with it: not the write's answer on the next connection, nor a
 * flush there (a flush covers the writes its own server answered), nor
 * the connection made again, nor time passing. So netd never writes it
 * again; on the next connection it reads the write's range back
 * (drivers/nbd_client.h, nbd_late), which ends the outage, and compares
 * nothing: a page reads back as written whenever the slot held those bytes
 * already, and what it held is not known. The checksum kept for it is of the
 * frame as its last answered write found it, and a frame is not frozen
 * while written: a program's write to it gets write permission back at
 * once and only makes the write-out stale (vm/fault.c), the engine then
 * releasing the slot as not clean, its table entry naming bytes the slot
 * never held. Given back on such a read, the slot's next write could be
 * overwritten by the old server late, its page's read failing and its
 * owner killed. Only a page whose bytes never left netd (a request the
 * connection took part of) goes back: the old server never had them, so
 * nothing of them can land, whatever the frame or the slot held. Every
 * other page's slot is retired for the boot: it may still land, now or in
 * an hour, and the old server may be dead and never write it; the pager
 * cannot tell which. Retired slots are bounded by the writes out at each
 * loss, said once they pass 1/LATE_SAY_DIV of the area, and a link whose
 * every write is lost holds writes back (swap/failing.h) rather than
 * retire the area.
 */
#include <stdio.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "drivers/net_protocol.h"
#include "swap/nbd_late.h"
#include "swap/sums.h"

/* Said once the retired slots pass 1/LATE_SAY_DIV of the area, when a
 * link that flaps has cost a share of swap worth an operator's look. */
#define LATE_SAY_DIV 16
static uint32_t area_slots;
static int late_said;

/* The slot runs of each I/O client's current write whose requests came
 * back late, noted as each request is released: the swap-out thread
 * writes, and so does a faulting thread's direct reclaim (swap_out_now)
 * while the writer waits with the lock let go, so each keeps its own. A
 * transfer has at most SWAP_IO_MAX requests. No lock: client c's arrays
 * are touched by c's thread alone, each request noted as its waiter
 * releases it (blk_link.c's wait_done, or the same client's collect),
 * also when the driver ends: blk_link_end only marks the requests done
 * and wakes their waiters, who release them. */
struct late_run {
	uint32_t first, n;
	uint32_t out;	/* net_shared.late's: the pages whose bytes went out */
};
static struct late_run late[PAGER_IO_CLIENTS][SWAP_IO_MAX];
static unsigned nlate[PAGER_IO_CLIENTS];

/* Each client's current write's slots, until its next write begins (a
 * write left in flight is collected before its client writes again). */
static uint32_t writing[PAGER_IO_CLIENTS][SWAP_IO_MAX];
static unsigned nwriting[PAGER_IO_CLIENTS];

void nbd_late_start(uint32_t slots)
{
	area_slots = slots;
	late_said = 0;
}

void nbd_late_begin(unsigned c, const struct swap_req *p, unsigned n)
{
	nlate[c] = 0;
	nwriting[c] = n;
	for (unsigned k = 0; k < n; k++)
		writing[c][k] = p[k].slot;
}

/* Never past SWAP_IO_MAX: a transfer's requests are noted once each, and
 * the notes are used up at each settle. Were one dropped, its pages would
 * keep their -ESTALE, a device error: retired all the same. */
void nbd_late_note(unsigned c, uint32_t first, uint32_t npages, uint32_t word)
{
	if (word != 0 && nlate[c] < SWAP_IO_MAX)
		late[c][nlate[c]++] = (struct late_run){ first, npages, word };
}

void nbd_late_unvouched(unsigned c, struct swap_sums *s)
{
	for (unsigned k = 0; s && k < nwriting[c]; k++)
		swap_sums_forget(s, writing[c][k]);
}

/* The run of c's notes that slot is in, or NULL. */
static const struct late_run *run_of(unsigned c, uint32_t slot)
{
	for (unsigned i = 0; i < nlate[c]; i++)
		if (slot - late[c][i].first < late[c][i].n)
			return &late[c][i];
	return NULL;
}

/* Whether nothing of c's late write of page p can land: its bytes never
 * left netd (the top of this file). */
static int cannot_land(const struct late_run *run, const struct swap_req *p)
{
	return !(run->out & 1u << (p->slot - run->first));
}

/* n more slots retired as late (the pager lock may not be held: a
 * transfer's), said once past the share of the area. */
static void count_late(unsigned n)
{
	uint64_t total;

	if (n == 0)
		return;
	vmstat_count_unlocked(VMSTAT_SWAP_SLOTS_LATE, n);
	total = vmstat_get(VMSTAT_SWAP_SLOTS_LATE);
	if (total * LATE_SAY_DIV < area_slots || __atomic_exchange_n(&late_said, 1, __ATOMIC_RELAXED))
		return;
	printf("pager: swap: %lu slots, over 1/%u of the swap area, retired for writes that went "
	       "out on NBD connections lost before their answer; a link that keeps failing uses "
	       "the area up (vmstat swap_slots_late)\n", (unsigned long)total, LATE_SAY_DIV);
}

/* Whatever their answer: one failed (the server's error on the next
 * connection, or netd's NBD_BLAME_MAX) may still land late from the old
 * one all the same, so a page not known to be past that must not be
 * written there again (out_write.c) nor its slot reused. Not when the
 * device is gone (-ENXIO): nothing is written to it again. The notes are
 * used up here: a write left in flight is settled twice, as it returns
 * and as it is collected, and the second time must meet only the runs of
 * the requests collected since, or a page settled the first time would
 * be counted and said again (its result there is the engine's pre-fill:
 * swap_transfer_collect). Those collected by a collect that returned 0
 * (some still out) stay until the one that returns 1, whose pre-fill
 * their pages meet again. */
void nbd_late_settle(unsigned c, const struct swap_req *p, unsigned n, struct swap_done *done)
{
	unsigned retired = 0, back = 0;
	const struct late_run *run;

	for (unsigned k = 0; k < n && nlate[c] > 0; k++) {
		if (done->err[k] == -ENXIO || done->err[k] == SWAP_ERR_LATE ||
		    done->err[k] == SWAP_ERR_LEFT || !(run = run_of(c, p[k].slot)))
			continue;
		if (cannot_land(run, &p[k])) {
			done->err[k] = SWAP_ERR_UNSENT;
			back++;
		} else {
			done->err[k] = SWAP_ERR_LATE;
			retired++;
		}
	}
	nlate[c] = 0;
	if (retired + back > 0)
		printf("pager: swap: %u pages' writes went out on an NBD connection lost before "
		       "their answer: %u slots retired (the old server may still write them "
		       "late), %u let go (never sent); the pages stay "
		       "in memory\n", retired + back, retired, back);
	count_late(retired);
	vmstat_count_unlocked(VMSTAT_SWAP_SLOTS_LATE_BACK, back);
}
