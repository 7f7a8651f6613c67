//! The `qmap` command line: argument parsing (clap) here, one file per command.
//!
//! Commands print results to stdout and errors to stderr, and exit non-zero on failure. Nothing
//! here computes anything itself: it reads files, opens the store and calls the library.

use crate::analysis::{ChainReport, FullReport};
use crate::generate::{generate, GenOptions};
use crate::model::access::AccessRole;
use crate::model::{Bundle, Dataset};
use crate::service::Snapshot;
use crate::store::{ImportSummary, Store, StoreError};
use crate::validate::Report;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

mod analyze;
mod audit;
mod diff;
mod export;
mod generate;
mod import;
mod render;
mod revisions;
mod serve;
mod token;
mod validate;

pub use analyze::{analyze_snapshot, report_summary};
pub use audit::utc;
pub use import::{import_file, ImportFlags};
pub use serve::{load_demo, DEMO_FIXTURES};
pub use validate::read_bundle;

use analyze::run_analyze;
use audit::run_audit;
use export::{export, ExportFormat, GeoLevel, GeoOptions};
use generate::run_generate;
use import::import;
use render::render;
use serve::serve;
use token::run_token;
use validate::run_validate;

#[derive(Debug, Parser)]
#[command(
    name = "qmap",
    version,
    about = "产业链质量图谱 — industry-chain quality maps",
    long_about = "qmap models industry chains (firms, supplies, quality problems and the quality \
                  infrastructure that can solve them), finds weak links and matches needs to \
                  providers. Data lives in an embedded store (--data, default ./qmap-data).",
    after_help = "Start with: qmap serve --demo   (then open http://127.0.0.1:8080)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a bundle file; report every problem with its JSON Pointer and code.
    Validate {
        /// The bundle (format 1, JSON), a survey workbook (.xlsx, see `qmap template`), or a
        /// folder or .zip of its sheets as CSV files; errors of a workbook name their cell.
        file: PathBuf,
        /// Also resolve references against this store; without it the file must stand alone.
        #[arg(long = "data", env = "QMAP_DATA")]
        data: Option<PathBuf>,
        /// Print the result as JSON: {"valid": bool, "errors": [{"code", "path", "message"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Validate and import a bundle into the store: upsert by id, all or nothing.
    Import {
        /// The bundle (format 1, JSON), a survey workbook (.xlsx, see `qmap template`), or a
        /// folder or .zip of its sheets as CSV files.
        file: PathBuf,
        #[command(flatten)]
        data: DataDir,
        /// Log the duration of each stage (open, read, validate, log, apply) to stderr.
        #[arg(long)]
        timings: bool,
        /// Let the file move stored problems' statuses backward (reopen resolved problems);
        /// without it such a file is refused. The audit log records the override.
        #[arg(long)]
        override_status: bool,
        /// Mark the revision this import makes as a survey with this label (e.g. 2025年度调查):
        /// surveys are what `qmap diff` and the page's 变化 view compare.
        #[arg(long)]
        label: Option<String>,
        /// Make the file the whole picture of the chains it contains (a yearly survey): their
        /// memberships, supplies and demand problems that the file lacks are removed in the same
        /// revision. Organization records stay, and resolved problems are kept.
        #[arg(long)]
        replace: bool,
    },
    /// Write the survey template workbook (调查模板): one sheet per record kind with Chinese
    /// headers and drop-downs, and a 说明 sheet explaining every column.
    Template {
        /// The workbook to write (.xlsx).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Export the whole store as one bundle (json), as a workbook (xlsx) or CSV files (csv) in
    /// the template's layout, one chain as GraphML (graphml), or coverage
    /// by province or city as GeoJSON (geojson).
    Export {
        /// What to write: the whole store as a bundle (json), or the chain given by --chain as a
        /// GraphML document for graph tools (graphml, as GET /api/v1/chains/{id}/graph.graphml).
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The chain to export (required with --format graphml, refused with json; with
        /// geojson, one chain's coverage instead of the whole dataset's).
        #[arg(long, required_if_eq("format", "graphml"))]
        chain: Option<String>,
        /// With --format geojson: provinces (default) or cities.
        #[arg(long, value_enum)]
        level: Option<GeoLevel>,
        /// With --format geojson: only the regions of this province (two digits, e.g. 32).
        #[arg(long)]
        province: Option<String>,
        /// Where to write; stdout when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
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
    /// Analyse every chain (or one): weak links (critical firms, single-source and foreign-only
    /// parts, segments, risk) and QI matching (coverage, gaps, key projects, what to build).
    Analyze {
        /// A bundle (format 1) JSON file to analyse instead of a store.
        #[arg(required_unless_present = "data", conflicts_with = "data")]
        file: Option<PathBuf>,
        /// Analyse the data of this store directory.
        #[arg(long = "data")]
        data: Option<PathBuf>,
        /// Analyse only this chain.
        #[arg(long)]
        chain: Option<String>,
        /// With `--data`: analyse the data as it stood right after this revision (see `qmap
        /// revisions`).
        #[arg(long, requires = "data")]
        revision: Option<u64>,
        /// Print the full report as JSON instead of a summary table.
        #[arg(long)]
        json: bool,
        /// Log the duration of each stage (read, parse, dataset, analysis, output) to stderr.
        #[arg(long)]
        timings: bool,
    },
    /// Draw a chain's quality map as a standalone SVG, PNG or one-page PDF picture (the same
    /// pictures as GET /api/v1/chains/{id}/map.svg, map.png and map.pdf), with the embedded CJK
    /// font: it looks the same on every machine.
    Render {
        /// A bundle (format 1) JSON file to draw from instead of a store.
        #[arg(conflicts_with = "data")]
        file: Option<PathBuf>,
        /// The store directory to draw from (default: $QMAP_DATA, else ./qmap-data).
        #[arg(long = "data")]
        data: Option<PathBuf>,
        /// The chain to draw.
        #[arg(long)]
        chain: String,
        /// Where to write the picture; stdout when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Draw at most this many firms individually, the most important first; the others are
        /// counted in their segment's groups (0: as the grouping allows).
        #[arg(long, default_value_t = crate::map::DEFAULT_LIMIT)]
        limit: usize,
        /// The picture's format.
        #[arg(long, value_enum, default_value = "svg")]
        format: PictureFormat,
        /// PNG only: pixels per SVG unit (0.25 to 4; 2 for sharp slides).
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// PDF only: the paper, landscape.
        #[arg(long, value_enum, default_value = "a4")]
        paper: crate::render::pdf::Paper,
    },
    /// Serve the HTTP API (and the map page) until Ctrl-C or SIGTERM.
    Serve {
        #[command(flatten)]
        data: DataDir,
        /// Address to listen on (loopback by default).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the demo chains (动力电池, 氢能, 光纤光缆) into an empty store first.
        #[arg(long)]
        demo: bool,
        /// Log one JSON object per line instead of human-readable lines.
        #[arg(long)]
        log_json: bool,
        /// Largest accepted request body, in MiB.
        #[arg(long, default_value_t = 256)]
        body_limit_mib: usize,
        /// Longest a request may compute, in seconds, before it is answered 503.
        #[arg(long, default_value_t = 30)]
        timeout_secs: u64,
        /// Longest wait, in seconds, for a request's line and headers (also between requests on
        /// a kept-alive connection); then the connection is closed.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        header_timeout_secs: u64,
        /// Longest pause, in seconds, while a request body arrives; then the request fails.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        body_timeout_secs: u64,
        /// Connections served at once; more wait until one closes.
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
        max_connections: u64,
        /// Failed logins allowed per client address per minute; after them the address gets 429
        /// for the rest of the minute, whatever it presents.
        #[arg(long, default_value_t = crate::api::auth::MAX_FAILURES as u64,
              value_parser = clap::value_parser!(u64).range(1..))]
        failed_logins_per_minute: u64,
    },
    /// Manage API tokens (a new token's secret is shown once, at creation).
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// List every revision of the store: time, writer, survey label, and how many records it
    /// added, changed and removed.
    Revisions {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// What changed between two revisions (by default the latest two surveys): firms that joined,
    /// left or moved, supplies, problems opened/resolved/changed, critical nodes and part problems
    /// that appeared or disappeared, and coverage at both. `--from` after `--to` reads backwards.
    Diff {
        /// The earlier revision (default: the survey before `--to`).
        #[arg(long)]
        from: Option<u64>,
        /// The later revision (default: the latest survey).
        #[arg(long)]
        to: Option<u64>,
        /// Only this chain (default: every chain at either revision).
        #[arg(long)]
        chain: Option<String>,
        /// The full lists as JSON (the API's `/chains/{id}/changes`; for every chain,
        /// `{"from", "to", "chains": [...]}`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// Print the audit log of writes: who, when, what, and how it ended.
    Audit {
        /// Only the last N entries.
        #[arg(long)]
        limit: Option<usize>,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// Print the JSON Schema of bundle format 1.
    Schema,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once; only its hash is stored.
    Create {
        /// admin, regulator, enterprise or planner.
        #[arg(long, value_parser = parse_role)]
        role: AccessRole,
        /// The enterprise an enterprise token belongs to.
        #[arg(long)]
        org: Option<String>,
        /// Limit a regulator token to this chain (repeat for several; none = every chain).
        #[arg(long = "chain")]
        chains: Vec<String>,
        /// Lifetime in days (none = until revoked).
        #[arg(long)]
        expires: Option<u64>,
        #[command(flatten)]
        data: DataDir,
    },
    /// List tokens (ids, roles, scopes and states; never secrets).
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Revoke a token by id; it stops working at once.
    Revoke {
        /// The token id (`qmap token list` shows it).
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
}

fn parse_role(s: &str) -> Result<AccessRole, String> {
    AccessRole::parse(s).ok_or_else(|| {
        format!("unknown role {s:?}: expected admin, regulator, enterprise or planner")
    })
}

/// The store directory shared by every command that reads or writes data.
#[derive(Debug, clap::Args)]
pub struct DataDir {
    /// The store directory (created if missing).
    #[arg(long = "data", env = "QMAP_DATA", default_value = "./qmap-data")]
    pub dir: PathBuf,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {}: {source}", path.display())]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("{} is invalid ({} problem{}); nothing was written", path.display(), report.total(), if report.total() == 1 { "" } else { "s" })]
    Invalid { path: PathBuf, report: Report },
    #[error("cannot write {}: {source}", path.display())]
    WriteFile { path: PathBuf, source: io::Error },
    #[error("{} is not a bundle: {source}", path.display())]
    NotABundle {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("chain {chain} is not in the data")]
    UnknownChain { chain: String },
    /// Options that do not go together.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot serve on {addr}: {source}")]
    Serve { addr: String, source: io::Error },
    #[error("a demo chain is invalid: {0}")]
    Demo(Report),
    #[error("{0}")]
    Api(String),
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    #[error("no token has the id {0:?}")]
    UnknownToken(String),
    #[error(
        "the store at {} is in use (a running `qmap serve`?), so --org and --chain cannot be \
         checked against it: create this token with POST /api/v1/tokens (with an admin token), \
         or stop the server first",
        .0.display()
    )]
    ScopeNeedsStore(PathBuf),
    /// A picture that cannot be made (a scale out of range, too many pixels).
    #[error("{0} ({code})", code = .0.code())]
    Picture(#[from] crate::render::png::PictureError),
}

/// The format of `qmap render`'s picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PictureFormat {
    /// SVG with the text as glyph outlines of the embedded font (text kept, transparent).
    Svg,
    /// PNG drawn by resvg with the embedded font only.
    Png,
    /// A one-page PDF, A4 or A3 landscape, with title, legend, date and data revision.
    Pdf,
}

pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::model::bundle_schema()).expect("schema")
            );
            Ok(())
        }
        Command::Validate { file, data, json } => return run_validate(&file, data, json),
        Command::Token { action } => run_token(action),
        Command::Audit { limit, json, data } => run_audit(&data.dir, limit, json),
        Command::Revisions { json, data } => revisions::run_revisions(&data.dir, json),
        Command::Diff {
            from,
            to,
            chain,
            json,
            data,
        } => diff::run_diff(&data.dir, from, to, chain.as_deref(), json),
        Command::Serve {
            data,
            addr,
            demo,
            log_json,
            body_limit_mib,
            timeout_secs,
            header_timeout_secs,
            body_timeout_secs,
            max_connections,
            failed_logins_per_minute,
        } => serve(
            &data.dir,
            &addr,
            demo,
            log_json,
            crate::api::ApiConfig {
                body_limit: body_limit_mib * 1024 * 1024,
                request_timeout: std::time::Duration::from_secs(timeout_secs),
                failed_attempts_per_minute: usize::try_from(failed_logins_per_minute)
                    .unwrap_or(usize::MAX),
                ..crate::api::ApiConfig::default()
            },
            crate::api::ServeOptions {
                header_timeout: Duration::from_secs(header_timeout_secs),
                body_timeout: Duration::from_secs(body_timeout_secs),
                max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
            },
        ),
        Command::Render {
            file,
            data,
            chain,
            output,
            limit,
            format,
            scale,
            paper,
        } => render(
            file.as_deref(),
            data.as_deref(),
            &chain,
            output.as_deref(),
            limit,
            render::Picture {
                format,
                scale,
                paper,
            },
        ),
        Command::Import {
            file,
            data,
            timings,
            override_status,
            label,
            replace,
        } => import(
            &file,
            &data.dir,
            &ImportFlags {
                timings,
                override_status,
                label,
                replace,
            },
        ),
        Command::Template { output } => export::template(&output),
        Command::Export {
            format,
            chain,
            level,
            province,
            output,
            data,
        } => export(
            format,
            chain.as_deref(),
            GeoOptions { level, province },
            output.as_deref(),
            &data.dir,
        ),
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
            output.as_deref(),
        ),
        Command::Analyze {
            file,
            data,
            chain,
            revision,
            json,
            timings,
        } => run_analyze(
            file.as_deref(),
            data.as_deref(),
            revision,
            chain.as_deref(),
            json,
            timings,
        ),
    };
    finish(result)
}

