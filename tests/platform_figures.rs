//! SPEC §8's figures on a hand-built shop whose every figure was worked out by hand (the arithmetic is in the
//! comments): receptions and first response with a transfer and a return, the 3-minute and 30-second rates, the
//! offline-message reply rate (an answer across midnight, one next morning within the 2-hour grace, one after it),
//! the inquiry → order → payment funnel, transfers, the most sessions open at once (two touching at one second) and
//! active time, lost inquiries with their reasons, satisfaction ratings joined to sessions (one between two sessions,
//! one naming no agent, one before any session). Default settings: business hours 08:00–23:00, sessions split after 30 minutes of silence, an agent
//! online 10 minutes after each message.

mod common;
use common::*;
use std::collections::HashMap;

const MESSAGES: &str = "\
conversation_id,timestamp,shop,customer_id,agent_id,sender,text
t1,2026-11-10 10:00:00,S,c1,S:A,customer,在吗
t1,2026-11-10 10:00:10,S,c1,S:A,agent,您好
t1,2026-11-10 10:01:00,S,c1,S:B,customer,我想问一下售后
t1,2026-11-10 10:01:40,S,c1,S:B,agent,您好，我是售后
t1,2026-11-10 10:03:00,S,c1,S:A,customer,再问一下尺码
t1,2026-11-10 10:06:20,S,c1,S:A,agent,好的
t2,2026-11-10 11:00:00,S,c2,S:A,customer,在吗
t2,2026-11-10 11:04:00,S,c2,S:A,agent,在的
t3,2026-11-10 23:30:00,S,c3,S:A,customer,还在吗
t3,2026-11-11 10:30:00,S,c3,S:A,agent,早上好，刚看到
t4,2026-11-11 07:00:00,S,c4,S:A,customer,有人吗
t4,2026-11-11 09:30:00,S,c4,S:A,agent,您好，在的
t5,2026-11-10 23:59:50,S,c5,S:B,customer,这个能退吗
t5,2026-11-11 00:00:10,S,c5,S:B,agent,可以的
t6,2026-11-10 12:00:00,S,c6,S:C,customer,在吗
t6,2026-11-10 12:05:00,S,c6,S:C,agent,在的
t7,2026-11-10 12:05:00,S,c7,S:C,customer,运费太贵了
t7,2026-11-10 12:06:00,S,c7,S:C,agent,您好
t8,2026-11-10 14:00:00,S,c8,S:C,customer,在吗
t8,2026-11-10 14:00:20,S,c8,S:C,agent,在的
t8,2026-11-10 14:01:00,S,c8,S:C,system,C将会话转接给A
";

const ORDERS: &str = "\
order_id,customer_id,shop,created_at,paid_at,amount,agent_id
O1,c1,S,2026-11-10 12:00:00,2026-11-10 12:05:00,200.00,
O2,c2,S,2026-11-10 12:00:00,,80.00,
";

// c3 rates A at 08:00, between A's two sessions with it (t3#1 at 23:30, t3#2 at 10:30): the first. c1 rates B while
// t1 is open. c6 names no agent: its last session before 12:30 is t6#1, C's. c8 rates C at 13:00, before t8 starts:
// no session, still C's rating. c2 rates A during t2.
const RATINGS: &str = "\
customer_id,agent_id,rated_at,rating
c3,S:A,2026-11-11 08:00:00,很满意
c1,S:B,2026-11-10 10:02:00,2
c6,,2026-11-10 12:30:00,一般
c8,S:C,2026-11-10 13:00:00,5
c2,S:A,2026-11-10 11:02:00,满意
";

fn run() -> (tempfile::TempDir, HashMap<String, Row>) {
    report_files(&[("messages.csv", MESSAGES), ("orders.csv", ORDERS), ("ratings.csv", RATINGS)])
}

