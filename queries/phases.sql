-- phases.csv: one row per promotion phase of kefu.toml ([[phases]]), the team's headline figures in it (SPEC §3).
-- Everything falls in the phase of its day: a session by its start, a turn by its start, a message by its time, an
-- order by its creation, a case by its opening. Definitions as in the scorecard, over the whole team:
--   sessions, customers   sessions started in the phase; distinct customers who wrote in it (inquiries)
--   turns ...             counted turns (business hours) and their response figures, capped as everywhere
--   paid_customers        customers who wrote in the phase and have a paid order created in it credited to an agent
--   conversion_rate       paid_customers ÷ customers
--   orders, paid_orders, sales_amount, silent_orders, unpaid_orders   orders created in the phase
--   top_unpaid_reason     the most frequent reason among the phase's unpaid orders (ties: first by name)
--   violations, penalty_points   rule hits in the phase
--   refund_cases, refund_amount, complaints, disputes   after-sales cases opened in the phase
WITH s AS (
    SELECT phase, COUNT(*) AS sessions
    FROM sessions
    WHERE phase IS NOT NULL
    GROUP BY phase
),
cw AS (
    SELECT DISTINCT phase, customer_id
    FROM messages
    WHERE phase IS NOT NULL AND sender = 'customer'
),
c AS (
    SELECT phase, COUNT(*) AS customers
    FROM cw
    GROUP BY phase
),
pc AS (
    SELECT orders.phase, COUNT(DISTINCT orders.customer_id) AS paid_customers
    FROM orders
    JOIN cw ON orders.phase = cw.phase AND orders.customer_id = cw.customer_id
    WHERE orders.paid AND orders.agent_id IS NOT NULL
    GROUP BY orders.phase
),
t AS (
    SELECT
        phase,
        COUNT(*) AS turns,
        SUM(CASE WHEN answered THEN 0 ELSE 1 END) AS unanswered_turns,
        AVG(capped_secs) AS avg_response_secs,
        MEDIAN(capped_secs) AS median_response_secs,
        QUANTILE_CONT(capped_secs, 0.9) AS p90_response_secs,
        AVG(CASE WHEN within_target THEN 1.0 ELSE 0.0 END) AS within_target_rate
    FROM turns
    WHERE in_hours AND phase IS NOT NULL
    GROUP BY phase
),
o AS (
    SELECT
        phase,
        COUNT(*) AS orders,
        SUM(CASE WHEN paid THEN 1 ELSE 0 END) AS paid_orders,
        SUM(CASE WHEN paid THEN amount ELSE 0.0 END) AS sales_amount,
        SUM(CASE WHEN attribution = 'silent' THEN 1 ELSE 0 END) AS silent_orders,
        SUM(CASE WHEN paid THEN 0 ELSE 1 END) AS unpaid_orders
    FROM orders
    WHERE phase IS NOT NULL
    GROUP BY phase
),
v AS (
    SELECT phase, COUNT(*) AS violations, SUM(penalty_points) AS penalty_points
    FROM violations
    WHERE phase IS NOT NULL
    GROUP BY phase
),
rc AS (
    SELECT phase, reason, COUNT(*) AS n
    FROM unpaid
    WHERE phase IS NOT NULL
    GROUP BY phase, reason
),
rmax AS (
    SELECT phase, MAX(n) AS n FROM rc GROUP BY phase
),
topr AS (
    SELECT rc.phase, MIN(rc.reason) AS top_unpaid_reason
    FROM rc
    JOIN rmax ON rc.phase = rmax.phase AND rc.n = rmax.n
    GROUP BY rc.phase
),
a AS (
    SELECT
        phase,
        SUM(CASE WHEN type IN ('refund_only', 'return_refund') AND refund_amount > 0 THEN 1 ELSE 0 END) AS refund_cases,
        SUM(CASE WHEN type IN ('refund_only', 'return_refund') AND refund_amount > 0 THEN refund_amount ELSE 0.0 END)
            AS refund_amount,
        SUM(CASE WHEN type = 'complaint' THEN 1 ELSE 0 END) AS complaints,
        SUM(CASE WHEN platform_intervened THEN 1 ELSE 0 END) AS disputes
    FROM aftersales
    WHERE phase IS NOT NULL
    GROUP BY phase
)
SELECT
    phases.phase,
    phases.start,
    phases.end,
    COALESCE(s.sessions, 0) AS sessions,
    COALESCE(c.customers, 0) AS customers,
    COALESCE(t.turns, 0) AS turns,
    COALESCE(t.unanswered_turns, 0) AS unanswered_turns,
    t.avg_response_secs,
    t.median_response_secs,
    t.p90_response_secs,
    t.within_target_rate,
    COALESCE(pc.paid_customers, 0) AS paid_customers,
    CASE WHEN c.customers > 0 THEN CAST(COALESCE(pc.paid_customers, 0) AS DOUBLE) / c.customers END AS conversion_rate,
    COALESCE(o.orders, 0) AS orders,
    COALESCE(o.paid_orders, 0) AS paid_orders,
    COALESCE(o.sales_amount, 0.0) AS sales_amount,
    COALESCE(o.silent_orders, 0) AS silent_orders,
    COALESCE(o.unpaid_orders, 0) AS unpaid_orders,
    topr.top_unpaid_reason,
    COALESCE(v.violations, 0) AS violations,
    COALESCE(v.penalty_points, 0.0) AS penalty_points,
    COALESCE(a.refund_cases, 0) AS refund_cases,
    COALESCE(a.refund_amount, 0.0) AS refund_amount,
    COALESCE(a.complaints, 0) AS complaints,
    COALESCE(a.disputes, 0) AS disputes
FROM phases
LEFT JOIN s ON phases.phase = s.phase
LEFT JOIN c ON phases.phase = c.phase
LEFT JOIN pc ON phases.phase = pc.phase
LEFT JOIN t ON phases.phase = t.phase
LEFT JOIN o ON phases.phase = o.phase
LEFT JOIN v ON phases.phase = v.phase
LEFT JOIN topr ON phases.phase = topr.phase
LEFT JOIN a ON phases.phase = a.phase
ORDER BY phases.start, phases.phase
