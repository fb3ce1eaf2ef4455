/* model.c: hyper-parameters and weights of a llama/qwen2 GGUF (model.h).
 *
 * Every shape is checked here, once, so the forward pass can trust them:
 * a file whose tensors disagree with its metadata is refused with the
 * tensor's name and both shapes. */
#include "model.h"
#include "repack.h"

#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dtype.h"

/* Read an optional u32 key "ARCH.SUFFIX"; absent leaves *out alone. A key
 * that is present but not an integer is an error. */
static int get_u32_opt(const gguf_file *f, const char *arch, const char *suffix,
                       int32_t *out, bool required, llm_err *e)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    if (!gguf_find(f, key)) {
        if (required)
            return llm_fail(e, "%s: key '%s' missing", f->path, key);
        return 0;
    }
    uint32_t v;
    if (gguf_get_u32(f, key, &v, e) < 0)
        return -1;
    if (v > 0x7fffffff)
        return llm_fail(e, "%s: key '%s' = %u is too large", f->path, key, v);
    *out = (int32_t)v;
    return 0;
}

static int get_f32_opt(const gguf_file *f, const char *arch, const char *suffix,
                       float *out, bool required, llm_err *e)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    if (!gguf_find(f, key)) {
        if (required)
            return llm_fail(e, "%s: key '%s' missing", f->path, key);
        return 0;
    }
    return gguf_get_f32(f, key, out, e);
}

/* Find tensor NAME with exactly the shape ne0 x ne1 (ne1 = 0: 1-D). */
static const gguf_tensor *find_shaped(const gguf_file *f, const char *name,
                                      int64_t ne0, int64_t ne1, llm_err *e)
{
    const gguf_tensor *t = gguf_find_tensor(f, name);
    if (!t) {
        llm_fail(e, "%s: tensor '%s' missing", f->path, name);
        return NULL;
    }
    uint32_t want_dims = ne1 ? 2 : 1;
    bool ok = t->n_dims == want_dims && t->ne[0] == ne0 && (ne1 == 0 || t->ne[1] == ne1);
    if (!ok) {
        char got[96] = "";
        for (uint32_t i = 0; i < t->n_dims && i < GGUF_MAX_DIMS; i++) {
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%s%lld", i ? "x" : "", (long long)t->ne[i]);
        }
        if (ne1)
            llm_fail(e, "%s: tensor '%s' has shape [%s], expected [%lldx%lld] (ne[0] first)",
                     f->path, name, got, (long long)ne0, (long long)ne1);
        else
            llm_fail(e, "%s: tensor '%s' has shape [%s], expected [%lld]",
                     f->path, name, got, (long long)ne0);
        return NULL;
    }
    if (llm_type_check(t->type, e) < 0) {
        llm_wrap(e, "%s: tensor '%s'", f->path, name);
        return NULL;
    }
    return t;
}

/* A 2-D weight in place: rows of ne0 values. */
static int get_weight(const gguf_file *f, const char *name, int64_t ne0, int64_t ne1,
                      llm_weight *w, llm_err *e)
{
    const gguf_tensor *t = find_shaped(f, name, ne0, ne1, e);
    if (!t)
        return -1;
    size_t rb = llm_row_size(t->type, ne0);
    if (rb == 0)
        return llm_fail(e, "%s: tensor '%s': row of %lld values is not a whole number of %s blocks",
                        f->path, name, (long long)ne0, llm_type(t->type)->name);
    w->name = t->name;
    w->type = t->type;
    w->ncols = ne0;
    w->nrows = ne1;
    w->row_bytes = rb;
    w->data = t->data;
    return 0;
}

/* A 1-D tensor of n values, converted to a new float array. */
static float *get_vector(const gguf_file *f, const char *name, int64_t n, llm_err *e)
{
    const gguf_tensor *t = find_shaped(f, name, n, 0, e);
    if (!t)
        return NULL;
    if (llm_row_size(t->type, n) == 0) {
        llm_fail(e, "%s: tensor '%s': %lld values are not a whole number of %s blocks",
                 f->path, name, (long long)n, llm_type(t->type)->name);
        return NULL;
    }
    float *v = malloc((size_t)n * sizeof *v);
    if (!v) {
        llm_fail(e, "out of memory");
        return NULL;
    }
    if (t->type == LLM_F32)
        memcpy(v, t->data, (size_t)n * sizeof *v);
    else
        llm_dequantize(t->type, t->data, v, n);
    return v;
}

