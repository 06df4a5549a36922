/*
 * A random model test of the pager's request server (host, deterministic:
 * fixed seeds): fake client processes send well-formed and malformed
 * requests (spawn, sbrk, mmap, munmap, discard, fork, stats, page bits,
 * info, pressure, net, unknown labels, passed handles, some lost to the
 * pager's full table), fault, write and
 * read pages, exit, are OOM-killed, through service.c's serve_one and the
 * real handlers (memory.c, spawn.c, fork.c, subscribe.c, stats.c,
 * net_admit.c, oom_procs.c, fault.c, check.c at pager.check=2), the real
 * process table and VM core, over a fake kernel of handle tables and
 * processes (its refusals injected per seed; its handle tables the
 * kernel's sizes, the pager's filled on some seeds, the clients' by
 * themselves) and the fake mmu. A model of
 * what each client owns (its regions, heap, pages' bytes, handles,
 * subscription, admission) gives every reply's code; after every step the
 * pager's handle table holds exactly what it should, no process runs
 * unknown, the regions match, vm_check passes; at a seed's end everything
 * is back (frames, pager objects, handles). SERVER_RAND_SEEDS=first:count
 * and SERVER_RAND_TRACE=1 by hand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "service_regs_fake.h"
#include "server/service.c"
#include "swap_fake.h"
#include "base/heap.h"
#include "reclaim/oom.h"
#include "reclaim/oom_kill.h"
#include "server/stack_args.h"
#include "swap/swap.h"
#include "drivers/net_protocol.h"
#include "cpio.h"
#include "vm/swapcache.h"
#include "base/slab.h"
#include "elfimage.h"
#include "elf_build.h"
#include "reclaim/policy/policy.h"
#include "rand_met.h"

/* The heap's range (server/memory.c's HEAP_MAX): mappings go above it. */
#define HEAP_MAX (1UL << 30)

#define SEEDS 40
/* The VM core's caches of objects (region records, page-array chunks):
 * each keeps an empty page past slab_trim, and no more once every space
 * is gone. */
#define SLAB_CACHES 2
#define STEPS 3000

static unsigned long seed_no;
static unsigned step_no;
static int tracing;

/* How often the seeds met each kind of event (rand_met.h): a kind never
 * met checks nothing. */
static struct {
	unsigned kill_other, kill_self, kill_read, kill_retry, caller_gone, munmap_refused,
		sbrk_refused, sbrk_shrunk, spawned, forked, swapped_out, ghost, oom_step,
		pager_full, passed_dropped, lost_refused, client_full;
} met;

#define trace(...) do { if (tracing) fprintf(stderr, __VA_ARGS__); } while (0)
#define check(cond, ...) RAND_CHECK(seed_no, step_no, cond, __VA_ARGS__)
#define rnd rand_below
#define chance rand_chance

/* ================= the fake kernel ================= */
/* K_FILL: what else a table holds (the pager's own threads' notifications,
 * its drivers' endpoints; a client's own objects), filling it. */
enum kind { K_FREE, K_PROC, K_EP, K_NOTE, K_BUDGET, K_FILL };
struct kobj {
	enum kind kind;
	int kp;			/* K_PROC: its kproc */
	uint64_t bits;		/* K_NOTE: signalled, not yet looked at */
	uint64_t used;		/* K_BUDGET: what its processes use (bytes) */
};
struct hent {
	int obj;		/* -1: free */
	unsigned rights;
};
#define NOBJ 16384
/* The kernel's tables (kernel/handle.h's ROOT_HANDLES_MAX for the pager,
 * abi/limits.h's HANDLES_MAX for the others). */
#define PAGER_HANDLES 256
#define CLIENT_HANDLES HANDLES_MAX
#define NKP 4096

struct kproc {
	uint32_t pid;
	int alive, started;
	struct exit_info info;
	uint64_t death_bits;
	int budget_obj;		/* -1: none */
	struct hent tab[CLIENT_HANDLES];
	uint64_t pc, sp, a0;
	int prio;
};

static struct kobj objs[NOBJ];
static int nobjs;
static struct hent ptab[PAGER_HANDLES];
static struct kproc kps[NKP];
static int nkps;
static uint32_t next_pid;
static uint64_t deaths_pending;	/* the deaths notification's bits */
static unsigned bad_calls;	/* calls the pager should never make */
static int fixed_ep, fault_ep, deaths_note, netd_ep;
static int ballast;		/* K_FILL handles in the pager's table (fill_pager_table) */

/* Refusals injected (per seed, each call with this chance in percent). */
static struct refusals {
	unsigned proc_create, grant, thread, budget;
	unsigned heap;		/* the pager's malloc, calloc and slab_alloc */
} inj;
static int injected;		/* a refusal was made during this request */

/* The pager's table full: a creation refused with -ERR_MFILE, which the
 * model takes as a refusal. */
static void pager_table_full(void)
{
	met.pager_full++;
	injected = 1;
}

static int growth_wanted;
static int refuse(unsigned pct)
{
	if (pct && chance(pct)) {
		injected = 1;
		return 1;
	}
	return 0;
}

/* The pager's allocations (linked --wrap), refused while armed: only
 * while it serves, never in the test's own steps. */
static int armed;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_slab_alloc(struct slab_cache *c);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_slab_alloc(struct slab_cache *c);
/* A refusal of the pager's heap, which it then wants to grow. */
static int heap_refused(void)
{
	if (!armed || !refuse(inj.heap))
		return 0;
	growth_wanted = 1;
	return 1;
}
void *__wrap_malloc(size_t n)
{
	return heap_refused() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size)
{
	return heap_refused() ? NULL : __real_calloc(n, size);
}
void *__wrap_slab_alloc(struct slab_cache *c)
{
	return heap_refused() ? NULL : __real_slab_alloc(c);
}

static int new_obj(enum kind k)
{
	assert_true(nobjs < NOBJ);
	objs[nobjs] = (struct kobj){ .kind = k, .kp = -1 };
	return nobjs++;
}

static int tab_put(struct hent *t, int n, int obj, unsigned rights)
{
	for (int i = 1; i < n; i++)
		if (t[i].obj < 0) {
			t[i] = (struct hent){ obj, rights };
			return i;
		}
	return -ERR_MFILE;
}

static struct hent *pager_h(int h)
{
	return h >= 0 && h < PAGER_HANDLES && ptab[h].obj >= 0 ? &ptab[h] : NULL;
}

/* The kproc pager handle h names, or NULL. */
static struct kproc *kp_of(int h)
{
	struct hent *e = pager_h(h);

	return e && objs[e->obj].kind == K_PROC ? &kps[objs[e->obj].kp] : NULL;
}

/* The kproc h names; a call naming none is one the pager should never
 * make, counted. */
static struct kproc *kp_called(int h)
{
	struct kproc *k = kp_of(h);

	if (!k)
		bad_calls++;
	return k;
}

static void kp_end(struct kproc *k, uint32_t how, int32_t status)
{
	if (!k->alive)
		return;
	k->alive = 0;
	k->info = (struct exit_info){ .pid = k->pid, .how = how, .status = status };
	for (int i = 0; i < CLIENT_HANDLES; i++)
		k->tab[i].obj = -1;
	deaths_pending |= k->death_bits;
}

int sys_proc_create(const struct proc_spec *spec)
{
	struct hent *fe = pager_h((int)spec->fault_ep), *de = pager_h((int)spec->death_notify);
	struct kproc *k;
	int o, h, b = -1;

	if (!fe || fe->obj != ptab[fault_ep].obj || !de || de->obj != ptab[deaths_note].obj) {
		bad_calls++;
		return -ERR_INVAL;
	}
	if (spec->budget != ~0UL) {
		struct hent *be = pager_h((int)spec->budget);
		if (!be || objs[be->obj].kind != K_BUDGET) {
			bad_calls++;
			return -ERR_INVAL;
		}
		b = be->obj;
	}
	if (refuse(inj.proc_create))
		return -ERR_NOMEM;
	assert_true(nkps < NKP);
	k = &kps[nkps];
	*k = (struct kproc){ .pid = ++next_pid, .alive = 1, .death_bits = spec->death_bits,
			     .budget_obj = b };
	for (int i = 0; i < CLIENT_HANDLES; i++)
		k->tab[i].obj = -1;
	o = new_obj(K_PROC);
	objs[o].kp = nkps++;
	if ((h = tab_put(ptab, PAGER_HANDLES, o, RIGHTS_ALL)) < 0) {
		k->alive = 0;	/* kernel/proccall.c: ended, never started */
		pager_table_full();
	}
	return h;
}

int sys_proc_info(int h, struct proc_info *info)
{
	struct kproc *k = kp_of(h);

	if (!k)
		return -ERR_BADF;
	*info = (struct proc_info){ .pid = k->pid, .threads = (uint32_t)k->alive };
	snprintf(info->name, sizeof(info->name), "prog");
	return 0;
}

int sys_handle_grant(int proc, int h, unsigned rights)
{
	struct kproc *k = kp_of(proc);
	struct hent *e = pager_h(h);

	if (!k || !e || (rights & ~e->rights)) {
		bad_calls++;
		return -ERR_INVAL;
	}
	if (!k->alive)
		return -ERR_SRCH;
	if (refuse(inj.grant))
		return -ERR_NOMEM;
	return tab_put(k->tab, CLIENT_HANDLES, e->obj, rights);
}

int sys_handle_close(int h)
{
	if (!pager_h(h)) {
		bad_calls++;	/* a number not open: another's, soon */
		return -ERR_BADF;
	}
	ptab[h].obj = -1;
	return 0;
}

