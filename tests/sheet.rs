//! Survey spreadsheets: round trips through a workbook and CSV files, and every sheet-level
//! mistake a person makes, each reported at its cell with its code and the store unchanged.

use qmap::cli::{import_file, CliError};
use qmap::model::Bundle;
use qmap::sheet::from_bundle::{self, Out};
use qmap::sheet::{write_csv, write_xlsx};
use qmap::store::Store;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_json(&mut out).unwrap();
    out
}

/// JSON → import → `write` the store's bundle → import that into an empty store → JSON export:
/// the two exports are the same bytes.
fn round_trip(json: &Path, write: impl Fn(&Bundle, &Path) -> PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(&dir.path().join("a")).unwrap();
    import_file(&first, json).unwrap();
    let bundle = first.load().unwrap().to_bundle();
    let sheet = write(&bundle, dir.path());
    let second = Store::open(&dir.path().join("b")).unwrap();
    import_file(&second, &sheet)
        .unwrap_or_else(|e| panic!("{}: {e} {}", json.display(), details(&e)));
    assert!(
        export(&first) == export(&second),
        "{} changed on its way through {}",
        json.display(),
        sheet.display()
    );
}

fn details(e: &CliError) -> String {
    match e {
        CliError::Invalid { report, .. } => report.to_string(),
        _ => String::new(),
    }
}

fn xlsx(bundle: &Bundle, dir: &Path) -> PathBuf {
    let path = dir.join("survey.xlsx");
    std::fs::write(&path, write_xlsx::export(bundle).unwrap()).unwrap();
    path
}

fn csv_dir(bundle: &Bundle, dir: &Path) -> PathBuf {
    let path = dir.join("csv");
    write_csv::write_dir(bundle, &path).unwrap();
    path
}

fn csv_zip(bundle: &Bundle, dir: &Path) -> PathBuf {
    let path = dir.join("survey.zip");
    std::fs::write(&path, write_csv::zip_bytes(bundle).unwrap()).unwrap();
    path
}

fn fixtures() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    all.sort();
    assert!(all.len() >= 7);
    all
}

fn generated(dir: &Path) -> PathBuf {
    let bundle = qmap::generate::generate(&qmap::generate::GenOptions {
        chains: 2,
        firms: 60,
        seed: 7,
    });
    let bytes = serde_json::to_vec(&bundle).unwrap();
    let path = dir.join("generated.json");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn every_fixture_and_a_generated_dataset_round_trip_through_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    for json in fixtures().into_iter().chain([generated(dir.path())]) {
        round_trip(&json, xlsx);
    }
}

#[test]
fn every_fixture_and_a_generated_dataset_round_trip_through_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    for json in fixtures().into_iter().chain([generated(dir.path())]) {
        round_trip(&json, csv_dir);
        round_trip(&json, csv_zip);
    }
}

#[test]
fn the_template_has_every_sheet_and_imports_as_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("调查模板.xlsx");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(["template", "-o", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(&path).unwrap();
    let book = qmap::sheet::read_bytes(&bytes, qmap::sheet::Input::Xlsx).unwrap();
    let names: Vec<&str> = book.sheets.iter().map(|g| g.name.as_str()).collect();
    let expected: Vec<&str> = qmap::sheet::layout::SHEETS.iter().map(|s| s.name).collect();
    assert_eq!(names, expected);
    let bundle = qmap::sheet::parse(&book, &qmap::model::Dataset::new()).unwrap();
    assert_eq!(bundle.record_count(), 0);
    // The 说明 sheet and the drop-downs are in the file.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut workbook_xml = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/workbook.xml").unwrap(),
        &mut workbook_xml,
    )
    .unwrap();
    assert!(workbook_xml.contains("说明"), "{workbook_xml}");
    let mut org_sheet = String::new();
    let index = expected.iter().position(|&n| n == "企业与机构").unwrap() + 1;
    std::io::Read::read_to_string(
        &mut archive
            .by_name(&format!("xl/worksheets/sheet{index}.xml"))
            .unwrap(),
        &mut org_sheet,
    )
    .unwrap();
    assert!(org_sheet.contains("<dataValidation"), "{org_sheet}");
    assert!(org_sheet.contains("计量测试中心"), "{org_sheet}");
    assert!(org_sheet.contains("<pane"), "frozen header: {org_sheet}");
}

