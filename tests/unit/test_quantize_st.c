/* test_quantize_st.c: the safetensors converter on Hugging Face folders
 * made here (llama and qwen2 shapes, F32/F16/BF16 tensors, a small
 * byte-level BPE tokenizer.json): key-values, shapes, types, llama's Q/K
 * row permutation, qwen2's biases, and bad folders.
 *
 *   test_quantize_st                     run the tests
 *   test_quantize_st --write DIR ARCH    write the test folder (llama|qwen2) */
#include "t.h"
#include "convert.h"
#include "dtype.h"
#include "gguf.h"
#include "quantize.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

enum { D = 64, FF = 128, L = 2, H = 4, HKV = 2, HD = D / H, V = 300 };

static uint64_t rs = 0x1234567887654321ULL;
static float urand(void)
{
    rs ^= rs >> 12; rs ^= rs << 25; rs ^= rs >> 27;
    return (float)((rs * 0x2545F4914F6CDD1DULL) >> 40) * (1.0f / 16777216.0f) - 0.5f;
}

/* One tensor to write: its values are idx-coded so tests can tell rows apart. */
typedef struct wt { char name[96]; const char *dtype; int nd; int64_t shape[2]; void *data; size_t bytes; } wt;

static void fill_tensor(wt *t, const char *name, const char *dtype, int nd, int64_t s0, int64_t s1, float scale)
{
    snprintf(t->name, sizeof t->name, "%s", name);
    t->dtype = dtype;
    t->nd = nd;
    t->shape[0] = s0;
    t->shape[1] = s1;
    int64_t n = nd == 1 ? s0 : s0 * s1;
    size_t es = !strcmp(dtype, "F32") ? 4 : 2;
    t->bytes = (size_t)n * es;
    t->data = malloc(t->bytes);
    for (int64_t i = 0; i < n; i++) {
        float x = (nd == 1 ? 1.0f : 0.0f) + urand() * scale;
        if (es == 4) ((float *)t->data)[i] = x;
        else if (!strcmp(dtype, "F16")) ((uint16_t *)t->data)[i] = llm_f32_to_f16(x);
        else ((uint16_t *)t->data)[i] = llm_f32_to_bf16(x);
    }
}

static int write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp) return -1;
    fputs(text, fp);
    return fclose(fp);
}

/* A byte-level BPE tokenizer.json: the 256 byte symbols, a few merges, and
 * two special tokens; ids up to V-1 exist only as padding. */
static int write_tokenizer(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    FILE *fp = fopen(path, "w");
    if (!fp) return -1;
    fprintf(fp, "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":260,\"content\":\"<|endoftext|>\",\"special\":true},"
                "{\"id\":261,\"content\":\"<|im_end|>\",\"special\":true}],"
                "\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"post_processor\":null,"
                "\"model\":{\"type\":\"BPE\",\"byte_fallback\":false,\"vocab\":{");
    /* GPT-2's byte-to-symbol map: printable bytes stand for themselves, the
     * others are shifted to U+0100.. */
    int k = 0;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        unsigned cp = printable ? (unsigned)b : 256u + (unsigned)k++;
        char u[8];
        int n = cp < 0x80 ? (u[0] = (char)cp, 1) : (u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63)), 2);
        u[n] = 0;
        if (cp == '"' || cp == '\\') fprintf(fp, "%s\"\\%s\":%d", b ? "," : "", u, b);
        else fprintf(fp, "%s\"%s\":%d", b ? "," : "", u, b);
    }
    fprintf(fp, ",\"th\":256,\"the\":257,\"\\u0120the\":258,\"in\":259},\"merges\":[\"t h\",\"th e\",\"\\u0120 the\",[\"i\",\"n\"]]}}");
    if (fclose(fp)) return -1;
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    return write_text(path, "{\"tokenizer_class\":\"Qwen2Tokenizer\",\"bos_token\":null,\"eos_token\":\"<|im_end|>\","
                            "\"pad_token\":\"<|endoftext|>\",\"add_bos_token\":false,"
                            "\"chat_template\":\"{{ messages }}\"}");
}

