// SPDX-License-Identifier: MIT
/*
 * Talking to the pgp handler, and turning re-checked packets into
 * certificates: self-signatures over user IDs and direct-key signatures,
 * subkey bindings with primary-key back-signatures for signing subkeys, and
 * revocations (RFC 9580 §5.2.1, §5.2.3.31, §10.1).  Every signature here is
 * verified by the core over bytes it re-checked; the handler's view of which
 * signature is which only steers the search.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "frame.h"
#include "log.h"
#include "pgp_internal.h"
#include "../../handlers/pgp/pgp_proto.h"

/* A call may carry up to the frame maximum; give big inputs time. */
#define PGP_CALL_TIMEOUT_MS 10000
/* Bounds on what one keyring input may add. */
#define PGP_SUBKEYS_MAX 256u
/* Revocations of a subkey or user ID that do not follow it, per certificate */
#define PGP_STRAYS_MAX 64u
/* Key signature checks (self-signatures, bindings, back-signatures,
 * revocations) per keyring input, weighed by what each costs: a
 * certificate is attacker-supplied (DESIGN.md §2), and one of 64 MiB could
 * otherwise hold some 30,000 RSA-16384 self-signatures, about 25 s of
 * checks.  The unit is one check as costly as Ed25519's (~60 us in OpenSSL
 * 3.0; RSA-4096 and ECDSA P-256 cost about as much), so a bound of 16384
 * units is about a second of checks whatever the keys. */
#define PGP_KEYSIG_BUDGET 16384u
/* Bounds on keyring pieces kept until their certificate arrives. */
#define PGP_LIMBO_MAX 64u
#define PGP_LONE_MAX 64u
/* Skipped certificates kept only to be named in a signature's failure. */
#define PGP_SKIPPED_MAX 64u

int pgp_errorf(struct dg_pgp *pgp, int err, const char *fmt, ...)
{
	char msg[sizeof(pgp->err)];
	va_list ap;

	/* Format aside first: callers pass pgp->err itself as an argument. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(pgp->err, msg, sizeof(msg));
	return err;
}

static int umd_setup(struct dg_pgp *pgp)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_pgp), .timeout_ms = PGP_CALL_TIMEOUT_MS,
	};
	int r;

	if (pgp->umd)
		return 0;
	r = dg_umd_new(&d, &pgp->umd);
	if (r < 0)
		return pgp_errorf(pgp, r, "cannot set up the pgp handler: %s", strerror(-r));
	return 0;
}

int dg_pgp_prestart(struct dg_pgp *pgp)
{
	int r;

	if (pgp->call == pgp_umd_call) {
		if ((r = umd_setup(pgp)) < 0)
			return r;
		r = dg_umd_launch(pgp->umd);
		if (r < 0)
			return pgp_errorf(pgp, r, "%s", dg_umd_last_error(pgp->umd));
	}
	return 0;
}

static int umd_callv(struct dg_pgp *pgp, uint16_t type, const struct iovec *v, int n,
		     uint8_t **ans, size_t *ans_len)
{
	struct dg_umd_answer a = { 0 };
	struct dg_umd *umd = pgp->ext_umd;
	int r;

	if (!umd) {
		if ((r = umd_setup(pgp)) < 0)
			return r;
		umd = pgp->umd;
	}
	r = dg_umd_callv(umd, type, v, n, &a);
	if (r < 0)
		return pgp_errorf(pgp, r, "%s", dg_umd_last_error(umd));
	*ans = a.data;
	*ans_len = a.len;
	return 0;
}

int pgp_umd_call(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
		 size_t len, uint8_t **ans, size_t *ans_len)
{
	(void)ctx;
	return umd_callv(pgp, type, &(struct iovec){ (void *)req, len }, 1, ans, ans_len);
}

int pgp_handler_request(struct dg_pgp *pgp, uint16_t type, uint32_t depth,
			const uint8_t *in, size_t len, uint8_t **ans, size_t *ans_len)
{
	uint8_t hdr[PGP_REQ_HDR_LEN], *req;
	int r;

	if (len > DG_FRAME_MAX_LIMIT - PGP_REQ_HDR_LEN)
		return pgp_errorf(pgp, -E2BIG, "input of %zu bytes exceeds the handler limit", len);
	/*
	 * RFC 9580 §6.1: a wrong CRC24 footer must not make us reject an armored
	 * object; the handler flags it and we verify the signature anyway.
	 */
	pgp_req_hdr_put_flags(hdr, depth, type == PGP_REQ_DEARMOR ? PGP_REQ_F_LENIENT_CRC : 0);
	if (pgp->call == pgp_umd_call) {
		/* The input goes out as it is, not copied behind the header. */
		struct iovec v[2] = { { hdr, sizeof(hdr) }, { (void *)in, len } };

		return umd_callv(pgp, type, v, 2, ans, ans_len);
	}
	req = malloc(PGP_REQ_HDR_LEN + len);
	if (!req)
		return -ENOMEM;
	memcpy(req, hdr, sizeof(hdr));
	if (len)
		memcpy(req + PGP_REQ_HDR_LEN, in, len);
	r = pgp->call(pgp, pgp->call_ctx, type, req, PGP_REQ_HDR_LEN + len, ans, ans_len);
	free(req);
	return r;
}

void pgp_inputs_free(struct pgp_inputs *in)
{
	size_t i;

	if (!in)
		return;
	for (i = 0; i < in->n; i++) {
		pgp_packets_free(&in->v[i]);
		free(in->bufs[i]);
	}
	free(in->v);
	free(in->bufs);
	memset(in, 0, sizeof(*in));
}