// ---------------------------------------------------------------------------------------------
// Bad input: a workbook built cell by cell from the linear fixture, then spoilt.

#[derive(Debug, Clone)]
enum W {
    S(String),
    N(f64),
    Date,
    Formula(&'static str, &'static str),
}

struct Book {
    sheets: Vec<(String, Vec<Vec<Option<W>>>)>,
    merges: Vec<(&'static str, u32, u16, u32, u16)>,
}

/// 0-based (row, column) of `F17`.
fn at(cell: &str) -> (usize, usize) {
    let letters: String = cell.chars().take_while(char::is_ascii_uppercase).collect();
    let row: usize = cell[letters.len()..].parse().unwrap();
    let col = letters
        .bytes()
        .fold(0usize, |n, b| n * 26 + (b - b'A') as usize + 1);
    (row - 1, col - 1)
}

impl Book {
    fn linear() -> Book {
        let bundle: Bundle =
            serde_json::from_slice(&std::fs::read(fixture("linear.json")).unwrap()).unwrap();
        let sheets = from_bundle::rows(&bundle)
            .into_iter()
            .map(|rows| {
                let mut all = vec![rows
                    .sheet
                    .columns
                    .iter()
                    .map(|c| Some(W::S(c.header.to_string())))
                    .collect::<Vec<_>>()];
                for row in rows.rows {
                    all.push(
                        row.into_iter()
                            .map(|c| match c {
                                Out::Empty => None,
                                Out::Text(t) => Some(W::S(t)),
                                Out::Number(n) => Some(W::N(n)),
                            })
                            .collect(),
                    );
                }
                (rows.sheet.name.to_string(), all)
            })
            .collect();
        Book {
            sheets,
            merges: Vec::new(),
        }
    }

    fn rows(&mut self, sheet: &str) -> &mut Vec<Vec<Option<W>>> {
        &mut self
            .sheets
            .iter_mut()
            .find(|(n, _)| n == sheet)
            .unwrap_or_else(|| panic!("no sheet {sheet}"))
            .1
    }

    fn set(mut self, sheet: &str, cell: &str, value: W) -> Book {
        let (r, c) = at(cell);
        let rows = self.rows(sheet);
        if rows[r].len() <= c {
            rows[r].resize(c + 1, None);
        }
        rows[r][c] = Some(value);
        self
    }

    fn text(self, sheet: &str, cell: &str, value: &str) -> Book {
        self.set(sheet, cell, W::S(value.to_string()))
    }

    fn without_sheet(mut self, sheet: &str) -> Book {
        self.sheets.retain(|(n, _)| n != sheet);
        self
    }

    fn without_column(mut self, sheet: &str, header: &str) -> Book {
        let rows = self.rows(sheet);
        let c = rows[0]
            .iter()
            .position(|h| matches!(h, Some(W::S(t)) if t == header))
            .unwrap();
        for row in rows.iter_mut() {
            if row.len() > c {
                row.remove(c);
            }
        }
        self
    }

    /// Inserts an empty row before 1-based row `row`.
    fn empty_row_at(mut self, sheet: &str, row: usize) -> Book {
        self.rows(sheet).insert(row - 1, Vec::new());
        self
    }

    fn merge(mut self, sheet: &'static str, range: &str) -> Book {
        let (a, b) = range.split_once(':').unwrap();
        let ((r0, c0), (r1, c1)) = (at(a), at(b));
        self.merges
            .push((sheet, r0 as u32, c0 as u16, r1 as u32, c1 as u16));
        self
    }

