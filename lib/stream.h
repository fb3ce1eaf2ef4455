/* stream.h: the plain token and tensor stream formats (man/llm-formats.5).
 *
 * Token stream: text, one token a line, "ID[\tPIECE[\tkey=value...]]";
 * '#' lines are comments, the first may be the header
 *   #llm-tokens 1 vocab=32000 tokenizer=llama fingerprint=9f2c41d0
 * and an empty line ends a segment ("compute now").
 *
 * Tensor stream: records, each a header line
 *   #llm-tensor 1 name=logits dtype=f32 shape=32000 pos=4 enc=text
 * then the values: enc=text (decimal, whitespace separated, %.9g),
 * enc=raw (prod(shape) little-endian f32 right after the newline) or
 * enc=top k=K ("ID VALUE" pairs, the K largest). shape lists dimensions
 * outermost first (unlike GGUF's ne[]).
 *
 * Readers report errors as "NAME: record N (byte OFFSET): why" (tensor
 * streams) or "NAME: line N (byte OFFSET): why" (token streams). Both
 * tolerate CRLF line ends; token lines are capped at 1 MiB. */
#ifndef LLM_STREAM_H
#define LLM_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Open PATH for reading ("r") or writing ("w"); "-" is stdin/stdout.
 * A name ending in .zst is (de)compressed with zstd when built with
 * ZSTD=1, and otherwise refused with a message saying how to build it.
 * Writing refuses an existing path that is a folder, a device or a FIFO
 * (stdout itself may be anything), and writes a temp file beside PATH that
 * llm_stream_close renames into place if every write succeeded; it reports
 * write errors (a full disk). Closing stdout only flushes it; closing stdin
 * does nothing. */
FILE *llm_stream_open(const char *path, const char *mode, llm_err *e);
int llm_stream_close(FILE *f, llm_err *e);

/* ---- token streams ---- */
typedef struct llm_tok_header {
    bool present;          /* a #llm-tokens line was read */
    uint32_t vocab;        /* 0 if not given */
    char tokenizer[32];    /* "" if not given */
    bool has_fingerprint;
    uint32_t fingerprint;
} llm_tok_header;

typedef struct llm_tok_reader llm_tok_reader;

/* Read tokens from f (not closed by the reader); NAME is for messages. */
llm_tok_reader *llm_tok_reader_new(FILE *f, const char *name);
void llm_tok_reader_free(llm_tok_reader *r);
/* Next item: 1 = a token (*id set; PIECE, if the line had one, unescaped
 * into *piece and *piece_len, valid until the next call; pass NULL to skip;
 * NULL and 0 when there is none, on every return),
 * 2 = end of segment (an empty line), 0 = end of input, -1 = error.
 * Comment lines are skipped; the header line fills llm_tok_reader_header.
 * Ids must be in 0..INT32_MAX; range against a vocabulary is the caller's. */
int llm_tok_next(llm_tok_reader *r, int32_t *id, const char **piece,
                 size_t *piece_len, llm_err *e);
const llm_tok_header *llm_tok_reader_header(const llm_tok_reader *r);
/* Record (line) number and byte offset of the last item, for messages. */
uint64_t llm_tok_reader_line(const llm_tok_reader *r);
uint64_t llm_tok_reader_offset(const llm_tok_reader *r);

/* Writers return 0, or -1 on a write error (errno set). */
int llm_tok_write_header(FILE *f, uint32_t vocab, const char *tokenizer,
                         uint32_t fingerprint);
/* One token line; piece may be NULL (bare id); extra may be NULL or
 * "logit=1.5\tp=0.25" (already formatted key=value fields, TAB separated). */
int llm_tok_write(FILE *f, int32_t id, const char *piece, size_t piece_len,
                  const char *extra);
/* An empty line, then fflush: the reader at the other end of a pipe acts
 * on it at once (the feedback loop). */
int llm_tok_end_segment(FILE *f);
/* Escape a piece for a token line (\t \n \\ and \xhh for other control
 * bytes and 0x7f); like snprintf, returns the full escaped length (without
 * the NUL) and writes at most cap-1 bytes and a NUL; out may be NULL when
 * cap is 0. */
size_t llm_tok_escape(const char *s, size_t len, char *out, size_t cap);

/* ---- tensor streams ---- */
enum llm_enc { LLM_ENC_TEXT = 0, LLM_ENC_RAW = 1, LLM_ENC_TOP = 2 };
#define LLM_TENSOR_MAX_DIMS 8

typedef struct llm_tensor_rec {
    char name[128];
    int ndim;
    int64_t shape[LLM_TENSOR_MAX_DIMS];   /* outermost first */
    int64_t pos;                          /* -1 if not given */
    int enc;                              /* enum llm_enc */
    int64_t k;                            /* enc=top: pairs in the record */
    int64_t n;                            /* prod(shape) */
    /* Values: for text and raw, n floats. For top, k (id, value) pairs in
     * ids/vals (ids < n); data then holds n floats with -INFINITY for the
     * entries not given. ids and vals are NULL for text and raw records.
     * Owned by the reader, valid until the next call. */
    float *data;
    int32_t *ids;
    float *vals;
} llm_tensor_rec;

typedef struct llm_tensor_reader llm_tensor_reader;
llm_tensor_reader *llm_tensor_reader_new(FILE *f, const char *name);
void llm_tensor_reader_free(llm_tensor_reader *r);
/* Next record: 1 = *rec filled, 0 = clean end of input, -1 = error
 * (truncated or inconsistent record: names the record and byte offset). */
int llm_tensor_next(llm_tensor_reader *r, llm_tensor_rec **rec, llm_err *e);

/* Write one record of n = prod(shape) floats, then fflush (one record is
 * one pipeline step). enc LLM_ENC_TOP writes the k largest (ties: lower id
 * first, NaN last; k is clamped to 0..n; n at most 2^27, as readers
 * expand top records to n floats). pos < 0 leaves pos out. Returns
 * -1 with errno EINVAL for a bad name (at most 127 bytes, no spaces; NULL
 * or "" leaves name out), shape or enc. */
int llm_tensor_write(FILE *f, const char *name, const int64_t *shape, int ndim,
                     int64_t pos, const float *data, int enc, int64_t k);

#endif
