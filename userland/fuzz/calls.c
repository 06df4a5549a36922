/*
 * Raw system calls with made-up arguments: any number (valid, unknown,
 * huge), each argument shaped for its call or not at all. A few shapes are
 * kept out because they would make the run meaningless rather than find a
 * bug: console output other than a fixed harmless line, and threads
 * started in the program's own code.
 */
#include <string.h>

#include "fuzz.h"
#include "syscall.h"

/* Argument kinds, one letter each: E endpoint, N notification, H any
 * handle, P pointer, M message, L length, V value, C pc, T deadline, B
 * notification bits, F wait flags, R rights. */
static const struct {
	uint8_t n;
	char args[7];
} calls[] = {
	{ SYS_YIELD, "" },		{ SYS_EXIT, "V" },
	{ SYS_GETPID, "" },		{ SYS_CLOCK, "" },
	{ SYS_HANDLE_CLOSE, "H" },	{ SYS_THREAD_EXIT, "" },
	{ SYS_GETTID, "" },		{ SYS_IDLE_NS, "" },
	{ SYS_HANDLE_INFO, "H" },	{ SYS_KERNEL_INFO, "P" },
	{ SYS_ENDPOINT_CREATE, "" },	{ SYS_SEND, "EM" },
	{ SYS_RECV, "EP" },		{ SYS_CALL, "EM" },
	{ SYS_REPLY, "M" },		{ SYS_REPLY_RECV, "EMPP" },
	{ SYS_NOTIFY_CREATE, "" },	{ SYS_NOTIFY_SIGNAL, "NB" },
	{ SYS_NOTIFY_WAIT, "N" },	{ SYS_NOTIFY_POLL, "N" },
	{ SYS_NOTIFY_BIND, "N" },	{ SYS_IRQ_ACK, "NV" },
	{ SYS_NOTIFY_TIMER, "NTB" },	{ SYS_THREAD_CREATE, "HCPVV" },
	{ SYS_PROC_WAIT, "HPF" },	{ SYS_PROC_KILL, "HV" },
	{ SYS_PROC_INFO, "HP" },	{ SYS_PROC_CREATE, "P" },
	{ SYS_MAP, "HPL" },		{ SYS_UNMAP, "HPL" },
	{ SYS_PROTECT, "HPLV" },	{ SYS_HANDLE_GRANT, "HHR" },
	{ SYS_POWEROFF, "V" },		{ SYS_HARVEST, "PL" },
	{ SYS_DEVICE_MAP, "HVP" },	{ SYS_IRQ_BIND, "VNB" },
	{ SYS_IRQ_ACK_RECV, "EPNV" },	{ SYS_THREAD_PRIO, "HV" },
	{ SYS_COPY_MAPS, "HHPLV" },
	{ SYS_DEBUG_WRITE, "" },	/* op_debug_write's */
};

#define NCALLS (sizeof(calls) / sizeof(calls[0]))

int call_may_block(uint64_t n)
{
	switch (n) {
	case SYS_SEND:
	case SYS_RECV:
	case SYS_CALL:
	case SYS_REPLY_RECV:
	case SYS_IRQ_ACK_RECV:	/* receives once its acknowledgement passes */
	case SYS_NOTIFY_WAIT:
	case SYS_PROC_WAIT:
	case SYS_THREAD_EXIT:	/* the process lives on in its other threads */
		return 1;
	default:
		return 0;
	}
}

/* Mostly a defined call; ending calls less often, so a worker lives long
 * enough to build up state; sometimes an unknown or huge number. */
static uint64_t pick_number(struct rng *r)
{
	uint64_t k = rng_below(r, 10);

	if (k == 0)
		return SYS_COUNT + rng_below(r, 64);
	if (k == 1) {
		uint64_t low = 1 + rng_below(r, SYS_COUNT - 1);	/* never DEBUG_WRITE */
		return (rng_below(r, 1UL << 31) + 1) << 32 | low;	/* truncation must not help */
	}
	for (;;) {
		uint64_t n = calls[rng_below(r, NCALLS)].n;
		if ((n != SYS_EXIT && n != SYS_THREAD_EXIT && n != SYS_POWEROFF) ||
		    rng_one_in(r, 4))
			return n;
	}
}

static const char *signature(uint64_t n)
{
	for (size_t i = 0; i < NCALLS; i++)
		if (calls[i].n == n)
			return calls[i].args;
	return "VVVVVV";
}

