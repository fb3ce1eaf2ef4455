/* quantize_mix.c: which type each tensor gets, as llama.cpp's
 * llama-quantize decides it (src/llama-quant.cpp, llama_tensor_get_type),
 * for the mixes this suite writes. Rules were read from llama.cpp and
 * rewritten here; the goldens in tests/golden/quantize/ pin them. */
#include "quantize.h"
#include "dtype.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the mixes ------------------------------------------------------- */

typedef struct mix { const char *name; int ftype; int type; } mix;

static const mix mixes[] = {
    { "Q4_0", LLM_FTYPE_Q4_0, LLM_Q4_0 },     { "Q4_1", LLM_FTYPE_Q4_1, LLM_Q4_1 },
    { "Q5_0", LLM_FTYPE_Q5_0, LLM_Q5_0 },     { "Q5_1", LLM_FTYPE_Q5_1, LLM_Q5_1 },
    { "Q8_0", LLM_FTYPE_Q8_0, LLM_Q8_0 },
    { "Q2_K", LLM_FTYPE_Q2_K, LLM_Q2_K },
    { "Q3_K_S", LLM_FTYPE_Q3_K_S, LLM_Q3_K }, { "Q3_K_M", LLM_FTYPE_Q3_K_M, LLM_Q3_K },
    { "Q3_K_L", LLM_FTYPE_Q3_K_L, LLM_Q3_K },
    { "Q4_K_S", LLM_FTYPE_Q4_K_S, LLM_Q4_K }, { "Q4_K_M", LLM_FTYPE_Q4_K_M, LLM_Q4_K },
    { "Q5_K_S", LLM_FTYPE_Q5_K_S, LLM_Q5_K }, { "Q5_K_M", LLM_FTYPE_Q5_K_M, LLM_Q5_K },
    { "Q6_K", LLM_FTYPE_Q6_K, LLM_Q6_K },
    { "F16", LLM_FTYPE_F16, LLM_F16 },        { "BF16", LLM_FTYPE_BF16, LLM_BF16 },
    { "F32", LLM_FTYPE_ALL_F32, LLM_F32 },
};
#define N_MIXES (sizeof mixes / sizeof mixes[0])

/* Names llama-quantize also accepts for a mix. */
static const struct { const char *alias, *name; } aliases[] = {
    { "Q3_K", "Q3_K_M" }, { "Q4_K", "Q4_K_M" }, { "Q5_K", "Q5_K_M" },
};

int llm_mix_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0) name = aliases[i].name;
    for (size_t i = 0; i < N_MIXES; i++)
        if (strcasecmp(name, mixes[i].name) == 0) return mixes[i].ftype;
    return -1;
}

const char *llm_mix_name(int ftype)
{
    for (size_t i = 0; i < N_MIXES; i++)
        if (mixes[i].ftype == ftype) return mixes[i].name;
    return NULL;
}

const char *llm_mix_names(void)
{
    return "Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K "
           "Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16 BF16 F32 (Q3_K, Q4_K, Q5_K: the _M mixes)";
}

int llm_mix_default_type(int ftype)
{
    for (size_t i = 0; i < N_MIXES; i++)
        if (mixes[i].ftype == ftype) return mixes[i].type;
    return -1;
}

/* ---- tensor categories ----------------------------------------------- */

enum cat { C_TOKEN_EMBD, C_ATTN_Q, C_ATTN_V, C_ATTN_K, C_ATTN_QKV, C_ATTN_KV_B,
           C_ATTN_OUTPUT, C_FFN_UP, C_FFN_GATE, C_FFN_DOWN, C_OUTPUT, C_OTHER };

/* The category llama.cpp puts a tensor name in (first match wins). */
static enum cat category(const char *n)
{
    if (strcmp(n, "output.weight") == 0) return C_OUTPUT;
    if (strcmp(n, "token_embd.weight") == 0 || strcmp(n, "per_layer_token_embd.weight") == 0)
        return C_TOKEN_EMBD;
    static const struct { const char *s; enum cat c; } subs[] = {
        { "attn_qkv.weight", C_ATTN_QKV }, { "attn_kv_b.weight", C_ATTN_KV_B },
        { "attn_v.weight", C_ATTN_V }, { "attn_k.weight", C_ATTN_K },
        { "attn_q.weight", C_ATTN_Q }, { "attn_output.weight", C_ATTN_OUTPUT },
        { "ffn_up", C_FFN_UP }, { "ffn_gate", C_FFN_GATE }, { "ffn_down", C_FFN_DOWN },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strstr(n, subs[i].s)) return subs[i].c;
    return C_OTHER;
}

