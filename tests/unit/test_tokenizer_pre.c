/* test_tokenizer_pre.c: the BPE pre-tokenizers without a vocabulary file of
 * their own (llama-bpe for Llama 3, qwen2, default, smollm) against
 * llama.cpp on the whole corpus: the GPT-2 vocabulary with
 * tokenizer.ggml.pre changed, hashed ids per document in
 * tests/golden/tok/pre.tsv (made by tests/golden/make-tok-pre.sh). */
#include "t.h"
#include "gguf.h"
#include "tokenizer.h"

#include <stdint.h>
#include <unistd.h>

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
    *len = n;
    return b;
}

static llm_tokenizer *with_pre(const char *pre, const char *dir)
{
    char src[512], dst[600];
    snprintf(src, sizeof src, "%s/ggml-vocab-gpt-2.gguf", t_models());
    snprintf(dst, sizeof dst, "%s/pre.gguf", dir);
    llm_err e;
    gguf_file *f = gguf_open(src, &e);
    if (!f)
        return NULL;
    gguf_writer *w = gguf_writer_new();
    for (uint64_t i = 0; i < f->n_kv; i++)
        gguf_set_kv(w, &f->kv[i]);
    gguf_set_str(w, "tokenizer.ggml.pre", pre, strlen(pre));
    int rc = gguf_writer_write(w, dst, &e);
    gguf_writer_free(w);
    gguf_close(f);
    if (rc)
        return NULL;
    f = gguf_open(dst, &e);
    llm_tokenizer *t = f ? llm_tokenizer_from_gguf(f, &e) : NULL;
    if (f)
        gguf_close(f);
    unlink(dst);
    if (!t)
        printf("  %s: %s\n", pre, e.msg);
    return t;
}

/* The INDEX-th document of corpus file DOC (split as tok/README says). */
static const char *doc_text(const char *doc, long index, size_t *len)
{
    static char cur[256];
    static char *buf;
    static size_t n;
    if (strcmp(cur, doc) != 0) {
        free(buf);
        char path[512];
        snprintf(path, sizeof path, "tests/corpus/%s.%s", doc, strcmp(doc, "invalid-utf8") ? "txt" : "bin");
        buf = slurp(path, &n);
        snprintf(cur, sizeof cur, "%s", doc);
        if (!buf)
            return NULL;
    }
    if (!buf)
        return NULL;
    size_t start = 0, i = 0;
    long k = 0;
    while (i < n) {
        const char *nl = memchr(buf + i, '\n', n - i);
        i = nl ? (size_t)(nl - buf) + 1 : n;
        if (i - start >= 2048 || i == n) {
            if (k++ == index) {
                *len = i - start;
                return buf + start;
            }
            start = i;
        }
    }
    return NULL;
}

int main(void)
{
    size_t gl;
    char *gold = slurp("tests/golden/tok/pre.tsv", &gl);
    char src[512];
    snprintf(src, sizeof src, "%s/ggml-vocab-gpt-2.gguf", t_models());
    if (!gold || access(src, R_OK) != 0) {
        T_SKIP("pre-tokenizers", "no tests/golden/tok/pre.tsv or %s", src);
        free(gold);
        return t_exit();
    }
    char dir[256];
    snprintf(dir, sizeof dir, "%s/pre.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    gold = realloc(gold, gl + 1);
    gold[gl] = 0;
    char pre[64] = "";
    llm_tokenizer *t = NULL;
    int docs = 0, bad = 0;
    for (char *line = gold, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        char p[64], doc[128], hash[32];
        long index, nids;
        if (sscanf(line, "%63s %127s %ld %ld %31s", p, doc, &index, &nids, hash) != 5)
            continue;
        if (strcmp(p, pre) != 0) {
            if (t) {
                T_CHECK(pre, bad == 0 && docs > 0, "%d of %d documents differ from llama.cpp", bad, docs);
                llm_tokenizer_free(t);
            }
            snprintf(pre, sizeof pre, "%s", p);
            t = with_pre(pre, dir);
            docs = bad = 0;
            if (!t)
                T_FAIL(pre, "cannot load the vocabulary with this pre-tokenizer");
        }
        if (!t)
            continue;
        size_t len;
        const char *text = doc_text(doc, index, &len);
        llm_tokens v = { 0 };
        llm_err e;
        if (!text || llm_tokenize(t, text, len, 0, &v, &e)) {
            bad++;
            docs++;
            continue;
        }
        uint64_t h = 0xcbf29ce484222325ULL;
        char num[16];
        for (size_t i = 0; i < v.n; i++) {
            int k = snprintf(num, sizeof num, i ? " %d" : "%d", v.ids[i]);
            for (int j = 0; j < k; j++)
                h = (h ^ (unsigned char)num[j]) * 0x100000001b3ULL;
        }
        char hx[32];
        snprintf(hx, sizeof hx, "%016llx", (unsigned long long)h);
        if (strcmp(hx, hash) != 0 || (long)v.n != nids) {
            if (bad < 3)
                printf("  %s: %s document %ld: %zu ids (llama.cpp: %ld), hash differs\n", pre, doc, index, v.n, nids);
            bad++;
        }
        docs++;
        llm_tokens_free(&v);
    }
    if (t) {
        T_CHECK(pre, bad == 0 && docs > 0, "%d of %d documents differ from llama.cpp", bad, docs);
        llm_tokenizer_free(t);
    }
    size_t dummy;
    doc_text("", -1, &dummy);
    rmdir(dir);
    free(gold);
    return t_exit();
}