/* Hyper-parameters from ARCH.* keys, checked for consistency. */
static int load_hparams(const gguf_file *f, llm_hparams *hp, llm_err *e)
{
    gguf_str a;
    if (gguf_get_str(f, "general.architecture", &a, e) < 0)
        return -1;
    if (gguf_str_eq(a, "llama"))
        hp->arch = LLM_ARCH_LLAMA;
    else if (gguf_str_eq(a, "qwen2"))
        hp->arch = LLM_ARCH_QWEN2;
    else
        return llm_fail(e, "%s: architecture '%.*s' is not supported (llama, qwen2)", f->path,
                        (int)(a.len > 64 ? 64 : a.len), a.ptr);
    snprintf(hp->arch_name, sizeof hp->arch_name, "%s", hp->arch == LLM_ARCH_LLAMA ? "llama" : "qwen2");
    const char *ar = hp->arch_name;
    hp->n_head_kv = -1;
    hp->n_rot = -1;
    hp->n_ctx_train = 2048;
    hp->rope_base = 10000.0f;
    hp->eps = 1e-5f;
    if (get_u32_opt(f, ar, "embedding_length", &hp->n_embd, true, e) < 0 ||
        get_u32_opt(f, ar, "feed_forward_length", &hp->n_ff, true, e) < 0 ||
        get_u32_opt(f, ar, "block_count", &hp->n_layer, true, e) < 0 ||
        get_u32_opt(f, ar, "attention.head_count", &hp->n_head, true, e) < 0 ||
        get_u32_opt(f, ar, "attention.head_count_kv", &hp->n_head_kv, false, e) < 0 ||
        get_u32_opt(f, ar, "rope.dimension_count", &hp->n_rot, false, e) < 0 ||
        get_u32_opt(f, ar, "context_length", &hp->n_ctx_train, false, e) < 0 ||
        get_f32_opt(f, ar, "attention.layer_norm_rms_epsilon", &hp->eps, true, e) < 0 ||
        get_f32_opt(f, ar, "rope.freq_base", &hp->rope_base, false, e) < 0)
        return -1;
    if (hp->n_head_kv < 0)
        hp->n_head_kv = hp->n_head;
    const char *bad = NULL;
    if (hp->n_embd < 1 || hp->n_embd > (1 << 20)) bad = "embedding_length";
    else if (hp->n_ff < 1 || hp->n_ff > (1 << 22)) bad = "feed_forward_length";
    else if (hp->n_layer < 1 || hp->n_layer > 4096) bad = "block_count";
    else if (hp->n_head < 1 || hp->n_embd % hp->n_head) bad = "attention.head_count (must divide embedding_length)";
    else if (hp->n_head_kv < 1 || hp->n_head % hp->n_head_kv) bad = "attention.head_count_kv (must divide head_count)";
    if (bad)
        return llm_fail(e, "%s: bad %s.%s", f->path, ar, bad);
    hp->head_dim = hp->n_embd / hp->n_head;
    if (hp->n_rot < 0)
        hp->n_rot = hp->head_dim;
    if (hp->n_rot > hp->head_dim || hp->n_rot % 2)
        return llm_fail(e, "%s: bad %s.rope.dimension_count %d (head size %d)", f->path, ar,
                        hp->n_rot, hp->head_dim);
    if (!(hp->eps > 0 && hp->eps < 1))
        return llm_fail(e, "%s: bad %s.attention.layer_norm_rms_epsilon %g", f->path, ar, hp->eps);
    if (!(hp->rope_base > 0 && hp->rope_base < 1e30f))
        return llm_fail(e, "%s: bad %s.rope.freq_base %g", f->path, ar, hp->rope_base);
    if (hp->n_ctx_train < 1)
        hp->n_ctx_train = 2048;
    hp->rope_neox = hp->arch == LLM_ARCH_QWEN2;
    /* context extension: linear scaling is a factor on the angle; YaRN and
     * the others change more than that and are refused, not approximated */
    hp->rope_freq_scale = 1.0f;
    char key[128];
    snprintf(key, sizeof key, "%s.rope.scaling.type", ar);
    gguf_str st;
    if (gguf_find(f, key)) {
        if (gguf_get_str(f, key, &st, e) < 0)
            return -1;
        if (!gguf_str_eq(st, "none") && !gguf_str_eq(st, "linear"))
            return llm_fail(e, "%s: %s '%.*s' is not supported (none, linear)", f->path, key,
                            (int)(st.len > 32 ? 32 : st.len), st.ptr);
    }
    float factor = 0;
    snprintf(key, sizeof key, "%s.rope.scaling.factor", ar);
    if (gguf_find(f, key) && gguf_get_f32(f, key, &factor, e) < 0)
        return -1;
    snprintf(key, sizeof key, "%s.rope.scale_linear", ar);
    if (!factor && gguf_find(f, key) && gguf_get_f32(f, key, &factor, e) < 0)
        return -1;
    if (factor > 0)
        hp->rope_freq_scale = 1.0f / factor;
    return 0;
}

