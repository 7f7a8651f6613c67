//! The records of the quality work: projects, consortia, policy tools and goals written, read,
//! listed and deleted; bad input refused with its path and code and nothing written; what each
//! role reads of them; the problem list's `projects` and `tackled` filter; the weak links'
//! projects by firm.

use crate::errors::{details, pair};
use crate::helpers::*;
use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use qmap::model::access::AccessRole;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The (path, code) pairs of an error's details.
type Details = Vec<(String, String)>;

/// A project on the battery chain led by its chain master pb-ly-cell, tackling one of its own
/// problems (pb-p001) and one of pb-zjg-additive's (pb-p038, a critical node).
fn project(id: &str, status: &str) -> Value {
    json!({"id": id, "title": "极片面密度一致性攻关", "category": "key_product",
           "chain": BATTERY, "lead": "pb-ly-cell",
           "participants": ["pb-zjg-additive", "pb-q-nat-battery"],
           "problems": ["pb-p001", "pb-p038"], "year": 2025, "status": status})
}

fn consortium(id: &str) -> Value {
    json!({"id": id, "name": "动力电池质量创新联合体", "chain": BATTERY, "lead": "pb-ly-cell",
           "members": ["pb-zjg-additive", "pb-q-nat-battery"], "founded": 2024})
}

fn policy_tool(id: &str, region: &str, kind: &str, year: u16) -> Value {
    json!({"id": id, "title": "检验检测能力提升补助", "kind": kind, "issuer": "江苏省市场监督管理局",
           "region": region, "year": year, "elements": ["testing"], "categories": ["testing"],
           "gaps": ["infrastructure"]})
}

fn goal(id: &str, region: &str, year: u16) -> Value {
    json!({"id": id, "region": region, "year": year,
           "targets": {"common_technology": 1, "key_product": 3}, "international_share": 0.6})
}

/// The ids of a list's entries.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// A token of `role` made on the app's store; returns its `authorization` header value.
fn token(app: &TestApp, role: AccessRole, org: Option<&str>, chains: &[&str]) -> String {
    app.bearer(role, org, chains)
}

async fn send_as(
    app: &TestApp,
    bearer: &str,
    method: Method,
    uri: &str,
    body: Option<&Value>,
) -> TestResponse {
    let body = body.map(|b| Bytes::from(serde_json::to_vec(b).unwrap()));
    app.send_with(method, uri, &[("authorization", bearer)], body)
        .await
}

