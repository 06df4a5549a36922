/*
 * A reader for cpio archives in the "newc" format (magic 070701), as the
 * build packs the initrd. Plain C; every length is checked against the
 * archive's size, so a malformed archive gets an error, never a wild read.
 */
#ifndef LIB_CPIO_H
#define LIB_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every error but CPIO_ERR_NOTFOUND says the archive itself is damaged. */
enum cpio_error {
	CPIO_END = 1,		/* the TRAILER!!! entry was reached */
	CPIO_OK = 0,
	CPIO_ERR_MAGIC = -1,	/* an entry does not start with 070701 */
	CPIO_ERR_TRUNCATED = -2,/* the archive ends inside a header, or before
				 * its trailer */
	CPIO_ERR_BADHEX = -3,	/* a header field is not hexadecimal */
	CPIO_ERR_BADNAME = -4,	/* name size 0, or name not NUL-terminated */
	CPIO_ERR_NOTFOUND = -5,	/* intact up to its trailer, without the file */
	CPIO_ERR_NAME_PAST_END = -6,	/* a name runs past the end */
	CPIO_ERR_BODY_PAST_END = -7	/* a file's body runs past the end */
};

struct cpio_file {
	const char *name;	/* NUL-terminated, inside the archive */
	const uint8_t *data;
	size_t size;
	uint32_t mode;
};

/* Read the entry at *offset into out and advance *offset to the next one.
 * CPIO_OK, CPIO_END, or an error. */
int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_file *out);

/* Find the regular file called name ("init" also matches "./init"). CPIO_OK
 * as soon as it is found, whole, even if the archive is damaged further on;
 * CPIO_ERR_NOTFOUND only once every entry up to the trailer has been read;
 * else the damage met before it. */
int cpio_find(const void *archive, size_t size, const char *name, struct cpio_file *out);

/* Read every entry up to the trailer: CPIO_OK if the archive is intact (*at
 * is then the trailer's offset), else the damage, with *at the offset of the
 * entry it is in: the files before that entry can still be found. */
int cpio_check(const void *archive, size_t size, size_t *at);

/* True if err means the archive is damaged (not merely without a file). */
bool cpio_damaged(int err);

const char *cpio_strerror(int err);

#endif
