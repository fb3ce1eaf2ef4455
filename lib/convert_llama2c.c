/* convert_llama2c.c: llama2.c checkpoints (karpathy/llama2.c export.py) and
 * tokenizer.bin to a GGUF llama model with the key-values and tensor order
 * of llama.cpp's convert-llama2c-to-ggml.
 *
 * Checkpoint layouts (little-endian, float32 unless said):
 *   legacy (v0): int32 dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 *     vocab_size (negative: a separate classifier follows), seq_len; then
 *     tok_embeddings, per-layer groups rms_att, wq, wk, wv, wo, rms_ffn,
 *     w1, w2, w3; rms_final; freq_cis real and imaginary (seq_len *
 *     head_size/2 each, unused); the classifier if not shared.
 *   versioned: u32 magic "ak42" (0x616b3432), int32 version, the same 7
 *     ints, u8 shared_classifier, (version 2: int32 group_size), zeros to
 *     byte 256. Version 1: rms_att, rms_ffn, rms_final, tok_embeddings,
 *     wq, wk, wv, wo, w1, w2, w3, [classifier]. Version 2: the norms in
 *     float32, then every matrix of that list as int8, then each matrix's
 *     float32 scales (one per group_size values: w = q * scale).
 * Matrices are PyTorch's [out][in], which is GGUF's ne = {in, out}; the
 * rotary layout of llama2.c is already llama.cpp's, so no permutation. */
#include "convert.h"
#include "dtype.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L2C_MAGIC 0x616b3432u

typedef struct l2c_cfg {
    int32_t dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len;
    int version;          /* 0 legacy, 1, 2 */
    int shared;           /* classifier = token embeddings */
    int32_t group;        /* version 2 group size */
    size_t data_off;
} l2c_cfg;

static int32_t rd_i32(const uint8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }
static float rd_f32(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }

/* Parse and check the header. */
static int read_header(const char *path, const uint8_t *m, size_t len, l2c_cfg *c, llm_err *e)
{
    memset(c, 0, sizeof *c);
    if (len < 28) return llm_fail(e, "%s: %zu bytes: too short for a llama2.c checkpoint", path, len);
    const uint8_t *h = m;
    if ((uint32_t)rd_i32(m) == L2C_MAGIC) {
        if (len < 256) return llm_fail(e, "%s: truncated header (%zu bytes, need 256)", path, len);
        c->version = rd_i32(m + 4);
        if (c->version != 1 && c->version != 2)
            return llm_fail(e, "%s: offset 4: llama2.c checkpoint version %d is not supported (1 or 2)",
                            path, c->version);
        h = m + 8;
        c->shared = m[36] != 0;
        if (c->version == 2) c->group = rd_i32(m + 37);
        c->data_off = 256;
    } else {
        c->data_off = 28;
    }
    c->dim = rd_i32(h); c->hidden = rd_i32(h + 4); c->n_layers = rd_i32(h + 8);
    c->n_heads = rd_i32(h + 12); c->n_kv_heads = rd_i32(h + 16);
    c->vocab = rd_i32(h + 20); c->seq_len = rd_i32(h + 24);
    if (c->version == 0) {
        c->shared = c->vocab > 0;
        if (c->vocab < 0 && c->vocab != INT32_MIN) c->vocab = -c->vocab;
    }
    const int32_t lim = 1 << 20;
    if (c->dim <= 0 || c->dim > lim || c->hidden <= 0 || c->hidden > lim || c->n_layers <= 0 ||
        c->n_layers > 4096 || c->n_heads <= 0 || c->n_heads > c->dim || c->n_kv_heads <= 0 ||
        c->n_kv_heads > c->n_heads || c->vocab <= 0 || c->vocab > (1 << 24) || c->seq_len <= 0 ||
        c->seq_len > lim)
        return llm_fail(e, "%s: offset %zu: implausible header (dim %d, hidden %d, layers %d, heads %d, "
                        "kv heads %d, vocab %d, seq_len %d): not a llama2.c checkpoint?",
                        path, (size_t)(h - m), c->dim, c->hidden, c->n_layers, c->n_heads,
                        c->n_kv_heads, c->vocab, c->seq_len);
    if (c->dim % c->n_heads || c->n_heads % c->n_kv_heads)
        return llm_fail(e, "%s: dim %d, %d heads, %d kv heads do not divide evenly", path, c->dim,
                        c->n_heads, c->n_kv_heads);
    if (c->version == 2 && (c->group <= 0 || c->dim % c->group))
        return llm_fail(e, "%s: offset 37: group size %d does not divide dim %d", path, c->group, c->dim);
    return 0;
}

