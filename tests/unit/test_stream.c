/* test_stream.c: the token and tensor stream formats (lib/stream.h):
 * round trips of every encoding, escapes, segments, headers, and malformed
 * inputs that must fail with a message naming where, never crash. */
#include "stream.h"
#include "t.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A FILE reading the n bytes at s (fmemopen wants a non-const buffer). */
static FILE *mem_in(const char *s, size_t n)
{
    static char bufs[8][1 << 16];
    static int which;
    char *b = bufs[which++ % 8];
    if (n > sizeof bufs[0]) return NULL;
    if (n == 0) return fopen("/dev/null", "r");   /* fmemopen wants n > 0 */
    memcpy(b, s, n);
    return fmemopen(b, n, "r");
}

/* ---- token stream ---- */

static void test_tok_roundtrip(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&buf, &len);
    int bad = 0;
    bad |= llm_tok_write_header(w, 512, "llama", 0x9f2c41d0);
    char all[256];
    for (int i = 0; i < 256; i++) all[i] = (char)i;
    for (int i = 0; i < 256; i++) bad |= llm_tok_write(w, i, all + i, 1, NULL);
    bad |= llm_tok_end_segment(w);
    bad |= llm_tok_write(w, 1000, all, 256, "logit=1.5\tp=0.25");
    bad |= llm_tok_write(w, 7, NULL, 0, NULL);
    bad |= llm_tok_write(w, 8, "", 0, NULL);
    bad |= llm_tok_write(w, 9, NULL, 0, "p=1");
    bad |= llm_tok_write(w, INT32_MAX, "x", 1, NULL);
    bad |= llm_tok_end_segment(w);
    fclose(w);
    T_CHECK("tok write ok", bad == 0, "a writer failed");

    /* every written line is printable (no raw control bytes) */
    int ctl = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) ctl++;
    }
    T_CHECK("tok escapes leave no control bytes", ctl == 0, "%d raw control bytes", ctl);

    FILE *f = fmemopen(buf, len, "r");
    llm_tok_reader *r = llm_tok_reader_new(f, "mem");
    llm_err e = {{0}};
    int32_t id;
    const char *p;
    size_t pl;
    int rc, ok = 1;
    for (int i = 0; i < 256 && ok; i++) {
        rc = llm_tok_next(r, &id, &p, &pl, &e);
        if (rc != 1 || id != i || pl != 1 || !p || (unsigned char)p[0] != i) {
            ok = 0;
            T_FAIL("tok all 256 bytes round trip", "byte %d: rc %d id %d len %zu (%s)", i, rc, id, pl, e.msg);
        }
    }
    if (ok) T_OK("tok all 256 bytes round trip");
    const llm_tok_header *h = llm_tok_reader_header(r);
    T_CHECK("tok header", h->present && h->vocab == 512 && strcmp(h->tokenizer, "llama") == 0 &&
            h->has_fingerprint && h->fingerprint == 0x9f2c41d0, "header %d %u %s %08x",
            h->present, h->vocab, h->tokenizer, h->fingerprint);
    p = "stale";
    pl = 5;
    rc = llm_tok_next(r, &id, &p, &pl, &e);
    T_CHECK("tok segment end, no stale piece", rc == 2 && p == NULL && pl == 0, "rc %d", rc);
    rc = llm_tok_next(r, &id, &p, &pl, &e);
    T_CHECK("tok 256-byte piece", rc == 1 && id == 1000 && pl == 256 && memcmp(p, all, 256) == 0,
            "rc %d id %d len %zu", rc, id, pl);
    rc = llm_tok_next(r, &id, &p, &pl, &e);
    T_CHECK("tok bare id", rc == 1 && id == 7 && p == NULL && pl == 0, "rc %d id %d", rc, id);
    rc = llm_tok_next(r, &id, &p, &pl, &e);
    T_CHECK("tok empty piece", rc == 1 && id == 8 && p && pl == 0, "rc %d id %d", rc, id);
    rc = llm_tok_next(r, &id, NULL, NULL, &e);
    T_CHECK("tok no piece with fields", rc == 1 && id == 9, "rc %d id %d", rc, id);
    rc = llm_tok_next(r, &id, &p, &pl, &e);
    T_CHECK("tok max id", rc == 1 && id == INT32_MAX && pl == 1 && p[0] == 'x', "rc %d id %d", rc, id);
    T_CHECK("tok final segment", llm_tok_next(r, &id, &p, &pl, &e) == 2, "no segment end");
    T_CHECK("tok eof", llm_tok_next(r, &id, &p, &pl, &e) == 0, "no eof");
    T_CHECK("tok eof again", llm_tok_next(r, &id, &p, &pl, &e) == 0, "no eof");
    llm_tok_reader_free(r);
    fclose(f);
    free(buf);
}

static void test_tok_escape_fn(void)
{
    char out[8];
    size_t n = llm_tok_escape("a\tb\\\x01", 5, out, sizeof out);
    /* a \t b \\ \x01 = 1+2+1+2+4 = 10 bytes needed */
    T_CHECK("escape size needed", n == 10, "got %zu", n);
    T_CHECK("escape truncates with NUL", strlen(out) == 7 && memcmp(out, "a\\tb\\\\\\", 7) == 0,
            "got '%s'", out);
    char big[32];
    n = llm_tok_escape("\n\x7f\xe2\x96\x81", 5, big, sizeof big);
    T_CHECK("escape newline, DEL, UTF-8 kept", n == 9 && strcmp(big, "\\n\\x7f\xe2\x96\x81") == 0,
            "got %zu '%s'", n, big);
    T_CHECK("escape size only", llm_tok_escape("\t", 1, NULL, 0) == 2, "wrong size");
}

