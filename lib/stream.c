/* stream.c: opening and closing stream files, and the token stream
 * (man/llm-formats.5). The tensor stream is in tensor_stream.c, .zst
 * support in stream_zstd.c. */
#include "stream.h"
#include "stream_zstd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest token line accepted: a reader never buffers without bound, so an
 * endless line (a binary file piped in by mistake) is an error, not a hang
 * that eats memory. Real lines are a few dozen bytes. */
#define LLM_TOK_LINE_MAX (1u << 20)

/* ---- open / close ---- */

/* Files opened by llm_stream_open, so that llm_stream_close knows the name
 * for messages and, for writes, the temp file to rename into place. */
typedef struct open_file {
    FILE *f;
    char *path;            /* as given, for messages */
    char *tmp;             /* writes: the temp file beside path */
    struct open_file *next;
} open_file;

static open_file *open_files;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/* At exit, remove the temp files of streams never closed (a program that
 * dies with an error mid-write): the old file stays, and no litter. */
static void remove_temps(void)
{
    for (open_file *o = open_files; o; o = o->next)
        if (o->tmp) unlink(o->tmp);
}

static void register_cleanup(void)
{
    atexit(remove_temps);
}

static pthread_once_t cleanup_once = PTHREAD_ONCE_INIT;

/* The message for a failed write; errno may be gone when an earlier flush
 * failed, and "Input/output error" would mislead. */
static const char *write_error(int err)
{
    return err ? strerror(err) : "an earlier write failed";
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Make a temp file in the folder of path ("DIR/.BASE.XXXXXX"), mode
 * 0666 & ~umask like an ordinary created file. Returns its fd or -1. */
static int make_temp(const char *path, char **tmp_out)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t n = dirlen + 1 + strlen(base) + 8;
    char *tmp = malloc(n);
    if (!tmp) return -1;
    snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
    int fd = mkstemp(tmp);
    if (fd < 0) { free(tmp); return -1; }
    mode_t um = umask(0);   /* read the umask: there is no other way */
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0) { /* not fatal: the file stays 0600 */ }
    *tmp_out = tmp;
    return fd;
}

FILE *llm_stream_open(const char *path, const char *mode, llm_err *e)
{
    bool wr = mode && mode[0] == 'w';
    if (!mode || (mode[0] != 'r' && mode[0] != 'w')) {
        llm_fail(e, "%s: bad open mode", path);
        return NULL;
    }
    if (strcmp(path, "-") == 0) return wr ? stdout : stdin;
    bool zst = ends_with(path, ".zst");
#ifndef LLM_ZSTD
    if (zst) {
        llm_fail(e, "%s: zstd support is not built in; rebuild with `make ZSTD=1` "
                    "(needs libzstd-dev)", path);
        return NULL;
    }
#endif
    struct stat st;
    char *tmp = NULL;
    FILE *f = NULL;
    if (wr) {
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                llm_fail(e, "%s: is a folder", path);
                return NULL;
            }
            if (!S_ISREG(st.st_mode)) {
                llm_fail(e, "%s: not a regular file (a device or FIFO); "
                            "write to standard output and redirect instead", path);
                return NULL;
            }
        }
        pthread_once(&cleanup_once, register_cleanup);
        int fd = make_temp(path, &tmp);
        if (fd < 0) {
            llm_fail(e, "%s: cannot create a temp file beside it: %s", path, strerror(errno));
            return NULL;
        }
        f = fdopen(fd, "w");
        if (!f) {
            llm_fail(e, "%s: %s", path, strerror(errno));
            close(fd); unlink(tmp); free(tmp);
            return NULL;
        }
    } else {
        f = fopen(path, "r");
        if (!f) {
            llm_fail(e, "%s: %s", path, strerror(errno));
            return NULL;
        }
        if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
            llm_fail(e, "%s: is a folder", path);
            fclose(f);
            return NULL;
        }
    }
    if (zst) {
        FILE *z = llm_zstd_wrap(f, wr ? "w" : "r", path, e);
        if (!z) {
            fclose(f);
            if (tmp) { unlink(tmp); free(tmp); }
            return NULL;
        }
        f = z;
    }
    open_file *o = calloc(1, sizeof *o);
    char *p = strdup(path);
    if (!o || !p) {
        free(o); free(p);
        fclose(f);
        if (tmp) { unlink(tmp); free(tmp); }
        llm_fail(e, "%s: out of memory", path);
        return NULL;
    }
    o->f = f; o->path = p; o->tmp = tmp;
    pthread_mutex_lock(&open_lock);
    o->next = open_files;
    open_files = o;
    pthread_mutex_unlock(&open_lock);
    return f;
}

