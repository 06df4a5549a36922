/*
 * Messages a program sends to the pager's service endpoint. Every process
 * finds that endpoint in handle HANDLE_PAGER, send-only: programs call the
 * pager, only the pager's threads receive there. Replies carry the result
 * in label: >= 0 success, < 0 a negated abi/errno.h code.
 *
 * Passed handles (msg.handle): only PAGER_SPAWN and PAGER_PRESSURE_SUBSCRIBE
 * take one, as their comments say. Any other request that passes a handle
 * fails with -EINVAL, and the pager closes its copy unused, so no program
 * can fill the pager's handle table.
 *
 * A request from a process the pager does not know (one reaped while its
 * call waited) fails with -ESRCH, a passed handle closed, but for those
 * that read only the pager's own state (PAGER_STATS, PAGER_PROC_STATS,
 * PAGER_INFO, PAGER_PRESSURE_LEVEL), which need no caller.
 */
#ifndef PAGER_PROTOCOL_H
#define PAGER_PROTOCOL_H

#include <stdint.h>
#include "kernel/abi/handle.h"

#define HANDLE_PAGER 1
#define HANDLE_ARG 2	/* the handle its spawner passed, if any */
/* A parent's handle to a child it spawned or forked: it may kill it and
 * wait for it, not pass it on. */
#define PARENT_RIGHTS (RIGHT_SEND | RIGHT_RECV)
/* Regions (segments, stack, heap, mappings) one process may hold: an mmap,
 * or a munmap that would split a region, past this fails with ENOMEM. */
#define PAGER_REGIONS_MAX 1024
/* Processes in the system at once (the pager's table): fork and spawn past
 * it fail with EAGAIN. */
#define PAGER_PROCS_MAX 57
/* Processes one line may hold at once: a line is a process that init (or
 * another process the pager started itself) spawned, with every process
 * descended from it, whoever between them has ended; fork and spawn past
 * it fail with EAGAIN. Half the table, as a process's page tables may take
 * at most half the kernel's pool: one program's fork bomb leaves the rest
 * to everyone else. */
#define PAGER_LINE_PROCS_MAX (PAGER_PROCS_MAX / 2)
/* pager.readahead's ceiling: the most pages of its region a swap-in read
 * brings after the page asked for (the VM core's VM_READAHEAD_MAX, the
 * boot argument's bound). */
#define PAGER_READAHEAD_MAX 16
/* The most slots one stream fault hands the swap-in thread: a fault's page
 * and the largest readahead window. */
#define PAGER_STREAM_SLOTS_MAX (1 + PAGER_READAHEAD_MAX)
/* The pager's service threads (server/service.c, serves_faults): the
 * first serves programs' requests and hears deaths, the others take
 * faults, so a swap read held by a slow device holds at most the fault
 * threads. Here, not in base/threads.h, for the tests that hold every
 * fault thread on purpose (swap_outage_reads). */
#define PAGER_SERVICE_THREADS 4
#define PAGER_FAULT_THREADS (PAGER_SERVICE_THREADS - 1)