/* Read all of s as a token stream; returns the last rc and fills e. Counts
 * tokens and segments. */
static int tok_read_all(const char *s, size_t n, int *ntok, int *nseg, llm_err *e,
                        llm_tok_header *hdr)
{
    FILE *f = mem_in(s, n);
    llm_tok_reader *r = llm_tok_reader_new(f, "in");
    int32_t id;
    const char *p;
    size_t pl;
    int rc;
    *ntok = *nseg = 0;
    while ((rc = llm_tok_next(r, &id, &p, &pl, e)) > 0) {
        if (rc == 1) (*ntok)++;
        else (*nseg)++;
        if (*ntok + *nseg > 100000) break;
    }
    if (hdr) *hdr = *llm_tok_reader_header(r);
    llm_tok_reader_free(r);
    fclose(f);
    return rc;
}

static void test_tok_parsing(void)
{
    int nt, ns, rc;
    llm_err e = {{0}};
    llm_tok_header h;
    const char *s1 = "#llm-tokens 1 vocab=32000 future=yes tokenizer=gpt2 fingerprint=DEADbeef\r\n"
                     "# a comment\r\n1\t<s>\r\n\r\n2\r\n";
    rc = tok_read_all(s1, strlen(s1), &nt, &ns, &e, &h);
    T_CHECK("tok CRLF and unknown keys", rc == 0 && nt == 2 && ns == 1 && h.present &&
            h.vocab == 32000 && strcmp(h.tokenizer, "gpt2") == 0 && h.fingerprint == 0xdeadbeef,
            "rc %d nt %d ns %d %s", rc, nt, ns, e.msg);
    const char *s2 = "1\n#llm-tokens 2 vocab=5\n2\n";
    rc = tok_read_all(s2, strlen(s2), &nt, &ns, &e, &h);
    T_CHECK("tok header only on line 1", rc == 0 && nt == 2 && !h.present, "rc %d %s", rc, e.msg);
    const char *s3 = "#llm-tokens 1 fingerprint=00000001\n1\n\n#llm-tokens 1 fingerprint=00000001\n2\n";
    rc = tok_read_all(s3, strlen(s3), &nt, &ns, &e, &h);
    T_CHECK("tok cat of two streams", rc == 0 && nt == 2 && ns == 1, "rc %d %s", rc, e.msg);
    const char *s4 = "#llm-tokens\t1\n7";   /* no final newline */
    rc = tok_read_all(s4, strlen(s4), &nt, &ns, &e, &h);
    T_CHECK("tok last line without newline", rc == 0 && nt == 1 && h.present && !h.has_fingerprint,
            "rc %d %s", rc, e.msg);
    rc = tok_read_all("", 0, &nt, &ns, &e, &h);
    T_CHECK("tok empty input", rc == 0 && nt == 0 && ns == 0, "rc %d", rc);
    const char *s5 = "#llm-tokensX\n\n\n";
    rc = tok_read_all(s5, strlen(s5), &nt, &ns, &e, &h);
    T_CHECK("tok comment lookalike, empty segments", rc == 0 && ns == 2 && !h.present, "rc %d", rc);
    const char *s6 = "00042\t\\x41\\x5a\\x7E\n";
    FILE *f = mem_in(s6, strlen(s6));
    llm_tok_reader *r = llm_tok_reader_new(f, "in");
    int32_t id = 0;
    const char *p = NULL;
    size_t pl = 0;
    rc = llm_tok_next(r, &id, &p, &pl, &e);
    T_CHECK("tok leading zeros, hex both cases", rc == 1 && id == 42 && pl == 3 && memcmp(p, "AZ~", 3) == 0,
            "rc %d id %d", rc, id);
    T_CHECK("tok line and offset", llm_tok_reader_line(r) == 1 && llm_tok_reader_offset(r) == 0,
            "line %llu", (unsigned long long)llm_tok_reader_line(r));
    llm_tok_reader_free(r);
    fclose(f);
}

