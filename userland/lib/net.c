/*
 * The connection calls (net.h) over netd's protocol. netd never keeps a
 * caller waiting, so each call here is a loop: ask, and if there is
 * nothing yet, wait on the connection's notification, which netd signals
 * on every change, with a kernel timer on the same notification as the
 * bound.
 */
#include <errno.h>
#include <string.h>

#include "kernel/abi/clock.h"
#include "net.h"
#include "pager_client.h"
#include "sys.h"

#define TIMER_BIT (1UL << 40)

static int netd = -1;			/* our send-only handle to netd */
static int notes[NET_SOCKETS_MAX];	/* by connection: the notification we gave, or -1 */
static int cache_pid;			/* whose handles these are */

/* A forked child starts with handles of its own (and none of its parent's
 * connections, which netd keeps for their owner): the numbers cached are
 * the parent's and would name other things here. */
static void own_cache(void)
{
	int pid = sys_getpid();

	if (pid == cache_pid)
		return;
	cache_pid = pid;
	netd = -1;
	for (unsigned c = 0; c < NET_SOCKETS_MAX; c++)
		notes[c] = -1;
}

/* The notification of our connection c, or -1 if c is none of ours. */
static int note_of(int c)
{
	own_cache();
	return c < 0 || c >= NET_SOCKETS_MAX || netd < 0 ? -1 : notes[c];
}

static int endpoint(void)
{
	struct msg m = { .label = PAGER_NET, .handle = -1 };

	own_cache();
	if (netd >= 0)
		return netd;
	int r = pager_call(&m);

	if (r < 0)
		return r;
	netd = (int)m.w[0];
	return netd;
}

static int64_t deadline_of(unsigned timeout_ms)
{
	return sys_clock() + (int64_t)timeout_ms * CLOCK_NS_PER_MS;
}

/* Wait for netd's event on note or the deadline; false once it has passed.
 * The timer is disarmed after the wait: left armed, it would fire during a
 * later wait on the same note and end that one early. */
static int wait_event(int note, int64_t deadline)
{
	if (sys_clock() >= deadline)
		return 0;
	sys_notify_timer(note, deadline, TIMER_BIT);
	sys_notify_wait(note);
	sys_notify_timer(note, 0, TIMER_BIT);
	return 1;
}

static long call(struct msg *m)
{
	int r = sys_call(netd, m);

	return r < 0 ? r : (long)(int64_t)m->label;
}

int net_connect(uint32_t addr, uint16_t port, unsigned timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	int note, r;
	long c;

	if ((r = endpoint()) < 0)
		return r;
	if ((note = sys_notify_create()) < 0)
		return note;
	struct msg m = { .label = NET_CONNECT, .handle = note, .rights = RIGHT_SEND };

	m.w[0] = addr;
	m.w[1] = port;
	c = call(&m);
	if (c < 0 || c >= NET_SOCKETS_MAX || notes[c] >= 0) {
		sys_handle_close(note);
		return c < 0 ? (int)c : -EPROTO;
	}
	notes[c] = note;
	for (;;) {
		m = (struct msg){ .label = NET_SEND, .handle = -1 };
		m.w[0] = (uint64_t)c;
		r = (int)call(&m);
		if (r != -EINPROGRESS)
			break;
		if (!wait_event(note, deadline)) {
			r = -ETIMEDOUT;
			break;
		}
	}
	if (r < 0) {
		net_close((int)c);
		return r;
	}
	return (int)c;
}

long net_send_some(int c, const void *buf, size_t len)
{
	struct msg m = { .label = NET_SEND, .handle = -1 };

	if (note_of(c) < 0)
		return -EBADF;
	uint32_t n = (uint32_t)(len < MSG_DATA_MAX ? len : MSG_DATA_MAX);

	m.w[0] = (uint64_t)c;
	m.len = n;
	memcpy(m.data, buf, n);
	long r = call(&m);	/* the reply overwrites m */

	return r > (long)n ? -EPROTO : r;
}

int net_wait(int c, unsigned timeout_ms)
{
	int note = note_of(c);

	if (note < 0)
		return 0;
	int64_t deadline = deadline_of(timeout_ms);
	long bits;

	/* A timer bit alone before the deadline is an earlier wait's timer,
	 * not ours: wait on. */
	do {
		sys_notify_timer(note, deadline, TIMER_BIT);
		bits = sys_notify_wait(note);
	} while (bits > 0 && !(bits & NET_EVENT_BIT) && sys_clock() < deadline);
	sys_notify_timer(note, 0, TIMER_BIT);
	return bits > 0 && (bits & NET_EVENT_BIT) != 0;
}

long net_send(int c, const void *buf, size_t len, unsigned timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	size_t done = 0;
	int note = note_of(c);

	if (note < 0)
		return -EBADF;
	while (done < len) {
		struct msg m = { .label = NET_SEND, .handle = -1 };
		size_t n = len - done < MSG_DATA_MAX ? len - done : MSG_DATA_MAX;

		m.w[0] = (uint64_t)c;
		m.len = (uint32_t)n;
		memcpy(m.data, (const char *)buf + done, n);
		long r = call(&m);
		if (r < 0)
			return r;
		if ((size_t)r > n)
			return -EPROTO;
		done += (size_t)r;
		if (r == 0 && !wait_event(note, deadline))
			return -ETIMEDOUT;
	}
	return (long)len;
}

long net_recv(int c, void *buf, size_t len, unsigned timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	int note = note_of(c);

	if (note < 0)
		return -EBADF;
	for (;;) {
		/* Each caller's own: threads may receive at once. */
		struct msg m = { .label = NET_RECV, .handle = -1 };

		m.w[0] = (uint64_t)c;
		m.w[1] = len;
		long r = call(&m);
		if (r > 0) {
			if ((size_t)r > len || r > (long)m.len || m.len > MSG_DATA_MAX)
				return -EPROTO;
			memcpy(buf, m.data, (size_t)r);
			return r;
		}
		if (r != -EAGAIN)
			return r;
		if (!wait_event(note, deadline))
			return -ETIMEDOUT;
	}
}

int net_close(int c)
{
	struct msg m = { .label = NET_CLOSE, .handle = -1 };
	int note = note_of(c);

	if (note < 0)
		return -EBADF;
	m.w[0] = (uint64_t)c;
	long r = call(&m);

	notes[c] = -1;	/* a second close must not close another's handle */
	sys_handle_close(note);
	return (int)r;
}

int net_stats(struct net_stats *s)
{
	struct msg m = { .label = NET_STATS, .handle = -1 };
	int r = endpoint();

	if (r < 0)
		return r;
	long x = call(&m);

	if (x < 0)
		return (int)x;
	memcpy(s, m.data, sizeof(*s));
	return 0;
}
