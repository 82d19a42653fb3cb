//! The bad-input corpus: every folder under `tests/corpus/` is an INPUT folder (`input/`) with what kefu must do
//! with it (`expect.toml`). Every case checks that the run never panics, that a failure names the file and writes
//! nothing, and that rows read = used + rejected + outside the period + duplicates, per file and in total, with
//! every rejected row listed in `rejects.csv`.
//!
//! `expect.toml`: `exit` (0 or 1); for 1, `error` (texts stderr must contain); for 0, any of `used`, `rejected`,
//! `duplicates`, `skipped` (rows skipped as not data), `skipped_kinds` (kind → count, summed over files), `turns`,
//! `encoding` (of the first file), `rejects` (`file:line:reason start`, in order; a prefix of the list), `same_as`
//! (a case whose report CSVs, apart from rejects.csv, must be byte-identical), `warnings` (texts the summary's
//! warnings must contain, each in one of them; with `warnings = []` there must be none), `not_read` (files listed as
//! not read), `html_absent` (texts index.html must not contain) and `html_present` (texts it must contain).
//! Every case also checks that no per-agent table names a shop robot.

mod common;
use common::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    error: Vec<String>,
    used: Option<u64>,
    rejected: Option<u64>,
    duplicates: Option<u64>,
    turns: Option<usize>,
    encoding: Option<String>,
    #[serde(default)]
    rejects: Vec<String>,
    same_as: Option<String>,
    #[serde(default)]
    html_absent: Vec<String>,
    #[serde(default)]
    html_present: Vec<String>,
    skipped: Option<u64>,
    #[serde(default)]
    skipped_kinds: std::collections::BTreeMap<String, u64>,
    warnings: Option<Vec<String>>,
    #[serde(default)]
    not_read: Vec<String>,
}

