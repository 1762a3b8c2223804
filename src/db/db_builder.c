// SPDX-License-Identifier: MIT
/*
 * Building a database generation in memory: sources and paths are
 * deduplicated as they are added; at write time the digests are sorted,
 * a digest added more than once keeps its first reference in `refs` and
 * each other distinct (source, path) in `more`, and the file image is laid
 * out (db_format.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <digestguard/db.h>

#include "buf.h"
#include "cleanup.h"
#include "db_format.h"
#include "db_internal.h"
#include "sha256.h"

#define NO_PATH UINT32_MAX

struct entry {
	uint8_t d[DG_DB_SHA256_LEN];
	uint32_t src;
	uint32_t path;	/* builder path id or NO_PATH */
};

struct path_rec {
	uint32_t src;
	uint32_t off;	/* in the arena */
	uint32_t len;
};

/* Open-addressing set of ids (id + 1; 0 is empty), power-of-two capacity. */
struct idset {
	uint32_t *slot;
	size_t cap;
};

struct dg_db_builder {
	enum dg_db_algo algo;
	struct entry *ents;
	size_t n, cap;
	char **src;
	uint32_t nsrc, srccap;
	struct idset srcset;
	struct path_rec *paths;
	uint32_t npaths, pathcap;
	struct idset pathset;
	struct dg_buf arena;	/* path bytes */
};

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ull

static int idset_grow(struct idset *s, uint32_t used,
		      uint64_t (*hash)(const struct dg_db_builder *, uint32_t),
		      const struct dg_db_builder *b)
{
	size_t cap, i;
	uint32_t *slot;

	if ((size_t)used * 2 < s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 1024;
	slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->slot[i])
			continue;
		j = hash(b, s->slot[i] - 1) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

static uint64_t src_hash_of(const struct dg_db_builder *b, uint32_t id)
{
	return fnv1a(b->src[id], strlen(b->src[id]), FNV_INIT);
}

static uint64_t path_hash(uint32_t src, const char *p, size_t len)
{
	return fnv1a(p, len, fnv1a(&src, sizeof(src), FNV_INIT));
}

static uint64_t path_hash_of(const struct dg_db_builder *b, uint32_t id)
{
	const struct path_rec *r = &b->paths[id];

	return path_hash(r->src, (const char *)b->arena.data + r->off, r->len);
}

struct dg_db_builder *dg_db_builder_new(enum dg_db_algo algo)
{
	struct dg_db_builder *b;

	if (algo != DG_DB_SHA256) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (b)
		b->algo = algo;
	return b;
}

void dg_db_builder_free(struct dg_db_builder *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; i < b->nsrc; i++)
		free(b->src[i]);
	free(b->src);
	free(b->srcset.slot);
	free(b->paths);
	free(b->pathset.slot);
	free(b->ents);
	dg_buf_free(&b->arena);
	free(b);
}

size_t dg_db_builder_count(const struct dg_db_builder *b)
{
	return b->n;
}

