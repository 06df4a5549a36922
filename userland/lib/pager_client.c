/*
 * spawn() and poweroff(): one call each to the pager's service endpoint,
 * in the message layouts of pager/protocol.h.
 */
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

int spawn(const char *name, const char *const argv[], int pass_handle,
	  int *pid_out)
{
	struct msg m = { .label = PAGER_SPAWN, .handle = pass_handle };
	int r = pack_argv(&m, name, argv);

	if (r < 0)
		return r;
	r = sys_call(HANDLE_PAGER, &m);
	if (r < 0)
		return r;
	if ((int64_t)m.label < 0)
		return (int)(int64_t)m.label;
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
