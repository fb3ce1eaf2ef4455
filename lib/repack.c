/* repack.c: packing weights for the 8-row generation kernels (repack.h). */
#include "repack.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dtype.h"
#include "quant.h"

#if defined(__x86_64__)
#include <cpuid.h>

/* AVX2, FMA and F16C, unless LLM_NO_SIMD or LLM_NO_REPACK is set. */
static bool cpu_ok(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *no = getenv("LLM_NO_SIMD"), *nr = getenv("LLM_NO_REPACK");
        unsigned a, b, c, d;
        bool f16c = __get_cpuid(1, &a, &b, &c, &d) && (c >> 29 & 1);
        __builtin_cpu_init();
        cached = !(no && *no && strcmp(no, "0")) && !(nr && *nr && strcmp(nr, "0")) &&
                 __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
    }
    return cached;
}
#endif

llm_gemv8_fn llm_gemv8_fn_for(uint32_t wtype)
{
#if defined(__x86_64__)
    if (cpu_ok()) return llm_gemv8_fn_avx2(wtype);
#endif
    (void)wtype;
    return NULL;
}

size_t llm_pack_group_bytes(uint32_t wtype, int64_t n)
{
    return LLM_PACK_ROWS * llm_row_size(wtype, n);
}

/* Q4_0: 8 rows' blocks b into one 144-byte packed block (layout: repack.h). */
static void pack_q4_0(const block_q4_0 *rows[LLM_PACK_ROWS], int64_t b, uint8_t *dst)
{
    for (int r = 0; r < LLM_PACK_ROWS; r++) memcpy(dst + 2 * r, &rows[r][b].d, 2);
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < LLM_PACK_ROWS; r++)
            memcpy(dst + 16 + 32 * c + 4 * r, rows[r][b].qs + 4 * c, 4);
}

int llm_weight_pack(llm_weight *w, llm_err *e)
{
    if (w->packed || w->type != LLM_Q4_0 || w->nrows % LLM_PACK_ROWS || !llm_gemv8_fn_for(w->type))
        return 0;
    size_t gb = llm_pack_group_bytes(w->type, w->ncols);
    int64_t groups = w->nrows / LLM_PACK_ROWS, nb = w->ncols / QK4_0;
    uint8_t *p = malloc((size_t)groups * gb);
    if (!p) return llm_fail(e, "out of memory packing tensor '%s' (%zu bytes)", w->name, (size_t)groups * gb);
    for (int64_t g = 0; g < groups; g++) {
        const block_q4_0 *rows[LLM_PACK_ROWS];
        for (int r = 0; r < LLM_PACK_ROWS; r++)
            rows[r] = (const block_q4_0 *)(w->data + (size_t)(g * LLM_PACK_ROWS + r) * w->row_bytes);
        for (int64_t b = 0; b < nb; b++) pack_q4_0(rows, b, p + (size_t)g * gb + (size_t)b * 144);
    }
    w->packed = p;
    return 1;
}

void llm_weight_unpack(llm_weight *w)
{
    free(w->packed);
    w->packed = NULL;
}

void llm_weight_release_mapping(const llm_weight *w)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return;
    uintptr_t lo = (uintptr_t)w->data, hi = lo + (uintptr_t)(w->row_bytes * (size_t)w->nrows);
    lo = (lo + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    hi &= ~(uintptr_t)(page - 1);
    /* a private read-only file mapping: the pages are dropped, and read
     * again from the file if anything touches them */
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}