int sys_thread_create(int proc, uintptr_t pc, uintptr_t sp, uintptr_t arg, int prio)
{
	struct kproc *k = kp_called(proc);

	if (!k)
		return -ERR_BADF;
	if (!k->alive)
		return -ERR_SRCH;
	if (refuse(inj.thread))
		return -ERR_NOMEM;
	k->started = 1;
	k->pc = pc, k->sp = sp, k->a0 = arg, k->prio = prio;
	return 1;
}

int sys_thread_prio(int proc, int tid)
{
	struct kproc *k = kp_called(proc);

	if (!k)
		return -ERR_BADF;
	return tid == 1 ? PRIO_NORMAL : -ERR_SRCH;
}

int sys_proc_kill(int proc, int reason)
{
	struct kproc *k = kp_called(proc);

	if (!k)
		return -ERR_BADF;
	if (!k->alive)
		return -ERR_SRCH;
	kp_end(k, EXIT_KILLED, reason);
	return 0;
}

int sys_proc_wait(int proc, struct exit_info *info, int flags)
{
	struct kproc *k = kp_called(proc);

	if (!k || flags != WAIT_NOHANG) {
		bad_calls += k != NULL;
		return -ERR_BADF;
	}
	*info = k->alive ? (struct exit_info){ .pid = k->pid, .how = EXIT_RUNNING } : k->info;
	return 0;
}

int sys_notify_signal(int h, uint64_t bits)
{
	struct hent *e = pager_h(h);

	if (!e) {
		bad_calls++;
		return -ERR_BADF;
	}
	if (objs[e->obj].kind != K_NOTE)
		return -ERR_INVAL;
	if (!(e->rights & RIGHT_SEND))
		return -ERR_ACCES;
	objs[e->obj].bits |= bits;
	return 0;
}

int sys_notify_bind(int h)
{
	(void)h;
	return 0;
}

int sys_budget_create(uint64_t pages)
{
	int o, h;

	if (pages == 0) {
		bad_calls++;
		return -ERR_INVAL;
	}
	if (refuse(inj.budget))
		return -ERR_NOMEM;
	o = new_obj(K_BUDGET);
	if ((h = tab_put(ptab, PAGER_HANDLES, o, RIGHTS_ALL)) < 0)
		pager_table_full();
	return h;
}

int sys_budget_info(int h, struct budget_info *b)
{
	struct hent *e = pager_h(h);

	if (!e || objs[e->obj].kind != K_BUDGET) {
		bad_calls++;
		return -ERR_BADF;
	}
	*b = (struct budget_info){ 1000, objs[e->obj].used };
	return 0;
}

int sys_harvest(struct harvest_entry *entries, size_t n)
{
	(void)entries, (void)n;
	return 0;
}

_Noreturn void sys_poweroff(int status)
{
	fprintf(stderr, "seed %lu step %u: ", seed_no, step_no);
	fail_msg("the pager powered off (status %d)", status);
	abort();
}

/* ================= the rest of the pager, as the server reaches it ================= */
struct pager_config config;
static struct pager_thread me = { .name = "service" };
static int locked;

void pager_lock(struct pager_thread *self) { (void)self; locked++; }
void pager_unlock(struct pager_thread *self) { (void)self; locked--; }
int pager_lock_contended(void) { return 0; }
void pager_lock_watch(void (*fn)(struct pager_thread *taker)) { (void)fn; }
void pager_fault_begin(void) {}
void pager_fault_end(void) {}
uint64_t *pager_unlock_word(struct pager_thread *self) { (void)self; return NULL; }
uint64_t pager_lock_takes(void) { return (uint64_t)step_no * 2; }
struct pager_thread *pager_holder(void) { return &me; }
void reclaim_before_request(struct pager_thread *t) { (void)t; }
void reclaim_after_request(void) {}
void idle_hear_left(struct pager_thread *t) { (void)t; }
void reclaim_watermarks(uint64_t *start_free, uint64_t *stop_free, uint64_t *min_free)
{
	*start_free = 30, *stop_free = 40, *min_free = 10;
}
uint32_t swap_reads_waiting(void) { return 0; }
uint32_t swap_request_pages(void) { return 0; }
int swap_copies_usable(void) { return 1; }
const struct policy_ops *policy_find(const char *name) { (void)name; return NULL; }
enum policy_history policy_history(const struct policy_ops *ops)
{
	(void)ops;
	return POLICY_NO_HISTORY;
}
void mmu_forget(int as) { (void)as; }
void mmu_flush(void) {}
size_t mmu_take(int as, struct map_entry *out, size_t max)
{
	(void)as, (void)out, (void)max;
	return 0;	/* the fake mmu maps at once: nothing is held back */
}

/* The OOM killer's view, lent by oom_procs.c. */
static const struct oom_procs *oomp;
void oom_kill_set_procs(const struct oom_procs *procs) { oomp = procs; }

/* Processes the OOM killer ended while a request was served, for the
 * model to forget once it is. */
static uint32_t killed[PAGER_PROCS_MAX];
static unsigned nkilled;

/* A live record other than init's and pid's, at random; 0 if none. */
static uint32_t other_victim(uint32_t pid)
{
	uint32_t pids[PROCS_MAX];
	unsigned n = 0;

	for (int i = 0; i < PROCS_MAX; i++) {
		struct pproc *p = procs_slot(i);
		if (p && p->vm && p->pid != pid && !p->oom_exempt)
			pids[n++] = p->pid;
	}
	return n ? pids[rnd(n)] : 0;
}

static int oom_kill_pid(uint32_t pid)
{
	int r = oomp->kill(pid);

	if (r)
		killed[nkilled++] = pid;
	return r;
}

/* A fault short of frames: another process is killed and the fault tried
 * again, or (none left, or by chance) the faulting one is the victim. */
enum reclaim_oom reclaim_out_of_memory(struct pager_thread *t, uint32_t pid, unsigned *waits)
{
	uint32_t other = chance(50) ? other_victim(pid) : 0;

	(void)t, (void)waits;
	if (other && oom_kill_pid(other)) {
		met.kill_other++;
		return RECLAIM_RETRY;
	}
	if (!oom_kill_pid(pid))
		return RECLAIM_SEND_BACK;
	met.kill_self++;
	return RECLAIM_GONE;
}

/* The pager's heap: a growth refused (the refusals injected) is wanted
 * until forgotten; munmap's reclaim before its retry may end anyone, its
 * caller too (the lock let go meanwhile), and then may refuse no more. */
uint64_t heap_growth_wanted(void) { return (uint64_t)growth_wanted; }
void heap_growth_forget(void) { growth_wanted = 0; }
static int retried;
void reclaim_before_heap_retry(struct pager_thread *t)
{
	uint32_t victim = chance(30) ? other_victim(0) : 0;

	(void)t;
	retried = 1;
	growth_wanted = 0;
	armed = chance(50);	/* memory came back, or not */
	if (victim && oom_kill_pid(victim))
		met.kill_retry++;
}

/* netd, when the seed has one: its endpoint and status page. */
static int have_net;
static int unlock_reads;	/* the seed's swap reads let the lock go */
static struct net_shared net_status;
int netdev_endpoint(void) { return have_net ? netd_ep : -1; }
struct net_shared *netdev_status(void) { return have_net ? &net_status : NULL; }

/* ================= the initrd: one program, and one that is not ================= */
static uint8_t initrd[8192];
static size_t initrd_len;
#define PROG_TEXT 0x10000UL
#define PROG_DATA 0x20200UL
#define PROG_DATA_MEM 0x3000UL
#define PROG_ENTRY 0x10100UL
#define PROG_BRK 0x24000UL

static void cpio_put(const char *name, const uint8_t *data, size_t size)
{
	char hdr[111];
	size_t nlen = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 1u, 0100755u, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)nlen, 0u);
	memcpy(initrd + initrd_len, hdr, 110);
	memcpy(initrd + initrd_len + 110, name, nlen);
	initrd_len += 110 + nlen;
	initrd_len = (initrd_len + 3) & ~3UL;
	if (size)
		memcpy(initrd + initrd_len, data, size);
	initrd_len = (initrd_len + size + 3) & ~3UL;
}

static void make_initrd(void)
{
	static uint8_t img[0x400];

	memset(img, 0x5c, sizeof(img));
	memset(img, 0, ELF_PHOFF + 2 * ELF_PHENT);
	elf_header_at(img, PROG_ENTRY, 2);
	elf_phdr_at(img, 0, PT_LOAD, ELF_SEG_R | ELF_SEG_X, 0, PROG_TEXT, 0x200, 0x200);
	elf_phdr_at(img, 1, PT_LOAD, ELF_SEG_R | ELF_SEG_W, 0x200, PROG_DATA, 0x20, PROG_DATA_MEM);
	initrd_len = 0;
	cpio_put("prog", img, sizeof(img));
	cpio_put("junk", (const uint8_t *)"not a program", 13);
	cpio_put("TRAILER!!!", NULL, 0);
}

/* ================= the model ================= */
enum ikind { I_IMG, I_STACK, I_HEAP, I_PRIV, I_SHARED };
struct iv {
	uint64_t s, e;
	unsigned perm;
	enum ikind kind;
	int unlocked;
};
struct touch {
	uint64_t va;
	uint8_t v;
	int maybe;		/* in an unlocked range: may read as zeros */
};
#define MAXIV 64
#define NT 24
#define NC 80

struct client {
	int used;
	int alive;		/* the kernel runs it */
	int kp;
	uint32_t pid, line;	/* the pager's line */
	int slot;
	struct iv iv[MAXIV];
	int niv;
	uint64_t brk_base, brk;
	struct touch t[NT];
	int nt;
	int sub_obj;		/* the note it is subscribed with, -1: none */
	int note_h;		/* its own notification in its table, 0: none */
	int adj, exempt;
	int admitted;
};
static struct client cl[NC];
static struct pproc *init;
static struct client cl_init = { .kp = 0, .exempt = 1, .sub_obj = -1 };
static enum pager_pressure level_now;

