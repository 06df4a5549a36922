/*
 * demo: what init runs when no program is named. An echo server, two
 * clients calling it and a crasher run side by side; the crash is reported
 * and the others carry on. Then a forked family shares memory copy-on-write
 * (cowfamily), a program writes three times the memory and reads it back
 * through swap (bigdata), a hog grows until memory and swap run out and the
 * OOM killer ends it while two holders keep their data, and vmstat shows
 * the pager's counters. Exits 0 if everything happened as it should.
 */
#include <stdio.h>
#include <string.h>

#include "echo.h"
#include "exit_report.h"
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
	out_of_memory();
	printf("demo: the pager's counters (vmstat)\n");
	check(run_program("vmstat", vmstat_argv), "vmstat runs");
	if (failures == 0)
		printf("demo: all checks held\n");
	else
		printf("demo: %d checks failed\n", failures);
	return failures == 0 ? 0 : 1;
}
