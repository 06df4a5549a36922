/*
 * demo: what init runs when no program is named. An echo server, two
 * clients calling it and a crasher run side by side; the crash is reported
 * and the others carry on. Then a forked family shares memory copy-on-write
 * (cowfamily), a program writes three times the memory and reads it back
 * through swap (bigdata), a hog grows until memory and swap run out and the
 * OOM killer ends it while two holders keep their data, a cache beside a
 * hog runs without and then with pressure notifications (kvcache), and
 * vmstat shows the pager's counters. With swap over NBD (QEMU_SWAP=nbd),
 * one more act: a program floods the network while memory runs out
 * (flood): its packets are held back, swap goes on, nothing is lost. Exits 0
 * if everything happened as it should.
 */
#include <stdio.h>
#include <string.h>

#include "echo.h"
#include "exit_report.h"
#include "net.h"
#include "pager_client.h"
#include "sys.h"

#define CLIENT_CALLS 30
#define CLIENT_CALLS_ARG "30"
#define NCLIENTS 2

struct child {
	const char *what;	/* for the console */
	int handle;		/* process handle, or < 0 if it did not start */
	int pid;
};

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("demo: FAILED: %s\n", what);
		failures++;
	}
}

/* Start a program; its handle is < 0 (and a failure counted) if it fails. */
static struct child start(const char *what, const char *const argv[], int pass)
{
	struct child c = { .what = what };

	c.handle = spawn(argv[0], argv, pass, &c.pid);
	if (c.handle < 0)
		printf("demo: cannot start %s: error %d\n", what, -c.handle);
	check(c.handle >= 0, "start a program");
	return c;
}

/* Wait for c to end, say how it ended, and return that in *info. */
static void finish(struct child *c, struct exit_info *info)
{
	char text[96];

	memset(info, 0, sizeof(*info));
	if (c->handle < 0)
		return;
	int r = sys_proc_wait(c->handle, info, 0);
	check(r == 0, "wait for a process");
	printf("demo: %s (pid %d) %s\n", c->what, c->pid,
	       exit_describe(info, text, sizeof(text)));
	sys_handle_close(c->handle);
}

/* Call the echo server; returns how many calls it has answered. */
static uint64_t call_echo(int ep, uint64_t label, const char *text)
{
	struct msg m = { .label = label, .handle = -1 };

	m.len = (uint32_t)strlen(text);
	memcpy(m.data, text, m.len);
	int r = sys_call(ep, &m);
	check(r == 0 && m.label == label && m.len == strlen(text),
	      "the echo server answers");
	return m.w[0];
}

static void watch_crash(struct child *crasher, int ep)
{
	struct exit_info info;

	finish(crasher, &info);
	check(info.how == EXIT_KILLED && info.cause == CAUSE_PAGE_FAULT &&
	      info.addr == 0, "the crasher is reported killed by a page fault at 0");
	call_echo(ep, 1, "still there?");
	printf("demo: the echo server still answers after the crash\n");
}

static void run(int ep)
{
	static const char *const echo_argv[] = { "echo", NULL };
	static const char *const a_argv[] = { "client", "A", CLIENT_CALLS_ARG, NULL };
	static const char *const b_argv[] = { "client", "B", CLIENT_CALLS_ARG, NULL };
	static const char *const crash_argv[] = { "crasher", "null", NULL };
	struct exit_info info;

	printf("demo: an echo server, two clients and a crasher\n");
	struct child echo = start("echo server", echo_argv, ep);
	if (echo.handle < 0)
		return;		/* calls to ep would wait forever */
	struct child clients[NCLIENTS] = {
		start("client A", a_argv, ep), start("client B", b_argv, ep),
	};
	struct child crasher = start("crasher", crash_argv, -1);

	watch_crash(&crasher, ep);
	for (int i = 0; i < NCLIENTS; i++) {
		finish(&clients[i], &info);
		check(info.how == EXIT_NORMAL && info.status == 0,
		      "a client finishes with every answer right");
	}
	uint64_t answered = call_echo(ep, ECHO_QUIT, "bye");
	printf("demo: the echo server answered %lu calls\n", (unsigned long)answered);
	check(answered == NCLIENTS * CLIENT_CALLS + 2,
	      "the echo server answered every call once");
	finish(&echo, &info);
	check(info.how == EXIT_NORMAL && info.status == 0, "the echo server exits 0");
}

