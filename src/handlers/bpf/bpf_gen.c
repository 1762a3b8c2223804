// SPDX-License-Identifier: MIT
/*
 * BPF_REQ_GEN: libbpf opens the ELF object from memory and, in gen_loader
 * mode, writes down every bpf() call it would make (BTF, maps, programs,
 * relocations, global data) as the instructions of one BPF_PROG_TYPE_SYSCALL
 * loader program plus the metadata blob that program reads.  That is the
 * "light skeleton" form `bpftool gen skeleton -L` uses, and the form the
 * kernel's program signing was designed for.  Nothing reaches the kernel.
 *
 * libbpf parses the ELF, so this runs in the sandbox, not in the signer
 * that holds the private key.  libbpf would ask the kernel's version
 * (uname(2), and access(2) of Ubuntu's /proc/version_signature) for the
 * kern_version of kprobe programs; the seccomp allowlist has neither, so the
 * handler is linked with --wrap for both (meson.build) and answers that the
 * file is absent and the version is 0.0.0, which modern kernels ignore.
 */
#include "bpf_gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

#include "bpf_proto.h"

int __wrap_uname(struct utsname *u);
int __wrap_faccessat(int dirfd, const char *path, int mode, int flags);
int __wrap_open64(const char *path, int flags, ...);
FILE *__wrap_fopen64(const char *path, const char *mode);
void *__wrap_gzopen64(const char *path, const char *mode);

int __wrap_uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Linux");
	strcpy(u->release, "0.0.0");
	return 0;
}

int __wrap_faccessat(int dirfd, const char *path, int mode, int flags)
{
	(void)dirfd; (void)path; (void)mode; (void)flags;
	errno = ENOENT;
	return -1;
}

/*
 * The files libbpf reads from the machine it runs on, for objects that
 * depend on it: the kernel's configuration for __kconfig externs
 * (/boot/config-*, /proc/config.gz, through zlib's gzopen64), the number of
 * CPUs for a perf event array without max_entries
 * (/sys/devices/system/cpu/possible), and the like.  The sandbox has no
 * files, and a signed loader must not carry the signer's: libbpf is told
 * they are absent and says what it needed, instead of the seccomp filter
 * killing the handler on open().  The first such path goes into the error.
 */
static char gen_wanted[128];

static void gen_want(const char *path)
{
	if (!gen_wanted[0] && path)
		snprintf(gen_wanted, sizeof(gen_wanted), "%s", path);
	errno = ENOENT;
}

int __wrap_open64(const char *path, int flags, ...)
{
	(void)flags;
	gen_want(path);
	return -1;
}

FILE *__wrap_fopen64(const char *path, const char *mode)
{
	(void)mode;
	gen_want(path);
	return NULL;
}

void *__wrap_gzopen64(const char *path, const char *mode)
{
	(void)mode;
	gen_want(path);
	return NULL;
}

/* libbpf's warnings, kept for the error message of the current request. */
static char gen_log[1024];
static size_t gen_log_len;

static int gen_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || gen_log_len >= sizeof(gen_log) - 1)
		return 0;
	n = vsnprintf(gen_log + gen_log_len, sizeof(gen_log) - gen_log_len, fmt, ap);
	if (n > 0)
		gen_log_len += (size_t)n < sizeof(gen_log) - gen_log_len ?
			       (size_t)n : sizeof(gen_log) - gen_log_len - 1;
	return 0;
}

/*
 * The last line libbpf printed, without "libbpf: " and the newline; but
 * not the "failed to load object 'NAME'" bpf_object__load() always ends
 * with: the line before it has the reason.
 */
static const char *gen_last_message(void)
{
	char *p;

	while (gen_log_len && gen_log[gen_log_len - 1] == '\n')
		gen_log[--gen_log_len] = '\0';
	p = strrchr(gen_log, '\n');
	if (p && (!strncmp(p + 1, "libbpf: failed to load object ", 30) ||
		  !strncmp(p + 1, "failed to load object ", 22))) {
		*p = '\0';
		p = strrchr(gen_log, '\n');
	}
	p = p ? p + 1 : gen_log;
	if (!strncmp(p, "libbpf: ", 8))
		p += 8;
	return *p ? p : "no message from libbpf";
}