#[test]
fn receptions_with_a_transfer_and_a_return() {
    let (_tmp, card) = run();
    let (a, b) = (&card["S:A"], &card["S:B"]);
    // t1: turn 1 owned by A (answered in 10 s), turn 2 by B (the customer's message went to B: 40 s), turn 3 by A
    // again (200 s) — A's return is not a new reception. t2: A, 240 s.
    // A's receptions: t1 (first owned turn 10 s) and t2 (240 s): first response (10 + 240) / 2 = 125; within 3
    // minutes: 1 of 2.
    close(a, "first_response_secs", 125.0);
    close(a, "human_3min_rate", 0.5);
    // B's one reception is t1, where it owns turn 2 (40 s). Counting only a session's first turn would give B none.
    close(b, "first_response_secs", 40.0);
    close(b, "human_3min_rate", 1.0);
    // Counted turns: A 10, 200, 240 s → 1 of 3 within 30 s; B 40 s → 0 of 1.
    close(a, "reply_30s_rate", 1.0 / 3.0);
    close(b, "reply_30s_rate", 0.0);
    assert_eq!(a["turns"], "3");
    assert_eq!(b["turns"], "1");
}

#[test]
fn offline_messages_are_replied_by_the_next_opening_plus_two_hours() {
    let (_tmp, card) = run();
    let (a, b) = (&card["S:A"], &card["S:B"]);
    // A's 留言: t3 at 23:30, first agent reply 10:30 next day (a later session) > 08:00 + 2 h: not in time; t4 at
    // 07:00, reply 09:30 ≤ 10:00: in time. 1 of 2.
    assert_eq!(a["offhours_turns"], "2");
    close(a, "offhours_reply_rate", 0.5);
    // B's 留言: t5 at 23:59:50, answered at 00:00:10 in the same session, across midnight: in time.
    assert_eq!(b["offhours_turns"], "1");
    close(b, "offhours_reply_rate", 1.0);
}

#[test]
fn the_funnel_from_inquiry_to_payment() {
    let (_tmp, card) = run();
    let (a, b) = (&card["S:A"], &card["S:B"]);
    // A's inquiring customers: c1, c2, c3, c4. O1 (c1, paid) and O2 (c2, unpaid) are credited to A: the agent of
    // the first customer message of each customer's latest session before the order (t1, t2).
    // Ordering 2, paid 1, lost 4 − 2 = 2; order rate 2/4, payment rate 1/2, conversion 1/4.
    assert_eq!(a["inquiries"], "4");
    assert_eq!(a["ordering_customers"], "2");
    assert_eq!(a["paid_customers"], "1");
    assert_eq!(a["lost_customers"], "2");
    close(a, "order_rate", 0.5);
    close(a, "payment_rate", 0.5);
    close(a, "conversion_rate", 0.25);
    // B: c1 and c5 asked it, no order is credited to B: both lost; no payment rate without an ordering customer.
    assert_eq!(b["inquiries"], "2");
    assert_eq!(b["ordering_customers"], "0");
    assert_eq!(b["lost_customers"], "2");
    close(b, "order_rate", 0.0);
    assert!(b["payment_rate"].is_empty());
}

#[test]
fn transfers_concurrency_and_active_time() {
    let (_tmp, card) = run();
    let (a, b, c) = (&card["S:A"], &card["S:B"], &card["S:C"]);
    // t1: A writes, then B (a transfer A → B), then A again (B → A, the return). t8: a system message hands C's
    // customer to A (the transfer notice as a canonical export writes it), though A never writes there.
    assert_eq!((a["transfers_out"].as_str(), a["transfers_in"].as_str()), ("1", "2"));
    assert_eq!((b["transfers_out"].as_str(), b["transfers_in"].as_str()), ("1", "1"));
    assert_eq!((c["transfers_out"].as_str(), c["transfers_in"].as_str()), ("1", "0"));
    // C: t6 [12:00:00, 12:05:00] and t7 [12:05:00, 12:06:00] touch at 12:05:00: two open at once; t8 is later. The
    // notice in t8 carries C's id, not A's: t8 is no session of A's.
    assert_eq!(c["max_concurrent"], "2");
    // A's six sessions (t1, t2, both sessions of t3 and of t4) never overlap; B's two neither.
    assert_eq!(a["max_concurrent"], "1");
    assert_eq!(b["max_concurrent"], "1");
    // Active: 10 minutes after each own message, merged. C: 12:05:00 and 12:06:00 → 12:05–12:16 (660 s), 14:00:20 →
    // 600 s: 1,260 s. A: 10:00:10 → 10:06:20 (370 s), 10:06:20, 11:04:00, next day 09:30:00, 10:30:00 (600 s
    // each): 2,770 s. B: 10:01:40 and 00:00:10: 1,200 s.
    close(c, "active_hours", 1260.0 / 3600.0);
    close(a, "active_hours", 2770.0 / 3600.0);
    close(b, "active_hours", 1200.0 / 3600.0);
}

