/* fuzz_tokstream.c: the token stream reader on arbitrary bytes, to the end
 * or the first error; every piece it returns is escaped back. */
#include <stdint.h>
#include <stdio.h>

#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return 0;
    llm_tok_reader *r = llm_tok_reader_new(f, "fuzz");
    llm_err e;
    int32_t id;
    const char *piece;
    size_t len;
    char out[64];
    while (r && llm_tok_next(r, &id, &piece, &len, &e) > 0)
        if (piece) llm_tok_escape(piece, len, out, sizeof out);
    if (r) (void)llm_tok_reader_header(r);
    llm_tok_reader_free(r);
    fclose(f);
    return 0;
}
