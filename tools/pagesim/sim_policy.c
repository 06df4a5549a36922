/*
 * sim_policy (sim.h): one pager policy over a trace, driven through its
 * policy_env as the pager's victim choice drives it, on a frame table with
 * accessed and dirty bits, the pager's shadow table, and the two experiments
 * sim_params names: late clearing of the fault's bit and victims in batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swap/shadow.h"
#include "sim.h"
#include "sim_params.h"

#define NONE SIM_NONE

/* The frames, their bits and the pages in them. */
struct frame_table {
	uint32_t nframes;
	uint32_t used;		/* frames 0 .. used - 1 have held a page */
	uint32_t *owner;	/* per frame: its page */
	uint32_t *where;	/* per page: its frame, or NONE */
	uint8_t *accessed;	/* per frame: referenced since the policy last looked */
	uint8_t *dirty;		/* per frame: written since it was brought in */
	int bad_frame;		/* the policy asked about a frame out of range */
	struct shadow_table *shadows;	/* evicted pages' history, by page */
	/* Frames a look freed beyond the one its fault took, used in the
	 * policy's order: spare[next .. next + nspare - 1]. */
	uint32_t *spare;
	uint32_t nspare, next;
	uint32_t victims;	/* asked for per look, at least 1 */
};

/* The late clearing: frames whose fault set their accessed bit, with the
 * fault count at which it is cleared, in order of that count (never, for
 * the pager's note, cleared when full). A look clears them all first, so a
 * noted frame is never a victim while noted: at most min(delay or note,
 * frames) are noted. */
struct late_note {
	uint32_t delay;		/* faults a bit stays set */
	uint32_t note;		/* or frames noted; both 0: the bit is clear at once */
	uint32_t cap, head, count;	/* a ring */
	uint32_t *frame;
	uint64_t *due;		/* the fault count that clears it */
};

/* One sim_policy call's state. */
struct policy_run {
	struct frame_table ft;
	struct late_note late;
	const struct policy_ops *ops;
	struct policy *pol;
	uint8_t fault_bit;	/* the insertion rule's bit */
};

static int frames_init(struct frame_table *ft, const struct trace *t, uint32_t nframes,
		       uint32_t shadows_per_frame, uint32_t victims)
{
	ft->nframes = nframes;
	ft->victims = victims < 1 ? 1 : victims < nframes ? victims : nframes;
	ft->owner = sim_calloc(nframes, sizeof(*ft->owner));
	ft->where = sim_calloc(t->npages, sizeof(*ft->where));
	ft->accessed = sim_calloc(nframes, 1);
	ft->dirty = sim_calloc(nframes, 1);
	ft->spare = sim_calloc(ft->victims, sizeof(*ft->spare));
	ft->shadows = shadow_create(nframes, shadows_per_frame);
	if (!ft->owner || !ft->where || !ft->accessed || !ft->dirty || !ft->spare ||
	    !ft->shadows)
		return -1;
	sim_fill_none(ft->where, t->npages);
	return 0;
}

static void frames_fini(struct frame_table *ft)
{
	free(ft->owner);
	free(ft->where);
	free(ft->accessed);
	free(ft->dirty);
	free(ft->spare);
	if (ft->shadows)
		shadow_destroy(ft->shadows);
}

/* ---- the late clearing ---- */

static int late_init(struct late_note *ln, uint32_t delay, uint32_t note, uint32_t nframes)
{
	uint32_t want = delay ? delay : note;

	ln->delay = delay;
	ln->note = note;
	ln->cap = want < nframes ? want : nframes;
	ln->frame = sim_calloc(ln->cap, sizeof(*ln->frame));
	ln->due = sim_calloc(ln->cap, sizeof(*ln->due));
	return ln->frame && ln->due ? 0 : -1;
}

static void late_fini(struct late_note *ln)
{
	free(ln->frame);
	free(ln->due);
}

/* Clear the noted bits whose clearing is due at fault count now (all of
 * them for UINT64_MAX: a look is coming). */
static void late_clear_due(struct late_note *ln, struct frame_table *ft, uint64_t now)
{
	while (ln->count && ln->due[ln->head] <= now) {
		ft->accessed[ln->frame[ln->head]] = 0;
		ln->head = (ln->head + 1) % ln->cap;
		ln->count--;
	}
}

/* Frame f was just faulted in at fault count now: its bit stays set
 * (the fault's reference, and any made before the clearing) for delay more
 * faults, or while the note it joins (cleared first if full) is not full. */
