//! `qmap export`: the whole store as one bundle.

use super::*;

pub(super) fn export(output: Option<&Path>, dir: &Path) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let bundle = store.export()?;
    write_output(&bundle, output, true)
}