/* A hog takes memory and swap until they run out; the OOM killer must
 * choose it (the pager names it, with its score and what it gave back),
 * and two holders beside it, told to check only then, keep every word. */
static void out_of_memory(void)
{
	static const char *const grow_argv[] = { "hog", "grow", NULL };
	struct pager_stats st;
	struct exit_info info;
	char pages[24];
	int note[2];

	check(pager_stats(&st) == 0, "read the pager's counters");
	snprintf(pages, sizeof(pages), "%lu", (unsigned long)(st.frames_total / 16));
	const char *const hold_argv[] = { "hog", "hold", pages, NULL };
	note[0] = sys_notify_create();
	note[1] = sys_notify_create();
	check(note[0] >= 0 && note[1] >= 0, "create notifications");
	printf("demo: out of memory: a hog takes memory and swap beside two holders of %s pages\n",
	       pages);
	struct child holder[2] = { start("holder A", hold_argv, note[0]),
				   start("holder B", hold_argv, note[1]) };
	struct child hog = start("hog", grow_argv, -1);
	finish(&hog, &info);
	check(info.how == EXIT_KILLED && info.cause == CAUSE_KILLED &&
	      info.status == PAGER_KILLED_OOM, "the OOM killer chose the hog");
	for (int k = 0; k < 2; k++) {
		sys_notify_signal(note[k], 1);
		finish(&holder[k], &info);
		check(info.how == EXIT_NORMAL && info.status == 0,
		      "a holder's data is intact after the OOM kill");
		sys_handle_close(note[k]);
	}
}

/* The counters the cache act compares, in the order of its table. */
enum { CACHE_PSWPOUT, CACHE_PSWPIN, CACHE_PGDISCARD, CACHE_OOM_KILL,
       CACHE_PRESSURE_EVENTS, CACHE_COUNTERS };

static const char *const cache_counter_names[CACHE_COUNTERS] = {
	"pswpout", "pswpin", "pglazyfreed", "oom_kill", "pressure_events",
};

static void cache_counters(const struct pager_stats *st, uint64_t out[CACHE_COUNTERS])
{
	out[CACHE_PSWPOUT] = st->pswpout;
	out[CACHE_PSWPIN] = st->pswpin;
	out[CACHE_PGDISCARD] = st->pglazyfreed;
	out[CACHE_OOM_KILL] = st->oom_kill;
	out[CACHE_PRESSURE_EVENTS] = st->pressure_events;
}

/* Run kvcache in one mode to its end; the counters' growth over the run
 * goes to delta. 1 if it exited 0. */
static int cache_run(const char *mode, const char *pages, const char *hog_pages,
		     uint64_t delta[CACHE_COUNTERS])
{
	const char *const argv[] = { "kvcache", mode, pages, hog_pages, NULL };
	uint64_t before[CACHE_COUNTERS], after[CACHE_COUNTERS];
	struct pager_stats st;
	struct exit_info info;
	char what[24];

	check(pager_stats(&st) == 0, "read the pager's counters");
	cache_counters(&st, before);
	snprintf(what, sizeof(what), "kvcache %s", mode);
	struct child c = start(what, argv, -1);
	finish(&c, &info);
	check(pager_stats(&st) == 0, "read the pager's counters");
	cache_counters(&st, after);
	for (int i = 0; i < CACHE_COUNTERS; i++)
		delta[i] = after[i] - before[i];
	return c.handle >= 0 && info.how == EXIT_NORMAL && info.status == 0;
}

