-- shops.csv: one row per shop, the shop-level order figures (SPEC §3 attribution).
--   orders / paid_orders / sales_amount   every order of the shop; sales = amount of the paid ones
--   chat_orders       credited through a chat session (the customer's latest session that started within the
--                     attribution window before the order)
--   explicit_orders   credited by the agent_id of orders.csv
--   silent_orders     静默下单: no agent given and no session in the window; silent_paid_orders and
--                     silent_sales_amount are the paid ones, silent_share = silent_orders ÷ orders
--   unpaid_orders     orders not paid by the end of the data
SELECT
    shop,
    COUNT(*) AS orders,
    SUM(CASE WHEN paid THEN 1 ELSE 0 END) AS paid_orders,
    SUM(CASE WHEN paid THEN amount ELSE 0.0 END) AS sales_amount,
    SUM(CASE WHEN attribution = 'chat' THEN 1 ELSE 0 END) AS chat_orders,
    SUM(CASE WHEN attribution = 'explicit' THEN 1 ELSE 0 END) AS explicit_orders,
    SUM(CASE WHEN attribution = 'silent' THEN 1 ELSE 0 END) AS silent_orders,
    SUM(CASE WHEN attribution = 'silent' AND paid THEN 1 ELSE 0 END) AS silent_paid_orders,
    SUM(CASE WHEN attribution = 'silent' AND paid THEN amount ELSE 0.0 END) AS silent_sales_amount,
    CAST(SUM(CASE WHEN attribution = 'silent' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS silent_share,
    SUM(CASE WHEN paid THEN 0 ELSE 1 END) AS unpaid_orders
FROM orders
GROUP BY shop
ORDER BY shop
