/* llm-quantize: rewrite a model's weights in another type, choosing the
 * type of each tensor as llama.cpp's llama-quantize does; or convert a
 * llama2.c checkpoint or a Hugging Face safetensors folder to GGUF. */
#include "cli.h"
#include "convert.h"
#include "dtype.h"
#include "gguf.h"
#include "pool.h"
#include "quantize.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: llm-quantize [options] IN.gguf OUT.gguf TYPE\n"
        "       llm-quantize [options] --from llama2c MODEL.bin TOKENIZER.bin OUT.gguf [TYPE]\n"
        "       llm-quantize [options] --from safetensors DIR OUT.gguf [TYPE]\n"
        "       llm-quantize [options] --from vocab DIR|tokenizer.json OUT.gguf\n"
        "Write a model with its weights in TYPE, choosing each tensor's type as\n"
        "llama.cpp's llama-quantize does. Converted models stay F32 (llama2.c)\n"
        "or keep their types (safetensors) unless TYPE is given.\n"
        "\n"
        "TYPE: %s\n"
        "\n"
        "  --pure                every weight in TYPE (no mix rules; row-length fallbacks stay)\n"
        "  --tensor-type RE=T    tensors whose name matches the extended regex RE get type T\n"
        "                        (repeatable; the first match wins)\n"
        "  --tensor-type-file F  REGEX=TYPE words from file F\n"
        "  --output-type T       type of output.weight (also --output-tensor-type)\n"
        "  --embd-type T         type of token_embd.weight (also --token-embedding-type)\n"
        "  --report              print each tensor's error (RMSE and max error relative to\n"
        "                        the tensor's RMS) and totals per type on stdout\n"
        "  --ctx N               llama2c: the context length to record (default: the\n"
        "                        checkpoint's seq_len)\n"
        "  -t, --threads N       threads (default: all CPUs)\n"
        "  -q, --quiet           no warnings about fallbacks\n"
        "  -h, --help            this help\n"
        "      --version         print the version\n"
        "Output goes to a temporary file renamed into place; the input is never\n"
        "overwritten; an interrupted run leaves nothing behind.\n",
        llm_mix_names());
}

/* A tensor type by name for the options (q4_K, f16, ...); dies if unknown. */
static uint32_t type_arg(const char *opt, const char *s)
{
    int t = llm_type_by_name(s);
    if (t < 0 || t == LLM_Q8_1 || t == LLM_Q8_K)
        cli_die(EXIT_USAGE, "%s: unknown tensor type '%s' (f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 "
                "q2_K q3_K q4_K q5_K q6_K)", opt, s);
    return (uint32_t)t;
}

/* Add a REGEX=TYPE override (split at the first '=', the pattern
 * lowercased, as llama-quantize does); dies on a malformed one. arg is
 * kept (patterns point into it). */
static void add_override(llm_qoverride **ov, int *n, const char *opt, char *arg)
{
    char *eq = arg ? strchr(arg, '=') : NULL;
    if (!eq || eq == arg || !eq[1]) cli_die(EXIT_USAGE, "%s: want REGEX=TYPE, got '%s'", opt, arg ? arg : "");
    *eq = 0;
    for (char *c = arg; *c; c++) *c = (char)tolower((unsigned char)*c);
    regex_t re;
    int rc = regcomp(&re, arg, REG_EXTENDED | REG_NOSUB);
    if (rc) {
        char why[200];
        regerror(rc, &re, why, sizeof why);
        cli_die(EXIT_USAGE, "%s: bad regular expression '%s': %s", opt, arg, why);
    }
    regfree(&re);
    if (!(*ov = realloc(*ov, (size_t)(*n + 1) * sizeof **ov))) cli_die(EXIT_INPUT, "out of memory");
    (*ov)[*n].pattern = arg;
    (*ov)[*n].type = type_arg(opt, eq + 1);
    (*n)++;
}

static int quiet;

