/* SPDX-License-Identifier: MIT */
/*
 * report_chart.c: the SVG charts of the HTML report (report_chart.h),
 * drawn from the summary's figures and the per-task values results.h
 * reads. Charts are plain SVG (no script), sized by a viewBox so they
 * scale with the page, with <title> tooltips giving exact figures.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_chart.h"
#include "xalloc.h"

/* Tableau 10: distinct, and readable for most colour-blind readers. */
static const char *const palette[YS_CHART_COLORS] = {
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
};

const char *ys_chart_color(size_t m)
{
  return palette[m % YS_CHART_COLORS];
}

/* {====== scales and axes ====== */

typedef struct axis {
  double lo, hi, step;
} axis;

typedef struct box {
  double x, y, w, h; /* the plot area inside the margins */
} box;

static double nice_num(double x)
{
  double e = floor(log10(x)), f = x / pow(10, e);
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) *
         pow(10, e);
}

/* An axis covering [lo, hi] and 0 in four or so round steps. */
static axis axis_round(double lo, double hi)
{
  if(!isfinite(lo) || !isfinite(hi))
    lo = hi = 0;
  lo = fmin(lo, 0);
  hi = fmax(hi, 0);
  if(hi - lo <= 0)
    hi = lo + 1;
  double step = nice_num((hi - lo) / 4);
  return (axis){ floor(lo / step) * step, ceil(hi / step) * step, step };
}

/* The axis of a metric's values: [0, 1] when they fit in it (most
 * metrics do), else round. */
static axis axis_for(double lo, double hi)
{
  if(isfinite(lo) && isfinite(hi) && lo >= 0 && hi <= 1)
    return (axis){ 0, 1, 0.25 };
  if(!isfinite(lo) || !isfinite(hi))
    return (axis){ 0, 1, 0.25 };
  return axis_round(lo, hi);
}

/* Vertical position of v on a y axis drawn in b (clamped to it). */
static double ypos(const axis *a, const box *b, double v)
{
  double t = (v - a->lo) / (a->hi - a->lo);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return b->y + b->h - t * b->h;
}

static double xpos(const axis *a, const box *b, double v)
{
  double t = (v - a->lo) / (a->hi - a->lo);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return b->x + t * b->w;
}

/* Tick labels without trailing zeros: 0.25, 1, 2000. */
static void tick_label(double v, double step, char *buf, size_t len)
{
  if(fabs(v) < step * 1e-9)
    v = 0;
  snprintf(buf, len, "%.6g", v);
}

/* Horizontal grid lines and labels of a y axis. */
static void y_axis(FILE *f, const axis *a, const box *b)
{
  for(double v = a->lo; v <= a->hi + a->step * 1e-6; v += a->step) {
    double y = ypos(a, b, v);
    char l[32];
    tick_label(v, a->step, l, sizeof(l));
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
            "class=\"grid\"/><text x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"end\">%s</text>\n", b->x, b->x + b->w, y, y,
            b->x - 6, y + 4, l);
  }
}

static void x_axis(FILE *f, const axis *a, const box *b)
{
  for(double v = a->lo; v <= a->hi + a->step * 1e-6; v += a->step) {
    double x = xpos(a, b, v);
    char l[32];
    tick_label(v, a->step, l, sizeof(l));
    fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
            "class=\"grid\"/><text x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"middle\">%s</text>\n", x, x, b->y, b->y + b->h,
            x, b->y + b->h + 14, l);
  }
}

/* }====== */

/* {====== pieces ====== */

static void svg_open(FILE *f, double w, double h, const char *label)
{
  fprintf(f, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
          "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
          "role=\"img\" aria-label=\"", w, h, w, h);
  ys_report_xml(f, label, 1);
  fputs("\">\n", f);
}

