-- phases.csv: one row per promotion phase of kefu.toml ([[phases]]), the team's headline figures in it (SPEC §3).
-- The figures (every column of queries/_team_periods.sql, in its order) and their definitions are those of
-- _team_periods for the period 'phase:<name>'.
WITH ph AS (
    SELECT phase, start, "end", CONCAT('phase:', phase) AS period FROM phases
)
SELECT ph.phase, ph.start, ph."end", tp.* EXCLUDE (period)
FROM ph
LEFT JOIN _team_periods AS tp ON ph.period = tp.period
ORDER BY ph.start, ph.phase
