/*
 * The hooks generic kernel code calls; the only arch header kernel/ includes.
 * Everything about CSRs, PTE bits, SBI and trap frames stays behind it.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>
#include <stddef.h>
#include "abi/msg.h"
#include "csr.h"

#define KERNBASE 0xFFFFFFC000000000UL

/* A thread's user context: x[0] holds the pc (x0 is hard-wired to zero, so
 * its slot is free), x[1..31] the integer registers, then the FP state. */
struct arch_regs {
	uint64_t x[32];
	uint64_t f[32];
	uint64_t fcsr;
	uint64_t fp_on;		/* has used the FP unit: its f[] are live */
};

static inline void *pa_to_kva(uint64_t pa)
{
	return (void *)(pa + KERNBASE);
}

static inline uint64_t kva_to_pa(const void *kva)
{
	return (uint64_t)kva - KERNBASE;
}

/* Registers as system-call arguments and results: a7 the number, a0..a5
 * the arguments (x[10..15], in place: a handler reads them from the saved
 * context), a0 the result. Inline: every system call goes through them. */
static inline uint64_t arch_syscall_number(const struct arch_regs *r) { return r->x[17]; }
static inline const uint64_t *arch_syscall_args(const struct arch_regs *r) { return &r->x[10]; }
static inline void arch_set_result(struct arch_regs *r, int64_t v) { r->x[10] = (uint64_t)v; }

/* The register form of a message (abi/msg.h): label and w[] in a2..a6,
 * t0, t1 both ways; received with a0 = MSG_IN_REGS, a1 = pid | tid << 32,
 * a7 = origin. */
_Static_assert(MSG_WORDS == 6, "the register form carries six words");
static inline uint64_t arch_msg_label(const struct arch_regs *r) { return r->x[12]; }
/* w[i] of the message r sent in registers: a3..a6, then t0, t1. */
static inline uint64_t arch_msg_word(const struct arch_regs *r, int i)
{
	return i < 4 ? r->x[13 + i] : r->x[1 + i];
}

/* reply_recv_release's release word (abi/msg.h): t2. */
static inline uint64_t arch_msg_release(const struct arch_regs *r) { return r->x[7]; }

/* The header-only message system call r sent in registers, into k. */
static inline void arch_msg_read(const struct arch_regs *r, struct msg *k)
{
	k->label = r->x[12];
	k->len = 0;
	k->handle = -1;
	k->rights = 0;
	k->w[0] = r->x[13];
	k->w[1] = r->x[14];
	k->w[2] = r->x[15];
	k->w[3] = r->x[16];
	k->w[4] = r->x[5];
	k->w[5] = r->x[6];
}

/* A sender's pid and tid as the register form hands them over: one word,
 * kept ready in the thread record (it never changes) so a delivery only
 * copies it. */
static inline uint64_t arch_msg_ids(uint32_t pid, uint32_t tid)
{
	return pid | (uint64_t)tid << 32;
}

/* Mark r's system call as having received a message in registers, with
 * the kernel's stamps, ids from arch_msg_ids() (label and w[] written
 * apart, or passed on by arch_enter_user_msg). */
static inline void arch_msg_stamp(struct arch_regs *r, uint64_t ids, uint32_t origin)
{
	r->x[10] = MSG_IN_REGS;
	r->x[11] = ids;
	r->x[17] = origin;
}

/* Hand label and w[] to the thread of r as a received message (ids from
 * arch_msg_ids()). */
static inline void arch_msg_write(struct arch_regs *r, uint64_t label, const uint64_t *w,
				  uint64_t ids, uint32_t origin)
{
	arch_msg_stamp(r, ids, origin);
	r->x[12] = label;
	r->x[13] = w[0];
	r->x[14] = w[1];
	r->x[15] = w[2];
	r->x[16] = w[3];
	r->x[5] = w[4];
	r->x[6] = w[5];
}

/* Make the system call that trapped run again on return (or not: undo). */
void arch_syscall_restart(struct arch_regs *r);
void arch_syscall_unrestart(struct arch_regs *r);
static inline uint64_t arch_pc(const struct arch_regs *r) { return r->x[0]; }
/* A fresh user context starting at pc with the given stack and a0 = arg. */
void arch_regs_init(struct arch_regs *r, uint64_t pc, uint64_t sp, uint64_t arg);
/* Forget r as the owner of the FP registers (its thread is going away). */
void arch_regs_release(struct arch_regs *r);
/* Restore r and sret to user mode (arch_enter_user_pt and
 * arch_enter_user_msg, below, also switch address spaces). */
