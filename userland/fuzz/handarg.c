/*
 * Handles handed on: a worker spawns a program passing it a random handle
 * with random rights as its HANDLE_ARG (the pager grants it), and the
 * program uses it. The program is exiter or crasher, which never look at
 * it (the kernel must close it at their end), or this fuzzer itself in its
 * `argchild` mode: a few calls on HANDLE_ARG (signal, poll, timers, copies,
 * process info and kills, a spawn passing it on once more, a connect
 * passing it to netd), none that can wait for ever, then exit. Its choices
 * come from the seed in its arguments, so the run stays replayable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/net_protocol.h"
#include "fuzz.h"
#include "kernel/abi/proc.h"

#define ARGCHILD_CALLS_MAX 8
#define FAR_NS (3600LL * 1000 * MS)	/* a timer that outlives the run */

/* A PAGER_SPAWN of name with its one argument, passing handle h with
 * rights: the process handle (ours to close), or a negated error. */
static int spawn_passing(const char *name, const char *arg, int h, uint32_t rights)
{
	struct msg m;
	int r;

	memset(&m, 0, MSG_HEADER_SIZE);
	m.label = PAGER_SPAWN;
	m.handle = h;
	m.rights = rights;
	m.w[0] = 2;
	msg_pack_str(&m, name);
	msg_pack_str(&m, arg);
	r = sys_call(HANDLE_PAGER, &m);
	if (r < 0)
		return r;
	if ((int64_t)m.label < 0) {
		if ((int64_t)m.w[0] >= 0 && m.w[0] != HANDLE_SELF)
			sys_handle_close((int)m.w[0]);	/* a child ended unstarted */
		return (int)(int64_t)m.label;
	}
	return (int)m.w[0];
}

/* Connect through netd passing HANDLE_ARG, with the rights it arrived with
 * or others. */
static void connect_passing(struct rng *r)
{
	struct msg m;

	memset(&m, 0, MSG_HEADER_SIZE);
	m.label = PAGER_NET;
	m.handle = -1;
	if (sys_call(HANDLE_PAGER, &m) < 0 || (int64_t)m.label < 0)
		return;
	int netd = (int)m.w[0];
	memset(&m, 0, MSG_HEADER_SIZE);
	m.label = NET_CONNECT;
	m.handle = HANDLE_ARG;
	m.rights = rng_one_in(r, 2) ? RIGHT_SEND : gen_rights(r);
	m.w[0] = rng_one_in(r, 2) ? 0x0A000266 : 0x0A000202;	/* the echo peer, the host */
	m.w[1] = rng_one_in(r, 2) ? 7001 : 9;
	if (HANDLE_INFO_TYPE(sys_handle_info(netd)) == HANDLE_TYPE_ENDPOINT)
		sys_call(netd, &m);	/* netd never keeps a caller waiting */
}

/* One call on HANDLE_ARG, whatever it is (or none: the grant failed). */
static void use_arg(struct rng *r)
{
	struct proc_info info;

	switch (rng_below(r, 9)) {
	case 0:
		sys_notify_signal(HANDLE_ARG, 1UL << rng_below(r, 64));
		break;
	case 1:
		sys_notify_poll(HANDLE_ARG);
		break;
	case 2:
		sys_notify_timer(HANDLE_ARG, sys_clock() + (rng_one_in(r, 2) ? FAR_NS :
			(int64_t)rng_below(r, 5 * MS)), 1UL << rng_below(r, 64));
		break;
	case 3:	/* a copy in our own table, kept or closed */
		sys_handle_grant(HANDLE_SELF, HANDLE_ARG, gen_rights(r));
		break;
	case 4:
		sys_proc_info(HANDLE_ARG, &info);
		break;
	case 5:
		if (rng_one_in(r, 4))	/* whoever it is: a worker, a sibling */
			sys_proc_kill(HANDLE_ARG, (int)rng_below(r, 20));
		break;
	case 6: {	/* passed on again: a third process holds it */
		int h = spawn_passing("exiter", "0", HANDLE_ARG, gen_rights(r));
		if (h >= 0)
			sys_handle_close(h);
		break;
	}
	case 7:
		connect_passing(r);
		break;
	default:
		sys_handle_close(HANDLE_ARG);
		break;
	}
}

int argchild_main(uint64_t seed)
{
	struct rng r = { seed };
	uint64_t calls = 1 + rng_below(&r, ARGCHILD_CALLS_MAX);

	for (uint64_t i = 0; i < calls; i++)
		use_arg(&r);
	return (int)rng_below(&r, 4);
}

/* Spawn one of the programs passing a random handle with random rights;
 * wait for exiter or crasher (each ends by itself at once), let an
 * argchild go, or keep the child's handle in our table. */
void op_spawn_passing(struct rng *r)
{
	static const char *const crashes[] = { "null", "illegal", "misaligned", "wild" };
	char arg[32];	/* "argchild=0x" and 16 digits */
	const char *name;
	struct exit_info info;
	uint64_t k = rng_below(r, 4);

	if (k == 0) {
		name = "exiter";
		snprintf(arg, sizeof(arg), "%d", (int)rng_below(r, 256));
	} else if (k == 1) {
		name = "crasher";
		snprintf(arg, sizeof(arg), "%s", crashes[rng_below(r, 4)]);
	} else {
		name = "fuzz";
		snprintf(arg, sizeof(arg), "argchild=0x%lx", (unsigned long)rng_next(r));
	}
	int pass = rng_one_in(r, 8) ? (int)gen_handle(r) : gen_handle_of(r, 0);
	int h = spawn_passing(name, arg, pass, gen_rights(r));

	fuzz_note_detail((uint64_t)(int64_t)h);
	if (h >= 0 && pass >= 0)
		fuzz_event(EV_HANDLE_PASSED);
	if (h < 0 || rng_one_in(r, 4))
		return;		/* the handle stays, for later calls to find */
	if (k >= 2) {
		/* Not waited for: loading the fuzzer's image takes longer than
		 * the supervisor lets a call block; it ends by itself. */
		sys_handle_close(h);
		return;
	}
	fuzz_may_block();	/* it ends by itself, soon */
	sys_proc_wait(h, &info, 0);
	sys_handle_close(h);
}
