-- _agent_periods (intermediate, not written): every scorecard figure per agent and period, where period is 'all'
-- (the whole data: agent_scorecard.csv) or an ISO week (weekly_agents.csv). One definition serves both files.
-- A message, turn or violation falls in the week of its time; an order in the week it was created; a case in the
-- week it was opened. Definitions (SPEC §3; docs/definitions.md):
--   sessions            sessions in which the agent has a message (sent or received)
--   customers           distinct customers of those messages
--   turns               turns received by the agent that start in business hours
--   unanswered_turns    of those, turns with no agent answer before the session ended
--   offhours_turns      turns received outside business hours (留言), not in the response figures
--   avg/median/p90      over capped response times (cap for unanswered); median and p90 interpolate linearly
--   offhours_reply_rate off-hours turns replied by an agent of the conversation (in any later session) by business
--                       hours' next opening + offhours_reply_hours ÷ off-hours turns (留言回复率, SPEC §8)
--   first_response_secs mean, over the agent's receptions (the sessions where it owns a counted turn), of the capped
--                       response of the first counted turn it owns there: a customer transferred to the agent is a
--                       new reception (首次响应 as 赤兔 counts it, SPEC §8)
--   human_3min_rate     receptions whose first counted turn was answered within 180 s ÷ receptions (3分钟人工响应率)
--   within_target_rate  turns answered within the target ÷ counted turns
--   reply_30s_rate      turns answered within 30 s ÷ counted turns (30秒应答率, SPEC §8)
--   qa_ratio            agent messages ÷ customer messages (答问比)
--   transfers_in/out    transfers (转接) into and out of the agent: in a session, an agent message from another agent
--                       than the previous agent message, or a transcript's transfer notice (reception.rs)
--   max_concurrent      the most of the agent's sessions open at one instant, ends included (最大同时接待); per week
--                       over the sessions starting in it (agent_load, reception.rs)
--   active_hours        union of [t, t + idle_mins] over the agent's own messages, in hours (在线时长, estimated)
--   ratings             satisfaction ratings for the agent (ratings.csv / 评价 export, SPEC §8): those naming it, and
--                       those naming nobody whose session is the agent's; counted in the week of the session's start
--   satisfied_rate      很满意 + 满意 (5, 4 stars) ÷ ratings; dissatisfied_rate 不满意 + 很不满意 (2, 1) ÷ ratings
--   inquiries           customers with at least one customer message to the agent (询单人数)
--   paid_customers      of those, customers with a paid order credited to the agent (orders.agent_id)
--   conversion_rate     paid_customers ÷ inquiries (询单转化率)
--   ordering_customers  inquiring customers with an order credited to the agent; lost_customers = inquiries −
--                       ordering_customers (询单流失); order_rate = ordering ÷ inquiries; payment_rate (付款成功率)
--                       = paid ÷ ordering customers (SPEC §8 funnel)
--   orders              orders credited to the agent: its explicit agent_id, else the agent of the customer's
--                       latest session that started within the attribution window before the order; 静默下单
--                       (no such session) are credited to no one
--   sales_amount        amount of the credited orders that are paid
--   avg_order_value     客单价: sales_amount ÷ distinct customers with a paid credited order
--   unpaid_orders       credited orders not paid by the end of the data
--   reminded_orders     credited orders that got a 催付 reminder while unpaid (payments.rs: a payment_reminder
--                       message to the customer while the order was created and unpaid)
--   recovered_orders    of those, orders paid after their first reminder; recovery_rate = recovered ÷ reminded
--   top_unpaid_reason   the most frequent reason with evidence among the credited unpaid orders (ties: first by
--                       name); 未知 only when none of them has evidence
--   refund_rate         credited paid orders with a refund case (仅退款/退货退款, refund_amount > 0) ÷ credited
--                       paid orders (the agent as seller)
--   dispute_rate, complaint_rate, aftersales_score
--                       the agent as after-sales handler (_handler_periods.sql); empty when they handled no case
--   complaint_sessions_per_100  sessions with a complaint mention by the customer (投诉, 差评, 12315, 举报 …) per
--                       100 of the agent's sessions
--   violations          rule hits on messages carrying the agent's id; penalty_points and compensation sum them
--   polite_rate         share of the agent's messages using 您/请/麻烦/抱歉/感谢 (礼貌用语)
--   nin_wo_ratio        您 ÷ 我 over the agent's messages
-- Ids are joined, grouped and counted distinct through their number (session_key, customer_key, agent_key) where the
-- table is large: equal where the ids are equal, without hashing strings over millions of rows.
-- Messages are read as message_counts (counts per session, agent, customer and hour), turns as their counts per
-- capped second (response_counts, through _response_stats). Figures over messages are grouped twice, once by week
-- and once over everything as 'all', rather than grouping a copy of the table with every row doubled (a UNION ALL of
-- the table with itself). The small tables (orders, violations, unpaid) are doubled.
WITH m AS (
    SELECT
        agent_id,
        week AS period,
        COUNT(DISTINCT session_key) AS sessions,
        COUNT(DISTINCT customer_key) AS customers,
        COUNT(DISTINCT CASE WHEN customer_messages > 0 THEN customer_key END) AS inquiries,
        SUM(agent_messages) AS agent_messages,
        SUM(customer_messages) AS customer_messages,
        SUM(polite_messages) AS polite_messages,
        SUM(nin_count) AS nin_count,
        SUM(wo_count) AS wo_count
    FROM message_counts
    GROUP BY agent_id, week
    UNION ALL
    SELECT
        agent_id,
        'all' AS period,
        COUNT(DISTINCT session_key) AS sessions,
        COUNT(DISTINCT customer_key) AS customers,
        COUNT(DISTINCT CASE WHEN customer_messages > 0 THEN customer_key END) AS inquiries,
        SUM(agent_messages) AS agent_messages,
        SUM(customer_messages) AS customer_messages,
        SUM(polite_messages) AS polite_messages,
        SUM(nin_count) AS nin_count,
        SUM(wo_count) AS wo_count
    FROM message_counts
    GROUP BY agent_id
),
vi AS (
    SELECT agent_id, penalty_points, compensation, week AS period FROM violations
    UNION ALL
    SELECT agent_id, penalty_points, compensation, 'all' AS period FROM violations
),
ord AS (
    SELECT order_id, agent_id, customer_id, paid, amount, reminders, recovered, week AS period
    FROM orders WHERE agent_id IS NOT NULL
    UNION ALL
    SELECT order_id, agent_id, customer_id, paid, amount, reminders, recovered, 'all' AS period
    FROM orders WHERE agent_id IS NOT NULL
),
-- Ordering and paid customers who also wrote to the agent in the period (the funnel 询单 → 下单 → 付款): the credited
-- orders kept when such messages exist (SEMI JOIN), rather than listing every agent, customer and period of the
-- messages and joining that.
mc AS (
    SELECT agent_key, customer_key, week FROM message_counts WHERE customer_messages > 0
),
po AS (
    SELECT agent_id, agent_key, customer_key, week, paid FROM orders WHERE agent_id IS NOT NULL
),
pw AS (
    SELECT po.agent_id, po.customer_key, po.week, po.paid
    FROM po
    SEMI JOIN mc ON po.agent_key = mc.agent_key AND po.customer_key = mc.customer_key AND po.week = mc.week
),
pa AS (
    SELECT po.agent_id, po.customer_key, po.paid
    FROM po
    SEMI JOIN mc ON po.agent_key = mc.agent_key AND po.customer_key = mc.customer_key
),
c AS (
    SELECT
        agent_id,
        week AS period,
        COUNT(DISTINCT customer_key) AS ordering_customers,
        COUNT(DISTINCT CASE WHEN paid THEN customer_key END) AS paid_customers
    FROM pw
    GROUP BY agent_id, week
    UNION ALL
    SELECT
        agent_id,
        'all' AS period,
        COUNT(DISTINCT customer_key) AS ordering_customers,
        COUNT(DISTINCT CASE WHEN paid THEN customer_key END) AS paid_customers
    FROM pa
    GROUP BY agent_id
),
refunded AS (
    SELECT DISTINCT order_id
    FROM aftersales
    WHERE type IN ('refund_only', 'return_refund') AND refund_amount > 0
),
ordr AS (
    SELECT
        ord.agent_id, ord.period, ord.customer_id, ord.paid, ord.amount, ord.reminders, ord.recovered,
        CASE WHEN refunded.order_id IS NULL THEN 0 ELSE 1 END AS refunded
    FROM ord
    LEFT JOIN refunded ON ord.order_id = refunded.order_id
),
s AS (
    SELECT
        agent_id,
        period,
        COUNT(*) AS orders,
        SUM(CASE WHEN paid THEN 1 ELSE 0 END) AS paid_orders,
        SUM(CASE WHEN paid THEN amount ELSE 0.0 END) AS sales_amount,
        COUNT(DISTINCT CASE WHEN paid THEN customer_id END) AS paying_customers,
        SUM(CASE WHEN paid THEN 0 ELSE 1 END) AS unpaid_orders,
        SUM(CASE WHEN paid THEN refunded ELSE 0 END) AS refunded_orders,
        SUM(CASE WHEN reminders > 0 THEN 1 ELSE 0 END) AS reminded_orders,
        SUM(CASE WHEN recovered THEN 1 ELSE 0 END) AS recovered_orders
    FROM ordr
    GROUP BY agent_id, period
),
-- The response figures, from the turns counted per second (_response_stats.sql has their definitions).
t AS (
    SELECT * FROM _response_stats WHERE scope = 'agent'
),
-- Transfers (转接, SPEC §8): out of the agent who had the customer, into the agent who took over.
tx AS (
    SELECT from_agent AS agent_id, week AS period, 1 AS n_out, 0 AS n_in FROM transfers WHERE from_agent IS NOT NULL
    UNION ALL
    SELECT from_agent AS agent_id, 'all' AS period, 1 AS n_out, 0 AS n_in FROM transfers WHERE from_agent IS NOT NULL
    UNION ALL
    SELECT to_agent AS agent_id, week AS period, 0 AS n_out, 1 AS n_in FROM transfers
    UNION ALL
    SELECT to_agent AS agent_id, 'all' AS period, 0 AS n_out, 1 AS n_in FROM transfers
),
x AS (
    SELECT agent_id, period, SUM(n_in) AS transfers_in, SUM(n_out) AS transfers_out FROM tx GROUP BY agent_id, period
),
v AS (
    SELECT
        agent_id,
        period,
        COUNT(*) AS violations,
        SUM(penalty_points) AS penalty_points,
        SUM(compensation) AS compensation
    FROM vi
    GROUP BY agent_id, period
),
up AS (
    SELECT agent_id, reason, week AS period FROM unpaid WHERE agent_id IS NOT NULL
    UNION ALL
    SELECT agent_id, reason, 'all' AS period FROM unpaid WHERE agent_id IS NOT NULL
),
rc AS (
    SELECT agent_id, period, reason, COUNT(*) AS n
    FROM up
    GROUP BY agent_id, period, reason
),
rk AS (
    SELECT agent_id, period, reason, n, CASE WHEN reason = '未知' THEN 0 ELSE 1 END AS known FROM rc
),
kmax AS (
    SELECT agent_id, period, MAX(known) AS known FROM rk GROUP BY agent_id, period
),
rmax AS (
    SELECT rk.agent_id, rk.period, rk.known, MAX(rk.n) AS n
    FROM rk
    JOIN kmax ON rk.agent_id = kmax.agent_id AND rk.period = kmax.period AND rk.known = kmax.known
    GROUP BY rk.agent_id, rk.period, rk.known
),
topr AS (
    SELECT rk.agent_id, rk.period, MIN(rk.reason) AS top_unpaid_reason
    FROM rk
    JOIN rmax ON rk.agent_id = rmax.agent_id AND rk.period = rmax.period AND rk.known = rmax.known AND rk.n = rmax.n
    GROUP BY rk.agent_id, rk.period
),
rt AS (
    SELECT agent_id, week AS period, rating FROM ratings WHERE agent_id IS NOT NULL
    UNION ALL
    SELECT agent_id, 'all' AS period, rating FROM ratings WHERE agent_id IS NOT NULL
),
sat AS (
    SELECT
        agent_id,
        period,
        COUNT(*) AS ratings,
        SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) AS satisfied,
        SUM(CASE WHEN rating <= 2 THEN 1 ELSE 0 END) AS dissatisfied
    FROM rt
    GROUP BY agent_id, period
),
complained AS (
    SELECT session_key
    FROM sessions
    WHERE complaint_intent
),
cs AS (
    SELECT message_counts.agent_id, message_counts.week, message_counts.session_key
    FROM message_counts
    JOIN complained ON message_counts.session_key = complained.session_key
),
cm AS (
    SELECT agent_id, week AS period, COUNT(DISTINCT session_key) AS complaint_sessions FROM cs GROUP BY agent_id, week
    UNION ALL
    SELECT agent_id, 'all' AS period, COUNT(DISTINCT session_key) AS complaint_sessions FROM cs GROUP BY agent_id
)
SELECT
    m.agent_id,
    m.period,
    m.sessions,
    m.customers,
    COALESCE(t.turns, 0) AS turns,
    COALESCE(t.unanswered_turns, 0) AS unanswered_turns,
    COALESCE(t.offhours_turns, 0) AS offhours_turns,
    t.offhours_reply_rate,
    t.avg_response_secs,
    t.median_response_secs,
    t.p90_response_secs,
    t.first_response_secs,
    t.human_3min_rate,
    t.within_target_rate,
    t.reply_30s_rate,
    CASE WHEN m.customer_messages > 0 THEN CAST(m.agent_messages AS DOUBLE) / m.customer_messages END AS qa_ratio,
    COALESCE(x.transfers_in, 0) AS transfers_in,
    COALESCE(x.transfers_out, 0) AS transfers_out,
    COALESCE(ld.max_concurrent, 0) AS max_concurrent,
    COALESCE(ld.active_hours, 0.0) AS active_hours,
    COALESCE(sat.ratings, 0) AS ratings,
    CASE WHEN sat.ratings > 0 THEN CAST(sat.satisfied AS DOUBLE) / sat.ratings END AS satisfied_rate,
    CASE WHEN sat.ratings > 0 THEN CAST(sat.dissatisfied AS DOUBLE) / sat.ratings END AS dissatisfied_rate,
    m.inquiries,
    COALESCE(c.ordering_customers, 0) AS ordering_customers,
    COALESCE(c.paid_customers, 0) AS paid_customers,
    m.inquiries - COALESCE(c.ordering_customers, 0) AS lost_customers,
    CASE WHEN m.inquiries > 0 THEN CAST(COALESCE(c.ordering_customers, 0) AS DOUBLE) / m.inquiries END
        AS order_rate,
    CASE WHEN c.ordering_customers > 0 THEN CAST(c.paid_customers AS DOUBLE) / c.ordering_customers END
        AS payment_rate,
    CASE WHEN m.inquiries > 0 THEN CAST(COALESCE(c.paid_customers, 0) AS DOUBLE) / m.inquiries END
        AS conversion_rate,
    COALESCE(s.orders, 0) AS orders,
    COALESCE(s.sales_amount, 0.0) AS sales_amount,
    CASE WHEN s.paying_customers > 0 THEN s.sales_amount / s.paying_customers END AS avg_order_value,
    COALESCE(s.unpaid_orders, 0) AS unpaid_orders,
    COALESCE(s.reminded_orders, 0) AS reminded_orders,
    COALESCE(s.recovered_orders, 0) AS recovered_orders,
    CASE WHEN s.reminded_orders > 0 THEN CAST(s.recovered_orders AS DOUBLE) / s.reminded_orders END AS recovery_rate,
    topr.top_unpaid_reason,
    CASE WHEN s.paid_orders > 0 THEN CAST(s.refunded_orders AS DOUBLE) / s.paid_orders END AS refund_rate,
    h.dispute_rate,
    h.complaint_rate,
    h.aftersales_score,
    100.0 * COALESCE(cm.complaint_sessions, 0) / m.sessions AS complaint_sessions_per_100,
    COALESCE(v.violations, 0) AS violations,
    COALESCE(v.penalty_points, 0.0) AS penalty_points,
    COALESCE(v.compensation, 0.0) AS compensation,
    CASE WHEN m.agent_messages > 0 THEN CAST(m.polite_messages AS DOUBLE) / m.agent_messages END AS polite_rate,
    CASE WHEN m.wo_count > 0 THEN CAST(m.nin_count AS DOUBLE) / m.wo_count END
        AS nin_wo_ratio
FROM m
LEFT JOIN t ON m.agent_id = t.agent_id AND m.period = t.period
LEFT JOIN c ON m.agent_id = c.agent_id AND m.period = c.period
LEFT JOIN s ON m.agent_id = s.agent_id AND m.period = s.period
LEFT JOIN _handler_periods h ON m.agent_id = h.agent_id AND m.period = h.period
LEFT JOIN topr ON m.agent_id = topr.agent_id AND m.period = topr.period
LEFT JOIN cm ON m.agent_id = cm.agent_id AND m.period = cm.period
LEFT JOIN v ON m.agent_id = v.agent_id AND m.period = v.period
LEFT JOIN x ON m.agent_id = x.agent_id AND m.period = x.period
LEFT JOIN agent_load ld ON m.agent_id = ld.agent_id AND m.period = ld.period
LEFT JOIN sat ON m.agent_id = sat.agent_id AND m.period = sat.period
-- Messages of a conversation that no human agent took part in (only a shop robot answered) carry no agent.
WHERE m.agent_id <> ''
ORDER BY m.agent_id, m.period
