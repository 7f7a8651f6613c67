//! The `qmap` command line: argument parsing (clap) and one function per command.
//!
//! Commands print results to stdout and errors to stderr, and exit non-zero on failure.

use crate::model::Bundle;
use crate::store::{Store, StoreError};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
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
    /// Import a bundle into the store: upsert by id, all or nothing.
    Import {
        /// The bundle (format 1, JSON).
        file: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Export the whole store as one bundle.
    Export {
        /// Where to write the bundle; stdout when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
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
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a bundle: {source}", path.display())]
    NotABundle {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::model::bundle_schema()).expect("schema")
            );
            Ok(())
        }
        Command::Import { file, data } => import(&file, &data.dir),
        Command::Export { output, data } => export(output.as_deref(), &data.dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qmap: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Turns the bytes of a bundle file into a bundle that may be written to `store`.
fn read_bundle(bytes: &[u8], _store: &Store) -> Result<Bundle, serde_json::Error> {
    serde_json::from_slice::<Bundle>(bytes)
}

fn import(file: &Path, dir: &Path) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let bytes = std::fs::read(file).map_err(|source| CliError::ReadFile {
        path: file.to_path_buf(),
        source,
    })?;
    let bundle = read_bundle(&bytes, &store).map_err(|source| CliError::NotABundle {
        path: file.to_path_buf(),
        source,
    })?;
    drop(bytes);

    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% {elapsed_precise}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message("importing");
        bar
    } else {
        ProgressBar::hidden()
    };
    let summary = store.import_with_progress(&bundle, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    // Only now, with the write flushed, may the user (or a script) take it as done.
    println!(
        "imported {} records (revision {})",
        summary.records(),
        summary.revision
    );
    Ok(())
}

fn export(output: Option<&Path>, dir: &Path) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let bundle = store.export()?;
    match output {
        Some(path) => {
            let write_err = |source| CliError::WriteFile {
                path: path.to_path_buf(),
                source,
            };
            let file = std::fs::File::create(path).map_err(write_err)?;
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer(&mut out, &bundle).map_err(|e| write_err(e.into()))?;
            out.write_all(b"\n").map_err(write_err)?;
            out.into_inner()
                .map_err(|e| write_err(e.into_error()))?
                .sync_all()
                .map_err(write_err)?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let path = PathBuf::from("<stdout>");
            let write_err = |source| CliError::WriteFile {
                path: path.clone(),
                source,
            };
            serde_json::to_writer(&mut out, &bundle).map_err(|e| write_err(e.into()))?;
            out.write_all(b"\n").map_err(write_err)?;
            out.flush().map_err(write_err)?;
        }
    }
    Ok(())
}
