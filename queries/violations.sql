-- violations.csv: one row per rule hit (SPEC §4, §5), in time order.
--   matched   the words that matched (masked where they are personal data)
--   excerpt   about 20 characters either side, with phone numbers, ID numbers and addresses masked
SELECT
    timestamp,
    session_id,
    agent_id,
    customer_id,
    rule_id,
    rule,
    category,
    penalty_points,
    compensation,
    matched,
    excerpt
FROM violations
ORDER BY timestamp, session_id, rule_id
