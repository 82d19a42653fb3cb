#!/usr/bin/env python3
"""An independent implementation of SPEC §3 (sessions, turns, response figures per agent; with orders.csv, order
attribution and conversion) and of SPEC §8's figures over the same data (receptions and first response, the 3-minute
and 30-second rates, the offline-message reply rate, the inquiry → order → payment funnel, and with ratings.csv beside
messages.csv the satisfaction figures), written from the spec
text alone with the Python standard library, to check kefu's agent_scorecard.csv against.

Usage: spec3.py messages.csv [orders.csv] [--teams teams.csv] > scorecard.csv   (canonical UTF-8 files, default
settings). With --teams (rows `agent_id,team`; an agent is named by its full id or its sub-account name, and an agent
named nowhere is in 未分组) the rows are teams (SPEC §8 teams.csv): every agent id is read as its team's name, so a
team's figures are counted over its own sessions, turns, orders and ratings and a transfer inside a team is none;
max_concurrent is the most of one of its agents and active_hours the sum of its agents'.
"""
import csv
import sys
from collections import defaultdict
from datetime import datetime

GAP, CAP, TARGET, WINDOW = 30 * 60, 600, 20, 72 * 3600
OPEN, CLOSE = 8 * 3600, 23 * 3600
OFFHOURS_REPLY = 2 * 3600  # offhours_reply_hours
IDLE = 10 * 60  # idle_mins


