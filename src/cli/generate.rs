//! `qmap generate`: a deterministic synthetic bundle.

use super::*;

pub(super) fn run_generate(opts: &GenOptions, output: Option<&Path>) -> Result<(), CliError> {
    let bundle = generate(opts);
    write_output(&bundle, output, false)?;
    eprintln!("generated {}", counts(&bundle));
    // See `import`: the process ends right here anyway.
    std::mem::forget(bundle);
    Ok(())
}
