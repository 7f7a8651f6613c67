//! Reading a folder or a zip of CSV files, one per sheet (`<sheet name>.csv`), in UTF-8 (with or
//! without a byte-order mark) or GB18030 (what Excel on Chinese Windows writes): UTF-8 is tried
//! first, then GB18030; a file that is neither is `invalid_encoding` naming the file and line.

use super::{layout, sheet_error, Cell, Grid, Workbook};
use crate::validate::{ErrorCode, Report};
use std::io::Read;
use std::path::Path;

/// The text of a CSV file, or the error naming its first undecodable line.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, Report> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let gb = encoding_rs::GB18030;
    if let Some(text) = gb.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text.into_owned());
    }
    // Neither. A file whose text before the first bad byte holds UTF-8 characters is UTF-8
    // with a bad byte: name that byte's line. Otherwise name the first line that GB18030 cannot
    // decode (a newline is never part of a multi-byte GB18030 character, so lines decode on
    // their own).
    let valid = match std::str::from_utf8(bytes) {
        Err(e) => e.valid_up_to(),
        Ok(_) => bytes.len(),
    };
    let line = if !bytes[..valid].is_ascii() {
        bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1
    } else {
        bytes
            .split(|&b| b == b'\n')
            .position(|line| {
                gb.decode_without_bom_handling_and_without_replacement(line)
                    .is_none()
            })
            .map_or(1, |i| i + 1)
    };
    Err(sheet_error(
        ErrorCode::InvalidEncoding,
        format!("{file}:{line}"),
        format!("{file}, line {line}: the file is neither UTF-8 nor GB18030; save it as CSV UTF-8"),
    )
    .into())
}

/// The rows of a CSV text: every cell is text (an empty field is an empty cell).
fn grid(name: &str, file: &str, text: &str) -> Result<Grid, Report> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Report::from(sheet_error(
                ErrorCode::UnreadableWorkbook,
                format!("{file}:{line}"),
                format!("{file}, line {line}: not a CSV file: {e}"),
            ))
        })?;
        rows.push(
            record
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Grid {
        name: name.to_string(),
        rows,
        merged: Vec::new(),
    })
}

/// The sheet a file name stands for, if it is `<sheet name>.csv` of the layout.
fn sheet_of(file_name: &str) -> Option<&'static str> {
    let stem = file_name
        .strip_suffix(".csv")
        .or_else(|| file_name.strip_suffix(".CSV"))?;
    layout::sheet(stem).map(|s| s.name)
}

/// Adds one file's sheet, collecting errors so that every file is checked.
fn add(workbook: &mut Workbook, errors: &mut Report, sheet: &str, file: &str, bytes: &[u8]) {
    match decode(file, bytes).and_then(|text| grid(sheet, file, &text)) {
        Ok(g) => workbook.sheets.push(g),
        Err(r) => errors.extend(r),
    }
}

/// Reads the `<sheet>.csv` files of a folder (other files are skipped).
pub fn read_dir(dir: &Path) -> Result<Workbook, Report> {
    let cannot = |e: std::io::Error| {
        Report::from(sheet_error(
            ErrorCode::UnreadableWorkbook,
            dir.display().to_string(),
            format!("cannot read the folder {}: {e}", dir.display()),
        ))
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(cannot)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut workbook = Workbook::default();
    let mut errors = Report::new();
    for path in files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(sheet) = sheet_of(name) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(cannot)?;
        add(&mut workbook, &mut errors, sheet, name, &bytes);
    }
    if errors.is_empty() {
        Ok(workbook)
    } else {
        Err(errors)
    }
}

/// Reads the `<sheet>.csv` files of a zip, at any depth (other files are skipped).
pub fn read_zip(bytes: &[u8]) -> Result<Workbook, Report> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Report::from(sheet_error(
            ErrorCode::UnreadableWorkbook,
            "(zip)".to_string(),
            format!("the file is not a zip of CSV files that can be read: {e}"),
        ))
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut workbook = Workbook::default();
    let mut errors = Report::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| unreadable(&e))?;
        if !entry.is_file() {
            continue;
        }
        let full = entry.name().map_err(|e| unreadable(&e))?.to_string();
        let name = full.rsplit('/').next().unwrap_or(&full).to_string();
        let Some(sheet) = sheet_of(&name) else {
            continue;
        };
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| unreadable(&e))?;
        add(&mut workbook, &mut errors, sheet, &name, &data);
    }
    if errors.is_empty() {
        Ok(workbook)
    } else {
        Err(errors)
    }
}
