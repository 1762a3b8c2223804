// SPDX-License-Identifier: MIT
/*
 * The public OpenPGP API (include/digestguard/pgp.h): contexts and policy,
 * detached / inline / cleartext verification.  Data is hashed by the core,
 * from the caller's buffer or file, or from spans of the original input the
 * core re-checked; a signature counts only when OpenSSL verifies it with a
 * key whose certificate is valid at the signature's creation time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "cpus.h"
#include "utc.h"
#include "cleanup.h"
#include "log.h"
#include "pgp_internal.h"
#include "../../handlers/pgp/pgp_proto.h"

/* Limits on what the core accepts from callers. */
#define PGP_KEYRING_FILE_MAX (64u << 20)
#define PGP_SIGS_MAX 1024u
/* Failed trial verifications of signatures that name no issuer, per input:
 * each such signature is tried against every key, so without a bound a file
 * of PGP_SIGS_MAX bad ones costs PGP_SIGS_MAX times the keys' verifications
 * (21 s for 1000 against a certificate of 201 keys). */
#define PGP_ISSUERLESS_TRIES 64u
#define PGP_READ_BLOCK (256u << 10)	/* read and hashed while in L2 */
#define PGP_FEED_PIECE (4u << 20)

static void policy_default(struct dg_pgp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->rsa_min_bits = 2048;
	p->not_before = INT64_MIN;
	p->not_after = INT64_MAX;
}

/* Stop the hash ahead's thread; the hash so far stays. */
static void ahead_stop(struct pgp_ahead *a)
{
	if (!a->running)
		return;
	atomic_store_explicit(&a->stop, 1, memory_order_relaxed);
	/* A pipe's reader may wait in poll() for a writer that is slow. */
	if (a->pipe && write(a->wake[1], "", 1) < 0) {
		/* a full pipe has the byte already */
	}
	pthread_join(a->thread, NULL);
	a->running = 0;
}

