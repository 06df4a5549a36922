/*
 * Mutation fuzzing of the parsers of outside input: the ELF checker
 * (lib/elfimage.c, what spawn loads), the initrd's cpio reader
 * (lib/cpio.c), the boot arguments (lib/bootargs.c under the pager's
 * table, pager/base/config.c, and the kernel's cut of an overlong line),
 * the swap header (lib/swap_header.c) and netd's stamp over it
 * (drivers/netd/swap_stamp.c), the NBD handshake and reply
 * (drivers/nbd_proto.c), the device tree (lib/devtree.c over libfdt) and
 * the used ring a virtio device writes (drivers/virtqueue.c).
 *
 * Each seed starts from a valid input built as the directed tests build
 * theirs (or, for the device tree, the fixtures' blobs named on the
 * command line), mutates it (bits flipped, bytes set to 0/0xff/boundary
 * values, fields set to extremes in the format's byte order, chunks
 * copied over others, the input cut at any length) and runs the real
 * parser over a heap buffer of exactly the mutated size, under ASan and
 * UBSan: any read past it is a failure. Then either an error the parser
 * names (counted by kind: each kind must be met over the fixed seeds,
 * rand_met.h) or a result every user of it may trust (checked here).
 * PARSE_FUZZ_SEEDS=first:count runs other seeds by hand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rand_met.h"

#include "base/config.h"
#include "config_said.h"
#include "bootargs.h"
#include "cpio.h"
#include "devtree.h"
#include "drivers/net_protocol.h"
#include "elfimage.h"
#include "elf_build.h"
#include "nbd_client.h"
#include "nbd_proto.h"
#include "swap_header.h"
#include "swap_stamp.h"
#include "virtqueue.h"

#define SEEDS 3000

static unsigned long seed_first, seed_count;
static bool by_hand;

/* ---- The mutations, shared by every format ---- */

static void put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[bytes - 1 - i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rand64(void)
{
	return (uint64_t)rand() << 40 ^ (uint64_t)rand() << 20 ^ (uint64_t)rand();
}

/* A value a length, offset or count field is likely to be wrong with:
 * the ends of every width, around the input's own size, or random. */
static uint64_t extreme(size_t len)
{
	static const uint64_t ends[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000,
					 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
					 0xffffffff, 0x100000000, 0x7fffffffffffffff,
					 0x8000000000000000, UINT64_MAX, UINT64_MAX - 0xfff };

	switch (rand_below(4)) {
	case 0:
		return (uint64_t)len + rand_below(9) - 4;
	case 1:
		return rand64();
	default:
		return ends[rand_below(sizeof(ends) / sizeof(ends[0]))];
	}
}

/* A field of 1, 2, 4 or 8 bytes at off set to an extreme value. */
static void poke(uint8_t *b, size_t len, size_t off, unsigned width, bool big_endian)
{
	if (off > len || width > len - off)
		return;
	if (big_endian)
		put_be(b + off, extreme(len), width);
	else
		put_le(b + off, extreme(len), width);
}

/* One blind mutation of b[0..*len) (cap bytes of room). */
static void mutate_blind(uint8_t *b, size_t *len, size_t cap, bool big_endian)
{
	static const uint8_t bytes[] = { 0, 0xff, 0x7f, 0x80, 1, 0xfe };
	size_t n = *len, at = rand_below((unsigned)n), from, span;

	if (n == 0)
		return;
	switch (rand_below(6)) {
	case 0:
		b[at] ^= (uint8_t)(1u << rand_below(8));
		break;
	case 1:
		b[at] = bytes[rand_below(sizeof(bytes))];
		break;
	case 2: {
		unsigned width = 1u << rand_below(4);

		poke(b, n, rand_chance(50) ? at & ~(size_t)(width - 1) : at, width, big_endian);
		break;
	}
	case 3:	/* cut anywhere */
		*len = rand_below((unsigned)n + 1);
		break;
	case 4:	/* a chunk copied over another */
		from = rand_below((unsigned)n);
		span = 1 + rand_below((unsigned)(n - (from > at ? from : at)));
		memmove(b + at, b + from, span);
		break;
	default:	/* a chunk duplicated, the rest moved on */
		from = rand_below((unsigned)n);
		span = 1 + rand_below((unsigned)(n - from));
		if (span > cap - n)
			span = cap - n;
		memmove(b + at + span, b + at, n - at);
		memmove(b + at, b + (from < at ? from : from + span), span);
		*len = n + span;
		break;
	}
}

/* The mutated input in a heap buffer of exactly its size (at least one
 * byte for malloc), so ASan sees any read past its end. */
static uint8_t *exact_copy(const uint8_t *b, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, b, len);
	return c;
}

/* A kind of outcome, counted. */
struct kind_count {
	int code;
	const char *name;
	unsigned n;
};

static void count_kind(struct kind_count *k, size_t nk, int code, unsigned long seed)
{
	for (size_t i = 0; i < nk; i++)
		if (k[i].code == code) {
			k[i].n++;
			return;
		}
	RAND_CHECK(seed, 0, false, "an outcome no kind names: %d", code);
}

static void met_all(const struct kind_count *k, size_t nk, const char *what)
{
	struct met_kind m[24];

	assert_true(nk <= sizeof(m) / sizeof(m[0]));
	for (size_t i = 0; i < nk; i++)
		m[i] = (struct met_kind){ k[i].name, &k[i].n };
	fprintf(stderr, "%s ", what);
	rand_met(m, nk, by_hand);
}

#define KIND(code, name) { (code), (name), 0 }
#define NKINDS(k) (sizeof(k) / sizeof((k)[0]))

/* ---- ELF: what spawn hands elf_parse ---- */

#define ELF_CAP 0x3000
#define ELF_VA_MIN 0x10000u
#define ELF_VA_MAX 0x40000000u

/* test_elf.c's image (elf_build.h), in a buffer with room to grow. */
static size_t elf_build(uint8_t *img)
{
	memset(img, 0, ELF_CAP);
	elf_build_valid(img);
	return ELF_IMG_SIZE;
}

/* A mutation that knows the layout: a header or program header field set
 * to an extreme, a program header copied over another (overlap), or as
 * many loadable segments as the count allows, each on its own page. */
