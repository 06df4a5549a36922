/*
 * What pager/base/config.c prints, caught: its printf is config_printf in
 * the host tests that build it (meson.build's -Dprintf=config_printf), and
 * the lines gather in said, from config_said_clear on. After <stdarg.h>
 * and <stdio.h>.
 */
#ifndef TESTS_HOST_CONFIG_SAID_H
#define TESTS_HOST_CONFIG_SAID_H

#include <stddef.h>

static char said[8192];
static size_t said_len;

int config_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(said + said_len, sizeof(said) - said_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		said_len += (size_t)n < sizeof(said) - said_len ? (size_t)n : sizeof(said) - said_len - 1;
	return n;
}

static void config_said_clear(void)
{
	said_len = 0;
	said[0] = '\0';
}

#endif
