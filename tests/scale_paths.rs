//! What the scale work changed, held by tests: the default reports read `message_counts` instead of `messages` and
//! `response_counts` instead of `turns` (the counts must agree exactly, and both tables must still be there for a
//! user's query), and the tokenize-only
//! limit of BENCHMARKS.md (`examples/cut`) cuts the same messages the text stage does.

mod common;
use common::*;
use std::path::Path;

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data")
}

/// Every count of `message_counts`, summed per session, agent, customer and hour, equals counting the rows of
/// `messages` — on the shipped sample and on the real JDDC chats.
#[test]
fn message_counts_sum_to_the_messages_table() {
    let tmp = tempdir();
    let sql = tmp.path().join("diff.sql");
    std::fs::write(
        &sql,
        "WITH a AS (
            SELECT session_id, agent_id, customer_id, hour_start,
                SUM(CASE WHEN sender = 'customer' THEN 1 ELSE 0 END) AS c,
                SUM(CASE WHEN sender = 'agent' THEN 1 ELSE 0 END) AS g,
                SUM(CASE WHEN sender = 'bot' THEN 1 ELSE 0 END) AS b,
                SUM(CASE WHEN sender = 'system' THEN 1 ELSE 0 END) AS s,
                SUM(CASE WHEN sender = 'agent' AND polite THEN 1 ELSE 0 END) AS p,
                SUM(CASE WHEN sender = 'agent' THEN nin_count ELSE 0 END) AS n,
                SUM(CASE WHEN sender = 'agent' THEN wo_count ELSE 0 END) AS w
            FROM messages GROUP BY session_id, agent_id, customer_id, hour_start
        ),
        b AS (
            SELECT session_id, agent_id, customer_id, hour_start, SUM(customer_messages) AS c,
                SUM(agent_messages) AS g, SUM(bot_messages) AS b, SUM(system_messages) AS s,
                SUM(polite_messages) AS p, SUM(nin_count) AS n, SUM(wo_count) AS w
            FROM message_counts GROUP BY session_id, agent_id, customer_id, hour_start
        )
        SELECT * FROM (SELECT COUNT(*) AS groups_messages FROM a) x1
        CROSS JOIN (SELECT COUNT(*) AS rows_counts FROM message_counts) x2
        CROSS JOIN (
            SELECT COUNT(*) AS equal_groups FROM a JOIN b ON a.session_id = b.session_id AND a.agent_id = b.agent_id
                AND a.customer_id = b.customer_id AND a.hour_start = b.hour_start
            WHERE a.c = b.c AND a.g = b.g AND a.b = b.b AND a.s = b.s AND a.p = b.p AND a.n = b.n AND a.w = b.w
        ) x3
        CROSS JOIN (SELECT SUM(c + g + b + s) AS messages_counted FROM b) x4
        CROSS JOIN (SELECT COUNT(*) AS messages FROM messages) x5",
    )
    .unwrap();
    for dir in [Some(sample()), jddc_dir()].into_iter().flatten() {
        let rows = parse_csv(&kefu_ok(tmp.path(), &["query", dir.to_str().unwrap(), "diff.sql", "--quiet"]).stdout);
        let r = &rows[0];
        let n = |c: &str| num(r, c) as u64;
        assert!(n("messages") > 10_000, "{dir:?}: {r:?}");
        assert_eq!(n("messages_counted"), n("messages"), "{dir:?}: {r:?}");
        // One row per session, agent, customer and hour, and every one of them equal to counting the messages.
        assert_eq!(n("rows_counts"), n("groups_messages"), "{dir:?}: {r:?}");
        assert_eq!(n("equal_groups"), n("groups_messages"), "{dir:?}: {r:?}");
    }
}

