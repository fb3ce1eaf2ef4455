/* tensor_stream.c: the tensor stream (man/llm-formats.5): records of a
 * "#llm-tensor 1 ..." header line and values in one of three encodings,
 * text (%.9g, exact for f32), raw (little-endian f32) and top (the K
 * largest as "ID VALUE" pairs). */
#include "stream.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Most values one record may hold: 2^31, so every index fits an int32 and
 * prod(shape) is computed without overflow (each step stays below 2^62). */
#define LLM_TENSOR_MAX_VALUES ((int64_t)1 << 31)
/* Most values of an enc=top record: the reader expands it to n floats, so
 * a 3-line record could otherwise claim 8 GiB. 2^27 is 512 MiB of f32,
 * far beyond any vocabulary. */
#define LLM_TOP_MAX_VALUES ((int64_t)1 << 27)
/* Longest header line; real ones are under 200 bytes. */
#define HEADER_MAX 4096
/* Longest text value ("-1.17549435e-38" is 15 bytes). */
#define VALUE_MAX 64

static bool host_is_le(void)
{
    const uint32_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static uint32_t bswap32(uint32_t x)
{
    return x >> 24 | (x >> 8 & 0xff00) | (x << 8 & 0xff0000) | x << 24;
}

/* ---- writing ---- */

/* Is a better than b for top-k? Larger value first, NaN last, ties to the
 * lower index (so the output does not depend on the selection order). */
static bool top_better(const float *d, int64_t a, int64_t b)
{
    float x = d[a], y = d[b];
    bool xn = isnan(x), yn = isnan(y);
    if (xn != yn) return yn;
    if (!xn && x != y) return x > y;
    return a < b;
}

/* Sift heap[i] down in a heap whose root is the worst entry. */
static void heap_down(int32_t *h, int64_t n, int64_t i, const float *d)
{
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && top_better(d, h[w], h[l])) w = l;
        if (r < n && top_better(d, h[w], h[r])) w = r;
        if (w == i) return;
        int32_t t = h[i]; h[i] = h[w]; h[w] = t;
        i = w;
    }
}

/* Fill out[0..k) with the indices of the k best values of d[0..n), best
 * first: a size-k heap, so O(n log k) for the usual k=40 of 150k logits. */
static void top_select(const float *d, int64_t n, int64_t k, int32_t *out)
{
    int64_t m = 0;
    for (int64_t i = 0; i < n && k > 0; i++) {
        if (m < k) {
            /* sift up the new entry toward the root while it is worse */
            int64_t j = m++;
            out[j] = (int32_t)i;
            while (j > 0) {
                int64_t p = (j - 1) / 2;
                if (!top_better(d, out[p], out[j])) break;
                int32_t t = out[p]; out[p] = out[j]; out[j] = t;
                j = p;
            }
        } else if (top_better(d, i, out[0])) {
            out[0] = (int32_t)i;
            heap_down(out, m, 0, d);
        }
    }
    /* heap sort: move the worst to the end, one at a time */
    for (int64_t end = m - 1; end > 0; end--) {
        int32_t t = out[0]; out[0] = out[end]; out[end] = t;
        heap_down(out, end, 0, d);
    }
}

/* A header word (tensor name) is 1..127 printable bytes, no spaces. */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof ((llm_tensor_rec *)0)->name) return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f) return false;
    return true;
}