#[test]
fn the_independent_implementation_agrees_on_this_shop() {
    let (tmp, card) = run();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/spec3.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(tmp.path().join("in/messages.csv"))
        .arg(tmp.path().join("in/orders.csv"))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for w in parse_csv(&out.stdout) {
        let g = &card[&w["agent_id"]];
        for c in [
            "first_response_secs",
            "human_3min_rate",
            "reply_30s_rate",
            "offhours_reply_rate",
            "ordering_customers",
            "lost_customers",
            "order_rate",
            "transfers_in",
            "transfers_out",
            "max_concurrent",
            "active_hours",
            "ratings",
            "satisfied_rate",
            "dissatisfied_rate",
        ] {
            if w[c].is_empty() {
                assert!(g[c].is_empty(), "{} {c}: {} vs empty", g["agent_id"], g[c]);
            } else {
                close(g, c, w[c].parse().unwrap());
            }
        }
    }
}

#[test]
fn the_team_counts_every_agents_receptions() {
    let (tmp, _) = run();
    let team = &query(
        tmp.path(),
        "in",
        "SELECT reply_30s_rate, human_3min_rate, customers, ordering_customers, paid_customers, lost_customers, \
         order_rate, payment_rate FROM _team_periods WHERE period = 'all'",
    )[0];
    // Receptions: A in t1 (10 s) and t2 (240 s), B in t1 (40 s), C in t6 (300 s), t7 (60 s), t8 (20 s); within
    // 180 s: 4 of 6. Counted turns: those six and A's return in t1 (200 s); within 30 s: 10 and 20 s, 2 of 7.
    close(team, "human_3min_rate", 4.0 / 6.0);
    close(team, "reply_30s_rate", 2.0 / 7.0);
    // The funnel of the whole shop: c1..c8 wrote; c1 and c2 have a credited order, c1 paid.
    for (c, n) in [("customers", 8.0), ("ordering_customers", 2.0), ("paid_customers", 1.0), ("lost_customers", 6.0)] {
        close(team, c, n);
    }
    close(team, "order_rate", 0.25);
    close(team, "payment_rate", 0.5);
}

#[test]
fn lost_inquiries_with_the_reason_the_customer_gave() {
    let (tmp, _) = run();
    let lost = read_csv(&tmp.path().join("out/lost_inquiries.csv"));
    let got: Vec<[&str; 5]> = lost
        .iter()
        .map(|r| {
            let f = |c: &str| r[c].as_str();
            [f("agent_id"), f("customer_id"), f("session_id"), f("last_message_at"), f("reason")]
        })
        .collect();
    // c1..c8 wrote; O1 (c1) and O2 (c2) are credited to A, so c3..c8 are lost: six rows, the team's lost_customers.
    // Each row is the customer's last session, in agent then time order. c3's and c4's last sessions are A's morning
    // replies (t3#2, t4#2: more than 30 minutes after the question, so sessions of their own, owned by A). c7 told C
    // the shipping is too dear (运费太贵); c5 asked B 这个能退吗, a doubt about returns (售后顾虑).
    assert_eq!(
        got,
        [
            ["S:A", "c4", "t4#2", "2026-11-11 09:30:00", "未知"],
            ["S:A", "c3", "t3#2", "2026-11-11 10:30:00", "未知"],
            ["S:B", "c5", "t5#1", "2026-11-11 00:00:10", "售后顾虑"],
            ["S:C", "c6", "t6#1", "2026-11-10 12:05:00", "未知"],
            ["S:C", "c7", "t7#1", "2026-11-10 12:06:00", "运费"],
            ["S:C", "c8", "t8#1", "2026-11-10 14:01:00", "未知"],
        ]
    );
    assert!(lost[4]["evidence"].contains("运费太贵"), "{}", lost[4]["evidence"]);
    assert!(lost[0]["evidence"].is_empty());
    let reasons = read_csv(&tmp.path().join("out/lost_reasons.csv"));
    let got: Vec<(&str, &str)> = reasons.iter().map(|r| (r["reason"].as_str(), r["customers"].as_str())).collect();
    assert_eq!(got, [("未知", "4"), ("售后顾虑", "1"), ("运费", "1")]);
    close(&reasons[2], "share", 1.0 / 6.0);
}

