/* stream_zstd.h: internal to libcore's stream files. Wraps a FILE in zstd
 * (de)compression; stream.c calls it for paths ending in ".zst". */
#ifndef LLM_STREAM_ZSTD_H
#define LLM_STREAM_ZSTD_H

#include <stdio.h>

#include "err.h"

/* Return a FILE that decompresses from raw ("r") or compresses into raw
 * ("w"); closing it finishes the frame and closes raw, and fails if any
 * write or the close of raw failed. On error raw is left open and NULL is
 * returned. Without LLM_ZSTD it always fails, saying to build with ZSTD=1. */
FILE *llm_zstd_wrap(FILE *raw, const char *mode, const char *name, llm_err *e);

#endif