_Noreturn void arch_enter_user(struct arch_regs *r);

/* Address spaces: the kernel half is shared by all; the user half is per
 * process. Permissions are MAP_R/W/X from abi/vm.h. */
struct budget;

struct arch_pt {
	uint64_t *root;		/* kernel address of the root table */
	/* The satp value that loads root: a copy made with root (mmu.c,
	 * arch_pt_create; cleared with it), which never moves. Kept for
	 * speed: every switch to a process loads it, and made at each
	 * switch it cost the IPC round trip 400 -> 412 instructions and a
	 * faultaround=0 fault 1,893 -> 1,905 (scripts/bench, session 9). */
	uint64_t satp;
	uint64_t pages;		/* table pages in use, root included */
	uint64_t limit;		/* table pages it may hold; 0: no limit */
	/* Charged a page for each table page, root included (set before
	 * arch_pt_create; NULL: none): its process's (kernel/budget.h). */
	struct budget *budget;
	/* Which check refused the table a call below last failed for with
	 * -ERR_NOMEM (enum arch_pt_refusal), noted as it refused: good to
	 * read straight after that call, before any other on pt, and stale
	 * otherwise (a success writes nothing here, so a fault's map pays
	 * nothing for it). */
	uint32_t refused;
};

/* Why a page table was refused: pt->limit reached, its budget's limit
 * reached (budget_charge), or the kernel's pool empty. */
enum arch_pt_refusal {
	ARCH_PT_REFUSED_LIMIT = 1,
	ARCH_PT_REFUSED_BUDGET,
	ARCH_PT_REFUSED_POOL,
};

/* The way out (regs.c, return.S). Inline, as the last step of every kernel
 * path and of the IPC fast path: the common case is two tests and a jump,
 * with no frame (a call to a function that does not return keeps one). */
extern int arch_status_plain;	/* sstatus needs no write for a thread
				 * without FP (regs.c's user_status) */
#ifndef ARCH_JUMP	/* a host test defines its own way out (test_kernel_sched.c) */
#define ARCH_JUMP(label, r, from)                                                        \
	do {                                                                             \
		register struct arch_regs *a0_ __asm__("a0") = (r);                      \
		register const struct arch_regs *a1_ __asm__("a1") = (from);             \
		__asm__ volatile("j " label : : "r"(a0_), "r"(a1_) : "memory");          \
		__builtin_unreachable();                                                 \
	} while (0)
#endif

/* The same to trap_return_stamped (return.S), with the stamps ids and
 * origin too (a host test's own: test_kernel_fastpath.c). The registers
 * are bound here, not before: on arch_enter_user_msg's other branch they
 * would cost moves. */
#ifndef ARCH_JUMP_STAMPED
#define ARCH_JUMP_STAMPED(r, from, ids, origin)                                          \
	do {                                                                             \
		register struct arch_regs *a0_ __asm__("a0") = (r);                      \
		register const struct arch_regs *a1_ __asm__("a1") = (from);             \
		register uint64_t a2_ __asm__("a2") = (ids);                             \
		register uint64_t a3_ __asm__("a3") = (origin);                          \
		__asm__ volatile("j trap_return_stamped"                                 \
				 : : "r"(a0_), "r"(a1_), "r"(a2_), "r"(a3_) : "memory");   \
		__builtin_unreachable();                                                 \
	} while (0)
#endif

/* Load pt, if not NULL, and whether r returns with no sstatus write. */
__attribute__((always_inline)) static inline int arch_plain_return(const struct arch_regs *r,
								const struct arch_pt *pt)
{
	if (pt)
		satp_load(pt->satp);
	return !r->fp_on && arch_status_plain;
}

/* Restore r and sret to user mode, in the address space of pt if not
 * NULL (loaded here, so that a switch makes no call on its way). */
