/*
 * The valid ELF image the ELF host tests start from (test_elf.c breaks
 * each rule of lib/elfimage.c on it, test_parse_fuzz.c mutates it):
 * text (RX), data+bss (RW) with TLS inside it, rodata (R) and a GNU_STACK,
 * written byte by byte at the ELF specification's offsets, not with
 * <elf.h>, so the tests do not share the reader's definitions; its header
 * and program-header writers build other images too (test_server_rand.c's
 * initrd program). After <stdint.h>, <string.h> and elfimage.h.
 */
#ifndef TESTS_HOST_ELF_BUILD_H
#define TESTS_HOST_ELF_BUILD_H

#define ELF_IMG_SIZE 0x2000
#define PT_LOAD 1
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551u
#define ELF_PHOFF 64
#define ELF_PHENT 56

/* A little-endian field of bytes bytes. */
static inline void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Program header i of img. */
static inline void elf_phdr_at(uint8_t *img, int i, uint32_t type, uint32_t flags, uint64_t offset,
			uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = img + ELF_PHOFF + ELF_PHENT * i;

	put_le(p, type, 4);
	put_le(p + 4, flags, 4);
	put_le(p + 8, offset, 8);
	put_le(p + 16, vaddr, 8);
	put_le(p + 24, vaddr, 8);
	put_le(p + 32, filesz, 8);
	put_le(p + 40, memsz, 8);
	put_le(p + 48, 0x1000, 8);
}

/* img's ELF header (its first 64 bytes, zeroed by the caller): a RISC-V
 * executable entered at entry, with phnum program headers after it. */
static inline void elf_header_at(uint8_t *img, uint64_t entry, unsigned phnum)
{
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;	/* ELFCLASS64 */
	img[5] = 1;	/* little-endian */
	img[6] = 1;
	put_le(img + 16, 2, 2);		/* ET_EXEC */
	put_le(img + 18, 243, 2);	/* EM_RISCV */
	put_le(img + 20, 1, 4);
	put_le(img + 24, entry, 8);
	put_le(img + 32, ELF_PHOFF, 8);
	put_le(img + 52, 64, 2);
	put_le(img + 54, ELF_PHENT, 2);
	put_le(img + 56, phnum, 2);
}

/* The image, in img's first ELF_IMG_SIZE bytes. */
static inline void elf_build_valid(uint8_t *img)
{
	memset(img, 0, ELF_IMG_SIZE);
	elf_header_at(img, 0x10010, 5);
	elf_phdr_at(img, 0, PT_LOAD, ELF_SEG_R | ELF_SEG_X, 0x1000, 0x10000, 0x800, 0x800);
	elf_phdr_at(img, 1, PT_LOAD, ELF_SEG_R | ELF_SEG_W, 0x1800, 0x11800, 0x100, 0x2000);
	elf_phdr_at(img, 2, PT_TLS, ELF_SEG_R, 0x1800, 0x11800, 0x10, 0x40);
	elf_phdr_at(img, 3, PT_LOAD, ELF_SEG_R, 0x1900, 0x20000, 0x80, 0x80);
	elf_phdr_at(img, 4, PT_GNU_STACK, ELF_SEG_R | ELF_SEG_W, 0, 0, 0, 0);
}

#endif
