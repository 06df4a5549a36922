/*
 * Flattened device tree reader. fdt_open checks the header and walks the
 * whole structure block once, so the lookups after it only meet tokens that
 * are known to be well formed; they still bound every read by the block size.
 */
#include "fdt.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Length of the NUL-terminated string at p[0..max), or -1 if it has no NUL. */
static long bounded_strlen(const uint8_t *p, uint32_t max)
{
	for (uint32_t i = 0; i < max; i++)
		if (p[i] == 0)
			return (long)i;
	return -1;
}

static uint32_t align4(uint32_t x)
{
	return (x + 3u) & ~3u;
}

static const uint8_t *struct_at(const struct fdt *f, uint32_t off)
{
	return f->blob + f->off_struct + off;
}

/* A BEGIN_NODE's name must end inside the block. */
static int skip_node_name(const struct fdt *f, uint32_t off, uint32_t room, uint32_t *next)
{
	long len = bounded_strlen(struct_at(f, off + 4), room);

	if (len < 0)
		return FDT_ERR_TRUNCATED;
	*next = off + 4 + align4((uint32_t)len + 1);
	return 0;
}

/* A PROP's value must fit in the block and its name in the strings block. */
static int skip_prop(const struct fdt *f, uint32_t off, uint32_t room, uint32_t *next)
{
	uint32_t len, nameoff;

	if (room < 8)
		return FDT_ERR_TRUNCATED;
	len = be32(struct_at(f, off + 4));
	nameoff = be32(struct_at(f, off + 8));
	if (len > room - 8)
		return FDT_ERR_TRUNCATED;
	if (nameoff >= f->size_strings ||
	    bounded_strlen(f->blob + f->off_strings + nameoff, f->size_strings - nameoff) < 0)
		return FDT_ERR_BADSTRUCT;
	*next = off + 12 + align4(len);
	return 0;
}

/*
 * Read the token at struct offset off and find where the next one starts.
 * Names and values are checked to lie inside their blocks, so later readers
 * can trust them. Returns 0 or an fdt_error.
 */
static int next_token(const struct fdt *f, uint32_t off, uint32_t *tag, uint32_t *next)
{
	uint32_t room;

	if (off % 4 != 0 || off > f->size_struct || f->size_struct - off < 4)
		return FDT_ERR_TRUNCATED;
	*tag = be32(struct_at(f, off));
	room = f->size_struct - off - 4;
	switch (*tag) {
	case FDT_BEGIN_NODE:
		return skip_node_name(f, off, room, next);
	case FDT_PROP:
		return skip_prop(f, off, room, next);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		*next = off + 4;
		return 0;
	default:
		return FDT_ERR_BADSTRUCT;
	}
}

/* Check that the structure block is one root node followed by FDT_END. */
static int check_structure(const struct fdt *f)
{
	uint32_t off = 0, tag, next;
	int depth = 0, seen_root = 0;

	for (;;) {
		int err = next_token(f, off, &tag, &next);

		if (err)
			return err;
		if (tag == FDT_BEGIN_NODE) {
			if (seen_root && depth == 0)
				return FDT_ERR_BADSTRUCT;	/* a second root */
			depth++;
			seen_root = 1;
		} else if (tag == FDT_END_NODE) {
			if (depth-- == 0)
				return FDT_ERR_BADSTRUCT;
		} else if (tag == FDT_PROP && depth == 0) {
			return FDT_ERR_BADSTRUCT;
		} else if (tag == FDT_END) {
			return depth == 0 && seen_root ? 0 : FDT_ERR_BADSTRUCT;
		}
		off = next;
	}
}

static int check_block(uint32_t off, uint32_t size, uint32_t total)
{
	return (uint64_t)off + size <= total ? 0 : FDT_ERR_TRUNCATED;
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	uint32_t total, version;

	if (max_size < 4)
		return FDT_ERR_TRUNCATED;
	if (be32(b) != FDT_MAGIC)
		return FDT_ERR_MAGIC;
	if (max_size < FDT_HEADER_SIZE)
		return FDT_ERR_TRUNCATED;
	total = be32(b + 4);
	version = be32(b + 20);
	if (total > max_size || total > 0x7fffffffu)
		return FDT_ERR_TOOBIG;
	if (total < FDT_HEADER_SIZE)
		return FDT_ERR_TRUNCATED;
	if (version < 16)
		return FDT_ERR_VERSION;
	f->blob = b;
	f->size = total;
	f->off_struct = be32(b + 8);
	f->off_strings = be32(b + 12);
	f->off_rsvmap = be32(b + 16);
	f->size_strings = be32(b + 32);
	/* Version 16 headers have no size_dt_struct: the block runs to the end. */
	if (version >= 17)
		f->size_struct = be32(b + 36);
	else
		f->size_struct = f->off_struct <= total ? total - f->off_struct : 0;
	if (f->off_struct % 4 != 0 || check_block(f->off_struct, f->size_struct, total) ||
	    check_block(f->off_strings, f->size_strings, total) ||
	    f->off_rsvmap >= total)
		return FDT_ERR_TRUNCATED;
	return check_structure(f);
}

