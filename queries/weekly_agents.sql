-- weekly_agents.csv: one row per agent and ISO week (2026-W46), with *_delta = this week − the agent's figure in
-- the calendar week before (empty when the agent had no row that week). Definitions as in agent_scorecard.sql.
WITH m AS (
    SELECT
        agent_id,
        week,
        COUNT(DISTINCT session_id) AS sessions,
        COUNT(DISTINCT customer_id) AS customers,
        SUM(CASE WHEN sender = 'agent' THEN 1 ELSE 0 END) AS agent_messages,
        SUM(CASE WHEN sender = 'customer' THEN 1 ELSE 0 END) AS customer_messages
    FROM messages
    GROUP BY agent_id, week
),
inq AS (
    SELECT agent_id, week, COUNT(DISTINCT customer_id) AS inquiries
    FROM messages
    WHERE sender = 'customer'
    GROUP BY agent_id, week
),
ic AS (
    SELECT DISTINCT agent_id, customer_id, week
    FROM messages
    WHERE sender = 'customer'
),
c AS (
    SELECT orders.agent_id, orders.week, COUNT(DISTINCT orders.customer_id) AS paid_customers
    FROM orders
    JOIN ic ON orders.agent_id = ic.agent_id AND orders.customer_id = ic.customer_id AND orders.week = ic.week
    WHERE orders.paid
    GROUP BY orders.agent_id, orders.week
),
s AS (
    SELECT
        agent_id, week,
        COUNT(*) AS orders,
        SUM(CASE WHEN paid THEN amount ELSE 0.0 END) AS sales_amount,
        COUNT(DISTINCT CASE WHEN paid THEN customer_id END) AS paying_customers,
        SUM(CASE WHEN paid THEN 0 ELSE 1 END) AS unpaid_orders
    FROM orders
    WHERE agent_id IS NOT NULL
    GROUP BY agent_id, week
),
t AS (
    SELECT
        agent_id,
        week,
        COUNT(*) AS turns,
        SUM(CASE WHEN answered THEN 0 ELSE 1 END) AS unanswered_turns,
        AVG(capped_secs) AS avg_response_secs,
        MEDIAN(capped_secs) AS median_response_secs,
        QUANTILE_CONT(capped_secs, 0.9) AS p90_response_secs,
        AVG(CASE WHEN within_target THEN 1.0 ELSE 0.0 END) AS within_target_rate
    FROM turns
    WHERE in_hours
    GROUP BY agent_id, week
),
f AS (
    SELECT agent_id, week, AVG(capped_secs) AS first_response_secs
    FROM turns
    WHERE first_in_session
    GROUP BY agent_id, week
),
v AS (
    SELECT
        agent_id, week,
        COUNT(*) AS violations,
        SUM(penalty_points) AS penalty_points,
        SUM(compensation) AS compensation
    FROM violations
    GROUP BY agent_id, week
),
p AS (
    SELECT
        agent_id, week,
        AVG(CASE WHEN polite THEN 1.0 ELSE 0.0 END) AS polite_rate,
        CASE WHEN SUM(wo_count) > 0 THEN CAST(SUM(nin_count) AS DOUBLE) / SUM(wo_count) END AS nin_wo_ratio
    FROM messages
    WHERE sender = 'agent'
    GROUP BY agent_id, week
),
o AS (
    SELECT agent_id, week, COUNT(*) AS offhours_turns
    FROM turns
    WHERE NOT in_hours
    GROUP BY agent_id, week
),
w AS (
    SELECT
        m.agent_id,
        m.week,
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
        COALESCE(c.paid_customers, 0) AS paid_customers,
        CASE WHEN inq.inquiries > 0 THEN CAST(COALESCE(c.paid_customers, 0) AS DOUBLE) / inq.inquiries END AS conversion_rate,
        COALESCE(s.orders, 0) AS orders,
        COALESCE(s.sales_amount, 0.0) AS sales_amount,
        CASE WHEN s.paying_customers > 0 THEN s.sales_amount / s.paying_customers END AS avg_order_value,
        COALESCE(s.unpaid_orders, 0) AS unpaid_orders,
        COALESCE(v.violations, 0) AS violations,
        COALESCE(v.penalty_points, 0.0) AS penalty_points,
        COALESCE(v.compensation, 0.0) AS compensation,
        p.polite_rate,
        p.nin_wo_ratio
    FROM m
    LEFT JOIN t ON m.agent_id = t.agent_id AND m.week = t.week
    LEFT JOIN f ON m.agent_id = f.agent_id AND m.week = f.week
    LEFT JOIN o ON m.agent_id = o.agent_id AND m.week = o.week
    LEFT JOIN inq ON m.agent_id = inq.agent_id AND m.week = inq.week
    LEFT JOIN c ON m.agent_id = c.agent_id AND m.week = c.week
    LEFT JOIN s ON m.agent_id = s.agent_id AND m.week = s.week
    LEFT JOIN v ON m.agent_id = v.agent_id AND m.week = v.week
    LEFT JOIN p ON m.agent_id = p.agent_id AND m.week = p.week
),
wp AS (
    SELECT w.*, weeks.prev_week
    FROM w
    JOIN weeks ON w.week = weeks.week
)
SELECT
    cur.agent_id,
    cur.week,
    cur.sessions,
    cur.customers,
    cur.turns,
    cur.unanswered_turns,
    cur.offhours_turns,
    cur.avg_response_secs,
    cur.median_response_secs,
    cur.p90_response_secs,
    cur.first_response_secs,
    cur.within_target_rate,
    cur.qa_ratio,
    cur.inquiries,
    cur.paid_customers,
    cur.conversion_rate,
    cur.orders,
    cur.sales_amount,
    cur.avg_order_value,
    cur.unpaid_orders,
    cur.violations,
    cur.penalty_points,
    cur.compensation,
    cur.polite_rate,
    cur.nin_wo_ratio,
    cur.sessions - prev.sessions AS sessions_delta,
    cur.customers - prev.customers AS customers_delta,
    cur.turns - prev.turns AS turns_delta,
    cur.unanswered_turns - prev.unanswered_turns AS unanswered_turns_delta,
    cur.offhours_turns - prev.offhours_turns AS offhours_turns_delta,
    cur.avg_response_secs - prev.avg_response_secs AS avg_response_secs_delta,
    cur.median_response_secs - prev.median_response_secs AS median_response_secs_delta,
    cur.p90_response_secs - prev.p90_response_secs AS p90_response_secs_delta,
    cur.first_response_secs - prev.first_response_secs AS first_response_secs_delta,
    cur.within_target_rate - prev.within_target_rate AS within_target_rate_delta,
    cur.qa_ratio - prev.qa_ratio AS qa_ratio_delta,
    cur.inquiries - prev.inquiries AS inquiries_delta,
    cur.paid_customers - prev.paid_customers AS paid_customers_delta,
    cur.conversion_rate - prev.conversion_rate AS conversion_rate_delta,
    cur.orders - prev.orders AS orders_delta,
    cur.sales_amount - prev.sales_amount AS sales_amount_delta,
    cur.avg_order_value - prev.avg_order_value AS avg_order_value_delta,
    cur.unpaid_orders - prev.unpaid_orders AS unpaid_orders_delta,
    cur.violations - prev.violations AS violations_delta,
    cur.penalty_points - prev.penalty_points AS penalty_points_delta,
    cur.compensation - prev.compensation AS compensation_delta,
    cur.polite_rate - prev.polite_rate AS polite_rate_delta,
    cur.nin_wo_ratio - prev.nin_wo_ratio AS nin_wo_ratio_delta
FROM wp cur
LEFT JOIN w prev ON cur.agent_id = prev.agent_id AND cur.prev_week = prev.week
ORDER BY cur.agent_id, cur.week
