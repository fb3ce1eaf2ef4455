/* llm-tokenize: text to a token stream with the model's own tokenizer, and
 * back (-d). The tokenizer is lib/tokenizer.c (SPM and byte-level BPE, as
 * llama.cpp does them); chat templates are lib/chat.c. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "cli.h"
#include "gguf.h"
#include "stream.h"
#include "tokenizer.h"

static void usage(FILE *out)
{
    fprintf(out,
"usage: llm-tokenize (-m MODEL.gguf | --vocab tokenizer.json) [OPTIONS] [TEXT...]\n"
"       llm-tokenize (-m MODEL.gguf | --vocab tokenizer.json) -d [TOKENS...]\n"
"Turn text into a token stream with the model's own tokenizer (as llama.cpp\n"
"does), or a token stream back into text. TEXT words are joined by spaces into\n"
"one text; without TEXT, all of stdin (or -f FILE) is one text.\n"
"\n"
"  -m, --model FILE     GGUF file whose tokenizer.ggml.* metadata to use\n"
"  --vocab FILE         a Hugging Face tokenizer.json instead\n"
"  -f, --file FILE      read the text from FILE\n"
"  -d, --decode         read token streams (TOKENS or stdin), write the text\n"
"  --ids                bare ids, one text a line, space separated\n"
"  --count              the number of tokens, one text a line\n"
"  --lines              each input line is its own text (segment); with -d,\n"
"                       each segment is a text ended by a newline\n"
"  --special            control tokens written in the text (<s>, <|im_end|>)\n"
"                       are tokens; with -d, control tokens are printed\n"
"  --no-bos             do not add the BOS/EOS that the metadata asks for\n"
"  --chat               the input is a conversation (lines 'system: ...',\n"
"                       'user: ...', 'assistant: ...'), formatted with the\n"
"                       model's chat template (tokenizer.chat_template)\n"
"  --template NAME      use this chat template family (%s)\n"
"  --no-clean           with -d: keep GPT-2's spaces before , . ! ? and 's\n"
"  --continue           with -d: the ids continue a text (llm-infer -n writes\n"
"                       only the new tokens): keep the first one's leading space\n"
"  -h, --help           this text\n"
"  --version            print the version\n", llm_chat_known);
}

enum { OPT_VOCAB = 256, OPT_IDS, OPT_COUNT, OPT_LINES, OPT_SPECIAL, OPT_NO_BOS, OPT_CHAT,
       OPT_TEMPLATE, OPT_NO_CLEAN, OPT_CONTINUE, OPT_VERSION };

static const struct option longopts[] = {
    {"model", required_argument, NULL, 'm'},
    {"vocab", required_argument, NULL, OPT_VOCAB},
    {"file", required_argument, NULL, 'f'},
    {"decode", no_argument, NULL, 'd'},
    {"ids", no_argument, NULL, OPT_IDS},
    {"count", no_argument, NULL, OPT_COUNT},
    {"lines", no_argument, NULL, OPT_LINES},
    {"special", no_argument, NULL, OPT_SPECIAL},
    {"no-bos", no_argument, NULL, OPT_NO_BOS},
    {"chat", no_argument, NULL, OPT_CHAT},
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {"no-clean", no_argument, NULL, OPT_NO_CLEAN},
    {"continue", no_argument, NULL, OPT_CONTINUE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

enum { OUT_STREAM, OUT_IDS, OUT_COUNT };

typedef struct opts {
    const char *model, *vocab, *file, *tmpl;
    bool decode, lines, special, no_bos, chat, no_clean, cont;
    int out;
} opts;

/* All of f, or die naming NAME. */
static char *read_all(FILE *f, const char *name, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b)
        cli_die(EXIT_INPUT, "out of memory");
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(b, cap);
            if (!nb)
                cli_die(EXIT_INPUT, "%s: out of memory (%zu bytes)", name, n);
            b = nb;
        }
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    if (ferror(f))
        cli_die(EXIT_INPUT, "%s: read error: %s", name, strerror(errno));
    *len = n;
    return b;
}

static llm_tokenizer *load(const opts *o)
{
    llm_err e;
    llm_tokenizer *t;
    if (o->vocab) {
        t = llm_tokenizer_from_json(o->vocab, &e);
    } else {
        gguf_file *f = gguf_open(o->model, &e);
        if (!f)
            cli_die_err(EXIT_INPUT, &e);
        t = llm_tokenizer_from_gguf(f, &e);
        gguf_close(f);
    }
    if (!t)
        cli_die_err(EXIT_INPUT, &e);
    return t;
}

