/* test_cost.c: the economics model of llm-cost against cases worked out by
 * hand (the working is in the comments), the price file and #llm-stats
 * parsers, and the SVG chart. */
#include "t.h"

#include "cost.h"
#include "cost_svg.h"

/* Relative closeness: |a-b| <= 1e-9 * max(1, |b|). */
static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

#define NEAR(name, got, want) T_CHECK(name, near((got), (want)), "got %.12g want %.12g", (double)(got), (double)(want))

static void test_scenario(void)
{
    /* 100 users x 300 tokens = 30,000 tokens/day, all input, at $0.50 per
     * 1M: 30,000 * 0.50 / 1,000,000 = $0.015/day; x 30 = $0.45/month. */
    double T = llm_cost_tokens_per_day(100, 300);
    NEAR("scenario tokens/day", T, 30000);
    double day = llm_cost_cloud_per_day(T, 1.0, 0.50, 1.50);
    NEAR("scenario $/day", day, 0.015);
    NEAR("scenario $/month", llm_cost_per_month(day), 0.45);
    /* The claim's $15/day is this figure x 1000 (per-1K price used per token). */
    NEAR("scenario claim is 1000x", 15.0 / day, 1000);
    /* Default input share 0.5: 15,000 x 0.50/1M + 15,000 x 1.50/1M
     * = 0.0075 + 0.0225 = $0.03/day. */
    NEAR("scenario share 0.5", llm_cost_cloud_per_day(T, 0.5, 0.50, 1.50), 0.03);
    NEAR("blended per token", llm_cost_cloud_per_token(0.5, 0.50, 1.50), 1.0e-6);
}

/* The whole table of the scenario at input share 1: tokens/day x the
 * input price / 1M, each value worked out by hand. */
static void test_scenario_table(void)
{
    static const struct { double users, tokens; const char *api; double day; } want[] = {
        {100, 300, "gpt-3.5-turbo", 0.015}, {100, 400, "gpt-3.5-turbo", 0.02},
        {100, 500, "gpt-3.5-turbo", 0.025}, {1000, 300, "gpt-3.5-turbo", 0.15},
        {1000, 400, "gpt-3.5-turbo", 0.20}, {1000, 500, "gpt-3.5-turbo", 0.25},
        {10000, 300, "gpt-3.5-turbo", 1.50}, {10000, 400, "gpt-3.5-turbo", 2.00},
        {10000, 500, "gpt-3.5-turbo", 2.50},
        {100, 300, "claude-3.5-sonnet", 0.09}, {100, 400, "claude-3.5-sonnet", 0.12},
        {100, 500, "claude-3.5-sonnet", 0.15}, {1000, 300, "claude-3.5-sonnet", 0.90},
        {1000, 400, "claude-3.5-sonnet", 1.20}, {1000, 500, "claude-3.5-sonnet", 1.50},
        {10000, 300, "claude-3.5-sonnet", 9.00}, {10000, 400, "claude-3.5-sonnet", 12.00},
        {10000, 500, "claude-3.5-sonnet", 15.00},
        {100, 300, "gpt-4", 0.90}, {100, 400, "gpt-4", 1.20}, {100, 500, "gpt-4", 1.50},
        {1000, 300, "gpt-4", 9.00}, {1000, 400, "gpt-4", 12.00}, {1000, 500, "gpt-4", 15.00},
        {10000, 300, "gpt-4", 90.00}, {10000, 400, "gpt-4", 120.00},
        {10000, 500, "gpt-4", 150.00},
    };
    llm_price_table t;
    llm_err e;
    T_CHECK("prices init", llm_prices_init(&t, &e) == 0, "%s", e.msg);
    int bad = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const llm_price *p = llm_prices_find(&t, want[i].api);
        if (!p) { T_FAIL("scenario table", "%s missing", want[i].api); return; }
        double day = llm_cost_cloud_per_day(llm_cost_tokens_per_day(want[i].users, want[i].tokens),
                                            1.0, p->in_per_m, p->out_per_m);
        if (!near(day, want[i].day) || !near(llm_cost_per_month(day), want[i].day * 30)) {
            T_FAIL("scenario table", "%g users x %g tokens on %s: $%.12g/day, want $%g",
                   want[i].users, want[i].tokens, want[i].api, day, want[i].day);
            bad++;
        }
    }
    if (!bad) T_OK("scenario table (27 cells, day and month)");
    /* The scenario's prices as the issue states them. */
    const llm_price *a = llm_prices_find(&t, "GPT-3.5-Turbo"), *b = llm_prices_find(&t, "claude-3.5-sonnet"),
                    *c = llm_prices_find(&t, "gpt-4");
    T_CHECK("shipped prices", a && b && c && a->in_per_m == 0.5 && a->out_per_m == 1.5 &&
            b->in_per_m == 3 && b->out_per_m == 15 && c->in_per_m == 30 && c->out_per_m == 60,
            "scenario prices differ");
    int dated = 1;
    for (size_t i = 0; i < llm_prices_shipped_n; i++)
        if (!llm_prices_shipped[i].checked[0] || !llm_prices_shipped[i].source[0]) dated = 0;
    T_CHECK("shipped prices dated and sourced", dated, "an entry lacks a date or source");
    llm_prices_free(&t);
}

