/*
 * tests: the in-guest test suite. Runs every quick test in the table, or
 * only the ones named in its arguments (slow ones run only when named: the
 * swap tests need a boot with little RAM), and prints TAP, then the pager's
 * statistics as TAP comments; the exit status is the number of tests that
 * failed.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "net.h"
#include "netstat_print.h"
#include "tests.h"
#include "vmstat_print.h"

static const struct test {
	int (*fn)(void);
	const char *name;
	int slow;		/* run only when named */
} tests[] = {
	{ test_ipc_pingpong, "ipc_pingpong", 0 },
	{ test_ipc_send_recv, "ipc_send_recv", 0 },
	{ test_ipc_call_reply, "ipc_call_reply", 0 },
	{ test_reply_release, "reply_release", 0 },
	{ test_fastpath_calls, "fastpath_calls", 0 },
	{ test_fastpath_slow_receivers, "fastpath_slow_receivers", 0 },
	{ test_fastpath_buffer_absent, "fastpath_buffer_absent", 0 },
	{ test_fastpath_rights, "fastpath_rights", 0 },
	{ test_fastpath_faults, "fastpath_faults", 0 },
	{ test_fastpath_regs, "fastpath_regs", 0 },
	{ test_fastpath_regs_long, "fastpath_regs_long", 0 },
	{ test_fastpath_regs_fault, "fastpath_regs_fault", 0 },
	{ test_fault_reply_forged, "fault_reply_forged", 0 },
	{ test_syscall_keeps_t2, "syscall_keeps_t2", 0 },
	{ test_fp_private, "fp_private", 0 },
	{ test_notify, "notify", 0 },
	{ test_notify_timer, "notify_timer", 0 },
	{ test_sleep, "sleep", 0 },
	{ test_notify_bind, "notify_bind", 0 },
	{ test_preempt, "preempt", 0 },
	{ test_bad_pointers, "bad_pointers", 0 },
	{ test_bad_handles, "bad_handles", 0 },
	{ test_bad_calls, "bad_calls", 0 },
	{ test_crash_reported, "crash_reported", 0 },
	{ test_exit_wait, "exit_wait", 0 },
	{ test_kill, "kill", 0 },
	{ test_spawn_unknown, "spawn_unknown", 0 },
	{ test_spawn_refused_many, "spawn_refused_many", 0 },
	{ test_net_gone, "net_gone", 1 },	/* with net.end_at_start=1 */
	{ test_malloc_printf, "malloc_printf", 0 },
	{ test_demand_zero, "demand_zero", 0 },
	{ test_faults_concurrent, "faults_concurrent", 0 },
	{ test_heap_big, "heap_big", 0 },
	{ test_fork_wait, "fork_wait", 0 },
	{ test_fork_cow, "fork_cow", 0 },
	{ test_fork_chain, "fork_chain", 0 },
	{ test_fork_keeps_priority, "fork_keeps_priority", 0 },
	{ test_shared_memory, "shared_memory", 0 },
	{ test_shared_cut_frees, "shared_cut_frees", 0 },
	{ test_readonly_write_kills, "readonly_write_kills", 0 },
	{ test_outside_kills, "outside_kills", 0 },
	{ test_munmap, "munmap", 0 },
	{ test_no_leaks, "no_leaks", 0 },
	{ test_syscall_untouched_buffer, "syscall_untouched_buffer", 0 },
	{ test_harvest_bits, "harvest_bits", 0 },
	{ test_stats_in_pieces, "stats_in_pieces", 0 },
	{ test_pager_ep_send_only, "pager_ep_send_only", 0 },
	{ test_rights_shrink, "rights_shrink", 0 },
	{ test_queued_sender_fails_alone, "queued_sender_fails_alone", 0 },
	{ test_passed_handles_closed, "passed_handles_closed", 0 },
	{ test_server_gone, "server_gone", 0 },
	{ test_notify_receiver_gone, "notify_receiver_gone", 0 },
	{ test_limit_handles, "limit_handles", 0 },
	{ test_limit_timers, "limit_timers", 0 },
	{ test_limit_threads, "limit_threads", 0 },
	{ test_limit_regions, "limit_regions", 0 },
	{ test_limit_processes, "limit_processes", 0 },
	{ test_failed_delivery_keeps_no_handle, "failed_delivery_keeps_no_handle", 0 },
	{ test_spawn_full_table_leaves_no_child, "spawn_full_table_leaves_no_child", 0 },
	{ test_fork_full_table_never_runs, "fork_full_table_never_runs", 0 },
	{ test_sparse_mappings_cost_little, "sparse_mappings_cost_little", 0 },
	{ test_unmapped_tables_return, "unmapped_tables_return", 0 },
	{ test_limit_pool, "limit_pool", 0 },
	{ test_line_heap_returns, "line_heap_returns", 0 },
	{ test_reclaim_reads_back, "reclaim_reads_back", 0 },
	{ test_swap_pattern, "swap_pattern", 1 },
	{ test_swap_fork_sharing, "swap_fork_sharing", 1 },
	{ test_swap_exit_frees, "swap_exit_frees", 1 },
	{ test_swap_tables_stay, "swap_tables_stay", 1 },
	{ test_swap_full, "swap_full", 1 },
	{ test_swap_read_error, "swap_read_error", 1 },
	{ test_swap_server_restored, "swap_server_restored", 1 },	/* under tests/boot/nbd.sh */
	{ test_swap_outage_reads, "swap_outage_reads", 1 },	/* under tests/boot/nbd.sh */
	{ test_swap_concurrent_faults, "swap_concurrent_faults", 1 },
	{ test_swap_written_back, "swap_written_back", 1 },
	{ test_swap_image_refill, "swap_image_refill", 1 },
	{ test_policy_hot_set, "policy_hot_set", 1 },
	{ test_policy_background_first, "policy_background_first", 1 },
	{ test_oom_grower, "oom_grower", 1 },
	{ test_oom_two_hogs, "oom_two_hogs", 1 },
	{ test_oom_shared_pair, "oom_shared_pair", 1 },
	{ test_oom_cow_chain, "oom_cow_chain", 1 },
	{ test_oom_adjust, "oom_adjust", 1 },
	{ test_oom_swapin_victim, "oom_swapin_victim", 1 },
	{ test_reserve_throttle, "reserve_throttle", 1 },
	{ test_reserve_floor, "reserve_floor", 1 },
	{ test_pressure_levels, "pressure_levels", 1 },
	{ test_pressure_gives_back, "pressure_gives_back", 1 },
	{ test_pressure_gives_back_cow, "pressure_gives_back_cow", 1 },
	{ test_pressure_exit_unsubscribes, "pressure_exit_unsubscribes", 0 },
	{ test_discard_first, "discard_first", 1 },
	{ test_lifetimes, "lifetimes", 1 },
};

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

