-- _handler_periods (intermediate, not written): after-sales figures per handler (aftersales.agent_id) and period,
-- where period is 'all' or the ISO week the case was opened. aftersales_agents.csv is the 'all' rows; the
-- scorecard and weekly_agents.csv read the handler figures of agents who also chat. A case handled by a bot or the
-- system (no human handler: agent_id null) counts for no handler.
--   cases               cases handled
--   refund_cases        仅退款/退货退款 cases with refund_amount > 0; refund_amount sums them
--   avg_handle_hours    closed_at − opened_at, over closed cases
--   same_day_rate       closed on the day they opened ÷ closed cases (今日事今日毕)
--   disputes            cases with platform_intervened (平台介入, 纠纷); dispute_rate = disputes ÷ cases
--   complaints          complaint (投诉) cases; complaint_rate = complaints ÷ cases
--   aftersales_score    0–100: 100 × Σ weight × figure ÷ Σ weight, over the figures the handler has, with
--                       figures (1 = best) 1 − dispute_rate, 1 − complaint_rate, same_day_rate, and
--                       max(0, 1 − avg_handle_hours ÷ handling_target_hours); weights [aftersales_weights] in kefu.toml
--                       (defaults disputes 0.3, complaints 0.2, same_day 0.3, handling 0.2, target 48 h)
WITH a AS (
    SELECT agent_id, type, refund_amount, platform_intervened, closed_at, handle_hours, same_day, week AS period
    FROM aftersales
    WHERE agent_id IS NOT NULL
    UNION ALL
    SELECT agent_id, type, refund_amount, platform_intervened, closed_at, handle_hours, same_day, 'all' AS period
    FROM aftersales
    WHERE agent_id IS NOT NULL
),
f AS (
    SELECT
        agent_id,
        period,
        COUNT(*) AS cases,
        SUM(CASE WHEN type IN ('refund_only', 'return_refund') AND refund_amount > 0 THEN 1 ELSE 0 END) AS refund_cases,
        SUM(CASE WHEN type IN ('refund_only', 'return_refund') AND refund_amount > 0 THEN refund_amount ELSE 0.0 END)
            AS refund_amount,
        AVG(handle_hours) AS avg_handle_hours,
        AVG(CASE WHEN closed_at IS NULL THEN NULL WHEN same_day THEN 1.0 ELSE 0.0 END) AS same_day_rate,
        SUM(CASE WHEN platform_intervened THEN 1 ELSE 0 END) AS disputes,
        SUM(CASE WHEN type = 'complaint' THEN 1 ELSE 0 END) AS complaints
    FROM a
    GROUP BY agent_id, period
),
r AS (
    SELECT
        f.*,
        CAST(disputes AS DOUBLE) / cases AS dispute_rate,
        CAST(complaints AS DOUBLE) / cases AS complaint_rate,
        CASE WHEN avg_handle_hours IS NULL THEN NULL
             WHEN avg_handle_hours >= handling_target_hours THEN 0.0
             ELSE 1.0 - avg_handle_hours / handling_target_hours END AS handling_figure,
        as_weight_disputes, as_weight_complaints, as_weight_same_day, as_weight_handling
    FROM f
    CROSS JOIN settings
)
SELECT
    agent_id,
    period,
    cases,
    refund_cases,
    refund_amount,
    avg_handle_hours,
    same_day_rate,
    disputes,
    complaints,
    dispute_rate,
    complaint_rate,
    100.0 * (
        as_weight_disputes * (1.0 - dispute_rate)
        + as_weight_complaints * (1.0 - complaint_rate)
        + COALESCE(as_weight_same_day * same_day_rate, 0.0)
        + COALESCE(as_weight_handling * handling_figure, 0.0)
    ) / (
        as_weight_disputes + as_weight_complaints
        + CASE WHEN same_day_rate IS NULL THEN 0.0 ELSE as_weight_same_day END
        + CASE WHEN handling_figure IS NULL THEN 0.0 ELSE as_weight_handling END
    ) AS aftersales_score
FROM r
ORDER BY agent_id, period