int llm_tensor_write(FILE *f, const char *name, const int64_t *shape, int ndim,
                     int64_t pos, const float *data, int enc, int64_t k)
{
    if (name && *name && !name_ok(name)) { errno = EINVAL; return -1; }
    if (ndim < 1 || ndim > LLM_TENSOR_MAX_DIMS ||
        (enc != LLM_ENC_TEXT && enc != LLM_ENC_RAW && enc != LLM_ENC_TOP)) {
        errno = EINVAL;
        return -1;
    }
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1 || shape[i] > LLM_TENSOR_MAX_VALUES) { errno = EINVAL; return -1; }
        n *= shape[i];
        if (n > LLM_TENSOR_MAX_VALUES) { errno = EINVAL; return -1; }
    }
    if (enc == LLM_ENC_TOP && n > LLM_TOP_MAX_VALUES) { errno = EINVAL; return -1; }
    static const char *encs[] = {"text", "raw", "top"};
    fputs("#llm-tensor 1", f);
    if (name && *name) fprintf(f, " name=%s", name);
    fputs(" dtype=f32 shape=", f);
    for (int i = 0; i < ndim; i++) fprintf(f, i ? ",%lld" : "%lld", (long long)shape[i]);
    if (pos >= 0) fprintf(f, " pos=%lld", (long long)pos);
    fprintf(f, " enc=%s", encs[enc]);
    if (enc == LLM_ENC_TOP) {
        if (k < 0) k = 0;
        if (k > n) k = n;
        fprintf(f, " k=%lld", (long long)k);
    }
    putc('\n', f);

    if (enc == LLM_ENC_TEXT) {
        /* one innermost row a line: shape=12,32000 is 12 lines */
        int64_t row = shape[ndim - 1];
        for (int64_t i = 0; i < n; i++) {
            fprintf(f, "%.9g", (double)data[i]);
            putc((i + 1) % row == 0 ? '\n' : ' ', f);
        }
    } else if (enc == LLM_ENC_RAW) {
        if (host_is_le()) {
            fwrite(data, sizeof(float), (size_t)n, f);
        } else {
            for (int64_t i = 0; i < n; i++) {
                uint32_t u;
                memcpy(&u, data + i, 4);
                u = bswap32(u);
                fwrite(&u, 4, 1, f);
            }
        }
    } else {
        int32_t *idx = malloc((size_t)(k ? k : 1) * sizeof *idx);
        if (!idx) { errno = ENOMEM; return -1; }
        top_select(data, n, k, idx);
        for (int64_t i = 0; i < k; i++)
            fprintf(f, "%ld %.9g\n", (long)idx[i], (double)data[idx[i]]);
        free(idx);
    }
    /* one record is one step of a pipeline: the sampler at the other end
     * of a pipe must get it now, not when a buffer fills */
    if (fflush(f) != 0) return -1;
    return ferror(f) ? -1 : 0;
}

/* ---- reading ---- */

struct llm_tensor_reader {
    FILE *f;
    char *name;
    uint64_t consumed;     /* bytes read so far */
    uint64_t nrec;         /* records started (the current one's number) */
    bool in_record;        /* false between records: errors name the next one */
    int last_enc;          /* of the last record, -1 if none: what a stray word means */
    llm_tensor_rec rec;
    int32_t *ids;          /* top pairs; rec.ids/vals point here for top records */
    float *vals;
    int64_t data_cap, pair_cap;
    unsigned char *seen;   /* top: one bit an index, against duplicates */
    int64_t seen_cap;
    char line[HEADER_MAX + 1];
};

llm_tensor_reader *llm_tensor_reader_new(FILE *f, const char *name)
{
    llm_tensor_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->f = f;
    r->last_enc = -1;
    r->name = strdup(name ? name : "tensors");
    if (!r->name) { free(r); return NULL; }
    return r;
}

void llm_tensor_reader_free(llm_tensor_reader *r)
{
    if (!r) return;
    free(r->name);
    free(r->rec.data);
    free(r->ids);
    free(r->vals);
    free(r->seen);
    free(r);
}

