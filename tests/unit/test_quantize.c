/* test_quantize.c: llm-quantize's library against llama.cpp's quantizer.
 *
 * The goldens in tests/golden/quantize/ were made by
 * tests/golden/make-quantize.sh with llama.cpp (llama-ref --quantize): per
 * file, the type of every tensor and a SHA-256 over all tensor data. This
 * test quantizes the same models in-process and wants the same types (the
 * mixes) and the same bytes (ggml's reference quantizers).
 *
 * The synthetic model (256-wide rows, so the K types fit, 16 layers, GQA 4)
 * is generated here with exact float arithmetic, so it is the same on every
 * machine; make-quantize.sh writes it with --write-model.
 *
 *   test_quantize                      run the tests
 *   test_quantize --write-model OUT [tied]   write the synthetic F32 model
 *   test_quantize --hash FILE.gguf     print the golden listing of a file
 *   test_quantize --rmse IN Q.gguf     relative RMSE per type of Q against IN */
#include "t.h"
#include "dtype.h"
#include "gguf.h"
#include "quantize.h"

#include <dirent.h>
#include <stdint.h>
#include <unistd.h>

/* ---- SHA-256 (FIPS 180-4), for the goldens ---------------------------- */

typedef struct sha256 { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t n; } sha256;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(sha256 *s, const uint8_t *p)
{
    uint32_t w[64], a[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(a, s->h, sizeof a);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = a[7] + (ror(a[4], 6) ^ ror(a[4], 11) ^ ror(a[4], 25)) + ((a[4] & a[5]) ^ (~a[4] & a[6])) + K256[i] + w[i];
        uint32_t t2 = (ror(a[0], 2) ^ ror(a[0], 13) ^ ror(a[0], 22)) + ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
        memmove(a + 1, a, 7 * sizeof *a);
        a[4] += t1;
        a[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) s->h[i] += a[i];
}

static void sha_init(sha256 *s)
{
    static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
    s->n = 0;
}

static void sha_add(sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->len += n;
    while (n) {
        size_t k = 64 - s->n < n ? 64 - s->n : n;
        memcpy(s->buf + s->n, p, k);
        s->n += k; p += k; n -= k;
        if (s->n == 64) { sha_block(s, s->buf); s->n = 0; }
    }
}

static void sha_hex(sha256 *s, char out[65])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80, z = 0, l[8];
    sha_add(s, &pad, 1);
    while (s->n != 56) sha_add(s, &z, 1);
    for (int i = 0; i < 8; i++) l[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_add(s, l, 8);
    for (int i = 0; i < 8; i++) snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* ---- the synthetic model ---------------------------------------------- */

enum { S_DIM = 256, S_FF = 256, S_HEADS = 4, S_KV = 1, S_LAYERS = 16, S_VOCAB = 256 };

static uint64_t rng_state;
/* Uniform in [0,1) with 24 bits: exact in float. */
static float urand(void)
{
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return (float)((rng_state * 0x2545F4914F6CDD1DULL) >> 40) * (1.0f / 16777216.0f);
}

/* Bell-shaped values (sum of three uniforms) with rare outliers, scaled. */
static float *gen(int64_t n, float scale, float offset)
{
    float *v = malloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++) {
        float x = urand() + urand() + urand() - 1.5f;
        if (i % 997 == 5) x *= 8.0f;
        v[i] = offset + x * scale;
    }
    return v;
}

/* The synthetic model; tied: without output.weight (token_embd is the output). */
static int write_synth(const char *path, int tied, llm_err *e)
{
    gguf_writer *w = gguf_writer_new();
    float *bufs[4 + 9 * S_LAYERS];
    int nb = 0;
    rng_state = 0x9E3779B97F4A7C15ULL;
    gguf_set_str(w, "general.architecture", "llama", 5);
    gguf_set_str(w, "general.name", "synth", 5);
    gguf_set_u32(w, "llama.context_length", 256);
    gguf_set_u32(w, "llama.embedding_length", S_DIM);
    gguf_set_u32(w, "llama.feed_forward_length", S_FF);
    gguf_set_u32(w, "llama.attention.head_count", S_HEADS);
    gguf_set_u32(w, "llama.attention.head_count_kv", S_KV);
    gguf_set_u32(w, "llama.block_count", S_LAYERS);
    gguf_set_u32(w, "llama.rope.dimension_count", S_DIM / S_HEADS);
    gguf_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    gguf_set_u32(w, "llama.vocab_size", S_VOCAB);
    /* a small SPM vocabulary so llama.cpp loads the model: <unk>, <s>, </s>,
     * then byte tokens */
    static char tok_text[S_VOCAB][8];
    gguf_str toks[S_VOCAB];
    float scores[S_VOCAB];
    int32_t types[S_VOCAB];
    for (int i = 0; i < S_VOCAB; i++) {
        if (i < 3) snprintf(tok_text[i], sizeof tok_text[i], "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
        else snprintf(tok_text[i], sizeof tok_text[i], "<0x%02X>", i - 3);
        toks[i] = (gguf_str){ tok_text[i], strlen(tok_text[i]) };
        scores[i] = 0;
        types[i] = i == 0 ? 2 : i < 3 ? 3 : 6;
    }
    gguf_set_str(w, "tokenizer.ggml.model", "llama", 5);
    gguf_set_arr_str(w, "tokenizer.ggml.tokens", toks, S_VOCAB);
    gguf_set_arr(w, "tokenizer.ggml.scores", GGUF_FLOAT32, scores, S_VOCAB);
    gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_INT32, types, S_VOCAB);
    gguf_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    gguf_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    gguf_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    int rc = 0;
#define T2(name, a, b, sc) do { int64_t ne_[2] = { a, b }; bufs[nb] = gen((int64_t)(a) * (b), sc, 0); \
        rc |= gguf_add_tensor(w, name, LLM_F32, 2, ne_, bufs[nb++], NULL, NULL, e); } while (0)
#define T1(name, a) do { int64_t ne_[1] = { a }; bufs[nb] = gen(a, 0.1f, 1.0f); \
        rc |= gguf_add_tensor(w, name, LLM_F32, 1, ne_, bufs[nb++], NULL, NULL, e); } while (0)
    T2("token_embd.weight", S_DIM, S_VOCAB, 0.5f);
    T1("output_norm.weight", S_DIM);
    if (!tied) T2("output.weight", S_DIM, S_VOCAB, 0.05f);
    char n[64];
    for (int l = 0; l < S_LAYERS; l++) {
        float sc = 0.02f * (1.0f + 0.0625f * (float)l);
        const int kv = S_DIM / S_HEADS * S_KV;
        snprintf(n, sizeof n, "blk.%d.attn_q.weight", l); T2(n, S_DIM, S_DIM, sc);
        snprintf(n, sizeof n, "blk.%d.attn_k.weight", l); T2(n, S_DIM, kv, sc);
        snprintf(n, sizeof n, "blk.%d.attn_v.weight", l); T2(n, S_DIM, kv, sc);
        snprintf(n, sizeof n, "blk.%d.attn_output.weight", l); T2(n, S_DIM, S_DIM, sc);
        snprintf(n, sizeof n, "blk.%d.attn_norm.weight", l); T1(n, S_DIM);
        snprintf(n, sizeof n, "blk.%d.ffn_gate.weight", l); T2(n, S_DIM, S_FF, sc);
        snprintf(n, sizeof n, "blk.%d.ffn_down.weight", l); T2(n, S_FF, S_DIM, sc);
        snprintf(n, sizeof n, "blk.%d.ffn_up.weight", l); T2(n, S_DIM, S_FF, sc);
        snprintf(n, sizeof n, "blk.%d.ffn_norm.weight", l); T1(n, S_DIM);
    }
