/* test_attn.c: the AVX2 attention kernels agree with the portable ones
 * (they round as ggml's x86 build does, the portable ones as its generic
 * build: not the same bits), for head sizes with and without a
 * multiple-of-8 part, short and long KV ranges, tile edges (64) and the
 * 8-key groups of the tiled kernel. Bit-exactness with llama.cpp itself
 * is held by the model goldens (test_model_ref, t_infer). */
#include "t.h"
#include "attn.h"
#include "dot.h"
#include "dtype.h"

#include <stdint.h>
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
static uint64_t st = 7;
static float frand(void)
{
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((st >> 40) * 0x1.0p-24) * 2.0f - 1.0f;
}
#endif

int main(void)
{
#if defined(__x86_64__)
    if (!llm_cpu_avx2()) {
        T_SKIP("attention kernels", "no AVX2 on this CPU");
        return t_exit();
    }
    const int hds[] = { 64, 128, 48, 8, 6, 20 };
    const int32_t nkvs[] = { 1, 7, 8, 9, 63, 64, 65, 130, 200 };
    int stride = 3 * 128;   /* rows of the cache hold several heads */
    int32_t maxkv = 200;
    uint16_t *k = malloc((size_t)maxkv * stride * 2), *v = malloc((size_t)maxkv * stride * 2);
    float q[128], o1[128], o2[128];
    float scratch1[512], scratch2[512];
    llm_dot_init();   /* the f16 table of the portable kernels */
    for (int32_t i = 0; i < maxkv * stride; i++) {
        k[i] = llm_f32_to_f16(frand() * 2.0f);
        v[i] = llm_f32_to_f16(frand());
    }
    for (int kind = 0; kind < 2; kind++) {
        int cases = 0;
        double worst = 0;
        for (size_t hi = 0; hi < sizeof hds / sizeof *hds; hi++)
            for (size_t ni = 0; ni < sizeof nkvs / sizeof *nkvs; ni++)
                for (int rep = 0; rep < 4; rep++) {
                    int hd = hds[hi];
                    for (int i = 0; i < hd; i++) q[i] = frand() * (rep + 1);
                    const uint16_t *kk = k + rep * 17, *vv = v + rep * 17;
                    if (kind == 0) {
                        llm_attn_vec_portable(q, kk, vv, nkvs[ni], stride, hd, 0.125f, o1, scratch1);
                        llm_attn_vec_avx2(q, kk, vv, nkvs[ni], stride, hd, 0.125f, o2, scratch2);
                    } else {
                        llm_attn_f32_portable(q, kk, vv, nkvs[ni], stride, hd, 0.125f, o1, scratch1);
                        llm_attn_f32_avx2(q, kk, vv, nkvs[ni], stride, hd, 0.125f, o2, scratch2);
                    }
                    double md = 0, mb = 1e-30;
                    for (int i = 0; i < hd; i++) {
                        md = fmax(md, fabs((double)o1[i] - o2[i]));
                        mb = fmax(mb, fabs((double)o1[i]));
                    }
                    worst = fmax(worst, md / mb);
                    cases++;
                }
        char label[96];
        /* the vec kernel keeps its accumulator in f16 (2^-11 a step) */
        double bound = kind ? 1e-5 : 2e-3;
        snprintf(label, sizeof label, "%s kernel: AVX2 = portable within %g (%d cases)", kind ? "f32 (tiled)" : "vec", bound, cases);
        T_CHECK(label, worst < bound, "worst relative difference %g", worst);
        printf("# %s: worst relative difference %g\n", kind ? "f32" : "vec", worst);
    }
    free(k);
    free(v);
#else
    T_SKIP("attention kernels", "the AVX2 kernels are x86-64 only");
#endif
    return t_exit();
}