/* Write one text's tokens in the chosen form. */
static void write_tokens(const llm_tokenizer *t, const llm_tokens *v, int out)
{
    if (out == OUT_COUNT) {
        printf("%zu\n", v->n);
        return;
    }
    if (out == OUT_IDS) {
        for (size_t i = 0; i < v->n; i++)
            printf(i ? " %d" : "%d", v->ids[i]);
        putchar('\n');
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        size_t pl;
        const char *p = llm_tokenizer_piece(t, v->ids[i], &pl);
        if (llm_tok_write(stdout, v->ids[i], p, pl, NULL))
            cli_die(EXIT_INPUT, "write error: %s", strerror(errno));
    }
    if (llm_tok_end_segment(stdout))
        cli_die(EXIT_INPUT, "write error: %s", strerror(errno));
}

static void encode_one(const llm_tokenizer *t, const char *s, size_t n, int flags, int out)
{
    llm_tokens v = { 0 };
    llm_err e;
    if (llm_tokenize(t, s, n, flags, &v, &e))
        cli_die_err(EXIT_INPUT, &e);
    write_tokens(t, &v, out);
    llm_tokens_free(&v);
}

static char *chat_text(const llm_tokenizer *t, const opts *o, const char *s, size_t n, const char *name)
{
    int fam;
    if (o->tmpl) {
        fam = llm_chat_by_name(o->tmpl);
        if (!fam)
            cli_die(EXIT_USAGE, "--template %s: unknown (known: %s)", o->tmpl, llm_chat_known);
    } else {
        const char *ct = llm_tokenizer_chat_template(t);
        fam = llm_chat_detect(ct);
        if (!fam)
            cli_die(EXIT_INPUT, "%s: %s; known families: %s (choose one with --template NAME)",
                    o->model ? o->model : o->vocab,
                    ct ? "chat template not recognised" : "no tokenizer.chat_template", llm_chat_known);
    }
    llm_chat c = { 0 };
    llm_err e;
    if (llm_chat_parse(s, n, name, &c, &e))
        cli_die_err(EXIT_INPUT, &e);
    size_t bl = 0, el = 0;
    const char *bos = llm_tokenizer_bos(t) >= 0 ? llm_tokenizer_piece(t, llm_tokenizer_bos(t), &bl) : "";
    const char *eos = llm_tokenizer_eos(t) >= 0 ? llm_tokenizer_piece(t, llm_tokenizer_eos(t), &el) : "";
    char *bb = strndup(bos, bl), *eb = strndup(eos, el);
    char *text = llm_chat_format(fam, &c, bb, eb, &e);
    free(bb);
    free(eb);
    llm_chat_free(&c);
    if (!text)
        cli_die_err(EXIT_INPUT, &e);
    return text;
}

static void encode(const llm_tokenizer *t, const opts *o, int argc, char **argv)
{
    char *text;
    size_t n;
    const char *name = "-";
    if (argc > 0) {
        n = 0;
        for (int i = 0; i < argc; i++)
            n += strlen(argv[i]) + 1;
        text = malloc(n + 1);
        if (!text)
            cli_die(EXIT_INPUT, "out of memory");
        n = 0;
        for (int i = 0; i < argc; i++) {
            size_t k = strlen(argv[i]);
            if (i)
                text[n++] = ' ';
            memcpy(text + n, argv[i], k);
            n += k;
        }
        name = "TEXT";
    } else if (o->file) {
        FILE *f = fopen(o->file, "rb");
        if (!f)
            cli_die(EXIT_INPUT, "%s: %s", o->file, strerror(errno));
        text = read_all(f, o->file, &n);
        fclose(f);
        name = o->file;
    } else {
        text = read_all(stdin, "-", &n);
    }
    int flags = (o->no_bos ? 0 : LLM_TOK_ADD_SPECIAL) | (o->special || o->chat ? LLM_TOK_PARSE_SPECIAL : 0);
    if (o->out == OUT_STREAM && llm_tok_write_header(stdout, (uint32_t)llm_tokenizer_n_vocab(t),
                                                     llm_tokenizer_model(t), llm_tokenizer_fingerprint(t)))
        cli_die(EXIT_INPUT, "write error: %s", strerror(errno));
    if (o->chat) {
        char *ct = chat_text(t, o, text, n, name);
        encode_one(t, ct, strlen(ct), flags, o->out);
        free(ct);
    } else if (o->lines) {
        size_t pos = 0;
        while (pos < n) {
            const char *nl = memchr(text + pos, '\n', n - pos);
            size_t end = nl ? (size_t)(nl - text) : n;
            encode_one(t, text + pos, end - pos, flags, o->out);
            pos = nl ? end + 1 : n;
        }
    } else {
        encode_one(t, text, n, flags, o->out);
    }
    free(text);
}

/* Decode one segment's ids and write the text. */
static void decode_segment(const llm_tokenizer *t, const opts *o, llm_tokens *v, bool *started)
{
    int flags = (o->special ? LLM_DETOK_SPECIAL : 0) | (o->no_clean ? LLM_DETOK_NO_CLEAN : 0);
    /* one text across segments (the sampler's one-token segments), or
     * the continuation of a text the reader has already seen */
    if ((*started || o->cont) && !o->lines)
        flags |= LLM_DETOK_CONTINUE;
    llm_err e;
    size_t len;
    char *s = llm_detokenize(t, v->ids, v->n, flags, &len, &e);
    if (!s)
        cli_die_err(EXIT_INPUT, &e);
    fwrite(s, 1, len, stdout);
    if (o->lines)
        putchar('\n');
    fflush(stdout);
    free(s);
    if (v->n)
        *started = true;
    v->n = 0;
}

