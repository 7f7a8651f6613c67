//! The `qmap` command line: argument parsing (clap) and one function per command.
//!
//! Commands print results to stdout and errors to stderr, and exit non-zero on failure. Nothing
//! here computes anything itself: it reads files, opens the store and calls the library.

use crate::analysis::{ChainReport, FullReport};
use crate::generate::{generate, GenOptions};
use crate::model::access::AccessRole;
use crate::model::{Bundle, Dataset};
use crate::service::Snapshot;
use crate::store::{ImportSummary, Store, StoreError};
use crate::validate::{self, Report};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

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
        /// The bundle (format 1, JSON).
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
        /// The bundle (format 1, JSON).
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
    },
    /// Export the whole store as one bundle.
    Export {
        /// Where to write the bundle; stdout when absent.
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
        /// Print the full report as JSON instead of a summary table.
        #[arg(long)]
        json: bool,
        /// Log the duration of each stage (read, parse, dataset, analysis, output) to stderr.
        #[arg(long)]
        timings: bool,
    },
    /// Draw a chain's quality map as a standalone SVG picture (the same picture as
    /// GET /api/v1/chains/{id}/map.svg).
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
        /// Where to write the SVG; stdout when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Draw at most this many firms, the most important first (0 = all).
        #[arg(long, default_value_t = crate::map::DEFAULT_LIMIT)]
        limit: usize,
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
    },
    /// Manage API tokens (a new token's secret is shown once, at creation).
    Token {
        #[command(subcommand)]
        action: TokenCommand,
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
        } => serve(
            &data.dir,
            &addr,
            demo,
            log_json,
            crate::api::ApiConfig {
                body_limit: body_limit_mib * 1024 * 1024,
                request_timeout: std::time::Duration::from_secs(timeout_secs),
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
        } => render(
            file.as_deref(),
            data.as_deref(),
            &chain,
            output.as_deref(),
            limit,
        ),
        Command::Import {
            file,
            data,
            timings,
            override_status,
        } => import(&file, &data.dir, timings, override_status),
        Command::Export { output, data } => export(output.as_deref(), &data.dir),
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
            json,
            timings,
        } => run_analyze(
            file.as_deref(),
            data.as_deref(),
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

/// Reads and validates a bundle file against what `existing` already holds.
pub fn read_bundle(path: &Path, existing: &dyn crate::model::Lookup) -> Result<Bundle, CliError> {
    let bytes = read_file(path)?;
    validate::parse_bundle(&bytes, existing).map_err(|report| CliError::Invalid {
        path: path.to_path_buf(),
        report,
    })
}

fn run_validate(file: &Path, data: Option<PathBuf>, json: bool) -> ExitCode {
    let store = match data.map(|dir| Store::open(&dir)).transpose() {
        Ok(store) => store,
        Err(e) => return finish(Err(e.into())),
    };
    let empty = crate::model::Dataset::new();
    let existing: &dyn crate::model::Lookup = match &store {
        Some(store) => store,
        None => &empty,
    };
    let result = read_bundle(file, existing);
    if json {
        // `{"valid", "errors"}`, and like the API's error body `"truncated": true` and the
        // `"counts"` of each code when `errors` lists only the first thousand.
        let report = match result {
            Ok(_) => Report::new(),
            Err(CliError::Invalid { report, .. }) => report,
            Err(other) => return finish(Err(other)),
        };
        let valid = report.is_empty();
        let mut out = serde_json::json!({ "valid": valid, "errors": report.errors() });
        if report.truncated() {
            out["truncated"] = true.into();
            out["counts"] = serde_json::to_value(report.counts()).expect("JSON");
        }
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return if valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    match result {
        Ok(bundle) => {
            println!("{} is valid: {}", file.display(), counts(&bundle));
            ExitCode::SUCCESS
        }
        Err(e) => finish(Err(e)),
    }
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

fn import(file: &Path, dir: &Path, timings: bool, override_status: bool) -> Result<(), CliError> {
    let start = Instant::now();
    let mut timings = Timings::new(timings);
    let store = Store::open(dir)?;
    timings.lap("open");
    let action = format!(
        "import {}{}",
        file.display(),
        if override_status {
            " --override-status"
        } else {
            ""
        }
    );
    let summary = match import_timed(&store, file, override_status, &mut timings) {
        Ok(summary) => summary,
        Err(e) => {
            audit_cli(&store, &action, &format!("rejected: {e}"));
            return Err(e);
        }
    };
    audit_cli(
        &store,
        &format!("{action} ({} records)", summary.records()),
        &format!("ok (revision {})", summary.revision),
    );
    if timings.enabled {
        eprintln!("{:>10}: {:>9.3} s", "total", secs(start.elapsed()));
    }
    // Only now, with the write flushed, may the user (or a script) take it as done.
    println!(
        "imported {} records (revision {})",
        summary.records(),
        summary.revision
    );
    Ok(())
}

/// What `qmap import` does with an open store: read, validate against the store and the rules of
/// writes (`service::rules`), import all or nothing. A file with any problem writes nothing.
pub fn import_file(store: &Store, file: &Path) -> Result<ImportSummary, CliError> {
    import_timed(store, file, false, &mut Timings::new(false))
}

fn import_timed(
    store: &Store,
    file: &Path,
    override_status: bool,
    timings: &mut Timings,
) -> Result<ImportSummary, CliError> {
    let reading = progress("validating");
    reading.enable_steady_tick(std::time::Duration::from_millis(200));
    let bytes = read_file(file);
    timings.lap("read");
    let bundle = bytes.and_then(|bytes| {
        validate::parse_bundle(&bytes, store).map_err(|report| CliError::Invalid {
            path: file.to_path_buf(),
            report,
        })
    });
    let bundle = bundle.and_then(|bundle| {
        let broken = if override_status {
            Vec::new()
        } else {
            crate::service::rules::check_problems(&bundle.problems, store)
        };
        if broken.is_empty() {
            Ok(bundle)
        } else {
            Err(CliError::Invalid {
                path: file.to_path_buf(),
                report: broken.into(),
            })
        }
    });
    reading.finish_and_clear();
    let bundle = bundle?;
    timings.lap("validate");
    let bar = progress("importing");
    // The store reports the first half of the progress while it writes the redo log, the
    // second half while it applies it: the moment the log is written splits the two stages.
    let logged = std::cell::Cell::new(None);
    let summary = store.import_with_progress(&bundle, &|done, total| {
        if logged.get().is_none() && 2 * done >= total {
            logged.set(Some(Instant::now()));
        }
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    if let Some(at) = logged.get() {
        timings.lap_at("log", at);
    }
    timings.lap("apply");
    // Freeing millions of small strings takes a noticeable share of a big import, and the
    // process ends soon anyway.
    std::mem::forget(bundle);
    Ok(summary)
}

fn export(output: Option<&Path>, dir: &Path) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let bundle = store.export()?;
    write_output(&bundle, output, true)
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

fn run_generate(opts: &GenOptions, output: Option<&Path>) -> Result<(), CliError> {
    let bundle = generate(opts);
    write_output(&bundle, output, false)?;
    eprintln!("generated {}", counts(&bundle));
    // See `import`: the process ends right here anyway.
    std::mem::forget(bundle);
    Ok(())
}

/// One line of counts, e.g. "144 regions, 2 chains, 200 firms, 18 providers, …".
fn counts(bundle: &Bundle) -> String {
    let providers = bundle
        .organizations
        .iter()
        .filter(|o| o.is_provider())
        .count();
    format!(
        "{} regions, {} chains, {} firms, {} providers, {} supplies, {} problems",
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
fn load_bundle(path: &Path, timings: &mut Timings) -> Result<Bundle, CliError> {
    let bytes = read_file(path)?;
    timings.lap("read");
    let bundle =
        serde_json::from_slice::<Bundle>(&bytes).map_err(|source| CliError::NotABundle {
            path: path.to_path_buf(),
            source,
        })?;
    timings.lap("parse");
    Ok(bundle)
}

/// The report of a snapshot: one chain's weak links and QI, or every chain's and the
/// dataset-wide scope (the same analyses, cached the same way, as the API serves).
pub fn analyze_snapshot(snap: &Snapshot, chain: Option<&str>) -> Result<FullReport, CliError> {
    let report = match chain {
        Some(id) => FullReport {
            chains: vec![snap
                .chain_analysis(id)
                .map_err(|_| CliError::UnknownChain {
                    chain: id.to_string(),
                })?],
            dataset: None,
        },
        None => FullReport {
            chains: snap.all_chain_analyses().map_err(service_error)?,
            dataset: Some(snap.dataset_analysis().map_err(service_error)?),
        },
    };
    Ok(report)
}

fn service_error(e: crate::service::Error) -> CliError {
    CliError::Api(e.to_string())
}

/// `qmap render`: a chain's quality map as SVG, from a bundle file or a store.
fn render(
    file: Option<&Path>,
    data: Option<&Path>,
    chain: &str,
    output: Option<&Path>,
    limit: usize,
) -> Result<(), CliError> {
    let dataset = match file {
        Some(file) => Dataset::from_bundle(load_bundle(file, &mut Timings::new(false))?),
        None => {
            let dir = data.map(Path::to_path_buf).unwrap_or_else(|| {
                std::env::var_os("QMAP_DATA")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("./qmap-data"))
            });
            Store::open(&dir)?.load()?
        }
    };
    let snap = Snapshot::of(dataset, 0);
    if !snap.has_chain(chain) {
        return Err(CliError::UnknownChain {
            chain: chain.to_string(),
        });
    }
    let map = snap
        .quality_map(chain, (limit > 0).then_some(limit))
        .map_err(service_error)?;
    let svg = crate::render::svg::chain_map_svg(&map);
    match output {
        Some(path) => std::fs::write(path, svg).map_err(|source| CliError::WriteFile {
            path: path.to_path_buf(),
            source,
        }),
        None => match io::stdout().lock().write_all(svg.as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::WriteFile {
                path: PathBuf::from("-"),
                source: e,
            }),
            _ => Ok(()),
        },
    }
}

/// `qmap analyze`: the report of a bundle file or of a store, as JSON or as a summary table.
fn run_analyze(
    file: Option<&Path>,
    data: Option<&Path>,
    chain: Option<&str>,
    json: bool,
    timings: bool,
) -> Result<(), CliError> {
    let start = Instant::now();
    let mut timings = Timings::new(timings);
    let dataset = match (file, data) {
        (Some(file), _) => {
            let bundle = load_bundle(file, &mut timings)?;
            let dataset = Dataset::from_bundle(bundle);
            timings.lap("dataset");
            dataset
        }
        (None, Some(dir)) => {
            let dataset = Store::open(dir)?.load()?;
            timings.lap("load");
            dataset
        }
        (None, None) => unreachable!("clap requires FILE or --data"),
    };
    let snap = Snapshot::of(dataset, 0);
    let report = analyze_snapshot(&snap, chain)?;
    timings.lap("analysis");
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
        if json {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        } else {
            out.write_all(report_summary(&snap.dataset, &report).as_bytes())?;
        }
        out.flush()
    })();
    match written {
        // The reader went away (`qmap analyze … | head`): not worth an error message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(source) => {
            return Err(CliError::WriteFile {
                path: PathBuf::from("<stdout>"),
                source,
            })
        }
        Ok(()) => {}
    }
    timings.lap("output");
    if timings.enabled {
        eprintln!("{:>10}: {:>9.3} s", "total", secs(start.elapsed()));
    }
    // Freeing millions of small strings takes a noticeable share of the run, and the process
    // ends right after this anyway.
    std::mem::forget(report);
    std::mem::forget(snap);
    Ok(())
}

/// How many critical nodes the summary lists per chain.
const TOP_CRITICAL: usize = 10;

/// A readable per-chain summary: headline figures, a per-segment table and the most damaging
/// critical nodes.
pub fn report_summary(dataset: &Dataset, report: &FullReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for chain in &report.chains {
        chain_summary(&mut s, dataset, &chain.weak);
        coverage_summary(&mut s, "  QI coverage", &chain.qi.figures.coverage);
        let gaps = &chain.qi.gaps;
        let _ = writeln!(
            s,
            "  gaps: {} infrastructure (no provider in reach), {} capacity; key projects: {} common-technology, {} chain-collaborative, {} key-product",
            gaps.infrastructure.iter().map(|g| g.needs).sum::<u64>(),
            gaps.capacity.iter().map(|g| g.needs).sum::<u64>(),
            chain.qi.projects.common_technology.len(),
            chain.qi.projects.chain_collaborative.len(),
            chain.qi.projects.key_product.len(),
        );
        s.push('\n');
    }
    if report.chains.is_empty() {
        s.push_str("no chains\n");
    }
    if let Some(all) = &report.dataset {
        coverage_summary(
            &mut s,
            "dataset (capacities shared)",
            &all.qi.figures.coverage,
        );
    }
    s
}

fn coverage_summary(s: &mut String, label: &str, c: &crate::analysis::coverage::Coverage) {
    use std::fmt::Write;
    let pct = |a: u64, b: u64| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let _ = writeln!(
        s,
        "{label}: {} needs, {} reachable ({:.0}%), {} assigned ({:.0}%); severity {}/{} assigned; tier cost {}",
        c.needs_total,
        c.needs_reachable,
        pct(c.needs_reachable, c.needs_total),
        c.needs_assigned,
        pct(c.needs_assigned, c.needs_total),
        c.severity_assigned,
        c.severity_total,
        c.tier_cost
    );
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

/// The demo chains that `serve --demo` loads, embedded so the binary needs no files.
pub const DEMO_FIXTURES: [(&str, &str); 3] = [
    (
        "power_battery_jiangsu.json",
        include_str!("../fixtures/power_battery_jiangsu.json"),
    ),
    (
        "hydrogen_shaanxi.json",
        include_str!("../fixtures/hydrogen_shaanxi.json"),
    ),
    (
        "optoelectronics_suzhou.json",
        include_str!("../fixtures/optoelectronics_suzhou.json"),
    ),
];

/// Imports the demo chains into `store` when it is empty; returns whether it did.
pub fn load_demo(store: &Store) -> Result<bool, CliError> {
    if !store.is_empty()? {
        return Ok(false);
    }
    for (name, text) in DEMO_FIXTURES {
        let bundle = validate::parse_bundle(text.as_bytes(), store).map_err(CliError::Demo)?;
        store.import(&bundle)?;
        tracing::info!(
            fixture = name,
            records = bundle.record_count(),
            "demo chain loaded"
        );
    }
    Ok(true)
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr);
    // A second initialisation (tests running several servers) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn serve(
    dir: &Path,
    addr: &str,
    demo: bool,
    log_json: bool,
    mut config: crate::api::ApiConfig,
    options: crate::api::ServeOptions,
) -> Result<(), CliError> {
    init_logging(log_json);
    let store = Store::open(dir)?;
    // Secure by default: only the demo, and only while no token exists, opens reads to all.
    config.anonymous_read = demo && !store.has_tokens();
    if demo {
        if load_demo(&store)? {
            tracing::info!("loaded the demo chains into {}", dir.display());
        } else {
            tracing::info!(
                "{} already holds data: --demo loads nothing over it",
                dir.display()
            );
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::Serve {
            addr: addr.to_string(),
            source,
        })?;
    runtime.block_on(async {
        let state =
            crate::api::AppState::new(store, config).map_err(|e| CliError::Api(e.to_string()))?;
        let serve_err = |source| CliError::Serve {
            addr: addr.to_string(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(serve_err)?;
        let local = listener.local_addr().map_err(serve_err)?;
        let snap = state.snapshot();
        tracing::info!(
            chains = snap.dataset.chains.len(),
            organizations = snap.dataset.organizations.len(),
            revision = snap.revision,
            "serving {}",
            dir.display()
        );
        let access = if state.config().anonymous_read {
            "no API token is configured: anyone who can reach this address may READ the demo \
             data without a token; writes need one (qmap token create --role admin)"
        } else {
            "every /api/v1 request needs a token (qmap token create --role ROLE)"
        };
        // One write, and no panic if whoever started us stopped reading stdout.
        let _ = writeln!(
            io::stdout(),
            "qmap is serving on http://{local}/  (API: /api/v1, docs: /docs; Ctrl-C stops)\n{access}"
        );
        crate::api::serve(listener, state, options)
            .await
            .map_err(serve_err)
    })
}

/// Records a write made from the command line. The write itself already succeeded or failed;
/// a failure to record it is reported but does not undo it.
fn audit_cli(store: &Store, action: &str, outcome: &str) {
    if let Err(e) = store.append_audit(crate::access::now(), "cli", None, action, outcome) {
        eprintln!("qmap: warning: the audit log could not record {action:?}: {e}");
    }
}

/// Where `qmap token` finds tokens: the store when this process can open it, otherwise (a
/// running `qmap serve` holds it) the token file alone, which the server reads at its next
/// request.
struct TokenPlace {
    /// `None` while another process holds the store.
    store: Option<Store>,
    file: crate::store::TokenFile,
}

impl TokenPlace {
    fn open(dir: &Path) -> Result<TokenPlace, CliError> {
        let store = match Store::open(dir) {
            Ok(store) => Some(store),
            Err(StoreError::InUse { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        // Opened after the store, which moves tokens of earlier builds into the file first.
        let file = crate::store::TokenFile::open(dir)?;
        Ok(TokenPlace { store, file })
    }

    /// Records a token change: in the audit log, or queued in the token file for the process
    /// that holds the store.
    fn audit(&self, action: &str, outcome: &str) {
        match &self.store {
            Some(store) => audit_cli(store, action, outcome),
            None => {
                let queued = self.file.queue_audit(crate::store::PendingAudit {
                    at: crate::access::now(),
                    actor: "cli".into(),
                    role: None,
                    action: action.to_string(),
                    outcome: outcome.to_string(),
                });
                if let Err(e) = queued {
                    eprintln!("qmap: warning: the audit log could not record {action:?}: {e}");
                }
            }
        }
    }
}

fn run_token(action: TokenCommand) -> Result<(), CliError> {
    match action {
        TokenCommand::Create {
            role,
            org,
            chains,
            expires,
            data,
        } => {
            let place = TokenPlace::open(&data.dir)?;
            let empty = Dataset::new();
            let existing: &dyn crate::model::Lookup = match &place.store {
                Some(store) => store,
                // Without the store, an organization or chain cannot be checked.
                None if org.is_some() || !chains.is_empty() => {
                    return Err(CliError::ScopeNeedsStore(data.dir.clone()))
                }
                None => &empty,
            };
            let now = crate::access::now();
            let issued =
                crate::access::issue(role, org.as_deref(), &chains, expires, now, existing)?;
            place.file.put(&issued.token)?;
            place.audit(
                &format!("token create {} ({})", issued.token.id, role.as_str()),
                "ok",
            );
            eprintln!(
                "created {} token {}; it is shown only now — keep it safe:",
                role.as_str(),
                issued.token.id
            );
            println!("{}", issued.secret);
            Ok(())
        }
        TokenCommand::List { data } => {
            let place = TokenPlace::open(&data.dir)?;
            let now = crate::access::now();
            let tokens = place.file.list()?;
            if tokens.is_empty() {
                println!("no tokens (create one with `qmap token create --role admin`)");
            }
            for t in tokens {
                let scope = match (&t.org, t.chains.is_empty()) {
                    (Some(org), _) => format!("org {org}"),
                    (None, false) => format!("chains {}", t.chains.join(",")),
                    (None, true) => "all".to_string(),
                };
                let expires = t.expires_at.map_or("never".to_string(), utc);
                println!(
                    "{}  {:<10} {:<8} created {}  expires {}  {}",
                    t.id,
                    t.role.as_str(),
                    t.state(now),
                    utc(t.created_at),
                    expires,
                    scope
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { id, data } => {
            let place = TokenPlace::open(&data.dir)?;
            place
                .file
                .revoke(&id, crate::access::now())?
                .ok_or_else(|| CliError::UnknownToken(id.clone()))?;
            place.audit(&format!("token revoke {id}"), "ok");
            println!("revoked {id}");
            Ok(())
        }
    }
}

fn run_audit(dir: &Path, limit: Option<usize>, json: bool) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let entries = store.audit(limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&entries).expect("JSON"));
        return Ok(());
    }
    if entries.is_empty() {
        println!("the audit log is empty");
    }
    for e in entries {
        println!(
            "{:>6}  {}  {:<14} {:<10} {}  → {}",
            e.seq,
            utc(e.at),
            e.actor,
            e.role.map_or("-", |r| r.as_str()),
            e.action,
            e.outcome
        );
    }
    Ok(())
}

/// A Unix time as `YYYY-MM-DD HH:MM:SSZ` (UTC), for people reading lists and logs.
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
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

    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00Z");
        assert_eq!(utc(1_795_301_999), "2026-11-21 22:59:59Z");
    }
}
