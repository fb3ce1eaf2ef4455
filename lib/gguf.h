/* gguf.h: read GGUF v2/v3 files by mmap, and write them.
 *
 * Layout (little-endian): magic "GGUF", u32 version, u64 n_tensors,
 * u64 n_kv, then n_kv (key, value) pairs, then n_tensors tensor infos
 * (name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset), padding to
 * general.alignment (default 32), then the tensor data. ne[0] is the
 * innermost (contiguous) dimension.
 *
 * The reader trusts nothing: every count, length and offset is checked
 * against the file size (overflow-safe) before use. Strings returned point
 * into the mapping and are NOT NUL-terminated, except keys and tensor
 * names, which are copied and terminated. */
#ifndef LLM_GGUF_H
#define LLM_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum gguf_vtype {
    GGUF_UINT8 = 0, GGUF_INT8 = 1, GGUF_UINT16 = 2, GGUF_INT16 = 3,
    GGUF_UINT32 = 4, GGUF_INT32 = 5, GGUF_FLOAT32 = 6, GGUF_BOOL = 7,
    GGUF_STRING = 8, GGUF_ARRAY = 9, GGUF_UINT64 = 10, GGUF_INT64 = 11,
    GGUF_FLOAT64 = 12,
    GGUF_VTYPE_COUNT
};

#define GGUF_DEFAULT_ALIGNMENT 32
#define GGUF_MAX_DIMS 4

typedef struct gguf_str {
    const char *ptr;   /* not NUL-terminated */
    uint64_t len;
} gguf_str;

typedef struct gguf_value gguf_value;
struct gguf_value {
    uint32_t type;                 /* enum gguf_vtype */
    union {
        uint64_t u64;              /* UINT8..UINT64 (zero-extended), BOOL */
        int64_t i64;               /* INT8..INT64 (sign-extended) */
        double f64;                /* FLOAT32, FLOAT64 */
        gguf_str str;              /* STRING */
        struct {
            uint32_t type;         /* element type */
            uint64_t n;            /* element count */
            const uint8_t *raw;    /* fixed-size elements: raw LE bytes in the map */
            gguf_str *strs;        /* STRING elements (allocated, n entries) */
            gguf_value *vals;      /* ARRAY elements (allocated, n entries) */
        } arr;
    };
};

typedef struct gguf_kv {
    char *key;                     /* NUL-terminated copy */
    gguf_value val;
    uint64_t file_offset;          /* where the pair starts, for messages */
} gguf_kv;

typedef struct gguf_tensor {
    char *name;                    /* NUL-terminated copy */
    uint32_t n_dims;
    int64_t ne[GGUF_MAX_DIMS];     /* unused dims are 1 */
    uint32_t type;                 /* enum llm_type (dtype.h) */
    uint64_t offset;               /* relative to the data section */
    uint64_t nbytes;               /* from the type table */
    const void *data;              /* into the map */
} gguf_tensor;

typedef struct gguf_file {
    char *path;
    const uint8_t *map;
    size_t size;
    bool mapped;                   /* map is ours to munmap */
    uint32_t version;
    uint64_t alignment;
    uint64_t data_offset;          /* start of the tensor data section */
    uint64_t n_kv;
    gguf_kv *kv;
    uint64_t n_tensors;
    gguf_tensor *tensors;
} gguf_file;

/* Map and parse PATH. Returns the file or NULL with e set
 * ("PATH: offset N: why"). Tensors of unknown types are an error. */
gguf_file *gguf_open(const char *path, llm_err *e);
/* The same over bytes in memory (not copied: buf must outlive the file);
 * NAME is used in messages. */
gguf_file *gguf_open_buffer(const void *buf, size_t size, const char *name, llm_err *e);
void gguf_close(gguf_file *f);

/* Lookups: NULL when absent. */
const gguf_kv *gguf_find(const gguf_file *f, const char *key);
const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name);

/* Typed getters: 0 on success; -1 if absent or of an incompatible type
 * (any integer type converts to an integer if the value fits; floats accept
 * any numeric). Messages name the file and key. */
int gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out, llm_err *e);
int gguf_get_u32(const gguf_file *f, const char *key, uint32_t *out, llm_err *e);
int gguf_get_i64(const gguf_file *f, const char *key, int64_t *out, llm_err *e);
int gguf_get_f32(const gguf_file *f, const char *key, float *out, llm_err *e);
int gguf_get_bool(const gguf_file *f, const char *key, bool *out, llm_err *e);
int gguf_get_str(const gguf_file *f, const char *key, gguf_str *out, llm_err *e);
/* Array of the given element type (or any integer type if want == GGUF_INT64). */
int gguf_get_arr(const gguf_file *f, const char *key, uint32_t want,
                 const gguf_value **out, llm_err *e);

/* Element access for fixed-size arrays (values read with memcpy: the map
 * may be unaligned). i must be < v->arr.n. */
int64_t gguf_arr_i64(const gguf_value *v, uint64_t i);
double gguf_arr_f64(const gguf_value *v, uint64_t i);

const char *gguf_vtype_name(uint32_t t);
size_t gguf_vtype_size(uint32_t t);      /* 0 for STRING and ARRAY */
/* Compare a gguf_str with a C string. */
bool gguf_str_eq(gguf_str s, const char *c);
/* Number of elements of a tensor (product of ne). */
int64_t gguf_nelements(const gguf_tensor *t);

/* ---- writing ----------------------------------------------------------
 * Build a writer, add key-values and tensors, then gguf_writer_write()
 * writes PATH.tmp.XXXXXX in PATH's folder and renames it into place. An
 * existing PATH that is not a regular file (device, FIFO, folder) is
 * refused; writing PATH onto the file being read is the caller's check
 * (gguf_same_file). Data pointers must stay valid until write returns.
 * Key-values keep the order they were added in; setting an existing key
 * replaces its value in place. */
typedef struct gguf_writer gguf_writer;

gguf_writer *gguf_writer_new(void);
void gguf_writer_free(gguf_writer *w);
int gguf_writer_set_alignment(gguf_writer *w, uint64_t alignment, llm_err *e);

int gguf_set_u32(gguf_writer *w, const char *key, uint32_t v);
int gguf_set_i32(gguf_writer *w, const char *key, int32_t v);
int gguf_set_u64(gguf_writer *w, const char *key, uint64_t v);
int gguf_set_f32(gguf_writer *w, const char *key, float v);
int gguf_set_bool(gguf_writer *w, const char *key, bool v);
int gguf_set_str(gguf_writer *w, const char *key, const char *s, size_t len);
/* Array of fixed-size elements (raw LE bytes, n elements of type et). */
int gguf_set_arr(gguf_writer *w, const char *key, uint32_t et, const void *raw, uint64_t n);
/* Array of strings. */
int gguf_set_arr_str(gguf_writer *w, const char *key, const gguf_str *s, uint64_t n);
/* Copy a key-value (any type, nested arrays too) from a reader. */
int gguf_set_kv(gguf_writer *w, const gguf_kv *kv);
/* Remove a key if present. */
void gguf_unset(gguf_writer *w, const char *key);

/* A tensor's data is either given (data != NULL, nbytes from the type
 * table), or produced at write time by fill(ctx, index, dst, nbytes, e),
 * which writes exactly nbytes to dst and returns 0 or -1. ne[] innermost
 * first, as in GGUF. */
typedef int (*gguf_fill_fn)(void *ctx, uint64_t index, void *dst, uint64_t nbytes, llm_err *e);
int gguf_add_tensor(gguf_writer *w, const char *name, uint32_t type,
                    uint32_t n_dims, const int64_t *ne, const void *data,
                    gguf_fill_fn fill, void *ctx, llm_err *e);

int gguf_writer_write(gguf_writer *w, const char *path, llm_err *e);

/* Make SIGINT, SIGTERM and SIGHUP remove the temporary file of a write
 * in progress before the program dies (for long writers like llm-quantize). */
void gguf_cleanup_on_signals(void);

/* True when a and b name the same existing file (st_dev and st_ino). */
bool gguf_same_file(const char *a, const char *b);

#endif
