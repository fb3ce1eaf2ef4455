/* llm-infer: the transformer forward pass as a pipeline stage. Reads a
 * token stream, writes generated tokens (-n), logits (--logits,
 * --all-logits), intermediate tensors (--dump), a perplexity
 * (--perplexity) or a benchmark line (--bench). The model is
 * lib/model.c + lib/forward.c; sampling is lib/sampler.c, the same code
 * and options as llm-sample. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sample_opts.h"
#include "matmul.h"
#include "model.h"
#include "pool.h"
#include "rng.h"
#include "sampler.h"
#include "stream.h"
#include "tokenizer.h"

static void usage(FILE *out)
{
    fprintf(out,
"usage: llm-infer -m MODEL.gguf [MODE] [OPTIONS] < TOKENS\n"
"Run a llama-family or Qwen2 model over a token stream (stdin).\n"
"\n"
"Modes (one):\n"
"  -n, --n-predict N      generate up to N tokens after each segment (a token\n"
"                         stream, one line per token, flushed)\n"
"  --logits               logits of the last position of each segment (tensor stream)\n"
"  --all-logits           logits of every position\n"
"  --perplexity           perplexity of the input, in chunks of the context size\n"
"  --dump PATTERNS        intermediate tensors whose names match (comma-separated\n"
"                         fnmatch patterns, e.g. 'blk.0.*,result_norm')\n"
"  --bench                a synthetic prompt of -p tokens, then -n generated\n"
"\n"
"Options:\n"
"  -m, --model FILE       the GGUF model (required)\n"
"  -c, --ctx-size N       context positions (default: the model's, at most 4096)\n"
"  -t, --threads N        threads (default: the number of CPUs)\n"
"  --top K                logits: write the K largest only (enc=top)\n"
"  --raw                  logits/dump: raw little-endian floats (enc=raw)\n"
"  --ignore-eos           -n: do not stop at end-of-generation tokens\n"
"  --ppl-skip K           perplexity: score only from position K+1 of each chunk\n"
"  --stats                one #llm-stats line on stderr at the end\n"
"  -p N                   bench: prompt tokens (128)\n"
"  -r N                   bench: repetitions, the median is reported (1)\n"
"  --reference            float matrix products (dequantized weights): slower\n"
"  --no-mmap              load all weights into memory (huge pages): slower\n"
"                         to start, faster to generate (F16: a tenth)\n"
"\n"
"Sampling (-n), as llm-sample:\n"
"  --temp T               temperature (0.8); 0 or less: greedy\n"
"  --top-k K              keep the K most likely (40); 0: off\n"
"  --top-p P              nucleus (0.95); 1: off\n"
"  --min-p P              keep p >= P * max p (0.05); 0: off\n"
"  --typical P            locally typical sampling (1.0 = off)\n"
"  --repeat-penalty X     penalize repeated tokens (1.0 = off)\n"
"  --repeat-last-n N      tokens the penalties look back over (64); 0: off; -1: all\n"
"  --frequency-penalty X  logit -= X * count (0.0)\n"
"  --presence-penalty X   logit -= X if count > 0 (0.0)\n"
"  --samplers LIST        order, ';'-separated (penalties;top_k;typ_p;top_p;min_p;temperature)\n"
"  -s, --seed N           random seed (-1 or absent: pick one, print it on stderr)\n"
"\n"
"  -h, --help             this text\n"
"  --version              print the version\n");
}

enum {
    OPT_LOGITS = 256, OPT_ALL_LOGITS, OPT_PPL, OPT_DUMP, OPT_BENCH, OPT_TOP, OPT_RAW,
    OPT_IGNORE_EOS, OPT_PPL_SKIP, OPT_STATS, OPT_REFERENCE, OPT_NO_MMAP, OPT_VERSION,
};

static const struct option longopts[] = {
    {"model", required_argument, NULL, 'm'},
    {"n-predict", required_argument, NULL, 'n'},
    {"logits", no_argument, NULL, OPT_LOGITS},
    {"all-logits", no_argument, NULL, OPT_ALL_LOGITS},
    {"perplexity", no_argument, NULL, OPT_PPL},
    {"dump", required_argument, NULL, OPT_DUMP},
    {"bench", no_argument, NULL, OPT_BENCH},
    {"ctx-size", required_argument, NULL, 'c'},
    {"threads", required_argument, NULL, 't'},
    {"top", required_argument, NULL, OPT_TOP},
    {"raw", no_argument, NULL, OPT_RAW},
    {"ignore-eos", no_argument, NULL, OPT_IGNORE_EOS},
    {"ppl-skip", required_argument, NULL, OPT_PPL_SKIP},
    {"stats", no_argument, NULL, OPT_STATS},
    {"reference", no_argument, NULL, OPT_REFERENCE},
    {"no-mmap", no_argument, NULL, OPT_NO_MMAP},
    SAMPLE_LONGOPTS,
    {"seed", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

enum mode { M_NONE, M_GEN, M_LOGITS, M_ALL, M_PPL, M_DUMP, M_BENCH };

/* Everything a mode needs, in one place. */
typedef struct run {
    const char *model_path;
    llm_model *m;
    llm_tokenizer *tok;        /* NULL if the model has none */
    llm_pool *pool;
    llm_ctx *ctx;
    int n_threads;
    int32_t n_vocab;
    int enc;                   /* logits/dump encoding */
    int64_t top_k;
    bool ignore_eos;
    float *logits;             /* n_vocab */
    /* stats */
    double load_s, prompt_s, gen_s;
    int64_t prompt_tokens, gen_tokens;
    /* dump */
    char **patterns;
    int n_patterns;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void write_failed(void)
{
    cli_die(EXIT_INPUT, "write error on standard output: %s", strerror(errno ? errno : EIO));
}

static void flush_out(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        write_failed();
}

/* ---- input ---------------------------------------------------------------- */

/* Token input with the checks every mode shares: header against the
 * model's tokenizer, ids against the vocabulary. */
typedef struct input {
    llm_tok_reader *r;
    const run *R;
    bool checked_header;
} input;

static void check_header(input *in)
{
    const llm_tok_header *h = llm_tok_reader_header(in->r);
    in->checked_header = true;
    if (!h->present)
        return;
    if (h->vocab && (int64_t)h->vocab != in->R->n_vocab)
        cli_die(EXIT_INPUT, "stdin: token stream for a vocabulary of %u, but %s has %d tokens",
                h->vocab, in->R->model_path, in->R->n_vocab);
    if (in->R->tok && h->has_fingerprint &&
        h->fingerprint != llm_tokenizer_fingerprint(in->R->tok))
        cli_die(EXIT_INPUT, "stdin: token stream is from another tokenizer (fingerprint %08x, %s has %08x)",
                (unsigned)h->fingerprint, in->R->model_path,
                (unsigned)llm_tokenizer_fingerprint(in->R->tok));
}

/* Next item: 1 token, 2 end of segment, 0 end of input (errors exit). */
static int next_token(input *in, int32_t *id)
{
    llm_err e;
    int rc = llm_tok_next(in->r, id, NULL, NULL, &e);
    if (rc < 0)
        cli_die_err(EXIT_INPUT, &e);
    if (!in->checked_header && rc != 0)
        check_header(in);
    if (rc == 1 && *id >= in->R->n_vocab)
        cli_die(EXIT_INPUT, "stdin: line %" PRIu64 ": token id %d is outside the vocabulary of %s (0..%d)",
                llm_tok_reader_line(in->r), *id, in->R->model_path, in->R->n_vocab - 1);
    return rc;
}

/* A growing array of token ids. */
typedef struct toks {
    int32_t *v;
    int64_t n, cap;
} toks;

static void toks_push(toks *t, int32_t id)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->v = realloc(t->v, (size_t)t->cap * sizeof *t->v);
        if (!t->v)
            cli_die(EXIT_INPUT, "out of memory");
    }
    t->v[t->n++] = id;
}

