// SPDX-License-Identifier: MIT
/*
 * Signed BPF objects, trusted side: the context and its handler, signing,
 * opening (layout and hash chain re-checked) and user-space verification.
 * The loader is in bpf_load.c.
 *
 * The certificate and the private key are the operator's own files, read
 * with OpenSSL here (like the kernel reads its own keyrings); what comes
 * from elsewhere, the ELF object to sign and the signed object to load, is
 * parsed by the sandboxed bpf handler only.
 */
#include <digestguard/bpf.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "bpf_chain.h"
#include "bpf_internal.h"
#include "cursor.h"
#include "file.h"
#include "hex.h"
#include "sha256.h"
#include "../handlers/bpf/bpf_proto.h"

/* The largest request or answer: a signed object at every cap, plus room
 * for the GEN answer's header and names. */
#define BPF_SIGNED_MAX ((size_t)BPF_SIGNED_HDR_LEN + BPF_INSNS_MAX + BPF_DATA_MAX + BPF_SIG_MAX)
#define BPF_FRAME_MAX ((uint32_t)BPF_SIGNED_MAX + BPF_NAMES_MAX + (1u << 20))
#define BPF_HANDLER_TIMEOUT_MS 30000
#define BPF_CERT_MAX (1u << 20)
#define BPF_RSA_MIN_BITS 2048

void bpf_set_err(struct dg_bpf *bpf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bpf->err, sizeof(bpf->err), fmt, ap);
	va_end(ap);
}

const char *dg_bpf_last_error(const struct dg_bpf *bpf)
{
	return bpf->err[0] ? bpf->err : "no error";
}

int dg_bpf_new(unsigned int flags, struct dg_bpf **out)
{
	/* One object per process: libbpf's parse of an ELF object, or the
	 * parse of one signed object, never shares a handler with another. */
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_bpf),
		.max_frame = BPF_FRAME_MAX,
		.timeout_ms = BPF_HANDLER_TIMEOUT_MS,
		.flags = DG_UMD_FRESH_PER_CALL |
			 (flags & DG_BPF_NO_NAMESPACES ? DG_UMD_NO_NAMESPACES : 0),
	};
	struct dg_bpf *bpf = calloc(1, sizeof(*bpf));
	int r;

	*out = NULL;
	if (!bpf)
		return -ENOMEM;
	r = dg_umd_new(&d, &bpf->umd);
	if (r < 0) {
		free(bpf);
		return r;
	}
	*out = bpf;
	return 0;
}

void dg_bpf_free(struct dg_bpf *bpf)
{
	if (!bpf)
		return;
	dg_umd_free(bpf->umd);
	free(bpf->file);
	free(bpf->gen_answer);
	free(bpf);
}

