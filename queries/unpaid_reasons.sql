-- unpaid_reasons.csv: one row per unpaid reason category: orders with it, their share of all unpaid orders, and
-- their amount. Most frequent first.
WITH r AS (
    SELECT reason, COUNT(*) AS orders, SUM(amount) AS amount
    FROM unpaid
    GROUP BY reason
),
n AS (
    SELECT COUNT(*) AS total FROM unpaid
)
SELECT r.reason, r.orders, CAST(r.orders AS DOUBLE) / n.total AS share, r.amount
FROM r
CROSS JOIN n
ORDER BY r.orders DESC, r.reason