enum pager_label {
	/* data = "name\0arg1\0...\0" (argv, argv[0] = program name), w[0] = argc.
	 * msg.handle, if not -1, is passed to the child as its handle
	 * HANDLE_ARG, with the rights the message gave it; the pager closes
	 * its own copy whatever the outcome. w[1] = the child's OOM adjustment (signed, -1000 .. 1000,
	 * pager/oom.h; 0: none); below the caller's own only if the caller is
	 * init (-EPERM), out of range -EINVAL. A forked child inherits its
	 * parent's. Reply: w[0] = a handle to the new process in the caller's
	 * table, w[1] = its pid; with no room for it there (EMFILE) the child
	 * is ended unstarted (the handle is given before the child's thread
	 * starts; if the thread is then refused, the child is ended, the error
	 * returned, and w[0] names the handle to it, the caller's to close; on
	 * any other error w[0] is -1; the runtime's spawn and fork close it). Unknown program: -ERR_NOENT-like -2 (ENOENT);
	 * the initrd damaged before the program was found: -5 (EIO); the
	 * table or the caller's line full (PAGER_PROCS_MAX,
	 * PAGER_LINE_PROCS_MAX): -EAGAIN; argc outside 1..SPAWN_ARGS_MAX:
	 * -EINVAL; arguments needing more than the stack's first page: -E2BIG;
	 * not a program the pager can load: -ENOEXEC; a handle passed that
	 * the pager's own table had no room for (abi/msg.h's
	 * MSG_HANDLE_LOST): -EMFILE, no child. */
	PAGER_SPAWN = 0x100,
	/* w[0] = increment in bytes (signed). Reply: w[0] = the old break. */
	PAGER_SBRK = 0x101,
	/* w[0] = status. Only init may ask. Does not reply: the machine stops. */
	PAGER_POWEROFF = 0x102,
	/* w[0] = length, w[1] = enum pager_prot, w[2] = enum pager_map_flags.
	 * Reply: w[0] = the address of a new region (pages come on demand). */
	PAGER_MMAP = 0x103,
	/* w[0] = address, w[1] = length: drop every page of the range. */
	PAGER_MUNMAP = 0x104,
	/* A copy-on-write copy of the caller's process whose one thread starts
	 * at pc w[0] with sp w[1] and a0 = w[2], at the calling thread's
	 * priority. Reply: w[0] = a handle to the
	 * child in the caller's table, w[1] = its pid. -EAGAIN, and EMFILE
	 * with the child ended unstarted, as for PAGER_SPAWN. */
	PAGER_FORK = 0x105,
	/* The two paged replies, PAGER_STATS and PAGER_PROC_STATS, share one
	 * convention: the request's w[0] = the first index wanted; the reply's
	 * w[0] = entries in data, w[1] = the index to ask for next, 0 after
	 * the last. */
	/* Paged: the entries are the uint64_t fields of struct pager_stats,
	 * by index, as many as one message holds (none if the request's w[0]
	 * is their count). The request's w[0] past the count: -EINVAL. */
	PAGER_STATS = 0x106,
	/* Paged: the entries are struct pager_proc_stats, one per live
	 * process, the index a process slot. */
	PAGER_PROC_STATS = 0x107,
	/* w[0] = an address of the caller's. Reply: w[0] = the accessed and
	 * dirty bits of its page since the last ask (abi/vm.h enum
	 * harvest_bits), which this request clears: the same harvest the
	 * pager's reclaim uses, offered like mincore(). */
	PAGER_PAGE_BITS = 0x108,
	/* Reply: data = struct pager_info (the policy and watermarks in force,
	 * the swap device's largest request, the bounds a new process and
	 * its line get). */
	PAGER_INFO = 0x109,
	/* msg.handle = a notification to signal with pressure events (bits
	 * PAGER_PRESSURE_BIT(level)), or -1 to unsubscribe. One per process; a
	 * process's exit unsubscribes it. The pager keeps the handle while
	 * subscribed and closes it otherwise. -EINVAL if the handle is not a
	 * notification the pager may signal (RIGHT_SEND), -ENOSPC if the table
	 * (16) is full, or the caller's line holds half of it, -EMFILE if a
	 * handle was passed but the pager's own handle table had no room for
	 * it (abi/msg.h's MSG_HANDLE_LOST: not taken for an unsubscribe). */
	PAGER_PRESSURE_SUBSCRIBE = 0x10a,
	/* Reply: w[0] = the level now (enum pager_pressure), w[1] = pages the
	 * pager would like back, w[2] = events signalled so far, w[3] =
	 * processes subscribed. */
	PAGER_PRESSURE_LEVEL = 0x10b,
	/* w[0] = address, w[1] = length (page-aligned, a private anonymous
	 * mapping), w[2] = enum pager_discard_op. Reply for PAGER_DISCARD_LOCK:
	 * w[0] = 1 if any page of the range was discarded since it was
	 * unlocked (those pages read as zeros now), else 0. */
	PAGER_DISCARD = 0x10c,
	/* Reply: w[0] = a handle to the network server's endpoint
	 * (drivers/net_protocol.h) in the caller's table, send-only;
	 * -ENODEV (19) if the machine has no network. The caller is first
	 * admitted to netd with its line (net_shared.admitted): its
	 * connections count against its line's share and end with it. */
	PAGER_NET = 0x10d
};

