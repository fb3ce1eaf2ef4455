/* forward.c: the transformer forward pass over a batch of positions, with
 * a KV cache (model.h).
 *
 * One layer, for each token row x (n_embd floats):
 *   h   = rmsnorm(x) * attn_norm
 *   q,k,v = Wq h (+bq), Wk h (+bk), Wv h (+bv)     (biases: qwen2)
 *   q,k = rope(q), rope(k) at the token's position; k, v go to the cache
 *   a   = softmax(q k^T / sqrt(head_dim), causal) v   per head; head h
 *         reads kv head h / (n_head / n_head_kv)       (GQA)
 *   x  += Wo a
 *   h   = rmsnorm(x) * ffn_norm
 *   x  += Wdown (silu(Wgate h) * Wup h)               (SwiGLU)
 * then logits = Woutput (rmsnorm(x) * output_norm).
 *
 * Numerics follow llama.cpp's CPU backend so logits agree bit for bit on
 * x86 (AVX2) and to float rounding elsewhere: RMSNorm sums squares in
 * double and the mean in float; the RoPE angle is built by repeated
 * multiplication as ggml does; the KV cache holds f16; F32/F16 products
 * use ggml's summation order for one row or for a batch (matmul.c); the
 * last layer's feed-forward and the output see a batch only when several
 * rows need logits (llama.cpp computes only those rows there); attention
 * uses ggml's vector kernel below 64 tokens a batch and its tiled kernel
 * from 64 (attn.h); SwiGLU uses ggml's exp (act.h).
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "attn.h"
#include "dot.h"
#include "dtype.h"
#include "matmul.h"

/* Tokens computed together (bounds the scratch memory). */
#define CHUNK 32
/* llama.cpp's micro-batch and the batch size from which its flash
 * attention switches to the tiled f32 kernel. */
#define UBATCH 512
#define FA_TILE_Q 64

struct llm_ctx {
    const llm_model *m;
    llm_pool *pool;
    int32_t n_ctx, n_past;
    int32_t kv_dim;
    uint16_t *kc, *vc;         /* f16 [n_layer][n_ctx][kv_dim] */
    /* scratch for CHUNK rows */
    float *x, *h, *q, *k, *v, *att, *o, *g, *u;
    float *rope;               /* [CHUNK][n_rot] cos, sin pairs */
    llm_attn_kernels attn;
    llm_swiglu_fn swiglu;
    float *attn_buf;           /* per thread: n_ctx scores, or 2 head_dim f16 */
    size_t attn_stride;        /* floats per thread */
    int attn_threads;
    llm_mm_buf mm;
    float *lg;                 /* CHUNK x n_vocab, for llm_forward_each */
    llm_dump_hook dump;
    bool has_dump;
};

static void *xcalloc(size_t n, size_t sz, llm_err *e, bool *ok)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p && *ok) {
        llm_fail(e, "out of memory (%zu bytes)", n * sz);
        *ok = false;
    }
    return p;
}

/* Allocate the cache and scratch for n_ctx positions. */
llm_ctx *llm_ctx_new(const llm_model *m, int32_t n_ctx, llm_pool *pool, llm_err *e)
{
    const llm_hparams *hp = &m->hp;
    if (n_ctx < 1) {
        llm_fail(e, "context size %d must be at least 1", n_ctx);
        return NULL;
    }
    llm_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        llm_fail(e, "out of memory");
        return NULL;
    }
    c->m = m;
    c->pool = pool;
    c->attn = llm_attn_pick();
    c->swiglu = llm_swiglu_pick();
    c->n_ctx = n_ctx;
    c->kv_dim = hp->head_dim * hp->n_head_kv;
    size_t d = (size_t)hp->n_embd, ff = (size_t)hp->n_ff, kvd = (size_t)c->kv_dim;
    size_t cache = (size_t)hp->n_layer * (size_t)n_ctx * kvd;
    bool ok = true;
    c->kc = xcalloc(cache, sizeof(uint16_t), e, &ok);
    c->vc = xcalloc(cache, sizeof(uint16_t), e, &ok);
    c->x = xcalloc(CHUNK * d, sizeof(float), e, &ok);
    c->h = xcalloc(CHUNK * d, sizeof(float), e, &ok);
    c->q = xcalloc(CHUNK * d, sizeof(float), e, &ok);
    c->att = xcalloc(CHUNK * d, sizeof(float), e, &ok);
    c->o = xcalloc(CHUNK * d, sizeof(float), e, &ok);
    c->k = xcalloc(CHUNK * kvd, sizeof(float), e, &ok);
    c->v = xcalloc(CHUNK * kvd, sizeof(float), e, &ok);
    c->g = xcalloc(CHUNK * ff, sizeof(float), e, &ok);
    c->u = xcalloc(CHUNK * ff, sizeof(float), e, &ok);
    c->rope = xcalloc(CHUNK * (size_t)(hp->n_rot ? hp->n_rot : 2), sizeof(float), e, &ok);
    c->attn_threads = llm_pool_size(pool);
    c->attn_stride = (size_t)(n_ctx > 64 ? n_ctx : 64) + 2 * (size_t)hp->head_dim + 16;
    c->attn_buf = xcalloc((size_t)c->attn_threads * c->attn_stride, sizeof(float), e, &ok);
    if (!ok) {
        llm_ctx_free(c);
        return NULL;
    }
    return c;
}

