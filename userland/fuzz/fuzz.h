/*
 * The fuzzer's pieces (userland/fuzz): a seeded generator of hostile
 * arguments, the operations a worker draws from, the supervisor that keeps
 * workers running and the checks made once they are stopped.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stdint.h>
#include <sys/types.h>

#include "kernel/abi/clock.h"
#include "kernel/abi/kinfo.h"
#include "drivers/net_protocol.h"
#include "pager/protocol.h"
#include "sys.h"

#define FUZZ_WORKERS_MAX 8
/* Pressure mappings a worker keeps at once (op_pressure): a worker lives
 * some thirty calls on average, one in a hundred a pressure op. */
#define KEPT_HOGS_MAX 8
#define MS CLOCK_NS_PER_MS

/* A splitmix64 stream: every choice a worker makes comes from one. */
struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* 1 with probability 1/n. */
int rng_one_in(struct rng *r, uint64_t n);
/* The stream for call `index` of worker slot `slot` under `seed`: each
 * call's choices depend on these three alone, so a replacement worker
 * resumes the same sequence where the last one died. */
void rng_for_call(struct rng *r, uint64_t seed, unsigned slot, uint64_t index);

/* What a worker owns, set up before its first call (worker.c). */
struct worker_env {
	uint8_t *scratch;	/* writable, mapped: "valid" pointers land here */
	uint64_t scratch_len;
	uint8_t *area;		/* a private mapping, partly touched */
	uint64_t area_pages;
	uint8_t *shared;	/* a shared mapping */
	uint64_t shared_pages;
	uintptr_t hole;		/* a page this worker unmapped: never mapped */
	int ep;			/* its partner thread receives here (-1: none) */
	int note;		/* a notification of its own */
	int is_child;		/* a worker's forked child: no blocking, no fork */
	int pager_closed;	/* it closed HANDLE_PAGER: the number may now
				 * name an endpoint no one receives on */
	uint64_t hog_pages;	/* the most pages one pressure op writes */
	uint64_t swap_frames;	/* the frames the pager manages if it has
				 * swap, else 0 (op_swap_kill) */
	/* The pressure op's mappings kept for the rest of the worker's life,
	 * which op_fork_hold's holder unmaps before it forks. */
	struct { void *addr; uint64_t len; } kept_hogs[KEPT_HOGS_MAX];
	unsigned nkept_hogs;
	/* The supervisor's state page and the inaccessible moat below it:
	 * no request may unmap or discard anything there (a worker that did
	 * would lose its way of reporting, and look hung). Set by the
	 * supervisor, which maps them, in the worker before worker_main. */
	uint64_t keep_lo, keep_hi;
};

extern struct worker_env fuzz_env;

/* Argument generators (gen.c). */
uint64_t gen_arg(struct rng *r);		/* any kind of value */
uint64_t gen_ptr(struct rng *r);		/* a pointer, good or bad */
uint64_t gen_bad_ptr(struct rng *r);		/* a pointer no call may use */
uint64_t gen_unmapped(struct rng *r);		/* never mapped in any worker */
void *gen_scratch(struct rng *r, uint64_t size);	/* size bytes in scratch */
uint64_t gen_bad_pc(struct rng *r);		/* an address no thread may start at */
uint64_t gen_len(struct rng *r);		/* a length or size */
int64_t gen_handle(struct rng *r);		/* a handle: good, closed, out of range */
int gen_handle_of(struct rng *r, int type);	/* a live handle of type, or -1 */
uint32_t gen_rights(struct rng *r);		/* rights for a passed handle */
void gen_fill(struct rng *r, void *buf, uint64_t len);	/* random bytes */

/* The operations (ops.c, calls.c, pagerreq.c). Each makes at least one
 * system call; fuzz_op draws one by weight. */
