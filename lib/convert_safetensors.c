/* convert_safetensors.c: a Hugging Face model folder (config.json,
 * *.safetensors, tokenizer files) to a GGUF llama or qwen2 model, with the
 * names, key-values and layouts llama.cpp's convert_hf_to_gguf.py writes.
 *
 * safetensors: u64 little-endian header length N, N bytes of JSON
 * ({"name": {"dtype": "F16", "shape": [rows, cols], "data_offsets": [b, e]},
 * "__metadata__": {...}}), then the data; offsets count from its start.
 * Shapes are PyTorch's (outermost first): GGUF's ne is the reverse.
 *
 * llama's Q and K rows are permuted: Hugging Face stores each head's
 * rotary pairs as (first half, second half), llama.cpp's LLAMA rope wants
 * them adjacent. qwen2 (NEOX rope) keeps Hugging Face's layout. Vectors
 * (norms, biases) become F32 as llama.cpp stores them; matrices keep their
 * type unless a TYPE is given. */
#include "convert.h"
#include "dtype.h"
#include "json.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct hparams {
    char arch[16];
    int64_t n_embd, n_ff, n_layer, n_head, n_head_kv, n_ctx, n_vocab, head_dim;
    double eps, theta;
    int tied;
    /* llama3 rope scaling: factor, low/high frequency factors, original context */
    double l3_factor, l3_low, l3_high, l3_ctx;
} hparams;

static int64_t need_int(const json_val *c, const char *key, const char *path, int64_t *out, llm_err *e)
{
    const json_val *v = json_get(c, key);
    if (!v || v->type != JSON_NUMBER || !v->num.is_int || v->num.i <= 0 || v->num.i > (1LL << 31))
        return llm_fail(e, "%s: '%s' missing or not a positive integer", path, key);
    *out = v->num.i;
    return 0;
}

static double num_or(const json_val *c, const char *key, double dflt)
{
    const json_val *v = json_get(c, key);
    return v && v->type == JSON_NUMBER ? v->num.d : dflt;
}

/* config.json: the architecture and the hyper-parameters. Adds the model
 * key-values to w. */