static void ahead_drop(struct pgp_ahead *a)
{
	ahead_stop(a);
	free(a->buf);
	if (a->pipe) {
		close(a->wake[0]);
		close(a->wake[1]);
	}
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

int dg_pgp_new(struct dg_pgp **out)
{
	struct dg_pgp *pgp = calloc(1, sizeof(*pgp));

	if (!pgp)
		return -ENOMEM;
	policy_default(&pgp->pol);
	pgp->call = pgp_umd_call;
	pgp->ahead.fd = -1;
	dg_pgp_set_signature_name(pgp, NULL);
	*out = pgp;
	return 0;
}

void dg_pgp_set_signature_name(struct dg_pgp *pgp, const char *name)
{
	snprintf(pgp->sig_name, sizeof(pgp->sig_name), "%s", name ? name : "signature");
}

int dg_pgp_new_shared(const struct dg_pgp *src, struct dg_pgp **out)
{
	int r = dg_pgp_new(out);

	if (r < 0)
		return r;
	(*out)->pol = src->pol;
	(*out)->certs = src->certs;
	(*out)->n_certs = src->n_certs;
	/* read only here too: they name a skipped certificate (no_key()) */
	(*out)->limbo = src->limbo;
	(*out)->n_limbo = src->n_limbo;
	(*out)->skipped = src->skipped;
	(*out)->n_skipped = src->n_skipped;
	(*out)->certs_shared = true;
	return 0;
}

static void certs_free(struct pgp_cert **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pgp_cert_free(v[i]);
	free(v);
}

void dg_pgp_free(struct dg_pgp *pgp)
{
	size_t i;

	if (!pgp)
		return;
	if (!pgp->certs_shared) {	/* else another context's, read only */
		certs_free(pgp->certs, pgp->n_certs);
		certs_free(pgp->limbo, pgp->n_limbo);
		certs_free(pgp->skipped, pgp->n_skipped);
	}
	for (i = 0; i < pgp->n_lone; i++)
		free(pgp->lone[i].body);
	free(pgp->lone);
	ahead_drop(&pgp->ahead);
	dg_umd_free(pgp->umd);
	free(pgp);
}

void dg_pgp_get_policy(const struct dg_pgp *pgp, struct dg_pgp_policy *pol)
{
	*pol = pgp->pol;
}

void dg_pgp_set_policy(struct dg_pgp *pgp, const struct dg_pgp_policy *pol)
{
	pgp->pol = *pol;
}

static void fmt_time(int64_t t, char buf[DG_UTC_LEN], const char *inf)
{
	if (t == INT64_MIN || t == INT64_MAX || dg_utc_format(buf, t) < 0)
		snprintf(buf, DG_UTC_LEN, "%s", inf);
}

void dg_pgp_policy_describe(const struct dg_pgp_policy *pol, char *buf, size_t len)
{
	char nb[DG_UTC_LEN], na[DG_UTC_LEN], when[2 * DG_UTC_LEN + 48];
	bool lo = pol->not_before != INT64_MIN, hi = pol->not_after != INT64_MAX;

	fmt_time(pol->not_before, nb, "?");
	fmt_time(pol->not_after, na, "?");
	if (lo && hi)
		snprintf(when, sizeof(when), "signatures created from %s to %s", nb, na);
	else if (lo)
		snprintf(when, sizeof(when), "signatures created at or after %s", nb);
	else if (hi)
		snprintf(when, sizeof(when), "signatures created at or before %s", na);
	else
		snprintf(when, sizeof(when), "no limit on signature creation times");
	snprintf(buf, len,
		 "policy: RSA >= %u bits, ECDSA P-256/384/521, EdDSALegacy Ed25519, Ed25519, Ed448; "
		 "data hashes SHA2-224/256/384/512, SHA3-256/512%s%s; SHA-1 accepted only in key "
		 "self-signatures; %s",
		 pol->rsa_min_bits, pol->allow_sha1 ? ", SHA-1 (allowed by option)" : "",
		 pol->allow_md5 ? ", MD5 (allowed by option)" : "", when);
}

const char *dg_pgp_last_error(const struct dg_pgp *pgp)
{
	return pgp->err[0] ? pgp->err : "no error";
}

void dg_pgp_result_free(struct dg_pgp_result *res)
{
	if (!res)
		return;
	free(res->sigs);
	memset(res, 0, sizeof(*res));
}

int dg_pgp_keyring_add_file(struct dg_pgp *pgp, const char *path)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n = 0;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pgp_errorf(pgp, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pgp_errorf(pgp, -EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > PGP_KEYRING_FILE_MAX) {
		close(fd);
		return pgp_errorf(pgp, -E2BIG, "%s: keyring of %lld bytes exceeds limit %u", path,
				  (long long)st.st_size, PGP_KEYRING_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return pgp_errorf(pgp, -ENOMEM, "%s: out of memory for %lld bytes", path,
				  (long long)st.st_size);
	}
	/* A read error must not pass for the end: it would drop the rest of
	 * the keyring, revocations included.  A file that shrank meanwhile
	 * is read as it now stands. */
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (n < 0) {
		r = pgp_errorf(pgp, -errno, "%s: read: %s", path, strerror(errno));
		close(fd);
		free(buf);
		return r;
	}
	close(fd);
	r = dg_pgp_keyring_add_mem(pgp, path, buf, got);
	free(buf);
	return r;
}

/* ------------------------------------------------------ key evaluation */

static int64_t now_of(const struct dg_pgp *pgp)
{
	return pgp->pol.now ? pgp->pol.now : (int64_t)time(NULL);
}

/* Was the back-signature of signing subkey binding @b in force at @t? */
static bool backsig_in_force(const struct pgp_bind *b, int64_t t)
{
	return b->backsig && b->backsig_created <= t &&
	       (!b->backsig_expires_at || t < b->backsig_expires_at);
}

/* Key expiration of binding @b in seconds after the key's creation
 * (UINT64_MAX: none). */
static uint64_t bind_expiry(const struct pgp_bind *b)
{
	return b->has_key_expires && b->key_expires ? b->key_expires : UINT64_MAX;
}

/* Does @b bind a subkey (it is neither a direct-key signature nor a user
 * ID or attribute binding)? */
static bool binds_subkey(const struct pgp_bind *b)
{
	return !b->direct && !b->has_uid;
}

/*
 * Does binding @b let its key sign data?  A subkey binding must say so in
 * its key flags (docs/pgp-differences.md primary-without-key-flags); a
 * primary key's self-signature without key flags does not restrict it.
 */
static bool bind_lets_sign(const struct pgp_bind *b)
{
	if (!b->has_flags)
		return !binds_subkey(b);
	return b->flags & PGP_KF_SIGN;
}

/* A signing subkey's binding is valid only while its back-signature is in
 * force (RFC 9580 §5.2.1.9). */
static bool binds_signing_subkey(const struct pgp_bind *b)
{
	return binds_subkey(b) && bind_lets_sign(b);
}

/*
 * Does binding @b take precedence over @cur (NULL: none yet)?  The later
 * one does.  Of two made in the same second the stricter one counts,
 * whatever the order of their packets, which anyone can change: the one
 * letting the key expire sooner, then the one without the sign flag;
 * otherwise the later packet.  (The peers split: Sequoia orders such ties
 * by their signature bytes, openpgp.js takes the first, gpgv the one that
 * does not expire; docs/pgp-differences.md tied-self-signatures.)
 */
static bool supersedes(const struct pgp_bind *b, const struct pgp_bind *cur)
{
	bool b_signs, cur_signs;

	if (!cur || b->created != cur->created)
		return !cur || b->created > cur->created;
	if (bind_expiry(b) != bind_expiry(cur))
		return bind_expiry(b) < bind_expiry(cur);
	b_signs = bind_lets_sign(b);
	cur_signs = bind_lets_sign(cur);
	return b_signs == cur_signs || !b_signs;
}

/* Was binding @b made by @t and not expired then? */
static bool made_and_current(const struct pgp_bind *b, int64_t t)
{
	return b->created <= t && !(b->sig_expires_at && t >= b->sig_expires_at);
}

/* Is binding @b in force at @t (made by then, not expired, and for a
 * signing subkey with its back-signature in force)? */
static bool in_force(const struct pgp_bind *b, int64_t t)
{
	return made_and_current(b, t) && !(binds_signing_subkey(b) && !backsig_in_force(b, t));
}

/* An array of records that carry a user ID hash, for by_uid(). */
struct uid_array {
	const uint8_t *base;
	size_t size, off;	/* record size, offset of its uid_hash */
};

/* qsort_r() order of indices into a struct uid_array: by user ID, then by
 * index (packet order). */
static int by_uid(const void *a, const void *b, void *ctx)
{
	const struct uid_array *v = ctx;
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	int c = memcmp(v->base + x * v->size + v->off, v->base + y * v->size + v->off,
		       sizeof(((struct pgp_bind *)0)->uid_hash));

	return c ? c : (x > y) - (x < y);
}

/*
 * Mark in @live the user ID bindings of @k that speak for their user ID at
 * @t, and in @revoked those of them revoked by then.  Only a user ID's
 * newest self-signature speaks for it (an older one marking it primary must
 * not outweigh a newer one that drops the mark and lets the key expire),
 * and a certification revocation (0x30) undoes the self-signatures made
 * before it on the same user ID; a newer self-signature binds the user ID
 * again.  Sorted by user ID, so O(n log n) for a key with many (an
 * attacker's certificate may carry PGP_BINDS_MAX of each).
 */
static void uid_binds_at(const struct pgp_ckey *k, int64_t t, bool *live, bool *revoked)
{
	struct uid_array binds = { (const uint8_t *)k->binds, sizeof(*k->binds),
				   offsetof(struct pgp_bind, uid_hash) };
	struct uid_array revs = { (const uint8_t *)k->uidrevs, sizeof(*k->uidrevs),
				  offsetof(struct pgp_uidrev, uid_hash) };
	uint16_t ub[PGP_BINDS_MAX], ur[PGP_BINDS_MAX];
	size_t nb = 0, nr = 0, i, j = 0, g;

	for (i = 0; i < k->n_binds && nb < PGP_BINDS_MAX; i++)
		if (k->binds[i].has_uid && !k->binds[i].direct && in_force(&k->binds[i], t))
			ub[nb++] = (uint16_t)i;
	for (i = 0; i < k->n_uidrevs && nr < PGP_BINDS_MAX; i++)
		if (k->uidrevs[i].created <= t)
			ur[nr++] = (uint16_t)i;
	qsort_r(ub, nb, sizeof(ub[0]), by_uid, &binds);
	qsort_r(ur, nr, sizeof(ur[0]), by_uid, &revs);
	for (i = 0; i < nb; i = g) {
		const struct pgp_bind *w = &k->binds[ub[i]];

		/* The group of one user ID, in packet order: the running
		 * winner by supersedes() (the later packet wins a full tie). */
		for (g = i + 1; g < nb && !memcmp(k->binds[ub[g]].uid_hash, w->uid_hash,
						   sizeof(w->uid_hash)); g++)
			if (supersedes(&k->binds[ub[g]], w))
				w = &k->binds[ub[g]];
		live[w - k->binds] = true;
		while (j < nr && memcmp(k->uidrevs[ur[j]].uid_hash, w->uid_hash, sizeof(w->uid_hash)) < 0)
			j++;
		for (; j < nr && !memcmp(k->uidrevs[ur[j]].uid_hash, w->uid_hash, sizeof(w->uid_hash)); j++)
			if (k->uidrevs[ur[j]].created >= w->created)
				revoked[w - k->binds] = true;
	}
}

/*
 * The bindings in force at @t (latest made at or before @t, not expired
 * then, its user ID not revoked then): the direct-key signature, and the
 * user ID (or subkey) binding, preferring a user ID whose newest
 * self-signature marks it primary.  Only when every user ID is revoked and
 * there is no direct-key signature does a revoked user ID's binding count.
 *
 * RFC 9580 §5.2.3.10 selects the most recent *valid* self-signature, and a
 * subkey binding with the sign flag is valid only with its back-signature
 * (§5.2.1.9): one whose back-signature is missing, not made yet or expired
 * at @t is passed over for an older one (as Sequoia has it; gpgv and
 * openpgp.js refuse the subkey).  The newest passed over goes to
 * *@unusable (if not NULL) for the message when no binding is left.
 */
static void binds_at(const struct pgp_ckey *k, int64_t t, const struct pgp_bind **direct,
		     const struct pgp_bind **other, const struct pgp_bind **unusable)
{
	const struct pgp_bind *best = NULL, *best_primary = NULL, *best_revoked = NULL;
	bool live[PGP_BINDS_MAX] = { false }, revoked[PGP_BINDS_MAX] = { false };
	size_t i;

	*direct = NULL;
	if (unusable)
		*unusable = NULL;
	uid_binds_at(k, t, live, revoked);
	for (i = 0; i < k->n_binds && i < PGP_BINDS_MAX; i++) {
		const struct pgp_bind *b = &k->binds[i];

		if (!in_force(b, t)) {
			/* made and current: its back-signature let it down */
			if (unusable && binds_signing_subkey(b) && made_and_current(b, t) &&
			    (!*unusable || b->created >= (*unusable)->created))
				*unusable = b;
			continue;
		}
		if (b->direct) {
			if (supersedes(b, *direct))
				*direct = b;
			continue;
		}
		if (b->has_uid && !live[i])
			continue;
		if (revoked[i]) {
			if (supersedes(b, best_revoked))
				best_revoked = b;
			continue;
		}
		if (supersedes(b, best))
			best = b;
		if (b->primary_uid && supersedes(b, best_primary))
			best_primary = b;
	}
	*other = best_primary ? best_primary : best;
	/* Every user ID revoked and no direct-key signature: the key is still
	 * bound by its newest self-signature (as Sequoia has it). */
	if (!*other && !*direct)
		*other = best_revoked;
}

/* Did the key expire by @t according to @b (seconds after @created)? */
static bool expired_by(const struct pgp_bind *b, int64_t created, int64_t t)
{
	return b && b->has_key_expires && b->key_expires && t >= created + (int64_t)b->key_expires;
}

static int revoked(const struct pgp_ckey *k, int64_t t, const char *what, char *why, size_t wl)
{
	size_t i;

	for (i = 0; i < k->n_revs; i++) {
		if (k->revs[i].hard) {
			snprintf(why, wl, "%s is revoked (hard revocation, reason %u)", what,
				 k->revs[i].reason);
			return -EKEYREJECTED;
		}
		if (k->revs[i].created <= t) {
			snprintf(why, wl, "%s was revoked (soft, reason %u) before the signature",
				 what, k->revs[i].reason);
			return -EKEYREJECTED;
		}
	}
	return 0;
}

/* Was @k of @c fit to make a data signature at time @t? */
static int key_usable(const struct dg_pgp *pgp, const struct pgp_cert *c,
		      const struct pgp_ckey *k, int64_t t, char *why, size_t wl)
{
	const struct pgp_ckey *p = &c->primary;
	const struct pgp_bind *pd = NULL, *pu = NULL, *pf, *kd, *kb, *ku;
	int r;

	if ((r = revoked(p, t, "certificate", why, wl)) < 0)
		return r;
	if (p->key.algo <= PGP_PK_RSA_S && p->key.bits < pgp->pol.rsa_min_bits) {
		snprintf(why, wl, "certificate key is RSA-%u, policy needs >= %u bits",
			 p->key.bits, pgp->pol.rsa_min_bits);
		return -EKEYREJECTED;
	}
	binds_at(p, t, &pd, &pu, NULL);
	if (!pd && !pu) {
		snprintf(why, wl, "certificate has no valid self-signature at the signature time");
		return -EKEYREJECTED;
	}
	/* RFC 9580 §10.1.1: a v6 certificate carries its key's
	 * properties in a direct-key self-signature; a user ID
	 * binding alone does not make one (openpgp.js agrees). */
	if (p->key.version == 6 && !pd) {
		snprintf(why, wl, "v6 certificate has no valid direct-key self-signature at "
			 "the signature time");
		return -EKEYREJECTED;
	}
	/* An expiration in either binding counts (the stricter wins). */
	if (expired_by(pd, p->key.created, t) || expired_by(pu, p->key.created, t)) {
		snprintf(why, wl, "certificate was expired at the signature time");
		return -EKEYREJECTED;
	}
	if (p->key.created > t) {
		snprintf(why, wl, "signature predates the certificate");
		return -EKEYREJECTED;
	}
	if (k == p) {
		pf = pd && pd->has_flags ? pd : pu;
		if (pf && !bind_lets_sign(pf)) {
			snprintf(why, wl, "primary key is not signing-capable (key flags 0x%02x)",
				 pf->flags);
			return -EKEYREJECTED;
		}
		return 0;
	}
	if ((r = revoked(k, t, "signing subkey", why, wl)) < 0)
		return r;
	if (k->key.algo <= PGP_PK_RSA_S && k->key.bits < pgp->pol.rsa_min_bits) {
		snprintf(why, wl, "signing subkey is RSA-%u, policy needs >= %u bits",
			 k->key.bits, pgp->pol.rsa_min_bits);
		return -EKEYREJECTED;
	}
	if (k->key.created > t) {
		snprintf(why, wl, "signature predates the signing subkey");
		return -EKEYREJECTED;
	}
	binds_at(k, t, &kd, &kb, &ku);
	if (!kb && ku && !ku->backsig) {
		snprintf(why, wl, "signing subkey lacks a valid primary key binding (back-)signature");
		return -EKEYREJECTED;
	}
	if (!kb && ku) {
		snprintf(why, wl, "signing subkey's primary key binding (back-)signature was not in "
			 "force at the signature time (%s)",
			 ku->backsig_created > t ? "made later" : "expired");
		return -EKEYREJECTED;
	}
	if (!kb) {
		snprintf(why, wl, "subkey has no valid binding signature at the signature time");
		return -EKEYREJECTED;
	}
	/* A binding with the sign flag is here only with its back-signature
	 * in force (binds_at()). */
	if (!bind_lets_sign(kb)) {
		snprintf(why, wl, "subkey is not signing-capable");
		return -EKEYREJECTED;
	}
	if (expired_by(kb, k->key.created, t)) {
		snprintf(why, wl, "signing subkey was expired at the signature time");
		return -EKEYREJECTED;
	}
	return 0;
}

/* Is @k a candidate for @s: named by any of its issuer subpackets, or
 * any key when it names none (docs/pgp-differences.md unhashed-issuer)? */
static bool key_matches(const struct pgp_sig *s, const struct pgp_key *k)
{
	return pgp_issuers_may_be(&s->issuers, k);
}

/* ------------------------------------------------------------ sig jobs */

/* An inline signature and the one-pass signature packet announcing it. */
struct ops_pair {
	const struct pgp_sig *sig;
	const struct pgp_ops *ops;
};

struct job {
	const struct pgp_sig *s;
	struct dg_pgp_sig *res;
	struct pgp_hasher h;
	bool active;
	bool prefed;		/* continues the caller's hash of the data */
};

struct jobs {
	struct job *v;
	size_t n;
	struct dg_pgp_sig *res;
	const int *hashes;	/* cleartext Hash: header values */
	size_t n_hashes;
	bool cleartext;		/* a v4 signature's hash must be in hashes */
	const struct ops_pair *pairs;	/* inline: signatures and their OPS */
	size_t n_pairs;
	/* The first pre_len data bytes already hashed with SHA-256: by the
	 * caller's OpenSSL context, or by the hash ahead (own); or neither. */
	const EVP_MD_CTX *data_sha256;
	const struct dg_sha256 *own_sha256;
	size_t pre_len;
	size_t at;		/* data bytes fed so far */
};

static void sig_fail(struct dg_pgp_sig *r, int err, const char *fmt, const char *arg)
{
	r->status = err;
	snprintf(r->reason, sizeof(r->reason), fmt, arg);
}

/* The certificate among @v whose primary key or subkey may have made @s. */
static const struct pgp_cert *holder(struct pgp_cert *const *v, size_t n,
				     const struct pgp_sig *s)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k <= v[i]->n_subs; k++)
			if (key_matches(s, k ? &v[i]->subs[k - 1].key : &v[i]->primary.key))
				return v[i];
	return NULL;
}

