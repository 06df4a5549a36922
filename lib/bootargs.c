/*
 * Boot-argument parser shared by the kernel and the pager. Each side passes
 * its own key table; every problem becomes one complete console line that
 * names the key and what is accepted, and the default stays in force. The
 * kernel also cuts an overlong command line here, between words.
 */
#include "bootargs.h"

#include <stdbool.h>

#define MSG_MAX 512	/* the longest: an unknown key with every known key listed */
#define CUT_MARK "..."	/* ends a message that did not fit, so the cut shows */
#define QUOTE_MAX 48	/* longer text is cut so the key still fits in the line */

struct msg {
	char buf[MSG_MAX];
	size_t len;
	bool cut;	/* some text did not fit */
};

struct reporter {
	bootarg_report_fn fn;
	void *ctx;
	int count;
};

/* A word of the command line: text[0..len), not NUL-terminated. */
struct word {
	const char *text;
	size_t len;
};

/* Append up to n bytes of s (stopping at a NUL), truncating at the buffer end. */
static void put_n(struct msg *m, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] && m->len < MSG_MAX - 1; i++)
		m->buf[m->len++] = s[i];
	if (i < n && s[i])
		m->cut = true;
	m->buf[m->len] = 0;
}

static void put(struct msg *m, const char *s)
{
	put_n(m, s, (size_t)-1);
}

/* Begin a message with s; a local buffer, so no zero-fill of all of it. */
static void start(struct msg *m, const char *s)
{
	m->len = 0;
	m->cut = false;
	put(m, s);
}

static void put_quoted(struct msg *m, const char *s, size_t n)
{
	put(m, "'");
	put_n(m, s, n < QUOTE_MAX ? n : QUOTE_MAX);
	if (n > QUOTE_MAX)
		put(m, "...");
	put(m, "'");
}

/* Decimal text of v into buf (at least 21 bytes). */
static void u64_to_text(uint64_t v, char *buf)
{
	char tmp[21];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = 0;
}

static void put_u64(struct msg *m, uint64_t v)
{
	char text[21];

	u64_to_text(v, text);
	put(m, text);
}

static void emit(struct reporter *r, struct msg *m)
{
	if (m->cut)
		for (size_t i = 0; i < sizeof(CUT_MARK) - 1; i++)
			m->buf[MSG_MAX - sizeof(CUT_MARK) + i] = CUT_MARK[i];
	r->count++;
	if (r->fn)
		r->fn(r->ctx, m->buf);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Find the word at or after *cursor; false at the end of the line. */
static bool next_word(const char **cursor, struct word *w)
{
	const char *p = *cursor;

	while (*p && is_space(*p))
		p++;
	w->text = p;
	while (*p && !is_space(*p))
		p++;
	w->len = (size_t)(p - w->text);
	*cursor = p;
	return w->len > 0;
}

/* Length of the key part of w: up to its '=' or the whole word. */
static size_t key_len(const struct word *w)
{
	size_t i = 0;

	while (i < w->len && w->text[i] != '=')
		i++;
	return i;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= len || s[i] != prefix[i])
			return false;
	return true;
}

/* True if s[0..len) (no NULs inside) is exactly the NUL-terminated string z. */
static bool same(const char *s, size_t len, const char *z)
{
	for (size_t i = 0; i < len; i++)
		if (z[i] != s[i])
			return false;
	return z[len] == 0;
}

