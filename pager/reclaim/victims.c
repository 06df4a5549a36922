/*
 * Victim choice (victims.h). The policy sees frames by index and asks about
 * references through its env: whether a frame may be evicted now, and
 * whether it was referenced since the last look (the look clears the
 * accessed bits of every mapping, found through the reverse map).
 */
#include <stdlib.h>
#include "base/placed.h"
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "reclaim/policy/policy.h"
#include "reclaim/uncounted.h"
#include "reclaim/victims.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/swapcache.h"
#include "vm/evict.h"
#include "vm/vm.h"

#define MAX_VICTIMS SWAP_OUT_BATCH	/* victims chosen at once */
#define LOOK_MAX HARVEST_IN_PLACE	/* mappings checked in one harvest call */
#define AHEAD 16		/* frames harvested ahead of a sequential scan */
#define AHEAD_MAX 64		/* frames in one batch */

static const struct policy_ops *pol_ops;
static struct policy *pol;
static uint32_t nframes;
static uint64_t ram_base;	/* frames_ram_base(), read once at init */

static uint32_t index_of(uint64_t pa)
{
	return (uint32_t)((pa - ram_base) / FRAME_SIZE);
}

static uint64_t pa_of(uint32_t i)
{
	return ram_base + (uint64_t)i * FRAME_SIZE;
}

/*
 * Accessed bits are harvested in batches, one kernel call for many frames:
 * the frames the policy announces it will look at next (env->will_look),
 * or, for a policy that announces nothing, the frames after the one it
 * asks about when it asked about the one before last time (a CLOCK hand).
 * Each answer is kept for the question that follows. A kept "referenced"
 * stays until asked (the harvest cleared the bit, so dropping it would
 * lose the reference); a kept "not referenced" goes stale when the next
 * batch is read and when the isolate call ends, since the page may be
 * touched any time after.
 */
enum { ANSWER_NONE = 1, ANSWER_IDLE = 2, ANSWER_USED = 3 };

static uint8_t *answers;	/* [frame]: enum above (0 before init) */
static uint32_t last_asked = UINT32_MAX;
static uint32_t ahead[AHEAD_MAX];	/* the frames of the last batch */
static uint32_t ahead_n;

/* The looks' batch. The kernel answers a harvest in place, with no copy
 * in or out, only when its entries lie within one page (kernel/harvest.c):
 * so it is placed where it never crosses one (base/placed.h). */
struct harvest_batch {
	struct harvest_entry e[LOOK_MAX];
	uint64_t pa[LOOK_MAX];	/* which frame each entry maps */
	size_t n;
	uint64_t current;	/* the frame whose mappings are collected */
	int overflow;		/* a mapping of it found no room */
};
#define LOOKS_ALIGN PLACED_ALIGN(sizeof(struct harvest_batch))
PLACED_SPACE(looks_space, struct harvest_batch, LOOKS_ALIGN, 1);

/* A look clears both bits: the dirty one is news only for a clean copy,
 * which vm_harvest gives up when it sees it. */
static void collect(void *ctx, struct vm_space *s, uint64_t va)
{
	struct harvest_batch *b = ctx;

	if (b->n >= LOOK_MAX) {
		b->overflow = 1;
		return;
	}
	b->pa[b->n] = b->current;
	b->e[b->n++] = (struct harvest_entry){ (uint32_t)vm_space_as(s),
					       HARVEST_ACCESSED | HARVEST_DIRTY, va };
}

/* Every mapping of frame i (below nframes) into b; most frames are
 * mapped once, which needs no walk of the reverse map. */
static void collect_mappings(struct harvest_batch *b, uint32_t i)
{
	b->current = pa_of(i);
	b->overflow = 0;
	vm_rmap_each_of(frame_desc_at(i), b->current, collect, b);
}

/* A parked clean copy may go without I/O; a mapped page may be written out
 * unless the swap code has it already. Asked of every frame a policy
 * meets: its descriptor by index, a bound's test rather than frame_desc's
 * (a policy holds only frames observe gave it, but the test is cheap). */