__attribute__((always_inline)) _Noreturn static inline void
arch_enter_user_pt(struct arch_regs *r, const struct arch_pt *pt)
{
	if (!arch_plain_return(r, pt))
		ARCH_JUMP("arch_enter_user_status", r, r);	/* regs.c */
	ARCH_JUMP("trap_return_msg", r, r);			/* return.S */
}

/* The same, but with a message in registers (abi/msg.h's register form):
 * label and w[] straight from the saved context `from` of the thread that
 * sent them, r's slots for them left stale (every trap saves them again),
 * and the stamps (arch_msg_stamp's) put in the registers on the way, not
 * stored in r. */
__attribute__((always_inline)) _Noreturn static inline void
arch_enter_user_msg(struct arch_regs *r, const struct arch_regs *from, uint64_t ids,
		    uint32_t origin, const struct arch_pt *pt)
{
	if (!arch_plain_return(r, pt)) {
		arch_msg_stamp(r, ids, origin);
		ARCH_JUMP("arch_enter_user_status", r, from);
	}
	ARCH_JUMP_STAMPED(r, from, ids, origin);
}

/* pt's root table, charged to pt->budget: 0, or -ERR_NOMEM (pt->refused
 * says why). */
int arch_pt_create(struct arch_pt *pt);
void arch_pt_destroy(struct arch_pt *pt);
/* Give back pt's tables left empty (kept by HARVEST_UNMAP for a page's
 * next fault), the TLB flushed if any went: how many pages went; 0 for a
 * pt with no root. Its process's cached translations are the caller's to
 * forget (usercopy_forget). */
uint64_t arch_pt_prune(struct arch_pt *pt);
/* Map va's page to pa; -ERR_NOMEM if a table it needs is past pt's limit
 * or its budget's even once pt's tables left empty are given back (those
 * of the other processes sharing the budget are not: kernel/budget_members.c's
 * budget_prune, for the caller to try again), or the pool has none
 * (pt->refused says which, for each call below that makes tables);
 * -ERR_INVAL if a larger leaf (a 2 MiB page) holds va: the caller's error,
 * not a shortage (so for every call below that makes tables).
 * arch_pt_map_2m maps the 2 MiB page at va (aligned), -ERR_INVAL too if a
 * leaf table is there already (4 KiB pages mapped, or once mapped). */
int arch_pt_map(struct arch_pt *pt, uint64_t va, uint64_t pa, unsigned perm);
int arch_pt_map_2m(struct arch_pt *pt, uint64_t va, uint64_t pa, unsigned perm);
/* Make the page tables that the n pages from va need, mapping nothing, so
 * that arch_pt_map of any of them cannot fail: 0, or with the tables left
 * as they were -ERR_NOMEM (pt->limit, its budget or the pool: pt->refused
 * says which, though the tables it gave back may leave room now) or
 * -ERR_INVAL (a larger leaf is there, or a va is not user). */
int arch_pt_prepare(struct arch_pt *pt, uint64_t va, uint64_t n);
/* Remove the mappings of the n pages from va on (those there are): the
 * range is going away, and each leaf table it leaves empty goes too. */
void arch_pt_unmap(struct arch_pt *pt, uint64_t va, uint64_t n);
/* New permissions for va's page; its accessed bit stays what it was (a
 * change of permission is no access: the pager reads the bit as the
 * program's use of the page, and a look that cleared it must not find it
 * set again by the protect that follows), and so does its dirty bit (a
 * write that happened is not forgotten), unless W comes without MAP_CLEAN
 * (then it is set as a map would set it). A bit left clear is set by the
 * hart on the next access (Svadu, as QEMU does) or by the kernel on the
 * fault it raises instead (Svade: arch_pt_ad_fault). */
int arch_pt_protect(struct arch_pt *pt, uint64_t va, unsigned perm);
/* A hart that raises a page fault for a clear A bit, or a store's clear D
 * bit, instead of setting it (Svade): set when arch_pt_ad_fault first
 * meets one (root.c maps the root task's stack clean, so its first store to
 * its stack finds out); until then a fault's page is not looked at, which costs the
 * hart that sets the bits itself nothing on the fault path. */
extern int arch_ad_by_fault;
/* Whether the fault of an access (enum fault_access) at va was only a
 * clear A or D bit of a user page the access is allowed: 1, and the bit
 * set (the access completes when retried), else 0 (the pager's fault). */
