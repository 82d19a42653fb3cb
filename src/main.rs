//! The `kefu` command: parses arguments, resolves the settings once, calls the pipeline, maps errors to exit
//! codes (0 success, 1 the run failed, 2 bad usage).

use clap::{Args, Parser, Subcommand};
use kefu::pipeline::{self, ReportOptions, RowCounts};
use kefu::progress::Progress;
use kefu::{KefuError, Overrides, Settings, synth};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "kefu", version, about = "Customer-service chat logs → supervisor reports (CSV, SQL metrics)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct Common {
    /// Settings file (default: INPUT/kefu.toml if present, else built-in defaults)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// First day of the period analysed (YYYY-MM-DD, inclusive)
    #[arg(long, global = true, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period analysed (YYYY-MM-DD, inclusive)
    #[arg(long, global = true, value_name = "DATE")]
    to: Option<String>,
    /// Response-time target in seconds (default 20)
    #[arg(long, global = true, value_name = "N")]
    target_secs: Option<i64>,
    /// Worker threads (default: all cores)
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress output
    #[arg(long, global = true)]
    quiet: bool,
    /// Write CSVs with a UTF-8 BOM so Excel shows Chinese correctly
    #[arg(long, global = true)]
    excel: bool,
    /// Also write report.xlsx: every table as a sheet with typed cells, the headline figures first
    #[arg(long, global = true)]
    xlsx: bool,
    /// Replace customer ids by stable keyed pseudonyms (key: the KEFU_PSEUDONYM_KEY environment variable)
    #[arg(long, global = true)]
    pseudonymize: bool,
}

/// The environment variable holding the secret of `--pseudonymize`.
const PSEUDONYM_KEY_VAR: &str = "KEFU_PSEUDONYM_KEY";

#[derive(Subcommand)]
enum Cmd {
    /// Run the whole pipeline and write every report
    Report {
        /// Input folder
        #[arg(default_value = "sample_data")]
        input: PathBuf,
        /// Output folder
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Folder of .sql files that add or replace reports
        #[arg(long, value_name = "DIR")]
        queries: Option<PathBuf>,
        /// Write, instead of the reports, this partition's partial state to DIR, for `kefu merge`
        /// (docs/scale-out.md)
        #[arg(long, value_name = "DIR", conflicts_with = "out")]
        partial: Option<PathBuf>,
    },
    /// Merge the partial states of partitions (`report --partial`) into the reports of a single run over them all
    Merge {
        /// Partial folders written by `kefu report --partial`, in any order
        #[arg(required = true)]
        partials: Vec<PathBuf>,
        /// Output folder
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Folder of .sql files that add or replace reports
        #[arg(long, value_name = "DIR")]
        queries: Option<PathBuf>,
        /// Write, instead of the reports, the partial state of the union to DIR, to merge further (a merge of
        /// merges is the merge of all)
        #[arg(long, value_name = "DIR", conflicts_with = "out")]
        partial: Option<PathBuf>,
    },
    /// Write a realistic synthetic input folder with planted ground truth
    Gen {
        #[arg(long)]
        out: PathBuf,
        /// About this many messages
        #[arg(long, default_value_t = 40_000)]
        messages: u64,
        #[arg(long, default_value_t = 12)]
        agents: u32,
        /// First day (YYYY-MM-DD)
        #[arg(long, default_value = "2026-11-01")]
        start: String,
        #[arg(long, default_value_t = 21)]
        days: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the shop as the files supervisors really export (same data, same figures as canonical)
        #[arg(long, value_enum, default_value = "canonical")]
        layout: synth::layouts::Layout,
    },
    /// Validate the inputs and print every problem found, without writing reports
    Check {
        #[arg(default_value = "sample_data")]
        input: PathBuf,
    },
    /// List the active text rules (id, name, category, speaker, penalty), or print a built-in reader lexicon
    Rules {
        /// Input folder whose kefu.toml says which rules are active
        #[arg(default_value = "sample_data")]
        input: PathBuf,
        /// Print the built-in topic lexicon (topics.toml), to copy and edit
        #[arg(long, conflicts_with_all = ["intents", "reasons"])]
        topics: bool,
        /// Print the built-in intent lexicon (intents.toml), to copy and edit
        #[arg(long, conflicts_with = "reasons")]
        intents: bool,
        /// Print the built-in lexicon of the reasons asked about (reasons.toml: unpaid orders, lost inquiries)
        #[arg(long)]
        reasons: bool,
    },
    /// Run one SQL query over the derived tables and print CSV
    Query {
        input: PathBuf,
        file: PathBuf,
        /// Folder of .sql files whose results the query may read as tables
        #[arg(long, value_name = "DIR")]
        queries: Option<PathBuf>,
    },
    /// Measure the text readers (topics, intents, unpaid reasons) and the 质检 rules against a labelled folder:
    /// accuracy, recall and precision per category and per rule, and the top confusions
    Measure {
        /// Input folder with label files (expected_topics.csv, expected_intents.csv, expected.csv,
        /// expected_violations.csv or truth/)
        input: PathBuf,
    },
    /// Show how a session's topic and intents, or an order's unpaid reason, were read: every term, weight and total
    Explain {
        /// Input folder
        input: PathBuf,
        /// A session id as in sessions.csv (conversation#n), or an order id
        id: String,
    },
}