/*
 * No usable certificate has @s's issuer: say so, naming the certificate
 * that holds the key when the keyring skipped it (its primary key cannot
 * be used, or it has no valid self-signature: load_why says which).
 */
static void no_key(const struct dg_pgp *pgp, const struct pgp_sig *s, struct dg_pgp_sig *r)
{
	char hex[2 * DG_PGP_FPR_MAX + 1];
	const struct pgp_cert *c = holder(pgp->skipped, pgp->n_skipped, s);

	if (!c)
		c = holder(pgp->limbo, pgp->n_limbo, s);
	if (!c) {
		sig_fail(r, -ENOKEY, "%s", "no certificate in the keyring has the signing key");
		return;
	}
	dg_pgp_fpr_hex(c->primary.key.fpr, c->primary.key.fpr_len, hex);
	r->status = -ENOKEY;
	snprintf(r->reason, sizeof(r->reason),
		 "the signing key is in certificate %s, which was skipped: %s", hex,
		 c->primary.key.load_why);
}

/*
 * An inline signature must be what its one-pass signature packet announced
 * for hashing the data (RFC 9580 §5.4: the OPS is there so that a reader
 * can start the hash): the type, the hash algorithm, the version (a v3 OPS
 * goes with v4, v6 with v6) and a v6 signature's salt.  Sequoia refuses a
 * signature that differs there; so does digestguard, for that signature
 * only.  A different public-key algorithm does not change the hash, and no
 * peer minds it.
 */
