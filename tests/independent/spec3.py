#!/usr/bin/env python3
"""An independent implementation of SPEC §3 (sessions, turns, response figures per agent), written from the spec
text alone with the Python standard library, to check kefu's agent_scorecard.csv against.

Usage: spec3.py messages.csv > scorecard.csv   (canonical UTF-8 messages.csv, default settings)
"""
import csv
import sys
from collections import defaultdict
from datetime import datetime

GAP, CAP, TARGET = 30 * 60, 600, 20
OPEN, CLOSE = 8 * 3600, 23 * 3600


def quantile(values, p):
    v = sorted(values)
    x = p * (len(v) - 1)
    lo, hi = int(x // 1), int(-(-x // 1))
    return v[lo] + (v[hi] - v[lo]) * (x - lo)


def main(path):
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            ts = datetime.strptime(r["timestamp"], "%Y-%m-%d %H:%M:%S")
            conv = r.get("conversation_id") or f'{r.get("shop", "")}/{r["customer_id"]}/{r["agent_id"]}'
            rows.append((conv, ts, i, r["sender"], r["agent_id"], r["customer_id"]))
    rows.sort(key=lambda x: (x[0], x[1], x[2]))

    sessions = []  # list of message lists
    for r in rows:
        if sessions and sessions[-1][-1][0] == r[0] and (r[1] - sessions[-1][-1][1]).total_seconds() <= GAP:
            sessions[-1].append(r)
        else:
            sessions.append([r])

    agg = defaultdict(lambda: {"sessions": set(), "customers": set(), "inquiries": set(), "agent_msgs": 0,
                               "customer_msgs": 0, "capped": [], "unanswered": 0, "offhours": 0, "within": 0,
                               "first": []})
    for sid, s in enumerate(sessions):
        for m in s:
            a = agg[m[4]]
            a["sessions"].add(sid)
            a["customers"].add(m[5])
            if m[3] == "agent":
                a["agent_msgs"] += 1
            if m[3] == "customer":
                a["customer_msgs"] += 1
                a["inquiries"].add(m[5])
        turns = []  # (owner, start, answer or None)
        cur = None
        for m in s:
            if m[3] == "customer" and cur is None:
                cur = [m[4], m[1], None]
            elif m[3] == "agent" and cur is not None:
                cur[2] = m[1]
                turns.append(cur)
                cur = None
        if cur is not None:
            turns.append(cur)
        first_done = False
        for owner, start, answer in turns:
            a = agg[owner]
            sod = start.hour * 3600 + start.minute * 60 + start.second
            if not (OPEN <= sod < CLOSE):
                a["offhours"] += 1
                continue
            if answer is None:
                a["unanswered"] += 1
                capped = CAP
            else:
                rt = (answer - start).total_seconds()
                capped = min(rt, CAP)
                if rt <= TARGET:
                    a["within"] += 1
            a["capped"].append(capped)
            if not first_done:
                a["first"].append(capped)
                first_done = True

    w = csv.writer(sys.stdout)
    w.writerow(["agent_id", "sessions", "customers", "turns", "unanswered_turns", "offhours_turns",
                "avg_response_secs", "median_response_secs", "p90_response_secs", "first_response_secs",
                "within_target_rate", "qa_ratio", "inquiries"])
    for agent in sorted(agg):
        a = agg[agent]
        c = a["capped"]
        n = len(c)
        w.writerow([agent, len(a["sessions"]), len(a["customers"]), n, a["unanswered"], a["offhours"],
                    sum(c) / n if n else "", quantile(c, 0.5) if n else "", quantile(c, 0.9) if n else "",
                    sum(a["first"]) / len(a["first"]) if a["first"] else "",
                    a["within"] / n if n else "",
                    a["agent_msgs"] / a["customer_msgs"] if a["customer_msgs"] else "", len(a["inquiries"])])


if __name__ == "__main__":
    main(sys.argv[1])
