/* llm-sample: read logits (a tensor stream), write one sampled token per
 * record (a token stream), each followed by an empty line and flushed at
 * once, so it can close a loop with llm-infer --logits. The sampling itself
 * is lib/sampler.c, shared with llm-infer -n. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sample_opts.h"
#include "gguf.h"
#include "rng.h"
#include "sampler.h"
#include "stream.h"
#include "tokenizer.h"

#define MAX_EOS 8

static void usage(FILE *out)
{
    fprintf(out,
"usage: llm-sample [OPTIONS] [LOGITS]\n"
"Read a tensor stream of logits (LOGITS or stdin; enc=text, raw or top) and\n"
"write one sampled token per record, each followed by an empty line.\n"
"\n"
"  --temp T               temperature (0.8); 0 or less: greedy\n"
"  --top-k K              keep the K most likely (40); 0: off\n"
"  --top-p P              nucleus: smallest set with mass >= P (0.95); 1: off\n"
"  --min-p P              keep p >= P * max p (0.05); 0: off\n"
"  --typical P            locally typical sampling (1.0 = off)\n"
"  --repeat-penalty X     penalize repeated tokens (1.0 = off)\n"
"  --repeat-last-n N      tokens the penalties look back over (64); 0: off; -1: all\n"
"  --frequency-penalty X  logit -= X * count (0.0)\n"
"  --presence-penalty X   logit -= X if count > 0 (0.0)\n"
"  --samplers LIST        order, ';'-separated (penalties;top_k;typ_p;top_p;min_p;temperature)\n"
"  -s, --seed N           random seed (-1 or absent: pick one, print it on stderr)\n"
"  --history FILE         token stream of earlier tokens (the prompt), for penalties\n"
"  -n, --n-predict N      stop after N tokens (-1: no limit)\n"
"  --eos ID               end of generation: written, then exit (may repeat)\n"
"  -m, --model FILE       GGUF model: its end-of-generation tokens stop; pieces on token lines\n"
"  --probs[=N]            add p=, n= and the N most likely (5) as top=ID:P,...\n"
"  -h, --help             this text\n"
"  --version              print the version\n");
}

enum {
    OPT_HISTORY = 256, OPT_EOS,
    OPT_PROBS, OPT_VERSION,
};

static const struct option longopts[] = {
    SAMPLE_LONGOPTS,
    {"seed", required_argument, NULL, 's'},
    {"history", required_argument, NULL, OPT_HISTORY},
    {"n-predict", required_argument, NULL, 'n'},
    {"eos", required_argument, NULL, OPT_EOS},
    {"model", required_argument, NULL, 'm'},
    {"probs", optional_argument, NULL, OPT_PROBS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The model's tokenizer, for its end-of-generation set and pieces; only
 * the metadata is read (the weights stay unmapped pages). */
static llm_tokenizer *load_model(const char *path)
{
    llm_err e;
    gguf_file *f = gguf_open(path, &e);
    if (!f)
        cli_die_err(EXIT_INPUT, &e);
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    gguf_close(f);
    if (!t)
        cli_die_err(EXIT_INPUT, &e);
    return t;
}

/* With a model (tok, from MODEL), a history stream must be of its
 * vocabulary: the header's size and fingerprint, and every id. */
static void check_history(const llm_tok_reader *r, const llm_tokenizer *tok, const char *model,
                          const char *path, int rc, int32_t id, bool *checked)
{
    if (!tok)
        return;
    const llm_tok_header *h = llm_tok_reader_header(r);
    if (!*checked && h->present) {
        if (h->vocab && (int64_t)h->vocab != llm_tokenizer_n_vocab(tok))
            cli_die(EXIT_INPUT, "%s: token stream for a vocabulary of %u, but %s has %d tokens", path,
                    h->vocab, model, (int)llm_tokenizer_n_vocab(tok));
        if (h->has_fingerprint && h->fingerprint != llm_tokenizer_fingerprint(tok))
            cli_die(EXIT_INPUT, "%s: token stream is from another tokenizer (fingerprint %08x, %s has %08x)",
                    path, (unsigned)h->fingerprint, model, (unsigned)llm_tokenizer_fingerprint(tok));
    }
    *checked = true;
    if (rc == 1 && id >= llm_tokenizer_n_vocab(tok))
        cli_die(EXIT_INPUT, "%s: line %" PRIu64 ": token id %d is outside the vocabulary of %s (0..%d)", path,
                llm_tok_reader_line(r), (int)id, model, (int)llm_tokenizer_n_vocab(tok) - 1);
}

