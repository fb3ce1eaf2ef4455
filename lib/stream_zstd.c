/* stream_zstd.c: .zst stream files, through libzstd when built with
 * `make ZSTD=1`. (Stub for now: the real wrapper follows.) */
#include "stream_zstd.h"

FILE *llm_zstd_wrap(FILE *raw, const char *mode, const char *name, llm_err *e)
{
    (void)raw; (void)mode;
    llm_fail(e, "%s: zstd support is not built in; rebuild with `make ZSTD=1` "
                "(needs libzstd-dev)", name);
    return NULL;
}