#[test]
fn ratings_join_the_agents_open_or_last_session() {
    let (tmp, card) = run();
    let (a, b, c) = (&card["S:A"], &card["S:B"], &card["S:C"]);
    // A: 5 and 4 stars; B: 2; C: 3 (c6, through its session) and 5 (c8, no session).
    assert_eq!((a["ratings"].as_str(), b["ratings"].as_str(), c["ratings"].as_str()), ("2", "1", "2"));
    close(a, "satisfied_rate", 1.0);
    close(a, "dissatisfied_rate", 0.0);
    close(b, "satisfied_rate", 0.0);
    close(b, "dissatisfied_rate", 1.0);
    close(c, "satisfied_rate", 0.5);
    close(c, "dissatisfied_rate", 0.0);
    let rows = query(tmp.path(), "in", "SELECT customer_id, agent_id, session_id FROM ratings ORDER BY rated_at");
    let got: Vec<[&str; 3]> =
        rows.iter().map(|r| [r["customer_id"].as_str(), r["agent_id"].as_str(), r["session_id"].as_str()]).collect();
    assert_eq!(
        got,
        [["c1", "S:B", "t1#1"], ["c2", "S:A", "t2#1"], ["c6", "S:C", "t6#1"], ["c8", "S:C", ""], ["c3", "S:A", "t3#1"]]
    );
    // The team: 5 ratings, 3 satisfied, 1 dissatisfied.
    let sql = "SELECT ratings, satisfied_rate, dissatisfied_rate FROM _team_periods WHERE period = 'all'";
    let team = &query(tmp.path(), "in", sql)[0];
    assert_eq!(team["ratings"], "5");
    close(team, "satisfied_rate", 0.6);
    close(team, "dissatisfied_rate", 0.2);
}

/// A rating dated outside the chats' days (a buyer rating a week after the last message, with no session of its own)
/// is counted in the week it was given; kefu used to stop on it (its day was outside the calendar of the chats).
#[test]
fn a_rating_after_the_last_chat_counts_in_its_own_week() {
    let ratings = "customer_id,agent_id,rated_at,rating\nc9,S:A,2026-11-20 10:00:00,1\n";
    let (tmp, card) = report_files(&[("messages.csv", MESSAGES), ("ratings.csv", ratings)]);
    assert_eq!(card["S:A"]["ratings"], "1");
    close(&card["S:A"], "dissatisfied_rate", 1.0);
    let rows = query(tmp.path(), "in", "SELECT week, session_id FROM ratings");
    assert_eq!((rows[0]["week"].as_str(), rows[0]["session_id"].as_str()), ("2026-W47", ""));
}

