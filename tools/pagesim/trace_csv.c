/*
 * libCacheSim-style CSV traces for pagesim: one reference per line, fields
 * split by a delimiter (',' unless told), the page in one column and the
 * operation, if any, in another.
 *
 * Columns come from the options (1-based), or else from a header: the first
 * line that is not a comment is one if the page's column (when given) or
 * any field (when not) is not a number, and then the page is the column
 * named obj_id, obj-id, id, key, page, block or lba, the operation the one
 * named op, operation, type, rw or req_type (case ignored). A file with no
 * header and one column needs no option.
 *
 * A page is a decimal number or 0x and hexadecimal digits, below 2^64. An
 * operation is read/get/r/0 (a read) or write/set/w/1 (a write); empty is a
 * read. Blanks around a field are ignored, lines starting with '#' and
 * blank lines are skipped, and quotes are refused (no field needs them).
 * Anything else is an error naming the file and the line.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "trace.h"

#define MAX_COLS 64		/* fields a line may have */

struct field {
	const char *s, *end;
};

struct csv {
	const char *path;
	size_t lineno;
	char delim;
	uint32_t id_col, op_col;	/* 1-based; op_col 0: none */
	char *err;
	size_t errlen;
};

static const char *const id_names[] = { "obj_id", "obj-id", "id", "key", "page", "block",
					"lba", NULL };
static const char *const op_names[] = { "op", "operation", "type", "rw", "req_type", NULL };

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct field trim(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	return (struct field){ s, end };
}

/* Split [s, end) at the delimiter into f[]; the number of fields, or -1 if
 * there are too many. */
static int split(const char *s, const char *end, char delim, struct field *f)
{
	int n = 0;

	for (;;) {
		const char *d = memchr(s, delim, (size_t)(end - s));
		const char *stop = d ? d : end;

		if (n == MAX_COLS)
			return -1;
		f[n++] = trim(s, stop);
		if (!d)
			return n;
		s = d + 1;
	}
}

static int digit_value(char c, int base)
{
	int v = c >= '0' && c <= '9' ? c - '0'
	      : c >= 'a' && c <= 'f' ? c - 'a' + 10
	      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return v < base ? v : -1;
}

/* A decimal or 0x-hexadecimal number below 2^64: 0 and *out, or -1. */
static int parse_number(struct field f, uint64_t *out)
{
	int base = 10;
	uint64_t v = 0;

	if (f.end - f.s > 2 && f.s[0] == '0' && (f.s[1] == 'x' || f.s[1] == 'X')) {
		base = 16;
		f.s += 2;
	}
	if (f.s == f.end)
		return -1;
	for (const char *p = f.s; p < f.end; p++) {
		int d = digit_value(*p, base);

		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int field_is(struct field f, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(f.end - f.s) == n && !strncasecmp(f.s, word, n);
}

/* 0 read, 1 write, -1 neither. */
static int parse_op(struct field f)
{
	static const char *const reads[] = { "", "r", "read", "get", "0", NULL };
	static const char *const writes[] = { "w", "write", "set", "1", NULL };

	for (int i = 0; reads[i]; i++)
		if (field_is(f, reads[i]))
			return 0;
	for (int i = 0; writes[i]; i++)
		if (field_is(f, writes[i]))
			return 1;
	return -1;
}

static int fail(struct csv *c, const char *what, const char *s, const char *end)
{
	char quoted[TRACE_QUOTE_LEN];

	trace_quote(s, end, quoted, sizeof(quoted));
	pagesim_error(c->err, c->errlen, "%s:%zu: %s in '%s'", c->path, c->lineno, what, quoted);
	return -1;
}

/* The 1-based column whose header is one of names, or 0. */
static uint32_t find_column(const struct field *f, int n, const char *const *names)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; names[k]; k++)
			if (field_is(f[i], names[k]))
				return (uint32_t)i + 1;
	return 0;
}

static int all_numbers(const struct field *f, int n)
{
	uint64_t v;

	for (int i = 0; i < n; i++)
		if (f[i].s != f[i].end && parse_number(f[i], &v))
			return 0;
	return 1;
}

/* 1 if the first line is data: its page column (given, or the only one)
 * holds a number, or with no column given, all its fields do. */
static int first_is_data(const struct csv *c, const struct field *f, int n)
{
	uint64_t v;

	if (c->id_col)
		return (uint32_t)n >= c->id_col && !parse_number(f[c->id_col - 1], &v);
	return all_numbers(f, n);
}

/* The first line: 1 if it was a header (columns taken from it, unless the
 * options gave them), 0 if data, -1 if the columns cannot be known. */
static int read_header(struct csv *c, const struct field *f, int n, const char *s,
		       const char *end)
{
	if (first_is_data(c, f, n)) {
		if (!c->id_col && n == 1)
			c->id_col = 1;
		if (!c->id_col)
			return fail(c, "no header to name the page's column (give --csv-id-col)",
				    s, end);
		return 0;
	}
	if (!c->id_col)
		c->id_col = find_column(f, n, id_names);
	if (!c->op_col)
		c->op_col = find_column(f, n, op_names);
	if (!c->id_col)
		return fail(c, "no obj_id, id, key, page, block or lba column in the header",
			    s, end);
	return 1;
}

/* One data line: 0 and the reference pushed, or -1. */
static int read_ref(struct csv *c, struct trace *t, size_t *cap, const struct field *f, int n,
		    const char *s, const char *end)
{
	uint64_t page;
	int op = 0;

	if ((uint32_t)n < c->id_col || (c->op_col && (uint32_t)n < c->op_col))
		return fail(c, "too few fields", s, end);
	if (parse_number(f[c->id_col - 1], &page))
		return fail(c, "the page is not a number below 2^64", s, end);
	if (c->op_col && (op = parse_op(f[c->op_col - 1])) < 0)
		return fail(c, "the operation is none of read, write, get, set, r, w, 0, 1", s,
			    end);
	if (trace_push(t, cap, page, (uint8_t)op)) {
		pagesim_error(c->err, c->errlen, "%s:%zu: out of memory", c->path, c->lineno);
		return -1;
	}
	return 0;
}

/* One line [s, end), without its line ending: 0, or -1 with err set.
 * *first: no header or data line was met yet. */
static int read_line(struct csv *c, struct trace *t, size_t *cap, int *first, const char *s,
		     const char *end)
{
	struct field f[MAX_COLS];
	int n, r;

	if (trim(s, end).s == end || *s == '#')
		return 0;
	if (memchr(s, '"', (size_t)(end - s)))
		return fail(c, "quoted fields are not supported", s, end);
	if ((n = split(s, end, c->delim, f)) < 0)
		return fail(c, "more than 64 fields", s, end);
	if (*first) {
		*first = 0;
		if ((r = read_header(c, f, n, s, end)) != 0)
			return r < 0 ? -1 : 0;
	}
	return read_ref(c, t, cap, f, n, s, end);
}

int trace_parse_csv(const char *path, const char *data, size_t len,
		    const struct trace_options *o, struct trace *t, char *err, size_t errlen)
{
	struct csv c = { path, 0, o->delimiter ? o->delimiter : ',', o->id_col, o->op_col, err,
			 errlen };
	const char *p = data, *end = data + len;
	size_t cap = 0;
	int first = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		c.lineno++;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (read_line(&c, t, &cap, &first, p, eol))
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}
