/* pool.h: a small pthread pool for the matrix work.
 *
 * n threads in all: the caller's thread is worker 0 and n-1 persistent
 * workers wait for jobs, so a job costs a wake-up, not a thread creation.
 * llm_pool_run(p, fn, arg) calls fn(arg, i, n) once on each worker i and
 * returns when all are done (a barrier). Workers spin briefly before they
 * sleep, so back-to-back jobs (one per matmul) are cheap. */
#ifndef LLM_POOL_H
#define LLM_POOL_H

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
/* Number of online CPUs (>= 1). */
int llm_ncpu(void);

#endif
