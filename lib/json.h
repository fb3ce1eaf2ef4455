/* json.h: a small, strict, bounds-checked JSON parser (RFC 8259) into a
 * read-only tree. For tokenizer.json, config.json and safetensors headers.
 *
 * The whole tree lives in one arena freed by json_free. Strings are
 * unescaped (\uXXXX with surrogate pairs to UTF-8), NUL-terminated, and
 * may contain NUL bytes (use len). Nesting deeper than JSON_MAX_DEPTH, a
 * lone surrogate, a control byte inside a string, trailing data and
 * anything else malformed are errors: "NAME: offset N: why". */
#ifndef LLM_JSON_H
#define LLM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JSON_MAX_DEPTH 256

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

typedef struct json_val json_val;
struct json_val {
    int type;                  /* enum json_type */
    const char *key;           /* member name when inside an object, else NULL */
    size_t key_len;
    union {
        bool b;                /* JSON_BOOL */
        struct {
            double d;          /* JSON_NUMBER: the value */
            int64_t i;         /* exact when is_int */
            bool is_int;       /* written as an integer that fits int64 */
        } num;
        struct {
            const char *s;     /* JSON_STRING, NUL-terminated */
            size_t len;
        } str;
        struct {
            json_val *items;   /* JSON_ARRAY elements / JSON_OBJECT members */
            size_t n;
        } arr;
    };
    uint64_t offset;           /* byte offset in the text, for messages */
};

typedef struct json_doc json_doc;

/* Parse text[0..len). NAME is used in messages. Returns NULL on error. */
json_doc *json_parse(const char *text, size_t len, const char *name, llm_err *e);
/* Read and parse a whole file. */
json_doc *json_parse_file(const char *path, llm_err *e);
void json_free(json_doc *d);
const json_val *json_root(const json_doc *d);

/* Member of an object by name (the first if repeated); NULL if v is not an
 * object or has no such member. */
const json_val *json_get(const json_val *v, const char *key);
/* Member as a string / integer, or the fallback when absent or of another type. */
const char *json_get_str(const json_val *v, const char *key, const char *fallback);
int64_t json_get_int(const json_val *v, const char *key, int64_t fallback);
bool json_get_bool(const json_val *v, const char *key, bool fallback);
const char *json_type_name(int type);

#endif
