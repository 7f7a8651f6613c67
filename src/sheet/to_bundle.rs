//! Rows → the JSON of a bundle, with a map from each JSON Pointer back to its cell.
//!
//! The bundle is built as a `serde_json::Value` and then validated like any JSON document, so a
//! workbook gets exactly the codes of a JSON import. What only a sheet can get wrong (a missing
//! sheet or column, a merged cell, a date where text is expected, a formula without a value, a
//! trailing-space id) is found here; a cell with such an error is left out of the JSON, and the
//! validation errors at its pointer are dropped (they would only repeat it).

use super::layout::{self, cell_ref, Column, Kind, Shape, Sheet, SHEETS};
use super::{sheet_error, Cell, Grid, Workbook};
use crate::validate::{ErrorCode, Report};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Where a JSON Pointer of the built bundle came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Loc {
    sheet: &'static str,
    /// 0-based column; `None` for a whole record (reported at its row's first column).
    column: Option<u32>,
    /// 1-based row.
    row: u32,
}

/// From the JSON Pointers of a bundle built from a workbook back to the cells they came from.
#[derive(Debug, Clone, Default)]
pub struct CellMap {
    cells: HashMap<String, Loc>,
    /// Pointers of cells that had an error of their own and were left out of the bundle.
    bad: Vec<String>,
    /// The errors of the cells themselves.
    errors: Report,
}

impl CellMap {
    fn put(&mut self, pointer: String, sheet: &'static str, column: Option<u32>, row: u32) {
        self.cells.insert(pointer, Loc { sheet, column, row });
    }

    /// The cell of a JSON Pointer: the nearest of it and its ancestors that came from a cell.
    pub fn cell_of(&self, pointer: &str) -> Option<String> {
        let mut p = pointer;
        loop {
            if let Some(loc) = self.cells.get(p) {
                return Some(cell_ref(loc.sheet, loc.column.unwrap_or(0), loc.row));
            }
            p = &p[..p.rfind('/')?];
        }
    }

    /// The errors of a validation of the built bundle, each given its cell, together with the
    /// errors of the cells themselves (first); errors that only repeat a cell's own error are
    /// dropped.
    pub fn locate(&self, report: Report) -> Report {
        let mut out = self.errors.clone();
        for mut e in report.into_errors() {
            let repeats = self.bad.iter().any(|b| {
                e.path == *b
                    || (e.path.starts_with(b.as_str()) && e.path[b.len()..].starts_with('/'))
            });
            if repeats {
                continue;
            }
            if e.cell.is_none() {
                e.cell = self.cell_of(&e.path);
            }
            out.push(e);
        }
        out
    }

    /// Whether the cells themselves had errors.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Gives the errors of a write that were found after validation (the rules of problem
    /// statuses, `--replace`) their cells.
    pub fn locate_only(&self, mut report: Report) -> Report {
        for e in report.errors_mut() {
            if e.cell.is_none() {
                e.cell = self.cell_of(&e.path);
            }
        }
        report
    }
}

fn pointer(parts: &[&str]) -> String {
    let mut p = String::new();
    for part in parts {
        p.push('/');
        p.push_str(part);
    }
    p
}

/// The header row of a sheet: each layout column's 0-based index, or a `missing_column` error.
fn columns(sheet: &Sheet, grid: &Grid, errors: &mut Report) -> Option<Vec<u32>> {
    let header = grid.rows.first().map(Vec::as_slice).unwrap_or(&[]);
    let mut found = Vec::with_capacity(sheet.columns.len());
    let mut missing = false;
    for column in sheet.columns {
        let at = header.iter().position(|c| match c {
            Cell::Text(t) => t.trim() == column.header,
            _ => false,
        });
        match at {
            Some(i) => found.push(i as u32),
            None => {
                missing = true;
                errors.push(sheet_error(
                    ErrorCode::MissingColumn,
                    format!("{}!1", sheet.name),
                    format!(
                        "sheet {} has no column {:?} (row 1 must hold the template's headers)",
                        sheet.name, column.header
                    ),
                ));
            }
        }
    }
    (!missing).then_some(found)
}

