/*
 * The supervisor: keeps one worker per slot running until every slot has
 * made its share of the calls. A worker that dies (a bad access, its own
 * exit or kill) or blocks too long in a call that may block is replaced by
 * one that resumes the slot's sequence after that call; a call that should
 * return but does not is a hang, and ends the run.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "fuzz.h"

#define BLOCK_NS (20 * MS)	/* a call that may block: then it is stuck */
#define HANG_NS (10000 * MS)	/* a call that should return and has made no
				 * progress for this long hangs */
#define TICK_NS (2 * MS)	/* between looks at the workers */
#define SETUP_FAILURES_MAX 100	/* workers in a row that could not start */
#define MOAT_PAGES 16		/* inaccessible, below the state page */

struct worker {
	pid_t pid;		/* 0: none running */
	uint64_t pos;		/* the slot's next call */
	uint64_t end;		/* the slot's share ends here */
	int64_t started;	/* when it was forked */
	int stuck;		/* killed by us for blocking */
	struct slot_state *st;
};

static struct worker workers[FUZZ_WORKERS_MAX];

_Static_assert(FUZZ_WORKERS_MAX * sizeof(struct slot_state) <= 4096,
	       "every slot's state in the one state page");
static unsigned setup_failures;
static uint8_t *moat;

/* The state page and the moat below it, which no request of a worker may
 * unmap or discard (fuzz_env.keep_lo, keep_hi: told before it starts). */
static void keep_range(uint64_t *lo, uint64_t *hi)
{
	*lo = (uint64_t)moat;
	*hi = (uint64_t)moat + (MOAT_PAGES + 1) * 4096;
}

static int start(const struct fuzz_config *cfg, unsigned slot, struct fuzz_tally *t)
{
	struct worker *w = &workers[slot];

	w->st->ready = 0;
	w->st->cursor = CURSOR(w->pos, CURSOR_BETWEEN);
	w->stuck = 0;
	w->started = sys_clock();
	pid_t pid = fork();
	if (pid == 0) {
		keep_range(&fuzz_env.keep_lo, &fuzz_env.keep_hi);
		worker_main(cfg, slot, w->st, w->pos, w->end);
	}
	if (pid < 0) {
		t->fork_failures++;
		return -1;
	}
	w->pid = pid;
	t->started++;
	return 0;
}

/* A worker ended with info: count how, and move the slot on past the
 * call it died in. */
static void ended(struct worker *w, const struct exit_info *info, struct fuzz_tally *t)
{
	uint64_t c = w->st->cursor;
	uint64_t resume = CURSOR_CALL(c) + (CURSOR_KIND(c) != CURSOR_BETWEEN);

	if (!w->st->ready) {
		setup_failures++;	/* it died setting up: try again */
	} else {
		setup_failures = 0;
		t->calls += (resume < w->end ? resume : w->end) - w->pos;
		w->pos = resume < w->end ? resume : w->end;
	}
	if (w->stuck)
		t->killed_stuck++;
	else if (info->how == EXIT_NORMAL && info->status == 0 && w->pos == w->end)
		t->finished++;
	else if (info->how == EXIT_KILLED && info->cause == CAUSE_KILLED &&
		 info->status == PAGER_KILLED_OOM)
		t->killed_oom++;
	else if (info->how == EXIT_NORMAL ||
		 (info->how == EXIT_KILLED && info->cause == CAUSE_KILLED))
		t->killed_self++;
	else
		t->killed_fault++;
	w->pid = 0;
}

static void hang(struct worker *w, unsigned slot, const char *what, struct fuzz_tally *t)
{
	t->hung = 1;
	snprintf(t->hang_text, sizeof(t->hang_text),
		 "worker %u (pid %d) %s call %lu (%s 0x%lx) for %ld ms", slot, (int)w->pid, what,
		 (unsigned long)CURSOR_CALL(w->st->cursor), fuzz_op_name(w->st->op),
		 (unsigned long)w->st->detail, (long)(HANG_NS / MS));
}

