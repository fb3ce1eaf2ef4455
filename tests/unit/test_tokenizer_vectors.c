/* test_tokenizer_vectors.c: llama.cpp's own tokenizer test vectors
 * (test-tokenizer-0: ggml-vocab-*.gguf.inp/.out) must come out exactly:
 * add_special = false, parse_special = false. */
#include "t.h"
#include "gguf.h"
#include "tokenizer.h"

#include <stdint.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (n == cap) b = realloc(b, cap *= 2);
        size_t k = fread(b + n, 1, cap - n, f);
        if (k == 0) break;
        n += k;
    }
    fclose(f);
    b = realloc(b, n + 1);
    b[n] = 0;
    *len = n;
    return b;
}

/* Run every vector of NAME.inp/.out through t; one check per file. */
static void run_vectors(const char *name, const llm_tokenizer *t)
{
    char pin[512], pout[512];
    snprintf(pin, sizeof pin, "%s/%s.inp", t_models(), name);
    snprintf(pout, sizeof pout, "%s/%s.out", t_models(), name);
    size_t nin, nout;
    char *in = slurp(pin, &nin), *out = slurp(pout, &nout);
    if (!in || !out) {
        T_SKIP(name, "%s not found (no ../shared/models)", pin);
        free(in); free(out);
        return;
    }
    const char *sep = "\n__ggml_vocab_test__\n";
    size_t seplen = strlen(sep);
    char *p = in, *q = out;
    int count = 0, bad = 0;
    while (p < in + nin) {
        char *s = strstr(p, sep);
        if (!s) break;
        char *nl = strchr(q, '\n');
        if (!nl) { bad++; break; }
        *nl = 0;
        llm_tokens v = { 0 };
        llm_err e;
        if (llm_tokenize(t, p, (size_t)(s - p), 0, &v, &e)) {
            T_FAIL(name, "vector %d: %s", count, e.msg);
            bad++;
        } else {
            char got[8192];
            size_t k = 0;
            got[0] = 0;
            for (size_t i = 0; i < v.n && k < sizeof got - 16; i++)
                k += (size_t)snprintf(got + k, sizeof got - k, "%s%d", i ? " " : "", v.ids[i]);
            /* .out lines: ids separated by single spaces, maybe a trailing space */
            char want[8192];
            snprintf(want, sizeof want, "%s", q);
            size_t wl = strlen(want);
            while (wl && want[wl - 1] == ' ') want[--wl] = 0;
            char *w0 = want;
            while (*w0 == ' ') w0++;
            if (strcmp(got, w0) != 0) {
                if (bad < 5)
                    printf("  %s vector %d: text '%.*s'\n    got  %s\n    want %s\n", name, count,
                           (int)(s - p > 60 ? 60 : s - p), p, got, w0);
                bad++;
            }
        }
        llm_tokens_free(&v);
        count++;
        p = s + seplen;
        q = nl + 1;
    }
    T_CHECK(name, bad == 0 && count > 0, "%d of %d vectors differ", bad, count);
    free(in);
    free(out);
}

static llm_tokenizer *load_gguf(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t_models(), file);
    llm_err e;
    gguf_file *f = gguf_open(path, &e);
    if (!f) {
        T_SKIP(file, "%s", e.msg);
        return NULL;
    }
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    if (!t)
        T_FAIL(file, "%s", e.msg);
    return t;
}

int main(void)
{
    llm_tokenizer *t = load_gguf("ggml-vocab-llama-spm.gguf");
    if (t) {
        run_vectors("ggml-vocab-llama-spm.gguf", t);
        llm_tokenizer_free(t);
    }
    t = load_gguf("ggml-vocab-gpt-2.gguf");
    if (t) {
        run_vectors("ggml-vocab-gpt-2.gguf", t);
        llm_tokenizer_free(t);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/qwen3-tokenizer.json", t_models());
    llm_err e;
    t = llm_tokenizer_from_json(path, &e);
    if (!t) {
        T_SKIP("qwen2", "%s", e.msg);
    } else {
        run_vectors("ggml-vocab-qwen2.gguf", t);
        llm_tokenizer_free(t);
    }
    return t_exit();
}
