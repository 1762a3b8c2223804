/* SPDX-License-Identifier: MIT */
/*
 * The OpenPGP handler's pure parse code (no I/O): built into the static
 * handler executable and, unchanged, into libdg_pgp_parse for in-process
 * unit tests and fuzz targets.  Each entry point writes one complete answer
 * (pgp_proto.h) to @ans, or returns a negative errno with a message in @e.
 */
#ifndef DG_PGP_PARSE_H
#define DG_PGP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pgp_proto.h"

struct pgp_err {
	char msg[256];
};

/* Request dispatcher: checks the request header, then calls one below. */
int pgp_handle_request(uint16_t type, const uint8_t *req, size_t len,
		       struct dg_buf *ans, struct pgp_err *e);

/* A request type of the pgp handler's (pgp_handler.c). */
int pgp_is_request(uint16_t type);

/*
 * A dg_handler_fn for the pgp handler's requests (pgp_handler.c, built
 * into handlers only): pgp_handle_request(), its message sent with the
 * ERROR frame.
 */
int pgp_handle(uint16_t type, const uint8_t *req, size_t len, struct dg_buf *ans, void *ctx);

/* ASCII armor (RFC 9580 §6) -> PGP_REC_ARMOR + PGP_REC_ARMOR_DATA;
 * @flags: PGP_REQ_F_* of the request. */
int pgp_dearmor(const uint8_t *in, size_t len, unsigned int flags, struct dg_buf *ans,
		struct pgp_err *e);

/* Binary packets at nesting @depth -> PGP_REC_PACKET and friends. */
int pgp_parse_packets(const uint8_t *in, size_t len, uint32_t depth,
		      struct dg_buf *ans, struct pgp_err *e);

/* Cleartext signed message (RFC 9580 §7) -> PGP_REC_CLEARTEXT. */
int pgp_cleartext(const uint8_t *in, size_t len, struct dg_buf *ans,
		  struct pgp_err *e);

/*
 * Tests and fuzz targets only: check that answer @ans keeps every promise
 * of pgp_proto.h about input @in (sizes, spans inside, tiling).  0 or
 * -EBADMSG with the broken promise in @e.
 */
int pgp_answer_validate(const uint8_t *ans, size_t len, const uint8_t *in,
			size_t input_len, struct pgp_err *e);

/* CRC24 of RFC 9580 §6.1. */
uint32_t pgp_crc24(const uint8_t *p, size_t n);

/* ---- internal: answer building (pgp_answer.c) ---- */

struct pgp_ans {
	struct dg_buf *b;
	struct pgp_err *e;
	const uint8_t *base;	/* first input byte: spans are relative to it */
	size_t start;		/* offset of the answer header in b */
	uint32_t nrec;
	uint32_t flags;
};

int pgp_fail(struct pgp_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int pgp_ans_begin(struct pgp_ans *a, struct dg_buf *b, uint16_t type,
		  const uint8_t *in, size_t len, struct pgp_err *e);
/* Start a record; *mark remembers where, for pgp_ans_rec_end(). */
int pgp_ans_rec_begin(struct pgp_ans *a, uint16_t type, size_t *mark);
/* The same, then @n zero bytes of a fixed part filled in later, at *@fixed. */
int pgp_ans_rec_begin_fixed(struct pgp_ans *a, uint16_t type, size_t n, size_t *mark,
			    size_t *fixed);
int pgp_ans_rec_end(struct pgp_ans *a, size_t mark);
int pgp_ans_finish(struct pgp_ans *a);
/* A span of @n bytes at @p, which must lie inside the input. */
int pgp_ans_span(struct pgp_ans *a, const uint8_t *p, size_t n);
int pgp_ans_nospan(struct pgp_ans *a);
/* Overwrite a u32 at absolute buffer offset @pos (counts written late). */
void pgp_ans_patch32(struct pgp_ans *a, size_t pos, uint32_t v);
/* Map a dg_buf error to a message naming the limit. */
int pgp_ans_err(struct pgp_ans *a, int r);

/* ---- internal: packet bodies (pgp_key.c, pgp_sig.c) ---- */

/* Key packet body (tag 5/6/7/14) at packet @index. */
int pgp_key_record(struct pgp_ans *a, uint32_t index, uint8_t tag,
		   const uint8_t *body, size_t len);
/* Signature packet body (tag 2). */
int pgp_sig_record(struct pgp_ans *a, uint32_t index, const uint8_t *body,
		   size_t len);
/* One-pass signature packet body (tag 4). */
int pgp_ops_record(struct pgp_ans *a, uint32_t index, const uint8_t *body,
		   size_t len);
/*
 * Key material fields of public-key algorithm @algo from @c, appended as
 * FIELD entries; @sig selects signature material; @v6: the packet is a v6
 * one, whose MPIs must be in canonical form (RFC 9580 §3.2).  Returns the
 * number of fields (>= 0), -EOPNOTSUPP for an unknown algorithm, or an
 * error.
 */
struct dg_cur;
int pgp_fields(struct pgp_ans *a, struct dg_cur *c, uint8_t algo, int sig, int v6,
	       uint32_t index);

/* Salt size for a v6 signature with hash @algo, or -1 when unknown. */
int pgp_v6_salt_len(uint8_t hash_algo);

#endif
