/* llm-inspect: show a GGUF model's metadata, tensors, types and sizes, or
 * write one tensor, dequantized, as a tensor stream. */
#include "cli.h"
#include "dtype.h"
#include "gguf.h"
#include "stream.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: llm-inspect [options] MODEL.gguf\n"
    "Print a GGUF file's metadata, tensor table and totals.\n"
    "\n"
    "  -j, --json           print the same as JSON\n"
    "  -a, --all            print arrays whole (default: count and first 8)\n"
    "  -T, --tensor NAME    write tensor NAME, dequantized to f32, as a tensor stream\n"
    "      --raw            with --tensor: raw little-endian f32 (enc=raw)\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n";

static int show_all;
#define SHOWN 8

/* ---- text output --------------------------------------------------- */

/* Print s with control bytes escaped, at most max bytes (0: all). */
static void put_text(gguf_str s, uint64_t max)
{
    uint64_t n = max && s.len > max ? max : s.len;
    for (uint64_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ch == '\\') fputs("\\\\", stdout);
        else if (ch == '\n') fputs("\\n", stdout);
        else if (ch == '\t') fputs("\\t", stdout);
        else if (ch < 0x20 || ch == 0x7f) printf("\\x%02x", ch);
        else putchar(ch);
    }
    if (n < s.len) printf("...(%llu bytes)", (unsigned long long)s.len);
}

static void print_scalar_text(const gguf_value *v)
{
    switch (v->type) {
    case GGUF_BOOL: fputs(v->u64 ? "true" : "false", stdout); break;
    case GGUF_UINT8: case GGUF_UINT16: case GGUF_UINT32: case GGUF_UINT64:
        printf("%llu", (unsigned long long)v->u64); break;
    case GGUF_INT8: case GGUF_INT16: case GGUF_INT32: case GGUF_INT64:
        printf("%lld", (long long)v->i64); break;
    case GGUF_FLOAT32: printf("%.9g", v->f64); break;
    case GGUF_FLOAT64: printf("%.17g", v->f64); break;
    case GGUF_STRING: putchar('"'); put_text(v->str, show_all ? 0 : 200); putchar('"'); break;
    }
}

/* Element i of an array as a standalone value. */
static gguf_value element(const gguf_value *a, uint64_t i)
{
    gguf_value x;
    memset(&x, 0, sizeof x);
    x.type = a->arr.type;
    if (a->arr.type == GGUF_STRING) x.str = a->arr.strs[i];
    else if (a->arr.type == GGUF_ARRAY) x = a->arr.vals[i];
    else if (a->arr.type == GGUF_FLOAT32 || a->arr.type == GGUF_FLOAT64) x.f64 = gguf_arr_f64(a, i);
    else if (a->arr.type == GGUF_INT8 || a->arr.type == GGUF_INT16 || a->arr.type == GGUF_INT32 ||
             a->arr.type == GGUF_INT64) x.i64 = gguf_arr_i64(a, i);
    else x.u64 = (uint64_t)gguf_arr_i64(a, i);
    return x;
}

static void print_value_text(const gguf_value *v)
{
    if (v->type != GGUF_ARRAY) { print_scalar_text(v); return; }
    uint64_t n = v->arr.n, shown = show_all || n <= SHOWN ? n : SHOWN;
    putchar('[');
    for (uint64_t i = 0; i < shown; i++) {
        if (i) fputs(", ", stdout);
        gguf_value x = element(v, i);
        print_value_text(&x);
    }
    if (shown < n) printf(", ... %llu more", (unsigned long long)(n - shown));
    putchar(']');
}

static void type_label(const gguf_value *v, char *buf, size_t cap)
{
    if (v->type == GGUF_ARRAY)
        snprintf(buf, cap, "%s[%llu]", gguf_vtype_name(v->arr.type), (unsigned long long)v->arr.n);
    else
        snprintf(buf, cap, "%s", gguf_vtype_name(v->type));
}