/* Remove f's entry from the open list; NULL if f was not opened by us. */
static open_file *take_open(FILE *f)
{
    pthread_mutex_lock(&open_lock);
    open_file **pp = &open_files, *o = NULL;
    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->f == f) {
            o = *pp;
            *pp = o->next;
            break;
        }
    }
    pthread_mutex_unlock(&open_lock);
    return o;
}

int llm_stream_close(FILE *f, llm_err *e)
{
    if (!f || f == stdin) return 0;
    if (f == stdout) {
        /* Not closed (the program may still print), but flushed so a full
         * disk shows up here rather than silently at exit. */
        errno = 0;
        int err = fflush(stdout) != 0 ? errno : 0;
        if (err || ferror(stdout))
            return llm_fail(e, "standard output: write error: %s", write_error(err));
        return 0;
    }
    open_file *o = take_open(f);
    if (o && !o->tmp) {   /* opened for reading: nothing to report */
        fclose(f);
        free(o->path); free(o);
        return 0;
    }
    const char *name = o ? o->path : "stream";
    int err = 0;
    errno = 0;
    bool bad = fflush(f) != 0;
    if (bad) err = errno;
    bad |= ferror(f) != 0;
    errno = 0;
    if (fclose(f) != 0) {
        bad = true;
        if (!err) err = errno;
    }
    int rc = 0;
    if (bad) {
        if (o) unlink(o->tmp);   /* keep what was there before */
        rc = llm_fail(e, "%s: write error: %s", name, write_error(err));
    } else if (o && rename(o->tmp, o->path) != 0) {
        rc = llm_fail(e, "%s: cannot rename %s into place: %s", name, o->tmp,
                      strerror(errno));
        unlink(o->tmp);
    }
    if (o) { free(o->path); free(o->tmp); free(o); }
    return rc;
}

/* ---- token stream: writing ---- */

/* The bytes a piece must escape: those that would break the line (TAB,
 * LF), the escape character, and every other control byte, so a token
 * stream stays printable. Bytes >= 0x80 (UTF-8) are written as they are. */
static bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '\\';
}

size_t llm_tok_escape(const char *s, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char buf[4];
        size_t m = 0;
        if (c == '\t') { buf[0] = '\\'; buf[1] = 't'; m = 2; }
        else if (c == '\n') { buf[0] = '\\'; buf[1] = 'n'; m = 2; }
        else if (c == '\\') { buf[0] = '\\'; buf[1] = '\\'; m = 2; }
        else if (needs_escape(c)) {
            buf[0] = '\\'; buf[1] = 'x'; buf[2] = hex[c >> 4]; buf[3] = hex[c & 15]; m = 4;
        } else { buf[0] = (char)c; m = 1; }
        for (size_t j = 0; j < m; j++, n++)
            if (out && n + 1 < cap) out[n] = buf[j];
    }
    if (out && cap > 0) out[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* A header value (tokenizer name) must be one word of printable bytes. */
static bool plain_word(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f) return false;
    return true;
}

int llm_tok_write_header(FILE *f, uint32_t vocab, const char *tokenizer,
                         uint32_t fingerprint)
{
    if (tokenizer && (!plain_word(tokenizer) || strlen(tokenizer) >= 32)) {
        errno = EINVAL;
        return -1;
    }
    fputs("#llm-tokens 1", f);
    if (vocab) fprintf(f, " vocab=%u", (unsigned)vocab);
    if (tokenizer && *tokenizer) fprintf(f, " tokenizer=%s", tokenizer);
    fprintf(f, " fingerprint=%08x\n", (unsigned)fingerprint);
    return ferror(f) ? -1 : 0;
}