static void copy_text(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len && src[i] && i < BOOTARG_STR_MAX - 1; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static size_t text_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Decimal digits only, at least one, no overflow. */
static bool parse_uint(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool slices_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Index of s[0..len) among the '|'-separated names in choices. */
static bool find_choice(const char *choices, const char *s, size_t len, uint64_t *index)
{
	uint64_t i = 0;

	if (!choices || len == 0)
		return false;
	for (;;) {
		size_t n = 0;

		while (choices[n] && choices[n] != '|')
			n++;
		if (slices_equal(choices, n, s, len)) {
			*index = i;
			return true;
		}
		if (!choices[n])
			return false;
		choices += n + 1;
		i++;
	}
}

/* A decimal number of at most 3 digits from s[*i], up to max. */
static bool parse_small(const char *s, size_t len, size_t *i, unsigned max, unsigned *out)
{
	size_t start = *i;
	unsigned v = 0;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9' && *i - start < 3)
		v = v * 10 + (unsigned)(s[(*i)++] - '0');
	if (*i == start || v > max)
		return false;
	*out = v;
	return true;
}

/* "a.b.c.d" or "a.b.c.d/n" into *addr and *prefix (24 if not given). The
 * prefix must leave room for hosts (1..30). Only the text is checked here:
 * whether a host may have the address is host_fault's. */
static bool parse_ipv4(const char *s, size_t len, uint32_t *addr, unsigned *prefix)
{
	unsigned part;
	size_t i = 0;

	*addr = 0;
	*prefix = 24;
	for (int k = 0; k < 4; k++) {
		if ((k > 0 && (i >= len || s[i++] != '.')) || !parse_small(s, len, &i, 255, &part))
			return false;
		*addr = *addr << 8 | part;
	}
	if (i < len && (s[i++] != '/' || !parse_small(s, len, &i, 30, prefix) || *prefix < 1))
		return false;
	return i == len;
}

/* Why addr/prefix cannot be a host's own address (RFC 1122 3.2.1.3, RFC
 * 6890): NULL if it can. netd would otherwise answer for the loopback or
 * a group, or take its subnet's own or broadcast address, which every
 * host on the subnet reads as not one machine's. */
static const char *host_fault(uint32_t addr, unsigned prefix)
{
	uint32_t host_bits = (1u << (32 - prefix)) - 1;	/* prefix <= 30 */

	if (addr >> 24 == 0)
		return "an address of 'this network', in 0.0.0.0/8: no host's";
	if (addr >> 24 == 127)
		return "a loopback address, in 127.0.0.0/8";
	if (addr >> 28 == 0xe)
		return "a multicast address, in 224.0.0.0/4";
	if (addr == 0xffffffffu)
		return "the limited broadcast address";
	if (addr >> 28 == 0xf)
		return "a reserved address, in 240.0.0.0/4";
	if ((addr & host_bits) == 0)
		return "its subnet's own address: the host part is all zeros";
	if ((addr & host_bits) == host_bits)
		return "its subnet's broadcast address: the host part is all ones";
	return NULL;
}

/* An address a host may have: *out = address << 8 | prefix. */
static bool parse_host_ipv4(const char *s, size_t len, uint64_t *out)
{
	uint32_t addr;
	unsigned prefix;

	if (!parse_ipv4(s, len, &addr, &prefix) || host_fault(addr, prefix))
		return false;
	*out = (uint64_t)addr << 8 | prefix;
	return true;
}

/* Check s[0..len) against spec; if good, store it in v and return true. */
static bool take_value(const struct bootarg_spec *spec, const char *s, size_t len,
		       struct bootarg_value *v)
{
	uint64_t num = 0;

	switch (spec->type) {
	case BOOTARG_UINT:
		if (!parse_uint(s, len, &num) || num < spec->min || num > spec->max)
			return false;
		v->num = num;
		u64_to_text(num, v->str);
		return true;
	case BOOTARG_CHOICE:
		if (!find_choice(spec->choices, s, len, &num))
			return false;
		v->num = num;
		copy_text(v->str, s, len);
		return true;
	case BOOTARG_STRING:
		if (len >= BOOTARG_STR_MAX || len < spec->min)
			return false;
		v->num = 0;
		copy_text(v->str, s, len);
		return true;
	case BOOTARG_IPV4:
		/* The word (net.addr's "dhcp", num 0) or an address. */
		if (!find_choice(spec->choices, s, len, &num) && !parse_host_ipv4(s, len, &num))
			return false;
		v->num = num;
		copy_text(v->str, s, len);
		return true;
	}
	return false;
}

static void set_default(const struct bootarg_spec *spec, struct bootarg_value *v)
{
	const char *def = spec->def ? spec->def : "";

	v->given = 0;
	if (!take_value(spec, def, text_len(def), v)) {
		/* A broken table entry: keep the text, there is no number. */
		v->num = 0;
		copy_text(v->str, def, text_len(def));
	}
}

static void put_accepted(struct msg *m, const struct bootarg_spec *spec)
{
	switch (spec->type) {
	case BOOTARG_UINT:
		put_u64(m, spec->min);
		put(m, "..");
		put_u64(m, spec->max);
		break;
	case BOOTARG_CHOICE:
		put(m, spec->choices ? spec->choices : "");
		break;
	case BOOTARG_STRING:
		if (spec->min) {
			put(m, "text of ");
			put_u64(m, spec->min);
			put(m, " to ");
		} else {
			put(m, "text of at most ");
		}
		put_u64(m, BOOTARG_STR_MAX - 1);
		put(m, " characters");
		break;
	case BOOTARG_IPV4:
		put(m, spec->choices ? spec->choices : "");
		put(m, " or a host's IPv4 address a.b.c.d[/1..30]");
		break;
	}
}

static void report_bad(struct reporter *r, const struct bootarg_spec *spec,
		       const char *s, size_t len)
{
	struct msg m;

	const char *why = NULL;
	uint32_t addr;
	unsigned prefix;

	start(&m, "boot: bad value ");
	put_quoted(&m, s, len);
	put(&m, " for ");
	put(&m, spec->key);
	put(&m, " (");
	/* An address written well but no host's: say which rule it breaks. */
	if (spec->type == BOOTARG_IPV4 && parse_ipv4(s, len, &addr, &prefix))
		why = host_fault(addr, prefix);
	if (why) {
		put(&m, why);
		put(&m, "; ");
	}
	put(&m, "accepted: ");
	put_accepted(&m, spec);
	put(&m, "); using default '");
	put(&m, spec->def ? spec->def : "");
	put(&m, "'");
	emit(r, &m);
}

static void report_unknown(struct reporter *r, const struct word *key,
			   const struct bootarg_spec *specs, size_t n)
{
	struct msg m;

	start(&m, "boot: unknown key ");
	put_quoted(&m, key->text, key->len);
	put(&m, " (known: ");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			put(&m, ", ");
		put(&m, specs[i].key);
	}
	if (n == 0)
		put(&m, "none");
	put(&m, ")");
	emit(r, &m);
}

static void report_word(struct reporter *r, const struct word *w, const char *what)
{
	struct msg m;

	start(&m, "boot: ");
	put_quoted(&m, w->text, w->len);
	put(&m, what);
	emit(r, &m);
}

static void report_twice(struct reporter *r, const struct bootarg_spec *spec)
{
	struct msg m;

	start(&m, "boot: ");
	put(&m, spec->key);
	put(&m, " given twice; using the last");
	emit(r, &m);
}

/* True if a key=value word for key appears in cmdline before stop. */
static bool seen_before(const char *cmdline, const char *stop, const char *key)
{
	struct word w;

	while (next_word(&cmdline, &w) && w.text < stop) {
		size_t klen = key_len(&w);

		if (klen < w.len && same(w.text, klen, key))
			return true;
	}
	return false;
}

static int find_spec(const struct bootarg_spec *specs, size_t n, const char *key, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (same(key, len, specs[i].key))
			return (int)i;
	return -1;
}

/* Handle one word that belongs to this side. */
static void parse_word(struct reporter *r, const char *cmdline, const struct word *w,
		       const struct bootarg_spec *specs, size_t n, struct bootarg_value *values)
{
	struct word key = { w->text, key_len(w) };
	const char *val = w->text + key.len + 1;
	size_t val_len;
	int i;

	if (key.len == w->len) {
		report_word(r, w, " is not key=value (ignored)");
		return;
	}
	i = find_spec(specs, n, key.text, key.len);
	if (i < 0) {
		report_unknown(r, &key, specs, n);
		return;
	}
	if (seen_before(cmdline, w->text, specs[i].key))
		report_twice(r, &specs[i]);
	val_len = w->len - key.len - 1;
	if (take_value(&specs[i], val, val_len, &values[i])) {
		values[i].given = 1;
		return;
	}
	report_bad(r, &specs[i], val, val_len);
	set_default(&specs[i], &values[i]);
}

int bootargs_parse(const char *cmdline, const struct bootarg_spec *specs, size_t n,
		   struct bootarg_value *values, const char *only_prefix,
		   const char *skip_prefix, bootarg_report_fn report, void *ctx)
{
	struct reporter r = { report, ctx, 0 };
	const char *cursor = cmdline;
	struct word w;

	for (size_t i = 0; i < n; i++)
		set_default(&specs[i], &values[i]);
	if (!cmdline)
		return 0;
	while (next_word(&cursor, &w)) {
		size_t klen = key_len(&w);

		if (skip_prefix && starts_with(w.text, klen, skip_prefix))
			continue;
		if (only_prefix && !starts_with(w.text, klen, only_prefix))
			continue;
		parse_word(&r, cmdline, &w, specs, n, values);
	}
	return r.count;
}

/* Length of the part of s[0..len) before the first NUL. */
static size_t bounded_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n])
		n++;
	return n;
}

