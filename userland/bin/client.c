/*
 * client NAME COUNT: the demonstration's echo client. Makes COUNT calls to
 * the echo server on its HANDLE_ARG, checks every answer, and says how far
 * it got every few calls. Exits 0 if every answer was right.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pager/protocol.h"
#include "sys.h"

#define REPORT_EVERY 10

/* Make call number i and check its answer; 0 if right. */
static int one_call(const char *name, int i)
{
	struct msg m = { .label = (uint64_t)i, .handle = -1 };
	char text[64];
	int n = snprintf(text, sizeof(text), "%s says hello, %d", name, i);

	memcpy(m.data, text, (size_t)n);
	m.len = (uint32_t)n;
	int r = sys_call(HANDLE_ARG, &m);
	if (r < 0) {
		printf("client %s: call %d failed: error %d\n", name, i, -r);
		return -1;
	}
	for (int k = 0; k < n; k++)
		text[k] = (char)toupper((unsigned char)text[k]);
	if (m.label != (uint64_t)i || m.len != (uint32_t)n ||
	    memcmp(m.data, text, (size_t)n) != 0) {
		printf("client %s: call %d: wrong answer\n", name, i);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "?";
	int count = argc > 2 ? atoi(argv[2]) : 20;

	for (int i = 1; i <= count; i++) {
		if (one_call(name, i) < 0)
			return 1;
		if (i % REPORT_EVERY == 0 || i == count)
			printf("client %s: %d/%d calls answered\n", name, i, count);
	}
	return 0;
}
