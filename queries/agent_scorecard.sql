-- agent_scorecard.csv: one row per agent over the whole data (SPEC §3, §4): every column of _agent_scored but the
-- period. Every figure, the score and its formula are defined in _agent_periods.sql and _agent_scored.sql (the same
-- definitions give weekly_agents.csv); their Chinese names and formats are in src/figures.toml.
SELECT * EXCLUDE (period)
FROM _agent_scored
WHERE period = 'all'
ORDER BY agent_id