static int load_layer(const gguf_file *f, const llm_hparams *hp, int il, llm_layer *L, llm_err *e)
{
    char n[96];
    int64_t d = hp->n_embd, kv = (int64_t)hp->head_dim * hp->n_head_kv, ff = hp->n_ff;
#define NAME(s) (snprintf(n, sizeof n, "blk.%d.%s", il, s), n)
    if (!(L->attn_norm = get_vector(f, NAME("attn_norm.weight"), d, e)) ||
        get_weight(f, NAME("attn_q.weight"), d, d, &L->wq, e) < 0 ||
        get_weight(f, NAME("attn_k.weight"), d, kv, &L->wk, e) < 0 ||
        get_weight(f, NAME("attn_v.weight"), d, kv, &L->wv, e) < 0 ||
        get_weight(f, NAME("attn_output.weight"), d, d, &L->wo, e) < 0 ||
        !(L->ffn_norm = get_vector(f, NAME("ffn_norm.weight"), d, e)) ||
        get_weight(f, NAME("ffn_gate.weight"), d, ff, &L->gate, e) < 0 ||
        get_weight(f, NAME("ffn_up.weight"), d, ff, &L->up, e) < 0 ||
        get_weight(f, NAME("ffn_down.weight"), ff, d, &L->down, e) < 0)
        return -1;
    if (hp->arch == LLM_ARCH_QWEN2) {
        if (!(L->bq = get_vector(f, NAME("attn_q.bias"), d, e)) ||
            !(L->bk = get_vector(f, NAME("attn_k.bias"), kv, e)) ||
            !(L->bv = get_vector(f, NAME("attn_v.bias"), kv, e)))
            return -1;
    }
#undef NAME
    return 0;
}

/* Build the model over gf (owned from here on, even on failure). */
/* The layer weights and a separate output matrix go to the weight arena
 * (repack.h) packed, where the type has packed kernels; with --no-mmap
 * all of them, the others copied as they are. The mapping's pages of each
 * are released, so memory stays about the file size. token_embd is read by row for the embeddings and
 * stays in the mapping. Where there are no packed kernels (the portable
 * path, ARM for now) every weight stays in the mapping. */
static atomic_bool no_mmap;

void llm_model_set_no_mmap(bool on) { atomic_store(&no_mmap, on); }