/// The JSON value of one non-empty cell, or the message of a `wrong_cell_type` (or other) error.
fn value(kind: Kind, cell: &Cell) -> Result<Value, (ErrorCode, String)> {
    let wrong = |what: &str| {
        Err((
            ErrorCode::WrongCellType,
            format!("{what} where {} is expected", expected(kind)),
        ))
    };
    match cell {
        Cell::Empty => Ok(Value::Null),
        Cell::Date(d) => wrong(&format!("a date ({d})")),
        Cell::Error(e) => wrong(&format!("an error value ({e})")),
        Cell::FormulaWithoutValue(f) => Err((
            ErrorCode::FormulaWithoutValue,
            format!(
                "the formula ={f} has no calculated value in the file: open and save the workbook \
                 in a spreadsheet program, or type the value"
            ),
        )),
        Cell::Bool(b) => match kind {
            Kind::Bool => Ok(Value::Bool(*b)),
            _ => wrong(&format!(
                "a boolean ({})",
                if *b { "TRUE" } else { "FALSE" }
            )),
        },
        Cell::Number(n) => match kind {
            Kind::Integer | Kind::Number => Ok(number(*n)),
            Kind::Region if n.fract() == 0.0 && *n >= 0.0 && *n < 1e15 => {
                Ok(Value::String(format!("{}", *n as u64)))
            }
            Kind::Bool if *n == 1.0 => Ok(Value::Bool(true)),
            Kind::Bool if *n == 0.0 => Ok(Value::Bool(false)),
            _ => wrong(&format!("a number ({n})")),
        },
        Cell::Text(t) => text_value(kind, t),
    }
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::Id | Kind::List | Kind::EnumList(_) => "text",
        Kind::Region => "a region code",
        Kind::Integer => "a whole number",
        Kind::Number => "a number",
        Kind::Bool => "是 or 否",
        Kind::Enum(_) => "one of the listed values",
    }
}

/// A number as JSON: whole numbers as integers (so that they read as `u32`), others as floats.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn text_value(kind: Kind, t: &str) -> Result<Value, (ErrorCode, String)> {
    match kind {
        Kind::Text | Kind::Region => Ok(Value::String(t.to_string())),
        Kind::Id => {
            if t.trim() != t {
                Err((
                    ErrorCode::InvalidId,
                    format!(
                        "{t:?} starts or ends with whitespace; ids are not trimmed, remove the \
                         spaces"
                    ),
                ))
            } else {
                Ok(Value::String(t.to_string()))
            }
        }
        Kind::Integer | Kind::Number => {
            let s = t.trim();
            if let Ok(i) = s.parse::<i64>() {
                Ok(json!(i))
            } else if let Ok(f) = s.parse::<f64>() {
                Ok(number(f))
            } else {
                // Validation says what is wrong with it (wrong_type at the cell).
                Ok(Value::String(t.to_string()))
            }
        }
        Kind::Bool => match t.trim() {
            "是" | "true" | "TRUE" | "True" | "1" => Ok(Value::Bool(true)),
            "否" | "false" | "FALSE" | "False" | "0" => Ok(Value::Bool(false)),
            other => Err((
                ErrorCode::WrongCellType,
                format!("{other:?} where 是 or 否 is expected"),
            )),
        },
        Kind::Enum(table) => Ok(Value::String(
            layout::enum_code(table, t.trim())
                .map(str::to_string)
                .unwrap_or_else(|| t.to_string()),
        )),
        Kind::List => Ok(Value::Array(
            layout::split_list(t)
                .into_iter()
                .map(|s| Value::String(s.to_string()))
                .collect(),
        )),
        Kind::EnumList(table) => Ok(Value::Array(
            layout::split_list(t)
                .into_iter()
                .map(|s| Value::String(layout::enum_code(table, s).unwrap_or(s).to_string()))
                .collect(),
        )),
    }
}

/// Sets `value` at `path` in `object`, creating the objects on the way.
fn set(object: &mut Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            object.insert((*last).to_string(), value);
        }
        [first, rest @ ..] => {
            let inner = object
                .entry((*first).to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                set(inner, rest, value);
            }
        }
    }
}