/* Append the tokens of one segment to t. Returns false at the end of
 * input with nothing read. */
static bool read_segment_append(input *in, toks *t)
{
    int64_t start = t->n;
    int32_t id;
    int rc;
    while ((rc = next_token(in, &id)) == 1)
        toks_push(t, id);
    return rc == 2 || t->n > start;
}

/* Read one segment into t (cleared first). */
static bool read_segment(input *in, toks *t)
{
    t->n = 0;
    return read_segment_append(in, t);
}

/* ---- forward with error reporting ------------------------------------------- */

static void forward_last(run *R, const int32_t *ids, int64_t n)
{
    llm_err e;
    if (n > INT32_MAX || llm_forward(R->ctx, ids, (int32_t)n, R->logits, &e) < 0)
        cli_die_err(EXIT_INPUT, &e);
}

/* ---- -n: generation ----------------------------------------------------------- */

static void write_token(const run *R, int32_t id)
{
    size_t len = 0;
    const char *piece = R->tok ? llm_tokenizer_piece(R->tok, id, &len) : NULL;
    if (llm_tok_write(stdout, id, piece, len, NULL) < 0 || fflush(stdout) != 0)
        write_failed();
}

static void write_token_header(const run *R)
{
    int rc = R->tok ? llm_tok_write_header(stdout, (uint32_t)R->n_vocab, llm_tokenizer_model(R->tok),
                                           llm_tokenizer_fingerprint(R->tok))
                    : fprintf(stdout, "#llm-tokens 1 vocab=%d\n", R->n_vocab) < 0 ? -1 : 0;
    if (rc < 0)
        write_failed();
}

