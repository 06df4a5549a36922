/*
 * Page-reference traces for pagesim: the text format (trace.c; and
 * libCacheSim's CSV, read by trace_csv.c), and the loader (trace_load.c)
 * that reads a trace (plain or gzip'd) into an array with pages renumbered
 * densely.
 *
 * Text format, one reference per line:
 *
 *     PAGE [R|W]
 *
 *   PAGE    a decimal page number, 0 .. 2^64 - 1 (leading blanks allowed)
 *   R | W   optional, after blanks (spaces or tabs): W marks a write, R (or
 *           nothing) a read; blanks may follow
 *
 * Lines whose first character is '#' or '*' are comments (the classic traces
 * mark checkpoints with '*'); blank lines (nothing but blanks) are skipped.
 * Lines may end in "\n" or "\r\n"; the last line needs no newline. A gzip'd
 * file is read transparently (zlib). Anything else on a line is an error
 * that names the file and the line number: nothing is skipped silently.
 */
#ifndef PAGESIM_TRACE_H
#define PAGESIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct trace_ref {
	uint64_t page;		/* as written in the trace */
	uint8_t write;		/* 1 for a W mark */
};

struct trace {
	struct trace_ref *refs;	/* in trace order */
	uint32_t *dense;	/* dense[i]: refs[i].page as 0 .. npages - 1, by first use */
	size_t nrefs;
	uint32_t npages;	/* distinct pages */
};

/*
 * The formats a trace may come in. TRACE_AUTO: CSV if the name ends in
 * ".csv" or ".csv.gz", else text. CSV is libCacheSim's style: fields split
 * by a delimiter, one reference per line, the page (object id) in one
 * column and the operation, if any, in another (trace_csv.c says how the
 * columns are found).
 */
enum trace_format { TRACE_AUTO, TRACE_TEXT, TRACE_CSV };

struct trace_options {
	enum trace_format format;
	uint32_t id_col;	/* CSV: the page's column from 1; 0: by the header */
	uint32_t op_col;	/* CSV: the operation's column from 1; 0: by the
				 * header, or none */
	char delimiter;		/* CSV: ',' if 0 */
};

/* Load path into t (which trace_free releases) in the text format. 0 on
 * success; -1 with a message ("FILE:LINE: ...", or why the file cannot be
 * read) in err. */
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
/* The same, in the format o says. */
int trace_load_with(const char *path, const struct trace_options *o, struct trace *t,
		    char *err, size_t errlen);
void trace_free(struct trace *t);

/* For the readers: append a reference (0, or -1 if memory runs out); cap
 * is the room in t->refs, 0 at first. */
int trace_push(struct trace *t, size_t *cap, uint64_t page, uint8_t write);
/* A line [s, end) quoted for an error message into out: unprintable bytes
 * as '?', at most 40 characters and "..." after. */
void trace_quote(const char *s, const char *end, char *out, size_t outlen);
#define TRACE_QUOTE_LEN 48	/* room for trace_quote's output */
/* The readers (trace_load.c calls them), each over a whole file in
 * memory: the text format's (trace.c) and the CSV's (trace_csv.c). */
int trace_parse_text(const char *path, const char *data, size_t len, struct trace *t,
		     char *err, size_t errlen);
int trace_parse_csv(const char *path, const char *data, size_t len,
		    const struct trace_options *o, struct trace *t, char *err, size_t errlen);

/* printf into err (errlen bytes, nothing if 0): how pagesim reports errors. */
void pagesim_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
