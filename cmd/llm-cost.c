/* llm-cost: what a language-model workload costs through cloud APIs and on
 * local hardware, side by side, with the devices it needs and the
 * break-even point (man/llm-cost.1 explains every number). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cost.h"
#include "cost_svg.h"
#include "stream.h"

#define MAX_LIST 32                    /* entries in --users, --tokens, --api */
#define MAX_STDIN ((size_t)256 << 20)  /* bytes of standard input we hold */
#define SVG_POINTS 121                 /* points per line in the chart */

/* ================= options ================= */

static struct {
    double users[MAX_LIST];
    size_t n_users;
    double tokens[MAX_LIST];
    size_t n_tokens;
    double input_share;
    double requests;
    bool per_request;
    const char *apis[MAX_LIST];
    size_t n_apis;
    double price_in, price_out;        /* < 0: not given */
    const char *prices_file;
    bool list;
    double tps, prompt_tps;            /* < 0: not given */
    const char *stats_file;
    llm_local_params local;
    bool json, tsv, chart;
    const char *svg;
} o;

static void usage(FILE *f)
{
    fprintf(f,
"usage: llm-cost --users N[,N...] (--tokens T[,T...] | --per-request) [options]\n"
"       llm-infer -m model.gguf --bench | llm-cost --users 1000 --tokens 400\n"
"Cloud API cost next to local cost for a workload; USD, month = 30 days.\n"
"workload:\n"
"  --users LIST          daily users, e.g. 100,1000,10000 (one row each)\n"
"  --tokens LIST         tokens per user per day, input + output\n"
"  --input-share F       fraction of the tokens that are input (default 0.5)\n"
"  --per-request         count tokens from token streams on stdin: one\n"
"                        segment (ended by an empty line) per request\n"
"  --requests N          requests per user per day (default 1)\n"
"cloud:\n"
"  --api NAME            a priced API (repeatable; default gpt-3.5-turbo,\n"
"                        claude-3.5-sonnet and gpt-4); --list shows them\n"
"  --price-in X --price-out Y   any other API, USD per 1M tokens\n"
"  --prices FILE         add or override prices (NAME IN OUT [DATE [SOURCE]])\n"
"  --list                print the price table in that format and exit\n"
"local:\n"
"  --tps X               generation speed, tokens/s (else a #llm-stats line\n"
"                        from stdin or --stats FILE)\n"
"  --prompt-tps X        prompt speed, tokens/s (default: as --tps)\n"
"  --stats FILE          read the #llm-stats line from FILE (- = stdin)\n"
"  --watts W             draw while computing (default 25)\n"
"  --idle-watts W        draw while on and idle (default 5)\n"
"  --kwh-price X         USD per kWh (default 0.20)\n"
"  --hardware-cost X     USD per device (default 0: not counted)\n"
"  --lifetime-months N   write-off period (default 36)\n"
"  --devices N           devices you have (default: as many as needed)\n"
"  --peak K              busiest-hour load / average load (default 2)\n"
"  --on-device           one device per user, the user's own: energy only\n"
"output:\n"
"  --json, --tsv         for scripts (default: an aligned table)\n"
"  --svg FILE            monthly cost against users, log-log chart\n"
"  --chart               bar chart after the table (stdout a terminal)\n"
"  --help, --version\n");
}

/* Parse a comma-separated list of numbers in [min, max] into out[];
 * whole numbers only if whole. Dies naming OPT and the bad item. */
static size_t parse_list(const char *opt, const char *s, double *out,
                         double min, double max, bool whole)
{
    size_t n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        if (len == 0 || len >= sizeof item)
            cli_die(EXIT_USAGE, "%s: '%s' is not a list of numbers", opt, s);
        if (n == MAX_LIST) cli_die(EXIT_USAGE, "%s: more than %d values", opt, MAX_LIST);
        memcpy(item, p, len);
        item[len] = 0;
        double v = cli_float(opt, item, min, max);
        if (whole && v != floor(v)) cli_die(EXIT_USAGE, "%s: %s is not a whole number", opt, item);
        out[n++] = v;
        if (!comma) break;
        p = comma + 1;
    }
    return n;
}

enum {
    O_USERS = 256, O_TOKENS, O_SHARE, O_REQUESTS, O_PERREQ, O_API, O_PIN, O_POUT,
    O_PRICES, O_LIST, O_TPS, O_PTPS, O_STATS, O_WATTS, O_IDLE, O_KWH, O_HW,
    O_LIFE, O_DEVICES, O_PEAK, O_ONDEV, O_JSON, O_TSV, O_SVG, O_CHART, O_VERSION,
};

