// SPDX-License-Identifier: MIT
/* IMA binary measurement log: encoder, bounded parser, replay, writer. */
#include "imalog.h"

#include "hex.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "sha1.h"
#include "sha256.h"
#include "tpm.h"

/* Bytes before the template data: pcr, sha1, name_len, "ima-ng", data_len. */
#define IMA_HDR_LEN	(4 + 20 + 4 + 6 + 4)
/* Dedup set of template-data hashes: grows by doubling up to this. */
#define IMA_SET_MAX	(1u << 26)

struct dg_ima_log {
	int fd;
	char *path;
	char *pcrs_path;
	uint8_t pcr[32];
	uint64_t entries;
	uint8_t (*set)[32];	/* open addressing; all-zero slot = empty */
	size_t set_cap, set_n;
	struct dg_tpm *tpm;	/* not owned; NULL: software PCR only */
	uint64_t size;		/* bytes of whole entries in the file */
	uint64_t tpm_off;	/* entries before this offset are in the TPM */
	size_t tpm_batch;	/* at most this many extends per catch-up; 0: all */
	int tpm_failed;		/* the last extend failed (tpm_err says why) */
	char tpm_err[256];
	int stale;		/* the file changed under us: write nothing more */
	int pcrs_behind;	/* the last .pcrs write failed: retried at the next
				 * measurement and at close */
};

int dg_unhex(uint8_t *out, size_t n, const char *s)
{
	if (strlen(s) != 2 * n || dg_unhex_n(s, out, n) < 0)
		return -EINVAL;
	return 0;
}

int dg_ima_encode(struct dg_buf *out, const uint8_t digest[32], const char *path)
{
	static const char algo[] = "sha256:";	/* sizeof includes the NUL */
	size_t plen = strlen(path);
	uint8_t data[4 + sizeof(algo) + 32 + 4 + DG_IMA_PATH_MAX];
	uint8_t sha1[DG_SHA1_LEN];
	size_t n = 0;
	int r;

	if (plen + 1 > DG_IMA_PATH_MAX)
		return -E2BIG;
	/* d-ng: "sha256:" NUL digest; n-ng: path NUL (kernel ima_template_lib.c) */
	data[n++] = sizeof(algo) + 32; data[n++] = 0; data[n++] = 0; data[n++] = 0;
	memcpy(data + n, algo, sizeof(algo));
	n += sizeof(algo);
	memcpy(data + n, digest, 32);
	n += 32;
	data[n++] = (uint8_t)(plen + 1);
	data[n++] = (uint8_t)((plen + 1) >> 8);
	data[n++] = 0;
	data[n++] = 0;
	memcpy(data + n, path, plen + 1);
	n += plen + 1;
	dg_sha1(data, n, sha1);
	if ((r = dg_buf_put_le32(out, DG_IMA_PCR)) < 0 ||
	    (r = dg_buf_put(out, sha1, sizeof(sha1))) < 0 ||
	    (r = dg_buf_put_str(out, DG_IMA_TEMPLATE, strlen(DG_IMA_TEMPLATE))) < 0 ||
	    (r = dg_buf_put_str(out, data, n)) < 0)
		return r;
	return 0;
}

static size_t algo_len(const char *algo)
{
	if (!strcmp(algo, "sha1"))
		return 20;
	if (!strcmp(algo, "sha256"))
		return 32;
	if (!strcmp(algo, "sha384"))
		return 48;
	if (!strcmp(algo, "sha512"))
		return 64;
	return 0;
}

