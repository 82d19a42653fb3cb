//! The committed `sample_data/` is what `kefu gen --seed 1` writes, and the committed `reports/` is what the main
//! job writes on it: both stay in step with the code (regenerate them when a change alters either).

mod common;
use common::*;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn same_files(a: &Path, b: &Path, files: &[&str], hint: &str) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(x == y, "{f} differs from a fresh run: {hint}");
    }
}

#[test]
fn sample_data_is_gen_seed_1() {
    let tmp = tempdir();
    kefu_ok(tmp.path(), &["gen", "--out", "s", "--seed", "1", "--quiet"]);
    same_files(
        &root().join("sample_data"),
        &tmp.path().join("s"),
        &["messages.csv", "orders.csv", "aftersales.csv", "ratings.csv", "kefu.toml", "truth/turns.csv"],
        "run `cargo run --release -- gen --out sample_data --seed 1`",
    );
}

/// `sample_data/qianniu/` is the real-layout folder `kefu gen --layout qianniu` writes, without its truth.
#[test]
fn sample_qianniu_is_gen_layout_qianniu() {
    let tmp = tempdir();
    let args = ["gen", "--out", "q", "--messages", "800", "--days", "3", "--start", "2026-11-10", "--seed", "1"];
    kefu_ok(tmp.path(), &[&args[..], &["--layout", "qianniu", "--quiet"]].concat());
    let ours: Vec<String> = files_under(&root().join("sample_data/qianniu"));
    let fresh: Vec<String> =
        files_under(&tmp.path().join("q")).into_iter().filter(|f| !f.starts_with("truth/")).collect();
    assert_eq!(ours, fresh);
    let names: Vec<&str> = ours.iter().map(String::as_str).collect();
    same_files(
        &root().join("sample_data/qianniu"),
        &tmp.path().join("q"),
        &names,
        "run `cargo run --release -- gen --out sample_data/qianniu --messages 800 --days 3 --start 2026-11-10 --seed 1 \
         --layout qianniu` and remove its truth/",
    );
}

#[test]
fn committed_reports_are_the_main_job_on_sample_data() {
    let tmp = tempdir();
    let sample = root().join("sample_data");
    kefu_ok(tmp.path(), &["report", sample.to_str().unwrap(), "--out", "r", "--quiet"]);
    let mut csvs: Vec<String> = std::fs::read_dir(tmp.path().join("r"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    csvs.sort();
    assert!(csvs.len() >= 5, "{csvs:?}");
    // The page and the charts too: a visitor sees the product in `reports/` without running it.
    csvs.push("index.html".into());
    for e in std::fs::read_dir(tmp.path().join("r/charts")).unwrap() {
        csvs.push(format!("charts/{}", e.unwrap().file_name().to_string_lossy()));
    }
    let names: Vec<&str> = csvs.iter().map(String::as_str).collect();
    same_files(&root().join("reports"), &tmp.path().join("r"), &names, "run `cargo run --release -- report`");
}
