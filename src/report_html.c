/* SPDX-License-Identifier: MIT */
/*
 * report_html.c: `--format html`: one self-contained page (inline CSS,
 * inline SVG from report_chart.c, one small inline script for filtering;
 * nothing loaded from anywhere, which its Content-Security-Policy
 * enforces): the verdict, the summary table, gates, charts, and a
 * filterable table of per-sample outputs with disagreements first. Every
 * text from the run goes through ys_report_xml. Layout in
 * doc/reports.md.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "report.h"
#include "report_chart.h"
#include "report_util.h"
#include "xalloc.h"

/* Rows of the samples table, and bytes of each output shown in it. */
#define ROWS_MAX 500
#define OUTPUT_SHOWN 600
/* Per-key bar charts drawn at most. */
#define BARS_MAX 40

/* {====== the page's style and script ====== */

static const char css[] =
  ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;"
  "--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}\n"
  "*{box-sizing:border-box}\n"
  "body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
  "sans-serif;color:var(--fg);background:#fff;margin:0 auto;"
  "max-width:1240px;padding:20px 24px}\n"
  "h1{font-size:22px;margin:0 0 4px}\n"
  "h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;"
  "border-bottom:1px solid var(--line)}\n"
  "h3{font-size:14px;margin:18px 0 6px}\n"
  ".muted,.ci{color:var(--muted)}.ci{font-size:12px}\n"
  ".badge{display:inline-block;padding:1px 9px;border-radius:10px;"
  "font-size:12px;font-weight:600;color:#fff;vertical-align:middle}\n"
  ".pass{background:var(--ok)}.fail{background:var(--bad)}"
  ".warn{background:var(--warn)}\n"
  ".banner{padding:8px 12px;border-radius:6px;background:#fff8c5;"
  "border:1px solid #d4a72c}\n"
  "table{border-collapse:collapse;font-size:13px}\n"
  "th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;"
  "vertical-align:top}\n"
  "th{background:var(--soft);font-weight:600}\n"
  "td.num{text-align:right;font-variant-numeric:tabular-nums;"
  "white-space:nowrap}\n"
  "tr.base td{color:var(--muted);font-style:italic}\n"
  ".scroll{overflow-x:auto}\n"
  "ul.gates{list-style:none;padding:0;margin:0}"
  "ul.gates li{margin:3px 0}\n"
  ".grid{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}\n"
  "figure{margin:0;max-width:100%}figure h3{margin-top:6px}\n"
  "svg.chart{background:#fff;border:1px solid var(--line);"
  "border-radius:6px;max-width:100%;height:auto}\n"
  "svg text{font-size:11px;font-family:system-ui,sans-serif;fill:#333}\n"
  "svg text.title{font-size:12.5px;font-weight:600}\n"
  "svg text.strong{font-weight:600}svg text.na{fill:#777}\n"
  "svg text.on-dark{fill:#fff}svg text.on-light{fill:#1f2328}\n"
  "svg .grid{stroke:#e6e9ed}svg .axis{stroke:#999}\n"
  "svg .whisker{stroke:#222;stroke-width:1.4;fill:none}\n"
  "svg .baseline{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:5 3}\n"
  "svg text.baseline-label{fill:#cf222e}\n"
  "svg text.baseline-label,svg text.halo{paint-order:stroke;stroke:#fff;"
  "stroke-width:3px;stroke-linejoin:round}\n"
  "svg .series{fill:none;stroke-width:2}\n"
  "svg .cell{stroke:#fff}\n"
  "svg .p50{stroke:#111;stroke-width:1.5}"
  "svg .p95{stroke:#111;stroke-width:1.5;stroke-dasharray:4 3}\n"
  ".legend{margin:4px 0 8px}.legend span{display:inline-flex;"
  "align-items:center;margin-right:16px}\n"
  ".legend i{width:12px;height:12px;border-radius:2px;margin-right:5px;"
  "display:inline-block}\n"
  ".c0{background:#4e79a7}.c1{background:#f28e2b}.c2{background:#e15759}"
  ".c3{background:#76b7b2}.c4{background:#59a14f}.c5{background:#edc948}"
  ".c6{background:#b07aa1}.c7{background:#ff9da7}.c8{background:#9c755f}"
  ".c9{background:#bab0ac}\n"
  ".filters{display:flex;gap:10px;align-items:center;margin:8px 0}\n"
  ".filters input{padding:4px 8px;min-width:320px}\n"
  "#samples td{max-width:420px}\n"
  "#samples .out{white-space:pre-wrap;word-break:break-word;"
  "max-height:9em;overflow:auto;font-family:ui-monospace,monospace;"
  "font-size:12px}\n"
  "#samples .err{color:var(--bad);white-space:pre-wrap}\n"
  "#samples .sc{color:var(--muted);font-size:12px;margin-top:3px}\n"
  "#samples .sc b{color:var(--fg)}\n"
  "#samples tr[data-d=\"1\"] td:first-child{border-left:3px solid "
  "var(--bad)}\n"
  "footer{margin-top:28px;font-size:12px;color:var(--muted)}\n";

