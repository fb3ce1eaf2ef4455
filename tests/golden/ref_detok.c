/* ref_detok.c: llama.cpp's llama_detokenize on lines of token ids, for the
 * decoding goldens. Built and run only by tests/golden/make-tok-detok.sh
 * against the reference install (never by the tests).
 *
 *   ref_detok -m VOCAB.gguf [--remove-special] [--unparse-special] IDS_FILE
 *
 * IDS_FILE: one sequence a line, ids separated by spaces. Output: one line
 * per sequence, "LENGTH FNV64" of the text (FNV-1a 64 of its bytes, hex). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "llama.h"

static void quiet_log(enum ggml_log_level level, const char *text, void *ud)
{
    (void)ud;
    if (level == GGML_LOG_LEVEL_ERROR)
        fputs(text, stderr);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *file = NULL;
    int rm = 0, up = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "--remove-special")) rm = 1;
        else if (!strcmp(argv[i], "--unparse-special")) up = 1;
        else if (!file && argv[i][0] != '-') file = argv[i];
        else { fprintf(stderr, "usage: ref_detok -m VOCAB.gguf [--remove-special] [--unparse-special] IDS\n"); return 2; }
    }
    if (!model || !file) { fprintf(stderr, "usage: ref_detok -m VOCAB.gguf [--remove-special] [--unparse-special] IDS\n"); return 2; }
    llama_log_set(quiet_log, NULL);
#ifdef REF_BACKEND_DIR
    ggml_backend_load_all_from_path(REF_BACKEND_DIR);
#endif
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.vocab_only = 1;
    struct llama_model *m = llama_model_load_from_file(model, mp);
    if (!m) { fprintf(stderr, "ref_detok: failed to load %s\n", model); return 1; }
    const struct llama_vocab *v = llama_model_get_vocab(m);
    FILE *f = fopen(file, "r");
    if (!f) { perror(file); return 1; }
    size_t cap = 0;
    char *line = NULL;
    ssize_t got;
    llama_token *ids = malloc(sizeof *ids * 1000000);
    while ((got = getline(&line, &cap, f)) >= 0) {
        int n = 0;
        for (char *p = line; *p && *p != '\n';) {
            ids[n++] = (llama_token)strtol(p, &p, 10);
            while (*p == ' ') p++;
        }
        int32_t tcap = 64 + n * 64;
        char *text = malloc((size_t)tcap);
        int32_t k = llama_detokenize(v, ids, n, text, tcap, rm, up);
        if (k < 0) {
            text = realloc(text, (size_t)-k);
            k = llama_detokenize(v, ids, n, text, -k, rm, up);
        }
        uint64_t h = 0xcbf29ce484222325ULL;
        for (int32_t i = 0; i < k; i++) h = (h ^ (unsigned char)text[i]) * 0x100000001b3ULL;
        printf("%d %016llx\n", k, (unsigned long long)h);
        free(text);
    }
    free(ids);
    free(line);
    fclose(f);
    llama_model_free(m);
    return 0;
}
