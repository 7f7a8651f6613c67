//! `qmap import`: validate a bundle against the store and the rules of writes, then import it all or nothing.

use super::*;
use crate::model::revision::KindChanges;
use crate::model::{ChangeSet, SupplyList, WriteNote};

/// The options of `qmap import`.
#[derive(Debug, Default)]
pub struct ImportFlags {
    pub timings: bool,
    pub override_status: bool,
    pub label: Option<String>,
    pub replace: bool,
}

pub(super) fn import(file: &Path, dir: &Path, flags: &ImportFlags) -> Result<(), CliError> {
    let start = Instant::now();
    let mut timings = Timings::new(flags.timings);
    if let Some(label) = &flags.label {
        crate::model::revision::check_label(label).map_err(|m| CliError::Api(m.to_string()))?;
    }
    // The import reads and writes most pages once: a big cache would only add resident memory.
    let store = Store::open_with_cache(dir, IMPORT_CACHE_BYTES)?;
    timings.lap("open");
    let mut action = format!("import {}", file.display());
    if flags.override_status {
        action.push_str(" --override-status");
    }
    if flags.replace {
        action.push_str(" --replace");
    }
    if let Some(label) = &flags.label {
        action.push_str(&format!(" --label {label:?}"));
    }
    let imported = match import_timed(&store, file, flags, &mut timings) {
        Ok(imported) => imported,
        Err(e) => {
            audit_cli(&store, &action, &format!("rejected: {e}"));
            return Err(e);
        }
    };
    let revision = imported.revision.revision;
    audit_cli(
        &store,
        &format!("{action} ({} records)", imported.records),
        &format!("ok (revision {revision})"),
    );
    if timings.enabled {
        eprintln!("{:>10}: {:>9.3} s", "total", secs(start.elapsed()));
    }
    // Only now, with the write flushed, may the user (or a script) take it as done.
    let KindChanges {
        added,
        changed,
        removed,
    } = imported.revision.counts.sum();
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = match &imported.revision.label {
        Some(label) => writeln!(
            out,
            "imported {} records as survey {label:?} (revision {revision}): {added} added, \
             {changed} changed, {removed} removed",
            imported.records
        ),
        None => writeln!(
            out,
            "imported {} records (revision {revision}): {added} added, {changed} changed, \
             {removed} removed",
            imported.records
        ),
    };
    for (chain, r) in imported.replaced.iter().flatten() {
        let _ = writeln!(
            out,
            "  {chain}: replaced: {} memberships, {} supplies and {} demand problems removed; \
             {} resolved problems kept, {} removed with firms that left",
            r.memberships, r.supplies, r.problems, r.resolved_kept, r.resolved_removed
        );
    }
    // A reader that went away (`| head`) is no error: the import is done.
    let _ = io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}

/// What an import wrote.
pub(super) struct Imported {
    /// Records in the file.
    pub records: usize,
    /// Records in the file by kind (its `revision` is 0: see `revision`).
    pub summary: ImportSummary,
    pub revision: crate::model::Revision,
    /// With `--replace`: what it removed, by chain of the file.
    pub replaced: Option<std::collections::BTreeMap<String, crate::service::survey::Replaced>>,
}

/// sled's page cache for `qmap import`.
const IMPORT_CACHE_BYTES: u64 = 128 << 20;

/// What `qmap import` does with an open store: read, validate against the store and the rules of
/// writes (`service::rules`), import all or nothing. A file with any problem writes nothing.
pub fn import_file(store: &Store, file: &Path) -> Result<ImportSummary, CliError> {
    let imported = import_timed(
        store,
        file,
        &ImportFlags::default(),
        &mut Timings::new(false),
    )?;
    Ok(ImportSummary {
        revision: imported.revision.revision,
        ..imported.summary
    })
}

