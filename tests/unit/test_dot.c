/* test_dot.c: the SIMD dot products agree with the portable C reference
 * for every weight type (integer block sums are exact, so only the order
 * of float additions may differ), and both agree with a float dot of the
 * dequantized rows. */
#include "t.h"
#include "dot.h"
#include "dtype.h"

#include <stdint.h>
#include <string.h>
#include <math.h>

static uint64_t st = 42;
static float frand(void)  /* uniform in [-1, 1) */
{
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((st >> 40) * 0x1.0p-24) * 2.0f - 1.0f;
}

static const uint32_t types[] = { LLM_F32, LLM_F16, LLM_BF16, LLM_Q8_0, LLM_Q4_0, LLM_Q4_1, LLM_Q5_0,
                                  LLM_Q5_1, LLM_Q2_K, LLM_Q3_K, LLM_Q4_K, LLM_Q5_K, LLM_Q6_K };

int main(void)
{
    const int64_t lens[] = { 256, 512, 2048, 5632 };
    for (size_t ti = 0; ti < sizeof types / sizeof *types; ti++) {
        uint32_t t = types[ti];
        const char *name = llm_type(t)->name;
        llm_dot_fn port = llm_dot_fn_portable(t), fast = llm_dot_fn_for(t);
        int at = llm_dot_act_type(t);
        char label[96];
        snprintf(label, sizeof label, "%s has a dot product", name);
        T_CHECK(label, port && fast && at >= 0, "missing");
        if (!port || !fast || at < 0) continue;
        double worst_simd = 0, worst_float = 0;
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
            int64_t n = lens[li];
            float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
            float *xd = malloc(n * sizeof *xd), *yd = malloc(n * sizeof *yd);
            void *wq = malloc(llm_row_size(t, n)), *aq = malloc(llm_dot_act_size((uint32_t)at, n) + 64);
            for (int rep = 0; rep < 20; rep++) {
                float scale = rep % 3 == 0 ? 0.02f : rep % 3 == 1 ? 1.0f : 30.0f;
                for (int64_t i = 0; i < n; i++) { x[i] = frand() * scale; y[i] = frand() * (rep % 2 ? 4.0f : 0.1f); }
                if (rep == 5) for (int64_t i = 0; i < n; i += 7) x[i] = 0;   /* sparse rows */
                if (rep == 6) for (int64_t i = 0; i < n; i++) y[i] = 0;      /* zero activations */
                llm_quantize(t, x, wq, n);
                llm_dot_convert((uint32_t)at, y, aq, n);
                float a = port(n, wq, aq), b = fast(n, wq, aq);
                /* the magnitude the rounding is relative to */
                llm_dequantize(t, wq, xd, n);
                llm_dequantize((uint32_t)at, aq, yd, n);
                double ref = 0, mag = 0;
                for (int64_t i = 0; i < n; i++) { ref += (double)xd[i] * yd[i]; mag += fabs((double)xd[i] * yd[i]); }
                if (mag == 0) mag = 1e-30;
                double es = fabs((double)a - b) / mag, ef = fabs((double)a - ref) / mag;
                if (es > worst_simd) worst_simd = es;
                if (ef > worst_float) worst_float = ef;
            }
            free(x); free(y); free(xd); free(yd); free(wq); free(aq);
        }
        snprintf(label, sizeof label, "%s: SIMD = portable within 1e-6 of sum|w*a|", name);
        T_CHECK(label, worst_simd < 1e-6, "relative difference %g", worst_simd);
        /* Q4_1/Q5_1 use the activation's block sum s = d*sum(q) stored as
         * f16 (as ggml does): its rounding (2^-11) times the min term */
        double bound = t == LLM_Q4_1 || t == LLM_Q5_1 ? 3e-4 : 1e-5;
        snprintf(label, sizeof label, "%s: portable = float dot of dequantized rows within %g", name, bound);
        T_CHECK(label, worst_float < bound, "relative difference %g", worst_float);
    }
    /* The activation quantizers: the converted bytes (blocks and extras)
     * equal the portable ones, on ordinary rows, rows with exact ties
     * (x.5 after scaling), zero blocks, denormals and non-finite values. */
    const uint32_t acts[] = { LLM_Q8_0, LLM_Q8_K, LLM_Q8_1, LLM_F16 };
    for (size_t ai = 0; ai < sizeof acts / sizeof *acts; ai++) {
        uint32_t at = acts[ai];
        int64_t n = 2048;
        size_t sz = llm_dot_act_size(at, n);
        float *x = malloc(n * sizeof *x);
        uint8_t *a = malloc(sz), *b = malloc(sz);
        int diffs = 0, first_rep = -1;
        size_t first_byte = 0;
        for (int rep = 0; rep < 400; rep++) {
            float scale = rep % 4 == 0 ? 1e-3f : rep % 4 == 1 ? 1.0f : rep % 4 == 2 ? 300.0f : 1e-40f;
            for (int64_t i = 0; i < n; i++) x[i] = frand() * scale;
            if (rep % 5 == 1)   /* integers and halves: ties when scaled by 127/amax = 1 */
                for (int64_t i = 0; i < n; i++) x[i] = (float)((int)(frand() * 254)) * 0.5f;
            if (rep % 7 == 2) for (int64_t i = 0; i < 300; i++) x[i] = 0;          /* zero blocks */
            if (rep % 11 == 3) x[rep % n] = rep % 2 ? INFINITY : NAN;              /* non-finite */
            if (rep % 13 == 4) { x[40] = -x[41]; x[41] = fabsf(x[41]) + 1; x[40] = -x[41]; } /* tied max, signs */
            memset(a, 0xA5, sz); memset(b, 0x5A, sz);
            llm_dot_convert_portable(at, x, a, n);
            llm_dot_convert(at, x, b, n);
            if (memcmp(a, b, sz) && diffs++ == 0)
                for (size_t i = 0; i < sz; i++)
                    if (a[i] != b[i]) {
                        first_rep = rep;
                        first_byte = i;
                        break;
                    }
        }
        char label[96];
        snprintf(label, sizeof label, "%s activations: fast conversion = portable bytes (400 rows)", llm_type(at)->name);
        T_CHECK(label, diffs == 0, "%d rows differ (first: row %d, byte %zu)", diffs, first_rep, first_byte);
        free(x); free(a); free(b);
    }
    return t_exit();
}
