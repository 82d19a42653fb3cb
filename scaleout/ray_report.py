#!/usr/bin/env python3
"""kefu over partitions as tasks of a Ray cluster, then one merge (docs/scale-out.md).

Each folder under PARTS (made by scaleout/partition.py, or one folder per shop's exports) becomes one Ray task that
runs `kefu report PART --partial PARTIALS/PART` on the CPUs Ray gives it; when every task is done, `kefu merge`
writes the reports of one run over all of them into OUT. Without a running cluster, ray.init() starts a local one
on this machine. The partial folders must be on storage every node and the merge can read (a shared or mounted
file system); the partials are small next to the input (BENCHMARKS.md gives the sizes).

Usage: python3 scaleout/ray_report.py PARTS --config KEFU_TOML --out OUT [--kefu PATH] [--cpus-per-task N]
Install: pip install ray
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import ray


@ray.remote
def partial(kefu, part, config, out, threads):
    """One partition's partial state; returns its folder, seconds and size in bytes."""
    t = time.monotonic()
    cmd = [kefu, "report", part, "--partial", out, "--quiet", "--threads", str(threads)]
    if config:
        cmd += ["--config", config]
    subprocess.run(cmd, check=True, capture_output=True)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    return out, time.monotonic() - t, size


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parts", help="folder whose sub-folders are the partitions")
    ap.add_argument("--config", help="the kefu.toml every partition and the merge use")
    ap.add_argument("--out", required=True, help="folder for the merged reports")
    ap.add_argument("--partials", help="folder for the partial states (default: OUT.partials)")
    ap.add_argument("--kefu", default=shutil.which("kefu") or "target/release/kefu", help="the kefu binary")
    ap.add_argument("--cpus-per-task", type=int, default=1)
    a = ap.parse_args()
    kefu = os.path.abspath(a.kefu)
    config = os.path.abspath(a.config) if a.config else None
    partials = os.path.abspath(a.partials or a.out.rstrip("/") + ".partials")
    parts = sorted(os.path.join(a.parts, p) for p in os.listdir(a.parts) if os.path.isdir(os.path.join(a.parts, p)))
    if not parts:
        sys.exit(f"{a.parts}: no partition folders")
    ray.init(ignore_reinit_error=True, log_to_driver=False)
    t = time.monotonic()
    tasks = [
        partial.options(num_cpus=a.cpus_per_task).remote(
            kefu, os.path.abspath(p), config, os.path.join(partials, os.path.basename(p)), a.cpus_per_task
        )
        for p in parts
    ]
    done = ray.get(tasks)
    partial_secs = time.monotonic() - t
    t = time.monotonic()
    cmd = [kefu, "merge", *[d for d, _, _ in done], "--out", a.out, "--quiet"]
    if config:
        cmd += ["--config", config]
    subprocess.run(cmd, check=True)
    merge_secs = time.monotonic() - t
    print(json.dumps({
        "partitions": len(parts),
        "partial_wall_secs": round(partial_secs, 2),
        "partial_task_secs": [round(s, 2) for _, s, _ in done],
        "partial_bytes": [b for _, _, b in done],
        "merge_secs": round(merge_secs, 2),
        "out": a.out,
    }, indent=1))


if __name__ == "__main__":
    main()
