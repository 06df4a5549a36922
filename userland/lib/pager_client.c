/*
 * Requests to the pager's service endpoint in the message layouts of
 * pager/protocol.h: the common call, spawn(), poweroff() and the statistics.
 */
#include <limits.h>
#include <string.h>

#include "console.h"
#include "pager_client.h"
#include "sys.h"

/* Append s and its NUL to m's data; 0, or -ERR_INVAL if it does not fit. */
static int pack_string(struct msg *m, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > MSG_DATA_MAX - m->len)
		return -ERR_INVAL;
	memcpy(m->data + m->len, s, n);
	m->len += n;
	m->w[0]++;
	return 0;
}

/* Fill m with argv as PAGER_SPAWN wants it: "name\0arg1\0...", w[0] = argc. */
static int pack_argv(struct msg *m, const char *name, const char *const argv[])
{
	int r = pack_string(m, name);

	for (size_t i = 1; r == 0 && argv != NULL && argv[0] != NULL &&
			   argv[i] != NULL; i++)
		r = pack_string(m, argv[i]);
	return r;
}

int pager_call(struct msg *m)
{
	int r = sys_call(HANDLE_PAGER, m);

	if (r < 0)
		return r;
	int64_t label = (int64_t)m->label;
	if (label >= 0)
		return 0;
	/* An error number; one past int would wrap into another (or into
	 * success): a reply that makes no sense. */
	return label >= INT_MIN ? (int)label : -ERR_INVAL;
}

void close_unstarted(const struct msg *m, int r)
{
	if (m->label == (uint64_t)(int64_t)r && (int64_t)m->w[0] >= 0)
		sys_handle_close((int)m->w[0]);
}

int spawn(const char *name, const char *const argv[], int pass_handle,
	  int *pid_out)
{
	return spawn_adj(name, argv, pass_handle, 0, pid_out);
}

int spawn_adj(const char *name, const char *const argv[], int pass_handle,
	      int oom_adj, int *pid_out)
{
	struct msg m = { .label = PAGER_SPAWN, .handle = pass_handle };
	int r = pack_argv(&m, name, argv);

	m.w[1] = (uint64_t)(int64_t)oom_adj;
	if (r == 0)
		r = pager_call(&m);
	if (r < 0)
		close_unstarted(&m, r);
	if (r < 0)
		return r;
	if (pid_out != NULL)
		*pid_out = (int)m.w[1];
	return (int)m.w[0];
}

_Noreturn void poweroff(int status)
{
	struct msg m = { .label = PAGER_POWEROFF, .handle = -1 };

	console_flush();	/* the machine stops: nothing is flushed after */
	m.w[0] = (uint64_t)(int64_t)status;
	sys_call(HANDLE_PAGER, &m);	/* returns only if refused */
	sys_exit(status);
}

int pager_page_bits(const void *addr)
{
	struct msg m = { .label = PAGER_PAGE_BITS, .handle = -1 };
	int r;

	m.w[0] = (uintptr_t)addr;
	r = pager_call(&m);
	return r < 0 ? r : (int)m.w[0];
}

int pager_stats(struct pager_stats *out)
{
	uint64_t *v = (uint64_t *)out;
	size_t want = sizeof(*out) / sizeof(*v), got = 0;

	while (got < want) {
		struct msg m = { .label = PAGER_STATS, .handle = -1, .w = { got } };
		int r = pager_call(&m);
		size_t n = m.w[0];

		if (r < 0)
			return r;
		if (n == 0 || n > m.len / sizeof(*v) || (m.w[1] == 0 && got + n < want))
			return -ERR_INVAL;	/* an older pager, or a reply that does not add up */
		n = n < want - got ? n : want - got;
		memcpy(v + got, m.data, n * sizeof(*v));
		got += n;
	}
	return 0;
}

int pager_info(struct pager_info *out)
{
	struct msg m = { .label = PAGER_INFO, .handle = -1 };
	int r = pager_call(&m);

	if (r < 0)
		return r;
	if (m.len < sizeof(*out))
		return -ERR_INVAL;
	memcpy(out, m.data, sizeof(*out));
	out->policy[sizeof(out->policy) - 1] = '\0';
	out->oom_policy[sizeof(out->oom_policy) - 1] = '\0';
	return 0;
}

int pager_proc_stats(uint32_t first, struct pager_proc_stats *out, size_t max,
		     uint32_t *next)
{
	struct msg m = { .label = PAGER_PROC_STATS, .handle = -1 };
	int r;

	m.w[0] = first;
	if ((r = pager_call(&m)) < 0)
		return r;
	/* Trust neither count alone: take what both the count and the bytes
	 * sent cover, and no more than the caller has room for. */
	size_t n = m.w[0];
	if (n > m.len / sizeof(*out))
		n = m.len / sizeof(*out);
	if (n > max)
		n = max;
	memcpy(out, m.data, n * sizeof(*out));
	if (next != NULL)
		*next = (uint32_t)m.w[1];
	return (int)n;
}

int pager_pressure_subscribe(int note)
{
	struct msg m = { .label = PAGER_PRESSURE_SUBSCRIBE, .handle = note };

	return pager_call(&m);
}

int pager_pressure_level(uint64_t *target, uint64_t *events)
{
	struct msg m = { .label = PAGER_PRESSURE_LEVEL, .handle = -1 };
	int r = pager_call(&m);

	if (r < 0)
		return r;
	if (target)
		*target = m.w[1];
	if (events)
		*events = m.w[2];
	return (int)m.w[0];
}

static int discard_op(void *addr, size_t len, enum pager_discard_op op)
{
	struct msg m = { .label = PAGER_DISCARD, .handle = -1 };
	int r;

	m.w[0] = (uint64_t)(uintptr_t)addr;
	m.w[1] = len;
	m.w[2] = op;
	r = pager_call(&m);
	return r < 0 ? r : (int)m.w[0];
}

int pager_discard_unlock(void *addr, size_t len)
{
	return discard_op(addr, len, PAGER_DISCARD_UNLOCK);
}

int pager_discard_lock(void *addr, size_t len)
{
	return discard_op(addr, len, PAGER_DISCARD_LOCK);
}
