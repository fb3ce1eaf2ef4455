/* act.c: SwiGLU, portable, and the run-time choice (act.h). */
#include "act.h"
#include "dot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void llm_swiglu_portable(int n, float *y, const float *x, const float *g)
{
    for (int i = 0; i < n; i++)
        y[i] = x[i] / (1.0f + expf(-x[i])) * g[i];
}

llm_swiglu_fn llm_swiglu_pick(void)
{
#if defined(__x86_64__)
    if (llm_cpu_avx2())
        return llm_swiglu_avx2;
#endif
    return llm_swiglu_portable;
}