/* Malformed token streams: each must give -1 with "line N (byte M)". */
static void test_tok_malformed(void)
{
    static const struct { const char *in; const char *where; } cases[] = {
        {"x\n", "line 1 (byte 0)"},
        {"1\n-1\n", "line 2 (byte 2)"},
        {"+1\n", "line 1 (byte 0)"},
        {"2147483648\n", "line 1 (byte 0)"},
        {"99999999999999999999999\n", "line 1 (byte 0)"},
        {"12 a\n", "line 1 (byte 2)"},
        {"12a\n", "line 1 (byte 2)"},
        {" 12\n", "line 1 (byte 0)"},
        {"\t12\n", "line 1 (byte 0)"},
        {"1\tab\\q\n", "line 1 (byte 4)"},
        {"1\tab\\\n", "line 1 (byte 4)"},
        {"1\t\\x4\n", "line 1 (byte 2)"},
        {"1\t\\xg0\n", "line 1 (byte 2)"},
        {"1\t\\r\n", "line 1 (byte 2)"},
        {"1\tx\tnokey\n", "line 1 (byte 4)"},
        {"1\tx\t=v\n", "line 1 (byte 4)"},
        {"1\tx\t\n", "line 1 (byte 4)"},
        {"#llm-tokens 2 vocab=5\n", "line 1 (byte 12)"},
        {"#llm-tokens\n", "line 1 (byte 11)"},
        {"#llm-tokens x\n", "line 1 (byte 12)"},
        {"#llm-tokens 1 vocab=-5\n", "line 1 (byte 14)"},
        {"#llm-tokens 1 vocab=99999999999\n", "line 1 (byte 14)"},
        {"#llm-tokens 1 fingerprint=1234567\n", "line 1 (byte 14)"},
        {"#llm-tokens 1 fingerprint=1234567g\n", "line 1 (byte 14)"},
        {"#llm-tokens 1 tokenizer=0123456789012345678901234567890123\n", "line 1 (byte 14)"},
        {"#llm-tokens 1 stray\n", "line 1 (byte 14)"},
        {"#llm-tokens 1 fingerprint=00000001\n1\n#llm-tokens 1 fingerprint=00000002\n", "line 3 (byte 37)"},
        {"1\n2\n\x01\n", "line 3 (byte 4)"},
        {"1\r2\n", "line 1 (byte 1)"},
        {"\xef\xbb\xbf" "1\n", "line 1 (byte 0)"},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < n; i++) {
        int nt, ns;
        llm_err e = {{0}};
        int rc = tok_read_all(cases[i].in, strlen(cases[i].in), &nt, &ns, &e, NULL);
        char name[64];
        snprintf(name, sizeof name, "tok malformed %d", i);
        T_CHECK(name, rc == -1 && strstr(e.msg, cases[i].where) && strncmp(e.msg, "in: ", 4) == 0,
                "rc %d msg '%s' (want '%s')", rc, e.msg, cases[i].where);
    }
    /* a NUL byte in place of an id */
    {
        int nt, ns;
        llm_err e = {{0}};
        int rc = tok_read_all("1\n\0\n", 4, &nt, &ns, &e, NULL);
        T_CHECK("tok malformed NUL", rc == -1 && strstr(e.msg, "line 2 (byte 2)"), "rc %d %s", rc, e.msg);
    }
    /* an endless line stops at the cap with an error, not a hang */
    {
        size_t big = (1u << 20) + 100;
        char *s = malloc(big);
        memset(s, '7', big);
        FILE *f = fmemopen(s, big, "r");
        llm_tok_reader *r = llm_tok_reader_new(f, "in");
        llm_err e = {{0}};
        int32_t id;
        int rc = llm_tok_next(r, &id, NULL, NULL, &e);
        T_CHECK("tok endless line", rc == -1 && strstr(e.msg, "longer than"), "rc %d %s", rc, e.msg);
        llm_tok_reader_free(r);
        fclose(f);
        free(s);
    }
}


/* ---- tensor stream ---- */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Write one record to memory and read it back. */
static int tensor_roundtrip(const float *x, const int64_t *shape, int ndim, int enc, int64_t k,
                            char **buf, size_t *len)
{
    FILE *w = open_memstream(buf, len);
    int rc = llm_tensor_write(w, "t", shape, ndim, 3, x, enc, k);
    fclose(w);
    return rc;
}

static void test_tensor_text_raw(void)
{
    enum { N = 4096 };
    static float x[N];
    for (int i = 0; i < N; i++) {
        uint32_t u;
        do u = rnd(); while (((u >> 23) & 0xff) == 0xff);   /* no inf/nan */
        memcpy(&x[i], &u, 4);
    }
    /* specials: zeros, denormals, extremes */
    uint32_t specials[] = {0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff,
                           0xff7fffff, 0x00800000, 0x3f800000, 0x7f800000, 0xff800000};
    for (int i = 0; i < 10; i++) memcpy(&x[i], &specials[i], 4);
    int64_t shape[2] = {64, 64};
    for (int enc = LLM_ENC_TEXT; enc <= LLM_ENC_RAW; enc++) {
        char *buf = NULL;
        size_t len = 0;
        int wrc = tensor_roundtrip(x, shape, 2, enc, 0, &buf, &len);
        FILE *f = fmemopen(buf, len, "r");
        llm_tensor_reader *r = llm_tensor_reader_new(f, "mem");
        llm_tensor_rec *t = NULL;
        llm_err e = {{0}};
        int rc = llm_tensor_next(r, &t, &e);
        int diff = -1;
        if (rc == 1) {
            diff = 0;
            for (int i = 0; i < N; i++) if (memcmp(&x[i], &t->data[i], 4) != 0) { diff = i + 1; break; }
        }
        char name[64];
        snprintf(name, sizeof name, "tensor %s round trip bit exact", enc ? "raw" : "text");
        T_CHECK(name, wrc == 0 && rc == 1 && diff == 0 && t->n == N && t->ndim == 2 &&
                t->shape[0] == 64 && t->shape[1] == 64 && t->pos == 3 && t->enc == enc &&
                strcmp(t->name, "t") == 0 && t->ids == NULL,
                "wrc %d rc %d diff at %d (%s)", wrc, rc, diff, e.msg);
        snprintf(name, sizeof name, "tensor %s then eof", enc ? "raw" : "text");
        T_CHECK(name, llm_tensor_next(r, &t, &e) == 0, "%s", e.msg);
        if (enc == LLM_ENC_TEXT) {
            int lines = 0;
            for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
            T_CHECK("tensor text: a row a line", lines == 65, "%d lines", lines);
        } else {
            T_CHECK("tensor raw size", len == (size_t)(strchr(buf, '\n') + 1 - buf) + 4 * N, "len %zu", len);
        }
        llm_tensor_reader_free(r);
        fclose(f);
        free(buf);
    }
    /* nan: text readers accept it (the sampler is the one to refuse) */
    float y[3] = {NAN, -NAN, 1.0f};
    int64_t s3 = 3;
    char *buf = NULL;
    size_t len = 0;
    tensor_roundtrip(y, &s3, 1, LLM_ENC_TEXT, 0, &buf, &len);
    FILE *f = fmemopen(buf, len, "r");
    llm_tensor_reader *r = llm_tensor_reader_new(f, "mem");
    llm_tensor_rec *t = NULL;
    llm_err e = {{0}};
    int rc = llm_tensor_next(r, &t, &e);
    T_CHECK("tensor text nan", rc == 1 && isnan(t->data[0]) && isnan(t->data[1]) && t->data[2] == 1.0f,
            "rc %d %s", rc, e.msg);
    llm_tensor_reader_free(r);
    fclose(f);
    free(buf);
}

