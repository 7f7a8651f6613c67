//! The `qmap` command line: argument parsing (clap) and one function per command.
//!
//! Commands print results to stdout and errors to stderr, and exit non-zero on failure.

use crate::generate::{generate, GenOptions};
use crate::model::Bundle;
use clap::{Parser, Subcommand};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