/* A laptop-class case: prompt 100 tok/s, generation 20 tok/s, input share
 * 0.5, 25 W busy, 5 W idle, $0.20/kWh, $800 over 36 months, peak 2. */
static llm_local_params laptop(void)
{
    return (llm_local_params){.pp_tps = 100, .tg_tps = 20, .watts = 25, .idle_watts = 5,
                              .kwh_usd = 0.20, .hardware_usd = 800, .lifetime_months = 36,
                              .peak = 2};
}

static void test_local(void)
{
    llm_local_params p = laptop();
    llm_local_result r;
    llm_err e;
    /* seconds/token = 0.5/100 + 0.5/20 = 0.03; capacity 86400/0.03 = 2,880,000. */
    NEAR("seconds per token", llm_cost_seconds_per_token(&p, 0.5), 0.03);
    /* One reply of 150 in + 150 out: 1.5 s + 7.5 s = 9 s. */
    NEAR("reply seconds", llm_cost_reply_seconds(&p, 150, 150), 9.0);
    T_CHECK("local 100 users", llm_cost_local(&p, 100, 300, 0.5, &r, &e) == 0, "%s", e.msg);
    NEAR("capacity", r.tokens_per_device_day, 2880000);
    /* 30,000 tokens x 0.03 s = 900 s = 0.25 h busy. Energy: 5 W x 24 h +
     * (25-5) W x 0.25 h = 125 Wh = 0.125 kWh x $0.20 = $0.025. Hardware:
     * 800 / (36 x 30) = $0.7407407.../day. */
    NEAR("busy hours", r.busy_hours, 0.25);
    T_CHECK("devices 100 users", r.devices_needed == 1 && r.devices_used == 1 && r.keeps_up, "needed %g", r.devices_needed);
    NEAR("energy 100 users", r.energy_usd_per_day, 0.025);
    NEAR("hardware/day", r.hardware_usd_per_day, 800.0 / 1080.0);
    NEAR("local/day 100 users", r.usd_per_day, 0.025 + 800.0 / 1080.0);
    NEAR("local/1M 100 users", r.usd_per_mtok, (0.025 + 800.0 / 1080.0) / 30000 * 1e6);

    /* 10,000 users: 3,000,000 tokens; devices = ceil(2 x 3e6 / 2.88e6) = 3.
     * Busy 3e6 x 0.03 / 3600 = 25 h. Energy: 3 x 5 W x 24 h = 360 Wh, plus
     * 20 W x 25 h = 500 Wh: 0.86 kWh = $0.172. Hardware 3 x 0.7407 = $2.2222. */
    llm_cost_local(&p, 10000, 300, 0.5, &r, &e);
    T_CHECK("devices 10k users", r.devices_needed == 3 && r.devices_used == 3, "needed %g", r.devices_needed);
    NEAR("energy 10k users", r.energy_usd_per_day, 0.172);
    NEAR("local/day 10k users", r.usd_per_day, 0.172 + 3 * 800.0 / 1080.0);

    /* Owning 2 devices does not keep up (3 needed); the cost counts 3. */
    p.devices = 2;
    llm_cost_local(&p, 10000, 300, 0.5, &r, &e);
    T_CHECK("2 devices too few", !r.keeps_up && r.devices_used == 3, "keeps_up %d used %g", r.keeps_up, r.devices_used);
    /* Owning 5: keeps up, and all 5 cost idle power and hardware:
     * 5 x 0.024 + 0.1 = $0.22 energy. */
    p.devices = 5;
    llm_cost_local(&p, 10000, 300, 0.5, &r, &e);
    T_CHECK("5 devices", r.keeps_up && r.devices_used == 5, "used %g", r.devices_used);
    NEAR("energy with 5 devices", r.energy_usd_per_day, 0.22);

    /* On the users' own devices: marginal energy only. 100 users x 300:
     * 900 s busy = 0.25 h x 20 W = 5 Wh = $0.001; no hardware. */
    p = laptop();
    p.on_device = 1;
    llm_cost_local(&p, 100, 300, 0.5, &r, &e);
    NEAR("on-device energy", r.usd_per_day, 0.001);
    T_CHECK("on-device devices", r.devices_needed == 100 && r.keeps_up && r.hardware_usd_per_day == 0,
            "needed %g", r.devices_needed);
    /* A user with more tokens than a device makes in a day (2,880,000). */
    llm_cost_local(&p, 1, 3e6, 0.5, &r, &e);
    T_CHECK("on-device too slow", !r.keeps_up, "keeps_up");

    /* Invalid parameters are refused with a message naming the field. */
    p = laptop();
    p.tg_tps = 0;
    T_CHECK("zero speed refused", llm_cost_local(&p, 1, 1, 0.5, &r, &e) < 0 && strstr(e.msg, "speed"), "%s", e.msg);
    p = laptop();
    p.idle_watts = 30;
    T_CHECK("idle > busy refused", llm_cost_local_check(&p, &e) < 0 && strstr(e.msg, "idle"), "%s", e.msg);
    p = laptop();
    p.peak = 0.5;
    T_CHECK("peak < 1 refused", llm_cost_local_check(&p, &e) < 0 && strstr(e.msg, "peak"), "%s", e.msg);
    p = laptop();
    p.on_device = 1;
    p.devices = 3;
    T_CHECK("on-device with devices refused", llm_cost_local_check(&p, &e) < 0, "accepted");
}