static int read_config(const char *dir, hparams *hp, gguf_writer *w, llm_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    json_doc *d = json_parse_file(path, e);
    if (!d) return -1;
    const json_val *c = json_root(d);
    const json_val *archs = json_get(c, "architectures");
    const char *a = archs && archs->type == JSON_ARRAY && archs->arr.n && archs->arr.items[0].type == JSON_STRING
                        ? archs->arr.items[0].str.s : json_get_str(c, "model_type", "?");
    int rc = -1;
    memset(hp, 0, sizeof *hp);
    if (!strcmp(a, "LlamaForCausalLM") || !strcmp(a, "MistralForCausalLM") || !strcmp(a, "llama") || !strcmp(a, "mistral"))
        snprintf(hp->arch, sizeof hp->arch, "llama");
    else if (!strcmp(a, "Qwen2ForCausalLM") || !strcmp(a, "qwen2"))
        snprintf(hp->arch, sizeof hp->arch, "qwen2");
    else {
        llm_fail(e, "%s: architecture '%s' is not supported (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)", path, a);
        goto out;
    }
    if (need_int(c, "hidden_size", path, &hp->n_embd, e) < 0 || need_int(c, "intermediate_size", path, &hp->n_ff, e) < 0 ||
        need_int(c, "num_hidden_layers", path, &hp->n_layer, e) < 0 ||
        need_int(c, "num_attention_heads", path, &hp->n_head, e) < 0)
        goto out;
    hp->n_head_kv = json_get_int(c, "num_key_value_heads", hp->n_head);
    hp->n_ctx = json_get_int(c, "max_position_embeddings", 0);
    hp->n_vocab = json_get_int(c, "vocab_size", 0);
    hp->head_dim = json_get_int(c, "head_dim", 0);
    hp->eps = num_or(c, "rms_norm_eps", 1e-6);
    hp->theta = num_or(c, "rope_theta", num_or(json_get(c, "rope_parameters"), "rope_theta", 0));
    hp->tied = json_get_bool(c, "tie_word_embeddings", false);
    if (hp->head_dim < 0 || hp->head_dim > (1 << 20) || hp->n_ctx < 0 || hp->n_ctx > (1LL << 31) ||
        hp->n_vocab < 0 || hp->n_vocab > (1 << 24)) {
        llm_fail(e, "%s: head_dim %lld, max_position_embeddings %lld or vocab_size %lld out of range", path,
                 (long long)hp->head_dim, (long long)hp->n_ctx, (long long)hp->n_vocab);
        goto out;
    }
    if (hp->n_head_kv <= 0 || hp->n_head % hp->n_head_kv || hp->n_layer > 4096) {
        llm_fail(e, "%s: %lld heads, %lld key-value heads, %lld layers: inconsistent", path, (long long)hp->n_head,
                 (long long)hp->n_head_kv, (long long)hp->n_layer);
        goto out;
    }
    const char *ar = hp->arch;
    char k[96];
    int ok = gguf_set_str(w, "general.architecture", ar, strlen(ar)) == 0 &&
             gguf_set_str(w, "general.type", "model", 5) == 0;
    const char *base = strrchr(dir, '/');
    base = base && base[1] ? base + 1 : dir;
    ok = ok && gguf_set_str(w, "general.name", base, strlen(base)) == 0;
#define U32(key, v) (snprintf(k, sizeof k, "%s." key, ar), gguf_set_u32(w, k, (uint32_t)(v)) == 0)
#define F32(key, v) (snprintf(k, sizeof k, "%s." key, ar), gguf_set_f32(w, k, (float)(v)) == 0)
    ok = ok && U32("block_count", hp->n_layer);
    if (hp->n_ctx > 0) ok = ok && U32("context_length", hp->n_ctx);
    ok = ok && U32("embedding_length", hp->n_embd) && U32("feed_forward_length", hp->n_ff) &&
         U32("attention.head_count", hp->n_head) && U32("attention.head_count_kv", hp->n_head_kv);
    if (hp->theta > 0) ok = ok && F32("rope.freq_base", hp->theta);
    ok = ok && F32("attention.layer_norm_rms_epsilon", hp->eps);
    if (hp->head_dim > 0) ok = ok && U32("attention.key_length", hp->head_dim) && U32("attention.value_length", hp->head_dim);
    if (!strcmp(ar, "llama")) {
        if (hp->n_vocab > 0) ok = ok && U32("vocab_size", hp->n_vocab);
        ok = ok && U32("rope.dimension_count", hp->head_dim > 0 ? hp->head_dim : hp->n_embd / hp->n_head);
    }
    const json_val *rs = json_get(c, "rope_scaling");
    if (!rs || rs->type != JSON_OBJECT) rs = json_get(c, "rope_parameters");
    if (rs && rs->type == JSON_OBJECT) {
        const char *rt = json_get_str(rs, "rope_type", json_get_str(rs, "type", ""));
        double f = num_or(rs, "factor", 0);
        if (!strcmp(rt, "linear") && f > 0) {
            ok = ok && (snprintf(k, sizeof k, "%s.rope.scaling.type", ar), gguf_set_str(w, k, "linear", 6) == 0) &&
                 F32("rope.scaling.factor", f);
        } else if (!strcmp(rt, "yarn") && f > 0) {
            ok = ok && (snprintf(k, sizeof k, "%s.rope.scaling.type", ar), gguf_set_str(w, k, "yarn", 4) == 0) &&
                 F32("rope.scaling.factor", f) &&
                 U32("rope.scaling.original_context_length", json_get_int(rs, "original_max_position_embeddings", 0));
        } else if (!strcasecmp(rt, "llama3") && !strcmp(ar, "llama")) {
            /* becomes a rope_freqs.weight tensor (see rope_freqs) */
            hp->l3_factor = num_or(rs, "factor", 8.0);
            hp->l3_low = num_or(rs, "low_freq_factor", 1.0);
            hp->l3_high = num_or(rs, "high_freq_factor", 4.0);
            hp->l3_ctx = num_or(rs, "original_max_position_embeddings", 8192);
            if (hp->l3_factor <= 0 || hp->l3_high <= hp->l3_low) {
                llm_fail(e, "%s: llama3 rope_scaling with factor %g, frequency factors %g..%g", path,
                         hp->l3_factor, hp->l3_low, hp->l3_high);
                goto out;
            }
        } else if (*rt && strcmp(rt, "default") != 0) {
            llm_fail(e, "%s: rope_scaling type '%s' is not supported (linear, yarn, llama3)", path, rt);
            goto out;
        }
    }
#undef U32
#undef F32
    rc = ok ? 0 : llm_fail(e, "out of memory");
out:
    json_free(d);
    return rc;
}

