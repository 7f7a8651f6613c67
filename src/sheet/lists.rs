//! Report workbooks: tables that a person reads (the three lists of a chain, 三清单), as opposed
//! to the survey layout of [`super::write_xlsx`] that is read back in. Each table becomes a sheet
//! with a bold, frozen header row, an autofilter over its rows and widths fitted to its content;
//! numbers are numbers (so they sort and sum), everything else text. Names, not codes: the
//! service fills the cells with what the page shows.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The content type of an XLSX file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One value of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Empty,
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s)
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::from(s.to_string())
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n as f64)
    }
}

impl From<u8> for Value {
    fn from(n: u8) -> Value {
        Value::Number(f64::from(n))
    }
}

impl From<u16> for Value {
    fn from(n: u16) -> Value {
        Value::Number(f64::from(n))
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Number(n as f64)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Value {
        s.map_or(Value::Empty, Value::from)
    }
}

/// One sheet of a report: a name (at most 31 characters, no `[]:*?/\`), headers and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(name: impl Into<String>, headers: Vec<&'static str>) -> Table {
        Table {
            name: name.into(),
            headers,
            rows: Vec::new(),
        }
    }

    /// Appends a row; it must have one value per header.
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.headers.len(), "{}", self.name);
        self.rows.push(row);
    }
}

/// The display width of a text in spreadsheet character units: a CJK (full-width) character
/// takes two.
fn width_of(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1.0 } else { 2.0 })
        .sum()
}

/// The width of a column: its widest value (header included), between 6 and 60 characters, the
/// longest line counted for a text that wraps.
fn column_width(table: &Table, c: usize) -> f64 {
    let header = width_of(table.headers[c]) + 3.0; // room for the autofilter button
    let widest = table
        .rows
        .iter()
        .map(|r| match &r[c] {
            Value::Text(t) => t.lines().map(width_of).fold(0.0, f64::max),
            Value::Number(n) => format!("{n}").len() as f64,
            Value::Empty => 0.0,
        })
        .fold(header, f64::max);
    (widest + 1.0).clamp(6.0, 60.0)
}

/// The most characters a spreadsheet cell holds.
const CELL_LIMIT: usize = 32_767;

/// A text cut to what a cell holds, saying so at its end (a list of thousands of firms).
fn fit(t: &str) -> std::borrow::Cow<'_, str> {
    if t.chars().count() <= CELL_LIMIT {
        return t.into();
    }
    const MORE: &str = "…（已截断）";
    let keep = CELL_LIMIT - MORE.chars().count();
    let mut cut: String = t.chars().take(keep).collect();
    cut.push_str(MORE);
    cut.into()
}

/// The tables as one workbook, a sheet each, in order.
///
/// Returns the XLSX bytes, or the writer's error (a bad sheet name, a value over Excel's limits).
/// Complexity: O(cells).
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let ws = book.add_worksheet();
        ws.set_name(&table.name)?;
        for (c, header) in table.headers.iter().enumerate() {
            let col = c as u16;
            ws.write_string_with_format(0, col, *header, &bold)?;
            ws.set_column_width(col, column_width(table, c))?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, value) in row.iter().enumerate() {
                match value {
                    Value::Text(t) => {
                        ws.write_string(r, c as u16, fit(t).as_ref())?;
                    }
                    Value::Number(n) => {
                        ws.write_number(r, c as u16, *n)?;
                    }
                    Value::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let last = table.headers.len().saturating_sub(1) as u16;
        ws.autofilter(0, 0, table.rows.len() as u32, last)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_twice_as_wide_as_latin() {
        assert_eq!(width_of("abc"), 3.0);
        assert_eq!(width_of("宁德时代"), 8.0);
        let mut t = Table::new("问题清单", vec!["编号", "问题"]);
        t.push(vec!["p1".into(), "热失控检测能力不足".into()]);
        t.push(vec!["p2".into(), Value::Empty]);
        assert_eq!(column_width(&t, 0), 8.0); // the header (4) + filter button (3) + 1
        assert_eq!(column_width(&t, 1), 19.0);
    }

    #[test]
    fn a_workbook_is_an_xlsx_zip_and_a_bad_sheet_name_is_an_error() {
        let mut t = Table::new("问题清单", vec!["编号", "严重程度"]);
        t.push(vec!["p1".into(), 4u8.into()]);
        let bytes = workbook(&[t]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let mut long = Table::new("企业", vec!["企业"]);
        long.push(vec!["宁德时代、".repeat(10_000).into()]);
        assert!(workbook(&[long]).is_ok());
        assert_eq!(fit(&"x".repeat(40_000)).chars().count(), CELL_LIMIT);
        let bad = Table::new("a/b", vec!["x"]);
        assert!(workbook(&[bad]).is_err());
    }
}
