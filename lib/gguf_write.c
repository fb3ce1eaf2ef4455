/* gguf_write.c: the GGUF writer. Key-values are serialized as they are
 * set; tensors are laid out aligned at write time, their data given or
 * produced by a fill callback, into a temporary file renamed into place. */
#include "gguf.h"
#include "dtype.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct blob {
    uint8_t *p;
    size_t len, cap;
    int oom;
} blob;

/* Append n bytes (growing the buffer); remembers running out of memory. */
static void put(blob *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) { b->oom = 1; return; }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}
static void put_u32(blob *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(blob *b, uint64_t v) { put(b, &v, 8); }
static void put_str(blob *b, const char *s, uint64_t n) { put_u64(b, n); put(b, s, n); }

typedef struct wkv {
    char *key;
    blob b;            /* the serialized pair: key, type, value */
} wkv;

typedef struct wtensor {
    char *name;
    uint32_t type, n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    uint64_t nbytes, offset;
    const void *data;
    gguf_fill_fn fill;
    void *ctx;
} wtensor;

struct gguf_writer {
    wkv *kv;
    size_t n_kv, cap_kv;
    wtensor *t;
    size_t n_t, cap_t;
    uint64_t alignment;
};

gguf_writer *gguf_writer_new(void)
{
    gguf_writer *w = calloc(1, sizeof *w);
    if (w) w->alignment = GGUF_DEFAULT_ALIGNMENT;
    return w;
}

void gguf_writer_free(gguf_writer *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n_kv; i++) { free(w->kv[i].key); free(w->kv[i].b.p); }
    for (size_t i = 0; i < w->n_t; i++) free(w->t[i].name);
    free(w->kv);
    free(w->t);
    free(w);
}

int gguf_writer_set_alignment(gguf_writer *w, uint64_t a, llm_err *e)
{
    if (a == 0 || (a & (a - 1)) || a > UINT32_MAX)
        return llm_fail(e, "alignment %llu is not a power of two", (unsigned long long)a);
    w->alignment = a;
    return gguf_set_u32(w, "general.alignment", (uint32_t)a);
}

/* Start (or restart, keeping its place) the pair for KEY; returns its blob
 * with key and type written, or NULL when out of memory. */
static blob *begin(gguf_writer *w, const char *key, uint32_t type)
{
    wkv *slot = NULL;
    for (size_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kv[i].key, key)) { slot = &w->kv[i]; break; }
    if (!slot) {
        if (w->n_kv == w->cap_kv) {
            size_t cap = w->cap_kv ? w->cap_kv * 2 : 32;
            wkv *kv = realloc(w->kv, cap * sizeof *kv);
            if (!kv) return NULL;
            w->kv = kv;
            w->cap_kv = cap;
        }
        slot = &w->kv[w->n_kv];
        memset(slot, 0, sizeof *slot);
        if (!(slot->key = strdup(key))) return NULL;
        w->n_kv++;
    }
    slot->b.len = 0;
    slot->b.oom = 0;
    put_str(&slot->b, key, strlen(key));
    put_u32(&slot->b, type);
    return &slot->b;
}

static int done(blob *b) { return !b || b->oom ? -1 : 0; }

int gguf_set_u32(gguf_writer *w, const char *key, uint32_t v)
{
    if (!strcmp(key, "general.alignment") && v && !(v & (v - 1))) w->alignment = v;
    blob *b = begin(w, key, GGUF_UINT32);
    if (b) put_u32(b, v);
    return done(b);
}
int gguf_set_i32(gguf_writer *w, const char *key, int32_t v)
{
    blob *b = begin(w, key, GGUF_INT32);
    if (b) put(b, &v, 4);
    return done(b);
}
int gguf_set_u64(gguf_writer *w, const char *key, uint64_t v)
{
    blob *b = begin(w, key, GGUF_UINT64);
    if (b) put_u64(b, v);
    return done(b);
}
int gguf_set_f32(gguf_writer *w, const char *key, float v)
{
    blob *b = begin(w, key, GGUF_FLOAT32);
    if (b) put(b, &v, 4);
    return done(b);
}
int gguf_set_bool(gguf_writer *w, const char *key, bool v)
{
    uint8_t x = v;
    blob *b = begin(w, key, GGUF_BOOL);
    if (b) put(b, &x, 1);
    return done(b);
}
int gguf_set_str(gguf_writer *w, const char *key, const char *s, size_t len)
{
    blob *b = begin(w, key, GGUF_STRING);
    if (b) put_str(b, s, len);
    return done(b);
}
int gguf_set_arr(gguf_writer *w, const char *key, uint32_t et, const void *raw, uint64_t n)
{
    size_t esz = gguf_vtype_size(et);
    if (!esz) return -1;
    blob *b = begin(w, key, GGUF_ARRAY);
    if (b) { put_u32(b, et); put_u64(b, n); put(b, raw, n * esz); }
    return done(b);
}
int gguf_set_arr_str(gguf_writer *w, const char *key, const gguf_str *s, uint64_t n)
{
    blob *b = begin(w, key, GGUF_ARRAY);
    if (b) {
        put_u32(b, GGUF_STRING);
        put_u64(b, n);
        for (uint64_t i = 0; i < n; i++) put_str(b, s[i].ptr, s[i].len);
    }
    return done(b);
}