/* Memory pressure, lowest first. Low: background reclaim has started
 * (free frames at the start mark). Critical: memory is gone and the pager
 * will kill a process unless memory comes back within a bounded wait. */
enum pager_pressure {
	PAGER_PRESSURE_NORMAL = 0,
	PAGER_PRESSURE_LOW = 1,
	PAGER_PRESSURE_CRITICAL = 2
};
#define PAGER_PRESSURE_BIT(level) (1UL << (level))

enum pager_discard_op {
	/* The range's contents may be dropped without any write while memory
	 * is short (a purgeable range unlocked; like MADV_FREE). */
	PAGER_DISCARD_UNLOCK = 0,
	/* The range is kept again; the reply says whether anything was lost. */
	PAGER_DISCARD_LOCK = 1
};

enum pager_prot {
	PAGER_PROT_READ = 1,
	PAGER_PROT_WRITE = 2,
	PAGER_PROT_EXEC = 4
};

enum pager_map_flags {
	PAGER_MAP_PRIVATE = 1,	/* copy-on-write across fork */
	PAGER_MAP_SHARED = 2	/* the same frames in parent and child */
};

/* The pager's counters, like Linux's /proc/vmstat. */
struct pager_stats {
	uint64_t frames_total;		/* frames the pager manages */
	uint64_t frames_free;
	uint64_t frames_mapped;		/* holding user pages */
	uint64_t frames_shared;		/* mapped more than once */
	uint64_t rmap_entries;		/* (process, address) mappings */
	uint64_t pgfault; 		/* fault messages handled */
	uint64_t faults_zero;		/* pages filled with zeros */
	uint64_t faults_image;		/* pages filled from a program image */
	uint64_t cow_breaks;		/* private copies made on write */
	uint64_t cow_reuse;		/* write faults on a page no longer shared */
	uint64_t faultaround_pages;	/* extra pages mapped ahead of faults */
	uint64_t kills;			/* processes killed for a bad access */
	uint64_t processes;
	uint64_t pgmajfault;		/* pages read back from swap */
	uint64_t swap_cache_hits;	/* swapped pages found still in memory */
	uint64_t pswpout;		/* pages written to swap */
	uint64_t pswpin;		/* pages read from swap */
	uint64_t swap_requests_out;	/* disk requests writing (several pages each) */
	uint64_t swap_requests_in;	/* disk requests reading */
	uint64_t swap_pages_out;	/* pages those write requests wrote: over
					 * swap_requests_out, the average write */
	uint64_t swap_write_errors;	/* pages kept in memory after a failed write */
	uint64_t swap_read_errors;	/* faults whose page could not be read back */
	uint64_t swap_slots_total;	/* usable slots on the swap disk, 0: no swap */
	uint64_t swap_slots_free;
	uint64_t swap_slots_bad;	/* marked bad after a write error */
	uint64_t pgscan;		/* frames whose accessed bits the policy read */
	uint64_t pgscan_referenced;	/* of those, found accessed since the last look */
	uint64_t swap_full;		/* reclaims that found no free slot */
	uint64_t swap_entries;		/* page entries naming a slot (a slot shared
					 * by fork is named by several) */
	uint64_t swap_ra_mapped;	/* pages read back with a major fault's page,
					 * ahead of their own (not in pgmajfault) */
	uint64_t pgsteal_kswapd;	/* frames freed by background reclaim */
	uint64_t pgsteal_direct;	/* frames freed by direct reclaim */
	uint64_t allocstall;		/* direct reclaims: a fault or request waited */
	uint64_t kswapd_wakeups;	/* times background reclaim was started */
	uint64_t swapout_queued;	/* pages in the swap-out queue or being
					 * written from it now */
	uint64_t swapout_refused;	/* background pushes refused: queue full */
	uint64_t swapout_rescued;	/* queued pages no longer evictable at their write */
	uint64_t pgdrop_clean;		/* victims freed without a write: their swap
					 * copy was still valid (cheapest first) */
	uint64_t faults_during_read;	/* faults served while another fault's
					 * swap-in waited for the disk */
	uint64_t swapin_waits;		/* faults that waited for another fault's
					 * read of the same slot */
	uint64_t swapin_async;		/* pages the swap-in thread read ahead of a
					 * stream's faults (in pswpin too) */
	uint64_t swapin_refused;	/* slots refused by a full swap-in queue */
	uint64_t swap_copies;		/* pages in memory that keep their slot as a
					 * valid copy (read back, not written since) */
	uint64_t oom_kill;		/* processes the OOM killer ended */
	uint64_t frames_free_lowest;	/* the fewest frames ever free at once */
	uint64_t reserve_allocs;	/* pager frames taken from the reserve */
	uint64_t throttled;		/* requests that waited for background writes
					 * instead of reclaiming themselves */
	uint64_t pswpout_at_floor;	/* pages written by writes started with no
					 * frame free above the reserve */
	uint64_t pglazyfreed;		/* pages of unlocked (discardable) memory
					 * dropped without any I/O */
	uint64_t pressure_level;	/* enum pager_pressure now */
	uint64_t pressure_events;	/* notifications signalled to subscribers */
	uint64_t pressure_waits;	/* critical episodes in which the pager
					 * waited for subscribers before killing */
	uint64_t net_throttled;		/* direct reclaimers that waited for the
					 * network server's pool to leave its
					 * reserve before writing (swap over NBD) */
	uint64_t heap_pages;		/* frames the pager's own heap holds:
					 * malloc's high-water mark (a growth that
					 * succeeded is never given back) and the
					 * pages of objects (region records, page
					 * arrays) in use */
	uint64_t shadows;		/* evicted pages whose policy history (shadow
					 * word) the swap engine keeps now */
	uint64_t workingset_refault;	/* pages read back from swap that found their
					 * history (Linux's workingset_refault) */
	uint64_t pgdrop_image;		/* program-image pages never written, dropped
					 * without I/O (refilled from the file) */
	uint64_t swap_ra;	/* pages read ahead of their own fault: in a
					 * fault's window or by the swap-in thread */
	uint64_t swap_ra_hit;	/* of those, shown used (the region's next
					 * swap-in fault came past them, or found one) */
	uint64_t harvest_calls;		/* kernel calls that read accessed and
					 * dirty bits (each for many pages) */
	uint64_t pgfree;		/* frames returned to the free list */
	uint64_t pgscan_kswapd;		/* of pgscan, looks by background reclaim */
	uint64_t pgscan_direct;		/* of pgscan, looks by direct reclaim */
	uint64_t swap_ra_streams;	/* swap-in faults judged a stream (the last
					 * window was used) whose further slots the
					 * swap-in thread took to read ahead: at
					 * most PAGER_STREAM_SLOTS_MAX each */
	uint64_t swap_ra_miss;		/* of swap_ra, taken by reclaim before any
					 * fault found them (never used) */
	uint64_t swapout_fault_kept;	/* victims taken out of their mappings for
					 * their write that a fault mapped back */
	uint64_t swap_gone;		/* 1: the swap device is gone for good and
					 * the pager runs without swap */
	uint64_t outage_waits;		/* waits of requests and faults for writes
					 * held in flight by a swap device's outage
					 * (an NBD server netd reconnects to), which
					 * do not use up the writer's rounds */
	uint64_t swap_sum_mismatches;	/* pages read back from the NBD export
					 * whose checksum is not the one of what
					 * was written (the read failed) */
	uint64_t swap_writes_left;	/* direct reclaim batches whose write was
					 * in flight as the swap device began an
					 * outage: their thread, holding the pager
					 * lock, stopped waiting for it */
	uint64_t swap_slots_late;	/* slots retired because their page's write
					 * went out on an NBD connection lost before
					 * its answer (the old server may still
					 * write it late): never used again */
	uint64_t swap_slots_late_back;	/* slots of such writes let go instead: the
					 * page's bytes never left netd */
	uint64_t heap_malloc_pages;	/* of heap_pages, those mapped for malloc
					 * (its high-water mark): the only ones
					 * the pager's own page tables map */
	uint64_t overdue_waits;		/* waits of requests and faults for the
					 * swap-out thread's overdue write, before
					 * any outage is declared: not counted
					 * against the writer's rounds */
	uint64_t overdue_abandoned;	/* overdue writes still out past every
					 * bound their device keeps: waits for
					 * them are counted from then on */
};