/* ---- tensors ----------------------------------------------------------- */

typedef struct stensor {
    char name[96];          /* GGUF name */
    int layer;
    uint32_t type;
    uint32_t n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    const uint8_t *data;
} stensor;

typedef struct tlist { stensor *t; size_t n, cap; } tlist;

/* The GGUF name of a Hugging Face tensor; 0 ok, 1 skip, -1 unknown. */
static int map_name(const char *hf, char *out, size_t n, int *layer)
{
    static const struct { const char *hf, *gg; } glob[] = {
        { "model.embed_tokens.weight", "token_embd.weight" }, { "model.norm.weight", "output_norm.weight" },
        { "lm_head.weight", "output.weight" },
    };
    static const struct { const char *hf, *gg; } per[] = {
        { "input_layernorm.weight", "attn_norm.weight" }, { "post_attention_layernorm.weight", "ffn_norm.weight" },
        { "self_attn.q_proj.weight", "attn_q.weight" }, { "self_attn.q_proj.bias", "attn_q.bias" },
        { "self_attn.k_proj.weight", "attn_k.weight" }, { "self_attn.k_proj.bias", "attn_k.bias" },
        { "self_attn.v_proj.weight", "attn_v.weight" }, { "self_attn.v_proj.bias", "attn_v.bias" },
        { "self_attn.o_proj.weight", "attn_output.weight" }, { "self_attn.o_proj.bias", "attn_output.bias" },
        { "mlp.gate_proj.weight", "ffn_gate.weight" }, { "mlp.up_proj.weight", "ffn_up.weight" },
        { "mlp.down_proj.weight", "ffn_down.weight" },
    };
    *layer = -1;
    for (size_t i = 0; i < sizeof glob / sizeof glob[0]; i++)
        if (!strcmp(hf, glob[i].hf)) { snprintf(out, n, "%s", glob[i].gg); return 0; }
    const char *rest = strstr(hf, "rotary_emb.inv_freq");
    if (rest) return 1;   /* recomputed by every runtime */
    int l, pos = 0;
    if (sscanf(hf, "model.layers.%d.%n", &l, &pos) != 1 || pos == 0 || l < 0) return -1;
    for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
        if (!strcmp(hf + pos, per[i].hf)) {
            snprintf(out, n, "blk.%d.%s", l, per[i].gg);
            *layer = l;
            return 0;
        }
    }
    return -1;
}

static int dtype_of(const char *s)
{
    return !strcmp(s, "F32") ? LLM_F32 : !strcmp(s, "F16") ? LLM_F16 : !strcmp(s, "BF16") ? LLM_BF16 : -1;
}

