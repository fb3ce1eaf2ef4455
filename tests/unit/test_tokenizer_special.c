/* test_tokenizer_special.c: special tokens and BOS as llama.cpp handles
 * them: the documents of tests/golden/tok/special.inp (hand-written cases
 * and random mixes of text and "<s>", "</s>", "<unk>", "<|endoftext|>"),
 * with add_special and with or without parse_special, against llama.cpp's
 * ids (tests/golden/make-tok-special.sh). */
#include "t.h"
#include "gguf.h"
#include "tokenizer.h"

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

static void run(const char *vocab, const char *mode, int flags)
{
    char path[512], gpath[512], name[128];
    snprintf(path, sizeof path, "%s/ggml-vocab-%s.gguf", t_models(), vocab);
    snprintf(gpath, sizeof gpath, "tests/golden/tok/special.%s.%s.out", vocab, mode);
    snprintf(name, sizeof name, "special %s %s", vocab, mode);
    size_t nin, nout;
    char *in = slurp("tests/golden/tok/special.inp", &nin), *out = slurp(gpath, &nout);
    llm_err e;
    gguf_file *f = in && out ? gguf_open(path, &e) : NULL;
    if (!f) {
        T_SKIP(name, "no %s or goldens", path);
        free(in); free(out);
        return;
    }
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    const char *sep = "\n__ggml_vocab_test__\n";
    char *p = in, *q = out;
    int docs = 0, bad = 0;
    for (char *s; t && (s = strstr(p, sep)); p = s + strlen(sep)) {
        char *nl = strchr(q, '\n');
        if (!nl) { bad++; break; }
        *nl = 0;
        llm_tokens v = { 0 };
        char got[4096] = "";
        size_t k = 0;
        if (llm_tokenize(t, p, (size_t)(s - p), flags, &v, &e) == 0)
            for (size_t i = 0; i < v.n && k < sizeof got - 16; i++)
                k += (size_t)snprintf(got + k, sizeof got - k, "%s%d", i ? " " : "", v.ids[i]);
        if (strcmp(got, q) != 0) {
            if (bad < 3)
                printf("  %s: '%.*s'\n    got  %s\n    want %s\n", name, (int)(s - p), p, got, q);
            bad++;
        }
        llm_tokens_free(&v);
        q = nl + 1;
        docs++;
    }
    T_CHECK(name, t && bad == 0 && docs > 300, "%d of %d documents differ", bad, docs);
    llm_tokenizer_free(t);
    free(in);
    free(out);
}

int main(void)
{
    run("llama-spm", "special", LLM_TOK_ADD_SPECIAL | LLM_TOK_PARSE_SPECIAL);
    run("llama-spm", "text", LLM_TOK_ADD_SPECIAL);
    run("gpt-2", "special", LLM_TOK_ADD_SPECIAL | LLM_TOK_PARSE_SPECIAL);
    run("gpt-2", "text", LLM_TOK_ADD_SPECIAL);
    return t_exit();
}
