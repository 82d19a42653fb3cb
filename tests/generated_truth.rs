//! The response-time pipeline against the ground truth `kefu gen` plants: every turn, every agent figure.

mod common;
use common::*;
use std::collections::HashMap;

/// A small shop: three days around the peak, all in ISO week 2026-W46.
fn generated() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp =
        gen_and_report(&["--messages", "8000", "--agents", "5", "--start", "2026-11-10", "--days", "3", "--seed", "7"]);
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    (tmp, data, out)
}

fn secs_of_day(ts: &str) -> i64 {
    let t = &ts[11..];
    let p: Vec<i64> = t.split(':').map(|x| x.parse().unwrap()).collect();
    p[0] * 3600 + p[1] * 60 + p[2]
}

#[test]
fn every_planted_turn_is_found_with_its_response_time() {
    let (tmp, data, _) = generated();
    std::fs::write(
        tmp.path().join("turns.sql"),
        "SELECT session_id, turn_no, agent_id, start, response_secs FROM turns ORDER BY session_id, turn_no",
    )
    .unwrap();
    let q = kefu_ok(tmp.path(), &["query", "data", "turns.sql"]);
    let got: HashMap<(String, String), Row> =
        parse_csv(&q.stdout).into_iter().map(|r| ((r["session_id"].clone(), r["turn_no"].clone()), r)).collect();
    let truth = read_csv(&data.join("truth/turns.csv"));
    assert!(truth.len() > 1000, "only {} planted turns", truth.len());
    assert_eq!(got.len(), truth.len(), "kefu found a different number of turns than were planted");
    for t in &truth {
        let key = (format!("{}#{}", t["conversation_id"], t["session_no"]), t["turn_no"].clone());
        let g = got.get(&key).unwrap_or_else(|| panic!("planted turn {key:?} not found"));
        assert_eq!(g["agent_id"], t["agent_id"], "{key:?}");
        assert_eq!(g["start"], t["start"], "{key:?}");
        assert_eq!(g["response_secs"], t["response_secs"], "{key:?}");
    }
}

#[test]
fn scorecard_agrees_with_figures_computed_from_the_truth() {
    let (_tmp, data, out) = generated();
    let (cap, target) = (600.0, 20.0);
    let truth = read_csv(&data.join("truth/turns.csv"));
    // Per agent: counted turns (business hours 08–23), unanswered, off-hours, capped responses, within target.
    #[derive(Default)]
    struct Agg {
        turns: u64,
        unanswered: u64,
        offhours: u64,
        capped: Vec<f64>,
        within: u64,
    }
    let mut by: HashMap<String, Agg> = HashMap::new();
    for t in &truth {
        let a = by.entry(t["agent_id"].clone()).or_default();
        let sod = secs_of_day(&t["start"]);
        if !(8 * 3600..23 * 3600).contains(&sod) {
            a.offhours += 1;
            continue;
        }
        a.turns += 1;
        match t["response_secs"].as_str() {
            "" => {
                a.unanswered += 1;
                a.capped.push(cap);
            }
            r => {
                let r: f64 = r.parse().unwrap();
                a.capped.push(r.min(cap));
                if r <= target {
                    a.within += 1;
                }
            }
        }
    }
    let card = read_csv(&out.join("agent_scorecard.csv"));
    assert_eq!(card.len(), 5);
    for row in &card {
        let a = &by[&row["agent_id"]];
        assert_eq!(num(row, "turns") as u64, a.turns, "{}", row["agent_id"]);
        assert_eq!(num(row, "unanswered_turns") as u64, a.unanswered);
        assert_eq!(num(row, "offhours_turns") as u64, a.offhours);
        let avg = a.capped.iter().sum::<f64>() / a.capped.len() as f64;
        assert!((num(row, "avg_response_secs") - avg).abs() < 0.01, "avg {} vs {avg}", row["avg_response_secs"]);
        let mut v = a.capped.clone();
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let x = p * (v.len() - 1) as f64;
            let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (x - lo as f64)
        };
        assert!((num(row, "median_response_secs") - q(0.5)).abs() < 0.01);
        assert!((num(row, "p90_response_secs") - q(0.9)).abs() < 0.01);
        let rate = a.within as f64 / a.turns as f64;
        assert!((num(row, "within_target_rate") - rate).abs() < 0.001);
    }
}

