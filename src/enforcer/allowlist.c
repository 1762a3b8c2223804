// SPDX-License-Identifier: MIT
/* Database generations for the enforcer, reloaded by a helper thread. */
#include "allowlist.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "role.h"

#include <digestguard/db.h>

/*
 * Role unions of digests the database records under many paths, kept per
 * generation.  The empty file's digest has thousands of references; without
 * this, each inode with that content (every empty __init__.py a program
 * imports), and each event on a file not cached per inode (writable by
 * users, changed just now), scanned them all: 1.8 ms per event for 10 000.
 * Direct-mapped by entry number: few digests have that many.
 */
#define ROLE_SCAN_MAX	16	/* further references scanned without the memo */
#define ROLE_MEMO_SLOTS	256

struct role_memo {
	uint64_t at1;		/* entry number + 1; 0: empty */
	unsigned roles;
};

struct dg_enf_allow {
	char *state;
	struct dg_db *db;		/* used by the event loop only */
	uint32_t gen;			/* local generation number of @db */
	_Atomic(struct dg_db *) pending;	/* handed over by the thread */
	_Atomic uint32_t next_gen;
	struct dg_db *latest;		/* thread only: newest opened */
	pthread_t thread;
	int stop_fd;			/* eventfd: wakes the thread to stop */
	int pending_fd;			/* eventfd: a generation is pending */
	int have_thread;
	struct role_memo memo[ROLE_MEMO_SLOTS];	/* for @db, event loop only */
};

static void *reload_thread(void *arg)
{
	struct dg_enf_allow *a = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char failed[256] = "";	/* the last reload failure reported */
	int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (ifd >= 0 && inotify_add_watch(ifd, a->state, IN_CREATE | IN_MOVED_TO |
					  IN_ONLYDIR) < 0) {
		close(ifd);
		ifd = -1;
	}
	for (;;) {
		struct pollfd p[2] = { { a->stop_fd, POLLIN, 0 }, { ifd, POLLIN, 0 } };
		struct dg_db *db, *old;
		char msg[256];
		int changed;

		if (poll(p, ifd >= 0 ? 2 : 1, DG_ENF_RELOAD_POLL_MS) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (ifd >= 0 && p[1].revents)
			while (read(ifd, buf, sizeof(buf)) > 0)
				;
		changed = a->latest ? dg_db_changed(a->latest) : 1;
		if (changed <= 0)
			continue;
		if (dg_db_open(a->state, &db, msg, sizeof(msg)) < 0) {
			/* Keep using the previous generation, and say so once
			 * per reason (this is retried at every change). */
			if (strcmp(msg, failed)) {
				dg_err("enforce: %s: new database generation not used, "
				       "still deciding with the previous one: %s", a->state, msg);
				snprintf(failed, sizeof(failed), "%s", msg);
			}
			continue;
		}
		if (failed[0]) {
			fprintf(stderr, "digestguard enforce: %s: new database generation in use\n",
				a->state);
			failed[0] = '\0';
		}
		a->latest = db;
		atomic_fetch_add(&a->next_gen, 1);
		old = atomic_exchange(&a->pending, db);
		/* Never taken by the event loop: ours to close. */
		if (old)
			dg_db_close(old);
		{
			uint64_t one = 1;

			if (write(a->pending_fd, &one, sizeof(one)) < 0) {
				/* full counter: it is readable anyway */
			}
		}
	}
	if (ifd >= 0)
		close(ifd);
	return NULL;
}

int dg_enf_allow_open(const char *state_dir, struct dg_db *fallback,
		      struct dg_enf_allow **out, char *msg, size_t msglen)
{
	struct dg_enf_allow *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return -ENOMEM;
	a->stop_fd = a->pending_fd = -1;
	a->state = strdup(state_dir);
	if (!a->state) {
		free(a);
		return -ENOMEM;
	}
	r = dg_db_open(state_dir, &a->db, msg, msglen);
	if (r < 0)
		/* A damaged `current` after a good one: a new worker decides
		 * with the generation the one before it had, as the reload
		 * thread keeps it (otherwise lookups fail until one appears). */
		a->db = fallback;
	if (a->db)
		a->gen = 1;
	a->latest = a->db;
	atomic_store(&a->next_gen, a->gen);
	a->stop_fd = eventfd(0, EFD_CLOEXEC);
	a->pending_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->stop_fd < 0 || a->pending_fd < 0 || pthread_create(&a->thread, NULL, reload_thread, a) != 0) {
		r = -errno;
		dg_enf_allow_close(a);
		return r ? r : -EAGAIN;
	}
	a->have_thread = 1;
	*out = a;
	return 0;
}