static void elf_mutate(uint8_t *img, size_t *len)
{
	static const uint8_t hdr[][2] = { { 0, 4 }, { 4, 1 }, { 5, 1 }, { 16, 2 }, { 18, 2 },
					  { 24, 8 }, { 32, 8 }, { 54, 2 }, { 56, 2 } };
	static const uint8_t ph[][2] = { { 0, 4 }, { 4, 4 }, { 8, 8 }, { 16, 8 }, { 32, 8 },
					 { 40, 8 } };
	unsigned i = rand_below(6), j = rand_below(6), h = rand_below(9), n;

	switch (rand_below(5)) {
	case 0:
		poke(img, *len, hdr[h][0], hdr[h][1], false);
		break;
	case 1:
		poke(img, *len, ELF_PHOFF + ELF_PHENT * i + ph[j][0], ph[j][1], false);
		break;
	case 2:
		if (ELF_PHOFF + ELF_PHENT * (i + 1) <= *len && ELF_PHOFF + ELF_PHENT * (j + 1) <= *len)
			memcpy(img + ELF_PHOFF + ELF_PHENT * j, img + ELF_PHOFF + ELF_PHENT * i, ELF_PHENT);
		break;
	case 3:
		n = 1 + rand_below(12);
		for (unsigned k = 0; k < n && ELF_PHOFF + ELF_PHENT * (k + 1) <= ELF_CAP; k++)
			elf_phdr_at(img, (int)k, PT_LOAD, k ? ELF_SEG_R : ELF_SEG_R | ELF_SEG_X,
				 0x1000, 0x10000 + 0x1000 * k, 0x10, 0x10);
		put_le(img + 56, n, 2);
		if (*len < ELF_PHOFF + ELF_PHENT * n)
			*len = ELF_PHOFF + ELF_PHENT * n;
		break;
	default:
		mutate_blind(img, len, ELF_CAP, false);
		break;
	}
}

static bool share_page(const struct elf_segment *a, const struct elf_segment *b)
{
	return a->vaddr >> 12 <= (b->vaddr + b->memsz - 1) >> 12 &&
	       b->vaddr >> 12 <= (a->vaddr + a->memsz - 1) >> 12;
}

/* What spawn's add_segments and the VM core's image fill rely on. */
static void elf_accepted(const struct elf_image *e, const uint8_t *file, size_t size,
			 unsigned long seed)
{
	bool entry_x = false;
	unsigned sum = 0;

	RAND_CHECK(seed, 0, e->nsegs >= 1 && e->nsegs <= ELF_MAX_SEGMENTS, "nsegs %zu", e->nsegs);
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct elf_segment *s = &e->segs[i];

		RAND_CHECK(seed, 0, s->memsz > 0 && s->filesz <= s->memsz, "segment %zu sizes", i);
		RAND_CHECK(seed, 0, s->filesz == 0 || (s->offset <= size && s->filesz <= size - s->offset),
			   "segment %zu outside the file", i);
		RAND_CHECK(seed, 0, s->vaddr >= ELF_VA_MIN && s->vaddr <= ELF_VA_MAX &&
				    s->memsz <= ELF_VA_MAX - s->vaddr,
			   "segment %zu outside user space", i);
		RAND_CHECK(seed, 0, !((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X)),
			   "segment %zu W and X", i);
		for (size_t j = 0; j < i; j++)
			RAND_CHECK(seed, 0, !share_page(&e->segs[j], s), "segments %zu, %zu share a page",
				   j, i);
		if ((s->flags & ELF_SEG_X) && e->entry >= s->vaddr && e->entry - s->vaddr < s->memsz)
			entry_x = true;
		for (uint64_t k = 0; k < s->filesz; k++)	/* ASan: every byte is the file's */
			sum += file[s->offset + k];
	}
	(void)sum;
	RAND_CHECK(seed, 0, entry_x, "entry %#llx in no executable segment",
		   (unsigned long long)e->entry);
}

static void test_elf(void **state)
{
	static struct kind_count k[] = {
		KIND(ELF_OK, "accepted"), KIND(ELF_ERR_SHORT, "short"), KIND(ELF_ERR_MAGIC, "magic"),
		KIND(ELF_ERR_CLASS, "class"), KIND(ELF_ERR_MACHINE, "machine"), KIND(ELF_ERR_TYPE, "type"),
		KIND(ELF_ERR_PHDR, "phdr"), KIND(ELF_ERR_SEGMENT, "segment"), KIND(ELF_ERR_RANGE, "range"),
		KIND(ELF_ERR_OVERLAP, "overlap"), KIND(ELF_ERR_TOOMANY, "too many"),
		KIND(ELF_ERR_ENTRY, "entry"), KIND(ELF_ERR_NOLOAD, "no load"), KIND(ELF_ERR_WX, "w+x"),
	};
	static uint8_t img[ELF_CAP];

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		struct elf_image e;
		size_t len;
		uint8_t *file;
		int r;

		srand((unsigned)seed);
		len = elf_build(img);
		for (unsigned m = 1 + rand_below(4); m > 0; m--)
			elf_mutate(img, &len);
		file = exact_copy(img, len);
		r = elf_parse(file, len, ELF_VA_MIN, ELF_VA_MAX, &e);
		count_kind(k, NKINDS(k), r, seed);
		if (r == ELF_OK)
			elf_accepted(&e, file, len, seed);
		else
			RAND_CHECK(seed, 0, strcmp(elf_strerror(r), "unknown ELF error") != 0, "unnamed %d", r);
		free(file);
	}
	met_all(k, NKINDS(k), "elf");
}

/* ---- cpio: the initrd, as scripts/mkinitrd.py packs it ---- */

#define CPIO_CAP 4096
#define CPIO_MAX_ENTRIES 8

struct archive {
	uint8_t b[CPIO_CAP];
	size_t len;
	size_t entry[CPIO_MAX_ENTRIES];	/* where each header starts */
	unsigned n;
};

