/*
 * Checker for the ELF64 RISC-V executables the kernel and pager load, over
 * <elf.h>'s definitions (picolibc's in the guest, the C library's on the
 * host). It rejects anything a loader could not copy blindly: segments
 * outside the file or the address range, overlapping pages, an entry
 * outside the code, a segment both writable and executable.
 */
#include "elfimage.h"

#include <elf.h>
#include <stdbool.h>
#include <string.h>

#define PAGE_SHIFT 12

/* The headers are read in place as <elf.h>'s structs, so the CPU must store
 * numbers as the only files accepted do: little-endian (RISC-V and the host
 * tests' x86-64 both do). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ELFDATA2LSB read natively");
_Static_assert(ELF_SEG_X == PF_X && ELF_SEG_W == PF_W && ELF_SEG_R == PF_R,
	       "segment flags are the program header's");

/* The fields of one program header this checker uses. */
struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

/* Copied out, since a file in memory need not be aligned for Elf64_Phdr. */
static void read_phdr(const uint8_t *p, struct phdr *ph)
{
	Elf64_Phdr h;

	memcpy(&h, p, sizeof(h));
	ph->type = h.p_type;
	ph->flags = h.p_flags;
	ph->offset = h.p_offset;
	ph->vaddr = h.p_vaddr;
	ph->filesz = h.p_filesz;
	ph->memsz = h.p_memsz;
}

static int check_header(const uint8_t *file, size_t size, Elf64_Ehdr *e)
{
	if (size < sizeof(*e))
		return ELF_ERR_SHORT;
	memcpy(e, file, sizeof(*e));
	if (memcmp(e->e_ident, ELFMAG, SELFMAG) != 0)
		return ELF_ERR_MAGIC;
	if (e->e_ident[EI_CLASS] != ELFCLASS64 || e->e_ident[EI_DATA] != ELFDATA2LSB)
		return ELF_ERR_CLASS;
	if (e->e_machine != EM_RISCV)
		return ELF_ERR_MACHINE;
	if (e->e_type != ET_EXEC)
		return ELF_ERR_TYPE;
	return ELF_OK;
}

/* File bytes inside the file, filesz <= memsz, no wrap-around in memory.
 * A segment with no file bytes may name any offset: strip leaves a .tbss
 * alone segment's offset where the section headers were, past the end. */
static int check_extent(const struct phdr *ph, size_t size)
{
	if (ph->filesz != 0 && (ph->offset > size || ph->filesz > size - ph->offset))
		return ELF_ERR_SEGMENT;
	if (ph->filesz > ph->memsz || ph->vaddr + ph->memsz < ph->vaddr)
		return ELF_ERR_SEGMENT;
	return ELF_OK;
}

static bool share_page(const struct elf_segment *a, uint64_t vaddr, uint64_t memsz)
{
	uint64_t a_first = a->vaddr >> PAGE_SHIFT;
	uint64_t a_last = (a->vaddr + a->memsz - 1) >> PAGE_SHIFT;
	uint64_t b_first = vaddr >> PAGE_SHIFT;
	uint64_t b_last = (vaddr + memsz - 1) >> PAGE_SHIFT;

	return a_first <= b_last && b_first <= a_last;
}

static int add_load(const struct phdr *ph, uint64_t va_min, uint64_t va_max,
		    struct elf_image *out)
{
	struct elf_segment *s;

	/* An empty segment maps nothing, so there is nothing to place. */
	if (ph->memsz == 0)
		return ELF_OK;
	if (ph->vaddr < va_min || ph->vaddr > va_max || ph->memsz > va_max - ph->vaddr)
		return ELF_ERR_RANGE;
	if ((ph->flags & PF_W) && (ph->flags & PF_X))
		return ELF_ERR_WX;
	if (out->nsegs == ELF_MAX_SEGMENTS)
		return ELF_ERR_TOOMANY;
	for (size_t i = 0; i < out->nsegs; i++)
		if (share_page(&out->segs[i], ph->vaddr, ph->memsz))
			return ELF_ERR_OVERLAP;
	s = &out->segs[out->nsegs++];
	s->vaddr = ph->vaddr;
	s->memsz = ph->memsz;
	s->offset = ph->offset;
	s->filesz = ph->filesz;
	s->flags = ph->flags & (ELF_SEG_X | ELF_SEG_W | ELF_SEG_R);
	return ELF_OK;
}