static void parse_args(int argc, char **argv)
{
    static const struct option opts[] = {
        {"users", 1, 0, O_USERS}, {"tokens", 1, 0, O_TOKENS},
        {"input-share", 1, 0, O_SHARE}, {"requests", 1, 0, O_REQUESTS},
        {"per-request", 0, 0, O_PERREQ}, {"api", 1, 0, O_API},
        {"price-in", 1, 0, O_PIN}, {"price-out", 1, 0, O_POUT},
        {"prices", 1, 0, O_PRICES}, {"list", 0, 0, O_LIST},
        {"tps", 1, 0, O_TPS}, {"prompt-tps", 1, 0, O_PTPS}, {"stats", 1, 0, O_STATS},
        {"watts", 1, 0, O_WATTS}, {"idle-watts", 1, 0, O_IDLE},
        {"kwh-price", 1, 0, O_KWH}, {"hardware-cost", 1, 0, O_HW},
        {"lifetime-months", 1, 0, O_LIFE}, {"devices", 1, 0, O_DEVICES},
        {"peak", 1, 0, O_PEAK}, {"on-device", 0, 0, O_ONDEV},
        {"json", 0, 0, O_JSON}, {"tsv", 0, 0, O_TSV}, {"svg", 1, 0, O_SVG},
        {"chart", 0, 0, O_CHART}, {"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION},
        {0, 0, 0, 0},
    };
    o.input_share = 0.5;
    o.requests = 1;
    o.price_in = o.price_out = -1;
    o.tps = o.prompt_tps = -1;
    o.local = (llm_local_params){.watts = 25, .idle_watts = 5, .kwh_usd = 0.20,
                                 .hardware_usd = 0, .lifetime_months = 36, .peak = 2};
    bool idle_given = false, hw_given = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_USERS: o.n_users = parse_list("--users", optarg, o.users, 1, 1e12, true); break;
        case O_TOKENS: o.n_tokens = parse_list("--tokens", optarg, o.tokens, 1e-9, 1e9, false); break;
        case O_SHARE: o.input_share = cli_float("--input-share", optarg, 0, 1); break;
        case O_REQUESTS: o.requests = cli_float("--requests", optarg, 1e-9, 1e9); break;
        case O_PERREQ: o.per_request = true; break;
        case O_API:
            if (o.n_apis == MAX_LIST) cli_die(EXIT_USAGE, "--api: more than %d", MAX_LIST);
            o.apis[o.n_apis++] = optarg;
            break;
        case O_PIN: o.price_in = cli_float("--price-in", optarg, 0, 1e6); break;
        case O_POUT: o.price_out = cli_float("--price-out", optarg, 0, 1e6); break;
        case O_PRICES: o.prices_file = optarg; break;
        case O_LIST: o.list = true; break;
        case O_TPS: o.tps = cli_float("--tps", optarg, 1e-6, 1e9); break;
        case O_PTPS: o.prompt_tps = cli_float("--prompt-tps", optarg, 1e-6, 1e9); break;
        case O_STATS: o.stats_file = optarg; break;
        case O_WATTS: o.local.watts = cli_float("--watts", optarg, 0, 1e7); break;
        case O_IDLE: o.local.idle_watts = cli_float("--idle-watts", optarg, 0, 1e7); idle_given = true; break;
        case O_KWH: o.local.kwh_usd = cli_float("--kwh-price", optarg, 0, 1e3); break;
        case O_HW: o.local.hardware_usd = cli_float("--hardware-cost", optarg, 0, 1e12); hw_given = true; break;
        case O_LIFE: o.local.lifetime_months = cli_float("--lifetime-months", optarg, 1e-3, 1200); break;
        case O_DEVICES: o.local.devices = (double)cli_int("--devices", optarg, 1, 1000000000000LL); break;
        case O_PEAK: o.local.peak = cli_float("--peak", optarg, 1, 1e4); break;
        case O_ONDEV: o.local.on_device = 1; break;
        case O_JSON: o.json = true; break;
        case O_TSV: o.tsv = true; break;
        case O_SVG: o.svg = optarg; break;
        case O_CHART: o.chart = true; break;
        case 'h': usage(stdout); cli_finish_stdout();
        case O_VERSION: cli_version();
        default: usage(stderr); exit(EXIT_USAGE);
        }
    }
    if (optind < argc) cli_die(EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    if (o.list) return;
    if (o.json && o.tsv) cli_die(EXIT_USAGE, "--json and --tsv: choose one");
    if (!o.n_users) cli_die(EXIT_USAGE, "--users is required (e.g. --users 100,1000)");
    if (o.per_request && o.n_tokens)
        cli_die(EXIT_USAGE, "--tokens and --per-request: choose one (--per-request counts tokens on stdin)");
    if (!o.per_request && !o.n_tokens)
        cli_die(EXIT_USAGE, "--tokens is required (tokens per user per day), or --per-request");
    if ((o.price_in >= 0) != (o.price_out >= 0))
        cli_die(EXIT_USAGE, "--price-in and --price-out go together");
    if (o.prompt_tps >= 0 && o.tps < 0)
        cli_die(EXIT_USAGE, "--prompt-tps needs --tps (the generation speed)");
    if (o.local.idle_watts > o.local.watts) {
        if (idle_given)
            cli_die(EXIT_USAGE, "--idle-watts %g is more than --watts %g", o.local.idle_watts, o.local.watts);
        o.local.idle_watts = o.local.watts;   /* a low --watts lowers the default idle */
    }
    if (o.local.on_device && o.local.devices > 0)
        cli_die(EXIT_USAGE, "--on-device and --devices: on-device means one device per user");
    if (o.local.on_device && hw_given) {
        cli_warn("--on-device: the devices are the users' own; --hardware-cost is not counted");
        o.local.hardware_usd = 0;
    }
}