/* arch: llama, qwen2, or llama3 (llama with Llama 3.1's rope scaling) */
static int write_folder(const char *dir, const char *arch)
{
    int qwen = !strcmp(arch, "qwen2"), l3 = !strcmp(arch, "llama3");
    char path[512];
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/config.json", dir);
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"architectures\":[\"%s\"],\"hidden_size\":%d,\"intermediate_size\":%d,\"num_hidden_layers\":%d,"
             "\"num_attention_heads\":%d,\"num_key_value_heads\":%d,\"vocab_size\":%d,\"max_position_embeddings\":256,"
             "\"rms_norm_eps\":1e-06,\"rope_theta\":%s,\"tie_word_embeddings\":%s,\"bos_token_id\":260,"
             "\"eos_token_id\":261%s}",
             qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM", D, FF, L, H, HKV, V, l3 ? "500000.0" : "10000.0",
             qwen ? "true" : "false",
             l3 ? ",\"rope_scaling\":{\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                  "\"original_max_position_embeddings\":8192,\"rope_type\":\"llama3\"}" : "");
    if (write_text(path, cfg) || write_tokenizer(dir)) return -1;

    wt t[64];
    int n = 0;
    rs = qwen ? 77 : 99;
    fill_tensor(&t[n++], "model.embed_tokens.weight", "BF16", 2, V, D, 0.5f);
    fill_tensor(&t[n++], "model.norm.weight", "BF16", 1, D, 0, 0.1f);
    if (!qwen) fill_tensor(&t[n++], "lm_head.weight", "F32", 2, V, D, 0.2f);
    for (int l = 0; l < L; l++) {
        char nm[96];
#define ADD(suffix, dt, nd, a, b) (snprintf(nm, sizeof nm, "model.layers.%d.%s", l, suffix), fill_tensor(&t[n++], nm, dt, nd, a, b, 0.3f))
        ADD("input_layernorm.weight", "F16", 1, D, 0);
        ADD("self_attn.q_proj.weight", "F16", 2, H * HD, D);
        ADD("self_attn.k_proj.weight", "F32", 2, HKV * HD, D);
        ADD("self_attn.v_proj.weight", "F16", 2, HKV * HD, D);
        if (qwen) {
            ADD("self_attn.q_proj.bias", "F16", 1, H * HD, 0);
            ADD("self_attn.k_proj.bias", "F16", 1, HKV * HD, 0);
            ADD("self_attn.v_proj.bias", "F16", 1, HKV * HD, 0);
        }
        ADD("self_attn.o_proj.weight", "F16", 2, D, H * HD);
        ADD("post_attention_layernorm.weight", "F32", 1, D, 0);
        ADD("mlp.gate_proj.weight", "BF16", 2, FF, D);
        ADD("mlp.up_proj.weight", "BF16", 2, FF, D);
        ADD("mlp.down_proj.weight", "BF16", 2, D, FF);
#undef ADD
    }
    /* the header, then the data in order */
    size_t cap = 16384, len = 0, off = 0;
    char *h = malloc(cap);
    len += (size_t)snprintf(h + len, cap - len, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (int i = 0; i < n; i++) {
        char shape[64];
        if (t[i].nd == 1) snprintf(shape, sizeof shape, "[%lld]", (long long)t[i].shape[0]);
        else snprintf(shape, sizeof shape, "[%lld,%lld]", (long long)t[i].shape[0], (long long)t[i].shape[1]);
        len += (size_t)snprintf(h + len, cap - len, ",\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%zu,%zu]}",
                                t[i].name, t[i].dtype, shape, off, off + t[i].bytes);
        off += t[i].bytes;
    }
    len += (size_t)snprintf(h + len, cap - len, "}");
    while (len % 8) h[len++] = ' ';
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    FILE *fp = fopen(path, "wb");
    uint64_t hl = len;
    int rc = fp ? 0 : -1;
    if (fp) {
        fwrite(&hl, 8, 1, fp);
        fwrite(h, 1, len, fp);
        for (int i = 0; i < n; i++) fwrite(t[i].data, 1, t[i].bytes, fp);
        rc = fclose(fp);
    }
    for (int i = 0; i < n; i++) free(t[i].data);
    free(h);
    return rc;
}

