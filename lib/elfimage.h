/*
 * A checker and reader for the ELF64 RISC-V executables the system loads.
 * Plain C. elf_parse accepts a file only if every loadable segment lies
 * inside the file and inside the allowed address range, so a loader can copy
 * segments without further checks, and none is both writable and
 * executable (every program built here keeps W^X; code written at run
 * time is not supported).
 */
#ifndef LIB_ELFIMAGE_H
#define LIB_ELFIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8

/* The program header's PF_X, PF_W, PF_R (checked in elfimage.c). */
enum elf_seg_flags {
	ELF_SEG_X = 1,
	ELF_SEG_W = 2,
	ELF_SEG_R = 4
};

struct elf_segment {
	uint64_t vaddr;		/* where it goes */
	uint64_t memsz;		/* bytes in memory (the rest after filesz is zero) */
	uint64_t offset;	/* where its bytes start in the file */
	uint64_t filesz;	/* bytes taken from the file */
	uint32_t flags;		/* enum elf_seg_flags */
};

struct elf_image {
	uint64_t entry;
	size_t nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS];	/* PT_LOAD only */
	/* PT_TLS, or zero: read by no loader, and not checked to lie in a
	 * PT_LOAD (elfimage.c's add_tls says why) */
	uint64_t tls_vaddr, tls_filesz, tls_memsz;
};

enum elf_error {
	ELF_OK = 0,
	ELF_ERR_SHORT = -1,	/* smaller than an ELF header */
	ELF_ERR_MAGIC = -2,	/* not ELF */
	ELF_ERR_CLASS = -3,	/* not 64-bit little-endian */
	ELF_ERR_MACHINE = -4,	/* not RISC-V */
	ELF_ERR_TYPE = -5,	/* not an executable (ET_EXEC) */
	ELF_ERR_PHDR = -6,	/* program headers out of the file or malformed */
	ELF_ERR_SEGMENT = -7,	/* a segment out of the file, filesz > memsz, overflow */
	ELF_ERR_RANGE = -8,	/* a segment outside [va_min, va_max) */
	ELF_ERR_OVERLAP = -9,	/* two segments share a page */
	ELF_ERR_TOOMANY = -10,	/* more than ELF_MAX_SEGMENTS PT_LOAD */
	ELF_ERR_ENTRY = -11,	/* entry point not in an executable segment */
	ELF_ERR_NOLOAD = -12,	/* no PT_LOAD segment */
	ELF_ERR_WX = -13	/* a segment both writable and executable */
};

int elf_parse(const void *file, size_t size, uint64_t va_min, uint64_t va_max,
	      struct elf_image *out);

const char *elf_strerror(int err);

#endif