static int evictable(void *ctx, uint32_t i)
{
	(void)ctx;
	return i < nframes && swapcache_desc_reclaimable(frame_desc_at(i), pa_of(i));
}

/* Dropping i costs no I/O: a clean copy is in its slot, or the program
 * file holds its page (swap/out.c drops these first). */
static int cheap(void *ctx, uint32_t i)
{
	uint64_t pa = pa_of(i);

	(void)ctx;
	return swapcache_held(pa) || swapcache_parked_clean(pa) || vm_frame_refillable(pa);
}

/* Forget the "not referenced" answers kept from the last batch. */
static void expire_ahead(void)
{
	uint8_t *const kp = answers;

	for (uint32_t k = 0, n = ahead_n; k < n; k++)
		if (kp[ahead[k]] == ANSWER_IDLE)
			kp[ahead[k]] = ANSWER_NONE;
	ahead_n = 0;
}

/* Harvest frames f[0..n) (those with mappings that fit in one call, and
 * with no answer kept; after the first, unless all, only frames that may
 * be evicted) and keep each one's answer in answers[]. A look that cannot be
 * made reads as a reference, never as idle (a hot page would be evicted
 * again and again): a frame with more mappings than one call checks (more
 * than there are processes today), and every frame of a harvest that
 * failed, as write_seal.c keeps no copy it could not check. */
static void harvest(const uint32_t *f, uint32_t n, int all)
{
	struct harvest_batch *b = placed(looks_space, LOOKS_ALIGN);
	/* In locals: a byte stored through answers may alias any global, which
	 * the loops would otherwise load again after each store. */
	uint8_t *const kp = answers;
	const uint32_t limit = nframes;
	uint32_t an = 0;
	size_t bn;

	expire_ahead();
	b->n = 0;
	for (uint32_t k = 0; k < n && an < AHEAD_MAX; k++) {
		size_t before = b->n;
		uint32_t i = f[k];
		if (i >= limit || kp[i] != ANSWER_NONE || (k > 0 && !all && !evictable(NULL, i)))
			continue;
		collect_mappings(b, i);
		if (b->n == LOOK_MAX && k > 0) {
			b->n = before;	/* its mappings did not all fit: next time */
			break;
		}
		if (b->overflow) {
			b->n = before;	/* they never will */
			kp[i] = ANSWER_USED;
			continue;
		}
		kp[i] = ANSWER_IDLE;
		ahead[an++] = i;
	}
	ahead_n = an;
	if ((bn = b->n) == 0)
		return;
	if (vm_harvest(b->e, b->pa, bn) < 0) {
		for (size_t k = 0; k < bn; k++)
			kp[index_of(b->pa[k])] = ANSWER_USED;
		return;
	}
	for (size_t k = 0; k < bn; k++)
		if (b->e[k].bits & HARVEST_ACCESSED)
			kp[index_of(b->pa[k])] = ANSWER_USED;
}

/* Every frame announced: of policy_announce's walks, mglru's aging never
 * asks whether a frame may go, and its eviction asks before it looks but
 * meets few frames that may not (isolated ones are no longer tracked), so
 * asking here would spare few reads and cost ~35 instructions a frame.
 * More are harvested and then not read because eviction keeps them as
 * protected (~12,000 in a seq run), which only the policy knows: sparing
 * those would cost a question per frame announced, more than the reads
 * it saves (docs/measured.md, mglru's looks). */
static void will_look(void *ctx, const uint32_t *f, uint32_t n)
{
	(void)ctx;
	harvest(f, n, 1);
}

/* Frame i and, if the last question was about i - 1, the AHEAD after it. */
static void harvest_from(uint32_t i)
{
	uint32_t f[AHEAD], n = 0;

	for (uint32_t k = i; k < nframes && n < (i == last_asked + 1 ? AHEAD : 1); k++)
		f[n++] = k;
	harvest(f, n, 0);
}

/* The answer for frame i, a look made: referenced if a kept answer says
 * so, which is used up (the next question about i is a new look). */
