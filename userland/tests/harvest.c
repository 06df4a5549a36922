/*
 * Accessed and dirty bits, end to end: the hardware (QEMU) sets them in
 * the page table, the kernel's harvest call reads and clears them with one
 * TLB flush, and the pager hands them over (PAGER_PAGE_BITS); a page mapped
 * ahead of use (MAP_OLD) reads not accessed until it is touched.
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

#define AHEAD_PAGES 4

/* Fault-around maps the pages after a faulting one with their accessed
 * bits clear: each reads present (and dirty: a zero page mapped writable
 * starts so) but not accessed, look after look, until the program reads
 * it; then the hart has set the bit (QEMU does: Svadu-like). The fault's
 * own page reads accessed. Which pages came ahead is counted by the pager
 * (faultaround_pages), so pager.faultaround=0 checks the same rule. */
int test_harvest_ahead(void)
{
	struct pager_stats before, after;
	volatile uint8_t *p = mmap(NULL, AHEAD_PAGES * 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ahead;

	CHECK(p != MAP_FAILED);
	CHECK_EQ(pager_stats(&before), 0);
	p[0] = 1;
	CHECK_EQ(pager_stats(&after), 0);
	ahead = after.faultaround_pages - before.faultaround_pages;
	CHECK(ahead < AHEAD_PAGES);
	CHECK_EQ(pager_page_bits((const void *)p), ALL_BITS);
	for (uint64_t k = 1; k < AHEAD_PAGES; k++) {
		const void *page = (const void *)(p + k * 4096);
		int want = k <= ahead ? HARVEST_PRESENT | HARVEST_DIRTY : 0;

		CHECK_EQ(pager_page_bits(page), want);
		CHECK_EQ(pager_page_bits(page), want & HARVEST_PRESENT);	/* still not used */
		if (!want)
			continue;
		CHECK_EQ(p[k * 4096 + 7], 0);				/* a read */
		CHECK_EQ(pager_page_bits(page), ACCESSED_ONLY);
	}
	CHECK_EQ(munmap((void *)p, AHEAD_PAGES * 4096), 0);
	return 0;
}
