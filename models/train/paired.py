#!/usr/bin/python3
"""Paired comparisons between any two contestants of a `codeassist eval --json` report.

    /usr/bin/python3 models/train/paired.py REPORT.json CONTESTANT REFERENCE [CONTESTANT REFERENCE ...]

The eval itself compares every contestant with the first one; shipping decisions also need other pairs (the new
small against the new tiny). Same statistic as the eval's: per kind, the mean of the per-point differences in edit
similarity and its 95 % interval (mean ± 1.96 standard errors), the difference as CONTESTANT − REFERENCE.
"""
import json
import math
import sys


def compare(report, contestant, reference):
    by_name = {c["name"]: c for c in report["contestants"]}
    for name in (contestant, reference):
        if name not in by_name:
            raise SystemExit(f"paired.py: no contestant {name!r} (have: {', '.join(by_name)})")
    ref = {k["kind"]: k for k in by_name[reference]["kinds"]}
    rows = []
    for k in by_name[contestant]["kinds"]:
        mine, theirs = k.get("pointEditSimilarity"), ref.get(k["kind"], {}).get("pointEditSimilarity")
        if not mine or not theirs or len(mine) != len(theirs) or len(mine) < 2:
            continue
        d = [a - b for a, b in zip(mine, theirs)]
        mean = sum(d) / len(d)
        var = sum((x - mean) ** 2 for x in d) / (len(d) - 1)
        half = 1.959964 * math.sqrt(var / len(d))
        rows.append((k["kind"], len(d), mean, mean - half, mean + half))
    return rows


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        raise SystemExit(__doc__)
    with open(argv[0]) as f:
        report = json.load(f)
    for i in range(1, len(argv), 2):
        for kind, n, mean, low, high in compare(report, argv[i], argv[i + 1]):
            verdict = "better" if low > 0 else ("worse" if high < 0 else "tie")
            print(f"{kind}\t{argv[i]} - {argv[i + 1]}\t{mean:+.3f}\t[{low:+.3f}, {high:+.3f}]\tn={n}\t{verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
