/*
 * Page-reference traces for pagesim: the text format, and the reader that
 * loads a trace (plain or gzip'd) into an array with pages renumbered densely.
 *
 * Format, one reference per line:
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

/* Load path into t (which trace_free releases). 0 on success; -1 with a
 * message ("FILE:LINE: ...", or why the file cannot be read) in err. */
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

/* printf into err (errlen bytes, nothing if 0): how pagesim reports errors. */
void pagesim_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
