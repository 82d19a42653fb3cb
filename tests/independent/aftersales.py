#!/usr/bin/env python3
"""An independent implementation of the after-sales figures of SPEC §3 (aftersales_agents.csv), from the spec text
and the aftersales_score formula of docs/definitions.md, with the Python standard library only.

Usage: aftersales.py aftersales.csv > aftersales_agents.csv   (canonical UTF-8 file, default weights)
"""
import csv
import sys
from collections import defaultdict
from datetime import datetime

W_DISPUTES, W_COMPLAINTS, W_SAME_DAY, W_HANDLING, TARGET_HOURS = 0.3, 0.2, 0.3, 0.2, 48.0


def main(path):
    by = defaultdict(list)
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            by[r["agent_id"]].append(r)
    w = csv.writer(sys.stdout)
    w.writerow(["agent_id", "cases", "refund_cases", "refund_amount", "avg_handle_hours", "same_day_rate", "disputes",
                "complaints", "dispute_rate", "complaint_rate", "aftersales_score"])
    for agent in sorted(by):
        cases = by[agent]
        refunds = [c for c in cases if c["type"] in ("refund_only", "return_refund") and float(c["refund_amount"]) > 0]
        hours, same = [], []
        for c in cases:
            if c["closed_at"]:
                opened = datetime.strptime(c["opened_at"], "%Y-%m-%d %H:%M:%S")
                closed = datetime.strptime(c["closed_at"], "%Y-%m-%d %H:%M:%S")
                hours.append((closed - opened).total_seconds() / 3600)
                same.append(closed.date() == opened.date())
        disputes = sum(1 for c in cases if c["platform_intervened"] == "1")
        complaints = sum(1 for c in cases if c["type"] == "complaint")
        n = len(cases)
        parts = [(W_DISPUTES, 1 - disputes / n), (W_COMPLAINTS, 1 - complaints / n)]
        avg_hours = sum(hours) / len(hours) if hours else None
        same_rate = sum(same) / len(same) if same else None
        if same_rate is not None:
            parts.append((W_SAME_DAY, same_rate))
        if avg_hours is not None:
            parts.append((W_HANDLING, max(0.0, 1 - avg_hours / TARGET_HOURS)))
        score = 100 * sum(wt * x for wt, x in parts) / sum(wt for wt, _ in parts)
        w.writerow([agent, n, len(refunds), sum(float(c["refund_amount"]) for c in refunds),
                    "" if avg_hours is None else avg_hours, "" if same_rate is None else same_rate,
                    disputes, complaints, disputes / n, complaints / n, score])


if __name__ == "__main__":
    main(sys.argv[1])
