"""The end-to-end scale run of BENCHMARKS.md: on each input folder, `kefu report`, `examples/cut` (the tokenize-only
limit) and the Python peer, one after the other, several rounds; prints medians and the ratios of each round.

Usage: python3 benches/peer/scale.py KEFU_BINARY ROUNDS DIR [DIR ...] [--peer-rounds N]
Peak RSS comes from GNU time (/usr/bin/time -f %M); per-stage seconds from the report's summary.json.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, wall seconds, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
        wall, kb = t.read().split()[-2:]
    return p.stdout, float(wall), int(kb) / 1024


def input_mb(d):
    return sum(os.path.getsize(os.path.join(d, f)) for f in ("messages.csv", "orders.csv", "aftersales.csv")
               if os.path.exists(os.path.join(d, f))) / 1e6


def main():
    args = sys.argv[1:]
    peer_rounds = None
    if "--peer-rounds" in args:
        i = args.index("--peer-rounds")
        peer_rounds = int(args[i + 1])
        del args[i:i + 2]
    kefu, rounds, dirs = args[0], int(args[1]), args[2:]
    peer_rounds = rounds if peer_rounds is None else peer_rounds
    for d in dirs:
        out = tempfile.mkdtemp(prefix="kefu-scale-")
        rows = []
        for r in range(rounds):
            _, wall, rss = timed([kefu, "report", d, "--out", out, "--quiet"])
            summary = json.load(open(os.path.join(out, "summary.json")))
            stages = {s["stage"]: s["secs"] for s in summary["stages"]}
            cut_out, _, _ = timed([os.path.join(os.path.dirname(kefu), "examples", "cut"), d])
            cut = json.loads(cut_out)
            row = {"wall": wall, "rss": rss, "stages": stages, "cut": cut["cut_secs"],
                   "messages": summary["rows"]["used"]}
            if r < peer_rounds:
                peer_out, peer_wall, peer_rss = timed([sys.executable, os.path.join(HERE, "peer.py"), d])
                row["peer"] = peer_wall
                row["peer_rss"] = peer_rss
            rows.append(row)
            print(f"# {d} round {r + 1}: {json.dumps(row)}", file=sys.stderr)
        med = lambda f: statistics.median(f(x) for x in rows)
        peer_rows = [x for x in rows if "peer" in x]
        result = {
            "input": d,
            "input_mb": round(input_mb(d), 1),
            "messages": rows[0]["messages"],
            "rounds": rounds,
            "wall_secs": med(lambda x: x["wall"]),
            "messages_per_sec": med(lambda x: x["messages"] / x["wall"]),
            "peak_rss_mb": med(lambda x: x["rss"]),
            "rss_over_input": med(lambda x: x["rss"] / input_mb(d)),
            "stages": {s: med(lambda x: x["stages"][s]) for s in rows[0]["stages"]},
            "cut_secs": med(lambda x: x["cut"]),
            "total_over_cut": med(lambda x: x["stages"]["total"] / x["cut"]),
            "peer_rounds": len(peer_rows),
        }
        if peer_rows:
            result["peer_secs"] = statistics.median(x["peer"] for x in peer_rows)
            result["peer_rss_mb"] = statistics.median(x["peer_rss"] for x in peer_rows)
            result["peer_over_kefu"] = statistics.median(x["peer"] / x["wall"] for x in peer_rows)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
