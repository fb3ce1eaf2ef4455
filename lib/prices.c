/* prices.c: the cloud price table shipped with llm-cost, and the price
 * file format of --prices FILE (man/llm-cost.1, PRICE FILES):
 *
 *   # comment
 *   NAME  USD_IN_PER_1M  USD_OUT_PER_1M  [CHECKED  [SOURCE...]]
 *
 * fields separated by TABs or spaces, CHECKED a date YYYY-MM-DD (or "-"),
 * SOURCE the rest of the line. */
#include "cost.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* List prices in USD per 1M tokens as published by each vendor, at the
 * date given (the date the price is known from, not a live check). Prices
 * change: pass --prices FILE with today's, or --price-in/--price-out. The
 * first three are the models of the motivating scenario (issue 8). */
const llm_price llm_prices_shipped[] = {
    {"gpt-3.5-turbo", 0.50, 1.50, "2024-01-25", "https://openai.com/api/pricing (gpt-3.5-turbo-0125, list price at that date)"},
    {"claude-3.5-sonnet", 3.00, 15.00, "2024-06-20", "https://www.anthropic.com/pricing (list price at that date)"},
    {"gpt-4", 30.00, 60.00, "2023-03-14", "https://openai.com/api/pricing (gpt-4 8k context, list price at that date)"},
    {"gpt-4o", 2.50, 10.00, "2024-08-06", "https://openai.com/api/pricing (gpt-4o-2024-08-06, list price at that date)"},
    {"gpt-4o-mini", 0.15, 0.60, "2024-07-18", "https://openai.com/api/pricing (list price at that date)"},
    {"gpt-4.1", 2.00, 8.00, "2025-04-14", "https://openai.com/api/pricing (list price at that date)"},
    {"gpt-4.1-mini", 0.40, 1.60, "2025-04-14", "https://openai.com/api/pricing (list price at that date)"},
    {"gpt-4.1-nano", 0.10, 0.40, "2025-04-14", "https://openai.com/api/pricing (list price at that date)"},
    {"gpt-5", 1.25, 10.00, "2025-08-07", "https://openai.com/api/pricing (list price at that date)"},
    {"gpt-5-mini", 0.25, 2.00, "2025-08-07", "https://openai.com/api/pricing (list price at that date)"},
    {"claude-3-haiku", 0.25, 1.25, "2024-03-13", "https://www.anthropic.com/pricing (list price at that date)"},
    {"claude-sonnet-4", 3.00, 15.00, "2025-05-22", "https://www.anthropic.com/pricing (list price at that date)"},
    {"claude-opus-4", 15.00, 75.00, "2025-05-22", "https://www.anthropic.com/pricing (list price at that date)"},
    {"gemini-1.5-flash", 0.075, 0.30, "2024-08-12", "https://ai.google.dev/pricing (prompts up to 128k tokens, list price at that date)"},
    {"gemini-2.0-flash", 0.10, 0.40, "2025-02-05", "https://ai.google.dev/pricing (text input, list price at that date)"},
};
const size_t llm_prices_shipped_n = sizeof llm_prices_shipped / sizeof llm_prices_shipped[0];

int llm_prices_init(llm_price_table *t, llm_err *e)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < llm_prices_shipped_n; i++)
        if (llm_prices_add(t, &llm_prices_shipped[i], e) < 0) {
            llm_prices_free(t);
            return -1;
        }
    return 0;
}

const llm_price *llm_prices_find(const llm_price_table *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcasecmp(t->v[i].name, name) == 0) return &t->v[i];
    return NULL;
}

int llm_prices_add(llm_price_table *t, const llm_price *p, llm_err *e)
{
    llm_price *old = (llm_price *)llm_prices_find(t, p->name);
    if (old) {
        *old = *p;
        return 0;
    }
    if (t->n >= LLM_PRICES_MAX_ENTRIES)
        return llm_fail(e, "more than %d prices", LLM_PRICES_MAX_ENTRIES);
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        llm_price *v = realloc(t->v, cap * sizeof *v);
        if (!v) return llm_fail(e, "out of memory for the price table");
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *p;
    return 0;
}

void llm_prices_free(llm_price_table *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Next whitespace-separated field of line[*pos..len): sets *f, *flen and
 * advances *pos; returns 0 when the line has no more fields. */
static int next_field(const char *line, size_t len, size_t *pos,
                      const char **f, size_t *flen)
{
    size_t i = *pos;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len) return 0;
    size_t j = i;
    while (j < len && line[j] != ' ' && line[j] != '\t') j++;
    *f = line + i;
    *flen = j - i;
    *pos = j;
    return 1;
}

/* Parse a price field (what is "input price" or "output price"): a finite
 * decimal number in 0..1e6. */
static int parse_price(const char *f, size_t flen, double *out, const char *what,
                       const char *name, size_t lineno, llm_err *e)
{
    char buf[64], q[200];
    if (flen >= sizeof buf)
        return llm_fail(e, "%s: line %zu: %s '%s' is not a number", name, lineno, what,
                        llm_cost_quote(q, sizeof q, f, flen));
    memcpy(buf, f, flen);
    buf[flen] = 0;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end || errno == ERANGE || !isfinite(v))
        return llm_fail(e, "%s: line %zu: %s '%s' is not a number", name, lineno, what,
                        llm_cost_quote(q, sizeof q, f, flen));
    if (v < 0 || v > 1e6)
        return llm_fail(e, "%s: line %zu: %s %s is out of range (0..1000000 USD per 1M tokens)",
                        name, lineno, what, buf);
    *out = v;
    return 0;
}

