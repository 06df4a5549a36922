/*
 * Host tests for lib/elfimage.c: the valid image of elf_build.h (three
 * PT_LOADs and a PT_TLS, written byte by byte at the ELF specification's
 * offsets, not with <elf.h>) is read back field by field, then each rule is
 * broken on its own and must give its exact error code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elfimage.h"
#include "elf_build.h"

#define IMG_SIZE ELF_IMG_SIZE
#define VA_MIN 0x10000u
#define VA_MAX 0x40000000u
#define R ELF_SEG_R
#define W ELF_SEG_W
#define X ELF_SEG_X
/* On the one image these tests break. */
#define set_phdr(...) elf_phdr_at(img, __VA_ARGS__)
#define build_valid() elf_build_valid(img)

static uint8_t img[IMG_SIZE];

static void set_entry(uint64_t entry)
{
	put_le(img + 24, entry, 8);
}

static void set_phnum(uint16_t n)
{
	put_le(img + 56, n, 2);
}

static int parse(void)
{
	struct elf_image out;

	return elf_parse(img, IMG_SIZE, VA_MIN, VA_MAX, &out);
}

static void test_valid(void **state)
{
	struct elf_image out;

	(void)state;
	build_valid();
	assert_int_equal(elf_parse(img, IMG_SIZE, VA_MIN, VA_MAX, &out), ELF_OK);
	assert_int_equal(out.entry, 0x10010);
	assert_int_equal(out.nsegs, 3);
	assert_int_equal(out.segs[0].vaddr, 0x10000);
	assert_int_equal(out.segs[0].memsz, 0x800);
	assert_int_equal(out.segs[0].offset, 0x1000);
	assert_int_equal(out.segs[0].filesz, 0x800);
	assert_int_equal(out.segs[0].flags, ELF_SEG_R | ELF_SEG_X);
	assert_int_equal(out.segs[1].vaddr, 0x11800);
	assert_int_equal(out.segs[1].filesz, 0x100);
	assert_int_equal(out.segs[1].memsz, 0x2000);
	assert_int_equal(out.segs[1].flags, ELF_SEG_R | ELF_SEG_W);
	assert_int_equal(out.segs[2].vaddr, 0x20000);
	assert_int_equal(out.segs[2].flags, ELF_SEG_R);
	assert_int_equal(out.tls_vaddr, 0x11800);
	assert_int_equal(out.tls_filesz, 0x10);
	assert_int_equal(out.tls_memsz, 0x40);
}

static void test_valid_misaligned(void **state)
{
	struct elf_image out;
	uint8_t *shifted = malloc(IMG_SIZE + 3);

	(void)state;
	build_valid();
	memcpy(shifted + 3, img, IMG_SIZE);
	assert_int_equal(elf_parse(shifted + 3, IMG_SIZE, VA_MIN, VA_MAX, &out), ELF_OK);
	assert_int_equal(out.nsegs, 3);
	free(shifted);
}

static void test_header_rules(void **state)
{
	struct elf_image out;

	(void)state;
	build_valid();
	assert_int_equal(elf_parse(img, 63, VA_MIN, VA_MAX, &out), ELF_ERR_SHORT);
	assert_int_equal(elf_parse(img, 0, VA_MIN, VA_MAX, &out), ELF_ERR_SHORT);
	img[1] = 'e';
	assert_int_equal(parse(), ELF_ERR_MAGIC);
	build_valid();
	img[4] = 1;	/* 32-bit */
	assert_int_equal(parse(), ELF_ERR_CLASS);
	build_valid();
	img[5] = 2;	/* big-endian */
	assert_int_equal(parse(), ELF_ERR_CLASS);
	build_valid();
	put_le(img + 18, 62, 2);	/* x86-64 */
	assert_int_equal(parse(), ELF_ERR_MACHINE);
	build_valid();
	put_le(img + 16, 3, 2);		/* ET_DYN */
	assert_int_equal(parse(), ELF_ERR_TYPE);
}

