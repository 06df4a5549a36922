/*
 * The pager's own memcpy, memset and memmove (pager/base/libc_mem.c), built
 * here under other names so that the test's libc stays the host's: every
 * alignment of source and destination and every short length, against a
 * byte loop, with the bytes around the destination left alone; memmove
 * also with its ends overlapping either way within one buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

void *pager_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *pager_memset(void *dst, int c, size_t n);
void *pager_memmove(void *dst, const void *src, size_t n);

#define SPAN 96	/* room for an offset of 15 and a length of 64 */

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_memcpy_every_alignment(void **state)
{
	_Alignas(8) uint8_t src[SPAN], dst[SPAN], want[SPAN];

	(void)state;
	for (size_t so = 0; so < 16; so++)
		for (size_t d = 0; d < 16; d++)
			for (size_t n = 0; n <= 64; n++) {
				fill(src, SPAN, 1);
				fill(dst, SPAN, 200);
				fill(want, SPAN, 200);
				for (size_t i = 0; i < n; i++)
					want[d + i] = src[so + i];
				assert_ptr_equal(pager_memcpy(dst + d, src + so, n), dst + d);
				assert_memory_equal(dst, want, SPAN);
			}
}

static void test_memset_every_alignment(void **state)
{
	_Alignas(8) uint8_t dst[SPAN], want[SPAN];

	(void)state;
	for (size_t d = 0; d < 16; d++)
		for (size_t n = 0; n <= 64; n++) {
			fill(dst, SPAN, 3);
			fill(want, SPAN, 3);
			for (size_t i = 0; i < n; i++)
				want[d + i] = 0xa5;
			assert_ptr_equal(pager_memset(dst + d, 0x1a5, n), dst + d);
			assert_memory_equal(dst, want, SPAN);
		}
}

/* Within one buffer, so every source offset below, at or above the
 * destination's overlaps it for some lengths: the result must be what a
 * copy through a separate buffer gives. */
static void test_memmove_every_overlap(void **state)
{
	_Alignas(8) uint8_t buf[SPAN], want[SPAN], tmp[SPAN];

	(void)state;
	for (size_t so = 0; so < 24; so++)
		for (size_t d = 0; d < 24; d++)
			for (size_t n = 0; n <= 64; n++) {
				fill(buf, SPAN, 5);
				fill(want, SPAN, 5);
				for (size_t i = 0; i < n; i++)
					tmp[i] = want[so + i];
				for (size_t i = 0; i < n; i++)
					want[d + i] = tmp[i];
				assert_ptr_equal(pager_memmove(buf + d, buf + so, n), buf + d);
				assert_memory_equal(buf, want, SPAN);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_every_alignment),
		cmocka_unit_test(test_memset_every_alignment),
		cmocka_unit_test(test_memmove_every_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
