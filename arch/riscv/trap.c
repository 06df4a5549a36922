/*
 * Trap dispatch: decode scause and hand each event to the generic kernel,
 * then schedule. Also the user-context accessors and the idle loop.
 */
#include "arch.h"
#include "csr.h"
#include "entry.h"
#include "abi/msg.h"
#include "abi/proc.h"
#include "console.h"
#include "thread.h"
#include "notify_timer.h"

extern char trap_vector[];
extern void fpu_save(struct arch_regs *r);
extern void fpu_restore(const struct arch_regs *r);

/*
 * Lazy FP switching: a thread runs with the FP unit off until its first FP
 * instruction traps; only then does it get FP registers, and from then on
 * they are saved and restored when another FP user takes the unit. Most
 * threads never use FP, so most switches move no FP state.
 */
static struct arch_regs *fpu_owner;	/* whose values are in the FP registers */
static int owner_dirty;			/* the owner changed them since restore */
/* sstatus holds what user_status(0) writes (SPP user, SPIE on, FS off).
 * A trap from user mode keeps that true: it sets SPP to user and SPIE to
 * the user's SIE, which sret set from SPIE. Only user_status changes FS
 * or SPIE here, and a trap taken in S-mode (which would set SPP) is a
 * panic; so a return in a thread without FP writes sstatus only when the
 * last return was an FP thread's, or at the first. */
int arch_status_plain;

void arch_trap_init(void)
{
	csr_write(stvec, (uint64_t)trap_vector);
	csr_write(sscratch, 0);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_STIE | SIE_SEIE);
	/* Let programs read cycle, time and instret (benchmarks use instret). */
	csr_write(scounteren, 7);
}

/* ecall is 4 bytes; the pc was moved past it when the call was taken. */
void arch_syscall_restart(struct arch_regs *r) { r->x[0] -= 4; }
void arch_syscall_unrestart(struct arch_regs *r) { r->x[0] += 4; }

void arch_regs_init(struct arch_regs *r, uint64_t pc, uint64_t sp, uint64_t arg)
{
	for (int i = 0; i < 32; i++) {
		r->x[i] = 0;
		r->f[i] = 0;
	}
	r->fcsr = 0;
	r->fp_on = 0;
	r->x[0] = pc;
	r->x[2] = sp;
	r->x[10] = arg;
}

void arch_regs_release(struct arch_regs *r)
{
	if (fpu_owner == r) {
		fpu_owner = NULL;
		owner_dirty = 0;
	}
}

/* Did the running FP owner write FP state? Asked before sstatus is
 * written (arch_enter_user_status) and on the slow path (trap_from_ecall,
 * user traps); a fast-path return with no sstatus write need not ask: the
 * thread ran with FP off.
 * Asked of SD, the sign bit (one branch): XS and VS are never dirty here,
 * and if they were it would only cost a spare save. */
static void fpu_note_dirty(void)
{
	if (csr_read(sstatus) & SSTATUS_SD)
		owner_dirty = 1;
}

/* Give r the FP registers, saving the previous owner's if it changed them. */
static void fpu_take(struct arch_regs *r)
{
	if (fpu_owner == r)
		return;
	csr_set(sstatus, SSTATUS_FS_INITIAL);	/* user_status follows: arch_status_plain */
	if (fpu_owner && owner_dirty)
		fpu_save(fpu_owner);
	fpu_restore(r);
	fpu_owner = r;
	owner_dirty = 0;
}

/* sstatus for a return to U-mode with interrupts on there and FP state
 * fs: off (0) unless the thread has used FP, so its first FP instruction
 * traps. */
static inline void user_status(uint64_t fs)
{
	csr_clear(sstatus, SSTATUS_SPP | SSTATUS_FS_MASK);
	csr_set(sstatus, SSTATUS_SPIE | fs);
	arch_status_plain = fs == 0;
}

/* The return of a thread that has used FP (its registers loaded first),
 * or the first after one: sstatus written. Out of line: most threads never
 * use FP. Jumped to from arch.h's returns (message stamps, if any, stored
 * in r: trap_return_msg loads them) with the registers of
 * the trap not yet restored: the IPC fast path's trap did not note whether
 * the FP owner wrote FP state (when no sstatus write is due, the thread
 * that trapped ran with FP off, so there is nothing to note). */