static inline int answer_used(uint32_t i)
{
	int used = answers[i] == ANSWER_USED;

	answers[i] = ANSWER_NONE;
	vmstat_count(VMSTAT_PGSCAN);
	vmstat_count_n(VMSTAT_PGSCAN_REFERENCED, used);
	return used;
}

/* The answer kept for i, which the policy asks now. */
static inline int answer(uint32_t i)
{
	last_asked = i;
	return answer_used(i);
}

/* i had no answer kept: harvested first. Out of line and a tail call, so
 * that the common look (an answer read ahead) saves no registers. */
static __attribute__((noinline)) int answer_harvested(uint32_t i)
{
	harvest_from(i);
	return answer(i);
}

static int referenced(void *ctx, uint32_t i)
{
	(void)ctx;
	if (answers[i] == ANSWER_NONE)
		return answer_harvested(i);
	return answer(i);
}

/*
 * The insertion rule (policy.h): under a policy whose fault_counts is 0,
 * the reference that brought a page in is not a reference. The kernel maps
 * a page with its accessed bit set, and the faulting access sets it again
 * once the thread resumes, after the reply, so the bit cannot be cleared as
 * the page is mapped: the frames a policy took in are noted, and their bits
 * harvested and dropped in one call later, once their faults have been
 * answered: when the 9th allocation's frames arrive (UNCOUNTED_FAULTS,
 * the bound at faultaround=0), when the next allocation's frames would not
 * fit the note (UNCOUNTED_FRAMES, the look interval: the bound at the
 * default faultaround; uncounted.h says why each), and before the policy
 * next looks. A frame not mapped by then (a page
 * read ahead) keeps its bit. The one place the pager clears accessed bits
 * it does not use; it leaves dirty bits set, for the looks that act on
 * them (vm_frames_clear_accessed: a fault-around run's pages in one entry).
 * A reference a program makes to a noted page before the clearing is
 * erased with the fault's own (pagesim counts it: --clear-note).
 *
 * A major fault's own page is the exception, kept so by measurement: it is
 * noted at allocation, before its read lets the lock go, and the note is
 * often cleared before the page is mapped (a full window at the default
 * readahead 8 clears it alone), so its fault's reference stays and
 * counts as a use at its first look. Making the rule hold for it (noted
 * again as its read ends) cost shift 1.1% more major faults and hotcold
 * and shift 0.4-0.5% more busy instructions (docs/measured.md, "A major
 * fault's own reference").
 */
static struct uncounted_note note;

static void clear_fault_references(void *ctx, const struct uncounted_note *t)
{
	uint64_t pa[UNCOUNTED_FRAMES];

	(void)ctx;
	for (uint32_t k = 0; k < t->n; k++) {
		answers[t->frame[k]] = ANSWER_NONE;
		pa[k] = pa_of(t->frame[k]);
	}
	vm_frames_clear_accessed(pa, t->n);
}

/* Program time (policy_env.now): process frames allocated so far. */
static uint64_t pages_brought_in;

/* Where the insertion rule's note takes an allocation of n new frames (a
 * clearing first if it is due), or NULL if the policy's faults count. */
static inline uint32_t *note_uncounted(uint32_t n)
{
	if (pol_ops->fault_counts)
		return NULL;
	return uncounted_take(&note, n, clear_fault_references, NULL);
}

/* Every process frame is the policy's from allocation to free. */
static void observe(void *ctx, uint64_t pa, int allocated)
{
	uint32_t i = index_of(pa);
	uint32_t *noted;

	(void)ctx;
	answers[i] = ANSWER_NONE;
	if (!allocated) {
		pol_ops->remove(pol, i);
		return;
	}
	pages_brought_in++;
	pol_ops->insert(pol, i, 0);
	if ((noted = note_uncounted(1)))
		*noted = i;
}

/* n <= VM_RUN_MAX new frames from frame_alloc_run: observe for each, the
 * policy taking them in one call and the note as one allocation, the
 * frames' indices written once, into the note itself. */
