/*
 * Kernel console: formatted output to the UART. Kept deliberately small; the
 * kernel prints its boot summary, kill reports and panics, nothing else.
 */
#include <stdint.h>
#include "console.h"
#include "arch.h"

void kwrite(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			arch_console_putc('\r');
		arch_console_putc(s[i]);
	}
}

void kputs(const char *s)
{
	while (*s)
		kwrite(s++, 1);
}

struct spec {
	int width;
	char pad;
	int longs;
};

static void put_number(uint64_t v, unsigned base, int negative, struct spec sp)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		buf[n++] = '-';
	for (int w = n; w < sp.width; w++)
		kwrite(&sp.pad, 1);
	while (n > 0)
		kwrite(&buf[--n], 1);
}

static uint64_t take_unsigned(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, uint64_t);
	return va_arg(*ap, unsigned int);
}

static int64_t take_signed(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, int64_t);
	return va_arg(*ap, int);
}

/* Print one conversion; fmt points at its letter. */
static void convert(char c, struct spec sp, va_list *ap)
{
	int64_t sv;
	const char *s;

	switch (c) {
	case 'd':
		sv = take_signed(ap, sp.longs);
		put_number(sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, sv < 0, sp);
		break;
	case 'u':
		put_number(take_unsigned(ap, sp.longs), 10, 0, sp);
		break;
	case 'x':
		put_number(take_unsigned(ap, sp.longs), 16, 0, sp);
		break;
	case 'p':
		kputs("0x");
		put_number((uint64_t)va_arg(*ap, void *), 16, 0, sp);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		kputs(s ? s : "(null)");
		break;
	case 'c':
		sv = va_arg(*ap, int);
		c = (char)sv;
		kwrite(&c, 1);
		break;
	default:
		kwrite("%", 1);
		kwrite(&c, 1);
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		struct spec sp = { 0, ' ', 0 };
		if (*fmt != '%') {
			kwrite(fmt, 1);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			sp.pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			sp.longs = 1;
			fmt++;
		}
		if (!*fmt)
			break;
		convert(*fmt, sp, &aq);
	}
	va_end(aq);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	kputs("\n[kernel] PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n[kernel] powering off\n");
	arch_poweroff(PANIC_STATUS);
}