void llm_ctx_free(llm_ctx *c)
{
    if (!c)
        return;
    free(c->kc); free(c->vc);
    free(c->x); free(c->h); free(c->q); free(c->k); free(c->v);
    free(c->att); free(c->o); free(c->g); free(c->u);
    free(c->rope); free(c->attn_buf); free(c->lg);
    llm_mm_buf_free(&c->mm);
    free(c);
}

void llm_ctx_reset(llm_ctx *c) { c->n_past = 0; }
int32_t llm_ctx_n_past(const llm_ctx *c) { return c->n_past; }
int32_t llm_ctx_n_ctx(const llm_ctx *c) { return c->n_ctx; }

void llm_ctx_set_dump(llm_ctx *c, const llm_dump_hook *h)
{
    c->has_dump = h && h->emit;
    if (c->has_dump)
        c->dump = *h;
}

/* Emit tensor NAME (n rows of width) if the hook wants it. */
static int dump(llm_ctx *c, const char *name, int32_t pos0, int32_t n, int64_t width,
                const float *data, llm_err *e)
{
    if (!c->has_dump || (c->dump.want && !c->dump.want(c->dump.ud, name)))
        return 0;
    return c->dump.emit(c->dump.ud, name, pos0, n, width, data, e) ? -1 : 0;
}

/* Per-layer names: "blk.3.attn_norm". */
static int dump_l(llm_ctx *c, int il, const char *what, int32_t pos0, int32_t n,
                  int64_t width, const float *data, llm_err *e)
{
    if (!c->has_dump)
        return 0;
    char name[64];
    snprintf(name, sizeof name, "blk.%d.%s", il, what);
    return dump(c, name, pos0, n, width, data, e);
}

/* ---- small kernels ------------------------------------------------------ */

/* out = x / sqrt(mean(x^2) + eps) * w, as ggml: squares summed in double,
 * the mean and scale in float, the scale applied before the weight. */
static void rmsnorm(float *out, const float *x, const float *w, int n, float eps)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)(x[i] * x[i]);
    float mean = (float)(sum / n);      /* float, as ggml */
    float scale = 1.0f / sqrtf(mean + eps);
    for (int i = 0; i < n; i++)
        out[i] = (x[i] * scale) * w[i];
}

/* cos/sin pairs of every rotated pair at position pos: theta_i =
 * pos * base^(-2i/n_rot), built by repeated multiplication like ggml, then
 * divided by rope_freqs[i] if the model has them and scaled by freq_scale. */
static void rope_table(float *cs, int32_t pos, int n_rot, float base, float freq_scale,
                       const float *freqs)
{
    float theta_scale = powf(base, -2.0f / (float)n_rot);
    float theta = (float)pos;
    for (int i = 0; i < n_rot; i += 2) {
        float t = freq_scale * (theta / (freqs ? freqs[i / 2] : 1.0f));
        cs[i] = cosf(t);
        cs[i + 1] = sinf(t);
        theta *= theta_scale;
    }
}

/* Rotate the first n_rot dims of each of n_heads heads in place. NORM
 * (llama) pairs x[2i], x[2i+1]; NEOX (qwen2) pairs x[i], x[i + n_rot/2]. */
