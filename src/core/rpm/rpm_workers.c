// SPDX-License-Identifier: MIT
/*
 * dg_rpm_verify_each(): many packages on several threads, results in input
 * order.  Each worker thread has its own context (rpm_ctx_new_worker(): its
 * own rpm handler, the keyring shared read-only), so nothing but the queue
 * below is shared.  The calling thread verifies too and is the only one
 * that calls back, so output order and wording do not depend on timing.
 * Workers run at most RING packages ahead of the delivery: memory stays
 * bounded for any number of packages.
 */
#include <digestguard/rpm.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "rpm_core.h"

#define RPM_WORKERS_MAX 16u
#define RING_PER_WORKER 4u

struct slot {
	struct dg_rpm_report rep;
	int r;
	int done;
};

struct queue {
	const char *const *paths;
	size_t n;
	size_t next;		/* next package to claim */
	size_t delivered;	/* results handed to fn so far */
	int stop;
	size_t ring;
	struct slot *slots;	/* package i uses slots[i % ring] */
	pthread_mutex_t lock;
	pthread_cond_t space;	/* a slot was freed (or stop) */
	pthread_cond_t done;	/* a result is ready */
};

struct worker {
	struct queue *q;
	struct dg_rpm *rpm;
	pthread_t th;
	int started;
};

/* Claim the next package if its slot is free; the lock is held. */
static int claim(struct queue *q, size_t *i)
{
	if (q->stop || q->next >= q->n || q->next >= q->delivered + q->ring)
		return 0;
	*i = q->next++;
	return 1;
}

/* Verify package @i into its slot; called without the lock. */
static void run_one(struct queue *q, struct dg_rpm *rpm, size_t i)
{
	struct slot *s = &q->slots[i % q->ring];

	s->r = dg_rpm_verify(rpm, q->paths[i], &s->rep);
	pthread_mutex_lock(&q->lock);
	s->done = 1;
	pthread_cond_signal(&q->done);
	pthread_mutex_unlock(&q->lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct queue *q = w->q;
	size_t i;

	pthread_mutex_lock(&q->lock);
	while (!q->stop && q->next < q->n) {
		if (!claim(q, &i)) {
			pthread_cond_wait(&q->space, &q->lock);
			continue;
		}
		pthread_mutex_unlock(&q->lock);
		run_one(q, w->rpm, i);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* CPUs this process may run on (at least 1). */
static unsigned int cpus_allowed(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? (unsigned int)n : 1;
}

static int run_serial(struct dg_rpm *rpm, const char *const *paths, size_t n,
		      dg_rpm_result_fn fn, void *ctx)
{
	struct dg_rpm_report *rep = malloc(sizeof(*rep));
	size_t i;
	int r, stop = 0;

	if (!rep)
		return -ENOMEM;
	for (i = 0; i < n && !stop; i++) {
		r = dg_rpm_verify(rpm, paths[i], rep);
		stop = fn(i, paths[i], r, rep, ctx);
	}
	free(rep);
	return stop;
}

int dg_rpm_verify_each(struct dg_rpm *rpm, const char *const *paths, size_t n,
		       unsigned int workers, dg_rpm_result_fn fn, void *ctx)
{
	struct queue q = { .paths = paths, .n = n };
	struct worker *w = NULL;
	unsigned int nw, k;
	size_t i;
	int stop = 0;

	nw = workers ? workers : cpus_allowed();
	if (nw > RPM_WORKERS_MAX)
		nw = RPM_WORKERS_MAX;
	if (nw > n)
		nw = (unsigned int)n;
	if (nw <= 1)
		return run_serial(rpm, paths, n, fn, ctx);

	q.ring = (size_t)nw * RING_PER_WORKER;
	q.slots = calloc(q.ring, sizeof(*q.slots));
	w = calloc(nw, sizeof(*w));
	if (!q.slots || !w) {
		free(q.slots);
		free(w);
		return -ENOMEM;
	}
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.space, NULL);
	pthread_cond_init(&q.done, NULL);
	/* Worker 0 is this thread, with @rpm itself. */
	for (k = 1; k < nw; k++) {
		w[k].q = &q;
		if (rpm_ctx_new_worker(rpm, &w[k].rpm) < 0)
			break;
		if (pthread_create(&w[k].th, NULL, worker_main, &w[k]) != 0) {
			dg_rpm_free(w[k].rpm);
			w[k].rpm = NULL;
			break;
		}
		w[k].started = 1;
	}
	/* Fewer threads than asked for only means less parallelism. */

	pthread_mutex_lock(&q.lock);
	while (q.delivered < n && !stop) {
		struct slot *s = &q.slots[q.delivered % q.ring];

		if (s->done) {
			/* Deliver in order; the slot is ours until delivered moves. */
			i = q.delivered;
			pthread_mutex_unlock(&q.lock);
			stop = fn(i, paths[i], s->r, &s->rep, ctx);
			pthread_mutex_lock(&q.lock);
			s->done = 0;
			q.delivered++;
			pthread_cond_broadcast(&q.space);
			continue;
		}
		if (claim(&q, &i)) {
			pthread_mutex_unlock(&q.lock);
			run_one(&q, rpm, i);
			pthread_mutex_lock(&q.lock);
			continue;
		}
		pthread_cond_wait(&q.done, &q.lock);
	}
	q.stop = 1;
	pthread_cond_broadcast(&q.space);
	pthread_mutex_unlock(&q.lock);

	for (k = 1; k < nw; k++) {
		if (w[k].started)
			pthread_join(w[k].th, NULL);
		dg_rpm_free(w[k].rpm);
	}
	pthread_cond_destroy(&q.done);
	pthread_cond_destroy(&q.space);
	pthread_mutex_destroy(&q.lock);
	free(q.slots);
	free(w);
	return stop;
}
