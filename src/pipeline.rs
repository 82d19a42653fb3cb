//! The pipeline: ingest → sessions and turns → derived tables → SQL metrics → charts → report files and page.
//!
//! Each stage is timed (`summary.json` lists the seconds per stage). Functions here take resolved `Settings`
//! and plain options, never the CLI struct.

use crate::charts;
use crate::config::Settings;
use crate::detect;
use crate::error::Result;
use crate::html;
use crate::ingest;
use crate::metrics::{self, Query};
pub use crate::model::RowCounts;
use crate::model::{FileStats, Input};
use crate::partial::Parts;
use crate::progress::Progress;
use crate::report::{self, OutputFile};
use crate::sessions;
use crate::tables::{self, Tables};
use crate::timefmt::format_ts;
use crate::tokenize::Tokenizer;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct StageTime {
    pub stage: String,
    pub secs: f64,
    /// Peak resident memory of the process so far, in MB, read when the stage ended (Linux `VmHWM`; absent
    /// elsewhere). The stage where it jumps is the one that needed the memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_mb: Option<f64>,
}

impl StageTime {
    fn new(stage: &str, secs: f64) -> StageTime {
        StageTime { stage: stage.into(), secs, peak_rss_mb: crate::memory::peak_rss_mb() }
    }
}

#[derive(Default)]
pub struct Timer {
    pub stages: Vec<StageTime>,
}

impl Timer {
    pub fn time<T>(&mut self, stage: &str, progress: Progress, f: impl FnOnce() -> T) -> T {
        let pb = progress.stage(stage);
        let t = Instant::now();
        let r = f();
        self.stages.push(StageTime::new(stage, t.elapsed().as_secs_f64()));
        pb.finish_and_clear();
        r
    }

    /// `time` with a bar of `len` units; `f` gets the bar to advance.
    pub fn time_bar<T>(
        &mut self,
        stage: &str,
        progress: Progress,
        (len, unit): (u64, &str),
        f: impl FnOnce(&indicatif::ProgressBar) -> T,
    ) -> T {
        let pb = progress.bar(stage, len, unit);
        let t = Instant::now();
        let r = f(&pb);
        self.stages.push(StageTime::new(stage, t.elapsed().as_secs_f64()));
        pb.finish_and_clear();
        r
    }
}

/// What the metrics and the report need from an input folder: the input (for its rejects and file counts) and the
/// derived tables. Sessions and text findings are dropped once the tables hold them, and so are the message rows,
/// their text and the ids (`input.messages`, `input.text` and `input.names` are empty here): the SQL stage needs the
/// memory more.
pub struct Analysis {
    pub input: Input,
    pub tables: Tables,
    /// The first and last message time read.
    pub first_message: Option<crate::model::Ts>,
    pub last_message: Option<crate::model::Ts>,
}

