/* repack.c: packing weights for the 8-row generation kernels (repack.h). */
#include "repack.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dot.h"
#include "dtype.h"
#include "quant.h"

#if defined(__x86_64__)
/* The AVX2 kernels, unless LLM_NO_REPACK is set. */
static bool cpu_ok(void)
{
    const char *nr = getenv("LLM_NO_REPACK");
    return !(nr && *nr && strcmp(nr, "0")) && llm_cpu_avx2();
}
#endif

llm_gemm8x4_fn llm_gemm8x4_fn_for(uint32_t wtype)
{
#if defined(__x86_64__)
    if (cpu_ok()) return llm_gemm8x4_fn_avx2(wtype);
#endif
    (void)wtype;
    return NULL;
}

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
    const llm_type_info *ti = llm_type(wtype);
    return ti && llm_pack_block_bytes(wtype) ? (size_t)(n / ti->blck) * llm_pack_block_bytes(wtype) : 0;
}

/* Q4_0: 8 rows' blocks b into one 144-byte packed block (layout: repack.h). */
static void pack_q4_0(const uint8_t *const rows[LLM_PACK_ROWS], int64_t b, uint8_t *dst)
{
    for (int r = 0; r < LLM_PACK_ROWS; r++) {
        const block_q4_0 *x = (const block_q4_0 *)rows[r] + b;
        memcpy(dst + 2 * r, &x->d, 2);
        for (int c = 0; c < 4; c++) memcpy(dst + 16 + 32 * c + 4 * r, x->qs + 4 * c, 4);
    }
}

/* Q8_0: 8 rows' blocks b into one 272-byte packed block (repack.h). */
static void pack_q8_0(const uint8_t *const rows[LLM_PACK_ROWS], int64_t b, uint8_t *dst)
{
    for (int r = 0; r < LLM_PACK_ROWS; r++) {
        const block_q8_0 *x = (const block_q8_0 *)rows[r] + b;
        memcpy(dst + 2 * r, &x->d, 2);
        for (int c = 0; c < 8; c++) memcpy(dst + 16 + 32 * c + 4 * r, x->qs + 4 * c, 4);
    }
}

/* Q4_K: 8 rows' super-blocks b into one packed super-block (repack.h). */
static void pack_q4_K(const uint8_t *const rows[LLM_PACK_ROWS], int64_t b, uint8_t *dst)
{
    for (int r = 0; r < LLM_PACK_ROWS; r++) {
        const block_q4_K *x = (const block_q4_K *)rows[r] + b;
        memcpy(dst + 2 * r, &x->d, 2);
        memcpy(dst + 16 + 2 * r, &x->dmin, 2);
        for (int j = 0; j < 8; j++)
            llm_k4_scale_min(j, x->scales, dst + 32 + 8 * j + r, dst + 96 + 8 * j + r);
        for (int ch = 0; ch < 32; ch++) memcpy(dst + 160 + 32 * ch + 4 * r, x->qs + 4 * ch, 4);
    }
}

/* Q6_K: 8 rows' super-blocks b into one packed super-block (repack.h). */
static void pack_q6_K(const uint8_t *const rows[LLM_PACK_ROWS], int64_t b, uint8_t *dst)
{
    for (int r = 0; r < LLM_PACK_ROWS; r++) {
        const block_q6_K *x = (const block_q6_K *)rows[r] + b;
        memcpy(dst + 2 * r, &x->d, 2);
        for (int j = 0; j < 16; j++) dst[16 + 8 * j + r] = (uint8_t)x->scales[j];
        /* in the order the kernels read them: a sequential stream */
        for (int k = 0; k < 2; k++)
            for (int cq = 0; cq < 8; cq++) {
                uint8_t *t = dst + 144 + 96 * (8 * k + cq) + 4 * r;
                memcpy(t, x->ql + 4 * (16 * k + cq), 4);
                memcpy(t + 32, x->ql + 4 * (16 * k + 8 + cq), 4);
                memcpy(t + 64, x->qh + 4 * (8 * k + cq), 4);
            }
    }
}