static size_t text_chars(const char *s)
{
  size_t n = 0;
  for(; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* Text cut to at most max characters (UTF-8, max >= 1), the last one an
 * ellipsis when cut. */
static void text_cut(FILE *f, const char *s, size_t max)
{
  if(text_chars(s) <= max) {
    ys_report_xml(f, s, 0);
    return;
  }
  size_t chars = 0, i = 0;
  for(; s[i]; i++)
    if(((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max - 1)
      break;
  ys_report_xml_n(f, s, i, 0);
  fputs("\xE2\x80\xA6", f);
}

static void title_el(FILE *f, double x, double y, const char *text)
{
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"title\">", x, y);
  text_cut(f, text, 60);
  fputs("<title>", f);
  ys_report_xml(f, text, 0);
  fputs("</title></text>\n", f);
}

/* "model: 0.714 [0.476, 0.952], n=8" as a tooltip. */
static void tooltip(FILE *f, const char *model, const cJSON *entry)
{
  char v[48], lo[48], hi[48];
  double a, b;
  ys_report_fmt(ys_report_num(entry, "value"), v, sizeof(v));
  fputs("<title>", f);
  ys_report_xml(f, model, 0);
  fprintf(f, ": %s", v);
  if(ys_report_ci(entry, &a, &b)) {
    ys_report_fmt(a, lo, sizeof(lo));
    ys_report_fmt(b, hi, sizeof(hi));
    fprintf(f, " [%s, %s]", lo, hi);
  }
  double n = ys_report_num(entry, "n");
  if(!isnan(n))
    fprintf(f, ", n=%.0f", n);
  fputs("</title>", f);
}

/* An interval's whisker at x, caps w wide. */
static void whisker(FILE *f, const axis *a, const box *b, double x,
                    double lo, double hi, double w)
{
  double y0 = ypos(a, b, lo), y1 = ypos(a, b, hi);
  fprintf(f, "<path class=\"whisker\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1f"
          "M%.1f %.1fH%.1f\"/>\n", x, y0, y1, x - w / 2, y0, x + w / 2,
          x - w / 2, y1, x + w / 2);
}

/* The range of values, interval ends and baselines of key k. */
static void key_range(const ys_results *r, size_t k, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for(size_t m = 0; m < r->nmodels; m++) {
    const cJSON *e = ys_report_entry(r, m, k);
    double v = ys_report_num(e, "value"), a, b;
    if(!isnan(v)) {
      *lo = fmin(*lo, v);
      *hi = fmax(*hi, v);
    }
    if(ys_report_ci(e, &a, &b)) {
      *lo = fmin(*lo, a);
      *hi = fmax(*hi, b);
    }
  }
  const cJSON *bs = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                     "baselines");
  for(const cJSON *b = cJSON_IsArray(bs) ? bs->child : NULL; b; b = b->next)
    if(!strcmp(ys_report_str(b, "metric", ""), r->keys[k]) &&
       !isnan(ys_report_num(b, "value"))) {
      *lo = fmin(*lo, ys_report_num(b, "value"));
      *hi = fmax(*hi, ys_report_num(b, "value"));
    }
}

/* The baselines on key k as dashed lines across [x0, x1]. */
static void baseline_lines(FILE *f, const ys_results *r, size_t k,
                           const axis *a, const box *b, double x0, double x1)
{
  const cJSON *bs = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                     "baselines");
  for(const cJSON *bl = cJSON_IsArray(bs) ? bs->child : NULL; bl;
      bl = bl->next) {
    double v = ys_report_num(bl, "value");
    if(strcmp(ys_report_str(bl, "metric", ""), r->keys[k]) || isnan(v))
      continue;
    double y = ypos(a, b, v);
    char vs[48];
    ys_report_fmt(v, vs, sizeof(vs));
    fprintf(f, "<line class=\"baseline\" x1=\"%.1f\" x2=\"%.1f\" "
            "y1=\"%.1f\" y2=\"%.1f\"><title>", x0, x1, y, y);
    ys_report_xml(f, ys_report_str(bl, "name", "baseline"), 0);
    fprintf(f, " (baseline): %s</title></line>\n<text class=\"baseline-"
            "label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", vs, x1,
            y - 3);
    text_cut(f, ys_report_str(bl, "name", "baseline"), 18);
    fprintf(f, " %s</text>\n", vs);
  }
}

/* }====== */

/* {====== metric bars ====== */

void ys_chart_bars(FILE *f, const ys_results *r, size_t k)
{
  double W = 280, H = 210;
  box b = { 40, 30, W - 50, H - 30 - 40 };
  double lo, hi;
  key_range(r, k, &lo, &hi);
  axis a = axis_for(lo, hi);
  svg_open(f, W, H, r->keys[k]);
  title_el(f, 8, 16, r->keys[k]);
  y_axis(f, &a, &b);
  double band = b.w / (double)r->nmodels;
  double bw = fmin(band * 0.6, 46);
  for(size_t m = 0; m < r->nmodels; m++) {
    const cJSON *e = ys_report_entry(r, m, k);
    double v = ys_report_num(e, "value"), cx = b.x + band * (m + 0.5), c0,
           c1;
    if(isnan(v))
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
              "class=\"na\">n/a</text>\n", cx, b.y + b.h - 4);
    else {
      double y = ypos(&a, &b, v), y0 = ypos(&a, &b, fmax(a.lo, 0));
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
              " fill=\"%s\">", cx - bw / 2, fmin(y, y0), bw, fabs(y0 - y),
              ys_chart_color(m));
      tooltip(f, r->models[m], e);
      fputs("</rect>\n", f);
      if(ys_report_ci(e, &c0, &c1))
        whisker(f, &a, &b, cx, c0, c1, bw / 3);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx,
            b.y + b.h + 16);
    text_cut(f, r->models[m], (size_t)fmax(3, band / 7));
    fputs("</text>\n", f);
  }
  baseline_lines(f, r, k, &a, &b, b.x, b.x + b.w);
  fputs("</svg>\n", f);
}

