/* cost.c: the economics model of llm-cost (see cost.h; the formulas are
 * explained for users in man/llm-cost.1, DESCRIPTION and FORMULAS). */
#include "cost.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double llm_cost_tokens_per_day(double users, double tokens_per_user)
{
    return users * tokens_per_user;
}

double llm_cost_cloud_per_token(double input_share, double usd_in_per_m,
                                double usd_out_per_m)
{
    return (input_share * usd_in_per_m + (1.0 - input_share) * usd_out_per_m) / 1e6;
}

double llm_cost_cloud_per_day(double tokens_per_day, double input_share,
                              double usd_in_per_m, double usd_out_per_m)
{
    /* Price each part separately rather than multiply by the blended
     * per-token price: the scenario's figures then come out exact. */
    double in = tokens_per_day * input_share, out = tokens_per_day - in;
    return in * usd_in_per_m / 1e6 + out * usd_out_per_m / 1e6;
}

double llm_cost_per_month(double usd_per_day)
{
    return usd_per_day * LLM_COST_DAYS_PER_MONTH;
}

/* A finite number in [lo, hi]. */
static int in_range(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

int llm_cost_local_check(const llm_local_params *p, llm_err *e)
{
    if (!in_range(p->pp_tps, 1e-9, 1e12) || !in_range(p->tg_tps, 1e-9, 1e12))
        return llm_fail(e, "token speeds must be positive (prompt %g, generation %g tokens/s)",
                        p->pp_tps, p->tg_tps);
    if (!in_range(p->watts, 0, 1e9) || !in_range(p->idle_watts, 0, 1e9))
        return llm_fail(e, "watts must be >= 0 (busy %g, idle %g)", p->watts, p->idle_watts);
    if (p->idle_watts > p->watts)
        return llm_fail(e, "idle watts (%g) exceed busy watts (%g)", p->idle_watts, p->watts);
    if (!in_range(p->kwh_usd, 0, 1e6))
        return llm_fail(e, "kWh price %g must be >= 0", p->kwh_usd);
    if (!in_range(p->hardware_usd, 0, 1e12))
        return llm_fail(e, "hardware cost %g must be >= 0", p->hardware_usd);
    if (!in_range(p->lifetime_months, 1e-9, 1e6))
        return llm_fail(e, "lifetime %g months must be > 0", p->lifetime_months);
    if (!in_range(p->peak, 1, 1e6))
        return llm_fail(e, "peak factor %g must be >= 1", p->peak);
    if (!in_range(p->devices, 0, 1e15) || p->devices != floor(p->devices))
        return llm_fail(e, "devices %g must be a whole number >= 0", p->devices);
    if (p->on_device && p->devices > 0)
        return llm_fail(e, "on-device mode has one device per user; devices cannot be given");
    return 0;
}

double llm_cost_seconds_per_token(const llm_local_params *p, double input_share)
{
    return input_share / p->pp_tps + (1.0 - input_share) / p->tg_tps;
}

double llm_cost_reply_seconds(const llm_local_params *p, double in_tokens,
                              double out_tokens)
{
    return in_tokens / p->pp_tps + out_tokens / p->tg_tps;
}

/* USD per day that one device costs whatever it does: its hardware written
 * off over its lifetime, and idle power around the clock. */
static double fixed_per_device_day(const llm_local_params *p)
{
    double hw = p->hardware_usd / (p->lifetime_months * LLM_COST_DAYS_PER_MONTH);
    return hw + p->idle_watts * 24.0 / 1000.0 * p->kwh_usd;
}

/* USD of energy per token beyond idle: (busy - idle) watts for the device
 * seconds one token takes. */
static double energy_per_token(const llm_local_params *p, double input_share)
{
    double s = llm_cost_seconds_per_token(p, input_share);
    return (p->watts - p->idle_watts) * s / 3600.0 / 1000.0 * p->kwh_usd;
}

int llm_cost_local(const llm_local_params *p, double users,
                   double tokens_per_user, double input_share,
                   llm_local_result *r, llm_err *e)
{
    memset(r, 0, sizeof *r);
    if (llm_cost_local_check(p, e) < 0) return -1;
    if (!in_range(users, 0, 1e15) || !in_range(tokens_per_user, 0, 1e15) ||
        !in_range(input_share, 0, 1))
        return llm_fail(e, "workload out of range (users %g, tokens %g, input share %g)",
                        users, tokens_per_user, input_share);
    double T = llm_cost_tokens_per_day(users, tokens_per_user);
    double s = llm_cost_seconds_per_token(p, input_share);
    r->seconds_per_token = s;
    r->tokens_per_device_day = LLM_COST_SECONDS_PER_DAY / s;
    r->tokens_per_day = T;
    r->busy_hours = T * s / 3600.0;
    double marginal = T * energy_per_token(p, input_share);
    if (p->on_device) {
        /* Each user's own device, switched on anyway: only the energy of
         * the computing itself is added, and no hardware. */
        r->devices_needed = users;
        r->devices_used = users;
        r->keeps_up = tokens_per_user <= r->tokens_per_device_day;
        r->energy_usd_per_day = marginal;
        r->hardware_usd_per_day = 0;
    } else {
        /* Enough devices for the busiest hour: peak x the average rate. */
        double need = ceil(p->peak * T / r->tokens_per_device_day);
        if (need < 1) need = 1;
        r->devices_needed = need;
        r->keeps_up = p->devices == 0 || p->devices >= need;
        r->devices_used = p->devices > need ? p->devices : need;
        double n = r->devices_used;
        r->energy_usd_per_day = n * p->idle_watts * 24.0 / 1000.0 * p->kwh_usd + marginal;
        r->hardware_usd_per_day = n * p->hardware_usd / (p->lifetime_months * LLM_COST_DAYS_PER_MONTH);
    }
    r->usd_per_day = r->energy_usd_per_day + r->hardware_usd_per_day;
    r->usd_per_mtok = T > 0 ? r->usd_per_day / T * 1e6 : 0;
    return 0;
}

/* Local cost per day at T tokens/day in server mode: n(T)*F + e*T with
 * n(T) = max(N0, ceil(T/b)), b = capacity/peak. Within the segment of n
 * devices ((n-1)b, nb] local is cheaper than the cloud (c per token) iff
 * T > n*a with a = F/(c-e). That interval part is non-empty only while
 * n < b/(b-a), so the last volume where local is not cheaper is
 * max(N0, n_last)*a, n_last the largest integer below b/(b-a). */
void llm_cost_breakeven(const llm_local_params *p, double input_share,
                        double usd_in_per_m, double usd_out_per_m,
                        llm_breakeven *b)
{
    memset(b, 0, sizeof *b);
    if (llm_cost_local_check(p, NULL) < 0 || !in_range(input_share, 0, 1)) {
        b->never = 1;
        snprintf(b->reason, sizeof b->reason, "invalid parameters");
        return;
    }
    double c = llm_cost_cloud_per_token(input_share, usd_in_per_m, usd_out_per_m);
    double e = energy_per_token(p, input_share);
    if (c <= e) {
        b->never = 1;
        snprintf(b->reason, sizeof b->reason,
                 "the electricity alone costs $%.4g per 1M tokens, the API $%.4g",
                 e * 1e6, c * 1e6);
        return;
    }
    if (p->on_device) {
        snprintf(b->reason, sizeof b->reason,
                 "on-device: $%.4g of electricity per 1M tokens against the API's $%.4g",
                 e * 1e6, c * 1e6);
        return;                            /* cheaper at any volume */
    }
    double F = fixed_per_device_day(p);
    if (F <= 0) {
        snprintf(b->reason, sizeof b->reason,
                 "no hardware cost or idle power: only electricity, $%.4g per 1M tokens",
                 e * 1e6);
        return;
    }
    double cap = LLM_COST_SECONDS_PER_DAY / llm_cost_seconds_per_token(p, input_share);
    double bseg = cap / p->peak;           /* tokens/day one device may serve */
    double a = F / (c - e);
    if (a >= bseg) {
        b->never = 1;
        snprintf(b->reason, sizeof b->reason,
                 "a device loaded to its limit (%.0f tokens/day) costs $%.4g per 1M tokens, the API $%.4g",
                 bseg, (F / bseg + e) * 1e6, c * 1e6);
        return;
    }
    double q = bseg / (bseg - a);
    double n_last = ceil(q) - 1;
    if (n_last < 1) n_last = 1;
    double n0 = p->devices > 0 ? p->devices : 1;
    b->tokens_per_day = (n0 > n_last ? n0 : n_last) * a;
    snprintf(b->reason, sizeof b->reason,
             "each device costs $%.4g/day fixed; each 1M tokens saves $%.4g against the API",
             F, (c - e) * 1e6);
}
