/* mkmodel: write a synthetic GGUF model with random weights and real shapes
 * (llama or qwen2, any tensor type), for tests and benchmarks.
 *
 * The weights are random (gaussian, std 0.02; norms near 1), so the model
 * says nothing sensible, but every code path of a real model of that shape
 * and type runs. Values depend only on the seed, the tensor name and the
 * row, never on the thread count. */
#include "dtype.h"
#include "gguf.h"

#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: mkmodel [options] OUT.gguf\n"
    "Write a GGUF model with random weights (for tests and benchmarks).\n"
    "\n"
    "  -a, --arch NAME        llama (default) or qwen2\n"
    "  -s, --shape NAME       tiny (dim 256, 2 layers), small (dim 512, 4 layers),\n"
    "                         stories260k, tinyllama (1.1B), 7b, qwen2-0.5b\n"
    "  -T, --type TYPE        type of the 2-D weights: f32 (default), f16, bf16, q8_0,\n"
    "                         q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k\n"
    "      --output-type TYPE type of output.weight (default: --type)\n"
    "      --embd-type TYPE   type of token_embd.weight (default: --type)\n"
    "      --dim N --ff N --layers N --heads N --kv-heads N --vocab N --ctx N\n"
    "      --rope-base X      override the shape's numbers\n"
    "      --tied             no output.weight (the output shares token_embd)\n"
    "  -V, --vocab-from FILE  copy the tokenizer (tokenizer.* keys) from a GGUF;\n"
    "                         the vocabulary size is then that tokenizer's\n"
    "      --seed N           random seed (default 1)\n"
    "  -t, --threads N        threads (default 2)\n"
    "  -h, --help\n";

typedef struct shape {
    const char *name;
    int64_t dim, ff, layers, heads, kv_heads, vocab, ctx;
} shape;

static const shape shapes[] = {
    { "tiny", 256, 512, 2, 4, 2, 512, 512 },
    { "small", 512, 1024, 4, 8, 4, 1024, 1024 },
    { "stories260k", 64, 172, 5, 8, 4, 512, 512 },
    { "tinyllama", 2048, 5632, 22, 32, 4, 32000, 2048 },
    { "7b", 4096, 11008, 32, 32, 32, 32000, 4096 },
    { "qwen2-0.5b", 896, 4864, 24, 14, 2, 151936, 4096 },
};

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "mkmodel: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

/* ---- deterministic random numbers ------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Fill n gaussian values (Box-Muller) with mean m and deviation sd. */
static void gauss(uint64_t seed, float *x, int64_t n, float m, float sd)
{
    uint64_t s = seed;
    for (int64_t i = 0; i < n; i += 2) {
        double u1 = ((splitmix(&s) >> 11) + 1.0) * 0x1.0p-53;
        double u2 = (splitmix(&s) >> 11) * 0x1.0p-53;
        double r = sqrt(-2.0 * log(u1));
        x[i] = m + sd * (float)(r * cos(6.283185307179586 * u2));
        if (i + 1 < n) x[i + 1] = m + sd * (float)(r * sin(6.283185307179586 * u2));
    }
}

/* ---- tensors, generated at write time ---------------------------------- */

typedef struct gen_tensor {
    char name[64];
    uint32_t type;
    int64_t ne0, rows;
    float mean, sd;
    uint64_t seed;
} gen_tensor;

typedef struct job {
    const gen_tensor *t;
    uint8_t *dst;
    int64_t r0, r1;
} job;

static void *gen_rows(void *arg)
{
    job *j = arg;
    const gen_tensor *t = j->t;
    float *row = malloc((size_t)t->ne0 * sizeof *row);
    if (!row) return (void *)1;
    size_t rb = llm_row_size(t->type, t->ne0);
    for (int64_t r = j->r0; r < j->r1; r++) {
        gauss(t->seed ^ (uint64_t)(r * 0x9e3779b97f4a7c15ull), row, t->ne0, t->mean, t->sd);
        llm_quantize(t->type, row, j->dst + (size_t)r * rb, t->ne0);
    }
    free(row);
    return NULL;
}

static int n_threads = 2;

static int fill(void *ctx, uint64_t index, void *dst, uint64_t nbytes, llm_err *e)
{
    const gen_tensor *t = (const gen_tensor *)ctx + index;
    (void)nbytes;
    pthread_t th[64];
    job jobs[64];
    int n = n_threads;
    for (int i = 0; i < n; i++) {
        jobs[i] = (job){ t, dst, t->rows * i / n, t->rows * (i + 1) / n };
        if (pthread_create(&th[i], NULL, gen_rows, &jobs[i]) != 0)
            return llm_fail(e, "cannot start a thread");
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad |= r != NULL;
    }
    return bad ? llm_fail(e, "out of memory") : 0;
}