/// One data row of a sheet as a JSON object (relative to its record), registering its cells.
#[allow(clippy::too_many_arguments)]
fn row_object(
    sheet: &'static Sheet,
    columns: &[&'static Column],
    at: &[u32],
    cells: &[Cell],
    merged: &[(u32, u32, u32, u32)],
    row: u32,
    base: &str,
    map: &mut CellMap,
) -> Map<String, Value> {
    let mut object = Map::new();
    for (column, &c) in columns.iter().zip(at) {
        let field = format!("{base}{}", pointer(column.path));
        map.put(field.clone(), sheet.name, Some(c), row);
        // A merged cell is reported once, as merged_cell, not again for its value.
        if in_merged(merged, row, c) {
            map.bad.push(field);
            continue;
        }
        let cell = cells.get(c as usize).unwrap_or(&Cell::Empty);
        if cell.is_empty() {
            if column.required {
                match column.kind {
                    // A required text may be empty in bundle format 1; an empty id is
                    // refused by validation (empty_id) at this cell.
                    Kind::Text | Kind::Id => {
                        set(&mut object, column.path, Value::String(String::new()))
                    }
                    _ => {
                        let mut e = sheet_error(
                            ErrorCode::MissingField,
                            cell_ref(sheet.name, c, row),
                            format!("{} is required", column.header),
                        );
                        if !base.is_empty() {
                            e.path.clone_from(&field);
                        }
                        map.bad.push(field);
                        map.errors.push(e);
                    }
                }
            }
            continue;
        }
        match value(column.kind, cell) {
            Ok(v) => set(&mut object, column.path, v),
            Err((code, message)) => {
                let mut e = sheet_error(
                    code,
                    cell_ref(sheet.name, c, row),
                    format!("{}: {message}", column.header),
                );
                if !base.is_empty() {
                    e.path.clone_from(&field);
                }
                map.bad.push(field);
                map.errors.push(e);
            }
        }
    }
    object
}

/// Whether the cell of 1-based `row` and 0-based `column` is part of a merged range.
fn in_merged(merged: &[(u32, u32, u32, u32)], row: u32, column: u32) -> bool {
    let r = row - 1;
    merged
        .iter()
        .any(|&(r0, c0, r1, c1)| (r0..=r1).contains(&r) && (c0..=c1).contains(&column))
}

fn merged_errors(sheet: &Sheet, grid: &Grid, errors: &mut Report) {
    for &(r0, c0, r1, c1) in &grid.merged {
        errors.push(sheet_error(
            ErrorCode::MergedCell,
            format!(
                "{}!{}{}:{}{}",
                sheet.name,
                layout::column_letters(c0),
                r0 + 1,
                layout::column_letters(c1),
                r1 + 1
            ),
            "merged cells: every value needs a cell of its own (unmerge them and fill each cell)"
                .to_string(),
        ));
    }
}

/// Builds the bundle's JSON from a workbook. Missing sheets or columns are returned as errors
/// at once (nothing can be read reliably); the errors of single cells are kept in the map and
/// reported with the validation's (see [`CellMap::locate`]).
pub fn build(workbook: &Workbook) -> Result<(Value, CellMap), Report> {
    let mut structural = Report::new();
    let mut found: Vec<(&'static Sheet, &Grid, Vec<u32>)> = Vec::new();
    for sheet in SHEETS {
        let Some(grid) = workbook.sheet(sheet.name) else {
            if !sheet.optional {
                structural.push(sheet_error(
                    ErrorCode::MissingSheet,
                    sheet.name.to_string(),
                    format!(
                        "the workbook has no sheet {} (a CSV folder: no file {}.csv); every sheet \
                         of the template is needed, even if empty",
                        sheet.name, sheet.name
                    ),
                ));
            }
            continue;
        };
        if let Some(at) = columns(sheet, grid, &mut structural) {
            found.push((sheet, grid, at));
        }
    }
    if !structural.is_empty() {
        return Err(structural);
    }
    let mut map = CellMap::default();
    let mut doc = Map::new();
    doc.insert("version".into(), json!(crate::model::BUNDLE_VERSION));
    for (sheet, grid, _) in &found {
        merged_errors(sheet, grid, &mut map.errors);
    }
    // Top-level records first, so that nested sheets find their parents.
    let mut arrays: HashMap<&'static str, Vec<Value>> = HashMap::new();
    for (sheet, grid, at) in &found {
        let Shape::Records { array } = sheet.shape else {
            continue;
        };
        let columns: Vec<&Column> = sheet.columns.iter().collect();
        let records = arrays.entry(array).or_default();
        for (r, cells) in grid.rows.iter().enumerate().skip(1) {
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            let row = r as u32 + 1;
            let base = format!("/{array}/{}", records.len());
            map.put(base.clone(), sheet.name, None, row);
            let object = row_object(
                sheet,
                &columns,
                at,
                cells,
                &grid.merged,
                row,
                &base,
                &mut map,
            );
            records.push(Value::Object(object));
        }
    }
    for (sheet, grid, at) in &found {
        let Shape::Nested {
            parent,
            key,
            field,
            keep_empty,
        } = sheet.shape
        else {
            continue;
        };
        let parents = arrays.entry(parent).or_default();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, p) in parents.iter().enumerate() {
            if let Some(id) = p.get(key).and_then(Value::as_str) {
                index.entry(id.to_string()).or_insert(i);
            }
        }
        let mut lists: Vec<Option<Vec<Value>>> = vec![None; parents.len()];
        let columns: Vec<&Column> = sheet.columns[1..].iter().collect();
        let key_column = &sheet.columns[0];
        for (r, cells) in grid.rows.iter().enumerate().skip(1) {
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            let row = r as u32 + 1;
            let kc = at[0];
            let key_cell = cells.get(kc as usize).unwrap_or(&Cell::Empty);
            let owner = match value(key_column.kind, key_cell) {
                Ok(Value::String(id)) => match index.get(&id) {
                    Some(&i) => Some(i),
                    None => {
                        let (code, what) = if parent == "chains" {
                            (ErrorCode::UnknownChain, "产业链")
                        } else {
                            (ErrorCode::UnknownOrganization, "企业与机构")
                        };
                        map.errors.push(sheet_error(
                            code,
                            cell_ref(sheet.name, kc, row),
                            format!("{}: {id:?} is not in sheet {what}", key_column.header),
                        ));
                        None
                    }
                },
                Ok(_) => {
                    map.errors.push(sheet_error(
                        ErrorCode::MissingField,
                        cell_ref(sheet.name, kc, row),
                        format!("{} is required", key_column.header),
                    ));
                    None
                }
                Err((code, message)) => {
                    map.errors.push(sheet_error(
                        code,
                        cell_ref(sheet.name, kc, row),
                        format!("{}: {message}", key_column.header),
                    ));
                    None
                }
            };
            match owner {
                Some(i) => {
                    let list = lists[i].get_or_insert_with(Vec::new);
                    let base = format!("/{parent}/{i}/{field}/{}", list.len());
                    map.put(base.clone(), sheet.name, Some(kc), row);
                    let object = row_object(
                        sheet,
                        &columns,
                        &at[1..],
                        cells,
                        &grid.merged,
                        row,
                        &base,
                        &mut map,
                    );
                    list.push(Value::Object(object));
                }
                None => {
                    // Still check its cells, for every error at once; a throwaway map keeps
                    // their pointers out of the real one.
                    let mut scratch = CellMap::default();
                    row_object(
                        sheet,
                        &columns,
                        &at[1..],
                        cells,
                        &grid.merged,
                        row,
                        "",
                        &mut scratch,
                    );
                    map.errors.extend(scratch.errors);
                }
            }
        }
        for (p, list) in parents.iter_mut().zip(lists) {
            let Value::Object(p) = p else { continue };
            match list {
                Some(list) => {
                    p.insert(field.to_string(), Value::Array(list));
                }
                None if keep_empty(p) => {
                    p.insert(field.to_string(), Value::Array(Vec::new()));
                }
                None => {}
            }
        }
    }
    for sheet in SHEETS {
        if let Shape::Records { array } = sheet.shape {
            if let Some(records) = arrays.remove(array) {
                doc.insert(array.to_string(), Value::Array(records));
            }
        }
    }
    Ok((Value::Object(doc), map))
}