/* A date YYYY-MM-DD with month 01..12 and day 01..31. */
static int is_date(const char *f, size_t n)
{
    if (n != 10 || f[4] != '-' || f[7] != '-') return 0;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)f[i])) return 0;
    int mo = (f[5] - '0') * 10 + (f[6] - '0'), d = (f[8] - '0') * 10 + (f[9] - '0');
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

/* Parse one non-comment line into *p. */
static int parse_line(const char *line, size_t len, llm_price *p,
                      const char *name, size_t lineno, llm_err *e)
{
    memset(p, 0, sizeof *p);
    size_t pos = 0, flen;
    const char *f;
    next_field(line, len, &pos, &f, &flen);        /* the caller saw a field */
    char q[200];
    if (flen >= sizeof p->name)
        return llm_fail(e, "%s: line %zu: name '%s' is longer than %zu bytes",
                        name, lineno, llm_cost_quote(q, sizeof q, f, flen), sizeof p->name - 1);
    memcpy(p->name, f, flen);
    for (size_t i = 0; i < flen; i++)
        if ((unsigned char)f[i] < 0x21 || f[i] == 0x7f)
            return llm_fail(e, "%s: line %zu: name '%s' has a control byte", name, lineno,
                            llm_cost_quote(q, sizeof q, f, flen));
    if (!next_field(line, len, &pos, &f, &flen))
        return llm_fail(e, "%s: line %zu: '%s' has no input price (want NAME IN OUT [DATE [SOURCE]])",
                        name, lineno, p->name);
    if (parse_price(f, flen, &p->in_per_m, "input price", name, lineno, e) < 0) return -1;
    if (!next_field(line, len, &pos, &f, &flen))
        return llm_fail(e, "%s: line %zu: '%s' has no output price (want NAME IN OUT [DATE [SOURCE]])",
                        name, lineno, p->name);
    if (parse_price(f, flen, &p->out_per_m, "output price", name, lineno, e) < 0) return -1;
    if (!next_field(line, len, &pos, &f, &flen)) return 0;
    if (!(flen == 1 && f[0] == '-')) {
        if (!is_date(f, flen))
            return llm_fail(e, "%s: line %zu: date '%s' is not YYYY-MM-DD (or '-')",
                            name, lineno, llm_cost_quote(q, sizeof q, f, flen));
        memcpy(p->checked, f, flen);
    }
    while (pos < len && (line[pos] == ' ' || line[pos] == '\t')) pos++;
    size_t end = len;
    while (end > pos && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;
    if (end - pos >= sizeof p->source)
        return llm_fail(e, "%s: line %zu: source is longer than %zu bytes",
                        name, lineno, sizeof p->source - 1);
    for (size_t i = pos; i < end; i++)
        if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
            return llm_fail(e, "%s: line %zu: source has a control byte", name, lineno);
    memcpy(p->source, line + pos, end - pos);
    return 0;
}

int llm_prices_parse(llm_price_table *t, const char *text, size_t len,
                     const char *name, llm_err *e)
{
    /* Parse into a scratch table first so a bad file adds nothing. */
    llm_price_table add = {0};
    size_t lineno = 0, off = 0;
    while (off < len) {
        lineno++;
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
        const char *line = text + off;
        off += n + (nl ? 1 : 0);
        if (n > LLM_PRICES_MAX_LINE) {
            llm_prices_free(&add);
            return llm_fail(e, "%s: line %zu: longer than %d bytes", name, lineno, LLM_PRICES_MAX_LINE);
        }
        if (memchr(line, 0, n)) {
            llm_prices_free(&add);
            return llm_fail(e, "%s: line %zu: NUL byte (not a text file?)", name, lineno);
        }
        if (n && line[n - 1] == '\r') n--;          /* tolerate CRLF files */
        size_t pos = 0, flen;
        const char *f;
        if (!next_field(line, n, &pos, &f, &flen) || f[0] == '#') continue;
        llm_price p;
        if (parse_line(line, n, &p, name, lineno, e) < 0 || llm_prices_add(&add, &p, e) < 0) {
            llm_prices_free(&add);
            return -1;
        }
    }
    for (size_t i = 0; i < add.n; i++)
        if (llm_prices_add(t, &add.v[i], e) < 0) {
            llm_prices_free(&add);
            return llm_wrap(e, "%s", name);
        }
    llm_prices_free(&add);
    return 0;
}

int llm_prices_load(llm_price_table *t, const char *path, llm_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return llm_fail(e, "%s: %s", path, strerror(errno));
    char *buf = malloc(LLM_PRICES_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return llm_fail(e, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, LLM_PRICES_MAX_FILE + 1, f);
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    int rc;
    if (bad)
        rc = llm_fail(e, "%s: read error: %s", path, strerror(saved));
    else if (n > LLM_PRICES_MAX_FILE)
        rc = llm_fail(e, "%s: larger than %d bytes: not a price file", path, LLM_PRICES_MAX_FILE);
    else
        rc = llm_prices_parse(t, buf, n, path, e);
    free(buf);
    return rc;
}
