/*
 * The console, caught, for host tests: what the code under test prints
 * between said_begin and said_end goes to a file, and said_end counts the
 * lines holding what. Its includer defines _POSIX_C_SOURCE 200809L
 * before any header (fileno, dup).
 */
#ifndef TESTS_HOST_SAID_H
#define TESTS_HOST_SAID_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static FILE *said;
static int said_stdout = -1;

static void said_begin(void)
{
	fflush(stdout);
	said = tmpfile();
	assert_non_null(said);
	said_stdout = dup(STDOUT_FILENO);
	assert_true(said_stdout >= 0 && dup2(fileno(said), STDOUT_FILENO) >= 0);
}

static int said_end(const char *what)
{
	char line[512];
	int n = 0;

	fflush(stdout);
	assert_true(dup2(said_stdout, STDOUT_FILENO) >= 0);
	close(said_stdout);
	rewind(said);
	while (fgets(line, sizeof(line), said))
		n += strstr(line, what) != NULL;
	fclose(said);
	return n;
}

#endif
