//! Helpers shared by the integration tests: run the real `kefu` binary in a temporary folder and read its CSVs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn kefu(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu")).current_dir(dir).args(args).output().expect("kefu runs")
}

/// Runs kefu and fails the test with its stderr unless it exits 0.
pub fn kefu_ok(dir: &Path, args: &[&str]) -> Output {
    let out = kefu(dir, args);
    assert!(
        out.status.success(),
        "kefu {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub type Row = HashMap<String, String>;

/// `kefu query INPUT q.sql` run in `dir` (the SQL written to `dir/q.sql`), its rows parsed.
pub fn query(dir: &Path, input: &str, sql: &str) -> Vec<Row> {
    std::fs::write(dir.join("q.sql"), sql).expect("write q.sql");
    parse_csv(&kefu_ok(dir, &["query", input, "q.sql", "--quiet"]).stdout)
}

pub fn parse_csv(bytes: &[u8]) -> Vec<Row> {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

pub fn read_csv(path: &Path) -> Vec<Row> {
    parse_csv(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

pub fn header(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    r.headers().expect("header").iter().map(String::from).collect()
}

pub fn num(r: &Row, col: &str) -> f64 {
    r.get(col).unwrap_or_else(|| panic!("no column {col}")).parse().unwrap_or_else(|_| panic!("{col}={:?}", r[col]))
}

/// The real JDDC chat sample beside the project (../shared), which CI always provides; `None`, with a message,
/// for a clone without it (the test that needs it then checks nothing and says so).
pub fn jddc_dir() -> Option<PathBuf> {
    realdata("jddc")
}

/// The labelled real dialogues beside the project (../shared/realdata/csds: the development set of the text
/// readers); `None`, with a message, for a clone without it.
pub fn csds_dir() -> Option<PathBuf> {
    realdata("csds")
}

fn realdata(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata").join(name);
    if p.join("messages.csv").is_file() {
        Some(p)
    } else {
        eprintln!("skipped: {} is not beside the project (CI provides ../shared)", p.display());
        None
    }
}

/// Every file under a folder, as sorted paths relative to it with `/` between parts (`charts/hourly_load.png`).
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                files.push(rel.iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/"));
            }
        }
    }
    files.sort();
    files
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Writes `files` (name, text) into `in/`, runs the report into `out/`, and returns the temp folder with the
/// scorecard's rows by agent: the hand-built shops whose figures were worked out by hand.
pub fn report_files(files: &[(&str, &str)]) -> (tempfile::TempDir, HashMap<String, Row>) {
    let tmp = tempdir();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (name, text) in files {
        std::fs::write(input.join(name), text).unwrap();
    }
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let card = read_csv(&tmp.path().join("out/agent_scorecard.csv"));
    let by_agent = card.into_iter().map(|r| (r["agent_id"].clone(), r)).collect();
    (tmp, by_agent)
}

/// A figure of a row equals `want` within 0.001.
pub fn close(r: &Row, col: &str, want: f64) {
    let got = num(r, col);
    let who = r.get("agent_id").map_or("", String::as_str);
    assert!((got - want).abs() < 0.001, "{who} {col}: got {got}, want {want}");
}

/// Generates a shop with `kefu gen --out data ARGS` and runs the report into `out`; returns the temp folder.
pub fn gen_and_report(gen_args: &[&str]) -> tempfile::TempDir {
    let tmp = tempdir();
    let mut args = vec!["gen", "--out", "data", "--quiet"];
    args.extend_from_slice(gen_args);
    kefu_ok(tmp.path(), &args);
    kefu_ok(tmp.path(), &["report", "data", "--out", "out", "--quiet"]);
    tmp
}

/// `teams.csv` (`report`) against the independent script (`tests/independent/spec3.py --teams`) run on `messages`
/// and `orders` with `teams` (`agent_id,team` rows, written beside `report`): `rows` teams, and every figure both
/// compute equal (counts) or within 0.001. Returns how many figures were compared.
pub fn compare_teams(messages: &Path, orders: &Path, teams: &str, report: &Path, rows: usize) -> usize {
    let teams_csv = report.with_file_name("teams_for_the_script.csv");
    std::fs::write(&teams_csv, teams).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/spec3.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(messages)
        .arg(orders)
        .arg("--teams")
        .arg(&teams_csv)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kefu = read_csv(report);
    let script = parse_csv(&out.stdout);
    assert_eq!(script.len(), rows);
    let mut compared = 0;
    for w in &script {
        let g = kefu.iter().find(|r| r["team"] == w["team"]).expect("the same teams");
        for (c, v) in w.iter().filter(|(c, _)| *c != "team" && g.contains_key(*c)) {
            if v.is_empty() {
                assert!(g[c].is_empty(), "{} {c}: {} vs empty", w["team"], g[c]);
            } else {
                let (got, want) = (num(g, c), v.parse::<f64>().unwrap());
                assert!((got - want).abs() < 0.001, "{} {c}: got {got}, want {want}", w["team"]);
            }
            compared += 1;
        }
    }
    compared
}
