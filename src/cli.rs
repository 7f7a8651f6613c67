//! The `qmap` command line: argument parsing (clap) and one function per command.
//!
//! Commands print results to stdout and errors to stderr, and exit non-zero on failure.

use crate::analysis::{analyze, AnalysisReport, ChainReport};
use crate::generate::{generate, GenOptions};
use crate::graph::Graphs;
use crate::model::{Bundle, Dataset};
use clap::{Parser, Subcommand};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Parser)]
#[command(name = "qmap", version, about = "产业链质量图谱 — industry-chain quality maps", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the JSON Schema of bundle format 1.
    Schema,
    /// Generate a deterministic synthetic bundle (compact JSON) shaped like real chain surveys.
    Generate {
        /// Number of chains.
        #[arg(long)]
        chains: usize,
        /// Firms per chain.
        #[arg(long)]
        firms: usize,
        /// Seed: the same options always give the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Find the weak links of the chains of a bundle file: critical firms, single-source and
    /// foreign-only parts, per-segment figures and risk scores.
    Analyze {
        /// A bundle (format 1) JSON file.
        file: PathBuf,
        /// Analyse only this chain.
        #[arg(long)]
        chain: Option<String>,
        /// Print the full report as JSON instead of a summary table.
        #[arg(long)]
        json: bool,
        /// Log the duration of each stage (read, parse, graphs, analysis, output) to stderr.
        #[arg(long)]
        timings: bool,
    },
}

