//! `POST /api/v1/import` of a survey workbook (XLSX) or a zip of its CSV files.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use qmap::model::Bundle;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn linear() -> Bundle {
    serde_json::from_str(&fixture("linear.json")).unwrap()
}

async fn post(app: &TestApp, uri: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
    app.send_with(
        Method::POST,
        uri,
        &[("content-type", content_type)],
        Some(body.into()),
    )
    .await
}

#[tokio::test]
async fn a_workbook_or_a_zip_of_csv_files_imports_like_its_json() {
    let by_json = spawn_app();
    by_json
        .post_bytes("/api/v1/import", fixture("linear.json"))
        .await
        .ok(StatusCode::OK);
    let xlsx = qmap::sheet::write_xlsx::export(&linear()).unwrap();
    let zip = qmap::sheet::write_csv::zip_bytes(&linear()).unwrap();
    for (content_type, body) in [(XLSX, xlsx), ("application/zip", zip)] {
        let app = spawn_app();
        let outcome = post(&app, "/api/v1/import", content_type, body)
            .await
            .ok(StatusCode::OK);
        assert_eq!(outcome["counts"]["problems"], 2, "{outcome}");
        assert!(
            app.export().await == by_json.export().await,
            "{content_type}"
        );
    }
}

#[tokio::test]
async fn a_bad_workbook_is_refused_with_every_error_at_its_cell_and_writes_nothing() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;
    let mut bundle = linear();
    bundle.problems[0].severity = 9;
    bundle.organizations[0].region = Some("３２０５８３".into());
    let body = post(
        &app,
        "/api/v1/import",
        XLSX,
        qmap::sheet::write_xlsx::export(&bundle).unwrap(),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let mut got: Vec<(String, String)> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["cell"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("企业与机构!D2".to_string(), "invalid_region".to_string()),
            ("问题!F2".to_string(), "invalid_severity".to_string()),
        ]
    );
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_workbook_whose_only_errors_are_its_cells_own_writes_nothing() {
    // A number where a title is expected: the cell is left out of the bundle, which would then
    // pass validation; the import must still be refused.
    let app = spawn_app();
    let before = app.fingerprint().await;
    let mut workbook = qmap::sheet::read_bytes(
        &qmap::sheet::write_xlsx::export(&linear()).unwrap(),
        qmap::sheet::Input::Xlsx,
    )
    .unwrap();
    let problems = workbook
        .sheets
        .iter_mut()
        .find(|g| g.name == "问题")
        .unwrap();
    problems.rows[1][3] = qmap::sheet::Cell::Number(42.0);
    let e = qmap::sheet::parse(&workbook, &qmap::model::Dataset::new()).unwrap_err();
    assert_eq!(e.errors()[0].cell.as_deref(), Some("问题!D2"));
    // The same through the API, with a workbook written with the number in it.
    let mut book = rust_xlsxwriter::Workbook::new();
    for rows in qmap::sheet::from_bundle::rows(&linear()) {
        let ws = book.add_worksheet();
        ws.set_name(rows.sheet.name).unwrap();
        for (c, column) in rows.sheet.columns.iter().enumerate() {
            ws.write_string(0, c as u16, column.header).unwrap();
        }
        for (r, row) in rows.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    qmap::sheet::from_bundle::Out::Text(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    qmap::sheet::from_bundle::Out::Number(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    qmap::sheet::from_bundle::Out::Empty => {}
                }
            }
        }
        if rows.sheet.name == "问题" {
            ws.write_number(1, 3, 42.0).unwrap();
        }
    }
    let body = post(&app, "/api/v1/import", XLSX, book.save_to_buffer().unwrap())
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(body["details"][0]["cell"], "问题!D2", "{body}");
    assert_eq!(body["details"][0]["code"], "wrong_cell_type", "{body}");
    assert_eq!(body["details"].as_array().unwrap().len(), 1, "{body}");
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_body_that_is_no_workbook_is_a_422_not_a_500() {
    let app = spawn_app();
    let before = app.fingerprint().await;
    for content_type in [XLSX, "application/zip"] {
        let body = post(&app, "/api/v1/import", content_type, b"{}".to_vec())
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(body["details"][0]["code"], "unreadable_workbook", "{body}");
    }
    app.assert_unchanged(&before).await;
}
