"""Reading real exports (BENCHMARKS.md "Real exports"): the same synthetic shop written by `kefu gen --layout` as
canonical CSV, hand-kept workbooks (messages.xlsx …), 千牛 transcripts (one .txt a conversation) and GB18030
platform CSVs; `kefu report` on each, rounds alternating between the layouts; prints the medians of the ingest
stage, the whole run and peak RSS, and checks that the figures are the canonical run's.

Usage: python3 benches/peer/layouts.py KEFU_BINARY MESSAGES ROUNDS [WORKDIR]
"""
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile

LAYOUTS = ["canonical", "xlsx", "qianniu", "platform"]
SAME = ["agent_scorecard.csv", "weekly_agents.csv", "unpaid_reasons.csv", "aftersales_agents.csv", "hourly.csv"]


def run(cmd):
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
        return int(t.read().split()[-1]) / 1024


def size_mb(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs if "truth" not in r) / 1e6


def main():
    kefu, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = sys.argv[4] if len(sys.argv) > 4 else tempfile.mkdtemp()
    for layout in LAYOUTS:
        d = os.path.join(work, layout)
        if not os.path.isdir(d):
            subprocess.run([kefu, "gen", "--out", d, "--messages", n, "--layout", layout, "--quiet"], check=True)
    got = {layout: [] for layout in LAYOUTS}
    for _ in range(rounds):
        for layout in LAYOUTS:
            out = os.path.join(work, "out-" + layout)
            rss = run([kefu, "report", os.path.join(work, layout), "--out", out, "--quiet"])
            stages = {s["stage"]: s["secs"] for s in json.load(open(os.path.join(out, "summary.json")))["stages"]}
            got[layout].append((stages["ingest"], stages["total"], rss))
    base = got["canonical"]
    print(f"| layout | input MB | ingest s | × CSV | whole run s | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for layout in LAYOUTS:
        med = [statistics.median(x[i] for x in got[layout]) for i in range(3)]
        ratio = med[0] / statistics.median(x[0] for x in base)
        size = size_mb(os.path.join(work, layout))
        print(f"| {layout} | {size:.0f} | {med[0]:.2f} | {ratio:.1f} | {med[1]:.2f} | {med[2]:.0f} |")
        for f in SAME:
            a, b = os.path.join(work, "out-canonical", f), os.path.join(work, "out-" + layout, f)
            if not filecmp.cmp(a, b, shallow=False):
                print(f"  {layout}: {f} differs from the canonical run's")


if __name__ == "__main__":
    main()
