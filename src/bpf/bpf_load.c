// SPDX-License-Identifier: MIT
/*
 * The loader of signed BPF objects: raw bpf(2) and add_key(2) calls, no
 * libbpf (it would parse the object again; here the kernel gets the bytes
 * the core checked, once).
 *
 *   1. the metadata goes into an array map "__loader.map" made with
 *      excl_prog_hash = SHA-256 of the loader, so no other program can use
 *      it; the map is frozen and its hash asked for (the kernel computes it
 *      and keeps it in the map, where the loader's hash check reads it);
 *   2. the loader is loaded as a sleepable BPF_PROG_TYPE_SYSCALL program
 *      with the map in its fd_array, and with its signature and a keyring
 *      for the kernel to verify (DG_BPF_TRUST_KERNEL), or without, after
 *      dg_bpf_verify() (DG_BPF_TRUST_USERSPACE);
 *   3. BPF_PROG_TEST_RUN runs the loader with a context of one
 *      struct bpf_map_desc per map and one struct bpf_prog_desc per program
 *      (libbpf's skel_internal.h); it creates them, in this process.
 *
 * The attribute layouts of Linux 6.18 are spelled out here because the
 * distribution's headers (6.1) predate the signing fields.
 */
#include <digestguard/bpf.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/keyctl.h>

#include "bpf_internal.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#define LOADER_LOG_SIZE (1u << 20)
/* The longest pin path, DIR/maps/NAME with its NUL. */
#define PIN_PATH_MAX 600u

/* union bpf_attr for BPF_MAP_CREATE, Linux 6.18 */
struct attr_map_create {
	uint32_t map_type, key_size, value_size, max_entries, map_flags, inner_map_fd;
	uint32_t numa_node;
	char map_name[16];
	uint32_t map_ifindex, btf_fd, btf_key_type_id, btf_value_type_id;
	uint32_t btf_vmlinux_value_type_id;
	uint64_t map_extra;
	int32_t value_type_btf_obj_fd, map_token_fd;
	uint64_t excl_prog_hash;
	uint32_t excl_prog_hash_size, pad;
};
_Static_assert(offsetof(struct attr_map_create, map_extra) == offsetof(union bpf_attr, map_extra),
	       "BPF_MAP_CREATE layout");

/* union bpf_attr for BPF_PROG_LOAD, Linux 6.18 */
struct attr_prog_load {
	uint32_t prog_type, insn_cnt;
	uint64_t insns, license;
	uint32_t log_level, log_size;
	uint64_t log_buf;
	uint32_t kern_version, prog_flags;
	char prog_name[16];
	uint32_t prog_ifindex, expected_attach_type, prog_btf_fd, func_info_rec_size;
	uint64_t func_info;
	uint32_t func_info_cnt, line_info_rec_size;
	uint64_t line_info;
	uint32_t line_info_cnt, attach_btf_id, attach_prog_fd, core_relo_cnt;
	uint64_t fd_array, core_relos;
	uint32_t core_relo_rec_size, log_true_size;
	int32_t prog_token_fd;
	uint32_t fd_array_cnt;
	uint64_t signature;
	uint32_t signature_size;
	int32_t keyring_id;
};
_Static_assert(offsetof(struct attr_prog_load, fd_array) == offsetof(union bpf_attr, fd_array),
	       "BPF_PROG_LOAD layout");
_Static_assert(offsetof(struct attr_prog_load, core_relo_rec_size) ==
	       offsetof(union bpf_attr, core_relo_rec_size), "BPF_PROG_LOAD layout");

/* struct bpf_map_info up to hash_size, Linux 6.18 */
struct map_info_hash {
	struct bpf_map_info base;	/* up to map_extra in 6.1 */
	uint64_t hash;
	uint32_t hash_size, pad;
};

/* libbpf's skel_internal.h: the loader's context */
struct loader_ctx {
	uint32_t sz, flags, log_level, log_size;
	uint64_t log_buf;
};
struct loader_map_desc {
	int32_t map_fd;
	uint32_t max_entries;
	uint64_t initial_value;
};
struct loader_prog_desc {
	int32_t prog_fd;
};