static void test_tensor_top(void)
{
    float x[8] = {1, 3, 3, 2, 3, NAN, -1, 3};
    int64_t n = 8;
    char *buf = NULL;
    size_t len = 0;
    int wrc = tensor_roundtrip(x, &n, 1, LLM_ENC_TOP, 3, &buf, &len);
    const char *want = "#llm-tensor 1 name=t dtype=f32 shape=8 pos=3 enc=top k=3\n1 3\n2 3\n4 3\n";
    T_CHECK("top ties: lower id first", wrc == 0 && strcmp(buf, want) == 0, "got '%s'", buf);
    FILE *f = fmemopen(buf, len, "r");
    llm_tensor_reader *r = llm_tensor_reader_new(f, "mem");
    llm_tensor_rec *t = NULL;
    llm_err e = {{0}};
    int rc = llm_tensor_next(r, &t, &e);
    T_CHECK("top read", rc == 1 && t->enc == LLM_ENC_TOP && t->k == 3 && t->n == 8 &&
            t->ids[0] == 1 && t->ids[1] == 2 && t->ids[2] == 4 && t->vals[2] == 3 &&
            t->data[1] == 3 && t->data[0] == -INFINITY && t->data[7] == -INFINITY,
            "rc %d %s", rc, e.msg);
    llm_tensor_reader_free(r);
    fclose(f);
    free(buf);

    /* k larger than n: all values, best first, nan last */
    buf = NULL;
    tensor_roundtrip(x, &n, 1, LLM_ENC_TOP, 100, &buf, &len);
    f = fmemopen(buf, len, "r");
    r = llm_tensor_reader_new(f, "mem");
    rc = llm_tensor_next(r, &t, &e);
    static const int order[8] = {1, 2, 4, 7, 3, 0, 6, 5};
    int same_order = rc == 1 && t->k == 8;
    for (int i = 0; same_order && i < 8; i++) same_order = t->ids[i] == order[i];
    T_CHECK("top k > n: everything, sorted, nan last", same_order, "rc %d k %lld", rc,
            rc == 1 ? (long long)t->k : -1LL);
    int all = rc == 1;
    for (int i = 0; all && i < 8; i++) all = memcmp(&t->data[i], &x[i], 4) == 0 || (isnan(x[i]) && isnan(t->data[i]));
    T_CHECK("top k = n: data is the tensor", all, "differs");
    llm_tensor_reader_free(r);
    fclose(f);
    free(buf);

    /* a large random vector: the top 40 agree with a full sort */
    enum { M = 5000 };
    static float v[M];
    for (int i = 0; i < M; i++) v[i] = (float)(rnd() % 200) / 8.0f;   /* many ties */
    buf = NULL;
    int64_t m = M;
    tensor_roundtrip(v, &m, 1, LLM_ENC_TOP, 40, &buf, &len);
    f = fmemopen(buf, len, "r");
    r = llm_tensor_reader_new(f, "mem");
    rc = llm_tensor_next(r, &t, &e);
    int good = rc == 1 && t->k == 40;
    for (int i = 0; good && i < 40; i++) {
        int32_t id = t->ids[i];
        /* rank of id in (value desc, id asc) order must be i */
        int rank = 0;
        for (int j = 0; j < M; j++)
            if (v[j] > v[id] || (v[j] == v[id] && j < id)) rank++;
        good = rank == i && t->vals[i] == v[id];
    }
    T_CHECK("top 40 of 5000 with ties", good, "rc %d", rc);
    llm_tensor_reader_free(r);
    fclose(f);
    free(buf);
}