static void cpio_entry(struct archive *a, const char *name, uint32_t mode, const char *body,
		       uint32_t body_len)
{
	uint32_t namesize = (uint32_t)strlen(name) + 1;
	uint32_t f[13] = { 0, mode, 0, 0, 1, 0, body_len, 0, 0, 0, 0, namesize, 0 };
	char text[16];

	a->entry[a->n++] = a->len;
	memcpy(a->b + a->len, "070701", 6);
	for (int i = 0; i < 13; i++) {
		snprintf(text, sizeof(text), "%08X", f[i]);
		memcpy(a->b + a->len + 6 + 8 * i, text, 8);
	}
	a->len += 110;
	memcpy(a->b + a->len, name, namesize);
	a->len += namesize;
	while (a->len % 4)
		a->b[a->len++] = 0;
	memcpy(a->b + a->len, body, body_len);
	a->len += body_len;
	while (a->len % 4)
		a->b[a->len++] = 0;
}

static const char *const cpio_names[] = { "init", "echo", "dir", "empty", "odd", "absent" };

static void cpio_build(struct archive *a)
{
	memset(a, 0, sizeof(*a));
	cpio_entry(a, "init", 0100755, "\x7f" "ELF init body", 13);
	cpio_entry(a, "./echo", 0100755, "echo", 4);
	cpio_entry(a, "dir", 040755, "", 0);
	cpio_entry(a, "empty", 0100644, "", 0);
	cpio_entry(a, "odd", 0100644, "seven b", 7);
	cpio_entry(a, "TRAILER!!!", 0, "", 0);
}

/* A header field (mode, file size, name size, or any) rewritten as eight
 * hex digits of an extreme, or the magic broken; else a blind mutation. */
static void cpio_mutate(struct archive *a)
{
	static const int fields[] = { 1, 6, 11, 6, 11, 0, 12 };
	size_t at = a->entry[rand_below(a->n)];
	char text[24];

	if (rand_chance(40) && at + 110 <= a->len) {
		int f = fields[rand_below(sizeof(fields) / sizeof(fields[0]))];

		snprintf(text, sizeof(text), "%08llX",
			 (unsigned long long)(extreme(a->len) & 0xffffffffu));
		memcpy(a->b + at + 6 + 8 * f, text, 8);
		return;
	}
	if (rand_chance(5) && at + 6 <= a->len) {
		a->b[at + rand_below(6)] ^= 0x20;
		return;
	}
	mutate_blind(a->b, &a->len, CPIO_CAP, false);
}

static bool inside(const void *p, size_t n, const uint8_t *base, size_t size)
{
	const uint8_t *q = p;

	return q >= base && q <= base + size && n <= (size_t)(base + size - q);
}

static const char *no_dot_slash(const char *s)
{
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	return s;
}

/* Every entry up to the end or damage: each step forward, inside. */
static void cpio_walk(const uint8_t *ar, size_t size, unsigned long seed)
{
	struct cpio_file f;
	size_t off = 0, before;
	int r;

	do {
		before = off;
		r = cpio_next(ar, size, &off, &f);
		if (r == CPIO_OK) {
			RAND_CHECK(seed, 0, off > before && off <= size, "cursor %zu -> %zu", before, off);
			RAND_CHECK(seed, 0, inside(f.data, f.size, ar, size), "body outside");
		}
	} while (r == CPIO_OK);
}

static void test_cpio(void **state)
{
	static struct kind_count k[] = {
		KIND(CPIO_OK, "found"), KIND(CPIO_ERR_NOTFOUND, "not found"),
		KIND(CPIO_ERR_MAGIC, "magic"), KIND(CPIO_ERR_TRUNCATED, "truncated"),
		KIND(CPIO_ERR_BADHEX, "bad hex"), KIND(CPIO_ERR_BADNAME, "bad name"),
		KIND(CPIO_ERR_NAME_PAST_END, "name past end"),
		KIND(CPIO_ERR_BODY_PAST_END, "body past end"),
	};
	static struct archive a;

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		uint8_t *ar;
		size_t at;
		int whole;

		srand((unsigned)seed);
		cpio_build(&a);
		for (unsigned m = 1 + rand_below(4); m > 0; m--)
			cpio_mutate(&a);
		ar = exact_copy(a.b, a.len);
		whole = cpio_check(ar, a.len, &at);
		RAND_CHECK(seed, 0, whole == CPIO_OK || cpio_damaged(whole), "check %d", whole);
		RAND_CHECK(seed, 0, at <= a.len, "damage at %zu of %zu", at, a.len);
		cpio_walk(ar, a.len, seed);
		for (size_t i = 0; i < sizeof(cpio_names) / sizeof(cpio_names[0]); i++) {
			struct cpio_file f;
			int r = cpio_find(ar, a.len, cpio_names[i], &f);

			count_kind(k, NKINDS(k), r, seed);
			/* Not found only past an intact archive; damage is the
			 * first damage, the one cpio_check names. */
			if (r == CPIO_ERR_NOTFOUND)
				RAND_CHECK(seed, (unsigned)i, whole == CPIO_OK, "not found in a damaged archive");
			else if (r != CPIO_OK)
				RAND_CHECK(seed, (unsigned)i, r == whole, "find %d, check %d", r, whole);
			if (r != CPIO_OK)
				continue;
			RAND_CHECK(seed, (unsigned)i, inside(f.name, 1, ar, a.len) &&
					    memchr(f.name, 0, a.len - (size_t)((const uint8_t *)f.name - ar)),
				   "name outside the archive");
			RAND_CHECK(seed, (unsigned)i, strcmp(no_dot_slash(f.name), cpio_names[i]) == 0,
				   "found '%s' for '%s'", f.name, cpio_names[i]);
			RAND_CHECK(seed, (unsigned)i, (f.mode & 0170000) == 0100000, "not a regular file");
			RAND_CHECK(seed, (unsigned)i, inside(f.data, f.size, ar, a.len), "body outside");
		}
		free(ar);
	}
	met_all(k, NKINDS(k), "cpio");
}

/* ---- Boot arguments: the pager's table, and the kernel's cut ---- */

#define LINE_CAP 1024

static const char valid_line[] =
	"kernel.timeslice_ms=5 pager.policy=clock pager.faultaround=4 "
	"pager.readahead=16 pager.seed=42 pager.watermarks=seed pager.reclaim_at=60 "
	"pager.reclaim_to=50 pager.free_min=5 pager.reserve=64 oom.policy=rss "
	"swap.device=nbd swap.nbd_outage=30 net.addr=10.0.2.15/24 init.run=swaptest "
	"init.args=a,b,c pager.check=1 pager.watermark_scale=20 swap.end_driver_at=0";