/* Fail naming the current record and byte offset off. */
static int rfail(llm_tensor_reader *r, llm_err *e, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rfail(llm_tensor_reader *r, llm_err *e, uint64_t off, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return llm_fail(e, "%s: record %llu (byte %llu): %s", r->name,
                    (unsigned long long)(r->nrec + !r->in_record), (unsigned long long)off, why);
}

static int next_byte(llm_tensor_reader *r)
{
    int c = getc_unlocked(r->f);   /* POSIX; one reader per FILE */
    if (c != EOF) r->consumed++;
    return c;
}

/* At EOF: an error if it came from a failed read, else 0. */
static int eof_or_error(llm_tensor_reader *r, llm_err *e)
{
    if (ferror(r->f)) {
        int en = errno ? errno : EIO;
        return rfail(r, e, r->consumed, "read error: %s", en == EBADMSG ?
                     "corrupt or truncated compressed data" : strerror(en));
    }
    return 0;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Make rec.data hold at least want floats (want <= n), growing by doubling
 * so that a header that lies about its size costs memory only as fast as
 * data actually arrives. */
static int grow_data(llm_tensor_reader *r, int64_t want, llm_err *e)
{
    if (want <= r->data_cap) return 0;
    int64_t nc = r->data_cap ? r->data_cap * 2 : 4096;
    if (nc < want) nc = want;
    if (nc > r->rec.n && r->rec.n >= want) nc = r->rec.n;
    float *nd = realloc(r->rec.data, (size_t)nc * sizeof(float));
    if (!nd) return rfail(r, e, r->consumed, "out of memory for %lld values", (long long)nc);
    r->rec.data = nd;
    r->data_cap = nc;
    return 0;
}

static int grow_pairs(llm_tensor_reader *r, int64_t want, llm_err *e)
{
    if (want <= r->pair_cap) return 0;
    int64_t nc = r->pair_cap ? r->pair_cap * 2 : 64;
    if (nc < want) nc = want;
    int32_t *ni = realloc(r->ids, (size_t)nc * sizeof *ni);
    if (!ni) return rfail(r, e, r->consumed, "out of memory");
    r->ids = ni;
    float *nv = realloc(r->vals, (size_t)nc * sizeof *nv);
    if (!nv) return rfail(r, e, r->consumed, "out of memory");
    r->vals = nv;
    r->pair_cap = nc;
    return 0;
}

/* Parse a decimal number of digits only, 0..max; false if not one. */
static bool parse_dec(const char *s, size_t n, int64_t max, int64_t *out)
{
    if (n == 0) return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        x = x * 10 + (s[i] - '0');
        if (x > max) return false;
    }
    *out = x;
    return true;
}

/* Parse the header line in r->line (after "#llm-tensor") into r->rec. off
 * is the line's byte offset. */
static int parse_header(llm_tensor_reader *r, size_t len, uint64_t off, llm_err *e)
{
    llm_tensor_rec *t = &r->rec;
    const char *s = r->line;
    size_t i = sizeof "#llm-tensor" - 1;
    bool have_version = false, have_shape = false, have_k = false;
    t->name[0] = '\0';
    t->ndim = 0;
    t->pos = -1;
    t->enc = LLM_ENC_TEXT;
    t->k = 0;
    t->n = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= len) break;
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '\t') i++;
        const char *w = s + start;
        int wl = (int)(i - start);
        int show = wl > 40 ? 40 : wl;
        uint64_t at = off + start;
        if (!have_version) {
            have_version = true;
            if (wl == 1 && w[0] == '1') continue;
            return rfail(r, e, at, "unsupported tensor stream version '%.*s' "
                         "(this reader knows version 1)", show, w);
        }
        const char *eq = memchr(w, '=', (size_t)wl);
        if (!eq || eq == w)
            return rfail(r, e, at, "header field '%.*s' is not key=value", show, w);
        size_t kl = (size_t)(eq - w), vl = (size_t)wl - kl - 1;
        const char *v = eq + 1;