#[tokio::test]
async fn a_project_is_created_read_listed_replaced_and_deleted() {
    let app = spawn_demo_app_without_work();
    let r0 = app.revision().await;
    let written = app
        .post("/api/v1/projects", &project("pb-j1", "approved"))
        .await
        .ok(StatusCode::CREATED);
    assert_eq!(written["id"], "pb-j1");
    let r1 = written["revision"].as_u64().unwrap();
    assert!(r1 > r0);
    assert_eq!(
        app.get("/api/v1/projects/pb-j1").await.ok(StatusCode::OK),
        project("pb-j1", "approved")
    );

    // Another of the hydrogen chain, and of another year, for the filters.
    let mut h2 = project("h2-j1", "in_progress");
    h2["chain"] = json!(HYDROGEN);
    h2["lead"] = json!("h2-ym-coalh2");
    h2["participants"] = json!([]);
    h2["problems"] = json!(["h2-p007"]);
    h2["category"] = json!("common_technology");
    h2["year"] = json!(2024);
    app.post("/api/v1/projects", &h2)
        .await
        .ok(StatusCode::CREATED);

    let all = app.get("/api/v1/projects").await.ok(StatusCode::OK);
    assert_eq!(all["total"], 2);
    // Latest year first.
    assert_eq!(ids(&all["projects"]), ["pb-j1", "h2-j1"]);
    assert_eq!(
        all["counts"],
        json!({"by_status": {"approved": 1, "in_progress": 1},
               "by_category": {"common_technology": 1, "key_product": 1}})
    );
    for (uri, expected) in [
        ("/api/v1/projects?chain=pb-power-battery", vec!["pb-j1"]),
        ("/api/v1/projects?year=2024", vec!["h2-j1"]),
        ("/api/v1/projects?status=approved", vec!["pb-j1"]),
        ("/api/v1/projects?category=common_technology", vec!["h2-j1"]),
        ("/api/v1/projects?chain=h2-hydrogen&year=2025", vec![]),
        ("/api/v1/projects?per_page=1&page=2", vec!["h2-j1"]),
    ] {
        let page = app.get(uri).await.ok(StatusCode::OK);
        assert_eq!(ids(&page["projects"]), expected, "{uri}");
    }
    let second = app
        .get("/api/v1/projects?per_page=1&page=2")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        (second["total"].clone(), second["page"].clone()),
        (json!(2), json!(2))
    );

    // Completed with a level: any status change is allowed; the level comes with completion.
    let mut done = project("pb-j1", "completed");
    done["level"] = json!("international_advanced");
    done["results"] = json!({"patents": 3, "standards": 1, "summary": "面密度波动降至 1% 以内"});
    let written = app
        .put("/api/v1/projects/pb-j1", &done)
        .await
        .ok(StatusCode::OK);
    assert!(written["revision"].as_u64().unwrap() > r1);
    assert_eq!(
        app.get("/api/v1/projects/pb-j1").await.ok(StatusCode::OK),
        done
    );
    // And back: a project reopened drops its level.
    app.put("/api/v1/projects/pb-j1", &project("pb-j1", "in_progress"))
        .await
        .ok(StatusCode::OK);
    app.put("/api/v1/projects/pb-j2", &project("pb-j2", "proposed"))
        .await
        .ok(StatusCode::CREATED);

    app.delete("/api/v1/projects/pb-j2")
        .await
        .ok(StatusCode::NO_CONTENT);
    app.get("/api/v1/projects/pb-j2")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/projects/pb-j2")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    let all = app.get("/api/v1/projects").await.ok(StatusCode::OK);
    assert_eq!(ids(&all["projects"]), ["pb-j1", "h2-j1"]);
}