/* Run t as TAP test number n; 1 if it passed. */
static int run_one(const struct test *t, int n)
{
	check_reset();
	int r = t->fn();
	const char *why = check_reason();

	if (r == 0 && why[0] == '\0') {
		printf("ok %d - %s\n", n, t->name);
		return 1;
	}
	printf("not ok %d - %s # %s\n", n, t->name,
	       why[0] != '\0' ? why : "failed without saying why");
	return 0;
}

static const struct test *find(const char *name)
{
	for (size_t i = 0; i < NTESTS; i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

static void list_names(void)
{
	for (size_t i = 0; i < NTESTS; i++)
		diag("  %s", tests[i].name);
}

/* Run the tests named in names[0..n-1]; returns how many failed. */
static int run_named(char **names, int n)
{
	int passed = 0;

	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		const struct test *t = find(names[i]);
		if (t != NULL) {
			passed += run_one(t, i + 1);
			continue;
		}
		printf("not ok %d - %s # no such test; the tests are:\n", i + 1, names[i]);
		list_names();
	}
	printf("# tests: %d passed, %d failed\n", passed, n - passed);
	return n - passed;
}

static int run_all(void)
{
	int passed = 0, n = 0;

	for (size_t i = 0; i < NTESTS; i++)
		n += !tests[i].slow;
	printf("1..%d\n", n);
	n = 0;
	for (size_t i = 0; i < NTESTS; i++)
		if (!tests[i].slow)
			passed += run_one(&tests[i], ++n);
	printf("# tests: %d passed, %d failed\n", passed, n - passed);
	return n - passed;
}

/* tests [NAME...]: every test, or only those named (init.args=A,B). */
int main(int argc, char **argv)
{
	int failed = argc > 1 ? run_named(argv + 1, argc - 1) : run_all();

	struct net_stats net;

	vmstat_print("# ");	/* what the run cost the pager */
	if (net_stats(&net) == 0)
		netstat_print("# ");	/* and the network, when there is one */
	return failed;
}
