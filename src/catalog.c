/* SPDX-License-Identifier: MIT */
/*
 * catalog.c: what plugins are installed, for `yardstick metrics`. Walks the
 * plugin roots in search order; the first file of a name wins, as it does
 * when a suite asks for it. Uses suite (roots), metric, cJSON.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metric.h"
#include "suite.h"
#include "xalloc.h"

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names (without .lua) of the Lua files in dir. */
static char **lua_files(const char *dir, size_t *n)
{
  *n = 0;
  char **names = NULL;
  DIR *d = opendir(dir);
  if(!d)
    return NULL;
  struct dirent *e;
  while((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if(len < 5 || strcmp(e->d_name + len - 4, ".lua") || e->d_name[0] == '.')
      continue;
    names = ys_xrealloc(names, (*n + 1) * sizeof(char *));
    names[(*n)++] = ys_xstrndup(e->d_name, len - 4);
  }
  closedir(d);
  if(*n)
    qsort(names, *n, sizeof(char *), cmp_str);
  return names;
}

static void text_entry(ys_buf *b, const cJSON *m)
{
  const cJSON *err = cJSON_GetObjectItemCaseSensitive(m, "error");
  const char *name = cJSON_GetObjectItemCaseSensitive(m, "name")->valuestring;
  const char *file = cJSON_GetObjectItemCaseSensitive(m, "file")->valuestring;
  ys_err e = ys_buf_addf(b, "%s  (%s)\n", name, file);
  if(!e && err)
    e = ys_buf_addf(b, "  cannot load: %s\n\n", err->valuestring);
  if(e || err)
    return;
  const cJSON *desc = cJSON_GetObjectItemCaseSensitive(m, "description");
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(m, "kind");
  e = ys_buf_addf(b, "  %s [%s]\n", desc->valuestring, kind->valuestring);
  const cJSON *ps = cJSON_GetObjectItemCaseSensitive(m, "params");
  for(const cJSON *p = ps ? ps->child : NULL; p && !e; p = p->next) {
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
    char *deftext = def ? cJSON_PrintUnformatted(def) : NULL;
    int required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p,
                                                                 "required"));
    e = ys_buf_addf(b, "  %-20s %-8s %s%s%s",
                    cJSON_GetObjectItemCaseSensitive(p, "name")->valuestring,
                    cJSON_GetObjectItemCaseSensitive(p, "type")->valuestring,
                    cJSON_GetObjectItemCaseSensitive(p, "doc")->valuestring,
                    deftext ? " (default " : required ? " (required"
                                                      : " (optional",
                    deftext ? deftext : "");
    if(!e)
      e = ys_buf_adds(b, ")\n");
    free(deftext);
  }
  if(!e)
    e = ys_buf_addc(b, '\n');
}

char *ys_metrics_list(const char *search_path, int json, ys_diag *diag)
{
  ys_diag_clear(diag);
  size_t nroots;
  char **roots = ys_suite_roots(NULL, search_path, &nroots);
  cJSON *all = cJSON_CreateArray();
  for(size_t i = 0; i < nroots; i++) {
    char *dir = ys_xasprintf("%s/metrics", roots[i]);
    size_t n;
    char **names = lua_files(dir, &n);
    for(size_t k = 0; k < n; k++) {
      int seen = 0;
      for(const cJSON *c = all->child; c && !seen; c = c->next)
        seen = !strcmp(cJSON_GetObjectItemCaseSensitive(c, "name")
                       ->valuestring, names[k]);
      char *path = ys_xasprintf("%s/%s.lua", dir, names[k]);
      if(!seen) {
        ys_metric *m = NULL;
        ys_diag d;
        cJSON *o;
        if(ys_metric_load(path, path, NULL, NULL, &m, &d) == YS_OK) {
          o = ys_metric_describe(m);
          /* The file's name is what suites use; say so if it differs. */
          cJSON_ReplaceItemInObjectCaseSensitive(o, "name",
                                                 cJSON_CreateString(names[k]));
        }
        else {
          o = cJSON_CreateObject();
          cJSON_AddStringToObject(o, "name", names[k]);
          cJSON_AddStringToObject(o, "error", d.msg);
        }
        cJSON_AddStringToObject(o, "file", path);
        cJSON_AddItemToArray(all, o);
        ys_metric_free(m);
      }
      free(path);
      free(names[k]);
    }
    free(names);
    free(dir);
  }
  ys_suite_free_roots(roots, nroots);
  char *out;
  if(json) {
    out = cJSON_Print(all);
  }
  else {
    ys_buf b;
    ys_buf_init(&b, (size_t)64 << 20);
    if(!all->child && ys_buf_adds(&b, "no metrics found\n"))
      ys_buf_free(&b);
    for(const cJSON *m = all->child; m; m = m->next)
      text_entry(&b, m);
    out = ys_buf_take(&b, NULL);
  }
  cJSON_Delete(all);
  if(!out)
    ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory");
  return out;
}