static void test_tensor_stream_mixed(void)
{
    /* text, defaults, top and raw records, comments between; the raw
     * part holds NULs, so the input is built from pieces */
    const char *head =
        "# made by hand\n"
        "#llm-stats model=x threads=2\n"
        "#llm-tensor 1 name=a dtype=f32 shape=2,3 enc=text future=1\r\n"
        "1 2\n3\n\n  4 5\t6\r\n"
        "#llm-tensor 1 shape=2\n"          /* dtype, enc, name optional */
        "0x1p-2 -inf\n"
        "#llm-tensor 1 name=c dtype=f32 shape=5 pos=9 enc=top k=2\n"
        "4 1.5 0 -2\n"
        "#llm-tensor 1 name=d dtype=f32 shape=2 enc=raw\n";
    static const char raw[8] = {0x00, 0x00, (char)0x80, 0x3f, 0x00, 0x00, 0x00, (char)0xc0};
    const char *tail = "\n# trailing comment\n";
    char tmp[1024];
    size_t n = 0;
    memcpy(tmp, head, strlen(head)); n += strlen(head);
    memcpy(tmp + n, raw, 8); n += 8;
    memcpy(tmp + n, tail, strlen(tail)); n += strlen(tail);
    FILE *f = mem_in(tmp, n);
    llm_tensor_reader *r = llm_tensor_reader_new(f, "mix");
    llm_tensor_rec *t = NULL;
    llm_err e = {{0}};
    int rc = llm_tensor_next(r, &t, &e);
    T_CHECK("mixed: text over lines", rc == 1 && t->n == 6 && t->data[0] == 1 && t->data[5] == 6 &&
            t->pos == -1 && strcmp(t->name, "a") == 0, "rc %d %s", rc, e.msg);
    rc = llm_tensor_next(r, &t, &e);
    T_CHECK("mixed: defaults, hex float, -inf", rc == 1 && t->n == 2 && t->data[0] == 0.25f &&
            t->data[1] == -INFINITY && t->enc == LLM_ENC_TEXT && t->name[0] == '\0',
            "rc %d %s", rc, e.msg);
    rc = llm_tensor_next(r, &t, &e);
    T_CHECK("mixed: top in any order", rc == 1 && t->k == 2 && t->pos == 9 && t->data[4] == 1.5f &&
            t->data[0] == -2 && t->data[1] == -INFINITY, "rc %d %s", rc, e.msg);
    rc = llm_tensor_next(r, &t, &e);
    T_CHECK("mixed: raw", rc == 1 && t->enc == LLM_ENC_RAW && t->data[0] == 1.0f && t->data[1] == -2.0f &&
            t->ids == NULL, "rc %d %s", rc, e.msg);
    rc = llm_tensor_next(r, &t, &e);
    T_CHECK("mixed: eof after comment", rc == 0, "rc %d %s", rc, e.msg);
    llm_tensor_reader_free(r);
    fclose(f);
}

/* Malformed tensor streams: each gives -1, naming record and byte offset. */
static void test_tensor_malformed(void)
{
    static const struct { const char *in; const char *where; } cases[] = {
        {"1 2 3\n", "record 1 (byte 0)"},
        {"#llm-tensor 2 shape=1\n1\n", "record 1 (byte 12)"},
        {"#llm-tensor\n1\n", "record 1 (byte 11)"},
        {"#llm-tensor 1 name=x\n1\n", "record 1 (byte 20)"},
        {"#llm-tensor 1 shape=3 dtype=f16\n1 2 3\n", "record 1 (byte 22)"},
        {"#llm-tensor 1 shape=3 enc=bin\n", "record 1 (byte 22)"},
        {"#llm-tensor 1 shape=0\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=3,,2\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=3,\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=-3\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=65536,65536\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=4294967296,1\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=99999999999999999999999\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=1,1,1,1,1,1,1,1,1\n", "record 1 (byte 14)"},
        {"#llm-tensor 1 shape=2 pos=-1\n1 2\n", "record 1 (byte 22)"},
        {"#llm-tensor 1 shape=2 bogus\n1 2\n", "record 1 (byte 22)"},
        {"#llm-tensor 1 shape=3\n1 2\n", "record 1 (byte 26)"},
        {"#llm-tensor 1 shape=3\n1 2\n#llm-tensor 1 shape=1\n0\n", "record 1 (byte 26)"},
        {"#llm-tensor 1 shape=2\n1 2 3\n", "record 1 (byte 26)"},
        {"#llm-tensor 1 shape=2\n1 x\n", "record 1 (byte 24)"},
        {"#llm-tensor 1 shape=2\n1 2.5.1\n", "record 1 (byte 24)"},
        {"#llm-tensor 1 shape=2\n1 1e39\n", "record 1 (byte 24)"},
        {"#llm-tensor 1 shape=2\n1 1111111111111111111111111111111111111111111111111111111111111111111111\n", "record 1 (byte 24)"},
        {"#llm-tensor 1 shape=1\n1\n#llm-tensor 1 shape=2 enc=raw\nabc", "record 2 (byte 57)"},
        {"#llm-tensor 1 shape=4 enc=top\n", "record 1 (byte 29)"},
        {"#llm-tensor 1 shape=4 enc=top k=5\n", "record 1 (byte 0)"},
        {"#llm-tensor 1 shape=4 enc=top k=2\n1 2\n", "record 1 (byte 38)"},
        {"#llm-tensor 1 shape=4 enc=top k=2\n1 2\n3\n", "record 1 (byte 40)"},
        {"#llm-tensor 1 shape=4 enc=top k=1\n4 2\n", "record 1 (byte 34)"},
        {"#llm-tensor 1 shape=4 enc=top k=1\n-1 2\n", "record 1 (byte 34)"},
        {"#llm-tensor 1 shape=4 enc=top k=2\n1 2\n1 3\n", "record 1 (byte 42)"},
        {"#llm-tensor 1 shape=4 enc=top k=1\n1 2\n3 4\n", "record 1 (byte 38)"},
        {"#llm-tensor 1 shape=4 enc=top k=x\n", "record 1 (byte 30)"},
        {"#llm-tensor 1 shape=1 name=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\n", "record 1 (byte 22)"},
        {"#llm-tensor 1 shape=1\n\x01\n", "record 1 (byte 22)"},
        /* headers that promise 2^31 values: memory grows only as data comes */
        {"#llm-tensor 1 shape=2147483648\n1 2\n", "record 1 (byte 35)"},
        {"#llm-tensor 1 shape=32768,65536 enc=raw\nabcdefgh", "record 1 (byte 48)"},
        {"#llm-tensor 1 shape=2147483648 enc=top k=0\n", "record 1 (byte 0)"},
        {"#llm-tensor 1 shape=2\n1 2\n#llm-tensor 1 shape=1 enc=top k=1\n0 nan\n\x7f", "record 2 (byte 66)"},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < n; i++) {
        FILE *f = mem_in(cases[i].in, strlen(cases[i].in));
        llm_tensor_reader *r = llm_tensor_reader_new(f, "in");
        llm_tensor_rec *t;
        llm_err e = {{0}};
        int rc, guard = 0;
        while ((rc = llm_tensor_next(r, &t, &e)) == 1 && guard++ < 10) {}
        char name[64];
        snprintf(name, sizeof name, "tensor malformed %d", i);
        T_CHECK(name, rc == -1 && strstr(e.msg, cases[i].where) && strncmp(e.msg, "in: ", 4) == 0,
                "rc %d msg '%s' (want '%s')", rc, e.msg, cases[i].where);
        llm_tensor_reader_free(r);
        fclose(f);
    }
    /* a header line without end */
    {
        size_t big = 10000;
        char *s = malloc(big);
        memset(s, 'x', big);
        memcpy(s, "#llm-tensor 1 shape=1 name=", 27);
        FILE *f = fmemopen(s, big, "r");
        llm_tensor_reader *r = llm_tensor_reader_new(f, "in");
        llm_tensor_rec *t;
        llm_err e = {{0}};
        int rc = llm_tensor_next(r, &t, &e);
        T_CHECK("tensor header too long", rc == -1 && strstr(e.msg, "record 1 (byte 0)"), "rc %d %s", rc, e.msg);
        llm_tensor_reader_free(r);
        fclose(f);
        free(s);
    }
    /* the writer refuses what the reader would refuse */
    {
        FILE *w = fopen("/dev/null", "w");
        float x[2] = {1, 2};
        int64_t sh0[1] = {0}, sh2[1] = {2};
        T_CHECK("write refuses shape 0", llm_tensor_write(w, "x", sh0, 1, -1, x, 0, 0) == -1, "accepted");
        T_CHECK("write refuses a name with a space", llm_tensor_write(w, "a b", sh2, 1, -1, x, 0, 0) == -1, "accepted");
        T_CHECK("write refuses a bad enc", llm_tensor_write(w, "x", sh2, 1, -1, x, 7, 0) == -1, "accepted");
        char *b = NULL;
        size_t bl = 0;
        FILE *m = open_memstream(&b, &bl);
        llm_tensor_write(m, NULL, sh2, 1, -1, x, 0, 0);
        llm_tensor_write(m, "", sh2, 1, -1, x, 0, 0);
        fclose(m);
        T_CHECK("write without a name", strcmp(b, "#llm-tensor 1 dtype=f32 shape=2 enc=text\n1 2\n"
                "#llm-tensor 1 dtype=f32 shape=2 enc=text\n1 2\n") == 0, "got '%s'", b);
        free(b);
        T_CHECK("write refuses 9 dims", llm_tensor_write(w, "x", sh2, 9, -1, x, 0, 0) == -1, "accepted");
        fclose(w);
    }
}