/* ================= input: stats line and token streams ================= */

/* Read all of f (at most max bytes) into a malloc'd buffer; dies on error. */
static char *slurp(FILE *f, const char *name, size_t max, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf) cli_die(EXIT_INPUT, "%s: out of memory", name);
    for (;;) {
        if (n == cap) {
            if (cap > max) cli_die(EXIT_INPUT, "%s: more than %zu MiB", name, max >> 20);
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;   /* one byte over says "too big" */
            char *nb = realloc(buf, cap);
            if (!nb) cli_die(EXIT_INPUT, "%s: out of memory", name);
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) cli_die(EXIT_INPUT, "%s: read error: %s", name, strerror(errno ? errno : EIO));
    if (n > max) cli_die(EXIT_INPUT, "%s: more than %zu MiB", name, max >> 20);
    *len = n;
    return buf;
}

/* Find the last "#llm-stats" line in buf and parse it into *s. Returns
 * true if there was one; dies (naming NAME and the line) if malformed. */
static bool find_stats(const char *buf, size_t len, const char *name, llm_stats *s)
{
    bool found = false;
    size_t off = 0, lineno = 0;
    while (off < len) {
        lineno++;
        const char *nl = memchr(buf + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
        const char *line = buf + off;
        off += n + (nl ? 1 : 0);
        if (n < 10 || memcmp(line, "#llm-stats", 10) != 0) continue;
        if (n > 10 && line[10] != ' ' && line[10] != '\t' && line[10] != '\r') continue;
        llm_err e;
        if (llm_stats_parse(line, n, s, &e) < 0)
            cli_die(EXIT_INPUT, "%s: line %zu: %s", name, lineno, e.msg);
        if (!(s->have & LLM_STAT_TG_TPS) || !(s->tg_tps > 0))
            cli_die(EXIT_INPUT, "%s: line %zu: stats line has no generation speed "
                    "(tg_tps, or gen_tokens and gen_s)", name, lineno);
        found = true;
    }
    return found;
}

/* Count the tokens of each segment (request) of the token streams in buf.
 * Sets *requests and *tokens; dies on a malformed stream. */
static void count_requests(const char *buf, size_t len, double *requests, double *tokens)
{
    *requests = *tokens = 0;
    if (len == 0) return;
    FILE *f = fmemopen((void *)buf, len, "r");
    if (!f) cli_die(EXIT_INPUT, "stdin: %s", strerror(errno));
    llm_tok_reader *r = llm_tok_reader_new(f, "stdin");
    if (!r) cli_die(EXIT_INPUT, "stdin: out of memory");
    double in_segment = 0;
    int rc;
    int32_t id;
    llm_err e;
    while ((rc = llm_tok_next(r, &id, NULL, NULL, &e)) > 0) {
        if (rc == 1) { in_segment++; continue; }
        if (in_segment > 0) { *requests += 1; *tokens += in_segment; }
        in_segment = 0;
    }
    if (rc < 0) cli_die(EXIT_INPUT, "%s", e.msg);
    if (in_segment > 0) { *requests += 1; *tokens += in_segment; }  /* no final empty line */
    llm_tok_reader_free(r);
    fclose(f);
}

/* ================= rows ================= */

typedef struct row {
    double users, tokens;              /* tokens per user per day */
    const llm_price *api;
    double cloud_day;
    bool local;                        /* local figures known */
    llm_local_result loc;
    llm_breakeven be;
} row;

/* ================= formatting ================= */

/* v with thousands separators and `dec` decimals. */
static const char *fmt_num(char *buf, size_t n, double v, int dec)
{
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", dec, fabs(v));
    const char *dot = strchr(raw, '.');
    size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw), j = 0;
    if (v < 0 && j + 1 < n) buf[j++] = '-';
    for (size_t i = 0; i < ilen && j + 2 < n; i++) {
        buf[j++] = raw[i];
        if ((ilen - i - 1) % 3 == 0 && i + 1 < ilen) buf[j++] = ',';
    }
    for (const char *p = dot; p && *p && j + 1 < n; p++) buf[j++] = *p;
    buf[j] = 0;
    return buf;
}

/* Money for people: cents when exact in cents, else 3 significant digits
 * below $1; cents to $1000; whole dollars with separators above. */
static const char *fmt_usd(char *buf, size_t n, double v)
{
    if (v == 0) snprintf(buf, n, "0");
    else if (fabs(v) < 1 && fabs(v * 100 - round(v * 100)) > 1e-9) snprintf(buf, n, "%.3g", v);
    else if (fabs(v) < 1000) snprintf(buf, n, "%.2f", v);
    else fmt_num(buf, n, v, 0);
    return buf;
}

/* Print s as a JSON string. */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

/* A JSON number, or null when !ok. */
static void json_num(const char *key, double v, bool ok, bool comma)
{
    printf("\"%s\": ", key);
    if (ok && isfinite(v)) printf("%.10g", v);
    else printf("null");
    if (comma) printf(", ");
}

/* ================= the table, JSON and TSV ================= */

static const char *speed_source;       /* where the local speed came from */
static char model_name[128];
static double req_in, req_out;         /* tokens of one request */

