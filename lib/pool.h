/* pool.h: a small pthread pool for the matrix work.
 *
 * n threads in all: the caller's thread is worker 0 and n-1 persistent
 * workers wait for jobs, so a job costs a wake-up, not a thread creation.
 * llm_pool_run(p, fn, arg) calls fn(arg, i, n) once on each worker i and
 * returns when all are done (a barrier). Workers spin briefly before they
 * sleep, so back-to-back jobs (one per matmul) are cheap. */
#ifndef LLM_POOL_H
#define LLM_POOL_H

#include <stdatomic.h>

#include "err.h"

typedef struct llm_pool llm_pool;
typedef void (*llm_pool_fn)(void *arg, int ith, int nth);

/* A pool of n_threads (>= 1; 1 means no extra thread). */
llm_pool *llm_pool_new(int n_threads, llm_err *e);
void llm_pool_free(llm_pool *p);
/* Threads in the pool (1 for a NULL pool). */
int llm_pool_size(const llm_pool *p);
/* Run fn(arg, i, n) on every thread i in 0..n-1 and wait for all of them.
 * A NULL pool runs fn(arg, 0, 1) inline. Not reentrant. */
void llm_pool_run(llm_pool *p, llm_pool_fn fn, void *arg);
/* The split of [0, total) that worker ith of nth takes: [*lo, *hi). */
void llm_pool_range(long total, int ith, int nth, long *lo, long *hi);
/* Dynamic shares: in a job, workers take chunks of `chunk` units of
 * [0, total) from a shared counter (zeroed before the job) until none are
 * left, so a thread slowed by the machine's other tenants or by its own
 * serial work simply takes fewer. Which thread computes a unit does not
 * change its result. Returns 1 with the chunk [*lo, *hi), 0 when done. */
static inline int llm_pool_take(atomic_long *next, long chunk, long total, long *lo, long *hi)
{
    long a = atomic_fetch_add_explicit(next, chunk, memory_order_relaxed);
    if (a >= total)
        return 0;
    *lo = a;
    *hi = a + chunk < total ? a + chunk : total;
    return 1;
}
/* A chunk size giving each of nth threads about 16 chunks of total. */
static inline long llm_pool_chunk(long total, int nth)
{
    long c = total / ((long)nth * 16);
    return c < 1 ? 1 : c;
}

/* Number of online CPUs (>= 1). */
int llm_ncpu(void);

#endif
