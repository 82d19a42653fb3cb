-- agent_scorecard.csv: one row per agent (SPEC §3, §4).
--   sessions            sessions in which the agent has a message (sent or received)
--   customers           distinct customers of those sessions
--   turns               turns received by the agent that start in business hours
--   unanswered_turns    of those, turns with no agent answer before the session ended
--   offhours_turns      turns received outside business hours (留言), not in the response figures
--   avg/median/p90      over capped response times (cap for unanswered); median and p90 interpolate linearly
--   first_response_secs mean over the sessions whose first counted turn the agent received
--   within_target_rate  turns answered within the target ÷ counted turns
--   qa_ratio            agent messages ÷ customer messages (答问比)
--   inquiries           customers with at least one customer message to the agent (询单人数)
--   paid_customers      of those, customers with a paid order credited to the agent (orders.agent_id)
--   conversion_rate     paid_customers ÷ inquiries (询单转化率)
--   orders              orders credited to the agent: its explicit agent_id, else the agent of the customer's
--                       latest session that started within the attribution window before the order; 静默下单
--                       (no such session) are credited to no one
--   sales_amount        amount of the credited orders that are paid
--   avg_order_value     客单价: sales_amount ÷ distinct customers with a paid credited order
--   unpaid_orders       credited orders not paid by the end of the data
--   violations          rule hits on messages carrying the agent's id; penalty_points and compensation sum them
--   polite_rate         share of the agent's messages using 您/请/麻烦/抱歉/感谢 (礼貌用语)
--   nin_wo_ratio        您 ÷ 我 over the agent's messages
WITH m AS (
    SELECT
        agent_id,
        COUNT(DISTINCT session_id) AS sessions,
        COUNT(DISTINCT customer_id) AS customers,
        SUM(CASE WHEN sender = 'agent' THEN 1 ELSE 0 END) AS agent_messages,
        SUM(CASE WHEN sender = 'customer' THEN 1 ELSE 0 END) AS customer_messages
    FROM messages
    GROUP BY agent_id
),
inq AS (
    SELECT agent_id, COUNT(DISTINCT customer_id) AS inquiries
    FROM messages
    WHERE sender = 'customer'
    GROUP BY agent_id
),
ic AS (
    SELECT DISTINCT agent_id, customer_id
    FROM messages
    WHERE sender = 'customer'
),
c AS (
    SELECT orders.agent_id, COUNT(DISTINCT orders.customer_id) AS paid_customers
    FROM orders
    JOIN ic ON orders.agent_id = ic.agent_id AND orders.customer_id = ic.customer_id
    WHERE orders.paid
    GROUP BY orders.agent_id
),
s AS (
    SELECT
        agent_id,
        COUNT(*) AS orders,
        SUM(CASE WHEN paid THEN amount ELSE 0.0 END) AS sales_amount,
        COUNT(DISTINCT CASE WHEN paid THEN customer_id END) AS paying_customers,
        SUM(CASE WHEN paid THEN 0 ELSE 1 END) AS unpaid_orders
    FROM orders
    WHERE agent_id IS NOT NULL
    GROUP BY agent_id
),
t AS (
    SELECT
        agent_id,
        COUNT(*) AS turns,
        SUM(CASE WHEN answered THEN 0 ELSE 1 END) AS unanswered_turns,
        AVG(capped_secs) AS avg_response_secs,
        MEDIAN(capped_secs) AS median_response_secs,
        QUANTILE_CONT(capped_secs, 0.9) AS p90_response_secs,
        AVG(CASE WHEN within_target THEN 1.0 ELSE 0.0 END) AS within_target_rate
    FROM turns
    WHERE in_hours
    GROUP BY agent_id
),
f AS (
    SELECT agent_id, AVG(capped_secs) AS first_response_secs
    FROM turns
    WHERE first_in_session
    GROUP BY agent_id
),
v AS (
    SELECT
        agent_id,
        COUNT(*) AS violations,
        SUM(penalty_points) AS penalty_points,
        SUM(compensation) AS compensation
    FROM violations
    GROUP BY agent_id
),
p AS (
    SELECT
        agent_id,
        AVG(CASE WHEN polite THEN 1.0 ELSE 0.0 END) AS polite_rate,
        CASE WHEN SUM(wo_count) > 0 THEN CAST(SUM(nin_count) AS DOUBLE) / SUM(wo_count) END AS nin_wo_ratio
    FROM messages
    WHERE sender = 'agent'
    GROUP BY agent_id
),
o AS (
    SELECT agent_id, COUNT(*) AS offhours_turns
    FROM turns
    WHERE NOT in_hours
    GROUP BY agent_id
)
SELECT
    m.agent_id,
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
LEFT JOIN t ON m.agent_id = t.agent_id
LEFT JOIN f ON m.agent_id = f.agent_id
LEFT JOIN o ON m.agent_id = o.agent_id
LEFT JOIN inq ON m.agent_id = inq.agent_id
LEFT JOIN c ON m.agent_id = c.agent_id
LEFT JOIN s ON m.agent_id = s.agent_id
LEFT JOIN v ON m.agent_id = v.agent_id
LEFT JOIN p ON m.agent_id = p.agent_id
ORDER BY m.agent_id
