/*
 * Loading a trace (trace.h): the whole file, decompressed by zlib if it is
 * gzip'd, read into memory, parsed by its format's reader (trace.c's text,
 * trace_csv.c's CSV), and each page given a dense number through a hash map
 * so the simulator can index arrays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "trace.h"

/* Read the file in pieces this big; the traces are a few MB decompressed. */
#define READ_CHUNK (1u << 20)

/* ---- the whole file in memory ---- */

/* gzread passes plain files through unchanged, so one path serves both. */
static int read_all(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
	gzFile gz;
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int errnum = Z_OK;
	const char *msg;

	errno = 0;	/* gzopen leaves errno alone when zlib, not open, fails */
	gz = gzopen(path, "rb");
	if (!gz) {
		pagesim_error(err, errlen, "%s: %s", path, errno ? strerror(errno) : "cannot open");
		return -1;
	}
	gzbuffer(gz, 128 * 1024);
	for (;;) {
		int n;

		if (cap - used < READ_CHUNK) {
			char *grown = realloc(buf, cap + READ_CHUNK * 4);

			if (!grown) {
				pagesim_error(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = grown;
			cap += READ_CHUNK * 4;
		}
		n = gzread(gz, buf + used, READ_CHUNK);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	/* A truncated or corrupt gzip stream ends the loop like EOF does; only
	 * gzerror tells them apart. */
	msg = gzerror(gz, &errnum);
	if (errnum != Z_OK && errnum != Z_STREAM_END) {
		/* zlib's message names the file already, but for out of memory. */
		if (!strncmp(msg, path, strlen(path)))
			pagesim_error(err, errlen, "%s", msg);
		else
			pagesim_error(err, errlen, "%s: %s", path, msg);
		goto fail;
	}
	gzclose(gz);
	*data = buf;
	*len = used;
	return 0;
fail:
	gzclose(gz);
	free(buf);
	return -1;
}

/* ---- dense page numbers ---- */

struct page_map {
	uint64_t *keys;
	uint32_t *ids;		/* id + 1; 0 marks an empty slot */
	size_t cap;		/* a power of two, kept at least twice the count */
	uint32_t count;
};

/* splitmix64's finaliser: page numbers are often multiples of a power of two
 * (addresses), which a plain mask would pile into few slots. */
static uint64_t hash64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static size_t map_slot(const struct page_map *m, uint64_t page)
{
	size_t i = (size_t)hash64(page) & (m->cap - 1);

	while (m->ids[i] && m->keys[i] != page)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int map_grow(struct page_map *m)
{
	struct page_map bigger = { .cap = m->cap ? m->cap * 2 : 1024, .count = m->count };

	bigger.keys = malloc(bigger.cap * sizeof(*bigger.keys));
	bigger.ids = calloc(bigger.cap, sizeof(*bigger.ids));
	if (!bigger.keys || !bigger.ids) {
		free(bigger.keys);
		free(bigger.ids);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->ids[i]) {
			size_t j = map_slot(&bigger, m->keys[i]);

			bigger.keys[j] = m->keys[i];
			bigger.ids[j] = m->ids[i];
		}
	}
	free(m->keys);
	free(m->ids);
	*m = bigger;
	return 0;
}

/* The page's dense number, a new one on first sight; -1 if out of memory or
 * out of numbers. */
static int64_t map_id(struct page_map *m, uint64_t page)
{
	size_t i;

	if ((size_t)m->count * 2 >= m->cap && map_grow(m))
		return -1;
	i = map_slot(m, page);
	if (!m->ids[i]) {
		if (m->count == UINT32_MAX - 1)
			return -1;
		m->keys[i] = page;
		m->ids[i] = ++m->count;
	}
	return (int64_t)m->ids[i] - 1;
}

static int renumber(struct trace *t)
{
	struct page_map m = { 0 };
	int ret = 0;

	t->dense = malloc((t->nrefs ? t->nrefs : 1) * sizeof(*t->dense));
	if (!t->dense)
		return -1;
	for (size_t i = 0; i < t->nrefs; i++) {
		int64_t id = map_id(&m, t->refs[i].page);

		if (id < 0) {
			ret = -1;
			break;
		}
		t->dense[i] = (uint32_t)id;
	}
	t->npages = m.count;
	free(m.keys);
	free(m.ids);
	return ret;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

static enum trace_format format_of(const char *path, enum trace_format f)
{
	if (f != TRACE_AUTO)
		return f;
	return ends_with(path, ".csv") || ends_with(path, ".csv.gz") ? TRACE_CSV : TRACE_TEXT;
}

int trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	const struct trace_options text = { .format = TRACE_TEXT };

	return trace_load_with(path, &text, t, err, errlen);
}

int trace_load_with(const char *path, const struct trace_options *o, struct trace *t,
		    char *err, size_t errlen)
{
	char *data = NULL;
	size_t len = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (read_all(path, &data, &len, err, errlen))
		return -1;
	if (format_of(path, o->format) == TRACE_CSV)
		ret = trace_parse_csv(path, data, len, o, t, err, errlen);
	else
		ret = trace_parse_text(path, data, len, t, err, errlen);
	free(data);
	if (!ret && renumber(t)) {
		pagesim_error(err, errlen, "%s: out of memory numbering the pages", path);
		ret = -1;
	}
	if (ret)
		trace_free(t);
	return ret;
}
