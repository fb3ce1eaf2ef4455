/* sampler.c: the sampling chain (see sampler.h for the semantics).
 *
 * Candidates are (id, logit, p) triples; masked entries (-inf) never become
 * candidates. Each step narrows or reshapes them in place; the last one is
 * always a draw from the softmax of what is left, using exactly one random
 * number per token so two processes with the same seed stay in step.
 * Whenever an order matters it is the total order "logit descending, then id
 * ascending", so qsort's instability can never change a result. Sorting the
 * whole vocabulary is avoided where a prefix will do (top_k, top_p): the
 * draw walks the candidates in whatever deterministic order they are in. */
#include "sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

enum step { ST_PENALTIES, ST_TOP_K, ST_TYP_P, ST_TOP_P, ST_MIN_P, ST_TEMP, ST_NOOP };

static const struct { const char *name; int step; } step_names[] = {
    {"penalties", ST_PENALTIES},
    {"top_k", ST_TOP_K}, {"top-k", ST_TOP_K},
    {"typ_p", ST_TYP_P}, {"typ-p", ST_TYP_P}, {"typical_p", ST_TYP_P},
    {"typical-p", ST_TYP_P}, {"typical", ST_TYP_P},
    {"top_p", ST_TOP_P}, {"top-p", ST_TOP_P}, {"nucleus", ST_TOP_P},
    {"min_p", ST_MIN_P}, {"min-p", ST_MIN_P},
    {"temperature", ST_TEMP}, {"temp", ST_TEMP},
    /* llama.cpp steps that are off by default there; accepted so its
     * --samplers strings can be pasted, and they do nothing here */
    {"dry", ST_NOOP}, {"top_n_sigma", ST_NOOP}, {"top-n-sigma", ST_NOOP},
    {"xtc", ST_NOOP},
};
static const char *const canon[] = {
    "penalties", "top_k", "typ_p", "top_p", "min_p", "temperature",
};
#define DEFAULT_ORDER "penalties;top_k;typ_p;top_p;min_p;temperature"
#define MAX_STEPS 32

/* Scratch for typical sampling: a score and the candidate it belongs to. */
typedef struct scored { double score; int32_t i; } scored;

/* A working candidate: probabilities in double, for the sums. */
typedef struct cand { int32_t id; float logit; double p; } cand;

struct llm_sampler {
    llm_sampler_params p;
    int steps[MAX_STEPS];
    int nsteps;
    char order[MAX_STEPS * 12 + 1];
    llm_rng rng;
    int32_t *hist;          /* accepted tokens, oldest first */
    size_t hist_len, hist_cap;
    int hist_oom;           /* accept could not grow: reported by sample */
    cand *c;                /* working candidates */
    int32_t n;              /* how many of c are live */
    int32_t n_last;         /* n after the last successful sample */
    size_t c_cap;
    llm_sampler_cand *out;  /* llm_sampler_last's sorted copy, made on demand */
    int out_ready;
    scored *sc;             /* typical-p scratch */
    int32_t *win;           /* sorted penalty window */
    size_t win_cap;
    int sorted;             /* c is in the total order */
};

void llm_sampler_params_default(llm_sampler_params *p)
{
    memset(p, 0, sizeof *p);
    p->temp = 0.8f;
    p->top_k = 40;
    p->top_p = 0.95f;
    p->min_p = 0.05f;
    p->typical_p = 1.0f;
    p->repeat_penalty = 1.0f;
    p->freq_penalty = 0.0f;
    p->presence_penalty = 0.0f;
    p->repeat_last_n = 64;
    p->seed = 0;
    p->samplers = NULL;
}

/* Parse the order string into s->steps and s->order; -1 on an unknown name. */
static int parse_order(llm_sampler *s, const char *spec, llm_err *e)
{
    if (!spec || !*spec)
        spec = DEFAULT_ORDER;
    s->nsteps = 0;
    s->order[0] = '\0';
    const char *q = spec;
    while (*q) {
        while (*q == ' ' || *q == ';' || *q == ',')
            q++;
        if (!*q)
            break;
        size_t len = strcspn(q, ";, ");
        int step = -1;
        for (size_t i = 0; i < sizeof step_names / sizeof step_names[0]; i++)
            if (strlen(step_names[i].name) == len && !strncmp(step_names[i].name, q, len))
                step = step_names[i].step;
        if (step < 0)
            return llm_fail(e, "samplers: unknown step '%.*s' (known: penalties, top_k, "
                            "typ_p, top_p, min_p, temperature)", (int)(len > 40 ? 40 : len), q);
        if (step != ST_NOOP) {
            if (s->nsteps == MAX_STEPS)
                return llm_fail(e, "samplers: more than %d steps", MAX_STEPS);
            if (s->nsteps)
                strcat(s->order, ";");
            strcat(s->order, canon[step]);
            s->steps[s->nsteps++] = step;
        }
        q += len;
    }
    return 0;
}

