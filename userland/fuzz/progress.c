/*
 * A worker's reports to the supervisor: the one writer, on the worker's
 * side, of its slot's struct slot_state (where its sequence is, what its
 * current operation does, what it counted), and its trace. The worker and
 * the operations call down to it; a worker's forked child reports nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "fuzz.h"

static struct slot_state *state;	/* NULL: reporting nothing (a worker's child) */
static int tracing;			/* print each call (fuzz_config.trace_from) */
static unsigned my_slot;
static const char *op_name = "?";	/* the current operation's, for the trace */

void progress_start(struct slot_state *st, unsigned slot)
{
	state = st;
	my_slot = slot;
}

void progress_ready(void)
{
	if (state)
		state->ready = 1;
}

void progress_call(uint64_t call, int trace)
{
	if (!state)
		return;
	tracing = trace;
	state->since = sys_clock();
	state->cursor = CURSOR(call, CURSOR_IN_CALL);
}

void progress_call_done(uint64_t call)
{
	if (state)
		state->cursor = CURSOR(call + 1, CURSOR_BETWEEN);
}

void progress_stop(void)
{
	state = NULL;
	tracing = 0;
}

void fuzz_trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing || !state)
		return;
	printf("# fuzz trace: worker %u call %lu: ", my_slot,
	       (unsigned long)CURSOR_CALL(state->cursor));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void fuzz_may_block(void)
{
	if (state)
		state->cursor = CURSOR(CURSOR_CALL(state->cursor), CURSOR_MAY_BLOCK);
}

void fuzz_progress(void)
{
	if (state)
		state->since = sys_clock();
}

void fuzz_note_detail(uint64_t detail)
{
	if (!state)
		return;
	state->detail = detail;
	fuzz_trace("%s 0x%lx", op_name, (unsigned long)detail);
}

void fuzz_note(unsigned op, const char *name)
{
	if (!state)
		return;
	state->op = op;
	op_name = name;
	fuzz_note_detail(0);
}

void fuzz_pages_checked(uint64_t n, uint64_t wrong)
{
	if (!state)
		return;
	state->pages_checked += n;
	state->pages_wrong += wrong;
}

void fuzz_fork_failed(int err)
{
	int live = 0;

	if (!state)
		return;
	state->fork_failures++;
	if (err != EMFILE)
		return;
	for (int h = 0; h < HANDLES_MAX; h++)
		live += sys_handle_info(h) >= 0;
	/* fork needs one free entry here for the child's handle; with one
	 * free, the table that was full is someone else's. */
	if (live < HANDLES_MAX)
		state->emfile_unexplained++;
}

void fuzz_event(enum fuzz_event e)
{
	if (state)
		state->events[e]++;
}

void fuzz_netd_pager_label(int64_t res)
{
	if (!state)
		return;
	if (res == -EPERM)
		state->events[EV_NET_NOT_OURS]++;
	else
		state->netd_let_in++;
}