static double ratio(const row *r)
{
    return r->local && r->loc.usd_per_day > 0 ? r->cloud_day / r->loc.usd_per_day : NAN;
}

static void print_text(const row *rows, size_t nr, const llm_price **apis, size_t na)
{
    enum { NC = 11, CW = 80 };
    static const char *head[NC] = {"users", "tok/user", "tok/day", "api", "cloud/day",
                                   "cloud/month", "local/day", "local/month",
                                   "cloud/local", "local/1M", "devices"};
    char (*cells)[NC][CW] = calloc(nr, sizeof *cells);
    if (!cells) cli_die(EXIT_INPUT, "out of memory");
    size_t w[NC];
    for (int c = 0; c < NC; c++) w[c] = strlen(head[c]);
    for (size_t i = 0; i < nr; i++) {
        const row *r = &rows[i];
        char (*x)[CW] = cells[i];
        fmt_num(x[0], CW, r->users, 0);
        fmt_num(x[1], CW, r->tokens, r->tokens == floor(r->tokens) ? 0 : 1);
        fmt_num(x[2], CW, r->users * r->tokens, 0);
        snprintf(x[3], CW, "%s", r->api->name);
        fmt_usd(x[4], CW, r->cloud_day);
        fmt_usd(x[5], CW, llm_cost_per_month(r->cloud_day));
        if (r->local) {
            fmt_usd(x[6], CW, r->loc.usd_per_day);
            fmt_usd(x[7], CW, llm_cost_per_month(r->loc.usd_per_day));
            double q = ratio(r);
            if (isfinite(q)) snprintf(x[8], CW, "%.3gx", q);
            else snprintf(x[8], CW, "-");
            fmt_usd(x[9], CW, r->loc.usd_per_mtok);
            char a[32], b[32];
            fmt_num(a, sizeof a, r->loc.devices_needed, 0);
            if (o.local.on_device)
                snprintf(x[10], CW, "%s own%s", a, r->loc.keeps_up ? "" : " (too slow)");
            else if (!r->loc.keeps_up)
                snprintf(x[10], CW, "%s (have %s)", a, fmt_num(b, sizeof b, o.local.devices, 0));
            else
                snprintf(x[10], CW, "%s", a);
        } else {
            for (int c = 6; c < NC; c++) snprintf(x[c], CW, "-");
        }
        for (int c = 0; c < NC; c++)
            if (strlen(x[c]) > w[c]) w[c] = strlen(x[c]);
    }
    int nc = speed_source ? NC : 6;     /* no local columns without a speed */
    for (int c = 0; c < nc; c++)
        printf("%s%*s", c ? "  " : "", c == 3 ? -(int)w[c] : (int)w[c], head[c]);
    putchar('\n');
    for (size_t i = 0; i < nr; i++) {
        for (int c = 0; c < nc; c++)
            printf("%s%*s", c ? "  " : "", c == 3 ? -(int)w[c] : (int)w[c], cells[i][c]);
        putchar('\n');
    }
    free(cells);

    char a[48], b[48], d[48];
    printf("\nUSD; month = 30 days; input share %.3g; %g request%s per user per day\n",
           o.input_share, o.requests, o.requests == 1 ? "" : "s");
    if (o.per_request)
        printf("tokens per request counted on stdin: %.4g (%.4g tokens per user per day)\n",
               req_in + req_out, rows[0].tokens);
    if (!speed_source) {
        printf("local: no speed given (--tps, or a #llm-stats line on stdin or in --stats FILE)\n");
    } else {
        const llm_local_params *p = &o.local;
        printf("local: prompt %.4g, generation %.4g tokens/s from %s%s%s\n", p->pp_tps, p->tg_tps,
               speed_source, model_name[0] ? ", model " : "", model_name);
        printf("local: %g W busy, %g W idle, $%s per kWh; ", p->watts, p->idle_watts,
               fmt_usd(a, sizeof a, p->kwh_usd));
        if (p->on_device)
            printf("on the users' own devices: marginal energy only, paid by the users; no hardware\n");
        else
            printf("hardware $%s per device over %g months%s; peak %gx; %s\n",
                   fmt_usd(a, sizeof a, p->hardware_usd), p->lifetime_months,
                   p->hardware_usd == 0 ? " (not counted: --hardware-cost)" : "",
                   p->peak, p->devices > 0 ? "devices as given" : "devices as needed");
        double cap = LLM_COST_SECONDS_PER_DAY / llm_cost_seconds_per_token(p, o.input_share);
        printf("one reply of %s input + %s output tokens takes %.3g s; one device makes %s tokens/day at this mix",
               fmt_num(a, sizeof a, req_in, req_in == floor(req_in) ? 0 : 1),
               fmt_num(b, sizeof b, req_out, req_out == floor(req_out) ? 0 : 1),
               llm_cost_reply_seconds(p, req_in, req_out), fmt_num(d, sizeof d, cap, 0));
        if (!p->on_device) printf(" (%s at the peak limit)", fmt_num(a, sizeof a, cap / p->peak, 0));
        printf("\n\nbreak-even (tokens/day above which local stays cheaper):\n");
        size_t wn = 0;
        for (size_t i = 0; i < na; i++)
            if (strlen(apis[i]->name) > wn) wn = strlen(apis[i]->name);
        for (size_t i = 0; i < na; i++) {
            const llm_breakeven *be = NULL;
            for (size_t j = 0; j < nr && !be; j++)
                if (rows[j].api == apis[i]) be = &rows[j].be;
            printf("  %-*s  ", (int)wn, apis[i]->name);
            if (be->never) {
                printf("never: %s\n", be->reason);
            } else if (be->tokens_per_day == 0) {
                printf("at any volume: %s\n", be->reason);
            } else {
                printf("%s tokens/day (", fmt_num(a, sizeof a, ceil(be->tokens_per_day), 0));
                for (size_t t = 0; t < o.n_tokens; t++)
                    printf("%s%s users at %s", t ? ", " : "",
                           fmt_num(b, sizeof b, ceil(be->tokens_per_day / o.tokens[t]), 0),
                           fmt_num(d, sizeof d, o.tokens[t], o.tokens[t] == floor(o.tokens[t]) ? 0 : 1));
                printf(")\n");
            }
        }
    }
    printf("\nprices, USD per 1M tokens (list prices at the date shown):\n");
    size_t wn = 0;
    for (size_t i = 0; i < na; i++)
        if (strlen(apis[i]->name) > wn) wn = strlen(apis[i]->name);
    for (size_t i = 0; i < na; i++)
    {
        printf("  %-*s  in %-6s out %-6s %s  %s\n", (int)wn, apis[i]->name,
               fmt_usd(a, sizeof a, apis[i]->in_per_m), fmt_usd(b, sizeof b, apis[i]->out_per_m),
               apis[i]->checked[0] ? apis[i]->checked : "(no date)", apis[i]->source);
    }
}

