/* membw: measure streaming read bandwidth with N threads (the ceiling of
 * token generation, which reads every weight once per token).
 * Prints "membw_gbps=X" on stdout. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { const uint64_t *p; size_t n; uint64_t sum; } part;

/* Sum 8 independent lanes so loads, not additions, bound the loop; on
 * x86-64 with AVX2 the compiler turns them into 256-bit loads. */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"), optimize("O3")))
#endif
static void *reader(void *arg)
{
    part *w = arg;
    uint64_t s[8] = { 0 };
    for (size_t i = 0; i + 8 <= w->n; i += 8)
        for (int j = 0; j < 8; j++) s[j] += w->p[i + j];
    for (int j = 0; j < 8; j++) w->sum += s[j];
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: membw [THREADS [MB]]\nStreaming read bandwidth with THREADS threads (2) over MB megabytes (1024).\n");
        return 0;
    }
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    size_t mb = argc > 2 ? (size_t)atol(argv[2]) : 1024;
    if (threads < 1 || threads > 64 || mb < 64) { fprintf(stderr, "usage: membw [THREADS [MB]]\n"); return 2; }
    size_t n = mb * 1024 * 1024 / 8;
    uint64_t *buf = malloc(n * 8);
    if (!buf) { fprintf(stderr, "membw: out of memory\n"); return 1; }
    memset(buf, 1, n * 8);
    double best = 0;
    uint64_t check = 0;
    for (int rep = 0; rep < 5; rep++) {
        pthread_t th[64];
        part parts[64];
        double t0 = now();
        for (int i = 0; i < threads; i++) {
            parts[i] = (part){ buf + n * i / threads, n / threads, 0 };
            pthread_create(&th[i], NULL, reader, &parts[i]);
        }
        for (int i = 0; i < threads; i++) { pthread_join(th[i], NULL); check += parts[i].sum; }
        double gbps = (double)n * 8 / (now() - t0) / 1e9;
        if (gbps > best) best = gbps;
    }
    printf("membw_gbps=%.2f threads=%d check=%llu\n", best, threads, (unsigned long long)(check & 0xff));
    free(buf);
    return 0;
}
