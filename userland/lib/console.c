/*
 * stdin, stdout and stderr for picolibc's tinystdio. Output is collected a
 * line at a time and written with one SYS_DEBUG_WRITE, so lines from
 * different processes never mix mid-line on the console. stdin is empty.
 */
#include <stdio.h>

#include "console.h"
#include "mutex.h"
#include "sys.h"

#define LINE_MAX_BYTES 256

struct line_buf {
	struct mutex lock;		/* threads share the line */
	size_t len;			/* bytes in text[] */
	char text[LINE_MAX_BYTES];
};

static struct line_buf out_line, err_line;

static void line_lock(struct line_buf *b)
{
	mutex_lock(&b->lock);
}

static void line_unlock(struct line_buf *b)
{
	mutex_unlock(&b->lock);
}

/* Write out what b holds, however many calls the kernel takes it in
 * (DEBUG_WRITE_MAX a call); the caller holds b's lock. */
static void line_flush_locked(struct line_buf *b)
{
	size_t done = 0;

	while (done < b->len) {
		long n = sys_debug_write(b->text + done, b->len - done);
		if (n <= 0)
			break;		/* refused: there is nowhere else to write it */
		done += (size_t)n;
	}
	b->len = 0;
}

static int line_put(struct line_buf *b, char c)
{
	line_lock(b);
	b->text[b->len++] = c;
	if (c == '\n' || b->len == sizeof(b->text))
		line_flush_locked(b);
	line_unlock(b);
	return (unsigned char)c;
}

static int line_flush(struct line_buf *b)
{
	line_lock(b);
	line_flush_locked(b);
	line_unlock(b);
	return 0;
}

static int out_put(char c, FILE *f)
{
	(void)f;
	return line_put(&out_line, c);
}

static int err_put(char c, FILE *f)
{
	(void)f;
	return line_put(&err_line, c);
}

static int out_flush(FILE *f)
{
	(void)f;
	return line_flush(&out_line);
}

static int err_flush(FILE *f)
{
	(void)f;
	return line_flush(&err_line);
}

static int in_get(FILE *f)
{
	(void)f;
	return _FDEV_EOF;
}

static FILE out_file = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE);
static FILE err_file = FDEV_SETUP_STREAM(err_put, NULL, err_flush, _FDEV_SETUP_WRITE);
static FILE in_file = FDEV_SETUP_STREAM(NULL, in_get, NULL, _FDEV_SETUP_READ);

FILE *const stdout = &out_file;
FILE *const stderr = &err_file;
FILE *const stdin = &in_file;

void console_flush(void)
{
	line_flush(&out_line);
	line_flush(&err_line);
}

void console_hold(void)
{
	line_lock(&out_line);
	line_flush_locked(&out_line);
	line_lock(&err_line);
	line_flush_locked(&err_line);
}

void console_release(void)
{
	line_unlock(&err_line);
	line_unlock(&out_line);
}

void console_fork_child(void)
{
	mutex_forget_sleepers(&out_line.lock);
	mutex_forget_sleepers(&err_line.lock);
	console_release();
}
