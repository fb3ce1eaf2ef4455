/* cost_svg.h: llm-cost's chart, lines on log-log axes, as an SVG document
 * built in memory (writing it to a file is the caller's job). */
#ifndef LLM_COST_SVG_H
#define LLM_COST_SVG_H

#include <stddef.h>

#include "err.h"

typedef struct llm_svg_series {
    const char *name;       /* legend text and the data-series attribute */
    const double *x, *y;    /* n points; non-positive ones are not drawn */
    size_t n;
    int dashed;             /* draw dashed (the local line) */
    const char *color;      /* "#rrggbb", or NULL for the palette */
} llm_svg_series;

/* Render the series into a malloc'd NUL-terminated SVG (*out, *out_len;
 * free() it). Axes span whole decades around the data, with a grid, decade
 * labels ("$" before y labels if y_money), axis labels, a title and a
 * legend. Each series is a <g class="series" data-series="NAME">. Returns
 * 0, or -1 if nothing is positive (log scales) or memory runs out. */
int llm_cost_svg(char **out, size_t *out_len, const char *title,
                 const char *xlabel, const char *ylabel, int y_money,
                 const llm_svg_series *s, size_t ns, llm_err *e);

#endif
