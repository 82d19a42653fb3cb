-- unpaid_orders.csv: one row per order not paid by the end of the data (SPEC §3 unpaid reason).
--   agent_id    the credited agent (empty for 静默下单)
--   reason      one SPEC category: the strongest, then the latest, reason signal in the customer's messages from the
--               attribution window before or after the order (rules unpaid_* of category 未付款原因); 未知 with none
--   evidence    that message around the matched words, personal data masked; evidence_at its time
--   reminders   催付 messages sent while the order was unpaid
SELECT order_id, customer_id, agent_id, created_at, amount, reason, evidence, evidence_at, reminders, phase
FROM unpaid
ORDER BY created_at, order_id
