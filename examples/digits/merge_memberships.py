#!/usr/bin/python3
"""Join the per-slice memberships files of `train.py --references K --reference-slice I/N` into
<family>/memberships.csv, rows in model order: the same bytes one `--references K` run writes.

    /usr/bin/python3 examples/digits/merge_memberships.py [--refs DIR] [--only leaky|hardened|private]

For each family folder under DIR (default refs/ beside this file) that holds slice files
(memberships.slice-I-of-N.csv), all N slices must be there with one header, and their models
must be ref-00 .. ref-(K-1), each exactly once, each with its ref-NN.onnx beside it: a missing
slice or model stops with an error naming it, rather than writing a partial file the gate would
then read as the whole set. The slice files are removed once merged. Standard library only, so
the job that merges needs no PyTorch.
"""
import argparse
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SLICE = re.compile(r"memberships\.slice-([0-9]+)-of-([0-9]+)\.csv")


def fail(message):
    sys.exit(f"merge_memberships.py: {message}")


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        fail(f"{path}: empty file, expected a header row")
    return rows[0], rows[1:]


def merge(folder):
    slices = {}
    for name in sorted(os.listdir(folder)):
        m = SLICE.fullmatch(name)
        if m:
            slices[(int(m.group(1)), int(m.group(2)))] = os.path.join(folder, name)
    if not slices:
        return False
    counts = {n for _, n in slices}
    if len(counts) != 1:
        fail(f"{folder}: slice files of different counts N {sorted(counts)}; expected one N")
    n = counts.pop()
    missing = [i for i in range(1, n + 1) if (i, n) not in slices]
    if missing:
        fail(f"{folder}: missing slice(s) {', '.join(f'{i}/{n}' for i in missing)} of {n}")
    header, rows = None, []
    for i in range(1, n + 1):
        path = slices[(i, n)]
        h, r = read_rows(path)
        if header is not None and h != header:
            fail(f"{path}: header differs from slice 1's; all slices must come from one data split")
        header = h
        rows.extend(r)
    rows.sort(key=lambda row: row[0])
    expected = [f"ref-{i:02d}.onnx" for i in range(len(rows))]
    models = [row[0] for row in rows]
    if models != expected:
        fail(f"{folder}: slice rows name models {models}; expected {expected[0]} .. {expected[-1]} once each")
    for model in models:
        if not os.path.isfile(os.path.join(folder, model)):
            fail(f"{folder}: {model} is in the memberships but its file is missing")
    with open(os.path.join(folder, "memberships.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    for path in slices.values():
        os.remove(path)
    print(f"{folder}/memberships.csv: {len(rows)} models from {n} slices")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refs", metavar="DIR", default=os.path.join(HERE, "refs"),
                    help="folder holding <family>/ (default: %(default)s)")
    ap.add_argument("--only", choices=["leaky", "hardened", "private"], help="merge one family only")
    args = ap.parse_args()
    families = [args.only] if args.only else ["leaky", "hardened", "private"]
    merged = [f for f in families if os.path.isdir(os.path.join(args.refs, f)) and merge(os.path.join(args.refs, f))]
    if not merged:
        fail(f"no memberships.slice-I-of-N.csv files under {args.refs}/{{{','.join(families)}}}")


if __name__ == "__main__":
    main()
