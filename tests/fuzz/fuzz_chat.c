/* fuzz_chat.c: conversations (llm-tokenize --chat) and chat templates
 * (tokenizer.chat_template, from the model file) on arbitrary input. Byte
 * 0 picks the template family; the rest is parsed as a conversation and
 * formatted, and is also given to the template detector as a template. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int family = 1 + data[0] % 4;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char *z = malloc(len + 1);
    if (!z) return 0;
    memcpy(z, text, len);
    z[len] = 0;
    int detected = llm_chat_detect(z);
    (void)llm_chat_name(detected);
    (void)llm_chat_by_name(z);
    free(z);
    llm_chat c = { 0 };
    llm_err e;
    if (llm_chat_parse(text, len, "fuzz", &c, &e) == 0) {
        char *s = llm_chat_format(family, &c, "<s>", "</s>", &e);
        free(s);
        if (detected != LLM_CHAT_NONE) {
            s = llm_chat_format(detected, &c, "", "<|im_end|>", &e);
            free(s);
        }
    }
    llm_chat_free(&c);
    return 0;
}
