-- phases.csv: one row per promotion phase of kefu.toml ([[phases]]), the team's headline figures in it (SPEC §3).
-- The figures and their definitions are those of queries/_team_periods.sql for the period 'phase:<name>'.
WITH ph AS (
    SELECT phase, start, "end", CONCAT('phase:', phase) AS period FROM phases
)
SELECT
    ph.phase,
    ph.start,
    ph."end",
    tp.sessions,
    tp.customers,
    tp.turns,
    tp.unanswered_turns,
    tp.avg_response_secs,
    tp.median_response_secs,
    tp.p90_response_secs,
    tp.within_target_rate,
    tp.paid_customers,
    tp.conversion_rate,
    tp.orders,
    tp.paid_orders,
    tp.sales_amount,
    tp.silent_orders,
    tp.unpaid_orders,
    tp.top_unpaid_reason,
    tp.violations,
    tp.penalty_points,
    tp.refund_cases,
    tp.refund_amount,
    tp.complaints,
    tp.disputes
FROM ph
LEFT JOIN _team_periods AS tp ON ph.period = tp.period
ORDER BY ph.start, ph.phase