/* Reject parameters that would make logits NaN or infinite. */
static int check_params(const llm_sampler_params *p, llm_err *e)
{
    if (!isfinite(p->temp))
        return llm_fail(e, "temperature %g is not a finite number", p->temp);
    if (isnan(p->top_p) || isnan(p->min_p) || isnan(p->typical_p))
        return llm_fail(e, "top-p, min-p and typical-p must be numbers");
    if (!isfinite(p->repeat_penalty) || p->repeat_penalty <= 0)
        return llm_fail(e, "repeat penalty %g must be a finite number > 0", p->repeat_penalty);
    if (!isfinite(p->freq_penalty) || !isfinite(p->presence_penalty))
        return llm_fail(e, "frequency and presence penalties must be finite");
    if (p->repeat_last_n < -1)
        return llm_fail(e, "repeat-last-n %d: must be >= -1", (int)p->repeat_last_n);
    return 0;
}

llm_sampler *llm_sampler_new(const llm_sampler_params *p, llm_err *e)
{
    if (check_params(p, e) < 0)
        return NULL;
    llm_sampler *s = calloc(1, sizeof *s);
    if (!s) {
        llm_fail(e, "out of memory");
        return NULL;
    }
    s->p = *p;
    s->p.samplers = NULL;      /* the caller's string need not outlive us */
    if (parse_order(s, p->samplers, e) < 0) {
        free(s);
        return NULL;
    }
    llm_rng_seed(&s->rng, p->seed);
    return s;
}

void llm_sampler_free(llm_sampler *s)
{
    if (!s)
        return;
    free(s->hist);
    free(s->c);
    free(s->out);
    free(s->sc);
    free(s->win);
    free(s);
}

void llm_sampler_reset(llm_sampler *s)
{
    s->hist_len = 0;
    s->hist_oom = 0;
    s->n_last = 0;
    llm_rng_seed(&s->rng, s->p.seed);
}

const char *llm_sampler_order(const llm_sampler *s)
{
    return s->order;
}

static int pub_cmp(const void *a, const void *b);

/* The sorted copy is made here, on the first call after a sample, so runs
 * that never ask pay nothing. s is not const in fact (it was allocated by
 * llm_sampler_new); the cache does not change what the sampler does. */
int32_t llm_sampler_last(const llm_sampler *cs, const llm_sampler_cand **c)
{
    llm_sampler *s = (llm_sampler *)cs;
    *c = s->out;
    if (s->n_last == 0 || s->out_ready)
        return s->n_last;
    for (int32_t i = 0; i < s->n_last; i++) {
        s->out[i].id = s->c[i].id;
        s->out[i].logit = s->c[i].logit;
        s->out[i].p = (float)s->c[i].p;
    }
    qsort(s->out, (size_t)s->n_last, sizeof *s->out, pub_cmp);
    s->out_ready = 1;
    return s->n_last;
}

/* Append to the history; keeps at most about 2*repeat_last_n entries by
 * sliding the window down when the buffer is full (amortized O(1)). */
void llm_sampler_accept(llm_sampler *s, int32_t id)
{
    int32_t last_n = s->p.repeat_last_n;
    if (id < 0 || last_n == 0)
        return;
    if (s->hist_len == s->hist_cap) {
        if (last_n > 0 && s->hist_len > (size_t)last_n) {
            memmove(s->hist, s->hist + s->hist_len - last_n, (size_t)last_n * sizeof *s->hist);
            s->hist_len = (size_t)last_n;
        } else {
            size_t cap = s->hist_cap ? 2 * s->hist_cap : 64;
            int32_t *h = realloc(s->hist, cap * sizeof *h);
            if (!h) {
                s->hist_oom = 1;
                return;
            }
            s->hist = h;
            s->hist_cap = cap;
        }
    }
    s->hist[s->hist_len++] = id;
}

/* Make room for n candidates and their scratch. */
static int reserve(llm_sampler *s, size_t n, llm_err *e)
{
    if (n <= s->c_cap)
        return 0;
    cand *c = realloc(s->c, n * sizeof *c);
    if (c)
        s->c = c;
    llm_sampler_cand *out = realloc(s->out, n * sizeof *out);
    if (out)
        s->out = out;
    scored *sc = realloc(s->sc, n * sizeof *sc);
    if (sc)
        s->sc = sc;
    if (!c || !out || !sc)
        return llm_fail(e, "out of memory for %zu candidates", n);
    s->c_cap = n;
    return 0;
}