static void place_weights(llm_model *m)
{
    bool all_in = atomic_load(&no_mmap);
    if (!llm_gemv8_fn_for(LLM_Q4_0))
        return;
    llm_weight **all = malloc(((size_t)m->hp.n_layer * 7 + 1) * sizeof *all);
    if (!all)   /* the mapping serves */
        return;
    size_t nw = 0, total = 0;
    for (int il = 0; il < m->hp.n_layer; il++) {
        llm_layer *L = &m->layers[il];
        llm_weight *ws[] = { &L->wq, &L->wk, &L->wv, &L->wo, &L->gate, &L->up, &L->down };
        for (size_t i = 0; i < sizeof ws / sizeof *ws; i++)
            if (all_in || llm_weight_packable(ws[i])) all[nw++] = ws[i];
    }
    if (!m->tied_output && (all_in || llm_weight_packable(&m->output))) all[nw++] = &m->output;
    for (size_t i = 0; i < nw; i++) total += llm_weight_place_bytes(all[i]);
    /* Under an address-space limit (ulimit -v) the released pages still
     * count: the arena doubles the model's share of it. Place the weights
     * only if the copy leaves 256 MB beside the mapping; else run from the
     * mapping. */
    struct rlimit rl;
    uint8_t *arena = NULL;
    if (!(getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
          (uint64_t)m->gf->size + total + (256ull << 20) > (uint64_t)rl.rlim_cur))
        arena = nw ? llm_arena_alloc(total, all_in) : NULL;
    if (!arena) {   /* no room for the copy: the mapping serves as it is */
        free(all);
        return;
    }
    m->arena = arena;
    m->arena_size = total;
    for (size_t i = 0, off = 0; i < nw; i++) {
        size_t b = llm_weight_place_bytes(all[i]);
        llm_weight_place(all[i], arena + off);
        off += b;
    }
    free(all);
}

llm_model *llm_model_from_gguf(gguf_file *gf, llm_err *e)
{
    llm_model *m = calloc(1, sizeof *m);
    if (!m) {
        gguf_close(gf);
        llm_fail(e, "out of memory");
        return NULL;
    }
    m->gf = gf;
    llm_hparams *hp = &m->hp;
    if (load_hparams(gf, hp, e) < 0)
        goto fail;
    const gguf_tensor *te = gguf_find_tensor(gf, "token_embd.weight");
    if (!te) {
        llm_fail(e, "%s: tensor 'token_embd.weight' missing", gf->path);
        goto fail;
    }
    if (te->n_dims != 2 || te->ne[1] < 1 || te->ne[1] > 0x7fffffff) {
        llm_fail(e, "%s: tensor 'token_embd.weight' is not a [%d x n_vocab] matrix", gf->path, hp->n_embd);
        goto fail;
    }
    hp->n_vocab = (int32_t)te->ne[1];
    if (get_weight(gf, "token_embd.weight", hp->n_embd, hp->n_vocab, &m->tok_embd, e) < 0)
        goto fail;
    m->layers = calloc((size_t)hp->n_layer, sizeof *m->layers);
    if (!m->layers) {
        llm_fail(e, "out of memory");
        goto fail;
    }
    for (int il = 0; il < hp->n_layer; il++)
        if (load_layer(gf, hp, il, &m->layers[il], e) < 0)
            goto fail;
    if (!(m->output_norm = get_vector(gf, "output_norm.weight", hp->n_embd, e)))
        goto fail;
    if (gguf_find_tensor(gf, "rope_freqs.weight") &&
        !(m->rope_freqs = get_vector(gf, "rope_freqs.weight", hp->n_rot / 2, e)))
        goto fail;
    if (gguf_find_tensor(gf, "output.weight")) {
        if (get_weight(gf, "output.weight", hp->n_embd, hp->n_vocab, &m->output, e) < 0)
            goto fail;
    } else {
        m->output = m->tok_embd;
        m->tied_output = true;
    }
    place_weights(m);   /* cannot fail: without room, the mapping serves */
    return m;
fail:
    llm_model_free(m);
    return NULL;
}

llm_model *llm_model_load(const char *path, llm_err *e)
{
    gguf_file *gf = gguf_open(path, e);
    if (!gf)
        return NULL;
    return llm_model_from_gguf(gf, e);
}

void llm_model_free(llm_model *m)
{
    if (!m)
        return;
    if (m->layers) {
        for (int il = 0; il < m->hp.n_layer; il++) {
            llm_layer *L = &m->layers[il];
            free(L->attn_norm);
            free(L->ffn_norm);
            free(L->bq);
            free(L->bk);
            free(L->bv);
        }
        free(m->layers);
    }
    /* the packed weights live in the arena */
    llm_arena_free(m->arena, m->arena_size);
    free(m->output_norm);
    free(m->rope_freqs);
    gguf_close(m->gf);
    free(m);
}
