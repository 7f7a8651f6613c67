//! `qmap import`: validate a bundle against the store and the rules of writes, then import it all or nothing.

use super::*;

pub(super) fn import(
    file: &Path,
    dir: &Path,
    timings: bool,
    override_status: bool,
) -> Result<(), CliError> {
    let start = Instant::now();
    let mut timings = Timings::new(timings);
    // The import reads and writes most pages once: a big cache would only add resident memory.
    let store = Store::open_with_cache(dir, IMPORT_CACHE_BYTES)?;
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

/// sled's page cache for `qmap import`.
const IMPORT_CACHE_BYTES: u64 = 128 << 20;

/// What `qmap import` does with an open store: read, validate against the store and the rules of
/// writes (`service::rules`), import all or nothing. A file with any problem writes nothing.
pub fn import_file(store: &Store, file: &Path) -> Result<ImportSummary, CliError> {
    import_timed(store, file, false, &mut Timings::new(false))
}

pub(super) fn import_timed(
    store: &Store,
    file: &Path,
    override_status: bool,
    timings: &mut Timings,
) -> Result<ImportSummary, CliError> {
    let reading = progress("validating");
    reading.enable_steady_tick(std::time::Duration::from_millis(200));
    // First the packed path: the file is parsed as it is read, its supplies packed, so that
    // neither its text nor millions of supply records are held (see `parse_packed_bundle`).
    // It only ever accepts a valid document; anything else (including a file that cannot be
    // opened) goes the whole-text way below, which makes the report (or the error) exactly.
    let packed = std::fs::File::open(file).ok().and_then(|f| {
        timings.lap("read");
        crate::validate::parse_packed_bundle(std::io::BufReader::with_capacity(1 << 20, f), store)
    });
    if let Some(packed) = packed {
        let broken = if override_status {
            Vec::new()
        } else {
            crate::service::rules::check_problems(&packed.bundle.problems, store)
        };
        reading.finish_and_clear();
        if !broken.is_empty() {
            return Err(CliError::Invalid {
                path: file.to_path_buf(),
                report: broken.into(),
            });
        }
        timings.lap("validate");
        let summary = write(timings, |progress| {
            store.import_packed(&packed.bundle, &packed.supplies, progress)
        })?;
        // Freeing a million small strings takes a noticeable share of a big import, and the
        // process ends soon anyway.
        std::mem::forget(packed);
        return Ok(summary);
    }
    let bytes = read_file(file);
    timings.lap("read");
    let bundle = bytes.and_then(|bytes| {
        crate::validate::parse_bundle(&bytes, store).map_err(|report| CliError::Invalid {
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
    let summary = write(timings, |progress| {
        store.import_with_progress(&bundle, progress)
    })?;
    // Freeing millions of small strings takes a noticeable share of a big import, and the
    // process ends soon anyway.
    std::mem::forget(bundle);
    Ok(summary)
}

/// Runs an import's write with a progress bar, and times its two stages.
fn write(
    timings: &mut Timings,
    import: impl FnOnce(&dyn Fn(u64, u64)) -> Result<ImportSummary, crate::store::StoreError>,
) -> Result<ImportSummary, CliError> {
    let bar = progress("importing");
    // The store reports the first half of the progress while it writes the redo log, the
    // second half while it applies it: the moment the log is written splits the two stages.
    let logged = std::cell::Cell::new(None);
    let summary = import(&|done, total| {
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
    Ok(summary)
}