/* Where to cut s[0..len) so it fits in room bytes without splitting a word. */
static size_t whole_words_end(const char *s, size_t len, size_t room)
{
	size_t cut = room;

	if (len <= room)
		return len;
	if (is_space(s[cut]))
		return cut;	/* the word before ends at or before room */
	while (cut > 0 && !is_space(s[cut - 1]))
		cut--;
	return cut;
}

static void put_limit(struct msg *m, size_t kept)
{
	start(m, "boot: command line longer than ");
	put_u64(m, kept);
	put(m, " bytes; dropped ");
}

static void report_dropped(struct reporter *r, size_t kept, const char *word, size_t len)
{
	struct msg m;

	put_limit(&m, kept);
	put_quoted(&m, word, len);
	if (len > QUOTE_MAX) {
		put(&m, " (");
		put_u64(&m, len);
		put(&m, " bytes)");
	}
	emit(r, &m);
}

static void report_dropped_more(struct reporter *r, size_t kept, size_t words)
{
	struct msg m;

	put_limit(&m, kept);
	put_u64(&m, words);
	put(&m, " more words");
	emit(r, &m);
}

/* Report every word of s[0..len) as dropped; returns how many there were. */
static size_t drop_words(struct reporter *r, size_t kept, const char *s, size_t len)
{
	size_t i = 0, words = 0;

	for (;;) {
		size_t begin;

		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		begin = i;
		while (i < len && !is_space(s[i]))
			i++;
		if (++words <= BOOTARGS_DROPPED_NAMED)
			report_dropped(r, kept, s + begin, i - begin);
	}
	if (words > BOOTARGS_DROPPED_NAMED)
		report_dropped_more(r, kept, words - BOOTARGS_DROPPED_NAMED);
	return words;
}

size_t bootargs_keep(const char *src, size_t len, char *dst, size_t cap,
		     bootarg_report_fn report, void *ctx)
{
	struct reporter r = { report, ctx, 0 };
	size_t n = src ? bounded_len(src, len) : 0, cut;

	if (cap == 0)
		return 0;
	dst[0] = 0;
	if (n == 0)
		return 0;	/* and src may be NULL, which takes no offset */
	cut = whole_words_end(src, n, cap - 1);
	for (size_t i = 0; i < cut; i++)
		dst[i] = src[i];
	dst[cut] = 0;
	return cut < n ? drop_words(&r, cap - 1, src + cut, n - cut) : 0;
}