/// teams.csv (SPEC §8): 售前 is A (by full id) and B (by sub-account name); C is in no team (未分组). Each team's
/// figures are counted over its own turns, sessions, customers, orders and ratings, not averaged over its agents.
#[test]
fn teams_count_their_own_turns_customers_and_ratings() {
    let (tmp, _) = report_files(&[
        ("messages.csv", MESSAGES),
        ("orders.csv", ORDERS),
        ("ratings.csv", RATINGS),
        ("kefu.toml", "[teams]\n售前 = [\"S:A\", \"B\"]\n"),
    ]);
    let teams = read_csv(&tmp.path().join("out/teams.csv"));
    let names: Vec<&str> = teams.iter().map(|r| r["team"].as_str()).collect();
    assert_eq!(names, ["售前", "未分组"]);
    let (pre, rest) = (&teams[0], &teams[1]);
    // 售前's counted turns: A's 10, 200 and 240 s, B's 40 s; within 20 s: 1 of 4, within 30 s the same.
    assert_eq!(pre["turns"], "4");
    close(pre, "within_target_rate", 0.25);
    close(pre, "reply_30s_rate", 0.25);
    // Receptions as each agent counts them: A in t1 (10 s) and t2 (240 s), B in t1 (40 s).
    close(pre, "first_response_secs", (10.0 + 40.0 + 240.0) / 3.0);
    close(pre, "human_3min_rate", 2.0 / 3.0);
    // Sessions t1, t2, t3#1, t3#2, t4#1, t4#2, t5; customers c1..c5, who all asked; c1 and c2 ordered through A.
    assert_eq!((pre["sessions"].as_str(), pre["inquiries"].as_str()), ("7", "5"));
    assert_eq!((pre["ordering_customers"].as_str(), pre["lost_customers"].as_str()), ("2", "3"));
    close(pre, "order_rate", 0.4);
    // A → B → A in t1 stays inside the team; C's notice hands c8 to A: one transfer in, out of 未分组.
    assert_eq!((pre["transfers_in"].as_str(), pre["transfers_out"].as_str()), ("1", "0"));
    assert_eq!((rest["transfers_in"].as_str(), rest["transfers_out"].as_str()), ("0", "1"));
    // Ratings: A's 5 and 4 stars, B's 2.
    assert_eq!(pre["ratings"], "3");
    close(pre, "satisfied_rate", 2.0 / 3.0);
    close(pre, "dissatisfied_rate", 1.0 / 3.0);
    // The most one agent of the team served at once; the agents' online hours added up.
    assert_eq!(pre["max_concurrent"], "1");
    close(pre, "active_hours", (2770.0 + 1200.0) / 3600.0);
    // 未分组 is C: turns of 300, 60 and 20 s.
    assert_eq!(rest["turns"], "3");
    close(rest, "within_target_rate", 1.0 / 3.0);
    assert_eq!(rest["max_concurrent"], "2");
}

/// teams.csv against the independent script run with the same teams: every figure both compute.
#[test]
fn the_independent_implementation_agrees_on_the_teams() {
    let (tmp, _) = report_files(&[
        ("messages.csv", MESSAGES),
        ("orders.csv", ORDERS),
        ("ratings.csv", RATINGS),
        ("kefu.toml", "[teams]\n售前 = [\"S:A\", \"B\"]\n"),
    ]);
    let compared = agrees_with_the_independent_script(&tmp, "agent_id,team\nS:A,售前\nB,售前\n", 2);
    assert!(compared >= 60, "only {compared} figures compared");
}

/// `teams.csv` of a `report_files` run against the independent script with `teams` (`agent_id,team` rows): every
/// figure both compute; returns how many.
fn agrees_with_the_independent_script(tmp: &tempfile::TempDir, teams: &str, rows: usize) -> usize {
    let input = tmp.path().join("in");
    compare_teams(
        &input.join("messages.csv"),
        &input.join("orders.csv"),
        teams,
        &tmp.path().join("out/teams.csv"),
        rows,
    )
}

/// A customer who asked one agent of a team and ordered through another asked and ordered through the team: the
/// team's funnel counts them, neither agent's does. (teams.csv joined the orders to the messages by agent, and left
/// such a customer out of the team's ordering and paying customers.) Worked by hand, and against the independent
/// script.
#[test]
fn a_team_counts_a_customer_who_asked_one_agent_and_ordered_through_another() {
    let messages = "conversation_id,timestamp,shop,customer_id,agent_id,sender,text\n\
                    t1,2026-11-10 10:00:00,S,c1,S:A,customer,这件有货吗\n\
                    t1,2026-11-10 10:00:10,S,c1,S:A,agent,有的亲\n\
                    t2,2026-11-10 11:00:00,S,c2,S:B,customer,在吗\n\
                    t2,2026-11-10 11:00:10,S,c2,S:B,agent,在的\n";
    let orders = "order_id,customer_id,shop,created_at,paid_at,amount,agent_id\n\
                  O1,c1,S,2026-11-10 10:05:00,2026-11-10 10:06:00,99.00,S:B\n";
    let toml = "[teams]\n售前 = [\"S:A\", \"S:B\"]\n";
    let (tmp, card) = report_files(&[("messages.csv", messages), ("orders.csv", orders), ("kefu.toml", toml)]);
    // Each agent: one inquiring customer and no ordering one of its own (c1 asked A and ordered through B).
    for a in ["S:A", "S:B"] {
        assert_eq!((card[a]["inquiries"].as_str(), card[a]["ordering_customers"].as_str()), ("1", "0"), "{a}");
    }
    assert_eq!(card["S:B"]["orders"], "1");
    // The team: c1 and c2 asked, c1 ordered and paid: ordering 1, paid 1, lost 1 (c2); order rate 1/2, payment rate
    // 1/1, conversion 1/2.
    let teams = read_csv(&tmp.path().join("out/teams.csv"));
    let pre = &teams[0];
    assert_eq!(pre["team"], "售前");
    let funnel = [&pre["inquiries"], &pre["ordering_customers"], &pre["paid_customers"], &pre["lost_customers"]];
    assert_eq!(funnel.map(String::as_str), ["2", "1", "1", "1"]);
    close(pre, "order_rate", 0.5);
    close(pre, "payment_rate", 1.0);
    close(pre, "conversion_rate", 0.5);
    let compared = agrees_with_the_independent_script(&tmp, "agent_id,team\nS:A,售前\nS:B,售前\n", 1);
    assert!(compared >= 25, "only {compared} figures compared");
}