/* Accept every token of a token stream into the penalty history (checked
 * against tok when there is a model). */
static void load_history(llm_sampler *s, const char *path, const llm_tokenizer *tok, const char *model)
{
    llm_err e;
    FILE *f = llm_stream_open(path, "r", &e);
    if (!f)
        cli_die_err(EXIT_INPUT, &e);
    llm_tok_reader *r = llm_tok_reader_new(f, path);
    if (!r)
        cli_die(EXIT_INPUT, "%s: out of memory", path);
    int32_t id;
    int rc;
    bool checked = false;
    while ((rc = llm_tok_next(r, &id, NULL, NULL, &e)) > 0) {
        check_history(r, tok, model, path, rc, id, &checked);
        if (rc == 1)
            llm_sampler_accept(s, id);
    }
    if (rc < 0)
        cli_die_err(EXIT_INPUT, &e);
    llm_tok_reader_free(r);
    if (llm_stream_close(f, &e) < 0)
        cli_die_err(EXIT_INPUT, &e);
}

/* A seed nobody chose: time and pid mixed by splitmix64, kept below 2^32
 * so it is short to type back. */
static uint64_t pick_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t st = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
                  ((uint64_t)getpid() << 32);
    return llm_splitmix64(&st) >> 32;
}

/* "p=0.25\tn=37\ttop=12:0.25,7:0.125" for the token just sampled. */
static void format_probs(const llm_sampler *s, int32_t id, int top, char *buf, size_t cap)
{
    const llm_sampler_cand *c;
    int32_t n = llm_sampler_last(s, &c);
    float p = 0;
    for (int32_t i = 0; i < n; i++)
        if (c[i].id == id)
            p = c[i].p;
    size_t len = (size_t)snprintf(buf, cap, "p=%.6g\tn=%d", p, (int)n);
    for (int32_t i = 0; i < n && i < top && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%d:%.6g", i ? "," : "\ttop=",
                                (int)c[i].id, c[i].p);
}

