/* vocabs.h: tokenizers for the fuzz harnesses, loaded once: two small
 * synthetic ones made here (an SPM vocabulary through a GGUF, a byte-level
 * BPE one through a tokenizer.json), so a harness runs anywhere, plus the
 * real Llama SPM, GPT-2 and Qwen3 vocabularies when $MODELS (default
 * ../shared/models) has them. */
#ifndef FUZZ_VOCABS_H
#define FUZZ_VOCABS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "gguf.h"
#include "tokenizer.h"

/* An SPM vocabulary: <unk> <s> </s>, the 256 byte tokens, then pieces. */
static inline llm_tokenizer *fz_spm_vocab(void)
{
    static const char *const pieces[17] = { "\xe2\x96\x81", "e", "t", "a", "o", "n", "h", "\xe2\x96\x81" "t", "he",
        "\xe2\x96\x81" "the", "\xe2\x96\x81" "a", "in", "\xe2\x96\x81\xe2\x96\x81", "\xc3\xa9", "\xe6\x97\xa5",
        "<|im_start|>", "<mask>" };
    enum { NP = sizeof pieces / sizeof pieces[0], N = 3 + 256 + NP };
    static char bytes[256][8];
    gguf_str tok[N];
    float score[N];
    int32_t type[N];
    tok[0] = (gguf_str){ "<unk>", 5 }; tok[1] = (gguf_str){ "<s>", 3 }; tok[2] = (gguf_str){ "</s>", 4 };
    type[0] = 2; type[1] = type[2] = 3;
    for (int i = 0; i < 256; i++) {
        snprintf(bytes[i], sizeof bytes[i], "<0x%02X>", i);
        tok[3 + i] = (gguf_str){ bytes[i], 6 };
        type[3 + i] = 6;
    }
    for (int i = 0; i < N; i++) score[i] = 0;
    for (int i = 0; i < NP; i++) {
        tok[259 + i] = (gguf_str){ pieces[i], strlen(pieces[i]) };
        type[259 + i] = i == NP - 2 ? 3 : i == NP - 1 ? 4 : 1;
        score[259 + i] = -(float)i;
    }
    gguf_writer *w = gguf_writer_new();
    gguf_set_str(w, "general.architecture", "llama", 5);
    gguf_set_str(w, "tokenizer.ggml.model", "llama", 5);
    gguf_set_arr_str(w, "tokenizer.ggml.tokens", tok, N);
    gguf_set_arr(w, "tokenizer.ggml.scores", GGUF_FLOAT32, score, N);
    gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_INT32, type, N);
    gguf_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    gguf_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    gguf_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    gguf_set_bool(w, "tokenizer.ggml.add_bos_token", true);
    char path[512];
    fz_put("spm.gguf", "", 0, path, sizeof path);
    llm_err e;
    llm_tokenizer *t = NULL;
    if (gguf_writer_write(w, path, &e) == 0) {
        gguf_file *f = gguf_open(path, &e);
        if (f) t = llm_tokenizer_from_gguf(f, &e);
        gguf_close(f);
    }
    gguf_writer_free(w);
    if (!t) { fprintf(stderr, "synthetic SPM vocabulary: %s\n", e.msg); abort(); }
    return t;
}

/* Append GPT-2's printable spelling of byte b (bytes_to_unicode) to s. */
static inline size_t fz_byte_char(int b, char *s)
{
    int cp = b;
    if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))) {
        int n = 0;
        for (int x = 0; x < b; x++)
            if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) n++;
        cp = 256 + n;
    }
    if (cp < 0x80) { s[0] = (char)cp; return 1; }
    s[0] = (char)(0xC0 | (cp >> 6));
    s[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

/* A byte-level BPE tokenizer.json (GPT-2 pre-tokenizer): the 256 byte
 * characters, a few merges, two added tokens. Written to buf (cap bytes). */
static inline size_t fz_bpe_json(char *buf, size_t cap)
{
    static const char *merges[][2] = { { "\xc4\xa0", "t" }, { "h", "e" }, { "\xc4\xa0" "t", "he" }, { "i", "n" },
        { "\xc4\xa0", "a" }, { "e", "r" }, { "\xc4\xa0", "\xc4\xa0" }, { "\xc3", "\xa9" } };
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "{\"version\":\"1.0\",\"added_tokens\":["
        "{\"id\":%d,\"content\":\"<|endoftext|>\",\"special\":true},"
        "{\"id\":%d,\"content\":\"<tool>\",\"special\":false}],"
        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":true},"
        "\"model\":{\"type\":\"BPE\",\"vocab\":{", 256 + 8, 256 + 9);
    for (int b = 0; b < 256; b++) {
        char c[4];
        size_t k = fz_byte_char(b, c);
        n += (size_t)snprintf(buf + n, cap - n, "\"%s%.*s\":%d,", c[0] == '"' || c[0] == '\\' ? "\\" : "", (int)k, c, b);
    }
    for (int i = 0; i < 8; i++)
        n += (size_t)snprintf(buf + n, cap - n, "\"%s%s\":%d%s", merges[i][0], merges[i][1], 256 + i, i < 7 ? "," : "");
    n += (size_t)snprintf(buf + n, cap - n, "},\"merges\":[");
    for (int i = 0; i < 8; i++)
        n += (size_t)snprintf(buf + n, cap - n, "\"%s %s\"%s", merges[i][0], merges[i][1], i < 7 ? "," : "");
    n += (size_t)snprintf(buf + n, cap - n, "]}}");
    return n;
}

static inline llm_tokenizer *fz_bpe_vocab(void)
{
    static char buf[16384];
    size_t n = fz_bpe_json(buf, sizeof buf);
    char path[512];
    fz_put("bpe-tokenizer.json", buf, n, path, sizeof path);
    llm_err e;
    llm_tokenizer *t = llm_tokenizer_from_json(path, &e);
    if (!t) { fprintf(stderr, "synthetic BPE vocabulary: %s\n", e.msg); abort(); }
    return t;
}

/* The vocabularies: synthetic first, then whichever real ones exist. */
static inline int fz_vocabs(llm_tokenizer ***out)
{
    static llm_tokenizer *v[5];
    static int n = -1;
    if (n >= 0) { *out = v; return n; }
    n = 0;
    v[n++] = fz_spm_vocab();
    v[n++] = fz_bpe_vocab();
    const char *models = getenv("MODELS");
    char dir[1024], p[1200];
    if (models) snprintf(dir, sizeof dir, "%s", models);
    else snprintf(dir, sizeof dir, "%s/../shared/models", getenv("TOP") ? getenv("TOP") : ".");
    static const char *ggufs[] = { "ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf" };
    llm_err e;
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, ggufs[i]);
        gguf_file *f = gguf_open(p, &e);
        llm_tokenizer *t = f ? llm_tokenizer_from_gguf(f, &e) : NULL;
        gguf_close(f);
        if (t) v[n++] = t;
    }
    snprintf(p, sizeof p, "%s/qwen3-tokenizer.json", dir);
    llm_tokenizer *t = llm_tokenizer_from_json(p, &e);
    if (t) v[n++] = t;
    if (getenv("FUZZ_VERBOSE"))
        for (int i = 0; i < n; i++)
            fprintf(stderr, "vocabulary %d: %s, %d tokens\n", i, llm_tokenizer_model(v[i]), (int)llm_tokenizer_n_vocab(v[i]));
    *out = v;
    return n;
}

#endif