/* Text mutations: a byte set to one of the characters the grammar turns
 * on, a word's value replaced by an extreme number, or a blind one. */
static void line_mutate(uint8_t *b, size_t *len)
{
	static const char special[] = "= \t./|0123456789\n\r-+x";
	char num[32];
	size_t at = rand_below((unsigned)*len);

	if (*len == 0)
		return;
	switch (rand_below(4)) {
	case 0:
		b[at] = (uint8_t)special[rand_below(sizeof(special) - 1)];
		break;
	case 1: {
		uint8_t *eq = memchr(b + at, '=', *len - at);
		int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)extreme(*len));

		if (eq && eq + 1 + n <= b + *len)
			memcpy(eq + 1, num, (size_t)n);
		break;
	}
	default:
		mutate_blind(b, len, LINE_CAP - 1, false);
		break;
	}
}

static unsigned count_names(const char *names)
{
	unsigned n = 1;

	for (; *names; names++)
		n += *names == '|';
	return n;
}

static bool is_name_of(const char *name, const char *names)
{
	size_t n = strlen(name);

	for (const char *p = names; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == '|' || p[n] == 0))
			return n > 0;
	return false;
}

static bool has_space(const char *s)
{
	return strpbrk(s, " \t\n\r") != NULL;
}

/* Every value in force within what docs/boot-args.md promises. */
static void config_in_range(const struct config_choices *c, unsigned long seed)
{
	uint32_t host = config.net_prefix ? (1u << (32 - config.net_prefix)) - 1 : 0;

	RAND_CHECK(seed, 0, config.faultaround <= c->faultaround_max, "faultaround %u",
		   config.faultaround);
	RAND_CHECK(seed, 0, config.readahead <= c->readahead_max, "readahead %u", config.readahead);
	RAND_CHECK(seed, 0, config.policy < count_names(c->policies) &&
			    is_name_of(config.policy_name, c->policies), "policy %u '%s'",
		   config.policy, config.policy_name);
	RAND_CHECK(seed, 0, config.oom_policy < count_names(c->oom_policies) &&
			    is_name_of(config.oom_policy_name, c->oom_policies), "oom policy '%s'",
		   config.oom_policy_name);
	RAND_CHECK(seed, 0, config.seed <= UINT32_MAX, "seed");
	RAND_CHECK(seed, 0, config.watermarks <= WATERMARKS_SEED, "watermarks");
	RAND_CHECK(seed, 0, config.watermark_scale >= 1 && config.watermark_scale <= 1000, "scale");
	RAND_CHECK(seed, 0, config.reclaim_to >= 1 && config.reclaim_to < config.reclaim_at &&
			    config.reclaim_at + config.free_min < 100,
		   "watermarks %u %u %u", config.reclaim_at, config.reclaim_to, config.free_min);
	RAND_CHECK(seed, 0, config.reserve >= 8 && config.reserve <= 4096, "reserve");
	RAND_CHECK(seed, 0, config.swap_device <= SWAP_DEVICE_AUTO, "swap.device");
	RAND_CHECK(seed, 0, config.swap_nbd_outage >= 1 && config.swap_nbd_outage <= NET_SWAP_OUTAGE_MAX,
		   "nbd_outage");
	RAND_CHECK(seed, 0, config.net_end_at_start <= 1 && config.check <= 2, "flags");
	if (config.net_addr == 0) {
		RAND_CHECK(seed, 0, config.net_prefix == 0, "dhcp with a prefix");
	} else {
		RAND_CHECK(seed, 0, config.net_prefix >= 1 && config.net_prefix <= 30, "prefix");
		RAND_CHECK(seed, 0, config.net_addr >> 24 != 0 && config.net_addr >> 24 != 127 &&
				    config.net_addr >> 28 < 0xe && (config.net_addr & host) != 0 &&
				    (config.net_addr & host) != host,
			   "no host's address %#x/%u", config.net_addr, config.net_prefix);
	}
	RAND_CHECK(seed, 0, config.init_run[0] && !has_space(config.init_run) &&
			    strlen(config.init_run) < BOOTARG_STR_MAX, "init.run '%s'", config.init_run);
	RAND_CHECK(seed, 0, !has_space(config.init_args) && strlen(config.init_args) < BOOTARG_STR_MAX,
		   "init.args");
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t words_in(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += !space(*s) && (s[1] == 0 || space(s[1]));
	return n;
}

/* The kernel's cut: a prefix of the line in cap, ending between words,
 * each word after it reported dropped. */
static void keep_checked(const char *line, size_t n, unsigned long seed)
{
	char dst[LINE_CAP + 1];
	size_t cap = 1 + rand_below((unsigned)n + 2), dropped, k;

	dropped = bootargs_keep(line, n, dst, cap, NULL, NULL);
	k = strlen(dst);
	RAND_CHECK(seed, 0, k < cap && strncmp(dst, line, k) == 0, "kept text not a prefix");
	RAND_CHECK(seed, 0, line[k] == 0 || k == 0 || space(line[k]) || space(line[k - 1]),
		   "a word cut at %zu", k);
	RAND_CHECK(seed, 0, dropped == words_in(line + k), "dropped %zu of %zu words", dropped,
		   words_in(line + k));
}

static void test_bootargs(void **state)
{
	static const struct config_choices choices = { "clock|lru2|fifo", "unshared|rss|panic", 16,
						       32 };
	static const char *const lines[] = { "bad value", "unknown key", "is not key=value",
					     "given twice", "inconsistent watermarks", "has no effect" };
	static unsigned met[6], clean;
	struct met_kind m[7];
	uint8_t b[LINE_CAP];

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		size_t len = sizeof(valid_line) - 1;
		bool any = false;
		char *line;

		srand((unsigned)seed);
		memcpy(b, valid_line, len);
		for (unsigned n = rand_below(6); n > 0; n--)
			line_mutate(b, &len);
		line = (char *)exact_copy(b, len + 1);
		line[len] = 0;
		config_said_clear();
		config_parse(line, &choices);
		config_in_range(&choices, seed);
		for (size_t i = 0; i < 6; i++)
			if (strstr(said, lines[i]))
				met[i]++, any = true;
		clean += !any;
		keep_checked(line, len, seed);
		free(line);
	}
	for (size_t i = 0; i < 6; i++)
		m[i] = (struct met_kind){ lines[i], &met[i] };
	m[6] = (struct met_kind){ "nothing said", &clean };
	fprintf(stderr, "bootargs ");
	rand_met(m, 7, by_hand);
}