/* Switches the scatter plot's metric, filters the samples table, then
 * marks the page ready (data-report) with the number of charts drawn
 * (data-charts), which tests/cli/report.sh checks in a real browser. */
static const char js[] =
  "(function(){var d=document;\n"
  "function each(s,f){Array.prototype.forEach.call(d.querySelectorAll(s),"
  "f);}\n"
  "var pick=d.getElementById('scatter-key');\n"
  "if(pick){var sync=function(){each('.scatter',function(e){"
  "e.hidden=e.getAttribute('data-key')!==pick.value;});};\n"
  "pick.addEventListener('change',sync);sync();}\n"
  "var q=d.getElementById('q'),show=d.getElementById('show'),"
  "count=d.getElementById('count');\n"
  "function filter(){var t=q.value.toLowerCase(),w=show.value,n=0;\n"
  "each('#samples tbody tr',function(tr){var ok=(w==='all'||"
  "tr.getAttribute('data-'+w)==='1')&&(!t||"
  "tr.textContent.toLowerCase().indexOf(t)>=0);tr.hidden=!ok;"
  "if(ok)n++;});\n"
  "count.textContent=n+' row'+(n===1?'':'s')+' shown';}\n"
  "if(q&&show&&count){q.addEventListener('input',filter);"
  "show.addEventListener('change',filter);filter();}\n"
  "var n=0;each('svg.chart',function(s){var b=s.getBoundingClientRect();"
  "if(b.width>0&&b.height>0)n++;});\n"
  "d.documentElement.setAttribute('data-charts',String(n));\n"
  "d.documentElement.setAttribute('data-report','ready');})();\n";

static void base64(const unsigned char *in, size_t len, char *out)
{
  static const char t[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for(size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if(i + 1 < len)
      v |= (uint32_t)in[i + 1] << 8;
    if(i + 2 < len)
      v |= in[i + 2];
    out[o++] = t[v >> 18 & 63];
    out[o++] = t[v >> 12 & 63];
    out[o++] = i + 1 < len ? t[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? t[v & 63] : '=';
  }
  out[o] = '\0';
}

/* "'sha256-...'" of text, as a Content-Security-Policy source. */
static void csp_hash(const char *text, char out[64])
{
  ys_sha256 *h = ys_sha256_new();
  ys_sha256_update(h, text, strlen(text));
  char hex[65];
  ys_sha256_final(h, hex);
  unsigned char raw[32];
  for(int i = 0; i < 32; i++) {
    unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0'
                                               : hex[2 * i] - 'a' + 10);
    unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0'
                                                   : hex[2 * i + 1] - 'a' +
                                                     10);
    raw[i] = (unsigned char)(hi << 4 | lo);
  }
  base64(raw, 32, out);
}

/* }====== */

/* {====== header, summary and gates ====== */