int dg_db_builder_add_source(struct dg_db_builder *b, const char *name, uint32_t *id)
{
	size_t len, j;
	uint64_t h;
	int err;

	if (!dg_db_name_ok(name, SIZE_MAX, &len) || !len)
		return -EINVAL;
	err = idset_grow(&b->srcset, b->nsrc, src_hash_of, b);
	if (err)
		return err;
	h = fnv1a(name, len, FNV_INIT);
	for (j = h & (b->srcset.cap - 1); b->srcset.slot[j]; j = (j + 1) & (b->srcset.cap - 1)) {
		if (!strcmp(b->src[b->srcset.slot[j] - 1], name)) {
			*id = b->srcset.slot[j] - 1;
			return 0;
		}
	}
	if (b->nsrc >= DGDB_SOURCES_MAX)
		return -E2BIG;
	if (b->nsrc == b->srccap) {
		uint32_t cap = b->srccap ? b->srccap * 2 : 64;
		char **n = realloc(b->src, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->src = n;
		b->srccap = cap;
	}
	b->src[b->nsrc] = strdup(name);
	if (!b->src[b->nsrc])
		return -ENOMEM;
	b->srcset.slot[j] = b->nsrc + 1;
	*id = b->nsrc++;
	return 0;
}

static int add_path(struct dg_db_builder *b, uint32_t src, const char *p, size_t len,
		    uint32_t *id)
{
	uint64_t h = path_hash(src, p, len);
	size_t j;
	int err;

	err = idset_grow(&b->pathset, b->npaths, path_hash_of, b);
	if (err)
		return err;
	for (j = h & (b->pathset.cap - 1); b->pathset.slot[j]; j = (j + 1) & (b->pathset.cap - 1)) {
		const struct path_rec *r = &b->paths[b->pathset.slot[j] - 1];

		if (r->src == src && r->len == len &&
		    !memcmp(b->arena.data + r->off, p, len)) {
			*id = b->pathset.slot[j] - 1;
			return 0;
		}
	}
	if (b->npaths >= UINT32_MAX - 1 || b->arena.len + len + 1 > DGDB_STRINGS_MAX)
		return -E2BIG;
	if (b->npaths == b->pathcap) {
		uint32_t cap = b->pathcap ? b->pathcap * 2 : 1024;
		struct path_rec *n = realloc(b->paths, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->paths = n;
		b->pathcap = cap;
	}
	b->paths[b->npaths] = (struct path_rec){ src, (uint32_t)b->arena.len, (uint32_t)len };
	err = dg_buf_put(&b->arena, p, len);
	if (!err)
		err = dg_buf_put_u8(&b->arena, 0);
	if (err)
		return err;
	b->pathset.slot[j] = b->npaths + 1;
	*id = b->npaths++;
	return 0;
}

int dg_db_builder_add(struct dg_db_builder *b, const uint8_t *digest,
		      enum dg_db_algo algo, uint32_t source_id, const char *path)
{
	uint32_t pid = NO_PATH;
	struct entry *e;
	size_t len;
	int err;

	if (algo != b->algo)
		return -EOPNOTSUPP;
	if (source_id >= b->nsrc)
		return -EINVAL;
	if (path && *path) {
		if (!dg_db_name_ok(path, SIZE_MAX, &len) || path[0] == DGDB_PATH_LINK)
			return -EINVAL;
		err = add_path(b, source_id, path, len, &pid);
		if (err)
			return err;
	}
	if (b->n >= DGDB_COUNT_MAX - 1)
		return -E2BIG;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		struct entry *n = realloc(b->ents, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->ents = n;
		b->cap = cap;
	}
	e = &b->ents[b->n++];
	memcpy(e->d, digest, DG_DB_SHA256_LEN);
	e->src = source_id;
	e->path = pid;
	return 0;
}

int dg_db_builder_merge(struct dg_db_builder *b, const struct dg_db *db)
{
	struct dg_db_stats st;
	_cleanup_free_ uint32_t *map = NULL;
	uint64_t i;
	uint32_t s;
	int err;

	dg_db_stats(db, &st);
	if (st.algo != (uint32_t)b->algo)
		return -EOPNOTSUPP;
	map = calloc(st.sources ? st.sources : 1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	for (s = 0; s < st.sources; s++) {
		const char *name;

		err = dg_db_source_name(db, s, &name);
		if (!err)
			err = dg_db_builder_add_source(b, name, &map[s]);
		if (err)
			return err;
	}
	for (i = 0; i < st.count; i++) {
		const uint8_t *d;
		dg_db_ref ref;
		uint64_t k;

		dg_db_entry(db, i, &d, NULL);
		/* the first reference first: it stays the one lookups give */
		for (k = 0; !dg_db_entry_ref(db, i, k, &ref); k++) {
			const char *path;

			err = dg_db_source_index(db, ref, &s);
			if (!err)
				err = dg_db_source(db, ref, NULL, &path);
			if (!err)
				err = dg_db_builder_add(b, d, b->algo, map[s], path);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- laying out the file ---- */

struct sortkey {
	uint64_t prefix;
	uint32_t idx;
};

/* qsort_r() comparator: @arg is the entry array (no global state, so
 * builders in different threads do not race). */
static int cmp_key(const void *a, const void *b, void *arg)
{
	const struct sortkey *x = a, *y = b;
	const struct entry *sort_ents = arg;
	int c;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	c = memcmp(sort_ents[x->idx].d + 8, sort_ents[y->idx].d + 8, DG_DB_SHA256_LEN - 8);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A further reference: entry number in the file, reference value. */
struct more {
	uint32_t entry, ref;
};

static int cmp_more(const void *a, const void *b)
{
	const struct more *x = a, *y = b;

	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return (x->ref > y->ref) - (x->ref < y->ref);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t build_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	unsigned long long v;

	if (sde && *sde) {
		errno = 0;
		v = strtoull(sde, &end, 10);
		if (!errno && !*end)
			return v;
	}
	return (uint64_t)time(NULL);
}

static int sources_hash(const struct dg_db_builder *b, uint8_t out[32])
{
	_cleanup_free_ char **sorted = NULL;
	struct dg_sha256 s;
	uint32_t i;

	sorted = malloc((b->nsrc ? b->nsrc : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	if (b->nsrc)
		memcpy(sorted, b->src, b->nsrc * sizeof(*sorted));
	qsort(sorted, b->nsrc, sizeof(*sorted), cmp_str);
	dg_sha256_init(&s);
	for (i = 0; i < b->nsrc; i++) {
		if (i)
			dg_sha256_update(&s, "\n", 1);
		dg_sha256_update(&s, sorted[i], strlen(sorted[i]));
	}
	dg_sha256_final(&s, out);
	return 0;
}

/*
 * Append path @p to the string table: inline the first time its text is
 * seen (in any source), as a 5-byte link to that copy afterwards.  @seen
 * is an open-addressing table of inline path ids + 1, capacity @cap.
 */
static int put_path(const struct dg_db_builder *b, uint32_t p, uint32_t *seen,
		    size_t cap, struct dg_buf *str, uint32_t *path_off)
{
	const struct path_rec *r = &b->paths[p];
	const uint8_t *text = b->arena.data + r->off;
	size_t j = fnv1a(text, r->len, FNV_INIT) & (cap - 1);
	uint8_t link[DGDB_PATH_LINK_LEN];

	for (; seen[j]; j = (j + 1) & (cap - 1)) {
		const struct path_rec *q = &b->paths[seen[j] - 1];

		if (q->len == r->len && !memcmp(b->arena.data + q->off, text, r->len))
			break;
	}
	path_off[p] = (uint32_t)str->len;
	if (seen[j] && r->len + 1 > DGDB_PATH_LINK_LEN) {
		link[0] = DGDB_PATH_LINK;
		dgdb_put32(link + 1, path_off[seen[j] - 1]);
		return dg_buf_put(str, link, sizeof(link));
	}
	if (!seen[j])
		seen[j] = p + 1;
	return dg_buf_put(str, text, (size_t)r->len + 1);
}

/* Lay out the strings: all source names, then per source "" + its paths. */
static int layout_strings(const struct dg_db_builder *b, const uint8_t *used,
			  struct dg_buf *str, uint32_t *name_off, uint32_t *region,
			  uint32_t *path_off)
{
	_cleanup_free_ uint32_t *first = NULL, *order = NULL, *seen = NULL;
	size_t cap = 16;
	uint32_t s, p;
	int err = 0;

	while (cap < 2 * (size_t)b->npaths)
		cap *= 2;
	first = calloc((size_t)b->nsrc + 1, sizeof(*first));
	order = malloc((b->npaths ? b->npaths : 1) * sizeof(*order));
	seen = calloc(cap, sizeof(*seen));
	if (!first || !order || !seen)
		return -ENOMEM;
	/* counting sort of the used paths by source */
	for (p = 0; p < b->npaths; p++)
		if (used[p])
			first[b->paths[p].src + 1]++;
	for (s = 0; s < b->nsrc; s++)
		first[s + 1] += first[s];
	for (p = 0; p < b->npaths; p++)
		if (used[p])
			order[first[b->paths[p].src]++] = p;
	/* first[s] is now the end of source s's run; its start is first[s-1] */
	err = dg_buf_put_u8(str, 0);
	for (s = 0; s < b->nsrc && !err; s++) {
		name_off[s] = (uint32_t)str->len;
		err = dg_buf_put(str, b->src[s], strlen(b->src[s]) + 1);
	}
	for (s = 0; s < b->nsrc && !err; s++) {
		uint32_t k = s ? first[s - 1] : 0;

		region[s] = (uint32_t)str->len;
		err = dg_buf_put_u8(str, 0);
		for (; k < first[s] && !err; k++)
			err = put_path(b, order[k], seen, cap, str, path_off);
	}
	return err;
}

void dg_db_seal_header(uint8_t *img)
{
	uint32_t at = dgdb_get32(img + H_VERSION) == 1 ? H_HEADER_HASH_V1 : H_HEADER_HASH;
	uint8_t hash[32];

	dg_sha256(img, at, hash);
	memcpy(img + at, hash, 16);
}

/* The reference value of entry @e once the strings are laid out. */
static uint32_t ref_of(const struct entry *e, const uint32_t *region, const uint32_t *path_off)
{
	return e->path == NO_PATH ? region[e->src] : path_off[e->path];
}

int dg_db_builder_image(struct dg_db_builder *b, uint64_t generation, uint32_t version,
			uint8_t **out, size_t *outlen, char *msg, size_t msglen)
{
	_cleanup_free_ struct sortkey *keys = NULL;
	_cleanup_free_ struct more *more = NULL;
	_cleanup_free_ uint8_t *used = NULL, *img = NULL;
	_cleanup_free_ uint32_t *name_off = NULL, *region = NULL, *path_off = NULL;
	struct dg_buf str = { .max = DGDB_STRINGS_MAX - 1 };
	uint64_t digests_off, refs_off, index_off, fps_off, more_off, sources_off, strings_off;
	uint64_t n = 0, nmore = 0, i, m, nb, bkt = 0, size;
	uint32_t bits, header_size, *refs, *index, *srcs;
	uint16_t *fps;
	int err;

	if (version != 1 && version != DGDB_VERSION)
		return -EOPNOTSUPP;
	keys = malloc((b->n ? b->n : 1) * sizeof(*keys));
	more = malloc((b->n ? b->n : 1) * sizeof(*more));
	used = calloc(b->npaths ? b->npaths : 1, 1);
	name_off = calloc(b->nsrc ? b->nsrc : 1, sizeof(*name_off));
	region = calloc(b->nsrc ? b->nsrc : 1, sizeof(*region));
	path_off = calloc(b->npaths ? b->npaths : 1, sizeof(*path_off));
	if (!keys || !more || !used || !name_off || !region || !path_off)
		return -ENOMEM;
	for (i = 0; i < b->n; i++) {
		keys[i].prefix = dgdb_prefix64(b->ents[i].d);
		keys[i].idx = (uint32_t)i;
	}
	qsort_r(keys, b->n, sizeof(*keys), cmp_key, b->ents);
	/* One entry per digest, the first added (lowest idx, sorts first)
	 * as its reference; the later ones (builder index in .ref for now)
	 * become further references. */
	for (i = 0; i < b->n; i++) {
		const struct entry *e = &b->ents[keys[i].idx];

		if (e->path != NO_PATH)
			used[e->path] = 1;
		if (n && keys[n - 1].prefix == keys[i].prefix &&
		    !memcmp(b->ents[keys[n - 1].idx].d, e->d, DG_DB_SHA256_LEN))
			more[nmore++] = (struct more){ (uint32_t)(n - 1), keys[i].idx };
		else
			keys[n++] = keys[i];
	}
	err = layout_strings(b, used, &str, name_off, region, path_off);
	if (err) {
		dg_buf_free(&str);
		dg_errf(msg, msglen, 0, "string table: %s", strerror(-err));
		return err;
	}
	/* Further references: values now, sorted, without repeats and
	 * without the entry's first reference (the same source and path
	 * added again). */
	for (i = 0; i < nmore; i++)
		more[i].ref = ref_of(&b->ents[more[i].ref], region, path_off);
	qsort(more, nmore, sizeof(*more), cmp_more);
	for (i = m = 0; i < nmore; i++) {
		if (more[i].ref == ref_of(&b->ents[keys[more[i].entry].idx], region, path_off) ||
		    (m && more[m - 1].entry == more[i].entry && more[m - 1].ref == more[i].ref))
			continue;
		more[m++] = more[i];
	}
	nmore = m;
	if (version == 1 && nmore) {
		dg_buf_free(&str);
		dg_errf(msg, msglen, 0, "format version 1 holds one reference per digest, %llu more given",
			(unsigned long long)nmore);
		return -EOPNOTSUPP;
	}
	bits = dgdb_index_bits(n);
	nb = 1ull << bits;
	header_size = version == 1 ? DGDB_HEADER_SIZE_V1 : DGDB_HEADER_SIZE;
	digests_off = header_size;
	refs_off = dgdb_align(digests_off + n * DG_DB_SHA256_LEN);
	index_off = dgdb_align(refs_off + n * 4);
	fps_off = dgdb_align(index_off + (nb + 1) * 4);
	more_off = dgdb_align(fps_off + n * 2);
	sources_off = dgdb_align(more_off + nmore * 8);
	strings_off = dgdb_align(sources_off + (uint64_t)b->nsrc * 8);
	size = strings_off + str.len;
	if (size > SIZE_MAX) {
		dg_buf_free(&str);
		return -E2BIG;
	}
	img = calloc(1, size);
	if (!img) {
		dg_buf_free(&str);
		return -ENOMEM;
	}
	refs = (uint32_t *)(img + refs_off);
	index = (uint32_t *)(img + index_off);
	fps = (uint16_t *)(img + fps_off);
	srcs = (uint32_t *)(img + sources_off);
	for (i = 0; i < n; i++) {
		const struct entry *e = &b->ents[keys[i].idx];
		uint64_t k = bits ? keys[i].prefix >> (64 - bits) : 0;

		memcpy(img + digests_off + i * DG_DB_SHA256_LEN, e->d, DG_DB_SHA256_LEN);
		refs[i] = ref_of(e, region, path_off);
		fps[i] = dgdb_fp(keys[i].prefix, bits);
		while (bkt <= k)
			index[bkt++] = (uint32_t)i;
	}
	while (bkt <= nb)
		index[bkt++] = (uint32_t)n;
	for (i = 0; i < nmore; i++) {
		dgdb_put32(img + more_off + 8 * i, more[i].entry);
		dgdb_put32(img + more_off + 8 * i + 4, more[i].ref);
	}
	for (i = 0; i < b->nsrc; i++) {
		srcs[2 * i] = name_off[i];
		srcs[2 * i + 1] = region[i];
	}
	memcpy(img + strings_off, str.data, str.len);
	memcpy(img + H_MAGIC, DGDB_MAGIC, DGDB_MAGIC_LEN);
	dgdb_put32(img + H_VERSION, version);
	dgdb_put32(img + H_HEADER_SIZE, header_size);
	dgdb_put64(img + H_GENERATION, generation);
	dgdb_put64(img + H_BUILD_TIME, build_time());
	dgdb_put64(img + H_COUNT, n);
	dgdb_put32(img + H_ALGO, b->algo);
	dgdb_put32(img + H_DIGEST_LEN, DG_DB_SHA256_LEN);
	dgdb_put32(img + H_INDEX_BITS, bits);
	dgdb_put32(img + H_SOURCE_COUNT, b->nsrc);
	dgdb_put64(img + H_FILE_SIZE, size);
	dgdb_put64(img + H_DIGESTS_OFF, digests_off);
	dgdb_put64(img + H_REFS_OFF, refs_off);
	dgdb_put64(img + H_INDEX_OFF, index_off);
	dgdb_put64(img + H_FPS_OFF, fps_off);
	dgdb_put64(img + H_SOURCES_OFF, sources_off);
	dgdb_put64(img + H_STRINGS_OFF, strings_off);
	dgdb_put64(img + H_STRINGS_SIZE, str.len);
	if (version >= 2) {
		dgdb_put64(img + H_MORE_OFF, more_off);
		dgdb_put64(img + H_MORE_COUNT, nmore);
	}
	dg_buf_free(&str);
	err = sources_hash(b, img + H_SOURCES_HASH);
	if (err)
		return err;
	dg_sha256(img + header_size, size - header_size, img + H_BODY_HASH);
	dg_db_seal_header(img);
	*out = TAKE_PTR(img);
	*outlen = size;
	return 0;
}
