-- sessions.csv: one row per session (SPEC §4).
-- turns / response figures count only turns that start in business hours (turns.in_hours);
-- first_response_secs is the capped response of the session's first counted turn.
-- refund_intent / complaint_intent: the customer's words show it (lexicon intents.toml; docs/definitions.md);
-- topic: the hot-issue category its words are mostly about (SPEC §3; lexicon topics.toml), 其他 when the evidence is
-- thin; topic_score: the winning category's weighted total (for 其他, the best total, under the lexicon's min_score);
-- violations: rule hits in the session.
-- turns, first_response_secs, avg_response_secs, unanswered_turns are columns of the sessions table (counted in one
-- pass when the tables are built, tables/mod.rs: the same figures as grouping the turns table by session, without
-- grouping 3.7 million turns and joining them back at 10 M messages).
SELECT
    session_id,
    conversation_id,
    shop,
    agent_id,
    customer_id,
    start,
    "end",
    customer_messages,
    agent_messages,
    bot_messages,
    turns,
    first_response_secs,
    avg_response_secs,
    unanswered_turns,
    refund_intent,
    complaint_intent,
    topic,
    topic_score,
    violations,
    phase
FROM sessions
ORDER BY start, session_id
