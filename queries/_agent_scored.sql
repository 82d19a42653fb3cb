-- _agent_scored (intermediate, not written): _agent_periods plus the performance score (绩效分) and rank, per
-- period. The score is what a supervisor can recompute by hand from four 0–100 components:
--   score_response     100 × within_target_rate (the 20 s target the team works to)
--   score_conversion   100 × conversion_rate ÷ the best conversion_rate of the period (the best agent scores 100);
--                      empty when no agent converted anyone (e.g. no orders.csv)
--   score_quality      100 − penalty_points per 100 of the agent's sessions (not below 0)
--   score_aftersales   the agent's aftersales_score as a handler, else 100 × (1 − refund_rate) as a seller; empty
--                      with neither
--   score = Σ weight × component ÷ Σ weight, over the components the agent has; weights from [weights] in
--           kefu.toml (defaults response 0.3, conversion 0.3, quality 0.2, aftersales 0.2)
--   rank  = 1 + the number of agents with a higher score in the same period (ties share a rank)
WITH best AS (
    SELECT period, MAX(conversion_rate) AS best_conversion
    FROM _agent_periods
    GROUP BY period
),
k AS (
    SELECT
        a.*,
        100.0 * a.within_target_rate AS score_response,
        CASE WHEN best.best_conversion > 0 THEN 100.0 * COALESCE(a.conversion_rate, 0.0) / best.best_conversion END
            AS score_conversion,
        CASE WHEN a.penalty_points * 100.0 / a.sessions >= 100.0 THEN 0.0
             ELSE 100.0 - a.penalty_points * 100.0 / a.sessions END AS score_quality,
        COALESCE(a.aftersales_score, 100.0 * (1.0 - a.refund_rate)) AS score_aftersales
    FROM _agent_periods a
    JOIN best ON a.period = best.period
),
sc AS (
    SELECT
        k.*,
        (
            COALESCE(weight_response * score_response, 0.0)
            + COALESCE(weight_conversion * score_conversion, 0.0)
            + COALESCE(weight_quality * score_quality, 0.0)
            + COALESCE(weight_aftersales * score_aftersales, 0.0)
        ) / (
            CASE WHEN score_response IS NULL THEN 0.0 ELSE weight_response END
            + CASE WHEN score_conversion IS NULL THEN 0.0 ELSE weight_conversion END
            + CASE WHEN score_quality IS NULL THEN 0.0 ELSE weight_quality END
            + CASE WHEN score_aftersales IS NULL THEN 0.0 ELSE weight_aftersales END
        ) AS score
    FROM k
    CROSS JOIN settings
),
r AS (
    SELECT a.agent_id, a.period, 1 + SUM(CASE WHEN b.score > a.score THEN 1 ELSE 0 END) AS rank
    FROM sc a
    JOIN sc b ON a.period = b.period
    WHERE a.score IS NOT NULL
    GROUP BY a.agent_id, a.period
)
-- The columns of _agent_periods in its order, the score's components, score and rank: agent_scorecard.csv and
-- weekly_agents.csv list them in this order, so a figure added to _agent_periods appears in both.
SELECT sc.*, r.rank
FROM sc
LEFT JOIN r ON sc.agent_id = r.agent_id AND sc.period = r.period
ORDER BY sc.agent_id, sc.period