/// What can go wrong in a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a bundle: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("chain {chain} is not in the data")]
    UnknownChain { chain: String },
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::model::bundle_schema()).expect("schema")
            );
            ExitCode::SUCCESS
        }
        Command::Generate {
            chains,
            firms,
            seed,
            output,
        } => run_generate(
            &GenOptions {
                chains,
                firms,
                seed,
            },
            output,
        ),
        Command::Analyze {
            file,
            chain,
            json,
            timings,
        } => match run_analyze(&file, chain.as_deref(), json, timings) {
            Ok(()) => ExitCode::SUCCESS,
            // The reader went away (`qmap analyze … | head`): not worth an error message.
            Err(CliError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("qmap analyze: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_generate(opts: &GenOptions, output: Option<PathBuf>) -> ExitCode {
    let bundle = generate(opts);
    let written = match &output {
        Some(path) => File::create(path).and_then(|file| write_bundle(&bundle, file)),
        None => write_bundle(&bundle, io::stdout().lock()),
    };
    if let Err(e) = written {
        let target = output.map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
        eprintln!("qmap generate: cannot write {target}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("{}", summary(&bundle));
    // Freeing millions of small strings takes a noticeable share of the run, and the process ends
    // right here anyway.
    std::mem::forget(bundle);
    ExitCode::SUCCESS
}

fn write_bundle(bundle: &Bundle, sink: impl Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    serde_json::to_writer(&mut out, bundle)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One line of counts, e.g. for `--chains 2 --firms 100`.
fn summary(bundle: &Bundle) -> String {
    let providers = bundle
        .organizations
        .iter()
        .filter(|o| o.is_provider())
        .count();
    format!(
        "generated {} regions, {} chains, {} firms, {} providers, {} supplies, {} problems",
        bundle.regions.len(),
        bundle.chains.len(),
        bundle.organizations.len() - providers,
        providers,
        bundle.supplies.len(),
        bundle.problems.len()
    )
}

/// Stage durations, printed to stderr by `--timings`.
struct Timings {
    enabled: bool,
    last: Instant,
}

impl Timings {
    fn new(enabled: bool) -> Timings {
        Timings {
            enabled,
            last: Instant::now(),
        }
    }

    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        if self.enabled {
            eprintln!("{stage:>10}: {:>9.3} s", secs(now - self.last));
        }
        self.last = now;
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Reads and parses a bundle file (`serde_json::from_slice`), with a lap for each step.
fn read_bundle(path: &Path, timings: &mut Timings) -> Result<Bundle, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    timings.lap("read");
    let bundle = serde_json::from_slice::<Bundle>(&bytes).map_err(|source| CliError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    timings.lap("parse");
    Ok(bundle)
}

/// The weak-link report of `dataset`: builds the supply graphs and analyses one chain or all.
pub fn analyze_dataset(dataset: &Dataset, chain: Option<&str>) -> AnalysisReport {
    analyze_timed(dataset, chain, &mut Timings::new(false))
}

fn analyze_timed(dataset: &Dataset, chain: Option<&str>, timings: &mut Timings) -> AnalysisReport {
    let graphs = match chain {
        Some(id) => {
            let mut one = Graphs::default();
            one.rebuild_chain(dataset, id);
            one
        }
        None => Graphs::build(dataset),
    };
    timings.lap("graphs");
    let report = analyze(dataset, &graphs, chain);
    timings.lap("analysis");
    report
}

fn run_analyze(
    file: &Path,
    chain: Option<&str>,
    json: bool,
    timings: bool,
) -> Result<(), CliError> {
    let start = Instant::now();
    let mut timings = Timings::new(timings);
    let bundle = read_bundle(file, &mut timings)?;
    let dataset = Dataset::from_bundle(bundle);
    timings.lap("dataset");
    if let Some(id) = chain {
        if !dataset.chains.contains_key(id) {
            return Err(CliError::UnknownChain {
                chain: id.to_string(),
            });
        }
    }
    let report = analyze_timed(&dataset, chain, &mut timings);
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    if json {
        serde_json::to_writer(&mut out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        out.write_all(report_summary(&dataset, &report).as_bytes())?;
    }
    out.flush()?;
    timings.lap("output");
    if timings.enabled {
        eprintln!("{:>10}: {:>9.3} s", "total", secs(start.elapsed()));
    }
    // Freeing millions of small strings takes a noticeable share of the run, and the process
    // ends right after this anyway.
    std::mem::forget(report);
    std::mem::forget(dataset);
    Ok(())
}

/// How many critical nodes the summary lists per chain.
const TOP_CRITICAL: usize = 10;

/// A readable per-chain summary: headline figures, a per-segment table and the most damaging
/// critical nodes.
pub fn report_summary(dataset: &Dataset, report: &AnalysisReport) -> String {
    let mut s = String::new();
    for chain in &report.chains {
        chain_summary(&mut s, dataset, chain);
    }
    if report.chains.is_empty() {
        s.push_str("no chains\n");
    }
    s
}

fn chain_summary(s: &mut String, dataset: &Dataset, chain: &ChainReport) {
    use std::fmt::Write;
    let name_of = |id: &str| {
        dataset
            .organizations
            .get(id)
            .map_or(String::new(), |o| o.name.clone())
    };
    let _ = writeln!(
        s,
        "{} ({}): {} firms, {} supplies, {} masters",
        chain.name,
        chain.id,
        chain.firms,
        chain.supplies,
        chain.masters.len()
    );
    let _ = writeln!(
        s,
        "  critical nodes {} · single-source parts {} · foreign-only parts {}",
        chain.critical_nodes.len(),
        chain.single_source_parts.len(),
        chain.foreign_only_parts.len()
    );
    let mut rows = vec![[
        "segment",
        "firms",
        "masters",
        "foreign",
        "problems",
        "load",
        "critical",
        "single",
        "foreign-only",
    ]
    .map(String::from)
    .to_vec()];
    for seg in &chain.segments {
        rows.push(vec![
            seg.name.clone(),
            seg.firms.to_string(),
            seg.masters.to_string(),
            seg.foreign_firms.to_string(),
            seg.demand_problems.to_string(),
            seg.problem_load.to_string(),
            seg.critical_nodes.to_string(),
            seg.single_source_parts.to_string(),
            seg.foreign_only_parts.to_string(),
        ]);
    }
    table(s, &rows);
    let mut worst: Vec<_> = chain.critical_nodes.iter().collect();
    worst.sort_by(|a, b| {
        (b.disabled_masters.len(), b.disabled_count)
            .cmp(&(a.disabled_masters.len(), a.disabled_count))
            .then_with(|| a.id.cmp(&b.id))
    });
    if !worst.is_empty() {
        let mut rows = vec![
            ["critical firm", "name", "masters down", "firms down", "via"]
                .map(String::from)
                .to_vec(),
        ];
        for c in worst.iter().take(TOP_CRITICAL) {
            let via = c
                .evidence
                .iter()
                .map(|e| format!("{}→{}", e.part, e.buyer))
                .collect::<Vec<_>>()
                .join(" ");
            rows.push(vec![
                c.id.clone(),
                name_of(&c.id),
                c.disabled_masters.len().to_string(),
                c.disabled_count.to_string(),
                via,
            ]);
        }
        table(s, &rows);
        if worst.len() > TOP_CRITICAL {
            let _ = writeln!(
                s,
                "  … and {} more critical firms",
                worst.len() - TOP_CRITICAL
            );
        }
    }
    s.push('\n');
}

/// Appends `rows` as an indented table, columns aligned by display width (CJK = 2 columns), the
/// first column left-aligned and the others right-aligned, the last column left-aligned too.
fn table(s: &mut String, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        s.push_str("  ");
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.width());
            let left = c == 0 || !cell.chars().all(|ch| ch.is_ascii_digit());
            if c > 0 {
                s.push_str("  ");
            }
            if left {
                s.push_str(cell);
                if c + 1 < row.len() {
                    s.push_str(&pad);
                }
            } else {
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_aligns_chinese_text_by_display_width() {
        let mut s = String::new();
        table(
            &mut s,
            &[
                vec!["segment".into(), "firms".into()],
                vec!["电芯".into(), "12".into()],
                vec!["正负极材料".into(), "3".into()],
            ],
        );
        assert_eq!(
            s,
            "  segment     firms\n  电芯           12\n  正负极材料      3\n"
        );
    }
}