static int put_names(struct bpf_object *obj, struct dg_buf *names,
		     uint32_t *nr_maps, uint32_t *nr_progs)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int r = 0;

	*nr_maps = *nr_progs = 0;
	bpf_object__for_each_program(prog, obj) {
		const char *n = bpf_program__name(prog);

		(*nr_progs)++;
		r = r ? r : dg_buf_put(names, n, strlen(n) + 1);
	}
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);

		(*nr_maps)++;
		r = r ? r : dg_buf_put(names, n, strlen(n) + 1);
	}
	return r;
}

int bpf_gen_loader(const uint8_t *in, size_t len, struct dg_buf *ans,
		   char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "object");
	LIBBPF_OPTS(gen_loader_opts, go);
	struct dg_buf names = { 0 };
	struct bpf_object *obj;
	uint32_t nr_maps, nr_progs;
	int r;

	if (len > BPF_OBJ_MAX) {
		snprintf(err, errlen, "object of %zu bytes exceeds the limit of %u", len,
			 BPF_OBJ_MAX);
		return -E2BIG;
	}
	gen_log_len = 0;
	gen_log[0] = '\0';
	gen_wanted[0] = '\0';
	libbpf_set_print(gen_print);
	obj = bpf_object__open_mem(in, len, &oo);
	if (!obj) {
		r = -errno;
		snprintf(err, errlen, "not a BPF object libbpf can open: %s", gen_last_message());
		return r == -ENOENT || r == -EINVAL || r >= 0 ? -EBADMSG : r;
	}
	r = bpf_object__gen_loader(obj, &go);
	if (r == 0)
		r = bpf_object__load(obj);
	if (r < 0) {
		snprintf(err, errlen, "libbpf could not record the object's loading: %s%s%s%s",
			 gen_last_message(), gen_wanted[0] ? " (it asked for " : "", gen_wanted,
			 gen_wanted[0] ? ": the sandbox has no files, and a signed loader must "
			 "not carry the signer's)" : "");
		r = r == -ENOMEM ? r : -EBADMSG;
		goto out;
	}
	r = put_names(obj, &names, &nr_maps, &nr_progs);
	if (r < 0)
		goto out;
	if (nr_progs == 0 || nr_progs > BPF_PROGS_MAX || nr_maps > BPF_MAPS_MAX ||
	    go.insns_sz == 0 || go.insns_sz % 8 || go.insns_sz > BPF_INSNS_MAX ||
	    go.data_sz > BPF_DATA_MAX || names.len > BPF_NAMES_MAX) {
		snprintf(err, errlen, "object has %u programs and %u maps, a loader of %u "
			 "bytes and %u bytes of metadata: over the limits (1 to %u programs, "
			 "%u maps, %u and %u bytes)", nr_progs, nr_maps, go.insns_sz,
			 go.data_sz, BPF_PROGS_MAX, BPF_MAPS_MAX, BPF_INSNS_MAX, BPF_DATA_MAX);
		r = nr_progs == 0 ? -EBADMSG : -E2BIG;
		goto out;
	}
	r = dg_buf_put_le32(ans, BPF_GEN_MAGIC);
	r = r ? r : dg_buf_put_le16(ans, BPF_ANS_VERSION);
	r = r ? r : dg_buf_put_le16(ans, 0);
	r = r ? r : dg_buf_put_le32(ans, nr_maps);
	r = r ? r : dg_buf_put_le32(ans, nr_progs);
	r = r ? r : dg_buf_put_le32(ans, go.insns_sz);
	r = r ? r : dg_buf_put_le32(ans, go.data_sz);
	r = r ? r : dg_buf_put_le32(ans, (uint32_t)names.len);
	r = r ? r : dg_buf_put_le32(ans, 0);
	r = r ? r : dg_buf_put(ans, go.insns, go.insns_sz);
	r = r ? r : dg_buf_put(ans, go.data, go.data_sz);
	r = r ? r : dg_buf_put(ans, names.data, names.len);
out:
	dg_buf_free(&names);
	bpf_object__close(obj);
	return r;
}