/* }====== */

/* {====== by level ====== */

/* The group's level keys, by level number. */
static size_t level_keys(const ys_report_group *g, size_t *keys,
                         const char **subs)
{
  size_t n = 0;
  for(size_t i = 0; i < g->n; i++) {
    int lv = ys_report_level(g->sub[i]);
    if(!lv)
      continue;
    size_t j = n++;
    while(j && ys_report_level(subs[j - 1]) > lv) {
      keys[j] = keys[j - 1];
      subs[j] = subs[j - 1];
      j--;
    }
    keys[j] = g->keys[i];
    subs[j] = g->sub[i];
  }
  return n;
}

static void level_line(FILE *f, const ys_results *r, size_t m,
                       const size_t *keys, size_t n, const axis *a,
                       const box *b)
{
  double band = b->w / (double)n;
  double off = ((double)m - ((double)r->nmodels - 1) / 2) * 5;
  fprintf(f, "<g><polyline class=\"series\" stroke=\"%s\" points=\"",
          ys_chart_color(m));
  for(size_t i = 0; i < n; i++) {
    double v = ys_report_num(ys_report_entry(r, m, keys[i]), "value");
    if(!isnan(v))
      fprintf(f, "%.1f,%.1f ", b->x + band * (i + 0.5) + off,
              ypos(a, b, v));
  }
  fputs("\"/>\n", f);
  for(size_t i = 0; i < n; i++) {
    const cJSON *e = ys_report_entry(r, m, keys[i]);
    double v = ys_report_num(e, "value"), lo, hi;
    double x = b->x + band * (i + 0.5) + off;
    if(isnan(v))
      continue;
    if(ys_report_ci(e, &lo, &hi))
      whisker(f, a, b, x, lo, hi, 6);
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\">",
            x, ypos(a, b, v), ys_chart_color(m));
    tooltip(f, r->models[m], e);
    fputs("</circle>\n", f);
  }
  fputs("</g>\n", f);
}