void fuzz_op(struct rng *r);
void op_raw_syscall(struct rng *r);
void op_debug_write(struct rng *r);
void op_thread(struct rng *r);
void op_pager_request(struct rng *r);
void op_net(struct rng *r);			/* netops.c */
void op_spawn_passing(struct rng *r);		/* handarg.c */
void op_fork_hold(struct rng *r);		/* forkhold.c */
void op_swap_kill(struct rng *r);		/* swapkill.c */
/* The `argchild=SEED` mode (handarg.c): a spawned copy of the fuzzer that
 * uses its HANDLE_ARG; its exit status. */
int argchild_main(uint64_t seed);
/* Append s and its NUL to m's data if it fits (pagerreq.c). */
void msg_pack_str(struct msg *m, const char *s);
/* A made-up pager request in *m; a spawn names only harmless programs. */
void pager_msg_build(struct rng *r, struct msg *m);
/* Entries that end at once without touching the stack: the only code a
 * made-up thread or forked process may start in (entries.c). */
void fuzz_thread_exit_entry(void);
void fuzz_exit_entry(void);
/* Whether raw call number n may block its caller (supervisor.c kills a
 * worker blocked too long in one; a child skips them). */
int call_may_block(uint64_t n);
/* The name of operation op (ops.c). */
const char *fuzz_op_name(unsigned op);

/* One worker's progress, in memory it shares with the supervisor. Its
 * place in the sequence is one word, so a death between two stores can
 * never make a call count twice or not at all: call << 2 | kind. */
enum cursor_kind {
	CURSOR_BETWEEN = 0,	/* the call is the next one to make */
	CURSOR_IN_CALL = 1,	/* making it; it should return */
	CURSOR_MAY_BLOCK = 2	/* making it; it may block for ever */
};
#define CURSOR(call, kind) ((call) << 2 | (kind))
#define CURSOR_CALL(c) ((c) >> 2)
#define CURSOR_KIND(c) ((c) & 3)

/* What the shaped operations reached, counted to show they reach it. */
enum fuzz_event {
	EV_NET_CONNECTED,	/* netd took a connect (a connection number) */
	EV_NET_REFUSED,		/* netd refused one (-errno) */
	EV_NET_DATA,		/* a send took bytes, or a receive gave some */
	EV_NET_NOT_OURS,	/* netd refused us a label of the pager's (-EPERM) */
	EV_NET_LABEL_ASKED,	/* a fresh handle asked for to send one on */
	EV_HANDLE_PASSED,	/* a spawn passing a handle started its child */
	EV_LINE_FULL,		/* a held line's spawn refused: -EAGAIN */
	EV_SWAP_KILL,		/* a child killed with pages in swap, reading them */
	EV_SWAP_MISSED,		/* ... or with none there, or done reading */
	FUZZ_EVENTS
};

struct slot_state {
	volatile uint64_t cursor;
	volatile int64_t since;		/* when the current call started (ns) */
	volatile uint32_t ready;	/* set up, making calls */
	volatile uint32_t op;		/* the operation it makes (ops.c) */
	volatile uint64_t detail;	/* its call number or pager label */
	/* Kept across the slot's workers: */
	volatile uint64_t fork_failures;	/* fork() calls that failed */
	volatile uint64_t emfile_unexplained;	/* of those, EMFILE with room
						 * in the worker's own table */
	volatile uint64_t pages_checked;	/* pages written and read back */
	volatile uint64_t pages_wrong;		/* of those, not as written */
	volatile uint64_t netd_let_in;		/* labels of the pager's netd
						 * answered other than -EPERM */
	volatile uint64_t events[FUZZ_EVENTS];
};

struct fuzz_config {
	uint64_t seed;
	uint64_t calls;			/* in total, over every worker */
	unsigned workers;
	uint64_t trace_from;		/* workers print each call from this one
					 * of their sequence on (~0: none) */
	unsigned hog_divisor;		/* a pressure op writes up to 1/this of memory */
};

/* A worker's reports in its slot's state (progress.c), each a no-op in a
 * worker's forked child. This process is worker `slot`, reporting in st. */
void progress_start(struct slot_state *st, unsigned slot);
/* Set up: it makes calls now. */
void progress_ready(void);
/* Call `call` of its sequence begins (trace: print it, and what it does),
 * or is done. */