#undef T1
#undef T2
    if (rc == 0) rc = gguf_writer_write(w, path, e);
    for (int i = 0; i < nb; i++) free(bufs[i]);
    gguf_writer_free(w);
    return rc;
}

/* ---- listings --------------------------------------------------------- */

/* The golden listing of a file: "name type" per tensor in file order, then
 * "data SHA256" over every tensor's name, type and bytes. */
static char *listing(const char *path, llm_err *e)
{
    gguf_file *f = gguf_open(path, e);
    if (!f) return NULL;
    size_t cap = 64 + 96 * (size_t)f->n_tensors, len = 0;
    char *out = malloc(cap);
    sha256 s;
    sha_init(&s);
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        const gguf_tensor *t = &f->tensors[i];
        len += (size_t)snprintf(out + len, cap - len, "%s %s\n", t->name, llm_type(t->type)->name);
        sha_add(&s, t->name, strlen(t->name) + 1);
        sha_add(&s, &t->type, 4);
        sha_add(&s, t->data, t->nbytes);
    }
    char hex[65];
    sha_hex(&s, hex);
    snprintf(out + len, cap - len, "data %s\n", hex);
    gguf_close(f);
    return out;
}

/* Relative RMSE per type of Q's tensors against IN's (same names). */
static int rmse_by_type(const char *in, const char *q, double rel[LLM_TYPE_MAX + 1], llm_err *e)
{
    gguf_file *a = gguf_open(in, e), *b = a ? gguf_open(q, e) : NULL;
    if (!b) { gguf_close(a); return -1; }
    double sse[LLM_TYPE_MAX + 1] = { 0 }, ss[LLM_TYPE_MAX + 1] = { 0 };
    for (uint64_t i = 0; i < b->n_tensors; i++) {
        const gguf_tensor *tb = &b->tensors[i], *ta = gguf_find_tensor(a, tb->name);
        if (!ta || tb->type == ta->type || tb->type > LLM_TYPE_MAX) continue;
        int64_t n = gguf_nelements(tb);
        float *x = malloc((size_t)n * 4), *y = malloc((size_t)n * 4);
        llm_dequantize(ta->type, ta->data, x, n);
        llm_dequantize(tb->type, tb->data, y, n);
        for (int64_t k = 0; k < n; k++) {
            double d = (double)y[k] - x[k];
            sse[tb->type] += d * d;
            ss[tb->type] += (double)x[k] * x[k];
        }
        free(x);
        free(y);
    }
    for (int t = 0; t <= LLM_TYPE_MAX; t++) rel[t] = ss[t] > 0 ? sqrt(sse[t] / ss[t]) : -1;
    gguf_close(a);
    gguf_close(b);
    return 0;
}