static bool ops_mismatch(const struct jobs *js, const struct pgp_sig *s, struct dg_pgp_sig *r)
{
	const struct pgp_ops *o = NULL;
	size_t i;

	for (i = 0; i < js->n_pairs && !o; i++)
		if (js->pairs[i].sig == s)
			o = js->pairs[i].ops;
	if (o && o->malformed) {
		sig_fail(r, -EBADMSG, "its one-pass signature packet is malformed: %s", o->malformed);
		return true;
	}
	if (o && o->version == 6 && s->version == 6 &&
	    (o->salt.len != s->salt.len || memcmp(o->salt.p, s->salt.p, o->salt.len))) {
		sig_fail(r, -EKEYREJECTED, "%s", "its one-pass signature packet announced another salt");
		return true;
	}
	if (!o || (o->type == s->type && o->hash_algo == s->hash_algo &&
		   (o->version == 6) == (s->version == 6)))
		return false;
	r->status = -EKEYREJECTED;
	snprintf(r->reason, sizeof(r->reason),
		 "its one-pass signature packet (v%d) announced %s and type 0x%02x, the signature "
		 "(v%d) has %s and type 0x%02x", o->version, dg_pgp_hash_algo_name(o->hash_algo),
		 o->type, s->version, dg_pgp_hash_algo_name(s->hash_algo), s->type);
	return true;
}

/* Policy checks before hashing; leaves the job inactive on failure. */
static void job_start(const struct dg_pgp *pgp, struct jobs *js, const struct pgp_pkt *pk)
{
	const struct pgp_sig *s = &pk->sig;
	struct job *j = &js->v[js->n];
	struct dg_pgp_sig *r = &js->res[js->n];
	int64_t now = now_of(pgp);
	size_t i;

	js->n++;
	memset(j, 0, sizeof(*j));
	memset(r, 0, sizeof(*r));
	j->s = s;
	j->res = r;
	r->version = s->version;
	r->type = s->type;
	r->mode = s->type == PGP_SIG_TEXT ? DG_PGP_MODE_TEXT : DG_PGP_MODE_BINARY;
	r->pk_algo = s->pk_algo;
	r->hash_algo = s->hash_algo;
	r->created = s->created;
	r->issuer_len = pgp_sig_issuer(s, r->issuer);
	r->status = -EKEYREJECTED;
	if (pk->sig_malformed) {
		sig_fail(r, -EBADMSG, "malformed signature: %s", pk->sig_malformed);
		return;
	}
	if (s->bad_subpacket) {
		snprintf(r->reason, sizeof(r->reason),
			 "malformed signature: hashed subpacket type %d has the wrong size",
			 s->bad_subpacket);
		r->status = -EBADMSG;
		return;
	}
	if (pk->sig_unsupported) {
		sig_fail(r, -EOPNOTSUPP, "%s", s->version == 4 || s->version == 6 ?
			 "signature uses an unsupported algorithm or lacks a creation time" :
			 "signature version not supported (only v4 and v6)");
		return;
	}
	if (s->type != PGP_SIG_BINARY && s->type != PGP_SIG_TEXT) {
		sig_fail(r, -EBADMSG, "%s", "not a document signature (type must be 0x00 or 0x01)");
		return;
	}
	if (ops_mismatch(js, s, r))
		return;
	if (s->unknown_critical) {
		pgp_unknown_critical_why(s, r->reason, sizeof(r->reason));
		return;
	}
	if ((s->hash_algo == PGP_H_SHA1 && !pgp->pol.allow_sha1) ||
	    (s->hash_algo == PGP_H_MD5 && !pgp->pol.allow_md5)) {
		sig_fail(r, -EKEYREJECTED, "%s data signatures are rejected by policy",
			 dg_pgp_hash_algo_name(s->hash_algo));
		return;
	}
	if (!pgp_hash_md(s->hash_algo)) {
		sig_fail(r, -EOPNOTSUPP, "hash algorithm %s not supported",
			 dg_pgp_hash_algo_name(s->hash_algo));
		return;
	}
	if (s->created < pgp->pol.not_before || s->created > pgp->pol.not_after) {
		char made[DG_UTC_LEN], bound[DG_UTC_LEN];
		bool early = s->created < pgp->pol.not_before;

		fmt_time(s->created, made, "-");
		fmt_time(early ? pgp->pol.not_before : pgp->pol.not_after, bound, "-");
		r->status = -EKEYREJECTED;
		snprintf(r->reason, sizeof(r->reason),
			 "signature made at %s, %s the accepted range (%s %s)", made,
			 early ? "before" : "after", early ? "not before" : "not after", bound);
		return;
	}
	if (s->sig_expires && now >= s->created + (int64_t)s->sig_expires) {
		sig_fail(r, -EKEYREJECTED, "%s", "signature has expired");
		return;
	}
	/* RFC 9580 §7: one or more Hash: headers for v4 signatures, naming
	 * the hash (none: invalid, as RFC 4880's MD5 default was too).  A v6
	 * signature needs none, but Hash: headers that leave its hash out
	 * mislead (§7.1), as openpgp.js has it too. */
	if (js->cleartext && (s->version == 4 || js->n_hashes > 0)) {
		for (i = 0; i < js->n_hashes && js->hashes[i] != s->hash_algo; i++)
			;
		if (i == js->n_hashes) {
			sig_fail(r, -EKEYREJECTED, "%s hash not announced in the Hash: header",
				 dg_pgp_hash_algo_name(s->hash_algo));
			return;
		}
	}
	if (pgp_hasher_init(&j->h, s, s->type == PGP_SIG_TEXT) < 0) {
		sig_fail(r, -ENOMEM, "%s", "cannot start the hash");
		return;
	}
	/* v4 binary SHA-256 hashes exactly the data first (RFC 9580 §5.2.4):
	 * the caller's context over the same bytes is that state. */
	if (s->version == 4 && s->type == PGP_SIG_BINARY && s->hash_algo == PGP_H_SHA256) {
		if (js->own_sha256) {
			pgp_hasher_continue(&j->h, js->own_sha256);
			j->prefed = true;
		} else if (js->data_sha256 &&
			   EVP_MD_is_a(EVP_MD_CTX_get0_md(js->data_sha256), "SHA2-256") &&
			   EVP_MD_CTX_copy_ex(j->h.ctx, js->data_sha256) == 1) {
			j->prefed = true;
		}
	}
	j->active = true;
}

/* Feed the next @n data bytes; prefed jobs skip what data_sha256 covers. */
static int jobs_feed(struct jobs *js, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t i, skip = 0;

	if (js->at < js->pre_len)
		skip = js->pre_len - js->at < n ? js->pre_len - js->at : n;
	js->at += n;
	for (i = 0; i < js->n; i++) {
		size_t k = js->v[i].prefed ? skip : 0;

		if (js->v[i].active && k < n && pgp_hasher_data(&js->v[i].h, p + k, n - k) < 0)
			return -EIO;
	}
	return 0;
}

/* Check job @j's signature against the candidate keys; *@tries counts down
 * the failed trial verifications left for signatures without an issuer. */
