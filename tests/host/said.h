/*
 * The console, caught, for host tests: what the code under test prints
 * between said_begin and said_end goes to a file, and said_end counts the
 * lines holding what, and passes them on so the log still shows them
 * (and keeps them in said_text).
 * The console is stderr in host builds (tap_stdout.c: stdout is TAP's).
 * Its includer defines _POSIX_C_SOURCE 200809L before any header
 * (fileno, dup).
 */
#ifndef TESTS_HOST_SAID_H
#define TESTS_HOST_SAID_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static FILE *said;
static int said_stderr = -1;
/* All that said_end passed on (bounded), for a test to look for another
 * line in the same catch. */
static char said_text[4096];

static void said_begin(void)
{
	fflush(stderr);
	said = tmpfile();
	assert_non_null(said);
	said_stderr = dup(STDERR_FILENO);
	assert_true(said_stderr >= 0 && dup2(fileno(said), STDERR_FILENO) >= 0);
}

static int said_end(const char *what)
{
	char line[512];
	int n = 0;

	fflush(stderr);
	assert_true(dup2(said_stderr, STDERR_FILENO) >= 0);
	close(said_stderr);
	rewind(said);
	said_text[0] = '\0';
	while (fgets(line, sizeof(line), said)) {
		n += strstr(line, what) != NULL;
		strncat(said_text, line, sizeof(said_text) - strlen(said_text) - 1);
		fputs(line, stderr);
	}
	fclose(said);
	return n;
}

#endif