fn settings(input: &Path, c: &Common) -> Result<Settings, KefuError> {
    let pseudonym_key = if c.pseudonymize {
        let secret = std::env::var(PSEUDONYM_KEY_VAR).map_err(|_| {
            KefuError::Usage(format!(
                "--pseudonymize needs a secret in {PSEUDONYM_KEY_VAR} (at least {} characters; keep it to get the \
                 same pseudonyms every week)",
                kefu::pseudonym::Pseudonymizer::MIN_SECRET
            ))
        })?;
        Some(kefu::pseudonym::Pseudonymizer::new(&secret).map_err(KefuError::Usage)?)
    } else {
        None
    };
    let ov = Overrides { from: c.from.clone(), to: c.to.clone(), target_secs: c.target_secs, pseudonym_key };
    Settings::load(input, c.config.as_deref(), &ov)
}

fn rows_line(rows: &RowCounts) -> String {
    let mut s = format!("rows read {}, used {}, rejected {}", rows.read, rows.used, rows.rejected);
    if rows.duplicates > 0 {
        s.push_str(&format!(", duplicate messages {} (counted once)", rows.duplicates));
    }
    if rows.out_of_period > 0 {
        s.push_str(&format!(", outside --from/--to {}", rows.out_of_period));
    }
    if rows.skipped > 0 {
        s.push_str(&format!(", not data (skipped and counted) {}", rows.skipped));
    }
    s
}

/// How many rows `kefu check` shows of each kind of problem.
const CHECK_EXAMPLES: usize = 3;

/// What `kefu check` says of one file: what it was read as and what became of its rows.
fn describe_file(f: &kefu::model::FileStats) -> String {
    let how = if f.encoding.is_empty() { f.format.clone() } else { format!("{}, {}", f.format, f.encoding) };
    let mut s = format!("{} → {} ({how})", f.file, f.table);
    if let Some(h) = f.header_row {
        s.push_str(&format!("\n    header on row {h}: {}", f.columns.join(", ")));
    }
    if !f.layouts.is_empty() {
        let l: Vec<String> = f.layouts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        s.push_str(&format!("\n    layouts: {}", l.join(", ")));
    }
    s.push_str(&format!(
        "\n    {} rows read, {} used, {} rejected, {} duplicate, {} outside the period, {} skipped",
        f.rows_read, f.rows_used, f.rows_rejected, f.rows_duplicate, f.rows_out_of_period, f.rows_skipped
    ));
    if !f.skipped.is_empty() {
        let k: Vec<String> = f.skipped.iter().map(|(k, n)| format!("{k} {n}")).collect();
        s.push_str(&format!(" ({})", k.join(", ")));
    }
    s
}

