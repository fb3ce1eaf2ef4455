/* cli.h: what every program in cmd/ shares: its name for messages, the one
 * error form ("llm-infer: model.gguf: tensor 'output.weight' missing"),
 * --version, and careful stdout handling. */
#ifndef LLM_CLI_H
#define LLM_CLI_H
#include <stdio.h>
#include "err.h"

extern const char *cli_prog;           /* set by cli_init */

/* Set the program name from argv[0] (and argv[0] to it, for getopt's
 * messages), and make a closed stdout (| head -1) end the program quietly
 * (SIGPIPE default action). */
void cli_init(char **argv);
/* Print "PROG: message" on stderr and exit with status (>0). */
void cli_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "PROG: e->msg" and exit with status. */
void cli_die_err(int status, const llm_err *e) __attribute__((noreturn));
/* "PROG: warning: ..." on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PROG (llm-tools) VERSION" on stdout and exit 0. */
void cli_version(void) __attribute__((noreturn));
/* Flush stdout and exit 0, or die with status 1 if writing failed
 * (a full disk: "write error: No space left on device"). */
void cli_finish_stdout(void) __attribute__((noreturn));
/* Parse numbers strictly: the whole string, in range; die naming OPT. */
long long cli_int(const char *opt, const char *s, long long min, long long max);
double cli_float(const char *opt, const char *s, double min, double max);

/* Exit statuses shared by all programs. */
enum { EXIT_USAGE = 2, EXIT_INPUT = 1 };
#endif