int main(int argc, char **argv)
{
    cli_init(argv);
    llm_sampler_params sp;
    llm_sampler_params_default(&sp);
    long long seed = -1, n_predict = -1;
    const char *history = NULL, *model = NULL;
    int32_t eos[MAX_EOS];
    int n_eos = 0, probs = -1;
    int c;
    while ((c = getopt_long(argc, argv, "s:n:m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': seed = cli_int("--seed", optarg, -1, INT64_MAX); break;
        case OPT_HISTORY: history = optarg; break;
        case 'n': n_predict = cli_int("-n", optarg, -1, INT64_MAX); break;
        case OPT_EOS:
            if (n_eos == MAX_EOS)
                cli_die(EXIT_USAGE, "--eos: at most %d ids", MAX_EOS);
            eos[n_eos++] = (int32_t)cli_int("--eos", optarg, 0, INT32_MAX);
            break;
        case 'm': model = optarg; break;
        case OPT_PROBS: probs = optarg ? (int)cli_int("--probs", optarg, 0, 100) : 5; break;
        case 'h': usage(stdout); cli_finish_stdout();
        case OPT_VERSION: cli_version();
        default:
            if (sample_opt(c, optarg, &sp))
                break;
            fprintf(stderr, "Try 'llm-sample --help'.\n");
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1)
        cli_die(EXIT_USAGE, "one input at most (got %d); try --help", argc - optind);
    const char *in_path = optind < argc ? argv[optind] : "-";
    if (history && !strcmp(history, "-") && !strcmp(in_path, "-"))
        cli_die(EXIT_USAGE, "--history - and the logits cannot both be stdin");

    int chosen = seed >= 0;
    sp.seed = chosen ? (uint64_t)seed : pick_seed();
    llm_err e;
    llm_sampler *s = llm_sampler_new(&sp, &e);
    if (!s)
        cli_die_err(EXIT_USAGE, &e);
    /* greedy (a temperature step with temp <= 0) leaves one candidate: the
     * seed cannot matter then, so do not clutter stderr with it */
    if (!chosen && !(sp.temp <= 0 && strstr(llm_sampler_order(s), "temperature")))
        fprintf(stderr, "%s: seed %" PRIu64 "\n", cli_prog, sp.seed);
    llm_tokenizer *tok = model ? load_model(model) : NULL;
    if (history)
        load_history(s, history, tok, model);
    if (n_predict == 0)
        cli_finish_stdout();

    FILE *in = llm_stream_open(in_path, "r", &e);
    if (!in)
        cli_die_err(EXIT_INPUT, &e);
    const char *name = strcmp(in_path, "-") ? in_path : "stdin";
    llm_tensor_reader *r = llm_tensor_reader_new(in, name);
    if (!r)
        cli_die(EXIT_INPUT, "%s: out of memory", name);
    char extra[16384];
    int64_t n_vocab = -1, done = 0;
    llm_tensor_rec *rec;
    int rc;
    while ((rc = llm_tensor_next(r, &rec, &e)) == 1) {
        /* one vector per record: [V] or [1, V] */
        if (rec->n < 1)
            cli_die(EXIT_INPUT, "%s: record %" PRId64 ": empty record", name, done + 1);
        int64_t rows = rec->ndim >= 2 ? rec->n / rec->shape[rec->ndim - 1] : 1;
        if (rows != 1)
            cli_die(EXIT_INPUT, "%s: record %" PRId64 ": %" PRId64 " rows of logits; "
                    "llm-sample wants one vector per record", name, done + 1, rows);
        if (rec->n > INT32_MAX)
            cli_die(EXIT_INPUT, "%s: record %" PRId64 ": too many values (%" PRId64 ")",
                    name, done + 1, rec->n);
        if (n_vocab >= 0 && rec->n != n_vocab)
            cli_die(EXIT_INPUT, "%s: record %" PRId64 ": %" PRId64 " logits, earlier records had %"
                    PRId64, name, done + 1, rec->n, n_vocab);
        n_vocab = rec->n;
        if (tok && rec->n < llm_tokenizer_n_vocab(tok))
            cli_die(EXIT_INPUT, "%s: record %" PRId64 ": %" PRId64 " logits, but %s has %d tokens: "
                    "logits of another model?", name, done + 1, rec->n, model,
                    (int)llm_tokenizer_n_vocab(tok));
        int32_t id = rec->enc == LLM_ENC_TOP
            ? llm_sampler_sample_sparse(s, rec->ids, rec->vals, (int32_t)rec->k, (int32_t)rec->n, &e)
            : llm_sampler_sample(s, rec->data, (int32_t)rec->n, &e);
        if (id < 0)
            cli_die(EXIT_INPUT, "%s: record %" PRId64 ": %s", name, done + 1, e.msg);
        llm_sampler_accept(s, id);
        const char *piece = NULL;
        size_t plen = 0;
        if (tok)
            piece = llm_tokenizer_piece(tok, id, &plen);   /* NULL past the vocab */
        if (probs >= 0)
            format_probs(s, id, probs, extra, sizeof extra);
        if (llm_tok_write(stdout, id, piece, plen, probs >= 0 ? extra : NULL) < 0 ||
            llm_tok_end_segment(stdout) < 0 || fflush(stdout) != 0)
            cli_die(EXIT_INPUT, "write error on standard output: %s", strerror(errno));
        done++;
        int stop = n_predict > 0 && done >= n_predict;
        for (int i = 0; i < n_eos; i++)
            stop |= id == eos[i];
        if (tok && llm_tokenizer_is_eog(tok, id))
            stop = 1;
        if (stop)
            break;
    }
    if (rc < 0)
        cli_die_err(EXIT_INPUT, &e);
    llm_tensor_reader_free(r);
    /* stop reading: the loop upstream may be blocked writing to us, and
     * our exit is what closes it */
    llm_stream_close(in, NULL);
    llm_sampler_free(s);
    llm_tokenizer_free(tok);
    cli_finish_stdout();
}