/* ---- The swap header: the pager's check, and netd's stamp over it ---- */

static void swap_build(uint8_t *page, uint32_t last)
{
	memset(page, 0, SWAP_PAGE);
	put_le(page + SWAP_OFF_VERSION, 1, 4);
	put_le(page + SWAP_OFF_LAST_PAGE, last, 4);
	put_le(page + SWAP_OFF_NR_BADPAGES, 2, 4);
	put_le(page + SWAP_OFF_BADPAGES, 7, 4);
	put_le(page + SWAP_OFF_BADPAGES + 4, 3, 4);
	memcpy(page + SWAP_OFF_UUID, "0123456789abcdef", 16);
	memcpy(page + SWAP_OFF_LABEL, "pagerswap", 9);
	memcpy(page + SWAP_OFF_MAGIC, "SWAPSPACE2", 10);
}

static void swap_mutate(uint8_t *page)
{
	static const unsigned fields[] = { SWAP_OFF_VERSION, SWAP_OFF_LAST_PAGE,
					   SWAP_OFF_NR_BADPAGES, SWAP_OFF_BADPAGES,
					   SWAP_OFF_BADPAGES + 4, SWAP_OFF_BADPAGES + 8 };
	size_t len = SWAP_PAGE;
	uint32_t last;

	switch (rand_below(7)) {
	case 0:
	case 1:
		poke(page, SWAP_PAGE, fields[rand_below(6)], 4, rand_chance(20));
		break;
	case 2:	/* a list of bad pages, some of them repeated */
		for (unsigned i = 0, n = rand_below(SWAP_MAX_BADPAGES + 2); i < n; i++)
			put_le(page + SWAP_OFF_BADPAGES + 4 * (i % SWAP_MAX_BADPAGES), 1 + rand_below(40), 4);
		break;
	case 3:
		memcpy(page + SWAP_OFF_MAGIC, rand_chance(50) ? "SWAP-SPACE" : "SWAPSPACE1", 10);
		break;
	case 4:	/* mkswap on a big-endian machine */
		put_be(page + SWAP_OFF_VERSION, 1, 4);
		break;
	case 5:	/* every page listed bad, in any order */
		last = (uint32_t)(page[SWAP_OFF_LAST_PAGE] | page[SWAP_OFF_LAST_PAGE + 1] << 8);
		if (last > SWAP_MAX_BADPAGES)
			break;
		put_le(page + SWAP_OFF_NR_BADPAGES, last, 4);
		for (uint32_t i = 0; i < last; i++)
			put_le(page + SWAP_OFF_BADPAGES + 4 * i, last - i, 4);
		break;
	default:
		mutate_blind(page, &len, SWAP_PAGE, false);
		if (len < SWAP_PAGE)	/* a page is always read whole */
			memset(page + len, 0, SWAP_PAGE - len);
		break;
	}
}

static void swap_accepted(const struct swap_area *a, uint64_t sectors, unsigned long seed)
{
	RAND_CHECK(seed, 0, a->first == 1 && a->last >= 1 && a->last < sectors / 8, "last %u",
		   a->last);
	RAND_CHECK(seed, 0, a->nbad <= SWAP_MAX_BADPAGES, "nbad");
	for (uint32_t i = 0; i < a->nbad; i++)
		RAND_CHECK(seed, (unsigned)i, a->bad[i] >= 1 && a->bad[i] <= a->last &&
				    (i == 0 || a->bad[i - 1] < a->bad[i]), "bad[%u] %u", i, a->bad[i]);
	RAND_CHECK(seed, 0, a->usable >= 1 && a->usable == a->last - a->nbad, "usable %u", a->usable);
	RAND_CHECK(seed, 0, memchr(a->label, 0, sizeof(a->label)) != NULL, "label");
}

static void test_swap_header(void **state)
{
	static struct kind_count k[] = {
		KIND(SWAP_HDR_OK, "accepted"), KIND(SWAP_HDR_SMALL_DEVICE, "small device"),
		KIND(SWAP_HDR_NO_SIGNATURE, "no signature"), KIND(SWAP_HDR_OLD_SIGNATURE, "old signature"),
		KIND(SWAP_HDR_BYTE_ORDER, "byte order"), KIND(SWAP_HDR_VERSION, "version"),
		KIND(SWAP_HDR_EMPTY, "empty"), KIND(SWAP_HDR_TOO_BIG, "too big"),
		KIND(SWAP_HDR_TOO_MANY_BAD, "too many bad"), KIND(SWAP_HDR_BAD_PAGE, "bad page"),
		KIND(SWAP_HDR_NO_USABLE, "no usable"),
	};
	static struct swap_area a;
	static uint8_t b[SWAP_PAGE];

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		uint64_t sectors;
		uint8_t *page;
		int r;

		srand((unsigned)seed);
		swap_build(b, rand_chance(20) ? 1 + rand_below(3) : 100);
		sectors = rand_chance(10) ? rand_below(16) : rand_chance(50) ? 808 : extreme(808);
		for (unsigned m = 1 + rand_below(3); m > 0; m--)
			swap_mutate(b);
		page = exact_copy(b, SWAP_PAGE);
		r = swap_header_check(page, sectors, &a);
		count_kind(k, NKINDS(k), r, seed);
		RAND_CHECK(seed, 0, strcmp(swap_header_strerror(r), "unknown swap header error") != 0,
			   "unnamed %d", r);
		if (r == SWAP_HDR_OK)
			swap_accepted(&a, sectors, seed);
		/* netd stamps only what the pager would take as swap. */
		RAND_CHECK(seed, 0, swap_stamp_begin(page, true, sectors) == (r == SWAP_HDR_OK),
			   "stamped a disk the pager refuses (%d)", r);
		free(page);
	}
	met_all(k, NKINDS(k), "swap header");
}

/* ---- The NBD handshake and simple replies ---- */

#define NBD_CAP 256

/* A server's bytes for a good handshake: the greeting, NBD_INFO_EXPORT,
 * an information the client does not use (block sizes), the ACK. */
