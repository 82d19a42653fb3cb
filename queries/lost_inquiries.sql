-- lost_inquiries.csv (询单流失, SPEC §8): one row per customer who wrote and has no order credited to an agent
-- (the `lost` table, tables/reasons.rs); as many rows as the team's lost_customers.
--   session_id, agent_id, last_message_at  the customer's last session, its agent (as in sessions.csv) and its end
--   reason      read from everything the customer wrote by the reader of the unpaid orders (the signals of the
--               未付款原因 rules): the strongest, then the latest; 未知 when the customer said none of them
--   evidence    that message around the matched words, personal data masked
-- Rows come in the lost table's order: by agent_id, last_message_at, customer_id (sorted when the table is built;
-- an ORDER BY here would sort a million rows again at 10 M messages).
SELECT customer_id, agent_id, session_id, last_message_at, reason, evidence
FROM lost
