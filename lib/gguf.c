/* gguf.c: the GGUF reader (mmap, every count and offset checked before
 * use). The writer is in gguf_write.c. See gguf.h for the layout. */
#include "gguf.h"
#include "dtype.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Nested arrays deeper than this are refused (real files use depth 1). */
#define MAX_ARRAY_DEPTH 8
/* ggml's GGML_MAX_NAME: tensor names must be shorter than this. */
#define MAX_TENSOR_NAME 64

/* A read cursor over the mapping; every read checks the bytes left. */
typedef struct cursor {
    const uint8_t *p;
    size_t size;
    size_t off;
    const char *path;
    llm_err *e;
} cursor;

static size_t left(const cursor *c) { return c->size - c->off; }

/* Fail with "PATH: offset N: what". Returns -1. */
static int cfail(cursor *c, size_t off, const char *what)
{
    return llm_fail(c->e, "%s: offset %zu: %s", c->path, off, what);
}

/* Read n raw bytes into dst, or fail saying what was being read. */
static int rd(cursor *c, void *dst, size_t n, const char *what)
{
    if (left(c) < n) {
        char msg[256];
        snprintf(msg, sizeof msg, "file ends while reading %s (%zu bytes needed, %zu left)",
                 what, n, left(c));
        return cfail(c, c->off, msg);
    }
    memcpy(dst, c->p + c->off, n);
    c->off += n;
    return 0;
}

static int rd_u32(cursor *c, uint32_t *v, const char *what) { return rd(c, v, 4, what); }
static int rd_u64(cursor *c, uint64_t *v, const char *what) { return rd(c, v, 8, what); }

/* A length-prefixed string, pointing into the map. */
static int rd_str(cursor *c, gguf_str *s, const char *what)
{
    uint64_t len;
    size_t at = c->off;
    if (rd_u64(c, &len, what) < 0) return -1;
    if (len > left(c)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s has length %llu but only %zu bytes are left in the file",
                 what, (unsigned long long)len, left(c));
        return cfail(c, at, msg);
    }
    s->ptr = (const char *)c->p + c->off;
    s->len = len;
    c->off += len;
    return 0;
}

static char *dup_str(gguf_str s)
{
    char *z = malloc(s.len + 1);
    if (!z) return NULL;
    memcpy(z, s.ptr, s.len);
    z[s.len] = 0;
    return z;
}

size_t gguf_vtype_size(uint32_t t)
{
    switch (t) {
    case GGUF_UINT8: case GGUF_INT8: case GGUF_BOOL: return 1;
    case GGUF_UINT16: case GGUF_INT16: return 2;
    case GGUF_UINT32: case GGUF_INT32: case GGUF_FLOAT32: return 4;
    case GGUF_UINT64: case GGUF_INT64: case GGUF_FLOAT64: return 8;
    default: return 0;
    }
}

const char *gguf_vtype_name(uint32_t t)
{
    static const char *names[] = {
        "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
        "str", "arr", "u64", "i64", "f64",
    };
    return t < GGUF_VTYPE_COUNT ? names[t] : "?";
}

/* Decode one fixed-size scalar of type t from raw bytes into v. */
static void decode_scalar(uint32_t t, const uint8_t *raw, gguf_value *v)
{
    v->type = t;
    switch (t) {
    case GGUF_UINT8: case GGUF_BOOL: v->u64 = raw[0]; break;
    case GGUF_INT8: v->i64 = (int8_t)raw[0]; break;
    case GGUF_UINT16: { uint16_t x; memcpy(&x, raw, 2); v->u64 = x; break; }
    case GGUF_INT16: { int16_t x; memcpy(&x, raw, 2); v->i64 = x; break; }
    case GGUF_UINT32: { uint32_t x; memcpy(&x, raw, 4); v->u64 = x; break; }
    case GGUF_INT32: { int32_t x; memcpy(&x, raw, 4); v->i64 = x; break; }
    case GGUF_FLOAT32: { float x; memcpy(&x, raw, 4); v->f64 = x; break; }
    case GGUF_UINT64: memcpy(&v->u64, raw, 8); break;
    case GGUF_INT64: memcpy(&v->i64, raw, 8); break;
    case GGUF_FLOAT64: memcpy(&v->f64, raw, 8); break;
    }
}