pub(super) fn import_timed(
    store: &Store,
    file: &Path,
    flags: &ImportFlags,
    timings: &mut Timings,
) -> Result<Imported, CliError> {
    // A workbook (or CSV folder or zip) is read into a bundle first; its errors, and those of
    // the rules below, name their cells.
    let sheet = crate::sheet::Input::of_path(file);
    let mut cells: Option<crate::sheet::CellMap> = None;
    let invalid = |report: Report, cells: &Option<crate::sheet::CellMap>| CliError::Invalid {
        path: file.to_path_buf(),
        report: match cells {
            Some(map) => map.locate_only(report),
            None => report,
        },
    };
    let reading = progress("validating");
    reading.enable_steady_tick(std::time::Duration::from_millis(200));
    // First the packed path: the file is parsed as it is read, its supplies packed, so that
    // neither its text nor millions of supply records are held (see `parse_packed_bundle`).
    // It only ever accepts a valid document; anything else (including a file that cannot be
    // opened) goes the whole-text way below, which makes the report (or the error) exactly.
    let packed = if sheet.is_some() {
        None
    } else {
        std::fs::File::open(file).ok()
    };
    let packed = packed.and_then(|f| {
        timings.lap("read");
        crate::validate::parse_packed_bundle(std::io::BufReader::with_capacity(1 << 20, f), store)
    });
    let (bundle, supplies) = match packed {
        Some(packed) => (packed.bundle, packed.supplies),
        None if sheet.is_some() => {
            let read = crate::sheet::read_path(file, sheet.expect("a sheet input"))
                .and_then(|workbook| crate::sheet::to_json(&workbook));
            timings.lap("read");
            let bundle = match read {
                Ok((bytes, map)) => {
                    let bundle =
                        crate::sheet::validate(&bytes, &map, store).map_err(|r| invalid(r, &None));
                    cells = Some(map);
                    bundle
                }
                Err(report) => Err(invalid(report, &None)),
            };
            if bundle.is_err() {
                reading.finish_and_clear();
            }
            (bundle?, SupplyList::new())
        }
        None => {
            let bytes = read_file(file);
            timings.lap("read");
            let bundle = bytes.and_then(|bytes| {
                crate::validate::parse_bundle(&bytes, store).map_err(|r| invalid(r, &None))
            });
            if bundle.is_err() {
                reading.finish_and_clear();
            }
            (bundle?, SupplyList::new())
        }
    };
    if !flags.override_status {
        let broken = crate::service::rules::check_problems(&bundle.problems, store);
        if !broken.is_empty() {
            reading.finish_and_clear();
            return Err(invalid(broken.into(), &cells));
        }
    }
    let records = bundle.record_count() + supplies.len();
    let summary = ImportSummary::of(&bundle, supplies.len(), 0);
    let (change, replaced) = if flags.replace {
        let chains: Vec<&str> = bundle.chains.iter().map(|c| c.id.as_str()).collect();
        let now = crate::service::survey::Holdings::of_store(store, &chains)?;
        timings.lap("holdings");
        match crate::service::survey::replacing(bundle, &supplies, &now) {
            Ok((change, replaced)) => (change, Some(replaced)),
            Err(errors) => {
                reading.finish_and_clear();
                return Err(invalid(errors.into(), &cells));
            }
        }
    } else {
        (ChangeSet::upsert(bundle), None)
    };
    reading.finish_and_clear();
    timings.lap("validate");
    let note = WriteNote::by("cli").labelled(flags.label.clone());
    let revision = write(timings, |progress| {
        store.commit(&change, &supplies, &note, progress)
    })?;
    // Freeing millions of small strings takes a noticeable share of a big import, and the
    // process ends soon anyway.
    std::mem::forget(change);
    std::mem::forget(supplies);
    Ok(Imported {
        records,
        summary,
        revision,
        replaced,
    })
}

/// Runs an import's write with a progress bar, and times its two stages.
fn write<T>(
    timings: &mut Timings,
    import: impl FnOnce(&dyn Fn(u64, u64)) -> Result<T, crate::store::StoreError>,
) -> Result<T, CliError> {
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