static void job_finish(const struct dg_pgp *pgp, struct job *j, size_t *tries)
{
	struct dg_pgp_sig *r = j->res;
	const struct pgp_sig *s = j->s;
	uint8_t dg[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	bool candidate = false;
	char why[192];
	size_t ci, ki;

	if (!j->active)
		return;
	j->active = false;
	if (pgp_hasher_finish(&j->h, s, dg, &dl) < 0) {
		sig_fail(r, -EIO, "%s", "hashing failed");
		pgp_hasher_free(&j->h);
		return;
	}
	pgp_hasher_free(&j->h);
	why[0] = '\0';
	for (ci = 0; ci < pgp->n_certs; ci++) {
		const struct pgp_cert *c = pgp->certs[ci];

		for (ki = 0; ki <= c->n_subs; ki++) {
			const struct pgp_ckey *k = ki ? &c->subs[ki - 1] : &c->primary;
			/* a key no issuer subpacket names is tried on a guess:
			 * the signature names none (or more than it keeps) */
			bool issuerless;
			int e;

			if (!key_matches(s, &k->key) || k->key.version != s->version)
				continue;
			issuerless = !pgp_issuers_name(&s->issuers, &k->key);
			candidate = true;
			if (issuerless && !*tries) {
				snprintf(r->reason, sizeof(r->reason),
					 "names no issuer%s, and the %u failed trial verifications "
					 "allowed for such signatures per input are spent",
					 s->issuers.over ? " among the ones it keeps" : "",
					 PGP_ISSUERLESS_TRIES);
				r->status = -E2BIG;
				return;
			}
			e = pgp_check_digest(s, &k->key, dg, dl, why, sizeof(why));
			if (issuerless && e < 0)	/* only a failed trial is spent */
				--*tries;
			if (e == 0)
				e = key_usable(pgp, c, k, s->created, why, sizeof(why));
			if (e == 0) {
				r->status = 0;
				r->reason[0] = '\0';
				memcpy(r->signer_fpr, k->key.fpr, k->key.fpr_len);
				memcpy(r->primary_fpr, c->primary.key.fpr, c->primary.key.fpr_len);
				r->fpr_len = k->key.fpr_len;
				r->primary_fpr_len = c->primary.key.fpr_len;
				return;
			}
			r->status = e;
			snprintf(r->reason, sizeof(r->reason), "%s", why[0] ? why : "bad signature");
		}
	}
	if (!candidate)
		no_key(pgp, s, r);
}

static void jobs_free(struct jobs *js)
{
	size_t i;

	for (i = 0; i < js->n; i++)
		if (js->v[i].active)
			pgp_hasher_free(&js->v[i].h);
	free(js->v);
	js->v = NULL;
}

/* Count signature packets and start one job per packet. */
static int jobs_from(struct dg_pgp *pgp, const char *name, const struct pgp_packets *lists,
		     size_t n_lists, struct jobs *js, struct dg_pgp_result *res)
{
	size_t i, k, n = 0;

	for (i = 0; i < n_lists; i++)
		for (k = 0; k < lists[i].n; k++)
			n += lists[i].v[k].kind == PGP_K_SIG;
	if (!n)
		return pgp_errorf(pgp, -ENOMSG, "%s: no signature packet found", name);
	if (n > PGP_SIGS_MAX)
		return pgp_errorf(pgp, -E2BIG, "%s: %zu signatures exceed limit %u", name, n,
				  PGP_SIGS_MAX);
	js->v = calloc(n, sizeof(*js->v));
	res->sigs = calloc(n, sizeof(*res->sigs));
	if (!js->v || !res->sigs)
		return -ENOMEM;
	js->res = res->sigs;
	for (i = 0; i < n_lists; i++)
		for (k = 0; k < lists[i].n; k++)
			if (lists[i].v[k].kind == PGP_K_SIG)
				job_start(pgp, js, &lists[i].v[k]);
	res->n_sigs = js->n;
	return 0;
}

static int jobs_done(struct dg_pgp *pgp, const char *name, struct jobs *js,
		     struct dg_pgp_result *res)
{
	size_t i, tries = PGP_ISSUERLESS_TRIES;
	int first = 0;

	for (i = 0; i < js->n; i++)
		job_finish(pgp, &js->v[i], &tries);
	res->n_good = 0;
	for (i = 0; i < res->n_sigs; i++) {
		if (res->sigs[i].status == 0)
			res->n_good++;
		else if (!first)
			first = i + 1;
	}
	if (res->n_good)
		return 0;
	if (!first)
		return pgp_errorf(pgp, -EKEYREJECTED, "%s: no good signature", name);
	return pgp_errorf(pgp, res->sigs[first - 1].status, "%s: %s", name,
			  res->sigs[first - 1].reason);
}

/* ------------------------------------------------------------ detached */

/*
 * A detached signature (RFC 9580 §10.4), and the signature block of a
 * cleartext message (§7: "the ASCII-armored signature(s)"), hold signature
 * packets; skippable ones (pgp_skippable_tag()) may come along, an
 * unknown critical one rejects the input (§4.3).  @name names @in.
 */
static int signatures_only(struct dg_pgp *pgp, const char *name, const struct pgp_inputs *in)
{
	size_t i, k;

	for (i = 0; i < in->n; i++)
		for (k = 0; k < in->v[i].n; k++) {
			const struct pgp_pkt *p = &in->v[i].v[k];

			if (p->kind == PGP_K_SIG || pgp_skippable_tag(p->tag))
				continue;
			if (p->kind == PGP_K_KEY || p->kind == PGP_K_LITERAL)
				return pgp_errorf(pgp, -EBADMSG, "%s: holds %s, not only signatures",
						  name, p->kind == PGP_K_KEY ? "key material" : "a message");
			if (pgp_unknown_critical_tag(p->tag))
				return pgp_errorf(pgp, -EBADMSG,
						  "%s: packet of unknown critical type %d (RFC 9580 §4.3)",
						  name, p->tag);
			return pgp_errorf(pgp, -EBADMSG, "%s: holds a %s packet, not only signatures",
					  name, dg_pgp_packet_name(p->tag));
		}
	return 0;
}

typedef int (*feed_fn)(struct jobs *js, void *ctx);

/*
 * @data_sha256, when not NULL, is SHA-256 over the first @pre_len data
 * bytes.  With @ahead instead, the hash ahead goes on while the signature is
 * parsed and is taken as it stands once that call is done.
 */
static int verify_detached(struct dg_pgp *pgp, const void *sig, size_t sig_len,
			   feed_fn feed, void *ctx, const EVP_MD_CTX *data_sha256,
			   size_t pre_len, struct pgp_ahead *ahead,
			   struct dg_pgp_result *res)
{
	struct dg_pgp_result local = { 0 };
	struct pgp_inputs in;
	struct jobs js = { .data_sha256 = data_sha256, .pre_len = pre_len };
	int r;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	pgp->err[0] = '\0';
	r = pgp_load_packets(pgp, pgp->sig_name, sig, sig_len, 0, &in);
	if (ahead) {
		/* The thread stops: the jobs copy the context at this length. */
		ahead_stop(ahead);
		js.own_sha256 = ahead->fd >= 0 && !ahead->failed ? &ahead->sha : NULL;
		js.pre_len = js.own_sha256 ? ahead->done : 0;
		pgp->ahead_used = js.pre_len;
	}
	if (r < 0)
		return r;
	if (pgp->pol.armored_only &&
	    (in.armor_kind != PGP_ARMOR_SIGNATURE || in.other_kind || in.text_outside)) {
		const char *why = in.armor_kind < 0 ? "binary signature packets, where only an "
				  "ASCII-armored signature is taken" :
				  in.text_outside ? "a line outside its armored signature blocks" :
				  "an armored block other than PGP SIGNATURE";

		pgp_inputs_free(&in);
		return pgp_errorf(pgp, -EBADMSG, "%s: %s", pgp->sig_name, why);
	}
	r = signatures_only(pgp, pgp->sig_name, &in);
	if (r == 0)
		r = jobs_from(pgp, pgp->sig_name, in.v, in.n, &js, res);
	if (r == 0)
		r = feed(&js, ctx);
	if (r == 0)
		r = jobs_done(pgp, pgp->sig_name, &js, res);
	else if (!pgp->err[0])
		pgp_errorf(pgp, r, "data: %s", strerror(-r));
	jobs_free(&js);
	pgp_inputs_free(&in);
	dg_pgp_result_free(&local);
	return r;
}

struct mem { const uint8_t *p; size_t n; };

static int feed_mem(struct jobs *js, void *ctx)
{
	struct mem *m = ctx;
	size_t off;
	int r = 0;

	/* In 4 MiB pieces, so that several jobs share the cache. */
	for (off = 0; off < m->n && r == 0; off += PGP_FEED_PIECE)
		r = jobs_feed(js, m->p + off,
			      m->n - off < PGP_FEED_PIECE ? m->n - off : PGP_FEED_PIECE);
	return r;
}

int dg_pgp_verify_detached(struct dg_pgp *pgp, const void *sig, size_t sig_len,
			   const void *data, size_t data_len, struct dg_pgp_result *res)
{
	struct mem m = { data, data_len };

	return verify_detached(pgp, sig, sig_len, feed_mem, &m, NULL, 0, NULL, res);
}

int dg_pgp_verify_detached_parsed(struct dg_pgp *pgp, const void *sig, size_t sig_len,
				  const void *parsed, size_t parsed_len,
				  const void *data, size_t data_len,
				  const void *data_sha256, struct dg_pgp_result *res)
{
	struct mem m = { data, data_len };
	int r;

	if (parsed) {
		pgp->pre_in = sig;
		pgp->pre_in_len = sig_len;
		pgp->pre_ans = parsed;
		pgp->pre_ans_len = parsed_len;
	}
	r = verify_detached(pgp, sig, sig_len, feed_mem, &m, data_sha256, data_len, NULL, res);
	pgp->pre_in = NULL;
	pgp->pre_ans = NULL;
	return r;
}

void dg_pgp_set_handler(struct dg_pgp *pgp, struct dg_umd *umd)
{
	/* The hash ahead was placed for the old handler's start: stop it.  A
	 * pipe's bytes read ahead stay for the verification: they are gone
	 * from the pipe. */
	if (pgp->ahead.pipe)
		ahead_stop(&pgp->ahead);
	else
		ahead_drop(&pgp->ahead);
	pgp->ext_umd = umd;
}

/*
 * Where every active job already has the data: the common prefix the hash
 * ahead covers when all of them continue it, else 0.
 */
static size_t jobs_known_prefix(const struct jobs *js)
{
	size_t i;

	for (i = 0; i < js->n; i++)
		if (js->v[i].active && !js->v[i].prefed)
			return 0;
	return js->pre_len;
}

/* Where a regular file @fd stands (the data starts there), or -1. */
static off_t data_start(int fd, const struct stat *st)
{
	return S_ISREG(st->st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
}

/*
 * Read, never map: a file truncated by someone else while a mapping of it
 * is read raises SIGBUS in this process, and the trusted side must not be
 * killable that way.  The data is what follows the descriptor's position,
 * as for a pipe (a caller may have read a header off the same stdin): a
 * regular file is read with pread() from there (or from where every job
 * already is), in blocks that stay in cache while they are hashed;
 * anything else is read to EOF.
 */
static int feed_fd(struct jobs *js, void *ctx)
{
	int fd = *(int *)ctx;
	struct stat st;
	uint8_t *buf;
	off_t off = fstat(fd, &st) == 0 ? data_start(fd, &st) : -1;
	int regular = off >= 0;
	int r = 0;

	buf = malloc(PGP_READ_BLOCK);
	if (!buf)
		return -ENOMEM;
	if (regular) {
		js->at = jobs_known_prefix(js);
		off += (off_t)js->at;
	}
	for (;;) {
		ssize_t n = regular ? pread(fd, buf, PGP_READ_BLOCK, off) :
				      read(fd, buf, PGP_READ_BLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		off += n;
		if ((r = jobs_feed(js, buf, (size_t)n)) < 0)
			break;
	}
	free(buf);
	return r;
}

/*
 * A pipe read ahead: the bytes the thread took (every job that did not
 * continue its SHA-256 hashes them now), then the rest of the pipe.
 */
static int feed_kept_fd(struct jobs *js, void *ctx)
{
	const struct pgp_ahead *a = ctx;
	int r, fd = a->fd;

	if (a->done && (r = jobs_feed(js, a->buf, a->done)) < 0)
		return r;
	return a->eof ? 0 : feed_fd(js, &fd);
}

/*
 * Hash ahead on a thread of its own, in 64 KiB steps, until the file is
 * done or the verification takes the hash as it stands.
 *
 * The thread starts off the caller's CPU while the handler is still
 * starting.  The caller has its own long job next (libcrypto to load, in
 * sopv), and a new thread queued on its creator's CPU preempts it; the
 * creator then waits as a runnable task, which the scheduler does not move
 * to an idle CPU (1.4 ms of 3.7 lost on 2 CPUs).  On the handler's CPU it
 * runs at a lower priority, in the gaps of the handler's set-up, and both
 * are done about when libcrypto is ready.  Once it runs it may use every
 * CPU again.
 */
#define PGP_AHEAD_STEP (64u << 10)
#define PGP_AHEAD_NICE 10
#define PGP_AHEAD_KEEP_MAX (16u << 20)	/* a pipe's bytes kept at most */

/* One step; > 0 while more is left.  A short file ends the hash ahead. */
static int ahead_step(struct pgp_ahead *a)
{
	size_t want = a->len - a->done;
	ssize_t n;

	if (a->fd < 0 || a->failed || !want)
		return 0;
	if (want > PGP_AHEAD_STEP)
		want = PGP_AHEAD_STEP;
	do
		n = pread(a->fd, a->buf, want, a->start + (off_t)a->done);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		a->failed = 1;	/* changed under us: not used at verification */
		return 0;
	}
	dg_sha256_update(&a->sha, a->buf, (size_t)n);
	a->done += (size_t)n;
	return a->done < a->len;
}

/*
 * One step of a pipe: wait for data (or ahead_stop()), read it after the
 * bytes kept so far, hash it.  > 0 while more may come; 0 at its end, on a
 * read error (the verification's own read meets it again), or when
 * PGP_AHEAD_KEEP_MAX bytes are kept (the verification reads on from there).
 */
static int ahead_step_pipe(struct pgp_ahead *a)
{
	struct pollfd p[2] = { { .fd = a->fd, .events = POLLIN },
			       { .fd = a->wake[0], .events = POLLIN } };
	size_t want;
	ssize_t n;

	if (a->done == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : PGP_AHEAD_STEP * 4;
		uint8_t *nb;

		if (a->cap >= PGP_AHEAD_KEEP_MAX || !(nb = realloc(a->buf, cap)))
			return 0;
		a->buf = nb;
		a->cap = cap;
	}
	if (poll(p, 2, -1) < 0)
		return errno == EINTR;
	if (p[1].revents)
		return 0;
	want = a->cap - a->done < PGP_AHEAD_STEP ? a->cap - a->done : PGP_AHEAD_STEP;
	n = read(a->fd, a->buf + a->done, want);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0) {
		a->eof = 1;
		return 0;
	}
	dg_sha256_update(&a->sha, a->buf + a->done, (size_t)n);
	a->done += (size_t)n;
	return 1;
}

static void *ahead_thread(void *arg)
{
	struct pgp_ahead *a = arg;
	int (*step)(struct pgp_ahead *) = a->pipe ? ahead_step_pipe : ahead_step;

	if (a->steered)
		sched_setaffinity(0, sizeof(a->all), &a->all);
	/* Behind the handler's set-up on its CPU, not beside it (nice works
	 * per thread on Linux; a thread may always lower its own priority). */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), PGP_AHEAD_NICE);
	while (!atomic_load_explicit(&a->stop, memory_order_relaxed) && step(a) > 0)
		;
	return NULL;
}

