/* test_tokenizer_fuzz.c: random and broken input never crashes (run it
 * under make asan): random byte strings through both tokenizers with every
 * flag combination, random ids through the decoder, and mutated JSON
 * through the parser. Valid UTF-8 must also decode back to itself. */
#include "t.h"
#include "gguf.h"
#include "json.h"
#include "tokenizer.h"

#include <stdint.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* A random text built from pieces that exercise the tokenizers' corners. */
static size_t random_text(char *buf, size_t cap, bool valid)
{
    static const char *pieces[] = {
        " ", "  ", "\n", "\r\n", "\t", "'s", "'LL", "'", "a", "Hello", "world", "1", "123456", "½",
        "é", "日本語", "🦙", "👩‍👩‍👧", "\xe2\x96\x81", "<s>", "</s>", "<|endoftext|>", "<unk>",
        ".", ",", "!!", "$+", "\xc2\xa0", "\xe3\x80\x80", "x", "Q", "\xcc\x81",
    };
    size_t n = 0, want = rnd() % 200;
    while (n < want && n + 33 < cap) {
        if (!valid && rnd() % 8 == 0) {
            buf[n++] = (char)(rnd() & 0xFF);
            continue;
        }
        const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
        size_t k = strlen(p);
        memcpy(buf + n, p, k);
        n += k;
    }
    return n;
}

static void fuzz_vocab(const char *file, bool spm)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t_models(), file);
    llm_err e;
    gguf_file *f = gguf_open(path, &e);
    if (!f) {
        T_SKIP(file, "%s", e.msg);
        return;
    }
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    if (!t) {
        T_FAIL(file, "%s", e.msg);
        return;
    }
    int errors = 0, rt_bad = 0, rt = 0;
    char buf[8192];
    for (int i = 0; i < 3000; i++) {
        bool valid = i % 2 == 0;
        size_t n = random_text(buf, sizeof buf, valid);
        int flags = rnd() % 4;
        llm_tokens v = { 0 };
        if (llm_tokenize(t, buf, n, flags, &v, &e)) {
            errors++;
            continue;
        }
        size_t len;
        char *s = llm_detokenize(t, v.ids, v.n, (int)(rnd() % 16), &len, &e);
        if (!s)
            errors++;
        free(s);
        buf[n] = 0;
        /* valid UTF-8, no specials: the text comes back (except that SPM
         * reads a "▁" in the text as its space marker, as llama.cpp) */
        if (valid && flags == 0 && !(spm && strstr(buf, "\xe2\x96\x81"))) {
            s = llm_detokenize(t, v.ids, v.n, LLM_DETOK_NO_CLEAN, &len, &e);
            rt++;
            if (!s || len != n || memcmp(s, buf, n) != 0) {
                if (rt_bad++ < 2)
                    printf("  %s: round trip differs for '%.*s'\n", file, (int)n, buf);
            }
            free(s);
        }
        llm_tokens_free(&v);
    }
    /* random ids, some out of range */
    int32_t ids[64];
    int oor = 0;
    for (int i = 0; i < 500; i++) {
        size_t n = rnd() % 64;
        bool out = false;
        for (size_t k = 0; k < n; k++) {
            ids[k] = (int32_t)(rnd() % (uint32_t)(llm_tokenizer_n_vocab(t) + 10)) - 5;
            out |= ids[k] < 0 || ids[k] >= llm_tokenizer_n_vocab(t);
        }
        size_t len;
        char *s = llm_detokenize(t, ids, n, (int)(rnd() % 16), &len, &e);
        oor += (s == NULL) != out;
        free(s);
    }
    char name[256];
    snprintf(name, sizeof name, "%s fuzz", file);
    T_CHECK(name, errors == 0 && oor == 0, "%d errors, %d wrong range checks", errors, oor);
    snprintf(name, sizeof name, "%s fuzz round trip", file);
    T_CHECK(name, rt_bad == 0, "%d of %d differ", rt_bad, rt);
    llm_tokenizer_free(t);
}

static void fuzz_json(void)
{
    const char *base = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\\u00e9\": 0, \"b\": 1},"
                       " \"merges\": [\"a b\", [\"x\", \"y\"]]}, \"n\": [1.5e3, -0, true, null, \"\\ud83e\\udd99\"]}";
    size_t n = strlen(base);
    char buf[512];
    int parsed = 0;
    for (int i = 0; i < 20000; i++) {
        memcpy(buf, base, n);
        size_t m = n;
        int edits = 1 + (int)(rnd() % 4);
        for (int k = 0; k < edits; k++) {
            size_t at = rnd() % m;
            switch (rnd() % 3) {
            case 0: buf[at] = (char)(rnd() & 0xFF); break;
            case 1: m = at; break;                                  /* truncate */
            case 2: memmove(buf + at, buf + at + 1, m - at - 1); m--; break;
            }
            if (m == 0)
                break;
        }
        llm_err e;
        json_doc *d = json_parse(buf, m, "fuzz.json", &e);
        parsed += d != NULL;
        json_free(d);
    }
    T_CHECK("json fuzz", parsed < 20000, "every mutation parsed?");
}

int main(void)
{
    fuzz_vocab("ggml-vocab-llama-spm.gguf", true);
    fuzz_vocab("ggml-vocab-gpt-2.gguf", false);
    fuzz_json();
    return t_exit();
}
