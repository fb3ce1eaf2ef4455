/* chat.h: chat templates of the common model families, recognised from a
 * model's tokenizer.chat_template by distinctive substrings (no Jinja):
 *   chatml   <|im_start|>role\n...<|im_end|>\n        (Qwen, SmolLM-Instruct)
 *   zephyr   <|role|>\n...EOS\n                        (TinyLlama-Chat)
 *   llama2   [INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST] ... EOS   (Llama 2 chat)
 *   mistral  [INST] ... [/INST]...EOS                  (Mistral Instruct)
 * A conversation is text lines "system: ...", "user: ...", "assistant: ...";
 * lines without a role prefix continue the message before them. */
#ifndef LLM_CHAT_H
#define LLM_CHAT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum llm_chat_family { LLM_CHAT_NONE = 0, LLM_CHAT_CHATML, LLM_CHAT_ZEPHYR, LLM_CHAT_LLAMA2, LLM_CHAT_MISTRAL };

/* "chatml, zephyr, llama2, mistral", for messages. */
extern const char llm_chat_known[];

/* The family of a Jinja chat template, or LLM_CHAT_NONE. */
int llm_chat_detect(const char *tmpl);
/* The family called NAME ("chatml", ...), or LLM_CHAT_NONE. */
int llm_chat_by_name(const char *name);
const char *llm_chat_name(int family);

typedef struct llm_chat_msg {
    char *role;             /* "system", "user" or "assistant" */
    char *content;
} llm_chat_msg;

typedef struct llm_chat {
    llm_chat_msg *msgs;
    size_t n, cap;
} llm_chat;

/* Parse conversation text; NAME is for messages ("NAME: line N: why"). */
int llm_chat_parse(const char *text, size_t len, const char *name, llm_chat *out, llm_err *e);
/* Append a message (copies role and content). */
int llm_chat_add(llm_chat *c, const char *role, const char *content, size_t content_len, llm_err *e);
void llm_chat_free(llm_chat *c);

/* Format the conversation as FAMILY's template does, ending with the
 * assistant's opening when the last message is not the assistant's.
 * bos/eos are the model's BOS/EOS texts ("<s>", "</s>"). The leading BOS
 * is NOT written: the tokenizer adds it. Tokenize the result with
 * LLM_TOK_PARSE_SPECIAL. Returns a malloc'd string or NULL. */
char *llm_chat_format(int family, const llm_chat *c, const char *bos, const char *eos, llm_err *e);

#endif
