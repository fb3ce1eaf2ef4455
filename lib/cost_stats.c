/* cost_stats.c: parse the "#llm-stats key=value ..." line that
 * llm-infer --stats and --bench write (see cost.h), for llm-cost. */
#include "cost.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *key;
    unsigned bit;
    size_t off;            /* offset of the double in llm_stats */
} keys[] = {
    {"threads", LLM_STAT_THREADS, offsetof(llm_stats, threads)},
    {"prompt_tokens", LLM_STAT_PROMPT_TOKENS, offsetof(llm_stats, prompt_tokens)},
    {"prompt_s", LLM_STAT_PROMPT_S, offsetof(llm_stats, prompt_s)},
    {"gen_tokens", LLM_STAT_GEN_TOKENS, offsetof(llm_stats, gen_tokens)},
    {"gen_s", LLM_STAT_GEN_S, offsetof(llm_stats, gen_s)},
    {"pp_tps", LLM_STAT_PP_TPS, offsetof(llm_stats, pp_tps)},
    {"tg_tps", LLM_STAT_TG_TPS, offsetof(llm_stats, tg_tps)},
    {"load_s", LLM_STAT_LOAD_S, offsetof(llm_stats, load_s)},
    {"rss_bytes", LLM_STAT_RSS_BYTES, offsetof(llm_stats, rss_bytes)},
};

#define TAG "#llm-stats"

const char *llm_cost_quote(char *out, size_t cap, const char *s, size_t n)
{
    size_t j = 0, i = 0;
    for (; i < n && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (j + 5 + 4 >= cap) break;               /* room for \xHH and "..." */
        if (c >= 0x20 && c < 0x7f) out[j++] = (char)c;
        else j += (size_t)snprintf(out + j, cap - j, "\\x%02x", c);
    }
    if (i < n && j + 4 <= cap) { memcpy(out + j, "...", 3); j += 3; }
    out[j] = 0;
    return out;
}

int llm_stats_parse(const char *line, size_t len, llm_stats *s, llm_err *e)
{
    memset(s, 0, sizeof *s);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    size_t taglen = strlen(TAG);
    if (len < taglen || memcmp(line, TAG, taglen) != 0 ||
        (len > taglen && line[taglen] != ' ' && line[taglen] != '\t'))
        return llm_fail(e, "stats line does not start with '%s'", TAG);
    size_t pos = taglen;
    int first = 1;
    while (pos < len) {
        while (pos < len && (line[pos] == ' ' || line[pos] == '\t')) pos++;
        if (pos == len) break;
        size_t start = pos;
        while (pos < len && line[pos] != ' ' && line[pos] != '\t') pos++;
        const char *f = line + start;
        size_t flen = pos - start;
        const char *eq = memchr(f, '=', flen);
        if (!eq) {
            /* A format version right after the tag ("#llm-stats 1 ...")
             * is accepted; any other bare word is not. */
            int digits = flen > 0 && flen < 4;
            for (size_t i = 0; i < flen && digits; i++) digits = f[i] >= '0' && f[i] <= '9';
            if (first && digits) { first = 0; continue; }
            char q[200];
            return llm_fail(e, "stats line: '%s' is not key=value", llm_cost_quote(q, sizeof q, f, flen));
        }
        first = 0;
        size_t klen = (size_t)(eq - f), vlen = flen - klen - 1;
        const char *v = eq + 1;
        if (klen == 5 && memcmp(f, "model", 5) == 0) {
            if (vlen >= sizeof s->model)
                return llm_fail(e, "stats line: model name longer than %zu bytes", sizeof s->model - 1);
            memcpy(s->model, v, vlen);
            s->model[vlen] = 0;
            s->have |= LLM_STAT_MODEL;
            continue;
        }
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            if (strlen(keys[k].key) != klen || memcmp(keys[k].key, f, klen) != 0) continue;
            char buf[64], q[200];
            if (vlen == 0 || vlen >= sizeof buf)
                return llm_fail(e, "stats line: %s='%s' is not a number", keys[k].key,
                                llm_cost_quote(q, sizeof q, v, vlen));
            memcpy(buf, v, vlen);
            buf[vlen] = 0;
            char *end;
            errno = 0;
            double d = strtod(buf, &end);
            if (end == buf || *end || errno == ERANGE || !isfinite(d))
                return llm_fail(e, "stats line: %s='%s' is not a number", keys[k].key,
                                llm_cost_quote(q, sizeof q, buf, vlen));
            if (d < 0)
                return llm_fail(e, "stats line: %s=%s is negative", keys[k].key, buf);
            *(double *)((char *)s + keys[k].off) = d;
            s->have |= keys[k].bit;
            break;
        }
    }
    /* Speeds from counts and times when the writer gave only those. */
    if (!(s->have & LLM_STAT_PP_TPS) && (s->have & LLM_STAT_PROMPT_TOKENS) &&
        (s->have & LLM_STAT_PROMPT_S) && s->prompt_s > 0 && s->prompt_tokens > 0) {
        s->pp_tps = s->prompt_tokens / s->prompt_s;
        s->have |= LLM_STAT_PP_TPS;
    }
    if (!(s->have & LLM_STAT_TG_TPS) && (s->have & LLM_STAT_GEN_TOKENS) &&
        (s->have & LLM_STAT_GEN_S) && s->gen_s > 0 && s->gen_tokens > 0) {
        s->tg_tps = s->gen_tokens / s->gen_s;
        s->have |= LLM_STAT_TG_TPS;
    }
    return 0;
}
