/*
 * Stdout is TAP's in host tests: cmocka writes the plan and each result
 * there, and the test runner (meson, protocol 'tap') calls any other line
 * an error. The code under test (the pager's, netd's and the drivers'
 * console lines) print through printf, and the tests' own notes through
 * printf or cmocka's print_message, so in host builds both write to
 * stderr: what they say stays in meson's log and off the TAP stream. Every
 * host test is linked with -Wl,--wrap= for each and with this (the cmocka
 * dependency in tests/host/meson.build), so only its own objects' calls
 * come here; cmocka's own, inside its shared library, still reach stdout.
 * The guest's printf is not touched.
 */
#include <stdarg.h>
#include <stdio.h>

int __wrap_printf(const char *fmt, ...);
void __wrap_print_message(const char *fmt, ...);

int __wrap_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

void __wrap_print_message(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
