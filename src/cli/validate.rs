//! `qmap validate`: check a bundle file, every problem with its JSON Pointer and code.

use super::*;

/// Reads and validates a bundle file against what `existing` already holds.
pub fn read_bundle(path: &Path, existing: &dyn crate::model::Lookup) -> Result<Bundle, CliError> {
    if let Some(input) = crate::sheet::Input::of_path(path) {
        return crate::sheet::read_path(path, input)
            .and_then(|workbook| crate::sheet::parse(&workbook, existing))
            .map_err(|report| CliError::Invalid {
                path: path.to_path_buf(),
                report,
            });
    }
    let bytes = read_file(path)?;
    crate::validate::parse_bundle(&bytes, existing).map_err(|report| CliError::Invalid {
        path: path.to_path_buf(),
        report,
    })
}

pub(super) fn run_validate(file: &Path, data: Option<PathBuf>, json: bool) -> ExitCode {
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
    // The store's catalogue names codes too; read only when the file is valid.
    let catalogue = match (&result, &store) {
        (Ok(_), Some(store)) => match store.catalogue() {
            Ok(entries) => entries,
            Err(e) => return finish(Err(e.into())),
        },
        _ => Vec::new(),
    };
    let stored: std::collections::HashSet<&str> =
        catalogue.iter().map(|e| e.code.as_str()).collect();
    let warnings = result.as_ref().ok().and_then(|bundle| {
        crate::validate::catalogue::uncatalogued(bundle, !stored.is_empty(), &|code| {
            stored.contains(code)
        })
    });
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
        if valid {
            // `"catalogue": false` when there is none to judge codes by; the warnings
            // otherwise (an empty list when every code has an entry).
            out["catalogue"] = warnings.is_some().into();
            out["warnings"] = serde_json::to_value(warnings.unwrap_or_default()).expect("JSON");
        }
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
            match warnings {
                None => println!("no capability catalogue: codes are shown as they are"),
                Some(warnings) if !warnings.is_empty() => {
                    println!(
                        "warning: {} capability codes have no catalogue entry:",
                        warnings.len()
                    );
                    for w in &warnings {
                        println!("  {w}");
                    }
                }
                Some(_) => {}
            }
            ExitCode::SUCCESS
        }
        Err(e) => finish(Err(e)),
    }
}