/* What a subscriber is told for a move of the level, from (row) to
 * (column), as pressure.h says: every level passed going up, the new one
 * going down (or staying). */
static uint64_t level_bits(enum pager_pressure from, enum pager_pressure to)
{
	static const uint64_t bits[3][3] = {
		{ 1, 2, 6 },
		{ 1, 2, 4 },
		{ 1, 2, 4 },
	};

	return bits[from][to];
}

static int subscribed(void)
{
	int n = 0;

	for (int i = 0; i < NC; i++)
		n += cl[i].used && cl[i].sub_obj >= 0;
	return n;
}

static struct pproc *rec(const struct client *c)
{
	return procs_by_pid(c->pid);
}

static int known(void)
{
	int n = 0;

	for (int i = 0; i < NC; i++)
		n += cl[i].used;
	return n;
}

static int line_known(uint32_t line)
{
	int n = 0;

	for (int i = 0; i < NC; i++)
		n += cl[i].used && cl[i].line == line;
	return n;
}

static struct client *new_client(void)
{
	for (int i = 0; i < NC; i++)
		if (!cl[i].used) {
			memset(&cl[i], 0, sizeof(cl[i]));
			cl[i].used = 1;
			cl[i].sub_obj = -1;
			return &cl[i];
		}
	fail_msg("model full");
	return NULL;
}

static struct client *of_pid(uint32_t pid)
{
	for (int i = 0; i < NC; i++)
		if (cl[i].used && cl[i].pid == pid)
			return &cl[i];
	return NULL;
}

static struct client *pick(int alive_only)
{
	int n = 0, k;

	for (int i = 0; i < NC; i++)
		n += cl[i].used && (!alive_only || cl[i].alive);
	if (!n)
		return NULL;
	k = (int)rnd((unsigned)n);
	for (int i = 0; i < NC; i++)
		if (cl[i].used && (!alive_only || cl[i].alive) && k-- == 0)
			return &cl[i];
	return NULL;
}

static void iv_add(struct client *c, uint64_t s, uint64_t e, unsigned perm, enum ikind kind)
{
	int i = c->niv;

	assert_true(c->niv < MAXIV);
	while (i > 0 && c->iv[i - 1].s > s) {
		c->iv[i] = c->iv[i - 1];
		i--;
	}
	c->iv[i] = (struct iv){ s, e, perm, kind, 0 };
	c->niv++;
}

static void iv_del(struct client *c, int i)
{
	memmove(&c->iv[i], &c->iv[i + 1], sizeof(c->iv[0]) * (size_t)(c->niv - i - 1));
	c->niv--;
}

static void touch_drop(struct client *c, uint64_t s, uint64_t e)
{
	for (int i = 0; i < c->nt;)
		if (c->t[i].va >= s && c->t[i].va < e)
			c->t[i] = c->t[--c->nt];
		else
			i++;
}

/* [s, e) leaves every interval, as vm_unmap_range: cut, split, dropped. */
static void iv_cut(struct client *c, uint64_t s, uint64_t e)
{
	touch_drop(c, s, e);
	for (int i = 0; i < c->niv; i++) {
		struct iv v = c->iv[i];

		if (v.e <= s || v.s >= e)
			continue;
		if (v.s >= s && v.e <= e) {
			iv_del(c, i--);
		} else if (v.s < s && v.e > e) {
			c->iv[i].e = s;
			iv_add(c, e, v.e, v.perm, v.kind);
			c->iv[i + 1].unlocked = v.unlocked;
		} else if (v.s < s) {
			c->iv[i].e = s;
		} else {
			c->iv[i].s = e;
		}
	}
}

static struct iv *iv_at(struct client *c, uint64_t va)
{
	for (int i = 0; i < c->niv; i++)
		if (va >= c->iv[i].s && va < c->iv[i].e)
			return &c->iv[i];
	return NULL;
}