ASM_CALLED _Noreturn void arch_enter_user_status(struct arch_regs *r, const struct arch_regs *from)
{
	fpu_note_dirty();
	if (r->fp_on)
		fpu_take(r);
	user_status(r->fp_on ? SSTATUS_FS_CLEAN : 0);
	ARCH_JUMP("trap_return_msg", r, from);
}

_Static_assert(MSG_IN_REGS == 1, "trap_return_stamped's a0");

_Noreturn void arch_enter_user(struct arch_regs *r)
{
	arch_enter_user_pt(r, NULL);
}

static void interrupt(uint64_t cause)
{
	uint32_t irq;

	if (cause == IRQ_S_TIMER) {
		sched_timer_tick();
		notify_timer_tick(arch_ticks_to_ns(arch_time_now()));
		return;
	}
	if (cause == IRQ_S_EXTERNAL) {
		while ((irq = arch_irq_claim()) != 0)
			device_interrupt(irq);
		return;
	}
	kprintf("[kernel] unexpected interrupt %lu\n", cause);
}

static void exception(struct thread *t, uint64_t cause, uint64_t tval)
{
	switch (cause) {
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
	case EXC_INSN_PAGE_FAULT:
		fault_page(t, tval, cause == EXC_LOAD_PAGE_FAULT ? FAULT_READ :
			   cause == EXC_STORE_PAGE_FAULT ? FAULT_WRITE : FAULT_EXEC);
		return;
	case EXC_ILLEGAL:
		if (!t->regs.fp_on) {
			/* Perhaps its first FP instruction: turn FP on and retry. A
			 * truly illegal instruction traps again and ends below. */
			t->regs.fp_on = 1;
			return;
		}
		/* stval holds the instruction's bits, not an address: report the pc. */
		fault_exception(t, CAUSE_ILLEGAL, arch_pc(&t->regs), "illegal instruction");
		return;
	case EXC_INSN_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		fault_exception(t, CAUSE_MISALIGNED, tval, "misaligned access");
		return;
	case EXC_INSN_ACCESS:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
		fault_exception(t, CAUSE_BAD_TRAP, tval, "access fault");
		return;
	default:
		fault_exception(t, CAUSE_BAD_TRAP, tval, "breakpoint or unknown exception");
		return;
	}
}

/* Called from trap_vector with the current thread's user context saved. */
ASM_CALLED _Noreturn void trap_from_user(void)
{
	uint64_t cause = csr_read(scause);
	uint64_t tval = csr_read(stval);
	struct thread *t = sched_current();

	fpu_note_dirty();
	if (cause & SCAUSE_INTERRUPT)
		interrupt(cause & ~SCAUSE_INTERRUPT);
	else
		exception(t, cause, tval);
	schedule();
}

/* Called first from ecall_entry, what a system call keeps saved in the
 * current thread's context r (in a2), the call's a0, a1 and number (a7)
 * still in their registers, so the fast path loads none of them: the IPC
 * fast path, which returns only if it cannot do the call (then
 * trap_from_ecall). No frame of its own. */
ASM_CALLED void trap_ecall_fast(uint64_t a0, uint64_t a1, struct arch_regs *r, uint64_t a3,
				uint64_t a4, uint64_t a5, uint64_t a6, uint64_t n)
{
	(void)a3, (void)a4, (void)a5, (void)a6;
	fastpath_syscall(a0, a1, r, n);
}

ASM_CALLED _Noreturn void trap_from_ecall(void)
{
	fpu_note_dirty();
	syscall_entry(sched_current());
}

ASM_CALLED _Noreturn void trap_from_kernel(void)
{
	panic("trap in kernel mode: scause %lx stval %lx sepc %lx",
	      csr_read(scause), csr_read(stval), csr_read(sepc));
}

static uint64_t idle_ticks;

uint64_t arch_idle_ticks(void)
{
	return idle_ticks;
}

void arch_idle(void)
{
	uint64_t pending, start = arch_time_now();

	wfi();
	idle_ticks += arch_time_now() - start;
	pending = csr_read(sip);
	if (pending & (1UL << IRQ_S_TIMER))
		interrupt(IRQ_S_TIMER);
	if (pending & (1UL << IRQ_S_EXTERNAL))
		interrupt(IRQ_S_EXTERNAL);
}

uint64_t arch_instret(void)
{
	return csr_read(instret);
}
