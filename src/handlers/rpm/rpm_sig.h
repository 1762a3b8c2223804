/* SPDX-License-Identifier: MIT */
/*
 * The OpenPGP signatures of an RPM signature header, parsed in the rpm
 * handler with the pgp handler's own parser (src/handlers/pgp/), so that the
 * core verifies a package after one round trip instead of two.  Pure
 * functions over untrusted bytes (no I/O).
 */
#ifndef DG_RPM_SIG_H
#define DG_RPM_SIG_H

#include <stddef.h>
#include <stdint.h>

struct dg_buf;

/* A decoded OPENPGP (278) value is at most this large (the core's limit too). */
#define RPM_OPENPGP_SIG_MAX (64u << 10)
/* Pre-parsed signatures in one answer, and the size of one pgp answer. */
#define RPM_PGP_SIGS_MAX 64u
#define RPM_PGP_ANS_MAX (1u << 20)

/*
 * Strict base64 (RFC 4648 §4: padding required, no whitespace) of @n bytes
 * at @s into @out (room for n / 4 * 3 bytes), the same decoding the core
 * does for OPENPGP values.  0 or -EBADMSG.
 */
int rpm_b64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t *out_len);

/*
 * Parse the OpenPGP packets @sig (@len bytes; for an OPENPGP value the
 * decoded bytes) like the pgp handler's PGP_REQ_PARSE at depth 0 and append
 * one pre-parsed signature record (rpm_proto.h) for tag record @record,
 * value @item to @out.  Returns 1 when appended, 0 when the packets do not
 * parse (the core then asks the parser again and gets its error), or a
 * negative errno when the answer cannot be built.
 */
int rpm_sig_preparse(uint32_t record, uint32_t item, const uint8_t *sig, size_t len,
		     struct dg_buf *out);

#endif