static void rope_apply(float *x, int n_heads, int head_dim, int n_rot, bool neox, const float *cs)
{
    for (int hh = 0; hh < n_heads; hh++) {
        float *p = x + (size_t)hh * head_dim;
        for (int i = 0; i < n_rot; i += 2) {
            int a = neox ? i / 2 : i, b = neox ? i / 2 + n_rot / 2 : i + 1;
            float c = cs[i], s = cs[i + 1], x0 = p[a], x1 = p[b];
            /* fused as ggml's build contracts them: same bits */
            p[a] = fmaf(x0, c, -(x1 * s));
            p[b] = fmaf(x0, s, x1 * c);
        }
    }
}

/* ---- attention ------------------------------------------------------------ */

typedef struct attn_job {
    llm_ctx *c;
    int il;
    int32_t pos0, n;
    bool tiled;
} attn_job;

/* Worker: a share of the (token, head) pairs of the chunk. */
static void attn_work(void *arg, int ith, int nth)
{
    const attn_job *j = arg;
    llm_ctx *c = j->c;
    const llm_hparams *hp = &c->m->hp;
    int hd = hp->head_dim, group = hp->n_head / hp->n_head_kv;
    float scale = 1.0f / sqrtf((float)hd);
    float *buf = c->attn_buf + (size_t)ith * c->attn_stride;
    size_t layer_off = (size_t)j->il * (size_t)c->n_ctx * (size_t)c->kv_dim;
    /* items (token, head) dealt round-robin: a causal token's cost grows
     * with its position, so contiguous ranges would give the last thread
     * the most work. Each item is computed the same way on any thread. */
    long total = (long)j->n * hp->n_head;
    for (long it = ith; it < total; it += nth) {
        int t = (int)(it / hp->n_head), hh = (int)(it % hp->n_head);
        int g = hh / group;
        const float *q = c->q + (size_t)t * hp->n_embd + (size_t)hh * hd;
        float *out = c->att + (size_t)t * hp->n_embd + (size_t)hh * hd;
        const uint16_t *kc = c->kc + layer_off + (size_t)g * hd;
        const uint16_t *vc = c->vc + layer_off + (size_t)g * hd;
        int32_t n_kv = j->pos0 + t + 1;   /* causal: positions 0..pos */
        (j->tiled ? c->attn.f32 : c->attn.vec)(q, kc, vc, n_kv, c->kv_dim, hd, scale, out, buf);
    }
}

/* ---- the pass --------------------------------------------------------------- */

/* batched: llama.cpp would multiply these rows as part of a batch of two
 * or more (it changes the summation order of F32/F16 products). */
static int mm(llm_ctx *c, const llm_weight *w, const float *x, int32_t n, bool batched, float *y,
              llm_err *e)
{
    return llm_matmul_ex(c->pool, w, x, n, batched, y, &c->mm, e);
}

/* One chunk of n <= CHUNK tokens at positions pos0...; logits_rows: which
 * rows get logits (first row index and count) written to out. */
typedef struct swiglu_job {
    llm_ctx *c;
    int32_t n;
    int ff;
} swiglu_job;

/* Worker: SwiGLU of its share of the token rows, in place in c->g. */
static void swiglu_work(void *arg, int ith, int nth)
{
    const swiglu_job *j = arg;
    long lo, hi;
    llm_pool_range((long)j->n, ith, nth, &lo, &hi);
    for (long t = lo; t < hi; t++) {
        size_t off = (size_t)t * (size_t)j->ff;
        j->c->swiglu(j->ff, j->c->g + off, j->c->g + off, j->c->u + off);
    }
}

