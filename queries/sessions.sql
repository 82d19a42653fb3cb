-- sessions.csv: one row per session (SPEC §4).
-- turns / response figures count only turns that start in business hours (turns.in_hours);
-- first_response_secs is the capped response of the session's first counted turn.
-- refund_intent / complaint_intent: the customer's words show it (lexicon intents.toml; docs/definitions.md);
-- topic: the hot-issue category its words are mostly about (SPEC §3; lexicon topics.toml), 其他 when the evidence is
-- thin; topic_score: the winning category's weighted total (for 其他, the best total, under the lexicon's min_score);
-- violations: rule hits in the session.
-- Turns are grouped and joined on session_key (a number standing for session_id) rather than the string.
WITH t AS (
    SELECT
        session_key,
        COUNT(*) AS turns,
        MAX(CASE WHEN first_in_session THEN capped_secs END) AS first_response_secs,
        AVG(capped_secs) AS avg_response_secs,
        SUM(CASE WHEN answered THEN 0 ELSE 1 END) AS unanswered_turns
    FROM turns
    WHERE in_hours
    GROUP BY session_key
)
SELECT
    s.session_id,
    s.conversation_id,
    s.shop,
    s.agent_id,
    s.customer_id,
    s.start,
    s."end",
    s.customer_messages,
    s.agent_messages,
    s.bot_messages,
    COALESCE(t.turns, 0) AS turns,
    t.first_response_secs,
    t.avg_response_secs,
    COALESCE(t.unanswered_turns, 0) AS unanswered_turns,
    s.refund_intent,
    s.complaint_intent,
    s.topic,
    s.topic_score,
    s.violations,
    s.phase
FROM sessions s
LEFT JOIN t ON s.session_key = t.session_key
ORDER BY s.start, s.session_id
