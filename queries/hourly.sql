-- hourly.csv: one row per calendar hour with activity (SPEC §4).
--   hour               the hour's start, local time
--   customer_messages  customer messages sent in the hour
--   turns              business-hours turns that started in the hour
--   median/p90         of their capped response times
--   active_agents      agents who sent at least one message in the hour
WITH m AS (
    SELECT
        hour_start,
        SUM(customer_messages) AS customer_messages
    FROM message_counts
    GROUP BY hour_start
),
a AS (
    SELECT hour_start, COUNT(DISTINCT agent_id) AS active_agents
    FROM message_counts
    WHERE agent_messages > 0
    GROUP BY hour_start
),
-- The response figures of the hour, from its turns counted per second (_response_stats.sql).
hs AS (
    SELECT CAST(hour_start AS VARCHAR) AS period, hour_start FROM m
),
r AS (
    SELECT * FROM _response_stats WHERE scope = 'hour'
),
t AS (
    SELECT hs.hour_start, r.turns, r.median_response_secs, r.p90_response_secs, r.within_target_rate
    FROM hs
    JOIN r ON r.period = hs.period
)
SELECT
    m.hour_start AS hour,
    m.customer_messages,
    COALESCE(t.turns, 0) AS turns,
    t.median_response_secs,
    t.p90_response_secs,
    t.within_target_rate,
    COALESCE(a.active_agents, 0) AS active_agents
FROM m
LEFT JOIN t ON m.hour_start = t.hour_start
LEFT JOIN a ON m.hour_start = a.hour_start
ORDER BY hour
