/* SPDX-License-Identifier: MIT */
/*
 * IMA measurement log, binary format of the kernel's
 * /sys/kernel/security/ima/binary_runtime_measurements, template "ima-ng",
 * SHA-256 file digests, PCR 10 (docs/enforcer.md "Measurement log").
 *
 * Entry (host byte order, little-endian here):
 *   u32 pcr; u8 template_digest[20] (SHA-1 of template data, the legacy
 *   field); u32 name_len; name ("ima-ng"); u32 data_len; data =
 *   { u32 len; "sha256:" NUL digest[32] } { u32 len; path NUL }.
 * PCR 10 (SHA-256 bank) = SHA-256(PCR || SHA-256(data)) per entry, starting
 * from 32 zero bytes; the first entry is "boot_aggregate".
 *
 * The log is the enforcer's own output (trusted per DESIGN.md §2), but
 * `measure show/verify` read whatever file they are given, so the reader
 * goes through the bounded cursor with the limits below and never trusts a
 * length before checking it against what remains.
 */
#ifndef DG_ENF_IMALOG_H
#define DG_ENF_IMALOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>

#include "hex.h"

#include "buf.h"
#include "cursor.h"

#define DG_IMA_PCR		10
#define DG_IMA_PCR_MAX		24		/* TPM PCRs 0..23 */
#define DG_IMA_TEMPLATE		"ima-ng"
#define DG_IMA_NAME_MAX		255		/* TCG_EVENT_NAME_LEN_MAX */
#define DG_IMA_PATH_MAX		4096		/* PATH_MAX, NUL included */
#define DG_IMA_DATA_MAX		(DG_IMA_PATH_MAX + 256)
#define DG_IMA_DIGEST_MAX	64		/* sha512 */
#define DG_IMA_BOOT_AGGREGATE	"boot_aggregate"

struct dg_ima_entry {
	uint32_t pcr;
	uint8_t tdigest[20];		/* as recorded in the header */
	char tname[DG_IMA_NAME_MAX + 1];
	const uint8_t *tdata;		/* template data, inside the input */
	size_t tdata_len;
	char algo[16];			/* "sha256" */
	const uint8_t *digest;		/* file digest, inside the input */
	size_t digest_len;
	const char *path;		/* NUL-terminated, inside the input */
	size_t path_len;		/* without the NUL */
};

/* Append one ima-ng entry for @digest (SHA-256) and @path to @out. */
int dg_ima_encode(struct dg_buf *out, const uint8_t digest[32], const char *path);

/*
 * Append one record of @n bytes to the O_APPEND file @fd whole (the
 * measurement log, the decision log): one write(), and after a short one
 * (a full disk) the rest once more, so the error is the real one (ENOSPC,
 * not EIO).  If it still is not whole, the file is cut back to where the
 * record began (@start; negative: where our first write's bytes began),
 * so that no later record continues half of it.  0 or -errno.
 */
int dg_append_record(int fd, const void *p, size_t n, off_t start);

/*
 * Parse the next entry at @c into @e (pointers into the input).
 * -ENODATA truncated, -EBADMSG malformed, -E2BIG over a limit,
 * -EOPNOTSUPP a template other than ima-ng.  @msg gets the reason.
 */
int dg_ima_next(struct dg_cur *c, struct dg_ima_entry *e, char *msg, size_t msglen);

/* A violation entry: all-zero template digest (extends with all ones). */
int dg_ima_is_violation(const struct dg_ima_entry *e);

/* PCR = SHA-256(PCR || SHA-256(@tdata)). */
void dg_ima_extend(uint8_t pcr[32], const uint8_t *tdata, size_t n);

/*
 * Replay a whole log: checks every entry (template digest included) and
 * computes PCR 10.  @good_len gets the length of the prefix made of whole,
 * valid entries (for a writer recovering from a torn last write).
 * Returns 0 when the whole input is valid, else negative errno with @msg.
 */
int dg_ima_replay(const uint8_t *p, size_t n, uint8_t pcr[32], uint64_t *entries,
		  size_t *good_len, char *msg, size_t msglen);
