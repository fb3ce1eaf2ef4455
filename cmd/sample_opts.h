/* sample_opts.h: the sampling options llm-infer -n and llm-sample share,
 * parsed by one piece of code so both programs mean the same thing by them
 * (the loop test holds them to the same tokens). */
#ifndef LLM_SAMPLE_OPTS_H
#define LLM_SAMPLE_OPTS_H
#include <getopt.h>
#include <stdint.h>

#include "cli.h"
#include "sampler.h"

enum {
    SOPT_TEMP = 900, SOPT_TOP_K, SOPT_TOP_P, SOPT_MIN_P, SOPT_TYPICAL, SOPT_REPEAT,
    SOPT_LAST_N, SOPT_FREQ, SOPT_PRESENCE, SOPT_SAMPLERS,
};

/* The long options, for a program's option table. */
#define SAMPLE_LONGOPTS \
    {"temp", required_argument, NULL, SOPT_TEMP}, \
    {"top-k", required_argument, NULL, SOPT_TOP_K}, \
    {"top-p", required_argument, NULL, SOPT_TOP_P}, \
    {"min-p", required_argument, NULL, SOPT_MIN_P}, \
    {"typical", required_argument, NULL, SOPT_TYPICAL}, \
    {"repeat-penalty", required_argument, NULL, SOPT_REPEAT}, \
    {"repeat-last-n", required_argument, NULL, SOPT_LAST_N}, \
    {"frequency-penalty", required_argument, NULL, SOPT_FREQ}, \
    {"presence-penalty", required_argument, NULL, SOPT_PRESENCE}, \
    {"samplers", required_argument, NULL, SOPT_SAMPLERS}

/* Apply option c (from getopt_long) to sp: 1 if it was a sampling option,
 * 0 if not; a bad value ends the program with a usage error. */
static inline int sample_opt(int c, const char *arg, llm_sampler_params *sp)
{
    switch (c) {
    case SOPT_TEMP: sp->temp = (float)cli_float("--temp", arg, -1e9, 1e9); return 1;
    case SOPT_TOP_K: sp->top_k = (int32_t)cli_int("--top-k", arg, -1, INT32_MAX); return 1;
    case SOPT_TOP_P: sp->top_p = (float)cli_float("--top-p", arg, 0, 1e9); return 1;
    case SOPT_MIN_P: sp->min_p = (float)cli_float("--min-p", arg, 0, 1); return 1;
    case SOPT_TYPICAL: sp->typical_p = (float)cli_float("--typical", arg, 0, 1e9); return 1;
    case SOPT_REPEAT: sp->repeat_penalty = (float)cli_float("--repeat-penalty", arg, 1e-6, 1e6); return 1;
    case SOPT_LAST_N: sp->repeat_last_n = (int32_t)cli_int("--repeat-last-n", arg, -1, INT32_MAX); return 1;
    case SOPT_FREQ: sp->freq_penalty = (float)cli_float("--frequency-penalty", arg, -1e6, 1e6); return 1;
    case SOPT_PRESENCE: sp->presence_penalty = (float)cli_float("--presence-penalty", arg, -1e6, 1e6); return 1;
    case SOPT_SAMPLERS: sp->samplers = arg; return 1;
    default: return 0;
    }
}
#endif