/* ---- in-process quantization ------------------------------------------ */

static int n_notes, n_requant;
static void count_note(void *ctx, const char *msg)
{
    (void)ctx;
    n_notes++;
    if (strstr(msg, "requantizing")) n_requant++;
}

/* Quantize IN to OUT as llm-quantize does. */
static int quantize(const char *in, const char *out, llm_qparams *p, llm_qstat **stats, llm_err *e)
{
    gguf_file *f = gguf_open(in, e);
    if (!f) return -1;
    llm_qsrc src;
    gguf_writer *w = gguf_writer_new();
    int rc = llm_qsrc_from_gguf(&src, f, e);
    llm_qstat *st = calloc(f->n_tensors + 1, sizeof *st);
    p->note = count_note;
    if (rc == 0) rc = llm_quant_copy_kv(w, f, e);
    if (rc == 0) rc = llm_quantize_write(&src, w, out, p, st, e);
    if (stats && rc == 0) {
        for (uint64_t i = 0; i < f->n_tensors; i++) st[i].name = NULL;   /* names die with f */
        *stats = st;
    } else {
        free(st);
    }
    llm_qsrc_free(&src);
    gguf_writer_free(w);
    gguf_close(f);
    return rc;
}

static char tmpdir[256];

/* Path of a model named in a golden header; NULL to skip. */
static const char *model_path(const char *name, char *buf, size_t n)
{
    if (!strcmp(name, "synth") || !strcmp(name, "synth-tied")) {
        snprintf(buf, n, "%s/%s.gguf", tmpdir, name);
        if (access(buf, R_OK)) {
            llm_err e;
            if (write_synth(buf, name[5] != 0, &e) < 0) { T_FAIL("synth model", "%s", e.msg); return NULL; }
        }
        return buf;
    }
    snprintf(buf, n, "%s/%s.gguf", t_models(), name);
    return access(buf, R_OK) ? NULL : buf;
}

