/* cost_svg.c: draw llm-cost's chart, cost against users on log-log axes,
 * as a standalone SVG document in memory (the caller writes the file). */
#include "cost_svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Canvas and plot area in SVG user units. */
enum { W = 820, H = 520, LEFT = 90, RIGHT = 230, TOP = 50, BOTTOM = 70 };

static const char *palette[] = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
};

/* Write s with the five XML special characters escaped; control bytes
 * (not allowed in XML 1.0) become '?'. */
static void put_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&') fputs("&amp;", f);
        else if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '"') fputs("&quot;", f);
        else if (c == '\'') fputs("&apos;", f);
        else if (c < 0x20 && c != '\t') fputc('?', f);
        else fputc(c, f);
    }
}

/* A decade label: 10^k as "0.01", "1", "1k", "10M"; with a "$" if money. */
static void decade_label(char *buf, size_t n, int k, int money)
{
    const char *cur = money ? "$" : "";
    static const char *suf[] = {"", "k", "M", "G", "T", "P"};
    if (k < 0) snprintf(buf, n, "%s%.*f", cur, -k, pow(10, k));
    else if (k / 3 < 6) snprintf(buf, n, "%s%.0f%s", cur, pow(10, k % 3), suf[k / 3]);
    else snprintf(buf, n, "%s1e%d", cur, k);
}

/* Smallest and largest positive finite value over all series' x or y. */
static int range(const llm_svg_series *s, size_t ns, int use_y, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < s[i].n; j++) {
            double v = use_y ? s[i].y[j] : s[i].x[j];
            double other = use_y ? s[i].x[j] : s[i].y[j];
            if (!(v > 0) || !isfinite(v) || !(other > 0) || !isfinite(other)) continue;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
        }
    return *lo <= *hi;
}

int llm_cost_svg(char **out, size_t *out_len, const char *title,
                 const char *xlabel, const char *ylabel, int y_money,
                 const llm_svg_series *s, size_t ns, llm_err *e)
{
    *out = NULL;
    *out_len = 0;
    double x0, x1, y0, y1;
    if (!range(s, ns, 0, &x0, &x1) || !range(s, ns, 1, &y0, &y1))
        return llm_fail(e, "chart: no positive values to draw on log scales");
    /* Whole decades around the data, at least one each way. */
    int kx0 = (int)floor(log10(x0)), kx1 = (int)ceil(log10(x1));
    int ky0 = (int)floor(log10(y0)), ky1 = (int)ceil(log10(y1));
    if (kx1 <= kx0) kx1 = kx0 + 1;
    if (ky1 <= ky0) ky1 = ky0 + 1;
    if (kx1 - kx0 > 30 || ky1 - ky0 > 30)
        return llm_fail(e, "chart: values span more than 30 decades");
    double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;

    FILE *f = open_memstream(out, out_len);
    if (!f) return llm_fail(e, "chart: out of memory");
#define PX(v) (LEFT + (log10(v) - kx0) / (double)(kx1 - kx0) * pw)
#define PY(v) (TOP + ph - (log10(v) - ky0) / (double)(ky1 - ky0) * ph)
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            W, H, W, H);
    fputs("<title>", f);
    put_xml(f, title);
    fputs("</title>\n", f);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
    fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">", W / 2);
    put_xml(f, title);
    fputs("</text>\n", f);

    /* Grid and tick labels at each decade. */
    fputs("<g class=\"axes\" stroke=\"#dddddd\" stroke-width=\"1\">\n", f);
    for (int k = kx0; k <= kx1; k++) {
        double x = LEFT + (k - kx0) / (double)(kx1 - kx0) * pw;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x, TOP, x, TOP + ph);
    }
    for (int k = ky0; k <= ky1; k++) {
        double y = TOP + ph - (k - ky0) / (double)(ky1 - ky0) * ph;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", LEFT, y, LEFT + pw, y);
    }
    fputs("</g>\n", f);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"black\"/>\n",
            LEFT, TOP, pw, ph);
    fputs("<g class=\"ticks\">\n", f);
    char lab[32];
    for (int k = kx0; k <= kx1; k++) {
        double x = LEFT + (k - kx0) / (double)(kx1 - kx0) * pw;
        decade_label(lab, sizeof lab, k, 0);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x, TOP + ph + 18, lab);
    }
    for (int k = ky0; k <= ky1; k++) {
        double y = TOP + ph - (k - ky0) / (double)(ky1 - ky0) * ph;
        decade_label(lab, sizeof lab, k, y_money);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, y + 4, lab);
    }
    fputs("</g>\n", f);
    fprintf(f, "<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", LEFT + pw / 2, H - 20);
    put_xml(f, xlabel);
    fputs("</text>\n", f);
    fprintf(f, "<text class=\"ylabel\" x=\"20\" y=\"%.1f\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 20 %.1f)\">", TOP + ph / 2, TOP + ph / 2);
    put_xml(f, ylabel);
    fputs("</text>\n", f);

    /* One polyline per series; points outside the log domain break it. */
    for (size_t i = 0; i < ns; i++) {
        const char *col = s[i].color ? s[i].color : palette[i % (sizeof palette / sizeof *palette)];
        fputs("<g class=\"series\" data-series=\"", f);
        put_xml(f, s[i].name);
        fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s>\n", col,
                s[i].dashed ? "2.5" : "2",
                s[i].dashed ? " stroke-dasharray=\"7 4\"" : "");
        int open = 0;
        for (size_t j = 0; j < s[i].n; j++) {
            double x = s[i].x[j], y = s[i].y[j];
            if (!(x > 0) || !(y > 0) || !isfinite(x) || !isfinite(y)) {
                if (open) fputs("\"/>\n", f);
                open = 0;
                continue;
            }
            fprintf(f, "%s%.2f,%.2f", open ? " " : "<polyline points=\"", PX(x), PY(y));
            open = 1;
        }
        if (open) fputs("\"/>\n", f);
        fputs("</g>\n", f);
    }

    /* Legend to the right of the plot. */
    fputs("<g class=\"legend\">\n", f);
    for (size_t i = 0; i < ns; i++) {
        const char *col = s[i].color ? s[i].color : palette[i % (sizeof palette / sizeof *palette)];
        double y = TOP + 10 + 20.0 * (double)i;
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>\n",
                LEFT + pw + 15, y, LEFT + pw + 45, y, col,
                s[i].dashed ? " stroke-dasharray=\"7 4\"" : "");
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">", LEFT + pw + 52, y + 4);
        put_xml(f, s[i].name);
        fputs("</text>\n", f);
    }
    fputs("</g>\n</svg>\n", f);
#undef PX
#undef PY
    if (fclose(f) != 0) {
        free(*out);
        *out = NULL;
        return llm_fail(e, "chart: out of memory");
    }
    return 0;
}