static void head(const ys_results *r, FILE *f)
{
  char sh[64], jh[64];
  csp_hash(css, sh);
  csp_hash(js, jh);
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8"
        "\">\n<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n", f);
  /* Nothing may load: no network, no other file; only this page's own
   * style and script run, so injected markup could do nothing. */
  fprintf(f, "<meta http-equiv=\"Content-Security-Policy\" content=\""
          "default-src 'none'; style-src 'sha256-%s'; script-src "
          "'sha256-%s'; base-uri 'none'; form-action 'none'\">\n", sh, jh);
  fputs("<title>", f);
  ys_report_xml(f, ys_report_str(r->summary, "suite", "yardstick"), 0);
  fputs(" \xE2\x80\x94 yardstick report</title>\n<style>", f);
  fputs(css, f);
  fputs("</style>\n</head>\n<body>\n", f);
}

static void badge(const ys_results *r, FILE *f)
{
  const char *st = ys_report_status(r);
  size_t failed = ys_report_verdicts_failed(r);
  if(strcmp(st, "complete")) {
    fputs("<span class=\"badge warn\">", f);
    ys_report_xml(f, st, 0);
    fputs("</span>", f);
  }
  else if(failed)
    fprintf(f, "<span class=\"badge fail\">%zu gate%s failed</span>", failed,
            failed == 1 ? "" : "s");
  else
    fputs("<span class=\"badge pass\">pass</span>", f);
}

static void intro(const ys_results *r, FILE *f)
{
  fputs("<header>\n<h1>", f);
  ys_report_xml(f, ys_report_str(r->summary, "suite", "yardstick"), 0);
  fputs(" ", f);
  badge(r, f);
  fputs("</h1>\n", f);
  const char *desc = ys_report_str(r->summary, "description", NULL);
  if(desc) {
    fputs("<p>", f);
    ys_report_xml(f, desc, 0);
    fputs("</p>\n", f);
  }
  double samples = ys_report_num(r->summary, "samples");
  fprintf(f, "<p class=\"muted\">%.0f sample%s \xC3\x97 %zu model%s "
          "\xC2\xB7 run ", samples, samples == 1 ? "" : "s", r->nmodels,
          r->nmodels == 1 ? "" : "s");
  ys_report_xml(f, ys_report_str(r->summary, "run_id", ""), 0);
  fputs(" \xC2\xB7 started ", f);
  ys_report_xml(f, ys_report_str(r->manifest, "started_at", "?"), 0);
  double errs = ys_report_num(r->summary, "tasks_with_errors");
  double tasks = ys_report_num(r->summary, "tasks");
  if(!isnan(errs) && !isnan(tasks))
    fprintf(f, " \xC2\xB7 %.0f of %.0f tasks with errors", errs, tasks);
  fputs("</p>\n", f);
  if(strcmp(ys_report_status(r), "complete")) {
    fputs("<p class=\"banner\">The run did not complete (status ", f);
    ys_report_xml(f, ys_report_status(r), 0);
    fprintf(f, "): more tasks had errors than max_error_rate = %g allows, "
            "no score was produced, or it was stopped. Figures cover the "
            "tasks that finished.</p>\n",
            isnan(ys_report_num(r->summary, "max_error_rate")) ? 0
            : ys_report_num(r->summary, "max_error_rate"));
  }
  fputs("</header>\n", f);
}

static void value_cell(FILE *f, const cJSON *entry)
{
  char v[48], lo[48], hi[48];
  double a, b, x = ys_report_num(entry, "value");
  ys_report_fmt(x, v, sizeof(v));
  fprintf(f, "<td class=\"num\">%s", v);
  if(!isnan(x) && ys_report_ci(entry, &a, &b)) {
    ys_report_fmt(a, lo, sizeof(lo));
    ys_report_fmt(b, hi, sizeof(hi));
    fprintf(f, "<br><span class=\"ci\">[%s, %s]</span>", lo, hi);
  }
  fputs("</td>", f);
}

static void num_cell(FILE *f, double v, const char *fmt_missing, int prec)
{
  if(isnan(v))
    fprintf(f, "<td class=\"num\">%s</td>", fmt_missing);
  else
    fprintf(f, "<td class=\"num\">%.*f</td>", prec, v);
}