/* PT_TLS: recorded (elf_image's tls_*) and checked as any segment's
 * extent and range, not against the loaded segments, because no loader
 * reads TLS through it: the kernel and the pager copy the PT_LOAD segments
 * alone, and a program finds its TLS template by link-time symbols
 * (userland/lib/user.ld's __tls_base, .tdata's address, in a loaded
 * segment). A PT_TLS naming other addresses changes nothing that runs. A
 * loader that set TLS up from these fields would first have to refuse a
 * PT_TLS outside every PT_LOAD. */
static int add_tls(const struct phdr *ph, uint64_t va_min, uint64_t va_max,
		   struct elf_image *out)
{
	if (out->tls_memsz != 0)
		return ELF_ERR_PHDR;	/* a second PT_TLS */
	if (ph->vaddr < va_min || ph->vaddr > va_max || ph->filesz > va_max - ph->vaddr)
		return ELF_ERR_RANGE;
	out->tls_vaddr = ph->vaddr;
	out->tls_filesz = ph->filesz;
	out->tls_memsz = ph->memsz;
	return ELF_OK;
}

static int entry_ok(const struct elf_image *img)
{
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		if ((s->flags & ELF_SEG_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return ELF_OK;
	}
	return ELF_ERR_ENTRY;
}

static void clear_image(struct elf_image *out)
{
	out->entry = 0;
	out->nsegs = 0;
	out->tls_vaddr = out->tls_filesz = out->tls_memsz = 0;
}

static int read_phdrs(const uint8_t *file, size_t size, const Elf64_Ehdr *e,
		      uint64_t va_min, uint64_t va_max, struct elf_image *out)
{
	struct phdr ph;
	int err;

	if (e->e_phentsize != sizeof(Elf64_Phdr) || e->e_phoff > size ||
	    e->e_phnum > (size - e->e_phoff) / sizeof(Elf64_Phdr))
		return ELF_ERR_PHDR;
	for (uint64_t i = 0; i < e->e_phnum; i++) {
		read_phdr(file + e->e_phoff + i * sizeof(Elf64_Phdr), &ph);
		if (ph.type != PT_LOAD && ph.type != PT_TLS)
			continue;
		err = check_extent(&ph, size);
		if (!err)
			err = ph.type == PT_LOAD ? add_load(&ph, va_min, va_max, out)
						 : add_tls(&ph, va_min, va_max, out);
		if (err)
			return err;
	}
	return ELF_OK;
}

int elf_parse(const void *file, size_t size, uint64_t va_min, uint64_t va_max,
	      struct elf_image *out)
{
	Elf64_Ehdr e;
	int err;

	clear_image(out);
	err = check_header(file, size, &e);
	if (!err)
		err = read_phdrs(file, size, &e, va_min, va_max, out);
	if (err)
		return err;
	if (out->nsegs == 0)
		return ELF_ERR_NOLOAD;
	out->entry = e.e_entry;
	return entry_ok(out);
}

const char *elf_strerror(int err)
{
	switch (err) {
	case ELF_OK: return "no error";
	case ELF_ERR_SHORT: return "file smaller than an ELF header";
	case ELF_ERR_MAGIC: return "not an ELF file";
	case ELF_ERR_CLASS: return "not a 64-bit little-endian ELF file";
	case ELF_ERR_MACHINE: return "not a RISC-V ELF file";
	case ELF_ERR_TYPE: return "not an executable (ET_EXEC)";
	case ELF_ERR_PHDR: return "program headers malformed or outside the file";
	case ELF_ERR_SEGMENT: return "segment outside the file, filesz > memsz, or wraps";
	case ELF_ERR_RANGE: return "segment outside the allowed address range";
	case ELF_ERR_OVERLAP: return "two segments share a page";
	case ELF_ERR_TOOMANY: return "too many loadable segments";
	case ELF_ERR_ENTRY: return "entry point not in an executable segment";
	case ELF_ERR_NOLOAD: return "no loadable segment";
	case ELF_ERR_WX: return "a segment both writable and executable";
	default: return "unknown ELF error";
	}
}
