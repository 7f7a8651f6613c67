//! Problem disclosure on the demo: a chain master's supplier view shows what its suppliers
//! disclosed in full and the rest as aggregates; a supplier discloses on request.

use crate::helpers::*;
use axum::http::StatusCode;
use qmap::model::access::AccessRole;
use serde_json::json;

/// The `authorization` header value of a token of `role` made on the app's store.
fn bearer(app: &TestApp, role: AccessRole, org: Option<&str>) -> String {
    app.bearer(role, org, &[])
}

#[tokio::test]
async fn the_demo_master_sees_disclosed_weak_points_and_aggregates_of_the_rest() {
    let app = spawn_demo_app();
    let master = bearer(&app, AccessRole::Enterprise, Some("pb-ly-cell"));
    let view = app
        .get_with(
            "/api/v1/chains/pb-power-battery/masters/pb-ly-cell/suppliers",
            &[("authorization", &master)],
        )
        .await
        .ok(StatusCode::OK);
    let suppliers = view["suppliers"].as_array().unwrap();
    let separator = suppliers
        .iter()
        .find(|s| s["id"] == "pb-cz-separator")
        .unwrap();
    // Disclosed to its customers: in full, with the QI bodies that could take it.
    assert_eq!(separator["problems"][0]["id"], "pb-p034", "{separator}");
    assert!(!separator["problems"][0]["providers"]
        .as_array()
        .unwrap()
        .is_empty());
    // pb-cz-lfp disclosed nothing: two problems as aggregates only.
    let lfp = suppliers.iter().find(|s| s["id"] == "pb-cz-lfp").unwrap();
    assert_eq!(lfp["problems"], json!([]));
    assert_eq!(lfp["undisclosed"]["count"], 2, "{lfp}");
    assert_eq!(lfp["undisclosed"]["highest_severity"], 4, "{lfp}");
    for secret in ["pb-p026", "pb-p027"] {
        assert!(!view.to_string().contains(secret));
    }
    let summary = &view["summary"];
    assert!(summary["disclosed"].as_u64().unwrap() >= 4, "{summary}");
    assert!(summary["demand_problems"].as_u64() > summary["disclosed"].as_u64());
    // The admin's view of the same master lists everything.
    let full = app
        .get("/api/v1/chains/pb-power-battery/masters/pb-ly-cell/suppliers")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        full["summary"]["disclosed"],
        full["summary"]["demand_problems"]
    );
}

