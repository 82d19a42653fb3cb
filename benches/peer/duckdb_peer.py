"""The DuckDB peer and the floors of BENCHMARKS.md (issue 30), over one input folder's messages.csv.

    python3 duckdb_peer.py response INPUT_DIR   # a third of kefu's job: the response figures per agent
    python3 duckdb_peer.py parse INPUT_DIR      # the floor: every field of every row read, nothing computed
    python3 duckdb_peer.py write REPORTS_DIR    # the floor of writing kefu's three largest reports

`response` is what an analyst fluent in SQL would write for SPEC §3's response figures: sessions split at 30-minute
gaps within a conversation, turns (a run of customer messages answered by the next agent message; other senders
ignored), the response time of each turn capped at 600 s (an unanswered turn counts the cap), and per agent: turns,
average capped response, share within 20 s. No business hours, phases, rejects, encodings or text. `parse` makes
DuckDB parse every column (each appears in an aggregate, so projection pushdown cannot skip it): the fastest any
reader of this CSV can be on this machine. `write` loads a kefu report folder's three largest CSVs (sessions,
violations, lost_inquiries: nine tenths of its bytes) into memory, untimed, then times writing them out as CSV: about
the least a program producing these reports spends on formatting and writing them. Each uses DuckDB's own
threads (all cores) and prints JSON.
pip install duckdb
"""
import json
import sys
import tempfile
import time

import duckdb

RESPONSE = """
WITH m AS (
    SELECT conversation_id, CAST(timestamp AS TIMESTAMP) AS ts, agent_id, sender,
           row_number() OVER () AS seq
    FROM read_csv('{path}', header = true, all_varchar = true)
    WHERE sender IN ('customer', 'agent')
), gaps AS (
    SELECT *, CASE WHEN lag(ts) OVER w IS NULL OR epoch(ts - lag(ts) OVER w) > 1800 THEN 1 ELSE 0 END AS new_session
    FROM m WINDOW w AS (PARTITION BY conversation_id ORDER BY ts, seq)
), sess AS (
    SELECT *, sum(new_session) OVER (PARTITION BY conversation_id ORDER BY ts, seq) AS session
    FROM gaps
), starts AS (
    SELECT *, CASE WHEN sender = 'customer' AND coalesce(lag(sender) OVER w, '') <> 'customer' THEN 1 ELSE 0 END
           AS turn_start
    FROM sess WINDOW w AS (PARTITION BY conversation_id, session ORDER BY ts, seq)
), turns AS (
    SELECT *, sum(turn_start) OVER (PARTITION BY conversation_id, session ORDER BY ts, seq) AS turn
    FROM starts
), answered AS (
    SELECT conversation_id, session, turn,
           min(CASE WHEN turn_start = 1 THEN ts END) AS asked,
           arg_min(CASE WHEN turn_start = 1 THEN agent_id END, CASE WHEN turn_start = 1 THEN 0 ELSE 1 END) AS agent_id,
           min(CASE WHEN sender = 'agent' THEN ts END) AS answered
    FROM turns WHERE turn > 0
    GROUP BY conversation_id, session, turn
)
SELECT agent_id, count(*) AS turns,
       avg(least(coalesce(epoch(answered - asked), 600), 600)) AS avg_response_secs,
       avg(CASE WHEN epoch(answered - asked) <= 20 THEN 1.0 ELSE 0.0 END) AS within_target_rate
FROM answered GROUP BY agent_id ORDER BY agent_id
"""

PARSE = """
SELECT count(*) AS rows, max(conversation_id), max(timestamp), max(shop), max(customer_id), max(agent_id),
       max(sender), sum(length(text)), max(order_id)
FROM read_csv('{path}', header = true, all_varchar = true)
"""


WRITTEN = ("sessions", "violations", "lost_inquiries")


def write(reports):
    """Seconds DuckDB takes to write the reports of `WRITTEN` (loaded first, untimed) as CSV with a header."""
    con = duckdb.connect()
    for name in WRITTEN:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{reports}/{name}.csv', header = true)")
    with tempfile.TemporaryDirectory() as out:
        t = time.time()
        for name in WRITTEN:
            con.execute(f"COPY {name} TO '{out}/{name}.csv' (HEADER)")
        return time.time() - t


def main():
    mode, src = sys.argv[1], sys.argv[2]
    if mode == "write":
        print(json.dumps({"mode": mode, "secs": round(write(src), 3)}))
        return
    sql = {"response": RESPONSE, "parse": PARSE}[mode].format(path=f"{src}/messages.csv")
    t = time.time()
    rows = duckdb.connect().execute(sql).fetchall()
    print(json.dumps({"mode": mode, "rows_out": len(rows), "secs": round(time.time() - t, 3)}))


if __name__ == "__main__":
    main()