/// Prints a failure (with its validation errors, the first thousand and then the count of each
/// code) and turns it into the exit code.
fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qmap: {e}");
            if let CliError::Invalid { report, .. } = &e {
                for error in report.errors() {
                    eprintln!("  {error}");
                }
                if report.truncated() {
                    eprintln!(
                        "  … and {} more not listed; in all by code: {}",
                        report.total() - report.errors().len(),
                        report.counts_line()
                    );
                }
            }
            ExitCode::FAILURE
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::ReadFile {
        path: path.to_path_buf(),
        source,
    })
}

/// A spinner or bar on stderr, only when a person is watching.
fn progress(message: &'static str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:12} [{bar:40}] {percent:>3}% {elapsed_precise}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// Writes a bundle as compact JSON to a file (synced when `sync`) or stdout.
fn write_output(bundle: &Bundle, output: Option<&Path>, sync: bool) -> Result<(), CliError> {
    let path = output.unwrap_or(Path::new("<stdout>"));
    let write_err = |source| CliError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    match output {
        Some(path) => {
            let file = File::create(path).map_err(write_err)?;
            let file = write_bundle(bundle, file).map_err(write_err)?;
            if sync {
                file.sync_all().map_err(write_err)?;
            }
        }
        None => {
            write_bundle(bundle, io::stdout().lock())
                .map_err(write_err)?
                .flush()
                .map_err(write_err)?;
        }
    }
    Ok(())
}

fn write_bundle<W: Write>(bundle: &Bundle, sink: W) -> io::Result<W> {
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    serde_json::to_writer(&mut out, bundle)?;
    out.write_all(b"\n")?;
    out.into_inner().map_err(|e| e.into_error())
}

/// One line of counts, e.g. "144 regions, 2 chains, 200 firms, 18 providers, …".
fn counts(bundle: &Bundle) -> String {
    let providers = bundle
        .organizations
        .iter()
        .filter(|o| o.is_provider())
        .count();
    let mut line = format!(
        "{} regions, {} chains, {} firms, {} providers, {} supplies, {} problems",
        bundle.regions.len(),
        bundle.chains.len(),
        bundle.organizations.len() - providers,
        providers,
        bundle.supplies.len(),
        bundle.problems.len()
    );
    // The quality work, when the bundle has any (older bundles have none).
    let work = [
        (bundle.projects.len(), "projects"),
        (bundle.consortia.len(), "consortia"),
        (bundle.policy_tools.len(), "policy tools"),
        (bundle.goals.len(), "goals"),
        (bundle.notices.len(), "notices"),
    ];
    if work.iter().any(|(n, _)| *n > 0) {
        for (n, what) in work {
            line.push_str(&format!(", {n} {what}"));
        }
    }
    if !bundle.capabilities.is_empty() {
        line.push_str(&format!(
            ", {} catalogued capabilities",
            bundle.capabilities.len()
        ));
    }
    line
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
        self.lap_at(stage, Instant::now());
    }

    /// Ends a stage at `now` (a moment already past).
    fn lap_at(&mut self, stage: &str, now: Instant) {
        if self.enabled {
            eprintln!("{stage:>10}: {:>9.3} s", secs(now - self.last));
        }
        self.last = now;
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Reads a bundle file and parses it (`serde_json::from_slice`), without validating it against
/// anything: the analyses accept any well-formed bundle.
/// The dataset of a bundle file, parsed and collected on every core
/// ([`crate::model::dataset_from_json`]).
fn load_dataset(path: &Path, timings: &mut Timings) -> Result<Dataset, CliError> {
    let bytes = read_file(path)?;
    timings.lap("read");
    let dataset =
        crate::model::dataset_from_json(&bytes).map_err(|source| CliError::NotABundle {
            path: path.to_path_buf(),
            source,
        })?;
    timings.lap("parse+data");
    Ok(dataset)
}

fn service_error(e: crate::service::Error) -> CliError {
    CliError::Api(e.to_string())
}

/// Records a write made from the command line. The write itself already succeeded or failed;
/// a failure to record it is reported but does not undo it.
fn audit_cli(store: &Store, action: &str, outcome: &str) {
    if let Err(e) = store.append_audit(crate::access::now(), "cli", None, action, outcome) {
        eprintln!("qmap: warning: the audit log could not record {action:?}: {e}");
    }
}