/* Offset of the first token after node's BEGIN_NODE and name. */
static int node_body(const struct fdt *f, int node, uint32_t *body)
{
	uint32_t tag;
	int err;

	if (node < 0)
		return FDT_ERR_NOTFOUND;
	err = next_token(f, (uint32_t)node, &tag, body);
	if (err)
		return err;
	return tag == FDT_BEGIN_NODE ? 0 : FDT_ERR_BADSTRUCT;
}

/* From off, skip properties and NOPs; return the next child node, if any. */
static int find_node_from(const struct fdt *f, uint32_t off)
{
	uint32_t tag, next;

	for (;;) {
		int err = next_token(f, off, &tag, &next);

		if (err)
			return err;
		if (tag == FDT_BEGIN_NODE)
			return (int)off;
		if (tag == FDT_END_NODE)
			return FDT_ERR_NOTFOUND;
		if (tag == FDT_END)
			return FDT_ERR_BADSTRUCT;
		off = next;
	}
}

int fdt_first_child(const struct fdt *f, int node)
{
	uint32_t body;
	int err = node_body(f, node, &body);

	return err ? err : find_node_from(f, body);
}

int fdt_next_sibling(const struct fdt *f, int child)
{
	uint32_t off, tag;
	int depth = 1;
	int err = node_body(f, child, &off);

	if (err)
		return err;
	/* Skip the rest of child's subtree, then look for the next node. */
	while (depth > 0) {
		err = next_token(f, off, &tag, &off);
		if (err)
			return err;
		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE)
			depth--;
		else if (tag == FDT_END)
			return FDT_ERR_BADSTRUCT;
	}
	return find_node_from(f, off);
}

const char *fdt_name(const struct fdt *f, int node)
{
	uint32_t body;

	if (node_body(f, node, &body))
		return NULL;
	return (const char *)struct_at(f, (uint32_t)node + 4);
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
	uint32_t off, tag, next;

	if (node_body(f, node, &off))
		return NULL;
	for (;;) {
		if (next_token(f, off, &tag, &next) || tag == FDT_BEGIN_NODE ||
		    tag == FDT_END_NODE || tag == FDT_END)
			return NULL;
		if (tag == FDT_PROP) {
			const uint8_t *p = struct_at(f, off);
			const char *pname = (const char *)f->blob + f->off_strings + be32(p + 8);

			if (streq(pname, name)) {
				if (len)
					*len = be32(p + 4);
				return p + 12;
			}
		}
		off = next;
	}
}

int fdt_compatible(const struct fdt *f, int node, const char *compat)
{
	uint32_t len, i = 0;
	const uint8_t *list = fdt_prop(f, node, "compatible", &len);

	if (!list)
		return 0;
	/* The value is a list of NUL-terminated strings; the last may lack one. */
	while (i < len) {
		uint32_t j = 0;

		while (i + j < len && list[i + j] != 0 && compat[j] == (char)list[i + j])
			j++;
		if (compat[j] == 0 && (i + j == len || list[i + j] == 0))
			return 1;
		while (i < len && list[i] != 0)
			i++;
		i++;
	}
	return 0;
}

uint64_t fdt_cells(const void *p, int ncells)
{
	if (ncells == 1)
		return be32(p);
	if (ncells == 2)
		return be64(p);
	return 0;
}

/* 1 if node name matches component comp[0..len): exactly, or up to '@'. */
static int name_matches(const char *name, const char *comp, size_t len)
{
	size_t i;
	int comp_has_at = 0;

	for (i = 0; i < len; i++) {
		if (name[i] != comp[i])
			return 0;
		if (comp[i] == '@')
			comp_has_at = 1;
	}
	return name[i] == 0 || (!comp_has_at && name[i] == '@');
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = 0;

	if (!path || path[0] != '/')
		return FDT_ERR_NOTFOUND;
	while (*path) {
		size_t len = 0;
		int child;

		while (*path == '/')
			path++;
		while (path[len] && path[len] != '/')
			len++;
		if (len == 0)
			break;
		child = fdt_first_child(f, node);
		while (child >= 0 && !name_matches(fdt_name(f, child), path, len))
			child = fdt_next_sibling(f, child);
		if (child < 0)
			return child;
		node = child;
		path += len;
	}
	return node;
}

int fdt_memreserve(const struct fdt *f, int i, uint64_t *base, uint64_t *size)
{
	uint32_t off = f->off_rsvmap;

	if (i < 0)
		return FDT_ERR_NOTFOUND;
	/* Entry i exists only if no earlier entry is the (0, 0) terminator. */
	for (int k = 0; k <= i; k++, off += 16) {
		if (f->size - off < 16)
			return FDT_ERR_TRUNCATED;
		*base = be64(f->blob + off);
		*size = be64(f->blob + off + 8);
		if (*base == 0 && *size == 0)
			return FDT_ERR_NOTFOUND;
	}
	return 0;
}

const char *fdt_strerror(int err)
{
	switch (err) {
	case FDT_OK: return "no error";
	case FDT_ERR_MAGIC: return "not a device tree (bad magic)";
	case FDT_ERR_VERSION: return "device tree version older than 16";
	case FDT_ERR_TRUNCATED: return "device tree block or token runs past the blob";
	case FDT_ERR_BADSTRUCT: return "malformed device tree structure block";
	case FDT_ERR_NOTFOUND: return "device tree node or property not found";
	case FDT_ERR_TOOBIG: return "device tree larger than allowed";
	default: return "unknown device tree error";
	}
}