/* Each segment is appended to the context, then up to n_predict tokens are
 * generated. The last generated token is fed to the model when the next
 * segment comes, so the conversation stays whole. */
static void mode_generate(run *R, input *in, long long n_predict, llm_sampler *s)
{
    write_token_header(R);
    flush_out();
    toks seg = {0};
    int32_t pending = -1;
    while (true) {
        seg.n = 0;
        if (pending >= 0)
            toks_push(&seg, pending);
        int64_t have = seg.n;
        if (!read_segment_append(in, &seg))
            break;
        if (seg.n == have)
            continue;
        for (int64_t i = have; i < seg.n; i++)
            llm_sampler_accept(s, seg.v[i]);
        pending = -1;
        double t0 = now_s();
        forward_last(R, seg.v, seg.n);
        double t1 = now_s();
        R->prompt_s += t1 - t0;
        R->prompt_tokens += seg.n;
        for (long long g = 0; g < n_predict; g++) {
            llm_err e;
            int32_t id = llm_sampler_sample(s, R->logits, R->n_vocab, &e);
            if (id < 0)
                cli_die_err(EXIT_INPUT, &e);
            llm_sampler_accept(s, id);
            write_token(R, id);
            R->gen_tokens++;
            bool eog = R->tok && !R->ignore_eos && llm_tokenizer_is_eog(R->tok, id);
            if (eog || g + 1 == n_predict) {
                pending = id;
                break;
            }
            forward_last(R, &id, 1);
        }
        R->gen_s += now_s() - t1;
        if (llm_tok_end_segment(stdout) < 0)
            write_failed();
        flush_out();
    }
    free(seg.v);
}

/* ---- --logits, --all-logits --------------------------------------------------- */

static void write_logits(const run *R, int32_t pos, const float *lg)
{
    int64_t shape[1] = { R->n_vocab };
    if (llm_tensor_write(stdout, "logits", shape, 1, pos, lg, R->enc, R->top_k) < 0)
        write_failed();
}

static int each_logits(void *ud, int32_t pos, const float *lg, llm_err *e)
{
    write_logits(ud, pos, lg);
    return 0;
}

/* Compute each segment as soon as it ends; flush after every record so a
 * sampler downstream can answer, and never read past a segment's end. */
static void mode_logits(run *R, input *in, bool all)
{
    toks seg = {0};
    while (read_segment(in, &seg)) {
        if (seg.n == 0)
            continue;
        double t0 = now_s();
        llm_err e;
        if (all) {
            if (seg.n > INT32_MAX ||
                llm_forward_each(R->ctx, seg.v, (int32_t)seg.n, each_logits, R, &e) < 0)
                cli_die_err(EXIT_INPUT, &e);
        } else {
            forward_last(R, seg.v, seg.n);
            write_logits(R, llm_ctx_n_past(R->ctx) - 1, R->logits);
        }
        flush_out();
        double dt = now_s() - t0;
        /* one token per segment is the feedback loop: count it as generation */
        if (seg.n == 1 && R->prompt_tokens > 0) {
            R->gen_s += dt;
            R->gen_tokens++;
        } else {
            R->prompt_s += dt;
            R->prompt_tokens += seg.n;
        }
    }
    free(seg.v);
}