/* Serialize a parsed value (the type tag is written by the caller). */
static void put_value(blob *b, const gguf_value *v)
{
    size_t sz = gguf_vtype_size(v->type);
    if (sz) {
        uint8_t raw[8];
        switch (v->type) {
        case GGUF_FLOAT32: { float x = (float)v->f64; memcpy(raw, &x, 4); break; }
        case GGUF_FLOAT64: memcpy(raw, &v->f64, 8); break;
        default: memcpy(raw, &v->u64, sz); break;   /* little-endian low bytes */
        }
        put(b, raw, sz);
        return;
    }
    if (v->type == GGUF_STRING) { put_str(b, v->str.ptr, v->str.len); return; }
    put_u32(b, v->arr.type);
    put_u64(b, v->arr.n);
    size_t esz = gguf_vtype_size(v->arr.type);
    if (esz) put(b, v->arr.raw, v->arr.n * esz);
    else if (v->arr.type == GGUF_STRING)
        for (uint64_t i = 0; i < v->arr.n; i++) put_str(b, v->arr.strs[i].ptr, v->arr.strs[i].len);
    else
        for (uint64_t i = 0; i < v->arr.n; i++) put_value(b, &v->arr.vals[i]);
}

int gguf_set_kv(gguf_writer *w, const gguf_kv *kv)
{
    if (!strcmp(kv->key, "general.alignment") && kv->val.type == GGUF_UINT32)
        return gguf_set_u32(w, kv->key, (uint32_t)kv->val.u64);
    blob *b = begin(w, kv->key, kv->val.type);
    if (b) put_value(b, &kv->val);
    return done(b);
}

void gguf_unset(gguf_writer *w, const char *key)
{
    for (size_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kv[i].key, key)) {
            free(w->kv[i].key);
            free(w->kv[i].b.p);
            memmove(&w->kv[i], &w->kv[i + 1], (w->n_kv - i - 1) * sizeof *w->kv);
            w->n_kv--;
            return;
        }
}

int gguf_add_tensor(gguf_writer *w, const char *name, uint32_t type,
                    uint32_t n_dims, const int64_t *ne, const void *data,
                    gguf_fill_fn fill, void *ctx, llm_err *e)
{
    if (strlen(name) >= 64) return llm_fail(e, "tensor name '%s' is too long (63 bytes at most)", name);
    if (n_dims < 1 || n_dims > GGUF_MAX_DIMS) return llm_fail(e, "tensor '%s': %u dimensions", name, n_dims);
    if (llm_type_check(type, e) < 0) return llm_wrap(e, "tensor '%s'", name);
    if (!data && !fill) return llm_fail(e, "tensor '%s': no data", name);
    for (size_t i = 0; i < w->n_t; i++)
        if (!strcmp(w->t[i].name, name)) return llm_fail(e, "duplicate tensor '%s'", name);
    wtensor t = { 0 };
    t.type = type;
    t.n_dims = n_dims;
    uint64_t n = 1;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        t.ne[d] = d < (int)n_dims ? ne[d] : 1;
        if (t.ne[d] <= 0 || n > (uint64_t)INT64_MAX / (uint64_t)t.ne[d])
            return llm_fail(e, "tensor '%s': bad dimension %d", name, d);
        n *= (uint64_t)t.ne[d];
    }
    size_t row = llm_row_size(type, t.ne[0]);
    if (!row) return llm_fail(e, "tensor '%s': row length %lld does not fit the %s block size",
                              name, (long long)t.ne[0], llm_type(type)->name);
    t.nbytes = row * (n / (uint64_t)t.ne[0]);
    t.data = data;
    t.fill = fill;
    t.ctx = ctx;
    if (w->n_t == w->cap_t) {
        size_t cap = w->cap_t ? w->cap_t * 2 : 64;
        wtensor *p = realloc(w->t, cap * sizeof *p);
        if (!p) return llm_fail(e, "out of memory");
        w->t = p;
        w->cap_t = cap;
    }
    if (!(t.name = strdup(name))) return llm_fail(e, "out of memory");
    w->t[w->n_t++] = t;
    return 0;
}