int dg_ima_next(struct dg_cur *c, struct dg_ima_entry *e, char *msg, size_t msglen)
{
	struct dg_cur in = *c, name, data, d, n;
	uint32_t name_len, data_len, len;
	uint8_t sha1[DG_SHA1_LEN];
	size_t i;
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = cur_le32(&in, &e->pcr)) < 0 || (r = cur_bytes(&in, e->tdigest, 20)) < 0 ||
	    (r = cur_le32(&in, &name_len)) < 0) {
		dg_errf(msg, msglen, 0, "truncated entry header");
		return r;
	}
	if (e->pcr >= DG_IMA_PCR_MAX) {
		dg_errf(msg, msglen, 0, "PCR %u out of range", e->pcr);
		return -EBADMSG;
	}
	if (name_len == 0) {
		dg_errf(msg, msglen, 0, "template name is empty");
		return -EBADMSG;
	}
	if (name_len > DG_IMA_NAME_MAX) {
		dg_errf(msg, msglen, 0, "template name length %u exceeds limit %u", name_len,
		    DG_IMA_NAME_MAX);
		return -E2BIG;
	}
	if ((r = cur_take(&in, name_len, &name)) < 0) {
		dg_errf(msg, msglen, 0, "truncated template name");
		return r;
	}
	memcpy(e->tname, name.p, name.len);
	e->tname[name.len] = '\0';
	if (strcmp(e->tname, DG_IMA_TEMPLATE)) {
		dg_errf(msg, msglen, 0, "template '%.32s' is not supported (only ima-ng)", e->tname);
		return -EOPNOTSUPP;
	}
	if ((r = cur_le32(&in, &data_len)) < 0) {
		dg_errf(msg, msglen, 0, "truncated template data length");
		return r;
	}
	if (data_len > DG_IMA_DATA_MAX) {
		dg_errf(msg, msglen, 0, "template data length %u exceeds limit %u", data_len,
		    DG_IMA_DATA_MAX);
		return -E2BIG;
	}
	if ((r = cur_take(&in, data_len, &data)) < 0) {
		dg_errf(msg, msglen, 0, "truncated template data");
		return r;
	}
	e->tdata = data.p;
	e->tdata_len = data.len;
	/* d-ng field: "ALGO:" NUL digest */
	if (cur_le32(&data, &len) < 0 || cur_take(&data, len, &d) < 0) {
		dg_errf(msg, msglen, 0, "d-ng field overruns the template data");
		return -EBADMSG;
	}
	for (i = 0; i < d.len && i < sizeof(e->algo) && d.p[i] != ':'; i++)
		e->algo[i] = (char)d.p[i];
	if (i == d.len || i == sizeof(e->algo) || i + 2 > d.len || d.p[i + 1] != '\0') {
		dg_errf(msg, msglen, 0, "d-ng field has no 'algo:' prefix");
		return -EBADMSG;
	}
	e->algo[i] = '\0';
	e->digest = d.p + i + 2;
	e->digest_len = d.len - i - 2;
	if (!algo_len(e->algo) || algo_len(e->algo) != e->digest_len) {
		dg_errf(msg, msglen, 0, "digest algorithm '%s' with %zu bytes is not supported",
		    e->algo, e->digest_len);
		return -EOPNOTSUPP;
	}
	/* n-ng field: path NUL */
	if (cur_le32(&data, &len) < 0 || cur_take(&data, len, &n) < 0) {
		dg_errf(msg, msglen, 0, "n-ng field overruns the template data");
		return -EBADMSG;
	}
	if (n.len == 0 || n.p[n.len - 1] != '\0' || memchr(n.p, '\0', n.len - 1)) {
		dg_errf(msg, msglen, 0, "file name is not one NUL-terminated string");
		return -EBADMSG;
	}
	if (data.len) {
		dg_errf(msg, msglen, 0, "%zu bytes after the last ima-ng field", data.len);
		return -EBADMSG;
	}
	e->path = (const char *)n.p;
	e->path_len = n.len - 1;
	dg_sha1(e->tdata, e->tdata_len, sha1);
	if (memcmp(sha1, e->tdigest, sizeof(sha1)) && !dg_ima_is_violation(e)) {
		dg_errf(msg, msglen, 0, "template digest does not match the template data (%s)",
		    e->path);
		return -EBADMSG;
	}
	*c = in;
	return 0;
}

int dg_ima_is_violation(const struct dg_ima_entry *e)
{
	static const uint8_t zero[20];

	return !memcmp(e->tdigest, zero, sizeof(zero));
}

void dg_ima_extend(uint8_t pcr[32], const uint8_t *tdata, size_t n)
{
	struct dg_sha256 s;
	uint8_t h[32];

	dg_sha256(tdata, n, h);
	dg_sha256_init(&s);
	dg_sha256_update(&s, pcr, 32);
	dg_sha256_update(&s, h, 32);
	dg_sha256_final(&s, pcr);
}