static void free_value(gguf_value *v)
{
    if (v->type != GGUF_ARRAY) return;
    free(v->arr.strs);
    if (v->arr.vals) {
        for (uint64_t i = 0; i < v->arr.n; i++) free_value(&v->arr.vals[i]);
        free(v->arr.vals);
    }
    v->arr.strs = NULL;
    v->arr.vals = NULL;
}

/* Parse a value of type t at the cursor. The element count of an array is
 * checked against the bytes left (each element needs at least its minimum
 * encoded size) before anything is allocated, so a huge count in a small
 * file cannot make us allocate gigabytes. */
static int rd_value(cursor *c, uint32_t t, gguf_value *v, int depth, const char *key)
{
    memset(v, 0, sizeof *v);
    v->type = t;
    size_t at = c->off;
    char msg[256];
    if (t >= GGUF_VTYPE_COUNT) {
        snprintf(msg, sizeof msg, "key '%s' has unknown value type %u", key, t);
        return cfail(c, at, msg);
    }
    size_t sz = gguf_vtype_size(t);
    if (sz) {
        uint8_t raw[8];
        if (rd(c, raw, sz, "a value") < 0) return -1;
        decode_scalar(t, raw, v);
        if (t == GGUF_BOOL && raw[0] > 1) {
            snprintf(msg, sizeof msg, "key '%s': bool value %u is neither 0 nor 1", key, raw[0]);
            return cfail(c, at, msg);
        }
        return 0;
    }
    if (t == GGUF_STRING) return rd_str(c, &v->str, "a string value");

    /* array */
    if (depth >= MAX_ARRAY_DEPTH) {
        snprintf(msg, sizeof msg, "key '%s': arrays nested deeper than %d", key, MAX_ARRAY_DEPTH);
        return cfail(c, at, msg);
    }
    uint32_t et;
    uint64_t n;
    if (rd_u32(c, &et, "an array's element type") < 0) return -1;
    if (rd_u64(c, &n, "an array's length") < 0) return -1;
    if (et >= GGUF_VTYPE_COUNT) {
        snprintf(msg, sizeof msg, "key '%s': array of unknown element type %u", key, et);
        return cfail(c, at, msg);
    }
    v->arr.type = et;
    size_t esz = gguf_vtype_size(et);
    size_t min = esz ? esz : et == GGUF_STRING ? 8 : 12;
    if (n > left(c) / min) {
        snprintf(msg, sizeof msg, "key '%s': array of %llu %s needs at least %llu bytes but %zu are left",
                 key, (unsigned long long)n, gguf_vtype_name(et),
                 n > UINT64_MAX / min ? UINT64_MAX : (unsigned long long)(n * min), left(c));
        return cfail(c, at, msg);
    }
    v->arr.n = n;
    if (esz) {
        v->arr.raw = c->p + c->off;
        c->off += n * esz;
        if (et == GGUF_BOOL)
            for (uint64_t i = 0; i < n; i++)
                if (v->arr.raw[i] > 1) {
                    snprintf(msg, sizeof msg, "key '%s': bool element %llu is neither 0 nor 1",
                             key, (unsigned long long)i);
                    return cfail(c, at, msg);
                }
        return 0;
    }
    if (et == GGUF_STRING) {
        v->arr.strs = malloc((n ? n : 1) * sizeof *v->arr.strs);
        if (!v->arr.strs) return cfail(c, at, "out of memory for a string array");
        for (uint64_t i = 0; i < n; i++)
            if (rd_str(c, &v->arr.strs[i], "a string in an array") < 0) return -1;
        return 0;
    }
    v->arr.vals = calloc(n ? n : 1, sizeof *v->arr.vals);
    if (!v->arr.vals) return cfail(c, at, "out of memory for a nested array");
    for (uint64_t i = 0; i < n; i++) {
        v->arr.vals[i].type = GGUF_ARRAY;
        if (rd_value(c, GGUF_ARRAY, &v->arr.vals[i], depth + 1, key) < 0) return -1;
    }
    return 0;
}