#[tokio::test]
async fn a_supplier_discloses_on_request_and_the_master_then_reads_its_problems() {
    let app = spawn_demo_app();
    let master = bearer(&app, AccessRole::Enterprise, Some("pb-ly-cell"));
    let supplier = bearer(&app, AccessRole::Enterprise, Some("pb-cz-lfp"));
    let sent = app
        .send_with(
            axum::http::Method::POST,
            "/api/v1/chains/pb-power-battery/disclosure-requests",
            &[("authorization", &master)],
            Some(
                serde_json::to_vec(&json!({"supplier": "pb-cz-lfp", "message": "请披露正极问题"}))
                    .unwrap()
                    .into(),
            ),
        )
        .await
        .ok(StatusCode::CREATED);
    let id = sent["id"].as_str().unwrap();
    // Requests are between firms: an admin sends none.
    app.post(
        "/api/v1/chains/pb-power-battery/disclosure-requests",
        &json!({"supplier": "pb-cz-lfp", "message": "x"}),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    // The admin sees every request.
    let all = app
        .get("/api/v1/disclosure-requests")
        .await
        .ok(StatusCode::OK);
    assert!(all.as_array().unwrap().iter().any(|r| r["id"] == id));
    // Only the supplier answers: the admin may not.
    app.post(
        &format!("/api/v1/disclosure-requests/{id}/answer"),
        &json!({"accept": true, "disclosure": "customers"}),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    let answered = app
        .send_with(
            axum::http::Method::POST,
            &format!("/api/v1/disclosure-requests/{id}/answer"),
            &[("authorization", &supplier)],
            Some(
                serde_json::to_vec(
                    &json!({"accept": true, "disclosure": "customers", "note": "同意"}),
                )
                .unwrap()
                .into(),
            ),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        answered["request"]["answer"]["problems"],
        json!(["pb-p026", "pb-p027"])
    );
    let p = app
        .get_with("/api/v1/problems/pb-p026", &[("authorization", &master)])
        .await
        .ok(StatusCode::OK);
    assert_eq!(p["disclosure"], "customers");
    // The holder takes it back; the master reads it no more.
    app.send_with(
        axum::http::Method::PUT,
        "/api/v1/problems/pb-p026/disclosure",
        &[("authorization", &supplier)],
        Some(
            serde_json::to_vec(&json!({"disclosure": "private"}))
                .unwrap()
                .into(),
        ),
    )
    .await
    .ok(StatusCode::OK);
    app.put(
        "/api/v1/problems/pb-p027/disclosure",
        &json!({"disclosure": "private"}),
    )
    .await
    .ok(StatusCode::OK);
    let refused = app
        .get_with("/api/v1/problems/pb-p026", &[("authorization", &master)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Private is left out of the JSON, so records stay as they were before disclosure existed.
    let p = app.get("/api/v1/problems/pb-p026").await.ok(StatusCode::OK);
    assert!(p.get("disclosure").is_none(), "{p}");
}

/// Requests are not in the revisions: a list fetched before a request was sent must not be
/// revalidated (304) after it.
#[tokio::test]
async fn the_request_list_is_never_answered_not_modified() {
    let app = spawn_demo_app();
    let master = bearer(&app, AccessRole::Enterprise, Some("pb-ly-cell"));
    let auth = [("authorization", master.as_str())];
    let first = app.get_with("/api/v1/disclosure-requests", &auth).await;
    assert_eq!(first.json(), json!([]));
    let tag = first
        .headers
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_else(|| "W/\"r0-0\"".to_string());
    app.send_with(
        axum::http::Method::POST,
        "/api/v1/chains/pb-power-battery/disclosure-requests",
        &auth,
        Some(
            serde_json::to_vec(&json!({"supplier": "pb-cz-lfp", "message": "请披露"}))
                .unwrap()
                .into(),
        ),
    )
    .await
    .ok(StatusCode::CREATED);
    let again = app
        .get_with(
            "/api/v1/disclosure-requests",
            &[auth[0], ("if-none-match", tag.as_str())],
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(again.as_array().unwrap().len(), 1, "{again}");
}

/// A request naming a problem: the id is not checked when sent (the asker learns nothing), and
/// the supplier's acceptance of an id that is not its problem on the chain is a 422 at
/// `/problem` that leaves the request pending and the problems as they were.
#[tokio::test]
async fn a_named_problem_is_checked_by_the_answer_and_a_failed_answer_changes_nothing() {
    let app = spawn_demo_app();
    let master = bearer(&app, AccessRole::Enterprise, Some("pb-ly-cell"));
    let supplier = bearer(&app, AccessRole::Enterprise, Some("pb-cz-lfp"));
    let send = |as_: String, uri: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.send_with(
                axum::http::Method::POST,
                &uri,
                &[("authorization", &as_)],
                Some(serde_json::to_vec(&body).unwrap().into()),
            )
            .await
        }
    };
    let mut ids = Vec::new();
    for problem in ["pb-p034", "pb-p026"] {
        let sent = send(
            master.clone(),
            "/api/v1/chains/pb-power-battery/disclosure-requests".into(),
            json!({"supplier": "pb-cz-lfp", "problem": problem, "message": "请披露"}),
        )
        .await
        .ok(StatusCode::CREATED);
        ids.push(sent["id"].as_str().unwrap().to_string());
    }
    let before = app.revision().await;
    let refused = send(
        supplier.clone(),
        format!("/api/v1/disclosure-requests/{}/answer", ids[0]),
        json!({"accept": true, "disclosure": "chain"}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(refused["details"][0]["code"], "unknown_problem");
    assert_eq!(refused["details"][0]["path"], "/problem");
    assert_eq!(app.revision().await, before);
    let stored = app
        .state
        .store()
        .disclosure_request(&ids[0])
        .unwrap()
        .unwrap();
    assert_eq!(stored.status.as_str(), "pending");
    // The other names its own problem: only that one is disclosed.
    let answered = send(
        supplier,
        format!("/api/v1/disclosure-requests/{}/answer", ids[1]),
        json!({"accept": true, "disclosure": "chain"}),
    )
    .await
    .ok(StatusCode::OK);
    assert_eq!(
        answered["request"]["answer"]["problems"],
        json!(["pb-p026"])
    );
    let p027 = app.get("/api/v1/problems/pb-p027").await.ok(StatusCode::OK);
    assert!(p027.get("disclosure").is_none(), "{p027}");
}