/* Look at one running worker: reap it if it ended, kill it if stuck. */
static void look(unsigned slot, struct fuzz_tally *t)
{
	struct worker *w = &workers[slot];
	struct exit_info info;
	int64_t now;

	if (waitpid_info(w->pid, &info, WNOHANG) == w->pid) {
		ended(w, &info, t);
		return;
	}
	now = sys_clock();
	if (!w->st->ready) {
		if (now - w->started > HANG_NS)
			hang(w, slot, "did not finish setting up before", t);
		return;
	}
	uint64_t kind = CURSOR_KIND(w->st->cursor);
	if (kind == CURSOR_MAY_BLOCK && now - w->st->since > BLOCK_NS && !w->stuck) {
		w->stuck = 1;
		kill(w->pid, SIGKILL);
	} else if (kind == CURSOR_IN_CALL && now - w->st->since > HANG_NS) {
		hang(w, slot, "has been in", t);
	}
}

static int all_done(const struct fuzz_config *cfg)
{
	for (unsigned s = 0; s < cfg->workers; s++)
		if (workers[s].pid || workers[s].pos < workers[s].end)
			return 0;
	return 1;
}

/* Kill and reap every worker still running. */
static void stop_all(const struct fuzz_config *cfg)
{
	struct exit_info info;

	for (unsigned s = 0; s < cfg->workers; s++) {
		if (!workers[s].pid)
			continue;
		kill(workers[s].pid, SIGKILL);
		waitpid_info(workers[s].pid, &info, 0);
		workers[s].pid = 0;
	}
}

static void report_progress(const struct fuzz_tally *t, uint64_t total, uint64_t *next_report)
{
	if (t->calls < *next_report)
		return;
	printf("# fuzz: %lu of %lu calls, %lu workers started\n", (unsigned long)t->calls,
	       (unsigned long)total, (unsigned long)t->started);
	*next_report += total / 10 ? total / 10 : 1;
}

int supervise_init(const struct fuzz_config *cfg)
{
	/* Mapped top-down: the state page first, then a moat no call may
	 * touch, so that a worker's wild writes (a struct msg running off the
	 * end of the page below) fault instead of landing in the state. */
	struct slot_state *st = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t share = cfg->calls / cfg->workers, pos = 0;

	moat = mmap(NULL, MOAT_PAGES * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED || moat == MAP_FAILED || (uint64_t)moat + MOAT_PAGES * 4096 != (uint64_t)st)
		return -1;
	memset(st, 0, 4096);
	for (unsigned s = 0; s < cfg->workers; s++) {
		uint64_t n = share + (s == 0 ? cfg->calls % cfg->workers : 0);
		workers[s] = (struct worker){ .pos = pos, .end = pos + n, .st = &st[s] };
		pos += n;
	}
	return 0;
}

int supervise(const struct fuzz_config *cfg, struct fuzz_tally *t)
{
	uint64_t next_report = 0;

	memset(t, 0, sizeof(*t));
	while (!all_done(cfg) && !t->hung && setup_failures < SETUP_FAILURES_MAX) {
		watchdog_progress("watching its workers");
		for (unsigned s = 0; s < cfg->workers && !t->hung; s++) {
			struct worker *w = &workers[s];
			if (w->pid)
				look(s, t);
			else if (w->pos < w->end)
				start(cfg, s, t);
		}
		report_progress(t, cfg->calls, &next_report);
		fuzz_sleep(TICK_NS);
	}
	watchdog_progress("stopping its workers");
	stop_all(cfg);
	for (unsigned s = 0; s < cfg->workers; s++) {
		t->worker_fork_failures += workers[s].st->fork_failures;
		t->emfile_unexplained += workers[s].st->emfile_unexplained;
		t->pages_checked += workers[s].st->pages_checked;
		t->pages_wrong += workers[s].st->pages_wrong;
		t->netd_let_in += workers[s].st->netd_let_in;
		for (int e = 0; e < FUZZ_EVENTS; e++)
			t->events[e] += workers[s].st->events[e];
	}
	if (setup_failures >= SETUP_FAILURES_MAX) {
		t->hung = 1;
		snprintf(t->hang_text, sizeof(t->hang_text), "%u workers in a row died setting up",
			 setup_failures);
	}
	return t->hung ? -1 : 0;
}