/* ---- --dump ------------------------------------------------------------------- */

static bool dump_want(void *ud, const char *name)
{
    const run *R = ud;
    for (int i = 0; i < R->n_patterns; i++)
        if (fnmatch(R->patterns[i], name, 0) == 0)
            return true;
    return false;
}

static int dump_emit(void *ud, const char *name, int32_t pos0, int32_t n_rows, int64_t width,
                     const float *data, llm_err *e)
{
    const run *R = ud;
    int64_t shape[1] = { width };
    for (int32_t r = 0; r < n_rows; r++)
        if (llm_tensor_write(stdout, name, shape, 1, pos0 + r, data + (size_t)r * (size_t)width,
                             R->enc, R->top_k) < 0)
            write_failed();
    return 0;
}

static int no_logits(void *ud, int32_t pos, const float *lg, llm_err *e)
{
    return 0;
}

static void mode_dump(run *R, input *in, const char *patterns)
{
    char *copy = strdup(patterns);
    if (!copy)
        cli_die(EXIT_INPUT, "out of memory");
    for (char *p = strtok(copy, ","); p; p = strtok(NULL, ",")) {
        R->patterns = realloc(R->patterns, (size_t)(R->n_patterns + 1) * sizeof *R->patterns);
        if (!R->patterns)
            cli_die(EXIT_INPUT, "out of memory");
        R->patterns[R->n_patterns++] = p;
    }
    if (R->n_patterns == 0)
        cli_die(EXIT_USAGE, "--dump: no pattern given");
    llm_dump_hook h = { dump_want, dump_emit, R };
    llm_ctx_set_dump(R->ctx, &h);
    bool want_logits = dump_want(R, "logits");
    toks seg = {0};
    while (read_segment(in, &seg)) {
        if (seg.n == 0)
            continue;
        llm_err e;
        int rc = want_logits ? llm_forward_each(R->ctx, seg.v, (int32_t)seg.n, no_logits, R, &e)
                             : llm_forward(R->ctx, seg.v, (int32_t)seg.n, NULL, &e);
        if (rc < 0)
            cli_die_err(EXIT_INPUT, &e);
        R->prompt_tokens += seg.n;
        flush_out();
    }
    free(seg.v);
    free(R->patterns);
    free(copy);
}

/* ---- --perplexity ---------------------------------------------------------------- */

typedef struct ppl {
    const int32_t *ids;    /* the chunk */
    int32_t len, skip;
    double nll;
    int64_t scored;
} ppl;

typedef struct ppl_ctx {
    ppl p;
    int32_t n_vocab;
} ppl_ctx;

/* log_softmax(logits at j)[token j+1], as llama.cpp's perplexity: max in
 * float, sum of exp in double. */
static int ppl_each(void *ud, int32_t pos, const float *lg, llm_err *e)
{
    ppl_ctx *c = ud;
    int32_t j = pos;   /* the chunk starts from an empty cache: pos = index */
    if (j < c->p.skip || j + 1 >= c->p.len)
        return 0;
    float mx = lg[0];
    for (int32_t i = 1; i < c->n_vocab; i++)
        if (lg[i] > mx)
            mx = lg[i];
    double sum = 0;
    for (int32_t i = 0; i < c->n_vocab; i++)
        sum += expf(lg[i] - mx);
    c->p.nll += -((double)(lg[c->p.ids[j + 1]] - mx) - log(sum));
    c->p.scored++;
    return 0;
}

