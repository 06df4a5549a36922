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
 * runs above us, but give it a moment anyway before trusting a count
 * (CHILD_TIMEOUT only bounds counts that never stop moving). */
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
		    sys_clock() - start > CHILD_TIMEOUT)
			return 0;
		prev = *st;
	}
}

int stats_swap_moved(const struct pager_stats *before, const struct pager_stats *after)
{
	return after->pswpin != before->pswpin || after->kswapd_wakeups != before->kswapd_wakeups ||
	       after->allocstall != before->allocstall || after->pswpout != before->pswpout ||
	       after->pgsteal_kswapd != before->pgsteal_kswapd ||
	       after->pgsteal_direct != before->pgsteal_direct;
}

/* CHILD_TIMEOUT only bounds a hang (a leak): a loaded host must not fail
 * a check that waits for the pager to reap. */
int stats_wait_free(struct pager_stats *st, const struct pager_stats *before)
{
	int64_t start = sys_clock();

	for (;;) {
		CHECK_RUN(stats_get(st));
		if (st->frames_free == before->frames_free || stats_swap_moved(before, st) ||
		    sys_clock() - start > CHILD_TIMEOUT)
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

/* One paged call (pager/protocol.h: PAGER_STATS or PAGER_PROC_STATS) from
 * index first on, its entries size bytes each: the count it gave (w[0]),
 * the next index in *next (w[1]), the data in m; -1 on an error (in
 * *err), -2 (noted) if the count is not what the data holds. */
static int64_t paged_call(struct msg *m, uint32_t label, uint64_t first, size_t size,
			  uint64_t *next, int64_t *err)
{
	*m = (struct msg){ .label = label, .handle = -1, .w = { first } };
	*err = sys_call(HANDLE_PAGER, m);
	if (*err == 0)
		*err = (int64_t)m->label;
	if (*err)
		return -1;
	*next = m->w[1];
	if (m->w[0] * size != m->len) {
		check_failed(__FILE__, __LINE__, "label %#x from %lu: count %lu, %u bytes",
			     label, (unsigned long)first, (unsigned long)m->w[0], m->len);
		return -2;
	}
	return (int64_t)m->w[0];
}

/* PAGER_STATS from item first: its count, next and error as paged_call
 * gives them; the first item's value in *value. */
static int64_t stats_piece(uint64_t first, uint64_t *next, int64_t *err, uint64_t *value)
{
	static struct msg m;
	int64_t n = paged_call(&m, PAGER_STATS, first, sizeof(uint64_t), next, err);

	if (n > 0)
		memcpy(value, m.data, sizeof(*value));
	return n;
}

/* The process table, paged the same way: every page's count is what its
 * data holds and its next lies past it, until a 0; the pages together list
 * this process. */
static int proc_stats_pages(void)
{
	static struct msg m;
	uint64_t first = 0, next;
	int64_t err, n, seen_me = 0;

	for (int call = 0; call < 64; call++) {	/* more than the pager's slots */
		n = paged_call(&m, PAGER_PROC_STATS, first, sizeof(struct pager_proc_stats), &next, &err);
		CHECK(n >= 0);
		for (int64_t k = 0; k < n; k++)
			seen_me += ((const struct pager_proc_stats *)m.data)[k].pid == (uint32_t)sys_getpid();
		if (next == 0)
			break;
		CHECK(next > first);
		first = next;
	}
	CHECK_EQ(next, 0);
	CHECK_EQ(seen_me, 1);
	return 0;
}

/* The pieces of PAGER_STATS from item 0 on: each a full message of items
 * but the last, each next where it ended and 0 after the last; together,
 * every item once. */
static int stats_pieces(int64_t items, int64_t per_msg)
{
	uint64_t first = 0, next, value;
	int64_t n, err, total = 0;

	for (int piece = 0; piece <= items / per_msg; piece++) {
		n = stats_piece(first, &next, &err, &value);
		CHECK_EQ(n, items - total < per_msg ? items - total : per_msg);
		total += n;
		CHECK_EQ(next, total == items ? 0 : (uint64_t)total);
		if (next == 0)
			break;
		first = next;
	}
	CHECK_EQ(next, 0);
	CHECK_EQ(total, items);
	return 0;
}

/* A reader that asks for item 0 (as every reader did while the counters
 * fit one message) gets a full message of them and where to go on; the
 * rest come from where it ended, the last piece saying it is the last;
 * past the last item is an error. Both paged replies keep one convention. */
int test_stats_in_pieces(void)
{
	const int64_t items = sizeof(struct pager_stats) / sizeof(uint64_t);
	const int64_t per_msg = MSG_DATA_MAX / sizeof(uint64_t);
	const uint64_t at = offsetof(struct pager_stats, frames_total) / sizeof(uint64_t);
	struct pager_stats s;
	uint64_t next, value;
	int64_t err;

	CHECK(items > per_msg);	/* in pieces at all */
	CHECK_EQ(pager_stats(&s), 0);
	CHECK_RUN(stats_pieces(items, per_msg));
	/* A piece starts at its item: frames_total (a constant) where asked. */
	CHECK(stats_piece(at, &next, &err, &value) > 0);
	CHECK_EQ(value, s.frames_total);
	CHECK_EQ(stats_piece((uint64_t)items, &next, &err, &value), 0);
	CHECK_EQ(next, 0);
	CHECK_EQ(stats_piece((uint64_t)items + 1, &next, &err, &value), -1);
	CHECK_EQ(err, -EINVAL);
	CHECK_RUN(proc_stats_pages());
	return 0;
}