static void on_note(void *ctx, const char *msg)
{
    (void)ctx;
    if (!quiet) cli_warn("%s", msg);
}

static void on_progress(void *ctx, uint64_t i, uint64_t n, const char *name)
{
    (void)ctx;
    fprintf(stderr, "\r\033[K[%llu/%llu] %s", (unsigned long long)i + 1, (unsigned long long)n, name);
    if (i + 1 == n) fputc('\n', stderr);
}

/* ---- the report ------------------------------------------------------ */

static void report(const llm_qstat *st, uint64_t n)
{
    printf("%-40s %-5s %-5s %12s %10s %10s\n", "tensor", "from", "to", "elements", "rmse/rms", "max/rms");
    typedef struct { double sse, ss, mx, n, bytes; int count; } acc;
    acc by[LLM_TYPE_MAX + 1];
    memset(by, 0, sizeof by);
    double in_bytes = 0, out_bytes = 0, elems = 0, sse = 0, ss = 0;
    for (uint64_t i = 0; i < n; i++) {
        const llm_qstat *s = &st[i];
        double rms = s->n ? sqrt(s->ss / (double)s->n) : 0;
        if (s->measured) {
            printf("%-40s %-5s %-5s %12lld %10.6f %10.6f%s\n", s->name, llm_type(s->from)->name,
                   llm_type(s->to)->name, (long long)s->n, s->ss > 0 ? sqrt(s->sse / s->ss) : 0.0,
                   rms > 0 ? s->max_err / rms : 0.0, s->fallback ? "  (fallback)" : "");
        } else {
            printf("%-40s %-5s %-5s %12lld %10s %10s\n", s->name, llm_type(s->from)->name,
                   llm_type(s->to)->name, (long long)s->n, "-", "-");
        }
        acc *a = &by[s->to <= LLM_TYPE_MAX ? s->to : LLM_TYPE_MAX];
        a->count++;
        a->n += (double)s->n;
        a->bytes += (double)s->bytes_out;
        a->sse += s->sse;
        a->ss += s->measured ? s->ss : 0;
        if (s->measured && rms > 0 && s->max_err / rms > a->mx) a->mx = s->max_err / rms;
        in_bytes += (double)s->bytes_in;
        out_bytes += (double)s->bytes_out;
        elems += (double)s->n;
        sse += s->sse;
        ss += s->measured ? s->ss : 0;
    }
    printf("\n%-6s %8s %14s %12s %8s %10s %10s\n", "type", "tensors", "elements", "MiB", "bpw", "rmse/rms", "max/rms");
    for (int t = 0; t <= LLM_TYPE_MAX; t++) {
        const acc *a = &by[t];
        if (!a->count) continue;
        if (a->ss > 0)
            printf("%-6s %8d %14.0f %12.3f %8.3f %10.6f %10.6f\n", llm_type((uint32_t)t)->name, a->count,
                   a->n, a->bytes / 1048576.0, 8 * a->bytes / a->n, sqrt(a->sse / a->ss), a->mx);
        else
            printf("%-6s %8d %14.0f %12.3f %8.3f %10s %10s\n", llm_type((uint32_t)t)->name, a->count,
                   a->n, a->bytes / 1048576.0, 8 * a->bytes / a->n, "-", "-");
    }
    printf("%-6s %8llu %14.0f %12.3f %8.3f %10.6f\n", "total", (unsigned long long)n, elems,
           out_bytes / 1048576.0, elems > 0 ? 8 * out_bytes / elems : 0.0, ss > 0 ? sqrt(sse / ss) : 0.0);
    printf("input %.3f MiB (%.3f bpw) -> output %.3f MiB (%.3f bpw)\n", in_bytes / 1048576.0,
           elems > 0 ? 8 * in_bytes / elems : 0.0, out_bytes / 1048576.0, elems > 0 ? 8 * out_bytes / elems : 0.0);
}

/* ---- main ------------------------------------------------------------ */

