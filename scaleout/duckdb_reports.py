#!/usr/bin/env python3
"""kefu's reports computed by DuckDB from a partial's tables: the queries are portable SQL (docs/scale-out.md).

PARTIAL is a folder `kefu report --partial` or `kefu merge --partial` wrote (its `tables/*.parquet` and
`manifest.json`). Every table is loaded into DuckDB; the ids a partial leaves out (its manifest's `rebuilt`:
`sessions.session_id` is its conversation, `#` and number; another table's `customer_id` is its session's customer)
are rebuilt, and the number keys (`session_key`, `customer_key`, `agent_key`) are put back as the ids themselves (a
key only has to be equal where its id is); then
the `.sql` files of QUERIES run in kefu's order, each result registered under its name as kefu does, and written as
OUT/NAME.csv (intermediates, `_`-named, too). kefu's one addition to SQL, `{{deltas TABLE CUR PREV}}`, is expanded
the way kefu expands it (metrics.rs). Numbers are DuckDB's own: `tests/partials.rs` compares them with kefu's CSVs.

Usage: python3 scaleout/duckdb_reports.py PARTIAL QUERIES OUT
Install: pip install duckdb
"""
import json
import os
import re
import sys

import duckdb

KEYS = {"session_key": "session_id", "customer_key": "customer_id", "agent_key": "agent_id"}
# The default queries in the order kefu runs them (metrics::BUILTIN); other files of QUERIES after them, by name.
ORDER = [
    "_response_stats", "_handler_periods", "_agent_periods", "_agent_scored", "_team_periods", "topics", "sessions",
    "agent_scorecard", "weekly_agents", "agent_days", "aftersales_agents", "phases", "unpaid_orders",
    "unpaid_reasons", "lost_inquiries", "lost_reasons", "hourly", "shops", "violations",
]
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def load(con, partial):
    manifest = json.load(open(os.path.join(partial, "manifest.json")))
    # `sessions` first: the ids a partial leaves out of the other tables are rebuilt from it.
    tables = sorted(manifest["tables"], key=lambda t: t["name"] != "sessions")
    for table in tables:
        name = table["name"]
        path = os.path.join(partial, "tables", name + ".parquet")
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()}
        # The ids left out because they follow from others (manifest "rebuilt", kefu's partial.rs `Rebuilt`).
        expr = {c: f't."{c}"' for c in have}
        for c in table.get("rebuilt", []):
            if name == "sessions" and c == "session_id":
                expr[c] = "t.conversation_id || '#' || CAST(t.session_no AS VARCHAR)"
            elif name != "sessions" and c == "customer_id":
                expr[c] = "(SELECT s.customer_id FROM sessions s WHERE s.session_id = t.session_id)"
            else:
                sys.exit(f"{name}: no rule rebuilds {c}")
        cols = [f'{expr[c] if c in expr else expr[KEYS[c]]} AS "{c}"' for c in table["columns"]]
        con.execute(f"CREATE TABLE \"{name}\" AS SELECT {', '.join(cols)} FROM '{path}' t")


def expand_deltas(con, sql):
    def one(m):
        table, cur, prev = m.group(1).split()
        out = []
        for col, dtype, *_ in con.execute(f"DESCRIBE \"{table}\"").fetchall():
            base = dtype.split("(")[0]
            if base.startswith("U") and base[1:] in NUMERIC:
                out.append(f"CAST({cur}.{col} AS BIGINT) - CAST({prev}.{col} AS BIGINT) AS {col}_delta")
            elif base in NUMERIC:
                out.append(f"{cur}.{col} - {prev}.{col} AS {col}_delta")
        return ",\n    ".join(out)

    return re.sub(r"\{\{deltas ([^}]*)\}\}", one, sql)


def main():
    partial, queries, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    load(con, partial)
    files = sorted(f[:-4] for f in os.listdir(queries) if f.endswith(".sql"))
    for name in [q for q in ORDER if q in files] + [f for f in files if f not in ORDER]:
        sql = expand_deltas(con, open(os.path.join(queries, name + ".sql")).read())
        con.execute(f"CREATE OR REPLACE TABLE \"{name}\" AS {sql}")
        con.execute(f"COPY \"{name}\" TO '{os.path.join(out, name + '.csv')}' (HEADER, DELIMITER ',')")
        print(name, con.execute(f"SELECT COUNT(*) FROM \"{name}\"").fetchone()[0], flush=True)


if __name__ == "__main__":
    main()