/* The feedback loop: a reader on a pipe gets each item as soon as it is
 * written, without waiting for more input or the end of the pipe. A hang
 * is turned into a failure by alarm(). */
static void test_no_wait_on_pipe(void)
{
    int fd[2];
    if (pipe(fd) != 0) { T_SKIP("pipe", "no pipe"); return; }
    FILE *w = fdopen(fd[1], "w"), *rd = fdopen(fd[0], "r");
    alarm(10);
    float x[3] = {1, 2, 3};
    int64_t sh = 3;
    llm_tensor_reader *tr = llm_tensor_reader_new(rd, "pipe");
    llm_tensor_rec *t;
    llm_err e = {{0}};
    int ok = 1;
    for (int enc = 0; enc < 3 && ok; enc++) {
        llm_tensor_write(w, "logits", &sh, 1, enc, x, enc, 2);
        ok = llm_tensor_next(tr, &t, &e) == 1 && t->enc == enc && t->pos == enc;
    }
    T_CHECK("tensor reader does not wait for the next record", ok, "%s", e.msg);
    llm_tensor_reader_free(tr);
    llm_tok_reader *r = llm_tok_reader_new(rd, "pipe");
    llm_tok_write(w, 42, "a", 1, NULL);
    llm_tok_end_segment(w);   /* flushes */
    int32_t id = 0;
    int rc1 = llm_tok_next(r, &id, NULL, NULL, &e);
    int rc2 = llm_tok_next(r, &id, NULL, NULL, &e);
    T_CHECK("token reader returns at the segment end", rc1 == 1 && id == 42 && rc2 == 2, "rc %d %d", rc1, rc2);
    alarm(0);
    llm_tok_reader_free(r);
    fclose(w);
    fclose(rd);
}


/* .zst files: written and read back through llm_stream_open when built
 * with ZSTD=1; a cut or corrupted file is a read error, not garbage. */