/* One matrix or vector of the checkpoint: where its values are. */
typedef struct part {
    const char *what;
    int layer;            /* -1 for a global tensor */
    uint64_t n;           /* values */
    uint64_t off;         /* byte offset of the values (int8 or float) */
    uint64_t scale_off;   /* version 2 matrices: offset of the scales */
} part;

enum { P_EMB, P_ATT_NORM, P_WQ, P_WK, P_WV, P_WO, P_FFN_NORM, P_W1, P_W2, P_W3, P_FINAL, P_CLS, P_COUNT };

/* Offsets of every part (for all layers: part[k].off is layer 0's, layers
 * follow each other); the byte size the file needs. */
static uint64_t layout(const l2c_cfg *c, part *p)
{
    uint64_t d = (uint64_t)c->dim, hd = d / (uint64_t)c->n_heads;
    uint64_t kv = d * (uint64_t)c->n_kv_heads / (uint64_t)c->n_heads, L = (uint64_t)c->n_layers;
    uint64_t per[P_COUNT] = {
        [P_EMB] = (uint64_t)c->vocab * d, [P_ATT_NORM] = d, [P_WQ] = d * d, [P_WK] = d * kv,
        [P_WV] = d * kv, [P_WO] = d * d, [P_FFN_NORM] = d, [P_W1] = (uint64_t)c->hidden * d,
        [P_W2] = (uint64_t)c->hidden * d, [P_W3] = (uint64_t)c->hidden * d, [P_FINAL] = d,
        [P_CLS] = c->shared ? 0 : (uint64_t)c->vocab * d,
    };
    static const int layered[P_COUNT] = { [P_ATT_NORM] = 1, [P_WQ] = 1, [P_WK] = 1, [P_WV] = 1,
        [P_WO] = 1, [P_FFN_NORM] = 1, [P_W1] = 1, [P_W2] = 1, [P_W3] = 1 };
    for (int k = 0; k < P_COUNT; k++) p[k].n = per[k];
    uint64_t off = c->data_off;
    /* the order the parts are stored in, per version */
    static const int v0[] = { P_EMB, P_ATT_NORM, P_WQ, P_WK, P_WV, P_WO, P_FFN_NORM, P_W1, P_W2, P_W3, P_FINAL };
    static const int v1[] = { P_ATT_NORM, P_FFN_NORM, P_FINAL, P_EMB, P_WQ, P_WK, P_WV, P_WO, P_W1, P_W2, P_W3 };
    const int *ord = c->version == 0 ? v0 : v1;
    int n_ord = (int)(sizeof v0 / sizeof v0[0]);
    if (c->version == 2) {
        /* floats: the three norms; int8: the matrices; then their scales */
        for (int i = 0; i < 3; i++) { p[ord[i]].off = off; off += 4 * per[ord[i]] * (layered[ord[i]] ? L : 1); }
        for (int i = 3; i < n_ord; i++) { p[ord[i]].off = off; off += per[ord[i]] * (layered[ord[i]] ? L : 1); }
        p[P_CLS].off = off; off += per[P_CLS];
        for (int i = 3; i < n_ord; i++) {
            p[ord[i]].scale_off = off;
            off += 4 * (per[ord[i]] * (layered[ord[i]] ? L : 1) / (uint64_t)c->group);
        }
        p[P_CLS].scale_off = off; off += 4 * (per[P_CLS] / (uint64_t)c->group);
        return off;
    }
    for (int i = 0; i < n_ord; i++) { p[ord[i]].off = off; off += 4 * per[ord[i]] * (layered[ord[i]] ? L : 1); }
    if (c->version == 0) off += 4 * (uint64_t)c->seq_len * hd;   /* freq_cis_real, freq_cis_imag */
    p[P_CLS].off = off;
    off += 4 * per[P_CLS];
    return off;
}

/* Values of part k for layer l: a pointer into the map (float32 files) or
 * a dequantized buffer (version 2 matrices). */
static const void *part_data(llm_convert *cv, const l2c_cfg *c, const uint8_t *m, const part *p,
                             int k, int l, llm_err *e)
{
    uint64_t n = p[k].n, i0 = (uint64_t)(l < 0 ? 0 : l) * n;
    int is_norm = k == P_ATT_NORM || k == P_FFN_NORM || k == P_FINAL;
    if (c->version != 2 || is_norm) return m + p[k].off + 4 * i0;
    float *f = llm_convert_keep(cv, malloc(n * sizeof *f));
    if (!f) { llm_fail(e, "out of memory"); return NULL; }
    const int8_t *q = (const int8_t *)(m + p[k].off + i0);
    const uint8_t *s = m + p[k].scale_off + 4 * (i0 / (uint64_t)c->group);
    for (uint64_t i = 0; i < n; i++) f[i] = q[i] * rd_f32(s + 4 * (i / (uint64_t)c->group));
    return f;
}

