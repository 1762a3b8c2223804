/* SPDX-License-Identifier: MIT */
/*
 * The sample handler's requests, modelled on the sample that came with the
 * kernel's UMD management API proposal: echo, a sized answer, and two ways to
 * misbehave so the manager's recovery can be shown.
 */
#ifndef DG_SAMPLE_PROTO_H
#define DG_SAMPLE_PROTO_H

enum dg_sample_msg {
	SAMPLE_ECHO = 0x0100,	/* answer: the request bytes */
	SAMPLE_SIZED = 0x0101,	/* req: le32 n; answer: n bytes of sample_byte() */
	SAMPLE_CRASH = 0x0102,	/* dies with SIGSEGV */
	SAMPLE_HANG = 0x0103,	/* never answers */
	SAMPLE_SINK = 0x0104,	/* answer: le32 request length (throughput) */
};

/* Content of byte @i of a SAMPLE_SIZED answer of @n bytes. */
static inline unsigned char sample_byte(unsigned long i, unsigned long n)
{
	return (unsigned char)(i * 131u + n + (i >> 8));
}

#endif