static void test_phdr_rules(void **state)
{
	(void)state;
	build_valid();
	put_le(img + 54, 64, 2);	/* phentsize */
	assert_int_equal(parse(), ELF_ERR_PHDR);
	build_valid();
	put_le(img + 32, IMG_SIZE + 8, 8);
	assert_int_equal(parse(), ELF_ERR_PHDR);
	build_valid();
	put_le(img + 32, UINT64_MAX - 8, 8);
	assert_int_equal(parse(), ELF_ERR_PHDR);
	build_valid();
	put_le(img + 32, IMG_SIZE - 5 * 56 + 1, 8);	/* last header one byte short */
	assert_int_equal(parse(), ELF_ERR_PHDR);
	build_valid();
	set_phnum(0xffff);
	assert_int_equal(parse(), ELF_ERR_PHDR);
	build_valid();
	set_phnum(0);
	assert_int_equal(parse(), ELF_ERR_NOLOAD);
	build_valid();
	set_phdr(0, PT_TLS, R, 0x1800, 0x11800, 0x10, 0x40);	/* a second PT_TLS */
	assert_int_equal(parse(), ELF_ERR_PHDR);
}

static void test_segment_rules(void **state)
{
	(void)state;
	build_valid();
	set_phdr(3, PT_LOAD, R, 0x1900, 0x20000, IMG_SIZE - 0x1900 + 1, 0x1000);
	assert_int_equal(parse(), ELF_ERR_SEGMENT);
	build_valid();
	set_phdr(3, PT_LOAD, R, UINT64_MAX - 0x10, 0x20000, 0x80, 0x80);
	assert_int_equal(parse(), ELF_ERR_SEGMENT);
	build_valid();
	set_phdr(3, PT_LOAD, R, 0x1900, 0x20000, 0x80, 0x7f);	/* filesz > memsz */
	assert_int_equal(parse(), ELF_ERR_SEGMENT);
	build_valid();
	set_phdr(3, PT_LOAD, R, 0x1900, UINT64_MAX - 0xfff, 0x80, 0x2000);	/* wraps */
	assert_int_equal(parse(), ELF_ERR_SEGMENT);
	build_valid();
	set_phdr(2, PT_TLS, R, 0x1800, 0x11800, 0x40, 0x10);
	assert_int_equal(parse(), ELF_ERR_SEGMENT);
	build_valid();
	set_phdr(3, PT_LOAD, R, 0x1900, 0x20000, 0, 0);	/* empty: ignored */
	assert_int_equal(parse(), ELF_OK);
	build_valid();
	/* No file bytes, offset past the end (a stripped program's .tbss) */
	set_phdr(2, PT_TLS, R, IMG_SIZE + 0x1000, 0x11800, 0, 0x40);
	assert_int_equal(parse(), ELF_OK);
	build_valid();
	set_phdr(2, PT_TLS, R, IMG_SIZE + 0x1000, 0x11800, 1, 0x40);
	assert_int_equal(parse(), ELF_ERR_SEGMENT);
}

static void test_range_rules(void **state)
{
	struct elf_image out;

	(void)state;
	build_valid();
	assert_int_equal(elf_parse(img, IMG_SIZE, VA_MIN + 1, VA_MAX, &out), ELF_ERR_RANGE);
	assert_int_equal(elf_parse(img, IMG_SIZE, VA_MIN, 0x20080, &out), ELF_OK);
	assert_int_equal(elf_parse(img, IMG_SIZE, VA_MIN, 0x2007f, &out), ELF_ERR_RANGE);
	set_phdr(3, PT_LOAD, R, 0x1900, VA_MAX - 0x40, 0x80, 0x80);
	assert_int_equal(parse(), ELF_ERR_RANGE);
	build_valid();
	set_phdr(2, PT_TLS, R, 0x1800, VA_MAX, 0x10, 0x40);
	assert_int_equal(parse(), ELF_ERR_RANGE);
}

static void test_overlap_rules(void **state)
{
	(void)state;
	build_valid();
	set_phdr(1, PT_LOAD, R | W, 0x1800, 0x10800, 0x100, 0x200);	/* text's page */
	assert_int_equal(parse(), ELF_ERR_OVERLAP);
	build_valid();
	set_phdr(1, PT_LOAD, R | W, 0x1800, 0x11800, 0x100, 0xe801);	/* into rodata's page */
	assert_int_equal(parse(), ELF_ERR_OVERLAP);
	build_valid();
	set_phdr(1, PT_LOAD, R | W, 0x1800, 0x11800, 0x100, 0xe800);	/* ends at its page */
	assert_int_equal(parse(), ELF_OK);
	build_valid();
	set_phdr(3, PT_LOAD, R, 0x1900, 0x8000, 0x80, 0x18000);	/* covers the others */
	assert_int_equal(elf_parse(img, IMG_SIZE, 0x8000, VA_MAX, &(struct elf_image){0}),
			 ELF_ERR_OVERLAP);
}

