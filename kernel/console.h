/*
 * Kernel console output: a small printf over the arch console, and panic,
 * which prints its report and powers the machine off with a failure status.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void kputs(const char *s);
void kwrite(const char *s, size_t n);
/* Formats: %s %c %d %u %x %p %%, with l/ll, width and '0' padding. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define PANIC_STATUS 100	/* guest exit status after a panic */

#endif
