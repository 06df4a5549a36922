/*
 * Copies to and from user memory, one page at a time, each page translated
 * through the owning process's page table with its user permissions.
 */
#include "usercopy.h"
#include "proc.h"
#include "klib.h"
#include "abi/errno.h"
#include "abi/vm.h"

struct user_miss user_miss;

/*
 * The last few translations. An IPC checks and copies the same message
 * pages of two processes (a server has two buffers) several times per call, and a page-table walk
 * costs ~80 instructions. Any change to a page table empties it
 * (usercopy_forget), so it never answers with a stale mapping.
 */
struct tlb_entry {
	const struct proc *p;	/* NULL: empty */
	uint64_t vpage, ppage;
	int write;		/* the page may be written (and read) */
};
#define TLB_ENTRIES 4
static struct tlb_entry tlb[TLB_ENTRIES];
static unsigned tlb_next;

void usercopy_forget(void)
{
	for (int i = 0; i < TLB_ENTRIES; i++)
		tlb[i].p = NULL;
}

static uint64_t tlb_lookup(const struct proc *p, uint64_t vpage, int write)
{
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (tlb[i].p == p && tlb[i].vpage == vpage && (tlb[i].write || !write))
			return tlb[i].ppage;
	return 0;
}

/* Translate va for p, remembering a miss. */
static uint64_t translate(struct proc *p, uint64_t va, int write)
{
	uint64_t off = va & (PAGE_SIZE - 1), vpage = va - off;
	uint64_t pa = tlb_lookup(p, vpage, write);

	if (pa)
		return pa + off;
	pa = arch_pt_translate(&p->pt, va, write);
	if (!pa) {
		user_miss = (struct user_miss){ p, va, write };
		return 0;
	}
	tlb[tlb_next] = (struct tlb_entry){ p, vpage, pa - off, write };
	tlb_next = (tlb_next + 1) % TLB_ENTRIES;
	return pa;
}

static int range_ok(uint64_t va, size_t len)
{
	return va + len >= va && va + len <= USER_TOP;
}

/* Bytes from va to the end of its page. */
static size_t page_rest(uint64_t va)
{
	return PAGE_SIZE - (va & (PAGE_SIZE - 1));
}

int user_check(struct proc *p, uint64_t va, size_t len, int write)
{
	if (!range_ok(va, len))
		return -ERR_FAULT;
	while (len > 0) {
		size_t n = MIN(len, page_rest(va));
		if (!translate(p, va, write))
			return -ERR_FAULT;
		va += n;
		len -= n;
	}
	return 0;
}

/* Copy between kernel buffer buf and user [va, va + len), either way. */
static int copy_pages(struct proc *p, uint64_t va, uint8_t *buf, size_t len, int to_user)
{
	if (!range_ok(va, len))
		return -ERR_FAULT;
	while (len > 0) {
		size_t n = MIN(len, page_rest(va));
		uint64_t pa = translate(p, va, to_user);
		if (!pa)
			return -ERR_FAULT;
		if (to_user)
			memcpy(pa_to_kva(pa), buf, n);
		else
			memcpy(buf, pa_to_kva(pa), n);
		buf += n;
		va += n;
		len -= n;
	}
	return 0;
}

int copyin(struct proc *p, void *dst, uint64_t va, size_t len)
{
	return copy_pages(p, va, dst, len, 0);
}

int copyout(struct proc *p, uint64_t va, const void *src, size_t len)
{
	return copy_pages(p, va, (uint8_t *)src, len, 1);
}