/* Local minus cloud cost per day at D tokens/day (server mode). */
static double gap(const llm_local_params *p, double D, double share, double in, double out)
{
    llm_local_result r;
    llm_cost_local(p, D, 1, share, &r, NULL);
    return r.usd_per_day - llm_cost_cloud_per_day(D, share, in, out);
}

static void test_breakeven(void)
{
    llm_breakeven b;
    /* Clean case: no energy (0 W), fixed $1/day ($30 over 1 month),
     * 100 tok/s both ways (8,640,000 tokens/day), peak 1, API $1 per 1M.
     * Local = $1/day for up to 8.64M tokens; cloud = D/1e6. Break-even
     * at exactly 1,000,000 tokens/day. */
    llm_local_params p = {.pp_tps = 100, .tg_tps = 100, .watts = 0, .idle_watts = 0,
                          .kwh_usd = 0.2, .hardware_usd = 30, .lifetime_months = 1, .peak = 1};
    llm_cost_breakeven(&p, 0.5, 1, 1, &b);
    T_CHECK("break-even 1M", !b.never && near(b.tokens_per_day, 1e6), "never %d at %.12g", b.never, b.tokens_per_day);

    /* The laptop against gpt-3.5-turbo at share 0.5: c = $1.00 per 1M;
     * e = 20 W x 0.03 s / 3.6e6 x 0.20 = $3.333e-8 per token;
     * F = 800/1080 + 5 W x 24 h x 0.20 / 1000 = 0.7407407 + 0.024;
     * a = F / (c - e) = 791,111.1; b = 2,880,000 / 2 = 1,440,000;
     * b/(b-a) = 2.219, so the last segment where local can still lose is
     * n = 2: break-even 2a = 1,582,222.2 tokens/day (with one device
     * local wins above a, but the second device costs more again). */
    llm_local_params l = laptop();
    double c = 1e-6, e = 20 * 0.03 / 3.6e6 * 0.20, F = 800.0 / 1080.0 + 0.024;
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("break-even laptop", !b.never && near(b.tokens_per_day, 2 * F / (c - e)),
            "never %d at %.12g want %.12g", b.never, b.tokens_per_day, 2 * F / (c - e));
    /* The sawtooth: just above a (one device), local is cheaper; just
     * above b (two devices) it is dearer again; above the break-even it
     * stays cheaper (checked on a grid up to 100 devices' worth). */
    double a = F / (c - e);
    T_CHECK("one device wins above a", gap(&l, a * 1.01, 0.5, 0.5, 1.5) < 0, "gap %g", gap(&l, a * 1.01, 0.5, 0.5, 1.5));
    T_CHECK("second device loses", gap(&l, 1440000 * 1.01, 0.5, 0.5, 1.5) > 0, "gap %g", gap(&l, 1440000 * 1.01, 0.5, 0.5, 1.5));
    T_CHECK("loses just below break-even", gap(&l, b.tokens_per_day * 0.999, 0.5, 0.5, 1.5) >= 0, "cheaper");
    int stays = 1;
    for (double D = b.tokens_per_day * 1.0001; D < 1.44e8; D *= 1.003)
        if (gap(&l, D, 0.5, 0.5, 1.5) >= 0) { stays = 0; break; }
    T_CHECK("stays cheaper above break-even", stays, "dearer somewhere above");

    /* Owning 3 devices moves it to 3a. */
    l.devices = 3;
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("break-even with 3 devices", near(b.tokens_per_day, 3 * a), "at %.12g", b.tokens_per_day);

    /* Never: $5000 hardware makes a fully loaded device dearer than
     * gpt-3.5-turbo ((5000/1080 + 0.024)/1.44e6 > $1 per 1M). */
    l = laptop();
    l.hardware_usd = 5000;
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("never: device too dear", b.never && strstr(b.reason, "limit"), "never %d: %s", b.never, b.reason);
    /* Never: electricity alone above the API price. */
    l = laptop();
    l.kwh_usd = 100;   /* e = 20 x 0.03 / 3.6e6 x 100 = $16.7 per 1M > $1 */
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("never: electricity", b.never && strstr(b.reason, "electricity"), "never %d: %s", b.never, b.reason);
    /* No fixed cost: cheaper at any volume. */
    l = laptop();
    l.hardware_usd = 0;
    l.idle_watts = 0;
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("any volume without fixed cost", !b.never && b.tokens_per_day == 0, "never %d at %g", b.never, b.tokens_per_day);
    /* On-device: energy only, so 0 or never. */
    l = laptop();
    l.on_device = 1;
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("on-device any volume", !b.never && b.tokens_per_day == 0, "never %d", b.never);
    l.kwh_usd = 100;
    llm_cost_breakeven(&l, 0.5, 0.5, 1.5, &b);
    T_CHECK("on-device never", b.never, "not never");
}