void ys_chart_levels(FILE *f, const ys_results *r, const ys_report_group *g)
{
  size_t *keys = ys_xcalloc(g->n + 1, sizeof(size_t));
  const char **subs = ys_xcalloc(g->n + 1, sizeof(char *));
  size_t n = level_keys(g, keys, subs);
  double W = 560, H = 290;
  box b = { 44, 30, W - 60, H - 30 - 44 };
  double lo = INFINITY, hi = -INFINITY;
  for(size_t i = 0; i < n; i++) {
    double l, h;
    key_range(r, keys[i], &l, &h);
    lo = fmin(lo, l);
    hi = fmax(hi, h);
  }
  axis a = axis_for(lo, hi);
  char *title = ys_xasprintf("%s by level", g->name);
  svg_open(f, W, H, title);
  title_el(f, 8, 16, title);
  y_axis(f, &a, &b);
  double band = b.w / (double)n;
  for(size_t i = 0; i < n; i++) {
    double x = b.x + band * (i + 0.5);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x,
            b.y + b.h + 18);
    ys_report_xml(f, subs[i], 0);
    fputs("</text>\n", f);
    baseline_lines(f, r, keys[i], &a, &b, x - band * 0.45, x + band * 0.45);
  }
  for(size_t m = 0; m < r->nmodels; m++)
    level_line(f, r, m, keys, n, &a, &b);
  fputs("</svg>\n", f);
  free(title);
  free(keys);
  free(subs);
}

/* }====== */

/* {====== heat map ====== */

/* YlGnBu, light (low) to dark (high). */
static void heat_color(double t, char *buf, size_t len)
{
  static const unsigned char stops[5][3] = {
    { 255, 255, 217 }, { 199, 233, 180 }, { 65, 182, 196 },
    { 34, 94, 168 }, { 8, 29, 88 }
  };
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  double p = t * 4;
  int i = p >= 4 ? 3 : (int)p;
  double u = p - i;
  int c[3];
  for(int j = 0; j < 3; j++)
    c[j] = (int)lround(stops[i][j] + (stops[i + 1][j] - stops[i][j]) * u);
  snprintf(buf, len, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* Where value v of key k sits from 0 to 1: itself when the key's values
 * are all within [0, 1], else its place between the key's least and
 * greatest value across models. */
static double heat_t(const ys_results *r, size_t k, double v)
{
  double lo = INFINITY, hi = -INFINITY;
  for(size_t m = 0; m < r->nmodels; m++) {
    double x = ys_report_num(ys_report_entry(r, m, k), "value");
    if(!isnan(x)) {
      lo = fmin(lo, x);
      hi = fmax(hi, x);
    }
  }
  if(lo >= 0 && hi <= 1)
    return v;
  return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

#define HEAT_MAX_KEYS 40

void ys_chart_heatmap(FILE *f, const ys_results *r, const ys_report_group *g)
{
  size_t nk = g->n > HEAT_MAX_KEYS ? HEAT_MAX_KEYS : g->n;
  double label = 60, cw = 56, ch = 30;
  for(size_t m = 0; m < r->nmodels; m++)
    label = fmax(label, fmin(24, (double)text_chars(r->models[m])) * 7 + 16);
  for(size_t i = 0; i < nk; i++)
    cw = fmax(cw, fmin(24, (double)text_chars(g->sub[i])) * 6.5 + 12);
  double W = label + cw * (double)nk + 12;
  double H = 30 + 22 + ch * (double)r->nmodels + (g->n > nk ? 22 : 8);
  char *title = ys_xasprintf("%s: models x keys", g->name);
  svg_open(f, W, H, title);
  title_el(f, 8, 16, title);
  for(size_t i = 0; i < nk; i++) {
    fprintf(f, "<text x=\"%.1f\" y=\"44\" text-anchor=\"middle\">",
            label + cw * (i + 0.5));
    text_cut(f, g->sub[i], 24);
    fputs("</text>\n", f);
  }
  for(size_t m = 0; m < r->nmodels; m++) {
    double y = 52 + ch * (double)m;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
            label - 8, y + ch / 2 + 4);
    text_cut(f, r->models[m], 24);
    fputs("</text>\n", f);
    for(size_t i = 0; i < nk; i++) {
      const cJSON *e = ys_report_entry(r, m, g->keys[i]);
      double v = ys_report_num(e, "value");
      double t = isnan(v) ? 0 : heat_t(r, g->keys[i], v);
      char fill[16], vs[48];
      if(isnan(v))
        snprintf(fill, sizeof(fill), "#eeeeee");
      else
        heat_color(t, fill, sizeof(fill));
      if(isnan(v))
        snprintf(vs, sizeof(vs), "-");
      else
        snprintf(vs, sizeof(vs), "%.3g", v);
      double x = label + cw * (double)i;
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
              "height=\"%.1f\" fill=\"%s\" class=\"cell\">", x, y, cw, ch,
              fill);
      tooltip(f, r->models[m], e);
      fprintf(f, "</rect><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\""
              " class=\"%s\">%s</text>\n", x + cw / 2, y + ch / 2 + 4,
              !isnan(v) && t > 0.55 ? "on-dark" : "on-light", vs);
    }
  }
  if(g->n > nk)
    fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"na\">%zu more keys not "
            "shown</text>\n", H - 8, g->n - nk);
  fputs("</svg>\n", f);
  free(title);
}

