/*
 * Reader for "newc" cpio archives (the initrd). Every entry is a 110-byte
 * ASCII header, a name padded so header and name end 4-aligned, and a body
 * padded to 4; each size is checked against the archive before it is used.
 */
#include "cpio.h"

#include <stdbool.h>

#define HEADER_SIZE 110
#define FIELD_MODE 1
#define FIELD_FILESIZE 6
#define FIELD_NAMESIZE 11
#define NFIELDS 13
#define MODE_TYPE 0170000u
#define MODE_REGULAR 0100000u

/* Value of the hex digit c, or -1. */
static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse the 13 eight-digit fields that follow the magic. */
static int parse_fields(const uint8_t *h, uint32_t fields[NFIELDS])
{
	for (int i = 0; i < NFIELDS; i++) {
		uint32_t v = 0;

		for (int k = 0; k < 8; k++) {
			int d = hex_digit(h[6 + 8 * i + k]);

			if (d < 0)
				return CPIO_ERR_BADHEX;
			v = v << 4 | (uint32_t)d;
		}
		fields[i] = v;
	}
	return CPIO_OK;
}

static bool has_magic(const uint8_t *h)
{
	static const char magic[6] = "070701";

	for (int i = 0; i < 6; i++)
		if (h[i] != (uint8_t)magic[i])
			return false;
	return true;
}

/* Round pos up to 4 unless that would pass limit; false then. */
static bool align4_within(size_t pos, size_t limit, size_t *out)
{
	size_t pad = (4 - pos % 4) % 4;

	if (pos > limit || limit - pos < pad)
		return false;
	*out = pos + pad;
	return true;
}

static bool str_equal(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_file *out)
{
	const uint8_t *base = archive;
	uint32_t f[NFIELDS];
	size_t off = *offset, name_off, data_off;
	int err;

	if (off > size || size - off < HEADER_SIZE)
		return CPIO_ERR_TRUNCATED;
	if (!has_magic(base + off))
		return CPIO_ERR_MAGIC;
	err = parse_fields(base + off, f);
	if (err)
		return err;
	name_off = off + HEADER_SIZE;
	if (f[FIELD_NAMESIZE] == 0)
		return CPIO_ERR_BADNAME;
	if (f[FIELD_NAMESIZE] > size - name_off)
		return CPIO_ERR_NAME_PAST_END;
	if (base[name_off + f[FIELD_NAMESIZE] - 1] != 0)
		return CPIO_ERR_BADNAME;
	out->name = (const char *)base + name_off;
	out->mode = f[FIELD_MODE];
	out->data = NULL;
	out->size = 0;
	if (str_equal(out->name, "TRAILER!!!")) {
		*offset = size;
		return CPIO_END;
	}
	if (!align4_within(name_off + f[FIELD_NAMESIZE], size, &data_off) ||
	    f[FIELD_FILESIZE] > size - data_off)
		return CPIO_ERR_BODY_PAST_END;
	out->data = base + data_off;
	out->size = f[FIELD_FILESIZE];
	/* A body that ends unpadded at the very end leaves nothing to read next. */
	if (!align4_within(data_off + out->size, size, offset))
		*offset = size;
	return CPIO_OK;
}

static const char *skip_dot_slash(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

int cpio_find(const void *archive, size_t size, const char *name, struct cpio_file *out)
{
	size_t offset = 0;
	const char *want = skip_dot_slash(name);
	int err;

	/* out doubles as the cursor's scratch entry; it is garbage on failure. */
	while ((err = cpio_next(archive, size, &offset, out)) == CPIO_OK) {
		if ((out->mode & MODE_TYPE) == MODE_REGULAR &&
		    str_equal(skip_dot_slash(out->name), want))
			return CPIO_OK;
	}
	return err == CPIO_END ? CPIO_ERR_NOTFOUND : err;
}

int cpio_check(const void *archive, size_t size, size_t *at)
{
	struct cpio_file f;
	size_t offset = 0;
	int err;

	do {
		*at = offset;
		err = cpio_next(archive, size, &offset, &f);
	} while (err == CPIO_OK);
	return err == CPIO_END ? CPIO_OK : err;
}

bool cpio_damaged(int err)
{
	return err < 0 && err != CPIO_ERR_NOTFOUND;
}

/* Worded to follow "the initrd is damaged: ". */
const char *cpio_strerror(int err)
{
	switch (err) {
	case CPIO_END: return "end of archive";
	case CPIO_OK: return "no error";
	case CPIO_ERR_MAGIC: return "an entry does not start with the newc magic 070701";
	case CPIO_ERR_TRUNCATED: return "the archive ends inside a header or before its trailer";
	case CPIO_ERR_BADHEX: return "a header field is not hexadecimal";
	case CPIO_ERR_BADNAME: return "a name is empty or not NUL-terminated";
	case CPIO_ERR_NOTFOUND: return "no such file in the archive";
	case CPIO_ERR_NAME_PAST_END: return "a name runs past the end of the archive";
	case CPIO_ERR_BODY_PAST_END: return "a file's body runs past the end of the archive";
	default: return "unknown cpio error";
	}
}