pub fn analyse(
    dir: &Path,
    settings: &Settings,
    needs: tables::Needs,
    progress: Progress,
    timer: &mut Timer,
) -> Result<Analysis> {
    let rules = detect::load(&settings.rules)?;
    let readers = crate::readers::load(&settings.rules)?;
    let input = timer.time("ingest", progress, || ingest::load_input(dir, settings))?;
    ingest::usable(&input).map_err(|r| crate::error::KefuError::input(dir, r))?;
    let derived = timer.time("sessions", progress, || sessions::build(&input.messages, settings));
    let sessions = (derived.sessions.len() as u64, "sessions");
    let mut findings = timer.time_bar("tokenize+detect", progress, sessions, |pb| {
        let tok = Tokenizer::new(rules.terms());
        let signals = crate::order_windows::SignalScope::new(&input);
        detect::run_counted(&input, &derived, &rules, &tok, &signals, &readers, &|n| pb.inc(n))
    });
    // What the text stage freed is handed back (about 0.5 GB at 10 M messages, which the copy of the kept texts
    // would otherwise stand on), then only the texts the tables read are kept (most of the 375 MB of text is freed).
    crate::memory::release();
    let mut input = input;
    input.keep_texts(&tables::texts_read(&input, &findings, needs));
    // 催付 and unpaid reasons from the signals; over-reminders join the violations.
    let payments = crate::payments::analyse(&input, &findings, &rules, &readers, settings.attribution_secs);
    findings.violations.extend(payments.over_reminders.iter().cloned());
    let first_message = input.messages.iter().map(|m| m.ts).min();
    let last_message = input.messages.iter().map(|m| m.ts).max();
    let mut derived = derived;
    let tables = timer.time("tables", progress, || {
        let mut b = tables::Builder::new(&input, &derived, settings);
        let text = tables::TextResults { findings: &findings, rules: &rules, payments: &payments, readers: &readers };
        b.turn_tables(&input, &derived, settings, needs.partial);
        // The turns are read from here on only by the `turns` table, when a query reads it.
        if !needs.turns {
            derived.turns = Vec::new();
        }
        let gathered = b.message_tables(&input, &derived, settings, &text, needs);
        // Nothing after this reads the message rows, their text or the per-message vectors: at 10 M messages they
        // are a gigabyte the largest frames, the rest of the build and the SQL stage need.
        input.messages = Vec::new();
        input.text = String::new();
        findings.politeness = Vec::new();
        derived.order = Vec::new();
        derived.msg_session = Vec::new();
        drop(payments);
        crate::memory::release();
        b.message_frames(gathered, &rules);
        b.finish(&input, &derived, settings, (&findings, &readers), needs)
    });
    drop((findings, derived));
    // The ids are in the tables now; the report needs only the rejects and file counts of `input`.
    input.names = Default::default();
    crate::memory::release();
    Ok(Analysis { input, tables, first_message, last_message })
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub first_message: Option<String>,
    pub last_message: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Period {
    /// `first → last message`, with the `--from/--to` filter when one was given.
    pub fn describe(&self) -> String {
        let mut s = match (&self.first_message, &self.last_message) {
            (Some(a), Some(b)) => format!("{a} → {b}"),
            _ => "无消息".to_string(),
        };
        if self.from.is_some() || self.to.is_some() {
            s.push_str(&format!(
                "（筛选 {} 至 {}）",
                self.from.as_deref().unwrap_or("开始"),
                self.to.as_deref().unwrap_or("结束")
            ));
        }
        s
    }
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub kefu_version: &'static str,
    pub input: String,
    pub out: String,
    pub config: String,
    pub files: Vec<FileStats>,
    /// Files and sheets of the input folder that were not read, and why.
    pub not_read: Vec<crate::model::Unread>,
    /// How many order customers appear in the chat.
    pub joins: crate::model::Joins,
    /// What the supervisor must know before trusting the figures (also on the terminal and the page).
    pub warnings: Vec<crate::model::Warning>,
    pub rows: RowCounts,
    pub rejects_file: String,
    pub period: Period,
    pub settings: Settings,
    pub tables: BTreeMap<String, usize>,
    /// Turns found (SPEC §3: counted and off-hours), whether or not the `turns` table was built.
    pub turns: u64,
    pub queries: Vec<String>,
    pub outputs: Vec<String>,
    pub stages: Vec<StageTime>,
}

pub struct ReportOptions {
    pub out: PathBuf,
    pub queries: Option<PathBuf>,
    pub excel: bool,
    /// Also write report.xlsx.
    pub xlsx: bool,
    pub progress: Progress,
}

/// The main job: runs everything and writes every output. Returns what `summary.json` says.
pub fn report(dir: &Path, settings: &Settings, opts: &ReportOptions) -> Result<Summary> {
    let started = Instant::now();
    let mut timer = Timer::default();
    let queries: Vec<Query> = metrics::load_queries(opts.queries.as_deref())?;
    let needs = tables::Needs::of(queries.iter().map(|q| q.sql.as_str()));
    let a = analyse(dir, settings, needs, opts.progress, &mut timer)?;
    write_report(a, &dir.display().to_string(), settings, opts, (&queries, timer, started))
}

/// `kefu report --partial`: what a merge needs of this input (`partial`), written to `out`. Returns the row counts
/// read.
pub fn partial(dir: &Path, settings: &Settings, out: &Path, opts: &ReportOptions) -> Result<RowCounts> {
    let mut timer = Timer::default();
    let queries: Vec<Query> = metrics::load_queries(opts.queries.as_deref())?;
    let needs = tables::Needs::partial(queries.iter().map(|q| q.sql.as_str()));
    let a = analyse(dir, settings, needs, opts.progress, &mut timer)?;
    let rows = RowCounts::of(&a.input.files);
    let parts = Parts { input: a.input, tables: a.tables, period: (a.first_message, a.last_message) };
    let files = timer.time("partial", opts.progress, || crate::partial::files(&parts, settings))?;
    report::write_outputs(out, &files)?;
    Ok(rows)
}

/// `kefu merge`: the reports of the union of partial runs (`partial`), as a single run over it writes them.
pub fn merge(dirs: &[PathBuf], settings: &Settings, opts: &ReportOptions) -> Result<Summary> {
    let started = Instant::now();
    let mut timer = Timer::default();
    let queries: Vec<Query> = metrics::load_queries(opts.queries.as_deref())?;
    let Parts { input, tables, period } =
        timer.time("merge", opts.progress, || crate::partial::merge(dirs, settings))?;
    let a = Analysis { input, tables, first_message: period.0, last_message: period.1 };
    let needs = tables::Needs::of(queries.iter().map(|q| q.sql.as_str()));
    for (needed, table) in [(needs.messages, "messages"), (needs.turns, "turns")] {
        if needed && a.tables.get(table).is_none() {
            return Err(crate::error::KefuError::Usage(format!(
                "a query reads the {table} table, which the partials do not hold: make them with the same --queries"
            )));
        }
    }
    let input = dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(" + ");
    write_report(a, &input, settings, opts, (&queries, timer, started))
}

/// `kefu merge --partial`: the partial state of the union of partials, to merge further with others. Merging is
/// associative: merging this with more partials gives what merging them all at once gives.
pub fn merge_partial(dirs: &[PathBuf], settings: &Settings, opts: &ReportOptions) -> Result<RowCounts> {
    let parts = crate::partial::merge(dirs, settings)?;
    let files = crate::partial::files(&parts, settings)?;
    report::write_outputs(&opts.out, &files)?;
    Ok(RowCounts::of(&parts.input.files))
}

/// The metrics, charts, page and files of an analysis; `input` names it in summary.json.
fn write_report(
    a: Analysis,
    input: &str,
    settings: &Settings,
    opts: &ReportOptions,
    (queries, mut timer, started): (&[Query], Timer, Instant),
) -> Result<Summary> {
    let Analysis { input: read, tables, first_message, last_message } = a;
    let mut results = timer.time("metrics", opts.progress, || -> Result<_> {
        let mut r = metrics::run_all(&tables, queries)?;
        // teams.csv (SPEC §8) beside the scorecard, when kefu.toml has [teams].
        if !settings.teams.is_empty() {
            let t = crate::teams::run(&tables, &settings.teams, queries)?;
            let at = r.iter().position(|(n, _)| n == "agent_scorecard").map_or(r.len(), |i| i + 1);
            r.insert(at, ("teams".into(), t));
        }
        Ok(r)
    })?;
    let empty = polars::prelude::DataFrame::empty();
    let counted = tables.get("response_counts").unwrap_or(&empty);
    let (chart_data, charts) = timer.time("charts", opts.progress, || -> Result<_> {
        let d = charts::data::from_results(&results, counted, settings.target_secs as f64)?;
        let c = charts::render(&d)?;
        Ok((d, c))
    })?;
    // Nothing after the charts reads the derived tables: what summary.json says of them is taken here, and the
    // memory they hold (a gigabyte at 10 M messages) is freed before the report files are serialised beside it.
    let table_rows: BTreeMap<String, usize> = tables.tables.iter().map(|(n, d)| (n.to_string(), d.height())).collect();
    let turns = tables.turns();
    drop(tables);
    crate::memory::release();
    let period = Period {
        first_message: first_message.map(format_ts),
        last_message: last_message.map(format_ts),
        from: settings.from.map(|d| d.to_string()),
        to: settings.to.map(|d| d.to_string()),
    };
    let rows = RowCounts::of(&read.files);
    let mut files = timer.time("report", opts.progress, || -> Result<Vec<OutputFile>> {
        // The CSVs are serialised side by side: the three large ones (sessions, violations, lost inquiries) each
        // take most of a second at 10 M messages.
        use rayon::prelude::*;
        let mut files = results
            .par_iter_mut()
            .filter(|(n, _)| metrics::is_report(n))
            .map(|(name, df)| {
                Ok(OutputFile { path: format!("{name}.csv").into(), bytes: report::csv_bytes(df, opts.excel)? })
            })
            .collect::<Result<Vec<_>>>()?;
        files.push(OutputFile { path: "rejects.csv".into(), bytes: report::rejects_csv(&read.rejects, opts.excel) });
        let page = html::page(&html::Page {
            version: env!("CARGO_PKG_VERSION"),
            period: period.describe(),
            rows: rows.clone(),
            settings,
            results: &results,
            charts: &charts,
            chart_data: &chart_data,
            embed_font: true,
            warnings: &read.warnings,
        })?;
        files.push(OutputFile { path: "index.html".into(), bytes: page.into_bytes() });
        for c in &charts {
            files.push(OutputFile { path: c.file.clone().into(), bytes: c.png.clone() });
        }
        if opts.xlsx {
            let tables: Vec<(&str, &polars::prelude::DataFrame)> =
                results.iter().filter(|(n, _)| metrics::is_report(n)).map(|(n, df)| (n.as_str(), df)).collect();
            let cards = html::headline_cards(&results, settings);
            let bytes = crate::xlsx::workbook(&tables, &read.rejects, &cards)?;
            files.push(OutputFile { path: "report.xlsx".into(), bytes });
        }
        Ok(files)
    })?;
    let mut stages = timer.stages;
    stages.push(StageTime::new("total", started.elapsed().as_secs_f64()));
    let mut outputs: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    outputs.push("summary.json".into());
    let summary = Summary {
        kefu_version: env!("CARGO_PKG_VERSION"),
        input: input.to_string(),
        out: opts.out.display().to_string(),
        config: settings.source.clone(),
        rows,
        files: read.files.clone(),
        not_read: read.unread.clone(),
        joins: read.joins.clone(),
        warnings: read.warnings.clone(),
        rejects_file: "rejects.csv".into(),
        period,
        settings: settings.clone(),
        tables: table_rows,
        turns,
        queries: queries.iter().map(|q| format!("{} ({})", q.name, q.source)).collect(),
        outputs,
        stages,
    };
    let json = serde_json::to_vec_pretty(&summary).expect("summary serialises");
    files.push(OutputFile { path: "summary.json".into(), bytes: json });
    report::write_outputs(&opts.out, &files)?;
    Ok(summary)
}

/// `kefu query`: runs one SQL text over the derived tables and the default (and `--queries`) reports.
pub fn query(
    dir: &Path,
    settings: &Settings,
    queries_dir: Option<&Path>,
    sql: &str,
) -> Result<polars::prelude::DataFrame> {
    let mut timer = Timer::default();
    let queries = metrics::load_queries(queries_dir)?;
    let needs = tables::Needs::of(queries.iter().map(|q| q.sql.as_str()).chain([sql]));
    let a = analyse(dir, settings, needs, Progress::hidden(), &mut timer)?;
    let mut ctx = metrics::context(&a.tables);
    for q in &queries {
        let df = metrics::run_sql(&mut ctx, &q.name, &q.sql)?;
        ctx.register(&q.name, polars::prelude::IntoLazy::lazy(df));
    }
    metrics::run_sql(&mut ctx, "query", sql)
}

/// SQL texts run over the derived tables only (no report is computed): for `kefu measure`.
pub fn query_derived(dir: &Path, settings: &Settings, sqls: &[&str]) -> Result<Vec<polars::prelude::DataFrame>> {
    let mut timer = Timer::default();
    let needs = tables::Needs::of(sqls.iter().copied());
    let a = analyse(dir, settings, needs, Progress::hidden(), &mut timer)?;
    let mut ctx = metrics::context(&a.tables);
    sqls.iter().map(|sql| metrics::run_sql(&mut ctx, "query", sql)).collect()
}
