-- aftersales_agents.csv: one row per after-sales handler (aftersales.agent_id) over the whole data. Definitions
-- and the aftersales_score formula: _handler_periods.sql.
SELECT
    agent_id,
    cases,
    refund_cases,
    refund_amount,
    avg_handle_hours,
    same_day_rate,
    disputes,
    complaints,
    dispute_rate,
    complaint_rate,
    aftersales_score
FROM _handler_periods
WHERE period = 'all'
ORDER BY agent_id