/* The last OpenSSL error, for messages. */
static const char *ssl_reason(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (!e)
		return "no reason given by OpenSSL";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static void *parse_cert(const uint8_t *buf, size_t len)
{
	const unsigned char *p = buf;
	BIO *b = BIO_new_mem_buf(buf, (int)len);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	if (x)
		return x;
	ERR_clear_error();
	x = d2i_X509(NULL, &p, (long)len);
	if (x && p != buf + len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static void *parse_key(const uint8_t *buf, size_t len)
{
	BIO *b = BIO_new_mem_buf(buf, (int)len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

/* The operator's file @path parsed by @parse (@what for messages); the
 * bytes are wiped after, as they may hold a private key. */
static void *read_own(struct dg_bpf *bpf, const char *path, void *(*parse)(const uint8_t *, size_t),
		      const char *what)
{
	uint8_t *buf;
	size_t len;
	char why[256];
	void *obj;

	if (dg_file_read(path, BPF_CERT_MAX, &buf, &len, why, sizeof(why)) < 0) {
		bpf_set_err(bpf, "%s", why);
		return NULL;
	}
	obj = parse(buf, len);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (!obj)
		bpf_set_err(bpf, "%s: not %s: %s", path, what, ssl_reason());
	return obj;
}

static X509 *read_cert(struct dg_bpf *bpf, const char *path)
{
	return read_own(bpf, path, parse_cert, "an X.509 certificate (PEM or DER)");
}

static EVP_PKEY *read_key(struct dg_bpf *bpf, const char *path)
{
	return read_own(bpf, path, parse_key, "a PEM private key without passphrase");
}

/* The certificate's key fits the kernel: RSA of 2048 bits or more, or
 * ECDSA on a curve the kernel verifies and that is no weaker than RSA-2048
 * (the kernel also has P-192: 96-bit security). */
static int check_pubkey(struct dg_bpf *bpf, const char *path, EVP_PKEY *pk)
{
	static const char *const curves[] = { "prime256v1", "secp384r1", "secp521r1" };
	char group[64] = "";
	size_t i;

	if (EVP_PKEY_is_a(pk, "RSA")) {
		if (EVP_PKEY_get_bits(pk) < BPF_RSA_MIN_BITS) {
			bpf_set_err(bpf, "%s: RSA key of %d bits, below the minimum of %d", path,
				    EVP_PKEY_get_bits(pk), BPF_RSA_MIN_BITS);
			return -EKEYREJECTED;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(pk, "EC")) {
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL) != 1)
			ERR_clear_error();
		for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
			if (!strcmp(group, curves[i]))
				return 0;
		bpf_set_err(bpf, "%s: EC curve %s is not supported (P-256, P-384, P-521)", path,
			    group[0] ? group : "(explicit parameters)");
		return -EOPNOTSUPP;
	}
	bpf_set_err(bpf, "%s: key type %s is not supported (RSA or ECDSA)", path,
		    EVP_PKEY_get0_type_name(pk));
	return -EOPNOTSUPP;
}

int bpf_cert_der(struct dg_bpf *bpf, const char *path, uint8_t **der, size_t *len)
{
	X509 *x = read_cert(bpf, path);
	unsigned char *p = NULL;
	EVP_PKEY *pk;
	int n;

	if (!x)
		return -EINVAL;
	/* The same key policy as dg_bpf_verify(), before the kernel trusts it. */
	pk = X509_get0_pubkey(x);
	n = pk ? check_pubkey(bpf, path, pk) : -EINVAL;
	if (n < 0) {
		if (!pk)
			bpf_set_err(bpf, "%s: %s", path, ssl_reason());
		X509_free(x);
		return n;
	}
	n = i2d_X509(x, &p);
	X509_free(x);
	if (n <= 0) {
		bpf_set_err(bpf, "%s: %s", path, ssl_reason());
		return -EINVAL;
	}
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, p, (size_t)n);
	OPENSSL_free(p);
	*len = (size_t)n;
	return *der ? 0 : -ENOMEM;
}

/*
 * PKCS#7/CMS as the kernel's verify_pkcs7_signature() takes it.  OpenSSL's
 * CMS finds the signer's digest through the legacy digest name table: the
 * process must not have been initialised with OPENSSL_INIT_NO_ADD_ALL_DIGESTS
 * (the CLI initialises `bpf` commands with it: src/cli/crypto.c).
 */
static int cms_sign(struct dg_bpf *bpf, X509 *cert, EVP_PKEY *key, const uint8_t *insns,
		    size_t len, uint8_t **sig, size_t *sig_len)
{
	const unsigned int fl = CMS_NOCERTS | CMS_BINARY | CMS_DETACHED | CMS_PARTIAL;
	CMS_ContentInfo *cms = NULL;
	unsigned char *der = NULL;
	BIO *in = NULL;
	int n = -1;

	in = BIO_new_mem_buf(insns, (int)len);
	if (in)
		cms = CMS_sign(NULL, NULL, NULL, NULL, fl);
	if (cms && CMS_add1_signer(cms, cert, key, EVP_sha256(),
				   CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_USE_KEYID |
				   CMS_NOATTR) &&
	    CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) == 1)
		n = i2d_CMS_ContentInfo(cms, &der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	if (n <= 0) {
		bpf_set_err(bpf, "CMS signature failed: %s", ssl_reason());
		return -EINVAL;
	}
	*sig = malloc((size_t)n);
	if (*sig)
		memcpy(*sig, der, (size_t)n);
	OPENSSL_free(der);
	*sig_len = (size_t)n;
	return *sig ? 0 : -ENOMEM;
}

/* Re-check the BPF_REQ_GEN answer: its numbers against its length. */
static int check_gen_answer(struct dg_bpf *bpf, const char *name, const uint8_t *a, size_t len,
			    struct dg_bpf_info *info, const uint8_t **insns, const uint8_t **data)
{
	uint32_t il, dl, nl;

	if (len < BPF_GEN_HDR_LEN || get_le32(a) != BPF_GEN_MAGIC ||
	    get_le16(a + 4) != BPF_ANS_VERSION)
		goto bad;
	il = get_le32(a + 16);
	dl = get_le32(a + 20);
	nl = get_le32(a + 24);
	if (il == 0 || il % 8 || il > BPF_INSNS_MAX - BPF_CHECK_LEN || dl > BPF_DATA_MAX ||
	    nl > BPF_NAMES_MAX || (uint64_t)BPF_GEN_HDR_LEN + il + dl + nl != len ||
	    get_le32(a + 8) > BPF_MAPS_MAX || get_le32(a + 12) == 0 ||
	    get_le32(a + 12) > BPF_PROGS_MAX || (nl && a[len - 1] != '\0'))
		goto bad;
	info->nr_maps = get_le32(a + 8);
	info->nr_progs = get_le32(a + 12);
	info->insns_len = il + BPF_CHECK_LEN;
	info->data_len = dl;
	*insns = a + BPF_GEN_HDR_LEN;
	*data = *insns + il;
	info->names = (const char *)*data + dl;
	info->names_len = nl;
	return 0;
bad:
	bpf_set_err(bpf, "%s: the handler's answer (%zu bytes) is not a loader program", name,
		    len);
	return -EBADMSG;
}

static void keyid_of(X509 *x, struct dg_bpf_info *info)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);

	info->keyid_len = 0;
	if (ski && ASN1_STRING_length(ski) > 0 &&
	    (size_t)ASN1_STRING_length(ski) <= sizeof(info->keyid)) {
		info->keyid_len = (size_t)ASN1_STRING_length(ski);
		memcpy(info->keyid, ASN1_STRING_get0_data(ski), info->keyid_len);
	}
}

int dg_bpf_sign(struct dg_bpf *bpf, const char *obj_path, const char *key_path,
		const char *cert_path, const char *out_path, struct dg_bpf_info *info)
{
	struct dg_umd_answer ans = { 0 };
	const uint8_t *gen_insns, *gen_data;
	uint8_t *obj = NULL, *file = NULL, *sig = NULL;
	size_t obj_len, sig_len = 0, file_len;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int r;

	memset(info, 0, sizeof(*info));
	bpf->err[0] = '\0';
	cert = read_cert(bpf, cert_path);
	key = cert ? read_key(bpf, key_path) : NULL;
	if (!cert || !key) {
		r = -EINVAL;
		goto out;
	}
	r = check_pubkey(bpf, cert_path, X509_get0_pubkey(cert));
	if (r < 0)
		goto out;
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		bpf_set_err(bpf, "%s: not the private key of %s", key_path, cert_path);
		r = -EKEYREJECTED;
		goto out;
	}
	keyid_of(cert, info);
	if (!info->keyid_len) {
		bpf_set_err(bpf, "%s: the certificate has no subject key identifier, by which "
			    "the kernel finds the signer", cert_path);
		r = -EINVAL;
		goto out;
	}
	r = dg_file_read(obj_path, BPF_OBJ_MAX, &obj, &obj_len, bpf->err, sizeof(bpf->err));
	if (r < 0)
		goto out;
	r = dg_umd_call(bpf->umd, BPF_REQ_GEN, obj, obj_len, &ans);
	if (r < 0) {
		bpf_set_err(bpf, "%s: %s", obj_path, dg_umd_last_error(bpf->umd));
		goto out;
	}
	r = check_gen_answer(bpf, obj_path, ans.data, ans.len, info, &gen_insns, &gen_data);
	if (r < 0)
		goto out;
	/* libbpf keeps its metadata 8-byte aligned, as the kernel's hash of
	 * the map that holds it requires (bpf_chain.c). */
	if (info->data_len % 8) {
		bpf_set_err(bpf, "%s: libbpf's metadata of %u bytes is not a multiple of 8",
			    obj_path, info->data_len);
		r = -EBADMSG;
		goto out;
	}
	/* header, hash check, libbpf's loader, metadata, signature */
	file_len = BPF_SIGNED_HDR_LEN + info->insns_len + info->data_len;
	file = malloc(file_len + BPF_SIG_MAX);
	if (!file) {
		r = -ENOMEM;
		goto out;
	}
	dg_sha256(gen_data, info->data_len, info->data_sha256);
	bpf_chain_check_insns(info->data_sha256, info->nr_maps, info->nr_progs,
			      file + BPF_SIGNED_HDR_LEN);
	memcpy(file + BPF_SIGNED_HDR_LEN + BPF_CHECK_LEN, gen_insns, info->insns_len - BPF_CHECK_LEN);
	memcpy(file + BPF_SIGNED_HDR_LEN + info->insns_len, gen_data, info->data_len);
	dg_sha256(file + BPF_SIGNED_HDR_LEN, info->insns_len, info->insns_sha256);
	r = cms_sign(bpf, cert, key, file + BPF_SIGNED_HDR_LEN, info->insns_len, &sig, &sig_len);
	if (r < 0)
		goto out;
	if (sig_len > BPF_SIG_MAX) {
		bpf_set_err(bpf, "signature of %zu bytes exceeds the limit of %u", sig_len,
			    BPF_SIG_MAX);
		r = -E2BIG;
		goto out;
	}
	memcpy(file + file_len, sig, sig_len);
	file_len += sig_len;
	info->sig_len = (uint32_t)sig_len;
	info->digest_bits = 256;
	bpf_chain_header(file, info->nr_maps, info->nr_progs, info->insns_len, info->data_len,
			 info->sig_len);
	r = dg_file_write_output(out_path, file, file_len);
	if (r < 0) {
		bpf_set_err(bpf, "%s: %s", out_path, strerror(-r));
		goto out;
	}
	/* The names point into the answer: keep it for the caller. */
	free(bpf->gen_answer);
	bpf->gen_answer = ans.data;
	ans.data = NULL;
out:
	dg_umd_answer_free(&ans);
	EVP_PKEY_free(key);
	X509_free(cert);
	free(obj);
	free(file);
	free(sig);
	return r;
}