static void late_note(struct late_note *ln, struct frame_table *ft, uint32_t f, uint64_t now)
{
	uint32_t tail;

	if (ln->count == ln->cap)
		late_clear_due(ln, ft, UINT64_MAX);
	tail = (ln->head + ln->count) % ln->cap;
	ft->accessed[f] = 1;
	ln->frame[tail] = f;
	ln->due[tail] = ln->note ? UINT64_MAX : now + ln->delay;
	ln->count++;
}

/* ---- the policy's view of the frames ---- */

/* What the hardware's accessed bit gives the pager: test and clear. */
static int env_referenced(void *ctx, uint32_t frame)
{
	struct frame_table *ft = ctx;
	int was;

	if (frame >= ft->nframes) {
		ft->bad_frame = 1;
		return 0;
	}
	was = ft->accessed[frame];
	ft->accessed[frame] = 0;
	return was;
}

/* Nothing is pinned or under I/O in a simulation. */
static int env_evictable(void *ctx, uint32_t frame)
{
	(void)ctx;
	(void)frame;
	return 1;
}

/* A clean page costs nothing to drop: its copy is where it came from. */
static int env_cheap(void *ctx, uint32_t frame)
{
	struct frame_table *ft = ctx;

	return frame < ft->nframes && !ft->dirty[frame];
}

/* ---- victims ---- */

/* Evict the page in frame v (its write-back counted, its shadow kept). */
static void evict(struct policy_run *s, uint32_t v, struct sim_result *r)
{
	struct frame_table *ft = &s->ft;
	uint32_t shadow;

	ft->where[ft->owner[v]] = NONE;
	if (ft->dirty[v])
		r->writebacks++;
	shadow = policy_evicted(s->ops, s->pol, v);
	if (shadow)
		shadow_store(ft->shadows, ft->owner[v], shadow);
}

/* 0 if the n victims named are frames holding pages, each named once. */
static int check_victims(struct policy_run *s, const uint32_t *v, uint32_t n, char *err,
			 size_t errlen)
{
	struct frame_table *ft = &s->ft;

	for (uint32_t k = 0; k < n && !ft->bad_frame; k++) {
		int dup = 0;

		for (uint32_t j = 0; j < k; j++)
			dup |= v[j] == v[k];
		if (v[k] < ft->used && !dup)
			continue;
		pagesim_error(err, errlen, "policy %s: isolate(max %u) gave frame %u of %u%s",
			s->ops->name, ft->victims, v[k], ft->used, dup ? " twice" : "");
		return -1;
	}
	if (ft->bad_frame)
		pagesim_error(err, errlen, "policy %s: isolate asked about a frame out of range",
			s->ops->name);
	return ft->bad_frame ? -1 : 0;
}

/* Ask the policy for up to ft->victims victims, as the pager's reclaim asks
 * (policy_isolate_retrying: a call that finds none is followed by up to two
 * more, since the first cleared the bits it looked at), after the late
 * clearing's note, as the pager clears it before the policy looks. Evict
 * them; the first frame is returned, the rest kept as spare. NONE if the
 * policy failed (err says how): with every frame evictable, no victim in
 * three calls is a policy bug. */
static uint32_t look(struct policy_run *s, struct sim_result *r, char *err, size_t errlen)
{
	struct frame_table *ft = &s->ft;
	/* Program time is pages brought in, as in the pager: the misses. */
	const struct policy_env env = { .referenced = env_referenced,
					.evictable = env_evictable, .ctx = ft,
					.cheap = env_cheap, .now = r->faults };
	uint32_t n;

	late_clear_due(&s->late, ft, UINT64_MAX);
	n = policy_isolate_retrying(s->ops, s->pol, &env, ft->spare, ft->victims);
	if (n == 0) {
		pagesim_error(err, errlen, "policy %s: isolate found no victim among %u frames "
			"in three calls, all evictable", s->ops->name, ft->used);
		return NONE;
	}
	if (n > ft->victims) {
		pagesim_error(err, errlen, "policy %s: isolate(max %u) gave %u victims",
			s->ops->name, ft->victims, n);
		return NONE;
	}
	if (check_victims(s, ft->spare, n, err, errlen))
		return NONE;
	for (uint32_t k = 0; k < n; k++)
		evict(s, ft->spare[k], r);
	ft->next = 1;
	ft->nspare = n - 1;
	return ft->spare[0];
}

/* The frame for a missing page: a free one, else one a look freed, else a
 * new look's first victim. NONE if the policy failed. */