/* ---- tokenizer.bin --------------------------------------------------- */

/* Read n_vocab tokens: int32 max_len, then per token f32 score, int32
 * length, bytes. Pieces get llama.cpp's spellings and token types. */
static int read_tokenizer(llm_convert *cv, const char *path, int32_t n_vocab, gguf_writer *w, llm_err *e)
{
    size_t len;
    const uint8_t *m = llm_convert_map(cv, path, &len, e);
    if (!m) return -1;
    gguf_str *tok = llm_convert_keep(cv, calloc((size_t)n_vocab, sizeof *tok));
    float *score = llm_convert_keep(cv, malloc((size_t)n_vocab * sizeof *score));
    int32_t *type = llm_convert_keep(cv, malloc((size_t)n_vocab * sizeof *type));
    if (!tok || !score || !type) return llm_fail(e, "out of memory");
    size_t off = 4;
    if (len < 4) return llm_fail(e, "%s: truncated: no header", path);
    for (int32_t id = 0; id < n_vocab; id++) {
        if (len - off < 8)
            return llm_fail(e, "%s: offset %zu: truncated at token %d of %d (is it the model's tokenizer?)",
                            path, off, id, n_vocab);
        score[id] = rd_f32(m + off);
        int32_t n = rd_i32(m + off + 4);
        off += 8;
        if (n < 0 || (size_t)n > len - off)
            return llm_fail(e, "%s: offset %zu: token %d: length %d runs past the end", path, off - 4, id, n);
        const uint8_t *s = m + off;
        off += (size_t)n;
        /* llama.cpp's spellings of the special tokens, and their types */
        const char *fixed = id == 0 ? "<unk>" : id == 1 ? "<s>" : id == 2 ? "</s>" : NULL;
        type[id] = id == 0 ? 2 : id <= 2 ? 3 : n == 0 ? 3 : 1;
        unsigned hx;
        char tmp[8];
        if (!fixed && n == 6) {
            memcpy(tmp, s, 6);
            tmp[6] = 0;
            if (sscanf(tmp, "<0x%2x>", &hx) == 1 && tmp[5] == '>') type[id] = 6;
        }
        /* spaces become U+2581, as SentencePiece writes them */
        size_t nsp = 0;
        if (fixed) { s = (const uint8_t *)fixed; n = (int32_t)strlen(fixed); }
        for (int32_t i = 0; i < n; i++) nsp += s[i] == ' ';
        char *t = llm_convert_keep(cv, malloc((size_t)n + 2 * nsp + 1));
        if (!t) return llm_fail(e, "out of memory");
        size_t k = 0;
        for (int32_t i = 0; i < n; i++) {
            if (s[i] == ' ') { memcpy(t + k, "\xe2\x96\x81", 3); k += 3; }
            else t[k++] = (char)s[i];
        }
        t[k] = 0;
        tok[id] = (gguf_str){ t, k };
    }
    if (gguf_set_arr_str(w, "tokenizer.ggml.tokens", tok, (uint64_t)n_vocab) < 0 ||
        gguf_set_arr(w, "tokenizer.ggml.scores", GGUF_FLOAT32, score, (uint64_t)n_vocab) < 0 ||
        gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_INT32, type, (uint64_t)n_vocab) < 0)
        return llm_fail(e, "out of memory");
    return 0;
}

/* ---- the model ------------------------------------------------------- */

/* Append one tensor to src. */
static int add(llm_convert *cv, llm_qsrc *src, const char *name, int64_t ne0, int64_t ne1, const void *data)
{
    llm_qsrc_tensor *t = &src->tensors[src->n_tensors++];
    if (!(t->name = llm_convert_keep(cv, strdup(name)))) return -1;
    t->n_dims = ne1 ? 2 : 1;
    t->ne[0] = ne0;
    t->ne[1] = ne1 ? ne1 : 1;
    t->ne[2] = t->ne[3] = 1;
    t->type = LLM_F32;
    t->data = data;
    return 0;
}

