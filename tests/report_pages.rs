//! The outputs people look at: every chart is written and has something drawn on it, the page embeds every chart
//! and names every table, Chinese labels have glyphs, and progress on a terminal changes no output byte.

mod common;
use common::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data")
}

/// The files `summary.json` lists under `outputs`.
fn outputs(report: &Path) -> Vec<String> {
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(report.join("summary.json")).unwrap()).unwrap();
    s["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// Decodes a PNG: (width, height, RGB bytes).
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn every_chart_is_drawn_and_the_page_shows_every_chart_and_table() {
    let tmp = tempdir();
    kefu_ok(tmp.path(), &["report", sample().to_str().unwrap(), "--out", "r", "--quiet"]);
    let r = tmp.path().join("r");
    let outs = outputs(&r);
    let charts: Vec<&String> = outs.iter().filter(|o| o.starts_with("charts/")).collect();
    // The sample has orders, after-sales cases, phases and three weeks: every chart of the issue is there.
    let want = [
        "response_times",
        "agents_within_target",
        "hourly_load",
        "unpaid_reasons",
        "violations_by_rule",
        "violations_by_agent",
        "aftersales_agents",
        "phases",
        "weekly_change",
    ];
    let stems: HashSet<String> =
        charts.iter().map(|c| c.trim_start_matches("charts/").trim_end_matches(".png").to_string()).collect();
    for w in want {
        assert!(stems.contains(w), "charts/{w}.png missing from {charts:?}");
    }
    for c in &charts {
        let (w, h, px) = decode(&r.join(c));
        assert!(w >= 800 && h >= 300, "{c}: {w}×{h}");
        let colours: HashSet<&[u8]> = px.chunks(3).collect();
        let inked = px.chunks(3).filter(|p| p.iter().any(|v| *v < 200)).count();
        // Bars, lines, anti-aliased text: many colours and a good share of the picture not white.
        assert!(colours.len() > 40, "{c}: only {} colours", colours.len());
        assert!(inked * 50 > px.len() / 3, "{c}: {inked} inked pixels of {}", px.len() / 3);
    }

    let html = std::fs::read_to_string(r.join("index.html")).unwrap();
    for c in &charts {
        let stem = c.trim_start_matches("charts/").trim_end_matches(".png");
        assert!(html.contains(&format!("<figure id=\"{stem}\"><img alt=")), "{c} not on the page");
        assert!(html.contains(&format!("<a href=\"{c}\">")), "{c} not linked");
    }
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), charts.len(), "every chart embedded once");
    let csvs: Vec<&String> = outs.iter().filter(|o| o.ends_with(".csv")).collect();
    assert!(csvs.len() >= 10, "{csvs:?}");
    for csv in &csvs {
        let stem = csv.trim_end_matches(".csv");
        assert!(html.contains(&format!("<a href=\"{csv}\">{csv}</a>")), "{csv} not linked from the page");
        if *csv != "rejects.csv" {
            assert!(html.contains(&format!("id=\"t-{stem}\"")), "{stem} has no section");
        }
    }
    // Self-contained: nothing fetched from the network, the CJK font travels with the page.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    assert!(html.contains("@font-face{font-family:kefu-cjk;src:url(data:font/ttf;base64,"));
    // The headline a supervisor reads first.
    for s in ["核心指标", "20 秒内响应率", "值得关注", "咨询高峰：2026-11-11", "响应最慢的大促阶段：爆发", "指标定义"]
    {
        assert!(html.contains(s), "page lacks {s}");
    }
}

#[test]
fn chart_labels_of_the_sample_have_glyphs() {
    let tmp = tempdir();
    kefu_ok(tmp.path(), &["report", sample().to_str().unwrap(), "--out", "r", "--quiet"]);
    let r = tmp.path().join("r");
    let mut labels: Vec<String> = Vec::new();
    for (file, col) in [
        ("agent_scorecard.csv", "agent_id"),
        ("unpaid_reasons.csv", "reason"),
        ("violations.csv", "rule"),
        ("phases.csv", "phase"),
        ("aftersales_agents.csv", "agent_id"),
    ] {
        labels.extend(read_csv(&r.join(file)).into_iter().map(|row| row[col].clone()));
    }
    assert!(labels.len() > 20);
    for l in &labels {
        assert!(kefu::charts::missing_glyphs(l).is_empty(), "{l}: {:?}", kefu::charts::missing_glyphs(l));
    }
}

#[test]
fn progress_on_a_terminal_changes_no_output_byte() {
    // `script` gives the run a terminal, so the progress bars really draw; the files must not change.
    let script = Command::new("script").arg("--version").output();
    assert!(
        script.is_ok_and(|o| o.status.success()),
        "this test needs `script` (util-linux / bsdutils) to give kefu a terminal"
    );
    let tmp = tempdir();
    let bin = env!("CARGO_BIN_EXE_kefu");
    let input = sample();
    let cmd = format!("'{bin}' report '{}' --out with", input.display());
    let tty = Command::new("script").current_dir(tmp.path()).args(["-qec", &cmd, "/dev/null"]).output().unwrap();
    assert!(tty.status.success(), "{}", String::from_utf8_lossy(&tty.stdout));
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(shown.contains("tokenize+detect") && shown.contains("sessions"), "no progress drawn: {shown}");
    kefu_ok(tmp.path(), &["report", input.to_str().unwrap(), "--out", "without", "--quiet"]);
    let a = tmp.path().join("with");
    let b = tmp.path().join("without");
    let files: Vec<String> = outputs(&b).into_iter().filter(|f| f != "summary.json").collect();
    assert!(files.iter().any(|f| f.ends_with(".png")) && files.iter().any(|f| f == "index.html"));
    for f in files {
        assert!(std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(), "{f} differs");
    }
}

#[test]
fn excel_csvs_start_with_a_bom_and_keep_three_decimals() {
    let tmp = tempdir();
    kefu_ok(tmp.path(), &["report", sample().to_str().unwrap(), "--out", "x", "--quiet", "--excel"]);
    kefu_ok(tmp.path(), &["report", sample().to_str().unwrap(), "--out", "p", "--quiet"]);
    for f in ["agent_scorecard.csv", "unpaid_reasons.csv", "rejects.csv", "phases.csv"] {
        let x = std::fs::read(tmp.path().join("x").join(f)).unwrap();
        let p = std::fs::read(tmp.path().join("p").join(f)).unwrap();
        assert!(x.starts_with(b"\xEF\xBB\xBF"), "{f} has no BOM");
        assert_eq!(&x[3..], &p[..], "{f}: the BOM is the only difference");
    }
    let rows = read_csv(&tmp.path().join("p/agent_scorecard.csv"));
    for r in &rows {
        let v = &r["within_target_rate"];
        assert!(v.is_empty() || v.split_once('.').is_some_and(|(_, d)| d.len() == 3), "rate {v}");
    }
}