int pgp_parse_checked(struct dg_pgp *pgp, const char *name, const uint8_t *in, size_t len,
		     uint32_t depth, struct pgp_packets *out)
{
	uint8_t *ans = NULL;
	size_t ans_len = 0;
	char why[384];
	int r;

	if (pgp->pre_in && in == pgp->pre_in && len == pgp->pre_in_len && depth == 0) {
		/* Parsed by another handler (dg_pgp_verify_detached_parsed()):
		 * the same re-check as the pgp handler's answer gets. */
		pgp->pre_in = NULL;
		why[0] = '\0';
		r = pgp_recheck_parse(in, len, pgp->pre_ans, pgp->pre_ans_len, out, why,
				      sizeof(why));
		if (r < 0)
			return pgp_errorf(pgp, r, "%s: %s", name, why[0] ? why : dg_strerror(r));
		return 0;
	}
	r = pgp_handler_request(pgp, PGP_REQ_PARSE, depth, in, len, &ans, &ans_len);
	if (r < 0)
		return pgp_errorf(pgp, r, "%s: %s", name, pgp->err);
	why[0] = '\0';
	r = pgp_recheck_parse(in, len, ans, ans_len, out, why, sizeof(why));
	if (r < 0) {
		free(ans);
		return pgp_errorf(pgp, r, "%s: %s", name, why[0] ? why : dg_strerror(r));
	}
	out->ans = ans;		/* decompressed contents point into it */
	return 0;
}