/// `kefu check`: what was read from each file, what was not read, the warnings, and every problem grouped by kind
/// with its count and first rows. Returns why the input cannot be used, if it cannot.
fn print_check(data: &kefu::model::Input) -> Result<(), String> {
    let rows = RowCounts::of(&data.files);
    for f in &data.files {
        println!("{}", describe_file(f));
    }
    for u in &data.unread {
        println!("{} → not read: {}", u.file, u.reason);
    }
    if data.joins.order_customers > 0 {
        println!("\norder customers found in the chat: {} of {}", data.joins.in_chat, data.joins.order_customers);
    }
    if !data.warnings.is_empty() {
        println!("\nwarnings:");
        for w in &data.warnings {
            println!("  {}", w.message);
        }
    }
    let groups = kefu::ingest::group_rejects(&data.rejects);
    if groups.is_empty() && rows.duplicates == 0 {
        println!("\nno problems found");
    } else {
        println!("\nproblems:");
    }
    for (kind, rejects) in &groups {
        println!("  {kind}: {} row{}", rejects.len(), if rejects.len() == 1 { "" } else { "s" });
        for r in rejects.iter().take(CHECK_EXAMPLES) {
            println!("    {}:{}: {}", r.file, r.line, kefu::mask::mask(&r.reason));
        }
        if rejects.len() > CHECK_EXAMPLES {
            println!("    … {} more in rejects.csv of a report", rejects.len() - CHECK_EXAMPLES);
        }
    }
    if rows.duplicates > 0 {
        println!("  duplicate message (counted once): {}", rows.duplicates);
        for d in data.duplicates.iter().take(CHECK_EXAMPLES) {
            println!(
                "    {}: conversation {} at {}",
                d.file,
                data.name(d.conversation),
                kefu::timefmt::format_ts(d.ts)
            );
        }
    }
    println!("\n{}", rows_line(&rows));
    kefu::ingest::usable(data)
}

/// Prints the input's warnings on stderr.
fn print_warnings(warnings: &[kefu::model::Warning]) {
    for w in warnings {
        eprintln!("kefu: warning: {}", w.message);
    }
}