static uint32_t frame_for_miss(struct policy_run *s, struct sim_result *r, char *err,
			       size_t errlen)
{
	struct frame_table *ft = &s->ft;

	if (ft->used < ft->nframes)
		return ft->used++;
	if (ft->nspare) {
		ft->nspare--;
		return ft->spare[ft->next++];
	}
	return look(s, r, err, errlen);
}

/* ---- the replay ---- */

/* The fault at reference i of page: 0, or -1 if the policy failed. */
static int fault(struct policy_run *s, const struct trace *t, size_t i, struct sim_result *r,
		 char *err, size_t errlen)
{
	struct frame_table *ft = &s->ft;
	uint32_t page = t->dense[i];
	/* Its shadow first: the victim's, stored next, might push it out of
	 * a full set. */
	uint32_t shadow = shadow_take(ft->shadows, page);
	uint32_t f;

	r->faults++;
	r->remembered += shadow != 0;
	late_clear_due(&s->late, ft, r->faults);
	f = frame_for_miss(s, r, err, errlen);
	if (f == NONE)
		return -1;
	ft->owner[f] = page;
	ft->where[page] = f;
	ft->dirty[f] = t->refs[i].write;
	ft->accessed[f] = s->fault_bit;
	if (s->late.cap && !s->fault_bit)
		late_note(&s->late, ft, f, r->faults);
	s->ops->insert(s->pol, f, shadow);
	return 0;
}

static int replay(struct policy_run *s, const struct trace *t, struct sim_result *r, char *err,
		  size_t errlen)
{
	struct frame_table *ft = &s->ft;

	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t f = ft->where[t->dense[i]];

		if (f == NONE) {
			if (fault(s, t, i, r, err, errlen))
				return -1;
			continue;
		}
		ft->accessed[f] = 1;
		ft->dirty[f] |= t->refs[i].write;
	}
	if (s->ops->tracked(s->pol) != ft->used - ft->nspare) {
		pagesim_error(err, errlen, "policy %s: tracks %u frames at the end, %u hold pages",
			s->ops->name, s->ops->tracked(s->pol), ft->used - ft->nspare);
		return -1;
	}
	return 0;
}

uint8_t sim_fault_bit(const struct policy_ops *ops, enum sim_insert_bit bit)
{
	if (bit == SIM_BIT_POLICY)
		return ops->fault_counts != 0;
	return bit == SIM_BIT_SET;
}

int sim_params_check(const struct sim_params *p, char *err, size_t errlen)
{
	if (p->clear_delay > SIM_CLEAR_DELAY_MAX || p->clear_note > SIM_CLEAR_DELAY_MAX)
		pagesim_error(err, errlen, "%s: at most %u",
			p->clear_delay > SIM_CLEAR_DELAY_MAX ? "--clear-delay" : "--clear-note",
			SIM_CLEAR_DELAY_MAX);
	else if (p->clear_delay && p->clear_note)
		pagesim_error(err, errlen, "give --clear-delay or --clear-note, not both");
	else if ((p->clear_delay || p->clear_note) && p->insert_bit == SIM_BIT_SET)
		pagesim_error(err, errlen, "--clear-delay and --clear-note delay clearing the "
			"fault's accessed bit, which --insert-bit set keeps");
	else if (p->victims > SIM_VICTIMS_MAX)
		pagesim_error(err, errlen, "--victims: at most %u", SIM_VICTIMS_MAX);
	else
		return 0;
	return -1;
}

int sim_policy(const struct trace *t, const struct policy_ops *ops, const struct sim_params *p,
	       struct sim_result *r, char *err, size_t errlen)
{
	struct policy_run s = { .ops = ops, .fault_bit = sim_fault_bit(ops, p->insert_bit) };
	uint32_t nframes = sim_frames_needed(t, p->frames);
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->refs = t->nrefs;
	if (!p->frames) {
		pagesim_error(err, errlen, "frames must be at least 1");
		return -1;
	}
	if (sim_params_check(p, err, errlen))
		return -1;
	if (frames_init(&s.ft, t, nframes, policy_shadows_per_frame(ops), p->victims) ||
	    late_init(&s.late, p->clear_delay, p->clear_note, nframes) ||
	    !(s.pol = ops->create(nframes, p->seed)))
		pagesim_error(err, errlen, "policy %s: out of memory for %u frames", ops->name, nframes);
	else
		ret = replay(&s, t, r, err, errlen);
	if (s.pol)
		ops->destroy(s.pol);
	late_fini(&s.late);
	frames_fini(&s.ft);
	return ret;
}
