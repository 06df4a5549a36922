/*
 * A trace in memory and the text format (trace.h): the text parsed line by
 * line into references, and what every format's reader uses (a reference
 * appended, a bad line quoted, the error text). trace_load.c reads files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

/* How much of a bad line an error message quotes. */
#define QUOTE_MAX 40

void pagesim_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- lines ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

/* Parse one line [s, end) without its line ending. 1 and *ref filled for a
 * reference, 0 for a comment or blank line, -1 if malformed. */
static int parse_line(const char *s, const char *end, struct trace_ref *ref)
{
	uint64_t page = 0;
	const char *digits;

	if (s < end && (*s == '#' || *s == '*'))
		return 0;
	s = skip_blanks(s, end);
	if (s == end)
		return 0;
	for (digits = s; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (page > (UINT64_MAX - d) / 10)
			return -1;	/* does not fit 64 bits */
		page = page * 10 + d;
	}
	if (s == digits || (s < end && !is_blank(*s)))
		return -1;
	s = skip_blanks(s, end);
	ref->page = page;
	ref->write = 0;
	if (s < end && (*s == 'R' || *s == 'W')) {
		ref->write = *s == 'W';
		s = skip_blanks(s + 1, end);
	}
	return s == end ? 1 : -1;
}

/* The bad line, quoted in an error message with unprintable bytes shown as
 * '?' so a binary file does not garble the terminal. */
void trace_quote(const char *s, const char *end, char *out, size_t outlen)
{
	size_t n = 0;

	while (s < end && n + 4 < outlen && n < QUOTE_MAX) {
		char c = *s++;

		out[n++] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	if (s < end && n + 4 <= outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

int trace_push(struct trace *t, size_t *cap, uint64_t page, uint8_t write)
{
	struct trace_ref ref = { page, write };

	if (t->nrefs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		struct trace_ref *grown = realloc(t->refs, ncap * sizeof(*grown));

		if (!grown)
			return -1;
		t->refs = grown;
		*cap = ncap;
	}
	t->refs[t->nrefs++] = ref;
	return 0;
}

int trace_parse_text(const char *path, const char *data, size_t len, struct trace *t,
		     char *err, size_t errlen)
{
	const char *p = data, *end = data + len;
	size_t cap = 0, lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct trace_ref ref;
		int r;

		lineno++;
		if (eol > p && eol[-1] == '\r')
			eol--;
		r = parse_line(p, eol, &ref);
		if (r < 0) {
			char quoted[QUOTE_MAX + 8];

			trace_quote(p, eol, quoted, sizeof(quoted));
			pagesim_error(err, errlen, "%s:%zu: expected 'PAGE [R|W]', got '%s'", path,
				lineno, quoted);
			return -1;
		}
		if (r && trace_push(t, &cap, ref.page, ref.write)) {
			pagesim_error(err, errlen, "%s:%zu: out of memory", path, lineno);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

void trace_free(struct trace *t)
{
	free(t->refs);
	free(t->dense);
	memset(t, 0, sizeof(*t));
}