int dg_enf_allow_fd(const struct dg_enf_allow *a)
{
	return a->pending_fd;
}

uint32_t dg_enf_allow_refresh(struct dg_enf_allow *a)
{
	struct dg_db *n;

	if (atomic_load_explicit(&a->pending, memory_order_relaxed) == NULL)
		return a->gen;
	n = atomic_exchange(&a->pending, NULL);
	if (n) {
		/* The thread never touches a handle once it is superseded. */
		if (a->db && a->db != n)
			dg_db_close(a->db);
		a->db = n;
		a->gen++;
		memset(a->memo, 0, sizeof(a->memo));	/* entry numbers of the old one */
	}
	return a->gen;
}

/* The roles the paths of entry @at's further references imply. */
static unsigned more_roles(struct dg_enf_allow *a, uint64_t at)
{
	struct role_memo *m = &a->memo[at % ROLE_MEMO_SLOTS];
	unsigned roles = 0;
	dg_db_ref ref;
	uint64_t k;

	if (m->at1 == at + 1)
		return m->roles;
	for (k = 1; !dg_db_entry_ref(a->db, at, k, &ref); k++) {
		const char *p;

		if (!dg_db_source(a->db, ref, NULL, &p))
			roles |= dg_enf_role_of_name(p);
	}
	if (k > ROLE_SCAN_MAX) {
		m->at1 = at + 1;
		m->roles = roles;
	}
	return roles;
}

int dg_enf_allow_lookup(struct dg_enf_allow *a, const uint8_t digest[32], uint32_t *gen,
			const char **source, const char **path, unsigned *roles)
{
	const char *s, *p;
	dg_db_ref ref;
	uint64_t at;
	int r;

	dg_enf_allow_refresh(a);
	if (gen)
		*gen = a->gen;
	if (!a->db)
		return -ENOENT;
	if (source)
		*source = NULL;
	if (path)
		*path = NULL;
	if (roles)
		*roles = 0;
	r = dg_db_find(a->db, digest, &at);
	if (r != 1)
		return r;
	/* The first reference names the file; every path the content is
	 * recorded under counts for its role (a shell listed first under a
	 * name that says nothing is still a shell). */
	dg_db_entry_ref(a->db, at, 0, &ref);
	if (dg_db_source(a->db, ref, &s, &p) < 0) {
		if (source)
			*source = "?";
	} else {
		if (source)
			*source = s;
		if (path)
			*path = p;
		if (roles)
			*roles = dg_enf_role_of_name(p);
	}
	if (roles)
		*roles |= more_roles(a, at);
	return r;
}

uint64_t dg_enf_allow_db_generation(struct dg_enf_allow *a)
{
	struct dg_db_stats st;

	if (!a->db || dg_db_stats(a->db, &st) < 0)
		return 0;
	return st.generation;
}

void dg_enf_allow_close(struct dg_enf_allow *a)
{
	struct dg_db *p;

	if (!a)
		return;
	if (a->have_thread) {
		uint64_t one = 1;

		if (write(a->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(a->thread, NULL);
	}
	p = atomic_exchange(&a->pending, NULL);
	if (p && p != a->db)
		dg_db_close(p);
	if (a->db)
		dg_db_close(a->db);
	if (a->stop_fd >= 0)
		close(a->stop_fd);
	if (a->pending_fd >= 0)
		close(a->pending_fd);
	free(a->state);
	free(a);
}