/* The total order: higher logit first, then lower id. */
static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->logit != y->logit)
        return x->logit > y->logit ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int id_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cand_id_cmp(const void *a, const void *b)
{
    return id_cmp(&((const cand *)a)->id, &((const cand *)b)->id);
}

static int pub_cmp(const void *a, const void *b)
{
    const llm_sampler_cand *x = a, *y = b;
    if (x->logit != y->logit)
        return x->logit > y->logit ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static void sort_all(llm_sampler *s)
{
    if (!s->sorted)
        qsort(s->c, (size_t)s->n, sizeof *s->c, cand_cmp);
    s->sorted = 1;
}

/* Restore the heap property below node i of a heap whose root is the
 * WORST element (so the k best survive in it). */
static void sift_down(cand *h, int32_t k, int32_t i)
{
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < k && cand_cmp(&h[l], &h[m]) > 0)
            m = l;
        if (r < k && cand_cmp(&h[r], &h[m]) > 0)
            m = r;
        if (m == i)
            return;
        cand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Move the k best candidates (total order) to the front, sorted, in
 * O(n log k); the rest stay behind them in some order. */
static void select_top(llm_sampler *s, int32_t k)
{
    if (s->sorted)
        return;
    if (k >= s->n) {
        sort_all(s);
        return;
    }
    cand *c = s->c;
    for (int32_t i = k / 2 - 1; i >= 0; i--)
        sift_down(c, k, i);
    for (int32_t i = k; i < s->n; i++)
        if (cand_cmp(&c[i], &c[0]) < 0) {
            cand t = c[0];
            c[0] = c[i];
            c[i] = t;
            sift_down(c, k, 0);
        }
    qsort(c, (size_t)k, sizeof *c, cand_cmp);
}

/* top_k: keep the k best in the total order, sorted. */
static void step_top_k(llm_sampler *s)
{
    int32_t k = s->p.top_k;
    if (k <= 0)
        return;
    if (k < s->n) {
        select_top(s, k);
        s->n = k;
    }
    sort_all(s);
}

/* Probabilities of the live candidates: the softmax of their logits, in
 * double, summed in their current order. */
static void softmax(llm_sampler *s)
{
    float max = s->c[0].logit;
    for (int32_t i = 1; i < s->n; i++)
        if (s->c[i].logit > max)
            max = s->c[i].logit;
    double sum = 0;
    for (int32_t i = 0; i < s->n; i++) {
        s->c[i].p = exp((double)s->c[i].logit - (double)max);
        sum += s->c[i].p;
    }
    for (int32_t i = 0; i < s->n; i++)
        s->c[i].p /= sum;
}

/* top_p: the shortest most-probable prefix whose mass reaches p. Only
 * that prefix needs sorting: try the best 256, then 4x more, and so on. */
static void step_top_p(llm_sampler *s)
{
    if (s->p.top_p >= 1.0f)
        return;
    softmax(s);
    int32_t m = s->n < 256 ? s->n : 256;
    for (;;) {
        select_top(s, m);
        double cum = 0;
        for (int32_t i = 0; i < m; i++) {
            cum += s->c[i].p;
            if (cum >= s->p.top_p) {
                s->n = i + 1;
                s->sorted = 1;
                return;
            }
        }
        if (m == s->n) {          /* rounding kept the sum below p: keep all */
            s->sorted = 1;
            return;
        }
        m = m > s->n / 4 ? s->n : 4 * m;
    }
}

/* min_p: keep logit >= max + log(p), i.e. prob >= p * max prob; the order
 * of the survivors is kept. */
static void step_min_p(llm_sampler *s)
{
    if (s->p.min_p <= 0.0f)
        return;
    float max = s->c[0].logit;
    for (int32_t i = 1; i < s->n; i++)
        if (s->c[i].logit > max)
            max = s->c[i].logit;
    float min_logit = max + logf(s->p.min_p);
    int32_t m = 0;
    for (int32_t i = 0; i < s->n; i++)
        if (s->c[i].logit >= min_logit)
            s->c[m++] = s->c[i];
    s->n = m;
}

static int scored_cmp(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* typ_p: keep the candidates whose surprise -log p is closest to the
 * entropy, until their mass exceeds p. Result is in typicality order. */
static int step_typical(llm_sampler *s, llm_err *e)
{
    if (s->p.typical_p >= 1.0f)
        return 0;
    sort_all(s);
    softmax(s);
    double h = 0;
    for (int32_t i = 0; i < s->n; i++)
        if (s->c[i].p > 0)            /* p log p -> 0 as p -> 0 */
            h -= s->c[i].p * log(s->c[i].p);
    for (int32_t i = 0; i < s->n; i++) {
        double p = s->c[i].p;
        s->sc[i].score = p > 0 ? fabs(-log(p) - h) : INFINITY;
        s->sc[i].i = i;
    }
    qsort(s->sc, (size_t)s->n, sizeof *s->sc, scored_cmp);
    int32_t keep = s->n;
    double cum = 0;
    for (int32_t i = 0; i < s->n; i++) {
        cum += s->c[s->sc[i].i].p;
        if (cum > s->p.typical_p) {
            keep = i + 1;
            break;
        }
    }
    /* gather the kept candidates in typicality order */
    cand *tmp = malloc((size_t)keep * sizeof *tmp);
    if (!tmp)
        return llm_fail(e, "out of memory");
    for (int32_t i = 0; i < keep; i++)
        tmp[i] = s->c[s->sc[i].i];
    memcpy(s->c, tmp, (size_t)keep * sizeof *tmp);
    free(tmp);
    s->n = keep;
    s->sorted = 0;
    return 0;
}

/* Drop candidates whose logit became -inf; error on NaN or +inf. */
static int check_logits(llm_sampler *s, const char *after, llm_err *e)
{
    int32_t m = 0;
    for (int32_t i = 0; i < s->n; i++) {
        float v = s->c[i].logit;
        if (isnan(v) || v == INFINITY)
            return llm_fail(e, "logit of token %d overflowed after %s", (int)s->c[i].id, after);
        if (v != -INFINITY)
            s->c[m++] = s->c[i];
    }
    if (m == 0)
        return llm_fail(e, "every candidate is -inf after %s: nothing to sample", after);
    s->n = m;
    return 0;
}

/* Lower bound of x in sorted a[0..n). */
static size_t lower_bound(const int32_t *a, size_t n, int32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* penalties over the window of the last repeat_last_n accepted tokens:
 * the window is sorted once, each candidate's count found by bisection. */
static int step_penalties(llm_sampler *s, llm_err *e)
{
    const llm_sampler_params *p = &s->p;
    if (p->repeat_last_n == 0 || s->hist_len == 0 ||
        (p->repeat_penalty == 1.0f && p->freq_penalty == 0.0f && p->presence_penalty == 0.0f))
        return 0;
    size_t w = s->hist_len;
    if (p->repeat_last_n > 0 && w > (size_t)p->repeat_last_n)
        w = (size_t)p->repeat_last_n;
    if (w > s->win_cap) {
        int32_t *win = realloc(s->win, w * sizeof *win);
        if (!win)
            return llm_fail(e, "out of memory");
        s->win = win;
        s->win_cap = w;
    }
    memcpy(s->win, s->hist + s->hist_len - w, w * sizeof *s->win);
    qsort(s->win, w, sizeof *s->win, id_cmp);
    for (int32_t i = 0; i < s->n; i++) {
        cand *c = &s->c[i];
        size_t lo = lower_bound(s->win, w, c->id);
        if (lo == w || s->win[lo] != c->id)
            continue;
        size_t count = lower_bound(s->win + lo, w - lo, c->id + 1);
        /* dividing a negative logit would raise it: multiply instead */
        if (c->logit <= 0)
            c->logit *= p->repeat_penalty;
        else
            c->logit /= p->repeat_penalty;
        c->logit -= (float)count * p->freq_penalty + p->presence_penalty;
    }
    s->sorted = 0;
    return check_logits(s, "penalties", e);
}

/* temperature: scale logits by 1/temp; temp <= 0 keeps only the best. */
static int step_temp(llm_sampler *s, llm_err *e)
{
    float t = s->p.temp;
    if (t <= 0) {
        int32_t best = 0;
        for (int32_t i = 1; i < s->n; i++)
            if (cand_cmp(&s->c[i], &s->c[best]) < 0)
                best = i;
        s->c[0] = s->c[best];
        s->n = 1;
        s->sorted = 1;
        return 0;
    }
    if (t == 1.0f)
        return 0;
    for (int32_t i = 0; i < s->n; i++)
        s->c[i].logit /= t;
    /* dividing by a positive number keeps the order, unless values fell
     * together by underflow: re-sort to stay in the total order */
    s->sorted = 0;
    return check_logits(s, "temperature", e);
}

/* Run the chain on s->c[0..n) and draw. */
static int32_t run_chain(llm_sampler *s, llm_err *e)
{
    if (s->hist_oom)
        return llm_fail(e, "out of memory for the token history");
    s->sorted = 0;
    for (int i = 0; i < s->nsteps; i++) {
        int rc = 0;
        switch (s->steps[i]) {
        case ST_PENALTIES: rc = step_penalties(s, e); break;
        case ST_TOP_K:     step_top_k(s); break;
        case ST_TYP_P:     rc = step_typical(s, e); break;
        case ST_TOP_P:     step_top_p(s); break;
        case ST_MIN_P:     step_min_p(s); break;
        case ST_TEMP:      rc = step_temp(s, e); break;
        }
        if (rc < 0)
            return -1;
    }
    /* the draw walks the candidates in their current order, which is
     * deterministic (input order, or the total order after a sort) */
    softmax(s);
    /* one uniform per token, always, so every path consumes the same */
    double u = llm_rng_uniform(&s->rng);
    double total = 0;
    for (int32_t i = 0; i < s->n; i++)
        total += s->c[i].p;
    double target = u * total, cum = 0;
    int32_t pick = -1;
    for (int32_t i = 0; i < s->n; i++) {
        cum += s->c[i].p;
        if (cum > target) {
            pick = i;
            break;
        }
    }
    if (pick < 0)                 /* rounding at the very top: last nonzero */
        for (pick = s->n - 1; pick > 0 && s->c[pick].p == 0; pick--)
            ;
    s->n_last = s->n;
    s->out_ready = 0;
    return s->c[pick].id;
}

int32_t llm_sampler_sample(llm_sampler *s, const float *logits, int32_t n_vocab, llm_err *e)
{
    s->n_last = 0;
    if (n_vocab < 1)
        return llm_fail(e, "empty logits vector");
    if (reserve(s, (size_t)n_vocab, e) < 0)
        return -1;
    int32_t n = 0;
    for (int32_t i = 0; i < n_vocab; i++) {
        float v = logits[i];
        if (isnan(v))
            return llm_fail(e, "logit %d is nan", (int)i);
        if (v == INFINITY)
            return llm_fail(e, "logit %d is +inf", (int)i);
        if (v == -INFINITY)
            continue;
        s->c[n].id = i;
        s->c[n].logit = v;
        s->c[n].p = 0;
        n++;
    }
    if (n == 0)
        return llm_fail(e, "all %d logits are -inf (masked): nothing to sample", (int)n_vocab);
    s->n = n;
    return run_chain(s, e);
}

int32_t llm_sampler_sample_sparse(llm_sampler *s, const int32_t *ids, const float *vals,
                                  int32_t k, int32_t n_vocab, llm_err *e)
{
    s->n_last = 0;
    if (n_vocab < 1)
        return llm_fail(e, "vocabulary size %d: must be >= 1", (int)n_vocab);
    if (k < 1)
        return llm_fail(e, "no candidates: nothing to sample");
    if (k > n_vocab)
        return llm_fail(e, "%d candidates for a vocabulary of %d", (int)k, (int)n_vocab);
    if (reserve(s, (size_t)k, e) < 0)
        return -1;
    int32_t n = 0;
    for (int32_t i = 0; i < k; i++) {
        float v = vals[i];
        if (ids[i] < 0 || ids[i] >= n_vocab)
            return llm_fail(e, "candidate id %d out of range 0..%d", (int)ids[i], (int)n_vocab - 1);
        if (isnan(v))
            return llm_fail(e, "logit of candidate %d is nan", (int)ids[i]);
        if (v == INFINITY)
            return llm_fail(e, "logit of candidate %d is +inf", (int)ids[i]);
        if (v == -INFINITY)
            continue;
        s->c[n].id = ids[i];
        s->c[n].logit = v;
        s->c[n].p = 0;
        n++;
    }
    if (n == 0)
        return llm_fail(e, "all %d candidates are -inf (masked): nothing to sample", (int)k);
    /* duplicates would count a token twice: sort by id and look */
    qsort(s->c, (size_t)n, sizeof *s->c, cand_id_cmp);
    for (int32_t i = 1; i < n; i++)
        if (s->c[i].id == s->c[i - 1].id)
            return llm_fail(e, "candidate id %d given twice", (int)s->c[i].id);
    s->n = n;
    return run_chain(s, e);
}
