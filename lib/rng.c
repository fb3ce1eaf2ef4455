/* rng.c: xoshiro256** seeded by splitmix64 (see rng.h). Written from the
 * published algorithm descriptions; only shifts, rotations, xor, add and
 * multiply modulo 2^64, so every machine gives the same bits. */
#include "rng.h"

/* splitmix64: add the golden-ratio increment, then mix the bits. */
uint64_t llm_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Four splitmix64 outputs as the state; splitmix64 is a bijection of its
 * counter, so four consecutive outputs cannot all be zero. */
void llm_rng_seed(llm_rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = llm_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: output rotl(s1 * 5, 7) * 9, then the linear state step. */
uint64_t llm_rng_next(llm_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* The high bits are the best-mixed ones: use them. */
double llm_rng_uniform(llm_rng *r)
{
    return (double)(llm_rng_next(r) >> 11) * 0x1.0p-53;
}

float llm_rng_uniform_f(llm_rng *r)
{
    return (float)(llm_rng_next(r) >> 40) * 0x1.0p-24f;
}
