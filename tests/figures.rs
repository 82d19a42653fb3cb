//! The figure registry (`src/figures.toml`) covers the reports: every numeric column of the committed `reports/`
//! (the main job on sample_data, kept fresh by tests/sample.rs) has an entry, every card is on the page, and every
//! definition is in its 指标定义.

mod common;
use common::*;
use std::path::Path;

fn reports() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reports")
}

#[test]
fn every_numeric_column_of_the_reports_is_in_the_registry() {
    let mut missing = Vec::new();
    let mut csvs: Vec<_> = std::fs::read_dir(reports())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    csvs.sort();
    assert!(csvs.len() >= 10, "reports/ holds the main job's CSVs");
    for path in csvs {
        let rows = read_csv(&path);
        for col in header(&path) {
            // A `*_delta` is a registered figure's change from the week before (weekly_agents.csv).
            if col.ends_with("_delta") {
                assert!(kefu::figures::get(col.trim_end_matches("_delta")).is_some(), "{col}");
                continue;
            }
            let values: Vec<&str> = rows.iter().map(|r| r[&col].as_str()).filter(|v| !v.is_empty()).collect();
            let numeric = !values.is_empty() && values.iter().all(|v| v.parse::<f64>().is_ok());
            if numeric && kefu::figures::get(&col).is_none() {
                missing.push(format!("{} {col}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(missing.is_empty(), "numeric columns with no entry in src/figures.toml: {missing:?}");
}

#[test]
fn the_page_shows_every_card_and_every_definition_of_the_registry() {
    let page = std::fs::read_to_string(reports().join("index.html")).unwrap();
    let cards = kefu::figures::all().iter().filter(|f| f.card).count();
    assert_eq!(page.matches("<div class=\"card\"").count(), cards, "one card per registry card");
    let s = kefu::Settings::default();
    for f in kefu::figures::all().iter().filter(|f| f.def.is_some()) {
        let term = if f.card { f.zh.replace("{target}", &s.target_secs.to_string()) } else { f.term().to_string() };
        assert!(page.contains(&format!("<dt>{term}</dt>")), "指标定义 lists {term}");
    }
}
