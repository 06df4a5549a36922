/*
 * Made-up requests to the pager: every label it knows and some it does
 * not, arguments shaped for the label half the time, handles passed where
 * none is expected, lengths past the end of a message. A spawn names only
 * programs that end by themselves (or no program at all), and a fork
 * starts its child where it exits at once or faults.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static const uint64_t labels[] = {
	PAGER_SPAWN, PAGER_SBRK, PAGER_POWEROFF, PAGER_MMAP, PAGER_MUNMAP,
	PAGER_FORK, PAGER_STATS, PAGER_PROC_STATS, PAGER_PAGE_BITS, PAGER_INFO,
	PAGER_PRESSURE_SUBSCRIBE, PAGER_PRESSURE_LEVEL, PAGER_DISCARD, PAGER_NET,
	FAULT_LABEL, 0, 0xff, PAGER_NET + 1, 0x1ff, ~0UL,
};

#define NLABELS (sizeof(labels) / sizeof(labels[0]))

void msg_pack_str(struct msg *m, const char *s)
{
	size_t n = strlen(s) + 1;

	if (m->len + n > MSG_DATA_MAX)
		return;
	memcpy(m->data + m->len, s, n);
	m->len += (uint32_t)n;
}

/* A name the initrd does not have: printable, no line breaks. */
static void garbage_name(struct rng *r, char *buf, size_t size)
{
	size_t n = 1 + rng_below(r, size - 1);

	for (size_t i = 0; i + 1 < n; i++)
		buf[i] = (char)('a' + rng_below(r, 26));
	buf[n - 1] = '\0';
	if (n == 1 || strcmp(buf, "fuzz") == 0)
		strcpy(buf, "nosuchprogram");
}

/* argv for a spawn: exiter with a status, crasher with a known way to
 * die, a file that is not a program, or a name that is nothing. */
static void spawn_args(struct rng *r, struct msg *m)
{
	static const char *const modes[] = { "null", "illegal", "misaligned", "wild" };
	char buf[200];
	unsigned argc = 1;

	switch (rng_below(r, 5)) {
	case 0:
	case 1:
		msg_pack_str(m, "exiter");
		snprintf(buf, sizeof(buf), "%d", (int)rng_below(r, 300) - 20);
		msg_pack_str(m, buf);
		argc = 2;
		break;
	case 2:
		msg_pack_str(m, "crasher");
		msg_pack_str(m, modes[rng_below(r, 4)]);
		argc = 2;
		break;
	case 3:
		msg_pack_str(m, "notelf");
		break;
	default:
		garbage_name(r, buf, rng_one_in(r, 4) ? sizeof(buf) : 12);
		msg_pack_str(m, buf);
		break;
	}
	m->w[0] = rng_one_in(r, 6) ? gen_arg(r) : argc;	/* sometimes a wrong count */
	m->w[1] = rng_one_in(r, 2) ? 0 : (uint64_t)((int64_t)rng_below(r, 3001) - 1500);
}

/* An address to unmap, discard or ask about: the worker's own memory
 * mostly, anywhere sometimes. */
static uint64_t target_addr(struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
	case 1:
		return (uint64_t)fuzz_env.area + rng_below(r, fuzz_env.area_pages) * 4096;
	case 2:
		return (uint64_t)fuzz_env.shared;
	default:
		return gen_arg(r);
	}
}

static void shape(struct rng *r, struct msg *m)
{
	switch (m->label) {
	case PAGER_SPAWN:
		spawn_args(r, m);
		break;
	case PAGER_SBRK:
		m->w[0] = (uint64_t)(((int64_t)rng_below(r, 33) - 16) * 4096);
		break;
	case PAGER_MMAP:
		m->w[0] = gen_len(r);
		m->w[1] = rng_below(r, 16);
		m->w[2] = rng_below(r, 4);
		break;
	case PAGER_MUNMAP:
	case PAGER_DISCARD:
		m->w[0] = target_addr(r);
		m->w[1] = rng_one_in(r, 2) ? rng_below(r, 8) * 4096 : gen_len(r);
		m->w[2] = rng_below(r, 3);
		break;
	case PAGER_FORK:
		m->w[0] = rng_one_in(r, 2) ? (uint64_t)(uintptr_t)fuzz_exit_entry : gen_bad_pc(r);
		break;
	case PAGER_PROC_STATS:
		m->w[0] = rng_one_in(r, 2) ? rng_below(r, 70) : gen_arg(r);
		break;
	case PAGER_PAGE_BITS:
		m->w[0] = gen_ptr(r);
		break;
	case PAGER_PRESSURE_SUBSCRIBE:
		m->handle = rng_one_in(r, 3) ? -1 : (int32_t)gen_handle(r);
		m->rights = gen_rights(r);
		break;
	}
}

