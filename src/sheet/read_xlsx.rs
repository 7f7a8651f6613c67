//! Reading an XLSX workbook (calamine) into plain cells: each cell's value (a formula's cached
//! value), the formulas that have none, and the merged ranges.

use super::{layout, sheet_error, Cell, Grid, Workbook};
use crate::validate::{ErrorCode, Report};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

fn unreadable(e: impl std::fmt::Display) -> Report {
    sheet_error(
        ErrorCode::UnreadableWorkbook,
        "(workbook)".to_string(),
        format!("the file is not an XLSX workbook that can be read: {e}"),
    )
    .into()
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => Cell::Date(date_text(d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Reads every sheet of the layout that the workbook has (other sheets, such as 说明, are
/// skipped).
pub fn read(bytes: &[u8]) -> Result<Workbook, Report> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut workbook = Workbook::default();
    for name in book.sheet_names() {
        if layout::sheet(&name).is_none() {
            continue;
        }
        let range = book.worksheet_range(&name).map_err(unreadable)?;
        let formulas = book.worksheet_formula(&name).map_err(unreadable)?;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let put = |rows: &mut Vec<Vec<Cell>>, r: usize, c: usize, value: Cell| {
            if rows.len() <= r {
                rows.resize_with(r + 1, Vec::new);
            }
            let row = &mut rows[r];
            if row.len() <= c {
                row.resize(c + 1, Cell::Empty);
            }
            row[c] = value;
        };
        if let Some((r0, c0)) = range.start() {
            for (r, c, data) in range.used_cells() {
                put(&mut rows, r0 as usize + r, c0 as usize + c, cell(data));
            }
        }
        // A formula whose cell holds no value: calamine reads it as empty.
        if let Some((r0, c0)) = formulas.start() {
            for (r, c, formula) in formulas.used_cells() {
                let (r, c) = (r0 as usize + r, c0 as usize + c);
                let empty = rows
                    .get(r)
                    .and_then(|row| row.get(c))
                    .is_none_or(Cell::is_empty);
                if empty && !formula.is_empty() {
                    put(&mut rows, r, c, Cell::FormulaWithoutValue(formula.clone()));
                }
            }
        }
        let merged = book
            .merge_cells_by_sheet_name(&name)
            .map_err(unreadable)?
            .into_iter()
            .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
            .collect();
        workbook.sheets.push(Grid { name, rows, merged });
    }
    Ok(workbook)
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`, for messages.
fn date_text(serial: f64) -> String {
    // Days from 1970-01-01, then the civil date (Howard Hinnant's algorithm).
    let z = serial.floor() as i64 - 25569 + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn date_serials_read_as_dates() {
        assert_eq!(super::date_text(45658.0), "2025-01-01");
        assert_eq!(super::date_text(25569.5), "1970-01-01");
    }
}