/* ---- a toy SPM vocabulary for models made without --vocab-from ---------- */

static void toy_vocab(gguf_writer *w, int64_t n)
{
    gguf_str *tok = calloc((size_t)n, sizeof *tok);
    float *score = calloc((size_t)n, sizeof *score);
    int32_t *type = calloc((size_t)n, sizeof *type);
    char (*text)[16] = calloc((size_t)n, sizeof *text);
    if (!tok || !score || !type || !text) die("%s", "out of memory");
    static const char letters[] = "etaoinshrdlucmfwypvbgkjqxz";
    for (int64_t i = 0; i < n; i++) {
        if (i == 0) strcpy(text[i], "<unk>"), type[i] = 2;
        else if (i == 1) strcpy(text[i], "<s>"), type[i] = 3;
        else if (i == 2) strcpy(text[i], "</s>"), type[i] = 3;
        else if (i < 259) snprintf(text[i], 16, "<0x%02X>", (unsigned)(i - 3)), type[i] = 6;
        else {
            /* "▁" + letters, then letter pairs: a plausible merge table */
            int64_t k = i - 259;
            type[i] = 1;
            score[i] = -(float)k;
            if (k < 26) snprintf(text[i], 16, "%c", letters[k]);
            else if (k < 52) snprintf(text[i], 16, "\xe2\x96\x81%c", letters[k - 26]);
            else if (k == 52) snprintf(text[i], 16, "\xe2\x96\x81");
            else {
                /* bijective base 26 from 27 on: distinct strings of 2+ letters */
                char tmp[16];
                int len = 0;
                for (int64_t x = k - 53 + 27; x > 0 && len < 15; x = (x - 1) / 26)
                    tmp[len++] = letters[(x - 1) % 26];
                for (int j = 0; j < len; j++) text[i][j] = tmp[len - 1 - j];
                text[i][len] = 0;
            }
        }
        tok[i].ptr = text[i];
        tok[i].len = strlen(text[i]);
    }
    gguf_set_str(w, "tokenizer.ggml.model", "llama", 5);
    gguf_set_str(w, "tokenizer.ggml.pre", "default", 7);
    gguf_set_arr_str(w, "tokenizer.ggml.tokens", tok, (uint64_t)n);
    gguf_set_arr(w, "tokenizer.ggml.scores", GGUF_FLOAT32, score, (uint64_t)n);
    gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_INT32, type, (uint64_t)n);
    gguf_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    gguf_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    gguf_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    gguf_set_bool(w, "tokenizer.ggml.add_bos_token", true);
    gguf_set_bool(w, "tokenizer.ggml.add_eos_token", false);
    /* the writer serializes strings at once: the buffers can go */
    free(tok); free(score); free(type); free(text);
}

static int parse_type(const char *s)
{
    int t = llm_type_by_name(s);
    if (t < 0 || t == LLM_Q8_1 || t == LLM_Q8_K) die("unknown type '%s'", s);
    return t;
}

static int64_t num(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v <= 0) die("'%s' is not a positive integer", s);
    return v;
}

