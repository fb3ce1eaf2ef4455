/* ref_tok.c: tokenizes the documents of a file with llama.cpp's own llama_tokenize, loading the
 * GGUF with vocab_only=true (llama-ref's --tokenize loads full models only, so vocab-only files
 * such as ggml-vocab-gpt-2.gguf fail there with "tensor 'token_embd.weight' not found").
 * Built and run only by tests/golden/make-tok.sh against the reference install (never by tests).
 *
 *   ref_tok -m VOCAB.gguf [--bos] [--special] [--sep STRING | --whole] [--offsets] FILE
 *
 * Default split (the golden rule, see tests/golden/tok/README): FILE is cut into documents of whole
 * lines (a line is the bytes up to and including '\n'; the last one may lack it): a line is
 * appended to the current document, and the document is closed as soon as it holds >= 2048 bytes,
 * or at end of file. The documents concatenate back to FILE exactly.
 * --sep S: documents are separated by S (as llama.cpp's test-tokenizer-0 .inp files, S="\n__ggml_vocab_test__\n").
 * --whole: the whole file is one document.
 * Output: one line per document, the token ids separated by single spaces (empty line for no ids);
 * with --offsets, "START LENGTH" (bytes) of each document instead, and nothing is tokenized.
 * add_special=false unless --bos (which adds BOS as llama.cpp does), parse_special=false unless --special. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "llama.h"

#define DOC_MIN 2048

static void quiet_log(enum ggml_log_level level, const char *text, void *ud) {
    (void)ud;
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

/* reads all of path into a malloc'd buffer; *n gets its length */
static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return NULL; }
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    for (size_t k; b && (k = fread(b + len, 1, cap - len, f)) > 0;) {
        len += k;
        if (len == cap) b = realloc(b, cap *= 2);
    }
    fclose(f);
    *n = len;
    return b;
}

/* tokenizes one document and prints its ids as one line; 0 on success */
static int offsets_only;
static const char *base;

static int emit(const struct llama_vocab *v, const char *s, size_t n, int bos, int special) {
    if (offsets_only) { printf("%zu %zu\n", (size_t)(s - base), n); return 0; }
    int cap = (int)n + 16;
    llama_token *t = malloc(sizeof *t * (size_t)cap);
    int k = llama_tokenize(v, s, (int)n, t, cap, bos, special);
    if (k < 0) { /* needs more room than bytes+16: retry with the exact size */
        cap = -k;
        t = realloc(t, sizeof *t * (size_t)cap);
        k = llama_tokenize(v, s, (int)n, t, cap, bos, special);
    }
    if (k < 0) { fprintf(stderr, "ref_tok: llama_tokenize failed (%d)\n", k); free(t); return -1; }
    for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", t[i]);
    putchar('\n');
    free(t);
    return 0;
}

int main(int argc, char **argv) {
    const char *model = NULL, *sep = NULL, *file = NULL;
    int bos = 0, special = 0, whole = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "--sep") && i + 1 < argc) sep = argv[++i];
        else if (!strcmp(argv[i], "--whole")) whole = 1;
        else if (!strcmp(argv[i], "--offsets")) offsets_only = 1;
        else if (!strcmp(argv[i], "--bos")) bos = 1;
        else if (!strcmp(argv[i], "--special")) special = 1;
        else if (!file && argv[i][0] != '-') file = argv[i];
        else { fprintf(stderr, "usage: ref_tok -m VOCAB.gguf [--bos] [--special] [--sep S | --whole] [--offsets] FILE\n"); return 2; }
    }
    if (!model || !file) { fprintf(stderr, "usage: ref_tok -m VOCAB.gguf [--bos] [--special] [--sep S | --whole] [--offsets] FILE\n"); return 2; }
    llama_log_set(quiet_log, NULL);
#ifdef REF_BACKEND_DIR
    ggml_backend_load_all_from_path(REF_BACKEND_DIR);
#endif
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.vocab_only = 1;
    struct llama_model *m = llama_model_load_from_file(model, mp);
    if (!m) { fprintf(stderr, "ref_tok: failed to load %s\n", model); return 1; }
    const struct llama_vocab *v = llama_model_get_vocab(m);
    size_t n;
    char *buf = slurp(file, &n);
    if (!buf) return 1;
    base = buf;
    int rc = 0;
    if (whole) rc = emit(v, buf, n, bos, special);
    else if (sep) {
        size_t sl = strlen(sep), at = 0;
        for (;;) {
            char *p = sl ? memmem(buf + at, n - at, sep, sl) : NULL;
            size_t end = p ? (size_t)(p - buf) : n;
            if (emit(v, buf + at, end - at, bos, special)) { rc = 1; break; }
            if (!p) break;
            at = end + sl;
        }
    } else {
        size_t start = 0, i = 0;
        while (i < n) {
            char *nl = memchr(buf + i, '\n', n - i);
            i = nl ? (size_t)(nl - buf) + 1 : n;
            if (i - start >= DOC_MIN || i == n) {
                if (emit(v, buf + start, i - start, bos, special)) { rc = 1; break; }
                start = i;
            }
        }
    }
    free(buf);
    llama_model_free(m);
    llama_backend_free();
    return rc;
}
