/* quantize.c: convert a model's tensors to the planned types while the
 * GGUF writer writes them (quantize_mix.c makes the plan). Rows are cut
 * into chunks that the threads of a pool take in turn; each chunk goes
 * source type -> float -> target type, and with a report back to float to
 * measure the error. */
#include "quantize.h"
#include "dtype.h"
#include "pool.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void llm_qparams_init(llm_qparams *p)
{
    memset(p, 0, sizeof *p);
    p->ftype = -1;
    p->output_type = -1;
    p->embd_type = -1;
    p->n_threads = 1;
}

/* ---- sources --------------------------------------------------------- */

/* An integer hyper-parameter that may be stored per layer (an array): the
 * first layer's value, or dflt when absent. */
static int hparam(const gguf_file *f, const char *arch, const char *what, int dflt)
{
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, what);
    uint64_t v;
    if (gguf_get_u64(f, key, &v, NULL) == 0) return v > 1u << 30 ? dflt : (int)v;
    const gguf_value *a;
    if (gguf_get_arr(f, key, GGUF_INT64, &a, NULL) == 0 && a->arr.n > 0) {
        int64_t x = gguf_arr_i64(a, 0);
        return x < 0 || x > 1 << 30 ? dflt : (int)x;
    }
    return dflt;
}

int llm_qsrc_from_gguf(llm_qsrc *src, const gguf_file *f, llm_err *e)
{
    memset(src, 0, sizeof *src);
    gguf_str arch = { "", 0 };
    gguf_get_str(f, "general.architecture", &arch, NULL);
    size_t n = arch.len < sizeof src->hp.arch - 1 ? (size_t)arch.len : sizeof src->hp.arch - 1;
    memcpy(src->hp.arch, arch.ptr, n);
    src->hp.arch[n] = 0;
    src->hp.n_layer = hparam(f, src->hp.arch, "block_count", 0);
    src->hp.n_head = hparam(f, src->hp.arch, "attention.head_count", 0);
    src->hp.n_head_kv = hparam(f, src->hp.arch, "attention.head_count_kv", src->hp.n_head);
    src->hp.n_expert = hparam(f, src->hp.arch, "expert_count", 0);
    src->n_tensors = f->n_tensors;
    if (f->n_tensors && !(src->tensors = calloc(f->n_tensors, sizeof *src->tensors)))
        return llm_fail(e, "%s: out of memory", f->path);
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        const gguf_tensor *t = &f->tensors[i];
        llm_qsrc_tensor *d = &src->tensors[i];
        d->name = t->name;
        d->n_dims = t->n_dims;
        memcpy(d->ne, t->ne, sizeof d->ne);
        d->type = t->type;
        d->data = t->data;
    }
    return 0;
}

void llm_qsrc_free(llm_qsrc *src)
{
    free(src->tensors);
    src->tensors = NULL;
    src->n_tensors = 0;
}

int llm_quant_copy_kv(gguf_writer *w, const gguf_file *f, llm_err *e)
{
    for (uint64_t i = 0; i < f->n_kv; i++) {
        const char *k = f->kv[i].key;
        /* one output file: the split keys of a multi-file model do not apply */
        if (!strcmp(k, "split.no") || !strcmp(k, "split.count") || !strcmp(k, "split.tensors.count"))
            continue;
        if (gguf_set_kv(w, &f->kv[i]) < 0) return llm_fail(e, "out of memory copying key '%s'", k);
    }
    return 0;
}

/* ---- row conversion -------------------------------------------------- */

/* n values of type t at src to floats. */
static void to_f32(uint32_t t, const void *src, float *dst, int64_t n)
{
    const uint16_t *h = src;
    switch (t) {
    case LLM_F32: memcpy(dst, src, (size_t)n * sizeof *dst); break;
    case LLM_F16: for (int64_t i = 0; i < n; i++) dst[i] = llm_f16_to_f32(h[i]); break;
    case LLM_BF16: for (int64_t i = 0; i < n; i++) dst[i] = llm_bf16_to_f32(h[i]); break;
    default: llm_dequantize(t, src, dst, n); break;
    }
}

