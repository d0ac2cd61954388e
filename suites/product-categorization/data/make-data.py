#!/usr/bin/env python3
"""Build the product-categorization example data for yardstick.

PROVENANCE ONLY: this script documents how train.jsonl, eval.jsonl and
categories.txt were made. The yardstick build never runs it; the generated
files are committed as they are.

Usage:
    python3 make-data.py path/to/flipkart_levels.tsv path/to/output-dir

Input: flipkart_levels.tsv, a tab-separated file with a header row
(uniq_id, product_name, level1, level2, level3, depth, full_path), no quoting,
derived from the PromptCloud "Flipkart Products" dataset (CC BY-SA 4.0,
attribution: PromptCloud / Flipkart.com data).

What it does (deterministic, Python 3 standard library only):
  1. Reads every data row. Whitespace in the title and in each level is
     collapsed to single spaces and trimmed.
  2. Drops every row whose uniq_id occurs more than once in the input (all
     copies are dropped, none is kept), and every row whose title, level1,
     level2 or level3 is empty.
  3. Stratifies by level1 root: within each root the rows are ordered by
     sha1(uniq_id) (hex digest, ties broken by uniq_id) and the first CAP rows
     are kept (all of them if the root has fewer), so no root dominates.
  4. Splits each root's kept rows about 1:3 into eval and train: the rows are
     ordered by (level2, level3, sha1(uniq_id)) and every EVAL_EVERY-th row
     (positions 0, 4, 8, ...) goes to eval, the rest to train. This stratifies
     by level1 and spreads each level-3 category proportionally over both
     files; every root with >= 2 kept rows appears in both.
  5. Writes, in the output directory:
       train.jsonl, eval.jsonl  one JSON object per line, keys in the order
                                "id" (uniq_id), "title", "category"
                                ("level1 > level2 > level3"); lines are ordered
                                by sha1(uniq_id), so any prefix is a mixed sample
       categories.txt           sorted, de-duplicated category paths occurring
                                in train.jsonl or eval.jsonl, one per line
     All files are UTF-8 without BOM, with "\\n" line endings.
"""

import hashlib
import json
import os
import sys
from collections import Counter, defaultdict

CAP = 150          # at most this many rows per level1 root (eval + train)
EVAL_EVERY = 4     # every 4th row of a root goes to eval (~25 %)
SEP = " > "
HEADER = ["uniq_id", "product_name", "level1", "level2", "level3",
          "depth", "full_path"]


def squash(s):
    return " ".join(s.split())


def sha1(s):
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = [ln.rstrip("\r\n") for ln in f]
    if not lines or lines[0].split("\t") != HEADER:
        sys.exit("%s: unexpected header %r" % (path, lines[:1]))
    rows = []
    for n, ln in enumerate(lines[1:], start=2):
        if ln == "":
            continue
        f = ln.split("\t")
        if len(f) != len(HEADER):
            sys.exit("%s:%d: expected %d fields, got %d"
                     % (path, n, len(HEADER), len(f)))
        rows.append({"id": f[0].strip(), "title": squash(f[1]),
                     "levels": [squash(x) for x in f[2:5]]})
    return rows


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for ln in lines:
            f.write(ln + "\n")


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: %s FLIPKART_LEVELS_TSV OUTPUT_DIR" % argv[0])
    src, outdir = argv[1], argv[2]
    rows = read_rows(src)

    id_count = Counter(r["id"] for r in rows)
    rows = [r for r in rows
            if r["id"] and id_count[r["id"]] == 1
            and r["title"] and all(r["levels"])]

    by_root = defaultdict(list)
    for r in rows:
        r["key"] = sha1(r["id"])
        by_root[r["levels"][0]].append(r)

    train, evl = [], []
    for root in sorted(by_root):
        pool = sorted(by_root[root], key=lambda r: (r["key"], r["id"]))[:CAP]
        pool.sort(key=lambda r: (r["levels"][1], r["levels"][2],
                                 r["key"], r["id"]))
        for i, r in enumerate(pool):
            (evl if i % EVAL_EVERY == 0 else train).append(r)

    def jsonl(rs):
        rs = sorted(rs, key=lambda r: (r["key"], r["id"]))
        return [json.dumps({"id": r["id"], "title": r["title"],
                            "category": SEP.join(r["levels"])},
                           ensure_ascii=False, separators=(", ", ": "))
                for r in rs]

    os.makedirs(outdir, exist_ok=True)
    write_lines(os.path.join(outdir, "train.jsonl"), jsonl(train))
    write_lines(os.path.join(outdir, "eval.jsonl"), jsonl(evl))
    cats = sorted({SEP.join(r["levels"]) for r in train + evl})
    write_lines(os.path.join(outdir, "categories.txt"), cats)
    sys.stderr.write("train %d, eval %d, categories %d\n"
                     % (len(train), len(evl), len(cats)))


if __name__ == "__main__":
    main(sys.argv)