/* Read one .safetensors file's header and add its tensors to l. */
static int read_file(llm_convert *cv, const char *path, tlist *l, const hparams *hp, llm_err *e)
{
    size_t len;
    const uint8_t *m = llm_convert_map(cv, path, &len, e);
    if (!m) return -1;
    uint64_t hl;
    if (len < 8) return llm_fail(e, "%s: %zu bytes: too short for safetensors", path, len);
    memcpy(&hl, m, 8);
    if (hl < 2 || hl > len - 8 || hl > (1u << 30))
        return llm_fail(e, "%s: offset 0: header length %llu does not fit the file (%zu bytes)", path,
                        (unsigned long long)hl, len);
    json_doc *d = json_parse((const char *)m + 8, (size_t)hl, path, e);
    if (!d) return -1;
    const json_val *root = json_root(d);
    const uint8_t *data = m + 8 + hl;
    uint64_t dlen = len - 8 - hl;
    int rc = -1;
    if (root->type != JSON_OBJECT) { llm_fail(e, "%s: offset 8: header is not a JSON object", path); goto out; }
    for (size_t i = 0; i < root->arr.n; i++) {
        const json_val *t = &root->arr.items[i];
        if (!strcmp(t->key, "__metadata__")) continue;
        char name[96];
        int layer, r = map_name(t->key, name, sizeof name, &layer);
        if (r == 1) continue;
        if (r < 0) { llm_fail(e, "%s: tensor '%s' is not a %s tensor this converter knows", path, t->key, hp->arch); goto out; }
        if (layer >= hp->n_layer) { llm_fail(e, "%s: tensor '%s': layer beyond num_hidden_layers %lld", path, t->key, (long long)hp->n_layer); goto out; }
        int ty = dtype_of(json_get_str(t, "dtype", ""));
        const json_val *sh = json_get(t, "shape"), *of = json_get(t, "data_offsets");
        if (ty < 0) { llm_fail(e, "%s: tensor '%s': dtype '%s' is not supported (F32, F16, BF16)", path, t->key, json_get_str(t, "dtype", "?")); goto out; }
        if (!sh || sh->type != JSON_ARRAY || sh->arr.n < 1 || sh->arr.n > GGUF_MAX_DIMS || !of ||
            of->type != JSON_ARRAY || of->arr.n != 2) {
            llm_fail(e, "%s: offset %llu: tensor '%s': bad shape or data_offsets", path, (unsigned long long)(8 + t->offset), t->key);
            goto out;
        }
        stensor s = { .layer = layer, .type = (uint32_t)ty, .n_dims = (uint32_t)sh->arr.n };
        snprintf(s.name, sizeof s.name, "%s", name);
        uint64_t numel = 1;
        for (int k = 0; k < GGUF_MAX_DIMS; k++) s.ne[k] = 1;
        for (size_t k = 0; k < sh->arr.n; k++) {
            const json_val *x = &sh->arr.items[k];
            if (x->type != JSON_NUMBER || !x->num.is_int || x->num.i <= 0 || x->num.i > (1LL << 40) ||
                numel > (UINT64_C(1) << 62) / (uint64_t)x->num.i) {
                llm_fail(e, "%s: tensor '%s': bad dimension", path, t->key);
                goto out;
            }
            s.ne[sh->arr.n - 1 - k] = x->num.i;
            numel *= (uint64_t)x->num.i;
        }
        const json_val *b = &of->arr.items[0], *en = &of->arr.items[1];
        uint64_t esz = ty == LLM_F32 ? 4 : 2;
        if (b->type != JSON_NUMBER || en->type != JSON_NUMBER || b->num.i < 0 || en->num.i < b->num.i ||
            (uint64_t)en->num.i > dlen || (uint64_t)(en->num.i - b->num.i) != numel * esz) {
            llm_fail(e, "%s: tensor '%s': data_offsets [%lld, %lld] do not hold %llu values in %llu bytes of data",
                     path, t->key, (long long)b->num.i, (long long)en->num.i, (unsigned long long)numel,
                     (unsigned long long)dlen);
            goto out;
        }
        s.data = data + b->num.i;
        for (size_t k = 0; k < l->n; k++)
            if (!strcmp(l->t[k].name, s.name)) { llm_fail(e, "%s: tensor '%s' appears twice", path, t->key); goto out; }
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 64;
            stensor *nt = realloc(l->t, cap * sizeof *nt);
            if (!nt) { llm_fail(e, "out of memory"); goto out; }
            l->t = nt;
            l->cap = cap;
        }
        l->t[l->n++] = s;
    }
    rc = 0;
out:
    json_free(d);
    return rc;
}

/* llama.cpp's permutation of Q/K rows for LLAMA rope: within each of
 * n_head heads, row 2j+t comes from row t*half+j (half = rows per head / 2). */
static void *permute_rows(const stensor *s, int64_t n_head)
{
    int64_t rows = s->n_dims == 1 ? s->ne[0] : s->ne[1];
    size_t row = s->n_dims == 1 ? llm_row_size(s->type, 1) : llm_row_size(s->type, s->ne[0]);
    uint8_t *out = malloc((size_t)rows * row);
    if (!out) return NULL;
    int64_t per = rows / n_head, half = per / 2;
    for (int64_t h = 0; h < n_head; h++)
        for (int64_t j = 0; j < half; j++)
            for (int t = 0; t < 2; t++)
                memcpy(out + (size_t)(h * per + 2 * j + t) * row, s->data + (size_t)(h * per + t * half + j) * row, row);
    return out;
}

