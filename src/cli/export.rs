//! `qmap export`: the whole store as one bundle, streamed kind by kind (see
//! [`Store::export_json`]), never held whole in memory.

use super::*;

pub(super) fn export(output: Option<&Path>, dir: &Path) -> Result<(), CliError> {
    // Every page is read once: a small cache keeps the resident memory to the records of one
    // kind at a time.
    let store = Store::open_with_cache(dir, EXPORT_CACHE_BYTES)?;
    let path = output.unwrap_or(Path::new("<stdout>"));
    let write_err = |source| CliError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let exported = |e: crate::store::ExportError| match e {
        crate::store::ExportError::Store(e) => CliError::Store(e),
        crate::store::ExportError::Write(e) => write_err(e),
    };
    match output {
        Some(path) => {
            let file = File::create(path).map_err(write_err)?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            store.export_json(&mut out).map_err(exported)?;
            out.write_all(b"\n").map_err(write_err)?;
            let file = out.into_inner().map_err(|e| write_err(e.into_error()))?;
            file.sync_all().map_err(write_err)?;
        }
        None => {
            let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            store.export_json(&mut out).map_err(exported)?;
            out.write_all(b"\n").map_err(write_err)?;
            out.flush().map_err(write_err)?;
        }
    }
    Ok(())
}

/// sled's page cache for an export, which reads each page once.
const EXPORT_CACHE_BYTES: u64 = 64 << 20;
