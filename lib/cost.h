/* cost.h: the economics model behind llm-cost (man/llm-cost.1 explains
 * every formula): what a workload costs through a cloud API priced per 1M
 * tokens, what it costs on local hardware (energy plus amortised hardware),
 * how many devices it needs, and the break-even volume.
 *
 * Units everywhere: US dollars, tokens, seconds, watts, kWh. A month is
 * LLM_COST_DAYS_PER_MONTH = 30 days (the convention of the cloud bills the
 * tool is compared with; 365/12 would be 1.4% more).
 *
 * The model functions are pure (no I/O, no globals). The price table
 * (prices.c) and the #llm-stats line parser (cost_stats.c) sit beside them. */
#ifndef LLM_COST_H
#define LLM_COST_H

#include <stddef.h>

#include "err.h"

#define LLM_COST_DAYS_PER_MONTH 30.0
#define LLM_COST_SECONDS_PER_DAY 86400.0

/* ---- cloud ---- */

/* Tokens the whole workload uses per day: users x tokens per user. */
double llm_cost_tokens_per_day(double users, double tokens_per_user);
/* Cloud bill per day in USD: T*s*in/1e6 + T*(1-s)*out/1e6, for T tokens
 * per day of which the fraction s is input, prices in USD per 1M tokens. */
double llm_cost_cloud_per_day(double tokens_per_day, double input_share,
                              double usd_in_per_m, double usd_out_per_m);
/* Blended cloud price in USD per token at this input share. */
double llm_cost_cloud_per_token(double input_share, double usd_in_per_m,
                                double usd_out_per_m);
/* USD per month from USD per day (x 30). */
double llm_cost_per_month(double usd_per_day);

/* ---- local ---- */

typedef struct llm_local_params {
    double pp_tps;          /* prompt (input) tokens per second, one stream */
    double tg_tps;          /* generated (output) tokens per second */
    double watts;           /* whole-device draw while computing */
    double idle_watts;      /* draw while switched on but idle (<= watts) */
    double kwh_usd;         /* electricity, USD per kWh */
    double hardware_usd;    /* purchase price of one device */
    double lifetime_months; /* months it is written off over (> 0) */
    double peak;            /* busiest-hour load / average load (>= 1) */
    double devices;         /* devices owned; 0 = as many as needed */
    int on_device;          /* 1: one device per user, the user's own */
} llm_local_params;

typedef struct llm_local_result {
    double seconds_per_token;     /* device time per token at this mix */
    double tokens_per_device_day; /* 86400 / seconds_per_token */
    double tokens_per_day;        /* the workload */
    double devices_needed;        /* ceil(peak*T/capacity); users on-device */
    double devices_used;          /* what the cost counts */
    int keeps_up;                 /* the devices cover the need */
    double busy_hours;            /* device-hours spent computing per day */
    double energy_usd_per_day;
    double hardware_usd_per_day;
    double usd_per_day;           /* energy + hardware */
    double usd_per_mtok;          /* usd_per_day / T * 1e6 */
} llm_local_result;

/* Check the parameters: 0, or -1 with a message naming the bad field. */
int llm_cost_local_check(const llm_local_params *p, llm_err *e);
/* Device seconds per token when the fraction s of tokens is prompt:
 * s/pp_tps + (1-s)/tg_tps (one stream, no batching). */
double llm_cost_seconds_per_token(const llm_local_params *p, double input_share);
/* Wall-clock seconds for one reply of in prompt and out generated tokens. */
double llm_cost_reply_seconds(const llm_local_params *p, double in_tokens,
                              double out_tokens);
/* Local cost of the workload (users x tokens_per_user, input share s):
 * fills *r; returns 0, or -1 if the parameters are invalid. */
int llm_cost_local(const llm_local_params *p, double users,
                   double tokens_per_user, double input_share,
                   llm_local_result *r, llm_err *e);

/* ---- break-even ---- */

typedef struct llm_breakeven {
    int never;             /* 1: local is never cheaper (reason says why) */
    double tokens_per_day; /* local is cheaper at every volume above this;
                            * 0 = at any volume */
    char reason[256];      /* why "never", or what the point rests on */
} llm_breakeven;