/* Die unless OUT is a new path or a file other than every input. */
static void check_out(const char *out, const char *const *ins, int n)
{
    for (int i = 0; i < n; i++)
        if (gguf_same_file(out, ins[i]))
            cli_die(EXIT_INPUT, "%s: is the input file %s; refusing to overwrite it", out, ins[i]);
}

/* Die if OUT is one of the files in folder DIR (or DIR is a file and OUT is it). */
static void check_out_dir(const char *out, const char *dir)
{
    check_out(out, &dir, 1);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d))) {
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (de->d_name[0] != '.' && gguf_same_file(out, path))
            cli_die(EXIT_INPUT, "%s: is the input file %s; refusing to overwrite it", out, path);
    }
    closedir(d);
}

static int mix_arg(const char *s)
{
    int f = llm_mix_by_name(s);
    if (f < 0) cli_die(EXIT_USAGE, "unknown type '%s'; valid: %s", s, llm_mix_names());
    return f;
}

int main(int argc, char **argv)
{
    cli_init(argv);
    enum { O_PURE = 256, O_TT, O_TTF, O_OUT, O_EMBD, O_REPORT, O_FROM, O_CTX, O_VERSION };
    static const struct option opts[] = {
        { "pure", no_argument, 0, O_PURE }, { "tensor-type", required_argument, 0, O_TT },
        { "tensor-type-file", required_argument, 0, O_TTF },
        { "output-type", required_argument, 0, O_OUT }, { "embd-type", required_argument, 0, O_EMBD },
        /* llama-quantize's spellings */
        { "output-tensor-type", required_argument, 0, O_OUT }, { "token-embedding-type", required_argument, 0, O_EMBD },
        { "report", no_argument, 0, O_REPORT }, { "from", required_argument, 0, O_FROM },
        { "ctx", required_argument, 0, O_CTX },
        { "threads", required_argument, 0, 't' }, { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' }, { "version", no_argument, 0, O_VERSION }, { 0, 0, 0, 0 },
    };
    llm_qparams p;
    llm_qparams_init(&p);
    p.n_threads = llm_ncpu();
    llm_qoverride *ov = NULL;
    const char *from = NULL;
    long long n_ctx = 0;
    int c;
    while ((c = getopt_long(argc, argv, "t:qh", opts, NULL)) != -1) {
        switch (c) {
        case O_PURE: p.pure = true; break;
        case O_TT: add_override(&ov, &p.n_overrides, "--tensor-type", optarg); break;
        case O_TTF: {
            /* llama-quantize's --tensor-type-file: REGEX=TYPE words */
            FILE *fp = fopen(optarg, "r");
            if (!fp) cli_die(EXIT_INPUT, "%s: %s", optarg, strerror(errno));
            char word[1024];
            while (fscanf(fp, "%1023s", word) == 1) add_override(&ov, &p.n_overrides, optarg, strdup(word));
            fclose(fp);
            break;
        }
        case O_OUT: p.output_type = (int)type_arg("--output-type", optarg); break;
        case O_EMBD: p.embd_type = (int)type_arg("--embd-type", optarg); break;
        case O_REPORT: p.report = true; break;
        case O_FROM: from = optarg; break;
        case O_CTX: n_ctx = cli_int("--ctx", optarg, 1, UINT32_MAX); break;
        case 't': p.n_threads = (int)cli_int("-t", optarg, 1, 256); break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); cli_finish_stdout();
        case O_VERSION: cli_version();
        default: usage(stderr); exit(EXIT_USAGE);
        }
    }
    p.overrides = ov;
    p.note = on_note;
    if (isatty(2)) p.progress = on_progress;
    char **a = argv + optind;
    int na = argc - optind;

    llm_err e = { { 0 } };
    gguf_writer *w = gguf_writer_new();
    if (!w) cli_die(EXIT_INPUT, "out of memory");
    gguf_file *f = NULL;
    llm_convert *cv = NULL;
    llm_qsrc src = { 0 };
    const char *out;
    if (!from) {
        if (na != 3) { fprintf(stderr, "%s: expected IN.gguf OUT.gguf TYPE, got %d argument%s\n", cli_prog, na, na == 1 ? "" : "s"); usage(stderr); exit(EXIT_USAGE); }
        p.ftype = mix_arg(a[2]);
        out = a[1];
        check_out(out, (const char *const *)a, 1);
        if (!(f = gguf_open(a[0], &e))) cli_die_err(EXIT_INPUT, &e);
        const gguf_kv *al = gguf_find(f, "general.alignment");
        if (al && gguf_writer_set_alignment(w, f->alignment, &e) < 0) cli_die_err(EXIT_INPUT, &e);
        if (llm_qsrc_from_gguf(&src, f, &e) < 0 || llm_quant_copy_kv(w, f, &e) < 0) cli_die_err(EXIT_INPUT, &e);
    } else if (!strcmp(from, "llama2c")) {
        if (na != 3 && na != 4) cli_die(EXIT_USAGE, "--from llama2c: want MODEL.bin TOKENIZER.bin OUT.gguf [TYPE]");
        out = a[2];
        if (na == 4) p.ftype = mix_arg(a[3]);
        check_out(out, (const char *const *)a, 2);
        if (!(cv = llm_convert_llama2c(a[0], a[1], (uint32_t)n_ctx, w, &src, &e))) cli_die_err(EXIT_INPUT, &e);
    } else if (!strcmp(from, "safetensors")) {
        if (na != 2 && na != 3) cli_die(EXIT_USAGE, "--from safetensors: want DIR OUT.gguf [TYPE]");
        out = a[1];
        if (na == 3) p.ftype = mix_arg(a[2]);
        check_out_dir(out, a[0]);
        if (!(cv = llm_convert_safetensors(a[0], w, &src, &e))) cli_die_err(EXIT_INPUT, &e);
    } else if (!strcmp(from, "vocab")) {
        if (na != 2) cli_die(EXIT_USAGE, "--from vocab: want DIR|tokenizer.json OUT.gguf");
        out = a[1];
        check_out_dir(out, a[0]);
        if (!(cv = llm_convert_vocab(a[0], w, &e))) cli_die_err(EXIT_INPUT, &e);
    } else {
        cli_die(EXIT_USAGE, "--from: unknown format '%s' (llama2c, safetensors, vocab)", from);
    }
    /* a converted model keeps the converter's tensor order unless it is quantized */
    p.keep_order = from && p.ftype < 0;

    llm_qstat *st = calloc(src.n_tensors + 1, sizeof *st);
    if (!st) cli_die(EXIT_INPUT, "out of memory");
    gguf_cleanup_on_signals();
    /* past a file size limit, fail the write (and remove the temporary
     * file) instead of dying with a partial file left behind */
    signal(SIGXFSZ, SIG_IGN);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (llm_quantize_write(&src, w, out, &p, st, &e) < 0) cli_die_err(EXIT_INPUT, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    double in_b = 0, out_b = 0;
    int nfall = 0;
    for (uint64_t i = 0; i < src.n_tensors; i++) {
        in_b += (double)st[i].bytes_in;
        out_b += (double)st[i].bytes_out;
        nfall += st[i].fallback;
    }
    if (nfall && !quiet)
        cli_warn("%d of %llu tensors fell back to another type (row length)", nfall,
                 (unsigned long long)src.n_tensors);
    if (p.report) report(st, src.n_tensors);
    if (isatty(2))
        fprintf(stderr, "%s: %.2f MiB -> %.2f MiB in %.2f s (%.1f MB/s of input)\n", out,
                in_b / 1048576.0, out_b / 1048576.0, secs, secs > 0 ? in_b / 1e6 / secs : 0.0);
    free(st);
    free(ov);
    if (f) llm_qsrc_free(&src);
    gguf_close(f);
    llm_convert_free(cv);
    gguf_writer_free(w);
    cli_finish_stdout();
}