static void shape_text(const gguf_tensor *t, char *buf, size_t cap)
{
    size_t o = 0;
    for (uint32_t d = 0; d < t->n_dims && o < cap; d++)
        o += (size_t)snprintf(buf + o, cap - o, d ? " x %lld" : "%lld", (long long)t->ne[d]);
}

typedef struct totals { uint64_t params, bytes; } totals;

static totals count(const gguf_file *f)
{
    totals s = { 0, 0 };
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        s.params += (uint64_t)gguf_nelements(&f->tensors[i]);
        s.bytes += f->tensors[i].nbytes;
    }
    return s;
}

static void print_text(const gguf_file *f)
{
    printf("file: %s\n", f->path);
    printf("gguf version %u, %llu key-values, %llu tensors, alignment %llu, data at offset %llu, %zu bytes\n",
           f->version, (unsigned long long)f->n_kv, (unsigned long long)f->n_tensors,
           (unsigned long long)f->alignment, (unsigned long long)f->data_offset, f->size);
    printf("\nmetadata:\n");
    for (uint64_t i = 0; i < f->n_kv; i++) {
        char lab[64];
        type_label(&f->kv[i].val, lab, sizeof lab);
        printf("  %-40s %-12s ", f->kv[i].key, lab);
        print_value_text(&f->kv[i].val);
        putchar('\n');
    }
    if (f->n_tensors) {
        printf("\ntensors (shape innermost first, as GGUF stores ne[]):\n");
        printf("  %-4s %-32s %-6s %-24s %12s %12s\n", "#", "name", "type", "shape", "bytes", "offset");
        for (uint64_t i = 0; i < f->n_tensors; i++) {
            const gguf_tensor *t = &f->tensors[i];
            char shape[96];
            shape_text(t, shape, sizeof shape);
            printf("  %-4llu %-32s %-6s %-24s %12llu %12llu\n", (unsigned long long)i, t->name,
                   llm_type(t->type)->name, shape, (unsigned long long)t->nbytes,
                   (unsigned long long)(f->data_offset + t->offset));
        }
    }
    totals s = count(f);
    printf("\ntotals: %llu tensors, %llu parameters, %llu bytes of tensor data, %.3f bits per weight\n",
           (unsigned long long)f->n_tensors, (unsigned long long)s.params, (unsigned long long)s.bytes,
           s.params ? 8.0 * (double)s.bytes / (double)s.params : 0.0);
}

/* ---- JSON output --------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t i = 1; i < len; i++) cp = cp << 6 | (s[i] & 0x3f);
    static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* A JSON string; invalid UTF-8 bytes become U+FFFD. */
static void put_json_str(const char *p, uint64_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    putchar('"');
    for (uint64_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') { putchar('\\'); putchar((int)c); i++; continue; }
        if (c < 0x20) { printf("\\u%04x", c); i++; continue; }
        size_t len = utf8_len(s + i, (size_t)(n - i));
        if (!len) { fputs("\\ufffd", stdout); i++; continue; }
        fwrite(s + i, 1, len, stdout);
        i += len;
    }
    putchar('"');
}

static void print_value_json(const gguf_value *v)
{
    switch (v->type) {
    case GGUF_STRING: put_json_str(v->str.ptr, v->str.len); return;
    case GGUF_ARRAY: {
        uint64_t n = v->arr.n, shown = show_all || n <= SHOWN ? n : SHOWN;
        printf("{\"type\":\"%s\",\"count\":%llu,\"%s\":[", gguf_vtype_name(v->arr.type),
               (unsigned long long)n, shown < n ? "first" : "values");
        for (uint64_t i = 0; i < shown; i++) {
            if (i) putchar(',');
            gguf_value x = element(v, i);
            print_value_json(&x);
        }
        fputs("]}", stdout);
        return;
    }
    case GGUF_FLOAT32: case GGUF_FLOAT64:
        if (v->f64 != v->f64 || v->f64 - v->f64 != 0) fputs("null", stdout);  /* NaN/inf */
        else printf(v->type == GGUF_FLOAT32 ? "%.9g" : "%.17g", v->f64);
        return;
    default: print_scalar_text(v);
    }
}