/* A violation (zero template digest) extends the PCR with all ones. */
static void extend_entry(uint8_t pcr[32], const struct dg_ima_entry *e)
{
	uint8_t ff[64];
	struct dg_sha256 s;

	if (!dg_ima_is_violation(e)) {
		dg_ima_extend(pcr, e->tdata, e->tdata_len);
		return;
	}
	memset(ff, 0xff, sizeof(ff));
	memcpy(ff, pcr, 32);
	dg_sha256_init(&s);
	dg_sha256_update(&s, ff, 64);
	dg_sha256_final(&s, pcr);
}

/* dg_ima_replay(), stopping early once PCR 10 equals @stop_at (if given). */
static int replay(const uint8_t *p, size_t n, uint8_t pcr[32], uint64_t *entries,
		  size_t *good_len, const uint8_t *stop_at, char *msg, size_t msglen)
{
	struct dg_cur c = cur_init(p, n);
	struct dg_ima_entry e;
	uint64_t cnt = 0;
	int r = 0;

	memset(pcr, 0, 32);
	if (good_len)
		*good_len = 0;
	while (c.len && !(stop_at && !memcmp(pcr, stop_at, 32))) {
		char why[256];

		r = dg_ima_next(&c, &e, why, sizeof(why));
		if (r < 0) {
			dg_errf(msg, msglen, 0, "entry %llu at offset %zu: %s",
			    (unsigned long long)cnt + 1, cur_off(&c, p), why);
			break;
		}
		if (e.pcr == DG_IMA_PCR)
			extend_entry(pcr, &e);
		cnt++;
		if (good_len)
			*good_len = cur_off(&c, p);
	}
	if (entries)
		*entries = cnt;
	return r;
}

int dg_ima_replay(const uint8_t *p, size_t n, uint8_t pcr[32], uint64_t *entries,
		  size_t *good_len, char *msg, size_t msglen)
{
	return replay(p, n, pcr, entries, good_len, NULL, msg, msglen);
}

int dg_ima_replay_prefix(const uint8_t *p, size_t n, const uint8_t want[32], uint64_t *k)
{
	uint8_t pcr[32];
	uint64_t cnt;

	if (replay(p, n, pcr, &cnt, NULL, want, NULL, 0) < 0 || memcmp(pcr, want, 32))
		return 0;
	*k = cnt;
	return 1;
}

