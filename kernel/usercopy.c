/*
 * Copies to and from user memory, one page at a time, each page translated
 * through the owning process's page table with its user permissions.
 */
#include "usercopy.h"
#include "proc.h"
#include "klib.h"
#include "memmap.h"
#include "abi/errno.h"
#include "abi/vm.h"

struct user_miss user_miss;

/*
 * Recent translations, direct-mapped by (process, page). An IPC checks and
 * copies the same message pages of two processes (a server has two buffers)
 * on every call, and a page-table walk costs ~80 instructions. An entry is
 * good only while its process's pt_gen is the one it was made under: any
 * change to a page table gives the process a new generation
 * (usercopy_forget), so it never answers with a stale mapping.
 */
struct tlb_entry {
	const struct proc *p;	/* NULL: empty */
	uint64_t gen;		/* p->pt_gen when it was made */
	uint64_t vpage, ppage;
	int write;		/* the page may be written (and read) */
};
#define TLB_ENTRIES 16
static struct tlb_entry tlb[TLB_ENTRIES];
static uint64_t last_gen;	/* generations are never reused */

void usercopy_forget(struct proc *p)
{
	p->pt_gen = ++last_gen;
}

static struct tlb_entry *tlb_slot(const struct proc *p, uint64_t vpage)
{
	return &tlb[((vpage >> 12) ^ ((uintptr_t)p >> 6)) % TLB_ENTRIES];
}

static inline __attribute__((always_inline)) uint64_t tlb_lookup(const struct proc *p, uint64_t vpage,
								   int write)
{
	const struct tlb_entry *e = tlb_slot(p, vpage);

	if (e->p == p && e->gen == p->pt_gen && e->vpage == vpage && (e->write || !write))
		return e->ppage;
	return 0;
}

/* Walk p's table for va, caching the answer, remembering a miss. Out of
 * line, so that a hit in translate() saves no registers. Only RAM the root
 * task may map is ever an answer: a driver's device window (device_map) is
 * user memory to the driver but not to the kernel, whose loads there can
 * meet no device register and trap in kernel mode; such a page is a plain
 * fault, with no miss for the pager (it cannot map anything better). */
__attribute__((noinline)) static uint64_t walk_user(struct proc *p, uint64_t va, int write)
{
	uint64_t off = va & (PAGE_SIZE - 1), vpage = va - off;
	uint64_t pa = arch_pt_translate(&p->pt, va, write);
	struct phys_range ram;

	if (!pa) {
		user_miss = (struct user_miss){ p, va, write };
		return 0;
	}
	if (!memmap_user_range(pa, &ram)) {
		user_miss.proc = NULL;
		return 0;
	}
	*tlb_slot(p, vpage) = (struct tlb_entry){ p, p->pt_gen, vpage, pa - off, write };
	return pa;
}

/* Translate va for p: the cache, else a walk. */
static inline uint64_t translate(struct proc *p, uint64_t va, int write)
{
	uint64_t off = va & (PAGE_SIZE - 1);
	uint64_t pa = tlb_lookup(p, va - off, write);

	return pa ? pa + off : walk_user(p, va, write);
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

void *user_window(struct proc *p, uint64_t va, size_t len, int write)
{
	uint64_t pa;

	if ((va & 7) || (va & (PAGE_SIZE - 1)) + len > PAGE_SIZE || !range_ok(va, len))
		return NULL;
	pa = translate(p, va, write);
	return pa ? pa_to_kva(pa) : NULL;
}

/* user_check's page-by-page loop. Out of line: its walk call makes it
 * save ten registers, which the usual check (a message within one page
 * whose translation is cached) does not need. */
__attribute__((noinline)) static int check_pages(struct proc *p, uint64_t va, size_t len,
						 int write)
{
	while (len > 0) {
		size_t n = MIN(len, page_rest(va));
		if (!translate(p, va, write))
			return -ERR_FAULT;
		va += n;
		len -= n;
	}
	return 0;
}

int user_check(struct proc *p, uint64_t va, size_t len, int write)
{
	uint64_t off = va & (PAGE_SIZE - 1);

	if (!range_ok(va, len))
		return -ERR_FAULT;
	if (len > 0 && off + len <= PAGE_SIZE && tlb_lookup(p, va - off, write))
		return 0;	/* one page, cached: ~5 IPC checks a page read back */
	return check_pages(p, va, len, write);
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
