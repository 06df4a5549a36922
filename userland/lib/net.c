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
#include "sleep.h"
#include "sys.h"

#define TIMER_BIT (1UL << 40)

static int netd = -1;			/* our send-only handle to netd */
static int notes[NET_SOCKETS_MAX];	/* by connection: the notification we gave, or -1 */
static int waiting[NET_SOCKETS_MAX];	/* by connection: a thread of ours waits on its notification */
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
	for (unsigned c = 0; c < NET_SOCKETS_MAX; c++) {
		notes[c] = -1;
		waiting[c] = 0;
	}
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

/* A thread that finds another of ours waiting on the same connection sleeps
 * this long and looks again. */
#define SHARED_LOOK_NS (1 * CLOCK_NS_PER_MS)

/* Sleep up to ns (at most SHARED_LOOK_NS): 1 to look again, or -EAGAIN if
 * the process has no timer left to bound the sleep. */
static int look_later(int64_t ns)
{
	return sleep_ns(ns < SHARED_LOOK_NS ? ns : SHARED_LOOK_NS) < 0 ? -EAGAIN : 1;
}

/* Wait on note until netd signals or the deadline: the bits seen, or
 * -EAGAIN if the wait could not be bounded (every one of the process's
 * kernel timers is armed) or made. The timer is disarmed after the wait:
 * left armed, it would fire during a later wait on the same note and end
 * that one early. */
static long wait_bounded(int note, int64_t deadline)
{
	if (sys_notify_timer(note, deadline, TIMER_BIT) < 0)
		return -EAGAIN;	/* never wait without a bound */
	long bits = sys_notify_wait(note);

	sys_notify_timer(note, 0, TIMER_BIT);
	return bits < 0 ? -EAGAIN : bits;
}

/* Claim the wait on c's notification: 1 if this thread may wait on it, 0 if
 * another thread of ours waits there. The kernel lets one thread wait on a
 * notification, and the timer bounding that wait is the notification's, not
 * the thread's: a second waiter arming and disarming it would take the
 * first one's bound away. */
static int wait_claim(int c)
{
	return !__atomic_exchange_n(&waiting[c], 1, __ATOMIC_ACQUIRE);
}

static void wait_unclaim(int c)
{
	__atomic_store_n(&waiting[c], 0, __ATOMIC_RELEASE);
}

/* Wait for netd's next event on connection c (notification note) or the
 * deadline: 1 to look again, 0 once the deadline has passed, or -EAGAIN if
 * the wait could not be bounded. A thread that finds another of ours
 * waiting on c sleeps a little and looks again. */
static int wait_event(int c, int note, int64_t deadline)
{
	int64_t now = sys_clock();

	if (now >= deadline)
		return 0;
	if (!wait_claim(c))
		return look_later(deadline - now);
	long bits = wait_bounded(note, deadline);

	wait_unclaim(c);
	return bits < 0 ? (int)bits : 1;
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
		if ((r = wait_event((int)c, note, deadline)) <= 0) {
			r = r < 0 ? r : -ETIMEDOUT;
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
		return -EBADF;
	int64_t deadline = deadline_of(timeout_ms);
	long bits;

	if (!wait_claim(c))
		return -EBUSY;
	/* A timer bit alone before the deadline is an earlier wait's timer,
	 * not ours: wait on. */
	do
		bits = wait_bounded(note, deadline);
	while (bits > 0 && !(bits & NET_EVENT_BIT) && sys_clock() < deadline);
	wait_unclaim(c);
	if (bits < 0)
		return (int)bits;
	return (bits & NET_EVENT_BIT) != 0;
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
		if (r == 0 && (r = wait_event(c, note, deadline)) <= 0)
			return r < 0 ? r : -ETIMEDOUT;
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
		if ((r = wait_event(c, note, deadline)) <= 0)
			return r < 0 ? r : -ETIMEDOUT;
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