static void model_row(const ys_results *r, FILE *f, size_t m)
{
  const cJSON *me = ys_report_model(r, m);
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(me, "usage");
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(me, "latency_ms");
  fprintf(f, "<tr><td><span class=\"legend\"><span><i class=\"c%zu\"></i>",
          m % YS_CHART_COLORS);
  ys_report_xml(f, r->models[m], 0);
  fputs("</span></span></td>", f);
  for(size_t k = 0; k < r->nkeys; k++)
    value_cell(f, ys_report_entry(r, m, k));
  double errs = ys_report_num(me, "errors") + ys_report_num(me,
                                                            "score_errors");
  double cost = ys_report_num(u, "cost");
  num_cell(f, errs, "-", 0);
  num_cell(f, cost > 0 ? cost : NAN, "-", 4);
  num_cell(f, cost > 0 ? ys_report_num(u, "cost_per_1k_samples") : NAN, "-",
           4);
  num_cell(f, ys_report_num(lat, "p50"), "-", 1);
  num_cell(f, ys_report_num(lat, "p95"), "-", 1);
  fputs("</tr>\n", f);
}

static void baseline_rows(const ys_results *r, FILE *f)
{
  const cJSON *bs = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                     "baselines");
  for(const cJSON *b = cJSON_IsArray(bs) ? bs->child : NULL; b;
      b = b->next) {
    fputs("<tr class=\"base\"><td>", f);
    ys_report_xml(f, ys_report_str(b, "name", "?"), 0);
    fputs(" (baseline)</td>", f);
    for(size_t k = 0; k < r->nkeys; k++) {
      char v[48] = "";
      if(!strcmp(ys_report_str(b, "metric", ""), r->keys[k]))
        ys_report_fmt(ys_report_num(b, "value"), v, sizeof(v));
      fprintf(f, "<td class=\"num\">%s</td>", v);
    }
    fputs("<td></td><td></td><td></td><td></td><td></td></tr>\n", f);
  }
}

static void summary_table(const ys_results *r, FILE *f)
{
  fputs("<h2>Summary</h2>\n<div class=\"scroll\"><table>\n<thead><tr>"
        "<th>model</th>", f);
  for(size_t k = 0; k < r->nkeys; k++) {
    fputs("<th>", f);
    ys_report_xml(f, r->keys[k], 0);
    fputs("</th>", f);
  }
  fputs("<th>errors</th><th>cost $</th><th>$ per 1k samples</th>"
        "<th>p50 ms</th><th>p95 ms</th></tr></thead>\n<tbody>\n", f);
  for(size_t m = 0; m < r->nmodels; m++)
    model_row(r, f, m);
  baseline_rows(r, f);
  fputs("</tbody></table></div>\n<p class=\"muted\">Values with their 95% "
        "interval. errors: tasks that failed or where a metric failed; "
        "latency: time in the model's calls per successful task.</p>\n", f);
}

static void gates(const ys_results *r, FILE *f)
{
  const cJSON *gs = ys_report_verdicts(r);
  fputs("<h2>Gates</h2>\n", f);
  if(!cJSON_GetArraySize(gs)) {
    fputs("<p class=\"muted\">The suite has no gates.</p>\n", f);
    return;
  }
  fputs("<ul class=\"gates\">\n", f);
  for(const cJSON *g = gs->child; g; g = g->next) {
    int pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "pass"));
    char *line = ys_gate_describe(g);
    fputs(pass ? "<li><span class=\"badge pass\">PASS</span> "
          : "<li><span class=\"badge fail\">FAIL</span> ", f);
    ys_report_xml(f, line, 0);
    fputs("</li>\n", f);
    free(line);
  }
  fputs("</ul>\n", f);
}

/* }====== */

/* {====== charts ====== */

static void legend(const ys_results *r, FILE *f)
{
  fputs("<div class=\"legend\">", f);
  for(size_t m = 0; m < r->nmodels; m++) {
    fprintf(f, "<span><i class=\"c%zu\"></i>", m % YS_CHART_COLORS);
    ys_report_xml(f, r->models[m], 0);
    fputs("</span>", f);
  }
  fputs("</div>\n", f);
}