static void pack_block(uint32_t type, const uint8_t *const rows[LLM_PACK_ROWS], int64_t b, uint8_t *dst)
{
    if (type == LLM_Q4_0) pack_q4_0(rows, b, dst);
    else if (type == LLM_Q8_0) pack_q8_0(rows, b, dst);
    else if (type == LLM_Q4_K) pack_q4_K(rows, b, dst);
    else pack_q6_K(rows, b, dst);
}

size_t llm_pack_block_bytes(uint32_t wtype)
{
    return wtype == LLM_Q4_0 ? 144 : wtype == LLM_Q8_0 ? 272 : wtype == LLM_Q4_K ? 1184 : wtype == LLM_Q6_K ? 1680 : 0;
}

/* ---- the weight arena ------------------------------------------------- */

#define HUGE_ALIGN ((size_t)2 << 20)

bool llm_weight_packable(const llm_weight *w)
{
    return !w->packed && llm_pack_block_bytes(w->type) && w->nrows % LLM_PACK_ROWS == 0 &&
           llm_gemv8_fn_for(w->type);
}

static size_t packed_size(const llm_weight *w)
{
    return (size_t)(w->nrows / LLM_PACK_ROWS) * llm_pack_group_bytes(w->type, w->ncols);
}

size_t llm_weight_place_bytes(const llm_weight *w)
{
    size_t n = llm_weight_packable(w) ? packed_size(w) : w->row_bytes * (size_t)w->nrows;
    return (n + 63) & ~(size_t)63;
}

uint8_t *llm_arena_alloc(size_t n, bool huge)
{
    size_t len = n + HUGE_ALIGN;
    void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
    uintptr_t b = (uintptr_t)base, a = (b + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1);
    /* keep [a, a + n), 2 MiB aligned: give back the slack on both sides */
    if (a > b) munmap(base, a - b);
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t t0 = (a + n + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    if (page > 0 && b + len > t0) munmap((void *)t0, b + len - t0);
#ifdef MADV_HUGEPAGE
    if (huge) madvise((void *)a, n, MADV_HUGEPAGE);   /* a hint; without it, 4 KiB pages */
#else
    (void)huge;
#endif
    return (uint8_t *)a;
}

void llm_arena_free(uint8_t *p, size_t n)
{
    long page = sysconf(_SC_PAGESIZE);
    if (p && page > 0) munmap(p, (n + (size_t)page - 1) & ~(size_t)(page - 1));
}

/* The packed layout of w's rows into dst (packed_size bytes). */
static void pack_rows(const llm_weight *w, uint8_t *dst)
{
    size_t gb = llm_pack_group_bytes(w->type, w->ncols), bb = llm_pack_block_bytes(w->type);
    int64_t nb = w->ncols / (int64_t)llm_type(w->type)->blck;
    for (int64_t g = 0; g < w->nrows / LLM_PACK_ROWS; g++) {
        const uint8_t *rows[LLM_PACK_ROWS];
        for (int r = 0; r < LLM_PACK_ROWS; r++)
            rows[r] = w->data + (size_t)(g * LLM_PACK_ROWS + r) * w->row_bytes;
        for (int64_t b = 0; b < nb; b++)
            pack_block(w->type, rows, b, dst + (size_t)g * gb + (size_t)b * bb);
    }
}

int llm_weight_place(llm_weight *w, uint8_t *dst)
{
    if (llm_weight_packable(w)) {
        pack_rows(w, dst);
        w->packed = dst;
        llm_weight_release_mapping(w);
        return 1;
    }
    memcpy(dst, w->data, w->row_bytes * (size_t)w->nrows);
    llm_weight_release_mapping(w);
    w->data = dst;
    return 0;
}

int llm_weight_pack(llm_weight *w, llm_err *e)
{
    (void)e;
    if (!llm_weight_packable(w))
        return 0;
    /* no memory for a packed copy: the mapping serves as it is */
    uint8_t *p = malloc(packed_size(w));
    if (!p) return 0;
    pack_rows(w, p);
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
