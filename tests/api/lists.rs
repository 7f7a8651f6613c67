//! `GET /api/v1/chains/{id}/lists.xlsx`: the three lists of a chain as workbooks with the rows
//! of their JSON routes, names rather than codes, a frozen header and an autofilter.

use crate::helpers::*;
use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use qmap::model::access::AccessRole;
use std::io::{Cursor, Read};

const PB: &str = "pb-power-battery";

/// Every sheet of a workbook: its name and rows of cells as text.
fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            Data::Float(f) => format!("{f}"),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// The XML of the first worksheet, to check its frozen pane and autofilter.
fn first_sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let at = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}: {:?}", rows[0]));
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

fn planner(app: &TestApp) -> String {
    app.bearer(AccessRole::Planner, None, &[])
}

#[tokio::test]
async fn the_problem_list_downloads_with_the_json_rows_and_capability_names() {
    let app = spawn_demo_app();
    let json = app
        .get(&format!("/api/v1/chains/{PB}/problems?per_page=1000"))
        .await
        .ok(StatusCode::OK);
    let res = app
        .get(&format!("/api/v1/chains/{PB}/lists.xlsx?list=problems"))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = res.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''pb-power-battery-%E9%97%AE%E9%A2%98"),
        "{disposition}"
    );
    let book = sheets(&res.body);
    assert_eq!(book.len(), 1);
    let (name, rows) = &book[0];
    assert_eq!(name, "问题清单");
    // The same problems in the same order (most severe first).
    let ids: Vec<String> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), json["total"].as_u64().unwrap() as usize);
    assert_eq!(column(rows, "问题编号"), ids);
    // Names, not codes: categories and statuses in Chinese, capabilities by the catalogue, the
    // codes in a column of their own.
    let first = &json["problems"][0];
    assert_eq!(
        column(rows, "企业")[0],
        first["firm_name"].as_str().unwrap()
    );
    assert!(column(rows, "状态")
        .iter()
        .all(|s| ["待解决", "解决中", "已解决"].contains(&s.as_str())));
    let codes = column(rows, "能力代码");
    let names = column(rows, "所需能力");
    let i = codes.iter().position(|c| !c.is_empty()).unwrap();
    assert!(codes[i].contains(':'), "{}", codes[i]);
    assert!(!names[i].contains(':'), "a name, not a code: {}", names[i]);
    let xml = first_sheet_xml(&res.body);
    assert!(xml.contains("state=\"frozen\""), "a frozen header");
    assert!(xml.contains("<autoFilter"), "an autofilter");
}

#[tokio::test]
async fn projects_and_policy_tools_download_and_roles_apply_as_to_the_json() {
    let app = spawn_demo_app();
    let projects = sheets(
        &app.get(&format!("/api/v1/chains/{PB}/lists.xlsx?list=projects"))
            .await
            .body,
    );
    let names: Vec<&str> = projects.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["重点项目", "项目候选"]);
    let stored = app
        .get(&format!("/api/v1/projects?chain={PB}&per_page=1000"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        projects[0].1.len() - 1,
        stored["total"].as_u64().unwrap() as usize
    );
    let tools_json = app
        .get(&format!("/api/v1/chains/{PB}/policy-tools"))
        .await
        .ok(StatusCode::OK);
    let tools = sheets(
        &app.get(&format!("/api/v1/chains/{PB}/lists.xlsx?list=policy_tools"))
            .await
            .body,
    );
    let rows = &tools[0].1;
    assert_eq!(rows.len() - 1, tools_json["gaps"].as_array().unwrap().len());
    let gaps_without_tools = column(rows, "政策缺口")
        .iter()
        .filter(|v| *v == "是")
        .count();
    assert_eq!(
        gaps_without_tools,
        tools_json["uncovered"].as_array().unwrap().len()
    );

    // A planner reads the policy tools without firms, the projects without candidates, and
    // not the problem list.
    let planner = planner(&app);
    let as_planner = |list: &str| {
        let uri = format!("/api/v1/chains/{PB}/lists.xlsx?list={list}");
        let planner = planner.clone();
        let app = &app;
        async move { app.get_with(&uri, &[("authorization", &planner)]).await }
    };
    let planner_tools = sheets(&as_planner("policy_tools").await.body);
    assert!(column(&planner_tools[0].1, "涉及企业")
        .iter()
        .all(String::is_empty));
    let planner_projects = sheets(&as_planner("projects").await.body);
    assert_eq!(planner_projects.len(), 1, "no candidates for a planner");
    as_planner("problems")
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");

    // Bad input is a 400 or a 404 in the API's error shape, never a 500.
    app.get(&format!("/api/v1/chains/{PB}/lists.xlsx"))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.get(&format!("/api/v1/chains/{PB}/lists.xlsx?list=goals"))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.get("/api/v1/chains/no-such-chain/lists.xlsx?list=problems")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}