/// Every row of `response_counts` (agent, week, phase, capped second, flags) and of `hourly_response_counts` equals
/// counting the rows of `turns` with those values, and `_response_stats`' median and p90 per agent and week, worked
/// out from the counts, equal polars' own MEDIAN and QUANTILE_CONT over the turns, to the bit — on the shipped
/// sample and on the real JDDC chats.
#[test]
fn response_counts_sum_to_the_turns_table() {
    let tmp = tempdir();
    let flags = "in_hours, answered, within_target, answered AND response_secs <= 30 AS within_30s, \
                 answered AND response_secs <= 180 AS within_3min, first_of_owner, offhours_replied";
    let same = "x.capped_secs = y.capped_secs AND x.in_hours = y.in_hours AND x.answered = y.answered \
                AND x.within_target = y.within_target AND x.within_30s = y.within_30s \
                AND x.within_3min = y.within_3min AND x.first_of_owner = y.first_of_owner \
                AND x.offhours_replied = y.offhours_replied AND x.n = y.turns";
    let sql = format!(
        "WITH t AS (SELECT agent_id, week, phase, hour_start, capped_secs, {flags} FROM turns),
        a AS (SELECT agent_id, week, COALESCE(phase, '') AS phase, capped_secs, in_hours, answered, within_target,
                within_30s, within_3min, first_of_owner, offhours_replied, COUNT(*) AS n
            FROM t GROUP BY agent_id, week, phase, capped_secs, in_hours, answered, within_target, within_30s,
                within_3min, first_of_owner, offhours_replied),
        h AS (SELECT hour_start, capped_secs, in_hours, answered, within_target, within_30s, within_3min,
                first_of_owner, offhours_replied, COUNT(*) AS n
            FROM t GROUP BY hour_start, capped_secs, in_hours, answered, within_target, within_30s, within_3min,
                first_of_owner, offhours_replied),
        rc AS (SELECT *, COALESCE(phase, '') AS ph FROM response_counts),
        q AS (SELECT agent_id, week AS period, MEDIAN(capped_secs) AS m, QUANTILE_CONT(capped_secs, 0.9) AS p
            FROM turns WHERE in_hours GROUP BY agent_id, week),
        s AS (SELECT * FROM _response_stats WHERE scope = 'agent')
        SELECT * FROM (SELECT COUNT(*) AS groups_turns FROM a) g1
        CROSS JOIN (SELECT COUNT(*) AS rows_counts FROM response_counts) g2
        CROSS JOIN (SELECT COUNT(*) AS equal_rows FROM a x JOIN rc y ON x.agent_id = y.agent_id AND x.week = y.week
            AND x.phase = y.ph AND {same}) g3
        CROSS JOIN (SELECT COUNT(*) AS hour_groups FROM h) g4
        CROSS JOIN (SELECT COUNT(*) AS hour_rows FROM hourly_response_counts) g5
        CROSS JOIN (SELECT COUNT(*) AS equal_hour_rows FROM h x JOIN hourly_response_counts y
            ON x.hour_start = y.hour_start AND {same}) g6
        CROSS JOIN (SELECT COUNT(*) AS groups_quantiles FROM q) g7
        CROSS JOIN (SELECT COUNT(*) AS equal_quantiles FROM q JOIN s ON q.agent_id = s.agent_id
            AND q.period = s.period WHERE q.m = s.median_response_secs AND q.p = s.p90_response_secs) g8"
    );
    std::fs::write(tmp.path().join("diff.sql"), sql).unwrap();
    for dir in [Some(sample()), jddc_dir()].into_iter().flatten() {
        let rows = parse_csv(&kefu_ok(tmp.path(), &["query", dir.to_str().unwrap(), "diff.sql", "--quiet"]).stdout);
        let r = &rows[0];
        let n = |c: &str| num(r, c) as u64;
        assert!(n("groups_turns") > 100 && n("hour_groups") > 100 && n("groups_quantiles") > 5, "{dir:?}: {r:?}");
        assert_eq!((n("rows_counts"), n("equal_rows")), (n("groups_turns"), n("groups_turns")), "{dir:?}: {r:?}");
        assert_eq!((n("hour_rows"), n("equal_hour_rows")), (n("hour_groups"), n("hour_groups")), "{dir:?}: {r:?}");
        assert_eq!(n("equal_quantiles"), n("groups_quantiles"), "{dir:?}: {r:?}");
    }
}

/// `messages` (and `turns`) is built for a query that reads it, even under `--queries`; a word inside a column name
/// or a comment does not count.
#[test]
fn messages_table_is_built_when_a_query_names_it() {
    use kefu::tables::Needs;
    assert!(Needs::of(["SELECT COUNT(*) FROM messages"]).messages);
    assert!(Needs::of(["select * from \"MESSAGES\""]).messages);
    assert!(!Needs::of(["SELECT SUM(customer_messages) FROM message_counts -- not messages"]).messages);
    assert!(!Needs::of(kefu::metrics::BUILTIN.iter().map(|(_, sql)| *sql)).messages, "defaults read message_counts");
    // `turns` likewise, though the counted tables have a column of that name.
    assert!(Needs::of(["SELECT agent_id FROM\n  turns WHERE in_hours"]).turns);
    assert!(Needs::of(["SELECT * FROM sessions s LEFT JOIN turns t ON s.session_id = t.session_id"]).turns);
    assert!(!Needs::of(["SELECT SUM(turns) AS turns FROM response_counts"]).turns);
    assert!(!Needs::of(["SELECT * FROM turns_by_week"]).turns);
    assert!(!Needs::of(kefu::metrics::BUILTIN.iter().map(|(_, sql)| *sql)).turns, "defaults read response_counts");

    let tmp = tempdir();
    let q = tmp.path().join("q");
    std::fs::create_dir(&q).unwrap();
    std::fs::write(
        q.join("per_sender.sql"),
        "SELECT sender, COUNT(*) AS n FROM messages GROUP BY sender ORDER BY sender",
    )
    .unwrap();
    let sample = sample();
    kefu_ok(tmp.path(), &["report", sample.to_str().unwrap(), "--out", "out", "--queries", "q", "--quiet"]);
    let rows = read_csv(&tmp.path().join("out/per_sender.csv"));
    let total: f64 = rows.iter().map(|r| num(r, "n")).sum();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("out/summary.json")).unwrap()).unwrap();
    let used = summary["files"].as_array().unwrap().iter().find(|f| f["file"] == "messages.csv").unwrap()["rows_used"]
        .as_u64()
        .unwrap();
    assert_eq!(total as u64, used);
    assert_eq!(summary["tables"]["messages"].as_u64(), Some(used));
}

