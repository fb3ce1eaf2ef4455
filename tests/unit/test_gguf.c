/* test_gguf.c: the GGUF reader and writer: round trip of every value type,
 * the shared model files, and bad input (every truncation, corrupted
 * counts, lengths, types, dims and offsets, random mutations). */
#include "t.h"
#include "dtype.h"
#include "gguf.h"

#include <stdint.h>
#include <unistd.h>

static char dir[256];

static char *path_in(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    if (fread(b, 1, (size_t)sz, f) != (size_t)sz) { free(b); fclose(f); return NULL; }
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static void spit(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

/* Write a small file with every value type and two tensors. */
static int make_sample(const char *path, float *w2)
{
    gguf_writer *w = gguf_writer_new();
    gguf_set_u32(w, "a.u32", 4000000000u);
    gguf_set_i32(w, "a.i32", -7);
    gguf_set_u64(w, "a.u64", 1ull << 40);
    gguf_set_f32(w, "a.f32", 0.125f);
    gguf_set_bool(w, "a.bool", true);
    gguf_set_str(w, "a.str", "h\xc3\xa9llo", 6);
    int16_t i16[3] = { -1, 2, -3 };
    gguf_set_arr(w, "a.arr_i16", GGUF_INT16, i16, 3);
    double f64[2] = { 1.5, -2.25 };
    gguf_set_arr(w, "a.arr_f64", GGUF_FLOAT64, f64, 2);
    gguf_str s[3] = { { "x", 1 }, { "", 0 }, { "zz\n", 3 } };
    gguf_set_arr_str(w, "a.arr_str", s, 3);
    gguf_set_u32(w, "a.replaced", 1);
    gguf_set_u32(w, "a.replaced", 2);
    gguf_set_u32(w, "a.removed", 3);
    gguf_unset(w, "a.removed");
    for (int i = 0; i < 64; i++) w2[i] = (float)i * 0.5f - 3.0f;
    int64_t ne1[1] = { 8 }, ne2[2] = { 32, 2 };
    llm_err e;
    int rc = gguf_add_tensor(w, "one", LLM_F32, 1, ne1, w2, NULL, NULL, &e);
    rc |= gguf_add_tensor(w, "two", LLM_F32, 2, ne2, w2, NULL, NULL, &e);
    rc |= gguf_writer_write(w, path, &e);
    if (rc) printf("# %s\n", e.msg);
    gguf_writer_free(w);
    return rc;
}

static void test_roundtrip(void)
{
    float data[64];
    const char *p = path_in("sample.gguf");
    T_CHECK("write sample", make_sample(p, data) == 0, "writer failed");
    llm_err e;
    gguf_file *f = gguf_open(p, &e);
    if (!f) { T_FAIL("open sample", "%s", e.msg); return; }
    uint32_t u32; int64_t i64; uint64_t u64; float f32; bool b; gguf_str str;
    T_CHECK("u32", gguf_get_u32(f, "a.u32", &u32, &e) == 0 && u32 == 4000000000u, "got %u", u32);
    T_CHECK("i32", gguf_get_i64(f, "a.i32", &i64, &e) == 0 && i64 == -7, "got %lld", (long long)i64);
    T_CHECK("u32 of negative fails", gguf_get_u32(f, "a.i32", &u32, &e) < 0, "accepted -7 as u32");
    T_CHECK("u64", gguf_get_u64(f, "a.u64", &u64, &e) == 0 && u64 == 1ull << 40, "wrong");
    T_CHECK("f32", gguf_get_f32(f, "a.f32", &f32, &e) == 0 && f32 == 0.125f, "got %g", f32);
    T_CHECK("bool", gguf_get_bool(f, "a.bool", &b, &e) == 0 && b, "wrong");
    T_CHECK("str", gguf_get_str(f, "a.str", &str, &e) == 0 && gguf_str_eq(str, "h\xc3\xa9llo"), "wrong");
    T_CHECK("replaced", gguf_get_u32(f, "a.replaced", &u32, &e) == 0 && u32 == 2, "got %u", u32);
    T_CHECK("removed", gguf_find(f, "a.removed") == NULL, "still there");
    T_CHECK("missing key message", gguf_get_u32(f, "nope", &u32, &e) < 0 && strstr(e.msg, "'nope' missing"),
            "%s", e.msg);
    T_CHECK("wrong type message", gguf_get_str(f, "a.u32", &str, &e) < 0 && strstr(e.msg, "is a u32"), "%s", e.msg);
    const gguf_value *a;
    T_CHECK("i16 array", gguf_get_arr(f, "a.arr_i16", GGUF_INT64, &a, &e) == 0 && a->arr.n == 3 &&
            gguf_arr_i64(a, 0) == -1 && gguf_arr_i64(a, 2) == -3, "wrong");
    T_CHECK("f64 array", gguf_get_arr(f, "a.arr_f64", GGUF_FLOAT64, &a, &e) == 0 &&
            gguf_arr_f64(a, 1) == -2.25, "wrong");
    T_CHECK("str array", gguf_get_arr(f, "a.arr_str", GGUF_STRING, &a, &e) == 0 && a->arr.n == 3 &&
            gguf_str_eq(a->arr.strs[2], "zz\n") && a->arr.strs[1].len == 0, "wrong");
    const gguf_tensor *t = gguf_find_tensor(f, "two");
    T_CHECK("tensor shape", t && t->n_dims == 2 && t->ne[0] == 32 && t->ne[1] == 2 && t->nbytes == 256, "wrong");
    T_CHECK("tensor aligned", t && ((uintptr_t)t->data - (uintptr_t)f->map) % 32 == 0, "not aligned");
    T_CHECK("tensor data", t && !memcmp(t->data, data, 256), "data differs");

    /* copy every pair into a new file through gguf_set_kv: same bytes */
    gguf_writer *w = gguf_writer_new();
    for (uint64_t i = 0; i < f->n_kv; i++) gguf_set_kv(w, &f->kv[i]);
    for (uint64_t i = 0; i < f->n_tensors; i++)
        gguf_add_tensor(w, f->tensors[i].name, f->tensors[i].type, f->tensors[i].n_dims,
                        f->tensors[i].ne, f->tensors[i].data, NULL, NULL, &e);
    const char *p2 = path_in("copy.gguf");
    T_CHECK("copy written", gguf_writer_write(w, p2, &e) == 0, "%s", e.msg);
    gguf_writer_free(w);
    size_t n1, n2;
    uint8_t *b1 = slurp(p, &n1), *b2 = slurp(p2, &n2);
    T_CHECK("copy is byte-identical", b1 && b2 && n1 == n2 && !memcmp(b1, b2, n1), "differs");
    free(b1);
    free(b2);
    gguf_close(f);
}

/* A nested array (array of arrays of u8) built by hand. */
static void test_nested(void)
{
    uint8_t b[256];
    size_t n = 0;
#define PUT(v, sz) do { uint64_t v_ = (v); memcpy(b + n, &v_, sz); n += sz; } while (0)
    memcpy(b, "GGUF", 4); n = 4;
    PUT(3, 4); PUT(0, 8); PUT(1, 8);
    PUT(3, 8); memcpy(b + n, "nst", 3); n += 3;
    PUT(GGUF_ARRAY, 4); PUT(GGUF_ARRAY, 4); PUT(2, 8);
    PUT(GGUF_UINT8, 4); PUT(2, 8); b[n++] = 7; b[n++] = 8;
    PUT(GGUF_UINT8, 4); PUT(1, 8); b[n++] = 9;
    while (n < 40) b[n++] = 0;   /* at least the minimal size */
    spit(path_in("nested.gguf"), b, n);
    llm_err e;
    gguf_file *f = gguf_open(path_in("nested.gguf"), &e);
    if (!f) { T_FAIL("nested arrays", "%s", e.msg); return; }
    const gguf_kv *kv = gguf_find(f, "nst");
    T_CHECK("nested arrays", kv && kv->val.arr.n == 2 && kv->val.arr.vals[0].arr.n == 2 &&
            gguf_arr_i64(&kv->val.arr.vals[0], 1) == 8 && gguf_arr_i64(&kv->val.arr.vals[1], 0) == 9,
            "wrong values");
    gguf_close(f);
}

static void test_models(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/stories260K.gguf", t_models());
    if (access(p, R_OK)) { T_SKIP("stories260K", "%s not found (../shared/models missing)", p); return; }
    llm_err e;
    gguf_file *f = gguf_open(p, &e);
    if (!f) { T_FAIL("stories260K opens", "%s", e.msg); return; }
    gguf_str arch;
    const gguf_value *toks;
    int all_f32 = 1;
    for (uint64_t i = 0; i < f->n_tensors; i++) all_f32 &= f->tensors[i].type == LLM_F32;
    T_CHECK("stories260K: 48 tensors, all f32", f->n_tensors == 48 && all_f32, "%llu", (unsigned long long)f->n_tensors);
    T_CHECK("stories260K: llama", gguf_get_str(f, "general.architecture", &arch, &e) == 0 && gguf_str_eq(arch, "llama"), "no");
    T_CHECK("stories260K: vocab 512", gguf_get_arr(f, "tokenizer.ggml.tokens", GGUF_STRING, &toks, &e) == 0 &&
            toks->arr.n == 512, "no");
    T_CHECK("stories260K: data offset 14176", f->data_offset == 14176, "%llu", (unsigned long long)f->data_offset);
    gguf_close(f);
    const char *others[] = { "llama-2-tiny-random.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf" };
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", t_models(), others[i]);
        f = gguf_open(p, &e);
        T_CHECK(others[i], f != NULL, "%s", e.msg);
        gguf_close(f);
    }
}

/* Every prefix of a valid file must be refused with a message naming the
 * file, never crash. */
static void test_truncations(const char *src, const char *label)
{
    size_t n;
    uint8_t *b = slurp(src, &n);
    if (!b) { T_SKIP(label, "cannot read %s", src); return; }
    const char *p = path_in("trunc.gguf");
    int bad = 0;
    size_t step = n > 4000 ? n / 1500 : 1;
    for (size_t len = 0; len < n; len += (len < 2048 ? 1 : step)) {
        spit(p, b, len);
        llm_err e;
        gguf_file *f = gguf_open(p, &e);
        if (f || !strstr(e.msg, p)) {
            if (!bad) printf("# truncation at %zu: %s\n", len, f ? "accepted" : e.msg);
            bad++;
        }
        gguf_close(f);
    }
    T_CHECK(label, bad == 0, "%d truncations not refused properly", bad);
    free(b);
}

static uint32_t rng32(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* Overwrite bytes at offset with v (size sz) and expect a refusal whose
 * message contains want. */
static void corrupt(const uint8_t *b, size_t n, size_t off, uint64_t v, int sz, const char *want, const char *name)
{
    uint8_t *c = malloc(n);
    memcpy(c, b, n);
    memcpy(c + off, &v, (size_t)sz);
    spit(path_in("bad.gguf"), c, n);
    llm_err e;
    gguf_file *f = gguf_open(path_in("bad.gguf"), &e);
    T_CHECK(name, !f && strstr(e.msg, want), "%s", f ? "accepted" : e.msg);
    gguf_close(f);
    free(c);
}

static void test_corruptions(void)
{
    float data[64];
    const char *p = path_in("sample2.gguf");
    make_sample(p, data);
    size_t n;
    uint8_t *b = slurp(p, &n);
    llm_err e;
    gguf_file *f = gguf_open(p, &e);
    if (!b || !f) { T_FAIL("corruptions", "no sample"); return; }
    corrupt(b, n, 0, 0x46554748, 4, "not a GGUF file", "bad magic");
    corrupt(b, n, 4, 1, 4, "version 1", "version 1");
    corrupt(b, n, 4, 0x03000000, 4, "big-endian", "big-endian");
    corrupt(b, n, 4, 99, 4, "unsupported GGUF version 99", "version 99");
    corrupt(b, n, 8, 1ull << 60, 8, "tensor count", "huge tensor count");
    corrupt(b, n, 16, 1ull << 60, 8, "key-value count", "huge kv count");
    corrupt(b, n, 24, 1ull << 62, 8, "length", "huge key length");
    corrupt(b, n, 24, UINT64_MAX, 8, "length", "key length -1");
    const gguf_kv *kv = gguf_find(f, "a.u32");
    size_t type_at = kv->file_offset + 8 + strlen(kv->key);
    corrupt(b, n, type_at, 13, 4, "unknown value type 13", "unknown value type");
    kv = gguf_find(f, "a.str");
    size_t len_at = kv->file_offset + 8 + strlen(kv->key) + 4;
    corrupt(b, n, len_at, 1ull << 50, 8, "length", "huge string length");
    kv = gguf_find(f, "a.bool");
    corrupt(b, n, kv->file_offset + 8 + strlen(kv->key) + 4, 2, 1, "bool", "bool value 2");
    kv = gguf_find(f, "a.arr_str");
    size_t arr_at = kv->file_offset + 8 + strlen(kv->key) + 4;
    corrupt(b, n, arr_at + 4, 1ull << 40, 8, "array of", "huge array count");
    corrupt(b, n, arr_at, 99, 4, "unknown element type", "array of unknown type");
    kv = gguf_find(f, "a.arr_f64");
    corrupt(b, n, kv->file_offset + 8 + strlen(kv->key) + 4 + 4, UINT64_MAX / 4, 8, "array of", "overflowing array count");
    /* tensor infos: find "two" after the kv section */
    const uint8_t *tw = NULL;
    for (size_t i = 0; i + 11 <= n && !tw; i++)
        if (!memcmp(b + i, "\x03\0\0\0\0\0\0\0two", 11)) tw = b + i;
    if (!tw) { T_FAIL("find tensor info", "no"); return; }
    size_t ti = (size_t)(tw - b) + 11;       /* n_dims */
    corrupt(b, n, ti, 0, 4, "0 dimensions", "zero dims count");
    corrupt(b, n, ti, 5, 4, "5 dimensions", "five dims");
    corrupt(b, n, ti + 4, 0, 8, "dimension 0 is zero", "zero dimension");
    corrupt(b, n, ti + 4, 1ull << 63, 8, "INT64_MAX", "dimension over int64");
    corrupt(b, n, ti + 12, 1ull << 62, 8, "overflows", "overflowing element count");
    corrupt(b, n, ti + 12, 1ull << 30, 8, "data ends at", "data past the end");
    corrupt(b, n, ti + 20, 4, 4, "removed", "removed type");
    corrupt(b, n, ti + 20, 77, 4, "77", "unknown type");
    corrupt(b, n, ti + 24, 3, 8, "alignment", "misaligned offset");
    corrupt(b, n, ti + 24, UINT64_MAX - 31, 8, "overflows", "offset overflow");
    corrupt(b, n, ti - 3, 'o' | 'n' << 8 | 'e' << 16, 3, "duplicate tensor", "duplicate tensor name");
    kv = gguf_find(f, "a.i32");
    corrupt(b, n, kv->file_offset + 8, 'a' | '.' << 8 | 'u' << 16, 3, "duplicate key", "duplicate key");
    gguf_close(f);

    /* random mutations: any outcome but a crash */
    uint64_t s = 12345;
    uint8_t *c = malloc(n);
    int opened = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(c, b, n);
        int k = 1 + (int)(rng32(&s) % 4);
        for (int j = 0; j < k; j++) c[rng32(&s) % n] = (uint8_t)rng32(&s);
        spit(path_in("mut.gguf"), c, n);
        gguf_file *g = gguf_open(path_in("mut.gguf"), &e);
        opened += g != NULL;
        gguf_close(g);
    }
    /* reaching here means no crash; most mutations must be caught */
    T_CHECK("3000 random mutations: no crash, most refused", opened < 1500, "%d of 3000 opened", opened);
    free(c);
    free(b);
}

static void test_writer_refusals(void)
{
    gguf_writer *w = gguf_writer_new();
    llm_err e;
    float x[32] = { 0 };
    int64_t ne[1] = { 30 };
    T_CHECK("row not fitting q4_0 refused", gguf_add_tensor(w, "t", LLM_Q4_0, 1, ne, x, NULL, NULL, &e) < 0 &&
            strstr(e.msg, "block"), "%s", e.msg);
    ne[0] = 32;
    gguf_add_tensor(w, "t", LLM_F32, 1, ne, x, NULL, NULL, &e);
    T_CHECK("duplicate tensor refused", gguf_add_tensor(w, "t", LLM_F32, 1, ne, x, NULL, NULL, &e) < 0, "accepted");
    T_CHECK("folder refused", gguf_writer_write(w, dir, &e) < 0 && strstr(e.msg, "not a regular file"), "%s", e.msg);
    T_CHECK("device refused", gguf_writer_write(w, "/dev/null", &e) < 0, "accepted /dev/null");
    char p[300];
    snprintf(p, sizeof p, "%s/no/such/dir/x.gguf", dir);
    T_CHECK("missing folder refused", gguf_writer_write(w, p, &e) < 0 && strstr(e.msg, "temporary"), "%s", e.msg);
    gguf_writer_free(w);
}

int main(void)
{
    const char *tmp = getenv("TMPROOT");
    snprintf(dir, sizeof dir, "%s/gguf.XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    test_roundtrip();
    test_nested();
    test_models();
    test_writer_refusals();
    char sample[512];
    snprintf(sample, sizeof sample, "%s", path_in("sample.gguf"));
    test_truncations(sample, "every truncation of a sample refused");
    char p[512];
    snprintf(p, sizeof p, "%s/stories260K.gguf", t_models());
    if (!access(p, R_OK)) test_truncations(p, "truncations of stories260K refused");
    test_corruptions();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) {}
    return t_exit();
}