void pager_msg_build(struct rng *r, struct msg *m)
{
	memset(m, 0, MSG_HEADER_SIZE);
	m->label = labels[rng_below(r, NLABELS)];
	m->handle = -1;
	for (int i = 0; i < MSG_WORDS; i++)
		m->w[i] = gen_arg(r);
	if (rng_one_in(r, 6)) {	/* a handle the request does not expect */
		m->handle = (int32_t)gen_handle(r);
		m->rights = gen_rights(r);
	}
	if (m->label == PAGER_SPAWN) {
		spawn_args(r, m);	/* always: made-up data could name a real program */
		return;
	}
	if (!rng_one_in(r, 3))
		shape(r, m);
	if (m->label == PAGER_FORK && m->w[0] != (uint64_t)(uintptr_t)fuzz_exit_entry)
		m->w[0] = gen_bad_pc(r);	/* never the program's own code */
	if ((m->label == PAGER_MUNMAP || m->label == PAGER_DISCARD) &&
	    m->w[0] < fuzz_env.keep_hi && m->w[0] + m->w[1] > fuzz_env.keep_lo)
		m->w[0] = fuzz_env.keep_hi;	/* never the supervisor's state */
	if (rng_one_in(r, 4)) {
		m->len = rng_one_in(r, 8) ? (uint32_t)gen_len(r) : (uint32_t)rng_below(r, MSG_DATA_MAX + 1);
		gen_fill(r, m->data, m->len <= MSG_DATA_MAX ? m->len : 16);
	}
}

/* A handle the pager's reply put in our table: a process (spawn, fork):
 * kill the child and let the handle go; netd's endpoint (PAGER_NET): let
 * it go; or keep either for later calls to find. */
static void settle_reply(struct rng *r, const struct msg *m, uint64_t label)
{
	int h = (int)m->w[0], type = HANDLE_INFO_TYPE(sys_handle_info(h));

	if ((int64_t)m->label < 0 || h <= HANDLE_PAGER || rng_one_in(r, 4))
		return;
	if (label == PAGER_NET && type == HANDLE_TYPE_ENDPOINT) {
		sys_handle_close(h);
		return;
	}
	if ((label != PAGER_SPAWN && label != PAGER_FORK) || type != HANDLE_TYPE_PROC)
		return;
	sys_proc_kill(h, 9);
	sys_handle_close(h);
}

void op_pager_request(struct rng *r)
{
	struct msg *m = gen_scratch(r, sizeof(*m));
	uint64_t label;

	pager_msg_build(r, m);
	label = m->label;
	fuzz_note_detail(label);
	fuzz_trace("  w %lx %lx %lx %lx len %u handle %d rights %u", (unsigned long)m->w[0],
		   (unsigned long)m->w[1], (unsigned long)m->w[2], (unsigned long)m->w[3],
		   (unsigned)m->len, (int)m->handle, (unsigned)m->rights);
	int res;
	switch (rng_below(r, 12)) {
	case 0:	/* one-way: the pager must not answer, nor keep a handle */
		fuzz_trace("  send");
		res = sys_send(HANDLE_PAGER, m);
		break;
	case 1:	/* a message the kernel cannot read or answer into */
		m = (struct msg *)gen_bad_ptr(r);
		fuzz_trace("  call from %p", (void *)m);
		res = sys_call(HANDLE_PAGER, m);
		break;
	default:
		fuzz_trace("  call");
		if ((res = sys_call(HANDLE_PAGER, m)) == 0)
			settle_reply(r, m, label);
		break;
	}
	fuzz_trace("  -> %d", res);
}