static void decode_file(const llm_tokenizer *t, const opts *o, const char *path, bool *started)
{
    llm_err e;
    FILE *f = llm_stream_open(path, "r", &e);
    if (!f)
        cli_die_err(EXIT_INPUT, &e);
    llm_tok_reader *r = llm_tok_reader_new(f, path);
    if (!r)
        cli_die(EXIT_INPUT, "out of memory");
    llm_tokens v = { 0 };
    int32_t nv = llm_tokenizer_n_vocab(t);
    bool checked = false;
    for (;;) {
        int32_t id;
        int rc = llm_tok_next(r, &id, NULL, NULL, &e);
        if (rc < 0)
            cli_die_err(EXIT_INPUT, &e);
        const llm_tok_header *h = llm_tok_reader_header(r);
        if (!checked && h->present) {
            checked = true;
            if (h->has_fingerprint && h->fingerprint != llm_tokenizer_fingerprint(t))
                cli_die(EXIT_INPUT, "%s: token stream fingerprint %08x does not match this vocabulary's "
                        "(%08x): the tokens come from another tokenizer", path, (unsigned)h->fingerprint,
                        (unsigned)llm_tokenizer_fingerprint(t));
            if (h->vocab && h->vocab != (uint32_t)nv)
                cli_die(EXIT_INPUT, "%s: token stream is for a vocabulary of %u, this one has %d",
                        path, (unsigned)h->vocab, nv);
        }
        if (rc == 0)
            break;
        if (rc == 2) {
            decode_segment(t, o, &v, started);
            continue;
        }
        if (id >= nv)
            cli_die(EXIT_INPUT, "%s: line %llu: token id %d out of range (vocabulary of %d)", path,
                    (unsigned long long)llm_tok_reader_line(r), id, nv);
        if (v.n == v.cap) {
            v.cap = v.cap ? v.cap * 2 : 256;
            int32_t *p = realloc(v.ids, v.cap * sizeof *p);
            if (!p)
                cli_die(EXIT_INPUT, "out of memory");
            v.ids = p;
        }
        v.ids[v.n++] = id;
    }
    if (v.n)
        decode_segment(t, o, &v, started);
    llm_tokens_free(&v);
    llm_tok_reader_free(r);
    if (llm_stream_close(f, &e))
        cli_die_err(EXIT_INPUT, &e);
}

int main(int argc, char **argv)
{
    cli_init(argv);
    opts o = { 0 };
    int c;
    while ((c = getopt_long(argc, argv, "m:f:dh", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': o.model = optarg; break;
        case OPT_VOCAB: o.vocab = optarg; break;
        case 'f': o.file = optarg; break;
        case 'd': o.decode = true; break;
        case OPT_IDS: o.out = OUT_IDS; break;
        case OPT_COUNT: o.out = OUT_COUNT; break;
        case OPT_LINES: o.lines = true; break;
        case OPT_SPECIAL: o.special = true; break;
        case OPT_NO_BOS: o.no_bos = true; break;
        case OPT_CHAT: o.chat = true; break;
        case OPT_TEMPLATE: o.tmpl = optarg; break;
        case OPT_NO_CLEAN: o.no_clean = true; break;
        case OPT_CONTINUE: o.cont = true; break;
        case 'h': usage(stdout); cli_finish_stdout();
        case OPT_VERSION: cli_version();
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (!o.model == !o.vocab)
        cli_die(EXIT_USAGE, "give exactly one of -m MODEL.gguf or --vocab tokenizer.json (--help for usage)");
    if (o.decode && (o.chat || o.file || o.out != OUT_STREAM))
        cli_die(EXIT_USAGE, "-d takes token streams (TOKENS or stdin); --chat, -f, --ids and --count are for encoding");
    if (o.chat && o.lines)
        cli_die(EXIT_USAGE, "--chat and --lines do not go together");
    if (o.file && optind < argc)
        cli_die(EXIT_USAGE, "give either -f FILE or TEXT, not both");
    if (o.tmpl && !o.chat)
        cli_die(EXIT_USAGE, "--template goes with --chat");
    llm_tokenizer *t = load(&o);
    if (o.decode) {
        bool started = false;
        if (optind == argc)
            decode_file(t, &o, "-", &started);
        for (int i = optind; i < argc; i++)
            decode_file(t, &o, argv[i], &started);
    } else {
        encode(t, &o, argc - optind, argv + optind);
    }
    llm_tokenizer_free(t);
    cli_finish_stdout();
}
