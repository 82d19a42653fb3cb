-- weekly_agents.csv: one row per agent and ISO week (2026-W46): the scorecard figures of that week (a message,
-- turn or violation in the week of its time, an order in the week it was created, a case in the week it was
-- opened; score and rank among the agents of that week), and *_delta = this week − the agent's figure in the
-- calendar week before (empty when the agent had no row that week). Definitions: _agent_periods.sql and
-- _agent_scored.sql. The line of deltas below is expanded by kefu to `cur.c - prev.c AS c_delta` for every numeric
-- column c of _agent_scored, in its order (docs/outputs.md, "SQL metrics").
SELECT
    cur.* RENAME (period AS week),
    {{deltas _agent_scored cur prev}}
FROM _agent_scored cur
JOIN weeks ON cur.period = weeks.week
LEFT JOIN _agent_scored prev ON cur.agent_id = prev.agent_id AND weeks.prev_week = prev.period
ORDER BY cur.agent_id, cur.period
