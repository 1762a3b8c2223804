/* SPDX-License-Identifier: MIT */
/*
 * On-disk layout of one database generation (docs/db.md).  All integers
 * are little-endian; sections follow the header in this order, each aligned
 * to 8 bytes:
 *
 *   header      DGDB_HEADER_SIZE bytes (below)
 *   digests     count * digest_len bytes, sorted by memcmp(), unique
 *   refs        count * u32: per digest, an offset into the string table
 *               (the path string; the owning source is the one whose
 *               region contains the offset)
 *   index       (2^index_bits + 1) * u32: index[k] = first digest whose
 *               top index_bits bits are >= k; index[2^bits] = count
 *   fps         count * u16: per digest, the 16 bits after the top
 *               index_bits bits (a fingerprint: sorted inside a bucket, so
 *               a lookup scans 2 bytes per entry and touches the digest
 *               itself only on a fingerprint match)
 *   more        (version 2) more_count * { u32 entry, u32 ref }: the
 *               further references of digests that several sources or
 *               paths hold (refs[] has the first), ascending by (entry,
 *               ref), none equal to its entry's refs[] value
 *   sources     source_count * { u32 name_off, u32 region_start }: names
 *               are offsets into the string table; region_start ascending
 *   strings     NUL-terminated strings; the table ends with a NUL.  Each
 *               source's region starts with "" (entries without a path).
 *               A path already stored for another source is a 5-byte link
 *               record instead: DGDB_PATH_LINK, u32 offset of the stored
 *               path (which is never a link itself).
 */
#ifndef DG_DB_FORMAT_H
#define DG_DB_FORMAT_H

#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the database tables are read in place: little-endian hosts only"
#endif

#define DGDB_MAGIC		"DGDB\r\n\032\n"	/* PNG-style: catches text-mode mangling */
#define DGDB_MAGIC_LEN		8
#define DGDB_VERSION		2	/* written; 1 is still read */
#define DGDB_HEADER_SIZE_V1	200
#define DGDB_HEADER_SIZE	216
#define DGDB_ALIGN		8

/* Bounds a reader applies before trusting header fields. */
#define DGDB_COUNT_MAX		(1ull << 32)	/* refs and offsets are u32 */
#define DGDB_INDEX_BITS_MAX	26
#define DGDB_SOURCES_MAX	(1u << 24)
#define DGDB_STRINGS_MAX	(1ull << 32)

/* First byte of a link record in the string table (never starts a path). */
#define DGDB_PATH_LINK		0x01
#define DGDB_PATH_LINK_LEN	5

/* Header field offsets. */
#define H_MAGIC		0
#define H_VERSION	8	/* u32 */
#define H_HEADER_SIZE	12	/* u32 */
#define H_GENERATION	16	/* u64 */
#define H_BUILD_TIME	24	/* u64 */
#define H_COUNT		32	/* u64 */
#define H_ALGO		40	/* u32 */
#define H_DIGEST_LEN	44	/* u32 */
#define H_INDEX_BITS	48	/* u32 */
#define H_SOURCE_COUNT	52	/* u32 */
#define H_FILE_SIZE	56	/* u64 */
#define H_DIGESTS_OFF	64	/* u64 */
#define H_REFS_OFF	72	/* u64 */
#define H_INDEX_OFF	80	/* u64 */
#define H_SOURCES_OFF	88	/* u64 */
#define H_STRINGS_OFF	96	/* u64 */
#define H_STRINGS_SIZE	104	/* u64 */
#define H_FPS_OFF	112	/* u64 */
#define H_SOURCES_HASH	120	/* 32 bytes: SHA-256 of sorted source names, '\n'-joined */
#define H_BODY_HASH	152	/* 32 bytes: SHA-256 of bytes [header_size, file_size) */
/* version 1: */
#define H_HEADER_HASH_V1 184	/* 16 bytes: SHA-256 of bytes [0, 184), truncated */
/* version 2: */
#define H_MORE_OFF	184	/* u64 */
#define H_MORE_COUNT	192	/* u64 */
#define H_HEADER_HASH	200	/* 16 bytes: SHA-256 of bytes [0, 200), truncated */

static inline uint32_t dgdb_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t dgdb_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline void dgdb_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void dgdb_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static inline uint64_t dgdb_align(uint64_t v)
{
	return (v + DGDB_ALIGN - 1) & ~(uint64_t)(DGDB_ALIGN - 1);
}

/* Number of index bits for @count digests: about 4..8 digests per bucket. */
static inline uint32_t dgdb_index_bits(uint64_t count)
{
	uint32_t bits = 0;

	while (bits < 62 && (1ull << (bits + 1)) <= count)
		bits++;
	/* now 2^bits <= count < 2^(bits+1) */
	bits = bits > 2 ? bits - 2 : 0;
	return bits > 24 ? 24 : bits;
}

/* Big-endian value of the first 8 bytes: memcmp() order as an integer. */
static inline uint64_t dgdb_prefix64(const uint8_t *d)
{
	uint64_t v;

	memcpy(&v, d, 8);
	return __builtin_bswap64(v);
}

/* The fingerprint of a digest prefix under @bits index bits. */
static inline uint16_t dgdb_fp(uint64_t prefix, uint32_t bits)
{
	return (uint16_t)((prefix << bits) >> 48);
}

#endif