/* The per-row fields of --json and --tsv, in order. */
static const char *row_keys[] = {
    "users", "tokens_per_user_per_day", "tokens_per_day", "api",
    "cloud_usd_per_day", "cloud_usd_per_month", "local_usd_per_day",
    "local_usd_per_month", "local_usd_per_mtok", "local_energy_usd_per_day",
    "local_hardware_usd_per_day", "cloud_over_local", "breakeven_tokens_per_day",
    "breakeven_reason", "devices_needed", "devices_used", "keeps_up",
    "tokens_per_device_per_day", "seconds_per_reply",
};
enum { NKEYS = sizeof row_keys / sizeof row_keys[0] };

/* Row field k as a number (*ok false for null), or text for strings. */
static double row_val(const row *r, int k, bool *ok, const char **text)
{
    *ok = true;
    *text = NULL;
    bool L = r->local;
    switch (k) {
    case 0: return r->users;
    case 1: return r->tokens;
    case 2: return r->users * r->tokens;
    case 3: *text = r->api->name; return 0;
    case 4: return r->cloud_day;
    case 5: return llm_cost_per_month(r->cloud_day);
    case 6: *ok = L; return r->loc.usd_per_day;
    case 7: *ok = L; return llm_cost_per_month(r->loc.usd_per_day);
    case 8: *ok = L; return r->loc.usd_per_mtok;
    case 9: *ok = L; return r->loc.energy_usd_per_day;
    case 10: *ok = L; return r->loc.hardware_usd_per_day;
    case 11: { double q = ratio(r); *ok = isfinite(q); return q; }
    case 12: *ok = L && !r->be.never; return r->be.tokens_per_day;
    case 13:
        *text = !L ? "no local speed given" : r->be.reason;
        return 0;
    case 14: *ok = L; return r->loc.devices_needed;
    case 15: *ok = L; return r->loc.devices_used;
    case 16: *ok = L; return r->loc.keeps_up;
    case 17: *ok = L; return r->loc.tokens_per_device_day;
    case 18: *ok = L; return L ? llm_cost_reply_seconds(&o.local, req_in, req_out) : 0;
    }
    *ok = false;
    return 0;
}

static void print_json(const row *rows, size_t nr, const llm_price **apis, size_t na)
{
    printf("{\n  \"month_days\": %g, \"input_share\": %.10g, \"requests_per_user_per_day\": %.10g,\n",
           LLM_COST_DAYS_PER_MONTH, o.input_share, o.requests);
    printf("  \"request_input_tokens\": %.10g, \"request_output_tokens\": %.10g,\n", req_in, req_out);
    printf("  \"local\": ");
    if (!speed_source) {
        printf("null,\n");
    } else {
        const llm_local_params *p = &o.local;
        printf("{\"speed_source\": ");
        json_str(speed_source);
        printf(", \"model\": ");
        json_str(model_name);
        printf(", \"pp_tps\": %.10g, \"tg_tps\": %.10g, \"watts\": %.10g, \"idle_watts\": %.10g, "
               "\"kwh_price\": %.10g, \"hardware_cost\": %.10g, \"lifetime_months\": %.10g, "
               "\"peak\": %.10g, ", p->pp_tps, p->tg_tps, p->watts, p->idle_watts, p->kwh_usd,
               p->hardware_usd, p->lifetime_months, p->peak);
        json_num("devices", p->devices, p->devices > 0, true);
        printf("\"on_device\": %s},\n", p->on_device ? "true" : "false");
    }
    printf("  \"apis\": [\n");
    for (size_t i = 0; i < na; i++) {
        printf("    {\"name\": ");
        json_str(apis[i]->name);
        printf(", \"usd_in_per_mtok\": %.10g, \"usd_out_per_mtok\": %.10g, \"checked\": ",
               apis[i]->in_per_m, apis[i]->out_per_m);
        json_str(apis[i]->checked);
        printf(", \"source\": ");
        json_str(apis[i]->source);
        printf("}%s\n", i + 1 < na ? "," : "");
    }
    printf("  ],\n  \"rows\": [\n");
    for (size_t i = 0; i < nr; i++) {
        printf("    {");
        for (int k = 0; k < NKEYS; k++) {
            bool ok;
            const char *text;
            double v = row_val(&rows[i], k, &ok, &text);
            bool comma = k + 1 < NKEYS;
            if (text) {
                printf("\"%s\": ", row_keys[k]);
                json_str(text);
                if (comma) printf(", ");
            } else if (k == 16) {
                printf("\"%s\": %s%s", row_keys[k], !ok ? "null" : v ? "true" : "false", comma ? ", " : "");
            } else {
                json_num(row_keys[k], v, ok, comma);
            }
        }
        printf("}%s\n", i + 1 < nr ? "," : "");
    }
    printf("  ]\n}\n");
}

