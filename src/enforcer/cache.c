// SPDX-License-Identifier: MIT
/* Open-addressing decision cache keyed by (dev, ino). */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

struct dg_enf_cache {
	struct dg_enf_entry *tab;	/* key.ino == 0 && key.dev == 0: empty */
	size_t cap, n, max;
};

static size_t slot_of(const struct dg_enf_cache *c, uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) & (c->cap - 1);
}

static int empty(const struct dg_enf_entry *e)
{
	return e->key.dev == 0 && e->key.ino == 0;
}

static int same_version(const struct dg_enf_key *a, const struct dg_enf_key *b)
{
	return a->size == b->size && a->mtime_ns == b->mtime_ns &&
	       a->ctime_ns == b->ctime_ns;
}

struct dg_enf_cache *dg_enf_cache_new(size_t max)
{
	struct dg_enf_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max = max ? max : DG_ENF_CACHE_MAX;
	c->cap = 1024;
	c->tab = calloc(c->cap, sizeof(*c->tab));
	if (!c->tab) {
		free(c);
		return NULL;
	}
	return c;
}

void dg_enf_cache_free(struct dg_enf_cache *c)
{
	if (!c)
		return;
	free(c->tab);
	free(c);
}

static struct dg_enf_entry *find(struct dg_enf_cache *c, uint64_t dev, uint64_t ino)
{
	size_t i = slot_of(c, dev, ino);

	for (;; i = (i + 1) & (c->cap - 1)) {
		struct dg_enf_entry *e = &c->tab[i];

		if (empty(e) || (e->key.dev == dev && e->key.ino == ino))
			return e;
	}
}

struct dg_enf_entry *dg_enf_cache_get(struct dg_enf_cache *c, const struct dg_enf_key *k)
{
	struct dg_enf_entry *e = find(c, k->dev, k->ino);

	if (empty(e))
		return NULL;
	if (!same_version(&e->key, k) || e->racy || e->others_write) {
		/* Changed file, or one that may change unseen: forget what was
		 * read from it. */
		struct dg_enf_key keep = e->key;

		memset(e, 0, sizeof(*e));
		e->key = keep;
		dg_enf_cache_forget(e);
		return NULL;
	}
	return e;
}

void dg_enf_cache_forget(struct dg_enf_entry *e)
{
	e->key.size = UINT64_MAX;	/* matches no real version */
}

static int grow(struct dg_enf_cache *c)
{
	size_t ncap = c->cap * 2, i;
	struct dg_enf_entry *old = c->tab, *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -1;
	c->tab = nt;
	c->cap = ncap;
	for (i = 0; i < ncap / 2; i++)
		if (!empty(&old[i]))
			*find(c, old[i].key.dev, old[i].key.ino) = old[i];
	free(old);
	return 0;
}

struct dg_enf_entry *dg_enf_cache_put(struct dg_enf_cache *c, const struct dg_enf_key *k)
{
	struct dg_enf_entry *e;

	if (k->dev == 0 && k->ino == 0)
		return NULL;
	e = find(c, k->dev, k->ino);
	if (empty(e)) {
		if (c->n >= c->max) {
			/* Bounded: start over rather than grow without limit. */
			memset(c->tab, 0, c->cap * sizeof(*c->tab));
			c->n = 0;
		} else if ((c->n + 1) * 4 > c->cap * 3 && grow(c) < 0) {
			return NULL;
		}
		e = find(c, k->dev, k->ino);
		c->n++;
	}
	memset(e, 0, sizeof(*e));
	e->key = *k;
	return e;
}

void dg_enf_cache_mark_racy(struct dg_enf_entry *e, int64_t read_start_ns)
{
	int64_t safe_before = read_start_ns - DG_ENF_RACY_NS;

	if (e->key.mtime_ns >= safe_before || e->key.ctime_ns >= safe_before)
		e->racy = 1;
}

void dg_enf_cache_mark_writable(struct dg_enf_entry *e, uint32_t uid, uint32_t mode)
{
	if (!dg_enf_root_writes_only(uid, mode))
		e->others_write = 1;
}

size_t dg_enf_cache_count(const struct dg_enf_cache *c)
{
	return c->n;
}
