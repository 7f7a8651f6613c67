//! The `qmap` binary: parse the arguments and run the command; everything else is in the library.

fn main() -> std::process::ExitCode {
    qmap::cli::main()
}
