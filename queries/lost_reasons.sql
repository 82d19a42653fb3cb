-- lost_reasons.csv (SPEC §8): one row per reason of the lost inquiries (lost_inquiries.csv): the customers lost with
-- it and their share of all lost customers. Most frequent first.
WITH r AS (
    SELECT reason, COUNT(*) AS customers FROM lost GROUP BY reason
),
n AS (
    SELECT COUNT(*) AS total FROM lost
)
SELECT r.reason, r.customers, CAST(r.customers AS DOUBLE) / n.total AS share
FROM r
CROSS JOIN n
ORDER BY r.customers DESC, r.reason