/// agent_days.csv (SPEC §8) with a night shift: 早班 08:00–16:00 and 晚班 16:00–02:00, which passes midnight and
/// belongs to the day it started; 02:00–08:00 is no shift (班外).
#[test]
fn agent_days_count_a_night_shift_on_the_day_it_started() {
    let toml = "[[shifts]]\nname = \"早班\"\nstart = \"08:00\"\nend = \"16:00\"\n\n\
                [[shifts]]\nname = \"晚班\"\nstart = \"16:00\"\nend = \"02:00\"\n";
    let (tmp, _) = report_files(&[("messages.csv", MESSAGES), ("orders.csv", ORDERS), ("kefu.toml", toml)]);
    let days = read_csv(&tmp.path().join("out/agent_days.csv"));
    let row = |agent: &str, date: &str, shift: &str| {
        days.iter()
            .find(|r| r["agent_id"] == agent && r["date"] == date && r["shift"] == shift)
            .unwrap_or_else(|| panic!("no row {agent} {date} {shift}"))
    };
    let cols = |r: &Row, c: &[&str]| c.iter().map(|c| r[*c].clone()).collect::<Vec<_>>();
    let a: Vec<[&str; 2]> =
        days.iter().filter(|r| r["agent_id"] == "S:A").map(|r| [&r["date"][..], &r["shift"][..]]).collect();
    // A's rows in day order, the slots of a day by their start (班外 02:00, 早班 08:00, 晚班 16:00).
    assert_eq!(a, [["2026-11-10", "早班"], ["2026-11-10", "晚班"], ["2026-11-11", "班外"], ["2026-11-11", "早班"]]);
    // 11-10 早班: t1 and t2; own messages 10:00:10 … 11:04:00; turns of 10, 200, 240 s; active 370 + 600 + 600 s.
    let r = row("S:A", "2026-11-10", "早班");
    let want = ["2", "3", "2026-11-10 10:00:10", "2026-11-10 11:04:00", "1"];
    assert_eq!(cols(r, &["sessions", "turns", "first_message_at", "last_message_at", "max_concurrent"]), want);
    close(r, "within_target_rate", 1.0 / 3.0);
    close(r, "active_hours", 1570.0 / 3600.0);
    // 11-10 晚班: c3's question at 23:30, which A never answered that night: a session, no message of A's, no counted
    // turn (off hours).
    let r = row("S:A", "2026-11-10", "晚班");
    assert_eq!(cols(r, &["sessions", "turns", "first_message_at", "within_target_rate"]), ["1", "0", "", ""]);
    // B's night: t5 starts at 23:59:50 and B answers at 00:00:10 — the 晚班 of 11-10, though the answer is on 11-11.
    let r = row("S:B", "2026-11-10", "晚班");
    let want = ["1", "2026-11-11 00:00:10", "2026-11-11 00:00:10"];
    assert_eq!(cols(r, &["sessions", "first_message_at", "last_message_at"]), want);
    close(r, "active_hours", 600.0 / 3600.0);
    assert!(!days.iter().any(|r| r["agent_id"] == "S:B" && r["date"] == "2026-11-11"), "no row of B on 11-11");
    // Every turn is in exactly one row: the rows add up to the scorecard.
    let turns: f64 = days.iter().map(|r| num(r, "turns")).sum();
    assert_eq!(turns, 3.0 + 1.0 + 3.0);
}