int main(int argc, char **argv)
{
    enum { O_DIM = 256, O_FF, O_LAYERS, O_HEADS, O_KV, O_VOCAB, O_CTX, O_TIED, O_SEED, O_OUT, O_EMB, O_ROPE };
    static const struct option opts[] = {
        { "arch", required_argument, 0, 'a' }, { "shape", required_argument, 0, 's' },
        { "type", required_argument, 0, 'T' }, { "vocab-from", required_argument, 0, 'V' },
        { "threads", required_argument, 0, 't' }, { "help", no_argument, 0, 'h' },
        { "dim", required_argument, 0, O_DIM }, { "ff", required_argument, 0, O_FF },
        { "layers", required_argument, 0, O_LAYERS }, { "heads", required_argument, 0, O_HEADS },
        { "kv-heads", required_argument, 0, O_KV }, { "vocab", required_argument, 0, O_VOCAB },
        { "ctx", required_argument, 0, O_CTX }, { "tied", no_argument, 0, O_TIED },
        { "seed", required_argument, 0, O_SEED }, { "output-type", required_argument, 0, O_OUT },
        { "embd-type", required_argument, 0, O_EMB }, { "rope-base", required_argument, 0, O_ROPE },
        { 0, 0, 0, 0 },
    };
    const char *arch = "llama", *vocab_from = NULL;
    shape sh = shapes[0];
    int type = LLM_F32, out_type = -1, emb_type = -1, tied = 0, c;
    uint64_t seed = 1;
    float rope_base = 10000.0f;
    int64_t over[7] = { 0 };
    while ((c = getopt_long(argc, argv, "a:s:T:V:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': arch = optarg; break;
        case 's': {
            size_t i;
            for (i = 0; i < sizeof shapes / sizeof *shapes; i++)
                if (!strcmp(shapes[i].name, optarg)) break;
            if (i == sizeof shapes / sizeof *shapes) die("unknown shape '%s'", optarg);
            sh = shapes[i];
            break;
        }
        case 'T': type = parse_type(optarg); break;
        case 'V': vocab_from = optarg; break;
        case 't': n_threads = (int)num(optarg); if (n_threads > 64) n_threads = 64; break;
        case 'h': fputs(usage, stdout); return 0;
        case O_DIM: case O_FF: case O_LAYERS: case O_HEADS: case O_KV: case O_VOCAB: case O_CTX:
            over[c - O_DIM] = num(optarg); break;
        case O_TIED: tied = 1; break;
        case O_SEED: seed = (uint64_t)num(optarg); break;
        case O_OUT: out_type = parse_type(optarg); break;
        case O_EMB: emb_type = parse_type(optarg); break;
        case O_ROPE: rope_base = strtof(optarg, NULL); break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc - 1) { fputs(usage, stderr); return 2; }
    const char *out = argv[optind];
    if (strcmp(arch, "llama") && strcmp(arch, "qwen2")) die("unknown architecture '%s' (llama, qwen2)", arch);
    int64_t *f[] = { &sh.dim, &sh.ff, &sh.layers, &sh.heads, &sh.kv_heads, &sh.vocab, &sh.ctx };
    for (int i = 0; i < 7; i++)
        if (over[i]) *f[i] = over[i];
    if (sh.dim % sh.heads || sh.heads % sh.kv_heads) die("%s", "dim must divide by heads, heads by kv-heads");
    if (out_type < 0) out_type = type;
    if (emb_type < 0) emb_type = type;

    llm_err e;
    gguf_writer *w = gguf_writer_new();
    gguf_file *vf = NULL;
    if (vocab_from) {
        if (!(vf = gguf_open(vocab_from, &e))) die("%s", e.msg);
        const gguf_value *toks;
        if (gguf_get_arr(vf, "tokenizer.ggml.tokens", GGUF_STRING, &toks, &e) < 0) die("%s", e.msg);
        sh.vocab = (int64_t)toks->arr.n;
    } else if (sh.vocab < 300) {
        die("%s", "--vocab must be at least 300 for the built-in toy vocabulary");
    }

    char key[128];
#define KEY(k) (snprintf(key, sizeof key, "%s." k, arch), key)
    gguf_set_str(w, "general.architecture", arch, strlen(arch));
    char name[96];
    snprintf(name, sizeof name, "random %s %s %s", arch, sh.name, llm_type(type)->name);
    gguf_set_str(w, "general.name", name, strlen(name));
    static const char desc[] = "random weights made by mkmodel (llm-tools)";
    gguf_set_str(w, "general.description", desc, strlen(desc));
    gguf_set_u32(w, KEY("context_length"), (uint32_t)sh.ctx);
    gguf_set_u32(w, KEY("embedding_length"), (uint32_t)sh.dim);
    gguf_set_u32(w, KEY("block_count"), (uint32_t)sh.layers);
    gguf_set_u32(w, KEY("feed_forward_length"), (uint32_t)sh.ff);
    gguf_set_u32(w, KEY("attention.head_count"), (uint32_t)sh.heads);
    gguf_set_u32(w, KEY("attention.head_count_kv"), (uint32_t)sh.kv_heads);
    gguf_set_f32(w, KEY("attention.layer_norm_rms_epsilon"), 1e-5f);
    gguf_set_u32(w, KEY("rope.dimension_count"), (uint32_t)(sh.dim / sh.heads));
    gguf_set_f32(w, KEY("rope.freq_base"), rope_base);
    gguf_set_u32(w, KEY("vocab_size"), (uint32_t)sh.vocab);
    if (vf) {
        for (uint64_t i = 0; i < vf->n_kv; i++)
            if (!strncmp(vf->kv[i].key, "tokenizer.", 10)) gguf_set_kv(w, &vf->kv[i]);
    } else {
        toy_vocab(w, sh.vocab);
    }

    /* the tensor list */
    int64_t hd = sh.dim / sh.heads, kvd = hd * sh.kv_heads;
    size_t cap = 16 + (size_t)sh.layers * 16, nt = 0;
    gen_tensor *ts = calloc(cap, sizeof *ts);
    if (!ts) die("%s", "out of memory");
    uint64_t n_params = 0;
#define ADD(nm, ty, a, b, m, s) do { gen_tensor *t_ = &ts[nt++]; snprintf(t_->name, 64, "%s", nm); \
        t_->type = (uint32_t)(ty); t_->ne0 = (a); t_->rows = (b); t_->mean = (m); t_->sd = (s); } while (0)
    ADD("token_embd.weight", emb_type, sh.dim, sh.vocab, 0, 0.02f);
    ADD("output_norm.weight", LLM_F32, sh.dim, 1, 1, 0.05f);
    if (!tied) ADD("output.weight", out_type, sh.dim, sh.vocab, 0, 0.02f);
    for (int64_t l = 0; l < sh.layers; l++) {
        char nm[64];
#define L(s) (snprintf(nm, sizeof nm, "blk.%lld." s, (long long)l), nm)
        ADD(L("attn_norm.weight"), LLM_F32, sh.dim, 1, 1, 0.05f);
        ADD(L("attn_q.weight"), type, sh.dim, sh.dim, 0, 0.02f);
        ADD(L("attn_k.weight"), type, sh.dim, kvd, 0, 0.02f);
        ADD(L("attn_v.weight"), type, sh.dim, kvd, 0, 0.02f);
        if (!strcmp(arch, "qwen2")) {
            ADD(L("attn_q.bias"), LLM_F32, sh.dim, 1, 0, 0.02f);
            ADD(L("attn_k.bias"), LLM_F32, kvd, 1, 0, 0.02f);
            ADD(L("attn_v.bias"), LLM_F32, kvd, 1, 0, 0.02f);
        }
        ADD(L("attn_output.weight"), type, sh.dim, sh.dim, 0, 0.02f);
        ADD(L("ffn_norm.weight"), LLM_F32, sh.dim, 1, 1, 0.05f);
        ADD(L("ffn_gate.weight"), type, sh.dim, sh.ff, 0, 0.02f);
        ADD(L("ffn_up.weight"), type, sh.dim, sh.ff, 0, 0.02f);
        ADD(L("ffn_down.weight"), type, sh.ff, sh.dim, 0, 0.02f);
    }
    for (size_t i = 0; i < nt; i++) {
        gen_tensor *t = &ts[i];
        t->seed = seed * 0x2545f4914f6cdd1dull ^ hash_str(t->name);
        if (!llm_row_size(t->type, t->ne0)) {
            fprintf(stderr, "mkmodel: %s: row length %lld does not fit %s blocks; using f16\n",
                    t->name, (long long)t->ne0, llm_type(t->type)->name);
            t->type = LLM_F16;
        }
        int64_t ne[2] = { t->ne0, t->rows };
        if (gguf_add_tensor(w, t->name, t->type, t->rows > 1 ? 2 : 1, ne, NULL, fill, ts, &e) < 0)
            die("%s", e.msg);
        n_params += (uint64_t)(t->ne0 * t->rows);
    }
    /* ggml's file type numbers for a uniform model: the LLAMA_FTYPE enum */
    static const int ftype[LLM_TYPE_MAX] = {
        [LLM_F32] = 0, [LLM_F16] = 1, [LLM_Q4_0] = 2, [LLM_Q4_1] = 3, [LLM_Q8_0] = 7,
        [LLM_Q5_0] = 8, [LLM_Q5_1] = 9, [LLM_Q2_K] = 10, [LLM_Q3_K] = 12, [LLM_Q4_K] = 15,
        [LLM_Q5_K] = 17, [LLM_Q6_K] = 18, [LLM_BF16] = 32,
    };
    gguf_set_u32(w, "general.file_type", (uint32_t)ftype[type]);
    gguf_cleanup_on_signals();
    if (gguf_writer_write(w, out, &e) < 0) die("%s", e.msg);
    if (isatty(2))
        fprintf(stderr, "mkmodel: %s: %s %s, %llu parameters\n", out, arch, llm_type(type)->name,
                (unsigned long long)n_params);
    gguf_writer_free(w);
    gguf_close(vf);
    free(ts);
    return 0;
}
