/*
 * Calls into the SBI firmware (OpenSBI), the timer built on it, the
 * console UART and power-off through the virt machine's test finisher.
 */
#include "arch.h"
#include "csr.h"
#include "abi/clock.h"
#include "arch_time.h"

#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_LEGACY_PUTCHAR 0x01

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){ r_a0, r_a1 };
}

static uint64_t timebase;

void arch_timer_init(uint64_t timebase_hz)
{
	timebase = timebase_hz;
}

uint64_t arch_time_now(void)
{
	return arch_time_read();
}

uint64_t arch_ticks_to_ns(uint64_t ticks)
{
	return clock_ticks_to_ns(ticks, timebase);
}

uint64_t arch_ns_to_ticks(uint64_t ns)
{
	return clock_ns_to_ticks(ns, timebase);
}

void arch_timer_set(uint64_t deadline)
{
	sbi_call(SBI_EXT_TIME, 0, (long)deadline, 0, 0);
}

/* ns16550a: transmit holding register at 0, line status at 5 (bit 5: THR empty). */
static volatile uint8_t *uart;

void arch_console_init(uint64_t uart_base)
{
	uart = pa_to_kva(uart_base);
}

void arch_console_putc(char c)
{
	/* Before the device tree is read (or without a UART): the SBI legacy
	 * console, slow but always there. */
	if (!uart) {
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0);
		return;
	}
	while (!(uart[5] & 0x20))
		;
	uart[0] = (uint8_t)c;
}

/* The sifive,test0 finisher: 0x5555 = pass, (status << 16) | 0x3333 = fail. */
static volatile uint32_t *finisher;

void arch_set_finisher(uint64_t base)
{
	finisher = base ? pa_to_kva(base) : NULL;
}

_Noreturn void arch_poweroff(int status)
{
	uint32_t code = (uint32_t)status & 0xffff;

	if (finisher)
		*finisher = code == 0 ? 0x5555 : (code << 16) | 0x3333;
	/* No finisher: SBI system reset (shutdown; "system failure" reason if status != 0). */
	sbi_call(SBI_EXT_SRST, 0, 0, code == 0 ? 0 : 1, 0);
	for (;;)
		wfi();
}