/* Nothing, or the line end of the END line before (no other line). */
static bool line_end_only(const uint8_t *p, size_t n)
{
	return n == 0 || (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

int pgp_load_packets(struct dg_pgp *pgp, const char *name, const uint8_t *in,
		     size_t len, uint32_t depth, struct pgp_inputs *out)
{
	struct pgp_armor arm;
	uint8_t *ans = NULL;
	size_t ans_len = 0, i;
	char why[384];
	int r;

	memset(out, 0, sizeof(*out));
	if (!len)
		return pgp_errorf(pgp, -EBADMSG, "%s: empty input", name);
	if (in[0] & 0x80) {
		out->v = calloc(1, sizeof(*out->v));
		out->bufs = calloc(1, sizeof(*out->bufs));
		if (!out->v || !out->bufs) {
			pgp_inputs_free(out);
			return -ENOMEM;
		}
		out->armor_kind = -1;
		r = pgp_parse_checked(pgp, name, in, len, depth, &out->v[0]);
		if (r < 0) {
			pgp_inputs_free(out);
			return r;
		}
		out->n = 1;
		return 0;
	}
	r = pgp_handler_request(pgp, PGP_REQ_DEARMOR, depth, in, len, &ans, &ans_len);
	if (r < 0)
		return pgp_errorf(pgp, r, "%s: %s", name, pgp->err);
	why[0] = '\0';
	r = pgp_recheck_dearmor(in, len, ans, ans_len, &arm, why, sizeof(why));
	free(ans);
	if (r < 0)
		return pgp_errorf(pgp, r, "%s: %s", name, why[0] ? why : dg_strerror(r));
	out->v = calloc(arm.n, sizeof(*out->v));
	out->bufs = calloc(arm.n, sizeof(*out->bufs));
	if (!out->v || !out->bufs) {
		pgp_armor_free(&arm);
		pgp_inputs_free(out);
		return -ENOMEM;
	}
	out->armor_kind = arm.v[0].kind;
	for (i = 0; i < arm.n; i++) {
		uint64_t from = i ? arm.v[i - 1].stop : 0;

		out->other_kind |= arm.v[i].kind != arm.v[0].kind;
		out->text_outside |= i ? !line_end_only(in + from, (size_t)(arm.v[i].start - from))
				       : arm.v[0].start != 0;
	}
	out->text_outside |= !line_end_only(in + arm.v[arm.n - 1].stop,
					    len - (size_t)arm.v[arm.n - 1].stop);
	for (i = 0; i < arm.n; i++) {
		/* Parse the core's own decoding, never the handler's copy. */
		out->bufs[i] = arm.v[i].data;
		arm.v[i].data = NULL;
		out->n++;
		r = pgp_parse_checked(pgp, name, out->bufs[i], arm.v[i].len, depth, &out->v[i]);
		if (r < 0) {
			pgp_armor_free(&arm);
			pgp_inputs_free(out);
			return r;
		}
	}
	pgp_armor_free(&arm);
	return 0;
}

/* ---------------------------------------------------------- certificates */

static void ckey_free(struct pgp_ckey *k)
{
	EVP_PKEY_free(k->key.pkey);
	free((void *)k->key.body.p);
	free(k->binds);
	free(k->revs);
	free(k->uidrevs);
	memset(k, 0, sizeof(*k));
}

void pgp_cert_free(struct pgp_cert *c)
{
	size_t i;

	if (!c)
		return;
	ckey_free(&c->primary);
	for (i = 0; i < c->n_subs; i++)
		ckey_free(&c->subs[i]);
	free(c->subs);
	free(c);
}

/* Copy the key body so the certificate outlives the input; load the key. */
static int ckey_init(struct pgp_ckey *ck, const struct pgp_key *k)
{
	uint8_t *body = malloc(k->body.len ? k->body.len : 1);
	int i;

	memset(ck, 0, sizeof(*ck));
	if (!body)
		return -ENOMEM;
	memcpy(body, k->body.p, k->body.len);
	ck->key = *k;
	ck->key.pkey = NULL;
	ck->key.body.p = body;
	for (i = 0; i < k->n_fields; i++)
		ck->key.field[i].p = body + (k->field[i].p - k->body.p);
	ck->key.load_err = pgp_key_load(&ck->key, ck->key.load_why, sizeof(ck->key.load_why));
	return 0;
}

/* RFC 9580 §5.2.3.31: soft = superseded (1), retired (3), UID invalid (32). */
static bool reason_is_soft(const struct pgp_sig *s)
{
	return s->has_reason && (s->reason == 1 || s->reason == 3 || s->reason == 32);
}

size_t pgp_sig_issuer(const struct pgp_sig *s, uint8_t out[DG_PGP_FPR_MAX])
{
	if (s->issuer_fpr_len) {
		memcpy(out, s->issuer_fpr, s->issuer_fpr_len);
		return s->issuer_fpr_len;
	}
	if (s->has_issuer_id) {
		memcpy(out, s->issuer_id, 8);
		return 8;
	}
	return 0;
}

bool pgp_issuer_may_be(const uint8_t *iss, size_t len, const struct pgp_key *k)
{
	if (len == 8)	/* v4 key ID: the fingerprint's last 8 bytes; v6: first 8 */
		return !memcmp(iss, k->version == 4 ? k->fpr + 12 : k->fpr, 8);
	return !len || (len == k->fpr_len && !memcmp(iss, k->fpr, len));
}

bool pgp_issuers_name(const struct pgp_issuers *is, const struct pgp_key *k)
{
	size_t i;

	for (i = 0; i < is->n; i++)
		if (pgp_issuer_may_be(is->id[i], 8, k))
			return true;
	return false;
}

bool pgp_issuers_may_be(const struct pgp_issuers *is, const struct pgp_key *k)
{
	return !is->n || is->over || pgp_issuers_name(is, k);
}

/*
 * Does @s claim an issuer other than @k?  (Third-party certifications.)
 * Only when no issuer subpacket names @k: one naming another key may have
 * been added to the unhashed area by anyone, and must not turn a
 * revocation into a stranger's (docs/pgp-differences.md unhashed-issuer).
 */
static bool issuer_is_other(const struct pgp_sig *s, const struct pgp_key *k)
{
	return !pgp_issuers_may_be(&s->issuers, k);
}

/* What one signature check by @k costs, in PGP_KEYSIG_BUDGET's units
 * (measured with `openssl speed`: verification of RSA-2048 13 us,
 * RSA-4096 47 us, Ed25519 60 us, ECDSA P-256 41 us, Ed448 155 us, ECDSA
 * P-521 312 us, P-384 433 us; RSA grows with the square of the modulus). */
static unsigned int pgp_keysig_cost(const struct pgp_key *k)
{
	unsigned long long b;

	switch (k->algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S:
		if (k->bits <= 4096)
			return 1;
		b = k->bits;
		return (unsigned int)((b * b + 4096ull * 4096 - 1) / (4096ull * 4096));
	case PGP_PK_ECDSA:
		return k->bits <= 256 ? 1 : 8;
	case PGP_PK_ED448:
		return 3;
	default:
		return 1;
	}
}

static int verify_keysig(struct dg_pgp *pgp, const struct pgp_sig *s, const struct pgp_key *signer,
			 const struct pgp_key *primary, const struct pgp_key *sub,
			 uint8_t uid_tag, const struct pgp_bytes *uid, char *why, size_t wl)
{
	struct pgp_hasher h;
	unsigned int cost;
	int r;

	/* Over the budget the load fails (dg_pgp_keyring_add_mem()): a
	 * signature left unchecked could be a revocation. */
	cost = pgp_keysig_cost(signer);
	if (pgp->keysig_left < cost) {
		pgp->keysig_over = true;
		snprintf(why, wl, "over the budget of key signature checks");
		return -E2BIG;
	}
	pgp->keysig_left -= cost;

	if (s->version != signer->version) {
		snprintf(why, wl, "v%d signature by a v%d key", s->version, signer->version);
		return -EKEYREJECTED;
	}
	if (s->unknown_critical) {
		pgp_unknown_critical_why(s, why, wl);
		return -EKEYREJECTED;
	}
	/* MD5 and unknown hashes never bind keys; SHA-1 self-signatures are
	 * accepted (docs/pgp-verify.md). */
	if (s->hash_algo == PGP_H_MD5 || !pgp_hash_md(s->hash_algo)) {
		snprintf(why, wl, "%s key signature rejected", dg_pgp_hash_algo_name(s->hash_algo));
		return -EKEYREJECTED;
	}
	r = pgp_hasher_init(&h, s, 0);
	if (r == 0)
		r = pgp_hasher_key(&h, primary, s->version);
	if (r == 0 && sub)
		r = pgp_hasher_key(&h, sub, s->version);
	if (r == 0 && uid)
		r = pgp_hasher_uid(&h, uid_tag, uid->p, uid->len);
	if (r == 0)
		r = pgp_hasher_finish_verify(&h, s, signer, why, wl);
	pgp_hasher_free(&h);
	return r;
}

/* Verify certification or certification revocation @s by primary key @k
 * over user ID or user attribute packet @u. */
static int verify_uidsig(struct dg_pgp *pgp, const struct pgp_sig *s, const struct pgp_key *k,
			 const struct pgp_pkt *u, char *why, size_t wl)
{
	return verify_keysig(pgp, s, k, k, NULL, u->kind == PGP_K_UID ? 0xb4 : 0xd1, &u->body, why, wl);
}

/* A signing subkey's valid back-signature: when it was made, and until when
 * it is in force (0: no expiration). */
struct backsig {
	int64_t created, expires_at;
};

/*
 * Add binding @s, made by primary key @primary, to @k (the primary key or
 * a subkey).  A signature dated before the key that made it is no
 * signature, as Sequoia and GnuPG have it: a self-signature older than the
 * primary key would otherwise win as the oldest, or as the only one marking
 * the primary user ID.  A subkey binding may be older than the subkey it
 * binds (it is not older than its maker; every peer takes it).
 */
static int add_bind(struct pgp_ckey *k, const struct pgp_key *primary, const struct pgp_sig *s,
		    bool direct, const struct backsig *backsig, const uint8_t *uid_hash)
{
	struct pgp_bind *b;

	if (s->created < primary->created)
		return 0;
	if (k->n_binds >= PGP_BINDS_MAX)
		return -E2BIG;
	b = realloc(k->binds, (k->n_binds + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	k->binds = b;
	b = &k->binds[k->n_binds++];
	memset(b, 0, sizeof(*b));
	b->created = s->created;
	b->sig_expires_at = s->sig_expires ? s->created + s->sig_expires : 0;
	b->has_key_expires = s->has_key_expires;
	b->key_expires = s->key_expires;
	b->has_flags = s->has_key_flags;
	b->flags = s->key_flags;
	b->direct = direct;
	if (backsig) {
		b->backsig = true;
		b->backsig_created = backsig->created;
		b->backsig_expires_at = backsig->expires_at;
	}
	b->primary_uid = s->primary_uid;
	if (uid_hash) {
		b->has_uid = true;
		memcpy(b->uid_hash, uid_hash, sizeof(b->uid_hash));
	}
	return 0;
}

static int add_uidrev(struct pgp_ckey *k, const struct pgp_sig *s, const uint8_t *uid_hash)
{
	struct pgp_uidrev *v;

	if (k->n_uidrevs >= PGP_BINDS_MAX)
		return -E2BIG;
	v = realloc(k->uidrevs, (k->n_uidrevs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	k->uidrevs = v;
	v[k->n_uidrevs].created = s->created;
	memcpy(v[k->n_uidrevs].uid_hash, uid_hash, sizeof(v->uid_hash));
	k->n_uidrevs++;
	return 0;
}

static int add_rev(struct pgp_ckey *k, const struct pgp_sig *s)
{
	struct pgp_rev *v;

	if (k->n_revs >= PGP_BINDS_MAX)
		return -E2BIG;
	v = realloc(k->revs, (k->n_revs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	k->revs = v;
	v[k->n_revs].created = s->created;
	v[k->n_revs].hard = !reason_is_soft(s);
	v[k->n_revs].reason = s->has_reason ? s->reason : 0;
	k->n_revs++;
	return 0;
}

/*
 * Parse the body of one signature packet kept by the core (an embedded
 * back-signature, a revocation that came alone) as a packet in a buffer
 * of our own: the handler parses it like any input, the core re-checks it.
 * Returns 0 with *@out the one signature packet, or a negative errno with
 * the reason in @why (when not NULL); pgp->err stays as it was.  Free *pk
 * and *buf after use either way.
 */
static int parse_sig_body(struct dg_pgp *pgp, const char *what, const uint8_t *body, size_t n,
			  struct pgp_packets *pk, uint8_t **buf, const struct pgp_pkt **out,
			  char *why, size_t wl)
{
	char err[sizeof(pgp->err)];
	int r;

	memset(pk, 0, sizeof(*pk));
	*buf = NULL;
	*out = NULL;
	if (!body || n > 0xffffff) {
		if (why)
			snprintf(why, wl, "%s: no signature body, or one over %u bytes", what,
				 0xffffffu);
		return -E2BIG;
	}
	if (!(*buf = malloc(n + 6))) {
		if (why)
			snprintf(why, wl, "%s: %s", what, strerror(ENOMEM));
		return -ENOMEM;
	}
	(*buf)[0] = 0xc2;	/* new format, tag 2 */
	(*buf)[1] = 0xff;
	(*buf)[2] = (uint8_t)(n >> 24);
	(*buf)[3] = (uint8_t)(n >> 16);
	(*buf)[4] = (uint8_t)(n >> 8);
	(*buf)[5] = (uint8_t)n;
	memcpy(*buf + 6, body, n);
	memcpy(err, pgp->err, sizeof(err));
	r = pgp_parse_checked(pgp, what, *buf, n + 6, 0, pk);
	if (r == 0 && pk->n == 1 && pk->v[0].kind == PGP_K_SIG && !pk->v[0].sig_unsupported)
		*out = &pk->v[0];
	else if (why)
		snprintf(why, wl, "%s", r < 0 ? pgp->err : "not one supported signature packet");
	memcpy(pgp->err, err, sizeof(err));
	return *out ? 0 : r < 0 ? r : -EBADMSG;
}

/*
 * A signing subkey's binding needs an embedded Primary Key Binding
 * signature (0x19) made by the subkey (RFC 9580 §5.2.1.9).  Its creation
 * and expiration go into *@bs: the subkey can sign only while the
 * back-signature is in force, as the peers have it.
 */
static bool backsig_ok(struct dg_pgp *pgp, const struct pgp_sig *bind,
		       const struct pgp_key *primary, const struct pgp_key *sub, struct backsig *bs)
{
	struct pgp_packets pk;
	const struct pgp_pkt *p;
	uint8_t *buf;
	char why[256];
	bool ok = false;

	if (parse_sig_body(pgp, "embedded signature", bind->embedded.p, bind->embedded.len,
			   &pk, &buf, &p, NULL, 0) == 0 &&
	    p->sig.type == PGP_SIG_PRIMARY_BINDING)
		ok = verify_keysig(pgp, &p->sig, sub, primary, sub, 0, NULL, why, sizeof(why)) == 0;
	/* Made by the subkey, so not before it (Sequoia and GnuPG refuse
	 * such a back-signature; openpgp.js does not look). */
	if (ok && p->sig.created < sub->created)
		ok = false;
	if (ok) {
		bs->created = p->sig.created;
		bs->expires_at = p->sig.sig_expires ? p->sig.created + p->sig.sig_expires : 0;
	}
	pgp_packets_free(&pk);
	free(buf);
	return ok;
}

static int push_cert(struct pgp_cert ***v, size_t *n, struct pgp_cert *c)
{
	struct pgp_cert **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = c;
	return 0;
}

static bool same_key(const struct pgp_key *a, const struct pgp_key *b)
{
	return a->fpr_len == b->fpr_len && !memcmp(a->fpr, b->fpr, a->fpr_len);
}

/* Append @n items of @size at @from to the array *@to of *@n_to (bounded). */
static int append(void *to, size_t *n_to, const void *from, size_t n, size_t size)
{
	void **v = to;
	void *nv;

	if (!n)
		return 0;
	if (*n_to + n > PGP_BINDS_MAX)
		return -E2BIG;
	nv = realloc(*v, (*n_to + n) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	memcpy((uint8_t *)nv + *n_to * size, from, n * size);
	*n_to += n;
	return 0;
}

/* Add what another copy of key @to verified (bindings, revocations). */
/*
 * Revocations first, and never dropped: one that does not fit fails the
 * load (-E2BIG) rather than leave a revoked key usable.  Bindings past
 * the bound are dropped, as within one input.
 */
static int ckey_merge(struct pgp_ckey *to, const struct pgp_ckey *from)
{
	int r;

	if ((r = append(&to->revs, &to->n_revs, from->revs, from->n_revs, sizeof(*to->revs))) < 0 ||
	    (r = append(&to->uidrevs, &to->n_uidrevs, from->uidrevs, from->n_uidrevs,
			sizeof(*to->uidrevs))) < 0)
		return r;
	r = append(&to->binds, &to->n_binds, from->binds, from->n_binds, sizeof(*to->binds));
	return r == -E2BIG ? 0 : r;
}

/* @c's subkey whose key is @k's, or NULL. */
static struct pgp_ckey *sub_of(struct pgp_cert *c, const struct pgp_key *k)
{
	size_t j;

	for (j = 0; j < c->n_subs; j++)
		if (same_key(&c->subs[j].key, k))
			return &c->subs[j];
	return NULL;
}

/*
 * Fold @from, another copy of the same certificate (same primary
 * fingerprint), into @to, and free it: a keyring may hold an old copy next
 * to a revoked one, and every verified revocation counts.
 */
static int cert_merge(struct pgp_cert *to, struct pgp_cert *from)
{
	size_t i;
	int r;

	r = ckey_merge(&to->primary, &from->primary);
	for (i = 0; i < from->n_subs && r == 0; i++) {
		struct pgp_ckey *s = &from->subs[i], *v = sub_of(to, &s->key);

		if (v) {
			r = ckey_merge(v, s);
			continue;
		}
		if (to->n_subs >= PGP_SUBKEYS_MAX)
			continue;
		v = realloc(to->subs, (to->n_subs + 1) * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		to->subs = v;
		v[to->n_subs++] = *s;		/* moved: @from no longer owns it */
		memset(s, 0, sizeof(*s));
	}
	pgp_cert_free(from);
	return r;
}

/*
 * Verify revocation @s, wherever it stood, against @c: a key revocation
 * (0x20) against its primary key, a subkey revocation (0x28) against each
 * of its subkeys; keep it where it holds.
 */
static int try_revocation(struct dg_pgp *pgp, struct pgp_cert *c, const struct pgp_sig *s, bool *ok)
{
	struct pgp_ckey *pr = &c->primary;
	char why[256];
	size_t j;

	*ok = false;
	if (issuer_is_other(s, &pr->key))
		return 0;
	if (s->type == PGP_SIG_KEY_REVOCATION &&
	    verify_keysig(pgp, s, &pr->key, &pr->key, NULL, 0, NULL, why, sizeof(why)) == 0) {
		*ok = true;
		return add_rev(pr, s);	/* -E2BIG fails the load: never drop a revocation */
	}
	for (j = 0; s->type == PGP_SIG_SUBKEY_REVOCATION && j < c->n_subs; j++)
		if (verify_keysig(pgp, s, &pr->key, &pr->key, &c->subs[j].key, 0, NULL, why,
				  sizeof(why)) == 0) {
			*ok = true;
			return add_rev(&c->subs[j], s);
		}
	return 0;
}

/* @r from a merge or an added revocation: -E2BIG means revocations or
 * bindings that would not fit (neither is ever dropped). */
static int revs_overflow(struct dg_pgp *pgp, const char *name, const char *hex, int r)
{
	if (r != -E2BIG)
		return r;
	return pgp_errorf(pgp, r, "%s: certificate %s: more than %u revocations or "
			  "self-signatures of one key", name, hex, PGP_BINDS_MAX);
}

/* Apply the lone revocations that are @c's (their issuer may be it). */
static int apply_lone(struct dg_pgp *pgp, const char *name, const char *hex, struct pgp_cert *c)
{
	const struct pgp_key *k = &c->primary.key;
	size_t i = 0;
	int r = 0;

	while (i < pgp->n_lone && r == 0) {
		struct pgp_lone_rev *l = &pgp->lone[i];
		struct pgp_packets pk;
		const struct pgp_pkt *p;
		char why[sizeof(pgp->err)];
		uint8_t *buf;
		bool ok = false;

		if (!pgp_issuers_may_be(&l->issuers, k)) {
			i++;
			continue;
		}
		/*
		 * These bytes parsed as a supported signature when they came:
		 * a failure now is the handler's (or memory), and skipping the
		 * revocation would leave a revoked key usable.  Fail the load.
		 */
		r = parse_sig_body(pgp, "revocation", l->body, l->len, &pk, &buf, &p, why,
				   sizeof(why));
		if (r == 0)
			r = revs_overflow(pgp, name, hex, try_revocation(pgp, c, &p->sig, &ok));
		else
			pgp_errorf(pgp, r, "%s: certificate %s: a key revocation waiting for it "
				   "could not be parsed again, and is never dropped: %s", name, hex,
				   why);
		pgp_packets_free(&pk);
		free(buf);
		if (!ok) {
			i++;
			continue;
		}
		free(l->body);
		*l = pgp->lone[--pgp->n_lone];
	}
	return r;
}

/*
 * A key or subkey revocation outside any certificate (`gpg --gen-revoke`
 * writes one such packet) or among another certificate's packets: it
 * counts for every certificate it verifies against, now or when one
 * arrives in a later block or file.  1 when taken (applied or
 * kept), -E2BIG when PGP_LONE_MAX others are already waiting.
 */
static int lone_revocation(struct dg_pgp *pgp, const struct pgp_pkt *p)
{
	const struct pgp_sig *s = &p->sig;
	struct pgp_lone_rev *l;
	bool ok, any = false;
	size_t i;
	int r;

	for (i = 0; i < pgp->n_certs; i++) {
		if ((r = try_revocation(pgp, pgp->certs[i], s, &ok)) < 0)
			return r;
		any |= ok;
	}
	if (any)
		return 1;
	if (!p->body.p)
		return 0;
	for (i = 0; i < pgp->n_lone; i++)	/* the same revocation again */
		if (pgp->lone[i].len == p->body.len &&
		    !memcmp(pgp->lone[i].body, p->body.p, p->body.len))
			return 1;
	/* Never drop one silently: a revocation that cannot wait fails the load. */
	if (pgp->n_lone >= PGP_LONE_MAX)
		return pgp_errorf(pgp, -E2BIG, "more than %u key revocations wait for their "
				  "certificate", PGP_LONE_MAX);
	l = realloc(pgp->lone, (pgp->n_lone + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	pgp->lone = l;
	l = &l[pgp->n_lone];
	memset(l, 0, sizeof(*l));
	if (!(l->body = malloc(p->body.len ? p->body.len : 1)))
		return -ENOMEM;
	memcpy(l->body, p->body.p, p->body.len);
	l->len = p->body.len;
	l->issuers = s->issuers;
	pgp->n_lone++;
	return 1;
}

static struct pgp_cert *cert_find(struct pgp_cert **v, size_t n, const struct pgp_cert *c,
				  size_t *at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_key(&v[i]->primary.key, &c->primary.key)) {
			if (at)
				*at = i;
			return v[i];
		}
	return NULL;
}

/*
 * A certificate the keyring cannot use: kept (bounded, once) with the
 * reason in its primary key's load_why, only to be named when one of its
 * keys made a signature; freed otherwise.
 */
static void keep_skipped(struct dg_pgp *pgp, struct pgp_cert *c)
{
	if (pgp->n_skipped >= PGP_SKIPPED_MAX || cert_find(pgp->skipped, pgp->n_skipped, c, NULL) ||
	    push_cert(&pgp->skipped, &pgp->n_skipped, c) < 0)
		pgp_cert_free(c);
}

/*
 * Finish the certificate being built: keep it if its primary key is
 * usable, folded into an earlier copy of itself if there is one.
 */
static int finish_cert(struct dg_pgp *pgp, const char *name, struct pgp_cert *c,
		       int *added)
{
	char hex[2 * DG_PGP_FPR_MAX + 1];
	struct pgp_cert *old;
	size_t at;
	int r;

	dg_pgp_fpr_hex(c->primary.key.fpr, c->primary.key.fpr_len, hex);
	if (!c->primary.key.pkey) {
		pgp_errorf(pgp, -EOPNOTSUPP, "%s: certificate %s skipped: %s", name, hex,
			   c->primary.key.load_why);
		keep_skipped(pgp, c);
		return 0;
	}
	if ((old = cert_find(pgp->certs, pgp->n_certs, c, &at))) {
		if ((r = cert_merge(old, c)) < 0)
			return revs_overflow(pgp, name, hex, r);
		(*added)++;
		/* A revocation of it that could not be applied: it goes. */
		if ((r = apply_lone(pgp, name, hex, old)) < 0) {
			pgp->certs[at] = pgp->certs[--pgp->n_certs];
			pgp_cert_free(old);
		}
		return r;
	}
	/*
	 * No valid self-signature: not even a lone primary key packet is
	 * used (as by every peer).  Taking one as a "bare key" made a
	 * certificate stripped of its self-signatures valid without its
	 * expiration or key flags: losing packets must never make more keys
	 * valid.
	 */
	if (!c->primary.n_binds) {
		/* The reason, kept with the copy in limbo or in skipped. */
		snprintf(c->primary.key.load_why, sizeof(c->primary.key.load_why), "%s",
			 "no valid self-signature");
		pgp_errorf(pgp, -EKEYREJECTED, "%s: certificate %s skipped: %s", name, hex,
			   c->primary.key.load_why);
		/* Its revocations still count once a valid copy arrives. */
		if (c->primary.n_revs || c->n_subs) {
			if ((old = cert_find(pgp->limbo, pgp->n_limbo, c, NULL)))
				return revs_overflow(pgp, name, hex, cert_merge(old, c));
			if (pgp->n_limbo >= PGP_LIMBO_MAX) {
				pgp_cert_free(c);
				return pgp_errorf(pgp, -E2BIG, "%s: more than %u copies without a valid "
						  "self-signature wait for their certificate", name,
						  PGP_LIMBO_MAX);
			}
			if (push_cert(&pgp->limbo, &pgp->n_limbo, c) == 0)
				return 0;
		}
		keep_skipped(pgp, c);
		return 0;
	}
	while ((old = cert_find(pgp->limbo, pgp->n_limbo, c, &at))) {
		pgp->limbo[at] = pgp->limbo[--pgp->n_limbo];
		if ((r = cert_merge(c, old)) < 0) {
			pgp_cert_free(c);
			return revs_overflow(pgp, name, hex, r);
		}
	}
	/* Its waiting revocations first: one that cannot be applied keeps
	 * the certificate out of the keyring. */
	if ((r = apply_lone(pgp, name, hex, c)) < 0 ||
	    (r = push_cert(&pgp->certs, &pgp->n_certs, c)) < 0) {
		pgp_cert_free(c);
		return r;
	}
	(*added)++;
	return 0;
}

/* SHA-256 of a user ID (or attribute) packet's tag and body: its identity
 * here (a user ID and an attribute with the same bytes are different). */
static int uid_hash(const struct pgp_pkt *uid, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t tag = (uint8_t)uid->tag;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(c, &tag, 1) == 1 &&
		 EVP_DigestUpdate(c, uid->body.p, uid->body.len) == 1 &&
		 EVP_DigestFinal_ex(c, out, NULL) == 1;

	EVP_MD_CTX_free(c);
	return ok ? 0 : -ENOMEM;
}

/*
 * Revocations (of a subkey, 0x28, or of a user ID, 0x30) by @c's primary
 * key that did not follow the component they revoke: anyone who passes a
 * certificate on can reorder or concatenate its packets (a revocation
 * signature appended to a certificate lands after its last subkey), and a
 * revocation must not be lost for where it stands.  Each is tried against
 * every subkey, or every user ID and attribute among @pk->v[@first ..
 * @end), and counts for the one it verifies for.  Bindings and
 * certifications are not looked for elsewhere: out of place they bind
 * nothing (gpgv and openpgp.js do the same for both; Sequoia for both
 * looks further).
 */
static int apply_strays(struct dg_pgp *pgp, struct pgp_cert *c, const struct pgp_packets *pk,
			const size_t *strays, size_t n, size_t first, size_t end)
{
	struct pgp_ckey *pr = &c->primary;
	char why[256];
	uint8_t uh[32];
	size_t i, j;
	int r;

	for (i = 0; i < n; i++) {
		const struct pgp_sig *s = &pk->v[strays[i]].sig;
		bool ok;

		if (s->type == PGP_SIG_SUBKEY_REVOCATION) {
			if ((r = try_revocation(pgp, c, s, &ok)) < 0)
				return r;
			continue;
		}
		for (j = first; j < end; j++) {
			const struct pgp_pkt *u = &pk->v[j];

			if ((u->kind != PGP_K_UID && u->kind != PGP_K_UAT) ||
			    verify_uidsig(pgp, s, &pr->key, u, why, sizeof(why)))
				continue;
			if (uid_hash(u, uh) < 0)
				return -ENOMEM;
			if ((r = add_uidrev(pr, s, uh)) < 0)
				return r;
			break;
		}
	}
	return 0;
}

int pgp_certs_from_packets(struct dg_pgp *pgp, const char *name, const struct pgp_packets *pk)
{
	struct pgp_cert *c = NULL;
	const struct pgp_pkt *uid = NULL;
	struct pgp_ckey *sub = NULL;
	uint8_t uh[32];
	size_t i, strays[PGP_STRAYS_MAX], n_strays = 0, first = 0;
	bool skipping = false;
	int added = 0, r;
	char why[256];

	for (i = 0; i < pk->n; i++) {
		const struct pgp_pkt *p = &pk->v[i];
		const struct pgp_sig *s = &p->sig;
		struct pgp_ckey *pr;

		if (p->kind == PGP_K_KEY && !p->key_subkey) {
			if (c && (r = apply_strays(pgp, c, pk, strays, n_strays, first, i)) < 0)
				goto strays_failed;
			if (c && (r = finish_cert(pgp, name, c, &added)) < 0)
				return r;
			c = NULL;
			uid = NULL;
			sub = NULL;
			n_strays = 0;
			first = i + 1;
			/* its packets are skipped up to the next primary */
			/*
			 * A malformed subkey is skipped below; a certificate
			 * whose primary key does not parse is a broken input,
			 * as for every peer (gpgv, sqv, sqop, openpgp.js).
			 */
			if (p->key_malformed)
				return pgp_errorf(pgp, -EBADMSG,
						  "%s: packet %zu: primary key packet is malformed (%s)",
						  name, i, p->key_malformed);
			if ((skipping = p->key_unsupported)) {
				pgp_errorf(pgp, -EOPNOTSUPP,
					   "%s: certificate skipped: version %d keys are not supported",
					   name, p->key.version);
				continue;
			}
			c = calloc(1, sizeof(*c));
			if (!c || ckey_init(&c->primary, &p->key) < 0) {
				free(c);
				return -ENOMEM;
			}
			continue;
		}
		if (!c) {
			if (!skipping && p->kind == PGP_K_SIG && !p->sig_unsupported &&
			    (s->type == PGP_SIG_KEY_REVOCATION ||
			     s->type == PGP_SIG_SUBKEY_REVOCATION)) {
				if ((r = lone_revocation(pgp, p)) < 0)
					return r;
				added += r;
			}
			continue;
		}
		pr = &c->primary;
		if (p->kind == PGP_K_KEY) {
			sub = NULL;
			uid = NULL;
			if (p->key_unsupported)
				continue;	/* unknown version or malformed: no subkey */
			/*
			 * The same subkey again in this certificate (a revocation
			 * appended as "subkey, revocation", or an old binding
			 * pasted after it): its signatures join the first entry,
			 * as copies of a certificate are merged.  A second entry
			 * would let the one without the revocation verify.
			 */
			if ((sub = sub_of(c, &p->key)))
				continue;
			if (c->n_subs >= PGP_SUBKEYS_MAX)
				continue;
			sub = realloc(c->subs, (c->n_subs + 1) * sizeof(*sub));
			if (!sub)
				goto nomem;
			c->subs = sub;
			sub = &c->subs[c->n_subs];
			if (ckey_init(sub, &p->key) < 0)
				goto nomem;
			c->n_subs++;
			continue;
		}
		if (p->kind == PGP_K_UID || p->kind == PGP_K_UAT) {
			uid = p;
			sub = NULL;
			if (uid_hash(uid, uh) < 0)
				goto nomem;
			continue;
		}
		if (p->kind != PGP_K_SIG)
			continue;
		if (p->sig_unsupported)
			continue;
		if (issuer_is_other(s, &pr->key)) {
			/*
			 * Another certificate's key or subkey revocation among
			 * this one's packets (revocation certificates get
			 * concatenated into keyrings): kept like one outside any
			 * certificate, for the certificate it names, before or
			 * after this one.
			 */
			if ((s->type == PGP_SIG_KEY_REVOCATION ||
			     s->type == PGP_SIG_SUBKEY_REVOCATION) &&
			    (r = lone_revocation(pgp, p)) < 0)
				goto failed;
			continue;
		}
		why[0] = '\0';
		/* A revocation of the component before it, or a stray one. */
		if (s->type == PGP_SIG_SUBKEY_REVOCATION || s->type == PGP_SIG_CERT_REVOCATION) {
			bool sub_rev = s->type == PGP_SIG_SUBKEY_REVOCATION;

			r = 0;
			if (sub_rev && sub &&
			    verify_keysig(pgp, s, &pr->key, &pr->key, &sub->key, 0, NULL, why, sizeof(why)) == 0)
				r = add_rev(sub, s);
			else if (!sub_rev && uid && verify_uidsig(pgp, s, &pr->key, uid, why, sizeof(why)) == 0)
				r = add_uidrev(pr, s, uh);
			else if (n_strays < PGP_STRAYS_MAX)
				strays[n_strays++] = i;
			else
				goto too_many_strays;
			if (r == -ENOMEM)
				goto nomem;
			if (r == -E2BIG)
				goto too_many;
			continue;
		}
		/* Direct-key signatures and key revocations are about the
		 * primary key wherever they appear (e.g. a revocation
		 * certificate appended to an exported key). */
		if (s->type == PGP_SIG_DIRECT_KEY || s->type == PGP_SIG_KEY_REVOCATION) {
			if (verify_keysig(pgp, s, &pr->key, &pr->key, NULL, 0, NULL, why, sizeof(why)) == 0) {
				r = s->type == PGP_SIG_DIRECT_KEY ? add_bind(pr, &pr->key, s, true, NULL, NULL)
								  : add_rev(pr, s);
				if (r == -ENOMEM)
					goto nomem;
				if (r == -E2BIG && s->type == PGP_SIG_KEY_REVOCATION)
					goto too_many;
				if (r == -E2BIG)
					goto too_many_binds;
			}
			continue;
		}
		if (sub) {
			if (s->type == PGP_SIG_SUBKEY_BINDING &&
			    verify_keysig(pgp, s, &pr->key, &pr->key, &sub->key, 0, NULL, why, sizeof(why)) == 0) {
				struct backsig bs;
				bool has_bs = s->has_key_flags && (s->key_flags & PGP_KF_SIGN) &&
					      sub->key.pkey && backsig_ok(pgp, s, &pr->key, &sub->key, &bs);

				r = add_bind(sub, &pr->key, s, false, has_bs ? &bs : NULL, NULL);
				if (r == -ENOMEM)
					goto nomem;
				if (r == -E2BIG)
					goto too_many_binds;
			}
			continue;
		}
		if (uid) {
			if (s->type >= PGP_SIG_CERT_GENERIC && s->type <= PGP_SIG_CERT_POSITIVE &&
			    verify_uidsig(pgp, s, &pr->key, uid, why, sizeof(why)) == 0 &&
			    (r = add_bind(pr, &pr->key, s, false, NULL, uh)) < 0) {
				if (r == -ENOMEM)
					goto nomem;
				goto too_many_binds;
			}
			continue;
		}
	}
	if (c && (r = apply_strays(pgp, c, pk, strays, n_strays, first, pk->n)) < 0)
		goto strays_failed;
	if (c && (r = finish_cert(pgp, name, c, &added)) < 0)
		return r;
	return added;
nomem:
	pgp_cert_free(c);
	return -ENOMEM;
failed:
	pgp_cert_free(c);
	return r;
strays_failed:
	if (r == -ENOMEM)
		goto nomem;
too_many:	/* never drop a revocation: fail the load instead */
	pgp_cert_free(c);
	return pgp_errorf(pgp, -E2BIG, "%s: more than %u revocations of one key", name,
			  PGP_BINDS_MAX);
too_many_binds:	/* nor a self-signature: the dropped one could expire the key */
	pgp_cert_free(c);
	return pgp_errorf(pgp, -E2BIG, "%s: more than %u self-signatures or bindings of one key",
			  name, PGP_BINDS_MAX);
too_many_strays:
	pgp_cert_free(c);
	return pgp_errorf(pgp, -E2BIG,
			  "%s: more than %u revocations of a subkey or user ID out of their place in one certificate",
			  name, PGP_STRAYS_MAX);
}

int dg_pgp_keyring_add_mem(struct dg_pgp *pgp, const char *name, const void *data, size_t len)
{
	struct pgp_inputs in;
	int r, total = 0;
	size_t i;

	pgp->err[0] = '\0';
	if (pgp->certs_shared)
		return pgp_errorf(pgp, -EPERM, "%s: this context shares another's keyring", name);
	r = pgp_load_packets(pgp, name, data, len, 0, &in);
	if (r < 0)
		return r;
	pgp->keysig_left = PGP_KEYSIG_BUDGET;
	pgp->keysig_over = false;
	for (i = 0; i < in.n; i++) {
		r = pgp_certs_from_packets(pgp, name, &in.v[i]);
		if (r >= 0 && pgp->keysig_over)
			r = pgp_errorf(pgp, -E2BIG, "%s: more key signatures to check "
				       "(self-signatures, bindings, revocations) than one input may "
				       "need: %u checks by Ed25519, RSA up to 4096 bits or ECDSA "
				       "P-256 keys, fewer by bigger keys (docs/pgp-verify.md)", name,
				       PGP_KEYSIG_BUDGET);
		if (r < 0) {
			pgp_inputs_free(&in);
			/* Only -ENOMEM comes without a message of its own (-E2BIG
			 * names what overflowed, a revocation that could not be
			 * parsed again says so). */
			return r != -ENOMEM ? r : pgp_errorf(pgp, r, "%s: %s", name, strerror(-r));
		}
		total += r;
	}
	pgp_inputs_free(&in);
	return total;
}

size_t dg_pgp_keyring_count(const struct dg_pgp *pgp)
{
	return pgp->n_certs;
}