static int forward_chunk(llm_ctx *c, const int32_t *tok, int32_t n, bool tiled, bool batched,
                         bool out_batched, int32_t lg_first, int32_t lg_n, float *lg_out, llm_err *e)
{
    const llm_model *m = c->m;
    const llm_hparams *hp = &m->hp;
    int d = hp->n_embd, ff = hp->n_ff, kvd = c->kv_dim, hd = hp->head_dim;
    int32_t pos0 = c->n_past;

    for (int32_t t = 0; t < n; t++) {
        llm_weight_row(&m->tok_embd, tok[t], c->x + (size_t)t * d);
        rope_table(c->rope + (size_t)t * hp->n_rot, pos0 + t, hp->n_rot, hp->rope_base,
                   hp->rope_freq_scale, m->rope_freqs);
    }
    if (dump(c, "tok_embd", pos0, n, d, c->x, e) < 0)
        return -1;

    for (int il = 0; il < hp->n_layer; il++) {
        const llm_layer *L = &m->layers[il];
        for (int32_t t = 0; t < n; t++)
            rmsnorm(c->h + (size_t)t * d, c->x + (size_t)t * d, L->attn_norm, d, hp->eps);
        if (dump_l(c, il, "attn_norm", pos0, n, d, c->h, e) < 0)
            return -1;
        const llm_weight *qkv[3] = { &L->wq, &L->wk, &L->wv };
        float *const qkv_out[3] = { c->q, c->k, c->v };
        if (llm_matmul_multi(c->pool, qkv, 3, c->h, n, batched, qkv_out, &c->mm, e) < 0)
            return -1;
        for (int32_t t = 0; t < n; t++) {
            float *q = c->q + (size_t)t * d, *k = c->k + (size_t)t * kvd, *v = c->v + (size_t)t * kvd;
            if (L->bq) {
                for (int i = 0; i < d; i++) q[i] += L->bq[i];
                for (int i = 0; i < kvd; i++) k[i] += L->bk[i];
                for (int i = 0; i < kvd; i++) v[i] += L->bv[i];
            }
            const float *cs = c->rope + (size_t)t * hp->n_rot;
            rope_apply(q, hp->n_head, hd, hp->n_rot, hp->rope_neox, cs);
            rope_apply(k, hp->n_head_kv, hd, hp->n_rot, hp->rope_neox, cs);
            /* into the cache, as f16 */
            size_t off = ((size_t)il * c->n_ctx + (size_t)(pos0 + t)) * (size_t)kvd;
            for (int i = 0; i < kvd; i++) {
                c->kc[off + i] = llm_f32_to_f16(k[i]);
                c->vc[off + i] = llm_f32_to_f16(v[i]);
            }
        }
        if (dump_l(c, il, "attn_q", pos0, n, d, c->q, e) < 0 ||
            dump_l(c, il, "attn_k", pos0, n, kvd, c->k, e) < 0 ||
            dump_l(c, il, "attn_v", pos0, n, kvd, c->v, e) < 0)
            return -1;
        attn_job aj = { c, il, pos0, n, tiled };
        /* small jobs on this thread: waking the pool costs more */
        llm_pool_run((double)n * hp->n_head * (pos0 + n) * hd < 32768 ? NULL : c->pool, attn_work, &aj);
        if (dump_l(c, il, "kqv_out", pos0, n, d, c->att, e) < 0)
            return -1;
        if (mm(c, &L->wo, c->att, n, batched, c->o, e) < 0)
            return -1;
        if (dump_l(c, il, "attn_out", pos0, n, d, c->o, e) < 0)
            return -1;
        for (size_t i = 0; i < (size_t)n * d; i++)
            c->x[i] += c->o[i];
        if (dump_l(c, il, "ffn_inp", pos0, n, d, c->x, e) < 0)
            return -1;

        for (int32_t t = 0; t < n; t++)
            rmsnorm(c->h + (size_t)t * d, c->x + (size_t)t * d, L->ffn_norm, d, hp->eps);
        if (dump_l(c, il, "ffn_norm", pos0, n, d, c->h, e) < 0)
            return -1;
        /* llama.cpp runs the last layer's feed-forward on the output rows only */
        bool fb = il == hp->n_layer - 1 ? out_batched : batched;
        const llm_weight *gu[2] = { &L->gate, &L->up };
        float *const gu_out[2] = { c->g, c->u };
        if (llm_matmul_multi(c->pool, gu, 2, c->h, n, fb, gu_out, &c->mm, e) < 0)
            return -1;
        if (dump_l(c, il, "ffn_gate", pos0, n, ff, c->g, e) < 0 ||
            dump_l(c, il, "ffn_up", pos0, n, ff, c->u, e) < 0)
            return -1;
        /* per row, as ggml: the SIMD blocks restart; rows across the pool */
        swiglu_job sj = { c, n, ff };
        llm_pool_run((double)n * ff < 65536 ? NULL : c->pool, swiglu_work, &sj);
        if (dump_l(c, il, "ffn_act", pos0, n, ff, c->g, e) < 0)
            return -1;
        if (mm(c, &L->down, c->g, n, fb, c->o, e) < 0)
            return -1;
        if (dump_l(c, il, "ffn_out", pos0, n, d, c->o, e) < 0)
            return -1;
        for (size_t i = 0; i < (size_t)n * d; i++)
            c->x[i] += c->o[i];
        if (dump_l(c, il, "l_out", pos0, n, d, c->x, e) < 0)
            return -1;
    }
    c->n_past += n;   /* the cache now holds these positions */

    if (lg_n <= 0 && !(c->has_dump))
        return 0;
    for (int32_t t = 0; t < n; t++)
        rmsnorm(c->h + (size_t)t * d, c->x + (size_t)t * d, m->output_norm, d, hp->eps);
    if (dump(c, "result_norm", pos0, n, d, c->h, e) < 0)
        return -1;
    if (lg_n > 0) {
        if (mm(c, &m->output, c->h + (size_t)lg_first * d, lg_n, out_batched, lg_out, e) < 0)
            return -1;
        if (dump(c, "logits", pos0 + lg_first, lg_n, hp->n_vocab, lg_out, e) < 0)
            return -1;
    }
    return 0;
}

