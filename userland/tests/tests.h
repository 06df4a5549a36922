/*
 * Every in-guest test, as the runner's table names them. A test returns 0
 * if it passed, or -1 after recording why (check.h).
 */
#ifndef TESTS_TESTS_H
#define TESTS_TESTS_H

/* ipc.c */
int test_ipc_pingpong(void);
int test_ipc_send_recv(void);
int test_ipc_call_reply(void);
int test_reply_release(void);
/* fastpath.c */
int test_fastpath_calls(void);
int test_fastpath_slow_receivers(void);
int test_fastpath_buffer_absent(void);
int test_fastpath_rights(void);
int test_fastpath_faults(void);
/* fastpath_regs.c */
int test_fastpath_regs(void);
int test_fastpath_regs_long(void);
int test_fastpath_regs_fault(void);
int test_fault_reply_forged(void);
int test_syscall_keeps_t2(void);
/* fpregs.c */
int test_fp_private(void);

/* notify.c */
int test_notify(void);
int test_notify_timer(void);
int test_sleep(void);

/* preempt.c */
int test_preempt(void);

/* syscall_args.c */
int test_bad_pointers(void);
int test_bad_handles(void);
int test_bad_calls(void);

/* proc.c */
int test_crash_reported(void);
int test_exit_wait(void);
int test_kill(void);
int test_spawn_unknown(void);
#define SPAWN_REFUSED_TIMES 50
int test_spawn_refused_many(void);
int test_net_gone(void);

/* libc.c */
int test_malloc_printf(void);

/* memory.c */
int test_demand_zero(void);
int test_faults_concurrent(void);
int test_heap_big(void);
int test_munmap(void);
int test_no_leaks(void);
int test_reclaim_reads_back(void);

/* posix_wait.c */
int test_fork_wait(void);

/* fork.c */
int test_fork_cow(void);
int test_fork_chain(void);
int test_shared_memory(void);
int test_shared_cut_frees(void);
int test_fork_keeps_priority(void);

/* faults.c */
int test_readonly_write_kills(void);
int test_outside_kills(void);
int test_syscall_untouched_buffer(void);
int test_harvest_bits(void);
int test_stats_in_pieces(void);
int test_notify_bind(void);
int test_swap_pattern(void);
int test_swap_fork_sharing(void);
int test_swap_exit_frees(void);
int test_swap_tables_stay(void);
int test_swap_full(void);
int test_swap_read_error(void);
int test_swap_server_restored(void);
int test_swap_outage_reads(void);
int test_swap_concurrent_faults(void);

/* swap_image.c */
int test_swap_image_refill(void);

/* swap_write.c */
int test_swap_written_back(void);
int test_policy_hot_set(void);
int test_policy_background_first(void);

/* oom.c */
int test_oom_grower(void);
int test_oom_two_hogs(void);
int test_oom_shared_pair(void);
int test_oom_cow_chain(void);
int test_oom_adjust(void);
int test_oom_swapin_victim(void);
int test_reserve_throttle(void);
int test_reserve_floor(void);

/* isolation.c */
int test_pager_ep_send_only(void);
int test_rights_shrink(void);
int test_queued_sender_fails_alone(void);
int test_passed_handles_closed(void);
int test_server_gone(void);
int test_notify_receiver_gone(void);
int test_limit_handles(void);
int test_limit_timers(void);
int test_limit_threads(void);
int test_limit_regions(void);
int test_limit_processes(void);

/* leaks.c */
int test_failed_delivery_keeps_no_handle(void);
int test_spawn_full_table_leaves_no_child(void);
int test_fork_full_table_never_runs(void);
int test_sparse_mappings_cost_little(void);
int test_unmapped_tables_return(void);
int test_limit_pool(void);

/* pager_heap.c */
int test_line_heap_returns(void);

/* lifetimes.c */
int test_lifetimes(void);

/* pressure.c */
int test_pressure_levels(void);
int test_pressure_gives_back(void);
int test_pressure_gives_back_cow(void);
int test_pressure_exit_unsubscribes(void);
int test_discard_first(void);

#endif