/* One golden file: quantize its model as its header says, compare. */
static void check_golden(const char *dir, const char *file)
{
    char path[512], model[64] = "", type[32] = "", mpath[512], out[512], name[300];
    snprintf(path, sizeof path, "%.200s/%.200s", dir, file);
    FILE *fp = fopen(path, "r");
    if (!fp) { T_FAIL(file, "cannot open %s", path); return; }
    static char want[1 << 20];
    size_t n = fread(want, 1, sizeof want - 1, fp);
    fclose(fp);
    want[n] = 0;
    int pure = 0;
    if (sscanf(want, "# model=%63s type=%31s pure=%d", model, type, &pure) != 3) {
        T_FAIL(file, "bad header");
        return;
    }
    const char *body = strchr(want, '\n');
    body = body ? body + 1 : want + n;
    snprintf(name, sizeof name, "golden %.200s", file);
    if (!model_path(model, mpath, sizeof mpath)) { T_SKIP(name, "model %s not found", model); return; }
    llm_qparams p;
    llm_qparams_init(&p);
    p.ftype = llm_mix_by_name(type);
    p.pure = pure;
    p.n_threads = 2;
    /* optional " out=TYPE embd=TYPE": --output-type and --embd-type */
    const char *nl = strchr(want, '\n'), *o = strstr(want, " out="), *em = strstr(want, " embd=");
    char tt[32];
    if (o && o < nl && sscanf(o, " out=%31s", tt) == 1) p.output_type = llm_type_by_name(tt);
    if (em && em < nl && sscanf(em, " embd=%31s", tt) == 1) p.embd_type = llm_type_by_name(tt);
    snprintf(out, sizeof out, "%s/out.gguf", tmpdir);
    llm_err e;
    if (quantize(mpath, out, &p, NULL, &e) < 0) { T_FAIL(name, "%s", e.msg); return; }
    char *got = listing(out, &e);
    if (!got) { T_FAIL(name, "%s", e.msg); return; }
    /* types: every line but the last; data: the last line */
    const char *gd = strstr(got, "data "), *wd = strstr(body, "data ");
    size_t gl = gd ? (size_t)(gd - got) : strlen(got), wl = wd ? (size_t)(wd - body) : strlen(body);
    char tn[340];
    snprintf(tn, sizeof tn, "%s: types as llama.cpp", name);
    if (gl == wl && memcmp(got, body, gl) == 0) T_OK(tn);
    else {
        /* the first differing line, for the message */
        size_t i = 0;
        while (i < gl && i < wl && got[i] == body[i]) i++;
        while (i > 0 && got[i - 1] != '\n') i--;
        T_FAIL(tn, "got '%.60s' want '%.60s'", got + i, body + i);
    }
    snprintf(tn, sizeof tn, "%s: bytes as llama.cpp", name);
    T_CHECK(tn, gd && wd && strncmp(gd, wd, 5 + 64) == 0, "data sha256 %.69s, want %.69s", gd ? gd : "-", wd ? wd : "-");
    free(got);
}