static char tmp[256];

/* Convert DIR to OUT (types kept); 0 or -1 with e set. */
static int convert(const char *dir, const char *out, llm_err *e)
{
    gguf_writer *w = gguf_writer_new();
    llm_qsrc src;
    llm_convert *cv = llm_convert_safetensors(dir, w, &src, e);
    int rc = -1;
    if (cv) {
        llm_qparams p;
        llm_qparams_init(&p);
        p.keep_order = true;
        rc = llm_quantize_write(&src, w, out, &p, NULL, e);
    }
    llm_convert_free(cv);
    gguf_writer_free(w);
    return rc;
}

/* The float value of element (row r, col c) of a 2-D tensor. */
static float at(const gguf_tensor *t, int64_t r, int64_t c)
{
    float f;
    int64_t i = r * t->ne[0] + c;
    if (t->type == LLM_F32) { memcpy(&f, (const char *)t->data + 4 * i, 4); return f; }
    uint16_t h;
    memcpy(&h, (const char *)t->data + 2 * i, 2);
    return t->type == LLM_F16 ? llm_f16_to_f32(h) : llm_bf16_to_f32(h);
}

static void test_arch(const char *arch)
{
    int qwen = !strcmp(arch, "qwen2");
    char dir[300], out[300], n[128];
    snprintf(dir, sizeof dir, "%s/%s", tmp, arch);
    snprintf(out, sizeof out, "%s/%s.gguf", tmp, arch);
    llm_err e;
    if (write_folder(dir, arch) < 0) { T_FAIL(arch, "cannot write the folder"); return; }
    snprintf(n, sizeof n, "%s: converts", arch);
    if (convert(dir, out, &e) < 0) { T_FAIL(n, "%s", e.msg); return; }
    T_OK(n);
    gguf_file *f = gguf_open(out, &e);
    if (!f) { T_FAIL(arch, "%s", e.msg); return; }
    gguf_str s;
    uint32_t u;
    char key[96];
    snprintf(n, sizeof n, "%s: architecture", arch);
    T_CHECK(n, gguf_get_str(f, "general.architecture", &s, NULL) == 0 && gguf_str_eq(s, arch), "wrong");
    snprintf(key, sizeof key, "%s.attention.head_count_kv", arch);
    snprintf(n, sizeof n, "%s: head_count_kv", arch);
    T_CHECK(n, gguf_get_u32(f, key, &u, NULL) == 0 && u == HKV, "%u", u);
    snprintf(n, sizeof n, "%s: tokenizer", arch);
    const gguf_value *toks;
    T_CHECK(n, gguf_get_str(f, "tokenizer.ggml.model", &s, NULL) == 0 && gguf_str_eq(s, "gpt2") &&
            gguf_get_arr(f, "tokenizer.ggml.tokens", GGUF_STRING, &toks, NULL) == 0 && toks->arr.n == V &&
            gguf_str_eq(toks->arr.strs[258], "\xc4\xa0the") && gguf_str_eq(toks->arr.strs[299], "[PAD299]") &&
            gguf_get_u32(f, "tokenizer.ggml.eos_token_id", &u, NULL) == 0 && u == 261, "tokens or eos wrong");
    const gguf_value *mg;
    snprintf(n, sizeof n, "%s: merges, both forms", arch);
    T_CHECK(n, gguf_get_arr(f, "tokenizer.ggml.merges", GGUF_STRING, &mg, NULL) == 0 && mg->arr.n == 4 &&
            gguf_str_eq(mg->arr.strs[3], "i n"), "merges wrong");
    snprintf(n, sizeof n, "%s: output tied or not", arch);
    T_CHECK(n, (gguf_find_tensor(f, "output.weight") != NULL) == !qwen, "output.weight");
    snprintf(n, sizeof n, "%s: vectors are F32", arch);
    const gguf_tensor *nrm = gguf_find_tensor(f, "blk.1.attn_norm.weight");
    T_CHECK(n, nrm && nrm->type == LLM_F32 && nrm->n_dims == 1 && nrm->ne[0] == D, "attn_norm");
    snprintf(n, sizeof n, "%s: matrices keep their type and shape", arch);
    const gguf_tensor *dn = gguf_find_tensor(f, "blk.0.ffn_down.weight"), *kk = gguf_find_tensor(f, "blk.0.attn_k.weight");
    T_CHECK(n, dn && dn->type == LLM_BF16 && dn->ne[0] == FF && dn->ne[1] == D && kk && kk->type == LLM_F32 &&
            kk->ne[0] == D && kk->ne[1] == HKV * HD, "ffn_down / attn_k");
    if (qwen) {
        const gguf_tensor *b = gguf_find_tensor(f, "blk.1.attn_k.bias");
        T_CHECK("qwen2: biases, F32", b && b->type == LLM_F32 && b->ne[0] == HKV * HD, "attn_k.bias");
    }

    /* Q/K rows against the source: llama permuted, qwen2 as is */
    /* rebuild the source values with the same generator instead of parsing */
    int bad = 0;
    const gguf_tensor *q = gguf_find_tensor(f, "blk.0.attn_q.weight");
    const gguf_tensor *k = gguf_find_tensor(f, "blk.0.attn_k.weight");
    /* regenerate layer 0's q (F16) and k (F32) in write order */
    rs = qwen ? 77 : 99;
    wt tmpt[8];
    fill_tensor(&tmpt[0], "e", "BF16", 2, V, D, 0.5f);
    fill_tensor(&tmpt[1], "n", "BF16", 1, D, 0, 0.1f);
    if (!qwen) fill_tensor(&tmpt[2], "o", "F32", 2, V, D, 0.2f);
    fill_tensor(&tmpt[3], "in", "F16", 1, D, 0, 0.3f);
    fill_tensor(&tmpt[4], "q", "F16", 2, H * HD, D, 0.3f);
    fill_tensor(&tmpt[5], "k", "F32", 2, HKV * HD, D, 0.3f);
    for (int which = 0; which < 2 && q && k; which++) {
        const gguf_tensor *t = which ? k : q;
        const wt *w = which ? &tmpt[5] : &tmpt[4];
        int nh = which ? HKV : H;
        for (int h = 0; h < nh; h++)
            for (int j = 0; j < HD / 2; j++)
                for (int tt = 0; tt < 2; tt++) {
                    int64_t dst = h * HD + 2 * j + tt, src = qwen ? dst : h * HD + tt * (HD / 2) + j;
                    for (int c = 0; c < D; c += 7) {
                        float want = which ? ((float *)w->data)[src * D + c] : llm_f16_to_f32(((uint16_t *)w->data)[src * D + c]);
                        if (at(t, dst, c) != want) bad++;
                    }
                }
    }
    for (int i = 0; i < 6; i++) if (i != 2 || !qwen) free(tmpt[i].data);
    snprintf(n, sizeof n, qwen ? "%s: Q/K rows as Hugging Face's (NEOX rope)" : "%s: Q/K rows permuted for llama rope", arch);
    T_CHECK(n, q && k && bad == 0, "%d values differ", bad);
    gguf_close(f);

    /* quantizing straight from the folder */
    gguf_writer *w = gguf_writer_new();
    llm_qsrc src;
    llm_convert *cv = llm_convert_safetensors(dir, w, &src, &e);
    llm_qparams p;
    llm_qparams_init(&p);
    p.ftype = LLM_FTYPE_Q8_0;
    snprintf(out, sizeof out, "%s/%s-q8.gguf", tmp, arch);
    snprintf(n, sizeof n, "%s: --from safetensors with Q8_0", arch);
    int rc = cv ? llm_quantize_write(&src, w, out, &p, NULL, &e) : -1;
    f = rc == 0 ? gguf_open(out, &e) : NULL;
    const gguf_tensor *qq = f ? gguf_find_tensor(f, "blk.1.ffn_up.weight") : NULL;
    T_CHECK(n, qq && qq->type == LLM_Q8_0, "%s", rc ? e.msg : "ffn_up not q8_0");
    gguf_close(f);
    llm_convert_free(cv);
    gguf_writer_free(w);
}