/* The end of the heap: its highest piece's, or its base. */
static uint64_t heap_end(const struct client *c)
{
	uint64_t end = c->brk_base;

	for (int i = 0; i < c->niv; i++)
		if (c->iv[i].kind == I_HEAP && c->iv[i].e > end)
			end = c->iv[i].e;
	return end;
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* What covers va in the pager's regions of p: the region, or NULL. */
static const struct vm_region *region_at(const struct pproc *p, uint64_t va)
{
	for (const struct vm_region *r = p->vm->regions; r; r = r->next)
		if (va >= r->start && va < r->end)
			return r;
	return NULL;
}

static int same_at(const struct client *c, const struct pproc *p, uint64_t va, int may_go)
{
	static const enum vm_region_kind kinds[] = { VM_IMAGE, VM_STACK, VM_ANON, VM_ANON,
						     VM_SHARED };
	const struct vm_region *r = region_at(p, va);
	const struct iv *v = iv_at((struct client *)c, va);

	if (!r)
		return !v || may_go;
	return v && r->perm == v->perm && r->kind == kinds[v->kind];
}

/* A request of c's refused for want of the pager's memory (injected) in
 * the middle of changing [s, e): whatever it did is inside the range, and
 * only taking away; the model then takes the pager's regions as they are. */
static void resync(struct client *c, uint64_t s, uint64_t e)
{
	const struct pproc *p = rec(c);
	uint64_t probes[4 * MAXIV + 4];
	int n = 0;

	for (int i = 0; i < c->niv; i++) {
		probes[n++] = c->iv[i].s;
		probes[n++] = c->iv[i].e - PAGE_SIZE;
	}
	for (const struct vm_region *r = p->vm->regions; r && n < 4 * MAXIV; r = r->next) {
		probes[n++] = r->start;
		probes[n++] = r->end - PAGE_SIZE;
	}
	probes[n++] = s, probes[n++] = e;
	for (int i = 0; i < n; i++)
		check(same_at(c, p, probes[i], probes[i] >= s && probes[i] < e),
		      "a refused change of [0x%lx, 0x%lx) changed 0x%lx", (unsigned long)s,
		      (unsigned long)e, (unsigned long)probes[i]);
	c->niv = 0;
	for (const struct vm_region *r = p->vm->regions; r; r = r->next) {
		enum ikind k = r->kind == VM_IMAGE ? I_IMG : r->kind == VM_STACK ? I_STACK
			     : r->kind == VM_SHARED ? I_SHARED
			     : r->start >= c->brk_base && r->start < c->brk_base + HEAP_MAX ? I_HEAP
			     : I_PRIV;
		iv_add(c, r->start, r->end, r->perm, k);
		c->iv[c->niv - 1].unlocked = r->discardable;
	}
	for (int i = 0; i < c->nt; i++)
		if (!iv_at(c, c->t[i].va))
			c->t[i--] = c->t[--c->nt];
}

/* ================= talking to the server ================= */
/* Those the OOM killer ended during the last request, reaped: forgotten. */
static void forget_killed(void)
{
	for (unsigned i = 0; i < nkilled; i++) {
		struct client *c = of_pid(killed[i]);

		check(c && !procs_by_pid(killed[i]), "killed pid %u", killed[i]);
		trace("  pid %u OOM-killed meanwhile\n", killed[i]);
		c->used = 0;
		c->alive = 0;
	}
	nkilled = 0;
}

static struct service_thread *st;

/* Serve in (origin, pid, label, words, data, a pager handle passed): its
 * reply in *out; whether one was to be sent is checked. */
static void ask(struct msg *in, struct msg *out)
{
	int r;

	st->in = *in;
	locked = 0;
	injected = 0;
	armed = 1;
	retried = 0;
	r = serve_one(st, NULL);
	armed = 0;
	forget_killed();
	check(r == (in->origin == ORIGIN_CALL), "label 0x%lx: serve_one %d", (unsigned long)in->label,
	      r);
	check(locked == r, "the lock: %d", locked);
	*out = st->out;
}

static void request(struct client *c, uint64_t label, const uint64_t *w, struct msg *out)
{
	struct msg in = { .label = label, .pid = c ? c->pid : 9999, .tid = 1,
			  .origin = chance(3) ? ORIGIN_SEND : ORIGIN_CALL, .handle = -1 };

	for (int i = 0; w && i < MSG_WORDS; i++)
		in.w[i] = w[i];
	ask(&in, out);
}

static int64_t code(const struct msg *out)
{
	return (int64_t)out->label;
}

/* Deaths the kernel has signalled, heard: every ended client is reaped. */
static void deliver_deaths(void)
{
	struct msg in = { .origin = ORIGIN_NOTIFY, .handle = -1 }, out;

	if (!deaths_pending)
		return;
	in.w[0] = deaths_pending;
	deaths_pending = 0;
	ask(&in, &out);
	for (int i = 0; i < NC; i++)
		if (cl[i].used && !cl[i].alive) {
			trace("  reaped pid %u\n", cl[i].pid);
			check(!rec(&cl[i]), "pid %u not reaped", cl[i].pid);
			cl[i].used = 0;
		}
}

/* While a fault's swap read has let the lock go: another thread's OOM
 * kill of another process (not the faulting one: the fake device's read
 * holds no reference of its own, and the faulting process's end while
 * its read is out is test_fault.c's). */
static uint32_t faulting;	/* the pid whose fault is served */
static void meanwhile_kill(void)
{
	uint32_t victim = other_victim(faulting);

	trace("  a read let the lock go: pid %u killed\n", victim);
	if (victim && oom_kill_pid(victim))
		met.kill_read++;
}

/* A fault of c at va for access, served; 1 if it was resumed, 0 if the
 * process was told to end (and it has, unless in a system call). */
static int fault(struct client *c, uint64_t va, unsigned access, int in_syscall)
{
	struct fault f = { va, access, (uint64_t)in_syscall, c->pid };
	struct iv *v = iv_at(c, va);
	int ok = v && (v->perm & access) == access;
	int r, resumed;

	locked = 0;
	injected = 0;
	armed = 1;
	sw.while_unlocked = chance(50) ? meanwhile_kill : NULL;
	faulting = c->pid;
	r = serve_one(st, &f);
	sw.while_unlocked = NULL;
	armed = 0;
	forget_killed();
	check(r == 1 && locked == 1, "fault served: %d", r);
	resumed = st->out.label == FAULT_RESUME || st->out.label == FAULT_RESUME_ONE;
	if (!c->used) {		/* out of memory: it was the victim */
		check(!resumed, "a fault resumed for a process killed");
		return 0;
	}
	if (!resumed && ok && injected) {	/* no room for its page's records */
		kp_end(&kps[c->kp], EXIT_KILLED, 0), c->alive = 0;
		return 0;
	}
	check(resumed == ok, "fault of pid %u at 0x%lx access %u: label %lu, model %d", c->pid,
	      (unsigned long)va, access, (unsigned long)st->out.label, ok);
	if (!ok && !in_syscall)
		kp_end(&kps[c->kp], EXIT_KILLED, 0), c->alive = 0;
	return ok;
}

/* The frame c maps at va with access (faulted in through the server). */
static uint64_t mapped(struct client *c, uint64_t va, unsigned access)
{
	unsigned perm;
	uint64_t pa = fake_pa(rec(c)->handle, va, &perm);

	if (pa && (perm & access) == access)
		return pa;
	if (!fault(c, va, access, 0))
		return 0;
	pa = fake_pa(rec(c)->handle, va, &perm);
	check(pa && (perm & access) == access, "pid %u 0x%lx not mapped after its fault", c->pid,
	      (unsigned long)va);
	return pa;
}

/* ================= the steps ================= */
static uint64_t some_page(struct client *c)
{
	if (c->niv && chance(92)) {
		struct iv *v = &c->iv[rnd((unsigned)c->niv)];
		uint64_t pages = (v->e - v->s) / PAGE_SIZE;

		return v->s + rnd(pages < 16 ? (unsigned)pages : 16) * PAGE_SIZE;
	}
	return ((uint64_t)rand() << 12) % USER_TOP & ~(PAGE_SIZE - 1);
}

static void step_write(struct client *c)
{
	uint64_t va = some_page(c), pa;
	struct iv *v = iv_at(c, va);
	uint8_t val = (uint8_t)(1 + rnd(255));

	if (!v || !(v->perm & VM_W) || c->nt >= NT) {
		if (!v || !(v->perm & VM_W))
			(void)fault(c, va, VM_W, chance(20));
		return;
	}
	if (!(pa = mapped(c, va, VM_W)))
		return;
	fake_poke(rec(c)->vm, va + 8, val);
	if (v->kind == I_SHARED)
		return;		/* shared with a fork's kin: not followed */
	touch_drop(c, va, va + PAGE_SIZE);
	c->t[c->nt++] = (struct touch){ va, val, v->unlocked };
}

static void step_read(struct client *c)
{
	struct touch *t;
	uint64_t pa;

	if (!c->nt || chance(20)) {
		uint64_t va = some_page(c);
		unsigned access = chance(20) ? VM_X : VM_R;

		(void)fault(c, va, access, chance(20));
		return;
	}
	t = &c->t[rnd((unsigned)c->nt)];
	if (!(pa = mapped(c, t->va, VM_R)))
		return;
	if (!t->maybe)
		check(fake_peek(rec(c)->vm, t->va + 8) == t->v, "pid %u 0x%lx holds %u, not %u",
		      c->pid, (unsigned long)t->va, fake_peek(rec(c)->vm, t->va + 8), t->v);
}

static void step_sbrk(struct client *c)
{
	static const int64_t odd[] = { INT64_MIN, INT64_MAX, -1, 1, (int64_t)HEAP_MAX,
				       -(int64_t)HEAP_MAX, (int64_t)HEAP_MAX + 1 };
	int64_t incr = chance(10) ? odd[rnd(7)] : (int64_t)rnd(5 * PAGE_SIZE) - 2 * (int64_t)PAGE_SIZE;
	uint64_t w[MSG_WORDS] = { (uint64_t)incr }, old = c->brk, want = old + (uint64_t)incr;
	uint64_t end = page_up(want), hend = heap_end(c);
	struct msg out;
	int bad = (incr < 0 && 0 - (uint64_t)incr > old - c->brk_base) ||
		  (incr > 0 && want > c->brk_base + HEAP_MAX);

	request(c, PAGER_SBRK, w, &out);
	trace("  sbrk %ld from 0x%lx (heap end 0x%lx) -> %ld\n", (long)incr, (unsigned long)old,
	      (unsigned long)hend, (long)code(&out));
	if (bad) {
		check(code(&out) == -ENOMEM, "sbrk %ld: %ld, expected ENOMEM", (long)incr,
		      (long)code(&out));
		return;
	}
	/* Only a growth may be refused for memory: a shrink allocates nothing. */
	if (injected && end > hend && code(&out) == -ENOMEM) {
		check(rec(c)->brk == old, "a refused sbrk moved the break");
		met.sbrk_refused++;
		resync(c, hend, end);
		return;
	}
	check(code(&out) == 0 && out.w[0] == old, "sbrk %ld from 0x%lx (heap end 0x%lx): %ld",
	      (long)incr, (unsigned long)old, (unsigned long)hend, (long)code(&out));
	c->brk = want;
	if (end > hend) {
		struct iv *v = hend > c->brk_base ? iv_at(c, hend - 1) : NULL;
		if (v && v->kind == I_HEAP && v->e == hend)
			v->e = end;
		else
			iv_add(c, c->brk_base, end, VM_R | VM_W, I_HEAP);
	} else if (end < hend) {
		iv_cut(c, end, hend);
		met.sbrk_shrunk++;
	}
}

/* Where mmap must place len bytes: the highest room in the mappings' range. */
static uint64_t mmap_place(const struct client *c, uint64_t len)
{
	uint64_t lo = c->brk_base + HEAP_MAX, top = STACK_FLOOR;

	for (int i = c->niv - 1; i >= -1; i--) {
		uint64_t below = i >= 0 ? c->iv[i].e : lo, above = top;
		if (below < lo)
			below = lo;
		if (above > below && above - below >= len)
			return above - len;
		if (i >= 0 && c->iv[i].s < top)
			top = c->iv[i].s;
		if (top <= lo)
			return 0;
	}
	return 0;
}

static void step_mmap(struct client *c)
{
	uint64_t len = chance(10) ? (uint64_t)rand() << rnd(40) : (1 + rnd(12)) * PAGE_SIZE - rnd(3);
	uint64_t prot = chance(5) ? rnd(16) : rnd(8), flags = chance(5) ? rnd(4) : 1 + rnd(2);
	uint64_t w[MSG_WORDS] = { len, prot, flags }, plen = page_up(len), at;
	unsigned perm = (unsigned)prot & 7;
	struct msg out;

	if (c->niv > MAXIV - 4)
		return;
	request(c, PAGER_MMAP, w, &out);
	trace("  mmap %lx prot %lu flags %lu -> %ld 0x%lx\n", (unsigned long)len,
	      (unsigned long)prot, (unsigned long)flags, (long)code(&out), (unsigned long)out.w[0]);
	if (plen == 0 || plen > HEAP_MAX || prot > 7 || (flags != 1 && flags != 2)) {
		check(code(&out) == -EINVAL, "mmap: %ld, expected EINVAL", (long)code(&out));
		return;
	}
	at = mmap_place(c, plen);
	if (injected && code(&out) == -ENOMEM)
		return;		/* no record for it: nothing changed (check_regions) */
	check(code(&out) == (at ? 0 : -ENOMEM) && out.w[0] == at, "mmap %lx: %ld at 0x%lx, not 0x%lx",
	      (unsigned long)plen, (long)code(&out), (unsigned long)out.w[0], (unsigned long)at);
	if (perm & VM_W)
		perm |= VM_R;
	if (at)
		iv_add(c, at, at + plen, perm, flags == PAGER_MAP_SHARED ? I_SHARED : I_PRIV);
}

static void step_munmap(struct client *c)
{
	uint64_t addr = some_page(c), len = (1 + rnd(6)) * PAGE_SIZE, plen;
	uint64_t w[MSG_WORDS];
	struct msg out;
	int bad;

	if (c->niv > MAXIV - 4)
		return;
	if (chance(15))
		addr += 1 + rnd(PAGE_SIZE - 1);
	if (chance(10))
		len = chance(50) ? 0 : ~0UL - rnd(3 * PAGE_SIZE);
	if (chance(5))
		addr = USER_TOP - PAGE_SIZE * rnd(3);
	plen = page_up(len);
	w[0] = addr, w[1] = len;
	bad = (addr & (PAGE_SIZE - 1)) || plen == 0 || addr + plen < addr || addr + plen > USER_TOP;
	trace("  munmap 0x%lx %lx ...\n", (unsigned long)addr, (unsigned long)len);
	for (int i = 0; tracing && i < c->niv; i++)
		trace("    [0x%lx, 0x%lx) kind %d perm %u%s\n", (unsigned long)c->iv[i].s,
		      (unsigned long)c->iv[i].e, c->iv[i].kind, c->iv[i].perm,
		      c->iv[i].unlocked ? " unlocked" : "");
	request(c, PAGER_MUNMAP, w, &out);
	trace("  munmap 0x%lx %lx -> %ld\n", (unsigned long)addr, (unsigned long)len,
	      (long)code(&out));
	if (!c->used) {
		check(retried && code(&out) == -ESRCH, "munmap by one killed meanwhile: %ld",
		      (long)code(&out));
		met.caller_gone++;
		return;
	}
	if (!bad && injected && code(&out) == -ENOMEM) {
		met.munmap_refused++;
		resync(c, addr, addr + plen);
		return;
	}
	check(code(&out) == (bad ? -EINVAL : 0), "munmap 0x%lx %lx: %ld", (unsigned long)addr,
	      (unsigned long)len, (long)code(&out));
	if (!bad)
		iv_cut(c, addr, addr + plen);
}

static void step_discard(struct client *c)
{
	struct iv *v = c->niv ? &c->iv[rnd((unsigned)c->niv)] : NULL;
	uint64_t op = chance(5) ? 2 + rnd(3) : rnd(2);
	uint64_t w[MSG_WORDS] = { v ? v->s : 0, v ? v->e - v->s : PAGE_SIZE, op };
	struct msg out;
	int ok;

	if (v && chance(15))
		w[1] -= PAGE_SIZE * (w[1] > PAGE_SIZE);
	if (chance(5))
		w[0] += 0x10;
	ok = v && w[1] == v->e - v->s && w[0] == v->s && op < 2 &&
	     (v->kind == I_PRIV || v->kind == I_HEAP);
	request(c, PAGER_DISCARD, w, &out);
	trace("  discard 0x%lx %lx op %lu -> %ld %lu\n", (unsigned long)w[0], (unsigned long)w[1],
	      (unsigned long)op, (long)code(&out), (unsigned long)out.w[0]);
	check(code(&out) == (ok ? 0 : -EINVAL), "discard: %ld, model %d", (long)code(&out), ok);
	if (!ok)
		return;
	v->unlocked = op == PAGER_DISCARD_UNLOCK;
	for (int i = 0; i < c->nt; i++) {
		if (c->t[i].va < v->s || c->t[i].va >= v->e)
			continue;
		if (op == PAGER_DISCARD_UNLOCK)
			c->t[i].maybe = 1;
		else if (out.w[0])
			c->t[i--] = c->t[--c->nt];
		else
			c->t[i].maybe = 0;
	}
}

/* Free entries in c's handle table. */
static int room(const struct client *c)
{
	int n = 0;

	for (int i = 1; i < CLIENT_HANDLES; i++)
		n += kps[c->kp].tab[i].obj < 0;
	return n;
}

/* A reply that made a child: its handle in the caller's table names it,
 * and it runs; or an error, with w[0] -1 or naming the child ended
 * unstarted, which the caller closes. */
static struct kproc *child_of(struct client *c, const struct msg *out)
{
	struct kproc *k = &kps[c->kp];
	int h = (int)(int64_t)out->w[0];

	if (code(out) < 0) {
		if (h == -1)
			return NULL;
		check(h > 0 && h < CLIENT_HANDLES && k->tab[h].obj >= 0 &&
		      objs[k->tab[h].obj].kind == K_PROC && !kps[objs[k->tab[h].obj].kp].alive,
		      "a failed start's handle %d names no ended child", h);
		k->tab[h].obj = -1;	/* the runtime closes it */
		return NULL;
	}
	check(h > 0 && h < CLIENT_HANDLES && k->tab[h].obj >= 0 && objs[k->tab[h].obj].kind == K_PROC &&
	      k->tab[h].rights == PARENT_RIGHTS, "a child's handle %d", h);
	k = &kps[objs[k->tab[h].obj].kp];
	check(k->alive && k->started && k->pid == out->w[1], "the child runs as pid %lu",
	      (unsigned long)out->w[1]);
	if (chance(30))
		kps[c->kp].tab[h].obj = -1;	/* the parent lets it go */
	return k;
}

static struct client *adopt(struct client *parent, struct kproc *k)
{
	struct client *c = new_client();
	struct pproc *p;

	c->kp = (int)(k - kps);
	c->pid = k->pid;
	c->alive = 1;
	p = rec(c);
	check(p && p->vm, "no record for pid %u", c->pid);
	c->line = p->line;
	c->slot = procs_slot_of(p);
	if (parent && parent->line)
		check(p->line == parent->line, "a child out of its parent's line");
	for (int i = 0; parent && !parent->line && i < NC; i++)
		check(!cl[i].used || &cl[i] == c || cl[i].line != p->line, "a line given twice");
	return c;
}

/* The expected code of a spawn with this message, before any start. */
static int64_t spawn_expect(const struct client *c, const struct msg *in, int *found)
{
	int64_t adj = (int64_t)in->w[1];
	uint32_t pos = 0;
	const char *name = NULL;

	*found = 0;
	if (in->w[0] < 1 || in->w[0] > SPAWN_ARGS_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < in->w[0]; i++) {
		const void *nul = pos < in->len ? memchr(in->data + pos, 0, in->len - pos) : NULL;
		if (!nul)
			return -EINVAL;
		if (!name)
			name = (const char *)in->data + pos;
		pos = (uint32_t)((const uint8_t *)nul - in->data) + 1;
	}
	if (adj < OOM_ADJ_NEVER || adj > OOM_ADJ_MAX)
		return -EINVAL;
	if (adj < c->adj && !c->exempt)
		return -EPERM;
	if (in->handle == MSG_HANDLE_LOST)
		return -EMFILE;	/* the child would miss its HANDLE_ARG */
	if (strcmp(name, "prog") && strcmp(name, "junk"))
		return -PAGER_ENOENT;
	if (strcmp(name, "prog"))
		return -ENOEXEC;
	if (known() + 1 >= PAGER_PROCS_MAX || (c->line && line_known(c->line) >= PAGER_LINE_PROCS_MAX))
		return -EAGAIN;
	*found = 1;
	return 0;
}

/* A new program's image, stack and heap in the model; its argv checked
 * on its stack, its first thread where the image says. */
static void spawned(struct client *c, const struct msg *in, struct kproc *k)
{
	uint64_t pa, argc;
	uint8_t *page;
	uint32_t pos = 0;

	iv_add(c, PROG_TEXT, PROG_TEXT + PAGE_SIZE, VM_R | VM_X, I_IMG);
	iv_add(c, PROG_DATA & ~(PAGE_SIZE - 1), page_up(PROG_DATA + PROG_DATA_MEM), VM_R | VM_W, I_IMG);
	iv_add(c, STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_TOP, VM_R | VM_W, I_STACK);
	c->brk_base = c->brk = PROG_BRK;
	check(k->pc == PROG_ENTRY && k->prio == PRIO_NORMAL, "the child's first thread");
	pa = vm_lookup(rec(c)->vm, STACK_TOP - PAGE_SIZE);
	check(pa && k->sp >= STACK_TOP - PAGE_SIZE && k->sp < STACK_TOP, "its stack");
	page = frame_ptr(pa);
	memcpy(&argc, page + (k->sp & (PAGE_SIZE - 1)), 8);
	check(argc == in->w[0], "argc %lu", (unsigned long)argc);
	for (uint64_t i = 0; i < argc; i++) {
		uint64_t va;
		memcpy(&va, page + (k->sp & (PAGE_SIZE - 1)) + 8 + 8 * i, 8);
		check(va >= STACK_TOP - PAGE_SIZE && va < STACK_TOP &&
		      !strcmp((const char *)page + (va & (PAGE_SIZE - 1)), (const char *)in->data + pos),
		      "argv[%lu]", (unsigned long)i);
		pos += (uint32_t)strlen((const char *)in->data + pos) + 1;
	}
}

/* A handle of c's (its own notification, made now if it has none) passed
 * with rights: the pager's copy, -1 if c has none to pass, or
 * MSG_HANDLE_LOST if the pager's table has no room for it (the kernel
 * then delivers none, and says so: abi/msg.h). */
static int pass_note(struct client *c, unsigned rights)
{
	struct kproc *k = &kps[c->kp];
	int h;

	if (!c->note_h) {
		int o = new_obj(chance(20) ? K_EP : K_NOTE);
		if ((h = tab_put(k->tab, CLIENT_HANDLES, o, RIGHTS_ALL)) < 0)
			return -1;
		c->note_h = h;
	}
	h = tab_put(ptab, PAGER_HANDLES, k->tab[c->note_h].obj, rights);
	if (h < 0)	/* the kernel delivers none: the pager's table is full */
		met.passed_dropped++;
	return h < 0 ? MSG_HANDLE_LOST : h;
}

static void step_spawn(struct client *c)
{
	static const char *const names[] = { "prog", "prog", "prog", "junk", "nope", "" };
	struct msg in = { .label = PAGER_SPAWN, .pid = c->pid, .tid = 1, .origin = ORIGIN_CALL,
			  .handle = -1 }, out;
	unsigned argc = 1 + rnd(3), rights = 0;
	int64_t want;
	int found, passed_obj = -1;
	struct kproc *k;

	for (unsigned i = 0; i < argc; i++) {
		const char *s = i ? "arg" : names[rnd(6)];
		size_t n = strlen(s) + 1;
		memcpy(in.data + in.len, s, n);
		in.len += (uint32_t)n;
	}
	in.w[0] = chance(5) ? rnd(40) : argc;
	if (chance(5) && in.len)
		in.len--;	/* the last string unterminated */
	in.w[1] = chance(10) ? (uint64_t)(int64_t)((int)rnd(2500) - 1250) : (uint64_t)c->adj;
	if (chance(20)) {
		rights = 1 + rnd(7);
		in.handle = pass_note(c, rights);
		in.rights = in.handle >= 0 ? rights : 0;
		passed_obj = in.handle >= 0 ? ptab[in.handle].obj : -1;
	}
	want = spawn_expect(c, &in, &found);
	if (found && !room(c))
		want = -ERR_MFILE, found = 0;
	ask(&in, &out);
	trace("  spawn argc %lu -> %ld (model %ld)%s\n", (unsigned long)in.w[0], (long)code(&out),
	      (long)want, injected ? " injected" : "");
	k = child_of(c, &out);
	if (!found || (!k && injected)) {
		check(code(&out) == (found || injected ? code(&out) : want) && code(&out) < 0,
		      "spawn: %ld, expected %ld", (long)code(&out), (long)want);
		return;
	}
	check(k, "spawn failed: %ld", (long)code(&out));
	met.spawned++;
	c = adopt(c, k);
	c->adj = (int)(int64_t)in.w[1];
	if (passed_obj >= 0)
		check(k->tab[HANDLE_ARG].obj == passed_obj && k->tab[HANDLE_ARG].rights == rights,
		      "the handle passed");
	spawned(c, &in, k);
}

static void step_fork(struct client *c)
{
	uint64_t w[MSG_WORDS] = { 0x10200, 0x3fffffe000UL - rnd(64) * 16, rnd(1000) };
	struct msg in = { .label = PAGER_FORK, .pid = c->pid, .tid = chance(5) ? 7 : 1,
			  .origin = ORIGIN_CALL, .handle = -1 }, out;
	int full = known() + 1 >= PAGER_PROCS_MAX ||
		   (c->line && line_known(c->line) >= PAGER_LINE_PROCS_MAX), space = room(c);
	struct kproc *k;
	struct client *ch;

	memcpy(in.w, w, sizeof(w));
	ask(&in, &out);
	trace("  fork -> %ld pid %lu%s\n", (long)code(&out), (unsigned long)out.w[1],
	      injected ? " injected" : "");
	k = child_of(c, &out);
	if (full) {
		check(code(&out) == -EAGAIN, "fork in a full table: %ld", (long)code(&out));
		return;
	}
	if (!k) {
		check(injected || code(&out) == (in.tid != 1 ? -ERR_SRCH : space ? 0 : -ERR_MFILE),
		      "fork: %ld", (long)code(&out));
		return;
	}
	check(in.tid == 1 && space, "a fork that should have failed");
	met.forked++;
	check(k->pc == w[0] && k->sp == w[1] && k->a0 == w[2] && k->prio == PRIO_NORMAL,
	      "the child's thread");
	ch = adopt(c, k);
	memcpy(ch->iv, c->iv, sizeof(c->iv));
	ch->niv = c->niv;
	ch->brk_base = c->brk_base, ch->brk = c->brk;
	ch->adj = c->adj;
	for (int i = 0; i < c->nt; i++)
		ch->t[ch->nt++] = c->t[i];
}

static void step_subscribe(struct client *c)
{
	struct msg in = { .label = PAGER_PRESSURE_SUBSCRIBE, .pid = c->pid, .tid = 1,
			  .origin = ORIGIN_CALL, .handle = -1 }, out;
	unsigned rights = chance(80) ? RIGHT_SEND | (chance(50) ? RIGHT_RECV : 0) : RIGHT_RECV;
	int obj = -1, subs = 0, line_subs = 0;

	if (chance(70) && (in.handle = pass_note(c, rights)) >= 0) {
		in.rights = rights;
		obj = ptab[in.handle].obj;
	}
	for (int i = 0; i < NC; i++)
		if (cl[i].used && &cl[i] != c && cl[i].sub_obj >= 0) {
			subs++;
			line_subs += c->line && cl[i].line == c->line;
		}
	ask(&in, &out);
	trace("  subscribe %d -> %ld\n", in.handle, (long)code(&out));
	if (in.handle == MSG_HANDLE_LOST) {
		/* Not an unsubscribe: the old subscription stays. */
		check(code(&out) == -EMFILE, "a subscribe whose handle was lost: %ld",
		      (long)code(&out));
		met.lost_refused++;
		return;
	}
	if (obj < 0) {
		check(code(&out) == 0, "unsubscribe: %ld", (long)code(&out));
		c->sub_obj = -1;
		return;
	}
	if (objs[obj].kind != K_NOTE || !(rights & RIGHT_SEND)) {
		check(code(&out) == -EINVAL, "subscribe with no notification: %ld", (long)code(&out));
		return;		/* the old subscription stays */
	}
	if (subs >= PRESSURE_SUBSCRIBERS || line_subs >= PRESSURE_LINE_SUBSCRIBERS) {
		check(code(&out) == -ENOSPC, "subscribe past the bounds: %ld", (long)code(&out));
		c->sub_obj = -1;
		return;
	}
	check(code(&out) == 0, "subscribe: %ld", (long)code(&out));
	c->sub_obj = obj;
	if (level_now != PAGER_PRESSURE_NORMAL)
		check(objs[obj].bits == level_bits(PAGER_PRESSURE_NORMAL, level_now),
		      "a subscriber told the level");
	objs[obj].bits = 0;
}

static void step_pressure(void)
{
	enum pager_pressure to = (enum pager_pressure)rnd(3);
	uint64_t bits = level_bits(level_now, to);

	pressure_set(to, rnd(100));
	for (int i = 0; i < NC; i++)
		if (cl[i].used && cl[i].sub_obj >= 0) {
			check(objs[cl[i].sub_obj].bits == (to != level_now ? bits : 0),
			      "pid %u told %lx", cl[i].pid, (unsigned long)objs[cl[i].sub_obj].bits);
			objs[cl[i].sub_obj].bits = 0;
		}
	level_now = to;
}

static void step_net(struct client *c)
{
	struct msg out;
	struct kproc *k = &kps[c->kp];
	int free_h = 0;

	for (int i = 1; i < CLIENT_HANDLES; i++)
		free_h += k->tab[i].obj < 0;
	request(c, PAGER_NET, NULL, &out);
	if (!have_net) {
		check(code(&out) == -ENODEV, "net without netd: %ld", (long)code(&out));
		return;
	}
	c->admitted = 1;
	check(code(&out) == (free_h ? 0 : -ERR_MFILE) || (injected && code(&out) < 0), "net: %ld",
	      (long)code(&out));
	if (code(&out) == 0)
		check(k->tab[out.w[0]].obj == ptab[netd_ep].obj && k->tab[out.w[0]].rights == RIGHT_SEND,
		      "netd's handle");
}

static void step_stats(struct client *c)
{
	uint64_t w[MSG_WORDS] = { chance(50) ? rnd(VMSTAT_REPORTED + 3) : (uint64_t)rand() << 20 };
	uint32_t seen = 0, n = 0;
	struct msg out;

	request(c, PAGER_STATS, w, &out);
	check(code(&out) == (w[0] > VMSTAT_REPORTED ? -EINVAL : 0), "stats from %lu: %ld",
	      (unsigned long)w[0], (long)code(&out));
	/* The process table, page by page: every record once. */
	w[0] = 0;
	do {
		request(c, PAGER_PROC_STATS, w, &out);
		check(code(&out) == 0 && out.len == out.w[0] * sizeof(struct pager_proc_stats),
		      "proc stats");
		for (uint64_t i = 0; i < out.w[0]; i++) {
			const struct pager_proc_stats *e = (const void *)(out.data + i * sizeof(*e));
			check(of_pid(e->pid) || e->pid == 1, "proc stats name pid %u", e->pid);
			n++;
		}
		check(out.w[1] == 0 || out.w[1] > w[0], "proc stats go on");
		w[0] = out.w[1];
	} while (w[0] && ++seen < 100);
	check((int)n == known() + 1, "proc stats list %u of %d", n, known() + 1);
	w[0] = ((uint64_t)rand() << 12) % USER_TOP + (chance(10) ? USER_TOP : 0);
	request(c, PAGER_PAGE_BITS, w, &out);
	check(code(&out) == 0, "page bits: %ld", (long)code(&out));
	request(c, PAGER_INFO, NULL, &out);
	check(code(&out) == 0 && out.len == sizeof(struct pager_info), "info");
	request(c, PAGER_PRESSURE_LEVEL, NULL, &out);
	check(code(&out) == 0 && out.w[0] == level_now, "level");
}

/* Labels no handler has, poweroff from one not init, and handles passed
 * to requests that take none: -EINVAL, the handle closed. */
static void step_odd(struct client *c)
{
	static const uint64_t labels[] = { 0, 0xff, PAGER_POWEROFF, 0x10e, 0x1000, ~0UL,
					   PAGER_SBRK, PAGER_MMAP, PAGER_STATS, PAGER_NET };
	uint64_t label = labels[rnd(10)];
	struct msg in = { .label = label, .pid = c->pid, .tid = 1, .origin = ORIGIN_CALL,
			  .handle = -1 }, out;
	int takes_none = label < PAGER_SPAWN || label > PAGER_NET || label == PAGER_POWEROFF;

	if (!takes_none && (in.handle = pass_note(c, RIGHT_SEND)) == -1)
		return;
	if (takes_none && chance(50))
		in.handle = pass_note(c, RIGHT_SEND);
	in.w[0] = PAGE_SIZE;
	ask(&in, &out);
	check(code(&out) == -EINVAL, "label 0x%lx: %ld", (unsigned long)label, (long)code(&out));
}

/* What each request from a process the pager no longer knows (reaped, or
 * never its) is answered: -ESRCH for every one that acts for its caller,
 * as no caller is there to act for; the few that read the pager's own
 * state (stats, info, the level) need none. */
static const struct { uint64_t label; int64_t want; } ghost_asks[] = {
	{ PAGER_SPAWN, -ESRCH }, { PAGER_SBRK, -ESRCH }, { PAGER_MMAP, -ESRCH },
	{ PAGER_MUNMAP, -ESRCH }, { PAGER_FORK, -ESRCH }, { PAGER_STATS, 0 },
	{ PAGER_PROC_STATS, 0 }, { PAGER_PAGE_BITS, -ESRCH }, { PAGER_INFO, 0 },
	{ PAGER_PRESSURE_SUBSCRIBE, -ESRCH }, { PAGER_PRESSURE_LEVEL, 0 },
	{ PAGER_DISCARD, -ESRCH }, { PAGER_NET, -ESRCH },
};
#define GHOST_ASKS (sizeof(ghost_asks) / sizeof(ghost_asks[0]))

/* Request k of ghost_asks from pid, unknown to the pager, with a handle
 * passed if pass (to requests that take one): its answer, a passed handle
 * closed, nothing changed; its fault is told to end. */
static void ask_ghost(unsigned k, uint32_t pid, int pass)
{
	struct msg in = { .label = ghost_asks[k].label, .pid = pid, .tid = 1,
			  .origin = ORIGIN_CALL, .handle = -1, .len = 5 }, out;
	struct fault f = { PROG_TEXT, VM_R, 0, in.pid };
	int takes = in.label == PAGER_SPAWN || in.label == PAGER_PRESSURE_SUBSCRIBE;

	memcpy(in.data, "prog", 5);
	in.w[0] = in.label == PAGER_SPAWN ? 1 : ghost_asks[k].want == 0 ? 0 : PAGE_SIZE;
	in.w[1] = PAGE_SIZE;
	in.w[2] = 1;
	if (takes && pass) {
		in.handle = tab_put(ptab, PAGER_HANDLES, new_obj(K_NOTE), RIGHTS_ALL);
		in.rights = RIGHTS_ALL;
	}
	ask(&in, &out);
	trace("  ghost pid %u label 0x%lx -> %ld\n", in.pid, (unsigned long)in.label,
	      (long)code(&out));
	check(code(&out) == ghost_asks[k].want, "label 0x%lx from pid %u, unknown: %ld",
	      (unsigned long)in.label, in.pid, (long)code(&out));
	locked = 0;
	(void)serve_one(st, &f);
	check(st->out.label == FAULT_KILL, "a fault from pid %u, unknown", in.pid);
}

/* c fills its own table but for a few entries (its own objects), or lets
 * them go: the kernel's 64, met by grants (a child's handle, netd's). */
static void step_client_table(struct client *c)
{
	struct kproc *k = &kps[c->kp];
	int leave = (int)rnd(3);

	if (chance(50)) {
		for (int i = 1; i < CLIENT_HANDLES; i++)
			if (k->tab[i].obj >= 0 && objs[k->tab[i].obj].kind == K_FILL)
				k->tab[i].obj = -1;
		return;
	}
	while (room(c) > leave)
		(void)tab_put(k->tab, CLIENT_HANDLES, new_obj(K_FILL), RIGHTS_ALL);
	met.client_full += leave == 0;
}

static void step_ghost(void)
{
	unsigned k = rnd(GHOST_ASKS);
	uint32_t pid = next_pid + 1 + rnd(3);

	if (chance(50))		/* one reaped, or one never known */
		pid = 1 + rnd(next_pid);
	if (procs_by_pid(pid))
		return;
	ask_ghost(k, pid, chance(50));
	met.ghost++;
}

static void step_exit(struct client *c)
{
	trace("  pid %u exits\n", c->pid);
	kp_end(&kps[c->kp], EXIT_NORMAL, 0);
	c->alive = 0;
}

/* The OOM killer's view: every record with a space; one killed. */
static void step_oom(void)
{
	struct oom_candidate cand[OOM_CANDIDATES_MAX];
	size_t n = oomp->list(cand, OOM_CANDIDATES_MAX);
	struct client *c;
	int r;

	check((int)n == known() + 1, "the killer sees %zu of %d", n, known() + 1);
	if (chance(30)) {
		int dead = 0;
		for (int i = 0; i < NC; i++)
			dead += cl[i].used && !cl[i].alive;
		check((int)oomp->reap_ended() == dead, "reap_ended");
		for (int i = 0; i < NC; i++)
			if (cl[i].used && !cl[i].alive)
				cl[i].used = 0;
		return;
	}
	if (!(c = pick(0)))
		return;
	r = oomp->kill(c->pid);
	trace("  OOM kill pid %u -> %d\n", c->pid, r);
	check(r == (c->alive ? 1 : OOM_HAD_ENDED), "kill: %d", r);
	check(!rec(c), "killed, not reaped");
	c->used = 0;
	met.oom_step++;
}

/* A page of c's written to swap and evicted, as reclaim would (the fake
 * device's, swap_fake.c): its fault reads it back; its owner's exit frees
 * the slot. Kept in memory as a clean copy at times. */
static void step_swap_out(struct client *c)
{
	uint64_t va = some_page(c), pa = rec(c) ? fake_pa(rec(c)->handle, va, NULL) : 0;
	int slots = 0;

	for (uint32_t k = 1; k < SWAP_FAKE_WRITE_SLOT; k++)
		slots += !sw.disk[k];
	if (!pa || !slots || vm_frame_evictable(pa) != 1 || swapcache_tied(pa))
		return;
	trace("  swap out pid %u 0x%lx\n", c->pid, (unsigned long)va);
	if (swap_out(pa, chance(30)))	/* the slot */
		met.swapped_out++;
}

/* Unlocked memory dropped, as reclaim's first step. */
static void step_discard_some(void)
{
	(void)vm_discard_some(1 + rnd(8), 64);
}

/* ================= the checks ================= */
static void check_regions(struct client *c)
{
	static const enum vm_region_kind kinds[] = { VM_IMAGE, VM_STACK, VM_ANON, VM_ANON,
						     VM_SHARED };
	struct pproc *p = rec(c);
	const struct vm_region *r = p->vm->regions;

	for (int i = 0; i < c->niv; i++, r = r->next) {
		check(r, "pid %u: region %d missing", c->pid, i);
		check(r->start == c->iv[i].s && r->end == c->iv[i].e && r->perm == c->iv[i].perm &&
		      r->kind == kinds[c->iv[i].kind],
		      "pid %u: region [0x%lx, 0x%lx) perm %u kind %d, model [0x%lx, 0x%lx) %u %d",
		      c->pid, (unsigned long)r->start, (unsigned long)r->end, r->perm, r->kind,
		      (unsigned long)c->iv[i].s, (unsigned long)c->iv[i].e, c->iv[i].perm,
		      c->iv[i].kind);
	}
	check(!r, "pid %u: a region past the model's", c->pid);
	if (p->heap_end != heap_end(c))
		for (int i = 0; i < c->niv; i++)
			fprintf(stderr, "  [0x%lx, 0x%lx) kind %d\n", (unsigned long)c->iv[i].s,
				(unsigned long)c->iv[i].e, c->iv[i].kind);
	check(p->heap_end == heap_end(c) && p->brk == c->brk && p->brk_base == c->brk_base,
	      "pid %u: heap end 0x%lx, model 0x%lx", c->pid, (unsigned long)p->heap_end,
	      (unsigned long)heap_end(c));
}

/* The pager's table holds its own handles, one to each record's process,
 * one budget per line, each subscriber's notification: nothing more. */
static void check_handles(void)
{
	int procs = 0, notes = 0, budgets = 0, eps = 0, lines = 0, subs = 0, fills = 0;

	for (int h = 0; h < PAGER_HANDLES; h++) {
		if (ptab[h].obj < 0)
			continue;
		switch (objs[ptab[h].obj].kind) {
		case K_PROC:
			procs++;
			break;
		case K_NOTE:
			notes++;
			break;
		case K_BUDGET:
			budgets++;
			break;
		case K_FILL:
			fills++;
			break;
		default:
			eps++;
		}
	}
	for (int i = 0; i < NC; i++) {
		int first = cl[i].used && cl[i].line;
		for (int j = 0; first && j < i; j++)
			first = !(cl[j].used && cl[j].line == cl[i].line);
		lines += first;
		subs += cl[i].used && cl[i].sub_obj >= 0;
		if (cl[i].used && cl[i].sub_obj >= 0) {
			int held = 0;
			for (int h = 0; h < PAGER_HANDLES; h++)
				held += ptab[h].obj == cl[i].sub_obj;
			check(held == 1, "pid %u's subscription held %d times", cl[i].pid, held);
		}
	}
	check(bad_calls == 0, "the pager made %u bad kernel calls", bad_calls);
	check(procs == known() + !!init, "%d process handles for %d records", procs, known() + !!init);
	check(notes == 1 + subs, "%d notification handles, %d subscribers", notes, subs);
	check(budgets == lines, "%d budgets for %d lines", budgets, lines);
	check(eps == 3, "%d endpoints", eps);
	check(fills == ballast, "%d of the pager's other handles, not %d", fills, ballast);
}

static void check_all(void)
{
	check_handles();
	for (int k = 0; k < nkps; k++) {
		if (!kps[k].alive)
			continue;
		check(kps[k].pid == 1 || of_pid(kps[k].pid), "pid %u runs unknown", kps[k].pid);
	}
	for (int i = 0; i < NC; i++) {
		struct pproc *p;
		if (!cl[i].used)
			continue;
		p = rec(&cl[i]);
		check(p && p->vm, "pid %u has no record", cl[i].pid);
		check_regions(&cl[i]);
		check(kps[cl[i].kp].budget_obj >= 0, "pid %u has no budget", cl[i].pid);
		/* its death is told by its slot's bit, no one else's */
		check(kps[cl[i].kp].death_bits == 1UL << procs_slot_of(p), "pid %u's death bit",
		      cl[i].pid);
		for (int j = 0; j < i; j++)
			if (cl[j].used)
				check((cl[j].line == cl[i].line) ==
				      (kps[cl[j].kp].budget_obj == kps[cl[i].kp].budget_obj),
				      "lines and budgets");
	}
	for (int s = 0; s < NET_ADMITTED_MAX; s++) {
		uint64_t a = net_status.admitted[s];
		struct pproc *p = procs_slot(s);
		struct client *c = p ? of_pid(p->pid) : NULL;

		if (!a)
			continue;
		check(c && c->admitted && a == net_admission(c->pid, c->line),
		      "slot %d admitted 0x%lx for another", s, (unsigned long)a);
	}
	check(pressure_subscribers() == subscribed(), "subscribers");
	swap_fake_check();
}

/* ================= a seed ================= */
static uint64_t free_at_start;
/* Handles of the pager's beside those the model counts (its threads'
 * notifications, its drivers' endpoints and interrupts: about 25), or, on
 * some seeds, all but a few entries: a table the design says never fills
 * (pager/protocol.h: processes, budgets and subscribers are bounded well
 * below it), filled, to see what the pager does if it were. */

static void fill_pager_table(void)
{
	int free_h = 0, want;

	for (int h = 1; h < PAGER_HANDLES; h++)	/* tab_put's: entry 0 is the pager's own */
		free_h += ptab[h].obj < 0;
	want = chance(25) ? free_h - (int)rnd(24) : 25;
	for (ballast = 0; ballast < want; ballast++)
		assert_true(tab_put(ptab, PAGER_HANDLES, new_obj(K_FILL), RIGHTS_ALL) > 0);
}

/* init spawns a program: the head of a new line, where the rest happens. */
static void init_spawns(void)
{
	struct msg in = { .label = PAGER_SPAWN, .pid = init->pid, .tid = 1, .origin = ORIGIN_CALL,
			  .handle = -1, .len = 5 }, out;
	struct kproc *k;

	memcpy(in.data, "prog", 5);
	in.w[0] = 1;
	ask(&in, &out);
	if (code(&out) < 0) {
		check(injected || (known() + 1 >= PAGER_PROCS_MAX && code(&out) == -EAGAIN),
		      "init's spawn: %ld", (long)code(&out));
		(void)child_of(&cl_init, &out);
		return;
	}
	check(code(&out) == 0, "init's spawn: %ld", (long)code(&out));
	k = &kps[objs[kps[0].tab[out.w[0]].obj].kp];
	kps[0].tab[out.w[0]].obj = -1;	/* init lets it go */
	spawned(adopt(NULL, k), &in, k);
}

static void boot(void)
{
	struct spawn_env env = { .initrd = initrd, .pager_ep = 0, .deaths = 0, .fault_ep = 0,
				 .driver_deaths = -1, .kernel_pool_pages = 4096 };
	const char *argv[] = { "prog" };
	int err;

	memset(objs, 0, sizeof(objs));
	nobjs = nkps = 0;
	next_pid = 0;
	deaths_pending = 0;
	bad_calls = 0;
	for (int h = 0; h < PAGER_HANDLES; h++)
		ptab[h].obj = -1;
	memset(cl, 0, sizeof(cl));
	memset(&net_status, 0, sizeof(net_status));
	fixed_ep = tab_put(ptab, PAGER_HANDLES, new_obj(K_EP), RIGHTS_ALL);
	fault_ep = tab_put(ptab, PAGER_HANDLES, new_obj(K_EP), RIGHTS_ALL);
	netd_ep = tab_put(ptab, PAGER_HANDLES, new_obj(K_EP), RIGHTS_ALL);
	deaths_note = tab_put(ptab, PAGER_HANDLES, new_obj(K_NOTE), RIGHTS_ALL);
	ballast = 0;
	env.pager_ep = fixed_ep, env.fault_ep = fault_ep, env.deaths = deaths_note;
	env.initrd_size = initrd_len;
	st = pool(0);
	st->t = (struct pager_thread){ .name = "service", .hears_deaths = 1 };
	swap_fake_setup();
	sw.unlock = unlock_reads;	/* reads let the lock go, as the pager's do */
	spawn_init(&env);
	oom_procs_init();
	config.check = getenv("SERVER_RAND_NOCHECK") ? 0 : CHECK_BEFORE;
	config.policy_name = "clock";
	config.oom_policy_name = "rss";
	level_now = PAGER_PRESSURE_NORMAL;
	pressure_set(PAGER_PRESSURE_NORMAL, 0);
	free_at_start = frames_free();
	init = spawn_mode(1, argv, -1, 0, 0, &err);	/* before any refusal is armed */
	assert_non_null(init);
	init->oom_exempt = 1;
	for (int i = 0; i < 3; i++)
		init_spawns();
	fill_pager_table();
}

static void end_all(void)
{
	for (int i = 0; i < NC; i++)
		if (cl[i].used && cl[i].alive)
			step_exit(&cl[i]);
	deliver_deaths();
	check_all();
	check(known() == 0, "clients left");
	kp_end(&kps[0], EXIT_NORMAL, 0);
	assert_int_equal(service_reap(init), 1);
	init = NULL;
	check_handles();
	check(procs_slot(procs_slot_of(init)) == NULL, "init's record");
	check(frames_free() == free_at_start, "frames: %lu free, %lu at the start",
	      (unsigned long)frames_free(), (unsigned long)free_at_start);
	(void)slab_trim();
	check(host_pages_out <= SLAB_CACHES, "pager object pages: %ld after a trim", host_pages_out);
	check(pressure_subscribers() == 0, "subscribers left");
	for (int s = 0; s < NET_ADMITTED_MAX; s++)
		check(!net_status.admitted[s], "slot %d still admitted", s);
	swap_fake_teardown();
}

static void one_step(void)
{
	struct client *c;
	unsigned k = rnd(100);

	if (known() < 4 || chance(1))
		init_spawns();
	if (!(c = pick(1)))
		return;
	trace("step %u: pid %u kind %u\n", step_no, c->pid, k);
	if (k < 14)
		step_write(c);
	else if (k < 26)
		step_read(c);
	else if (k < 34)
		step_sbrk(c);
	else if (k < 42)
		step_mmap(c);
	else if (k < 50)
		step_munmap(c);
	else if (k < 55)
		step_discard(c);
	else if (k < 62)
		step_spawn(c);
	else if (k < 69)
		step_fork(c);
	else if (k < 73)
		step_subscribe(c);
	else if (k < 75)
		step_pressure();
	else if (k < 77)
		step_net(c);
	else if (k < 80)
		step_stats(c);
	else if (k < 83)
		step_odd(c);
	else if (k < 84)
		step_ghost();
	else if (k < 85 && chance(50))
		step_client_table(c);
	else if (k < 87)
		step_exit(c);
	else if (k < 92)
		step_oom();
	else if (k < 93)
		step_discard_some();
	else if (k < 98)
		step_swap_out(c);
	else
		deliver_deaths();
}

static void run_seed(unsigned long seed, unsigned steps)
{
	struct refusals saved;

	seed_no = seed;
	step_no = 0;
	srand((unsigned)seed);
	inj.proc_create = chance(40) ? rnd(10) : 0;
	inj.grant = chance(40) ? rnd(5) : 0;
	inj.thread = chance(40) ? rnd(10) : 0;
	inj.budget = chance(40) ? rnd(20) : 0;
	inj.heap = chance(40) ? 1 + rnd(10) : 0;
	have_net = chance(70);
	unlock_reads = chance(50);
	saved = inj;
	memset(&inj, 0, sizeof(inj));
	boot();
	inj = saved;
	trace("seed %lu: refusals %u %u %u %u heap %u net %d\n", seed, inj.proc_create, inj.grant,
	      inj.thread, inj.budget, inj.heap, have_net);
	check_all();
	for (step_no = 1; step_no <= steps; step_no++) {
		one_step();
		check_all();
	}
	end_all();
}

static const struct met_kind met_kinds[] = {
	{ "another killed for a fault", &met.kill_other },
	{ "the faulting process the victim", &met.kill_self },
	{ "killed while a swap read let the lock go", &met.kill_read },
	{ "killed in munmap's retry", &met.kill_retry },
	{ "munmap's caller gone in its retry", &met.caller_gone },
	{ "munmap refused for the pager's heap", &met.munmap_refused },
	{ "sbrk's growth refused", &met.sbrk_refused }, { "sbrk shrunk", &met.sbrk_shrunk },
	{ "spawned", &met.spawned }, { "forked", &met.forked },
	{ "page swapped out", &met.swapped_out }, { "request from an unknown pid", &met.ghost },
	{ "OOM kill by the killer's list", &met.oom_step },
	{ "a creation refused, the pager's table full", &met.pager_full },
	{ "a handle passed, the pager's table full", &met.passed_dropped },
	{ "a subscribe whose handle the full table lost, refused", &met.lost_refused },
	{ "a client's table filled", &met.client_full },
};

static void test_random(void **state)
{
	unsigned long first, n = SEEDS, steps = STEPS;
	bool by_hand = rand_seeds("SERVER_RAND_SEEDS", &first, &n);
	const char *e;

	(void)state;
	tracing = getenv("SERVER_RAND_TRACE") != NULL;
	if ((e = getenv("SERVER_RAND_STEPS")))
		steps = strtoul(e, NULL, 10);
	make_initrd();
	for (unsigned long s = first; s < first + n; s++)
		run_seed(s, (unsigned)steps);
	rand_met(met_kinds, sizeof(met_kinds) / sizeof(met_kinds[0]), by_hand);
}

/* Every request from a pid never known and from one reaped, with the
 * network and without: each answered as ghost_asks says, whatever else
 * the request holds. */
static void test_ghost_each_request(void **state)
{
	(void)state;
	make_initrd();
	for (have_net = 0; have_net <= 1; have_net++) {
		uint32_t reaped;

		seed_no = 0;
		unlock_reads = 0;
		memset(&inj, 0, sizeof(inj));
		boot();
		assert_true(cl[0].used);
		reaped = cl[0].pid;
		step_exit(&cl[0]);
		deliver_deaths();
		for (unsigned k = 0; k < GHOST_ASKS; k++)
			for (int pass = 0; pass <= 1; pass++) {
				ask_ghost(k, next_pid + 1, pass);
				ask_ghost(k, reaped, pass);
				check_all();
			}
		end_all();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_ghost_each_request),
					    cmocka_unit_test(test_random) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