#[test]
fn same_seed_same_bytes_and_report_is_deterministic() {
    let tmp = tempdir();
    for d in ["a", "b"] {
        kefu_ok(tmp.path(), &["gen", "--out", d, "--messages", "3000", "--days", "2", "--seed", "42"]);
    }
    for f in ["messages.csv", "orders.csv", "aftersales.csv", "kefu.toml", "truth/turns.csv"] {
        let a = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        assert!(a == b, "{f} differs between two runs with the same seed");
    }
    kefu_ok(tmp.path(), &["gen", "--out", "c", "--messages", "3000", "--days", "2", "--seed", "43"]);
    assert_ne!(
        std::fs::read(tmp.path().join("a/messages.csv")).unwrap(),
        std::fs::read(tmp.path().join("c/messages.csv")).unwrap()
    );
    // Every output but summary.json (which records the time each stage took) is byte-identical across runs and
    // thread counts: CSVs, the page and the charts.
    kefu_ok(tmp.path(), &["report", "a", "--out", "r1", "--quiet", "--threads", "1"]);
    kefu_ok(tmp.path(), &["report", "a", "--out", "r2", "--quiet", "--threads", "2"]);
    kefu_ok(tmp.path(), &["report", "a", "--out", "r3", "--quiet", "--threads", "2"]);
    let files = |d: &str| -> Vec<String> {
        files_under(&tmp.path().join(d)).into_iter().filter(|f| f != "summary.json").collect()
    };
    let names = files("r1");
    assert!(names.len() >= 20 && names.contains(&"violations.csv".to_string()), "{names:?}");
    for other in ["r2", "r3"] {
        assert_eq!(files(other), names);
        for f in &names {
            let a = std::fs::read(tmp.path().join("r1").join(f)).unwrap();
            let b = std::fs::read(tmp.path().join(other).join(f)).unwrap();
            assert!(a == b, "{f} differs between --threads 1 and {other} (--threads 2)");
        }
    }
}

#[test]
fn weekly_figures_of_a_single_week_equal_the_scorecard() {
    // Both files are views of _agent_scored (one definition per figure); this checks the week split loses nothing:
    // every scorecard column is in the weekly file, and one week's figures are the whole data's.
    let (_tmp, _, out) = generated();
    let card = read_csv(&out.join("agent_scorecard.csv"));
    let weekly = read_csv(&out.join("weekly_agents.csv"));
    assert!(weekly.iter().all(|w| w["week"] == "2026-W46"));
    assert_eq!(card.len(), weekly.len());
    for (c, w) in card.iter().zip(&weekly) {
        for col in header(&out.join("agent_scorecard.csv")) {
            assert_eq!(c[&col], w[&col], "{col} of {}", c["agent_id"]);
        }
        assert!(w["turns_delta"].is_empty(), "no previous week, no delta");
    }
}

/// SPEC §8 at 100 k messages: every transfer `kefu gen` plants (a system message `甲将会话转接给乙`, after which
/// the new agent answers) is counted once, out of the one agent and into the other, and nothing else is.
#[test]
fn planted_transfers_are_counted_once_each() {
    let tmp = gen_and_report(&["--messages", "100000", "--seed", "12"]);
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    let planted = read_csv(&data.join("truth/transfers.csv"));
    assert!(planted.len() > 50, "the generator plants transfers: {}", planted.len());
    let mut want: HashMap<String, (u64, u64)> = HashMap::new();
    for t in &planted {
        want.entry(t["from_agent"].clone()).or_default().1 += 1;
        want.entry(t["to_agent"].clone()).or_default().0 += 1;
    }
    let card = read_csv(&out.join("agent_scorecard.csv"));
    for r in &card {
        let (i, o) = want.get(&r["agent_id"]).copied().unwrap_or_default();
        assert_eq!(num(r, "transfers_in") as u64, i, "{} transfers_in", r["agent_id"]);
        assert_eq!(num(r, "transfers_out") as u64, o, "{} transfers_out", r["agent_id"]);
    }
    let total: f64 = card.iter().map(|r| num(r, "transfers_in")).sum();
    assert_eq!(total as usize, planted.len());
}

/// SPEC §8 at 100 k messages: every planted satisfaction rating is joined to the session it was planted after (the
/// agent's session, or with no agent named the customer's, open or last before the rating), and each agent's
/// ratings, satisfied_rate and dissatisfied_rate agree with the truth's counts.
#[test]
fn planted_ratings_join_their_session_and_count_for_its_agent() {
    let tmp = gen_and_report(&["--messages", "100000", "--seed", "12"]);
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    let truth = read_csv(&data.join("truth/ratings.csv"));
    assert!(truth.len() > 1000, "{} planted ratings", truth.len());
    let got = query(tmp.path(), "data", "SELECT customer_id, rated_at, agent_id, session_id, rating FROM ratings");
    assert_eq!(got.len(), truth.len());
    let key = |r: &Row| (r["customer_id"].clone(), r["rated_at"].clone(), r["rating"].clone());
    let got: HashMap<_, &Row> = got.iter().map(|r| (key(r), r)).collect();
    let same = truth
        .iter()
        .filter(|t| {
            got.get(&key(t)).is_some_and(|g| g["session_id"] == t["session_id"] && g["agent_id"] == t["agent_id"])
        })
        .count();
    // A customer who came back in another conversation can have a later session open: a handful at most.
    assert!(same as f64 >= 0.995 * truth.len() as f64, "{same} of {}", truth.len());
    let mut want: HashMap<&str, (f64, f64, f64)> = HashMap::new();
    for t in &truth {
        let stars: u8 = t["rating"].parse().unwrap();
        let w = want.entry(t["agent_id"].as_str()).or_default();
        w.0 += 1.0;
        w.1 += f64::from(u8::from(stars >= 4));
        w.2 += f64::from(u8::from(stars <= 2));
    }
    for r in read_csv(&out.join("agent_scorecard.csv")) {
        let Some(&(n, sat, dis)) = want.get(r["agent_id"].as_str()) else { continue };
        assert!((num(&r, "ratings") - n).abs() <= 0.01 * n + 2.0, "{} ratings {} vs {n}", r["agent_id"], r["ratings"]);
        assert!((num(&r, "satisfied_rate") - sat / n).abs() < 0.01, "{} satisfied_rate", r["agent_id"]);
        assert!((num(&r, "dissatisfied_rate") - dis / n).abs() < 0.01, "{} dissatisfied_rate", r["agent_id"]);
    }
}