/* Llama 3.1's rope scaling becomes rope_freqs.weight: 1 for the fastest
 * rotary pair, the factor (8) for the slowest. */
static void test_llama3(void)
{
    char dir[300], out[300];
    llm_err e;
    snprintf(dir, sizeof dir, "%s/llama3", tmp);
    snprintf(out, sizeof out, "%s/llama3.gguf", tmp);
    if (write_folder(dir, "llama3") < 0 || convert(dir, out, &e) < 0) { T_FAIL("llama3 rope scaling", "%s", e.msg); return; }
    gguf_file *f = gguf_open(out, &e);
    const gguf_tensor *r = f ? gguf_find_tensor(f, "rope_freqs.weight") : NULL;
    float a = 0, b = 0;
    if (r && r->ne[0] == HD / 2) { memcpy(&a, r->data, 4); memcpy(&b, (const char *)r->data + 4 * (HD / 2 - 1), 4); }
    T_CHECK("llama3 rope scaling: rope_freqs.weight", r && r->type == LLM_F32 && a == 1.0f && b == 8.0f,
            "%s %g %g", r ? "present" : "missing", a, b);
    gguf_close(f);
}

/* Bad folders: one clear error each. */
static void test_bad(void)
{
    char dir[300], out[300], path[400];
    llm_err e;
    snprintf(dir, sizeof dir, "%s/llama", tmp);
    snprintf(out, sizeof out, "%s/bad.gguf", tmp);
    snprintf(path, sizeof path, "%s/nothing", tmp);
    T_CHECK("missing folder", convert(path, out, &e) < 0 && strstr(e.msg, "not a folder"), "%s", e.msg);

    snprintf(dir, sizeof dir, "%s/gpt", tmp);
    write_folder(dir, "llama");
    snprintf(path, sizeof path, "%s/config.json", dir);
    write_text(path, "{\"architectures\":[\"GPTNeoXForCausalLM\"],\"hidden_size\":64}");
    T_CHECK("unsupported architecture", convert(dir, out, &e) < 0 && strstr(e.msg, "'GPTNeoXForCausalLM' is not supported"), "%s", e.msg);

    snprintf(dir, sizeof dir, "%s/notok", tmp);
    write_folder(dir, "qwen2");
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    unlink(path);
    T_CHECK("missing tokenizer", convert(dir, out, &e) < 0 && strstr(e.msg, "tokenizer.json: missing"), "%s", e.msg);

    snprintf(dir, sizeof dir, "%s/trunc", tmp);
    write_folder(dir, "qwen2");
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (truncate(path, 20000) != 0) T_FAIL("truncate", "failed");
    T_CHECK("truncated safetensors", convert(dir, out, &e) < 0 && strstr(e.msg, "model.safetensors"), "%s", e.msg);
    T_CHECK("no partial output", access(out, F_OK) != 0, "%s exists", out);

    snprintf(path, sizeof path, "%s/vocab.gguf", tmp);
    snprintf(dir, sizeof dir, "%s/qwen2", tmp);
    gguf_writer *w = gguf_writer_new();
    llm_convert *cv = llm_convert_vocab(dir, w, &e);
    llm_qsrc none = { 0 };
    llm_qparams p;
    llm_qparams_init(&p);
    int rc = cv ? llm_quantize_write(&none, w, path, &p, NULL, &e) : -1;
    gguf_file *f = rc == 0 ? gguf_open(path, &e) : NULL;
    gguf_str s;
    T_CHECK("vocabulary only", f && f->n_tensors == 0 && gguf_get_str(f, "general.architecture", &s, NULL) == 0 &&
            gguf_str_eq(s, "qwen2") && gguf_find(f, "tokenizer.ggml.merges"), "%s", e.msg);
    gguf_close(f);
    llm_convert_free(cv);
    gguf_writer_free(w);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--write")) return write_folder(argv[2], argv[3]) < 0;
    snprintf(tmp, sizeof tmp, "%s/tst.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
    if (!mkdtemp(tmp)) { T_FAIL("tmpdir", "mkdtemp"); return t_exit(); }
    test_arch("llama");
    test_arch("qwen2");
    test_llama3();
    test_bad();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) T_FAIL("cleanup", "%s", cmd);
    return t_exit();
}