/* A struct msg in scratch for a call that sends to handle h. */
static uint64_t gen_message(struct rng *r, int64_t h)
{
	struct msg *m;

	if (rng_one_in(r, 4))
		return gen_ptr(r);
	m = (struct msg *)gen_scratch(r, sizeof(*m));
	if (h == HANDLE_PAGER) {
		pager_msg_build(r, m);	/* a made-up request, never a real program */
		return (uint64_t)m;
	}
	gen_fill(r, m, MSG_HEADER_SIZE);
	m->len = rng_one_in(r, 8) ? (uint32_t)gen_len(r) : (uint32_t)rng_below(r, MSG_DATA_MAX + 1);
	if (!rng_one_in(r, 4)) {
		m->handle = rng_one_in(r, 2) ? -1 : (int32_t)gen_handle(r);
		m->rights = gen_rights(r);
	}
	gen_fill(r, m->data, m->len <= MSG_DATA_MAX ? m->len : 16);
	return (uint64_t)m;
}

static uint64_t gen_deadline(struct rng *r)
{
	int64_t now = sys_clock();

	switch (rng_below(r, 5)) {
	case 0:
		return 0;				/* disarm */
	case 1:
		return (uint64_t)(now + (int64_t)rng_below(r, 20 * MS));
	case 2:
		return (uint64_t)(now + 3600LL * 1000 * MS);	/* outlives the run */
	case 3:
		return (uint64_t)(now - (int64_t)rng_below(r, 1000 * MS));	/* past */
	default:
		return gen_arg(r);
	}
}

static uint64_t gen_kind(struct rng *r, char kind, const uint64_t *prev)
{
	if (rng_one_in(r, 5))
		return kind == 'C' ? gen_bad_pc(r) : gen_arg(r);
	switch (kind) {
	case 'E':
	case 'N': {
		int h = gen_handle_of(r, kind == 'E' ? HANDLE_TYPE_ENDPOINT : HANDLE_TYPE_NOTIFY);
		return h >= 0 && !rng_one_in(r, 4) ? (uint64_t)h : (uint64_t)gen_handle(r);
	}
	case 'H':
		return (uint64_t)gen_handle(r);
	case 'P':
		return gen_ptr(r);
	case 'M':
		return gen_message(r, (int64_t)prev[0]);
	case 'L':
		return gen_len(r);
	case 'C':
		return rng_one_in(r, 3) ? (uint64_t)(uintptr_t)fuzz_thread_exit_entry : gen_bad_pc(r);
	case 'T':
		return gen_deadline(r);
	case 'B':
		return rng_one_in(r, 8) ? gen_arg(r) : 1UL << rng_below(r, 64);
	case 'F':
		return rng_below(r, 4);
	case 'R':
		return gen_rights(r);
	default:
		return gen_arg(r);
	}
}

void op_raw_syscall(struct rng *r)
{
	uint64_t n = pick_number(r), a[6] = { 0 };
	const char *sig = signature(n);

	if (n == SYS_DEBUG_WRITE) {
		op_debug_write(r);
		return;
	}
	for (int i = 0; i < 6; i++)
		a[i] = sig[i] ? gen_kind(r, sig[i], a) : gen_arg(r);
	if (n == SYS_THREAD_CREATE && a[1] != (uint64_t)(uintptr_t)fuzz_thread_exit_entry)
		a[1] = gen_bad_pc(r);	/* never the program's own code */
	if ((n == SYS_SEND || n == SYS_CALL) && a[0] == HANDLE_PAGER && rng_one_in(r, 2))
		a[1] = gen_bad_ptr(r);
	if (call_may_block(n)) {
		if (fuzz_env.is_child) {
			/* A child must end by itself: nothing that can wait for
			 * ever, and no exit of one thread while another waits. */
			if (n == SYS_THREAD_EXIT)
				sys_exit(0);
			sys_yield();
			return;
		}
		fuzz_may_block();
	}
	fuzz_note_detail(n);
	long res = sys_ecall((long)n, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
			     (long)a[5]);
	if (n == SYS_HANDLE_CLOSE && a[0] == HANDLE_PAGER && res == 0)
		fuzz_env.pager_closed = 1;
}

/* The one line a worker may print; no suffix of it looks like TAP. */
static const char noise[] = "[fuzz] a worker's debug_write\n";

void op_debug_write(struct rng *r)
{
	uint64_t k = rng_below(r, sizeof(noise) - 1);

	switch (rng_below(r, 4)) {
	case 0:	/* a suffix: always ends the line it starts */
		sys_ecall(SYS_DEBUG_WRITE, (long)(noise + k), (long)(sizeof(noise) - 1 - k), 0, 0, 0, 0);
		break;
	case 1:	/* nothing at all, from anywhere */
		sys_ecall(SYS_DEBUG_WRITE, (long)gen_ptr(r), 0, 0, 0, 0, 0);
		break;
	default:	/* from memory no program may read: any length */
		sys_ecall(SYS_DEBUG_WRITE, (long)gen_unmapped(r), (long)gen_len(r), 0, 0, 0, 0);
		break;
	}
}
