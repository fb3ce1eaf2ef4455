/* tok_json.c: a tokenizer from a Hugging Face tokenizer.json (model type
 * BPE, byte-level), laid out as llama.cpp's converter would put it in a
 * GGUF: vocab ids, added tokens (special -> control, others -> user
 * defined unless they look special), gaps filled with unused [PADn]. */
#include "json.h"
#include "tok_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pre-tokenizer regexes we recognise, as tokenizer.json writes them. */
static const struct { const char *regex; int kind; const char *name; } known_regex[] = {
    { "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      PRE_QWEN2, "qwen2" },
    { "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      PRE_LLAMA3, "llama-bpe" },
    { "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", PRE_GPT2, "gpt-2" },
    { "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)", PRE_GPT2, "gpt-2" },
};

/* Find the pre-tokenizer: a Split with a known Regex (alone or in a
 * Sequence), or a bare ByteLevel with use_regex (GPT-2's own regex). */
static int find_pre(const json_val *pt, const char **name, const char **regex)
{
    if (!pt || pt->type != JSON_OBJECT)
        return PRE_NONE;
    const char *type = json_get_str(pt, "type", "");
    if (strcmp(type, "Sequence") == 0) {
        const json_val *list = json_get(pt, "pretokenizers");
        if (!list || list->type != JSON_ARRAY)
            return PRE_NONE;
        int kind = PRE_NONE;
        for (size_t i = 0; i < list->arr.n; i++) {
            int k = find_pre(&list->arr.items[i], name, regex);
            if (k != PRE_NONE && kind == PRE_NONE)
                kind = k;
            else if (k != PRE_NONE && !(k == PRE_GPT2 && strcmp(json_get_str(&list->arr.items[i], "type", ""), "ByteLevel") == 0))
                return PRE_NONE;   /* two regexes: not one we know */
        }
        return kind;
    }
    if (strcmp(type, "Split") == 0) {
        const char *re = json_get_str(json_get(pt, "pattern"), "Regex", NULL);
        if (!re)
            return PRE_NONE;
        *regex = re;
        for (size_t i = 0; i < sizeof known_regex / sizeof *known_regex; i++)
            if (strcmp(re, known_regex[i].regex) == 0) {
                *name = known_regex[i].name;
                return known_regex[i].kind;
            }
        return PRE_NONE;
    }
    if (strcmp(type, "ByteLevel") == 0 && json_get_bool(pt, "use_regex", true)) {
        *name = "gpt-2";
        return PRE_GPT2;
    }
    return PRE_NONE;
}

/* llama.cpp's converter: added tokens not marked special still become
 * control tokens when they look like <|...|>. */
static bool looks_special(const char *s, size_t n)
{
    if (n >= 4 && strncmp(s, "<|", 2) == 0 && strncmp(s + n - 2, "|>", 2) == 0)
        return true;
    return (n == 5 && memcmp(s, "<pad>", 5) == 0) || (n == 6 && memcmp(s, "<mask>", 6) == 0);
}

/* A special token named in tokenizer_config.json: "text" or {"content": "text"}. */
static int32_t config_token(const llm_tokenizer *t, const json_val *cfg, const char *key)
{
    const json_val *v = json_get(cfg, key);
    const char *s = NULL;
    if (v && v->type == JSON_STRING)
        s = v->str.s;
    else if (v && v->type == JSON_OBJECT)
        s = json_get_str(v, "content", NULL);
    return s ? tok_lookup(t, s, strlen(s)) : -2;   /* -2: not given */
}

/* Read the tokenizer_config.json beside PATH, if there is one: the same
 * folder's tokenizer_config.json, or PATH with its "tokenizer.json" ending
 * changed to "tokenizer_config.json". It gives the BOS/EOS tokens, whether
 * BOS/EOS are added, and the chat template. */
static int read_config(llm_tokenizer *t, const char *path, llm_err *e)
{
    size_t n = strlen(path);
    char *cfg = malloc(n + 32);
    if (!cfg)
        return llm_fail(e, "out of memory");
    const char *end = "tokenizer.json";
    size_t el = strlen(end);
    FILE *f = NULL;
    if (n >= el && strcmp(path + n - el, end) == 0) {
        snprintf(cfg, n + 32, "%.*stokenizer_config.json", (int)(n - el), path);
        f = fopen(cfg, "rb");
    }
    if (!f) {
        const char *slash = strrchr(path, '/');
        snprintf(cfg, n + 32, "%.*stokenizer_config.json", slash ? (int)(slash - path + 1) : 0, path);
        f = fopen(cfg, "rb");
    }
    if (!f) {
        free(cfg);
        return 0;
    }
    fclose(f);
    json_doc *d = json_parse_file(cfg, e);
    if (!d) {
        free(cfg);
        return -1;
    }
    const json_val *r = json_root(d);
    int rc = 0;
    if (r->type != JSON_OBJECT) {
        rc = llm_fail(e, "%s: not a JSON object", cfg);
        goto done;
    }
    int32_t id = config_token(t, r, "bos_token");
    if (id != -2)
        t->bos = id;
    id = config_token(t, r, "eos_token");
    if (id != -2)
        t->eos = id;
    t->add_bos = json_get_bool(r, "add_bos_token", t->add_bos) && t->bos >= 0;
    t->add_eos = json_get_bool(r, "add_eos_token", t->add_eos) && t->eos >= 0;
    const json_val *ct = json_get(r, "chat_template");
    const char *tmpl = NULL;
    if (ct && ct->type == JSON_STRING) {
        tmpl = ct->str.s;
    } else if (ct && ct->type == JSON_ARRAY) {   /* [{"name": "default", "template": ...}] */
        for (size_t i = 0; i < ct->arr.n && !tmpl; i++)
            if (strcmp(json_get_str(&ct->arr.items[i], "name", ""), "default") == 0)
                tmpl = json_get_str(&ct->arr.items[i], "template", NULL);
    }
    if (tmpl && !(t->chat_template = strdup(tmpl)))
        rc = llm_fail(e, "out of memory");
done:
    json_free(d);
    free(cfg);
    return rc;
}

llm_tokenizer *llm_tokenizer_from_json(const char *path, llm_err *e)
{
    json_doc *doc = json_parse_file(path, e);
    if (!doc)
        return NULL;
    llm_tokenizer *t = NULL;
    const json_val *root = json_root(doc);
    const json_val *model = json_get(root, "model");
    const json_val *vocab = json_get(model, "vocab");
    const json_val *merges = json_get(model, "merges");
    const json_val *added = json_get(root, "added_tokens");
    const char *mtype = json_get_str(model, "type", NULL);
    if (!model || model->type != JSON_OBJECT) {
        llm_fail(e, "%s: no \"model\" object (not a tokenizer.json?)", path);
        goto fail;
    }
    if (!mtype || strcmp(mtype, "BPE") != 0) {
        llm_fail(e, "%s: model type '%s' is not supported (only BPE)", path, mtype ? mtype : "(none)");
        goto fail;
    }
    if (!vocab || vocab->type != JSON_OBJECT || vocab->arr.n == 0) {
        llm_fail(e, "%s: model.vocab is missing or not an object", path);
        goto fail;
    }
    if (!merges || merges->type != JSON_ARRAY) {
        llm_fail(e, "%s: model.merges is missing or not an array", path);
        goto fail;
    }
    if (added && added->type != JSON_ARRAY) {
        llm_fail(e, "%s: added_tokens is not an array", path);
        goto fail;
    }
    const char *pre_name = NULL, *regex = NULL;
    int pre_kind = find_pre(json_get(root, "pre_tokenizer"), &pre_name, &regex);
    if (pre_kind == PRE_NONE) {
        llm_fail(e, "%s: pre_tokenizer not recognised%s%.80s%s (known: %s)", path,
                 regex ? " (regex '" : "", regex ? regex : "", regex ? "...')" : "", pretok_known);
        goto fail;
    }
    /* ids: the largest id + 1 */
    int64_t max_id = -1;
    for (int pass = 0; pass < 2; pass++) {
        const json_val *list = pass ? added : vocab;
        for (size_t i = 0; list && i < list->arr.n; i++) {
            const json_val *v = &list->arr.items[i];
            int64_t id = pass ? json_get_int(v, "id", -1) : (v->type == JSON_NUMBER && v->num.is_int ? v->num.i : -1);
            if (id < 0 || id >= (1 << 24)) {
                llm_fail(e, "%s: offset %llu: token id missing or out of range", path, (unsigned long long)v->offset);
                goto fail;
            }
            if (pass && json_get_str(v, "content", NULL) == NULL) {
                llm_fail(e, "%s: offset %llu: added token without a \"content\" string", path, (unsigned long long)v->offset);
                goto fail;
            }
            if (id > max_id)
                max_id = id;
        }
    }
    int32_t n = (int32_t)max_id + 1;
    t = tok_alloc(KIND_BPE, n, e);
    if (!t)
        goto fail;
    t->pre_kind = pre_kind;
    snprintf(t->pre, sizeof t->pre, "%s", pre_name);
    bool *set = calloc((size_t)n, 1);
    if (!set) {
        llm_fail(e, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < vocab->arr.n; i++) {
        const json_val *v = &vocab->arr.items[i];
        int32_t id = (int32_t)v->num.i;
        if (tok_set(t, id, v->key, v->key_len, 0.0f, TT_NORMAL, e)) {
            free(set);
            goto fail;
        }
        set[id] = true;
    }
    for (size_t i = 0; added && i < added->arr.n; i++) {
        const json_val *v = &added->arr.items[i];
        const json_val *c = json_get(v, "content");
        int32_t id = (int32_t)json_get_int(v, "id", 0);
        bool special = json_get_bool(v, "special", false) || looks_special(c->str.s, c->str.len);
        if (tok_set(t, id, c->str.s, c->str.len, 0.0f, special ? TT_CONTROL : TT_USER, e)) {
            free(set);
            goto fail;
        }
        set[id] = true;
    }
    for (int32_t id = 0; id < n; id++) {
        if (!set[id]) {
            char pad[32];
            int k = snprintf(pad, sizeof pad, "[PAD%ld]", (long)id);
            if (tok_set(t, id, pad, (size_t)k, 0.0f, TT_UNUSED, e)) {
                free(set);
                goto fail;
            }
        }
    }
    free(set);
    if (tok_index(t, e) || tok_reserve_merges(t, merges->arr.n, e))
        goto fail;
    for (size_t i = 0; i < merges->arr.n; i++) {
        const json_val *m = &merges->arr.items[i];
        if (m->type == JSON_STRING) {
            size_t sp = 1;
            while (sp < m->str.len && m->str.s[sp] != ' ')
                sp++;
            if (m->str.len < 3 || sp >= m->str.len) {
                llm_fail(e, "%s: offset %llu: merge is not \"a b\"", path, (unsigned long long)m->offset);
                goto fail;
            }
            if (tok_add_merge(t, m->str.s, sp, m->str.s + sp + 1, m->str.len - sp - 1, e))
                goto fail;
        } else if (m->type == JSON_ARRAY && m->arr.n == 2 && m->arr.items[0].type == JSON_STRING &&
                   m->arr.items[1].type == JSON_STRING) {
            const json_val *a = &m->arr.items[0], *b = &m->arr.items[1];
            if (tok_add_merge(t, a->str.s, a->str.len, b->str.s, b->str.len, e))
                goto fail;
        } else {
            llm_fail(e, "%s: offset %llu: merge is neither \"a b\" nor [a, b]", path, (unsigned long long)m->offset);
            goto fail;
        }
    }
    /* special ids: not in tokenizer.json itself (tokenizer_config.json has
     * them); take the usual texts. No BOS is added. */
    t->add_bos = false;
    t->add_eos = false;
    t->add_space_prefix = false;
    t->clean_spaces = pre_kind == PRE_GPT2 || pre_kind == PRE_DEFAULT;
    t->ignore_merges = pre_kind == PRE_LLAMA3 || json_get_bool(model, "ignore_merges", false);
    static const char *eos_texts[] = { "<|endoftext|>", "<|end_of_text|>", "</s>" };
    for (size_t i = 0; i < 3 && t->eos < 0; i++)
        t->eos = tok_lookup(t, eos_texts[i], strlen(eos_texts[i]));
    static const char *bos_texts[] = { "<|begin_of_text|>", "<s>" };
    for (size_t i = 0; i < 2 && t->bos < 0; i++)
        t->bos = tok_lookup(t, bos_texts[i], strlen(bos_texts[i]));
    if (t->bos >= 0 && pre_kind == PRE_LLAMA3)
        t->add_bos = true;
    if (read_config(t, path, e))
        goto fail;
    if (tok_finish(t, e))
        goto fail;
    json_free(doc);
    return t;
fail:
    llm_tokenizer_free(t);
    json_free(doc);
    return NULL;
}
