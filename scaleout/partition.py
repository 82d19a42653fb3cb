#!/usr/bin/env python3
"""Split a kefu input folder into N partition folders for `kefu report --partial` (docs/scale-out.md).

Every CSV of INPUT (messages.csv, orders.csv, aftersales.csv, ratings.csv, in the canonical or Chinese headers) is
split row by row by a stable hash (CRC-32) of its customer column, so that a customer's conversations, orders,
after-sales cases and ratings land in the same partition: what `kefu merge` needs to give the figures of one run
(it refuses partials that share a customer). kefu.toml is copied into every partition, so that each partial is
made with the same settings; give the same file to `kefu merge --config`.

Other inputs (workbooks, 千牛 transcripts) are not split here: partition those by shop, one folder per shop's
exports, which keeps every customer of a shop together.

Usage: python3 scaleout/partition.py INPUT OUT N
"""
import csv
import os
import shutil
import sys
import zlib

CUSTOMER = ("customer_id", "买家", "买家会员名", "买家会员名称", "买家昵称")


def main():
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    parts = [os.path.join(out, f"part-{k}") for k in range(n)]
    for p in parts:
        os.makedirs(p, exist_ok=True)
    csv.field_size_limit(sys.maxsize)
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if name == "kefu.toml":
            for p in parts:
                shutil.copy(path, p)
            continue
        if not name.endswith(".csv"):
            if os.path.isfile(path):
                print(f"not split (not a CSV): {name}", file=sys.stderr)
            continue
        # utf-8-sig: a BOM written by Excel is not part of the first header.
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = csv.reader(f)
            header = next(rows)
            at = next((i for i, h in enumerate(header) if h.strip() in CUSTOMER), None)
            if at is None:
                sys.exit(f"{name}: no customer column ({', '.join(CUSTOMER)})")
            files = [open(os.path.join(p, name), "w", newline="", encoding="utf-8") for p in parts]
            writers = [csv.writer(w, lineterminator="\n") for w in files]
            for w in writers:
                w.writerow(header)
            for row in rows:
                key = row[at] if at < len(row) else ""
                writers[zlib.crc32(key.encode("utf-8")) % n].writerow(row)
            for w in files:
                w.close()
    print(f"{src} -> {n} partitions in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