/// The sub-account names of shop robots (SPEC §7), as they may appear in an agent_id.
const BOTS: &[&str] = &["服务助手", "店小蜜", "阿里店小蜜", "智能客服", "机器人", "自动回复"];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Runs `kefu report` on a case and checks everything `expect.toml` says and the invariants. Returns the output
/// folder (inside `tmp`) of a successful run.
fn run_case(name: &str, tmp: &Path) -> PathBuf {
    let case = corpus().join(name);
    let expect: Expect = toml::from_str(&std::fs::read_to_string(case.join("expect.toml")).unwrap())
        .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
    let out = tmp.join(format!("out-{name}"));
    let input = case.join("input");
    let run = kefu(tmp, &["report", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(run.status.code(), Some(expect.exit), "{name}: exit code; stderr: {stderr}");
    if expect.exit != 0 {
        for e in &expect.error {
            assert!(stderr.contains(e.as_str()), "{name}: stderr should contain '{e}': {stderr}");
        }
        assert!(!out.exists(), "{name}: a failed run must not write reports");
        let check = kefu(tmp, &["check", input.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(1), "{name}: check must fail too");
        return out;
    }
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let rows = &summary["rows"];
    let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{name}: no {k} in {v}"));
    assert_eq!(
        n(rows, "read"),
        n(rows, "used") + n(rows, "rejected") + n(rows, "out_of_period") + n(rows, "duplicates") + n(rows, "skipped"),
        "{name}: {rows}"
    );
    for f in summary["files"].as_array().unwrap() {
        assert_eq!(
            n(f, "rows_read"),
            n(f, "rows_used")
                + n(f, "rows_rejected")
                + n(f, "rows_out_of_period")
                + n(f, "rows_duplicate")
                + n(f, "rows_skipped"),
            "{name}: {f}"
        );
    }
    let mut kinds = std::collections::BTreeMap::new();
    for f in summary["files"].as_array().unwrap() {
        let skipped = f["skipped"].as_object().cloned().unwrap_or_default();
        let sum: u64 = skipped.values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(sum, n(f, "rows_skipped"), "{name}: skipped rows by kind add up: {f}");
        for (k, v) in skipped {
            *kinds.entry(k).or_insert(0) += v.as_u64().unwrap();
        }
    }
    for (k, want) in &expect.skipped_kinds {
        assert_eq!(kinds.get(k), Some(want), "{name}: skipped '{k}' ({kinds:?})");
    }
    if let Some(want) = &expect.warnings {
        let got: Vec<String> = summary["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["message"].as_str().unwrap().to_string())
            .collect();
        if want.is_empty() {
            assert!(got.is_empty(), "{name}: no warning expected: {got:?}");
        }
        for w in want {
            assert!(got.iter().any(|g| g.contains(w.as_str())), "{name}: a warning should contain '{w}': {got:?}");
            assert!(stderr.contains(w.as_str()) || expect.exit != 0, "{name}: warnings go to the terminal too");
        }
    }
    let not_read: Vec<&str> =
        summary["not_read"].as_array().unwrap().iter().map(|u| u["file"].as_str().unwrap()).collect();
    for f in &expect.not_read {
        assert!(not_read.contains(&f.as_str()), "{name}: '{f}' should be listed as not read: {not_read:?}");
    }
    for table in ["agent_scorecard.csv", "weekly_agents.csv", "aftersales_agents.csv"] {
        for row in read_csv(&out.join(table)) {
            let agent = &row["agent_id"];
            let sub = agent.rsplit([':', '：']).next().unwrap_or(agent);
            assert!(!BOTS.contains(&sub) && !agent.is_empty(), "{name}: {table} has agent '{agent}'");
        }
    }
    for (key, want) in [
        ("used", expect.used),
        ("rejected", expect.rejected),
        ("duplicates", expect.duplicates),
        ("skipped", expect.skipped),
    ] {
        if let Some(want) = want {
            assert_eq!(n(rows, key), want, "{name}: rows {key}");
        }
    }
    if let Some(enc) = &expect.encoding {
        assert_eq!(summary["files"][0]["encoding"].as_str(), Some(enc.as_str()), "{name}: encoding");
    }
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len() as u64, n(rows, "rejected"), "{name}: every rejected row is in rejects.csv");
    for (want, got) in expect.rejects.iter().zip(&rejects) {
        let got = format!("{}:{}:{}", got["file"], got["line"], got["reason"]);
        assert!(got.starts_with(want.as_str()), "{name}: reject '{got}' should start with '{want}'");
    }
    assert!(expect.rejects.len() <= rejects.len(), "{name}: fewer rejects than expected: {rejects:?}");
    if let Some(turns) = expect.turns {
        assert_eq!(summary["turns"].as_u64(), Some(turns as u64), "{name}: turns");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for a in &expect.html_absent {
        assert!(!html.contains(a.as_str()), "{name}: index.html contains '{a}'");
    }
    for a in &expect.html_present {
        assert!(html.contains(a.as_str()), "{name}: index.html should contain '{a}'");
    }
    if let Some(other) = &expect.same_as {
        let theirs = run_case(other, tmp);
        for csv in report_csvs(&theirs) {
            let (a, b) = (std::fs::read(out.join(&csv)).unwrap(), std::fs::read(theirs.join(&csv)).unwrap());
            assert!(a == b, "{name}: {csv} differs from {other}'s:\n{}\n---\n{}", lossy(&a), lossy(&b));
        }
    }
    out
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn report_csvs(out: &Path) -> Vec<String> {
    files_under(out).into_iter().filter(|n| n.ends_with(".csv") && n != "rejects.csv").collect()
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let tmp = tempdir();
                run_case(stringify!($case), tmp.path());
            }
        )*
        /// Every folder of the corpus has its test above.
        #[test]
        fn every_case_has_a_test() {
            let listed = [$(stringify!($case)),*];
            for e in std::fs::read_dir(corpus()).unwrap().map(Result::unwrap).filter(|e| e.path().is_dir()) {
                let name = e.file_name().into_string().unwrap();
                assert!(listed.contains(&name.as_str()), "tests/corpus/{name} has no test in tests/corpus.rs");
            }
        }
    };
}

cases!(
    base,
    truncated_file,
    truncated_mid_character,
    wrong_delimiter,
    missing_column,
    extra_columns,
    only_required_columns,
    unknown_sender,
    empty_text,
    hostile_text,
    invalid_utf8,
    mixed_encodings,
    gbk_file,
    utf16_crlf,
    timestamp_formats,
    malformed_timestamps,
    out_of_order,
    duplicate_rows,
    orders_and_cases_referencing_nothing,
    empty_folder,
    empty_file,
    header_only,
    blank_lines_and_spaces,
    bad_orders_and_cases,
    orders_missing_column,
    transcript_problems,
    qianniu_layouts,
    qianniu_layouts_canonical,
    workbooks,
    workbooks_canonical,
    platform_csv_gbk,
    stray_quote,
    files_not_read,
    minute_only,
    unusable_transcripts,
    damaged_workbook,
);

/// A message of 1 MB in one line (a pasted log, a base64 image): used, and its excerpts stay short.
#[test]
fn a_one_megabyte_line() {
    let tmp = tempdir();
    let base = std::fs::read_to_string(corpus().join("base/input/messages.csv")).unwrap();
    let long = format!("亲，一定明天发货{}", "好".repeat(350_000));
    let text = format!("{base}c1,2026-11-11 10:01:40,小店,tb_张三,小店:小美,客服,{long},\n");
    std::fs::create_dir_all(tmp.path().join("in")).unwrap();
    std::fs::write(tmp.path().join("in/messages.csv"), text).unwrap();
    kefu_ok(tmp.path(), &["report", "in", "--out", "out", "--quiet"]);
    let v = read_csv(&tmp.path().join("out/violations.csv"));
    let hit = v.iter().find(|r| r["rule_id"] == "ship_date_promise").expect("the promise in the long line is found");
    assert!(hit["excerpt"].chars().count() < 100, "{}", hit["excerpt"]);
    let run = "好".repeat(200);
    for f in std::fs::read_dir(tmp.path().join("out")).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(f.path()).unwrap()).into_owned();
            assert!(!text.contains(&run), "{:?} holds the long line", f.file_name());
        }
    }
}
