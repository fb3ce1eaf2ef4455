/* stream_zstd.c: .zst stream files through libzstd, when built with
 * `make ZSTD=1` (LLM_ZSTD). A FILE from fopencookie() (glibc, musl) wraps
 * the file, so every stream reader and writer works on it unchanged. */
#define _GNU_SOURCE 1
#include "stream_zstd.h"

#ifdef LLM_ZSTD

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/types.h>
#include <zstd.h>

typedef struct zcookie {
    FILE *raw;
    bool writing;
    bool failed;          /* a write failed: close reports it */
    ZSTD_DCtx *d;
    ZSTD_CCtx *c;
    ZSTD_inBuffer in;     /* reading: compressed bytes not yet used */
    size_t hint;          /* last ZSTD_decompressStream result: 0 = frame done */
    bool more;            /* the last call filled the output: may hold more */
    char *buf;            /* reading: compressed input; writing: output */
    size_t cap;
} zcookie;

/* Decompress into out; 0 = end, -1 = error (errno: EIO, or EBADMSG for
 * corrupt or truncated data). */
static ssize_t z_read(void *cookie, char *out, size_t size)
{
    zcookie *z = cookie;
    ZSTD_outBuffer o = {out, size, 0};
    for (;;) {
        if (z->in.pos == z->in.size && !z->more) {
            size_t n = fread(z->buf, 1, z->cap, z->raw);
            if (n == 0) {
                if (ferror(z->raw)) { if (!errno) errno = EIO; return -1; }
                /* the end of the file in the middle of a frame */
                if (z->hint != 0) { errno = EBADMSG; return -1; }
                return 0;
            }
            z->in.src = z->buf;
            z->in.size = n;
            z->in.pos = 0;
        }
        size_t rc = ZSTD_decompressStream(z->d, &o, &z->in);
        if (ZSTD_isError(rc)) { errno = EBADMSG; return -1; }
        z->hint = rc;
        z->more = o.pos == o.size;
        if (o.pos > 0) return (ssize_t)o.pos;
    }
}

/* Write what the compressor has produced to the file. */
static bool z_drain(zcookie *z, ZSTD_outBuffer *o)
{
    if (o->pos && fwrite(o->dst, 1, o->pos, z->raw) != o->pos) {
        if (!errno) errno = EIO;
        return false;
    }
    o->pos = 0;
    return true;
}

/* Compress size bytes; returns size, or 0 on error (fopencookie's rule). */
static ssize_t z_write(void *cookie, const char *data, size_t size)
{
    zcookie *z = cookie;
    ZSTD_inBuffer in = {data, size, 0};
    while (in.pos < in.size) {
        ZSTD_outBuffer o = {z->buf, z->cap, 0};
        size_t rc = ZSTD_compressStream2(z->c, &o, &in, ZSTD_e_continue);
        if (ZSTD_isError(rc)) { errno = EIO; z->failed = true; return 0; }
        if (!z_drain(z, &o)) { z->failed = true; return 0; }
    }
    return (ssize_t)size;
}

/* Finish the frame (writing), close the file; -1 with errno if anything
 * failed on the way, so llm_stream_close can report it. */
static int z_close(void *cookie)
{
    zcookie *z = cookie;
    int err = 0;
    if (z->writing) {
        if (z->failed) err = errno ? errno : EIO;
        size_t left = 1;
        while (!err && left != 0) {
            ZSTD_inBuffer in = {NULL, 0, 0};
            ZSTD_outBuffer o = {z->buf, z->cap, 0};
            left = ZSTD_compressStream2(z->c, &o, &in, ZSTD_e_end);
            if (ZSTD_isError(left)) err = EIO;
            else if (!z_drain(z, &o)) err = errno ? errno : EIO;
        }
        if (!err && fflush(z->raw) != 0) err = errno ? errno : EIO;
        if (!err && ferror(z->raw)) err = EIO;
    }
    if (fclose(z->raw) != 0 && !err) err = errno ? errno : EIO;
    ZSTD_freeDCtx(z->d);
    ZSTD_freeCCtx(z->c);
    free(z->buf);
    free(z);
    if (err) { errno = err; return -1; }
    return 0;
}

FILE *llm_zstd_wrap(FILE *raw, const char *mode, const char *name, llm_err *e)
{
    zcookie *z = calloc(1, sizeof *z);
    if (!z) { llm_fail(e, "%s: out of memory", name); return NULL; }
    z->raw = raw;
    z->writing = mode[0] == 'w';
    if (z->writing) {
        z->c = ZSTD_createCCtx();
        z->cap = ZSTD_CStreamOutSize();
    } else {
        z->d = ZSTD_createDCtx();
        z->cap = ZSTD_DStreamInSize();
    }
    z->buf = malloc(z->cap);
    if ((z->writing ? (void *)z->c : (void *)z->d) == NULL || !z->buf) {
        ZSTD_freeCCtx(z->c);
        ZSTD_freeDCtx(z->d);
        free(z->buf);
        free(z);
        llm_fail(e, "%s: out of memory", name);
        return NULL;
    }
    cookie_io_functions_t io = {
        .read = z->writing ? NULL : z_read,
        .write = z->writing ? z_write : NULL,
        .seek = NULL,
        .close = z_close,
    };
    FILE *f = fopencookie(z, z->writing ? "w" : "r", io);
    if (!f) {
        ZSTD_freeCCtx(z->c);
        ZSTD_freeDCtx(z->d);
        free(z->buf);
        free(z);
        llm_fail(e, "%s: cannot set up zstd stream", name);
        return NULL;
    }
    return f;
}

#else /* !LLM_ZSTD */

FILE *llm_zstd_wrap(FILE *raw, const char *mode, const char *name, llm_err *e)
{
    (void)raw; (void)mode;
    llm_fail(e, "%s: zstd support is not built in; rebuild with `make ZSTD=1` "
                "(needs libzstd-dev)", name);
    return NULL;
}

#endif
