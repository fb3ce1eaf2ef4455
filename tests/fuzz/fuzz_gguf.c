/* fuzz_gguf.c: the GGUF reader on arbitrary bytes; when a file parses,
 * every key-value is read through the typed getters and the first row of
 * every tensor is dequantized (the data bounds must hold). */
#include <stdint.h>
#include <stdlib.h>

#include "dtype.h"
#include "gguf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    llm_err e;
    gguf_file *f = gguf_open_buffer(data, size, "fuzz.gguf", &e);
    if (!f) return 0;
    for (uint64_t i = 0; i < f->n_kv; i++) {
        const char *k = f->kv[i].key;
        uint64_t u; int64_t s; float x; bool b; gguf_str str; const gguf_value *a;
        gguf_get_u64(f, k, &u, &e);
        gguf_get_i64(f, k, &s, &e);
        gguf_get_f32(f, k, &x, &e);
        gguf_get_bool(f, k, &b, &e);
        gguf_get_str(f, k, &str, &e);
        if (gguf_get_arr(f, k, GGUF_INT64, &a, &e) == 0)
            for (uint64_t j = 0; j < a->arr.n && j < 64; j++) (void)gguf_arr_i64(a, j);
    }
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        const gguf_tensor *t = &f->tensors[i];
        if (t->ne[0] > 1 << 16) continue;
        float *row = malloc((size_t)t->ne[0] * sizeof *row);
        if (row) llm_dequantize(t->type, t->data, row, t->ne[0]);
        free(row);
    }
    gguf_close(f);
    return 0;
}
