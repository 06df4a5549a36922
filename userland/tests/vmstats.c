/*
 * The pager's counters as the memory tests read them: plain reads, reads
 * once the pager has caught up with processes that just ended, and
 * the per-process table's lines for given processes; and the test that the
 * counters, more than one message holds, come in pieces.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define SETTLE_TIMEOUT (1000 * MS)

int stats_get(struct pager_stats *st)
{
	int r = pager_stats(st);

	if (r < 0) {
		check_failed(__FILE__, __LINE__, "pager_stats: error %d", r);
		return -1;
	}
	return 0;
}

/* The pager reaps a dead process when its death notification comes; it
 * runs above us, but give it a moment anyway before trusting a count. */
int stats_settled(struct pager_stats *st)
{
	struct pager_stats prev;
	int64_t start = sys_clock();

	CHECK_RUN(stats_get(&prev));
	for (;;) {
		sys_yield();
		CHECK_RUN(stats_get(st));
		if ((st->frames_free == prev.frames_free &&
		     st->processes == prev.processes) ||
		    sys_clock() - start > SETTLE_TIMEOUT)
			return 0;
		prev = *st;
	}
}

int stats_wait_free(struct pager_stats *st, uint64_t want)
{
	int64_t start = sys_clock();

	for (;;) {
		CHECK_RUN(stats_get(st));
		if (st->frames_free == want || sys_clock() - start > SETTLE_TIMEOUT)
			return 0;
		sys_yield();
	}
}

/* Copy e into out[i] for the i with pids[i] == e->pid; 1 if one matched. */
static int take(const struct pager_proc_stats *e, const pid_t *pids,
		struct pager_proc_stats *out, int n)
{
	for (int i = 0; i < n; i++) {
		if ((pid_t)e->pid == pids[i]) {
			out[i] = *e;
			return 1;
		}
	}
	return 0;
}

int proc_stats_get(const pid_t *pids, struct pager_proc_stats *out, int n)
{
	struct pager_proc_stats e[MSG_DATA_MAX / sizeof(struct pager_proc_stats)];
	uint32_t first = 0, next;
	int found = 0;

	for (int call = 0; call < 64 && found < n; call++) {
		int got = pager_proc_stats(first, e, sizeof(e) / sizeof(e[0]), &next);
		if (got < 0) {
			check_failed(__FILE__, __LINE__, "pager_proc_stats: error %d", got);
			return -1;
		}
		for (int i = 0; i < got; i++)
			found += take(&e[i], pids, out, n);
		if (next <= first)
			break;
		first = next;
	}
	if (found != n) {
		check_failed(__FILE__, __LINE__, "the pager lists %d of %d processes", found, n);
		return -1;
	}
	return 0;
}

/* One PAGER_STATS call from item first on: the items it carried, or -1
 * (its error in *err); the first item's value in *value. */
static int64_t stats_piece(uint64_t first, uint64_t *total, int64_t *err, uint64_t *value)
{
	static struct msg m;

	m = (struct msg){ .label = PAGER_STATS, .handle = -1, .w = { first } };
	*err = sys_call(HANDLE_PAGER, &m);
	if (*err == 0)
		*err = (int64_t)m.label;
	*total = m.w[0];
	if (*err || m.len < sizeof(*value))
		return *err ? -1 : 0;
	memcpy(value, m.data, sizeof(*value));
	return (int64_t)(m.len / sizeof(uint64_t));
}

/* A reader that asks for item 0 (as every reader did while the counters
 * fit one message) gets a full message of them; the rest come from where
 * it ended; past the last item is an error. */
int test_stats_in_pieces(void)
{
	const int64_t items = sizeof(struct pager_stats) / sizeof(uint64_t);
	const int64_t per_msg = MSG_DATA_MAX / sizeof(uint64_t);
	const uint64_t at = offsetof(struct pager_stats, frames_total) / sizeof(uint64_t);
	struct pager_stats s;
	uint64_t total, value;
	int64_t err;

	CHECK(items > per_msg);
	CHECK_EQ(pager_stats(&s), 0);
	CHECK_EQ(stats_piece(0, &total, &err, &value), per_msg);
	CHECK_EQ((int64_t)total, items);
	CHECK_EQ(stats_piece((uint64_t)per_msg, &total, &err, &value), items - per_msg);
	/* A piece starts at its item: frames_total (a constant) where asked. */
	CHECK(stats_piece(at, &total, &err, &value) > 0);
	CHECK_EQ(value, s.frames_total);
	CHECK_EQ(stats_piece((uint64_t)items, &total, &err, &value), 0);
	CHECK_EQ(stats_piece((uint64_t)items + 1, &total, &err, &value), -1);
	CHECK_EQ(err, -EINVAL);
	return 0;
}