/* attn_v-like tensors get the extra bits (and are counted for them). */
static int is_attn_v(enum cat c) { return c == C_ATTN_V || c == C_ATTN_QKV || c == C_ATTN_KV_B; }

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Whether a tensor is a weight llama.cpp quantizes at all: 2-D or more,
 * named *weight, and not a norm, router, position table or one of the
 * small special tensors of other architectures. */
static int quantizable(const llm_qsrc_tensor *t)
{
    if (t->n_dims < 2 || !ends_with(t->name, "weight")) return 0;
    static const char *const never[] = {
        "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel",
        "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight",
        "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_first.weight",
        "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
        "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
        "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
        "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight",
        "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
        ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
        ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
    };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(t->name, never[i])) return 0;
    return strcmp(t->name, "position_embd.weight") != 0 && strcmp(t->name, "token_types.weight") != 0;
}

/* ---- the per-mix rules ----------------------------------------------- */

typedef struct state {
    const llm_qhparams *hp;
    int ftype;
    int n_attn_wv, i_attn_wv, i_ffn_down;
    int tied;          /* no output.weight: token_embd doubles as the output */
    int output_type;   /* requested output type, or -1 */
} state;

/* The layers that get more bits in the _M mixes: the first and last
 * eighth, and every third one between. */
static int more_bits(int i, int n)
{
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

static int is_falcon(const state *s) { return strcmp(s->hp->arch, "falcon") == 0; }

/* llama.cpp calls a llama/qwen2 model of 80 layers "70B", and gives its
 * (8x shared) attn_v more bits. */
static int is_70b(const state *s)
{
    if (s->hp->n_layer != 80) return 0;
    if (strcmp(s->hp->arch, "llama") == 0) return s->hp->n_head != s->hp->n_head_kv;
    return strcmp(s->hp->arch, "qwen2") == 0;
}

static int n_gqa(const state *s)
{
    return s->hp->n_head_kv > 0 ? s->hp->n_head / s->hp->n_head_kv : 0;
}

/* The layer of an expert tensor, from its name ("blk.N."); -1 if none. */
static int layer_of(const char *name)
{
    int l;
    return sscanf(name, "blk.%d.", &l) == 1 ? l : -1;
}

/* The mix's type for one quantizable tensor, before the row-length check. */
static int mix_type(state *s, const llm_qsrc_tensor *t, enum cat c, int ty, llm_err *e)
{
    const int f = s->ftype, nexp = s->hp->n_expert;
    if (c == C_OUTPUT || (s->tied && c == C_TOKEN_EMBD)) {
        if (s->output_type >= 0) return s->output_type;
        if (is_falcon(s) || t->ne[0] % (int64_t)llm_type(ty)->blck != 0) return LLM_Q8_0;
        return ty != LLM_Q8_0 ? LLM_Q6_K : ty;
    }
    if (c == C_TOKEN_EMBD) return ty;
    if (is_attn_v(c)) {
        if (f == LLM_FTYPE_Q2_K) ty = n_gqa(s) >= 4 ? LLM_Q4_K : LLM_Q3_K;
        else if (f == LLM_FTYPE_Q3_K_M) ty = s->i_attn_wv < 2 ? LLM_Q5_K : LLM_Q4_K;
        else if (f == LLM_FTYPE_Q3_K_L) ty = LLM_Q5_K;
        else if ((f == LLM_FTYPE_Q4_K_M || f == LLM_FTYPE_Q5_K_M) && more_bits(s->i_attn_wv, s->n_attn_wv))
            ty = LLM_Q6_K;
        else if (f == LLM_FTYPE_Q4_K_S && s->i_attn_wv < 4) ty = LLM_Q5_K;
        if (is_70b(s) && (ty == LLM_Q3_K || ty == LLM_Q4_K)) ty = LLM_Q5_K;
        if (nexp == 8) ty = LLM_Q8_0;
        s->i_attn_wv++;
        return ty;
    }
    if (c == C_ATTN_K) return nexp == 8 ? LLM_Q8_0 : ty;
    if (c == C_FFN_DOWN) {
        int i = s->i_ffn_down, n = s->hp->n_layer;
        if (nexp > 1) {
            /* experts are not stored in layer order: take the layer from the name */
            i = layer_of(t->name);
            if (i < 0 || i >= n)
                return llm_fail(e, "tensor '%s': cannot tell its layer (0..%d)", t->name, n - 1);
        }
        if (f == LLM_FTYPE_Q2_K) ty = LLM_Q3_K;
        else if (f == LLM_FTYPE_Q3_K_M)
            ty = i < n / 16 ? LLM_Q5_K : !is_falcon(s) || more_bits(i, n) ? LLM_Q4_K : LLM_Q3_K;
        else if (f == LLM_FTYPE_Q3_K_L) ty = is_falcon(s) ? LLM_Q4_K : LLM_Q5_K;
        else if (f == LLM_FTYPE_Q4_K_M) {
            if (is_falcon(s)) ty = i < n / 16 ? LLM_Q6_K : more_bits(i, n) ? LLM_Q5_K : LLM_Q4_K;
            else if (more_bits(i, n)) ty = LLM_Q6_K;
        } else if (f == LLM_FTYPE_Q5_K_M && more_bits(i, n)) ty = LLM_Q6_K;
        else if (f == LLM_FTYPE_Q4_K_S && !is_falcon(s) && i < n / 8) ty = LLM_Q5_K;
        s->i_ffn_down++;
        return ty;
    }
    if (c == C_ATTN_OUTPUT) {
        if (is_falcon(s)) return f == LLM_FTYPE_Q3_K_L ? LLM_Q4_K : ty;
        if (nexp == 8) {
            if (f == LLM_FTYPE_Q2_K || f == LLM_FTYPE_Q3_K_S || f == LLM_FTYPE_Q3_K_M ||
                f == LLM_FTYPE_Q4_K_S || f == LLM_FTYPE_Q4_K_M)
                ty = LLM_Q5_K;
            return ty;
        }
        if (f == LLM_FTYPE_Q2_K) return LLM_Q3_K;
        if (f == LLM_FTYPE_Q3_K_M) return LLM_Q4_K;
        if (f == LLM_FTYPE_Q3_K_L) return LLM_Q5_K;
    }
    return ty;
}

/* A type that fits rows of ncols values: the K types fall back to a
 * 32-block type, anything that still does not fit to F16. */
static int fit_type(int ty, int64_t ncols, int *fell)
{
    *fell = 0;
    if (ncols % (int64_t)llm_type(ty)->blck == 0) return ty;
    *fell = 1;
    switch (ty) {
    case LLM_Q2_K: case LLM_Q3_K: ty = LLM_Q4_0; break;
    case LLM_Q4_K: ty = LLM_Q5_0; break;
    case LLM_Q5_K: ty = LLM_Q5_1; break;
    case LLM_Q6_K: ty = LLM_Q8_0; break;
    default: break;
    }
    return ncols % (int64_t)llm_type(ty)->blck == 0 ? ty : LLM_F16;
}

/* The layer a tensor belongs to for llama.cpp's ordering (-1: none). */
static int order_layer(const char *name)
{
    int l = -1;
    if (sscanf(name, "blk.%d.", &l) != 1) l = -1;
    return l;
}

static const llm_qsrc *sort_src;
static int by_layer_then_name(const void *a, const void *b)
{
    const char *na = sort_src->tensors[*(const uint64_t *)a].name;
    const char *nb = sort_src->tensors[*(const uint64_t *)b].name;
    int la = order_layer(na), lb = order_layer(nb);
    if (la != lb) return la < lb ? -1 : 1;
    return strcmp(na, nb);
}

/* Pass a formatted notice to the caller, if it listens. */
static void note(const llm_qparams *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const llm_qparams *p, const char *fmt, ...)
{
    if (!p->note) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->note(p->cb_ctx, msg);
}

/* A type we can write as an override or output type. */
static int writable(int t)
{
    const llm_type_info *ti = t >= 0 ? llm_type((uint32_t)t) : NULL;
    return ti && t != LLM_Q8_1 && t != LLM_Q8_K;
}

int llm_quant_plan(const llm_qsrc *src, const llm_qparams *p, uint32_t *types,
                   bool *fallback, uint64_t *order, llm_err *e)
{
    uint64_t n = src->n_tensors;
    for (uint64_t i = 0; i < n; i++) order[i] = i;
    if (!p->keep_order && n > 1) {
        sort_src = src;   /* qsort has no context argument in C11 */
        qsort(order, n, sizeof *order, by_layer_then_name);
    }
    for (uint64_t i = 0; i < n; i++) { types[i] = src->tensors[i].type; fallback[i] = false; }
    if (p->ftype < 0) return 0;
    int dflt = llm_mix_default_type(p->ftype);
    if (dflt < 0) return llm_fail(e, "unknown quantization mix %d", p->ftype);
    if ((p->output_type >= 0 && !writable(p->output_type)) || (p->embd_type >= 0 && !writable(p->embd_type)))
        return llm_fail(e, "output or embedding type cannot be written");

    regex_t *re = calloc((size_t)p->n_overrides + 1, sizeof *re);
    if (!re) return llm_fail(e, "out of memory");
    int n_re = 0, rc = 0;
    for (; n_re < p->n_overrides; n_re++) {
        int err = regcomp(&re[n_re], p->overrides[n_re].pattern, REG_EXTENDED | REG_NOSUB);
        if (err) {
            char why[200];
            regerror(err, &re[n_re], why, sizeof why);
            rc = llm_fail(e, "--tensor-type '%s': %s", p->overrides[n_re].pattern, why);
            goto out;
        }
        if (!writable((int)p->overrides[n_re].type)) {
            regfree(&re[n_re]);
            rc = llm_fail(e, "--tensor-type '%s': type %u cannot be written",
                          p->overrides[n_re].pattern, p->overrides[n_re].type);
            goto out;
        }
    }

    state s = { .hp = &src->hp, .ftype = p->ftype, .tied = 1, .output_type = p->output_type };
    for (uint64_t i = 0; i < n; i++) {
        enum cat c = category(src->tensors[i].name);
        if (is_attn_v(c)) s.n_attn_wv++;
        if (c == C_OUTPUT) s.tied = 0;
    }
    const int quantized = llm_type((uint32_t)dflt)->quantized;
    for (uint64_t k = 0; k < n; k++) {
        uint64_t i = order[k];
        const llm_qsrc_tensor *t = &src->tensors[i];
        if (!quantizable(t)) continue;
        enum cat c = category(t->name);
        if (p->embd_type >= 0 && c == C_TOKEN_EMBD) { types[i] = (uint32_t)p->embd_type; continue; }
        if (p->output_type >= 0 && c == C_OUTPUT) { types[i] = (uint32_t)p->output_type; continue; }
        int ty = dflt;
        if (quantized) {
            int manual = 0;
            for (int r = 0; r < n_re; r++) {
                if (regexec(&re[r], t->name, 0, NULL, 0) == 0) {
                    ty = (int)p->overrides[r].type;
                    manual = 1;
                    break;
                }
            }
            if (!manual && !p->pure && (ty = mix_type(&s, t, c, ty, e)) < 0) { rc = -1; goto out; }
            int fell, fit = fit_type(ty, t->ne[0], &fell);
            if (fell) {
                note(p, "%s: rows of %lld values do not fit %s blocks of %u: using %s",
                     t->name, (long long)t->ne[0], llm_type((uint32_t)ty)->name,
                     llm_type((uint32_t)ty)->blck, llm_type((uint32_t)fit)->name);
                fallback[i] = true;
            }
            ty = fit;
        }
        types[i] = (uint32_t)ty;
    }
out:
    for (int r = 0; r < n_re; r++) regfree(&re[r]);
    free(re);
    return rc;
}