static long sys_bpf(int cmd, void *attr, size_t size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* A keyring of this process holding the certificate @path. */
static int cert_keyring(struct dg_bpf *bpf, const char *path, int32_t *id)
{
	uint8_t *der = NULL;
	size_t len = 0;
	long kr, key;
	int r = bpf_cert_der(bpf, path, &der, &len);

	if (r < 0)
		return r;
	kr = syscall(__NR_add_key, "keyring", "digestguard-bpf", NULL, 0,
		     KEY_SPEC_PROCESS_KEYRING);
	key = kr < 0 ? -1 : syscall(__NR_add_key, "asymmetric", NULL, der, len, kr);
	free(der);
	if (kr < 0 || key < 0) {
		r = -errno;
		bpf_set_err(bpf, "%s: the kernel does not take the certificate into a keyring: %s",
			    path, strerror(-r));
		return r;
	}
	*id = (int32_t)kr;
	return 0;
}

/*
 * A key serial given for the kernel's check names a key this process can
 * find: the kernel answers a missing one with a bare EINVAL, which would
 * read as a refused program.  Only a definite "no such key" is refused
 * here; a key we may not describe is left to the kernel.
 */
static int keyring_exists(struct dg_bpf *bpf, int32_t id)
{
	if (id <= 2 || syscall(__NR_keyctl, KEYCTL_DESCRIBE, id, NULL, 0) >= 0)
		return 0;
	if (errno != ENOKEY && errno != EKEYREVOKED && errno != EKEYEXPIRED)
		return 0;
	bpf_set_err(bpf, "keyring %d: no such key or keyring (%s)", (int)id, strerror(errno));
	return -EINVAL;
}

static int metadata_map(struct dg_bpf *bpf)
{
	const struct bpf_chain_parts *p = &bpf->parts;
	struct attr_map_create a = { 0 };
	struct map_info_hash info = { 0 };
	union bpf_attr u;
	uint8_t hash[32];
	uint32_t key = 0;
	int fd, r;

	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = p->data_len ? p->data_len : 1;
	a.max_entries = 1;
	memcpy(a.map_name, "__loader.map", 13);
	a.excl_prog_hash = ptr(p->insns_sha);
	a.excl_prog_hash_size = 32;
	fd = (int)sys_bpf(BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0) {
		r = -errno;
		bpf_set_err(bpf, "%s: cannot create the metadata map: %s%s", bpf->path,
			    strerror(-r), r == -E2BIG || r == -EINVAL ?
			    " (exclusive maps need Linux 6.18 or later)" : "");
		return r;
	}
	memset(&u, 0, sizeof(u));
	u.map_fd = (uint32_t)fd;
	u.key = ptr(&key);
	u.value = ptr(p->data);
	r = sys_bpf(BPF_MAP_UPDATE_ELEM, &u, sizeof(u)) == 0 ? 0 : -errno;
	if (r == 0) {
		memset(&u, 0, sizeof(u));
		u.map_fd = (uint32_t)fd;
		r = sys_bpf(BPF_MAP_FREEZE, &u, sizeof(u)) == 0 ? 0 : -errno;
	}
	if (r == 0) {
		/* Asking for the hash is what stores it in the map. */
		info.hash = ptr(hash);
		info.hash_size = 32;
		memset(&u, 0, sizeof(u));
		u.info.bpf_fd = (uint32_t)fd;
		u.info.info_len = sizeof(info);
		u.info.info = ptr(&info);
		r = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &u, sizeof(u)) == 0 ? 0 : -errno;
	}
	if (r == 0 && memcmp(hash, p->data_sha, 32))
		r = -EIO;
	if (r < 0) {
		bpf_set_err(bpf, "%s: cannot fill, freeze and hash the metadata map: %s", bpf->path,
			    r == -EIO ? "the kernel's hash differs from the metadata's" :
			    strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

static int load_loader(struct dg_bpf *bpf, int map_fd, const struct dg_bpf_load_opts *o,
		       int32_t keyring_id, char *log, size_t log_size)
{
	const struct bpf_chain_parts *p = &bpf->parts;
	struct attr_prog_load a = { 0 };
	int fd;

	a.prog_type = BPF_PROG_TYPE_SYSCALL;
	a.prog_flags = BPF_F_SLEEPABLE;
	a.insns = ptr(p->insns);
	a.insn_cnt = p->insns_len / 8;
	a.license = ptr("Dual BSD/GPL");
	memcpy(a.prog_name, "__loader.prog", 14);
	a.fd_array = ptr(&map_fd);
	if (log) {
		a.log_level = 1;
		a.log_size = (uint32_t)log_size;
		a.log_buf = ptr(log);
		log[0] = '\0';
	}
	if (o->trust == DG_BPF_TRUST_KERNEL) {
		a.signature = ptr(p->sig);
		a.signature_size = p->sig_len;
		a.keyring_id = keyring_id;
	}
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

/* The verifier's reason: its last line before the statistics it ends with. */
static const char *log_tail(char *log)
{
	char *line, *reason = log;

	for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17) &&
		    strncmp(line, "stack depth", 11))
			reason = line;
	return reason;
}

static int loader_prog(struct dg_bpf *bpf, int map_fd, const struct dg_bpf_load_opts *o,
		       int32_t keyring_id)
{
	char *log;
	int fd = load_loader(bpf, map_fd, o, keyring_id, NULL, 0);

	if (fd >= 0)
		return fd;
	if (fd == -EOPNOTSUPP && o->trust == DG_BPF_TRUST_KERNEL) {
		bpf_set_err(bpf, "%s: the running kernel cannot verify BPF program signatures "
			    "(EOPNOTSUPP: built without CONFIG_SYSTEM_DATA_VERIFICATION); "
			    "verify in user space with --userspace-verified --cert CERT",
			    bpf->path);
		return fd;
	}
	if (o->trust == DG_BPF_TRUST_KERNEL &&
	    (fd == -EKEYREJECTED || fd == -ENOKEY || fd == -EBADMSG || fd == -EKEYEXPIRED)) {
		bpf_set_err(bpf, "%s: the kernel rejected the signature: %s", bpf->path,
			    strerror(-fd));
		return fd == -EBADMSG ? -EKEYREJECTED : fd;
	}
	/* Again with the verifier's log, to say why. */
	log = malloc(LOADER_LOG_SIZE);
	if (log && load_loader(bpf, map_fd, o, keyring_id, log, LOADER_LOG_SIZE) < 0 && log[0])
		bpf_set_err(bpf, "%s: the kernel refused the loader program: %s: %s", bpf->path,
			    strerror(-fd), log_tail(log));
	else
		bpf_set_err(bpf, "%s: the kernel refused the loader program: %s", bpf->path,
			    strerror(-fd));
	free(log);
	return fd;
}

static int run_once(struct dg_bpf *bpf, int prog_fd, uint8_t *ctx, size_t ctx_len, char *log,
		    size_t log_size)
{
	struct loader_ctx *c = (struct loader_ctx *)ctx;
	union bpf_attr u;
	int r;

	memset(ctx, 0, ctx_len);
	c->sz = (uint32_t)ctx_len;
	if (log) {
		/* The loader passes these to each BPF_PROG_LOAD it makes. */
		c->log_level = 1;
		c->log_size = (uint32_t)log_size;
		c->log_buf = ptr(log);
		log[0] = '\0';
	}
	memset(&u, 0, sizeof(u));
	u.test.prog_fd = (uint32_t)prog_fd;
	u.test.ctx_in = ptr(ctx);
	u.test.ctx_size_in = (uint32_t)ctx_len;
	if (sys_bpf(BPF_PROG_TEST_RUN, &u, sizeof(u)) < 0) {
		r = -errno;
		bpf_set_err(bpf, "%s: cannot run the loader program: %s", bpf->path, strerror(-r));
		return r;
	}
	return (int)u.test.retval;
}

static int run_loader(struct dg_bpf *bpf, int prog_fd, uint8_t *ctx, size_t ctx_len)
{
	char *log;
	int r = run_once(bpf, prog_fd, ctx, ctx_len, NULL, 0);

	if (r == -BPF_CHECK_FAILED_ERRNO) {
		bpf_set_err(bpf, "%s: the loader refused the metadata map: its hash is not the "
			    "signed one, or the map is not exclusive to the loader", bpf->path);
		return -EKEYREJECTED;
	}
	if (r >= 0)
		return 0;
	/* Once more with the verifier's log of the program that failed (the
	 * loader closed everything it had made). */
	log = malloc(LOADER_LOG_SIZE);
	if (log && run_once(bpf, prog_fd, ctx, ctx_len, log, LOADER_LOG_SIZE) < 0 && log[0])
		bpf_set_err(bpf, "%s: the loader could not create the object's maps and programs: "
			    "%s: %s", bpf->path, strerror(-r), log_tail(log));
	else
		bpf_set_err(bpf, "%s: the loader could not create the object's maps and programs: "
			    "%s", bpf->path, strerror(-r));
	free(log);
	return r;
}

/* A kernel object name as a bpffs file name: [A-Za-z0-9_], dots made '_'
 * (bpffs refuses names with dots, as bpftool's pinning knows). */
static void file_name(const char *n, char out[16])
{
	size_t i;

	for (i = 0; n[i] && i < 15; i++) {
		if (n[i] == '.')
			out[i] = '_';
		else if (n[i] == '_' || (n[i] >= '0' && n[i] <= '9') ||
			 (n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z'))
			out[i] = n[i];
		else
			break;
	}
	out[n[i] && i < 15 ? 0 : i] = '\0';
}

static int obj_info(int fd, int prog, struct dg_bpf_loaded_obj *o)
{
	union bpf_attr u;
	struct bpf_prog_info pi;
	struct bpf_map_info mi;

	memset(&u, 0, sizeof(u));
	memset(&pi, 0, sizeof(pi));
	memset(&mi, 0, sizeof(mi));
	u.info.bpf_fd = (uint32_t)fd;
	u.info.info_len = prog ? sizeof(pi) : sizeof(mi);
	u.info.info = prog ? ptr(&pi) : ptr(&mi);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &u, sizeof(u)) < 0)
		return -errno;
	o->fd = fd;
	o->id = prog ? pi.id : mi.id;
	o->type = prog ? pi.type : mi.type;
	memcpy(o->name, prog ? pi.name : mi.name, sizeof(o->name) - 1);
	o->name[sizeof(o->name) - 1] = '\0';
	file_name(o->name, o->file);
	return 0;
}

static int pin_one(int fd, const char *path)
{
	union bpf_attr u;

	memset(&u, 0, sizeof(u));
	u.pathname = ptr(path);
	u.bpf_fd = (uint32_t)fd;
	return sys_bpf(BPF_OBJ_PIN, &u, sizeof(u)) == 0 ? 0 : -errno;
}

/* Programs as DIR/NAME, maps as DIR/maps/NAME; all or none. */
static int pin_all(struct dg_bpf *bpf, const char *dir, struct dg_bpf_loaded *l)
{
	char done[96][PIN_PATH_MAX];
	char path[PIN_PATH_MAX];
	struct statfs sf;
	uint32_t i, n = 0;
	int r = 0;

	/* Every path must be spelled out whole: a cut one would pin under a
	 * name (or in a directory) other than the one reported. */
	if (strlen(dir) + sizeof("/maps/") + sizeof(l->maps[0].file) - 1 > sizeof(path)) {
		bpf_set_err(bpf, "%s: too long for the pins under it (at most %zu bytes)", dir,
			    sizeof(path) - sizeof("/maps/") - sizeof(l->maps[0].file) + 1);
		return -ENAMETOOLONG;
	}
	if (statfs(dir, &sf) < 0 || (unsigned long)sf.f_type != BPF_FS_MAGIC) {
		bpf_set_err(bpf, "%s: not a directory on a BPF filesystem (mount -t bpf bpf DIR)",
			    dir);
		return -EINVAL;
	}
	for (i = 0; i < l->nr_progs + l->nr_maps && r == 0; i++) {
		int is_prog = i < l->nr_progs;
		const struct dg_bpf_loaded_obj *o = is_prog ? &l->progs[i] :
						    &l->maps[i - l->nr_progs];

		if (!o->file[0]) {
			bpf_set_err(bpf, "%s: object id %u has no name usable as a file name",
				    bpf->path, o->id);
			r = -EINVAL;
			break;
		}
		if (!is_prog && i == l->nr_progs) {
			snprintf(path, sizeof(path), "%s/maps", dir);
			if (mkdir(path, 0700) < 0 && errno != EEXIST) {
				r = -errno;
				bpf_set_err(bpf, "%s: %s", path, strerror(-r));
				break;
			}
		}
		snprintf(path, sizeof(path), "%s/%s%s", dir, is_prog ? "" : "maps/", o->file);
		r = pin_one(o->fd, path);
		if (r < 0)
			bpf_set_err(bpf, "%s: cannot pin: %s", path,
				    r == -EEXIST ? "already exists (unpin it first)" : strerror(-r));
		else
			snprintf(done[n++], sizeof(done[0]), "%s", path);
	}
	if (r < 0)
		while (n)
			unlink(done[--n]);
	return r;
}

int dg_bpf_load(struct dg_bpf *bpf, const struct dg_bpf_load_opts *o, struct dg_bpf_loaded *out)
{
	const struct bpf_chain_parts *p = &bpf->parts;
	struct loader_map_desc *md;
	struct loader_prog_desc *pd;
	uint8_t *ctx = NULL;
	size_t ctx_len;
	int32_t keyring_id = o->keyring_id;
	int map_fd = -1, prog_fd = -1, r;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 32; i++)
		out->progs[i].fd = -1;
	for (i = 0; i < 64; i++)
		out->maps[i].fd = -1;
	if (!bpf->opened) {
		bpf_set_err(bpf, "no signed object opened");
		return -EINVAL;
	}
	/* Without a signature for the kernel, nothing but dg_bpf_verify()
	 * checked it: the context must have seen that pass, for this object. */
	if (o->trust == DG_BPF_TRUST_USERSPACE && !bpf->verified) {
		bpf_set_err(bpf, "%s: signature not verified in user space (dg_bpf_verify()) "
			    "before a load that relies on it", bpf->path);
		return -EPERM;
	}
	if (o->trust == DG_BPF_TRUST_KERNEL && o->cert_path) {
		r = cert_keyring(bpf, o->cert_path, &keyring_id);
		if (r < 0)
			return r;
	} else if (o->trust == DG_BPF_TRUST_KERNEL) {
		r = keyring_exists(bpf, keyring_id);
		if (r < 0)
			return r;
	}
	map_fd = metadata_map(bpf);
	if (map_fd < 0)
		return map_fd;
	prog_fd = loader_prog(bpf, map_fd, o, keyring_id);
	if (prog_fd < 0) {
		r = prog_fd;
		goto out;
	}
	ctx_len = sizeof(struct loader_ctx) + p->nr_maps * sizeof(*md) + p->nr_progs * sizeof(*pd);
	ctx = calloc(1, ctx_len);
	if (!ctx) {
		r = -ENOMEM;
		goto out;
	}
	r = run_loader(bpf, prog_fd, ctx, ctx_len);
	if (r < 0)
		goto out;
	md = (struct loader_map_desc *)(ctx + sizeof(struct loader_ctx));
	pd = (struct loader_prog_desc *)(md + p->nr_maps);
	/* Take every fd the loader made before anything can fail. */
	for (i = 0; i < p->nr_maps; i++)
		out->maps[i].fd = md[i].map_fd > 0 ? md[i].map_fd : -1;
	for (i = 0; i < p->nr_progs; i++)
		out->progs[i].fd = pd[i].prog_fd > 0 ? pd[i].prog_fd : -1;
	out->nr_maps = p->nr_maps;
	out->nr_progs = p->nr_progs;
	for (i = 0; i < p->nr_progs + p->nr_maps && r == 0; i++) {
		struct dg_bpf_loaded_obj *ob = i < p->nr_progs ? &out->progs[i] :
					      &out->maps[i - p->nr_progs];

		r = ob->fd < 0 ? -EIO : obj_info(ob->fd, i < p->nr_progs, ob);
		if (r < 0)
			bpf_set_err(bpf, "%s: the loader did not leave a usable %s %u: %s",
				    bpf->path, i < p->nr_progs ? "program" : "map",
				    i < p->nr_progs ? i : i - p->nr_progs, strerror(-r));
	}
	if (r == 0 && o->pin_dir)
		r = pin_all(bpf, o->pin_dir, out);
	out->kernel_verified = o->trust == DG_BPF_TRUST_KERNEL;
out:
	if (r < 0)
		dg_bpf_loaded_close(out);
	free(ctx);
	if (prog_fd >= 0)
		close(prog_fd);
	close(map_fd);
	return r;
}

void dg_bpf_loaded_close(struct dg_bpf_loaded *l)
{
	uint32_t i;

	for (i = 0; i < l->nr_progs; i++)
		if (l->progs[i].fd >= 0)
			close(l->progs[i].fd);
	for (i = 0; i < l->nr_maps; i++)
		if (l->maps[i].fd >= 0)
			close(l->maps[i].fd);
	memset(l, 0, sizeof(*l));
}
