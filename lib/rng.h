/* rng.h: our own pseudo-random numbers, so a seed gives the same sequence
 * on every machine and libc: xoshiro256** (Blackman and Vigna), its state
 * filled from the seed by splitmix64. Not for cryptography. */
#ifndef LLM_RNG_H
#define LLM_RNG_H

#include <stdint.h>

typedef struct llm_rng {
    uint64_t s[4];
} llm_rng;

/* Advance a splitmix64 state and return its next output. */
uint64_t llm_splitmix64(uint64_t *state);
/* Seed: the four state words are the first four splitmix64(seed) outputs
 * (never all zero). */
void llm_rng_seed(llm_rng *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t llm_rng_next(llm_rng *r);
/* Uniform in [0, 1): the top 53 bits of the next output times 2^-53. */
double llm_rng_uniform(llm_rng *r);
/* Uniform in [0, 1) as a float: the top 24 bits times 2^-24. */
float llm_rng_uniform_f(llm_rng *r);

#endif
