//! Writes: a failed one changes nothing, a successful one is visible to every later read, and a
//! write invalidates only the cached results it touches.

use crate::errors::{details, new_firm, new_problem, pair};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_failed_write_leaves_the_export_and_the_revision_as_they_were() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;

    // Import: malformed, invalid, and one good record beside a bad one (all or nothing).
    app.post_bytes("/api/v1/import", "{\"version\": 1, \"chains\": [")
        .await
        .error(StatusCode::BAD_REQUEST, "malformed_json");
    app.assert_unchanged(&before).await;
    let half_good = json!({"version": 1,
        "organizations": [new_firm("half-good")],
        "problems": [new_problem("half-bad", "ghost")]});
    app.post("/api/v1/import", &half_good)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;
    app.get("/api/v1/organizations/half-good")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");

    // Create.
    app.post("/api/v1/organizations", &new_firm("pb-ly-cell"))
        .await
        .error(StatusCode::CONFLICT, "already_exists");
    app.assert_unchanged(&before).await;
    app.post("/api/v1/problems", &new_problem("pb-p001", "pb-ly-cell"))
        .await
        .error(StatusCode::CONFLICT, "already_exists");
    app.assert_unchanged(&before).await;
    app.post("/api/v1/problems", &new_problem("p-new", "ghost"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;

    // Replace.
    app.put("/api/v1/organizations/other-id", &new_firm("x"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;
    // Moving a firm off its chain would orphan its supplies and problems.
    let mut moved = app
        .get("/api/v1/organizations/pb-ly-cell")
        .await
        .ok(StatusCode::OK);
    moved["chains"] = json!([{"chain": HYDROGEN, "role": "member", "segment": "stack"}]);
    app.put("/api/v1/organizations/pb-ly-cell", &moved)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;
    let mut problem = app.get("/api/v1/problems/pb-p001").await.ok(StatusCode::OK);
    problem["severity"] = json!(9);
    app.put("/api/v1/problems/pb-p001", &problem)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;
    app.put(
        "/api/v1/supplies",
        &json!({"chain": BATTERY, "from": "pb-ly-cell", "to": "pb-ly-cell", "part": "电芯"}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;

    // Delete.
    app.delete("/api/v1/organizations/pb-zjg-additive")
        .await
        .error(StatusCode::CONFLICT, "still_referenced");
    app.assert_unchanged(&before).await;
    app.delete("/api/v1/organizations/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/problems/ghost")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/supplies?chain=pb-power-battery&from=a&to=b&part=c")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.assert_unchanged(&before).await;

    // Status change.
    app.post(
        "/api/v1/problems/pb-p007/status",
        &json!({"status": "open"}),
    )
    .await
    .error(StatusCode::CONFLICT, "invalid_transition");
    app.post(
        "/api/v1/problems/ghost/status",
        &json!({"status": "resolved"}),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    app.post(
        "/api/v1/problems/pb-p001/status",
        &json!({"status": "done"}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn an_organization_written_is_read_back_and_each_write_moves_the_revision() {
    let app = spawn_demo_app();
    let r0 = app.revision().await;
    let written = app
        .post("/api/v1/organizations", &new_firm("pb-new-firm"))
        .await
        .ok(StatusCode::CREATED);
    assert_eq!(written["id"], "pb-new-firm");
    let r1 = written["revision"].as_u64().unwrap();
    assert!(r1 > r0);
    assert_eq!(app.revision().await, r1);
    let read = app
        .get("/api/v1/organizations/pb-new-firm")
        .await
        .ok(StatusCode::OK);
    assert_eq!(read, new_firm("pb-new-firm"));

    let mut renamed = new_firm("pb-new-firm");
    renamed["name"] = json!("改名后的企业");
    let written = app
        .put("/api/v1/organizations/pb-new-firm", &renamed)
        .await
        .ok(StatusCode::OK);
    assert!(written["revision"].as_u64().unwrap() > r1);
    let read = app
        .get("/api/v1/organizations/pb-new-firm")
        .await
        .ok(StatusCode::OK);
    assert_eq!(read["name"], "改名后的企业");
    let chain = app
        .get("/api/v1/chains/pb-power-battery")
        .await
        .ok(StatusCode::OK);
    assert_eq!(chain["summary"]["firms"], 58);

    app.put("/api/v1/organizations/pb-another", &new_firm("pb-another"))
        .await
        .ok(StatusCode::CREATED);
    app.delete("/api/v1/organizations/pb-another")
        .await
        .ok(StatusCode::NO_CONTENT);
    app.get("/api/v1/organizations/pb-another")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_supply_written_is_read_back_and_deleted() {
    let app = spawn_demo_app();
    let supply = json!({"chain": BATTERY, "from": "pb-zjg-additive", "to": "pb-cz-ev", "part": "阻燃添加剂"});
    let uri = "/api/v1/supplies?chain=pb-power-battery&from=pb-zjg-additive&to=pb-cz-ev&part=%E9%98%BB%E7%87%83%E6%B7%BB%E5%8A%A0%E5%89%82";
    app.get(uri).await.error(StatusCode::NOT_FOUND, "not_found");
    let written = app
        .put("/api/v1/supplies", &supply)
        .await
        .ok(StatusCode::CREATED);
    let r1 = written["revision"].as_u64().unwrap();
    assert_eq!(app.get(uri).await.ok(StatusCode::OK), supply);
    let chain = app
        .get("/api/v1/chains/pb-power-battery")
        .await
        .ok(StatusCode::OK);
    assert_eq!(chain["summary"]["supplies"], 87);
    // Idempotent: the same supply again replaces it.
    let again = app
        .put("/api/v1/supplies", &supply)
        .await
        .ok(StatusCode::OK);
    assert!(again["revision"].as_u64().unwrap() >= r1);
    app.delete(uri).await.ok(StatusCode::NO_CONTENT);
    app.get(uri).await.error(StatusCode::NOT_FOUND, "not_found");
    let chain = app
        .get("/api/v1/chains/pb-power-battery")
        .await
        .ok(StatusCode::OK);
    assert_eq!(chain["summary"]["supplies"], 86);
}

#[tokio::test]
async fn a_problem_goes_forward_through_its_statuses_and_leaves_demand_when_resolved() {
    let app = spawn_demo_app();
    let demand = |chain: &serde_json::Value| chain["summary"]["demand_problems"].as_u64().unwrap();
    let before = demand(
        &app.get("/api/v1/chains/pb-power-battery")
            .await
            .ok(StatusCode::OK),
    );

    app.post(
        "/api/v1/problems",
        &new_problem("pb-p900", "pb-zjg-additive"),
    )
    .await
    .ok(StatusCode::CREATED);
    assert_eq!(
        app.get("/api/v1/problems/pb-p900").await.ok(StatusCode::OK),
        new_problem("pb-p900", "pb-zjg-additive")
    );
    let listed = app
        .get("/api/v1/chains/pb-power-battery/problems?firm=pb-zjg-additive")
        .await
        .ok(StatusCode::OK);
    assert!(listed["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "pb-p900" && p["segment"] == "sep-elyte"));
    let chain = app
        .get("/api/v1/chains/pb-power-battery")
        .await
        .ok(StatusCode::OK);
    assert_eq!(demand(&chain), before + 1);

    let p = app
        .post(
            "/api/v1/problems/pb-p900/status",
            &json!({"status": "in_progress"}),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(p["status"], "in_progress");
    let p = app
        .post(
            "/api/v1/problems/pb-p900/status",
            &json!({"status": "resolved"}),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(p["status"], "resolved");
    let read = app.get("/api/v1/problems/pb-p900").await.ok(StatusCode::OK);
    assert_eq!(read["status"], "resolved");
    let chain = app
        .get("/api/v1/chains/pb-power-battery")
        .await
        .ok(StatusCode::OK);
    assert_eq!(demand(&chain), before);

    let mut replaced = new_problem("pb-p900", "pb-zjg-additive");
    replaced["severity"] = json!(5);
    replaced["status"] = json!("resolved");
    app.put("/api/v1/problems/pb-p900", &replaced)
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/problems/pb-p900").await.ok(StatusCode::OK)["severity"],
        5
    );
    app.put(
        "/api/v1/problems/pb-p901",
        &new_problem("pb-p901", "pb-ly-cell"),
    )
    .await
    .ok(StatusCode::CREATED);
    // A resolved problem is kept unless the delete says override_status.
    app.delete("/api/v1/problems/pb-p900")
        .await
        .error(StatusCode::CONFLICT, "invalid_transition");
    app.delete("/api/v1/problems/pb-p900?override_status=true")
        .await
        .ok(StatusCode::NO_CONTENT);
    app.get("/api/v1/problems/pb-p900")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

/// One rule on every write path: a resolved problem is not reopened by a PUT, by a re-import,
/// or by deleting and creating it again; `override_status=true` does it, and the audit log
/// says so.
#[tokio::test]
async fn a_resolved_problem_is_reopened_only_with_an_explicit_override() {
    let app = spawn_demo_app();
    app.post(
        "/api/v1/problems/pb-p001/status",
        &json!({"status": "resolved"}),
    )
    .await
    .ok(StatusCode::OK);
    let revision = app.state.store().revision();
    let mut reopened = app.get("/api/v1/problems/pb-p001").await.ok(StatusCode::OK);
    reopened["status"] = json!("open");

    // PUT
    let body = app
        .put("/api/v1/problems/pb-p001", &reopened)
        .await
        .error(StatusCode::CONFLICT, "invalid_transition");
    assert_eq!(details(&body), vec![pair("/status", "status_regression")]);
    // Re-import
    let bundle = json!({"version": 1, "problems": [reopened.clone()]});
    let body = app
        .post("/api/v1/import", &bundle)
        .await
        .error(StatusCode::CONFLICT, "invalid_transition");
    assert_eq!(
        details(&body),
        vec![pair("/problems/0/status", "status_regression")]
    );
    // Delete, then create again
    let body = app
        .delete("/api/v1/problems/pb-p001")
        .await
        .error(StatusCode::CONFLICT, "invalid_transition");
    assert_eq!(details(&body), vec![pair("", "resolved_kept")]);
    assert_eq!(
        app.state.store().revision(),
        revision,
        "nothing was written"
    );
    assert_eq!(
        app.get("/api/v1/problems/pb-p001").await.ok(StatusCode::OK)["status"],
        "resolved"
    );

    // The explicit override reopens it, and the audit log keeps the request.
    app.put("/api/v1/problems/pb-p001?override_status=true", &reopened)
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/problems/pb-p001").await.ok(StatusCode::OK)["status"],
        "open"
    );
    let audit = app.state.store().audit(None).unwrap();
    assert!(audit.iter().any(
        |e| e.action == "PUT /api/v1/problems/pb-p001?override_status=true" && e.outcome == "200"
    ));
    // A survey re-import may move it forward again without any override.
    let mut forward = reopened.clone();
    forward["status"] = json!("in_progress");
    app.post(
        "/api/v1/import",
        &json!({"version": 1, "problems": [forward]}),
    )
    .await
    .ok(StatusCode::OK);
}

#[tokio::test]
async fn a_problem_change_on_one_chain_changes_only_that_chains_results() {
    let app = spawn_demo_app();
    let coverage = |chain: &str| format!("/api/v1/chains/{chain}/coverage");
    let pb_before = app.get(&coverage(BATTERY)).await.ok(StatusCode::OK);
    let h2_before = app.get(&coverage(HYDROGEN)).await.body;
    let oe_map_before = app.get("/api/v1/chains/oe-optical-fiber/map").await.body;
    let all_before = app.get("/api/v1/coverage").await.ok(StatusCode::OK);
    let snap = app.state.snapshot();
    let h2_analysis = snap.chain_analysis(HYDROGEN).unwrap();
    let pb_analysis = snap.chain_analysis(BATTERY).unwrap();
    let oe_map = snap.default_map(FIBER).unwrap();
    drop(snap);

    // pb-p001: open, severity 5, needs testing:thermal-runaway.
    app.post(
        "/api/v1/problems/pb-p001/status",
        &json!({"status": "resolved"}),
    )
    .await
    .ok(StatusCode::OK);

    let pb_after = app.get(&coverage(BATTERY)).await.ok(StatusCode::OK);
    assert_eq!(
        pb_after["coverage"]["needs_total"],
        pb_before["coverage"]["needs_total"].as_u64().unwrap() - 1
    );
    assert_eq!(
        pb_after["coverage"]["severity_total"],
        pb_before["coverage"]["severity_total"].as_u64().unwrap() - 5
    );
    assert!(app.get(&coverage(HYDROGEN)).await.body == h2_before);
    assert!(app.get("/api/v1/chains/oe-optical-fiber/map").await.body == oe_map_before);
    let all_after = app.get("/api/v1/coverage").await.ok(StatusCode::OK);
    assert_eq!(
        all_after["coverage"]["needs_total"],
        all_before["coverage"]["needs_total"].as_u64().unwrap() - 1
    );

    // The untouched chains' cached results are the very same objects.
    let snap = app.state.snapshot();
    assert!(Arc::ptr_eq(
        &snap.chain_analysis(HYDROGEN).unwrap(),
        &h2_analysis
    ));
    assert!(!Arc::ptr_eq(
        &snap.chain_analysis(BATTERY).unwrap(),
        &pb_analysis
    ));
    assert_eq!(snap.default_map(FIBER).unwrap().as_ptr(), oe_map.as_ptr());
}

#[tokio::test]
async fn a_provider_change_recomputes_every_chains_qi_but_keeps_the_supply_graphs() {
    let app = spawn_demo_app();
    let pb_before = app
        .get("/api/v1/chains/pb-power-battery/coverage")
        .await
        .ok(StatusCode::OK);
    let h2_before = app.get("/api/v1/chains/h2-hydrogen/coverage").await.body;
    let snap = app.state.snapshot();
    let h2_analysis = snap.chain_analysis(HYDROGEN).unwrap();
    let h2_graph = snap.chain_graph(HYDROGEN).unwrap();
    drop(snap);

    // testing:thermal-runaway: 5 demand needs, capacity 3 at the national centre.
    let mut centre = app
        .get("/api/v1/organizations/pb-q-nat-battery")
        .await
        .ok(StatusCode::OK);
    centre["capabilities"][0]["capacity"] = json!(10);
    app.put("/api/v1/organizations/pb-q-nat-battery", &centre)
        .await
        .ok(StatusCode::OK);

    let pb_after = app
        .get("/api/v1/chains/pb-power-battery/coverage")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        pb_after["coverage"]["needs_assigned"],
        pb_before["coverage"]["needs_assigned"].as_u64().unwrap() + 2
    );
    // Capability codes never cross fixtures: the hydrogen figures are recomputed, and equal.
    assert!(app.get("/api/v1/chains/h2-hydrogen/coverage").await.body == h2_before);
    let snap = app.state.snapshot();
    assert!(!Arc::ptr_eq(
        &snap.chain_analysis(HYDROGEN).unwrap(),
        &h2_analysis
    ));
    assert!(Arc::ptr_eq(&snap.chain_graph(HYDROGEN).unwrap(), &h2_graph));
}

/// A write answered 503 `timeout` must not go on to commit behind the client's back: either it is
/// refused and nothing is written, or it is done and served.
#[tokio::test]
async fn a_write_that_times_out_is_either_not_committed_or_served() {
    let config = qmap::api::ApiConfig {
        request_timeout: std::time::Duration::ZERO,
        ..qmap::api::ApiConfig::default()
    };
    let app = spawn_app_with(config, false);
    let before = app.state.store().revision();
    let res = app
        .post_bytes("/api/v1/import", fixture("power_battery_jiangsu.json"))
        .await;
    assert!(
        res.status == StatusCode::OK || res.status == StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        res.status
    );
    // Work abandoned by a timeout would still be running: give it time to show.
    for _ in 0..10 {
        if app.state.store().revision() != before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let stored = app.state.store().revision();
    if res.status == StatusCode::SERVICE_UNAVAILABLE {
        res.error(StatusCode::SERVICE_UNAVAILABLE, "timeout");
        assert_eq!(stored, before, "a refused import was committed");
    }
    assert_eq!(
        app.revision().await,
        stored,
        "the store and the served data differ"
    );
    assert_eq!(
        *app.state.snapshot().dataset,
        app.state.store().load().unwrap()
    );
}