    fn xlsx(&self) -> Vec<u8> {
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (name, rows) in &self.sheets {
            let ws = book.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        None => {}
                        Some(W::S(t)) => {
                            ws.write_string(r, c, t).unwrap();
                        }
                        Some(W::N(n)) => {
                            ws.write_number(r, c, *n).unwrap();
                        }
                        Some(W::Date) => {
                            let d = ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
                            ws.write_datetime_with_format(r, c, &d, &date).unwrap();
                        }
                        Some(W::Formula(f, result)) => {
                            ws.write_formula(r, c, Formula::new(*f).set_result(*result))
                                .unwrap();
                        }
                    }
                }
            }
            for &(sheet, r0, c0, r1, c1) in &self.merges {
                if sheet == name {
                    ws.merge_range(r0, c0, r1, c1, "", &Format::new()).unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    }
}

/// The workbook with the cached values of its formulas removed (`<f>…</f><v>…</v>` → `<f>…</f>`).
fn without_cached_values(xlsx: &[u8]) -> Vec<u8> {
    let cached = regex::Regex::new(r"(<f>[^<]*</f>)<v>[^<]*</v>").unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut removed = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(bytes).unwrap();
            removed += cached.find_iter(&text).count();
            bytes = cached.replace_all(&text, "$1").into_owned().into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, &bytes).unwrap();
    }
    assert_eq!(removed, 1);
    out.finish().unwrap().into_inner()
}

/// A store holding the linear fixture, and its export.
fn linear_store(dir: &Path) -> (Store, Vec<u8>) {
    let store = Store::open(&dir.join("store")).unwrap();
    import_file(&store, &fixture("linear.json")).unwrap();
    let before = export(&store);
    (store, before)
}

/// Imports the workbook into a store holding the linear fixture: the (cell, code) of every
/// error, and the store unchanged.
fn refused(book: &Book) -> Vec<(String, String)> {
    refused_file("survey.xlsx", &book.xlsx())
}