#define KEY(lit) (kl == sizeof lit - 1 && memcmp(w, lit, kl) == 0)
        if (KEY("name")) {
            if (vl == 0 || vl >= sizeof t->name)
                return rfail(r, e, at, "name= must be 1 to %d bytes", (int)sizeof t->name - 1);
            memcpy(t->name, v, vl);
            t->name[vl] = '\0';
        } else if (KEY("dtype")) {
            if (!(vl == 3 && memcmp(v, "f32", 3) == 0))
                return rfail(r, e, at, "unknown dtype '%.*s' (tensor streams hold f32)",
                             (int)(vl > 20 ? 20 : vl), v);
        } else if (KEY("shape")) {
            int nd = 0;
            int64_t n = 1;
            size_t j = 0;
            while (j <= vl) {
                size_t d0 = j;
                while (j < vl && v[j] != ',') j++;
                int64_t d;
                if (nd == LLM_TENSOR_MAX_DIMS)
                    return rfail(r, e, at, "shape has more than %d dimensions", LLM_TENSOR_MAX_DIMS);
                if (!parse_dec(v + d0, j - d0, LLM_TENSOR_MAX_VALUES, &d) || d == 0)
                    return rfail(r, e, at, "shape= must be positive decimal sizes separated "
                                 "by commas, at most 2^31 values, got '%.*s'",
                                 (int)(vl > 40 ? 40 : vl), v);
                t->shape[nd++] = d;
                n *= d;   /* both factors <= 2^31: no overflow */
                if (n > LLM_TENSOR_MAX_VALUES)
                    return rfail(r, e, at, "shape '%.*s' has more than 2^31 values",
                                 (int)(vl > 40 ? 40 : vl), v);
                j++;      /* past the comma (or the end) */
            }
            t->ndim = nd;
            t->n = n;
            have_shape = true;
        } else if (KEY("pos")) {
            if (!parse_dec(v, vl, INT64_MAX / 10, &t->pos))
                return rfail(r, e, at, "pos= must be a decimal position");
        } else if (KEY("enc")) {
            if (vl == 4 && memcmp(v, "text", 4) == 0) t->enc = LLM_ENC_TEXT;
            else if (vl == 3 && memcmp(v, "raw", 3) == 0) t->enc = LLM_ENC_RAW;
            else if (vl == 3 && memcmp(v, "top", 3) == 0) t->enc = LLM_ENC_TOP;
            else
                return rfail(r, e, at, "unknown enc '%.*s' (text, raw or top)",
                             (int)(vl > 20 ? 20 : vl), v);
        } else if (KEY("k")) {
            if (!parse_dec(v, vl, LLM_TENSOR_MAX_VALUES, &t->k))
                return rfail(r, e, at, "k= must be a decimal count");
            have_k = true;
        }
#undef KEY
        /* other keys are ignored, so later versions can add fields */
    }
    if (!have_version) return rfail(r, e, off + len, "#llm-tensor header without a version");
    if (!have_shape) return rfail(r, e, off + len, "#llm-tensor header without shape=");
    if (t->enc == LLM_ENC_TOP) {
        if (!have_k) return rfail(r, e, off + len, "enc=top needs k=");
        if (t->n > LLM_TOP_MAX_VALUES)
            return rfail(r, e, off, "enc=top record of %lld values; at most 2^27 "
                         "(use enc=raw for larger tensors)", (long long)t->n);
        if (t->k > t->n)
            return rfail(r, e, off, "k=%lld is more than the %lld values of the shape",
                         (long long)t->k, (long long)t->n);
    } else {
        t->k = 0;
    }
    return 0;
}

/* Read one whitespace-delimited word of a text body into buf (NUL
 * terminated). 1 = a word, 0 = none (EOF or a '#' line starts: the values
 * are over), -1 = error. *at is the word's offset. The byte after the word
 * (whitespace) is consumed, so a record's final newline is read and a
 * reader on a pipe never waits for more than the record. */
static int read_word(llm_tensor_reader *r, char *buf, uint64_t *at, llm_err *e)
{
    int c;
    do c = next_byte(r); while (c != EOF && is_space(c));
    if (c == EOF) return eof_or_error(r, e);
    if (c == '#') {
        ungetc(c, r->f);   /* the next record's header, or a comment */
        r->consumed--;
        return 0;
    }
    *at = r->consumed - 1;
    size_t n = 0;
    while (c != EOF && !is_space(c)) {
        if (n >= VALUE_MAX)
            return rfail(r, e, *at, "value '%.20s...' is too long (not a number)", buf);
        buf[n++] = (char)c;
        buf[n] = '\0';
        c = next_byte(r);
    }
    if (c == EOF && ferror(r->f)) return eof_or_error(r, e);
    buf[n] = '\0';
    return 1;
}