static void mode_perplexity(run *R, input *in, int32_t skip)
{
    toks all = {0};
    int32_t id;
    int rc;
    while ((rc = next_token(in, &id)) != 0)
        if (rc == 1)
            toks_push(&all, id);
    int32_t chunk = llm_ctx_n_ctx(R->ctx);
    if (chunk < 2)
        cli_die(EXIT_USAGE, "-c %d: perplexity needs chunks of at least 2 tokens", chunk);
    if (skip > chunk - 2)
        cli_die(EXIT_USAGE, "--ppl-skip %d: must be at most the context size minus 2 (%d)", skip, chunk - 2);
    ppl_ctx pc = { { NULL, 0, skip, 0, 0 }, R->n_vocab };
    double total = 0;
    int64_t scored = 0;
    int chunks = 0;
    double t0 = now_s();
    for (int64_t start = 0; start + 1 < all.n; start += chunk) {
        int32_t len = (int32_t)(all.n - start < chunk ? all.n - start : chunk);
        if (len < 2)
            break;
        llm_ctx_reset(R->ctx);
        pc.p.ids = all.v + start;
        pc.p.len = len;
        pc.p.nll = 0;
        pc.p.scored = 0;
        llm_err e;
        if (llm_forward_each(R->ctx, all.v + start, len, ppl_each, &pc, &e) < 0)
            cli_die_err(EXIT_INPUT, &e);
        chunks++;
        total += pc.p.nll;
        scored += pc.p.scored;
        if (isatty(STDERR_FILENO) && pc.p.scored)
            fprintf(stderr, "chunk %d: tokens %" PRId64 "..%" PRId64 " ppl %.6f (running %.6f)\n",
                    chunks, start, start + len - 1, exp(pc.p.nll / pc.p.scored), exp(total / scored));
    }
    R->prompt_tokens = all.n;
    R->prompt_s = now_s() - t0;
    if (!scored)
        cli_die(EXIT_INPUT, "stdin: nothing to score (%" PRId64 " tokens; need at least %d)", all.n, skip + 2);
    if (printf("PPL %.6f mean_nll %.8f scored %" PRId64 " tokens %" PRId64 " ctx %d chunks %d skip %d\n",
               exp(total / scored), total / scored, scored, all.n, chunk, chunks, skip) < 0)
        write_failed();
    free(all.v);
}

/* ---- --stats and --bench ------------------------------------------------------- */

static long long rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (long long)ru.ru_maxrss * 1024;   /* Linux: kilobytes */
}

