/* SPDX-License-Identifier: MIT */
/*
 * report_chart.h: the inline SVG charts of the HTML report
 * (report_html.c): metric bars with interval whiskers and baselines,
 * scores by taxonomy level, heat maps of a metric's sub-keys, cost
 * against quality, and latency distributions. Each writes one <svg
 * class="chart"> element; every text goes through ys_report_xml. Colours
 * come from a fixed palette by model index (the page's legend uses the
 * same classes). Uses report_util, results.
 */
#ifndef YS_REPORT_CHART_H
#define YS_REPORT_CHART_H

#include <stdio.h>

#include "report_util.h"

/* The palette: model m is drawn in ys_chart_color(m), which is also the
 * background of CSS class "c<m % YS_CHART_COLORS>". */
#define YS_CHART_COLORS 10
const char *ys_chart_color(size_t m);

/* A bar per model for key k, with its 95% interval and the baselines on
 * k as dashed lines. */
void ys_chart_bars(FILE *f, const ys_results *r, size_t k);

/* For a group with levels (taxonomy_depth.level1, .level2, ...): each
 * model's value by level, joined by a line, with intervals. */
void ys_chart_levels(FILE *f, const ys_results *r, const ys_report_group *g);

/* Models x the group's keys, each cell coloured by its value. */
void ys_chart_heatmap(FILE *f, const ys_results *r,
                      const ys_report_group *g);

/* Each model's cost per 1,000 samples against its value of key k. */
void ys_chart_scatter(FILE *f, const ys_results *r, size_t k);

/* Per model, a histogram of its successful tasks' latency_ms, with p50
 * and p95 marked. */
void ys_chart_latency(FILE *f, const ys_results *r);

#endif