static void test_goldens(void)
{
    const char *dir = "tests/golden/quantize";
    DIR *d = opendir(dir);
    if (!d) { T_SKIP("goldens", "%s missing (run from the repository root)", dir); return; }
    struct dirent *de;
    char names[256][128];
    int n = 0;
    while ((de = readdir(d)) && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 4 && l < 128 && !strcmp(de->d_name + l - 4, ".txt") && strncmp(de->d_name, "rmse", 4) &&
            strncmp(de->d_name, "files", 5))
            snprintf(names[n++], sizeof names[0], "%s", de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < n; i++) check_golden(dir, names[i]);
}

/* The per-type error of our K-type files is within 2 % of llama.cpp's
 * (tests/golden/quantize/rmse.txt: "TYPE rel_rmse" from llama.cpp's output). */
static void test_rmse(void)
{
    FILE *fp = fopen("tests/golden/quantize/rmse.txt", "r");
    if (!fp) { T_SKIP("rmse", "tests/golden/quantize/rmse.txt missing"); return; }
    char mpath[512], out[512], line[256], ty[32], tn[128];
    if (!model_path("synth", mpath, sizeof mpath)) { fclose(fp); return; }
    double ref;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || sscanf(line, "%31s %lf", ty, &ref) != 2) continue;
        llm_qparams p;
        llm_qparams_init(&p);
        p.ftype = llm_mix_by_name(ty);
        p.pure = true;
        p.n_threads = 2;
        snprintf(out, sizeof out, "%s/rmse.gguf", tmpdir);
        snprintf(tn, sizeof tn, "rmse %s within 1.02x of llama.cpp's %.6f", ty, ref);
        llm_err e;
        double rel[LLM_TYPE_MAX + 1];
        if (quantize(mpath, out, &p, NULL, &e) < 0 || rmse_by_type(mpath, out, rel, &e) < 0) {
            T_FAIL(tn, "%s", e.msg);
            continue;
        }
        int t = llm_mix_default_type(p.ftype);
        T_CHECK(tn, rel[t] >= 0 && rel[t] <= 1.02 * ref, "ours %.6f", rel[t]);
    }
    fclose(fp);
}

