/*
 * Accessed and dirty bits, end to end: the hardware (QEMU) sets them in
 * the page table, the kernel's harvest call reads and clears them with one
 * TLB flush, and the pager hands them over (PAGER_PAGE_BITS).
 */
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"
#include "pager_client.h"
#include "tests.h"

#define ACCESSED_ONLY (HARVEST_PRESENT | HARVEST_ACCESSED)
#define ALL_BITS (HARVEST_PRESENT | HARVEST_ACCESSED | HARVEST_DIRTY)

int test_harvest_bits(void)
{
	volatile uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(page != MAP_FAILED);
	CHECK_EQ(pager_page_bits((const void *)page), 0);	/* not there yet */
	page[0] = 1;					/* fault: mapped, written */
	CHECK_EQ(pager_page_bits((const void *)page), ALL_BITS);
	CHECK_EQ(pager_page_bits((const void *)page), HARVEST_PRESENT);	/* cleared */
	CHECK_EQ(page[1], 0);					/* a read */
	CHECK_EQ(pager_page_bits((const void *)page), ACCESSED_ONLY);
	page[2] = 3;						/* a write */
	CHECK_EQ(pager_page_bits((const void *)page), ALL_BITS);
	CHECK_EQ(pager_page_bits((const void *)page), HARVEST_PRESENT);
	CHECK_EQ(munmap((void *)page, 4096), 0);
	CHECK_EQ(pager_page_bits((const void *)page), 0);
	/* No user page there: the kernel's one check (sys_harvest, before any
	 * entry acts) refuses the pager's harvest, which passes it on. */
	CHECK_EQ(pager_page_bits((const void *)0), -ERR_INVAL);
	CHECK_EQ(pager_page_bits((const void *)USER_TOP), -ERR_INVAL);
	CHECK_EQ(pager_page_bits((const void *)0xffffffc080200000UL), -ERR_INVAL);
	return 0;
}
