/* pool.c: persistent pthread workers with a cheap barrier (see pool.h).
 *
 * A job is published by bumping a generation counter; workers spin on it
 * for a short while (jobs come back to back during a forward pass), then
 * sleep on a condition variable. Completion is a countdown the caller
 * spins on the same way. The counter and the condition variables share
 * one mutex for the sleeping path, so no wake-up is lost. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

/* About tens of microseconds of spinning before a thread sleeps. */
#define SPINS 4096

struct llm_pool {
    int n;
    pthread_t *th;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    atomic_uint gen;
    atomic_int pending;
    atomic_bool stop;
    llm_pool_fn fn;
    void *arg;
};

typedef struct worker_arg { llm_pool *p; int ith; } worker_arg;

/* Wait until the generation moves past `seen` (or stop); returns it. */
static unsigned wait_job(llm_pool *p, unsigned seen)
{
    for (int s = 0; s < SPINS; s++) {
        unsigned g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g != seen || atomic_load(&p->stop))
            return g;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop))
        pthread_cond_wait(&p->cv_work, &p->mu);
    unsigned g = atomic_load(&p->gen);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void *worker_main(void *v)
{
    llm_pool *p = ((worker_arg *)v)->p;
    int ith = ((worker_arg *)v)->ith;
    free(v);
    unsigned seen = 0;
    for (;;) {
        seen = wait_job(p, seen);
        if (atomic_load(&p->stop))
            break;
        p->fn(p->arg, ith, p->n);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->cv_done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

/* Create the pool; threads beyond the first are started here, once. */
llm_pool *llm_pool_new(int n_threads, llm_err *e)
{
    if (n_threads < 1 || n_threads > 1024) {
        llm_fail(e, "thread count %d out of range (1..1024)", n_threads);
        return NULL;
    }
    llm_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->th = calloc((size_t)n_threads, sizeof *p->th))) {
        free(p);
        llm_fail(e, "out of memory");
        return NULL;
    }
    p->n = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_work, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->stop, false);
    for (int i = 1; i < n_threads; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a) {
            llm_pool_free(p);
            llm_fail(e, "out of memory");
            return NULL;
        }
        a->p = p;
        a->ith = i;
        int rc = pthread_create(&p->th[i], NULL, worker_main, a);
        if (rc != 0) {
            free(a);
            llm_pool_free(p);
            /* EAGAIN is most often a memory limit (each thread reserves a stack) */
            llm_fail(e, "cannot start thread %d of %d: %s%s", i + 1, n_threads, strerror(rc),
                     rc == EAGAIN ? " (not enough memory for its stack, or too many processes; try fewer threads)" : "");
            return NULL;
        }
        p->n = i + 1;
    }
    /* The workers read n when a job runs; only now is it final. */
    p->n = n_threads;
    return p;
}

/* Stop and join the workers. */
void llm_pool_free(llm_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++)
        pthread_join(p->th[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv_work);
    pthread_cond_destroy(&p->cv_done);
    free(p->th);
    free(p);
}

int llm_pool_size(const llm_pool *p)
{
    return p ? p->n : 1;
}

/* Publish the job, do share 0 here, then wait for the others. */
void llm_pool_run(llm_pool *p, llm_pool_fn fn, void *arg)
{
    if (!p || p->n == 1) {
        fn(arg, 0, 1);
        return;
    }
    p->fn = fn;
    p->arg = arg;
    atomic_store_explicit(&p->pending, p->n - 1, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->n);
    for (int s = 0; s < SPINS; s++) {
        if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->pending) != 0)
        pthread_cond_wait(&p->cv_done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void llm_pool_range(long total, int ith, int nth, long *lo, long *hi)
{
    long per = total / nth, extra = total % nth;
    *lo = ith * per + (ith < extra ? ith : extra);
    *hi = *lo + per + (ith < extra ? 1 : 0);
}

int llm_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}