/* Parse a text value: what strtof accepts (decimal, exponent, inf, nan),
 * the whole word, within f32 range. */
static int parse_value(llm_tensor_reader *r, const char *w, uint64_t at, float *out, llm_err *e)
{
    char *end;
    errno = 0;
    float v = strtof(w, &end);
    if (end == w || *end != '\0')
        return rfail(r, e, at, "not a number: '%.40s'", w);
    if (errno == ERANGE && isinf(v))
        return rfail(r, e, at, "value '%.40s' is out of the f32 range", w);
    *out = v;
    return 0;
}

static int read_text(llm_tensor_reader *r, llm_err *e)
{
    llm_tensor_rec *t = &r->rec;
    char w[VALUE_MAX + 1];
    uint64_t at = 0;
    for (int64_t i = 0; i < t->n; i++) {
        int rc = read_word(r, w, &at, e);
        if (rc < 0) return -1;
        if (rc == 0)
            return rfail(r, e, r->consumed, "only %lld of the %lld values the shape gives",
                         (long long)i, (long long)t->n);
        if (grow_data(r, i + 1, e) != 0) return -1;
        if (parse_value(r, w, at, &t->data[i], e) != 0) return -1;
    }
    return 0;
}

static int read_raw(llm_tensor_reader *r, llm_err *e)
{
    llm_tensor_rec *t = &r->rec;
    int64_t got = 0;   /* values */
    while (got < t->n) {
        int64_t chunk = t->n - got;
        if (chunk > (1 << 20)) chunk = 1 << 20;
        if (grow_data(r, got + chunk, e) != 0) return -1;
        /* bytes, not 4-byte items, so a cut inside a value is counted */
        size_t want = (size_t)chunk * sizeof(float);
        size_t m = fread((char *)(t->data + got), 1, want, r->f);
        r->consumed += m;
        if (m < want) {
            if (ferror(r->f)) return eof_or_error(r, e);
            return rfail(r, e, r->consumed, "truncated raw data: %lld of %lld bytes "
                         "(shape says %lld f32 values)",
                         (long long)(got * 4 + (int64_t)m), (long long)t->n * 4,
                         (long long)t->n);
        }
        got += chunk;
    }
    if (!host_is_le()) {
        for (int64_t i = 0; i < t->n; i++) {
            uint32_t u;
            memcpy(&u, t->data + i, 4);
            u = bswap32(u);
            memcpy(t->data + i, &u, 4);
        }
    }
    return 0;
}

static int read_top(llm_tensor_reader *r, llm_err *e)
{
    llm_tensor_rec *t = &r->rec;
    char w[VALUE_MAX + 1];
    uint64_t at = 0;
    /* the pairs first: a record whose pairs are missing fails before the
     * n-value array is allocated */
    for (int64_t i = 0; i < t->k; i++) {
        int rc = read_word(r, w, &at, e);
        if (rc < 0) return -1;
        if (rc == 0)
            return rfail(r, e, r->consumed, "only %lld of k=%lld pairs",
                         (long long)i, (long long)t->k);
        int64_t id;
        if (!parse_dec(w, strlen(w), LLM_TENSOR_MAX_VALUES, &id) || id >= t->n)
            return rfail(r, e, at, "pair %lld: id '%.40s' is not an index below %lld",
                         (long long)i + 1, w, (long long)t->n);
        int rc2 = read_word(r, w, &at, e);
        if (rc2 < 0) return -1;
        if (rc2 == 0)
            return rfail(r, e, r->consumed, "pair %lld: id without a value", (long long)i + 1);
        if (grow_pairs(r, i + 1, e) != 0) return -1;
        if (parse_value(r, w, at, &r->vals[i], e) != 0) return -1;
        r->ids[i] = (int32_t)id;
    }
    if (grow_data(r, t->n, e) != 0) return -1;
    int64_t bytes = (t->n + 7) / 8;
    if (bytes > r->seen_cap) {
        unsigned char *ns = realloc(r->seen, (size_t)bytes);
        if (!ns) return rfail(r, e, r->consumed, "out of memory");
        r->seen = ns;
        r->seen_cap = bytes;
    }
    memset(r->seen, 0, (size_t)bytes);
    for (int64_t i = 0; i < t->n; i++) t->data[i] = -INFINITY;
    t->ids = r->ids;
    t->vals = r->vals;
    for (int64_t i = 0; i < t->k; i++) {
        int32_t id = t->ids[i];
        if (r->seen[id >> 3] & (1u << (id & 7)))
            return rfail(r, e, r->consumed, "id %ld appears twice among the pairs", (long)id);
        r->seen[id >> 3] |= (unsigned char)(1u << (id & 7));
        t->data[id] = t->vals[i];
    }
    return 0;
}

