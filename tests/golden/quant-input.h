/* quant-input.h: the fixed input of the quantizer golden files, shared by
 * tests/golden/make-quant.c (which feeds it to ggml) and
 * tests/unit/test_quant_golden.c (which feeds it to ours).
 *
 * QI_ROWS rows of QI_COLS floats, one distribution per row (row % 12).
 * Only integer arithmetic and exact float operations (no libm), so every
 * IEEE machine produces the same bits. */
#ifndef QUANT_INPUT_H
#define QUANT_INPUT_H

#include <stdint.h>

#define QI_ROWS 64
#define QI_COLS 256
#define QI_N (QI_ROWS * QI_COLS)

static uint64_t qi_state;

/* splitmix64 */
static uint64_t qi_next(void) {
    uint64_t z = (qi_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* uniform in [0, 1), 24 random bits: exact in float */
static float qi_unif(void) { return (float)(qi_next() >> 40) * (1.0f / 16777216.0f); }

/* roughly gaussian, mean 0, sd 1: Irwin-Hall sum of 4 uniforms */
static float qi_gauss(void) {
    float s = qi_unif() + qi_unif() + qi_unif() + qi_unif();
    return (s - 2.0f) * 1.7320508f;
}

/* The float with these bits: NaN by its bits, not 0/0 whose sign the
 * compiler may fold either way. */
static float qi_bits(uint32_t u) {
    union { uint32_t u; float f; } v = {u};
    return v.f;
}

/* Fill x[QI_N]. Kinds: 0 gaussian, 1 uniform [-1,1), 2 small gaussian with
 * 1/64 outliers x30, 3 all zero, 4 tiny (1e-6: fp16-subnormal scales),
 * 5 tinier (1e-20: below ggml's 1e-15 "all zero" threshold), 6 positive
 * only (min > 0), 7 blocks of 32 that alternate zero, constant +0.25,
 * constant -0.75 and gaussian at scales 2^-6..2^6, 8 multiples of 1/8 in
 * [-2, 2] (exact ties for the rounding), 9 gaussian plus a large offset,
 * 10 subnormal floats (1e-39: 1/d overflows to inf), 11 gaussian with a NaN,
 * +inf or -inf in some blocks. The amplitude also varies with the row
 * (row/12). */
static void qi_fill(float *x) {
    qi_state = 0x5EEDC0DEull;
    for (int r = 0; r < QI_ROWS; r++) {
        float *y = x + r * QI_COLS;
        const float amp = (float)(1 << (r / 12 % 4)) * 0.5f;
        for (int i = 0; i < QI_COLS; i++) {
            float v;
            switch (r % 12) {
            case 0: v = amp * qi_gauss(); break;
            case 1: v = amp * (2.0f * qi_unif() - 1.0f); break;
            case 2: v = 0.02f * qi_gauss(); if (qi_next() % 64 == 0) v *= 30.0f; break;
            case 3: v = 0.0f; break;
            case 4: v = 1e-6f * qi_gauss(); break;
            case 5: v = 1e-20f * qi_gauss(); break;
            case 6: v = amp * (0.5f + qi_unif()); break;
            case 7: {
                const int b = i / 32;
                if (b % 4 == 0) v = 0.0f;
                else if (b % 4 == 1) v = 0.25f;
                else if (b % 4 == 2) v = -0.75f;
                else v = (float)(1 << ((r + b) % 13)) * (1.0f / 64.0f) * qi_gauss();
                break;
            }
            case 8: v = (float)((int)(qi_next() % 33) - 16) * 0.125f; break;
            case 9: v = 3.0f * amp + 0.1f * qi_gauss(); break;
            case 10: v = 1e-39f * qi_gauss(); break;
            default: {
                const uint64_t k = qi_next() % 200;
                v = k < 3 ? qi_bits(k == 0 ? 0x7FC00000u : k == 1 ? 0x7F800000u : 0xFF800000u)
                          : amp * qi_gauss();
                break;
            }
            }
            y[i] = v;
        }
    }
}

/* Rows without NaN or inf, where an RMSE means something. */
static int qi_finite_row(int r) { return r % 12 != 11; }

#endif
