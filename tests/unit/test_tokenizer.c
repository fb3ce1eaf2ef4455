/* test_tokenizer.c: the tokenizer's parts one by one: Unicode tables and
 * UTF-8, the JSON parser, special tokens, BOS/EOS, decoding, chat
 * templates, and the errors for bad vocabularies. The llama.cpp vectors
 * and the corpus goldens are test_tokenizer_vectors.c / _corpus.c. */
#include "t.h"
#include "chat.h"
#include "gguf.h"
#include "json.h"
#include "tokenizer.h"
#include "unicode.h"

#include <stdint.h>
#include <unistd.h>

static char tmpdir[256];

static llm_tokenizer *load(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t_models(), file);
    llm_err e;
    gguf_file *f = gguf_open(path, &e);
    if (!f)
        return NULL;
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    return t;
}

/* ids of text as "1 2 3" */
static const char *ids(const llm_tokenizer *t, const char *text, int flags)
{
    static char buf[4096];
    llm_tokens v = { 0 };
    llm_err e;
    buf[0] = 0;
    if (llm_tokenize(t, text, strlen(text), flags, &v, &e)) {
        snprintf(buf, sizeof buf, "error: %s", e.msg);
        return buf;
    }
    size_t k = 0;
    for (size_t i = 0; i < v.n && k < sizeof buf - 16; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d", i ? " " : "", v.ids[i]);
    llm_tokens_free(&v);
    return buf;
}

static const char *detok(const llm_tokenizer *t, const int32_t *v, size_t n, int flags)
{
    static char buf[4096];
    llm_err e;
    size_t len;
    char *s = llm_detokenize(t, v, n, flags, &len, &e);
    snprintf(buf, sizeof buf, "%s", s ? s : e.msg);
    free(s);
    return buf;
}

#define SAME(name, got, want) do { const char *g_ = (got); T_CHECK(name, strcmp(g_, (want)) == 0, "got '%s' want '%s'", g_, (want)); } while (0)

static void test_unicode(void)
{
    T_CHECK("unicode A letter", llm_unicode_flags('A') & LLM_U_LETTER, "flags %x", llm_unicode_flags('A'));
    T_CHECK("unicode 5 number", llm_unicode_flags('5') & LLM_U_NUMBER, "failed");
    T_CHECK("unicode ½ number", llm_unicode_flags(0xBD) & LLM_U_NUMBER, "failed");
    T_CHECK("unicode space ws", llm_unicode_flags(' ') & LLM_U_WHITESPACE, "failed");
    T_CHECK("unicode NBSP ws", llm_unicode_flags(0xA0) & LLM_U_WHITESPACE, "failed");
    T_CHECK("unicode U+3000 ws", llm_unicode_flags(0x3000) & LLM_U_WHITESPACE, "failed");
    T_CHECK("unicode ZWSP not ws", !(llm_unicode_flags(0x200B) & LLM_U_WHITESPACE), "failed");
    T_CHECK("unicode 0x1C not ws", !(llm_unicode_flags(0x1C) & LLM_U_WHITESPACE), "failed");
    T_CHECK("unicode CJK letter", llm_unicode_flags(0x4E2D) & LLM_U_LETTER, "failed");
    T_CHECK("unicode plane 2 letter", llm_unicode_flags(0x20000) & LLM_U_LETTER, "failed");
    T_CHECK("unicode combining mark", llm_unicode_flags(0x301) & LLM_U_MARK, "failed");
    T_CHECK("unicode emoji symbol", llm_unicode_flags(0x1F999) & LLM_U_SYMBOL, "failed");
    T_CHECK("unicode unassigned", llm_unicode_flags(0x0378) == LLM_U_UNDEFINED, "%x", llm_unicode_flags(0x378));
    T_CHECK("unicode past max", llm_unicode_flags(0x110000) == LLM_U_UNDEFINED, "failed");
    /* UTF-8 as llama.cpp: invalid bytes one at a time as U+FFFD, overlong accepted */
    const unsigned char s[] = { 0xC3, 0xA9, 0x80, 0xC0, 0xAF, 0xE2, 0x82, 'x', 0xF0, 0x9F, 0xA6, 0x99 };
    uint32_t want[] = { 0xE9, 0xFFFD, '/', 0xFFFD, 0xFFFD, 'x', 0x1F999 };
    size_t off = 0, i = 0;
    int bad = 0;
    while (off < sizeof s && i < 7)
        bad += llm_utf8_decode(s, sizeof s, &off) != want[i++];
    T_CHECK("utf8 decode", bad == 0 && off == sizeof s, "%d wrong", bad);
    int bm = 0;
    for (int b = 0; b < 256; b++)
        bm += llm_cp_to_byte(llm_byte_to_cp((unsigned char)b)) != b;
    T_CHECK("byte map round trip", bm == 0 && llm_byte_to_cp(' ') == 0x120 && llm_byte_to_cp('\n') == 0x10A &&
            llm_byte_to_cp(0xAD) == 0x143, "%d bytes wrong", bm);
}

static void test_json(void)
{
    llm_err e;
    const char *doc = " {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\ud83e\\udd99\\n\\\"\", \"o\": {}, \"big\": 12345678901234} ";
    json_doc *d = json_parse(doc, strlen(doc), "t.json", &e);
    T_CHECK("json parse", d != NULL, "%s", e.msg);
    if (d) {
        const json_val *r = json_root(d), *a = json_get(r, "a");
        T_CHECK("json array", a && a->type == JSON_ARRAY && a->arr.n == 5 && a->arr.items[0].num.is_int &&
                a->arr.items[1].num.d == -2500 && !a->arr.items[1].num.is_int &&
                a->arr.items[2].type == JSON_BOOL && a->arr.items[4].type == JSON_NULL, "bad array");
        SAME("json string escapes", json_get_str(r, "s", "?"), "x\xc3\xa9\xf0\x9f\xa6\x99\n\"");
        T_CHECK("json int64", json_get_int(r, "big", 0) == 12345678901234LL, "failed");
        T_CHECK("json empty object", json_get(r, "o") && json_get(r, "o")->arr.n == 0, "failed");
        T_CHECK("json missing key", json_get(r, "zz") == NULL, "failed");
        json_free(d);
    }
    static const struct { const char *text, *why; } bad[] = {
        { "{\"a\":1,}", "expected a member name" }, { "[1 2]", "expected ','" },
        { "\"abc", "unterminated" }, { "\"\\ud800\"", "surrogate" }, { "\"\\udc00x\"", "surrogate" },
        { "01", "trailing" }, { "[1.]", "digits" }, { "\"a\tb\"", "control" }, { "{} x", "trailing" },
        { "", "end of input" }, { "nul", "unexpected" }, { "\"\\x\"", "bad escape" }, { "[-]", "bad number" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = json_parse(bad[i].text, strlen(bad[i].text), "bad.json", &e);
        char name[64];
        snprintf(name, sizeof name, "json rejects %zu", i);
        T_CHECK(name, !d && strstr(e.msg, bad[i].why) && strstr(e.msg, "bad.json: offset"), "'%s': %s",
                bad[i].text, d ? "accepted" : e.msg);
        json_free(d);
    }
    /* depth limit */
    size_t n = 2 * (JSON_MAX_DEPTH + 10);
    char *deep = malloc(n + 1);
    memset(deep, '[', n / 2);
    memset(deep + n / 2, ']', n / 2);
    deep[n] = 0;
    d = json_parse(deep, n, "deep.json", &e);
    T_CHECK("json depth limit", !d && strstr(e.msg, "too deep"), "%s", d ? "accepted" : e.msg);
    json_free(d);
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    d = json_parse(deep, 200, "deep.json", &e);
    T_CHECK("json depth 100 ok", d != NULL, "%s", e.msg);
    json_free(d);
    free(deep);
}

static void test_spm(void)
{
    llm_tokenizer *t = load("ggml-vocab-llama-spm.gguf");
    if (!t) {
        T_SKIP("spm", "no ggml-vocab-llama-spm.gguf");
        return;
    }
    SAME("spm model", llm_tokenizer_model(t), "llama");
    T_CHECK("spm ids", llm_tokenizer_n_vocab(t) == 32000 && llm_tokenizer_bos(t) == 1 && llm_tokenizer_eos(t) == 2, "failed");
    T_CHECK("spm eog", llm_tokenizer_is_eog(t, 2) && !llm_tokenizer_is_eog(t, 1), "failed");
    SAME("spm plain", ids(t, "Hello world", 0), "15043 3186");
    SAME("spm bos", ids(t, "Hello world", LLM_TOK_ADD_SPECIAL), "1 15043 3186");
    SAME("spm empty bos", ids(t, "", LLM_TOK_ADD_SPECIAL), "1");
    SAME("spm empty", ids(t, "", 0), "");
    SAME("spm <s> is text", ids(t, "<s>", 0), "529 29879 29958");
    SAME("spm <s> special", ids(t, "<s>Hello</s>", LLM_TOK_PARSE_SPECIAL), "1 15043 2");
    SAME("spm byte fallback", ids(t, "\xf0\x9f\xa6\x99", 0), "29871 243 162 169 156");
    size_t len;
    SAME("spm piece", llm_tokenizer_piece(t, 15043, &len), "\xe2\x96\x81Hello");
    T_CHECK("spm piece out of range", llm_tokenizer_piece(t, 32000, &len) == NULL, "failed");
    int32_t v1[] = { 15043, 3186 };
    SAME("spm decode strips leading space", detok(t, v1, 2, 0), "Hello world");
    SAME("spm decode continue keeps it", detok(t, v1, 2, LLM_DETOK_CONTINUE), " Hello world");
    int32_t v2[] = { 1, 15043, 2 };
    SAME("spm decode after bos", detok(t, v2, 3, 0), " Hello");
    SAME("spm decode special", detok(t, v2, 3, LLM_DETOK_SPECIAL), "<s> Hello</s>");
    int32_t v3[] = { 29871, 243, 162, 169, 156, 29889 };
    SAME("spm decode bytes across tokens", detok(t, v3, 6, 0), "\xf0\x9f\xa6\x99.");
    int32_t v4[] = { 15043, 40000 };
    SAME("spm decode out of range", detok(t, v4, 2, 0), "token 1: id 40000 out of range (vocabulary of 32000)");
    char buf[8];
    T_CHECK("token_to_piece", llm_token_to_piece(t, 15043, false, false, buf, sizeof buf) == 6 &&
            memcmp(buf, " Hello", 6) == 0 && llm_token_to_piece(t, 1, false, false, buf, 8) == 0 &&
            llm_token_to_piece(t, -1, false, false, buf, 8) == -1, "failed");
    llm_tokenizer_free(t);
}

static void test_bpe(void)
{
    llm_tokenizer *t = load("ggml-vocab-gpt-2.gguf");
    if (!t) {
        T_SKIP("bpe", "no ggml-vocab-gpt-2.gguf");
        return;
    }
    SAME("bpe model", llm_tokenizer_model(t), "gpt2");
    SAME("bpe pre", llm_tokenizer_pre(t), "gpt-2");
    SAME("bpe plain", ids(t, "Hello world", 0), "15496 995");
    SAME("bpe no bos by default", ids(t, "Hello world", LLM_TOK_ADD_SPECIAL), "15496 995");
    SAME("bpe endoftext is text", ids(t, "<|endoftext|>", 0), "27 91 437 1659 5239 91 29");
    SAME("bpe endoftext special", ids(t, "a<|endoftext|>", LLM_TOK_PARSE_SPECIAL), "64 50256");
    /* invalid UTF-8 becomes U+FFFD (EF BF BD) */
    SAME("bpe invalid utf8", ids(t, "\x80", 0), ids(t, "\xef\xbf\xbd", 0));
    int32_t v[] = { 15496, 837, 995, 5145 };   /* "Hello" " ," " world" " !" */
    SAME("bpe decode clean spaces", detok(t, v, 4, 0), "Hello, world!");
    SAME("bpe decode no clean", detok(t, v, 4, LLM_DETOK_NO_CLEAN), "Hello , world !");
    int32_t e1[] = { 50256 };
    SAME("bpe control hidden", detok(t, e1, 1, 0), "");
    SAME("bpe control shown", detok(t, e1, 1, LLM_DETOK_SPECIAL), "<|endoftext|>");
    llm_tokenizer_free(t);
}

static void test_qwen_json(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/qwen3-tokenizer.json", t_models());
    llm_err e;
    llm_tokenizer *t = llm_tokenizer_from_json(path, &e);
    if (!t) {
        T_SKIP("qwen json", "%s", e.msg);
        return;
    }
    SAME("qwen pre", llm_tokenizer_pre(t), "qwen2");
    T_CHECK("qwen vocab", llm_tokenizer_n_vocab(t) == 151669, "%d", llm_tokenizer_n_vocab(t));
    int32_t im_end = llm_tokenizer_find(t, "<|im_end|>", 10);
    T_CHECK("qwen im_end eog", im_end == 151645 && llm_tokenizer_is_eog(t, im_end) &&
            llm_tokenizer_type(t, im_end) == 3, "id %d", im_end);
    T_CHECK("qwen think user-defined", llm_tokenizer_type(t, 151667) == 4, "failed");
    /* user-defined tokens are split out even without parse_special, as llama.cpp */
    SAME("qwen think always", ids(t, "a<think>b", 0), "64 151667 65");
    SAME("qwen im_start needs special", ids(t, "<|im_start|>", LLM_TOK_PARSE_SPECIAL), "151644");
    SAME("qwen digits one by one", ids(t, "12345", 0), "16 17 18 19 20");
    llm_tokenizer_free(t);
}

/* A tiny tokenizer.json: merges as [a, b] pairs, an id gap, added tokens. */
static void test_tiny_json(void)
{
    const char *doc =
        "{\"added_tokens\": [{\"id\": 6, \"content\": \"<|end|>\", \"special\": true},"
        "                  {\"id\": 7, \"content\": \"<b>\", \"special\": false}],"
        " \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true},"
        " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2, \"\u0120\": 3, \"\u0120ab\": 4},"
        "            \"merges\": [[\"a\", \"b\"], \"\u0120 ab\"]}}";
    char path[512];
    snprintf(path, sizeof path, "%s/tiny-tokenizer.json", tmpdir);
    FILE *f = fopen(path, "w");
    fputs(doc, f);
    fclose(f);
    llm_err e;
    llm_tokenizer *t = llm_tokenizer_from_json(path, &e);
    unlink(path);
    T_CHECK("tiny json loads", t != NULL, "%s", e.msg);
    if (!t)
        return;
    T_CHECK("tiny json vocab with gap", llm_tokenizer_n_vocab(t) == 8 && llm_tokenizer_type(t, 5) == 5 &&
            llm_tokenizer_type(t, 6) == 3 && llm_tokenizer_type(t, 7) == 4, "n %d", llm_tokenizer_n_vocab(t));
    SAME("tiny json pre", llm_tokenizer_pre(t), "gpt-2");
    SAME("tiny json merges", ids(t, "ab ab", 0), "2 4");
    SAME("tiny json user-defined", ids(t, "ab<b>", 0), "2 7");
    SAME("tiny json control", ids(t, "<|end|>", LLM_TOK_PARSE_SPECIAL), "6");
    int32_t v[] = { 2, 4, 6 };
    SAME("tiny json decode", detok(t, v, 3, LLM_DETOK_NO_CLEAN), "ab ab");
    llm_tokenizer_free(t);
}

static void test_chat(void)
{
    llm_chat c = { 0 };
    llm_err e;
    const char *conv = "system: Be brief.\nuser: Hi\nthere\nassistant: Hello!\nuser: Bye\n\n";
    T_CHECK("chat parse", llm_chat_parse(conv, strlen(conv), "conv", &c, &e) == 0 && c.n == 4 &&
            strcmp(c.msgs[1].content, "Hi\nthere") == 0 && strcmp(c.msgs[3].content, "Bye") == 0, "%s", e.msg);
    char *s = llm_chat_format(LLM_CHAT_CHATML, &c, "", "<|endoftext|>", &e);
    SAME("chat chatml", s, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi\nthere<|im_end|>\n"
         "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
    free(s);
    s = llm_chat_format(LLM_CHAT_ZEPHYR, &c, "<s>", "</s>", &e);
    SAME("chat zephyr", s, "<|system|>\nBe brief.</s>\n<|user|>\nHi\nthere</s>\n<|assistant|>\nHello!</s>\n"
         "<|user|>\nBye</s>\n<|assistant|>\n");
    free(s);
    s = llm_chat_format(LLM_CHAT_LLAMA2, &c, "<s>", "</s>", &e);
    SAME("chat llama2", s, "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi\nthere [/INST] Hello! </s><s>[INST] Bye [/INST]");
    free(s);
    s = llm_chat_format(LLM_CHAT_MISTRAL, &c, "<s>", "</s>", &e);
    SAME("chat mistral", s, "[INST] Be brief.\n\nHi\nthere [/INST]Hello!</s><s>[INST] Bye [/INST]");
    free(s);
    llm_chat_free(&c);
    T_CHECK("chat parse error", llm_chat_parse("hello\n", 6, "conv", &c, &e) == -1 &&
            strstr(e.msg, "conv: line 1"), "%s", e.msg);
    llm_chat_free(&c);
    T_CHECK("chat detect", llm_chat_detect("{% for m %}<|im_start|>{{ m.role }}") == LLM_CHAT_CHATML &&
            llm_chat_detect("'<|user|>\\n' ... '<|assistant|>'") == LLM_CHAT_ZEPHYR &&
            llm_chat_detect("[INST] <<SYS>>\\n") == LLM_CHAT_LLAMA2 &&
            llm_chat_detect("{{ '[INST] ' + m + ' [/INST]' }}") == LLM_CHAT_MISTRAL &&
            llm_chat_detect("{{ '<start_of_turn>' }}") == LLM_CHAT_NONE && llm_chat_detect(NULL) == LLM_CHAT_NONE, "failed");
}

/* Copy the gpt-2 vocab GGUF with one key changed (or dropped), load it. */
static llm_tokenizer *load_modified(const char *drop, const char *key, const char *val, llm_err *e)
{
    char src[512], dst[512];
    snprintf(src, sizeof src, "%s/ggml-vocab-gpt-2.gguf", t_models());
    snprintf(dst, sizeof dst, "%s/mod.gguf", tmpdir);
    gguf_file *f = gguf_open(src, e);
    if (!f)
        return NULL;
    gguf_writer *w = gguf_writer_new();
    for (uint64_t i = 0; i < f->n_kv; i++)
        if (!drop || strncmp(f->kv[i].key, drop, strlen(drop)) != 0)
            gguf_set_kv(w, &f->kv[i]);
    if (key)
        gguf_set_str(w, key, val, strlen(val));
    int rc = gguf_writer_write(w, dst, e);
    gguf_writer_free(w);
    gguf_close(f);
    if (rc)
        return NULL;
    f = gguf_open(dst, e);
    if (!f)
        return NULL;
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, e);
    gguf_close(f);
    return t;
}

static void test_bad(void)
{
    llm_err e;
    char src[512];
    snprintf(src, sizeof src, "%s/ggml-vocab-gpt-2.gguf", t_models());
    if (access(src, R_OK) != 0) {
        T_SKIP("bad vocab", "no ggml-vocab-gpt-2.gguf");
        return;
    }
    llm_tokenizer *t = load_modified(NULL, "tokenizer.ggml.pre", "made-up", &e);
    T_CHECK("unknown pre", !t && strstr(e.msg, "unknown pre-tokenizer") && strstr(e.msg, "made-up") &&
            strstr(e.msg, "qwen2"), "%s", t ? "loaded" : e.msg);
    llm_tokenizer_free(t);
    t = load_modified("tokenizer.", NULL, NULL, &e);
    T_CHECK("no tokenizer", !t && strstr(e.msg, "no tokenizer"), "%s", t ? "loaded" : e.msg);
    llm_tokenizer_free(t);
    t = load_modified(NULL, "tokenizer.ggml.model", "bert", &e);
    T_CHECK("unsupported model", !t && strstr(e.msg, "'bert' is not supported"), "%s", t ? "loaded" : e.msg);
    llm_tokenizer_free(t);
    t = load_modified("tokenizer.ggml.merges", NULL, NULL, &e);
    T_CHECK("bpe without merges", !t && strstr(e.msg, "merges"), "%s", t ? "loaded" : e.msg);
    llm_tokenizer_free(t);
    t = load_modified(NULL, NULL, NULL, &e);
    llm_tokenizer *t0 = load("ggml-vocab-gpt-2.gguf");
    T_CHECK("fingerprint stable", t && t0 && llm_tokenizer_fingerprint(t) == llm_tokenizer_fingerprint(t0), "failed");
    llm_tokenizer_free(t);
    /* a different vocabulary has a different fingerprint */
    llm_tokenizer *t1 = load("ggml-vocab-llama-spm.gguf");
    T_CHECK("fingerprint differs", t0 && t1 && llm_tokenizer_fingerprint(t1) != llm_tokenizer_fingerprint(t0), "failed");
    llm_tokenizer_free(t0);
    llm_tokenizer_free(t1);

    /* malformed tokenizer.json */
    static const struct { const char *text, *why; } bad[] = {
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []", "unterminated" },
        { "{\"model\": {\"type\": \"Unigram\"}}", "not supported" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a\"]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "merge is not" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "out of range" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\w+\"}}}", "not recognised" },
        { "[]", "no \"model\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[512], name[64];
        snprintf(path, sizeof path, "%s/tok%zu.json", tmpdir, i);
        FILE *f = fopen(path, "w");
        fputs(bad[i].text, f);
        fclose(f);
        t = llm_tokenizer_from_json(path, &e);
        snprintf(name, sizeof name, "bad tokenizer.json %zu", i);
        T_CHECK(name, !t && strstr(e.msg, bad[i].why) && strstr(e.msg, path), "%s", t ? "loaded" : e.msg);
        llm_tokenizer_free(t);
        unlink(path);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/tok.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_unicode();
    test_json();
    test_spm();
    test_bpe();
    test_qwen_json();
    test_tiny_json();
    test_chat();
    test_bad();
    char p[512];
    snprintf(p, sizeof p, "%s/mod.gguf", tmpdir);
    unlink(p);
    rmdir(tmpdir);
    return t_exit();
}
