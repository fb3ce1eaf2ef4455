/* test_repack.c: packed 8-row weights (Q4_0, Q8_0, Q4_K, Q6_K) give each row the same
 * dot product as the per-row portable kernel (within float rounding); rows
 * not a multiple of 8 are left alone. */
#include "t.h"
#include "dot.h"
#include "dtype.h"
#include "repack.h"

#include <stdint.h>
#include <string.h>

static uint64_t st = 99;
static float frand(void)
{
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((st >> 40) * 0x1.0p-24) * 2.0f - 1.0f;
}

static void check_type(uint32_t t)
{
    const char *name = llm_type(t)->name;
    char label[96];
    if (!llm_gemv8_fn_for(t)) { T_SKIP(name, "no packed kernel on this CPU"); return; }
    const int64_t n = 2048, nrows = 24;
    int at = llm_dot_act_type(t);
    float *x = malloc((size_t)(n * nrows) * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    size_t rb = llm_row_size(t, n);
    uint8_t *wq = malloc(rb * (size_t)nrows);
    void *aq = malloc(llm_dot_act_size((uint32_t)at, n));
    for (int64_t i = 0; i < n * nrows; i++) x[i] = frand() * (i % 97 == 0 ? 5.0f : 0.05f) + (i % 3 ? 0.01f : 0);
    for (int64_t r = 0; r < nrows; r++) llm_quantize(t, x + r * n, wq + (size_t)r * rb, n);
    llm_weight w = { "test", t, n, nrows, rb, wq, NULL };
    snprintf(label, sizeof label, "%s: 24 rows packed", name);
    T_CHECK(label, llm_weight_pack(&w, NULL) == 1 && w.packed, "not packed");
    llm_weight odd = { "odd", t, n, 12, rb, wq, NULL };
    snprintf(label, sizeof label, "%s: 12 rows (not a multiple of 8) left alone", name);
    T_CHECK(label, llm_weight_pack(&odd, NULL) == 0 && !odd.packed, "packed");
    llm_dot_fn port = llm_dot_fn_portable(t);
    llm_gemv8_fn fn = llm_gemv8_fn_for(t);
    double worst = 0;
    for (int rep = 0; rep < 10; rep++) {
        for (int64_t i = 0; i < n; i++) y[i] = frand() * (rep % 2 ? 2.0f : 0.3f);
        llm_dot_convert((uint32_t)at, y, aq, n);
        for (int64_t g = 0; g < nrows / 8; g++) {
            float out[8];
            fn(n, w.packed + (size_t)g * llm_pack_group_bytes(t, n), aq, out);
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
    snprintf(label, sizeof label, "%s: packed = per-row dot within 1e-5 of sum|w*x|", name);
    T_CHECK(label, worst < 1e-5, "relative difference %g", worst);
    /* the 4-token kernel: the same bits as the 8-row one, token by token */
    llm_gemm8x4_fn fn4 = llm_gemm8x4_fn_for(t);
    if (fn4) {
        size_t ab = llm_dot_act_size((uint32_t)at, n);
        uint8_t *a4 = malloc(4 * ab);
        int diff = 0;
        for (int rep = 0; rep < 10; rep++) {
            for (int k = 0; k < 4; k++) {
                for (int64_t i = 0; i < n; i++) y[i] = frand() * (k % 2 ? 2.0f : 0.3f);
                llm_dot_convert((uint32_t)at, y, a4 + (size_t)k * ab, n);
            }
            const void *ap[4] = { a4, a4 + ab, a4 + 2 * ab, a4 + 3 * ab };
            for (int64_t g = 0; g < nrows / 8; g++) {
                const uint8_t *wg = w.packed + (size_t)g * llm_pack_group_bytes(t, n);
                float o4[4][8], o1[8];
                fn4(n, wg, ap, o4);
                for (int k = 0; k < 4; k++) {
                    fn(n, wg, ap[k], o1);
                    diff += memcmp(o1, o4[k], sizeof o1) != 0;
                }
            }
        }
        snprintf(label, sizeof label, "%s: 4-token kernel = 8-row kernel, bit for bit", name);
        T_CHECK(label, diff == 0, "%d of 120 results differ", diff);
        free(a4);
    }
    llm_weight_unpack(&w);
    free(x); free(y); free(wq); free(aq);
}

int main(void)
{
    check_type(LLM_Q4_0);
    check_type(LLM_Q8_0);
    check_type(LLM_Q4_K);
    check_type(LLM_Q6_K);
    return t_exit();
}