/* Names of the mixes, and what the report measures. */
static void test_mixes_and_report(void)
{
    T_CHECK("mix Q4_K is Q4_K_M", llm_mix_by_name("q4_k") == LLM_FTYPE_Q4_K_M, "%d", llm_mix_by_name("q4_k"));
    T_CHECK("mix unknown", llm_mix_by_name("Q9_K") == -1, "accepted");
    T_CHECK("mix name", !strcmp(llm_mix_name(LLM_FTYPE_Q5_K_S), "Q5_K_S"), "%s", llm_mix_name(LLM_FTYPE_Q5_K_S));

    char mpath[512], out[512], out2[512];
    if (!model_path("synth", mpath, sizeof mpath)) return;
    llm_qparams p;
    llm_qparams_init(&p);
    p.ftype = LLM_FTYPE_Q8_0;
    p.report = true;
    p.n_threads = 2;
    snprintf(out, sizeof out, "%s/q8.gguf", tmpdir);
    llm_qstat *st = NULL;
    llm_err e;
    if (quantize(mpath, out, &p, &st, &e) < 0) { T_FAIL("report q8_0", "%s", e.msg); return; }
    double sse = 0, ss = 0;
    int measured = 0, f32 = 0;
    for (int i = 0; i < 3 + 9 * S_LAYERS; i++) {
        if (st[i].measured) { measured++; sse += st[i].sse; ss += st[i].ss; }
        if (st[i].to == LLM_F32) f32++;
    }
    T_CHECK("report measures every converted tensor", measured == 2 + 7 * S_LAYERS, "%d", measured);
    T_CHECK("norms stay f32", f32 == 1 + 2 * S_LAYERS, "%d", f32);
    double rel8 = sqrt(sse / ss);
    T_CHECK("q8_0 relative rmse small", rel8 > 0 && rel8 < 0.01, "%g", rel8);
    free(st);

    /* requantizing Q8_0 to Q4_0 works, with a notice */
    llm_qparams_init(&p);
    p.ftype = LLM_FTYPE_Q4_0;
    p.pure = true;
    n_requant = 0;
    snprintf(out2, sizeof out2, "%s/q4.gguf", tmpdir);
    T_CHECK("requantize q8_0 -> q4_0", quantize(out, out2, &p, NULL, &e) == 0 && n_requant == 1,
            "rc/notes %d: %s", n_requant, e.msg);

    /* overrides: the first matching pattern wins, then the row-length check */
    static const llm_qoverride ov[] = { { "attn_(q|k)\\.weight$", LLM_Q8_0 }, { "ffn_", LLM_F16 } };
    llm_qparams_init(&p);
    p.ftype = LLM_FTYPE_Q4_K_M;
    p.overrides = ov;
    p.n_overrides = 2;
    gguf_file *f = gguf_open(mpath, &e);
    llm_qsrc src;
    llm_qsrc_from_gguf(&src, f, &e);
    uint32_t types[3 + 9 * S_LAYERS];
    bool fell[3 + 9 * S_LAYERS];
    uint64_t order[3 + 9 * S_LAYERS];
    int rc = llm_quant_plan(&src, &p, types, fell, order, &e);
    int ok = rc == 0;
    for (uint64_t i = 0; ok && i < src.n_tensors; i++) {
        const char *nm = src.tensors[i].name;
        if (strstr(nm, "attn_q.weight") || strstr(nm, "attn_k.weight")) ok = types[i] == LLM_Q8_0;
        else if (strstr(nm, "ffn_") && !strstr(nm, "norm")) ok = types[i] == LLM_F16;
        else if (!strcmp(nm, "output.weight")) ok = types[i] == LLM_Q6_K;
        if (!ok) T_FAIL("overrides", "%s got %s", nm, llm_type(types[i])->name);
    }
    if (ok) T_OK("overrides");
    T_CHECK("order: llama.cpp's (output first, blk.2 before blk.10)",
            rc == 0 && !strcmp(src.tensors[order[0]].name, "output.weight") &&
            !strcmp(src.tensors[order[3]].name, "blk.0.attn_k.weight") &&
            !strcmp(src.tensors[order[3 + 9 * 2]].name, "blk.2.attn_k.weight"), "first %s", src.tensors[order[0]].name);
    static const llm_qoverride bad[] = { { "attn_(", LLM_Q8_0 } };
    p.overrides = bad;
    p.n_overrides = 1;
    T_CHECK("bad override regex fails", llm_quant_plan(&src, &p, types, fell, order, &e) < 0 &&
            strstr(e.msg, "attn_("), "%s", e.msg);
    llm_qsrc_free(&src);
    gguf_close(f);
}

int main(int argc, char **argv)
{
    llm_err e;
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--write-model")) {
        if (write_synth(argv[2], argc == 4 && !strcmp(argv[3], "tied"), &e) < 0) { fprintf(stderr, "%s\n", e.msg); return 1; }
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "--hash")) {
        char *l = listing(argv[2], &e);
        if (!l) { fprintf(stderr, "%s\n", e.msg); return 1; }
        fputs(l, stdout);
        free(l);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "--rmse")) {
        double rel[LLM_TYPE_MAX + 1];
        if (rmse_by_type(argv[2], argv[3], rel, &e) < 0) { fprintf(stderr, "%s\n", e.msg); return 1; }
        int t = llm_type_by_name(argv[4]);
        if (t < 0 || rel[t] < 0) { fprintf(stderr, "no tensors of type %s\n", argv[4]); return 1; }
        printf("%.9f\n", rel[t]);
        return 0;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/tq.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
    if (!mkdtemp(tmpdir)) { T_FAIL("tmpdir", "mkdtemp"); return t_exit(); }
    test_mixes_and_report();
    test_goldens();
    test_rmse();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) T_FAIL("cleanup", "%s", cmd);
    return t_exit();
}