/* Read the rest of a '#' line (its '#' already read at offset off) into
 * r->line if it may be a header. Returns its length, or -1 on error;
 * *is_header tells whether it is a #llm-tensor line. */
static long read_hash_line(llm_tensor_reader *r, uint64_t off, bool *is_header, llm_err *e)
{
    static const char word[] = "#llm-tensor";
    size_t n = 1;
    r->line[0] = '#';
    *is_header = false;
    int c;
    while ((c = next_byte(r)) != EOF && c != '\n') {
        if (n < HEADER_MAX) {
            r->line[n++] = (char)c;
        } else {
            n = HEADER_MAX + 1;   /* too long: a comment can be, a header not */
        }
    }
    if (c == EOF && ferror(r->f)) return eof_or_error(r, e);
    size_t wl = sizeof word - 1;
    size_t keep = n > HEADER_MAX ? HEADER_MAX : n;
    if (keep >= wl && memcmp(r->line, word, wl) == 0 &&
        (keep == wl || r->line[wl] == ' ' || r->line[wl] == '\t')) {
        *is_header = true;
        r->nrec++;
        r->in_record = true;
        if (n > HEADER_MAX)
            return rfail(r, e, off, "header line longer than %d bytes", HEADER_MAX);
        if (n > 0 && r->line[n - 1] == '\r') n--;   /* CRLF tolerated */
    }
    r->line[keep] = '\0';
    return (long)n;
}

int llm_tensor_next(llm_tensor_reader *r, llm_tensor_rec **rec, llm_err *e)
{
    r->in_record = false;
    for (;;) {
        int c = next_byte(r);
        if (c == EOF) return eof_or_error(r, e);
        if (is_space(c)) continue;
        uint64_t off = r->consumed - 1;
        if (c != '#') {
            r->in_record = r->last_enc >= 0;   /* extra values belong to the last one */
            if (r->last_enc == LLM_ENC_TEXT)
                return rfail(r, e, off, "more than the %lld values the shape holds",
                             (long long)r->rec.n);
            if (r->last_enc == LLM_ENC_TOP)
                return rfail(r, e, off, "more than the k=%lld pairs the header gives",
                             (long long)r->rec.k);
            if (c > ' ' && c < 0x7f)
                return rfail(r, e, off, "expected a #llm-tensor header line, found '%c'", c);
            return rfail(r, e, off, "expected a #llm-tensor header line, found byte 0x%02x", c);
        }
        bool is_header;
        long len = read_hash_line(r, off, &is_header, e);
        if (len < 0) return -1;
        if (!is_header) continue;   /* a comment (#llm-stats, ...) */
        r->last_enc = -1;
        if (parse_header(r, (size_t)len, off, e) != 0) return -1;
        llm_tensor_rec *t = &r->rec;
        t->ids = NULL;
        t->vals = NULL;
        int rc;
        if (t->enc == LLM_ENC_RAW) rc = read_raw(r, e);
        else if (t->enc == LLM_ENC_TOP) rc = read_top(r, e);
        else rc = read_text(r, e);
        if (rc != 0) return -1;
        r->last_enc = t->enc;
        *rec = t;
        return 1;
    }
}
