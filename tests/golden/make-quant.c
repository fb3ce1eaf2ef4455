/* make-quant.c: write the quantizer golden files from llama.cpp's ggml
 * (the prebuilt libggml-base of ../shared/ref, never our code).
 *
 *   make-quant OUTDIR
 *
 * For each type: OUTDIR/<type>.bin = ggml's quantization of the input of
 * quant-input.h (ggml_quantize_chunk without an importance matrix, as
 * llama.cpp's quantizer calls it; quantize_row_q8_1_ref and
 * quantize_row_q8_K_ref for Q8_1 and Q8_K, which it does not take). OUTDIR/dequant.txt: per
 * type, an FNV-1a hash of the bits of ggml's dequantization of those bytes
 * and the RMSE against the input (rows without NaN/inf). Built and run by make-quant.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"
#include "quant-input.h"

static const enum ggml_type types[] = {
    GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0,
    GGML_TYPE_Q5_1, GGML_TYPE_Q8_0, GGML_TYPE_Q8_1, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K,
    GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K, GGML_TYPE_Q8_K,
};

/* exported by libggml-base but declared only in ggml's internal headers */
void quantize_row_q8_1_ref(const float *x, void *y, int64_t k);
void quantize_row_q8_K_ref(const float *x, void *y, int64_t k);
void dequantize_row_q8_K(const void *x, float *y, int64_t k);

static uint64_t fnv1a(const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: make-quant OUTDIR\n"); return 2; }
    static float x[QI_N], y[QI_N];
    qi_fill(x);
    char path[4096];
    snprintf(path, sizeof path, "%s/dequant.txt", argv[1]);
    FILE *txt = fopen(path, "w");
    if (!txt) { perror(path); return 1; }
    fprintf(txt, "# type fnv1a64-of-ggml-dequantized-float-bits rmse (see make-quant.c)\n");
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        const enum ggml_type t = types[k];
        const struct ggml_type_traits *tr = ggml_get_type_traits(t);
        const size_t bytes = ggml_row_size(t, QI_COLS) * QI_ROWS;
        unsigned char *q = calloc(1, bytes); /* zeroed: Q8_K leaves bsums of zero blocks unwritten */
        if (!q) return 1;
        if (t == GGML_TYPE_Q8_1)
            quantize_row_q8_1_ref(x, q, QI_N);
        else if (t == GGML_TYPE_Q8_K)
            quantize_row_q8_K_ref(x, q, QI_N);
        else if (ggml_quantize_chunk(t, x, q, 0, QI_ROWS, QI_COLS, NULL) != bytes) {
            fprintf(stderr, "make-quant: %s: wrong size\n", tr->type_name);
            return 1;
        }
        snprintf(path, sizeof path, "%s/%s.bin", argv[1], tr->type_name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(q, 1, bytes, f) != bytes || fclose(f)) { perror(path); return 1; }
        ggml_to_float_t to_float = t == GGML_TYPE_Q8_K ? dequantize_row_q8_K : tr->to_float;
        if (to_float) { /* none for Q8_1 */
            to_float(q, y, QI_N);
            double se = 0;
            int n = 0;
            for (int i = 0; i < QI_N; i++)
                if (qi_finite_row(i / QI_COLS)) se += (double)(y[i] - x[i]) * (y[i] - x[i]), n++;
            fprintf(txt, "%s %016llx %.9g\n", tr->type_name, (unsigned long long)fnv1a(y, sizeof y),
                    sqrt(se / n));
        }
        free(q);
    }
    return fclose(txt) ? 1 : 0;
}