static size_t nbd_build(uint8_t *b, size_t *fields, unsigned *nfields)
{
	size_t n = 0;

	*nfields = 0;
	nbd_put64(b, NBD_MAGIC);
	nbd_put64(b + 8, NBD_OPT_MAGIC);
	nbd_put16(b + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
	fields[(*nfields)++] = 0;
	fields[(*nfields)++] = 8;
	fields[(*nfields)++] = 16;
	n = 18;
	for (int rep = 0; rep < 3; rep++) {
		static const uint32_t type[] = { NBD_REP_INFO, NBD_REP_INFO, NBD_REP_ACK };
		static const uint32_t len[] = { 12, 14, 0 };

		nbd_put64(b + n, NBD_REP_MAGIC);
		nbd_put32(b + n + 8, NBD_OPT_GO);
		nbd_put32(b + n + 12, type[rep]);
		nbd_put32(b + n + 16, len[rep]);
		for (size_t f = 8; f <= 16; f += 4)
			fields[(*nfields)++] = n + f;
		n += 20;
		if (rep == 0) {
			nbd_put16(b + n, NBD_INFO_EXPORT);
			nbd_put64(b + n + 2, 1 << 20);
			nbd_put16(b + n + 10, NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH);
			fields[(*nfields)++] = n;
			fields[(*nfields)++] = n + 2;
			fields[(*nfields)++] = n + 10;
		} else if (rep == 1) {
			nbd_put16(b + n, 3);	/* NBD_INFO_BLOCK_SIZE */
			nbd_put32(b + n + 2, 512);
			nbd_put32(b + n + 6, 4096);
			nbd_put32(b + n + 10, 4096);
			fields[(*nfields)++] = n;
		}
		n += len[rep];
	}
	return n;
}

struct hs_end {
	struct nbd_handshake h;
	size_t used;
};

/* Feed b[0..len) in chunks (all at once when chunk is 0). */
static void nbd_feed(struct hs_end *e, const uint8_t *b, size_t len, bool chunked,
		     unsigned long seed)
{
	nbd_hs_start(&e->h, "swap");
	e->used = 0;
	while (e->used < len) {
		size_t n = chunked ? 1 + rand_below((unsigned)(len - e->used)) : len - e->used;
		size_t u = nbd_hs_input(&e->h, b + e->used, n);

		RAND_CHECK(seed, 0, u <= n, "used %zu of %zu", u, n);
		e->used += u;
		if (u < n)
			break;
	}
}

static void test_nbd(void **state)
{
	static const char *const whys[] = {
		"not an NBD server speaking the newstyle handshake",
		"the server does not speak fixed newstyle", "a malformed option reply",
		"an option reply too long to be true", "the server has no such export",
		"the server refused NBD_OPT_GO",
		"the server ended the handshake without the export's size",
		"a malformed NBD_INFO_EXPORT",
	};
	static unsigned met[8], done, short_of, bad_reply, good_reply;
	struct met_kind m[12];
	uint8_t b[NBD_CAP];

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		struct hs_end whole, parts;
		size_t fields[24], len;
		unsigned nfields;
		struct nbd_reply rep;
		uint8_t *server;

		srand((unsigned)seed);
		len = nbd_build(b, fields, &nfields);
		for (unsigned n = 1 + rand_below(3); n > 0; n--) {
			if (rand_chance(10))	/* an error reply for any option reply */
				nbd_put32(b + 18 + 12 + 32 * rand_below(2), NBD_REP_ERR | rand_below(8));
			else if (rand_chance(50))
				poke(b, len, fields[rand_below(nfields)], 1u << rand_below(4), true);
			else
				mutate_blind(b, &len, NBD_CAP, true);
		}
		server = exact_copy(b, len);
		nbd_feed(&whole, server, len, false, seed);
		nbd_feed(&parts, server, len, true, seed);
		/* However the bytes come, the same end. */
		RAND_CHECK(seed, 0, whole.h.state == parts.h.state && whole.used == parts.used &&
				    whole.h.error == parts.h.error && whole.h.size == parts.h.size &&
				    whole.h.flags == parts.h.flags, "chunking changed the outcome");
		if (whole.h.state == NBD_HS_DONE) {
			done++;
			RAND_CHECK(seed, 0, whole.h.got_export, "done without the export's size");
		} else if (whole.h.state == NBD_HS_FAILED) {
			size_t i = 0;

			while (i < 8 && strcmp(whole.h.why, whys[i]) != 0)
				i++;
			RAND_CHECK(seed, 0, i < 8 && whole.h.error < 0, "failed: %s", whole.h.why);
			met[i]++;
		} else {
			RAND_CHECK(seed, 0, whole.used == len, "stopped early in state %d", whole.h.state);
			short_of++;
		}
		free(server);
		nbd_put32(b, NBD_SIMPLE_REPLY_MAGIC);
		nbd_put32(b + 4, 0);
		nbd_put64(b + 8, seed);
		len = NBD_REPLY_BYTES;
		if (rand_chance(50))
			poke(b, len, 4 * rand_below(4), 4, true);
		server = exact_copy(b, NBD_REPLY_BYTES);
		if (nbd_decode_reply(server, &rep) == 0)
			good_reply++;
		else
			bad_reply++;
		free(server);
	}
	for (size_t i = 0; i < 8; i++)
		m[i] = (struct met_kind){ whys[i], &met[i] };
	m[8] = (struct met_kind){ "done", &done };
	m[9] = (struct met_kind){ "bytes ran out", &short_of };
	m[10] = (struct met_kind){ "reply refused", &bad_reply };
	m[11] = (struct met_kind){ "reply decoded", &good_reply };
	fprintf(stderr, "nbd ");
	rand_met(m, 12, by_hand);
}

/* ---- NBD transmission: the server's replies to the client's requests ---- */

#define NREQ 4
#define WIRE_CAP 8192

/* What the client under test sent, and what came of each request. */
static struct {
	unsigned long seed;
	uint8_t *buf[NREQ];	/* each request's buffer, exactly its size */
	uint32_t len[NREQ];
	unsigned done[NREQ];	/* io->done calls */
	int error[NREQ];
	uint8_t sent[WIRE_CAP];
	size_t nsent;
} wire;