int dg_bpf_open(struct dg_bpf *bpf, const char *path, struct dg_bpf_info *info)
{
	struct dg_umd_answer ans = { 0 };
	char why[sizeof(bpf->err)];
	int r;

	memset(info, 0, sizeof(*info));
	bpf->err[0] = '\0';
	free(bpf->file);
	bpf->file = NULL;
	bpf->opened = 0;
	bpf->verified = 0;
	r = dg_file_read(path, BPF_SIGNED_MAX,
			 &bpf->file, &bpf->file_len, bpf->err, sizeof(bpf->err));
	if (r < 0)
		return r;
	snprintf(bpf->path, sizeof(bpf->path), "%s", path);
	r = dg_umd_call(bpf->umd, BPF_REQ_SIGNED, bpf->file, bpf->file_len, &ans);
	if (r < 0) {
		bpf_set_err(bpf, "%s: %s", path, dg_umd_last_error(bpf->umd));
		return r;
	}
	r = bpf_chain_recheck(bpf->file, bpf->file_len, ans.data, ans.len, &bpf->parts, why,
			      sizeof(why));
	dg_umd_answer_free(&ans);
	if (r < 0) {
		bpf_set_err(bpf, "%s: %s", path, why);
		return r;
	}
	bpf->opened = 1;
	info->nr_maps = bpf->parts.nr_maps;
	info->nr_progs = bpf->parts.nr_progs;
	info->insns_len = bpf->parts.insns_len;
	info->data_len = bpf->parts.data_len;
	info->sig_len = bpf->parts.sig_len;
	memcpy(info->insns_sha256, bpf->parts.insns_sha, 32);
	memcpy(info->data_sha256, bpf->parts.data_sha, 32);
	if (bpf->parts.keyid) {
		info->keyid_len = bpf->parts.keyid_len;
		memcpy(info->keyid, bpf->parts.keyid, info->keyid_len);
	}
	info->digest_bits = bpf->parts.md == BPF_MD_SHA256 ? 256 :
			    bpf->parts.md == BPF_MD_SHA384 ? 384 : 512;
	return 0;
}