int64_t gguf_nelements(const gguf_tensor *t)
{
    return t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
}

/* Parse one tensor info and check its shape and type. */
static int rd_tensor_info(cursor *c, gguf_tensor *t, uint64_t index)
{
    char msg[512];
    size_t at = c->off;
    gguf_str name;
    if (rd_str(c, &name, "a tensor name") < 0) return -1;
    if (name.len >= MAX_TENSOR_NAME) {
        snprintf(msg, sizeof msg, "tensor %llu: name of %llu bytes is too long (at most %d)",
                 (unsigned long long)index, (unsigned long long)name.len, MAX_TENSOR_NAME - 1);
        return cfail(c, at, msg);
    }
    if (!(t->name = dup_str(name))) return cfail(c, at, "out of memory");
    if (memchr(name.ptr, 0, name.len)) {
        snprintf(msg, sizeof msg, "tensor %llu: name contains a NUL byte", (unsigned long long)index);
        return cfail(c, at, msg);
    }
    if (rd_u32(c, &t->n_dims, "a tensor's dimension count") < 0) return -1;
    if (t->n_dims < 1 || t->n_dims > GGUF_MAX_DIMS) {
        snprintf(msg, sizeof msg, "tensor '%s' has %u dimensions (1 to %d allowed)",
                 t->name, t->n_dims, GGUF_MAX_DIMS);
        return cfail(c, at, msg);
    }
    for (int d = 0; d < GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
        uint64_t ne;
        size_t dat = c->off;
        if (rd_u64(c, &ne, "a tensor dimension") < 0) return -1;
        if (ne == 0 || ne > INT64_MAX) {
            snprintf(msg, sizeof msg, "tensor '%s': dimension %u is %s", t->name, d,
                     ne == 0 ? "zero" : "larger than INT64_MAX");
            return cfail(c, dat, msg);
        }
        t->ne[d] = (int64_t)ne;
    }
    /* the element count must fit in int64 */
    int64_t n = 1;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        if (n > INT64_MAX / t->ne[d]) {
            snprintf(msg, sizeof msg, "tensor '%s': element count overflows", t->name);
            return cfail(c, at, msg);
        }
        n *= t->ne[d];
    }
    size_t tat = c->off;
    if (rd_u32(c, &t->type, "a tensor type") < 0) return -1;
    llm_err te;
    if (llm_type_check(t->type, &te) < 0) {
        snprintf(msg, sizeof msg, "tensor '%s': %.300s", t->name, te.msg);
        return cfail(c, tat, msg);
    }
    const llm_type_info *ti = llm_type(t->type);
    if (t->ne[0] % ti->blck) {
        snprintf(msg, sizeof msg, "tensor '%s': row length %lld is not a multiple of the %s block size %u",
                 t->name, (long long)t->ne[0], ti->name, ti->blck);
        return cfail(c, tat, msg);
    }
    uint64_t rows = (uint64_t)(n / t->ne[0]);
    uint64_t row_bytes = (uint64_t)(t->ne[0] / ti->blck) * ti->size;
    if (row_bytes && rows > UINT64_MAX / row_bytes) {
        snprintf(msg, sizeof msg, "tensor '%s': byte size overflows", t->name);
        return cfail(c, at, msg);
    }
    t->nbytes = rows * row_bytes;
    return rd_u64(c, &t->offset, "a tensor offset");
}

/* Parse the mapped bytes f->map[0..size): header, key-values, tensor
 * infos, and the data section's bounds. */