/* The key the cost chart shows first: the first gated metric, else the
 * first baseline's, else the first key. */
static size_t primary_key(const ys_results *r)
{
  const cJSON *gs = ys_report_verdicts(r);
  for(const cJSON *g = gs ? gs->child : NULL; g; g = g->next) {
    long k = ys_results_key(r, ys_report_str(g, "metric", ""));
    if(k >= 0)
      return (size_t)k;
  }
  const cJSON *bs = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                     "baselines");
  for(const cJSON *b = cJSON_IsArray(bs) ? bs->child : NULL; b; b = b->next)
  {
    long k = ys_results_key(r, ys_report_str(b, "metric", ""));
    if(k >= 0)
      return (size_t)k;
  }
  return 0;
}

static void scatter(const ys_results *r, FILE *f)
{
  size_t p = primary_key(r);
  fputs("<h3>Cost and quality <label class=\"muted\">metric: <select "
        "id=\"scatter-key\">", f);
  for(size_t k = 0; k < r->nkeys; k++) {
    fputs("<option value=\"", f);
    ys_report_xml(f, r->keys[k], 1);
    fprintf(f, "\"%s>", k == p ? " selected" : "");
    ys_report_xml(f, r->keys[k], 0);
    fputs("</option>", f);
  }
  fputs("</select></label></h3>\n", f);
  for(size_t k = 0; k < r->nkeys; k++) {
    fputs("<div class=\"scatter\" data-key=\"", f);
    ys_report_xml(f, r->keys[k], 1);
    fprintf(f, "\"%s>\n", k == p ? "" : " hidden");
    ys_chart_scatter(f, r, k);
    fputs("</div>\n", f);
  }
}

static void charts(const ys_results *r, FILE *f)
{
  size_t ng;
  ys_report_group *g = ys_report_groups(r, &ng);
  fputs("<h2>Charts</h2>\n", f);
  legend(r, f);
  fputs("<h3>Scores by model</h3>\n<p class=\"muted\">Bars: the value; "
        "whiskers: its 95% interval; dashed red: a baseline.</p>\n"
        "<div class=\"grid\">\n", f);
  for(size_t k = 0; k < r->nkeys && k < BARS_MAX; k++)
    ys_chart_bars(f, r, k);
  fputs("</div>\n", f);
  if(r->nkeys > BARS_MAX)
    fprintf(f, "<p class=\"muted\">%zu more keys are in the summary table."
            "</p>\n", r->nkeys - BARS_MAX);
  fputs("<div class=\"grid\">\n", f);
  for(size_t i = 0; i < ng; i++)
    if(g[i].levels) {
      fputs("<figure><h3>By level: ", f);
      ys_report_xml(f, g[i].name, 0);
      fputs("</h3>\n", f);
      ys_chart_levels(f, r, &g[i]);
      fputs("</figure>\n", f);
    }
  for(size_t i = 0; i < ng; i++)
    if(!g[i].levels && g[i].n > 1) {
      fputs("<figure class=\"scroll\"><h3>Per key: ", f);
      ys_report_xml(f, g[i].name, 0);
      fputs("</h3>\n", f);
      ys_chart_heatmap(f, r, &g[i]);
      fputs("</figure>\n", f);
    }
  if(r->nkeys) {
    fputs("<figure>", f);
    scatter(r, f);
    fputs("</figure>\n", f);
  }
  fputs("</div>\n<h3>Latency</h3>\n<div class=\"scroll\">", f);
  ys_chart_latency(f, r);
  fputs("</div>\n", f);
  ys_report_groups_free(g, ng);
}

/* }====== */

/* {====== samples ====== */

typedef struct row_info {
  size_t task;
  int differs, error;
} row_info;

/* Whether the models' scores on key k differ for task t (among models
 * with a score). */