static void print_stats(FILE *f, const run *R, double prompt_s, double gen_s,
                        int64_t prompt_tokens, int64_t gen_tokens)
{
    const char *base = strrchr(R->model_path, '/');
    base = base ? base + 1 : R->model_path;
    char name[256];
    /* the value must stay one token: no spaces */
    snprintf(name, sizeof name, "%s", base);
    for (char *p = name; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '=')
            *p = '_';
    fprintf(f, "#llm-stats model=%s threads=%d prompt_tokens=%" PRId64 " prompt_s=%.6f gen_tokens=%" PRId64
            " gen_s=%.6f pp_tps=%.3f tg_tps=%.3f load_s=%.6f rss_bytes=%lld\n",
            name, R->n_threads, prompt_tokens, prompt_s, gen_tokens, gen_s,
            prompt_s > 0 ? prompt_tokens / prompt_s : 0.0, gen_s > 0 ? gen_tokens / gen_s : 0.0,
            R->load_s, rss_bytes());
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int32_t argmax(const float *v, int32_t n)
{
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* The fixed prompt of llama-ref's bench (BOS, then spread-out ids), greedy
 * generation, EOS ignored; the median of the repetitions. */
static void mode_bench(run *R, int32_t P, int32_t G, int reps)
{
    if ((int64_t)P + G > llm_ctx_n_ctx(R->ctx))
        cli_die(EXIT_USAGE, "--bench: -p %d plus -n %d do not fit in the context (%d); use -c",
                P, G, llm_ctx_n_ctx(R->ctx));
    int32_t *prompt = malloc((size_t)(P > 0 ? P : 1) * sizeof *prompt);
    double *pp = calloc((size_t)reps, sizeof *pp), *tg = calloc((size_t)reps, sizeof *tg);
    if (!prompt || !pp || !tg)
        cli_die(EXIT_INPUT, "out of memory");
    int32_t bos = R->tok ? llm_tokenizer_bos(R->tok) : -1;
    int32_t V = R->n_vocab;
    for (int32_t i = 0; i < P; i++)
        prompt[i] = i == 0 && bos >= 0 ? bos
                  : V > 259 ? 259 + (int32_t)(((int64_t)i * 7919 + 13) % (V - 259))
                  : (int32_t)(((int64_t)i * 7919 + 13) % V);
    for (int r = 0; r < reps; r++) {
        llm_ctx_reset(R->ctx);
        double t0 = now_s();
        if (P > 0)
            forward_last(R, prompt, P);
        double t1 = now_s();
        int32_t t = P > 0 ? argmax(R->logits, V) : (bos >= 0 ? bos : 0);
        for (int32_t g = 0; g < G; g++) {
            forward_last(R, &t, 1);
            t = argmax(R->logits, V);
        }
        double t2 = now_s();
        pp[r] = t1 - t0;
        tg[r] = t2 - t1;
    }
    qsort(pp, (size_t)reps, sizeof *pp, cmp_double);
    qsort(tg, (size_t)reps, sizeof *tg, cmp_double);
    double pm = reps % 2 ? pp[reps / 2] : (pp[reps / 2 - 1] + pp[reps / 2]) / 2;
    double tm = reps % 2 ? tg[reps / 2] : (tg[reps / 2 - 1] + tg[reps / 2]) / 2;
    print_stats(stdout, R, pm, tm, P, G);
    flush_out();
    free(prompt);
    free(pp);
    free(tg);
}

/* ---- main ------------------------------------------------------------------------ */

static uint64_t pick_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t st = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
                  ((uint64_t)getpid() << 32);
    return llm_splitmix64(&st) >> 32;
}

static void set_mode(enum mode *m, enum mode want, const char *opt)
{
    if (*m != M_NONE && *m != want)
        cli_die(EXIT_USAGE, "%s: only one mode at a time (-n, --logits, --all-logits, "
                "--perplexity, --dump, --bench)", opt);
    *m = want;
}

int main(int argc, char **argv)
{
    cli_init(argv);
    llm_sampler_params sp;
    llm_sampler_params_default(&sp);
    long long seed = -1, n_predict = -1, n_ctx = 0, threads = 0, ppl_skip = 0;
    long long bench_p = 128, reps = 1;
    bool stats = false, reference = false, n_given = false;
    enum mode mode = M_NONE;
    const char *dump_patterns = NULL;
    run R = {0};
    R.enc = LLM_ENC_TEXT;
    int c;
    while ((c = getopt_long(argc, argv, "m:n:c:t:p:r:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': R.model_path = optarg; break;
        case 'n': n_predict = cli_int("-n", optarg, 0, INT32_MAX); n_given = true; break;
        case OPT_LOGITS: set_mode(&mode, M_LOGITS, "--logits"); break;
        case OPT_ALL_LOGITS: set_mode(&mode, M_ALL, "--all-logits"); break;
        case OPT_PPL: set_mode(&mode, M_PPL, "--perplexity"); break;
        case OPT_DUMP: set_mode(&mode, M_DUMP, "--dump"); dump_patterns = optarg; break;
        case OPT_BENCH: set_mode(&mode, M_BENCH, "--bench"); break;
        case 'c': n_ctx = cli_int("-c", optarg, 1, INT32_MAX); break;
        case 't': threads = cli_int("-t", optarg, 1, 1024); break;
        case 'p': bench_p = cli_int("-p", optarg, 0, INT32_MAX); break;
        case 'r': reps = cli_int("-r", optarg, 1, 1000); break;
        case OPT_TOP: R.top_k = cli_int("--top", optarg, 1, INT32_MAX); R.enc = LLM_ENC_TOP; break;
        case OPT_RAW: R.enc = LLM_ENC_RAW; break;
        case OPT_IGNORE_EOS: R.ignore_eos = true; break;
        case OPT_PPL_SKIP: ppl_skip = cli_int("--ppl-skip", optarg, 0, INT32_MAX); break;
        case OPT_STATS: stats = true; break;
        case OPT_REFERENCE: reference = true; break;
        case OPT_NO_MMAP: llm_model_set_no_mmap(true); break;
        case 's': seed = cli_int("--seed", optarg, -1, INT64_MAX); break;
        case 'h': usage(stdout); cli_finish_stdout();
        case OPT_VERSION: cli_version();
        default:
            if (sample_opt(c, optarg, &sp))
                break;
            fprintf(stderr, "Try 'llm-infer --help'.\n");
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "unexpected argument '%s' (tokens come on stdin); try --help", argv[optind]);
    if (!R.model_path)
        cli_die(EXIT_USAGE, "no model: give -m MODEL.gguf; try --help");
    if (n_given && mode == M_NONE)
        mode = M_GEN;
    if (mode == M_NONE)
        cli_die(EXIT_USAGE, "no mode: give -n N, --logits, --all-logits, --perplexity, --dump or --bench");
    if (n_given && mode != M_GEN && mode != M_BENCH)
        cli_die(EXIT_USAGE, "-n goes with generation or --bench, not with this mode");
    if (mode == M_BENCH && !n_given)
        n_predict = 64;

    llm_err e;
    llm_sampler *s = NULL;
    if (mode == M_GEN) {
        if (seed < 0) {
            seed = (long long)pick_seed();
            if (sp.temp > 0)
                fprintf(stderr, "%s: seed %lld\n", cli_prog, seed);
        }
        sp.seed = (uint64_t)seed;
        if (!(s = llm_sampler_new(&sp, &e)))
            cli_die_err(EXIT_USAGE, &e);
    }
    llm_matmul_set_reference(reference);

    double t0 = now_s();
    if (!(R.m = llm_model_load(R.model_path, &e)))
        cli_die_err(EXIT_INPUT, &e);
    const llm_hparams *hp = &R.m->hp;
    R.n_vocab = hp->n_vocab;
    /* a model without a tokenizer still runs: no pieces, no EOS */
    if (gguf_find(R.m->gf, "tokenizer.ggml.model")) {
        if (!(R.tok = llm_tokenizer_from_gguf(R.m->gf, &e)))
            cli_die_err(EXIT_INPUT, &e);
        if (llm_tokenizer_n_vocab(R.tok) > R.n_vocab)
            cli_die(EXIT_INPUT, "%s: the tokenizer has %d tokens but token_embd.weight only %d rows",
                    R.model_path, llm_tokenizer_n_vocab(R.tok), R.n_vocab);
    }
    if (n_ctx == 0) {
        n_ctx = hp->n_ctx_train < 4096 ? hp->n_ctx_train : 4096;
        if (mode == M_PPL && n_ctx > 512)
            n_ctx = 512;    /* llama.cpp's perplexity chunk */
        if (mode == M_BENCH && n_ctx < bench_p + n_predict)
            n_ctx = bench_p + n_predict;
    }
    R.n_threads = threads ? (int)threads : llm_ncpu();
    if (!(R.pool = llm_pool_new(R.n_threads, &e)))
        cli_die_err(EXIT_INPUT, &e);
    if (!(R.ctx = llm_ctx_new(R.m, (int32_t)n_ctx, R.pool, &e)))
        cli_die_err(EXIT_INPUT, &e);
    if (!(R.logits = malloc((size_t)R.n_vocab * sizeof(float))))
        cli_die(EXIT_INPUT, "out of memory");
    R.load_s = now_s() - t0;

    llm_tok_reader *r = NULL;
    input in = { NULL, &R, false };
    if (mode != M_BENCH) {
        if (!(r = llm_tok_reader_new(stdin, "stdin")))
            cli_die(EXIT_INPUT, "out of memory");
        in.r = r;
    }
    switch (mode) {
    case M_GEN: mode_generate(&R, &in, n_predict, s); break;
    case M_LOGITS: mode_logits(&R, &in, false); break;
    case M_ALL: mode_logits(&R, &in, true); break;
    case M_DUMP: mode_dump(&R, &in, dump_patterns); break;
    case M_PPL: mode_perplexity(&R, &in, (int32_t)ppl_skip); break;
    case M_BENCH: mode_bench(&R, (int32_t)bench_p, (int32_t)n_predict, (int)reps); break;
    case M_NONE: break;
    }
    if (stats)
        print_stats(stderr, &R, R.prompt_s, R.gen_s, R.prompt_tokens, R.gen_tokens);
    llm_tok_reader_free(r);
    llm_sampler_free(s);
    free(R.logits);
    llm_ctx_free(R.ctx);
    llm_pool_free(R.pool);
    llm_tokenizer_free(R.tok);
    llm_model_free(R.m);
    cli_finish_stdout();
}
