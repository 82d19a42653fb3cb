-- agent_scorecard.csv: one row per agent (SPEC §3, §4).
--   sessions            sessions in which the agent has a message (sent or received)
--   customers           distinct customers of those sessions
--   turns               turns received by the agent that start in business hours
--   unanswered_turns    of those, turns with no agent answer before the session ended
--   offhours_turns      turns received outside business hours (留言), not in the response figures
--   avg/median/p90      over capped response times (cap for unanswered); median and p90 interpolate linearly
--   first_response_secs mean over the sessions whose first counted turn the agent received
--   within_target_rate  turns answered within the target ÷ counted turns
--   qa_ratio            agent messages ÷ customer messages (答问比)
--   inquiries           customers with at least one customer message to the agent (询单人数)
--   violations          rule hits on messages carrying the agent's id; penalty_points and compensation sum them
--   polite_rate         share of the agent's messages using 您/请/麻烦/抱歉/感谢 (礼貌用语)
--   nin_wo_ratio        您 ÷ 我 over the agent's messages
WITH m AS (
    SELECT
        agent_id,
        COUNT(DISTINCT session_id) AS sessions,
        COUNT(DISTINCT customer_id) AS customers,
        SUM(CASE WHEN sender = 'agent' THEN 1 ELSE 0 END) AS agent_messages,
        SUM(CASE WHEN sender = 'customer' THEN 1 ELSE 0 END) AS customer_messages
    FROM messages
    GROUP BY agent_id
),
inq AS (
    SELECT agent_id, COUNT(DISTINCT customer_id) AS inquiries
    FROM messages
    WHERE sender = 'customer'
    GROUP BY agent_id
),
t AS (
    SELECT
        agent_id,
        COUNT(*) AS turns,
        SUM(CASE WHEN answered THEN 0 ELSE 1 END) AS unanswered_turns,
        AVG(capped_secs) AS avg_response_secs,
        MEDIAN(capped_secs) AS median_response_secs,
        QUANTILE_CONT(capped_secs, 0.9) AS p90_response_secs,
        AVG(CASE WHEN within_target THEN 1.0 ELSE 0.0 END) AS within_target_rate
    FROM turns
    WHERE in_hours
    GROUP BY agent_id
),
f AS (
    SELECT agent_id, AVG(capped_secs) AS first_response_secs
    FROM turns
    WHERE first_in_session
    GROUP BY agent_id
),
v AS (
    SELECT
        agent_id,
        COUNT(*) AS violations,
        SUM(penalty_points) AS penalty_points,
        SUM(compensation) AS compensation
    FROM violations
    GROUP BY agent_id
),
p AS (
    SELECT
        agent_id,
        AVG(CASE WHEN polite THEN 1.0 ELSE 0.0 END) AS polite_rate,
        CASE WHEN SUM(wo_count) > 0 THEN CAST(SUM(nin_count) AS DOUBLE) / SUM(wo_count) END AS nin_wo_ratio
    FROM messages
    WHERE sender = 'agent'
    GROUP BY agent_id
),
o AS (
    SELECT agent_id, COUNT(*) AS offhours_turns
    FROM turns
    WHERE NOT in_hours
    GROUP BY agent_id
)
SELECT
    m.agent_id,
    m.sessions,
    m.customers,
    COALESCE(t.turns, 0) AS turns,
    COALESCE(t.unanswered_turns, 0) AS unanswered_turns,
    COALESCE(o.offhours_turns, 0) AS offhours_turns,
    t.avg_response_secs,
    t.median_response_secs,
    t.p90_response_secs,
    f.first_response_secs,
    t.within_target_rate,
    CASE WHEN m.customer_messages > 0 THEN CAST(m.agent_messages AS DOUBLE) / m.customer_messages END AS qa_ratio,
    COALESCE(inq.inquiries, 0) AS inquiries,
    COALESCE(v.violations, 0) AS violations,
    COALESCE(v.penalty_points, 0.0) AS penalty_points,
    COALESCE(v.compensation, 0.0) AS compensation,
    p.polite_rate,
    p.nin_wo_ratio
FROM m
LEFT JOIN t ON m.agent_id = t.agent_id
LEFT JOIN f ON m.agent_id = f.agent_id
LEFT JOIN o ON m.agent_id = o.agent_id
LEFT JOIN inq ON m.agent_id = inq.agent_id
LEFT JOIN v ON m.agent_id = v.agent_id
LEFT JOIN p ON m.agent_id = p.agent_id
ORDER BY m.agent_id