static int differs_on(const ys_results *r, size_t t, size_t k)
{
  double first = NAN;
  for(size_t m = 0; m < r->nmodels; m++) {
    double v = ys_results_column(r, m, k)[t];
    if(isnan(v))
      continue;
    if(isnan(first))
      first = v;
    else if(v != first)
      return 1;
  }
  return 0;
}

static row_info info(const ys_results *r, size_t t)
{
  row_info ri = { t, 0, 0 };
  for(size_t k = 0; k < r->nkeys && !ri.differs; k++)
    ri.differs = differs_on(r, t, k);
  for(size_t m = 0; m < r->nmodels; m++)
    if(!r->present[m * r->ntasks + t] || r->tasks[m * r->ntasks + t].error)
      ri.error = 1;
  return ri;
}

/* Short names of keys: the sub-key alone for metrics with several. */
static const char **short_names(const ys_results *r)
{
  size_t ng;
  ys_report_group *g = ys_report_groups(r, &ng);
  const char **s = ys_xcalloc(r->nkeys + 1, sizeof(char *));
  for(size_t i = 0; i < ng; i++)
    for(size_t j = 0; j < g[i].n; j++)
      s[g[i].keys[j]] = g[i].n > 1 ? g[i].sub[j] : r->keys[g[i].keys[j]];
  ys_report_groups_free(g, ng);
  return s;
}

static void differs_cell(const ys_results *r, FILE *f, size_t t,
                         const char **names)
{
  size_t shown = 0, more = 0;
  fputs("<td>", f);
  for(size_t k = 0; k < r->nkeys; k++) {
    if(!differs_on(r, t, k))
      continue;
    if(shown == 4) {
      more++;
      continue;
    }
    fputs(shown++ ? ", " : "", f);
    ys_report_xml(f, names[k], 0);
  }
  if(more)
    fprintf(f, " +%zu more", more);
  fputs("</td>", f);
}

static void model_cell(const ys_results *r, FILE *f, size_t m, size_t t,
                       const char **names)
{
  size_t cell = m * r->ntasks + t;
  const ys_task_result *tr = &r->tasks[cell];
  fputs("<td>", f);
  if(!r->present[cell]) {
    fputs("<span class=\"muted\">no task</span></td>", f);
    return;
  }
  if(tr->error) {
    fputs("<div class=\"err\">error: ", f);
    ys_report_xml(f, tr->error, 0);
    fputs("</div>", f);
  }
  else if(tr->output) {
    size_t n = ys_report_cut(tr->output, OUTPUT_SHOWN);
    fputs("<div class=\"out\">", f);
    ys_report_xml_n(f, tr->output, n, 0);
    if(tr->output[n])
      fputs("\xE2\x80\xA6", f);
    fputs("</div>", f);
  }
  if(tr->error) {
    fputs("</td>", f);
    return;
  }
  fputs("<div class=\"sc\">", f);
  size_t shown = 0;
  for(size_t k = 0; k < r->nkeys; k++) {
    int d = differs_on(r, t, k);
    if(r->nkeys > 6 && !d)
      continue;
    double v = ys_results_column(r, m, k)[t];
    fputs(shown++ ? " \xC2\xB7 " : "", f);
    fputs(d ? "<b>" : "", f);
    ys_report_xml(f, names[k], 0);
    if(isnan(v))
      fputs(" -", f);
    else
      fprintf(f, " %.3g", v);
    fputs(d ? "</b>" : "", f);
  }
  fputs("</div></td>", f);
}

static void sample_row(const ys_results *r, FILE *f, const row_info *ri,
                       const char **names)
{
  size_t t = ri->task;
  fprintf(f, "<tr data-d=\"%d\" data-e=\"%d\"><td>", ri->differs,
          ri->error);
  ys_report_xml(f, r->task_ids[t], 0);
  if(r->task_repeat[t] > 1)
    fprintf(f, " <span class=\"muted\">#%d</span>", r->task_repeat[t]);
  fputs("</td>", f);
  differs_cell(r, f, t, names);
  for(size_t m = 0; m < r->nmodels; m++)
    model_cell(r, f, m, t, names);
  fputs("</tr>\n", f);
}