fn run(cli: Cli) -> Result<(), KefuError> {
    let c = &cli.common;
    if let Some(n) = c.threads {
        if n == 0 {
            return Err(KefuError::Usage("--threads must be at least 1".into()));
        }
        // polars reads this once, when its pool is first used; nothing has touched it yet.
        // SAFETY: single-threaded at this point; no other thread reads the environment.
        unsafe { std::env::set_var("POLARS_MAX_THREADS", n.to_string()) };
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().ok();
    }
    let progress = Progress::new(c.quiet);
    match &cli.cmd {
        Cmd::Report { input, partial: Some(dir), queries, .. } => {
            let s = settings(input, c)?;
            let opts =
                ReportOptions { out: dir.clone(), queries: queries.clone(), excel: c.excel, xlsx: c.xlsx, progress };
            let rows = pipeline::partial(input, &s, dir, &opts)?;
            if !c.quiet {
                eprintln!("{}", rows_line(&rows));
                eprintln!("partial state in {}/ (merge with `kefu merge`)", dir.display());
            }
        }
        Cmd::Merge { partials, out, queries, partial } => {
            // The settings come from --config, else the defaults (a partial folder holds no kefu.toml): a merge is
            // told the settings the partials were made with, and refuses a partial made with others.
            let s = settings(&partials[0], c)?;
            let dest = partial.as_ref().unwrap_or(out);
            let opts =
                ReportOptions { out: dest.clone(), queries: queries.clone(), excel: c.excel, xlsx: c.xlsx, progress };
            if partial.is_some() {
                let rows = pipeline::merge_partial(partials, &s, &opts)?;
                if !c.quiet {
                    eprintln!("{}", rows_line(&rows));
                    eprintln!("merged {} partials into the partial state {}/", partials.len(), dest.display());
                }
            } else {
                let summary = pipeline::merge(partials, &s, &opts)?;
                print_warnings(&summary.warnings);
                if !c.quiet {
                    eprintln!("{}", rows_line(&summary.rows));
                    eprintln!("merged {} partials; reports in {}/", partials.len(), out.display());
                }
            }
        }
        Cmd::Report { input, out, queries, partial: None } => {
            let s = settings(input, c)?;
            let opts =
                ReportOptions { out: out.clone(), queries: queries.clone(), excel: c.excel, xlsx: c.xlsx, progress };
            let summary = pipeline::report(input, &s, &opts)?;
            print_warnings(&summary.warnings);
            if !c.quiet {
                eprintln!("{}", rows_line(&summary.rows));
                if summary.rows.rejected > 0 {
                    eprintln!("rejected rows are listed in {}", out.join("rejects.csv").display());
                }
                if let (Some(a), Some(b)) = (&summary.period.first_message, &summary.period.last_message) {
                    eprintln!("period {a} → {b}");
                }
                eprintln!(
                    "{} sessions, {} turns; reports in {}/ ({:.1} s)",
                    summary.tables.get("sessions").unwrap_or(&0),
                    summary.turns,
                    out.display(),
                    summary.stages.last().map_or(0.0, |s| s.secs)
                );
                let charts = summary.outputs.iter().filter(|o| o.starts_with("charts/")).count();
                eprintln!(
                    "open {} ({} charts, the top of every table); the CSVs are beside it",
                    out.join("index.html").display(),
                    charts
                );
            }
        }
        Cmd::Gen { out, messages, agents, start, days, seed, layout } => {
            let start = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d")
                .map_err(|_| KefuError::Usage(format!("--start: '{start}' is not a date (YYYY-MM-DD)")))?;
            let opts = synth::GenOptions {
                messages: *messages,
                agents: *agents,
                start,
                days: *days,
                seed: *seed,
                layout: *layout,
            };
            let g = synth::generate(out, &opts)?;
            if !c.quiet {
                eprintln!(
                    "wrote {} messages, {} orders, {} after-sales cases to {}/",
                    g.messages,
                    g.orders,
                    g.cases,
                    out.display()
                );
            }
        }
        Cmd::Check { input } => {
            let s = settings(input, c)?;
            let data = kefu::ingest::load_input(input, &s)?;
            print_check(&data).map_err(|r| KefuError::input(input, r))?;
        }
        Cmd::Rules { topics: true, .. } => print!("{}", kefu::readers::DEFAULT_TOPICS),
        Cmd::Rules { intents: true, .. } => print!("{}", kefu::readers::DEFAULT_INTENTS),
        Cmd::Rules { reasons: true, .. } => print!("{}", kefu::readers::DEFAULT_REASONS),
        Cmd::Rules { input, .. } => {
            let s = settings(input, c)?;
            let set = kefu::detect::load(&s.rules)?;
            let rows: Vec<[String; 5]> = set
                .rules
                .iter()
                .map(|r| {
                    let d = &r.def;
                    [
                        d.id.clone(),
                        d.name.clone(),
                        d.category.as_str().into(),
                        d.speaker.as_str().into(),
                        r.penalty_label(),
                    ]
                })
                .collect();
            let header = ["id", "name", "category", "speaker", "penalty"].map(String::from);
            let width = |i: usize| {
                rows.iter().chain([&header]).map(|r| kefu::progress::display_width(&r[i])).max().unwrap_or(0)
            };
            let widths: Vec<usize> = (0..5).map(width).collect();
            for r in [&header].into_iter().chain(&rows) {
                let cells: Vec<String> = r
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c}{}", " ".repeat(w - kefu::progress::display_width(c))))
                    .collect();
                println!("{}", cells.join("  ").trim_end());
            }
        }
        Cmd::Explain { input, id } => {
            let s = settings(input, c)?;
            print!("{}", kefu::explain::explain(input, &s, id)?);
        }
        Cmd::Measure { input } => {
            let s = settings(input, c)?;
            print!("{}", kefu::measure::measure(input, &s)?);
        }
        Cmd::Query { input, file, queries } => {
            let s = settings(input, c)?;
            let sql = std::fs::read_to_string(file).map_err(|e| KefuError::input(file, e.to_string()))?;
            let mut df = pipeline::query(input, &s, queries.as_deref(), &sql)?;
            let bytes = kefu::report::csv_bytes(&mut df, c.excel)?;
            use std::io::Write;
            std::io::stdout().write_all(&bytes).map_err(|e| KefuError::output("stdout", e))?;
        }
    }
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("kefu: {e}");
        std::process::exit(e.exit_code());
    }
}
