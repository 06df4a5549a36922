/*
 * Trap dispatch: decode scause and hand each event to the generic kernel,
 * then leave in the thread to run next, idling until one is ready.
 */
#include "arch.h"
#include "csr.h"
#include "entry.h"
#include "regs.h"
#include "idle.h"
#include "abi/msg.h"
#include "abi/proc.h"
#include "console.h"
#include "thread.h"
#include "notify_timer.h"

extern char trap_vector[];

void arch_trap_init(void)
{
	csr_write(stvec, (uint64_t)trap_vector);
	csr_write(sscratch, 0);
	/* The vector unit off for good (firmware may have turned it on): the
	 * kernel neither saves nor switches its registers, so a program's
	 * vector instruction is an illegal one, never another's registers. */
	csr_clear(sstatus, SSTATUS_SIE | SSTATUS_VS_MASK);
	csr_set(sie, SIE_STIE | SIE_SEIE);
	/* Let programs read cycle, time and instret (benchmarks use instret). */
	csr_write(scounteren, 7);
}

/* Out of line: its handlers need registers that every trap's way in would
 * otherwise save, a page fault's too. */
__attribute__((noinline)) static void interrupt(uint64_t cause)
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
		if (fpu_first_use(&t->regs))
			return;		/* retried with FP on */
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

/* Nothing is ready: sleep, take the interrupts that woke the hart (they
 * stay masked in the kernel, so none traps) and look again, until a thread
 * runs. Out of line: every way out would otherwise save the registers it
 * keeps across its calls. */
__attribute__((noinline)) _Noreturn static void idle(void)
{
	for (;;) {
		uint64_t pending = idle_wait();

		if (pending & (1UL << IRQ_S_TIMER))
			interrupt(IRQ_S_TIMER);
		if (pending & (1UL << IRQ_S_EXTERNAL))
			interrupt(IRQ_S_EXTERNAL);
		sched_run_first();
	}
}

/* Leave the kernel in the thread to run next, the hart asleep and taking
 * interrupts while none is ready: the end of every trap, and of boot
 * (entry.S calls it once kmain returns). */
ASM_CALLED _Noreturn void arch_kernel_exit(void)
{
	schedule();
	idle();
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
	arch_kernel_exit();
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
	syscall_after_fastpath();
	arch_kernel_exit();
}

ASM_CALLED _Noreturn void trap_from_kernel(void)
{
	panic("trap in kernel mode: scause %lx stval %lx sepc %lx",
	      csr_read(scause), csr_read(stval), csr_read(sepc));
}