static const EVP_MD *md_of(unsigned int md)
{
	return md == BPF_MD_SHA256 ? EVP_sha256() : md == BPF_MD_SHA384 ? EVP_sha384() :
	       EVP_sha512();
}

int dg_bpf_verify(struct dg_bpf *bpf, const char *cert_path)
{
	const struct bpf_chain_parts *p = &bpf->parts;
	struct dg_bpf_info ci;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_PKEY *pk;
	X509 *cert;
	int r, ok;

	bpf->verified = 0;
	if (!bpf->opened) {
		bpf_set_err(bpf, "no signed object opened");
		return -EINVAL;
	}
	cert = read_cert(bpf, cert_path);
	if (!cert)
		return -EINVAL;
	pk = X509_get0_pubkey(cert);
	r = pk ? check_pubkey(bpf, cert_path, pk) : -EINVAL;
	if (r < 0)
		goto out;
	keyid_of(cert, &ci);
	if (p->keyid && (ci.keyid_len != p->keyid_len || memcmp(ci.keyid, p->keyid, ci.keyid_len))) {
		char want[129], have[129];

		dg_hex(want, p->keyid, p->keyid_len);
		dg_hex(have, ci.keyid, ci.keyid_len);
		bpf_set_err(bpf, "%s: signed by key id %s, not by %s (key id %s)", bpf->path, want,
			    cert_path, ci.keyid_len ? have : "none");
		r = -ENOKEY;
		goto out;
	}
	if ((p->pk == BPF_PK_RSA) != !!EVP_PKEY_is_a(pk, "RSA")) {
		bpf_set_err(bpf, "%s: signature algorithm does not match the key of %s", bpf->path,
			    cert_path);
		r = -EKEYREJECTED;
		goto out;
	}
	/* The signature, without signed attributes, is over the loader's digest. */
	ctx = EVP_PKEY_CTX_new(pk, NULL);
	ok = ctx && EVP_Digest(p->insns, p->insns_len, digest, &dlen, md_of(p->md), NULL) == 1 &&
	     EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, md_of(p->md)) == 1 &&
	     (p->pk != BPF_PK_RSA || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
	if (!ok) {
		bpf_set_err(bpf, "%s: %s", bpf->path, ssl_reason());
		r = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_verify(ctx, p->sigval, p->sigval_len, digest, dlen) != 1) {
		ERR_clear_error();
		bpf_set_err(bpf, "%s: BAD signature: it does not verify with the key of %s",
			    bpf->path, cert_path);
		r = -EKEYREJECTED;
		goto out;
	}
	bpf->verified = 1;
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	X509_free(cert);
	return r;
}
