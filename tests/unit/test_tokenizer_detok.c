/* test_tokenizer_detok.c: decoding as llama.cpp's llama_detokenize, on
 * the ids of every corpus document, of the special-token goldens and of
 * random sequences over the whole vocabulary, for the llama-spm and gpt-2
 * vocabularies, with and without special tokens shown or removed:
 * lengths and hashes of llama.cpp's text in tests/golden/tok/detok.tsv
 * (made by tests/golden/make-tok-detok.sh). */
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

static llm_tokenizer *load(const char *vocab)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ggml-vocab-%s.gguf", t_models(), vocab);
    llm_err e;
    gguf_file *f = gguf_open(path, &e);
    if (!f)
        return NULL;
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    return t;
}

/* Line LINE of the ids file behind SOURCE, parsed into v. */
static int ids_line(const char *vocab, const char *source, long line, llm_tokens *v)
{
    static char cur[512];
    static char *buf;
    static size_t n;
    char path[512];
    if (strncmp(source, "corpus:", 7) == 0)
        snprintf(path, sizeof path, "tests/golden/tok/%s.%s.ids", vocab, source + 7);
    else if (strcmp(source, "special") == 0)
        snprintf(path, sizeof path, "tests/golden/tok/special.%s.special.out", vocab);
    else
        snprintf(path, sizeof path, "tests/golden/tok/detok-random.%s.ids", vocab);
    if (strcmp(path, cur) != 0) {
        free(buf);
        buf = slurp(path, &n);
        snprintf(cur, sizeof cur, "%s", path);
    }
    if (!buf)
        return -1;
    char *p = buf;
    for (long i = 0; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    v->n = 0;
    while (*p && *p != '\n') {
        if (v->n == v->cap) {
            v->cap = v->cap ? v->cap * 2 : 1024;
            v->ids = realloc(v->ids, v->cap * sizeof *v->ids);
        }
        v->ids[v->n++] = (int32_t)strtol(p, &p, 10);
        while (*p == ' ')
            p++;
    }
    return 0;
}

int main(void)
{
    size_t gl;
    char *gold = slurp("tests/golden/tok/detok.tsv", &gl);
    if (!gold) {
        T_SKIP("detokenize", "no tests/golden/tok/detok.tsv");
        return t_exit();
    }
    llm_tokenizer *spm = load("llama-spm"), *bpe = load("gpt-2");
    if (!spm || !bpe) {
        T_SKIP("detokenize", "no ggml-vocab-llama-spm.gguf / ggml-vocab-gpt-2.gguf in %s", t_models());
        llm_tokenizer_free(spm);
        llm_tokenizer_free(bpe);
        free(gold);
        return t_exit();
    }
    /* counts per vocab x (corpus | special | random) x mode */
    int docs[2][3][3] = { { { 0 } } }, bad[2][3][3] = { { { 0 } } };
    llm_tokens v = { 0 };
    for (char *line = gold, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        char vocab[32], source[128], mode[16], hash[32];
        long index, want_len;
        if (sscanf(line, "%31s %127s %15s %ld %ld %31s", vocab, source, mode, &index, &want_len, hash) != 6)
            continue;
        int vi = strcmp(vocab, "gpt-2") == 0;
        int si = strncmp(source, "corpus:", 7) == 0 ? 0 : strcmp(source, "special") == 0 ? 1 : 2;
        int mi = strcmp(mode, "plain") == 0 ? 0 : strcmp(mode, "special") == 0 ? 1 : 2;
        int flags = mi == 1 ? LLM_DETOK_SPECIAL : mi == 2 ? LLM_DETOK_REMOVE_SPECIAL : 0;
        docs[vi][si][mi]++;
        llm_err e;
        size_t len = 0;
        char *s = ids_line(vocab, source, index, &v) == 0 ? llm_detokenize(vi ? bpe : spm, v.ids, v.n, flags, &len, &e) : NULL;
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; s && i < len; i++)
            h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
        char hx[32];
        snprintf(hx, sizeof hx, "%016llx", (unsigned long long)h);
        if (!s || (long)len != want_len || strcmp(hx, hash) != 0) {
            if (bad[vi][si][mi]++ < 2)
                printf("  %s %s %s line %ld: %zu bytes (llama.cpp %ld)%s\n", vocab, source, mode, index, len,
                       want_len, s ? ", text differs" : ", failed");
        }
        free(s);
    }
    static const char *vn[] = { "llama-spm", "gpt-2" }, *sn[] = { "corpus", "special", "random" },
                      *mn[] = { "plain", "special", "remove-special" };
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++) {
                if (!docs[a][b][c])
                    continue;
                char name[128];
                snprintf(name, sizeof name, "detokenize %s %s %s", vn[a], sn[b], mn[c]);
                T_CHECK(name, bad[a][b][c] == 0, "%d of %d differ from llama.cpp", bad[a][b][c], docs[a][b][c]);
            }
    llm_tokens_free(&v);
    ids_line("", "corpus:", -1, &v);
    llm_tokenizer_free(spm);
    llm_tokenizer_free(bpe);
    free(gold);
    return t_exit();
}