static int parse(gguf_file *f, llm_err *e)
{
    const char *path = f->path;
    cursor c = { f->map, f->size, 0, f->path, e };

    char magic[4];
    rd(&c, magic, 4, "the magic");
    if (memcmp(magic, "GGUF", 4)) {
        cfail(&c, 0, "not a GGUF file (the magic is not \"GGUF\")");
        return -1;
    }
    rd_u32(&c, &f->version, "the version");
    if (f->version != 2 && f->version != 3) {
        char msg[128];
        if (f->version == 1)
            snprintf(msg, sizeof msg, "GGUF version 1 is not supported (convert it with a newer tool)");
        else if ((f->version & 0xffff) == 0)
            snprintf(msg, sizeof msg, "version %u: a big-endian GGUF, not supported", f->version);
        else
            snprintf(msg, sizeof msg, "unsupported GGUF version %u (2 and 3 are)", f->version);
        cfail(&c, 4, msg);
        return -1;
    }
    /* counts go to locals: f->n_kv and f->n_tensors count what is parsed,
     * so gguf_close frees exactly that */
    uint64_t n_kv, n_t;
    rd_u64(&c, &n_t, "the tensor count");
    rd_u64(&c, &n_kv, "the key-value count");
    char msg[256];
    /* a key-value takes at least 13 bytes, a tensor info at least 32 */
    if (n_kv > left(&c) / 13) {
        snprintf(msg, sizeof msg, "key-value count %llu cannot fit in the %zu bytes left",
                 (unsigned long long)n_kv, left(&c));
        cfail(&c, 16, msg);
        return -1;
    }
    if (n_t > left(&c) / 32) {
        snprintf(msg, sizeof msg, "tensor count %llu cannot fit in the %zu bytes left",
                 (unsigned long long)n_t, left(&c));
        cfail(&c, 8, msg);
        return -1;
    }
    f->kv = calloc(n_kv ? n_kv : 1, sizeof *f->kv);
    f->tensors = calloc(n_t ? n_t : 1, sizeof *f->tensors);
    if (!f->kv || !f->tensors) {
        llm_fail(e, "%s: out of memory", path);
        return -1;
    }
    f->alignment = GGUF_DEFAULT_ALIGNMENT;
    for (uint64_t i = 0; i < n_kv; i++) {
        gguf_kv *kv = &f->kv[i];
        kv->file_offset = c.off;
        gguf_str key;
        if (rd_str(&c, &key, "a key") < 0) return -1;
        if (!(kv->key = dup_str(key))) {
            llm_fail(e, "%s: out of memory", path);
            return -1;
        }
        f->n_kv = i + 1;
        if (gguf_find(f, kv->key) != kv) {
            snprintf(msg, sizeof msg, "duplicate key '%.100s'", kv->key);
            cfail(&c, kv->file_offset, msg);
            return -1;
        }
        uint32_t t;
        if (rd_u32(&c, &t, "a value type") < 0) return -1;
        if (rd_value(&c, t, &kv->val, 0, kv->key) < 0) return -1;
        if (!strcmp(kv->key, "general.alignment")) {
            uint64_t a = kv->val.u64;
            if (t != GGUF_UINT32 || a == 0 || (a & (a - 1))) {
                cfail(&c, kv->file_offset, "general.alignment must be a u32 power of two");
                return -1;
            }
            f->alignment = a;
        }
    }
    for (uint64_t i = 0; i < n_t; i++) {
        f->n_tensors = i + 1;
        size_t at = c.off;
        if (rd_tensor_info(&c, &f->tensors[i], i) < 0) return -1;
        for (uint64_t j = 0; j < i; j++)
            if (!strcmp(f->tensors[j].name, f->tensors[i].name)) {
                snprintf(msg, sizeof msg, "duplicate tensor name '%s'", f->tensors[i].name);
                cfail(&c, at, msg);
                return -1;
            }
    }
    /* the data section starts at the next multiple of the alignment */
    uint64_t pad = (f->alignment - c.off % f->alignment) % f->alignment;
    f->data_offset = c.off + pad;
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        gguf_tensor *t = &f->tensors[i];
        if (t->offset % f->alignment) {
            llm_fail(e, "%s: tensor '%s': offset %llu is not a multiple of the alignment %llu",
                     path, t->name, (unsigned long long)t->offset, (unsigned long long)f->alignment);
            return -1;
        }
        uint64_t start = f->data_offset + t->offset;
        if (t->offset > UINT64_MAX - f->data_offset || start > f->size ||
            t->nbytes > f->size - start) {
            if (t->offset > UINT64_MAX - f->data_offset || t->nbytes > UINT64_MAX - start)
                llm_fail(e, "%s: tensor '%s': data offset %llu overflows", path, t->name,
                         (unsigned long long)t->offset);
            else
                llm_fail(e, "%s: tensor '%s' data ends at %llu but the file has %zu bytes",
                         path, t->name, (unsigned long long)(start + t->nbytes), f->size);
            return -1;
        }
        t->data = f->map + start;
    }
    return 0;
}


