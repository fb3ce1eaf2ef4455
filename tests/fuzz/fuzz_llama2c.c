/* fuzz_llama2c.c: the llama2.c checkpoint and tokenizer.bin reader on
 * arbitrary input: a little-endian u32 N, then N bytes of model.bin, then
 * tokenizer.bin (N past the end: all of the rest is the model and the
 * tokenizer is empty). Every tensor the converter returns is read at its
 * first and last value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "dtype.h"
#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile float sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    uint32_t n;
    memcpy(&n, data, 4);
    data += 4;
    size -= 4;
    if (n > size) n = (uint32_t)size;
    char model[512], tok[512];
    fz_put("model.bin", data, n, model, sizeof model);
    fz_put("tokenizer.bin", data + n, size - n, tok, sizeof tok);
    gguf_writer *w = gguf_writer_new();
    if (!w) return 0;
    llm_qsrc src;
    llm_err e;
    llm_convert *cv = llm_convert_llama2c(model, tok, 0, w, &src, &e);
    if (cv) {
        for (uint64_t i = 0; i < src.n_tensors; i++) {
            const llm_qsrc_tensor *t = &src.tensors[i];
            int64_t ne = t->ne[0] * t->ne[1];
            const float *p = t->data;
            if (t->type != LLM_F32) __builtin_trap();
            float a, b;
            memcpy(&a, p, 4);
            memcpy(&b, p + ne - 1, 4);
            sink += a + b;
        }
    }
    llm_convert_free(cv);
    gguf_writer_free(w);
    return 0;
}
