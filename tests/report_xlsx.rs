//! `kefu report --xlsx` writes report.xlsx (SPEC §7): read back with calamine, every CSV table is a sheet named in
//! Chinese holding the same values as typed cells (numbers as numbers, not text), after a first sheet of the page's
//! headline figures.

mod common;
use calamine::{Data, Reader};
use common::*;

#[test]
fn report_xlsx_holds_every_table_as_typed_cells() {
    let tmp = tempdir();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    kefu_ok(tmp.path(), &["report", sample.to_str().unwrap(), "--out", "out", "--quiet", "--xlsx"]);
    let out = tmp.path().join("out");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "核心指标");
    for (csv, sheet) in [
        ("agent_scorecard", "客服绩效"),
        ("weekly_agents", "每周客服"),
        ("unpaid_reasons", "未付款原因"),
        ("aftersales_agents", "售后处理"),
        ("hourly", "分时段"),
        ("sessions", "会话"),
        ("rejects", "拒收行"),
    ] {
        assert!(names.contains(&sheet.to_string()), "{sheet} in {names:?}");
        let rows = read_csv(&out.join(format!("{csv}.csv")));
        let header = common::header(&out.join(format!("{csv}.csv")));
        let range = wb.worksheet_range(sheet).unwrap();
        assert_eq!(range.height(), rows.len() + 1, "{sheet}: a header and every row");
        for (c, h) in header.iter().enumerate() {
            assert_eq!(range.get((0, c)), Some(&Data::String(h.clone())), "{sheet} header");
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, h) in header.iter().enumerate() {
                let (want, got) = (&row[h], range.get((r + 1, c)).unwrap_or(&Data::Empty));
                match got {
                    Data::Float(x) => {
                        let w: f64 = want.parse().unwrap_or_else(|_| panic!("{sheet} {h}: '{want}' is a number"));
                        assert!((x - w).abs() <= 1e-3 * w.abs().max(1.0), "{sheet} {h}: {x} vs {want}");
                    }
                    Data::Empty => assert_eq!(want, "", "{sheet} {h}"),
                    Data::Bool(b) => assert_eq!(want, &b.to_string(), "{sheet} {h}"),
                    Data::DateTime(d) => {
                        let shown = d.as_datetime().unwrap().format("%Y-%m-%d").to_string();
                        assert!(want.starts_with(&shown), "{sheet} {h}: {want} vs {shown}");
                    }
                    Data::String(s) => {
                        assert!(want.parse::<f64>().is_err() || want.is_empty(), "{sheet} {h}: number '{s}' as text");
                        assert_eq!(s, want, "{sheet} {h}");
                    }
                    other => panic!("{sheet} {h}: unexpected cell {other:?}"),
                }
            }
        }
    }
    let head = wb.worksheet_range("核心指标").unwrap();
    let labels: Vec<String> = (1..head.height()).map(|r| head.get((r, 0)).unwrap().to_string()).collect();
    assert!(labels.contains(&"20 秒内响应率".to_string()) && labels.contains(&"销售额".to_string()), "{labels:?}");
    assert!(head.rows().skip(1).all(|r| matches!(r[1], Data::Float(_))), "headline values are numbers");
}
