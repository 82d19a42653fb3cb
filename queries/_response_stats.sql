-- _response_stats (intermediate, not written): the response figures of the turns (SPEC §3, §8) for every group the
-- reports show, from the turns counted per capped second (response_counts, hourly_response_counts: the derived
-- tables hold the number of turns per agent, week, phase or hour, capped second and flags, not one row per turn).
--   scope 'agent'   agent_id, and period an ISO week or 'all'; _agent_periods reads it
--   scope 'team'    agent_id '', period 'all' or 'phase:<name>'; _team_periods reads it
--   scope 'hour'    agent_id '', period the hour's start as text; hourly reads it
-- Over the counted turns (in business hours):
--   turns, unanswered_turns, avg_response_secs (mean capped response), within_target_rate, reply_30s_rate
--   median_response_secs, p90_response_secs   the value at rank (n − 1) × q of the sorted capped responses,
--       interpolated linearly between the ranks below and above it (QUANTILE_CONT): the value at rank r is the
--       smallest second whose running count of turns exceeds r
--   receptions, first_response_secs, human_3min_rate   over the first counted turn each agent owns in a session
-- Over the turns outside business hours: offhours_turns, offhours_reply_rate.
WITH h AS (
    SELECT 'agent' AS scope, agent_id, week AS period, in_hours, capped_secs, answered, within_target, within_30s,
        within_3min, first_of_owner, offhours_replied, turns
    FROM response_counts
    UNION ALL
    SELECT 'agent' AS scope, agent_id, 'all' AS period, in_hours, capped_secs, answered, within_target, within_30s,
        within_3min, first_of_owner, offhours_replied, turns
    FROM response_counts
    UNION ALL
    SELECT 'team' AS scope, '' AS agent_id, CONCAT('phase:', phase) AS period, in_hours, capped_secs, answered,
        within_target, within_30s, within_3min, first_of_owner, offhours_replied, turns
    FROM response_counts
    WHERE phase IS NOT NULL
    UNION ALL
    SELECT 'team' AS scope, '' AS agent_id, 'all' AS period, in_hours, capped_secs, answered, within_target,
        within_30s, within_3min, first_of_owner, offhours_replied, turns
    FROM response_counts
    UNION ALL
    SELECT 'hour' AS scope, '' AS agent_id, CAST(hour_start AS VARCHAR) AS period, in_hours, capped_secs, answered,
        within_target, within_30s, within_3min, first_of_owner, offhours_replied, turns
    FROM hourly_response_counts
),
groups AS (
    SELECT DISTINCT scope, agent_id, period FROM h
),
-- Counted turns per group and second, with the running count up to and including the second.
g AS (
    SELECT scope, agent_id, period, capped_secs, SUM(turns) AS n
    FROM h
    WHERE in_hours
    GROUP BY scope, agent_id, period, capped_secs
),
r AS (
    SELECT
        scope,
        agent_id,
        period,
        capped_secs,
        SUM(n) OVER (PARTITION BY scope, agent_id, period ORDER BY capped_secs) AS running,
        SUM(n) OVER (PARTITION BY scope, agent_id, period) AS total
    FROM g
),
ranks AS (
    SELECT scope, agent_id, period, capped_secs, running, (total - 1) * 0.5 AS m, (total - 1) * 0.9 AS p FROM r
),
q AS (
    SELECT
        scope,
        agent_id,
        period,
        MIN(m) AS m,
        MIN(p) AS p,
        MIN(CASE WHEN running > FLOOR(m) THEN capped_secs END) AS m_lo,
        MIN(CASE WHEN running > CEIL(m) THEN capped_secs END) AS m_hi,
        MIN(CASE WHEN running > FLOOR(p) THEN capped_secs END) AS p_lo,
        MIN(CASE WHEN running > CEIL(p) THEN capped_secs END) AS p_hi
    FROM ranks
    GROUP BY scope, agent_id, period
),
t AS (
    SELECT
        scope,
        agent_id,
        period,
        SUM(turns) AS turns,
        SUM(CASE WHEN answered THEN 0 ELSE turns END) AS unanswered_turns,
        SUM(capped_secs * turns) AS secs,
        SUM(CASE WHEN within_target THEN turns ELSE 0 END) AS within_target,
        SUM(CASE WHEN within_30s THEN turns ELSE 0 END) AS within_30s,
        SUM(CASE WHEN first_of_owner THEN turns ELSE 0 END) AS receptions,
        SUM(CASE WHEN first_of_owner THEN capped_secs * turns ELSE 0 END) AS reception_secs,
        SUM(CASE WHEN first_of_owner AND within_3min THEN turns ELSE 0 END) AS fast_receptions
    FROM h
    WHERE in_hours
    GROUP BY scope, agent_id, period
),
o AS (
    SELECT
        scope,
        agent_id,
        period,
        SUM(turns) AS offhours_turns,
        SUM(CASE WHEN offhours_replied THEN turns ELSE 0 END) AS offhours_replied
    FROM h
    WHERE NOT in_hours
    GROUP BY scope, agent_id, period
)
SELECT
    groups.scope,
    groups.agent_id,
    groups.period,
    t.turns,
    t.unanswered_turns,
    CAST(t.secs AS DOUBLE) / t.turns AS avg_response_secs,
    (q.m - FLOOR(q.m)) * CAST(q.m_hi - q.m_lo AS DOUBLE) + q.m_lo AS median_response_secs,
    (q.p - FLOOR(q.p)) * CAST(q.p_hi - q.p_lo AS DOUBLE) + q.p_lo AS p90_response_secs,
    CAST(t.within_target AS DOUBLE) / t.turns AS within_target_rate,
    CAST(t.within_30s AS DOUBLE) / t.turns AS reply_30s_rate,
    t.receptions,
    CASE WHEN t.receptions > 0 THEN CAST(t.reception_secs AS DOUBLE) / t.receptions END AS first_response_secs,
    CASE WHEN t.receptions > 0 THEN CAST(t.fast_receptions AS DOUBLE) / t.receptions END AS human_3min_rate,
    o.offhours_turns,
    CAST(o.offhours_replied AS DOUBLE) / o.offhours_turns AS offhours_reply_rate
FROM groups
LEFT JOIN t ON groups.scope = t.scope AND groups.agent_id = t.agent_id AND groups.period = t.period
LEFT JOIN q ON groups.scope = q.scope AND groups.agent_id = q.agent_id AND groups.period = q.period
LEFT JOIN o ON groups.scope = o.scope AND groups.agent_id = o.agent_id AND groups.period = o.period