/*
 * The shortest prefix of the log whose replay gives PCR 10 = @want: 1 with
 * its entry count in *@k (0: all zeros, nothing extended), 0 if none does
 * (entries missing from the log, or another log's or TPM's value).
 */
int dg_ima_replay_prefix(const uint8_t *p, size_t n, const uint8_t want[32], uint64_t *k);

/* One line like ascii_runtime_measurements: "10 SHA1 ima-ng sha256:HEX PATH". */
void dg_ima_print_ascii(FILE *f, const struct dg_ima_entry *e);

/* dg_hex() is in hex.h; parse exactly @n bytes of hex from @s (whole string); 0 or -EINVAL. */
int dg_unhex(uint8_t *out, size_t n, const char *s);

/* ---- the writer the enforcer uses ---- */

struct dg_ima_log;

/*
 * Open (create) the log at @path: replay what is there (a torn last entry
 * is cut off; any other damage is an error), write the boot_aggregate entry
 * into an empty log, and write the "@path.pcrs" file (evmctl --pcrs format).
 * The log is locked (flock) while open: -EBUSY when another process has it.
 */
int dg_ima_log_open(const char *path, struct dg_ima_log **out, char *msg, size_t msglen);

struct dg_tpm;
/*
 * The same, also extending a TPM's PCR 10 with every entry written
 * (dg_ima_log_attach_tpm()).
 */
int dg_ima_log_open_tpm(const char *path, struct dg_tpm *tpm, struct dg_ima_log **out,
			char *msg, size_t msglen);

/*
 * From now on also extend @tpm's PCR 10 with every entry.  Its PCR 10 must
 * equal the replay of the whole log, or of a prefix of at least one entry
 * (an extend failed, or the writer died between writing an entry and
 * extending it): the missing entries are then extended now.  A TPM that
 * is neither (reset, or used by the kernel's IMA) gives -EBADE.
 */
int dg_ima_log_attach_tpm(struct dg_ima_log *log, struct dg_tpm *tpm, char *msg,
			  size_t msglen);

/*
 * 1 when the attached TPM's last extend failed (the next entry retries the
 * missing ones), with the reason in *@why; else 0.
 */
int dg_ima_log_tpm_behind(const struct dg_ima_log *log, const char **why);

/*
 * Catch the TPM up at most @n entries at a time (0: all at once, the
 * default), at attach and after each entry; the rest with
 * dg_ima_log_tpm_step() while dg_ima_log_tpm_pending() says 1 (attached,
 * no failure, still behind the log).  So a long catch-up (a hardware TPM
 * takes milliseconds per extend) can be spread between other work.
 */
void dg_ima_log_set_tpm_batch(struct dg_ima_log *log, size_t n);
int dg_ima_log_tpm_pending(const struct dg_ima_log *log);
/* One batch; 0 or the failed extend's -errno (then tpm_behind says why). */
int dg_ima_log_tpm_step(struct dg_ima_log *log);

/* Stop extending the TPM (the caller owns it); returns it, or NULL. */
struct dg_tpm *dg_ima_log_detach_tpm(struct dg_ima_log *log);

/*
 * Measure @digest at @path: append an entry unless the same (digest, path)
 * is already in the log, extend PCR 10, rewrite the .pcrs file.
 * Returns 1 if an entry was added, 0 if it was already there, negative
 * errno on failure.  A failed or short write leaves the log as it was
 * (cut back to the entry's start) and the entry not counted as measured;
 * once an entry is written the software PCR and .pcrs include it even if
 * the TPM extend fails (the TPM then catches up with the next entry).
 */
int dg_ima_log_measure(struct dg_ima_log *log, const uint8_t digest[32], const char *path);

/* Current PCR 10 value and entry count. */
void dg_ima_log_pcr(const struct dg_ima_log *log, uint8_t pcr[32], uint64_t *entries);

void dg_ima_log_close(struct dg_ima_log *log);

/* Write an evmctl --pcrs file: PCR-00..PCR-23, all zero but PCR 10. */
int dg_ima_write_pcrs(const char *path, const uint8_t pcr10[32]);

#endif