int llm_tok_write(FILE *f, int32_t id, const char *piece, size_t piece_len,
                  const char *extra)
{
    if (id < 0) { errno = EINVAL; return -1; }
    fprintf(f, "%ld", (long)id);
    if (piece || (extra && *extra)) {
        putc('\t', f);
        for (size_t i = 0; piece && i < piece_len; i++) {
            char buf[5];
            size_t m = llm_tok_escape(piece + i, 1, buf, sizeof buf);
            fwrite(buf, 1, m, f);
        }
    }
    if (extra && *extra) {
        putc('\t', f);
        fputs(extra, f);
    }
    putc('\n', f);
    return ferror(f) ? -1 : 0;
}

int llm_tok_end_segment(FILE *f)
{
    /* The empty line means "compute now": flush it, or the reader at the
     * other end of a pipe would wait for it forever (the feedback loop). */
    putc('\n', f);
    if (fflush(f) != 0) return -1;
    return ferror(f) ? -1 : 0;
}

/* ---- token stream: reading ---- */

struct llm_tok_reader {
    FILE *f;
    char *name;
    char *line;          /* the current line, without its newline */
    size_t len, cap;
    char *piece;         /* unescaped piece of the current line */
    size_t piece_cap;
    uint64_t lineno;     /* 1-based number of the current line */
    uint64_t line_off;   /* byte offset of the current line's start */
    uint64_t consumed;   /* bytes read from f so far */
    llm_tok_header hdr;
};

llm_tok_reader *llm_tok_reader_new(FILE *f, const char *name)
{
    llm_tok_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->f = f;
    r->name = strdup(name ? name : "tokens");
    if (!r->name) { free(r); return NULL; }
    return r;
}

void llm_tok_reader_free(llm_tok_reader *r)
{
    if (!r) return;
    free(r->name);
    free(r->line);
    free(r->piece);
    free(r);
}

const llm_tok_header *llm_tok_reader_header(const llm_tok_reader *r) { return &r->hdr; }
uint64_t llm_tok_reader_line(const llm_tok_reader *r) { return r->lineno; }
uint64_t llm_tok_reader_offset(const llm_tok_reader *r) { return r->line_off; }

/* Fail naming the current line and the byte at column col of it. */
static int tok_fail(llm_tok_reader *r, llm_err *e, size_t col, const char *why)
{
    return llm_fail(e, "%s: line %llu (byte %llu): %s", r->name,
                    (unsigned long long)r->lineno,
                    (unsigned long long)(r->line_off + col), why);
}

/* Read one line into r->line (newline dropped, a CR before it too).
 * 1 = a line, 0 = end of input, -1 = error (read error, line too long).
 * A last line without a newline is still a line. */
