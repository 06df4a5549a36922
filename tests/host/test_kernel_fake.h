/*
 * What the kernel's files under host test call and the test does not
 * compile: the kernel pool (heap pages; with FAKE_REAL_KMEM, kmem.c's
 * own), the boot table, and user memory
 * (the test's own, with a page that can be marked unmapped or read-only,
 * a refused copy noted in user_miss as usercopy.c notes it, a process
 * whose cached translations are forgotten noted);
 * and the twin processes a test changes one way and the other (their PTEs
 * then compared). Included once, after the kernel files, by each
 * test_kernel_*.c.
 */
#ifndef TEST_KERNEL_FAKE_H
#define TEST_KERNEL_FAKE_H

#include "usercopy.h"	/* user_miss, which not every kernel file under test includes */

uint64_t boot_pt[PT_ENTRIES];
#ifndef FAKE_REAL_KMEM	/* else kernel/kmem.c's own pool, over the heap */
static long fake_pages_out;	/* pool pages taken and not given back */
static long fake_pool_cap;	/* > 0: the pool is empty with this many out */

void *kmem_page_alloc(void)
{
	if (fake_pool_cap > 0 && fake_pages_out >= fake_pool_cap)
		return NULL;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	assert_non_null(p);
	fake_pages_out++;
	return memset(p, 0, PAGE_SIZE);
}

void kmem_page_free(void *page)
{
	fake_pages_out--;
	free(page);
}
#endif
struct proc *fake_forgotten;	/* the last usercopy_forget's process */
/* As usercopy.c's: p's tables changed, so it takes a generation never
 * used (msgwin.h's windows made under another are stale). */
void usercopy_forget(struct proc *p)
{
	static uint64_t last_gen;

	fake_forgotten = p;
	p->pt_gen = ++last_gen;
}

/* The page refused as the real usercopy.c refuses one (0: none): no
 * access at all, or no write. */
static uintptr_t fake_unmapped, fake_readonly;
static unsigned fake_copies;	/* copyin and copyout calls so far */
struct user_miss user_miss;	/* set by a refused copy, as usercopy.c sets it */

/* Whether [va, va + len) misses page (0: no page). */
static int misses(uint64_t va, size_t len, uintptr_t page)
{
	return !page || va + len <= page || va >= page + PAGE_SIZE;
}

/* A test's own user memory, if it sets one: whether [va, va + len) may be
 * read (write: and written); then no other address is user memory. */
static int (*fake_user_mem)(uint64_t va, size_t len, int write);

/* Whether [va, va + len) may be read (write: and written). */
static int fake_user_ok(uint64_t va, size_t len, int write)
{
	if (fake_user_mem && !fake_user_mem(va, len, write))
		return 0;
	return misses(va, len, fake_unmapped) && (!write || misses(va, len, fake_readonly));
}

int user_check(struct proc *p, uint64_t va, size_t len, int write)
{
	(void)p;
	return fake_user_ok(va, len, write) ? 0 : -ERR_FAULT;
}

/* As the real one: NULL for a buffer not 8-byte aligned, or across a page. */
void *user_window(struct proc *p, uint64_t va, size_t len, int write)
{
	(void)p;
	if ((va & 7) || (va & (PAGE_SIZE - 1)) + len > PAGE_SIZE || !fake_user_ok(va, len, write))
		return NULL;
	return (void *)(uintptr_t)va;
}

int copyin(struct proc *p, void *dst, uint64_t va, size_t len)
{
	fake_copies++;
	if (!fake_user_ok(va, len, 0)) {
		user_miss = (struct user_miss){ p, va, 0 };
		return -ERR_FAULT;
	}
	memcpy(dst, (const void *)(uintptr_t)va, len);
	return 0;
}

int copyout(struct proc *p, uint64_t va, const void *src, size_t len)
{
	fake_copies++;
	if (!fake_user_ok(va, len, 1)) {
		user_miss = (struct user_miss){ p, va, 1 };
		return -ERR_FAULT;
	}
	memcpy((void *)(uintptr_t)va, src, len);
	return 0;
}

/* Twin processes, new for each test: one changed by runs, the other by
 * single entries. */
static struct proc procs[2];

static void twins_create(void)
{
	for (int i = 0; i < 2; i++) {
		memset(&procs[i], 0, sizeof(procs[i]));
		assert_int_equal(arch_pt_create(&procs[i].pt), 0);
	}
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		arch_pt_destroy(&procs[i].pt);
	return 0;
}

/* The PTE at va in proc i (0: no leaf table there). */
static uint64_t pte_of(int i, uint64_t va)
{
	uint64_t *e = walk(&procs[i].pt, va, 0, 0);

	return e ? *e : 0;
}

#endif