/// SPEC §8 at 100 k messages, against the truth and the messages themselves (not kefu's tables): agent_days.csv
/// with the generated kefu.toml's 早班 08:00–16:00 and 晚班 16:00–02:00 (the late agents answer night messages after
/// midnight, on the 晚班 of the day before), and teams.csv's turns per team from its [teams].
#[test]
fn shift_days_and_teams_agree_with_the_planted_turns() {
    let tmp = gen_and_report(&["--messages", "100000", "--seed", "12"]);
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    let shift_day = |ts: &str| -> (String, &'static str) {
        let clock = secs_of_day(ts);
        let day = chrono::NaiveDate::parse_from_str(&ts[..10], "%Y-%m-%d").unwrap();
        match clock / 3600 {
            0 | 1 => ((day - chrono::Days::new(1)).to_string(), "晚班"),
            2..=7 => (day.to_string(), "班外"),
            8..=15 => (day.to_string(), "早班"),
            _ => (day.to_string(), "晚班"),
        }
    };
    // Counted turns (business hours 08:00–23:00) and those within 20 s, per agent and shift day.
    let mut want: HashMap<(String, String, &str), (u32, u32, String)> = HashMap::new();
    for t in read_csv(&data.join("truth/turns.csv")) {
        let clock = secs_of_day(&t["start"]);
        if !(8 * 3600..23 * 3600).contains(&clock) {
            continue;
        }
        let (day, shift) = shift_day(&t["start"]);
        let w = want.entry((t["agent_id"].clone(), day, shift)).or_default();
        w.0 += 1;
        w.1 += u32::from(t["response_secs"].parse::<i64>().is_ok_and(|r| r <= 20));
    }
    // The last message each agent wrote in each shift day.
    for m in read_csv(&data.join("messages.csv")).iter().filter(|m| m["sender"] == "agent") {
        let (day, shift) = shift_day(&m["timestamp"]);
        let w = want.entry((m["agent_id"].clone(), day, shift)).or_default();
        w.2 = w.2.clone().max(m["timestamp"].clone());
    }
    let days = read_csv(&out.join("agent_days.csv"));
    let mut after_midnight = 0;
    for r in &days {
        let key = (r["agent_id"].clone(), r["date"].clone(), r["shift"].as_str());
        let w = want.get(&key).cloned().unwrap_or_default();
        assert_eq!(num(r, "turns") as u32, w.0, "{key:?} turns");
        if w.0 > 0 {
            assert!((num(r, "within_target_rate") - f64::from(w.1) / f64::from(w.0)).abs() < 0.001, "{key:?}");
        }
        assert_eq!(r["last_message_at"], w.2, "{key:?} last message");
        after_midnight += usize::from(r["shift"] == "晚班" && !r["last_message_at"].starts_with(&r["date"][..]));
    }
    assert!(after_midnight > 20, "night shifts that pass midnight: {after_midnight}");
    let planted: u32 = want.values().map(|w| w.0).sum();
    assert_eq!(days.iter().map(|r| num(r, "turns")).sum::<f64>() as u32, planted);

    // teams.csv: each team's counted turns are its agents' (售前 by full id, 售后 by sub-account name, one agent in no
    // team), from the truth.
    let toml = std::fs::read_to_string(data.join("kefu.toml")).unwrap();
    let team_of = |agent: &str| -> &'static str {
        let sub = agent.rsplit(':').next().unwrap();
        let listed = |team: &str| {
            toml.lines()
                .find(|l| l.starts_with(team))
                .is_some_and(|l| l.contains(&format!("\"{agent}\"")) || l.contains(&format!("\"{sub}\"")))
        };
        if listed("售前") {
            "售前"
        } else if listed("售后") {
            "售后"
        } else {
            "未分组"
        }
    };
    let mut turns: HashMap<&str, f64> = HashMap::new();
    for ((agent, _, _), w) in &want {
        *turns.entry(team_of(agent)).or_default() += f64::from(w.0);
    }
    let teams = read_csv(&out.join("teams.csv"));
    assert_eq!(teams.iter().map(|r| r["team"].as_str()).collect::<Vec<_>>(), ["售前", "售后", "未分组"]);
    for r in &teams {
        assert_eq!(num(r, "turns"), turns[r["team"].as_str()], "{} turns", r["team"]);
    }
}