static int read_line(llm_tok_reader *r, llm_err *e)
{
    r->len = 0;
    r->line_off = r->consumed;
    r->lineno++;
    int c;
    for (;;) {
        c = getc_unlocked(r->f);   /* POSIX; one reader per FILE */
        if (c == EOF) break;
        r->consumed++;
        if (c == '\n') break;
        if (r->len >= LLM_TOK_LINE_MAX) {
            char why[96];
            snprintf(why, sizeof why, "line longer than %u bytes (not a token stream?)",
                     LLM_TOK_LINE_MAX);
            return tok_fail(r, e, r->len, why);
        }
        if (r->len + 1 >= r->cap) {
            size_t nc = r->cap ? r->cap * 2 : 256;
            char *nl = realloc(r->line, nc);
            if (!nl) return tok_fail(r, e, r->len, "out of memory");
            r->line = nl;
            r->cap = nc;
        }
        r->line[r->len++] = (char)c;
    }
    if (c == EOF) {
        if (ferror(r->f)) {
            char why[160];
            int en = errno ? errno : EIO;
            snprintf(why, sizeof why, "read error: %s", en == EBADMSG ?
                     "corrupt or truncated compressed data" : strerror(en));
            return tok_fail(r, e, r->len, why);
        }
        if (r->len == 0) { r->lineno--; return 0; }
    }
    /* CRLF is tolerated: a raw CR never ends a real piece (the writer
     * escapes it as \x0d), so one before the newline is dropped. */
    if (r->len > 0 && r->line[r->len - 1] == '\r') r->len--;
    if (!r->line) {   /* an empty first line: give it a buffer anyway */
        r->line = malloc(256);
        if (!r->line) return tok_fail(r, e, 0, "out of memory");
        r->cap = 256;
    }
    r->line[r->len] = '\0';
    return 1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse the header fields in line[from..len) into h. */
static int parse_header(llm_tok_reader *r, size_t from, llm_tok_header *h, llm_err *e)
{
    const char *s = r->line;
    size_t i = from, n = r->len;
    bool have_version = false;
    memset(h, 0, sizeof *h);
    h->present = true;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= n) break;
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t') i++;
        size_t wl = i - start;
        const char *w = s + start;
        char why[200];
        if (!have_version) {
            have_version = true;
            if (wl == 1 && w[0] == '1') continue;
            snprintf(why, sizeof why, "unsupported token stream version '%.*s' "
                     "(this reader knows version 1)", (int)(wl > 20 ? 20 : wl), w);
            return tok_fail(r, e, start, why);
        }
        const char *eq = memchr(w, '=', wl);
        if (!eq || eq == w) {
            snprintf(why, sizeof why, "header field '%.*s' is not key=value",
                     (int)(wl > 40 ? 40 : wl), w);
            return tok_fail(r, e, start, why);
        }
        size_t kl = (size_t)(eq - w), vl = wl - kl - 1;
        const char *v = eq + 1;
        if (kl == 5 && memcmp(w, "vocab", 5) == 0) {
            uint64_t x = 0;
            bool okv = vl > 0 && vl <= 10;
            for (size_t j = 0; okv && j < vl; j++) {
                if (v[j] < '0' || v[j] > '9') okv = false;
                else x = x * 10 + (uint64_t)(v[j] - '0');
            }
            if (!okv || x > UINT32_MAX)
                return tok_fail(r, e, start, "vocab= must be a decimal number below 2^32");
            h->vocab = (uint32_t)x;
        } else if (kl == 9 && memcmp(w, "tokenizer", 9) == 0) {
            if (vl == 0 || vl >= sizeof h->tokenizer)
                return tok_fail(r, e, start, "tokenizer= must be 1 to 31 bytes");
            memcpy(h->tokenizer, v, vl);
            h->tokenizer[vl] = '\0';
        } else if (kl == 11 && memcmp(w, "fingerprint", 11) == 0) {
            uint32_t x = 0;
            bool okv = vl == 8;
            for (size_t j = 0; okv && j < vl; j++) {
                int d = hexval((unsigned char)v[j]);
                if (d < 0) okv = false;
                else x = x << 4 | (uint32_t)d;
            }
            if (!okv) return tok_fail(r, e, start, "fingerprint= must be 8 hex digits");
            h->has_fingerprint = true;
            h->fingerprint = x;
        }
        /* other keys: ignored, so later versions can add fields */
    }
    if (!have_version)
        return tok_fail(r, e, r->len, "#llm-tokens header without a version");
    return 0;
}

/* Is the current line a "#llm-tokens" header line? Returns the index just
 * after the word, or 0 if not. */
static size_t header_word(const llm_tok_reader *r)
{
    static const char w[] = "#llm-tokens";
    size_t n = sizeof w - 1;
    if (r->len < n || memcmp(r->line, w, n) != 0) return 0;
    if (r->len > n && r->line[n] != ' ' && r->line[n] != '\t') return 0;
    return n;
}

/* Unescape line[from..to) into r->piece. */
static int unescape_piece(llm_tok_reader *r, size_t from, size_t to, size_t *out_len,
                          llm_err *e)
{
    if (to - from + 1 > r->piece_cap) {
        size_t nc = to - from + 1;
        char *np = realloc(r->piece, nc);
        if (!np) return tok_fail(r, e, from, "out of memory");
        r->piece = np;
        r->piece_cap = nc;
    }
    const char *s = r->line;
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        if (s[i] != '\\') { r->piece[n++] = s[i]; continue; }
        if (i + 1 >= to) return tok_fail(r, e, i, "piece ends with a lone backslash");
        char c = s[i + 1];
        if (c == 't') { r->piece[n++] = '\t'; i++; }
        else if (c == 'n') { r->piece[n++] = '\n'; i++; }
        else if (c == '\\') { r->piece[n++] = '\\'; i++; }
        else if (c == 'x') {
            int h1 = i + 2 < to ? hexval((unsigned char)s[i + 2]) : -1;
            int h2 = i + 3 < to ? hexval((unsigned char)s[i + 3]) : -1;
            if (h1 < 0 || h2 < 0)
                return tok_fail(r, e, i, "\\x must be followed by two hex digits");
            r->piece[n++] = (char)(h1 << 4 | h2);
            i += 3;
        } else {
            char why[80];
            if ((unsigned char)c > ' ' && (unsigned char)c < 0x7f)
                snprintf(why, sizeof why, "invalid escape '\\%c' (valid: \\t \\n \\\\ \\xHH)", c);
            else
                snprintf(why, sizeof why, "invalid escape: byte 0x%02x after '\\' "
                         "(valid: \\t \\n \\\\ \\xHH)", (unsigned char)c);
            return tok_fail(r, e, i, why);
        }
    }
    r->piece[n] = '\0';
    *out_len = n;
    return 0;
}