/* Thread attributes that start it on any CPU but the caller's. */
static void ahead_steer(struct pgp_ahead *a, pthread_attr_t *attr)
{
	cpu_set_t away;

	if (dg_cpus_away(&a->all, NULL, &away))
		a->steered = pthread_attr_setaffinity_np(attr, sizeof(away), &away) == 0;
}

int dg_pgp_prehash_fd(struct dg_pgp *pgp, int fd)
{
	struct dg_umd *umd = pgp->ext_umd ? pgp->ext_umd : pgp->umd;
	struct pgp_ahead *a = &pgp->ahead;
	pthread_attr_t attr;
	struct stat st;
	sigset_t all, old;

	ahead_drop(a);
	if (fstat(fd, &st) < 0)
		return 0;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		/* Read ahead and kept: a pipe's bytes can be read only once. */
		if (pipe2(a->wake, O_CLOEXEC | O_NONBLOCK) < 0)
			return 0;
		a->pipe = 1;
		a->len = SIZE_MAX;
	} else if ((a->start = data_start(fd, &st)) < 0 || st.st_size <= a->start ||
		   (uintmax_t)(st.st_size - a->start) > SIZE_MAX ||
		   !(a->buf = malloc(PGP_AHEAD_STEP))) {
		ahead_drop(a);
		return 0;
	} else {
		a->len = (size_t)(st.st_size - a->start);
	}
	if (pthread_attr_init(&attr)) {
		ahead_drop(a);
		return 0;
	}
	dg_sha256_init(&a->sha);
	a->fd = fd;
	a->dev = st.st_dev;
	a->ino = st.st_ino;
	if (umd && dg_umd_starting(umd))
		ahead_steer(a, &attr);
	/* Signals stay with the caller's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	a->running = pthread_create(&a->thread, &attr, ahead_thread, a) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (!a->running) {
		ahead_drop(a);
		return 0;
	}
	return 1;
}

size_t dg_pgp_prehash_used(const struct dg_pgp *pgp)
{
	return pgp->ahead_used;
}

int dg_pgp_verify_detached_fd(struct dg_pgp *pgp, const void *sig, size_t sig_len,
			      int fd, struct dg_pgp_result *res)
{
	struct pgp_ahead *a = &pgp->ahead;
	struct stat st;
	bool same;
	int r;

	pgp->ahead_used = 0;
	/* The hash ahead counts only for the same descriptor's data: a pipe's
	 * bytes taken ahead are its first bytes; a file must still be the
	 * same file of the same size. */
	same = a->fd >= 0 && a->fd == fd && fstat(fd, &st) == 0 && st.st_dev == a->dev &&
	       st.st_ino == a->ino &&
	       (a->pipe || (data_start(fd, &st) == a->start &&
			    (uintmax_t)(st.st_size - a->start) == a->len));
	if (!same)	/* before the thread reads on what is now other data */
		ahead_drop(a);
	if (same && a->pipe)
		r = verify_detached(pgp, sig, sig_len, feed_kept_fd, a, NULL, 0, a, res);
	else
		r = verify_detached(pgp, sig, sig_len, feed_fd, &fd, NULL, 0, same ? a : NULL, res);
	ahead_drop(a);
	return r;
}

