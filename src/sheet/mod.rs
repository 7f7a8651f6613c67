//! Survey spreadsheets: the template workbook (调查模板), reading a workbook (XLSX) or a folder or
//! zip of CSV files into a bundle, and writing the store back out in the same layout.
//!
//! This is the only module that knows calamine, rust_xlsxwriter, csv, zip and encoding_rs.
//! One table ([`layout::SHEETS`]) says which sheets and columns there are; the readers turn a
//! file into a [`Workbook`] of plain cells, [`to_bundle`] turns that into the JSON of a bundle
//! (and a map from JSON Pointers back to cells), and the bundle goes through the same validation
//! as any JSON import (`crate::validate::parse_bundle`), whose errors are then located at their
//! cells (`问题!F17`). Writing goes the other way: [`from_bundle`] lays a bundle out in rows, and
//! [`write_xlsx`] or [`write_csv`] writes them.
//!
//! Decisions about what a person types (see also README, "Survey spreadsheets"):
//!
//! - Ids and references with leading or trailing spaces are refused (`invalid_id`), not trimmed:
//!   `catl ` and `catl` would be two firms.
//! - Region codes may be numbers (a spreadsheet program turns `320500` into one): a whole number
//!   is read as its digits. Full-width digits (`３２０５００`) are not normalised: they are refused
//!   as `invalid_region` at the cell, as in JSON.
//! - Enumerated values may be the code (`chain_master`) or the Chinese label the template offers
//!   (`链主`); the writer writes labels.
//! - A row whose cells are all empty is skipped, wherever it is.
//! - A formula's cached value is read; a formula without one is `formula_without_value`.
//! - An empty optional cell is an absent field: an optional text that is the empty string in a
//!   bundle (`"chief": ""`) comes back absent.

pub mod from_bundle;
pub mod layout;
pub mod lists;
pub mod read_csv;
pub mod read_xlsx;
pub mod to_bundle;
pub mod write_csv;
pub mod write_xlsx;

use crate::model::{Bundle, Lookup};
use crate::validate::{ErrorCode, Report, ValidationError};
use std::path::Path;

pub use to_bundle::CellMap;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date or time (its text as the file holds it).
    Date(String),
    /// A cell holding an error value such as `#DIV/0!`.
    Error(String),
    /// A formula whose value the file does not hold.
    FormulaWithoutValue(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.is_empty(),
            _ => false,
        }
    }
}

/// One sheet as read: `rows[0]` is row 1 (the header), `rows[r][c]` the cell of 0-based column
/// `c`; rows may be shorter than the header.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    /// Merged ranges: (first row, first column, last row, last column), 0-based.
    pub merged: Vec<(u32, u32, u32, u32)>,
}

/// The sheets of a workbook (or the CSV files of a folder or zip), in file order.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub sheets: Vec<Grid>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Grid> {
        self.sheets.iter().find(|g| g.name == name)
    }
}

/// What kind of spreadsheet input a path is, by its extension (or being a directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Xlsx,
    CsvDir,
    CsvZip,
}

impl Input {
    /// `Some` for a spreadsheet input: a `.xlsx` (or `.xlsm`) file, a `.zip` of CSV files, or a
    /// directory (of CSV files); `None` for anything else (a JSON bundle).
    pub fn of_path(path: &Path) -> Option<Input> {
        if path.is_dir() {
            return Some(Input::CsvDir);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(Input::Xlsx),
            "zip" => Some(Input::CsvZip),
            _ => None,
        }
    }
}

/// An error not located by a JSON Pointer: it names the sheet or cell only.
pub(crate) fn sheet_error(code: ErrorCode, cell: String, message: String) -> ValidationError {
    let mut e = ValidationError::new(code, "", message);
    e.cell = Some(cell);
    e
}

/// Reads a spreadsheet input from disk.
pub fn read_path(path: &Path, input: Input) -> Result<Workbook, Report> {
    match input {
        Input::CsvDir => read_csv::read_dir(path),
        Input::Xlsx | Input::CsvZip => {
            let bytes = std::fs::read(path).map_err(|e| {
                Report::from(sheet_error(
                    ErrorCode::UnreadableWorkbook,
                    path.display().to_string(),
                    format!("cannot read {}: {e}", path.display()),
                ))
            })?;
            read_bytes(&bytes, input)
        }
    }
}

/// Reads a workbook or a zip of CSV files held in memory.
pub fn read_bytes(bytes: &[u8], input: Input) -> Result<Workbook, Report> {
    match input {
        Input::Xlsx => read_xlsx::read(bytes),
        Input::CsvZip => read_csv::read_zip(bytes),
        Input::CsvDir => unreachable!("a directory is read with read_path"),
    }
}

/// A workbook as the JSON text of a bundle and the map from its JSON Pointers to cells; or the
/// errors of its sheets and cells.
pub fn to_json(workbook: &Workbook) -> Result<(Vec<u8>, CellMap), Report> {
    let (value, map) = to_bundle::build(workbook)?;
    let bytes = serde_json::to_vec(&value).expect("a JSON value serializes");
    Ok((bytes, map))
}

/// Reads and validates a workbook against what `existing` holds, every error at its cell.
pub fn parse(workbook: &Workbook, existing: &dyn Lookup) -> Result<Bundle, Report> {
    let (bytes, map) = to_json(workbook)?;
    validate(&bytes, &map, existing)
}

/// Validates the JSON built from a workbook: the errors of its cells and of the validation
/// together, each at its cell. A workbook with cell errors is refused even when the bundle
/// built without those cells would pass.
pub fn validate(bytes: &[u8], map: &CellMap, existing: &dyn Lookup) -> Result<Bundle, Report> {
    match crate::validate::parse_bundle(bytes, existing) {
        Ok(bundle) if !map.has_errors() => Ok(bundle),
        Ok(_) => Err(map.locate(Report::new())),
        Err(report) => Err(map.locate(report)),
    }
}
