/* test_quant_golden.c: our quantizers against llama.cpp's, byte for byte.
 * tests/golden/quant/<type>.bin is ggml's quantization of the input of
 * tests/golden/quant-input.h (made by tests/golden/make-quant.sh); we
 * quantize the same input and compare every byte, then dequantize ggml's
 * bytes and compare a hash of the float bits with ggml's own dequantization
 * (dequant.txt). */
#include <stdint.h>

#include "../golden/quant-input.h"
#include "dtype.h"
#include "t.h"

#define DIR "tests/golden/quant/"

static unsigned char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0, got;
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got);
    fclose(f);
    *n = len;
    return buf;
}

static uint64_t fnv1a(const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* over the rows without NaN/inf, as make-quant.c */
static double rmse(const float *a, const float *b, int n) {
    double se = 0;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (qi_finite_row(i / QI_COLS)) se += (double)(a[i] - b[i]) * (a[i] - b[i]), m++;
    return sqrt(se / m);
}

/* ggml's hash and RMSE for type name from dequant.txt; 0 if absent. */
static int golden_dequant(const char *name, uint64_t *hash, double *err) {
    FILE *f = fopen(DIR "dequant.txt", "r");
    char line[256], nm[32];
    unsigned long long h;
    int found = 0;
    if (!f) return 0;
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "%31s %llx %lf", nm, &h, err) == 3 && !strcmp(nm, name)) {
            *hash = h;
            found = 1;
        }
    fclose(f);
    return found;
}

int main(void) {
    static const uint32_t types[] = {LLM_F16, LLM_BF16, LLM_Q4_0, LLM_Q4_1, LLM_Q5_0, LLM_Q5_1, LLM_Q8_0,
                                     LLM_Q8_1, LLM_Q2_K, LLM_Q3_K, LLM_Q4_K, LLM_Q5_K, LLM_Q6_K, LLM_Q8_K};
    static float x[QI_N], y[QI_N], yg[QI_N];
    char name[128], path[256];
    qi_fill(x);
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        const uint32_t t = types[k];
        const llm_type_info *ti = llm_type(t);
        const size_t bytes = llm_row_size(t, QI_COLS) * QI_ROWS;
        size_t gn = 0;
        snprintf(path, sizeof path, DIR "%s.bin", ti->name);
        unsigned char *golden = slurp(path, &gn);
        if (!golden) { T_FAIL(path, "cannot read (run from the repo root)"); continue; }
        unsigned char *ours = calloc(1, bytes);
        const size_t got = llm_quantize_rows(t, x, ours, QI_ROWS, QI_COLS);
        snprintf(name, sizeof name, "%s quantize size", ti->name);
        T_CHECK(name, got == bytes && gn == bytes, "wrote %zu, golden %zu, expected %zu", got, gn, bytes);

        /* which blocks differ, and in which rows (row kinds: quant-input.h) */
        size_t nbad = 0, first = 0;
        const size_t nblk = bytes / ti->size;
        for (size_t b = 0; gn == bytes && b < nblk; b++)
            if (memcmp(ours + b * ti->size, golden + b * ti->size, ti->size) && !nbad++) first = b;
        snprintf(name, sizeof name, "%s quantize bytes = llama.cpp", ti->name);
        T_CHECK(name, gn == bytes && nbad == 0, "%zu of %zu blocks differ, first block %zu (row %zu)", nbad,
                nblk, first, first * ti->blck / QI_COLS);

        /* our dequantization of ggml's bytes = ggml's, to the bit */
        uint64_t h;
        double gerr;
        if (gn == bytes) llm_dequantize(t, golden, yg, QI_N);
        snprintf(name, sizeof name, "%s dequantize = ggml", ti->name);
        if (!golden_dequant(ti->name, &h, &gerr))
            T_SKIP(name, "ggml has no dequantizer for %s", ti->name);
        else {
            T_CHECK(name, gn == bytes && fnv1a(yg, sizeof yg) == h, "hash %016llx, ggml %016llx",
                    (unsigned long long)fnv1a(yg, sizeof yg), (unsigned long long)h);
            /* the issue-6 bound, meaningful if bytes ever differ */
            llm_dequantize(t, ours, y, QI_N);
            const double e = rmse(x, y, QI_N);
            snprintf(name, sizeof name, "%s rmse <= 1.02 x llama.cpp's", ti->name);
            T_CHECK(name, e <= 1.02 * gerr + 1e-12, "rmse %.9g, llama.cpp %.9g", e, gerr);
        }
        free(ours);
        free(golden);
    }
    return t_exit();
}