/* }====== */

/* {====== cost against quality ====== */

static double cost_per_1k(const ys_results *r, size_t m)
{
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(ys_report_model(r, m),
                                                    "usage");
  return ys_report_num(u, "cost_per_1k_samples");
}

void ys_chart_scatter(FILE *f, const ys_results *r, size_t k)
{
  double W = 560, H = 320;
  box b = { 56, 30, W - 56 - 110, H - 30 - 48 };
  double lo, hi, cmax = 0;
  key_range(r, k, &lo, &hi);
  for(size_t m = 0; m < r->nmodels; m++)
    if(!isnan(cost_per_1k(r, m)))
      cmax = fmax(cmax, cost_per_1k(r, m));
  axis ay = axis_for(lo, hi), ax = axis_round(0, cmax > 0 ? cmax : 1);
  char *title = ys_xasprintf("%s against cost", r->keys[k]);
  svg_open(f, W, H, title);
  title_el(f, 8, 16, title);
  y_axis(f, &ay, &b);
  x_axis(f, &ax, &b);
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">cost per "
          "1,000 samples, USD%s</text>\n", b.x + b.w / 2, H - 8,
          cmax > 0 ? "" : " (no model has a cost)");
  baseline_lines(f, r, k, &ay, &b, b.x, b.x + b.w);
  for(size_t m = 0; m < r->nmodels; m++) {
    const cJSON *e = ys_report_entry(r, m, k);
    double v = ys_report_num(e, "value"), c = cost_per_1k(r, m), c0, c1;
    if(isnan(v))
      continue;
    double x = xpos(&ax, &b, isnan(c) ? 0 : c), y = ypos(&ay, &b, v);
    if(ys_report_ci(e, &c0, &c1))
      whisker(f, &ay, &b, x, c0, c1, 8);
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\">", x, y,
            ys_chart_color(m));
    tooltip(f, r->models[m], e);
    fprintf(f, "</circle>\n<text class=\"halo\" x=\"%.1f\" "
            "y=\"%.1f\">", x + 9, y + 4 + 12 * ((double)(m % 2) - 0.5));
    text_cut(f, r->models[m], 16);
    if(!isnan(c))
      fprintf(f, " ($%.4g)", c);
    fputs("</text>\n", f);
  }
  fputs("</svg>\n", f);
  free(title);
}

/* }====== */

/* {====== latency ====== */

#define LAT_BINS 40

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Successful tasks' latencies of model m, sorted; sets *n. Owned. */
static double *latencies(const ys_results *r, size_t m, size_t *n)
{
  double *v = ys_xcalloc(r->ntasks + 1, sizeof(double));
  *n = 0;
  for(size_t t = 0; t < r->ntasks; t++) {
    const ys_task_result *tr = &r->tasks[m * r->ntasks + t];
    if(r->present[m * r->ntasks + t] && !tr->error &&
       isfinite(tr->latency_ms))
      v[(*n)++] = tr->latency_ms;
  }
  qsort(v, *n, sizeof(double), cmp_double);
  return v;
}

