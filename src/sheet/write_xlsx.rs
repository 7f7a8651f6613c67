//! Writing the template workbook and exports in its layout (rust_xlsxwriter): one sheet per
//! record kind with bold, frozen Chinese headers, sensible widths, an autofilter, a drop-down
//! for every enumerated column, and the 说明 sheet.

use super::from_bundle::{self, Out, Rows};
use super::layout::{self, Column, Kind, SHEETS};
use crate::model::Bundle;
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// The last row (0-based) a drop-down covers below the data.
const VALIDATION_ROWS: u32 = 20_000;

/// The template: the sheets without data, and 说明.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let empty: Vec<Rows> = from_bundle::rows(&Bundle::new());
    workbook(&empty)
}

/// The whole of `bundle` in the template's layout.
pub fn export(bundle: &Bundle) -> Result<Vec<u8>, XlsxError> {
    workbook(&from_bundle::rows(bundle))
}

/// Allowed values of a column, as the drop-down and 说明 offer them.
fn choices(column: &Column) -> Option<Vec<&'static str>> {
    match column.kind {
        Kind::Enum(table) => Some(table.iter().map(|(_, label)| *label).collect()),
        Kind::Bool => Some(vec!["是", "否"]),
        _ if column.path == ["severity"] => Some(layout::SEVERITIES.to_vec()),
        _ => None,
    }
}

fn allowed(column: &Column) -> String {
    match column.kind {
        Kind::EnumList(table) => {
            let labels: Vec<&str> = table.iter().map(|(_, l)| *l).collect();
            format!("{}（多个用“；”分隔）", labels.join("、"))
        }
        Kind::Region => "六位地区代码（GB/T 2260）".to_string(),
        Kind::Integer => "整数".to_string(),
        Kind::Number => "数字".to_string(),
        Kind::List => "编号列表，多个用“；”分隔".to_string(),
        _ => match choices(column) {
            Some(values) => values.join("、"),
            None => String::new(),
        },
    }
}

fn workbook(sheets: &[Rows]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for rows in sheets {
        let sheet = rows.sheet;
        let ws = book.add_worksheet();
        ws.set_name(sheet.name)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, column.header, &bold)?;
            ws.set_column_width(c, column.width)?;
            if let Some(values) = choices(column) {
                let mut rule = DataValidation::new()
                    .allow_list_strings(&values)?
                    .set_error_message(format!("请从列表中选择：{}", values.join("、")))?;
                if !column.required {
                    rule = rule.ignore_blank(true);
                }
                ws.add_data_validation(1, c, VALIDATION_ROWS, c, &rule)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let last = (sheet.columns.len() as u16).saturating_sub(1);
        ws.autofilter(0, 0, rows.rows.len() as u32, last)?;
        write_rows(ws, &rows.rows)?;
    }
    about(book.add_worksheet(), &bold)?;
    book.save_to_buffer()
}

fn write_rows(ws: &mut Worksheet, rows: &[Vec<Out>]) -> Result<(), XlsxError> {
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Out::Empty => {}
                Out::Text(t) => {
                    ws.write_string(r, c, t)?;
                }
                Out::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
            }
        }
    }
    Ok(())
}

/// The 说明 sheet: for each sheet and column, the header, its meaning, required or not, the
/// allowed values and an example.
fn about(ws: &mut Worksheet, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name(layout::ABOUT_SHEET)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let headers = ["工作表", "列名", "含义", "必填", "可选值", "示例"];
    let widths = [14.0, 22.0, 48.0, 6.0, 40.0, 30.0];
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1;
    for sheet in SHEETS {
        ws.write_string_with_format(r, 0, sheet.name, bold)?;
        ws.write_string_with_format(r, 2, sheet.about, &wrap)?;
        r += 1;
        for column in sheet.columns {
            ws.write_string(r, 0, sheet.name)?;
            ws.write_string(r, 1, column.header)?;
            ws.write_string_with_format(r, 2, column.about, &wrap)?;
            ws.write_string(r, 3, if column.required { "是" } else { "否" })?;
            ws.write_string_with_format(r, 4, allowed(column), &wrap)?;
            ws.write_string(r, 5, column.example)?;
            r += 1;
        }
    }
    r += 1;
    let notes = [
        "每张表第一行是表头，请勿修改；数据从第二行开始，空行会被跳过。",
        "编号前后不能有空格；不要合并单元格；不要在文字列中填日期或数字格式。",
        "列表单元格（如“所需能力”）用“；”分隔多个值（“;”亦可）。",
        "枚举列可填中文（如“链主”）或英文代码（如 chain_master）。",
        "地区代码用半角数字（320500），不接受全角数字（３２０５００）。",
        "公式单元格读取其计算结果；没有计算结果的公式会报错。",
    ];
    for note in notes {
        ws.write_string_with_format(r, 0, note, &wrap)?;
        r += 1;
    }
    Ok(())
}