/// The tokenize-only limit (`examples/cut`) cuts exactly the messages the text stage cuts: every customer and agent
/// message.
#[test]
fn the_cut_limit_cuts_the_text_stage_messages() {
    let sample = sample();
    let settings = kefu::config::Settings::default();
    let input = kefu::ingest::load_input(&sample, &settings).unwrap();
    let count = |sender: &str| read_csv(&sample.join("messages.csv")).iter().filter(|r| r["sender"] == sender).count();
    assert_eq!(kefu::detect::cut_texts(&input).len(), count("customer") + count("agent"));
}

/// The number keys the default queries join and count on (`session_key`, `customer_key`, `agent_key`) stand for
/// their id one to one in the tables that have them, on the sample and on JDDC: as many distinct keys as distinct
/// ids as distinct pairs, and the same pairs across tables (a key is one id everywhere). A key that drifted from its
/// id would change conversions and customer counts silently. (`kefu query` sees the sessions report under the name
/// `sessions`, so the derived table's keys are held by sessions.csv's turn figures, which join on them.)
#[test]
fn number_keys_stand_for_their_ids_one_to_one() {
    let tmp = tempdir();
    let pairs = [
        ("message_counts", "session_key", "session_id"),
        ("turns", "session_key", "session_id"),
        ("message_counts", "customer_key", "customer_id"),
        ("orders", "customer_key", "customer_id"),
        ("message_counts", "agent_key", "agent_id"),
        ("orders", "agent_key", "agent_id"),
    ];
    // Distinct values counted as rows of a SELECT DISTINCT, so that a null (an order credited to no agent) counts
    // alike in keys, ids and pairs.
    let one = |t: &str, k: &str, id: &str| {
        format!(
            "SELECT * FROM (SELECT '{t}.{k}' AS what) w \
             CROSS JOIN (SELECT COUNT(*) AS keys FROM (SELECT DISTINCT {k} FROM {t}) a) x1 \
             CROSS JOIN (SELECT COUNT(*) AS ids FROM (SELECT DISTINCT {id} FROM {t}) b) x2 \
             CROSS JOIN (SELECT COUNT(*) AS pairs FROM (SELECT DISTINCT {k}, {id} FROM {t}) c) x3"
        )
    };
    let sql: Vec<String> = pairs.iter().map(|(t, k, id)| one(t, k, id)).collect();
    // Across tables: message_counts and orders meet on as many customers through the key as through the id, and
    // every meeting through the key is of the same id. (Columns renamed apart: polars' SQL resolves `o.customer_id`
    // in a join of two tables that both have one to the left table's column.)
    let by_key = "FROM (SELECT DISTINCT customer_key AS m_key, customer_id AS m_id FROM message_counts) m \
        JOIN (SELECT DISTINCT customer_key AS o_key, customer_id AS o_id FROM orders) o ON m_key = o_key";
    let across = format!(
        "SELECT * FROM (SELECT 'across' AS what) w \
         CROSS JOIN (SELECT COUNT(*) AS keys {by_key}) x \
         CROSS JOIN (SELECT COUNT(*) AS ids \
             FROM (SELECT DISTINCT customer_id AS m_id FROM message_counts) m \
             JOIN (SELECT DISTINCT customer_id AS o_id FROM orders) o ON m_id = o_id) y \
         CROSS JOIN (SELECT COALESCE(SUM(CASE WHEN m_id = o_id THEN 1 ELSE 0 END), 0) AS pairs {by_key}) z"
    );
    std::fs::write(tmp.path().join("keys.sql"), format!("{}\nUNION ALL\n{across}", sql.join("\nUNION ALL\n"))).unwrap();
    for dir in [Some(sample()), jddc_dir()].into_iter().flatten() {
        let rows = parse_csv(&kefu_ok(tmp.path(), &["query", dir.to_str().unwrap(), "keys.sql", "--quiet"]).stdout);
        assert_eq!(rows.len(), pairs.len() + 1, "{dir:?}");
        for r in &rows {
            let (k, i, p) = (num(r, "keys"), num(r, "ids"), num(r, "pairs"));
            assert!(k == i && i == p, "{dir:?}: {r:?}");
        }
        assert!(num(&rows[0], "keys") > 100.0, "{dir:?}: {:?}", rows[0]);
        let across = rows.last().unwrap();
        assert!(dir != sample() || num(across, "ids") > 100.0, "the sample's buyers write and order: {across:?}");
    }
}