/* Shared driver: lg_mode 0 = no logits, 1 = last token into `last`,
 * 2 = every token through fn. */
static int forward(llm_ctx *c, const int32_t *tokens, int32_t n, int lg_mode, float *last,
                   llm_logits_fn fn, void *ud, llm_err *e)
{
    const llm_hparams *hp = &c->m->hp;
    if (n <= 0)
        return 0;
    for (int32_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= hp->n_vocab)
            return llm_fail(e, "token id %d is outside the vocabulary (0..%d)", tokens[i], hp->n_vocab - 1);
    if (n > c->n_ctx - c->n_past)
        return llm_fail(e, "context full: %d positions used, %d more do not fit in %d (use a larger -c)",
                        c->n_past, n, c->n_ctx);
    if (lg_mode == 2 && !c->lg && !(c->lg = malloc((size_t)CHUNK * (size_t)hp->n_vocab * sizeof(float))))
        return llm_fail(e, "out of memory (logits buffer)");
    int32_t done = 0;
    while (done < n) {
        /* the attention kernel depends on the size of llama.cpp's ubatch */
        int32_t ub = n - done < UBATCH ? n - done : UBATCH;
        bool tiled = ub >= FA_TILE_Q, batched = ub >= 2;
        int32_t n_out = lg_mode == 2 ? ub : lg_mode == 1 && done + ub == n ? 1 : 0;
        for (int32_t u = 0; u < ub; u += CHUNK) {
            int32_t cn = ub - u < CHUNK ? ub - u : CHUNK;
            int32_t first = done + u, pos0 = c->n_past;
            int32_t lg_first = 0, lg_n = 0;
            float *out = NULL;
            if (lg_mode == 2) {
                lg_n = cn;
                out = c->lg;
            } else if (lg_mode == 1 && first + cn == n) {
                lg_first = cn - 1;
                lg_n = 1;
                out = last;
            }
            if (forward_chunk(c, tokens + first, cn, tiled, batched, n_out >= 2, lg_first, lg_n, out, e) < 0)
                return -1;
            if (lg_mode == 2)
                for (int32_t t = 0; t < cn; t++)
                    if (fn(ud, pos0 + t, c->lg + (size_t)t * hp->n_vocab, e) != 0)
                        return -1;
        }
        done += ub;
    }
    return 0;
}

int llm_forward(llm_ctx *c, const int32_t *tokens, int32_t n, float *logits, llm_err *e)
{
    return forward(c, tokens, n, logits ? 1 : 0, logits, NULL, NULL, e);
}

int llm_forward_each(llm_ctx *c, const int32_t *tokens, int32_t n, llm_logits_fn fn,
                     void *ud, llm_err *e)
{
    return forward(c, tokens, n, 2, NULL, fn, ud, e);
}
