-- _team_periods: the team's headline figures per period; phases.csv and the headline of index.html read it.
-- A period is 'all' (everything in the data) or 'phase:<name>' for each promotion phase of kefu.toml ([[phases]]).
-- Every row counts in 'all' and in the phase of its day: a session by its start, a turn by its start, a message by
-- its time, an order by its creation, a case by its opening. Definitions as in the scorecard, over the whole team:
--   sessions, customers   sessions started in the period; distinct customers who wrote in it (inquiries)
--   turns ...             counted turns (business hours) and their response figures, capped as everywhere
--   reply_30s_rate        counted turns answered within 30 s ÷ counted turns (SPEC §8)
--   human_3min_rate       receptions (every agent's first counted turn in each session where it owns one, SPEC §8)
--                         answered within 180 s ÷ receptions
--   paid_customers        customers who wrote in the period and have a paid order created in it credited to an agent
--   conversion_rate       paid_customers ÷ customers
--   ordering_customers    customers who wrote in the period and have an order created in it credited to an agent;
--                         lost_customers = customers − ordering; order_rate = ordering ÷ customers; payment_rate =
--                         paid ÷ ordering (the funnel 询单 → 下单 → 付款, SPEC §8)
--   orders, paid_orders, sales_amount, silent_orders, unpaid_orders   orders created in the period
--   top_unpaid_reason     the most frequent reason with evidence among the period's unpaid orders (ties: first by
--                         name); 未知 only when no unpaid order has evidence
--   ratings, satisfied_rate, dissatisfied_rate   satisfaction ratings counted in the period (by their session's
--                         start): 很满意+满意 ÷ ratings, 不满意+很不满意 ÷ ratings (SPEC §8)
--   violations, penalty_points   rule hits in the period
--   refund_cases, refund_amount, complaints, disputes   after-sales cases opened in the period
-- Customers are counted and joined through customer_key (a number standing for customer_id) over message_counts.
-- Sessions and messages are grouped twice (by phase, and over everything as 'all') rather than doubled row by row
-- with a UNION ALL of the table with itself (see _agent_periods); turns are read as their counts per capped second
-- (response_counts, through _response_stats).
WITH periods AS (
    SELECT DISTINCT 'all' AS period FROM settings
    UNION ALL
    SELECT CONCAT('phase:', phase) AS period FROM phases
),
s AS (
    SELECT CONCAT('phase:', phase) AS period, COUNT(*) AS sessions FROM sessions WHERE phase IS NOT NULL GROUP BY phase
    UNION ALL
    SELECT 'all' AS period, COUNT(*) AS sessions FROM sessions
),
c AS (
    SELECT CONCAT('phase:', phase) AS period, COUNT(DISTINCT customer_key) AS customers
    FROM message_counts
    WHERE phase IS NOT NULL AND customer_messages > 0
    GROUP BY phase
    UNION ALL
    SELECT 'all' AS period, COUNT(DISTINCT customer_key) AS customers FROM message_counts WHERE customer_messages > 0
),
op AS (
    SELECT CONCAT('phase:', phase) AS period, customer_id, agent_id, paid, amount, attribution
    FROM orders
    WHERE phase IS NOT NULL
    UNION ALL
    SELECT 'all' AS period, customer_id, agent_id, paid, amount, attribution FROM orders
),
-- Ordering and paid customers who also wrote in the period (the funnel): the credited orders kept when such a
-- message exists (SEMI JOIN), rather than listing every customer of every period and joining that.
cw AS (
    SELECT customer_key, phase FROM message_counts WHERE customer_messages > 0
),
po AS (
    SELECT customer_key, phase, paid FROM orders WHERE agent_id IS NOT NULL
),
pp AS (
    SELECT po.customer_key, po.phase, po.paid
    FROM po
    SEMI JOIN cw ON po.customer_key = cw.customer_key AND po.phase = cw.phase
),
pa AS (
    SELECT po.customer_key, po.paid FROM po SEMI JOIN cw ON po.customer_key = cw.customer_key
),
pc AS (
    SELECT
        CONCAT('phase:', phase) AS period,
        COUNT(DISTINCT customer_key) AS ordering_customers,
        COUNT(DISTINCT CASE WHEN paid THEN customer_key END) AS paid_customers
    FROM pp
    WHERE phase IS NOT NULL
    GROUP BY phase
    UNION ALL
    SELECT
        'all' AS period,
        COUNT(DISTINCT customer_key) AS ordering_customers,
        COUNT(DISTINCT CASE WHEN paid THEN customer_key END) AS paid_customers
    FROM pa
),
-- The response figures, from the turns counted per second (_response_stats.sql has their definitions).
t AS (
    SELECT * FROM _response_stats WHERE scope = 'team'
),
o AS (
    SELECT
        period,
        COUNT(*) AS orders,
        SUM(CASE WHEN paid THEN 1 ELSE 0 END) AS paid_orders,
        SUM(CASE WHEN paid THEN amount ELSE 0.0 END) AS sales_amount,
        SUM(CASE WHEN attribution = 'silent' THEN 1 ELSE 0 END) AS silent_orders,
        SUM(CASE WHEN paid THEN 0 ELSE 1 END) AS unpaid_orders
    FROM op
    GROUP BY period
),
vp AS (
    SELECT CONCAT('phase:', phase) AS period, penalty_points FROM violations WHERE phase IS NOT NULL
    UNION ALL
    SELECT 'all' AS period, penalty_points FROM violations
),
v AS (
    SELECT period, COUNT(*) AS violations, SUM(penalty_points) AS penalty_points FROM vp GROUP BY period
),
up AS (
    SELECT CONCAT('phase:', phase) AS period, reason FROM unpaid WHERE phase IS NOT NULL
    UNION ALL
    SELECT 'all' AS period, reason FROM unpaid
),
rc AS (
    SELECT period, reason, COUNT(*) AS n FROM up GROUP BY period, reason
),
rk AS (
    SELECT period, reason, n, CASE WHEN reason = '未知' THEN 0 ELSE 1 END AS known FROM rc
),
kmax AS (
    SELECT period, MAX(known) AS known FROM rk GROUP BY period
),
rmax AS (
    SELECT rk.period, rk.known, MAX(rk.n) AS n
    FROM rk
    JOIN kmax ON rk.period = kmax.period AND rk.known = kmax.known
    GROUP BY rk.period, rk.known
),
topr AS (
    SELECT rk.period, MIN(rk.reason) AS top_unpaid_reason
    FROM rk
    JOIN rmax ON rk.period = rmax.period AND rk.known = rmax.known AND rk.n = rmax.n
    GROUP BY rk.period
),
rp AS (
    SELECT CONCAT('phase:', phase) AS period, rating FROM ratings WHERE phase IS NOT NULL
    UNION ALL
    SELECT 'all' AS period, rating FROM ratings
),
sat AS (
    SELECT
        period,
        COUNT(*) AS ratings,
        SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) AS satisfied,
        SUM(CASE WHEN rating <= 2 THEN 1 ELSE 0 END) AS dissatisfied
    FROM rp
    GROUP BY period
),
ap AS (
    SELECT CONCAT('phase:', phase) AS period, type, refund_amount, platform_intervened
    FROM aftersales
    WHERE phase IS NOT NULL
    UNION ALL
    SELECT 'all' AS period, type, refund_amount, platform_intervened FROM aftersales
),
a AS (
    SELECT
        period,
        SUM(CASE WHEN type IN ('refund_only', 'return_refund') AND refund_amount > 0 THEN 1 ELSE 0 END) AS refund_cases,
        SUM(CASE WHEN type IN ('refund_only', 'return_refund') AND refund_amount > 0 THEN refund_amount ELSE 0.0 END)
            AS refund_amount,
        SUM(CASE WHEN type = 'complaint' THEN 1 ELSE 0 END) AS complaints,
        SUM(CASE WHEN platform_intervened THEN 1 ELSE 0 END) AS disputes
    FROM ap
    GROUP BY period
)
SELECT
    periods.period,
    COALESCE(s.sessions, 0) AS sessions,
    COALESCE(c.customers, 0) AS customers,
    COALESCE(t.turns, 0) AS turns,
    COALESCE(t.unanswered_turns, 0) AS unanswered_turns,
    t.avg_response_secs,
    t.median_response_secs,
    t.p90_response_secs,
    t.within_target_rate,
    t.reply_30s_rate,
    t.human_3min_rate,
    COALESCE(sat.ratings, 0) AS ratings,
    CASE WHEN sat.ratings > 0 THEN CAST(sat.satisfied AS DOUBLE) / sat.ratings END AS satisfied_rate,
    CASE WHEN sat.ratings > 0 THEN CAST(sat.dissatisfied AS DOUBLE) / sat.ratings END AS dissatisfied_rate,
    COALESCE(pc.ordering_customers, 0) AS ordering_customers,
    COALESCE(pc.paid_customers, 0) AS paid_customers,
    COALESCE(c.customers, 0) - COALESCE(pc.ordering_customers, 0) AS lost_customers,
    CASE WHEN c.customers > 0 THEN CAST(COALESCE(pc.ordering_customers, 0) AS DOUBLE) / c.customers END AS order_rate,
    CASE WHEN pc.ordering_customers > 0 THEN CAST(pc.paid_customers AS DOUBLE) / pc.ordering_customers END
        AS payment_rate,
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
FROM periods
LEFT JOIN s ON periods.period = s.period
LEFT JOIN c ON periods.period = c.period
LEFT JOIN pc ON periods.period = pc.period
LEFT JOIN t ON periods.period = t.period
LEFT JOIN o ON periods.period = o.period
LEFT JOIN v ON periods.period = v.period
LEFT JOIN topr ON periods.period = topr.period
LEFT JOIN a ON periods.period = a.period
LEFT JOIN sat ON periods.period = sat.period
