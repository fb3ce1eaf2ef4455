/* test_tokenizer_corpus.c: on the 1.5 MB corpus (tests/corpus), our ids
 * equal llama.cpp's (tests/golden/tok/<vocab>.<doc>.ids, made by
 * tests/golden/make-tok.sh) for the Llama 2 SPM and GPT-2 vocabularies,
 * and decode(encode(doc)) == doc. Documents are split as the README there
 * says: whole lines, closed once they hold >= 2048 bytes. */
#include "t.h"
#include "gguf.h"
#include "tokenizer.h"

#include <dirent.h>
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

/* Compare one corpus file against its golden; returns mismatching documents. */
static void check_file(const llm_tokenizer *t, const char *vocab, const char *path, const char *doc, bool roundtrip)
{
    char gpath[1024], name[600];
    snprintf(gpath, sizeof gpath, "tests/golden/tok/%s.%s.ids", vocab, doc);
    snprintf(name, sizeof name, "%s.%s", vocab, doc);
    size_t n, gn;
    char *buf = slurp(path, &n), *gold = slurp(gpath, &gn);
    if (!buf || !gold) {
        T_SKIP(name, "%s or %s missing", path, gpath);
        free(buf); free(gold);
        return;
    }
    int docs = 0, bad = 0, badrt = 0;
    char *g = gold;
    size_t start = 0, i = 0;
    while (i < n) {
        const char *nl = memchr(buf + i, '\n', n - i);
        i = nl ? (size_t)(nl - buf) + 1 : n;
        if (!(i - start >= 2048 || i == n))
            continue;
        char *gl = strchr(g, '\n');
        if (!gl) { bad++; break; }
        *gl = 0;
        llm_tokens v = { 0 };
        llm_err e;
        if (llm_tokenize(t, buf + start, i - start, 0, &v, &e) != 0) {
            bad++;
        } else {
            /* compare id by id */
            char *p = g;
            size_t k = 0;
            bool same = true;
            while (*p && k < v.n) {
                long id = strtol(p, &p, 10);
                if (id != v.ids[k++]) { same = false; break; }
                while (*p == ' ') p++;
            }
            if (same && (*p || k != v.n)) same = false;
            if (!same) {
                if (bad < 2) printf("  %s document %d (bytes %zu..%zu) differs at token %zu\n", name, docs, start, i, k ? k - 1 : 0);
                bad++;
            }
            if (roundtrip) {
                size_t len;
                char *s = llm_detokenize(t, v.ids, v.n, LLM_DETOK_NO_CLEAN, &len, &e);
                if (!s || len != i - start || memcmp(s, buf + start, len) != 0) {
                    if (badrt < 2) printf("  %s document %d: decode(encode(doc)) != doc\n", name, docs);
                    badrt++;
                }
                free(s);
            }
        }
        llm_tokens_free(&v);
        g = gl + 1;
        docs++;
        start = i;
    }
    T_CHECK(name, bad == 0 && docs > 0, "%d of %d documents differ from llama.cpp", bad, docs);
    if (roundtrip) {
        char rname[700];
        snprintf(rname, sizeof rname, "%s roundtrip", name);
        T_CHECK(rname, badrt == 0, "%d of %d documents do not decode back", badrt, docs);
    }
    free(buf);
    free(gold);
}

static void run_vocab(const char *vocab)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ggml-vocab-%s.gguf", t_models(), vocab);
    llm_err e;
    gguf_file *f = gguf_open(path, &e);
    if (!f) {
        T_SKIP(vocab, "%s", e.msg);
        return;
    }
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    if (!t) {
        T_FAIL(vocab, "%s", e.msg);
        return;
    }
    DIR *d = opendir("tests/corpus");
    if (!d) {
        T_SKIP(vocab, "no tests/corpus");
        llm_tokenizer_free(t);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        bool txt = l > 4 && strcmp(de->d_name + l - 4, ".txt") == 0;
        bool bin = strcmp(de->d_name, "invalid-utf8.bin") == 0;
        if (!txt && !bin)
            continue;
        char doc[256], fpath[512];
        snprintf(doc, sizeof doc, "%.*s", (int)(l - 4), de->d_name);
        snprintf(fpath, sizeof fpath, "tests/corpus/%s", de->d_name);
        /* invalid UTF-8 does not come back: byte-level BPE turns it into
         * U+FFFD, and SPM's byte fallback spells a "▁" next to it as its
         * three bytes (both as llama.cpp) */
        check_file(t, vocab, fpath, doc, txt);
    }
    closedir(d);
    llm_tokenizer_free(t);
}

int main(void)
{
    run_vocab("llama-spm");
    run_vocab("gpt-2");
    return t_exit();
}