static void test_zstd(void)
{
#ifndef LLM_ZSTD
    T_SKIP("zst round trip", "built without ZSTD=1");
#else
    llm_err e = {{0}};
    char dir[] = "/tmp/test_stream_zst.XXXXXX";
    if (!mkdtemp(dir)) { T_FAIL("mkdtemp", "%s", strerror(errno)); return; }
    char path[256], cut[256];
    snprintf(path, sizeof path, "%s/a.tensors.zst", dir);
    snprintf(cut, sizeof cut, "%s/cut.tensors.zst", dir);
    enum { N = 50000 };
    static float x[N];
    for (int i = 0; i < N; i++) x[i] = (float)(rnd() % 1000) / 16.0f;
    int64_t sh = N;
    FILE *f = llm_stream_open(path, "w", &e);
    int bad = !f;
    for (int rec = 0; f && rec < 3; rec++) bad |= llm_tensor_write(f, "logits", &sh, 1, rec, x, rec, 40);
    if (f) bad |= llm_stream_close(f, &e);
    T_CHECK("zst write", !bad, "%s", e.msg);
    FILE *plain = fopen(path, "rb");
    unsigned char magic[4] = {0};
    long size = 0;
    if (plain) {
        if (fread(magic, 1, 4, plain) != 4) magic[0] = 0;
        fseek(plain, 0, SEEK_END);
        size = ftell(plain);
        fclose(plain);
    }
    T_CHECK("zst file has the zstd magic", magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
            magic[3] == 0xfd, "magic %02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
    f = llm_stream_open(path, "r", &e);
    llm_tensor_reader *r = llm_tensor_reader_new(f, path);
    llm_tensor_rec *t;
    int ok = f != NULL;
    for (int rec = 0; ok && rec < 3; rec++) {
        ok = llm_tensor_next(r, &t, &e) == 1 && t->pos == rec && t->n == N;
        if (ok && rec < 2) ok = memcmp(t->data, x, sizeof x) == 0;
    }
    ok = ok && llm_tensor_next(r, &t, &e) == 0;
    T_CHECK("zst read back", ok, "%s", e.msg);
    llm_tensor_reader_free(r);
    llm_stream_close(f, &e);

    /* cut the file in half: an error naming the record, never a crash */
    plain = fopen(path, "rb");
    char *whole = malloc((size_t)size);
    size_t got = plain ? fread(whole, 1, (size_t)size, plain) : 0;
    if (plain) fclose(plain);
    FILE *c = fopen(cut, "wb");
    if (c) { fwrite(whole, 1, got / 2, c); fclose(c); }
    f = llm_stream_open(cut, "r", &e);
    r = llm_tensor_reader_new(f, cut);
    int rc;
    while ((rc = llm_tensor_next(r, &t, &e)) == 1) {}
    T_CHECK("zst cut in half", rc == -1 && strstr(e.msg, "record") &&
            (strstr(e.msg, "compressed") || strstr(e.msg, "truncated") || strstr(e.msg, "only")),
            "rc %d %s", rc, e.msg);
    llm_tensor_reader_free(r);
    llm_stream_close(f, &e);
    /* flip bytes in the middle */
    for (size_t i = got / 3; i < got / 3 + 64 && i < got; i++) whole[i] ^= 0x5a;
    c = fopen(cut, "wb");
    if (c) { fwrite(whole, 1, got, c); fclose(c); }
    f = llm_stream_open(cut, "r", &e);
    r = llm_tensor_reader_new(f, cut);
    while ((rc = llm_tensor_next(r, &t, &e)) == 1) {}
    T_CHECK("zst corrupted", rc == -1 && strstr(e.msg, "record"), "rc %d %s", rc, e.msg);
    llm_tensor_reader_free(r);
    llm_stream_close(f, &e);
    free(whole);

    /* tokens, and a full disk seen at close */
    snprintf(path, sizeof path, "%s/a.tok.zst", dir);
    f = llm_stream_open(path, "w", &e);
    llm_tok_write_header(f, 100, "llama", 0x1234abcd);
    for (int i = 0; i < 100; i++) llm_tok_write(f, i, "\xe2\x96\x81piece", 8, NULL);
    llm_tok_end_segment(f);
    T_CHECK("zst tokens write", llm_stream_close(f, &e) == 0, "%s", e.msg);
    f = llm_stream_open(path, "r", &e);
    llm_tok_reader *tr = llm_tok_reader_new(f, path);
    int32_t id;
    int n = 0;
    while ((rc = llm_tok_next(tr, &id, NULL, NULL, &e)) == 1) n++;
    T_CHECK("zst tokens read", n == 100 && rc == 2 && llm_tok_reader_header(tr)->fingerprint == 0x1234abcd,
            "n %d rc %d %s", n, rc, e.msg);
    llm_tok_reader_free(tr);
    llm_stream_close(f, &e);
    unlink(path);
    unlink(cut);
    snprintf(path, sizeof path, "%s/a.tensors.zst", dir);
    unlink(path);
    rmdir(dir);
#endif
}

/* ---- open / close ---- */

static void test_open_close(void)
{
    llm_err e = {{0}};
    char dir[] = "/tmp/test_stream.XXXXXX";
    if (!mkdtemp(dir)) { T_FAIL("mkdtemp", "%s", strerror(errno)); return; }
    FILE *f = llm_stream_open(dir, "w", &e);
    T_CHECK("open refuses a folder", !f && strstr(e.msg, "folder"), "%s", e.msg);
    f = llm_stream_open("/dev/null", "w", &e);
    T_CHECK("open refuses a device", !f && strstr(e.msg, "regular"), "%s", e.msg);
    f = llm_stream_open(dir, "r", &e);
    T_CHECK("open for reading refuses a folder", !f && strstr(e.msg, "folder"), "%s", e.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/missing/x.tok", dir);
    f = llm_stream_open(path, "r", &e);
    T_CHECK("open missing file", !f && strstr(e.msg, path), "%s", e.msg);
    f = llm_stream_open(path, "w", &e);
    T_CHECK("open in a missing folder", !f && strstr(e.msg, path), "%s", e.msg);
    T_CHECK("open - for reading is stdin", llm_stream_open("-", "r", &e) == stdin, "not stdin");

    /* write through a temp file renamed at close */
    snprintf(path, sizeof path, "%s/a.tok", dir);
    f = llm_stream_open(path, "w", &e);
    T_CHECK("open for writing", f != NULL, "%s", e.msg);
    if (f) {
        llm_tok_write(f, 5, "hi", 2, NULL);
        struct stat st;
        T_CHECK("not in place before close", stat(path, &st) != 0, "file exists early");
        T_CHECK("close ok", llm_stream_close(f, &e) == 0, "%s", e.msg);
        T_CHECK("in place after close", stat(path, &st) == 0 && st.st_size == 5, "missing or wrong size");
        f = llm_stream_open(path, "r", &e);
        llm_tok_reader *r = llm_tok_reader_new(f, path);
        int32_t id = 0;
        const char *p;
        size_t pl;
        int rc = llm_tok_next(r, &id, &p, &pl, &e);
        T_CHECK("read back", rc == 1 && id == 5 && pl == 2, "rc %d", rc);
        llm_tok_reader_free(r);
        T_CHECK("close reader", llm_stream_close(f, &e) == 0, "%s", e.msg);
        unlink(path);
    }

    /* a FIFO is refused as an output file */
    snprintf(path, sizeof path, "%s/fifo", dir);
    if (mkfifo(path, 0600) == 0) {
        f = llm_stream_open(path, "w", &e);
        T_CHECK("open refuses a FIFO", !f && strstr(e.msg, "FIFO"), "%s", e.msg);
        unlink(path);
    }

    /* a write that fails (file size limit, like a full disk) keeps the old
     * file and leaves no temp file behind */
    snprintf(path, sizeof path, "%s/keep.tok", dir);
    f = llm_stream_open(path, "w", &e);
    llm_tok_write(f, 1, "old", 3, NULL);
    llm_stream_close(f, &e);
    struct rlimit old_lim, lim;
    if (getrlimit(RLIMIT_FSIZE, &old_lim) == 0) {
        fflush(stdout);   /* nothing is printed while the limit is on */
        void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
        lim = old_lim;
        lim.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &lim);
        f = llm_stream_open(path, "w", &e);
        for (int i = 0; f && i < 10000; i++) llm_tok_write(f, i, "new piece", 9, NULL);
        int rc = f ? llm_stream_close(f, &e) : -2;
        setrlimit(RLIMIT_FSIZE, &old_lim);
        signal(SIGXFSZ, old_sig);
        T_CHECK("close reports a failed write", rc == -1 && strstr(e.msg, "write error") &&
                strstr(e.msg, path), "rc %d %s", rc, e.msg);
        char buf[64] = {0};
        FILE *k = fopen(path, "r");
        size_t n = k ? fread(buf, 1, sizeof buf - 1, k) : 0;
        if (k) fclose(k);
        T_CHECK("old file kept after a failed write", n == 6 && strcmp(buf, "1\told\n") == 0, "got '%s'", buf);
        int others = 0;
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
            if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))) others++;
        if (d) closedir(d);
        T_CHECK("no temp file left behind", others == 1, "%d entries in %s", others, dir);
    }
    unlink(path);

    /* a program that exits without closing leaves neither file nor temp */
    snprintf(path, sizeof path, "%s/died.tok", dir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *c = llm_stream_open(path, "w", NULL);
        if (c) llm_tok_write(c, 1, "x", 1, NULL);
        exit(c ? 3 : 4);
    }
    int status = 0;
    if (pid > 0) waitpid(pid, &status, 0);
    {
        int entries = 0;
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) entries++;
        if (d) closedir(d);
        T_CHECK("exit without close removes the temp file", pid > 0 && WIFEXITED(status) &&
                WEXITSTATUS(status) == 3 && entries == 0, "status %d, %d entries", status, entries);
    }

    /* a full disk through stdout */
    fflush(stdout);
    int saved = dup(1);
    int full = open("/dev/full", O_WRONLY);
    if (full < 0 || saved < 0) {
        T_SKIP("close reports a full disk", "no /dev/full");
    } else {
        dup2(full, 1);
        FILE *o = llm_stream_open("-", "w", &e);
        for (int i = 0; i < 100; i++) llm_tok_write(o, i, "x", 1, NULL);
        int rc = llm_stream_close(o, &e);
        clearerr(stdout);
        dup2(saved, 1);
        close(full);
        close(saved);
        T_CHECK("close reports a full disk", rc == -1 && strstr(e.msg, "No space"), "rc %d %s", rc, e.msg);
    }
#ifndef LLM_ZSTD
    snprintf(path, sizeof path, "%s/a.tok.zst", dir);
    f = llm_stream_open(path, "w", &e);
    T_CHECK("zst without ZSTD=1", !f && strstr(e.msg, "make ZSTD=1"), "%s", e.msg);
#endif
    rmdir(dir);
}

int main(void)
{
    test_tok_roundtrip();
    test_tok_escape_fn();
    test_tok_parsing();
    test_tok_malformed();
    test_tensor_text_raw();
    test_tensor_top();
    test_tensor_stream_mixed();
    test_tensor_malformed();
    test_no_wait_on_pipe();
    test_open_close();
    test_zstd();
    return t_exit();
}