/* A cache of two fifths of memory beside a hog of seven tenths: together
 * more than memory. Without notifications the difference goes to swap;
 * with them the cache gives slabs back and the pager drops its cold half
 * for free, so less is written and no one is killed. */
static void cache_beside_hog(void)
{
	uint64_t off[CACHE_COUNTERS], on[CACHE_COUNTERS];
	struct pager_stats st;
	char pages[24], hog_pages[24];

	check(pager_stats(&st) == 0, "read the pager's counters");
	snprintf(pages, sizeof(pages), "%lu",
		 (unsigned long)(st.frames_total * 2 / 5 / 64 * 64));
	snprintf(hog_pages, sizeof(hog_pages), "%lu",
		 (unsigned long)(st.frames_total * 7 / 10));
	printf("demo: a cache beside a hog, pressure notifications off then on\n");
	printf("demo: a cache of %s pages and a hog of %s pages need more than memory; "
	       "told of pressure, the cache gives memory back instead of it going to swap\n",
	       pages, hog_pages);
	check(cache_run("off", pages, hog_pages, off), "the cache without notifications exits 0");
	check(cache_run("on", pages, hog_pages, on), "the cache with notifications exits 0");
	printf("demo: %-16s %8s %8s\n", "", "off", "on");
	for (int i = 0; i < CACHE_COUNTERS; i++)
		printf("demo: %-16s %8lu %8lu\n", cache_counter_names[i],
		       (unsigned long)off[i], (unsigned long)on[i]);
	check(on[CACHE_OOM_KILL] == 0, "no OOM kill with notifications on");
	check(on[CACHE_PSWPOUT] < off[CACHE_PSWPOUT],
	      "fewer swap-outs with notifications on than off");
	check(off[CACHE_PGDISCARD] == 0, "nothing discarded with notifications off");
}

/* Run a program to its end; 1 if it exited 0. */
static int run_program(const char *what, const char *const argv[])
{
	struct child c = start(what, argv, -1);
	struct exit_info info;

	if (c.handle < 0)
		return 0;
	finish(&c, &info);
	return info.how == EXIT_NORMAL && info.status == 0;
}

/* Swap over NBD only: two streams flood netd (scripts/run's flood rule)
 * while bigdata runs memory out; flood checks and prints the counters. */
static void flood_while_swapping(void)
{
	static const char *const flood_argv[] = { "flood", "2", "10", "1", NULL };
	struct net_stats ns;

	if (net_stats(&ns) < 0 || ns.swap_state == SWAP_OFF)
		return;		/* swap is not on the network */
	printf("demo: swap over NBD while a program floods the network and memory runs out\n");
	check(run_program("flood", flood_argv),
	      "flood packets held back (refused or dropped), swap went on, no word lost");
}

int main(void)
{
	static const char *const family_argv[] = { "cowfamily", NULL };
	static const char *const vmstat_argv[] = { "vmstat", NULL };
	int ep = sys_endpoint_create();

	check(ep >= 0, "create an endpoint");
	if (ep >= 0)
		run(ep);
	printf("demo: a forked family sharing memory copy-on-write\n");
	check(run_program("cowfamily", family_argv), "the forked family saw only its own writes");
	static const char *const big_argv[] = { "bigdata", NULL };
	printf("demo: data three times the memory, through swap\n");
	check(run_program("bigdata", big_argv), "three times the memory read back intact");
	flood_while_swapping();
	out_of_memory();
	cache_beside_hog();
	printf("demo: the pager's counters (vmstat)\n");
	check(run_program("vmstat", vmstat_argv), "vmstat runs");
	if (failures == 0)
		printf("demo: all checks held\n");
	else
		printf("demo: %d checks failed\n", failures);
	return failures == 0 ? 0 : 1;
}