/* The temporary file being written, so a signal handler can remove it. */
static char active_tmp[4096];
static volatile sig_atomic_t have_tmp;

static void on_signal(int sig)
{
    if (have_tmp) unlink(active_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

void gguf_cleanup_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int write_all(FILE *fp, const void *p, size_t n)
{
    return fwrite(p, 1, n, fp) == n ? 0 : -1;
}

static int write_pad(FILE *fp, uint64_t pos, uint64_t align)
{
    static const uint8_t zeros[256];
    uint64_t pad = (align - pos % align) % align;
    while (pad) {
        size_t k = pad > sizeof zeros ? sizeof zeros : (size_t)pad;
        if (write_all(fp, zeros, k) < 0) return -1;
        pad -= k;
    }
    return 0;
}

/* Write header, key-values, tensor infos and data to fp. */
static int write_body(gguf_writer *w, FILE *fp, const char *path, llm_err *e)
{
    blob h = { 0 };
    put(&h, "GGUF", 4);
    put_u32(&h, 3);
    put_u64(&h, w->n_t);
    put_u64(&h, w->n_kv);
    for (size_t i = 0; i < w->n_kv; i++) put(&h, w->kv[i].b.p, w->kv[i].b.len);
    uint64_t off = 0;
    for (size_t i = 0; i < w->n_t; i++) {
        wtensor *t = &w->t[i];
        t->offset = off;
        put_str(&h, t->name, strlen(t->name));
        put_u32(&h, t->n_dims);
        for (uint32_t d = 0; d < t->n_dims; d++) put_u64(&h, (uint64_t)t->ne[d]);
        put_u32(&h, t->type);
        put_u64(&h, t->offset);
        off += t->nbytes;
        off += (w->alignment - off % w->alignment) % w->alignment;
    }
    if (h.oom) { free(h.p); return llm_fail(e, "%s: out of memory", path); }
    int rc = write_all(fp, h.p, h.len);
    uint64_t pos = h.len;
    free(h.p);
    if (rc < 0 || (w->n_t && write_pad(fp, pos, w->alignment) < 0))
        return llm_fail(e, "%s: write error: %s", path, strerror(errno));
    void *buf = NULL;
    size_t bufcap = 0;
    for (size_t i = 0; i < w->n_t; i++) {
        wtensor *t = &w->t[i];
        const void *src = t->data;
        if (!src) {
            if (t->nbytes > bufcap) {
                free(buf);
                bufcap = t->nbytes;
                if (!(buf = malloc(bufcap))) {
                    return llm_fail(e, "%s: out of memory for tensor '%s' (%llu bytes)", path,
                                    t->name, (unsigned long long)t->nbytes);
                }
            }
            if (t->fill(t->ctx, i, buf, t->nbytes, e) < 0) { free(buf); return -1; }
            src = buf;
        }
        /* every tensor, the last one too, is padded to the alignment, as
         * ggml writes files (so ours can equal llama-quantize's byte for byte) */
        if (write_all(fp, src, t->nbytes) < 0 || write_pad(fp, t->nbytes, w->alignment) < 0) {
            free(buf);
            return llm_fail(e, "%s: write error: %s", path, strerror(errno));
        }
    }
    free(buf);
    return 0;
}

int gguf_writer_write(gguf_writer *w, const char *path, llm_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return llm_fail(e, "%s: not a regular file; refusing to replace it", path);
    size_t n = strlen(path);
    if (n + 16 > sizeof active_tmp) return llm_fail(e, "%s: path too long", path);
    char tmp[sizeof active_tmp];
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) return llm_fail(e, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
    memcpy(active_tmp, tmp, n + 12);
    have_tmp = 1;
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        close(fd);
        unlink(tmp);
        have_tmp = 0;
        return llm_fail(e, "%s: %s", path, strerror(errno));
    }
    int rc = write_body(w, fp, path, e);
    if (fflush(fp) != 0 && rc == 0) rc = llm_fail(e, "%s: write error: %s", path, strerror(errno));
    if (fclose(fp) != 0 && rc == 0) rc = llm_fail(e, "%s: write error: %s", path, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = llm_fail(e, "%s: cannot rename the temporary file into place: %s", path, strerror(errno));
    if (rc != 0) unlink(tmp);
    have_tmp = 0;
    return rc;
}

bool gguf_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
