-- topics.csv (SPEC §3 热点问题): one row per ISO week and session topic, over the sessions in which the customer
-- wrote: the sessions read as the topic, their share of the week's sessions, the change of that share against the
-- previous week (empty for the first week of the data; a topic absent from a week that has data counts 0 there),
-- and one masked example of what buyers asked (topic_examples: the week's highest-scoring session of the topic).
WITH asked AS (
    SELECT week, topic FROM sessions WHERE customer_messages > 0
),
counts AS (
    SELECT week, topic, COUNT(*) AS sessions FROM asked GROUP BY week, topic
),
totals AS (
    SELECT week, COUNT(*) AS total FROM asked GROUP BY week
),
shares AS (
    SELECT c.week, c.topic, c.sessions, CAST(c.sessions AS DOUBLE) / t.total AS share
    FROM counts c
    JOIN totals t ON c.week = t.week
)
SELECT s.week, s.topic, s.sessions, s.share,
       CASE WHEN pt.week IS NULL THEN NULL ELSE s.share - COALESCE(p.share, 0.0) END AS share_delta,
       e.example
FROM shares s
JOIN weeks w ON s.week = w.week
LEFT JOIN totals pt ON pt.week = w.prev_week
LEFT JOIN shares p ON p.week = w.prev_week AND p.topic = s.topic
LEFT JOIN topic_examples e ON e.week = s.week AND e.topic = s.topic
ORDER BY s.week, s.sessions DESC, s.topic