/* n floats to type t at dst (ggml's reference conversions). */
static void from_f32(uint32_t t, const float *src, void *dst, int64_t n)
{
    uint16_t *h = dst;
    switch (t) {
    case LLM_F32: memcpy(dst, src, (size_t)n * sizeof *src); break;
    case LLM_F16: for (int64_t i = 0; i < n; i++) h[i] = llm_f32_to_f16(src[i]); break;
    case LLM_BF16: for (int64_t i = 0; i < n; i++) h[i] = llm_f32_to_bf16(src[i]); break;
    default: llm_quantize(t, src, dst, n); break;
    }
}

/* ---- writing --------------------------------------------------------- */

#define MAX_THREADS 256

typedef struct job {
    const uint8_t *src;
    uint8_t *dst;
    uint32_t from, to;
    int64_t ne0, nrows, chunk;     /* values per row, rows, rows per chunk */
    size_t src_row, dst_row;
    float *buf[MAX_THREADS];       /* 2 * chunk * ne0 floats each */
    atomic_llong next;             /* next row to take */
    int report;
    double sse[MAX_THREADS], ss[MAX_THREADS], mx[MAX_THREADS];
} job;

/* One worker: convert chunks of rows until none is left. */
static void convert_rows(void *arg, int ith, int nth)
{
    (void)nth;
    job *j = arg;
    float *f = j->buf[ith], *g = f + j->chunk * j->ne0;
    for (;;) {
        int64_t r0 = atomic_fetch_add(&j->next, j->chunk);
        if (r0 >= j->nrows) break;
        int64_t nr = j->nrows - r0 < j->chunk ? j->nrows - r0 : j->chunk, nv = nr * j->ne0;
        to_f32(j->from, j->src + r0 * j->src_row, f, nv);
        uint8_t *out = j->dst + r0 * j->dst_row;
        from_f32(j->to, f, out, nv);
        if (!j->report) continue;
        to_f32(j->to, out, g, nv);
        double sse = 0, ss = 0, mx = j->mx[ith];
        for (int64_t i = 0; i < nv; i++) {
            double d = (double)g[i] - f[i];
            sse += d * d;
            ss += (double)f[i] * f[i];
            if (fabs(d) > mx || d != d) mx = fabs(d);
        }
        j->sse[ith] += sse;
        j->ss[ith] += ss;
        j->mx[ith] = mx;
    }
}

typedef struct writing {
    const llm_qsrc *src;
    const llm_qparams *p;
    const uint32_t *types;
    const uint64_t *order;
    llm_qstat *stats;
    llm_pool *pool;
    int warned_requant;
} writing;

/* gguf_fill_fn: produce tensor k of the output (source order[k]). */
static int fill(void *ctx, uint64_t k, void *dst, uint64_t nbytes, llm_err *e)
{
    writing *wr = ctx;
    uint64_t i = wr->order[k];
    const llm_qsrc_tensor *t = &wr->src->tensors[i];
    uint32_t to = wr->types[i];
    llm_qstat *st = wr->stats ? &wr->stats[k] : NULL;
    if (wr->p->progress) wr->p->progress(wr->p->cb_ctx, k, wr->src->n_tensors, t->name);
    int64_t n = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) n *= t->ne[d];
    if (t->type == to) {     /* nothing to convert: copy */
        memcpy(dst, t->data, nbytes);
        return 0;
    }
    if (llm_type_check(t->type, e) < 0) return llm_wrap(e, "tensor '%s'", t->name);
    if (llm_type(t->type)->quantized && !wr->warned_requant && wr->p->note) {
        char msg[300];
        snprintf(msg, sizeof msg, "requantizing: '%s' is already %s; it is dequantized first, "
                 "so its error adds to the new one", t->name, llm_type(t->type)->name);
        wr->p->note(wr->p->cb_ctx, msg);
        wr->warned_requant = 1;
    }
    job *j = calloc(1, sizeof *j);
    if (!j) return llm_fail(e, "out of memory");
    j->src = t->data;
    j->dst = dst;
    j->from = t->type;
    j->to = to;
    j->ne0 = t->ne[0];
    j->nrows = t->ne[0] ? n / t->ne[0] : 0;
    j->src_row = llm_row_size(t->type, j->ne0);
    j->dst_row = llm_row_size(to, j->ne0);
    /* chunks of at least 16K values, as llama.cpp's, so threads do not contend */
    j->chunk = j->ne0 >= 16384 ? 1 : (16384 + j->ne0 - 1) / j->ne0;
    j->report = st != NULL && wr->p->report;
    atomic_init(&j->next, 0);
    int nth = llm_pool_size(wr->pool), rc = 0;
    for (int h = 0; h < nth; h++) {
        if (!(j->buf[h] = malloc((size_t)(2 * j->chunk * j->ne0) * sizeof(float)))) {
            rc = llm_fail(e, "tensor '%s': out of memory", t->name);
            break;
        }
    }
    if (rc == 0) llm_pool_run(wr->pool, convert_rows, j);
    if (rc == 0 && st && j->report) {
        st->measured = true;
        for (int h = 0; h < nth; h++) {
            st->sse += j->sse[h];
            st->ss += j->ss[h];
            if (j->mx[h] > st->max_err || j->mx[h] != j->mx[h]) st->max_err = j->mx[h];
        }
    }
    for (int h = 0; h < nth; h++) free(j->buf[h]);
    free(j);
    return rc;
}