static double quantile(const double *v, size_t n, double q)
{
  if(!n)
    return NAN;
  double pos = q * (double)(n - 1);
  size_t i = (size_t)pos;
  return i + 1 < n ? v[i] + (v[i + 1] - v[i]) * (pos - (double)i) : v[i];
}

/* A marker at latency v across a row from y to y + h. */
static void lat_mark(FILE *f, const axis *a, const box *b, double v,
                     double y, double h, const char *cls, const char *name)
{
  if(isnan(v))
    return;
  double x = xpos(a, b, v);
  fprintf(f, "<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
          "y2=\"%.1f\"><title>%s %.4g ms</title></line>\n", cls, x, x, y,
          y + h, name, v);
}

static void lat_row(FILE *f, const ys_results *r, size_t m, const axis *a,
                    const box *b, double y, double h)
{
  size_t n;
  double *v = latencies(r, m, &n);
  size_t count[LAT_BINS] = { 0 }, top = 0, over = 0;
  for(size_t i = 0; i < n; i++) {
    double t = (v[i] - a->lo) / (a->hi - a->lo);
    over += t > 1;
    size_t bin = t >= 1 ? LAT_BINS - 1 : t <= 0 ? 0
                 : (size_t)(t * LAT_BINS);
    if(++count[bin] > top)
      top = count[bin];
  }
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(ys_report_model(r, m),
                                                      "latency_ms");
  double p50 = ys_report_num(lat, "p50"), p95 = ys_report_num(lat, "p95");
  if(isnan(p50))
    p50 = quantile(v, n, 0.5);
  if(isnan(p95))
    p95 = quantile(v, n, 0.95);
  fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"strong\">", y + h / 2 - 2);
  text_cut(f, r->models[m], 20);
  fprintf(f, "</text>\n<text x=\"8\" y=\"%.1f\" class=\"na\">n=%zu, p50 "
          "%.3g, p95 %.3g ms</text>\n", y + h / 2 + 12, n, p50, p95);
  double bw = b->w / LAT_BINS;
  for(size_t i = 0; i < LAT_BINS; i++) {
    if(!count[i])
      continue;
    double bh = (double)count[i] / (double)top * (h - 4);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"%s\"><title>%zu task%s</title></rect>\n",
            b->x + bw * (double)i + 0.5, y + h - bh, bw - 1, bh,
            ys_chart_color(m), count[i], count[i] == 1 ? "" : "s");
  }
  fprintf(f, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
          "y2=\"%.1f\"/>\n", b->x, b->x + b->w, y + h, y + h);
  lat_mark(f, a, b, p50, y, h, "p50", "p50");
  lat_mark(f, a, b, p95, y, h, "p95", "p95");
  if(over)
    fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"na\">%zu off the "
            "scale, in the last bar</text>\n", y + h / 2 + 25, over);
  free(v);
}

void ys_chart_latency(FILE *f, const ys_results *r)
{
  double hi = 0, rowh = 56;
  for(size_t m = 0; m < r->nmodels; m++) {
    size_t n;
    double *v = latencies(r, m, &n);
    if(n)
      hi = fmax(hi, quantile(v, n, 0.99));
    free(v);
  }
  axis a = axis_round(0, hi > 0 ? hi : 1);
  double W = 760, H = 34 + rowh * (double)r->nmodels + 36;
  box b = { 190, 34, W - 190 - 20, rowh * (double)r->nmodels };
  svg_open(f, W, H, "latency per task");
  title_el(f, 8, 16, "latency of each successful task (ms)");
  x_axis(f, &a, &b);
  for(size_t m = 0; m < r->nmodels; m++)
    lat_row(f, r, m, &a, &b, b.y + rowh * (double)m + 4, rowh - 8);
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">ms (solid: "
          "p50, dashed: p95)</text>\n", b.x + b.w / 2, H - 6);
  fputs("</svg>\n", f);
}

/* }====== */
