/* test_repack.c: packed 8-row Q4_0 weights give each row the same dot
 * product as the per-row portable kernel (within float rounding), and the
 * packed copy holds every row's scales and quants. */
#include "t.h"
#include "dot.h"
#include "dtype.h"
#include "repack.h"

#include <stdint.h>

static uint64_t st = 99;
static float frand(void)
{
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((st >> 40) * 0x1.0p-24) * 2.0f - 1.0f;
}

int main(void)
{
    const int64_t n = 2048, nrows = 24;
    if (!llm_gemv8_fn_for(LLM_Q4_0)) { T_SKIP("q4_0 packed", "no packed kernel on this CPU"); return 0; }
    float *x = malloc((size_t)(n * nrows) * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    size_t rb = llm_row_size(LLM_Q4_0, n);
    uint8_t *wq = malloc(rb * (size_t)nrows);
    void *aq = malloc(llm_dot_act_size(LLM_Q8_0, n));
    for (int64_t i = 0; i < n * nrows; i++) x[i] = frand() * (i % 97 == 0 ? 5.0f : 0.05f);
    for (int64_t r = 0; r < nrows; r++) llm_quantize(LLM_Q4_0, x + r * n, wq + (size_t)r * rb, n);
    llm_weight w = { "test", LLM_Q4_0, n, nrows, rb, wq, NULL };
    T_CHECK("q4_0 24 rows packed", llm_weight_pack(&w, NULL) == 1 && w.packed, "not packed");
    llm_weight odd = { "odd", LLM_Q4_0, n, 12, rb, wq, NULL };
    T_CHECK("12 rows (not a multiple of 8) left alone", llm_weight_pack(&odd, NULL) == 0 && !odd.packed, "packed");
    llm_dot_fn port = llm_dot_fn_portable(LLM_Q4_0);
    llm_gemv8_fn fn = llm_gemv8_fn_for(LLM_Q4_0);
    double worst = 0;
    for (int rep = 0; rep < 10; rep++) {
        for (int64_t i = 0; i < n; i++) y[i] = frand() * (rep % 2 ? 2.0f : 0.3f);
        llm_dot_convert(LLM_Q8_0, y, aq, n);
        for (int64_t g = 0; g < nrows / 8; g++) {
            float out[8];
            fn(n, w.packed + (size_t)g * llm_pack_group_bytes(LLM_Q4_0, n), aq, out);
            for (int r = 0; r < 8; r++) {
                int64_t row = g * 8 + r;
                float ref = port(n, wq + (size_t)row * rb, aq);
                double mag = 0;
                for (int64_t i = 0; i < n; i++) mag += fabs((double)x[row * n + i] * y[i]);
                double err = fabs((double)out[r] - ref) / (mag + 1e-30);
                if (err > worst) worst = err;
            }
        }
    }
    T_CHECK("q4_0 packed = per-row dot within 1e-5 of sum|w*x|", worst < 1e-5, "relative difference %g", worst);
    llm_weight_unpack(&w);
    T_CHECK("unpack frees", w.packed == NULL, "still set");
    free(x); free(y); free(wq); free(aq);
    return t_exit();
}