void progress_call(uint64_t call, int trace);
void progress_call_done(uint64_t call);
/* A worker's forked child: it reports nothing (the slot is its parent's). */
void progress_stop(void);
/* Print a trace line for the current call if tracing is on. */
void fuzz_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set by an op about to make a call that may block. */
void fuzz_may_block(void);
/* The current call is making progress (a long one says so now and then,
 * so that only a call that stops is taken for a hang). */
void fuzz_progress(void);
/* Operation op (named name, ops.c) begins, for a hang report and the
 * trace; then what it is about to do (a call number, a pager label). */
void fuzz_note(unsigned op, const char *name);
void fuzz_note_detail(uint64_t detail);
/* A worker's fork() failed with err: count it, and say whether the
 * worker's own table explains an EMFILE. */
void fuzz_fork_failed(int err);
/* A worker wrote n pages and read them back, `wrong` of them not as
 * written. */
void fuzz_pages_checked(uint64_t n, uint64_t wrong);
/* The current operation reached e. */
void fuzz_event(enum fuzz_event e);
/* netd answered res to a label only the pager may send (netops.c): it
 * must be -EPERM. */
void fuzz_netd_pager_label(int64_t res);

/* Worker slot `slot`: set up, then calls [first, end) of its stream;
 * exits 0 when done (worker.c). */
_Noreturn void worker_main(const struct fuzz_config *cfg, unsigned slot,
			   struct slot_state *st, uint64_t first, uint64_t end);

/* What the supervisor saw (supervisor.c). */
struct fuzz_tally {
	uint64_t calls;			/* made, over every worker */
	uint64_t started;		/* workers started, replacements included */
	uint64_t finished;		/* workers that made their whole share */
	uint64_t killed_fault;		/* ended by a bad access (pager, trap) */
	uint64_t killed_self;		/* ended by their own exit or kill call */
	uint64_t killed_oom;		/* by the OOM killer (reason 137) */
	uint64_t killed_stuck;		/* killed by the supervisor: blocked */
	uint64_t fork_failures;		/* replacements that could not start */
	uint64_t worker_fork_failures;	/* workers' own forks that failed */
	uint64_t emfile_unexplained;	/* of those, EMFILE not from their table */
	uint64_t pages_checked;		/* pages workers wrote and read back */
	uint64_t pages_wrong;		/* of those, not as written: data lost */
	uint64_t netd_let_in;		/* pager's labels netd did not refuse us */
	uint64_t events[FUZZ_EVENTS];
	int hung;			/* a call that should return did not */
	char hang_text[160];
};

/* Split cfg's calls into one share per worker slot, with the memory the
 * slots report in (each worker told where, fuzz_env.keep_lo/keep_hi).
 * 0, or -1. */
int supervise_init(const struct fuzz_config *cfg);
/* Run the calls over the workers, replacing those that die; then stop
 * and reap them all. 0, or -1 (a worker hung: tally->hang_text says). */
int supervise(const struct fuzz_config *cfg, struct fuzz_tally *tally);

/* The watchdog (watchdog.c): a thread that ends the run with a clear
 * message if the supervisor makes no progress for `limit_ns`. */
int watchdog_start(int64_t limit_ns);
/* The supervisor is alive; `what` names its current step. */
void watchdog_progress(const char *what);

/* Sleep for ns on this process's sleep timer (supervisor, checks). */
void fuzz_sleep(int64_t ns);

/* Resources as the checks compare them (checks.c). */
struct fuzz_snapshot {
	struct pager_stats pager;
	struct kernel_info kernel;
	int net;		/* netd answered: net_stats is read */
	struct net_stats netd;
};

/* Take one once the pager has finished with ended processes. 0, or -1. */
int snapshot_take(struct fuzz_snapshot *s);
/* Print TAP lines for the run's outcome and every check; the number of
 * failures. */
int checks_report(const struct fuzz_config *cfg, const struct fuzz_tally *t,
		  const struct fuzz_snapshot *before, int supervise_status);

#endif