/* The workload volume (tokens per day) above which local stays cheaper
 * than a cloud API at (in, out) USD per 1M tokens, with devices added as
 * the volume needs them. Invalid parameters give never=1. */
void llm_cost_breakeven(const llm_local_params *p, double input_share,
                        double usd_in_per_m, double usd_out_per_m,
                        llm_breakeven *b);

/* ---- prices (prices.c) ---- */

typedef struct llm_price {
    char name[64];      /* e.g. "gpt-3.5-turbo" (matched ignoring case) */
    double in_per_m;    /* USD per 1M input tokens */
    double out_per_m;   /* USD per 1M output tokens */
    char checked[16];   /* YYYY-MM-DD the price is known from, or "" */
    char source[192];   /* where it was read, or "" */
} llm_price;

/* The table shipped with the project: list prices at the dates given. */
extern const llm_price llm_prices_shipped[];
extern const size_t llm_prices_shipped_n;

typedef struct llm_price_table {
    llm_price *v;
    size_t n, cap;
} llm_price_table;

/* Limits of the price file format (man/llm-cost.1, PRICE FILES). */
#define LLM_PRICES_MAX_LINE 1024
#define LLM_PRICES_MAX_ENTRIES 10000
#define LLM_PRICES_MAX_FILE (1 << 20)

/* Start *t as a copy of the shipped table. 0 or -1 (out of memory). */
int llm_prices_init(llm_price_table *t, llm_err *e);
/* Add p, replacing an entry of the same name. 0 or -1. */
int llm_prices_add(llm_price_table *t, const llm_price *p, llm_err *e);
/* Parse a price file's text (len bytes; NAME for messages) and add its
 * entries. On error nothing is added: -1, "NAME: line N: why". */
int llm_prices_parse(llm_price_table *t, const char *text, size_t len,
                     const char *name, llm_err *e);
/* Read PATH (at most LLM_PRICES_MAX_FILE bytes) and parse it. */
int llm_prices_load(llm_price_table *t, const char *path, llm_err *e);
/* The entry called name (ignoring case), or NULL. */
const llm_price *llm_prices_find(const llm_price_table *t, const char *name);
void llm_prices_free(llm_price_table *t);

/* Quote n bytes of s for an error message into out (cap >= 8): at most
 * 40 bytes, bytes outside printable ASCII as \xHH, "..." if cut. */
const char *llm_cost_quote(char *out, size_t cap, const char *s, size_t n);

/* ---- the #llm-stats line (cost_stats.c) ---- */

enum {
    LLM_STAT_MODEL = 1 << 0, LLM_STAT_THREADS = 1 << 1,
    LLM_STAT_PROMPT_TOKENS = 1 << 2, LLM_STAT_PROMPT_S = 1 << 3,
    LLM_STAT_GEN_TOKENS = 1 << 4, LLM_STAT_GEN_S = 1 << 5,
    LLM_STAT_PP_TPS = 1 << 6, LLM_STAT_TG_TPS = 1 << 7,
    LLM_STAT_LOAD_S = 1 << 8, LLM_STAT_RSS_BYTES = 1 << 9,
};

/* What llm-infer --stats/--bench reports. */
typedef struct llm_stats {
    unsigned have;          /* LLM_STAT_* bits of the keys present */
    char model[128];
    double threads, prompt_tokens, prompt_s, gen_tokens, gen_s;
    double pp_tps, tg_tps, load_s, rss_bytes;
} llm_stats;

/* Parse one line "#llm-stats [VERSION] key=value ..." (len bytes, a final
 * newline allowed). Unknown keys are skipped (newer writers may add some);
 * known numeric keys must be finite numbers >= 0. pp_tps and tg_tps are
 * derived from the token counts and seconds when absent. Returns 0, or -1
 * with a message naming the key and value. */
int llm_stats_parse(const char *line, size_t len, llm_stats *s, llm_err *e);

#endif
