/* cli.c: shared front-end helpers for the programs in cmd/ (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *cli_prog = "llm";

void cli_init(char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    cli_prog = slash ? slash + 1 : argv[0];
    /* getopt names the program by argv[0] in its messages: the name, as
     * every other message here, not the path it was run by */
    argv[0] = (char *)cli_prog;
    signal(SIGPIPE, SIG_DFL);
}

void cli_die(int status, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

void cli_die_err(int status, const llm_err *e)
{
    cli_die(status, "%s", e->msg);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: warning: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_version(void)
{
    printf("%s (llm-tools) %s\n", cli_prog, LLM_VERSION);
    cli_finish_stdout();
}

void cli_finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        cli_die(1, "write error on standard output: %s", strerror(errno ? errno : EIO));
    exit(0);
}

long long cli_int(const char *opt, const char *s, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE)
        cli_die(EXIT_USAGE, "%s: '%s' is not an integer", opt, s);
    if (v < min || v > max)
        cli_die(EXIT_USAGE, "%s: %s is out of range (%lld..%lld)", opt, s, min, max);
    return v;
}

double cli_float(const char *opt, const char *s, double min, double max)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        cli_die(EXIT_USAGE, "%s: '%s' is not a number", opt, s);
    if (v < min || v > max)
        cli_die(EXIT_USAGE, "%s: %s is out of range (%g..%g)", opt, s, min, max);
    return v;
}