fn refused_file(name: &str, bytes: &[u8]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let (store, before) = linear_store(dir.path());
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let e = import_file(&store, &path).expect_err("the import must be refused");
    let CliError::Invalid { report, .. } = e else {
        panic!("not a validation error: {e}");
    };
    assert!(
        export(&store) == before,
        "a refused import changed the store"
    );
    let mut got: Vec<(String, String)> = report
        .errors()
        .iter()
        .map(|e| {
            assert!(!e.message.is_empty());
            (
                e.cell.clone().unwrap_or_else(|| format!("(no cell) {e}")),
                e.code.as_str().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

fn accepted(book: &Book) -> Bundle {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.xlsx");
    std::fs::write(&path, book.xlsx()).unwrap();
    let store = Store::open(&dir.path().join("store")).unwrap();
    import_file(&store, &path).unwrap_or_else(|e| panic!("{e} {}", details(&e)));
    store.load().unwrap().to_bundle()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

fn linear_bundle() -> Bundle {
    let dir = tempfile::tempdir().unwrap();
    linear_store(dir.path()).0.load().unwrap().to_bundle()
}

#[test]
fn the_unspoilt_workbook_imports_as_the_fixture() {
    assert_eq!(accepted(&Book::linear()), linear_bundle());
}

#[test]
fn a_missing_sheet_is_named() {
    assert_eq!(
        refused(&Book::linear().without_sheet("问题")),
        pairs(&[("问题", "missing_sheet")])
    );
}

#[test]
fn a_missing_column_names_the_expected_header() {
    let book = Book::linear().without_column("问题", "严重程度");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.xlsx");
    std::fs::write(&path, book.xlsx()).unwrap();
    let e = qmap::cli::read_bundle(&path, &qmap::model::Dataset::new()).unwrap_err();
    let text = details(&e);
    assert!(text.contains("严重程度"), "{text}");
    assert_eq!(refused(&book), pairs(&[("问题!1", "missing_column")]));
}

#[test]
fn a_merged_cell_is_refused_with_its_range() {
    let book = Book::linear().merge("问题", "E2:E3");
    assert_eq!(refused(&book), pairs(&[("问题!E2:E3", "merged_cell")]));
}

#[test]
fn a_date_or_a_number_where_text_is_expected_is_a_wrong_cell_type() {
    let book = Book::linear()
        .set("问题", "D2", W::Date)
        .set("问题", "D3", W::N(42.0))
        .set("链上成员", "B2", W::N(7.0));
    assert_eq!(
        refused(&book),
        pairs(&[
            ("问题!D2", "wrong_cell_type"),
            ("问题!D3", "wrong_cell_type"),
            ("链上成员!B2", "wrong_cell_type"),
        ])
    );
    // A membership whose firm cannot be read is not read at all: the firm is then no member of
    // the chain, which its supplies and problems report too.
    let book = Book::linear().set("链上成员", "A2", W::N(7.0));
    assert_eq!(
        refused(&book),
        pairs(&[
            ("企业与机构!A2", "not_a_member"),
            ("供应关系!B2", "not_a_member"),
            ("链上成员!A2", "wrong_cell_type"),
        ])
    );
}

#[test]
fn a_region_code_stored_as_a_whole_number_is_read_as_its_digits() {
    let book = Book::linear().set("企业与机构", "D2", W::N(320583.0));
    assert_eq!(accepted(&book), linear_bundle());
    let book = Book::linear().set("企业与机构", "D2", W::N(320583.5));
    assert_eq!(
        refused(&book),
        pairs(&[("企业与机构!D2", "wrong_cell_type")])
    );
}

#[test]
fn an_id_with_a_trailing_space_is_refused_not_trimmed() {
    let book = Book::linear().text("问题", "B2", "lin-b ");
    assert_eq!(refused(&book), pairs(&[("问题!B2", "invalid_id")]));
}

#[test]
fn full_width_digits_in_a_region_code_are_an_invalid_region_at_the_cell() {
    let book = Book::linear().text("企业与机构", "D2", "３２０５８３");
    assert_eq!(
        refused(&book),
        pairs(&[("企业与机构!D2", "invalid_region")])
    );
}

#[test]
fn an_enumerated_value_may_be_its_chinese_label_or_its_code() {
    // The export writes labels (链员, 测不准, 待解决, 计量测试中心, 市级): the unspoilt workbook
    // already reads them; codes read too.
    let book = Book::linear()
        .text("问题", "E2", "measurement")
        .text("问题", "G2", "open")
        .text("链上成员", "C2", "member")
        .text("企业与机构", "C6", "metrology_center");
    assert_eq!(accepted(&book), linear_bundle());
    let book = Book::linear().text("问题", "E2", "测得准");
    assert_eq!(refused(&book), pairs(&[("问题!E2", "unknown_category")]));
}

#[test]
fn an_empty_row_in_the_middle_is_skipped_and_rows_keep_their_numbers() {
    let book = Book::linear().empty_row_at("问题", 3);
    assert_eq!(accepted(&book), linear_bundle());
    // lin-p002 is now on row 4.
    let book = Book::linear()
        .empty_row_at("问题", 3)
        .set("问题", "F4", W::N(9.0));
    assert_eq!(refused(&book), pairs(&[("问题!F4", "invalid_severity")]));
}

#[test]
fn a_formula_is_read_by_its_cached_value_and_one_without_a_value_is_refused() {
    let book = Book::linear().set("问题", "B2", W::Formula("\"lin-\"&\"b\"", "lin-b"));
    assert_eq!(accepted(&book), linear_bundle());
    // A formula as a program that does not calculate writes it: no cached value at all.
    let book = Book::linear().set("问题", "B2", W::Formula("\"lin-\"&\"b\"", "0"));
    assert_eq!(
        refused_file("survey.xlsx", &without_cached_values(&book.xlsx())),
        pairs(&[("问题!B2", "formula_without_value")])
    );
}

#[test]
fn every_error_of_a_workbook_is_reported_at_once_at_its_cell() {
    let book = Book::linear()
        .set("问题", "F2", W::N(9.0))
        .text("链上成员", "A3", "lin-x")
        .text("供应关系", "C2", "lin-nobody")
        .set("问题", "D3", W::Date)
        .text("问题", "F3", "");
    assert_eq!(
        refused(&book),
        pairs(&[
            ("问题!F2", "invalid_severity"),
            ("问题!D3", "wrong_cell_type"),
            ("问题!F3", "missing_field"),
            ("链上成员!A3", "unknown_organization"),
            ("供应关系!C2", "unknown_organization"),
            // lin-b's membership row names lin-x: lin-b is no member of the chain.
            ("企业与机构!A3", "not_a_member"),
            ("供应关系!B3", "not_a_member"),
        ])
    );
}

#[test]
fn a_file_that_is_no_workbook_is_refused_clearly() {
    assert_eq!(
        refused_file("survey.xlsx", b"not a zip"),
        pairs(&[("(workbook)", "unreadable_workbook")])
    );
}

// ---------------------------------------------------------------------------------------------
// CSV encodings.

/// The linear fixture as CSV files in a folder, each file's text passed through `encode`.
fn csv_folder(dir: &Path, encode: impl Fn(&str, &str) -> Vec<u8>) -> PathBuf {
    let path = dir.join("csv");
    std::fs::create_dir_all(&path).unwrap();
    for (name, bytes) in write_csv::files(&linear_bundle()) {
        let text = std::str::from_utf8(&bytes)
            .unwrap()
            .trim_start_matches('\u{feff}');
        std::fs::write(path.join(&name), encode(&name, text)).unwrap();
    }
    path
}

#[test]
fn csv_files_in_gb18030_or_utf8_without_bom_read_the_same() {
    for encode in [
        (|_: &str, t: &str| encoding_rs::GB18030.encode(t).0.into_owned()) as fn(&str, &str) -> _,
        |_: &str, t: &str| t.as_bytes().to_vec(),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let folder = csv_folder(dir.path(), encode);
        let store = Store::open(&dir.path().join("store")).unwrap();
        import_file(&store, &folder).unwrap_or_else(|e| panic!("{e} {}", details(&e)));
        assert_eq!(store.load().unwrap().to_bundle(), linear_bundle());
    }
    // GB18030 is not UTF-8: the test would prove nothing if it were.
    assert!(std::str::from_utf8(&encoding_rs::GB18030.encode("链主").0).is_err());
}

#[test]
fn a_csv_file_in_neither_encoding_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (store, before) = linear_store(dir.path());
    let folder = csv_folder(dir.path(), |name, text| {
        let mut bytes = text.as_bytes().to_vec();
        if name == "问题.csv" {
            // A lone 0xFF on line 3: neither UTF-8 nor GB18030.
            let third = text.match_indices('\n').nth(1).unwrap().0 + 1;
            bytes.insert(third + 2, 0xFF);
        }
        bytes
    });
    let e = import_file(&store, &folder).unwrap_err();
    let CliError::Invalid { report, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(report.errors().len(), 1, "{report}");
    let error = &report.errors()[0];
    assert_eq!(error.code.as_str(), "invalid_encoding");
    assert_eq!(error.cell.as_deref(), Some("问题.csv:3"));
    assert!(error.message.contains("line 3"), "{}", error.message);
    assert!(export(&store) == before);
}

#[test]
fn cli_validate_and_import_take_workbooks_and_name_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.xlsx");
    std::fs::write(&path, Book::linear().set("问题", "F2", W::N(9.0)).xlsx()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(["validate", "--json", path.to_str().unwrap()])
        .env_remove("QMAP_DATA")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"][0]["cell"], "问题!F2");
    assert_eq!(report["errors"][0]["code"], "invalid_severity");
    assert_eq!(report["errors"][0]["path"], "/problems/0/severity");
    let data = dir.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(["import", path.to_str().unwrap(), "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("问题!F2"), "{stderr}");
    // Exported as CSV and imported again with a label.
    std::fs::write(&path, Book::linear().xlsx()).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qmap"))
            .args(args)
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let said = run(&["import", path.to_str().unwrap(), "--label", "2025年度调查"]);
    assert!(said.contains("2025年度调查"), "{said}");
    let csv = dir.path().join("out");
    run(&["export", "--format", "csv", "-o", csv.to_str().unwrap()]);
    assert!(csv.join("问题.csv").is_file());
    let again = run(&["import", csv.to_str().unwrap(), "--replace"]);
    assert!(again.contains("0 added, 0 changed, 0 removed"), "{again}");
}