void dg_ima_print_ascii(FILE *f, const struct dg_ima_entry *e)
{
	char t[41], d[2 * DG_IMA_DIGEST_MAX + 1];
	size_t i;

	dg_hex(t, e->tdigest, 20);
	dg_hex(d, e->digest, e->digest_len);
	fprintf(f, "%u %s %s %s:%s ", e->pcr, t, e->tname, e->algo, d);
	/* File names are attacker-chosen: never send raw control bytes to a tty. */
	for (i = 0; i < e->path_len; i++) {
		unsigned char ch = (unsigned char)e->path[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('\n', f);
}

int dg_ima_write_pcrs(const char *path, const uint8_t pcr10[32])
{
	_cleanup_free_ char *tmp = NULL;
	char line[96], hex[65];
	static const uint8_t zero[32];
	int fd, i, r = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	/* A name left by someone else (a FIFO would block the worker, another
	 * user's file would become LOG.pcrs) is removed, never opened. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	for (i = 0; i < DG_IMA_PCR_MAX && !r; i++) {
		ssize_t w;
		int len;

		dg_hex(hex, i == DG_IMA_PCR ? pcr10 : zero, 32);
		len = snprintf(line, sizeof(line), "PCR-%02d: %s\n", i, hex);
		/* The real reason (a full disk: ENOSPC), not EIO. */
		w = write(fd, line, (size_t)len);
		if (w != len)
			r = w < 0 ? -errno : -ENOSPC;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static uint64_t key64(const uint8_t k[32])
{
	uint64_t v;

	memcpy(&v, k, 8);
	return v;
}

/* 1 if present, 0 if not. */
static int set_has(const struct dg_ima_log *l, const uint8_t k[32])
{
	static const uint8_t zero[32];
	size_t i, mask;

	if (!l->set_cap)
		return 0;
	mask = l->set_cap - 1;
	for (i = key64(k) & mask; memcmp(l->set[i], zero, 32); i = (i + 1) & mask)
		if (!memcmp(l->set[i], k, 32))
			return 1;
	return 0;
}

/* 1 if present, 0 if added; -ENOMEM/-E2BIG when it cannot grow. */
static int set_add(struct dg_ima_log *l, const uint8_t k[32])
{
	static const uint8_t zero[32];
	size_t i, mask;

	if ((l->set_n + 1) * 4 >= l->set_cap * 3) {
		size_t ncap = l->set_cap ? l->set_cap * 2 : 1024, j;
		uint8_t (*ns)[32];

		if (ncap > IMA_SET_MAX)
			return -E2BIG;
		ns = calloc(ncap, 32);
		if (!ns)
			return -ENOMEM;
		for (j = 0; j < l->set_cap; j++) {
			if (!memcmp(l->set[j], zero, 32))
				continue;
			for (i = key64(l->set[j]) & (ncap - 1); memcmp(ns[i], zero, 32);
			     i = (i + 1) & (ncap - 1))
				;
			memcpy(ns[i], l->set[j], 32);
		}
		free(l->set);
		l->set = ns;
		l->set_cap = ncap;
	}
	mask = l->set_cap - 1;
	for (i = key64(k) & mask; memcmp(l->set[i], zero, 32); i = (i + 1) & mask)
		if (!memcmp(l->set[i], k, 32))
			return 1;
	memcpy(l->set[i], k, 32);
	l->set_n++;
	return 0;
}

/*
 * Rewrite "LOG.pcrs" from the log's PCR 10; a failure (a full disk) leaves
 * l->pcrs_behind set, so that it is tried again.  0 or negative errno.
 */
static int pcrs_rewrite(struct dg_ima_log *l)
{
	int r = dg_ima_write_pcrs(l->pcrs_path, l->pcr);

	l->pcrs_behind = r < 0;
	return r;
}

/* The .pcrs file once more, if a write of it failed and the log may still
 * be written (not stale); 0 when there is nothing to catch up. */
static int pcrs_catch_up(struct dg_ima_log *l)
{
	return l->pcrs_behind && !l->stale ? pcrs_rewrite(l) : 0;
}

void dg_ima_log_close(struct dg_ima_log *l)
{
	if (!l)
		return;
	/* A .pcrs write that failed (a full disk) and was not retried since. */
	if (l->fd >= 0 && pcrs_catch_up(l) < 0)
		dg_err("enforce worker: %s: still not rewritten, it does not match the log until "
		       "the next start", l->pcrs_path);
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l->pcrs_path);
	free(l->set);
	free(l);
}

static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * The file must still be the one we replayed, at the size we wrote (a
 * same-size overwrite is not seen here): a log truncated, appended to or
 * replaced by someone else no longer matches the PCR, and mapping our size
 * of a shorter file would kill us with SIGBUS.
 * Once changed, nothing more is written to it (a restart replays it again).
 */
static int log_unchanged(struct dg_ima_log *l)
{
	struct stat st;

	if (l->stale)
		return -ESTALE;
	if (fstat(l->fd, &st) < 0)
		return -errno;
	if (st.st_nlink && (uint64_t)st.st_size == l->size)
		return 0;
	l->stale = 1;
	if (!st.st_nlink)
		dg_err("enforce worker: measurement log %s was removed or replaced by another process; "
		       "not writing to it until a restart", l->path);
	else
		dg_err("enforce worker: measurement log %s changed size from %llu to %llu bytes by another "
		       "process (truncated or appended to); not writing to it until a restart",
		       l->path, (unsigned long long)l->size, (unsigned long long)st.st_size);
	return -ESTALE;
}

/* Replay the existing log into @l; cut a torn last entry. */
static int log_load(struct dg_ima_log *l, char *msg, size_t msglen)
{
	struct stat st;
	struct dg_cur c;
	struct dg_ima_entry e;
	size_t good = 0;
	uint8_t *map;
	int r = 0;

	if (fstat(l->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		dg_errf(msg, msglen, 0, "%s: not a regular file", l->path);
		return -EINVAL;
	}
	l->size = 0;
	if (st.st_size == 0)
		return 0;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, l->fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	c = cur_init(map, (size_t)st.st_size);
	while (c.len) {
		char why[256];
		uint8_t h[32];

		r = dg_ima_next(&c, &e, why, sizeof(why));
		if (r < 0) {
			dg_errf(msg, msglen, 0, "%s: entry %llu: %s", l->path,
			    (unsigned long long)l->entries + 1, why);
			break;
		}
		if (e.pcr == DG_IMA_PCR)
			extend_entry(l->pcr, &e);
		dg_sha256(e.tdata, e.tdata_len, h);
		if ((r = set_add(l, h)) < 0)
			break;
		r = 0;
		l->entries++;
		good = cur_off(&c, map);
	}
	/*
	 * Zeros from the first bad entry to the end: the file grew but its
	 * last blocks never reached the disk (a power loss; entries are not
	 * fsynced one by one).  No entry is all zeros (PCR 0 has no template
	 * name of length 0): a torn tail like a short one.
	 */
	if (r == -EBADMSG && good < (size_t)st.st_size && all_zero(map + good, (size_t)st.st_size - good))
		r = -ENODATA;
	munmap(map, (size_t)st.st_size);
	if (r == -ENODATA) {
		/* Only a torn tail (a writer killed mid-entry) is repaired. */
		if (ftruncate(l->fd, (off_t)good) < 0)
			return -errno;
		r = 0;
	}
	l->size = good;
	return r;
}

/* Extend the TPM with one entry, as the kernel does (violations: all ones). */
static int tpm_extend_entry(struct dg_tpm *tpm, const struct dg_ima_entry *e, char *why,
			    size_t whylen)
{
	uint8_t sha1[20], sha256[32];

	if (dg_ima_is_violation(e)) {
		memset(sha1, 0xff, sizeof(sha1));
		memset(sha256, 0xff, sizeof(sha256));
	} else {
		memcpy(sha1, e->tdigest, sizeof(sha1));
		dg_sha256(e->tdata, e->tdata_len, sha256);
	}
	return dg_tpm_extend(tpm, DG_IMA_PCR, sha1, sha256, why, whylen);
}

/*
 * Extend the TPM with the entries from l->tpm_off to the end of the log (at
 * most l->tpm_batch of them, when set), read back from the file: the TPM
 * only ever holds a prefix of the log, so an extend that failed (or never
 * ran: the writer died between the write and the extend) is made up for,
 * in order, by the next one.
 */
static int tpm_catch_up(struct dg_ima_log *l, char *why, size_t whylen)
{
	struct dg_ima_entry e;
	struct dg_cur c;
	uint8_t *map;
	size_t done = 0;
	int r = 0;

	l->tpm_failed = 0;
	if (!l->tpm || l->tpm_off >= l->size)
		return 0;
	if ((r = log_unchanged(l)) < 0) {
		dg_errf(why, whylen, 0, "%s: %s", l->path, strerror(-r));
		l->tpm_failed = 1;
		return r;
	}
	map = mmap(NULL, (size_t)l->size, PROT_READ, MAP_PRIVATE, l->fd, 0);
	if (map == MAP_FAILED) {
		r = -errno;
		dg_errf(why, whylen, 0, "%s: %s", l->path, strerror(-r));
		l->tpm_failed = 1;
		return r;
	}
	c = cur_init(map + l->tpm_off, (size_t)(l->size - l->tpm_off));
	while (c.len && (!l->tpm_batch || done < l->tpm_batch)) {
		r = dg_ima_next(&c, &e, why, whylen);
		if (r < 0)
			break;
		if (e.pcr == DG_IMA_PCR) {
			r = tpm_extend_entry(l->tpm, &e, why, whylen);
			if (r < 0)
				break;
			done++;
		}
		l->tpm_off = cur_off(&c, map);
	}
	munmap(map, (size_t)l->size);
	l->tpm_failed = r < 0;
	return r;
}

int dg_append_record(int fd, const void *p, size_t n, off_t start)
{
	ssize_t w = write(fd, p, n), w2;
	int r;

	if (w == (ssize_t)n)
		return 0;
	r = w < 0 ? -errno : -EIO;
	if (w <= 0)
		return r;	/* nothing written, nothing to cut */
	if (start < 0) {	/* O_APPEND: our bytes end at the offset */
		off_t end = lseek(fd, 0, SEEK_CUR);

		start = end >= w ? end - w : -1;
	}
	w2 = write(fd, (const char *)p + w, n - (size_t)w);
	if (w2 == (ssize_t)n - w)
		return 0;
	r = w2 < 0 ? -errno : -EIO;
	if (start >= 0 && ftruncate(fd, start) < 0)
		r = -errno;
	return r;
}

static int log_append(struct dg_ima_log *l, const uint8_t digest[32], const char *path,
		      int dedup)
{
	struct dg_buf b = { 0 };
	uint8_t h[32];
	int r;

	r = dg_ima_encode(&b, digest, path);
	if (r < 0)
		goto out;
	dg_sha256(b.data + IMA_HDR_LEN, b.len - IMA_HDR_LEN, h);
	if (dedup && set_has(l, h)) {
		r = 0;		/* already measured */
		(void)pcrs_catch_up(l);
		goto out;
	}
	if ((r = log_unchanged(l)) < 0)
		goto out;
	/* One write() per entry: O_APPEND, so a reader sees whole entries
	 * (half of one only after a short write, until it is cut back). */
	if ((r = dg_append_record(l->fd, b.data, b.len, (off_t)l->size)) < 0)
		goto out;
	/* In the log now: the software PCR, the count and the dedup set
	 * follow it whatever happens to the TPM. */
	l->size += b.len;
	dg_ima_extend(l->pcr, b.data + IMA_HDR_LEN, b.len - IMA_HDR_LEN);
	l->entries++;
	/* Out of memory here only costs dedup: the entry may be written again. */
	(void)set_add(l, h);
	r = pcrs_rewrite(l);
	if (l->tpm) {
		int t = tpm_catch_up(l, l->tpm_err, sizeof(l->tpm_err));

		/* The caller logs it; the TPM stays a prefix of the log and
		 * catches up at the next entry or the next start. */
		if (t < 0 && r == 0)
			r = t;
	}
	if (r == 0)
		r = 1;
out:
	dg_buf_free(&b);
	return r;
}

int dg_ima_log_attach_tpm(struct dg_ima_log *l, struct dg_tpm *tpm, char *msg, size_t msglen)
{
	uint8_t have[32], pcr[32];
	struct dg_ima_entry e;
	struct dg_cur c;
	uint8_t *map = NULL;
	uint64_t match = UINT64_MAX;
	char a[65], b[65], why[256];
	int r;

	r = dg_tpm_read(tpm, DG_IMA_PCR, have, msg, msglen);
	if (r < 0)
		return r;
	memset(pcr, 0, sizeof(pcr));
	if (l->size == 0 && !memcmp(have, pcr, 32))
		match = 0;	/* a new log and a fresh TPM */
	if (l->size) {
		if ((r = log_unchanged(l)) < 0) {
			dg_errf(msg, msglen, 0, "%s: %s", l->path, strerror(-r));
			return r;
		}
		map = mmap(NULL, (size_t)l->size, PROT_READ, MAP_PRIVATE, l->fd, 0);
		if (map == MAP_FAILED) {
			r = -errno;
			return dg_errf(msg, msglen, r, "%s: %s", l->path, strerror(-r));
		}
		/* The TPM may be behind the log (an extend failed, or the
		 * writer died before it): it must then equal the replay of a
		 * prefix of at least one entry.  The empty prefix (all zero)
		 * is a reset TPM, not one that is behind. */
		c = cur_init(map, (size_t)l->size);
		while (c.len && dg_ima_next(&c, &e, why, sizeof(why)) == 0) {
			if (e.pcr == DG_IMA_PCR)
				extend_entry(pcr, &e);
			if (!memcmp(pcr, have, 32))
				match = cur_off(&c, map);
		}
		munmap(map, (size_t)l->size);
	}
	if (match == UINT64_MAX) {
		dg_hex(a, have, 32);
		dg_hex(b, l->pcr, 32);
		dg_errf(msg, msglen, 0, "%s: TPM PCR 10 is %s but the log replays to %s (TPM reset, "
		    "or PCR 10 used by the kernel's IMA?)", l->path, a, b);
		return -EBADE;
	}
	l->tpm = tpm;
	l->tpm_off = match;
	r = tpm_catch_up(l, why, sizeof(why));
	if (r < 0) {
		dg_errf(msg, msglen, 0, "%s: bringing the TPM up to the log: %s", l->path, why);
		l->tpm = NULL;
		return r;
	}
	return 0;
}

int dg_ima_log_tpm_behind(const struct dg_ima_log *l, const char **why)
{
	if (!l->tpm || !l->tpm_failed)
		return 0;
	*why = l->tpm_err[0] ? l->tpm_err : "extend failed";
	return 1;
}

void dg_ima_log_set_tpm_batch(struct dg_ima_log *l, size_t n)
{
	l->tpm_batch = n;
}

int dg_ima_log_tpm_pending(const struct dg_ima_log *l)
{
	return l->tpm && !l->tpm_failed && l->tpm_off < l->size;
}

int dg_ima_log_tpm_step(struct dg_ima_log *l)
{
	return tpm_catch_up(l, l->tpm_err, sizeof(l->tpm_err));
}

struct dg_tpm *dg_ima_log_detach_tpm(struct dg_ima_log *l)
{
	struct dg_tpm *t = l->tpm;

	l->tpm = NULL;
	return t;
}

/*
 * One writer per log: a second enforcer on the same file would keep its own
 * PCR 10 without the first one's entries, and the first would stop writing
 * at its next entry (log_unchanged()).  The lock is on our open file, so it
 * goes with the process that holds it (a worker that died, the
 * supervisor's check at start); a dying predecessor gets a moment.
 */
static int lock_log(struct dg_ima_log *l, char *msg, size_t msglen)
{
	int i;

	for (i = 0; flock(l->fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK)
			return dg_errf(msg, msglen, -errno, "%s: locking: %s", l->path,
				       strerror(errno));
		if (i == 20)
			return dg_errf(msg, msglen, -EBUSY, "%s: in use by another process "
				       "(another enforcer's measurement log?)", l->path);
		usleep(50 * 1000);
	}
	return 0;
}

int dg_ima_log_open(const char *path, struct dg_ima_log **out, char *msg, size_t msglen)
{
	return dg_ima_log_open_tpm(path, NULL, out, msg, msglen);
}

int dg_ima_log_open_tpm(const char *path, struct dg_tpm *tpm, struct dg_ima_log **out,
			char *msg, size_t msglen)
{
	struct dg_ima_log *l = calloc(1, sizeof(*l));
	static const uint8_t zero[32];
	int r;

	if (!l)
		return -ENOMEM;
	l->fd = -1;
	l->path = strdup(path);
	if (!l->path || asprintf(&l->pcrs_path, "%s.pcrs", path) < 0) {
		l->pcrs_path = NULL;
		r = -ENOMEM;
		goto fail;
	}
	l->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0) {
		r = -errno;
		dg_errf(msg, msglen, 0, "%s: %s", path, r == -ELOOP ?
			"is a symbolic link (not followed)" : strerror(errno));
		goto fail;
	}
	if ((r = lock_log(l, msg, msglen)) < 0)
		goto fail;
	r = log_load(l, msg, msglen);
	if (r < 0)
		goto fail;
	if (tpm) {
		r = dg_ima_log_attach_tpm(l, tpm, msg, msglen);
		if (r < 0)
			goto fail;
	}
	if (l->entries == 0) {
		/* No TPM is read: boot_aggregate is all zeros, as the kernel
		 * records it on a machine without a TPM. */
		r = log_append(l, zero, DG_IMA_BOOT_AGGREGATE, 0);
		if (r < 0 && l->entries) {
			/* Written: what failed after it is the TPM or the .pcrs file. */
			if (l->tpm && l->tpm_failed)
				dg_errf(msg, msglen, 0, "%s: extending the TPM: %s", path,
					l->tpm_err);
			else
				dg_errf(msg, msglen, 0, "%s: %s", l->pcrs_path, strerror(-r));
			goto fail;
		}
	} else {
		r = dg_ima_write_pcrs(l->pcrs_path, l->pcr);
		if (r < 0) {
			dg_errf(msg, msglen, 0, "%s: %s", l->pcrs_path, strerror(-r));
			goto fail;
		}
	}
	if (r < 0) {
		dg_errf(msg, msglen, 0, "%s: %s", path, strerror(-r));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	dg_ima_log_close(l);
	return r;
}

int dg_ima_log_measure(struct dg_ima_log *l, const uint8_t digest[32], const char *path)
{
	return log_append(l, digest, path, 1);
}

void dg_ima_log_pcr(const struct dg_ima_log *l, uint8_t pcr[32], uint64_t *entries)
{
	memcpy(pcr, l->pcr, 32);
	if (entries)
		*entries = l->entries;
}
