/*
 * Starting, waiting for and cleaning up the processes the tests use,
 * echo servers in particular.
 */
#include <ctype.h>
#include <string.h>

#include "check.h"
#include "echo.h"
#include "pager_client.h"

int child_start(struct child *c, const char *name, const char *arg, int pass)
{
	const char *argv[] = { name, arg, NULL };

	c->pid = 0;
	c->handle = spawn(name, argv, pass, &c->pid);
	if (c->handle < 0) {
		check_failed(__FILE__, __LINE__, "spawn %s %s: error %d", name,
			     arg ? arg : "", c->handle);
		return -1;
	}
	return 0;
}

int child_wait(struct child *c, struct exit_info *info)
{
	memset(info, 0xa5, sizeof(*info));	/* the kernel must fill it */
	int r = sys_proc_wait(c->handle, info, 0);
	if (r != 0) {
		check_failed(__FILE__, __LINE__, "sys_proc_wait: %d", r);
		return -1;
	}
	return 0;
}

void child_cleanup(struct child *c)
{
	struct exit_info info;

	if (c->handle < 0)
		return;
	sys_proc_kill(c->handle, 9);	/* -ERR_SRCH if it has ended */
	sys_proc_wait(c->handle, &info, 0);
	sys_handle_close(c->handle);
	c->handle = -1;
}

int echo_start(struct echo *e)
{
	e->proc.handle = -1;
	e->ep = sys_endpoint_create();
	if (e->ep < 0) {
		check_failed(__FILE__, __LINE__, "sys_endpoint_create: %d", e->ep);
		return -1;
	}
	if (child_start(&e->proc, "echo", NULL, e->ep) < 0) {
		echo_cleanup(e);
		return -1;
	}
	return 0;
}

int echo_call(const struct echo *e, uint64_t label, const char *text)
{
	struct msg m = { .label = label, .handle = -1 };
	size_t n = strlen(text);

	memcpy(m.data, text, n);
	m.len = (uint32_t)n;
	CHECK_EQ(sys_call(e->ep, &m), 0);
	CHECK_EQ(m.label, label);
	CHECK_EQ(m.len, n);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(m.data[i], toupper((unsigned char)text[i]));
	return 0;
}

int echo_stop(struct echo *e)
{
	struct exit_info info;
	int r = echo_call(e, ECHO_QUIT, "quit");

	if (r == 0)
		r = child_wait(&e->proc, &info);
	if (r == 0 && (info.how != EXIT_NORMAL || info.status != 0)) {
		check_failed(__FILE__, __LINE__, "echo ended with how %u status %d",
			     (unsigned)info.how, (int)info.status);
		r = -1;
	}
	echo_cleanup(e);
	return r;
}

void echo_cleanup(struct echo *e)
{
	child_cleanup(&e->proc);
	if (e->ep >= 0)
		sys_handle_close(e->ep);
	e->ep = -1;
}
