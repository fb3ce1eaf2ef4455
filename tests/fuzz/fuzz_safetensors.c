/* fuzz_safetensors.c: the Hugging Face folder converter on arbitrary
 * input: config.json, then a NUL, then model.safetensors (no NUL: an
 * empty safetensors file). The folder also holds a fixed, valid
 * tokenizer.json (vocabs.h's 266-token BPE), so inputs that get past the
 * header reach the vocabulary and the tensor conversion. Every tensor
 * the converter returns is read at its first and last byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "dtype.h"
#include "files.h"
#include "vocabs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    char path[512];
    if (!init) {
        static char buf[16384];
        size_t n = fz_bpe_json(buf, sizeof buf);
        fz_put("tokenizer.json", buf, n, path, sizeof path);
        init = 1;
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t nc = nul ? (size_t)(nul - data) : size;
    fz_put("config.json", data, nc, path, sizeof path);
    fz_put("model.safetensors", nul ? nul + 1 : data, nul ? size - nc - 1 : 0, path, sizeof path);
    gguf_writer *w = gguf_writer_new();
    if (!w) return 0;
    llm_qsrc src;
    llm_err e;
    llm_convert *cv = llm_convert_safetensors(fz_scratch(), w, &src, &e);
    if (cv) {
        for (uint64_t i = 0; i < src.n_tensors; i++) {
            const llm_qsrc_tensor *t = &src.tensors[i];
            int64_t n = 1;
            for (uint32_t k = 0; k < t->n_dims; k++) n *= t->ne[k];
            size_t bytes = llm_row_size(t->type, n);
            const uint8_t *p = t->data;
            if (bytes) sink += p[0] + p[bytes - 1];
        }
    }
    llm_convert_free(cv);
    gguf_writer_free(w);
    return 0;
}