static void print_json(const gguf_file *f)
{
    printf("{\"file\":");
    put_json_str(f->path, strlen(f->path));
    printf(",\"version\":%u,\"alignment\":%llu,\"data_offset\":%llu,\"size\":%zu,\"metadata\":{",
           f->version, (unsigned long long)f->alignment, (unsigned long long)f->data_offset, f->size);
    for (uint64_t i = 0; i < f->n_kv; i++) {
        if (i) putchar(',');
        printf("\n  ");
        put_json_str(f->kv[i].key, strlen(f->kv[i].key));
        putchar(':');
        print_value_json(&f->kv[i].val);
    }
    printf("},\n\"tensors\":[");
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        const gguf_tensor *t = &f->tensors[i];
        printf("%s\n  {\"name\":", i ? "," : "");
        put_json_str(t->name, strlen(t->name));
        printf(",\"type\":\"%s\",\"ne\":[", llm_type(t->type)->name);
        for (uint32_t d = 0; d < t->n_dims; d++) printf(d ? ",%lld" : "%lld", (long long)t->ne[d]);
        printf("],\"bytes\":%llu,\"offset\":%llu}", (unsigned long long)t->nbytes,
               (unsigned long long)(f->data_offset + t->offset));
    }
    totals s = count(f);
    printf("],\n\"totals\":{\"tensors\":%llu,\"parameters\":%llu,\"bytes\":%llu,\"bits_per_weight\":%.6g}}\n",
           (unsigned long long)f->n_tensors, (unsigned long long)s.params, (unsigned long long)s.bytes,
           s.params ? 8.0 * (double)s.bytes / (double)s.params : 0.0);
}

/* ---- one tensor as a stream ------------------------------------------- */

static void write_tensor(const gguf_file *f, const char *name, int enc)
{
    const gguf_tensor *t = gguf_find_tensor(f, name);
    if (!t) cli_die(1, "%s: no tensor named '%s' (llm-inspect %s lists them)", f->path, name, f->path);
    int64_t n = gguf_nelements(t);
    float *buf = malloc((size_t)n * sizeof *buf);
    if (!buf) cli_die(1, "%s: out of memory for tensor '%s' (%lld values)", f->path, name, (long long)n);
    llm_dequantize(t->type, t->data, buf, n);
    /* the stream lists dimensions outermost first: GGUF's ne[] reversed */
    int64_t shape[GGUF_MAX_DIMS];
    for (uint32_t d = 0; d < t->n_dims; d++) shape[d] = t->ne[t->n_dims - 1 - d];
    if (llm_tensor_write(stdout, name, shape, (int)t->n_dims, -1, buf, enc, 0) < 0)
        cli_finish_stdout();   /* reports the write error */
    free(buf);
}

int main(int argc, char **argv)
{
    cli_init(argv);
    static const struct option opts[] = {
        { "json", no_argument, 0, 'j' }, { "all", no_argument, 0, 'a' },
        { "tensor", required_argument, 0, 'T' }, { "raw", no_argument, 0, 'R' },
        { "help", no_argument, 0, 'h' }, { "version", no_argument, 0, 'V' }, { 0, 0, 0, 0 },
    };
    int json = 0, enc = LLM_ENC_TEXT, c;
    const char *tensor = NULL;
    while ((c = getopt_long(argc, argv, "jaT:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'a': show_all = 1; break;
        case 'T': tensor = optarg; break;
        case 'R': enc = LLM_ENC_RAW; break;
        case 'h': fputs(usage, stdout); cli_finish_stdout();
        case 'V': cli_version();
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "%s: expected one MODEL.gguf\n%s", cli_prog, usage);
        return EXIT_USAGE;
    }
    llm_err e;
    gguf_file *f = gguf_open(argv[optind], &e);
    if (!f) cli_die_err(1, &e);
    if (tensor) write_tensor(f, tensor, enc);
    else if (json) print_json(f);
    else print_text(f);
    gguf_close(f);
    cli_finish_stdout();
}