/* How the pager reclaims, as configured at boot (docs/boot-args.md). */
struct pager_info {
	char policy[16];		/* pager.policy, NUL-terminated */
	uint32_t reclaim_at, reclaim_to, free_min;	/* seed's percentages */
	uint32_t seed_marks;		/* 1: pager.watermarks=seed (the percentages
					 * in force), 0: linux (they are not) */
	uint64_t start_free, stop_free, min_free;	/* the same, in free frames */
	char oom_policy[16];		/* oom.policy, NUL-terminated */
	uint64_t reserve;		/* pager.reserve in force, in frames */
	uint32_t swap_request_pages;	/* pages one swap device request carries
					 * at most (0: no swap) */
	uint32_t policy_traits;		/* PAGER_POLICY_*: what the policy does */
	uint64_t pt_pages_max;		/* kernel pages a new process's page tables
					 * may use (spawn_pt_limit; 0: no limit) */
	uint64_t line_pool_pages;	/* kernel pool pages one line's processes may
					 * use together (spawn_pool_limit; 0: none) */
	uint64_t line_pool_used;	/* of those, pages the caller's line uses now,
					 * rounded up (0: its line has no budget) */
};

/* pager_info.policy_traits: the policy reads accessed bits; it leaves a
 * shadow word for every fresh page it evicts (one that came in with none
 * and was not used since, as a page written once and read back), or for
 * some only (timing decides which: CLOCK-Pro's pages on test); neither
 * history bit: it remembers nothing (policy_history, reclaim/policy/policy.h); it
 * ignores a new page's references during its first stay (2Q's A1in:
 * policy_ops.first_stay_blind). */
#define PAGER_POLICY_READS_BITS 1u
#define PAGER_POLICY_HISTORY_ALWAYS 2u
#define PAGER_POLICY_HISTORY_SOME 4u
#define PAGER_POLICY_FIRST_STAY_BLIND 8u

struct pager_proc_stats {
	uint32_t pid;
	uint32_t resident;		/* pages mapped in it */
	uint32_t shared;		/* of those, mapped elsewhere too */
	uint32_t regions;
	uint32_t swapped;		/* its pages now in swap */
	uint32_t reserved;
	char name[16];
};

#define PAGER_ENOENT 2	/* no such program in the initrd (picolibc's ENOENT) */
#define PAGER_EDAMAGED 5	/* the initrd is damaged before the program
				 * (picolibc's EIO); the pager says where */
/* The reason (exit_info.status, cause CAUSE_KILLED) of a process the OOM
 * killer ended: 128 + 9, as a shell reports a SIGKILL. */
#define PAGER_KILLED_OOM 137

#endif