/* Llama 3.1's rope frequency factors, one per rotary pair, as llama.cpp's
 * converter computes them (float32): 1 for short wavelengths, factor for
 * long ones, a smooth blend between. */
static float *rope_freqs(const hparams *hp, int64_t hd)
{
    float *f = malloc((size_t)(hd / 2) * sizeof *f);
    if (!f) return NULL;
    const float lo_wl = (float)(hp->l3_ctx / hp->l3_low), hi_wl = (float)(hp->l3_ctx / hp->l3_high);
    const float base = (float)(hp->theta > 0 ? hp->theta : 10000.0), factor = (float)hp->l3_factor;
    for (int64_t i = 0; i < hd / 2; i++) {
        float freq = 1.0f / powf(base, (float)(2 * i) / (float)hd);
        float wl = (float)(2 * M_PI) / freq;
        if (wl < hi_wl) f[i] = 1.0f;
        else if (wl > lo_wl) f[i] = factor;
        else {
            float smooth = ((float)hp->l3_ctx / wl - (float)hp->l3_low) / (float)(hp->l3_high - hp->l3_low);
            f[i] = 1.0f / ((1.0f - smooth) / factor + smooth);
        }
    }
    return f;
}

static int by_layer_name(const void *a, const void *b)
{
    const stensor *x = a, *y = b;
    if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int ends(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

llm_convert *llm_convert_safetensors(const char *dir, gguf_writer *w, llm_qsrc *src, llm_err *e)
{
    memset(src, 0, sizeof *src);
    llm_convert *cv = llm_convert_new();
    tlist l = { 0 };
    hparams hp;
    char path[4096], p2[4096], p3[4096], p4[4096];
    struct stat st;
    if (!cv) { llm_fail(e, "out of memory"); return NULL; }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) { llm_fail(e, "%s: not a folder", dir); goto fail; }
    if (read_config(dir, &hp, w, e) < 0) goto fail;

    /* every *.safetensors file, in name order */
    DIR *dd = opendir(dir);
    if (!dd) { llm_fail(e, "%s: cannot list the folder", dir); goto fail; }
    char **files = NULL;
    size_t nf = 0;
    struct dirent *de;
    while ((de = readdir(dd))) {
        if (!ends(de->d_name, ".safetensors")) continue;
        char **nfiles = realloc(files, (nf + 1) * sizeof *files);
        if (!nfiles) break;
        files = nfiles;
        files[nf++] = strdup(de->d_name);
    }
    closedir(dd);
    qsort(files, nf, sizeof *files, (int (*)(const void *, const void *))strcmp);
    int bad = nf == 0;
    if (bad) llm_fail(e, "%s: no *.safetensors files", dir);
    for (size_t i = 0; i < nf; i++) {
        if (!bad) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            bad = read_file(cv, path, &l, &hp, e) < 0;
        }
        free(files[i]);
    }
    free(files);
    if (bad) goto fail;

    /* everything a llama/qwen2 model needs is there, in the right shapes */
    int64_t hd = hp.head_dim > 0 ? hp.head_dim : hp.n_embd / hp.n_head, V = 0;
    /* (no output.weight: the output shares token_embd, as llama.cpp reads it) */
    for (size_t i = 0; i < l.n; i++)
        if (!strcmp(l.t[i].name, "token_embd.weight")) V = l.t[i].ne[1];
    if (!V) { llm_fail(e, "%s: model.embed_tokens.weight missing", dir); goto fail; }
    if (hp.n_vocab > 0 && V != hp.n_vocab) {
        llm_fail(e, "%s: the embedding has %lld rows but config.json's vocab_size is %lld", dir, (long long)V, (long long)hp.n_vocab);
        goto fail;
    }
    static const char *const need[] = { "attn_norm.weight", "ffn_norm.weight", "attn_q.weight", "attn_k.weight",
                                        "attn_v.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight",
                                        "ffn_down.weight" };
    for (int64_t ly = -1; ly < hp.n_layer; ly++) {
        for (size_t k = 0; k < (ly < 0 ? 1 : sizeof need / sizeof need[0]); k++) {
            char nm[96];
            if (ly < 0) snprintf(nm, sizeof nm, "output_norm.weight");
            else snprintf(nm, sizeof nm, "blk.%lld.%s", (long long)ly, need[k]);
            size_t i = 0;
            while (i < l.n && strcmp(l.t[i].name, nm)) i++;
            if (i == l.n) { llm_fail(e, "%s: tensor for '%s' missing", dir, nm); goto fail; }
            int64_t want0 = strstr(nm, "ffn_down") ? hp.n_ff : hp.n_embd;
            int64_t want1 = strstr(nm, "attn_q.") ? hp.n_head * hd : strstr(nm, "attn_k.") || strstr(nm, "attn_v.") ? hp.n_head_kv * hd :
                            strstr(nm, "attn_output") || strstr(nm, "ffn_down") ? hp.n_embd : strstr(nm, "ffn_") && !strstr(nm, "norm") ? hp.n_ff : 1;
            if (strstr(nm, "attn_output")) want0 = hp.n_head * hd;
            if (l.t[i].ne[0] != want0 || l.t[i].ne[1] != want1) {
                llm_fail(e, "%s: '%s' is %lldx%lld, config.json implies %lldx%lld", dir, nm, (long long)l.t[i].ne[0],
                         (long long)l.t[i].ne[1], (long long)want0, (long long)want1);
                goto fail;
            }
        }
    }

    /* vocabulary */
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    snprintf(p2, sizeof p2, "%s/tokenizer_config.json", dir);
    snprintf(p3, sizeof p3, "%s/config.json", dir);
    snprintf(p4, sizeof p4, "%s/tokenizer.model", dir);
    if (llm_convert_hf_vocab(cv, path, p2, p3, p4, hp.arch, V, w, e) < 0) goto fail;

    /* llama3 rope scaling: an extra tensor of frequency factors */
    if (hp.l3_factor > 0) {
        if (l.n == l.cap) {
            stensor *nt = realloc(l.t, (l.cap + 1) * sizeof *nt);
            if (!nt) { llm_fail(e, "out of memory"); goto fail; }
            l.t = nt;
            l.cap++;
        }
        stensor *rf = &l.t[l.n++];
        memset(rf, 0, sizeof *rf);
        snprintf(rf->name, sizeof rf->name, "rope_freqs.weight");
        rf->layer = -1;
        rf->type = LLM_F32;
        rf->n_dims = 1;
        rf->ne[0] = hd / 2;
        rf->ne[1] = rf->ne[2] = rf->ne[3] = 1;
        if (!(rf->data = llm_convert_keep(cv, rope_freqs(&hp, hd)))) { llm_fail(e, "out of memory"); goto fail; }
    }

    /* the tensors: vectors to F32, llama's Q/K permuted */
    qsort(l.t, l.n, sizeof *l.t, by_layer_name);
    src->tensors = llm_convert_keep(cv, calloc(l.n + 1, sizeof *src->tensors));
    if (!src->tensors) { llm_fail(e, "out of memory"); goto fail; }
    uint32_t mtype = 0;
    int uniform = 1, first = 1;
    for (size_t i = 0; i < l.n; i++) {
        stensor *s = &l.t[i];
        llm_qsrc_tensor *t = &src->tensors[src->n_tensors++];
        if (!(t->name = llm_convert_keep(cv, strdup(s->name)))) { llm_fail(e, "out of memory"); goto fail; }
        const void *data = s->data;
        int is_q = strstr(s->name, ".attn_q.") != NULL, is_k = strstr(s->name, ".attn_k.") != NULL;
        if (!strcmp(hp.arch, "llama") && (is_q || is_k)) {
            int64_t nh = is_q ? hp.n_head : hp.n_head_kv;
            int64_t rows = s->n_dims == 1 ? s->ne[0] : s->ne[1];
            if (rows % (2 * nh)) { llm_fail(e, "%s: '%s': %lld rows do not split into %lld heads of pairs", dir, s->name, (long long)rows, (long long)nh); goto fail; }
            if (!(data = llm_convert_keep(cv, permute_rows(s, nh)))) { llm_fail(e, "out of memory"); goto fail; }
        }
        if (s->n_dims == 1 && s->type != LLM_F32) {
            float *f = llm_convert_keep(cv, malloc((size_t)s->ne[0] * sizeof *f));
            if (!f) { llm_fail(e, "out of memory"); goto fail; }
            for (int64_t k = 0; k < s->ne[0]; k++) {
                uint16_t h;
                memcpy(&h, (const uint8_t *)data + 2 * k, 2);
                f[k] = s->type == LLM_F16 ? llm_f16_to_f32(h) : llm_bf16_to_f32(h);
            }
            data = f;
            s->type = LLM_F32;
        }
        if (s->n_dims >= 2) {
            if (first) mtype = s->type;
            else if (mtype != s->type) uniform = 0;
            first = 0;
        }
        t->n_dims = s->n_dims;
        memcpy(t->ne, s->ne, sizeof t->ne);
        t->type = s->type;
        t->data = data;
    }
    if (uniform && !first)
        gguf_set_u32(w, "general.file_type", mtype == LLM_F32 ? 0 : mtype == LLM_F16 ? 1 : 32);
    gguf_set_u32(w, "general.quantization_version", 2);
    snprintf(src->hp.arch, sizeof src->hp.arch, "%s", hp.arch);
    src->hp.n_layer = (int)hp.n_layer;
    src->hp.n_head = (int)hp.n_head;
    src->hp.n_head_kv = (int)hp.n_head_kv;
    free(l.t);
    return cv;
fail:
    free(l.t);
    llm_convert_free(cv);
    memset(src, 0, sizeof *src);
    return NULL;
}

