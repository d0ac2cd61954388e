#!/usr/bin/env python3
"""Build suites/patient-intake/data/eval.jsonl for yardstick from ACI-Bench.

PROVENANCE ONLY: the yardstick build never runs this script; its output is
committed as it is.

Usage (from this directory):
    python3 make-data.py path/to/aci_bench

Inputs (ACI-Bench's data/challenge_data/, CC BY 4.0): for each split that
is not training data (valid, clinicalnlp_taskB_test1,
clinicalnlp_taskC_test2, clef_taskC_test3), SPLIT.csv (encounter_id,
dialogue, ...) and SPLIT_metadata.csv (encounter_id, patient_firstname,
patient_familyname, patient_age, patient_gender, cc, 2nd_complaints ...).

Selection: per collection mode ("dataset": virtassist, virtscribe, aci),
the first PER_MODE encounters in encounter_id order: 30 in all.

Output: eval.jsonl, one line per encounter, keys in this order:
  id          the encounter_id ("D2N068")
  mode        the collection mode
  split       the ACI-Bench split it comes from
  transcript  the visit dialogue as published ("[doctor] ..." lines)
  patient     the patient's facts from the metadata, cleaned: first_name,
              last_name (title case), age (whole years), gender ("female"
              or "male"), chief_complaint, secondary_complaints (a list);
              null (or []) where the metadata has no usable value
  gold        the intake record a reader of the transcript can fill: the
              same as patient, except that first_name, last_name and age
              are null unless the transcript states them (see below)

Cleaning: values are stripped and blanks collapsed. Names must be
letters (a hyphen or apostrophe allowed), else null. Ages like "61.0"
become 61; ages in months ("22-month") become null, as the record holds
years. Gender is kept when it is "female" or "male". The chief complaint
is lower-cased. Secondary complaints are the ";"-separated items of
2nd_complaints, lower-cased, without empty items and "none".

"The transcript states it": a name when it occurs in the transcript as a
whole word, ignoring case; an age when the transcript has the number
followed by "year old" / "years old" / "-year-old" (blanks and hyphens
between allowed) or "years of age", or "age" followed by the number.
Gender, the chief complaint and the secondary complaints are kept as the
metadata has them: the transcripts convey them (pronouns, the
conversation's subject), though not always in these words.

Deterministic, Python 3 standard library only.
"""

import csv
import json
import os
import re
import sys

SPLITS = ["valid", "clinicalnlp_taskB_test1", "clinicalnlp_taskC_test2",
          "clef_taskC_test3"]
MODES = ["virtassist", "virtscribe", "aci"]
PER_MODE = 10
HERE = os.path.dirname(os.path.abspath(__file__))
NAME = re.compile(r"^[A-Za-z][A-Za-z'-]*$")


def clean(s):
    return " ".join((s or "").split())


def name(s):
    s = clean(s)
    if not NAME.match(s):
        return None
    return "-".join(p[:1].upper() + p[1:].lower() for p in s.split("-"))


def age(s):
    m = re.match(r"^(\d{1,3})(\.0)?$", clean(s))
    return int(m.group(1)) if m else None


def stated_name(n, text):
    return n is not None and re.search(r"\b%s\b" % re.escape(n.lower()),
                                       text) is not None


def stated_age(a, text):
    if a is None:
        return False
    n = r"\b%d" % a
    return re.search(n + r"\s*-?\s*years?\s*-?\s*old\b|" + n
                     + r"\s+years\s+of\s+age\b|\bage\s+(?:of\s+)?%d\b" % a,
                     text) is not None


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: %s ACI_BENCH_DIR" % argv[0])
    rows = []
    for split in SPLITS:
        with open(os.path.join(argv[1], split + "_metadata.csv"),
                  encoding="utf-8-sig", newline="") as f:
            meta = {r["encounter_id"]: r for r in csv.DictReader(f)}
        with open(os.path.join(argv[1], split + ".csv"),
                  encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                m = meta[r["encounter_id"]]
                if m["dataset"] != r["dataset"]:
                    sys.exit("%s: %s: the two files disagree on the mode"
                             % (split, r["encounter_id"]))
                rows.append((r["encounter_id"], r["dataset"], split,
                             r["dialogue"], m))
    rows.sort(key=lambda x: x[0])
    out = []
    for mode in MODES:
        picked = [x for x in rows if x[1] == mode][:PER_MODE]
        if len(picked) < PER_MODE:
            sys.exit("only %d encounters of mode %s" % (len(picked), mode))
        for ident, _, split, dialogue, m in picked:
            gender = clean(m["patient_gender"]).lower()
            second = [clean(x).lower() for x in m["2nd_complaints"].split(";")]
            patient = {
                "first_name": name(m["patient_firstname"]),
                "last_name": name(m["patient_familyname"]),
                "age": age(m["patient_age"]),
                "gender": gender if gender in ("female", "male") else None,
                "chief_complaint": clean(m["cc"]).lower() or None,
                "secondary_complaints": [x for x in second
                                         if x and x != "none"],
            }
            text = dialogue.lower()
            gold = dict(patient)
            for k in ("first_name", "last_name"):
                if not stated_name(gold[k], text):
                    gold[k] = None
            if not stated_age(gold["age"], text):
                gold["age"] = None
            out.append(json.dumps({
                "id": ident, "mode": mode, "split": split,
                "transcript": dialogue.strip(), "patient": patient,
                "gold": gold,
            }, ensure_ascii=False, separators=(", ", ": ")))
    with open(os.path.join(HERE, "eval.jsonl"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write("\n".join(out) + "\n")
    sys.stderr.write("%d rows\n" % len(out))


if __name__ == "__main__":
    main(sys.argv)
