/* sampler.h: choose the next token from a logits vector, as a chain of
 * steps (llama.cpp's samplers and their semantics), seeded and
 * reproducible on every machine. Shared by llm-sample and llm-infer -n.
 *
 * Use:
 *   llm_sampler_params p; llm_sampler_params_default(&p);
 *   p.temp = 0.8f; p.seed = 7;
 *   llm_sampler *s = llm_sampler_new(&p, &e);
 *   for each prompt token t: llm_sampler_accept(s, t);    (penalty history)
 *   loop: id = llm_sampler_sample(s, logits, n_vocab, &e);
 *         if (id < 0) error;  llm_sampler_accept(s, id);  ...
 *
 * sample() never adds to the history by itself: the caller accepts the
 * token it actually uses, as llama.cpp's common_sampler_accept does. Both
 * llm-sample and llm-infer -n accept the prompt tokens first, then every
 * chosen token, so the two paths give the same tokens.
 *
 * The chain (default order "penalties;top_k;typ_p;top_p;min_p;temperature",
 * llama.cpp's default minus dry/top_n_sigma/xtc, which are off by default):
 *   penalties   over the last repeat_last_n accepted tokens: a candidate
 *               seen c > 0 times has its logit divided by repeat_penalty if
 *               positive (multiplied if <= 0), then
 *               logit -= c * freq_penalty + presence_penalty.
 *   top_k       keep the k largest logits (k <= 0: off).
 *   typ_p       locally typical sampling (>= 1: off).
 *   top_p       keep the smallest most-probable prefix whose probability
 *               (softmax of the current logits) reaches p (>= 1: off).
 *   min_p       keep logits >= max + log(p), i.e. prob >= p * max prob
 *               (<= 0: off).
 *   temperature divide logits by temp; temp <= 0: keep only the argmax
 *               (greedy; ties: the lower id).
 * then one draw from the softmax of what is left.
 *
 * Determinism: every sort uses a total order (logit descending, then id
 * ascending), so no result depends on qsort's instability; the draw walks
 * the candidates in that order or in id order, both fixed by the input;
 * sums are in double; each sample uses exactly one random number (greedy
 * too) from lib/rng (xoshiro256** seeded by splitmix64), never rand(). */
#ifndef LLM_SAMPLER_H
#define LLM_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

typedef struct llm_sampler_params {
    float temp;             /* 0.8; <= 0: greedy */
    int32_t top_k;          /* 40; <= 0: off */
    float top_p;            /* 0.95; >= 1: off */
    float min_p;            /* 0.05; <= 0: off */
    float typical_p;        /* 1.0; >= 1: off */
    float repeat_penalty;   /* 1.0: off */
    float freq_penalty;     /* 0.0: off */
    float presence_penalty; /* 0.0: off */
    int32_t repeat_last_n;  /* 64; 0: no penalties; -1: the whole history */
    uint64_t seed;          /* always used; callers pick a random one */
    /* Order of the steps: names separated by ';' or ','. NULL or "" is the
     * default. Names as llama.cpp's --samplers: penalties, top_k (top-k),
     * typ_p (typical_p, typical), top_p (top-p, nucleus), min_p (min-p),
     * temperature (temp); dry, top_n_sigma and xtc are accepted and do
     * nothing (off, as in llama.cpp's defaults). Copied by _new. */
    const char *samplers;
} llm_sampler_params;

/* One candidate after the chain: its id, final logit and probability. */
typedef struct llm_sampler_cand {
    int32_t id;
    float logit;
    float p;
} llm_sampler_cand;

typedef struct llm_sampler llm_sampler;

/* Fill p with llama.cpp's defaults (above), seed 0, default order. */
void llm_sampler_params_default(llm_sampler_params *p);

/* A sampler for these parameters; NULL with a message for a bad value
 * (NaN, temp or penalty out of range, unknown step name). */
llm_sampler *llm_sampler_new(const llm_sampler_params *p, llm_err *e);
void llm_sampler_free(llm_sampler *s);

/* Choose a token from dense logits[0..n_vocab): returns its id, or -1 with a
 * message. -INFINITY marks a masked entry (not a candidate); NaN or +inf is
 * an error ("logit 17 is nan"); so is n_vocab < 1 or every entry masked. */
int32_t llm_sampler_sample(llm_sampler *s, const float *logits,
                           int32_t n_vocab, llm_err *e);

/* The same from a sparse set: k candidates ids[i] (0 <= id < n_vocab,
 * no duplicates) with logits vals[i], as in an enc=top record. Every other
 * id is masked. Note the softmax (top_p, typ_p, min_p, the draw) is over the
 * given candidates only. */
int32_t llm_sampler_sample_sparse(llm_sampler *s, const int32_t *ids,
                                  const float *vals, int32_t k,
                                  int32_t n_vocab, llm_err *e);

/* Add a token to the penalty history (prompt tokens, then every token
 * used). Ids < 0 are ignored. Keeps the last repeat_last_n. */
void llm_sampler_accept(llm_sampler *s, int32_t id);

/* Forget the history and restart the random sequence from the seed. */
void llm_sampler_reset(llm_sampler *s);

/* The candidates the last sample drew from, most probable first (ties:
 * lower id), probabilities summing to 1; *c is valid until the next sample
 * or free. Returns their count (0 before any sample or after a failed one). */
int32_t llm_sampler_last(const llm_sampler *s, const llm_sampler_cand **c);

/* The order actually used, canonical names joined by ';' (for messages). */
const char *llm_sampler_order(const llm_sampler *s);

#endif
