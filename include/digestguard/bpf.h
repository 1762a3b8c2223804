/* SPDX-License-Identifier: MIT */
/*
 * Signed BPF programs with a trusted hash chain (DESIGN.md §8, docs/bpf.md).
 *
 * Signing: the sandboxed bpf handler turns a BPF ELF object into a loader
 * program and its metadata (libbpf's gen_loader, the light-skeleton form);
 * the core puts in front of the loader a check that the metadata map's
 * SHA-256, computed by the kernel when the map is frozen, equals the
 * SHA-256 of the metadata it signs, then signs the loader's instructions
 * (PKCS#7/CMS, DER, detached, SHA-256, no signed attributes, signer named
 * by subject key identifier), which the kernel's verify_pkcs7_signature()
 * accepts.  One signature thus covers the loader and, through the hash in
 * its instructions, the metadata.
 *
 * Loading: the metadata goes into a frozen array map that only the loader
 * (by the SHA-256 of its instructions) may use; the loader program is
 * loaded with its signature for the kernel to verify, or, where the kernel
 * cannot (EOPNOTSUPP), after digestguard verified the signature itself; then
 * the loader runs and creates the object's maps and programs.
 *
 * Functions return 0 or a negative errno; dg_bpf_last_error() names the
 * input and the reason.
 */
#ifndef DIGESTGUARD_BPF_H
#define DIGESTGUARD_BPF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dg_bpf;

/* Without namespaces for the handler (tests in containers without them). */
#define DG_BPF_NO_NAMESPACES (1u << 0)

int dg_bpf_new(unsigned int flags, struct dg_bpf **out);
void dg_bpf_free(struct dg_bpf *bpf);	/* NULL is allowed */
const char *dg_bpf_last_error(const struct dg_bpf *bpf);

/* What a signed object holds (after dg_bpf_sign() or dg_bpf_open()). */
struct dg_bpf_info {
	uint32_t nr_maps, nr_progs;
	uint32_t insns_len, data_len, sig_len;
	uint8_t insns_sha256[32];	/* the loader: the maps' excl_prog_hash */
	uint8_t data_sha256[32];	/* the metadata: H_meta in the loader */
	uint8_t keyid[64];		/* signer's subject key identifier */
	size_t keyid_len;		/* 0: named by issuer and serial */
	unsigned int digest_bits;	/* 256, 384 or 512 */
	const char *names;		/* sign only: program then map names,
					 * NUL-separated, names_len bytes */
	size_t names_len;
};

/*
 * Sign the BPF ELF object @obj_path with the private key @key_path (PEM)
 * and its X.509 certificate @cert_path (PEM or DER), writing the signed
 * object to @out_path (temporary file, then rename).
 */
int dg_bpf_sign(struct dg_bpf *bpf, const char *obj_path, const char *key_path,
		const char *cert_path, const char *out_path, struct dg_bpf_info *info);

/*
 * Read the signed object @path and check its layout and hash chain: the
 * handler parses it, the core re-checks every span and that the loader
 * begins with the hash check of exactly this metadata.  Does not verify
 * the signature (dg_bpf_verify()).
 */
int dg_bpf_open(struct dg_bpf *bpf, const char *path, struct dg_bpf_info *info);

/*
 * Verify the signature of the object opened last against the certificate
 * @cert_path, in user space (OpenSSL): 0 good; -EKEYREJECTED bad
 * signature (or an RSA key under 2048 bits); -ENOKEY signed by another
 * key; -EOPNOTSUPP a key type or EC curve other than RSA and P-256,
 * P-384, P-521.  Only 0 lets a DG_BPF_TRUST_USERSPACE load through.
 */
int dg_bpf_verify(struct dg_bpf *bpf, const char *cert_path);

/* How dg_bpf_load() has the signature checked. */
enum dg_bpf_trust {
	DG_BPF_TRUST_KERNEL,	/* the kernel verifies, against keyring_id */
	DG_BPF_TRUST_USERSPACE,	/* dg_bpf_verify() passed for the object opened
				 * last (dg_bpf_load() refuses with -EPERM
				 * otherwise): no signature to the kernel */
};

struct dg_bpf_load_opts {
	enum dg_bpf_trust trust;
	/* DG_BPF_TRUST_KERNEL: a key serial, or 0/1/2 for the kernel's
	 * builtin, secondary or platform keyring; with @cert_path instead,
	 * a keyring of this process holding that certificate. */
	int32_t keyring_id;
	const char *cert_path;
	const char *pin_dir;	/* NULL: load, report and unload on exit */
};

struct dg_bpf_loaded_obj {
	int fd;
	uint32_t id;
	uint32_t type;		/* BPF_PROG_TYPE_* or BPF_MAP_TYPE_* */
	char name[16];
	char file[16];		/* name under --pin: '.' made '_' (bpffs
				 * reserves dots), "" when not usable */
};

struct dg_bpf_loaded {
	struct dg_bpf_loaded_obj progs[32], maps[64];
	uint32_t nr_progs, nr_maps;
	int kernel_verified;	/* 1: the kernel checked the signature */
};

/*
 * Load the object opened last.  -EOPNOTSUPP with DG_BPF_TRUST_KERNEL: the
 * running kernel cannot verify program signatures (the message says so);
 * -EKEYREJECTED: the kernel refused the signature, or the loader found the
 * metadata map's hash wrong; -EPERM with DG_BPF_TRUST_USERSPACE: no
 * dg_bpf_verify() of this object passed.  The fds in @out stay open until
 * dg_bpf_loaded_close().
 */
int dg_bpf_load(struct dg_bpf *bpf, const struct dg_bpf_load_opts *opts,
		struct dg_bpf_loaded *out);
void dg_bpf_loaded_close(struct dg_bpf_loaded *l);

#ifdef __cplusplus
}
#endif
#endif
