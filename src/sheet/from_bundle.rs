//! A bundle → the rows of each sheet, in the layout of [`super::layout::SHEETS`], so that
//! reading them back gives the same bundle.

use super::layout::{self, Column, Kind, Shape, Sheet, LIST_SEPARATOR, SHEETS};
use crate::model::Bundle;
use serde_json::Value;

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Empty,
    Text(String),
    Number(f64),
}

/// The data rows of one sheet (the header is the layout's).
#[derive(Debug, Clone)]
pub struct Rows {
    pub sheet: &'static Sheet,
    pub rows: Vec<Vec<Out>>,
}

fn get<'a>(object: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut v = object;
    for part in path {
        v = v.get(part)?;
    }
    Some(v)
}

fn cell(column: &Column, value: Option<&Value>) -> Out {
    let Some(value) = value else {
        return Out::Empty;
    };
    match (column.kind, value) {
        (_, Value::Null) => Out::Empty,
        (Kind::Bool, Value::Bool(b)) => Out::Text(if *b { "是" } else { "否" }.to_string()),
        (Kind::Enum(table), Value::String(s)) => {
            Out::Text(layout::enum_label(table, s).unwrap_or(s).to_string())
        }
        (Kind::List | Kind::EnumList(_), Value::Array(items)) => {
            let items: Vec<&str> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| match column.kind {
                    Kind::EnumList(table) => layout::enum_label(table, s).unwrap_or(s),
                    _ => s,
                })
                .collect();
            if items.is_empty() {
                Out::Empty
            } else {
                Out::Text(items.join(LIST_SEPARATOR))
            }
        }
        (_, Value::Number(n)) => Out::Number(n.as_f64().unwrap_or(0.0)),
        (_, Value::String(s)) => Out::Text(s.clone()),
        (_, Value::Bool(b)) => Out::Text(b.to_string()),
        (_, other) => Out::Text(other.to_string()),
    }
}

/// The rows of every sheet of the layout for `bundle`.
pub fn rows(bundle: &Bundle) -> Vec<Rows> {
    let doc = serde_json::to_value(bundle).expect("a bundle serializes");
    let empty = Vec::new();
    SHEETS
        .iter()
        .map(|sheet| {
            let records = doc
                .get(sheet.array())
                .and_then(Value::as_array)
                .unwrap_or(&empty);
            let mut rows = Vec::new();
            match sheet.shape {
                Shape::Records { .. } => {
                    for record in records {
                        rows.push(
                            sheet
                                .columns
                                .iter()
                                .map(|c| cell(c, get(record, c.path)))
                                .collect(),
                        );
                    }
                }
                Shape::Nested { key, field, .. } => {
                    for record in records {
                        let owner = record.get(key).cloned();
                        let Some(list) = record.get(field).and_then(Value::as_array) else {
                            continue;
                        };
                        for item in list {
                            let mut row = vec![cell(&sheet.columns[0], owner.as_ref())];
                            row.extend(
                                sheet.columns[1..]
                                    .iter()
                                    .map(|c| cell(c, get(item, c.path))),
                            );
                            rows.push(row);
                        }
                    }
                }
            }
            Rows { sheet, rows }
        })
        .collect()
}