/* ------------------------------------------------------------- messages */

/* Packet lists of a message, including re-parsed compressed contents. */
struct msg {
	/* Nested lists (decompressed contents), at most one per level.  A
	 * fixed array: msg_add() holds pointers into it while it recurses. */
	struct pgp_packets lists[PGP_NEST_MAX];
	size_t n;
	const struct pgp_pkt *literal;
	struct ops_pair *pairs;		/* every level's trailing signatures */
	size_t n_pairs;
};

static void msg_free(struct msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		pgp_packets_free(&m->lists[i]);
	free(m->pairs);
	memset(m, 0, sizeof(*m));
}

/*
 * One level of an OpenPGP message (RFC 9580 §10.3): signatures and one-pass
 * signatures, then exactly one literal or compressed packet, then as many
 * signatures as there were one-pass signatures.  Skippable packets (see
 * pgp_skippable_tag()) are ignored, an unknown critical one rejects the
 * message; a compressed packet's contents are parsed (by the handler, as a
 * new input) and must form a message themselves.
 */
static int msg_add(struct dg_pgp *pgp, struct msg *m, const struct pgp_packets *pl,
		   uint32_t depth)
{
	size_t i, n_ops = 0, n_trail = 0;
	_cleanup_free_ const struct pgp_ops **ops = NULL;
	_cleanup_free_ const struct pgp_sig **trail = NULL;
	struct ops_pair *np;
	bool body = false;
	int r;

	/* This level's one-pass signatures and signatures after the data. */
	ops = calloc(pl->n + 1, sizeof(*ops));
	trail = calloc(pl->n + 1, sizeof(*trail));
	if (!ops || !trail)
		return -ENOMEM;
	for (i = 0; i < pl->n; i++) {
		const struct pgp_pkt *p = &pl->v[i];

		if (pgp_skippable_tag(p->tag))
			continue;
		if (pgp_unknown_critical_tag(p->tag))
			return pgp_errorf(pgp, -EBADMSG,
					  "message: packet of unknown critical type %d (RFC 9580 §4.3)",
					  p->tag);
		switch (p->kind) {
		case PGP_K_SIG:
			if (body)
				trail[n_trail++] = &p->sig;
			continue;
		case PGP_K_OPS:
			if (body)
				return pgp_errorf(pgp, -EBADMSG,
						  "message: one-pass signature after the signed data");
			ops[n_ops++] = &p->ops;
			continue;
		case PGP_K_LITERAL:
		case PGP_K_COMPRESSED:
			if (body || m->literal)
				return pgp_errorf(pgp, -EBADMSG, "message: more than one data packet");
			body = true;
			break;
		case PGP_K_KEY:
		case PGP_K_UID:
			return pgp_errorf(pgp, -EBADMSG,
					  "message: holds key material, not a signed message");
		default:
			if (p->tag == 1 || p->tag == 3 || p->tag == 9 || p->tag == 18 || p->tag == 20)
				return pgp_errorf(pgp, -EOPNOTSUPP,
						  "message: encrypted messages are not supported");
			return pgp_errorf(pgp, -EBADMSG, "message: unexpected packet (tag %d)", p->tag);
		}
		if (p->kind == PGP_K_LITERAL) {
			m->literal = p;
			continue;
		}
		if (depth + 1 >= PGP_NEST_MAX)
			return pgp_errorf(pgp, -E2BIG, "message: compression nesting exceeds %u",
					  PGP_NEST_MAX);
		if (m->n >= PGP_NEST_MAX)	/* cannot happen: one per level */
			return pgp_errorf(pgp, -E2BIG, "message: more than %u nested lists",
					  PGP_NEST_MAX);
		/* Handler output: parsed again as a new input, and trusted only
		 * through signatures the core verifies over it. */
		r = pgp_parse_checked(pgp, "message (decompressed)", p->comp, p->comp_len,
				      depth + 1, &m->lists[m->n]);
		if (r < 0)
			return r;
		m->n++;
		r = msg_add(pgp, m, &m->lists[m->n - 1], depth + 1);
		if (r < 0)
			return r;
	}
	if (!body)
		return pgp_errorf(pgp, -EBADMSG, "message: no literal data packet");
	if (n_trail != n_ops)
		return pgp_errorf(pgp, -EBADMSG,
				  "message: %zu one-pass signatures but %zu signatures after the data",
				  n_ops, n_trail);
	/* Nested: the first signature after the data goes with the last
	 * one-pass signature before it (RFC 9580 §10.3). */
	np = realloc(m->pairs, (m->n_pairs + n_ops + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	m->pairs = np;
	for (i = 0; i < n_ops; i++)
		m->pairs[m->n_pairs++] = (struct ops_pair){ .sig = trail[i], .ops = ops[n_ops - 1 - i] };
	return 0;
}

static int feed_literal(struct jobs *js, void *ctx)
{
	const struct pgp_pkt *lit = ctx;
	size_t i;
	int r;

	for (i = 0; i < lit->n_lit; i++)
		if ((r = jobs_feed(js, lit->lit[i].p, lit->lit[i].len)) < 0)
			return r;
	return 0;
}

/* A signed message, parsed and re-checked, its signatures not yet verified. */
struct dg_pgp_message {
	bool cleartext;
	struct pgp_inputs in;		/* the message, or the cleartext's signature block */
	struct msg m;			/* inline: every level, the literal packet */
	struct pgp_cleartext ct;	/* cleartext: lines and Hash: headers */
};

void dg_pgp_message_free(struct dg_pgp_message *pm)
{
	if (!pm)
		return;
	msg_free(&pm->m);
	pgp_inputs_free(&pm->in);
	pgp_cleartext_free(&pm->ct);
	free(pm);
}

static int parse_inline(struct dg_pgp *pgp, const uint8_t *msg, size_t len,
			struct dg_pgp_message *pm)
{
	int r;

	r = pgp_load_packets(pgp, "message", msg, len, 0, &pm->in);
	if (r < 0)
		return r;
	if (pm->in.n != 1)
		return pgp_errorf(pgp, -EBADMSG, "message: %zu armor blocks, expected one",
				  pm->in.n);
	r = msg_add(pgp, &pm->m, &pm->in.v[0], 0);
	if (r == 0 && !pm->m.literal)
		r = pgp_errorf(pgp, -EBADMSG, "message: no literal data packet");
	return r;
}

static int verify_inline(struct dg_pgp *pgp, const struct dg_pgp_message *pm,
			 struct dg_pgp_result *res)
{
	const struct msg *m = &pm->m;
	struct pgp_packets *all;
	struct jobs js = { 0 };
	size_t n_all;
	int r;

	/* Signatures at every level, over the one literal packet. */
	n_all = pm->in.n + m->n;
	all = calloc(n_all, sizeof(*all));
	if (!all)
		return -ENOMEM;
	memcpy(all, pm->in.v, pm->in.n * sizeof(*all));
	if (m->n)
		memcpy(all + pm->in.n, m->lists, m->n * sizeof(*all));
	js.pairs = m->pairs;
	js.n_pairs = m->n_pairs;
	r = jobs_from(pgp, "message", all, n_all, &js, res);
	if (r == 0)
		r = feed_literal(&js, (void *)m->literal);
	if (r == 0)
		r = jobs_done(pgp, "message", &js, res);
	free(all);
	jobs_free(&js);
	return r;
}

static int feed_cleartext(struct jobs *js, void *ctx)
{
	const struct pgp_cleartext *ct = ctx;
	size_t i;
	int r;

	/* RFC 9580 §7.2: lines joined with CR LF, none after the last. */
	for (i = 0; i < ct->n_lines; i++) {
		if (i && (r = jobs_feed(js, "\r\n", 2)) < 0)
			return r;
		if ((r = jobs_feed(js, ct->lines[i].p, ct->lines[i].len)) < 0)
			return r;
	}
	return 0;
}

static int parse_cleartext(struct dg_pgp *pgp, const uint8_t *msg, size_t len,
			   struct dg_pgp_message *pm)
{
	uint8_t *ans = NULL;
	size_t ans_len = 0, i;
	char why[384];
	int r;

	r = pgp_handler_request(pgp, PGP_REQ_CLEARTEXT, 0, msg, len, &ans, &ans_len);
	if (r < 0)
		return pgp_errorf(pgp, r, "message: %s", pgp->err);
	why[0] = '\0';
	r = pgp_recheck_cleartext(msg, len, ans, ans_len, &pm->ct, why, sizeof(why));
	free(ans);
	if (r < 0)
		return pgp_errorf(pgp, r, "message: %s", why[0] ? why : dg_strerror(r));
	for (i = 0; i < pm->ct.n_hashes; i++)
		if (!pm->ct.hashes[i])	/* RFC 9580 §7.1: reject misleading Hash: headers. */
			return pgp_errorf(pgp, -EBADMSG, "message: unknown hash in a Hash: header");
	r = pgp_load_packets(pgp, "message signature block", pm->ct.sigblock.p,
			     pm->ct.sigblock.len, 0, &pm->in);
	if (r == 0 && pm->in.armor_kind != PGP_ARMOR_SIGNATURE)
		r = pgp_errorf(pgp, -EBADMSG, "message: signature block is not a PGP SIGNATURE");
	if (r == 0)
		r = signatures_only(pgp, "message signature block", &pm->in);
	return r;
}

static int verify_cleartext(struct dg_pgp *pgp, const struct dg_pgp_message *pm,
			    struct dg_pgp_result *res)
{
	const struct pgp_cleartext *ct = &pm->ct;
	struct jobs js = { 0 };
	int r;

	js.hashes = ct->hashes;
	js.n_hashes = ct->n_hashes;
	js.cleartext = true;
	r = jobs_from(pgp, "message", pm->in.v, pm->in.n, &js, res);
	if (r == 0)
		r = feed_cleartext(&js, (void *)ct);
	if (r == 0)
		r = jobs_done(pgp, "message", &js, res);
	jobs_free(&js);
	return r;
}

/*
 * The signed content of @pm in pieces, in order, each to @put: the literal
 * data, or the cleartext as sopv peers print it, each line followed by its
 * own line ending (LF or CR LF).  Stops at the first error @put returns.
 */
static int content_each(const struct dg_pgp_message *pm,
			int (*put)(void *ctx, const uint8_t *p, size_t n), void *ctx)
{
	const struct pgp_pkt *lit = pm->m.literal;
	size_t i;
	int r;

	if (!pm->cleartext) {
		for (i = 0; i < lit->n_lit; i++)
			if ((r = put(ctx, lit->lit[i].p, lit->lit[i].len)) < 0)
				return r;
		return 0;
	}
	for (i = 0; i < pm->ct.n_lines; i++) {
		const struct pgp_bytes *l = &pm->ct.lines[i];
		const char *end = pm->ct.crlf[i] ? "\r\n" : "\n";

		if ((r = put(ctx, l->p, l->len)) < 0 ||
		    (r = put(ctx, (const uint8_t *)end, strlen(end))) < 0)
			return r;
	}
	return 0;
}

/* content_each() into a buffer: its length first, then the bytes. */
struct content_buf {
	uint8_t *p;
	size_t n;
};

static int content_count(void *ctx, const uint8_t *p, size_t n)
{
	(void)p;
	((struct content_buf *)ctx)->n += n;
	return 0;
}

static int content_copy(void *ctx, const uint8_t *p, size_t n)
{
	struct content_buf *b = ctx;

	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static int content_fwrite(void *ctx, const uint8_t *p, size_t n)
{
	return n && fwrite(p, 1, n, ctx) != n ? -(errno ? errno : EIO) : 0;
}

int dg_pgp_message_parse(struct dg_pgp *pgp, const void *msg, size_t len,
			 struct dg_pgp_message **out)
{
	static const char csf[] = "-----BEGIN PGP SIGNED MESSAGE-----";
	struct dg_pgp_message *pm;
	const uint8_t *p = msg;
	size_t skip = 0;
	int r;

	*out = NULL;
	pgp->err[0] = '\0';
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	/* Text (not binary packets): the first armor line decides.  Text
	 * before a cleartext message is allowed and never part of it. */
	if (len && !(p[0] & 0x80)) {
		while (skip < len) {
			const uint8_t *nl = memchr(p + skip, '\n', len - skip);

			if (len - skip >= 15 && !memcmp(p + skip, "-----BEGIN PGP ", 15))
				break;
			if (!nl)
				skip = len;
			else
				skip = (size_t)(nl - p) + 1;
		}
	}
	pm->cleartext = skip < len && len - skip >= sizeof(csf) - 1 &&
			!memcmp(p + skip, csf, sizeof(csf) - 1);
	r = pm->cleartext ? parse_cleartext(pgp, msg, len, pm) : parse_inline(pgp, msg, len, pm);
	if (r < 0) {
		dg_pgp_message_free(pm);
		return r;
	}
	*out = pm;
	return 0;
}

int dg_pgp_message_verify(struct dg_pgp *pgp, const struct dg_pgp_message *pm,
			  struct dg_pgp_result *res, uint8_t **body, size_t *body_len)
{
	struct dg_pgp_result local = { 0 };
	int r;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (body) {
		*body = NULL;
		*body_len = 0;
	}
	pgp->err[0] = '\0';
	r = pm->cleartext ? verify_cleartext(pgp, pm, res) : verify_inline(pgp, pm, res);
	if ((r == 0 || r == -EKEYREJECTED || r == -ENOKEY) && body) {
		struct content_buf b = { 0 };

		content_each(pm, content_count, &b);
		if (!(b.p = malloc(b.n ? b.n : 1))) {
			r = -ENOMEM;
		} else {
			b.n = 0;
			content_each(pm, content_copy, &b);
			*body = b.p;
			*body_len = b.n;
		}
	}
	dg_pgp_result_free(&local);
	return r;
}

int dg_pgp_message_write(const struct dg_pgp_message *pm, FILE *out)
{
	return content_each(pm, content_fwrite, out);
}

int dg_pgp_verify_message(struct dg_pgp *pgp, const void *msg, size_t len,
			  struct dg_pgp_result *res, uint8_t **body, size_t *body_len)
{
	struct dg_pgp_message *pm;
	int r;

	if (res)
		memset(res, 0, sizeof(*res));
	if (body) {
		*body = NULL;
		*body_len = 0;
	}
	r = dg_pgp_message_parse(pgp, msg, len, &pm);
	if (r < 0)
		return r;
	r = dg_pgp_message_verify(pgp, pm, res, body, body_len);
	dg_pgp_message_free(pm);
	return r;
}