gguf_file *gguf_open(const char *path, llm_err *e)
{
    gguf_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        llm_fail(e, "%s: out of memory", path);
        return NULL;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        llm_fail(e, "%s: %s", path, strerror(errno));
        gguf_close(f);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        llm_fail(e, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a folder, not a GGUF file"
                                                        : "not a regular file");
        close(fd);
        gguf_close(f);
        return NULL;
    }
    if (st.st_size < 24) {
        llm_fail(e, "%s: file of %lld bytes is too short to be GGUF (24-byte header)",
                 path, (long long)st.st_size);
        close(fd);
        gguf_close(f);
        return NULL;
    }
    f->size = (size_t)st.st_size;
    void *m = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        llm_fail(e, "%s: cannot map %zu bytes: %s", path, f->size, strerror(errno));
        f->size = 0;
        gguf_close(f);
        return NULL;
    }
    f->map = m;
    f->mapped = true;
    if (parse(f, e) < 0) {
        gguf_close(f);
        return NULL;
    }
    return f;
}

gguf_file *gguf_open_buffer(const void *buf, size_t size, const char *name, llm_err *e)
{
    gguf_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(name))) {
        free(f);
        llm_fail(e, "%s: out of memory", name);
        return NULL;
    }
    f->map = buf;
    f->size = size;
    if (size < 24) {
        llm_fail(e, "%s: %zu bytes is too short to be GGUF (24-byte header)", name, size);
        gguf_close(f);
        return NULL;
    }
    if (parse(f, e) < 0) {
        gguf_close(f);
        return NULL;
    }
    return f;
}

void gguf_close(gguf_file *f)
{
    if (!f) return;
    for (uint64_t i = 0; i < f->n_kv; i++) {
        free(f->kv[i].key);
        free_value(&f->kv[i].val);
    }
    for (uint64_t i = 0; i < f->n_tensors; i++) free(f->tensors[i].name);
    free(f->kv);
    free(f->tensors);
    if (f->mapped) munmap((void *)f->map, f->size);
    free(f->path);
    free(f);
}

const gguf_kv *gguf_find(const gguf_file *f, const char *key)
{
    for (uint64_t i = 0; i < f->n_kv; i++)
        if (!strcmp(f->kv[i].key, key)) return &f->kv[i];
    return NULL;
}

const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name)
{
    for (uint64_t i = 0; i < f->n_tensors; i++)
        if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
    return NULL;
}

static bool is_uint(uint32_t t) { return t == GGUF_UINT8 || t == GGUF_UINT16 || t == GGUF_UINT32 || t == GGUF_UINT64; }
static bool is_sint(uint32_t t) { return t == GGUF_INT8 || t == GGUF_INT16 || t == GGUF_INT32 || t == GGUF_INT64; }

/* Find KEY or fail with "PATH: key 'KEY' missing". */
static const gguf_kv *need(const gguf_file *f, const char *key, llm_err *e)
{
    const gguf_kv *kv = gguf_find(f, key);
    if (!kv) llm_fail(e, "%s: key '%s' missing", f->path, key);
    return kv;
}

static int bad_type(const gguf_file *f, const gguf_kv *kv, const char *want, llm_err *e)
{
    return llm_fail(e, "%s: key '%s' is a %s, expected %s", f->path, kv->key,
                    gguf_vtype_name(kv->val.type), want);
}

int gguf_get_i64(const gguf_file *f, const char *key, int64_t *out, llm_err *e)
{
    const gguf_kv *kv = need(f, key, e);
    if (!kv) return -1;
    if (is_sint(kv->val.type)) { *out = kv->val.i64; return 0; }
    if (is_uint(kv->val.type) && kv->val.u64 <= INT64_MAX) { *out = (int64_t)kv->val.u64; return 0; }
    return bad_type(f, kv, "an integer", e);
}

int gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out, llm_err *e)
{
    const gguf_kv *kv = need(f, key, e);
    if (!kv) return -1;
    if (is_uint(kv->val.type)) { *out = kv->val.u64; return 0; }
    if (is_sint(kv->val.type) && kv->val.i64 >= 0) { *out = (uint64_t)kv->val.i64; return 0; }
    return bad_type(f, kv, "a non-negative integer", e);
}

int gguf_get_u32(const gguf_file *f, const char *key, uint32_t *out, llm_err *e)
{
    uint64_t v;
    if (gguf_get_u64(f, key, &v, e) < 0) return -1;
    if (v > UINT32_MAX) return llm_fail(e, "%s: key '%s' = %llu is too large", f->path, key,
                                        (unsigned long long)v);
    *out = (uint32_t)v;
    return 0;
}

int gguf_get_f32(const gguf_file *f, const char *key, float *out, llm_err *e)
{
    const gguf_kv *kv = need(f, key, e);
    if (!kv) return -1;
    uint32_t t = kv->val.type;
    if (t == GGUF_FLOAT32 || t == GGUF_FLOAT64) *out = (float)kv->val.f64;
    else if (is_sint(t)) *out = (float)kv->val.i64;
    else if (is_uint(t)) *out = (float)kv->val.u64;
    else return bad_type(f, kv, "a number", e);
    return 0;
}

int gguf_get_bool(const gguf_file *f, const char *key, bool *out, llm_err *e)
{
    const gguf_kv *kv = need(f, key, e);
    if (!kv) return -1;
    if (kv->val.type != GGUF_BOOL) return bad_type(f, kv, "a bool", e);
    *out = kv->val.u64 != 0;
    return 0;
}

int gguf_get_str(const gguf_file *f, const char *key, gguf_str *out, llm_err *e)
{
    const gguf_kv *kv = need(f, key, e);
    if (!kv) return -1;
    if (kv->val.type != GGUF_STRING) return bad_type(f, kv, "a string", e);
    *out = kv->val.str;
    return 0;
}

int gguf_get_arr(const gguf_file *f, const char *key, uint32_t want,
                 const gguf_value **out, llm_err *e)
{
    const gguf_kv *kv = need(f, key, e);
    if (!kv) return -1;
    if (kv->val.type != GGUF_ARRAY) return bad_type(f, kv, "an array", e);
    uint32_t et = kv->val.arr.type;
    bool okt = et == want || (want == GGUF_INT64 && (is_sint(et) || is_uint(et))) ||
               (want == GGUF_FLOAT64 && (et == GGUF_FLOAT32 || et == GGUF_FLOAT64));
    if (!okt)
        return llm_fail(e, "%s: key '%s' is an array of %s, expected %s", f->path, key,
                        gguf_vtype_name(et), want == GGUF_INT64 ? "integers" : gguf_vtype_name(want));
    *out = &kv->val;
    return 0;
}

int64_t gguf_arr_i64(const gguf_value *v, uint64_t i)
{
    gguf_value x;
    decode_scalar(v->arr.type, v->arr.raw + i * gguf_vtype_size(v->arr.type), &x);
    if (is_uint(x.type) || x.type == GGUF_BOOL) return (int64_t)x.u64;
    if (x.type == GGUF_FLOAT32 || x.type == GGUF_FLOAT64) return (int64_t)x.f64;
    return x.i64;
}

double gguf_arr_f64(const gguf_value *v, uint64_t i)
{
    gguf_value x;
    decode_scalar(v->arr.type, v->arr.raw + i * gguf_vtype_size(v->arr.type), &x);
    if (x.type == GGUF_FLOAT32 || x.type == GGUF_FLOAT64) return x.f64;
    if (is_uint(x.type) || x.type == GGUF_BOOL) return (double)x.u64;
    return (double)x.i64;
}

bool gguf_str_eq(gguf_str s, const char *c)
{
    size_t n = strlen(c);
    return s.len == n && !memcmp(s.ptr, c, n);
}
