#!/usr/bin/env python3
"""Build suites/judge-agreement/data/eval.jsonl for yardstick.

PROVENANCE ONLY: the yardstick build never runs this script; its output is
committed as it is.

Usage (from this directory):
    python3 make-data.py MTS_DIALOG_DIR [AUTOMATIC_SUMMARIES_CSV]

Inputs:
  MTS_DIR/MTS-Dialog-ValidationSet.csv                  the 100 dialogues and
                                                        the clinicians' note
                                                        sections (references)
  MTS_DIR/MTS-Dialog-Manual-Scores4CorrelationStudy.csv the human fact-based
                                                        scores of 400 automatic
                                                        summaries
  automatic-summaries.tsv (here)                        those 400 summaries:
                                                        system (1-4), dialogue
                                                        ID, summary text
  AUTOMATIC_SUMMARIES_CSV (optional)                    upstream's
      Correlation-Study/MTS-Dialog-Automatic-Summaries-ValidationSet.csv
      (columns ID, Dialogue, Reference Summary, Automatic Summary; 400 rows,
      four systems one after the other, each over the 100 validation
      dialogues in ID order). When given, automatic-summaries.tsv is first
      rewritten from it: system = row // 100 + 1, ID, and the automatic
      summary with its line breaks and tabs turned into spaces.

Row k of the scores file scores row k of automatic-summaries.tsv.

Output: eval.jsonl, one line per summary:
  id            "s<system>-<ID, 2 digits>", e.g. "s3-07"
  system        1-4, the summarization system
  section       the note section the dialogue was written for (CC, GENHX ...)
  reference     the clinician's note section (the dialogue itself is left
                out: the humans scored the summary's facts against this
                reference, and so does the judge)
  summary       the system's note section
  human_f1, human_precision, human_recall, human_hallucination_rate,
  human_omission_rate
                the humans' fact-based scores (0-1), as published
  human_rating  the human factual F1 on the judge's 1-5 scale:
                1 + floor(4 x F1 + 0.5), so F1 1 -> 5, 0.75 -> 4,
                0.5 -> 3, 0.25 -> 2, 0 -> 1
Deterministic, Python 3 standard library only.
"""

import csv
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write_summaries(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 400:
        sys.exit("%s: expected 400 rows, got %d" % (path, len(rows)))
    out = ["system\tid\tautomatic_summary"]
    for k, r in enumerate(rows):
        if int(r["ID"]) != k % 100:
            sys.exit("%s: row %d has ID %s, expected %d"
                     % (path, k + 2, r["ID"], k % 100))
        text = " ".join(r["Automatic Summary"].split("\n"))
        out.append("%d\t%d\t%s" % (k // 100 + 1, k % 100,
                                   text.replace("\t", " ")))
    with open(os.path.join(HERE, "automatic-summaries.tsv"), "w",
              encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit("usage: %s MTS_DIALOG_DIR [AUTOMATIC_SUMMARIES_CSV]"
                 % argv[0])
    src = argv[1]
    if len(argv) == 3:
        write_summaries(argv[2])
    with open(os.path.join(src, "MTS-Dialog-ValidationSet.csv"),
              encoding="utf-8-sig", newline="") as f:
        val = {int(r["ID"]): r for r in csv.DictReader(f)}
    with open(os.path.join(src,
                           "MTS-Dialog-Manual-Scores4CorrelationStudy.csv"),
              encoding="utf-8-sig", newline="") as f:
        scores = list(csv.DictReader(f))
    with open(os.path.join(HERE, "automatic-summaries.tsv"),
              encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines[0] != "system\tid\tautomatic_summary" or lines[-1] != "":
        sys.exit("automatic-summaries.tsv: unexpected header or ending")
    rows = [ln.split("\t") for ln in lines[1:-1]]
    if len(rows) != len(scores) or len(rows) != 400:
        sys.exit("expected 400 summaries and 400 scores, got %d and %d"
                 % (len(rows), len(scores)))
    out = []
    for k, (system, ident, summary) in enumerate(rows):
        system, ident = int(system), int(ident)
        if system != k // 100 + 1 or ident != k % 100:
            sys.exit("automatic-summaries.tsv: row %d is system %d ID %d, "
                     "expected system %d ID %d"
                     % (k + 2, system, ident, k // 100 + 1, k % 100))
        s, d = scores[k], val[ident]
        f1 = float(s["FactualF1"])
        out.append(json.dumps({
            "id": "s%d-%02d" % (system, ident),
            "system": system,
            "section": d["section_header"],
            "reference": d["section_text"].strip(),
            "summary": summary,
            "human_f1": f1,
            "human_precision": float(s["FactualPrecision"]),
            "human_recall": float(s["FactualRecall"]),
            "human_hallucination_rate": float(s["HallucinationRate"]),
            "human_omission_rate": float(s["OmissionRate"]),
            "human_rating": 1 + math.floor(4 * f1 + 0.5),
        }, ensure_ascii=False, separators=(", ", ": ")))
    with open(os.path.join(HERE, "eval.jsonl"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write("\n".join(out) + "\n")
    sys.stderr.write("%d rows\n" % len(out))


if __name__ == "__main__":
    main(sys.argv)