def quantile(values, p):
    v = sorted(values)
    x = p * (len(v) - 1)
    lo, hi = int(x // 1), int(-(-x // 1))
    return v[lo] + (v[hi] - v[lo]) * (x - lo)


def most_open(intervals):
    """The most intervals open at one instant, both ends included."""
    most = 0
    for start, _ in intervals:  # the maximum is reached at some interval's start
        most = max(most, sum(1 for s, e in intervals if s <= start <= e))
    return most


def active_secs(times):
    """The length of the union of [t, t + IDLE] over the times."""
    total, covered_to = 0, None
    for t in sorted(times):
        t = t.timestamp()
        lo = t if covered_to is None else max(t, covered_to)
        total += max(0, t + IDLE - lo)
        covered_to = t + IDLE if covered_to is None else max(covered_to, t + IDLE)
    return total


def main(path, orders_path=None, team_of=None):
    """The scorecard rows, one per agent (per team with `team_of`, a function of a raw agent id)."""
    T = team_of or (lambda a: a)
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            ts = datetime.strptime(r["timestamp"], "%Y-%m-%d %H:%M:%S")
            conv = r.get("conversation_id") or f'{r.get("shop", "")}/{r["customer_id"]}/{r["agent_id"]}'
            rows.append((conv, ts, i, r["sender"], r["agent_id"], r["customer_id"], r.get("shop", ""), r["text"]))
    rows.sort(key=lambda x: (x[0], x[1], x[2]))

    agents = sorted({r[4] for r in rows if r[3] == "agent"})  # raw ids, for the names a transfer notice gives
    # The agent id read as its team, the raw id kept last: a reception is an agent's (SPEC §8, 赤兔's count), also
    # when its team's figure adds them up.
    rows = [r[:4] + (T(r[4]) if r[4] else r[4],) + r[5:] + (r[4],) for r in rows]
    sessions = []  # list of message lists
    for r in rows:
        if sessions and sessions[-1][-1][0] == r[0] and (r[1] - sessions[-1][-1][1]).total_seconds() <= GAP:
            sessions[-1].append(r)
        else:
            sessions.append([r])

    agg = defaultdict(lambda: {"sessions": set(), "customers": set(), "inquiries": set(), "agent_msgs": 0,
                               "customer_msgs": 0, "capped": [], "unanswered": 0, "offhours": 0, "within": 0,
                               "within30": 0, "offhours_replied": 0, "first": [], "first_3min": 0, "orders": 0,
                               "sales": 0.0, "payers": set(), "orderers": set(), "unpaid": 0, "paid_orders": 0,
                               "refunded": 0, "t_in": 0, "t_out": 0, "open": [], "own": [],
                               "ratings": []})
    for sid, s in enumerate(sessions):
        # SPEC §8: the session is open from its first to its last message for every agent with a message in it;
        # an agent message from another agent than the previous agent message is a transfer.
        for agent in {m[4] for m in s if m[4]}:
            agg[agent]["open"].append((s[0][1], s[-1][1]))
        # A transfer notice (`甲将会话转接给乙`, a system message) hands the customer to 乙: a transfer, and 乙's next
        # message is then no second one.
        previous = None
        for m in s:
            if m[3] == "agent":
                agg[m[4]]["own"].append(m[1])
                if previous is not None and previous != m[4]:
                    agg[previous]["t_out"] += 1
                    agg[m[4]]["t_in"] += 1
                previous = m[4]
            elif m[3] == "system":
                for word in ("转接给", "转交给"):
                    if word in m[7]:
                        giver, taker = m[7].split(word, 1)
                        giver = giver.replace("将会话", "").strip()
                        named = lambda n: next((a for a in agents if a == n or a.split(":")[-1] == n), None)
                        taker, giver = named(taker.strip()), named(giver)
                        taker, giver = taker and T(taker), (giver and T(giver)) or previous
                        if taker is not None and taker != previous:
                            if giver is not None:
                                agg[giver]["t_out"] += 1
                            agg[taker]["t_in"] += 1
                            previous = taker
        for m in s:
            a = agg[m[4]]
            a["sessions"].add(sid)
            a["customers"].add(m[5])
            if m[3] == "agent":
                a["agent_msgs"] += 1
            if m[3] == "customer":
                a["customer_msgs"] += 1
                a["inquiries"].add(m[5])
        turns = []  # (owner, start, answer or None, the owner's raw id)
        cur = None
        for m in s:
            if m[3] == "customer" and cur is None:
                cur = [m[4], m[1], None, m[8]]
            elif m[3] == "agent" and cur is not None:
                cur[2] = m[1]
                turns.append(cur)
                cur = None
        if cur is not None:
            turns.append(cur)
        receptions = set()  # the owners (raw ids) whose first counted turn in this session has been seen
        for owner, start, answer, raw in turns:
            a = agg[owner]
            sod = start.hour * 3600 + start.minute * 60 + start.second
            if not (OPEN <= sod < CLOSE):
                a["offhours"] += 1
                # 留言: replied by an agent of the conversation, in this session or a later one, by the next opening
                # of business hours plus the grace.
                reply = answer
                later = sid + 1
                while reply is None and later < len(sessions) and sessions[later][0][0] == s[0][0]:
                    reply = next((m[1] for m in sessions[later] if m[3] == "agent"), None)
                    later += 1
                day = start.replace(hour=0, minute=0, second=0)
                opens = day.timestamp() + OPEN + (0 if sod < OPEN else 24 * 3600)
                if reply is not None and reply.timestamp() <= opens + OFFHOURS_REPLY:
                    a["offhours_replied"] += 1
                continue
            if answer is None:
                a["unanswered"] += 1
                capped = CAP
            else:
                rt = (answer - start).total_seconds()
                capped = min(rt, CAP)
                if rt <= TARGET:
                    a["within"] += 1
                if rt <= 30:  # SPEC §8: 30秒应答率
                    a["within30"] += 1
            a["capped"].append(capped)
            if raw not in receptions:  # SPEC §8: a customer transferred to an agent is a new reception
                receptions.add(raw)
                a["first"].append(capped)
                a["first_3min"] += answer is not None and (answer - start).total_seconds() <= 180

    # Attribution: the explicit agent, else the agent of the customer's latest session started within 72 h before
    # the order (the session's agent: who received its first customer message); shops must agree when both given.
    if orders_path:
        refunded = set()
        cases_path = orders_path.replace("orders.csv", "aftersales.csv")
        try:
            with open(cases_path, encoding="utf-8-sig", newline="") as f:
                for c in csv.DictReader(f):
                    if c["type"] in ("refund_only", "return_refund") and float(c["refund_amount"]) > 0:
                        refunded.add(c["order_id"])
        except FileNotFoundError:
            pass
        with open(orders_path, encoding="utf-8-sig", newline="") as f:
            for o in csv.DictReader(f):
                created = datetime.strptime(o["created_at"], "%Y-%m-%d %H:%M:%S")
                agent = T(o["agent_id"]) if o.get("agent_id") else None
                if agent is None:
                    best = None
                    for s in sessions:
                        start = s[0][1]
                        if s[0][5] != o["customer_id"] or not (0 <= (created - start).total_seconds() <= WINDOW):
                            continue
                        if o.get("shop") and s[0][6] and s[0][6] != o["shop"]:
                            continue
                        if best is None or start >= best[0][1]:
                            best = s
                    if best is not None:
                        first_customer = [m for m in best if m[3] == "customer"]
                        agent = (first_customer or best)[0][4]
                if agent is None:
                    continue
                a = agg[agent]
                a["orders"] += 1
                a["orderers"].add(o["customer_id"])
                if o["paid_at"]:
                    a["paid_orders"] += 1
                    a["refunded"] += o["order_id"] in refunded
                    a["sales"] += float(o["amount"])
                    a["payers"].add(o["customer_id"])
                else:
                    a["unpaid"] += 1

    # Satisfaction: a rating belongs to the agent's session (one with a message carrying its id) with the customer
    # that was open at the rating, else the last before it; with no agent named, to the customer's session, and then
    # to that session's agent (who received its first customer message).
    ratings_path = path.replace("messages.csv", "ratings.csv")
    try:
        with open(ratings_path, encoding="utf-8-sig", newline="") as f:
            ratings = list(csv.DictReader(f))
    except FileNotFoundError:
        ratings = []
    words = {"很满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1}
    for r in ratings:
        at = datetime.strptime(r["rated_at"], "%Y-%m-%d %H:%M:%S")
        stars = words.get(r["rating"]) or int(r["rating"])
        agent = T(r["agent_id"]) if r["agent_id"] else None
        mine = [s for s in sessions if s[0][5] == r["customer_id"] and s[0][1] <= at
                and (agent is None or any(m[4] == agent for m in s))]
        open_now = [s for s in mine if s[-1][1] >= at]
        chosen = max(open_now, key=lambda s: s[0][1]) if open_now else max(mine, key=lambda s: s[-1][1], default=None)
        if agent is None and chosen is not None:
            agent = ([m for m in chosen if m[3] == "customer"] or chosen)[0][4]
        if agent is not None:
            agg[agent]["ratings"].append(stars)

    out = [["agent_id", "sessions", "customers", "turns", "unanswered_turns", "offhours_turns",
                "avg_response_secs", "median_response_secs", "p90_response_secs", "first_response_secs",
                "within_target_rate", "reply_30s_rate", "qa_ratio", "inquiries", "paid_customers", "conversion_rate",
                "orders", "sales_amount", "avg_order_value", "unpaid_orders", "refund_rate", "offhours_reply_rate",
                "human_3min_rate", "ordering_customers", "lost_customers", "order_rate", "payment_rate",
                "transfers_in", "transfers_out", "max_concurrent", "active_hours", "ratings", "satisfied_rate",
                "dissatisfied_rate"]]
    for agent in sorted(agg):
        a = agg[agent]
        if not a["sessions"]:
            continue  # credited by orders.csv only, never in the chats: not a scorecard row
        paid = a["payers"] & a["inquiries"]
        ordering = a["orderers"] & a["inquiries"]
        c = a["capped"]
        n = len(c)
        out.append([agent, len(a["sessions"]), len(a["customers"]), n, a["unanswered"], a["offhours"],
                    sum(c) / n if n else "", quantile(c, 0.5) if n else "", quantile(c, 0.9) if n else "",
                    sum(a["first"]) / len(a["first"]) if a["first"] else "",
                    a["within"] / n if n else "", a["within30"] / n if n else "",
                    a["agent_msgs"] / a["customer_msgs"] if a["customer_msgs"] else "", len(a["inquiries"]),
                    len(paid), len(paid) / len(a["inquiries"]) if a["inquiries"] else "", a["orders"], a["sales"],
                    a["sales"] / len(a["payers"]) if a["payers"] else "", a["unpaid"],
                    a["refunded"] / a["paid_orders"] if a["paid_orders"] else "",
                    a["offhours_replied"] / a["offhours"] if a["offhours"] else "",
                    a["first_3min"] / len(a["first"]) if a["first"] else "",
                    len(ordering), len(a["inquiries"] - ordering),
                    len(ordering) / len(a["inquiries"]) if a["inquiries"] else "",
                    len(paid) / len(ordering) if ordering else "",
                    a["t_in"], a["t_out"], most_open(a["open"]), active_secs(a["own"]) / 3600, len(a["ratings"]),
                    sum(x >= 4 for x in a["ratings"]) / len(a["ratings"]) if a["ratings"] else "",
                    sum(x <= 2 for x in a["ratings"]) / len(a["ratings"]) if a["ratings"] else ""])
    return out


def teams(path, orders_path, teams_path):
    """The rows of `main` per team; max_concurrent and active_hours combine the agents' own (SPEC §8)."""
    named = {}
    with open(teams_path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            named[r["agent_id"]] = r["team"]
    team_of = lambda a: named.get(a) or named.get(a.split(":")[-1]) or "未分组"
    by_agent = main(path, orders_path)
    out = main(path, orders_path, team_of)
    head = out[0]
    mc, ah = head.index("max_concurrent"), head.index("active_hours")
    for row in out[1:]:
        mine = [a for a in by_agent[1:] if team_of(a[0]) == row[0]]
        row[mc] = max(a[mc] for a in mine)
        row[ah] = sum(a[ah] for a in mine)
    out[0] = ["team"] + head[1:]
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    teams_path = None
    if "--teams" in args:
        at = args.index("--teams")
        teams_path = args[at + 1]
        del args[at:at + 2]
    orders = args[1] if len(args) > 1 else None
    rows = teams(args[0], orders, teams_path) if teams_path else main(args[0], orders)
    csv.writer(sys.stdout).writerows(rows)