#[tokio::test]
async fn a_consortium_is_created_read_listed_replaced_and_deleted() {
    let app = spawn_demo_app_without_work();
    app.post("/api/v1/consortia", &consortium("pb-k1"))
        .await
        .ok(StatusCode::CREATED);
    assert_eq!(
        app.get("/api/v1/consortia/pb-k1").await.ok(StatusCode::OK),
        consortium("pb-k1")
    );
    let mut renamed = consortium("pb-k1");
    renamed["name"] = json!("溧阳动力电池质量创新联合体");
    renamed["members"] = json!(["pb-q-nat-battery"]);
    app.put("/api/v1/consortia/pb-k1", &renamed)
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/consortia/pb-k1").await.ok(StatusCode::OK),
        renamed
    );
    let listed = app
        .get("/api/v1/consortia?chain=pb-power-battery")
        .await
        .ok(StatusCode::OK);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["consortia"][0], renamed);
    let none = app
        .get("/api/v1/consortia?chain=h2-hydrogen")
        .await
        .ok(StatusCode::OK);
    assert_eq!(none["total"], 0);

    // A project run by it keeps it; once the project no longer names it, it goes.
    let mut run = project("pb-j1", "approved");
    run["consortium"] = json!("pb-k1");
    app.post("/api/v1/projects", &run)
        .await
        .ok(StatusCode::CREATED);
    let before = app.fingerprint().await;
    let body = app
        .delete("/api/v1/consortia/pb-k1")
        .await
        .error(StatusCode::CONFLICT, "still_referenced");
    assert_eq!(details(&body), vec![pair("", "still_referenced")]);
    app.assert_unchanged(&before).await;
    app.put("/api/v1/projects/pb-j1", &project("pb-j1", "approved"))
        .await
        .ok(StatusCode::OK);
    app.delete("/api/v1/consortia/pb-k1")
        .await
        .ok(StatusCode::NO_CONTENT);
    app.get("/api/v1/consortia/pb-k1")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn policy_tools_are_written_and_listed_by_region_year_and_kind() {
    let app = spawn_demo_app_without_work();
    for tool in [
        policy_tool("t-js", "32", "testing", 2025),
        policy_tool("t-sz", "3205", "metrology", 2025),
        policy_tool("t-ks", "320583", "funding", 2024),
        policy_tool("t-sn", "61", "testing", 2025),
    ] {
        app.post("/api/v1/policy-tools", &tool)
            .await
            .ok(StatusCode::CREATED);
    }
    assert_eq!(
        app.get("/api/v1/policy-tools/t-sz")
            .await
            .ok(StatusCode::OK),
        policy_tool("t-sz", "3205", "metrology", 2025)
    );
    for (uri, expected) in [
        ("/api/v1/policy-tools", vec!["t-js", "t-sn", "t-sz", "t-ks"]),
        // Suzhou: the province's tools apply there, and so do its counties'.
        (
            "/api/v1/policy-tools?region=3205",
            vec!["t-js", "t-sz", "t-ks"],
        ),
        (
            "/api/v1/policy-tools?region=320583",
            vec!["t-js", "t-sz", "t-ks"],
        ),
        ("/api/v1/policy-tools?region=320100", vec!["t-js"]),
        ("/api/v1/policy-tools?region=61", vec!["t-sn"]),
        ("/api/v1/policy-tools?kind=testing", vec!["t-js", "t-sn"]),
        ("/api/v1/policy-tools?year=2024", vec!["t-ks"]),
        (
            "/api/v1/policy-tools?region=32&kind=testing&year=2025",
            vec!["t-js"],
        ),
    ] {
        let page = app.get(uri).await.ok(StatusCode::OK);
        assert_eq!(ids(&page["policy_tools"]), expected, "{uri}");
        assert_eq!(page["total"], expected.len(), "{uri}");
    }
    let mut limited = policy_tool("t-js", "32", "testing", 2025);
    limited["chains"] = json!([BATTERY]);
    app.put("/api/v1/policy-tools/t-js", &limited)
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/policy-tools/t-js")
            .await
            .ok(StatusCode::OK),
        limited
    );
    app.delete("/api/v1/policy-tools/t-js")
        .await
        .ok(StatusCode::NO_CONTENT);
    app.get("/api/v1/policy-tools/t-js")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn goals_are_written_and_listed_by_region_and_year() {
    let app = spawn_demo_app_without_work();
    for g in [
        goal("g-js-2025", "32", 2025),
        goal("g-js-2024", "32", 2024),
        goal("g-sz-2025", "3205", 2025),
        goal("g-sh-2025", "31", 2025),
    ] {
        app.post("/api/v1/goals", &g).await.ok(StatusCode::CREATED);
    }
    assert_eq!(
        app.get("/api/v1/goals/g-sz-2025").await.ok(StatusCode::OK),
        goal("g-sz-2025", "3205", 2025)
    );
    for (uri, expected) in [
        (
            "/api/v1/goals",
            vec!["g-sh-2025", "g-js-2025", "g-sz-2025", "g-js-2024"],
        ),
        (
            "/api/v1/goals?region=32",
            vec!["g-js-2025", "g-sz-2025", "g-js-2024"],
        ),
        (
            "/api/v1/goals?region=3205&year=2025",
            vec!["g-js-2025", "g-sz-2025"],
        ),
        ("/api/v1/goals?region=31", vec!["g-sh-2025"]),
        ("/api/v1/goals?year=2024", vec!["g-js-2024"]),
    ] {
        let page = app.get(uri).await.ok(StatusCode::OK);
        assert_eq!(ids(&page["goals"]), expected, "{uri}");
    }
    let mut raised = goal("g-sh-2025", "31", 2025);
    raised["targets"] =
        json!({"chain_collaboration": 5, "common_technology": 10, "key_product": 150});
    app.put("/api/v1/goals/g-sh-2025", &raised)
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/goals/g-sh-2025").await.ok(StatusCode::OK),
        raised
    );
    app.delete("/api/v1/goals/g-sh-2025")
        .await
        .ok(StatusCode::NO_CONTENT);
    app.get("/api/v1/goals/g-sh-2025")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn bad_records_are_refused_with_their_paths_and_codes_and_nothing_is_written() {
    let app = spawn_demo_app_without_work();
    app.post("/api/v1/projects", &project("pb-j1", "approved"))
        .await
        .ok(StatusCode::CREATED);
    app.post("/api/v1/consortia", &consortium("pb-k1"))
        .await
        .ok(StatusCode::CREATED);
    app.post("/api/v1/goals", &goal("g1", "32", 2025))
        .await
        .ok(StatusCode::CREATED);
    app.post(
        "/api/v1/policy-tools",
        &policy_tool("t1", "32", "testing", 2025),
    )
    .await
    .ok(StatusCode::CREATED);
    let before = app.fingerprint().await;

    let with = |field: &str, value: Value| {
        let mut p = project("pb-j2", "approved");
        p[field] = value;
        p
    };
    let mut unfinished = project("pb-j2", "in_progress");
    unfinished["level"] = json!("international_leading");
    let mut elsewhere = consortium("pb-k2");
    elsewhere["lead"] = json!("h2-ym-coalh2");
    let cases: Vec<(&str, Value, Details)> = vec![
        (
            "/api/v1/projects",
            with("problems", json!(["pb-p001", "ghost"])),
            vec![pair("/problems/1", "unknown_problem")],
        ),
        (
            "/api/v1/projects",
            with("problems", json!(["h2-p007"])),
            vec![pair("/problems/0", "problem_on_other_chain")],
        ),
        (
            "/api/v1/projects",
            with("category", json!("flagship")),
            vec![pair("/category", "unknown_category")],
        ),
        (
            "/api/v1/projects",
            with("status", json!("done")),
            vec![pair("/status", "unknown_status")],
        ),
        (
            "/api/v1/projects",
            unfinished,
            vec![pair("/level", "level_before_completion")],
        ),
        (
            "/api/v1/projects",
            with("lead", json!("h2-ym-coalh2")),
            vec![pair("/lead", "not_a_member")],
        ),
        (
            "/api/v1/projects",
            with("consortium", json!("no-such-consortium")),
            vec![pair("/consortium", "unknown_consortium")],
        ),
        (
            "/api/v1/consortia",
            elsewhere,
            vec![pair("/lead", "not_a_member")],
        ),
        (
            "/api/v1/policy-tools",
            policy_tool("t2", "3", "testing", 2025),
            vec![pair("/region", "invalid_region")],
        ),
        (
            "/api/v1/goals",
            {
                let mut g = goal("g2", "32", 2025);
                g["international_share"] = json!(1.5);
                g
            },
            vec![pair("/international_share", "invalid_share")],
        ),
    ];
    for (uri, body, expected) in cases {
        let answer = app
            .post(uri, &body)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(details(&answer), expected, "{uri} {body}");
        app.assert_unchanged(&before).await;
    }
    // The same record through PUT: the same paths.
    let answer = app
        .put(
            "/api/v1/projects/pb-j2",
            &with("problems", json!(["h2-p007"])),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&answer),
        vec![pair("/problems/0", "problem_on_other_chain")]
    );
    let answer = app
        .put("/api/v1/consortia/other-id", &consortium("pb-k1"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&answer), vec![pair("/id", "id_mismatch")]);
    app.put("/api/v1/policy-tools/t1", &json!({"id": "t1"}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.put("/api/v1/goals/g1", &json!([]))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.put_bytes("/api/v1/goals/g1", "{\"id\": ")
        .await
        .error(StatusCode::BAD_REQUEST, "malformed_json");
    app.assert_unchanged(&before).await;

    // A taken id on POST.
    for (uri, body) in [
        ("/api/v1/projects", project("pb-j1", "approved")),
        ("/api/v1/consortia", consortium("pb-k1")),
        ("/api/v1/goals", goal("g1", "32", 2025)),
        (
            "/api/v1/policy-tools",
            policy_tool("t1", "32", "testing", 2025),
        ),
    ] {
        app.post(uri, &body)
            .await
            .error(StatusCode::CONFLICT, "already_exists");
    }
    app.assert_unchanged(&before).await;

    // A problem a project tackles stays.
    let answer = app
        .delete("/api/v1/problems/pb-p038")
        .await
        .error(StatusCode::CONFLICT, "still_referenced");
    assert_eq!(details(&answer), vec![pair("", "still_referenced")]);
    app.delete("/api/v1/goals/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/consortia/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/policy-tools/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/goals/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/policy-tools/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/consortia/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/projects/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.assert_unchanged(&before).await;

    // Bad list parameters.
    for uri in [
        "/api/v1/projects?status=done",
        "/api/v1/projects?category=flagship",
        "/api/v1/projects?year=twenty",
        "/api/v1/projects?page=0",
        "/api/v1/projects?per_page=1001",
        "/api/v1/consortia?per_page=0",
        "/api/v1/policy-tools?region=3",
        "/api/v1/policy-tools?kind=grant",
        "/api/v1/goals?region=32a",
        "/api/v1/goals?year=-1",
    ] {
        app.get(uri)
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
    }
}

/// The answer to a problem-list query: (problem id, [project ids], tackled) per row.
fn rows(page: &Value) -> Vec<(String, Vec<String>, bool)> {
    page["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                ids(&p["projects"]),
                p["tackled"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_problem_list_says_which_projects_tackle_each_problem() {
    let app = spawn_demo_app_without_work();
    let all = app
        .get("/api/v1/chains/pb-power-battery/problems?per_page=1000")
        .await
        .ok(StatusCode::OK);
    let total = all["total"].as_u64().unwrap();
    assert!(rows(&all).iter().all(|(_, p, t)| p.is_empty() && !t));

    // pb-p001: a completed project (a-done) and a live one (z-live); pb-p003: a cancelled one
    // only; pb-p004: nothing.
    let mut done = project("a-done", "completed");
    done["problems"] = json!(["pb-p001", "pb-p003"]);
    let mut live = project("z-live", "in_progress");
    live["problems"] = json!(["pb-p001"]);
    let mut cancelled = project("m-cancelled", "cancelled");
    cancelled["problems"] = json!(["pb-p003"]);
    for p in [&done, &live, &cancelled] {
        app.post("/api/v1/projects", p)
            .await
            .ok(StatusCode::CREATED);
    }
    let own = app
        .get("/api/v1/chains/pb-power-battery/problems?firm=pb-ly-cell")
        .await
        .ok(StatusCode::OK);
    let mut found = rows(&own);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "pb-p001".into(),
                vec!["z-live".into(), "a-done".into()],
                true
            ),
            ("pb-p002".into(), vec![], false),
            (
                "pb-p003".into(),
                vec!["a-done".into(), "m-cancelled".into()],
                false
            ),
            ("pb-p004".into(), vec![], false),
        ]
    );
    let first = own["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "pb-p001")
        .unwrap();
    assert_eq!(
        first["projects"][0],
        json!({"id": "z-live", "title": "极片面密度一致性攻关", "category": "key_product",
               "status": "in_progress", "year": 2025})
    );

    let tackled = app
        .get("/api/v1/chains/pb-power-battery/problems?tackled=true&per_page=1000")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        rows(&tackled).into_iter().map(|r| r.0).collect::<Vec<_>>(),
        ["pb-p001"]
    );
    assert_eq!(tackled["total"], 1);
    let untackled = app
        .get("/api/v1/chains/pb-power-battery/problems?tackled=false&per_page=1000")
        .await
        .ok(StatusCode::OK);
    assert_eq!(untackled["total"].as_u64().unwrap(), total - 1);
    assert!(rows(&untackled)
        .iter()
        .all(|(id, _, t)| id != "pb-p001" && !t));
    app.get("/api/v1/chains/pb-power-battery/problems?tackled=maybe")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");

    // The project is done: the problem is no longer tackled, and the list says so at once.
    let mut finished = live.clone();
    finished["status"] = json!("completed");
    app.put("/api/v1/projects/z-live", &finished)
        .await
        .ok(StatusCode::OK);
    let tackled = app
        .get("/api/v1/chains/pb-power-battery/problems?tackled=true")
        .await
        .ok(StatusCode::OK);
    assert_eq!(tackled["total"], 0);
}

#[tokio::test]
async fn the_weak_links_name_the_projects_tackling_each_weak_firm() {
    let app = spawn_demo_app_without_work();
    let weak = app
        .get("/api/v1/chains/pb-power-battery/weak-links")
        .await
        .ok(StatusCode::OK);
    // The demo's own projects already tackle some weak firms' problems.
    let before = weak["projects_by_firm"].as_object().unwrap().clone();
    let weak_firms: BTreeSet<String> = weak["critical_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .chain(
            weak["single_source_parts"]
                .as_array()
                .unwrap()
                .iter()
                .chain(weak["foreign_only_parts"].as_array().unwrap())
                .map(|p| p["buyer"].as_str().unwrap().to_string()),
        )
        .collect();
    assert!(weak_firms.contains("pb-zjg-additive"));
    // A problem of a firm that is no weak link of the chain.
    let problems = app
        .get("/api/v1/chains/pb-power-battery/problems?per_page=1000")
        .await
        .ok(StatusCode::OK);
    let calm = problems["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| !weak_firms.contains(p["org"].as_str().unwrap()))
        .expect("some firm of the battery chain is no weak link");
    let calm_firm = calm["org"].as_str().unwrap();
    let calm_project = {
        let mut p = project("pb-calm", "approved");
        p["problems"] = json!([calm["id"]]);
        p
    };
    // pb-j1 tackles pb-p038 of the critical node pb-zjg-additive (and pb-p001 of pb-ly-cell).
    app.post("/api/v1/projects", &project("pb-j1", "approved"))
        .await
        .ok(StatusCode::CREATED);
    app.post("/api/v1/projects", &calm_project)
        .await
        .ok(StatusCode::CREATED);
    let mut old = project("pb-j0", "cancelled");
    old["problems"] = json!(["pb-p038"]);
    app.post("/api/v1/projects", &old)
        .await
        .ok(StatusCode::CREATED);

    let weak = app
        .get("/api/v1/chains/pb-power-battery/weak-links")
        .await
        .ok(StatusCode::OK);
    let by_firm = weak["projects_by_firm"].as_object().unwrap();
    let additive = ids(&by_firm["pb-zjg-additive"]);
    let had = before
        .get("pb-zjg-additive")
        .map_or(0, |v| v.as_array().unwrap().len());
    assert_eq!(additive.len(), had + 2, "{additive:?}");
    // Live projects first: the cancelled one last.
    assert_eq!(additive.last().map(String::as_str), Some("pb-j0"));
    assert!(additive.iter().any(|id| id == "pb-j1"));
    assert_eq!(
        by_firm["pb-zjg-additive"][additive.len() - 1]["status"],
        "cancelled"
    );
    assert!(!by_firm.contains_key(calm_firm), "{by_firm:?}");
    assert!(by_firm
        .keys()
        .all(|firm| weak_firms.contains(firm.as_str())));
    assert!(by_firm
        .values()
        .flat_map(|v| v.as_array().unwrap())
        .all(|p| p["id"] != "pb-calm"));
    // The weak links of another chain name none of these.
    let h2 = app
        .get("/api/v1/chains/h2-hydrogen/weak-links")
        .await
        .ok(StatusCode::OK);
    assert!(h2["projects_by_firm"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap())
        .all(|p| !["pb-j1", "pb-j0", "pb-calm"].contains(&p["id"].as_str().unwrap())));
}

#[tokio::test]
async fn each_role_reads_and_writes_the_work_records_it_may() {
    let app = spawn_demo_app_without_work();
    // pb-j1: led by pb-ly-cell, tackling its pb-p001 and pb-zjg-additive's pb-p038, with
    // pb-zjg-additive taking part. pb-j2: pb-ly-cell's own, pb-zjg-additive not in it.
    app.post("/api/v1/projects", &project("pb-j1", "approved"))
        .await
        .ok(StatusCode::CREATED);
    let mut own = project("pb-j2", "proposed");
    own["participants"] = json!([]);
    own["problems"] = json!(["pb-p002"]);
    app.post("/api/v1/projects", &own)
        .await
        .ok(StatusCode::CREATED);
    let mut h2 = project("h2-j1", "in_progress");
    h2["chain"] = json!(HYDROGEN);
    h2["lead"] = json!("h2-ym-coalh2");
    h2["participants"] = json!([]);
    h2["problems"] = json!(["h2-p007"]);
    app.post("/api/v1/projects", &h2)
        .await
        .ok(StatusCode::CREATED);
    app.post("/api/v1/consortia", &consortium("pb-k1"))
        .await
        .ok(StatusCode::CREATED);
    app.post("/api/v1/goals", &goal("g1", "32", 2025))
        .await
        .ok(StatusCode::CREATED);
    app.post(
        "/api/v1/policy-tools",
        &policy_tool("t1", "32", "testing", 2025),
    )
    .await
    .ok(StatusCode::CREATED);

    // A regulator of the battery chain: its chain's projects, nothing of the hydrogen chain.
    let limited = token(&app, AccessRole::Regulator, None, &[BATTERY]);
    let listed = send_as(&app, &limited, Method::GET, "/api/v1/projects", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(ids(&listed["projects"]), ["pb-j1", "pb-j2"]);
    assert_eq!(listed["projects"][0], project("pb-j1", "approved"));
    for uri in [
        "/api/v1/projects?chain=h2-hydrogen",
        "/api/v1/projects/h2-j1",
    ] {
        send_as(&app, &limited, Method::GET, uri, None)
            .await
            .error(StatusCode::FORBIDDEN, "forbidden");
    }
    // A project that does not exist is refused alike.
    send_as(&app, &limited, Method::GET, "/api/v1/projects/ghost", None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    let before = app.fingerprint().await;
    send_as(
        &app,
        &limited,
        Method::PUT,
        "/api/v1/projects/h2-j1",
        Some(&h2),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    // Moving its own project onto a chain it does not write is refused too.
    let mut moved = h2.clone();
    moved["id"] = json!("pb-j1");
    send_as(
        &app,
        &limited,
        Method::PUT,
        "/api/v1/projects/pb-j1",
        Some(&moved),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    send_as(
        &app,
        &limited,
        Method::DELETE,
        "/api/v1/projects/h2-j1",
        None,
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    send_as(
        &app,
        &limited,
        Method::POST,
        "/api/v1/goals",
        Some(&goal("g2", "32", 2025)),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    app.assert_unchanged(&before).await;
    let mut renamed = project("pb-j1", "in_progress");
    renamed["title"] = json!("极片面密度一致性攻关（二期）");
    send_as(
        &app,
        &limited,
        Method::PUT,
        "/api/v1/projects/pb-j1",
        Some(&renamed),
    )
    .await
    .ok(StatusCode::OK);
    let goals = send_as(&app, &limited, Method::GET, "/api/v1/goals", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(ids(&goals["goals"]), ["g1"]);

    // An enterprise taking part in pb-j1 only: that project, with only its own problem.
    let additive = token(&app, AccessRole::Enterprise, Some("pb-zjg-additive"), &[]);
    let listed = send_as(&app, &additive, Method::GET, "/api/v1/projects", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(ids(&listed["projects"]), ["pb-j1"]);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["projects"][0]["problems"], json!(["pb-p038"]));
    let read = send_as(&app, &additive, Method::GET, "/api/v1/projects/pb-j1", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(read["problems"], json!(["pb-p038"]));
    for uri in ["/api/v1/projects/pb-j2", "/api/v1/projects/h2-j1"] {
        send_as(&app, &additive, Method::GET, uri, None)
            .await
            .error(StatusCode::FORBIDDEN, "forbidden");
    }
    let consortia = send_as(&app, &additive, Method::GET, "/api/v1/consortia", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(ids(&consortia["consortia"]), ["pb-k1"]);
    // Its problem list says pb-j1 tackles its problem, and nothing of pb-p001; beside its own
    // it lists only pb-p033, which its holder disclosed to the whole chain.
    let problems = send_as(
        &app,
        &additive,
        Method::GET,
        "/api/v1/chains/pb-power-battery/problems",
        None,
    )
    .await
    .ok(StatusCode::OK);
    assert_eq!(
        rows(&problems),
        vec![
            ("pb-p038".into(), vec!["pb-j1".into()], true),
            ("pb-p033".into(), vec![], false)
        ]
    );
    assert!(!problems.to_string().contains("pb-p001"));
    send_as(
        &app,
        &additive,
        Method::POST,
        "/api/v1/projects",
        Some(&own),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    // The lead sees both of its projects, with its own problems only.
    let lead = token(&app, AccessRole::Enterprise, Some("pb-ly-cell"), &[]);
    let listed = send_as(&app, &lead, Method::GET, "/api/v1/projects", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(ids(&listed["projects"]), ["pb-j1", "pb-j2"]);
    assert_eq!(listed["projects"][0]["problems"], json!(["pb-p001"]));

    // A planner: every project without its problems, the counts, goals and policy tools;
    // it writes nothing.
    let planner = token(&app, AccessRole::Planner, None, &[]);
    let listed = send_as(&app, &planner, Method::GET, "/api/v1/projects", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(listed["total"], 3);
    assert_eq!(
        listed["counts"]["by_status"],
        json!({"proposed": 1, "in_progress": 2})
    );
    assert!(listed["projects"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["problems"] == json!([])));
    let text = listed.to_string();
    for problem in ["pb-p001", "pb-p002", "pb-p038", "h2-p007"] {
        assert!(!text.contains(problem), "{problem} in {text}");
    }
    let read = send_as(&app, &planner, Method::GET, "/api/v1/projects/h2-j1", None)
        .await
        .ok(StatusCode::OK);
    assert_eq!(read["problems"], json!([]));
    send_as(&app, &planner, Method::GET, "/api/v1/projects/ghost", None)
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    for uri in ["/api/v1/goals", "/api/v1/policy-tools", "/api/v1/consortia"] {
        let page = send_as(&app, &planner, Method::GET, uri, None)
            .await
            .ok(StatusCode::OK);
        assert_eq!(page["total"], 1, "{uri}");
    }
    let before = app.fingerprint().await;
    send_as(
        &app,
        &planner,
        Method::PUT,
        "/api/v1/goals/g1",
        Some(&goal("g1", "32", 2025)),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    send_as(
        &app,
        &planner,
        Method::DELETE,
        "/api/v1/projects/pb-j1",
        None,
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn the_answers_about_the_work_match_their_documented_schemas() {
    use crate::openapi::assert_documented;
    let app = spawn_demo_app_without_work();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let mut done = project("pb-j1", "completed");
    done["level"] = json!("domestic_leading");
    done["results"] = json!({"patents": 2, "standards": 0});
    let writes = [
        (
            "/api/v1/projects",
            app.post("/api/v1/projects", &done).await,
        ),
        (
            "/api/v1/consortia",
            app.post("/api/v1/consortia", &consortium("pb-k1")).await,
        ),
        (
            "/api/v1/policy-tools",
            app.post(
                "/api/v1/policy-tools",
                &policy_tool("t1", "32", "testing", 2025),
            )
            .await,
        ),
        (
            "/api/v1/goals",
            app.post("/api/v1/goals", &goal("g1", "32", 2025)).await,
        ),
    ];
    for (template, response) in &writes {
        assert_eq!(response.status, StatusCode::CREATED, "{template}");
        assert_documented(&doc, "post", template, response);
    }
    let reads = [
        ("/api/v1/projects", app.get("/api/v1/projects").await),
        (
            "/api/v1/projects/{id}",
            app.get("/api/v1/projects/pb-j1").await,
        ),
        ("/api/v1/consortia", app.get("/api/v1/consortia").await),
        (
            "/api/v1/consortia/{id}",
            app.get("/api/v1/consortia/pb-k1").await,
        ),
        (
            "/api/v1/policy-tools",
            app.get("/api/v1/policy-tools").await,
        ),
        (
            "/api/v1/policy-tools/{id}",
            app.get("/api/v1/policy-tools/t1").await,
        ),
        ("/api/v1/goals", app.get("/api/v1/goals").await),
        ("/api/v1/goals/{id}", app.get("/api/v1/goals/g1").await),
        (
            "/api/v1/chains/{id}/problems",
            app.get("/api/v1/chains/pb-power-battery/problems?firm=pb-ly-cell")
                .await,
        ),
        (
            "/api/v1/chains/{id}/weak-links",
            app.get("/api/v1/chains/pb-power-battery/weak-links").await,
        ),
        ("/api/v1/goals", app.get("/api/v1/goals?region=3").await),
        (
            "/api/v1/projects/{id}",
            app.get("/api/v1/projects/ghost").await,
        ),
    ];
    for (template, response) in &reads {
        assert_documented(&doc, "get", template, response);
    }
    // The rows checked carry what is new: a project tackling a problem, of a weak firm.
    assert_eq!(
        reads[8].1.json()["problems"][0]["projects"][0]["id"],
        "pb-j1"
    );
    assert_eq!(
        ids(&reads[9].1.json()["projects_by_firm"]["pb-zjg-additive"]),
        ["pb-j1"]
    );
}
