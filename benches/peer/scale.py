"""The end-to-end scale run of BENCHMARKS.md: on each input folder, one after the other and several rounds,
`kefu report`, the two floors — DuckDB parsing every field of messages.csv (`duckdb_peer.py parse`) and
`examples/cut` (jieba-rs cutting every message the text stage cuts, both cores) — and a third, DuckDB writing the
three largest of the reports kefu wrote (`duckdb_peer.py write`), the DuckDB script computing the
response figures only (`duckdb_peer.py response`) and the pandas + jieba peer (`peer.py`); prints one JSON line of
medians per folder, then the table of issue 30 (markdown) with kefu ÷ floor, kefu ÷ DuckDB, RSS ÷ input and,
given two folders, the growth of kefu's time from the first to the last.

Usage: python3 benches/peer/scale.py KEFU_BINARY ROUNDS DIR [DIR ...] [--peer-rounds N]
(`cargo build --release --examples` first; `pip install duckdb pandas jieba`.) --peer-rounds limits the slow
pandas peer on the first folder (default: every round; 0 skips it); later folders skip it, since at 10 M it
takes minutes and gigabytes (BENCHMARKS runs it at 1 M). Peak RSS comes from GNU time (/usr/bin/time -f %M);
per-stage seconds from the report's summary.json.
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
    results = []
    for i, d in enumerate(dirs):
        out = tempfile.mkdtemp(prefix="kefu-scale-")
        rows = []
        for r in range(rounds):
            _, wall, rss = timed([kefu, "report", d, "--out", out, "--quiet"])
            summary = json.load(open(os.path.join(out, "summary.json")))
            stages = {s["stage"]: s["secs"] for s in summary["stages"]}
            cut_out, _, _ = timed([os.path.join(os.path.dirname(kefu), "examples", "cut"), d])
            cut = json.loads(cut_out)
            duck = {}
            for mode in ("parse", "response"):
                duck_out, _, duck_rss = timed([sys.executable, os.path.join(HERE, "duckdb_peer.py"), mode, d])
                # The query's own seconds (Python's start and import left out: the floor is the lowest it can be).
                duck[mode] = (json.loads(duck_out)["secs"], duck_rss)
            write_out, _, _ = timed([sys.executable, os.path.join(HERE, "duckdb_peer.py"), "write", out])
            row = {"wall": wall, "rss": rss, "stages": stages, "cut": cut["cut_secs"],
                   "messages": summary["rows"]["used"], "duck_parse": duck["parse"][0],
                   "duck_response": duck["response"][0], "duck_response_rss": duck["response"][1],
                   "duck_write": json.loads(write_out)["secs"]}
            if i == 0 and r < peer_rounds:
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
            "duckdb_parse_secs": med(lambda x: x["duck_parse"]),
            "duckdb_response_secs": med(lambda x: x["duck_response"]),
            "duckdb_response_rss_mb": med(lambda x: x["duck_response_rss"]),
            "floor_secs": med(lambda x: x["duck_parse"] + x["cut"]),
            "wall_over_floor": med(lambda x: x["wall"] / (x["duck_parse"] + x["cut"])),
            "duckdb_write_secs": med(lambda x: x["duck_write"]),
            "floor_with_write_secs": med(lambda x: x["duck_parse"] + x["cut"] + x["duck_write"]),
            "floor_with_write_over_floor": med(lambda x: 1 + x["duck_write"] / (x["duck_parse"] + x["cut"])),
            "wall_over_duckdb": med(lambda x: x["wall"] / x["duck_response"]),
            "peer_rounds": len(peer_rows),
        }
        if peer_rows:
            result["peer_secs"] = statistics.median(x["peer"] for x in peer_rows)
            result["peer_rss_mb"] = statistics.median(x["peer_rss"] for x in peer_rows)
            result["peer_over_kefu"] = statistics.median(x["peer"] / x["wall"] for x in peer_rows)
        print(json.dumps(result), flush=True)
        results.append(result)
    table(results)


def table(results):
    """The table of issue 30, one block per folder, medians of the rounds."""
    for r in results:
        mb = r["input_mb"]
        print(f"\n{r['messages']:,} messages, {mb:,.0f} MB of CSV, medians of {r['rounds']} rounds\n")
        print("| what | time | peak RSS |\n| --- | --- | --- |")
        print(f"| kefu report, end to end | {r['wall_secs']:.1f} s | {r['peak_rss_mb']:,.0f} MB "
              f"({r['rss_over_input']:.2f} × input) |")
        print(f"| DuckDB script, response figures only | {r['duckdb_response_secs']:.1f} s | "
              f"{r['duckdb_response_rss_mb']:,.0f} MB |")
        print(f"| floor: DuckDB reading every field | {r['duckdb_parse_secs']:.1f} s | |")
        print(f"| floor: jieba-rs cutting every text, both cores | {r['cut_secs']:.1f} s | |")
        print(f"| DuckDB writing kefu's three largest reports (sessions, violations, lost inquiries) | "
              f"{r['duckdb_write_secs']:.1f} s | |")
        if "peer_secs" in r:
            print(f"| pandas + jieba script ({r['peer_rounds']} rounds) | {r['peer_secs']:.1f} s | "
                  f"{r['peer_rss_mb']:,.0f} MB |")
        print(f"\nkefu ÷ floor (parse + cut) {r['wall_over_floor']:.2f}; kefu ÷ DuckDB response script "
              f"{r['wall_over_duckdb']:.2f}; parse + cut + write {r['floor_with_write_secs']:.1f} s, "
              f"{r['floor_with_write_over_floor']:.2f} × the floor")
        print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items()))
    if len(results) > 1:
        a, b = results[0], results[-1]
        print(f"\nkefu from {a['messages']:,} to {b['messages']:,} messages: "
              f"{b['wall_secs'] / a['wall_secs']:.1f} × the time")


if __name__ == "__main__":
    main()
