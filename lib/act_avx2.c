/* act_avx2.c: SwiGLU with AVX2/FMA, 8 values at a time (act.h).
 *
 * exp(x) as ggml's x86 build computes it (the algorithm of ARM's
 * optimized-routines expf, about 1.5 ulp): x = n ln2 + b with n an
 * integer (rounded by adding 1.5 * 2^23), ln2 split in two parts, then
 * 2^n (1 + p(b)) with a degree-5 polynomial p; |n| > 126 scales in two
 * steps so 2^n neither overflows nor underflows early, |n| > 192 goes to
 * inf or 0. The tail (n % 8 values) uses libm, as ggml does. */
#include <immintrin.h>
#include <math.h>

#include "act.h"

__m256 llm_exp8_avx2(__m256 x)
{
    const __m256 shift = _mm256_set1_ps(0x1.8p23f);
    __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shift);   /* x / ln2 + shift */
    __m256 n = _mm256_sub_ps(z, shift);                                      /* round(x / ln2) */
    __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x);        /* x - n ln2_hi */
    b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f), b);            /* - n ln2_lo */
    __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);              /* n in the exponent */
    __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    __m256 absn = _mm256_andnot_ps(_mm256_set1_ps(-0.f), n);
    __m256 big = _mm256_cmp_ps(absn, _mm256_set1_ps(126), _CMP_GT_OQ);
    __m256 u = _mm256_mul_ps(b, b);
    __m256 p = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b,
                                                               _mm256_set1_ps(0x1.573e2ep-5f)),
                                               u,
                                               _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b,
                                                               _mm256_set1_ps(0x1.fffdb6p-2f))),
                               u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(big))
        return _mm256_fmadd_ps(p, k, k);
    /* 2^n = s1 * s2 with both halves representable */
    __m256i neg = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                   _mm256_set1_epi32((int)0x82000000u));
    __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(neg, _mm256_set1_epi32(0x7f000000)));
    __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, neg));
    __m256 huge = _mm256_cmp_ps(absn, _mm256_set1_ps(192), _CMP_GT_OQ);
    __m256 scaled = _mm256_blendv_ps(_mm256_fmadd_ps(k, p, k),
                                     _mm256_mul_ps(_mm256_fmadd_ps(s2, p, s2), s1), big);
    return _mm256_blendv_ps(scaled, _mm256_mul_ps(s1, s1), huge);
}

void llm_swiglu_avx2(int n, float *y, const float *x, const float *g)
{
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 e = llm_exp8_avx2(_mm256_sub_ps(_mm256_setzero_ps(), v));
        __m256 s = _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1), e));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(s, _mm256_loadu_ps(g + i)));
    }
    for (; i < n; i++)
        y[i] = x[i] / (1.0f + expf(-x[i])) * g[i];
}
