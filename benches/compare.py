#!/usr/bin/env python3
"""Two kefu builds on one input folder, alternating, one round after the other (BENCHMARKS.md: "before and after in
one run"). Wall is the whole process as the user waits for it (files written included); total is summary.json's,
which ends before the files are written.

Usage: ROUNDS=5 python3 benches/compare.py DATA OLD_BIN OLD_CONFIG NEW_BIN
(OLD_CONFIG: a kefu.toml the old build accepts, e.g. DATA's minus keys it does not know.)
"""
import json
import os
import statistics
import subprocess
import sys
import time

data, old, oldcfg, new = sys.argv[1:5]
rounds = int(os.environ.get("ROUNDS", "3"))
out = os.environ.get("OUT", "/tmp/kefu-compare-out")
wall = {"old": [], "new": []}
total = {"old": [], "new": []}
for _ in range(rounds):
    for name, cmd in [("old", [old, "report", data, "--config", oldcfg]), ("new", [new, "report", data])]:
        t = time.monotonic()
        subprocess.run(cmd + ["--out", out, "--quiet"], check=True, capture_output=True)
        w = time.monotonic() - t
        st = {s["stage"]: s["secs"] for s in json.load(open(os.path.join(out, "summary.json")))["stages"]}
        wall[name].append(w)
        total[name].append(st["total"])
        print(name, f"wall {w:.2f}", {k: round(v, 2) for k, v in st.items()}, flush=True)
print("per-round wall ratios:", [round(n / o, 3) for o, n in zip(wall["old"], wall["new"])])
for label, d in [("wall", wall), ("total", total)]:
    o, n = statistics.median(d["old"]), statistics.median(d["new"])
    print(f"{label}: old {o:.2f}s new {n:.2f}s ratio {n / o:.3f}")