static uint32_t wire_send(void *ctx, const uint8_t *d, uint32_t len)
{
	(void)ctx;
	assert_true(len <= WIRE_CAP - wire.nsent);
	memcpy(wire.sent + wire.nsent, d, len);
	wire.nsent += len;
	return len;
}

static uint8_t *wire_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	RAND_CHECK(wire.seed, 0, id < NREQ && off < wire.len[id], "data of %llu at %u",
		   (unsigned long long)id, off);
	*run = wire.len[id] - off;
	return wire.buf[id] + off;
}

static void wire_done(void *ctx, uint64_t id, int error)
{
	(void)ctx;
	RAND_CHECK(wire.seed, 0, id < NREQ && wire.done[id] == 0, "request %llu ended twice",
		   (unsigned long long)id);
	RAND_CHECK(wire.seed, 0, error == 0 || error == -EIO, "request ended %d", error);
	wire.done[id]++;
	wire.error[id] = error;
}

/* A client over the good handshake's export, with two reads, a write and
 * a flush sent. */
static void wire_client(struct nbd_client *c)
{
	static const struct nbd_io io = { wire_send, wire_data, wire_done, NULL };
	static const uint32_t type[NREQ] = { NBD_CMD_READ, NBD_CMD_READ, NBD_CMD_WRITE,
					     NBD_CMD_FLUSH };
	static const uint32_t len[NREQ] = { 512, 1024, 512, 0 };
	struct nbd_handshake h;
	uint8_t hs[NBD_CAP];
	size_t fields[24];
	unsigned nfields;
	size_t n = nbd_build(hs, fields, &nfields);

	nbd_hs_start(&h, "swap");
	assert_int_equal(nbd_hs_input(&h, hs, n), n);
	assert_int_equal(h.state, NBD_HS_DONE);
	nbd_client_init(c, &io, NULL, &h);
	wire.nsent = 0;
	for (unsigned i = 0; i < NREQ; i++) {
		wire.len[i] = len[i];
		wire.buf[i] = malloc(len[i] ? len[i] : 1);
		wire.done[i] = 0;
		assert_int_equal(nbd_submit(c, type[i], i, 4096 * i, len[i]), 0);
	}
	nbd_pump(c);
}

/* The server's good answers to what was sent, in any order, each reply's
 * header offset in at[]; the stream's length. */
static size_t wire_replies(uint8_t *out, size_t *at)
{
	size_t req[NREQ], n = 0, off = 0;
	unsigned order[NREQ];

	for (unsigned i = 0; i < NREQ; i++) {
		req[i] = off;
		order[i] = i;
		off += NBD_REQUEST_BYTES;
		if (nbd_get16(wire.sent + req[i] + 6) == NBD_CMD_WRITE)
			off += nbd_get32(wire.sent + req[i] + 24);
	}
	for (unsigned i = NREQ - 1; i > 0; i--) {
		unsigned j = rand_below(i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned k = 0; k < NREQ; k++) {
		const uint8_t *r = wire.sent + req[order[k]];

		at[k] = n;
		nbd_put32(out + n, NBD_SIMPLE_REPLY_MAGIC);
		nbd_put32(out + n + 4, 0);
		memcpy(out + n + 8, r + 8, 8);	/* the cookie */
		n += NBD_REPLY_BYTES;
		if (nbd_get16(r + 6) == NBD_CMD_READ) {
			memset(out + n, 0xa5, nbd_get32(r + 24));
			n += nbd_get32(r + 24);
		}
	}
	return n;
}

static void test_nbd_replies(void **state)
{
	static unsigned answered, eproto, shutdown, eio, ran_out;
	struct met_kind m[5] = { { "every request answered", &answered },
				 { "a reply no request asked for", &eproto },
				 { "the server shutting down", &shutdown },
				 { "a request failed", &eio }, { "bytes ran out", &ran_out } };
	static uint8_t b[WIRE_CAP];
	static struct nbd_client c;

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		size_t at[NREQ], len, used = 0;
		unsigned open = 0;
		uint8_t *server;
		int r = 0;

		srand((unsigned)seed);
		wire.seed = seed;
		wire_client(&c);
		len = wire_replies(b, at);
		for (unsigned n = 1 + rand_below(3); n > 0; n--) {
			size_t h = at[rand_below(NREQ)];

			if (rand_chance(10))
				nbd_put32(b + h + 4, rand_chance(50) ? NBD_ESHUTDOWN : 5);
			else if (rand_chance(50))
				poke(b, len, h + 4 * rand_below(4), 4, true);
			else
				mutate_blind(b, &len, WIRE_CAP, true);
		}
		server = exact_copy(b, len);
		while (used < len && r == 0) {
			uint32_t n = 1 + rand_below((unsigned)(len - used));

			r = nbd_input(&c, server + used, n);
			used += n;
		}
		for (unsigned i = 0; i < NREQ; i++) {
			open += wire.done[i] == 0;
			eio += wire.done[i] && wire.error[i] != 0;
			free(wire.buf[i]);
		}
		RAND_CHECK(seed, 0, nbd_pending(&c) == open, "pending %u, unanswered %u",
			   nbd_pending(&c), open);
		RAND_CHECK(seed, 0, r == 0 || r == -EPROTO || r == -ECONNRESET, "input %d", r);
		eproto += r == -EPROTO;
		shutdown += r == -ECONNRESET;
		answered += r == 0 && open == 0;
		ran_out += r == 0 && open > 0;
		free(server);
	}
	fprintf(stderr, "nbd replies ");
	rand_met(m, 5, by_hand);
}

/* ---- The device tree: the fixtures' blobs, mutated ---- */

static char **dtb_paths;
static int ndtb;

static uint8_t *dtb_load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*size = (size_t)n;
	b = malloc(*size);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, *size, f), *size);
	fclose(f);
	/* QEMU's dump is padded to a megabyte: the tree is totalsize. */
	if (*size >= 8 && (size_t)(b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7]) < *size)
		*size = (size_t)(b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7]);
	return b;
}