static void print_tsv(const row *rows, size_t nr)
{
    for (int k = 0; k < NKEYS; k++) printf("%s%s", k ? "\t" : "", row_keys[k]);
    putchar('\n');
    for (size_t i = 0; i < nr; i++) {
        for (int k = 0; k < NKEYS; k++) {
            bool ok;
            const char *text;
            double v = row_val(&rows[i], k, &ok, &text);
            if (k) putchar('\t');
            if (text) {
                for (; *text; text++) putchar(*text == '\t' || *text == '\n' ? ' ' : *text);
            } else if (ok) {
                printf("%.10g", v);
            }
        }
        putchar('\n');
    }
}

/* ================= charts ================= */

/* Monthly cost against users, log-log: a line per API and the local line,
 * for the first --tokens value. Written to a temp file, then renamed. */
static void write_svg(const char *path, const llm_price **apis, size_t na)
{
    double lo = o.users[0], hi = o.users[0];
    for (size_t i = 1; i < o.n_users; i++) {
        if (o.users[i] < lo) lo = o.users[i];
        if (o.users[i] > hi) hi = o.users[i];
    }
    if (lo == hi) { lo = lo / 10 < 1 ? 1 : lo / 10; hi *= 10; }
    double T = o.tokens[0];
    size_t ns = na + (speed_source ? 1 : 0);
    /* Room for the samples, and for the local line two more points at
     * each sample where one device is added (drawn as a vertical step). */
    size_t cap = 3 * SVG_POINTS;
    double *x = malloc(ns * cap * sizeof *x), *y = malloc(ns * cap * sizeof *y);
    llm_svg_series *s = calloc(ns, sizeof *s);
    if (!x || !y || !s) cli_die(EXIT_INPUT, "out of memory");
    for (size_t i = 0; i < ns; i++) {
        double *xi = x + i * cap, *yi = y + i * cap;
        size_t n = 0;
        llm_local_result prev = {0};
        for (int j = 0; j < SVG_POINTS; j++) {
            double u = j == SVG_POINTS - 1 ? hi : lo * pow(hi / lo, j / (double)(SVG_POINTS - 1));
            double day;
            if (i < na) {
                day = llm_cost_cloud_per_day(llm_cost_tokens_per_day(u, T), o.input_share,
                                             apis[i]->in_per_m, apis[i]->out_per_m);
            } else {
                llm_local_result r;
                llm_err e;
                if (llm_cost_local(&o.local, u, T, o.input_share, &r, &e) < 0) cli_die_err(EXIT_INPUT, &e);
                if (j > 0 && r.devices_used == prev.devices_used + 1 && !o.local.on_device) {
                    /* The step: n devices serve up to n*C/peak tokens/day. */
                    double ub = prev.devices_used * r.tokens_per_device_day / (o.local.peak * T);
                    llm_local_result a, b;
                    llm_cost_local(&o.local, ub * (1 - 1e-12), T, o.input_share, &a, NULL);
                    llm_cost_local(&o.local, ub * (1 + 1e-12), T, o.input_share, &b, NULL);
                    xi[n] = ub; yi[n++] = llm_cost_per_month(a.usd_per_day);
                    xi[n] = ub; yi[n++] = llm_cost_per_month(b.usd_per_day);
                }
                prev = r;
                day = r.usd_per_day;
            }
            xi[n] = u;
            yi[n++] = llm_cost_per_month(day);
        }
        s[i].name = i < na ? apis[i]->name : "local";
        s[i].x = xi;
        s[i].y = yi;
        s[i].n = n;
        s[i].dashed = i == na;
        s[i].color = i == na ? "#000000" : NULL;
    }
    char title[200], tok[48];
    snprintf(title, sizeof title, "Monthly cost (USD, 30-day month), %s tokens per user per day, input share %.3g",
             fmt_num(tok, sizeof tok, T, T == floor(T) ? 0 : 1), o.input_share);
    char *svg;
    size_t len;
    llm_err e;
    if (llm_cost_svg(&svg, &len, title, "daily users", "USD per month", 1, s, ns, &e) < 0)
        cli_die(EXIT_INPUT, "%s: %s", path, e.msg);
    FILE *f = llm_stream_open(path, "w", &e);
    if (!f) cli_die_err(EXIT_INPUT, &e);
    fwrite(svg, 1, len, f);
    if (f == stdout) {
        if (fflush(stdout) != 0) cli_die(EXIT_INPUT, "write error on standard output: %s", strerror(errno));
    } else if (llm_stream_close(f, &e) < 0) {
        cli_die_err(EXIT_INPUT, &e);
    }
    free(svg);
    free(s);
    free(x);
    free(y);
}

