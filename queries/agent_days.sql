-- agent_days.csv (班次, SPEC §8): one row per agent and shift day (the agent_days table, tables/reception.rs). A shift
-- day is a shift of kefu.toml's [[shifts]] on the day it started: a night shift's hours after midnight belong to
-- the day before. Hours no shift covers are 班外; without [[shifts]] every day is one 全天.
--   first_message_at, last_message_at   the agent's first and last own message in it
--   active_hours        union of [t, t + idle_mins] over those messages (估算, as in the scorecard)
--   sessions, max_concurrent   the agent's sessions starting in it, and the most of them open at once
--   turns, within_target_rate  the agent's counted turns (business hours) starting in it, and the share answered
--                       within the target
SELECT agent_id, date, shift, first_message_at, last_message_at, active_hours, sessions, turns, within_target_rate,
    max_concurrent
FROM agent_days
ORDER BY agent_id, date, slot
