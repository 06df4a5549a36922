/*
 * echo: a server for the demonstration and the tests. It answers calls on
 * its HANDLE_ARG endpoint with the data upper-cased (protocol in echo.h),
 * with one sys_reply_recv per call.
 */
#include <ctype.h>
#include <stdio.h>

#include "echo.h"
#include "pager/protocol.h"
#include "sys.h"

static void make_reply(const struct msg *call, struct msg *reply,
		       uint64_t answered)
{
	reply->label = call->label;
	reply->handle = -1;
	reply->rights = 0;
	reply->len = call->len <= MSG_DATA_MAX ? call->len : 0;
	for (uint32_t i = 0; i < reply->len; i++)
		reply->data[i] = (uint8_t)toupper(call->data[i]);
	reply->w[0] = answered;
	for (int i = 1; i < MSG_WORDS; i++)
		reply->w[i] = call->w[i];
}

/* Serve until ECHO_QUIT; returns the exit status. */
static int serve(int ep)
{
	static struct msg call, reply;
	uint64_t answered = 0;
	int r = sys_recv(ep, &call);

	for (;;) {
		if (r < 0) {
			/* ERR_PIPE: every client is gone, a normal end. */
			if (r == -ERR_PIPE)
				return 0;
			fprintf(stderr, "echo: receive failed: error %d\n", -r);
			return 2;
		}
		if (call.handle >= 0)
			sys_handle_close(call.handle);	/* not used */
		if (call.origin != ORIGIN_CALL) {
			r = sys_recv(ep, &call);	/* nobody to answer */
			continue;
		}
		make_reply(&call, &reply, ++answered);
		if (call.label == ECHO_QUIT)
			return sys_reply(&reply) < 0 ? 2 : 0;
		r = sys_reply_recv(ep, &reply, &call);
	}
}

int main(void)
{
	return serve(HANDLE_ARG);
}