int llm_tok_next(llm_tok_reader *r, int32_t *id, const char **piece,
                 size_t *piece_len, llm_err *e)
{
    /* set on every return, so a caller that looks at them after a segment
     * end or an error sees no piece rather than a stale pointer */
    if (piece) *piece = NULL;
    if (piece_len) *piece_len = 0;
    for (;;) {
        int rc = read_line(r, e);
        if (rc <= 0) return rc;
        const char *s = r->line;
        size_t n = r->len;
        if (n == 0) return 2;
        if (s[0] == '#') {
            size_t hw = header_word(r);
            if (hw && r->lineno == 1) {
                if (parse_header(r, hw, &r->hdr, e) != 0) return -1;
            } else if (hw && r->hdr.has_fingerprint) {
                /* A header further down comes from streams joined with cat;
                 * it is a comment, unless it says the tokens that follow
                 * come from another tokenizer. */
                llm_tok_header h2;
                llm_err ignored;
                if (parse_header(r, hw, &h2, &ignored) == 0 && h2.has_fingerprint &&
                    h2.fingerprint != r->hdr.fingerprint) {
                    char why[160];
                    snprintf(why, sizeof why, "header with fingerprint %08x, but the "
                             "stream began with %08x (tokens of another tokenizer)",
                             (unsigned)h2.fingerprint, (unsigned)r->hdr.fingerprint);
                    return tok_fail(r, e, 0, why);
                }
            }
            continue;
        }
        /* ID: decimal digits, 0..INT32_MAX */
        size_t i = 0;
        int64_t x = 0;
        if (s[0] < '0' || s[0] > '9') {
            char why[120];
            if ((unsigned char)s[0] > ' ' && (unsigned char)s[0] < 0x7f)
                snprintf(why, sizeof why, "expected a token id (decimal digits), found '%c'", s[0]);
            else
                snprintf(why, sizeof why, "expected a token id (decimal digits), found byte 0x%02x",
                         (unsigned char)s[0]);
            return tok_fail(r, e, 0, why);
        }
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            x = x * 10 + (s[i] - '0');
            if (x > INT32_MAX)
                return tok_fail(r, e, 0, "token id out of range (0..2147483647)");
            i++;
        }
        if (i < n && s[i] != '\t') {
            char why[120];
            if ((unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f)
                snprintf(why, sizeof why, "unexpected '%c' after the token id (fields are TAB separated)", s[i]);
            else
                snprintf(why, sizeof why, "unexpected byte 0x%02x after the token id "
                         "(fields are TAB separated)", (unsigned char)s[i]);
            return tok_fail(r, e, i, why);
        }
        *id = (int32_t)x;
        if (i >= n) return 1;
        /* PIECE: up to the next TAB; checked even if the caller skips it */
        size_t from = ++i;
        while (i < n && s[i] != '\t') i++;
        size_t plen = 0;
        if (unescape_piece(r, from, i, &plen, e) != 0) return -1;
        if (piece) *piece = r->piece;
        if (piece_len) *piece_len = plen;
        /* key=value fields: each needs a key; their values are the
         * caller's business (readers need only the id). */
        while (i < n) {
            size_t start = ++i;
            while (i < n && s[i] != '\t') i++;
            const char *eq = memchr(s + start, '=', i - start);
            if (!eq || eq == s + start) {
                char why[120];
                snprintf(why, sizeof why, "field '%.*s' is not key=value",
                         (int)(i - start > 40 ? 40 : i - start), s + start);
                return tok_fail(r, e, start, why);
            }
        }
        return 1;
    }
}