/* W^X: a loaded segment both writable and executable is refused, with or
 * without R; one that loads nothing, and GNU_STACK's flags, are not. */
static void test_wx_rules(void **state)
{
	(void)state;
	build_valid();
	set_phdr(0, PT_LOAD, R | W | X, 0x1000, 0x10000, 0x800, 0x800);
	assert_int_equal(parse(), ELF_ERR_WX);
	build_valid();
	set_phdr(1, PT_LOAD, W | X, 0x1800, 0x11800, 0x100, 0x2000);
	assert_int_equal(parse(), ELF_ERR_WX);
	build_valid();
	set_phdr(4, PT_GNU_STACK, R | W | X, 0, 0, 0, 0);
	assert_int_equal(parse(), ELF_OK);
	set_phdr(4, PT_LOAD, R | W | X, 0x1000, 0x30000, 0, 0);
	assert_int_equal(parse(), ELF_OK);
}

static void test_too_many(void **state)
{
	(void)state;
	build_valid();
	set_phnum(8);
	for (int i = 0; i < 8; i++)
		set_phdr(i, PT_LOAD, R | X, 0x1000, 0x10000 + 0x1000 * (uint64_t)i, 0x10, 0x100);
	assert_int_equal(parse(), ELF_OK);
	set_phnum(9);
	set_phdr(8, PT_LOAD, R, 0x1000, 0x30000, 0x10, 0x10);
	assert_int_equal(parse(), ELF_ERR_TOOMANY);
}

static void test_entry_rules(void **state)
{
	(void)state;
	build_valid();
	set_entry(0x11800);	/* data: not executable */
	assert_int_equal(parse(), ELF_ERR_ENTRY);
	set_entry(0x10800);	/* one past the end of text */
	assert_int_equal(parse(), ELF_ERR_ENTRY);
	set_entry(0x107ff);
	assert_int_equal(parse(), ELF_OK);
	set_entry(0);
	assert_int_equal(parse(), ELF_ERR_ENTRY);
	build_valid();
	set_phdr(0, PT_GNU_STACK, R | X, 0, 0, 0, 0);
	set_phdr(1, PT_TLS + 0x100, R, 0, 0, 0, 0);
	set_phdr(3, PT_GNU_STACK, R, 0, 0, 0, 0);
	assert_int_equal(parse(), ELF_ERR_NOLOAD);
}

static void test_every_truncation(void **state)
{
	struct elf_image out;

	(void)state;
	build_valid();
	for (size_t len = 0; len < IMG_SIZE; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		int err;

		memcpy(copy, img, len);
		err = elf_parse(copy, len, VA_MIN, VA_MAX, &out);
		free(copy);
		if (len < 64)
			assert_int_equal(err, ELF_ERR_SHORT);
		else if (len < 64 + 5 * 56)
			assert_int_equal(err, ELF_ERR_PHDR);
		else if (len < 0x1980)	/* the end of rodata's bytes */
			assert_int_equal(err, ELF_ERR_SEGMENT);
		else
			assert_int_equal(err, ELF_OK);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	for (int err = ELF_OK; err >= ELF_ERR_WX - 1; err--)
		assert_true(strlen(elf_strerror(err)) > 0);
	assert_string_not_equal(elf_strerror(ELF_ERR_RANGE), elf_strerror(ELF_ERR_OVERLAP));
	assert_string_not_equal(elf_strerror(ELF_ERR_WX), elf_strerror(ELF_ERR_WX - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_misaligned),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_phdr_rules),
		cmocka_unit_test(test_segment_rules),
		cmocka_unit_test(test_range_rules),
		cmocka_unit_test(test_overlap_rules),
		cmocka_unit_test(test_wx_rules),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_entry_rules),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