llm_convert *llm_convert_llama2c(const char *model, const char *tokenizer, uint32_t n_ctx,
                                 gguf_writer *w, llm_qsrc *src, llm_err *e)
{
    memset(src, 0, sizeof *src);
    llm_convert *cv = llm_convert_new();
    if (!cv) { llm_fail(e, "out of memory"); return NULL; }
    size_t len;
    const uint8_t *m = llm_convert_map(cv, model, &len, e);
    l2c_cfg c;
    part p[P_COUNT];
    if (!m || read_header(model, m, len, &c, e) < 0) goto fail;
    uint64_t need = layout(&c, p);
    if (need > len) {
        llm_fail(e, "%s: truncated: the header's shapes need %llu bytes, the file has %zu", model,
                 (unsigned long long)need, len);
        goto fail;
    }
    if (read_tokenizer(cv, tokenizer, c.vocab, w, e) < 0) goto fail;

    const uint32_t none = 0xFFFFFFFFu;   /* LLAMA_TOKEN_NULL */
    int ok = gguf_set_str(w, "tokenizer.ggml.model", "llama", 5) == 0 &&
        gguf_set_str(w, "general.architecture", "llama", 5) == 0 &&
        gguf_set_str(w, "general.name", "llama", 5) == 0 &&
        gguf_set_u32(w, "tokenizer.ggml.unknown_token_id", 0) == 0 &&
        gguf_set_u32(w, "tokenizer.ggml.bos_token_id", 1) == 0 &&
        gguf_set_u32(w, "tokenizer.ggml.eos_token_id", 2) == 0 &&
        gguf_set_u32(w, "tokenizer.ggml.seperator_token_id", none) == 0 &&   /* sic, llama.cpp's key */
        gguf_set_u32(w, "tokenizer.ggml.padding_token_id", none) == 0 &&
        /* the trained context unless told; llama.cpp's converter writes its --ctx option */
        gguf_set_u32(w, "llama.context_length", n_ctx ? n_ctx : (uint32_t)c.seq_len) == 0 &&
        gguf_set_u32(w, "llama.embedding_length", (uint32_t)c.dim) == 0 &&
        gguf_set_u32(w, "llama.feed_forward_length", (uint32_t)c.hidden) == 0 &&
        gguf_set_u32(w, "llama.attention.head_count", (uint32_t)c.n_heads) == 0 &&
        gguf_set_u32(w, "llama.attention.head_count_kv", (uint32_t)c.n_kv_heads) == 0 &&
        gguf_set_u32(w, "llama.block_count", (uint32_t)c.n_layers) == 0 &&
        gguf_set_u32(w, "llama.rope.dimension_count", (uint32_t)(c.dim / c.n_heads)) == 0 &&
        gguf_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f) == 0;
    if (!ok) { llm_fail(e, "out of memory"); goto fail; }

    snprintf(src->hp.arch, sizeof src->hp.arch, "llama");
    src->hp.n_layer = c.n_layers;
    src->hp.n_head = c.n_heads;
    src->hp.n_head_kv = c.n_kv_heads;
    src->tensors = llm_convert_keep(cv, calloc(3 + 9 * (size_t)c.n_layers, sizeof *src->tensors));
    if (!src->tensors) { llm_fail(e, "out of memory"); goto fail; }
    int64_t d = c.dim, kv = (int64_t)c.dim * c.n_kv_heads / c.n_heads, hid = c.hidden, V = c.vocab;
    const void *emb = part_data(cv, &c, m, p, P_EMB, -1, e);
    const void *cls = c.shared ? emb : part_data(cv, &c, m, p, P_CLS, -1, e);
    const void *fin = part_data(cv, &c, m, p, P_FINAL, -1, e);
    if (!emb || !cls || !fin) goto fail;
    if (add(cv, src, "token_embd.weight", d, V, emb) < 0 || add(cv, src, "output_norm.weight", d, 0, fin) < 0 ||
        add(cv, src, "output.weight", d, V, cls) < 0)
        goto oom;
    /* llama.cpp's converter order within a layer */
    static const struct { int part; const char *name; } lt[] = {
        { P_WQ, "attn_q" }, { P_WK, "attn_k" }, { P_WV, "attn_v" }, { P_WO, "attn_output" },
        { P_ATT_NORM, "attn_norm" }, { P_W1, "ffn_gate" }, { P_W2, "ffn_down" }, { P_W3, "ffn_up" },
        { P_FFN_NORM, "ffn_norm" },
    };
    for (int l = 0; l < c.n_layers; l++) {
        for (size_t k = 0; k < sizeof lt / sizeof lt[0]; k++) {
            int pk = lt[k].part;
            int64_t ne0 = pk == P_W2 ? hid : d;
            int64_t ne1 = pk == P_ATT_NORM || pk == P_FFN_NORM ? 0 : pk == P_WK || pk == P_WV ? kv :
                          pk == P_W1 || pk == P_W3 ? hid : d;
            const void *data = part_data(cv, &c, m, p, pk, l, e);
            if (!data) goto fail;
            char name[64];
            snprintf(name, sizeof name, "blk.%d.%s.weight", l, lt[k].name);
            if (add(cv, src, name, ne0, ne1, data) < 0) goto oom;
        }
    }
    return cv;
oom:
    llm_fail(e, "out of memory");
fail:
    llm_convert_free(cv);
    memset(src, 0, sizeof *src);
    return NULL;
}
