/*
 * A swap device in memory for host tests of the swap engine (struct
 * swap_backend): pages of a buffer, the first carrying a swap header
 * (or not), each transfer counted, and failures on the slots the test
 * names (the device's own, or requests that never reached it), or of
 * whole transfers; a write by the lock's holder left in flight as if the
 * device had begun an outage while it waited.
 */
#ifndef TESTS_HOST_BACKEND_FAKE_H
#define TESTS_HOST_BACKEND_FAKE_H

#include <stdint.h>
#include "swap/backend.h"

/* Room for two full writes (SWAP_WRITE_BATCH) and more. */
#define DISK_PAGES 160

struct fake_disk {
	uint8_t page[DISK_PAGES][4096];
	unsigned reads, writes;		/* transfers */
	unsigned pages_read, pages_written;
	unsigned last_read_pages;	/* pages of the last read */
	uint32_t bad_write, bad_read;	/* a slot whose transfers fail (0: none) */
	int writes_fail;		/* every page written fails (a device that
					 * fails whatever it is given) */
	int request_fails;		/* bad_write fails its whole write request
					 * (a real device's), not its page alone */
	int bad_err;			/* their pages' result (0: -EIO, a media
					 * error; SWAP_ERR_UNSENT, SWAP_ERR_STUCK) */
	unsigned unsent_reads, unsent_writes;	/* the next so many fail whole:
						 * nothing reached the device */
	unsigned ended;			/* ops.ended calls: the driver ended */
	unsigned flushes;		/* ops.flush calls */
	int flush_err;			/* what a flush answers (0: done) */
	unsigned lost_flushes;		/* the next so many answer SWAP_ERR_UNSENT
					 * first: a link lost before the batch's
					 * writes were flushed (NBD's, which says so) */
	/* A flush that does not vouch (lost, or failed) loses what its
	 * thread wrote since its last flush: those slots' pages are spoilt
	 * (each byte inverted), so that a page read back from one shows. */
	int unflushed_spoil;
	/* The last flush answered other than lost or left (what
	 * swap_flush_failing follows). */
	int flush_last;
	int flush_lost_last;		/* the last flush answered was lost */
	int window_fails;		/* a read of more than one page fails whole */
	int read_only;
	uint64_t bytes;			/* the size it says, if not 0 (else the whole buffer) */
	int congested, gone;		/* what the device says (ops.congested, ops.gone);
					 * gone, its reads fail -ENXIO */
	int stalled;			/* ops.stalled: writes held in an outage */
	int64_t outage_ended;		/* ops.outage_ended: the latest one ended then */
	/* A write by the pager lock's holder is left in flight, as when the
	 * device begins an outage while its thread waits (its pages land,
	 * SWAP_ERR_LEFT each), until collected (ops.collect): once answered,
	 * or waited for by a thread that does not hold the lock, or not in
	 * an outage (nor still in one past its bound: left_holds, as netd
	 * late to give up, the device no longer stalled); each page then
	 * left_err, or SWAP_ERR_LATE for slot left_late. */
	int leaves, left_answered, left_err, left_holds;
	int flush_leaves, flush_left;	/* the same for a flush by the holder */
	uint32_t left_late;
	unsigned left_n;		/* pages left in flight now */
	uint32_t left_slot[SWAP_IO_MAX];
	unsigned collects;		/* ops.collect calls */
	/* Called as a write starts, the pager lock let go (the swap-out
	 * thread's): what a program does while the device works. */
	void (*during_write)(void);
	/* Called as a read starts: the swap header's at swap_start too. */
	void (*during_read)(void);
	/* The device moves a transfer's pages at once, before during_write
	 * or during_read (not once they have run): what the program does
	 * meanwhile comes after the device read its frames or its slots. */
	int moves_first;
	/* Writes failed SWAP_ERR_LATE may still land: the pages of the last
	 * few kept, to land when fake_disk_land_late says. */
	struct {
		uint32_t slot;
		uint8_t data[4096];
	} late[8];
	unsigned late_n;
	/* ops.start: calls, the last slot each was given, what it answers
	 * (0, or an error: its table is then not kept). It makes a table of
	 * fake_backend.slot_bytes a slot, as a real device's would be. */
	unsigned starts;
	uint32_t start_last;
	int start_err;
};

/* The failures that took effect, counted as the device answers (pages,
 * or requests where it says so); fake_disk_init keeps them, so a test
 * sums them over runs: a random test sees its weather does happen. */
struct fake_met {
	unsigned write_eio;		/* pages written failed -EIO */
	unsigned write_late;		/* failed SWAP_ERR_LATE, kept to land */
	unsigned write_unsent;		/* failed SWAP_ERR_UNSENT (a page's) */
	unsigned write_by_request;	/* failed for another page of their run */
	unsigned write_all_fail;	/* failed as writes_fail */
	unsigned late_landed;		/* kept pages landed on their slots */
	unsigned unsent_writes, unsent_reads;	/* requests failed whole */
	unsigned read_bad;		/* pages read failed, their slot bad */
	unsigned window_failed;		/* reads failed whole, windows */
	unsigned gone_reads;		/* reads refused -ENXIO, the device gone */
	unsigned flush_failed;		/* flushes answered an error */
	unsigned flush_lost;		/* answered SWAP_ERR_UNSENT (link lost) */
	unsigned lost_after_failed;	/* lost while the last answered failed */
	unsigned failed_after_lost;	/* failed just after one lost */
	unsigned spoilt;		/* slots spoilt by a flush that did not vouch */
	unsigned left;			/* pages left in flight (an outage) */
	unsigned left_late, left_err;	/* of them, answered SWAP_ERR_LATE, or
					 * left_err when it is an error */
};

extern struct fake_disk disk;
extern struct fake_met fake_met;
extern struct swap_backend fake_backend;

/* An empty disk; with a swap header (mkswap's layout, last page
 * DISK_PAGES - 1, no bad pages) if header. The table ops.start made goes. */
void fake_disk_init(int header);
/* The writes failed late land now, on their slots. */
void fake_disk_land_late(void);
/* The header's last page (a device larger than the buffer: set bytes). */
void fake_disk_set_last(uint32_t last);

#endif
