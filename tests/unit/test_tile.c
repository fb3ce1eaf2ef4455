/* test_tile.c: the 8-token tile kernels give each token the same dot
 * product as the per-token portable kernel (within float rounding), for
 * 1 to 8 tokens, and zero for the padding tokens. */
#include "t.h"
#include "dot.h"
#include "dtype.h"
#include "tile.h"

#include <stdint.h>

static uint64_t st = 7;
static float frand(void)
{
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((st >> 40) * 0x1.0p-24) * 2.0f - 1.0f;
}

int main(void)
{
    const uint32_t types[] = { LLM_Q4_0, LLM_Q8_0, LLM_Q4_K, LLM_Q6_K };
    const int64_t n = 1024;
    for (size_t ti = 0; ti < sizeof types / sizeof *types; ti++) {
        uint32_t t = types[ti];
        char label[96];
        llm_tile_fn tf = llm_tile_fn_for(t);
        if (!tf) { T_SKIP(llm_type(t)->name, "no tile kernel on this CPU"); continue; }
        int at = llm_dot_act_type(t);
        float *w = malloc(n * sizeof *w), *x = malloc(8 * n * sizeof *x);
        void *wq = malloc(llm_row_size(t, n)), *aq = malloc(llm_dot_act_size((uint32_t)at, n));
        void *tile = malloc(llm_tile_bytes(t, n)), *scratch = malloc(llm_dot_act_size((uint32_t)at, n));
        llm_dot_fn port = llm_dot_fn_portable(t);
        double worst = 0;
        int pad_bad = 0;
        for (int rep = 0; rep < 24; rep++) {
            int ntok = 1 + rep % 8;
            for (int64_t i = 0; i < n; i++) w[i] = frand() * (rep % 3 ? 1.0f : 0.01f);
            for (int64_t i = 0; i < 8 * n; i++) x[i] = frand() * (rep % 2 ? 3.0f : 0.2f);
            llm_quantize(t, w, wq, n);
            llm_tile_convert(t, x, (size_t)n, ntok, n, tile, scratch);
            float out[LLM_TILE];
            tf(n, wq, tile, out);
            for (int k = 0; k < LLM_TILE; k++) {
                if (k >= ntok) { pad_bad += out[k] != 0.0f; continue; }
                llm_dot_convert((uint32_t)at, x + (size_t)k * n, aq, n);
                float ref = port(n, wq, aq);
                double mag = 0;
                for (int64_t i = 0; i < n; i++) mag += fabs((double)w[i] * x[(size_t)k * n + i]);
                double err = fabs((double)out[k] - ref) / (mag + 1e-30);
                if (err > worst) worst = err;
            }
        }
        snprintf(label, sizeof label, "%s tile = per-token dot within 1e-5 of sum|w*x|", llm_type(t)->name);
        T_CHECK(label, worst < 1e-5, "relative difference %g", worst);
        snprintf(label, sizeof label, "%s tile padding tokens are zero", llm_type(t)->name);
        T_CHECK(label, pad_bad == 0, "%d non-zero", pad_bad);
        free(w); free(x); free(wq); free(aq); free(tile); free(scratch);
    }
    return t_exit();
}
