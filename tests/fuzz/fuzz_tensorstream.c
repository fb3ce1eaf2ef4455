/* fuzz_tensorstream.c: the tensor stream reader on arbitrary bytes, every
 * record read to the end or the first error; values are touched so a
 * wrong count would show under ASan. */
#include <stdint.h>
#include <stdio.h>

#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return 0;
    llm_tensor_reader *r = llm_tensor_reader_new(f, "fuzz");
    llm_err e;
    llm_tensor_rec *rec;
    volatile float sink = 0;
    while (r && llm_tensor_next(r, &rec, &e) > 0) {
        for (int64_t i = 0; i < rec->n; i++) sink += rec->data[i];
        if (rec->enc == LLM_ENC_TOP)
            for (int64_t i = 0; i < rec->k; i++) sink += rec->vals[i] + (float)rec->ids[i];
    }
    llm_tensor_reader_free(r);
    fclose(f);
    return 0;
}
