//! The `qmap` command line: argument parsing (clap) and one function per command.
//!
//! Commands print results to stdout and errors to stderr, and exit non-zero on failure.

use clap::{Parser, Subcommand};
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
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::model::bundle_schema()).expect("schema")
            );
            ExitCode::SUCCESS
        }
    }
}