/* Monthly cost as bars on a log scale, for a terminal. */
static void print_chart(const row *rows, size_t nr)
{
    enum { BAR = 50 };
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < nr; i++) {
        double v[2] = {rows[i].cloud_day, rows[i].local ? rows[i].loc.usd_per_day : 0};
        for (int k = 0; k < 2; k++)
            if (v[k] > 0) { if (v[k] < lo) lo = v[k]; if (v[k] > hi) hi = v[k]; }
    }
    if (!(hi > 0)) return;
    char a[48], b[48];
    printf("\nmonthly cost, log scale ($%s to $%s):\n", fmt_usd(a, sizeof a, llm_cost_per_month(lo)),
           fmt_usd(b, sizeof b, llm_cost_per_month(hi)));
    double span = log10(hi) - log10(lo);
    size_t wn = 5;
    for (size_t i = 0; i < nr; i++)
        if (strlen(rows[i].api->name) > wn) wn = strlen(rows[i].api->name);
    for (size_t i = 0; i < nr; i++) {
        bool first = i == 0 || rows[i].users != rows[i - 1].users || rows[i].tokens != rows[i - 1].tokens;
        bool last = i + 1 == nr || rows[i + 1].users != rows[i].users || rows[i + 1].tokens != rows[i].tokens;
        char label[96];
        snprintf(label, sizeof label, "%s users x %s tok", fmt_num(a, sizeof a, rows[i].users, 0),
                 fmt_num(b, sizeof b, rows[i].tokens, rows[i].tokens == floor(rows[i].tokens) ? 0 : 1));
        for (int k = 0; k < 2; k++) {
            if (k == 1 && (!last || !rows[i].local)) break;
            double v = k ? rows[i].loc.usd_per_day : rows[i].cloud_day;
            int n = v > 0 ? 1 + (int)lround(span > 0 ? (log10(v) - log10(lo)) / span * (BAR - 1) : BAR - 1) : 0;
            printf("%-24s %-*s |", first && k == 0 ? label : "", (int)wn, k ? "local" : rows[i].api->name);
            for (int j = 0; j < n; j++) putchar('#');
            printf("%*s $%s\n", BAR - n, "", fmt_usd(a, sizeof a, llm_cost_per_month(v)));
        }
    }
}

/* ================= main ================= */

/* Print the price table in the --prices file format. */
static void print_prices(const llm_price_table *t)
{
    printf("# name\tusd_in_per_1M\tusd_out_per_1M\tchecked\tsource (list prices at the date checked)\n");
    for (size_t i = 0; i < t->n; i++)
        printf("%s\t%.10g\t%.10g\t%s\t%s\n", t->v[i].name, t->v[i].in_per_m, t->v[i].out_per_m,
               t->v[i].checked[0] ? t->v[i].checked : "-", t->v[i].source);
}

/* Die: unknown API NAME, listing the known ones. */
static void unknown_api(const char *name, const llm_price_table *t)
{
    size_t cap = 64;
    for (size_t i = 0; i < t->n; i++) cap += strlen(t->v[i].name) + 2;
    char *list = malloc(cap);
    if (!list) cli_die(EXIT_USAGE, "unknown API '%s'", name);
    list[0] = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (i) strcat(list, ", ");
        strcat(list, t->v[i].name);
    }
    cli_die(EXIT_USAGE, "unknown API '%s'; known: %s (or --price-in/--price-out, --prices FILE)", name, list);
}

