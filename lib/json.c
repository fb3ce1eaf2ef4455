/* json.c: a strict recursive-descent JSON parser. Values are built on a
 * scratch stack while a container is open and copied into the arena when
 * it closes, so every container's children are one contiguous array. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- arena: big blocks, never moved, freed together ---- */
typedef struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
} block;

struct json_doc {
    block *blocks;
    json_val root;
};

static void *arena_alloc(json_doc *d, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    block *b = d->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = d->blocks;
        d->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

/* ---- parser state ---- */
typedef struct parser {
    const unsigned char *p;
    size_t n, off;
    const char *name;
    llm_err *e;
    json_doc *d;
    json_val *stack;           /* values of the open containers */
    size_t sn, scap;
    char *sbuf;                /* string unescape buffer */
    size_t sbcap;
} parser;

static int perr(parser *ps, size_t off, const char *why)
{
    return llm_fail(ps->e, "%s: offset %zu: %s", ps->name, off, why);
}

static void skip_ws(parser *ps)
{
    while (ps->off < ps->n) {
        unsigned char c = ps->p[ps->off];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        ps->off++;
    }
}

static json_val *push(parser *ps)
{
    if (ps->sn == ps->scap) {
        size_t cap = ps->scap ? ps->scap * 2 : 256;
        json_val *s = realloc(ps->stack, cap * sizeof *s);
        if (!s)
            return NULL;
        ps->stack = s;
        ps->scap = cap;
    }
    json_val *v = &ps->stack[ps->sn++];
    memset(v, 0, sizeof *v);
    return v;
}

static int hex4(parser *ps, size_t at, unsigned *out)
{
    if (ps->n - at < 4)
        return perr(ps, at, "truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = ps->p[at + k], h;
        if (c >= '0' && c <= '9') h = c - '0';
        else if (c >= 'a' && c <= 'f') h = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') h = c - 'A' + 10;
        else return perr(ps, at + k, "bad hex digit in \\u escape");
        v = v * 16 + h;
    }
    *out = v;
    return 0;
}

static int sbuf_put(parser *ps, size_t *len, const void *src, size_t k)
{
    if (*len + k + 1 > ps->sbcap) {
        size_t cap = ps->sbcap ? ps->sbcap : 256;
        while (cap < *len + k + 1)
            cap *= 2;
        char *b = realloc(ps->sbuf, cap);
        if (!b)
            return perr(ps, ps->off, "out of memory");
        ps->sbuf = b;
        ps->sbcap = cap;
    }
    memcpy(ps->sbuf + *len, src, k);
    *len += k;
    return 0;
}

/* Parse a string at ps->off (the opening quote) into the arena. */
static int parse_string(parser *ps, const char **out, size_t *out_len)
{
    size_t start = ps->off++;
    size_t len = 0;
    for (;;) {
        /* copy a run of plain bytes at once */
        size_t run = ps->off;
        while (run < ps->n && ps->p[run] != '"' && ps->p[run] != '\\' && ps->p[run] >= 0x20)
            run++;
        if (run > ps->off && sbuf_put(ps, &len, ps->p + ps->off, run - ps->off))
            return -1;
        ps->off = run;
        if (ps->off >= ps->n)
            return perr(ps, start, "unterminated string");
        unsigned char c = ps->p[ps->off];
        if (c == '"') {
            ps->off++;
            break;
        }
        if (c < 0x20)
            return perr(ps, ps->off, "control character in string");
        /* backslash */
        if (ps->off + 1 >= ps->n)
            return perr(ps, start, "unterminated string");
        unsigned char esc = ps->p[ps->off + 1];
        char ch;
        switch (esc) {
        case '"': ch = '"'; break;
        case '\\': ch = '\\'; break;
        case '/': ch = '/'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            size_t at = ps->off;
            if (hex4(ps, at + 2, &cp))
                return -1;
            ps->off += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return perr(ps, at, "lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (ps->n - ps->off < 6 || ps->p[ps->off] != '\\' || ps->p[ps->off + 1] != 'u')
                    return perr(ps, at, "high surrogate not followed by a low surrogate");
                if (hex4(ps, ps->off + 2, &lo))
                    return -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return perr(ps, ps->off, "high surrogate not followed by a low surrogate");
                ps->off += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            unsigned char u[4];
            size_t k;
            if (cp < 0x80) { u[0] = (unsigned char)cp; k = 1; }
            else if (cp < 0x800) { u[0] = (unsigned char)(0xC0 | (cp >> 6)); u[1] = (unsigned char)(0x80 | (cp & 0x3F)); k = 2; }
            else if (cp < 0x10000) { u[0] = (unsigned char)(0xE0 | (cp >> 12)); u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (unsigned char)(0x80 | (cp & 0x3F)); k = 3; }
            else { u[0] = (unsigned char)(0xF0 | (cp >> 18)); u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)); u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (unsigned char)(0x80 | (cp & 0x3F)); k = 4; }
            if (sbuf_put(ps, &len, u, k))
                return -1;
            continue;
        }
        default:
            return perr(ps, ps->off, "bad escape in string");
        }
        if (sbuf_put(ps, &len, &ch, 1))
            return -1;
        ps->off += 2;
    }
    char *s = arena_alloc(ps->d, len + 1);
    if (!s)
        return perr(ps, start, "out of memory");
    if (len)
        memcpy(s, ps->sbuf, len);
    s[len] = 0;
    *out = s;
    *out_len = len;
    return 0;
}