static void samples(const ys_results *r, FILE *f)
{
  row_info *rows = ys_xcalloc(r->ntasks + 1, sizeof(row_info));
  size_t n = 0, ndiff = 0, nerr = 0;
  /* Disagreements first, then the rest, each in dataset order. */
  for(int pass = 1; pass >= 0; pass--)
    for(size_t t = 0; t < r->ntasks; t++) {
      row_info ri = info(r, t);
      if(ri.differs == pass)
        rows[n++] = ri;
      ndiff += pass && ri.differs;
      nerr += pass && ri.error;
    }
  const char **names = short_names(r);
  fprintf(f, "<h2>Samples</h2>\n<p class=\"muted\">%zu task%s; models' "
          "scores differ on %zu, %zu had an error. Disagreements come "
          "first.</p>\n", r->ntasks, r->ntasks == 1 ? "" : "s", ndiff, nerr);
  fputs("<div class=\"filters\"><input type=\"search\" id=\"q\" "
        "placeholder=\"filter by id, output or error\" aria-label=\"filter"
        "\"><select id=\"show\" aria-label=\"rows\"><option value=\"all\">"
        "all rows</option><option value=\"d\">disagreements</option>"
        "<option value=\"e\">errors</option></select><span id=\"count\" "
        "class=\"muted\"></span></div>\n", f);
  fputs("<div class=\"scroll\"><table id=\"samples\">\n<thead><tr><th>"
        "sample</th><th>differs on</th>", f);
  for(size_t m = 0; m < r->nmodels; m++) {
    fputs("<th>", f);
    ys_report_xml(f, r->models[m], 0);
    fputs("</th>", f);
  }
  fputs("</tr></thead>\n<tbody>\n", f);
  for(size_t i = 0; i < n && i < ROWS_MAX; i++)
    sample_row(r, f, &rows[i], names);
  fputs("</tbody></table></div>\n", f);
  if(n > ROWS_MAX)
    fprintf(f, "<p class=\"muted\">%zu more tasks are left out: the table "
            "shows %d. All of them are in samples.jsonl (or "
            "<code>yardstick report --format csv</code>).</p>\n",
            n - ROWS_MAX, ROWS_MAX);
  free(names);
  free(rows);
}

/* }====== */

static void footer(const ys_results *r, FILE *f)
{
  const cJSON *suite = cJSON_GetObjectItemCaseSensitive(r->manifest,
                                                        "suite");
  const cJSON *ds = cJSON_GetObjectItemCaseSensitive(r->manifest,
                                                     "dataset");
  fputs("<footer>yardstick ", f);
  ys_report_xml(f, ys_report_str(r->manifest, "yardstick", "?"), 0);
  fputs(" \xC2\xB7 suite ", f);
  ys_report_xml(f, ys_report_str(suite, "path", "?"), 0);
  fputs(" (sha256 ", f);
  ys_report_xml(f, ys_report_str(suite, "sha256", "?"), 0);
  fputs(") \xC2\xB7 dataset ", f);
  ys_report_xml(f, ys_report_str(ds, "path", "?"), 0);
  fputs(" \xC2\xB7 ", f);
  ys_report_xml(f, ys_report_str(r->manifest, "started_at", "?"), 0);
  fputs(" to ", f);
  ys_report_xml(f, ys_report_str(r->manifest, "ended_at", "?"), 0);
  fputs(" \xC2\xB7 run directory ", f);
  ys_report_xml(f, ys_results_dir(r), 0);
  fputs("</footer>\n", f);
}

static ys_err write_html(const ys_results *r, FILE *f, ys_diag *diag)
{
  (void)diag;
  head(r, f);
  intro(r, f);
  summary_table(r, f);
  gates(r, f);
  charts(r, f);
  samples(r, f);
  footer(r, f);
  fprintf(f, "<script>%s</script>\n</body>\n</html>\n", js);
  return YS_OK;
}

const ys_report_ops ys_report_html_ops = { "html", write_html };
