/*
 * tbcount: a QEMU TCG plugin that counts how often each translated block
 * runs, for scripts/profile. It writes the counts at chosen executions of
 * a marker block (a function's first block) and at exit; the script turns
 * blocks into functions with the build's ELF files.
 *
 * The plugin API is declared here by hand because Debian 12 ships QEMU 7.2
 * without its qemu-plugin.h. The declarations match QEMU 7.2's header,
 * plugin API version 1 (QEMU_PLUGIN_VERSION 1; 7.2 accepts 0 to 1). QEMU
 * checks the version this plugin exports when it loads it: a QEMU whose
 * oldest accepted version is above 1 refuses it with a message naming both.
 * What it cannot check is a signature changed under the same number: later
 * QEMUs (9.x) replaced the inline counter below with a per-vCPU one and
 * made qemu_plugin_insn_data copy into a buffer. Moving to such a QEMU
 * means declaring its API here (or building against its header).
 *
 * Output, one record a line (all numbers hex except counts):
 *   block I VADDR INSNS BYTES HASH HEAD
 *                                   block I first translated: its virtual
 *                                   address, instructions, bytes, FNV-1a
 *                                   hash of the bytes and its first 8 bytes
 *                                   at most (user programs share addresses;
 *                                   the bytes tell them apart)
 *   snap LABEL MARKS                a snapshot: "mark" or "exit", and how
 *                                   often the marker ran so far
 *   I COUNT                         block I ran COUNT times since boot
 *                                   (blocks not yet run are left out)
 *   end                             the snapshot is complete
 * Arguments: out=FILE (required), mark=VADDR:BYTES (the marker block's
 * address and its first bytes, hex, lowest address first), at=N (snapshot
 * at the marker's N-th execution, counted from 1; repeated, ascending).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* QEMU 7.2's plugin API, the part used here (include/qemu/qemu-plugin.h). */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;	/* not read here */
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

#define HEAD_BYTES 8	/* leading bytes written, and compared with the marker's */
#define HASH_BUCKETS (1u << 16)

/* One distinct block: QEMU retranslates a block after its code is flushed,
 * and a user address holds another program's code after a switch; both are
 * keyed by address, length and bytes, so each block has one counter. */
struct block {
	uint64_t vaddr, hash;
	uint32_t insns, bytes;
	uint64_t count;		/* bumped by the inline op at each execution */
	size_t index;		/* its number in the output */
	struct block *next;	/* in its hash bucket */
};

static struct block *buckets[HASH_BUCKETS];
static struct block **blocks;	/* by index */
static size_t nblocks, capblocks;
static FILE *out;
static uint64_t mark_vaddr;
static uint8_t mark_bytes[HEAD_BYTES];
static size_t mark_len;		/* 0: no marker */
static uint64_t marks;		/* marker executions so far */
static uint64_t *snap_at;	/* marker executions to snapshot at, ascending */
static size_t nsnap_at, next_snap;

static void fail(const char *why)
{
	fprintf(stderr, "tbcount: %s\n", why);
	exit(1);
}

static void snapshot(const char *label)
{
	fprintf(out, "snap %s %llx\n", label, (unsigned long long)marks);
	for (size_t i = 0; i < nblocks; i++)
		if (blocks[i]->count)
			fprintf(out, "%zx %llu\n", i, (unsigned long long)blocks[i]->count);
	fprintf(out, "end\n");
	fflush(out);
}

static void on_mark(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	marks++;
	if (next_snap < nsnap_at && snap_at[next_snap] == marks) {
		next_snap++;
		snapshot("mark");
	}
}

static void on_exit_qemu(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	snapshot("exit");
	fclose(out);
}

/* The block with these properties, made and announced if it is new. */
static struct block *block_for(uint64_t vaddr, uint32_t insns, uint32_t bytes, uint64_t hash,
				const uint8_t *head)
{
	uint64_t key = hash ^ vaddr * 0x9e3779b97f4a7c15ull ^ insns;
	struct block **bucket = &buckets[key & (HASH_BUCKETS - 1)];

	for (struct block *b = *bucket; b; b = b->next)
		if (b->vaddr == vaddr && b->insns == insns && b->bytes == bytes && b->hash == hash)
			return b;
	struct block *b = calloc(1, sizeof *b);
	if (!b)
		fail("out of memory");
	if (nblocks == capblocks) {
		capblocks = capblocks ? 2 * capblocks : 1 << 16;
		blocks = realloc(blocks, capblocks * sizeof *blocks);
		if (!blocks)
			fail("out of memory");
	}
	*b = (struct block){ vaddr, hash, insns, bytes, 0, nblocks, *bucket };
	*bucket = b;
	blocks[nblocks++] = b;
	fprintf(out, "block %zx %llx %x %x %llx ", b->index, (unsigned long long)vaddr, insns,
		bytes, (unsigned long long)hash);
	for (uint32_t i = 0; i < bytes && i < HEAD_BYTES; i++)
		fprintf(out, "%02x", head[i]);
	fputc('\n', out);
	return b;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb), hash = 0xcbf29ce484222325ull;
	size_t insns = qemu_plugin_tb_n_insns(tb);
	uint32_t bytes = 0;
	uint8_t head[HEAD_BYTES];

	(void)id;
	for (size_t i = 0; i < insns; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		const uint8_t *data = qemu_plugin_insn_data(insn);
		size_t size = qemu_plugin_insn_size(insn);

		for (size_t k = 0; k < size; k++, bytes++) {
			if (bytes < HEAD_BYTES)
				head[bytes] = data[k];
			hash = (hash ^ data[k]) * 0x100000001b3ull;
		}
	}
	struct block *b = block_for(vaddr, (uint32_t)insns, bytes, hash, head);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
	size_t same = bytes < mark_len ? bytes : mark_len;
	if (mark_len && vaddr == mark_vaddr && memcmp(head, mark_bytes, same) == 0)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
}

/* mark=VADDR:BYTES */
static bool parse_mark(const char *s)
{
	char *end;

	mark_vaddr = strtoull(s, &end, 16);
	if (end == s || *end != ':')
		return false;
	for (s = end + 1; *s; s += 2) {
		unsigned v;
		if (mark_len == HEAD_BYTES || sscanf(s, "%2x", &v) != 1 || !s[1])
			return false;
		mark_bytes[mark_len++] = (uint8_t)v;
	}
	return mark_len > 0;
}

/* at=N, each above the one before (QEMU splits arguments at commas) */
static bool parse_at(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	if (end == s || *end || n == 0 || (nsnap_at && n <= snap_at[nsnap_at - 1]))
		return false;
	snap_at = realloc(snap_at, (nsnap_at + 1) * sizeof *snap_at);
	if (!snap_at)
		fail("out of memory");
	snap_at[nsnap_at++] = n;
	return true;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	const char *path = NULL;

	(void)info;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4) == 0)
			path = argv[i] + 4;
		else if (strncmp(argv[i], "mark=", 5) == 0 && parse_mark(argv[i] + 5))
			continue;
		else if (strncmp(argv[i], "at=", 3) == 0 && parse_at(argv[i] + 3))
			continue;
		else {
			fprintf(stderr, "tbcount: bad argument '%s' (out=FILE mark=VADDR:BYTES at=N...)\n",
				argv[i]);
			return -1;
		}
	}
	if (!path) {
		fprintf(stderr, "tbcount: no out=FILE\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit_qemu, NULL);
	return 0;
}
