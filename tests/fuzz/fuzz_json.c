/* fuzz_json.c: the JSON parser on arbitrary bytes; a parsed tree is walked
 * whole (every string and key read to its length) and queried through the
 * typed getters. */
#include <stdint.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

/* Touch every byte the tree claims to hold. */
static void walk(const json_val *v, int depth)
{
    if (v->key) for (size_t i = 0; i <= v->key_len; i++) sink += (unsigned char)v->key[i];
    sink += (unsigned)strlen(json_type_name(v->type));
    switch (v->type) {
    case JSON_STRING:
        for (size_t i = 0; i <= v->str.len; i++) sink += (unsigned char)v->str.s[i];
        break;
    case JSON_NUMBER:
        sink += v->num.is_int ? (unsigned)v->num.i : (unsigned)(v->num.d == v->num.d);
        break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        if (depth > JSON_MAX_DEPTH + 1) __builtin_trap();   /* the parser promised a bound */
        for (size_t i = 0; i < v->arr.n; i++) walk(&v->arr.items[i], depth + 1);
        if (v->type == JSON_OBJECT) {
            sink += (unsigned)json_get_int(v, "id", -1) + json_get_bool(v, "special", false);
            const char *s = json_get_str(v, "type", "");
            sink += (unsigned)strlen(s);
            if (v->arr.n && v->arr.items[0].key) sink += json_get(v, v->arr.items[0].key) != NULL;
        }
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    llm_err e;
    json_doc *d = json_parse((const char *)data, size, "fuzz.json", &e);
    if (!d) {
        sink += (unsigned)strlen(e.msg);
        return 0;
    }
    walk(json_root(d), 0);
    json_free(d);
    return 0;
}