static void test_prices(void)
{
    llm_price_table t;
    llm_err e;
    llm_prices_init(&t, &e);
    size_t n0 = t.n;
    const char good[] =
        "# my prices\n"
        "\n"
        "my-model\t1.25\t5\t2025-01-02\thttps://example.com/p (list)\r\n"
        "  gpt-4   10 20 -\n"
        "bare 0 0\n";
    T_CHECK("price file parses", llm_prices_parse(&t, good, sizeof good - 1, "p.tsv", &e) == 0, "%s", e.msg);
    const llm_price *m = llm_prices_find(&t, "my-model");
    T_CHECK("price file entry", m && m->in_per_m == 1.25 && m->out_per_m == 5 &&
            strcmp(m->checked, "2025-01-02") == 0 && strcmp(m->source, "https://example.com/p (list)") == 0,
            "entry wrong");
    const llm_price *g = llm_prices_find(&t, "gpt-4");
    T_CHECK("price file overrides", g && g->in_per_m == 10 && g->checked[0] == 0 && t.n == n0 + 2, "n %zu", t.n);
    static const struct { const char *text, *want; } bad[] = {
        {"x abc 1\n", "line 1: input price 'abc' is not a number"},
        {"# c\nx 1 -2\n", "line 2: output price -2 is out of range"},
        {"x 1\n", "line 1: 'x' has no output price"},
        {"x\n", "line 1: 'x' has no input price"},
        {"x 1 2 yesterday\n", "date 'yesterday' is not YYYY-MM-DD"},
        {"x 1 2 2024-13-01\n", "date '2024-13-01'"},
        {"x 1 nan\n", "output price 'nan' is not a number"},
        {"x 1 1e999\n", "output price '1e999' is not a number"},
        {"x 1 2\0\n", "NUL byte"},
        {"x\001y 1 2\n", "name 'x\\x01y' has a control byte"},
        {"x 1 \377\n", "output price '\\xff' is not a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i].text) + (strstr(bad[i].want, "NUL") ? 2 : 0);
        size_t before = t.n;
        int rc = llm_prices_parse(&t, bad[i].text, len, "p.tsv", &e);
        char name[64];
        snprintf(name, sizeof name, "bad price file %zu", i);
        T_CHECK(name, rc < 0 && strstr(e.msg, bad[i].want) && strncmp(e.msg, "p.tsv: ", 7) == 0 && t.n == before,
                "rc %d msg '%s'", rc, rc < 0 ? e.msg : "");
    }
    /* A bad line later in the file adds nothing from the good lines. */
    const char half[] = "new-one 1 2\nbroken x y\n";
    T_CHECK("bad file adds nothing", llm_prices_parse(&t, half, sizeof half - 1, "p", &e) < 0 &&
            !llm_prices_find(&t, "new-one"), "partial add");
    char longline[LLM_PRICES_MAX_LINE + 10];
    memset(longline, 'a', sizeof longline);
    T_CHECK("long line refused", llm_prices_parse(&t, longline, sizeof longline, "p", &e) < 0 &&
            strstr(e.msg, "longer"), "%s", e.msg);
    char longname[100];
    snprintf(longname, sizeof longname, "%070d 1 2\n", 0);
    T_CHECK("long name refused", llm_prices_parse(&t, longname, strlen(longname), "p", &e) < 0 &&
            strstr(e.msg, "name"), "%s", e.msg);
    T_CHECK("missing file", llm_prices_load(&t, "/nonexistent/prices.tsv", &e) < 0 &&
            strstr(e.msg, "/nonexistent/prices.tsv"), "%s", e.msg);
    llm_prices_free(&t);
}

static void test_stats(void)
{
    llm_stats s;
    llm_err e;
    const char *line = "#llm-stats model=tinyllama-1.1b-q4_0.gguf threads=2 prompt_tokens=128 "
                       "prompt_s=1.6 gen_tokens=64 gen_s=4 pp_tps=80 tg_tps=16 load_s=0.5 "
                       "rss_bytes=700000000 future_key=whatever\n";
    T_CHECK("stats parse", llm_stats_parse(line, strlen(line), &s, &e) == 0, "%s", e.msg);
    T_CHECK("stats values", strcmp(s.model, "tinyllama-1.1b-q4_0.gguf") == 0 && s.threads == 2 &&
            s.pp_tps == 80 && s.tg_tps == 16 && s.rss_bytes == 7e8 &&
            (s.have & LLM_STAT_LOAD_S), "values wrong");
    /* Speeds derived from counts and seconds; a version word accepted. */
    const char *l2 = "#llm-stats 1 prompt_tokens=128 prompt_s=2 gen_tokens=64 gen_s=8";
    T_CHECK("stats derived", llm_stats_parse(l2, strlen(l2), &s, &e) == 0 && s.pp_tps == 64 && s.tg_tps == 8,
            "pp %g tg %g", s.pp_tps, s.tg_tps);
    static const struct { const char *line, *want; } bad[] = {
        {"#llm-stats tg_tps=fast", "tg_tps='fast' is not a number"},
        {"#llm-stats tg_tps=-3", "tg_tps=-3 is negative"},
        {"#llm-stats tg_tps=", "tg_tps='' is not a number"},
        {"#llm-stats tg_tps=inf", "tg_tps='inf' is not a number"},
        {"#llm-stats model=a oops", "'oops' is not key=value"},
        {"#llm-statsx tg_tps=1", "does not start"},
        {"#llm-stats tg_tps=\0011", "tg_tps='\\x011' is not a number"},
        {"tg_tps=1", "does not start"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "bad stats line %zu", i);
        int rc = llm_stats_parse(bad[i].line, strlen(bad[i].line), &s, &e);
        T_CHECK(name, rc < 0 && strstr(e.msg, bad[i].want), "rc %d msg '%s'", rc, rc < 0 ? e.msg : "");
    }
}

static void test_svg(void)
{
    double x[] = {10, 100, 1000}, y1[] = {0.1, 1, 10}, y2[] = {0, 5, 5};
    llm_svg_series s[] = {{.name = "gpt-4", .x = x, .y = y1, .n = 3},
                          {.name = "a<&>\"b", .x = x, .y = y2, .n = 3, .dashed = 1}};
    char *svg;
    size_t len;
    llm_err e;
    T_CHECK("svg renders", llm_cost_svg(&svg, &len, "t & t", "users", "USD", 1, s, 2, &e) == 0, "%s", e.msg);
    T_CHECK("svg document", len == strlen(svg) && strncmp(svg, "<?xml", 5) == 0 &&
            strstr(svg, "</svg>\n") && strstr(svg, "<title>t &amp; t</title>"), "not a document");
    T_CHECK("svg series", strstr(svg, "data-series=\"gpt-4\"") &&
            strstr(svg, "data-series=\"a&lt;&amp;&gt;&quot;b\"") && !strstr(svg, "a<&"), "series missing or unescaped");
    T_CHECK("svg axes", strstr(svg, ">$0.1<") && strstr(svg, ">$10<") && strstr(svg, ">1k<") &&
            strstr(svg, ">users<"), "labels missing");
    free(svg);
    double z[] = {0, 0, 0};
    llm_svg_series none = {.name = "zero", .x = x, .y = z, .n = 3};
    T_CHECK("svg nothing positive", llm_cost_svg(&svg, &len, "t", "x", "y", 0, &none, 1, &e) < 0 && svg == NULL,
            "accepted");
}

int main(void)
{
    test_scenario();
    test_scenario_table();
    test_local();
    test_breakeven();
    test_prices();
    test_stats();
    test_svg();
    return t_exit();
}
