/* t.h: a minimal harness for the C unit tests (tests/unit/test_*.c).
 * Each check prints "ok NAME" or "FAIL NAME: why"; tests/run.sh counts them. */
#ifndef LLM_TEST_T_H
#define LLM_TEST_T_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed;
#define T_OK(name) printf("ok %s\n", (name))
#define T_FAIL(name, ...) do { printf("FAIL %s: ", (name)); printf(__VA_ARGS__); printf("\n"); t_failed++; } while (0)
#define T_SKIP(name, ...) do { printf("skip %s: ", (name)); printf(__VA_ARGS__); printf("\n"); } while (0)
/* T_CHECK(name, cond, fmt, ...): the message is printed only on failure */
#define T_CHECK(name, cond, ...) do { if (cond) T_OK(name); else T_FAIL(name, __VA_ARGS__); } while (0)
/* Where the shared models are (MODELS env, else ../shared/models). */
static inline const char *t_models(void) { const char *m = getenv("MODELS"); return m ? m : "../shared/models"; }
static inline int t_exit(void) { return t_failed ? 1 : 0; }
#endif
