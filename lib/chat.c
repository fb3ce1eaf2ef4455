/* chat.c: format a conversation with a model family's chat template. */
#include "chat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char llm_chat_known[] = "chatml, zephyr, llama2, mistral";

int llm_chat_detect(const char *tmpl)
{
    if (!tmpl)
        return LLM_CHAT_NONE;
    if (strstr(tmpl, "<|im_start|>"))
        return LLM_CHAT_CHATML;
    if (strstr(tmpl, "<|user|>") && strstr(tmpl, "<|assistant|>") && !strstr(tmpl, "<|end|>"))
        return LLM_CHAT_ZEPHYR;
    if (strstr(tmpl, "[INST]") && strstr(tmpl, "<<SYS>>"))
        return LLM_CHAT_LLAMA2;
    if (strstr(tmpl, "[INST]"))
        return LLM_CHAT_MISTRAL;
    return LLM_CHAT_NONE;
}

static const char *const names[] = { "", "chatml", "zephyr", "llama2", "mistral" };

int llm_chat_by_name(const char *name)
{
    for (int i = 1; i < (int)(sizeof names / sizeof *names); i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return LLM_CHAT_NONE;
}

const char *llm_chat_name(int family)
{
    return family > 0 && family < (int)(sizeof names / sizeof *names) ? names[family] : "none";
}

int llm_chat_add(llm_chat *c, const char *role, const char *content, size_t content_len, llm_err *e)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        llm_chat_msg *m = realloc(c->msgs, cap * sizeof *m);
        if (!m)
            return llm_fail(e, "out of memory");
        c->msgs = m;
        c->cap = cap;
    }
    char *r = strdup(role), *t = malloc(content_len + 1);
    if (!r || !t) {
        free(r);
        free(t);
        return llm_fail(e, "out of memory");
    }
    memcpy(t, content, content_len);
    t[content_len] = 0;
    c->msgs[c->n++] = (llm_chat_msg){ r, t };
    return 0;
}

void llm_chat_free(llm_chat *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->msgs[i].role);
        free(c->msgs[i].content);
    }
    free(c->msgs);
    c->msgs = NULL;
    c->n = c->cap = 0;
}

/* Append text to the last message, joined by a newline. */
static int extend_last(llm_chat *c, const char *s, size_t n, llm_err *e)
{
    llm_chat_msg *m = &c->msgs[c->n - 1];
    size_t k = strlen(m->content);
    char *t = realloc(m->content, k + 1 + n + 1);
    if (!t)
        return llm_fail(e, "out of memory");
    t[k] = '\n';
    memcpy(t + k + 1, s, n);
    t[k + 1 + n] = 0;
    m->content = t;
    return 0;
}

int llm_chat_parse(const char *text, size_t len, const char *name, llm_chat *out, llm_err *e)
{
    static const char *const roles[] = { "system", "user", "assistant" };
    size_t line = 0;
    for (size_t pos = 0; pos < len; ) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        if (n && s[n - 1] == '\r')
            n--;
        line++;
        pos = nl ? end + 1 : len;
        const char *role = NULL;
        size_t skip = 0;
        for (size_t r = 0; r < 3; r++) {
            size_t rl = strlen(roles[r]);
            if (n > rl && memcmp(s, roles[r], rl) == 0 && s[rl] == ':') {
                role = roles[r];
                skip = rl + 1 + (n > rl + 1 && s[rl + 1] == ' ');
                break;
            }
        }
        if (role) {
            if (llm_chat_add(out, role, s + skip, n - skip, e))
                return -1;
        } else if (out->n) {
            if (extend_last(out, s, n, e))
                return -1;
        } else if (n) {
            return llm_fail(e, "%s: line %zu: expected 'system: ', 'user: ' or 'assistant: ' at the start", name, line);
        }
    }
    /* trailing blank lines are not part of the last message */
    for (size_t i = 0; i < out->n; i++) {
        char *c = out->msgs[i].content;
        size_t k = strlen(c);
        while (k && c[k - 1] == '\n')
            c[--k] = 0;
    }
    if (out->n == 0)
        return llm_fail(e, "%s: no messages (lines 'user: ...')", name);
    return 0;
}

/* ---- a growable string ---- */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int bad;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* Content without leading/trailing whitespace (Llama 2's .strip()). */
static void put_stripped(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    while (n && strchr(" \t\r\n", *s)) {
        s++;
        n--;
    }
    put(b, s, n);
}

char *llm_chat_format(int family, const llm_chat *c, const char *bos, const char *eos, llm_err *e)
{
    sbuf b = { 0 };
    put(&b, "", 0);
    bool gen = c->n == 0 || strcmp(c->msgs[c->n - 1].role, "assistant") != 0;
    const char *system = NULL;
    bool first_user = true;
    switch (family) {
    case LLM_CHAT_CHATML:
        for (size_t i = 0; i < c->n; i++) {
            puts_(&b, "<|im_start|>");
            puts_(&b, c->msgs[i].role);
            puts_(&b, "\n");
            puts_(&b, c->msgs[i].content);
            puts_(&b, "<|im_end|>\n");
        }
        if (gen)
            puts_(&b, "<|im_start|>assistant\n");
        break;
    case LLM_CHAT_ZEPHYR:
        for (size_t i = 0; i < c->n; i++) {
            puts_(&b, "<|");
            puts_(&b, c->msgs[i].role);
            puts_(&b, "|>\n");
            puts_(&b, c->msgs[i].content);
            puts_(&b, eos);
            puts_(&b, "\n");
        }
        if (gen)
            puts_(&b, "<|assistant|>\n");
        break;
    case LLM_CHAT_LLAMA2:
    case LLM_CHAT_MISTRAL:
        for (size_t i = 0; i < c->n; i++) {
            const llm_chat_msg *m = &c->msgs[i];
            if (strcmp(m->role, "system") == 0) {
                system = m->content;   /* folded into the next user message */
                continue;
            }
            if (strcmp(m->role, "user") == 0) {
                if (!first_user)
                    puts_(&b, bos);
                puts_(&b, "[INST] ");
                if (system && family == LLM_CHAT_LLAMA2) {
                    puts_(&b, "<<SYS>>\n");
                    puts_(&b, system);
                    puts_(&b, "\n<</SYS>>\n\n");
                } else if (system) {
                    puts_(&b, system);
                    puts_(&b, "\n\n");
                }
                system = NULL;
                if (family == LLM_CHAT_LLAMA2)
                    put_stripped(&b, m->content);
                else
                    puts_(&b, m->content);
                puts_(&b, " [/INST]");
                first_user = false;
            } else {
                if (family == LLM_CHAT_LLAMA2) {
                    puts_(&b, " ");
                    put_stripped(&b, m->content);
                    puts_(&b, " ");
                } else {
                    puts_(&b, m->content);
                }
                puts_(&b, eos);
            }
        }
        if (system) {
            free(b.p);
            llm_fail(e, "%s template: a system message must come before a user message", llm_chat_name(family));
            return NULL;
        }
        break;
    default:
        free(b.p);
        llm_fail(e, "unknown chat template family (known: %s)", llm_chat_known);
        return NULL;
    }
    if (b.bad) {
        free(b.p);
        llm_fail(e, "out of memory");
        return NULL;
    }
    return b.p;
}
