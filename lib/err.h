/* err.h: how libcore reports errors.
 *
 * A library call that can fail takes an llm_err* last, returns 0 (or a
 * count/pointer) on success and -1 (or NULL) on failure, with e->msg saying
 * what, where (file, byte offset, tensor name) and why. Only cmd/ prints.
 * Passing e == NULL is allowed: the message is then dropped. */
#ifndef LLM_ERR_H
#define LLM_ERR_H

#include <stddef.h>

typedef struct llm_err {
    char msg[1024];
} llm_err;

/* Format the message into e (if not NULL). Always returns -1, so a caller
 * can write `return llm_fail(e, "...")`. */
int llm_fail(llm_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix an existing message: "PREFIX: old message". Returns -1. */
int llm_wrap(llm_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define LLM_VERSION "0.1.0"

#endif
