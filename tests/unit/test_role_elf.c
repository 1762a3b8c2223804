// SPDX-License-Identifier: MIT
/*
 * dg_enf_elf_is_loader() on edited copies of the system's ld.so (read at
 * test time, put in a memfd): each edit one way a file an attacker wrote
 * may lie about its headers.  The fuzz target fuzz/elf_role_fuzz.c checks
 * the same function against a reference on arbitrary bytes.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "role.h"
#include "tap.h"

#define LDSO	"/lib64/ld-linux-x86-64.so.2"

static uint8_t *ldso;
static size_t ldso_len;

/* The function's answer for @n bytes at @p, read through a memfd. */
static int answer(const uint8_t *p, size_t n)
{
	int fd = memfd_create("test_role_elf", MFD_CLOEXEC), r;

	if (fd < 0 || write(fd, p, n) != (ssize_t)n) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	r = dg_enf_elf_is_loader(fd);
	close(fd);
	return r;
}

/* A copy of ld.so's header and program header table, to edit. */
static int copy_ldso(uint8_t *buf, size_t cap, Elf64_Ehdr **eh, size_t *len)
{
	Elf64_Ehdr h;
	size_t end;

	if (!ldso || ldso_len < sizeof(h))
		return -1;
	memcpy(&h, ldso, sizeof(h));
	if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_phentsize != sizeof(Elf64_Phdr))
		return -1;
	end = (size_t)h.e_phoff + (size_t)h.e_phnum * sizeof(Elf64_Phdr);
	if (end > ldso_len || end > cap)
		return -1;
	memcpy(buf, ldso, end);
	*eh = (Elf64_Ehdr *)buf;
	*len = end;
	return 0;
}

#define NEED_LDSO(buf, eh, len)                                               \
	do {                                                                  \
		if (copy_ldso(buf, sizeof(buf), &eh, &len))                   \
			SKIP("no 64-bit " LDSO " to edit");                   \
		CHECK(answer(buf, len) == 1, "unedited ld.so is a loader");   \
	} while (0)

TEST(test_elf_loader_needs_the_whole_64bit_header)
{
	_Alignas(8) uint8_t buf[8192];
	Elf64_Ehdr *eh;
	size_t len, n;

	NEED_LDSO(buf, eh, len);
	/* e_phentsize and e_phnum are bytes 54..57: a shorter file has none,
	 * whatever the 32-bit header size (52) would allow. */
	for (n = 0; n < sizeof(Elf64_Ehdr); n++)
		CHECK(answer(buf, n) == 0, "ld.so cut at %zu bytes", n);
}

TEST(test_elf_loader_rejects_a_table_past_the_end)
{
	_Alignas(8) uint8_t buf[8192];
	Elf64_Ehdr *eh;
	size_t len, last;

	NEED_LDSO(buf, eh, len);
	last = (size_t)eh->e_phoff + (size_t)(eh->e_phnum - 1) * sizeof(Elf64_Phdr);
	CHECK(answer(buf, last + 2) == 0, "last p_type cut in half");
	CHECK(answer(buf, last) == 0, "last entry missing");
}

TEST(test_elf_loader_rejects_a_phoff_beyond_file_offsets)
{
	_Alignas(8) uint8_t buf[8192];
	Elf64_Ehdr *eh;
	size_t len;

	NEED_LDSO(buf, eh, len);
	/* would wrap to the start of the file, or be a negative off_t */
	eh->e_phoff = UINT64_MAX - sizeof(Elf64_Phdr) + 1;
	CHECK(answer(buf, len) == 0, "e_phoff 2^64 - 56");
	eh->e_phoff = (uint64_t)1 << 63;
	CHECK(answer(buf, len) == 0, "e_phoff 2^63");
	eh->e_phoff = (uint64_t)INT64_MAX - 8;
	CHECK(answer(buf, len) == 0, "table ending past 2^63");
}

TEST(test_elf_loader_finds_pt_interp_in_any_entry)
{
	_Alignas(8) uint8_t buf[8192];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	size_t len, i;

	NEED_LDSO(buf, eh, len);
	ph = (Elf64_Phdr *)(buf + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Word t = ph[i].p_type;

		ph[i].p_type = PT_INTERP;
		CHECK(answer(buf, len) == 0, "PT_INTERP in entry %zu", i);
		ph[i].p_type = t;
	}
}

TEST(test_elf_loader_bounds_the_header_fields)
{
	_Alignas(8) uint8_t buf[8192];
	Elf64_Ehdr *eh;
	Elf64_Ehdr keep;
	size_t len;

	NEED_LDSO(buf, eh, len);
	keep = *eh;
	eh->e_phnum = 0;
	CHECK(answer(buf, len) == 0, "no program headers");
	eh->e_phnum = DG_ENF_ELF_PHNUM_MAX + 1;
	CHECK(answer(buf, len) == 0, "e_phnum over the limit");
	*eh = keep;
	eh->e_phentsize = sizeof(Elf32_Phdr);
	CHECK(answer(buf, len) == 0, "32-bit entry size in a 64-bit file");
	*eh = keep;
	eh->e_type = ET_EXEC;
	CHECK(answer(buf, len) == 0, "ET_EXEC");
	*eh = keep;
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	CHECK(answer(buf, len) == 0, "foreign byte order");
	*eh = keep;
	eh->e_ident[EI_CLASS] = ELFCLASSNONE;
	CHECK(answer(buf, len) == 0, "no class");
}

int main(void)
{
	if (tap_read_file(LDSO, &ldso, &ldso_len) < 0)
		ldso = NULL;
	RUN(test_elf_loader_needs_the_whole_64bit_header);
	RUN(test_elf_loader_rejects_a_table_past_the_end);
	RUN(test_elf_loader_rejects_a_phoff_beyond_file_offsets);
	RUN(test_elf_loader_finds_pt_interp_in_any_entry);
	RUN(test_elf_loader_bounds_the_header_fields);
	free(ldso);
	return tap_done();
}
