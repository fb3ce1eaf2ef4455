/* act.h: the element-wise activation of the feed-forward (internal to
 * forward.c): y = silu(x) * g, silu(x) = x / (1 + exp(-x)).
 * The portable version uses libm's expf; the AVX2 one evaluates exp with
 * the same polynomial as ggml's x86 build (from ARM's optimized
 * routines), so the products agree with llama.cpp bit for bit. */
#ifndef LLM_ACT_H
#define LLM_ACT_H

typedef void (*llm_swiglu_fn)(int n, float *y, const float *x, const float *g);

/* The fastest version this CPU runs (LLM_NO_SIMD=1: portable). */
llm_swiglu_fn llm_swiglu_pick(void);
void llm_swiglu_portable(int n, float *y, const float *x, const float *g);
void llm_swiglu_avx2(int n, float *y, const float *x, const float *g);

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
/* exp of 8 floats as ggml's x86 build computes it (act_avx2.c). */
__m256 llm_exp8_avx2(__m256 x);
#endif

#endif
