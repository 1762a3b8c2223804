// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: dg_enf_elf_is_loader() (src/enforcer/role.c), the
 * enforcer's read of the ELF and program headers of a file being executed,
 * which an attacker may have written.  The input is the file: it is put in
 * a memfd, which the function reads with pread() as it reads the event's fd.
 * The answer must equal a reference decision made here from the bytes in
 * memory with the bounded cursor (gABI "ELF Header", "Program Header"), so
 * a header field read from outside the file shows as a disagreement, not
 * only as a crash.  Corpus: fuzz/seed-elf_role.sh.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cursor.h"
#include "role.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Little-endian ELF only (the hosts this is fuzzed on); elsewhere the
 * reference is not consulted. */
static int ref_is_loader(const uint8_t *d, size_t n)
{
	struct dg_cur c = cur_init(d, n), f;
	uint64_t phoff, i;
	uint32_t off32;
	uint16_t type, phentsize, phnum;
	int is64;

	if (n < EI_NIDENT || d[0] != ELFMAG0 || d[1] != ELFMAG1 || d[2] != ELFMAG2 ||
	    d[3] != ELFMAG3 || d[EI_DATA] != ELFDATA2LSB)
		return 0;
	if (d[EI_CLASS] != ELFCLASS64 && d[EI_CLASS] != ELFCLASS32)
		return 0;
	is64 = d[EI_CLASS] == ELFCLASS64;
	if (n < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return 0;
	f = c;
	if (cur_skip(&f, offsetof(Elf64_Ehdr, e_type)) || cur_le16(&f, &type))
		return 0;
	f = c;
	if (is64) {
		if (cur_skip(&f, offsetof(Elf64_Ehdr, e_phoff)) || cur_le64(&f, &phoff))
			return 0;
	} else {
		if (cur_skip(&f, offsetof(Elf32_Ehdr, e_phoff)) || cur_le32(&f, &off32))
			return 0;
		phoff = off32;
	}
	f = c;
	if (cur_skip(&f, is64 ? offsetof(Elf64_Ehdr, e_phentsize) :
			       offsetof(Elf32_Ehdr, e_phentsize)) ||
	    cur_le16(&f, &phentsize) || cur_le16(&f, &phnum))
		return 0;
	if (type != ET_DYN || phnum == 0 || phnum > DG_ENF_ELF_PHNUM_MAX ||
	    phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return 0;
	for (i = 0; i < phnum; i++) {
		uint64_t at = phoff + i * phentsize;
		uint32_t pt;

		/* an offset past the file (or wrapped around) reads nothing */
		if (at < phoff || at > n)
			return 0;
		f = c;
		if (cur_skip(&f, (size_t)at) || cur_le32(&f, &pt))
			return 0;
		if (pt == PT_INTERP)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	size_t done = 0;
	int got;

	if (fd < 0) {
		fd = memfd_create("elf_role_fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) < 0)
		abort();
	while (done < size) {
		ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	got = dg_enf_elf_is_loader(fd);
	if (got != 0 && got != 1)
		abort();
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (got != ref_is_loader(data, size))
		abort();
#endif
	return 0;
}