int arch_pt_ad_fault(struct arch_pt *pt, uint64_t va, unsigned access);
/* Physical address of user address va if a user mapping allows the access
 * (need_write: a store), else 0. */
uint64_t arch_pt_translate(const struct arch_pt *pt, uint64_t va, int need_write);
/* The last leaf table a harvest walked to, kept across the entries of one
 * call (mmu.c's map runs, copies and unmaps keep one too). Start it
 * zeroed; it is good for that call only (tables may go between calls: a
 * harvest frees none, arch_pt_unmap only as its own cursor leaves one). */
#define ARCH_PT_RANGE_SHIFT 21	/* one leaf table maps 2 MiB */
#define ARCH_PT_GIGA_SHIFT 30	/* one root entry maps 1 GiB */
struct arch_pt_cursor {
	struct arch_pt *pt;	/* NULL: nothing kept */
	uint64_t range;		/* va >> ARCH_PT_RANGE_SHIFT of the range kept */
	uint64_t *leaves;	/* its leaf table; NULL: no 4 KiB pages there */
};
/* For each of b[0..n) (abi/vm.h's struct harvest_entry, all of pt's
 * process): read the accessed and dirty bits of its va's page (enum
 * harvest_bits) into its bits, after clearing those its bits named and,
 * with HARVEST_PROTECT, write permission (HARVEST_UNMAP: the whole leaf
 * goes, its table stays); a run entry (HARVEST_RUN_SHIFT)
 * does so for each of its pages and gets their OR. One call for a run of entries of
 * one process, the loop in here: a call an entry cost more than the
 * entry's own work. The caller flushes the TLB once for a batch. Every va
 * must be a user page, not checked again here: sys_harvest checks every
 * entry before any acts, and on one hart, the kernel never preempted, no
 * user thread can change an entry in between (harvest_in_place's). */
struct harvest_entry;
void arch_pt_harvest_run(struct arch_pt *pt, struct arch_pt_cursor *c, struct harvest_entry *b,
			 size_t n);
/* arch_pt_map for each of e[0..n) (abi/vm.h's struct map_entry), in
 * order, stopping at the first that fails (its error is returned). The
 * upper levels are walked only when the 2 MiB range changes: once or
 * twice for a fault-around run. */
struct map_entry;
int arch_pt_map_run(struct arch_pt *pt, const struct map_entry *e, size_t n);
/* For each 4 KiB user page from maps in [va, va + n pages): the same
 * frame mapped in to at va with perm (arch_pt_map's bits), up to the
 * first table that cannot be made (-ERR_NOMEM, or -ERR_INVAL for a 2 MiB
 * page of to's in the way; those before it stay).
 * A span of from with no leaf table is skipped whole, as arch_pt_unmap
 * skips one. The caller checks the range and flushes the TLB. */
int arch_pt_copy_range(struct arch_pt *from, struct arch_pt *to, uint64_t va, uint64_t n,
		       unsigned perm);
/* (A process's table is loaded by arch_enter_user_pt/_msg on the way out.)
 * Load the boot table (kernel half only), e.g. before freeing the active one. */
void arch_pt_activate_kernel(void);
void arch_tlb_flush(void);

/* Boot, console, time, power. */
void arch_console_init(uint64_t uart_base);
void arch_console_putc(char c);
void arch_timer_init(uint64_t timebase_hz);
uint64_t arch_time_now(void);		/* timer ticks since boot */
uint64_t arch_ticks_to_ns(uint64_t ticks);
uint64_t arch_ns_to_ticks(uint64_t ns);
void arch_timer_set(uint64_t deadline);	/* in ticks */
void arch_trap_init(void);
uint64_t arch_idle_ticks(void);	/* timer ticks spent asleep so (idle.c) */
void arch_set_finisher(uint64_t base);
/* The interrupt controller: sources 1..ndev-1. */
void arch_irq_init(uint64_t plic_base, uint32_t ndev);
int arch_irq_enable(uint32_t irq);
void arch_irq_disable(uint32_t irq);
uint32_t arch_irq_claim(void);		/* 0: none pending */
void arch_irq_complete(uint32_t irq);
_Noreturn void arch_poweroff(int status);

#endif