static void dt_accepted(const struct devtree_info *d, const uint8_t *blob, size_t max,
			unsigned long seed)
{
	RAND_CHECK(seed, 0, d->size <= max, "size %u of %zu", d->size, max);
	RAND_CHECK(seed, 0, d->nmem >= 1 && d->nmem <= DT_MAX_MEM, "nmem %zu", d->nmem);
	RAND_CHECK(seed, 0, d->nreserved <= DT_MAX_RESERVED && d->nvirtio <= DT_MAX_VIRTIO, "counts");
	for (size_t i = 0; i < d->nmem; i++)
		RAND_CHECK(seed, (unsigned)i, d->mem[i].size != 0, "an empty memory range");
	RAND_CHECK(seed, 0, d->timebase_hz != 0, "no timer");
	RAND_CHECK(seed, 0, d->initrd_end >= d->initrd_start &&
			    (d->initrd_start == 0) == (d->initrd_end == 0), "initrd");
	if (d->bootargs)
		RAND_CHECK(seed, 0, inside(d->bootargs, d->bootargs_len + 1, blob, d->size) &&
				    d->bootargs[d->bootargs_len] == 0 &&
				    strlen(d->bootargs) == d->bootargs_len, "bootargs outside");
}

static void test_devtree(void **state)
{
	static struct kind_count k[] = {
		KIND(0, "accepted"), KIND(1, "a libfdt error"), KIND(DT_ERR_NOMEM, "no memory"),
		KIND(DT_ERR_NOTIMER, "no timer"), KIND(DT_ERR_BADREG, "bad reg"),
		KIND(DT_ERR_TOOBIG, "too big"), KIND(DT_ERR_TOOMANY, "too many"),
		KIND(DT_ERR_DEEP, "too deep"), KIND(DT_ERR_MISALIGNED, "misaligned block"),
	};
	uint8_t *base[8];
	size_t size[8];

	(void)state;
	assert_true(ndtb >= 1 && ndtb <= 8);
	for (int i = 0; i < ndtb; i++)
		base[i] = dtb_load(dtb_paths[i], &size[i]);
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		static uint8_t b[1 << 16];
		struct devtree_info d;
		size_t len, max;
		uint8_t *blob;
		int which, r;

		srand((unsigned)seed);
		which = (int)rand_below((unsigned)ndtb);
		len = size[which];
		assert_true(len * 2 <= sizeof(b));
		memcpy(b, base[which], len);
		for (unsigned n = 1 + rand_below(4); n > 0; n--) {
			if (rand_chance(30))	/* a header field */
				poke(b, len, 4 * rand_below(10), 4, true);
			else
				mutate_blind(b, &len, len * 2, true);
		}
		max = rand_chance(80) ? len : rand_below((unsigned)len + 1);
		blob = exact_copy(b, max);
		r = devtree_read(blob, max, &d);
		count_kind(k, NKINDS(k), r < 0 && r > DT_ERR_NOMEM ? 1 : r, seed);
		if (r == 0)
			dt_accepted(&d, blob, max, seed);
		free(blob);
	}
	for (int i = 0; i < ndtb; i++)
		free(base[i]);
	met_all(k, NKINDS(k), "devtree");
}

/* ---- A virtio device's used ring ---- */

#define VQ_N 8

/* The device writes whatever it likes in the used ring: the driver must
 * take back only chains it has in flight, each once, never lose or double
 * a descriptor, and take a device whose entries name no chain it holds (or
 * whose index runs past them) as broken. */
static void test_used_ring(void **state)
{
	static unsigned taken, broken;
	struct met_kind m[2] = { { "chain taken back", &taken }, { "device broken", &broken } };

	(void)state;
	for (unsigned long seed = seed_first; seed < seed_first + seed_count; seed++) {
		static struct vq_desc desc[VQ_N] __attribute__((aligned(16)));
		static uint8_t avail[VQ_AVAIL_BYTES(VQ_N)] __attribute__((aligned(2)));
		static uint8_t used_mem[VQ_USED_BYTES(VQ_N) + 2] __attribute__((aligned(4)));
		struct vq_used *used = (struct vq_used *)used_mem;
		struct virtqueue vq;
		unsigned inflight[VQ_N] = { 0 }, held;

		srand((unsigned)seed);
		vq_init(&vq, VQ_N, desc, avail, used_mem);
		for (unsigned step = 0; step < 40 && !vq.broken; step++) {
			struct vq_buf bufs[3] = { { 0x1000, 64, true }, { 0x2000, 64, true },
						  { 0x3000, 64, false } };
			unsigned n = 1 + rand_below(3);
			int head = vq_add(&vq, bufs, n);
			uint32_t len;

			if (head >= 0) {
				RAND_CHECK(seed, step, head < VQ_N && !inflight[head], "head %d", head);
				inflight[head] = n;
			}
			vq_publish(&vq);
			/* The device: some entries naming chains in flight,
			 * some not, an index moved by a little or a lot. */
			for (unsigned e = rand_below(4); e > 0; e--) {
				uint16_t slot = used->idx & (VQ_N - 1);

				used->ring[slot].id = rand_chance(60) ? rand_below(VQ_N) : (uint32_t)extreme(VQ_N);
				used->ring[slot].len = (uint32_t)extreme(64);
				used->idx = (uint16_t)(used->idx + (rand_chance(97) ? 1 : extreme(VQ_N)));
			}
			while ((head = vq_collect(&vq, &len)) >= 0) {
				RAND_CHECK(seed, step, head < VQ_N && inflight[head], "took back %d", head);
				inflight[head] = 0;
				taken++;
			}
			held = 0;
			for (unsigned i = 0; i < VQ_N; i++)
				held += inflight[i];
			RAND_CHECK(seed, step, vq_free_count(&vq) + held == VQ_N,
				   "free %u + held %u", vq_free_count(&vq), held);
		}
		broken += vq.broken != NULL;
	}
	fprintf(stderr, "used ring ");
	rand_met(m, 2, by_hand);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_cpio),
		cmocka_unit_test(test_bootargs),
		cmocka_unit_test(test_swap_header),
		cmocka_unit_test(test_nbd),
		cmocka_unit_test(test_nbd_replies),
		cmocka_unit_test(test_devtree),
		cmocka_unit_test(test_used_ring),
	};

	dtb_paths = argv + 1;
	ndtb = argc - 1;
	seed_count = SEEDS;
	by_hand = rand_seeds("PARSE_FUZZ_SEEDS", &seed_first, &seed_count);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