int llm_quantize_write(const llm_qsrc *src, gguf_writer *w, const char *path,
                       const llm_qparams *p, llm_qstat *stats, llm_err *e)
{
    uint64_t n = src->n_tensors;
    uint32_t *types = malloc((n + 1) * sizeof *types);
    bool *fell = malloc((n + 1) * sizeof *fell);
    uint64_t *order = malloc((n + 1) * sizeof *order);
    writing wr = { .src = src, .p = p, .types = types, .order = order, .stats = stats };
    int rc = -1;
    if (!types || !fell || !order) { llm_fail(e, "out of memory"); goto out; }
    if (llm_quant_plan(src, p, types, fell, order, e) < 0) goto out;
    int nth = p->n_threads < 1 ? 1 : p->n_threads > MAX_THREADS ? MAX_THREADS : p->n_threads;
    if (!(wr.pool = llm_pool_new(nth, e))) goto out;
    if (p->ftype >= 0) {
        /* as llama.cpp: remove and append, so both keys end the list */
        gguf_unset(w, "general.quantization_version");
        gguf_unset(w, "general.file_type");
        if (gguf_set_u32(w, "general.quantization_version", 2) < 0 ||
            gguf_set_u32(w, "general.file_type", (uint32_t)p->ftype) < 0) {
            llm_fail(e, "out of memory");
            goto out;
        }
    }
    for (uint64_t k = 0; k < n; k++) {
        const llm_qsrc_tensor *t = &src->tensors[order[k]];
        uint32_t to = types[order[k]];
        if (t->ne[0] <= 0 || (llm_type(to) && t->ne[0] % llm_type(to)->blck != 0)) {
            llm_fail(e, "tensor '%s': rows of %lld values cannot be stored as %s", t->name,
                     (long long)t->ne[0], llm_type(to) ? llm_type(to)->name : "?");
            goto out;
        }
        if (gguf_add_tensor(w, t->name, to, t->n_dims, t->ne, NULL, fill, &wr, e) < 0) goto out;
        if (stats) {
            llm_qstat *st = &stats[k];
            memset(st, 0, sizeof *st);
            st->name = t->name;
            st->from = t->type;
            st->to = to;
            st->n = 1;
            for (uint32_t d = 0; d < t->n_dims; d++) st->n *= t->ne[d];
            st->bytes_in = llm_row_size(t->type, t->ne[0]) * (uint64_t)(st->n / t->ne[0]);
            st->bytes_out = llm_row_size(to, t->ne[0]) * (uint64_t)(st->n / t->ne[0]);
            st->fallback = fell[order[k]];
        }
    }
    rc = gguf_writer_write(w, path, e);
out:
    llm_pool_free(wr.pool);
    free(types);
    free(fell);
    free(order);
    return rc;
}