static void observe_run_fits(const uint64_t *pa, unsigned n)
{
	uint32_t own[VM_RUN_MAX], *f;

	if (!(f = note_uncounted(n)))
		f = own;
	for (unsigned k = 0; k < n; k++) {
		f[k] = index_of(pa[k]);
		answers[f[k]] = ANSWER_NONE;
	}
	pages_brought_in += n;
	policy_insert_run(pol_ops, pol, f, n);
}

/* A run longer than VM_RUN_MAX, in pieces, each an allocation of its own.
 * Out of line: the VM core asks for no such run (vm.h). */
static __attribute__((noinline, cold)) void observe_run_long(const uint64_t *pa, unsigned n)
{
	for (; n > VM_RUN_MAX; pa += VM_RUN_MAX, n -= VM_RUN_MAX)
		observe_run_fits(pa, VM_RUN_MAX);
	observe_run_fits(pa, n);
}

/* A run from frame_alloc_run. own[] and the note are sized by VM_RUN_MAX;
 * a longer run goes in pieces rather than overflow them. */
static void observe_run(void *ctx, const uint64_t *pa, unsigned n)
{
	(void)ctx;
	if (n > VM_RUN_MAX) {
		observe_run_long(pa, n);
		return;
	}
	observe_run_fits(pa, n);
}

/* Whether a victim going back is still a page the policy tracks (not
 * freed or turned into something else while it was out). */
static int goes_back(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	return f && f->state == FRAME_ANON;
}

void victims_put_back(uint64_t pa)
{
	if (goes_back(pa))
		policy_put_back(pol_ops, pol, index_of(pa));
}

void victims_kept(uint64_t pa)
{
	if (goes_back(pa))
		policy_kept(pol_ops, pol, index_of(pa));
}

uint32_t victims_evicted(uint64_t pa)
{
	return policy_evicted(pol_ops, pol, index_of(pa));
}

/* The frame joined the policy when it was allocated, as a page never seen;
 * now that its contents are known to be a page evicted earlier, it joins
 * again with that page's history. */
void victims_refaulted(uint64_t pa, uint32_t shadow)
{
	policy_refaulted(pol_ops, pol, index_of(pa), shadow);
}

size_t victims_choose(uint64_t *pa, size_t max, uint32_t looks)
{
	static uint32_t idx[MAX_VICTIMS];
	struct policy_env e = { .referenced = referenced, .evictable = evictable,
				.max_looks = looks, .cheap = cheap, .will_look = will_look,
				.now = pages_brought_in };
	uint32_t n;

	expire_ahead();		/* time passed since the last choice */
	uncounted_clear(&note, clear_fault_references, NULL);
	/* With no limit (a fault waits), asked again when every frame was
	 * referenced; background reclaim, limited, never is (policy.h). */
	n = policy_isolate_retrying(pol_ops, pol, &e, idx,
				    (uint32_t)(max < MAX_VICTIMS ? max : MAX_VICTIMS));
	expire_ahead();		/* answers read for looks the call did not make */
	for (uint32_t k = 0; k < n; k++)
		pa[k] = pa_of(idx[k]);
	return n;
}

int victims_init(const struct policy_ops *ops, uint64_t seed)
{
	ram_base = frames_ram_base();
	nframes = (uint32_t)((frames_ram_end() - ram_base) / FRAME_SIZE);
	answers = calloc(nframes, 1);
	pol_ops = ops;
	pol = answers ? ops->create(nframes, seed) : NULL;
	if (pol)
		return 0;
	victims_fini();
	return -1;
}

void victims_fini(void)
{
	if (pol)
		pol_ops->destroy(pol);
	free(answers);
	pol = NULL;
	answers = NULL;
}

void victims_start(void)
{
	/* Frames already in use (init, the driver) join the policy now. */
	for (uint32_t i = 0; i < nframes; i++) {
		answers[i] = ANSWER_NONE;
		if (frame_desc(pa_of(i))->state == FRAME_ANON)
			pol_ops->insert(pol, i, 0);
	}
	frames_set_observer(observe, observe_run, NULL);
}