static int parse_number(parser *ps, json_val *v)
{
    size_t start = ps->off, i = ps->off;
    const unsigned char *p = ps->p;
    bool is_int = true;
    if (i < ps->n && p[i] == '-')
        i++;
    if (i >= ps->n || !(p[i] >= '0' && p[i] <= '9'))
        return perr(ps, start, "bad number");
    if (p[i] == '0')
        i++;
    else
        while (i < ps->n && p[i] >= '0' && p[i] <= '9')
            i++;
    if (i < ps->n && p[i] == '.') {
        is_int = false;
        i++;
        if (i >= ps->n || !(p[i] >= '0' && p[i] <= '9'))
            return perr(ps, start, "bad number: no digits after '.'");
        while (i < ps->n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i < ps->n && (p[i] == 'e' || p[i] == 'E')) {
        is_int = false;
        i++;
        if (i < ps->n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= ps->n || !(p[i] >= '0' && p[i] <= '9'))
            return perr(ps, start, "bad number: no digits in exponent");
        while (i < ps->n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    char buf[64];
    size_t k = i - start;
    if (k >= sizeof buf)
        return perr(ps, start, "number too long");
    memcpy(buf, p + start, k);
    buf[k] = 0;
    v->type = JSON_NUMBER;
    v->num.d = strtod(buf, NULL);
    if (is_int) {
        errno = 0;
        long long ll = strtoll(buf, NULL, 10);
        if (errno == 0) {
            v->num.i = ll;
            v->num.is_int = true;
        }
    }
    ps->off = i;
    return 0;
}

static int lit(parser *ps, const char *word)
{
    size_t k = strlen(word);
    if (ps->n - ps->off < k || memcmp(ps->p + ps->off, word, k) != 0)
        return perr(ps, ps->off, "unexpected character");
    ps->off += k;
    return 0;
}

/* Move the top n stack values into the arena as v's children. */
static int close_container(parser *ps, size_t base, size_t vi)
{
    size_t n = ps->sn - base;
    json_val *items = NULL;
    if (n) {
        items = arena_alloc(ps->d, n * sizeof *items);
        if (!items)
            return perr(ps, ps->off, "out of memory");
        memcpy(items, ps->stack + base, n * sizeof *items);
    }
    ps->sn = base;
    ps->stack[vi].arr.items = items;
    ps->stack[vi].arr.n = n;
    return 0;
}

/* Parse one value and push it. */
static int parse_value(parser *ps, int depth)
{
    skip_ws(ps);
    if (ps->off >= ps->n)
        return perr(ps, ps->off, "unexpected end of input");
    size_t vi = ps->sn;
    json_val *v = push(ps);
    if (!v)
        return perr(ps, ps->off, "out of memory");
    v->offset = ps->off;
    unsigned char c = ps->p[ps->off];
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        if (depth >= JSON_MAX_DEPTH)
            return perr(ps, ps->off, "nesting too deep");
        ps->stack[vi].type = obj ? JSON_OBJECT : JSON_ARRAY;
        ps->off++;
        size_t base = ps->sn;
        skip_ws(ps);
        if (ps->off < ps->n && ps->p[ps->off] == (obj ? '}' : ']')) {
            ps->off++;
            return close_container(ps, base, vi);
        }
        for (;;) {
            const char *key = NULL;
            size_t key_len = 0;
            if (obj) {
                skip_ws(ps);
                if (ps->off >= ps->n || ps->p[ps->off] != '"')
                    return perr(ps, ps->off, "expected a member name string");
                if (parse_string(ps, &key, &key_len))
                    return -1;
                skip_ws(ps);
                if (ps->off >= ps->n || ps->p[ps->off] != ':')
                    return perr(ps, ps->off, "expected ':' after member name");
                ps->off++;
            }
            size_t ci = ps->sn;
            if (parse_value(ps, depth + 1))
                return -1;
            ps->stack[ci].key = key;
            ps->stack[ci].key_len = key_len;
            skip_ws(ps);
            if (ps->off >= ps->n)
                return perr(ps, ps->off, obj ? "unterminated object" : "unterminated array");
            c = ps->p[ps->off++];
            if (c == ',')
                continue;
            if (c == (obj ? '}' : ']'))
                return close_container(ps, base, vi);
            return perr(ps, ps->off - 1, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    if (c == '"') {
        const char *s;
        size_t len;
        if (parse_string(ps, &s, &len))
            return -1;
        v = &ps->stack[vi];
        v->type = JSON_STRING;
        v->str.s = s;
        v->str.len = len;
        return 0;
    }
    if (c == 't') { v->type = JSON_BOOL; v->b = true; return lit(ps, "true"); }
    if (c == 'f') { v->type = JSON_BOOL; v->b = false; return lit(ps, "false"); }
    if (c == 'n') { v->type = JSON_NULL; return lit(ps, "null"); }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(ps, v);
    return perr(ps, ps->off, "unexpected character");
}

json_doc *json_parse(const char *text, size_t len, const char *name, llm_err *e)
{
    json_doc *d = calloc(1, sizeof *d);
    if (!d) {
        llm_fail(e, "%s: out of memory", name);
        return NULL;
    }
    parser ps = { .p = (const unsigned char *)text, .n = len, .name = name, .e = e, .d = d };
    int rc = parse_value(&ps, 0);
    if (rc == 0) {
        skip_ws(&ps);
        if (ps.off != ps.n)
            rc = perr(&ps, ps.off, "trailing data after the JSON value");
    }
    if (rc == 0)
        d->root = ps.stack[0];
    free(ps.stack);
    free(ps.sbuf);
    if (rc) {
        json_free(d);
        return NULL;
    }
    return d;
}

json_doc *json_parse_file(const char *path, llm_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        llm_fail(e, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        llm_fail(e, "%s: not a regular file", path);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        llm_fail(e, "%s: out of memory (%zu bytes)", path, n);
        return NULL;
    }
    size_t got = fread(buf, 1, n, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        free(buf);
        llm_fail(e, "%s: read error", path);
        return NULL;
    }
    json_doc *d = json_parse(buf, n, path, e);
    free(buf);
    return d;
}

void json_free(json_doc *d)
{
    if (!d)
        return;
    for (block *b = d->blocks, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    free(d);
}

const json_val *json_root(const json_doc *d) { return &d->root; }

const json_val *json_get(const json_val *v, const char *key)
{
    if (!v || v->type != JSON_OBJECT)
        return NULL;
    size_t k = strlen(key);
    for (size_t i = 0; i < v->arr.n; i++)
        if (v->arr.items[i].key_len == k && memcmp(v->arr.items[i].key, key, k) == 0)
            return &v->arr.items[i];
    return NULL;
}

const char *json_get_str(const json_val *v, const char *key, const char *fallback)
{
    const json_val *m = json_get(v, key);
    return m && m->type == JSON_STRING ? m->str.s : fallback;
}

int64_t json_get_int(const json_val *v, const char *key, int64_t fallback)
{
    const json_val *m = json_get(v, key);
    return m && m->type == JSON_NUMBER && m->num.is_int ? m->num.i : fallback;
}

bool json_get_bool(const json_val *v, const char *key, bool fallback)
{
    const json_val *m = json_get(v, key);
    return m && m->type == JSON_BOOL ? m->b : fallback;
}

const char *json_type_name(int type)
{
    static const char *names[] = { "null", "boolean", "number", "string", "array", "object" };
    return type >= 0 && type <= JSON_OBJECT ? names[type] : "?";
}
