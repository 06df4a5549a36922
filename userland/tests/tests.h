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

/* notify.c */
int test_notify(void);

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

/* libc.c */
int test_malloc_printf(void);

#endif