llm_convert *llm_convert_vocab(const char *path, gguf_writer *w, llm_err *e)
{
    llm_convert *cv = llm_convert_new();
    if (!cv) { llm_fail(e, "out of memory"); return NULL; }
    char tj[4096], tc[4096], cj[4096], sp[4096];
    struct stat st;
    if (stat(path, &st) != 0) { llm_fail(e, "%s: no such file or folder", path); goto fail; }
    if (S_ISDIR(st.st_mode)) {
        snprintf(tj, sizeof tj, "%s/tokenizer.json", path);
        snprintf(tc, sizeof tc, "%s/tokenizer_config.json", path);
        snprintf(cj, sizeof cj, "%s/config.json", path);
        snprintf(sp, sizeof sp, "%s/tokenizer.model", path);
    } else {
        /* a lone tokenizer.json: its config is the sibling "...tokenizer_config.json" */
        snprintf(tj, sizeof tj, "%s", path);
        size_t n = strlen(path);
        if (ends(path, "tokenizer.json") && n - 5 + 12 < sizeof tc)
            snprintf(tc, sizeof tc, "%.*s_config.json", (int)(n - 5), path);
        else
            tc[0] = 0;
        const char *slash = strrchr(path, '/');
        snprintf(cj, sizeof cj, "%.*sconfig.json", slash ? (int)(slash - path + 1) : 0, path);
        sp[0] = 0;
    }
    /* the architecture: config.json's, else the tokenizer class's */
    char arch[16] = "llama";
    json_doc *d = NULL;
    if (!access(cj, R_OK) && (d = json_parse_file(cj, e))) {
        const json_val *a = json_get(json_root(d), "architectures");
        if (a && a->type == JSON_ARRAY && a->arr.n && a->arr.items[0].type == JSON_STRING &&
            !strncmp(a->arr.items[0].str.s, "Qwen2", 5))
            snprintf(arch, sizeof arch, "qwen2");
        json_free(d);
    } else if (tc[0] && !access(tc, R_OK) && (d = json_parse_file(tc, e))) {
        if (!strncmp(json_get_str(json_root(d), "tokenizer_class", ""), "Qwen2", 5)) snprintf(arch, sizeof arch, "qwen2");
        json_free(d);
    }
    if (gguf_set_str(w, "general.architecture", arch, strlen(arch)) < 0 ||
        gguf_set_str(w, "general.type", "vocab", 5) < 0) {
        llm_fail(e, "out of memory");
        goto fail;
    }
    if (llm_convert_hf_vocab(cv, tj, tc[0] ? tc : NULL, cj, sp[0] ? sp : NULL, arch, 0, w, e) < 0) goto fail;
    return cv;
fail:
    llm_convert_free(cv);
    return NULL;
}
