/*
 * A thread's user context: a fresh one, a system call run again, and the
 * way back to user mode, which hands out the FP registers lazily.
 */
#include "arch.h"
#include "csr.h"
#include "entry.h"
#include "regs.h"

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

/* Asked of SD, the sign bit (one branch): XS and VS are never dirty here,
 * and if they were it would only cost a spare save. */
void fpu_note_dirty(void)
{
	if (csr_read(sstatus) & SSTATUS_SD)
		owner_dirty = 1;
}

int fpu_first_use(struct arch_regs *r)
{
	if (r->fp_on)
		return 0;
	r->fp_on = 1;
	return 1;
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
	csr_clear(sstatus, SSTATUS_SPP | SSTATUS_FS_MASK | SSTATUS_VS_MASK);
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