int main(int argc, char **argv)
{
    cli_init(argv);
    parse_args(argc, argv);
    llm_err e;
    llm_price_table prices;
    if (llm_prices_init(&prices, &e) < 0) cli_die_err(EXIT_INPUT, &e);
    if (o.prices_file && llm_prices_load(&prices, o.prices_file, &e) < 0) cli_die_err(EXIT_INPUT, &e);
    if (o.list) {
        print_prices(&prices);
        llm_prices_free(&prices);
        cli_finish_stdout();
    }

    /* The APIs of the rows. */
    static const char *defaults[] = {"gpt-3.5-turbo", "claude-3.5-sonnet", "gpt-4"};
    if (!o.n_apis && o.price_in < 0)
        for (size_t i = 0; i < 3; i++) o.apis[o.n_apis++] = defaults[i];
    const llm_price *apis[MAX_LIST + 1];
    size_t na = 0;
    for (size_t i = 0; i < o.n_apis; i++) {
        const llm_price *p = llm_prices_find(&prices, o.apis[i]);
        if (!p) unknown_api(o.apis[i], &prices);
        apis[na++] = p;
    }
    llm_price custom = {.in_per_m = o.price_in, .out_per_m = o.price_out,
                        .source = "--price-in/--price-out"};
    snprintf(custom.name, sizeof custom.name, "custom");
    if (o.price_in >= 0) apis[na++] = &custom;

    /* Standard input: a #llm-stats line, token streams for --per-request.
     * Read only when asked for, or when no speed is given and stdin is
     * not a terminal (llm-infer --bench | llm-cost ...). */
    llm_stats st;
    bool have_stats = false;
    char stats_where[64] = "";
    bool stdin_stats = o.stats_file && strcmp(o.stats_file, "-") == 0;
    if (stdin_stats) o.stats_file = NULL;   /* --stats -: read it from stdin */
    if (o.per_request || stdin_stats || (o.tps < 0 && !o.stats_file && !isatty(0))) {
        size_t len;
        char *buf = slurp(stdin, "stdin", MAX_STDIN, &len);
        if (o.tps < 0 && !o.stats_file && find_stats(buf, len, "stdin", &st)) {
            have_stats = true;
            snprintf(stats_where, sizeof stats_where, "#llm-stats on stdin");
        }
        if (o.per_request) {
            double nreq, ntok;
            count_requests(buf, len, &nreq, &ntok);
            if (nreq == 0) cli_die(EXIT_INPUT, "stdin: --per-request: no tokens (want token streams, one segment per request)");
            o.tokens[0] = ntok / nreq * o.requests;
            o.n_tokens = 1;
        } else if (len > 0 && !have_stats && o.tps < 0 && !o.stats_file) {
            cli_warn("stdin: no #llm-stats line; local costs need one, or --tps");
        }
        if (stdin_stats && !have_stats && o.tps < 0)
            cli_die(EXIT_INPUT, "stdin: no #llm-stats line (--stats -)");
        free(buf);
    }
    if (o.stats_file) {
        FILE *f = llm_stream_open(o.stats_file, "r", &e);
        if (!f) cli_die_err(EXIT_INPUT, &e);
        size_t len;
        char *buf = slurp(f, o.stats_file, 1 << 20, &len);
        llm_stream_close(f, NULL);
        if (!find_stats(buf, len, o.stats_file, &st))
            cli_die(EXIT_INPUT, "%s: no #llm-stats line", o.stats_file);
        free(buf);
        have_stats = true;
        snprintf(stats_where, sizeof stats_where, "#llm-stats in --stats file");
    }
    if (o.tps > 0) {
        o.local.tg_tps = o.tps;
        o.local.pp_tps = o.prompt_tps > 0 ? o.prompt_tps : o.tps;
        speed_source = o.prompt_tps > 0 ? "--tps and --prompt-tps" : "--tps (also used for prompts)";
    } else if (have_stats) {
        o.local.tg_tps = st.tg_tps;
        if ((st.have & LLM_STAT_PP_TPS) && st.pp_tps > 0) {
            o.local.pp_tps = st.pp_tps;
        } else {
            cli_warn("the stats line has no prompt speed; the generation speed is used for prompts too");
            o.local.pp_tps = st.tg_tps;
        }
        speed_source = stats_where;
        snprintf(model_name, sizeof model_name, "%s", st.model);
    }
    if (speed_source && llm_cost_local_check(&o.local, &e) < 0) cli_die_err(EXIT_USAGE, &e);

    /* One request: its input and output tokens. */
    req_in = o.tokens[0] / o.requests * o.input_share;
    req_out = o.tokens[0] / o.requests - req_in;

    /* Rows: users, then tokens, then APIs. */
    size_t nr = o.n_users * o.n_tokens * na;
    row *rows = calloc(nr, sizeof *rows);
    if (!rows) cli_die(EXIT_INPUT, "out of memory");
    size_t k = 0;
    for (size_t u = 0; u < o.n_users; u++)
        for (size_t t = 0; t < o.n_tokens; t++)
            for (size_t a = 0; a < na; a++, k++) {
                row *r = &rows[k];
                r->users = o.users[u];
                r->tokens = o.tokens[t];
                r->api = apis[a];
                double D = llm_cost_tokens_per_day(r->users, r->tokens);
                r->cloud_day = llm_cost_cloud_per_day(D, o.input_share, r->api->in_per_m, r->api->out_per_m);
                if (!speed_source) continue;
                r->local = true;
                if (llm_cost_local(&o.local, r->users, r->tokens, o.input_share, &r->loc, &e) < 0)
                    cli_die_err(EXIT_USAGE, &e);
                llm_cost_breakeven(&o.local, o.input_share, r->api->in_per_m, r->api->out_per_m, &r->be);
            }

    if (o.svg) write_svg(o.svg, apis, na);
    if (!(o.svg && strcmp(o.svg, "-") == 0)) {
        if (o.json) print_json(rows, nr, apis, na);
        else if (o.tsv) print_tsv(rows, nr);
        else {
            print_text(rows, nr, apis, na);
            if (o.chart) {
                if (isatty(1)) print_chart(rows, nr);
                else cli_warn("--chart: standard output is not a terminal; no chart");
            }
        }
    }
    free(rows);
    llm_prices_free(&prices);
    cli_finish_stdout();
}
