#!/usr/bin/env python3
"""Add Google Product Taxonomy labels to the product-categorization data
for yardstick (suites/product-categorization/google.lua).

PROVENANCE ONLY: the yardstick build never runs this script; its outputs
are committed as they are.

Usage (from this directory, after ../make-data.py):
    python3 make-google.py path/to/taxonomy-with-ids.en-US.txt

Inputs:
  ../train.jsonl, ../eval.jsonl     the Flipkart titles and categories
                                    (made by ../make-data.py)
  TITLE_RULES (below)               for the Flipkart root "Clothing": the
                                    garment named in the title
  flipkart-to-google.tsv            hand-written rules: a Flipkart category
                                    (a level-2 prefix or a full level-3 path)
                                    -> a Google Product Taxonomy path of at
                                    most 3 levels; the longest matching
                                    Flipkart prefix wins
  taxonomy-with-ids.en-US.txt       Google's file (version 2021-09-21)

Outputs:
  taxonomy.txt    (here) the Google taxonomy cut to levels 1-3 (1,562
                  categories), in Google's own "ID - A > B > C" form, with
                  its version line
  ../train.jsonl, ../eval.jsonl
                  rewritten with a "google" key after "category": the Google
                  path of the row (any "google" key already there is
                  replaced, so running the script twice changes nothing)

It fails when a rule names a path that is not in Google's file, when a rule
is never used, or when a Flipkart category has no rule. Deterministic,
Python 3 standard library only.
"""

import json
import os
import re
import sys

SEP = " > "

# Flipkart files clothes by audience ("Women's Clothing > Western Wear"),
# Google by garment ("Clothing > Dresses"). For the Flipkart root
# "Clothing" the garment is read from the title instead: the first rule
# whose words occur in it wins (a title that matches none stops the
# script).
CLOTHING = "Apparel & Accessories > Clothing"
TITLE_RULES = [
    (r"sari|saree|kurta|kurti|kurtas|salwar|lehenga|lehenga choli|dupatta|"
     r"churidar|dhoti|sherwani|patiala|anarkali|ethnic",
     CLOTHING + " > Traditional & Ceremonial Clothing"),
    (r"night ?suit|night ?dress|nighty|nightie|night ?gown|pyjamas?|"
     r"pajamas?|sleepwear|lounge ?wear|lounge ?pants",
     CLOTHING + " > Sleepwear & Loungewear"),
    (r"bra|bras|panty|panties|briefs?|boxers?|trunks?|vests?|camisoles?|"
     r"socks|lingerie|shapewear|innerwear|thermals?",
     CLOTHING + " > Underwear & Socks"),
    (r"swim\w*|bikini|aquashort", CLOTHING + " > Swimwear"),
    (r"jumpsuits?|dungarees?|rompers?|playsuits?", CLOTHING + " > One-Pieces"),
    (r"dress|dresses|gown|kaftans?", CLOTHING + " > Dresses"),
    (r"shorts|bermudas?|capris?", CLOTHING + " > Shorts"),
    (r"skirts?", CLOTHING + " > Skirts"),
    (r"jeans|trousers?|pants|leggings?|jeggings|chinos|track ?pants|joggers",
     CLOTHING + " > Pants"),
    (r"jackets?|sweaters?|sweatshirts?|coats?|blazers?|hoodies?|cardigans?|"
     r"pullovers?|shrugs?|waistcoats?", CLOTHING + " > Outerwear"),
    (r"suits?", CLOTHING + " > Suits"),
    (r"caps?|hats?", "Apparel & Accessories > Clothing Accessories > Hats"),
    (r"ties?", "Apparel & Accessories > Clothing Accessories > Neckties"),
    (r"scarf|scarves|stoles?|shawls?|mufflers?",
     "Apparel & Accessories > Clothing Accessories > Scarves & Shawls"),
    (r"tops?|shirts?|t-shirts?|tees?|tunics?|polos?|blouses?|tank",
     CLOTHING + " > Shirts & Tops"),
]
TITLE_RULES = [(re.compile(r"\b(?:%s)\b" % rx, re.I), dst)
               for rx, dst in TITLE_RULES]
HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: %s taxonomy-with-ids.en-US.txt" % argv[0])
    version, paths, lines = None, set(), []
    with open(argv[1], encoding="utf-8") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if ln.startswith("#"):
                version = ln
                continue
            ident, path = ln.split(" - ", 1)
            if len(path.split(SEP)) <= 3:
                paths.add(path)
                lines.append(ln)
    rules = {}
    with open(os.path.join(HERE, "flipkart-to-google.tsv"),
              encoding="utf-8") as f:
        for n, ln in enumerate(f, 1):
            ln = ln.rstrip("\n")
            if not ln or ln.startswith("#"):
                continue
            src, dst = ln.split("\t")
            if dst not in paths:
                sys.exit("flipkart-to-google.tsv:%d: '%s' is not a Google "
                         "category of at most 3 levels" % (n, dst))
            if src in rules:
                sys.exit("flipkart-to-google.tsv:%d: '%s' twice" % (n, src))
            rules[src] = dst
    used = set()

    for _, dst in TITLE_RULES:
        if dst not in paths:
            sys.exit("TITLE_RULES: '%s' is not a Google category" % dst)

    def google(cat, title):
        parts = cat.split(SEP)
        if parts[0] == "Clothing":
            for rx, dst in TITLE_RULES:
                if rx.search(title):
                    return dst
            sys.exit("no TITLE_RULES match the clothing title '%s'" % title)
        for k in range(len(parts), 0, -1):
            prefix = SEP.join(parts[:k])
            if prefix in rules:
                used.add(prefix)
                return rules[prefix]
        sys.exit("no rule for the Flipkart category '%s'" % cat)

    for name in ("train.jsonl", "eval.jsonl"):
        out = []
        path = os.path.join(HERE, "..", name)
        with open(path, encoding="utf-8") as f:
            for ln in f:
                row = json.loads(ln)
                out.append(json.dumps(
                    {"id": row["id"], "title": row["title"],
                     "category": row["category"],
                     "google": google(row["category"], row["title"])},
                    ensure_ascii=False, separators=(", ", ": ")))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(out) + "\n")
    unused = sorted(set(rules) - used)
    if unused:
        sys.exit("rules never used: %s" % "; ".join(unused))
    with open(os.path.join(HERE, "taxonomy.txt"), "w", encoding="utf-8",
              newline="\n") as f:
        f.write(version + "\n")
        f.write("# Google Product Taxonomy (en-US), levels 1-3 only; "
                "source and terms: README.md\n")
        f.write("\n".join(lines) + "\n")
    sys.stderr.write("%d rules, %d taxonomy lines\n" % (len(rules),
                                                        len(lines)))


if __name__ == "__main__":
    main(sys.argv)
