/*
 * Late writes (nbd_late.h). When may a slot whose write went out on a lost
 * connection be given back? QEMU (or any server) gives each connection a
 * server of its own; the lost one's may hold the write whole (paused, a
 * slow disk, SIGSTOP in guest-nbd) and perform it at any time, over
 * whatever the slot holds by then. Nothing seen on another connection is
 * ordered with it:
 * - not the write's answer on the next connection, nor a flush there (a
 *   flush covers the writes its own server answered);
 * - not the connection made again, nor time passing (the old server may
 *   be stopped for as long as it likes);
 * - and, were the write sent again, not even its bytes read back: the
 *   copy the new server wrote hides whether the old one has performed it.
 * So netd never writes it again; on the next connection it reads the
 * write's range back and compares it with the write's data, page by page
 * (drivers/nbd_client.h, nbd_late). A page read back as written was
 * performed by the old server, which performs a request once: nothing of
 * it is left to land, and the slot may go back to the free pool. Unless
 * the slot held those very bytes before the write (a page of zeros over a
 * fresh export's zeros; the same page written there by an earlier boot):
 * then the read proves nothing. So the slot is given back only when its
 * checksum before the write was known (sums.h: its last write answered,
 * vouched for by a flush) and is not the page's. A slot never written
 * since setup is not known, and is retired as before. A page whose bytes
 * never left netd (a request the connection took part of) was never at
 * risk: its slot goes back too. Everything else is retired for the boot:
 * a page not read back as written may still land, now or in an hour, and
 * the old server may be dead and never write it; the pager cannot tell
 * which. Checking such slots again later would find those that landed
 * since; not done (retired slots are bounded by the writes out at each
 * loss, and said once they pass 1/LATE_SAY_DIV of the area).
 * Assumed of the server: it performs each request once (one that repeats
 * part of a write after its bytes were seen, nbdkit's retry filter after
 * an error, could land them again); it keeps what a flush vouched for;
 * and its connections share one store (a server whose connections each
 * keep a cache may show the old write late or never, which only retires
 * more).
 */
#include <stdio.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "drivers/net_protocol.h"
#include "swap/nbd_late.h"
#include "swap/sums.h"
#include "vm/frames.h"

/* Said once the retired slots pass 1/LATE_SAY_DIV of the area, when a
 * link that flaps has cost a share of swap worth an operator's look. */
#define LATE_SAY_DIV 16
static uint32_t area_slots;
static int late_said;

/* The slot runs of each I/O client's current write whose requests came
 * back late, noted as each request is released: the swap-out thread
 * writes, and so does a faulting thread's direct reclaim (swap_out_now)
 * while the writer waits with the lock let go, so each keeps its own. A
 * transfer has at most SWAP_IO_MAX requests. */
struct late_run {
	uint32_t first, n;
	uint16_t out, landed;	/* net_late's: by page of the run */
};
static struct late_run late[PAGER_IO_CLIENTS][SWAP_IO_MAX];
static unsigned nlate[PAGER_IO_CLIENTS];

/* Each client's current write: its slots and their checksums before it
 * (0: unknown), until its next write begins (a write left in flight is
 * collected before its client writes again). */
struct slot_sum {
	uint32_t slot, sum;
};
static struct slot_sum before[PAGER_IO_CLIENTS][SWAP_IO_MAX];
static unsigned nbefore[PAGER_IO_CLIENTS];

void nbd_late_start(uint32_t slots)
{
	area_slots = slots;
	late_said = 0;
}

void nbd_late_begin(unsigned c, const struct swap_sums *s, const struct swap_req *p, unsigned n)
{
	nlate[c] = 0;
	nbefore[c] = n;
	for (unsigned k = 0; k < n; k++)
		before[c][k] = (struct slot_sum){ p[k].slot, s ? swap_sums_of(s, p[k].slot) : 0 };
}

void nbd_late_note(unsigned c, uint32_t first, uint32_t npages, uint32_t word)
{
	if (word != 0 && nlate[c] < SWAP_IO_MAX)
		late[c][nlate[c]++] = (struct late_run){ first, npages, net_late_out(word),
							 net_late_landed(word) };
}

void nbd_late_unvouched(unsigned c, struct swap_sums *s)
{
	for (unsigned k = 0; s && k < nbefore[c]; k++)
		swap_sums_forget(s, before[c][k].slot);
}

/* The run of c's notes that slot is in, or NULL. */
static const struct late_run *run_of(unsigned c, uint32_t slot)
{
	for (unsigned i = 0; i < nlate[c]; i++)
		if (slot - late[c][i].first < late[c][i].n)
			return &late[c][i];
	return NULL;
}

/* What slot held before c's write, as far as its checksum says. */
static uint32_t sum_before(unsigned c, uint32_t slot)
{
	for (unsigned k = 0; k < nbefore[c]; k++)
		if (before[c][k].slot == slot)
			return before[c][k].sum;
	return 0;
}

/* Whether nothing of c's late write of page p is left to land: its bytes
 * never left netd, or they were read back as written and the slot did
 * not hold them before (the top of this file). */
static int cannot_land(unsigned c, const struct late_run *run, const struct swap_req *p)
{
	uint32_t bit = 1u << (p->slot - run->first), was;

	if (!(run->out & bit))
		return 1;
	if (!(run->landed & bit) || (was = sum_before(c, p->slot)) == 0)
		return 0;
	return was != swap_sum_page(frame_ptr(p->pa));	/* unchanged while written */
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
		if (cannot_land(c, run, &p[k])) {
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
		       "late), %u let go (read back as written, or never sent); the pages stay "
		       "in memory\n", retired + back, retired, back);
	count_late(retired);
	vmstat_count_unlocked(VMSTAT_SWAP_SLOTS_LATE_BACK, back);
}
