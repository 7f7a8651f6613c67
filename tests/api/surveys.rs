//! Surveys: labelled and replacing imports, `/revisions`, reads as of an earlier revision,
//! `/chains/{id}/changes` and `/chains/{id}/history`.

use crate::helpers::*;
use axum::http::StatusCode;
use qmap::analysis::analyze_full;
use qmap::analysis::changes::{chain_changes, Side};
use qmap::graph::Graphs;
use qmap::model::access::AccessRole;
use qmap::model::{Bundle, Dataset, Status};
use serde_json::Value;

const CHAIN: &str = "pb-power-battery";
const LEFT: &str = "pb-left-recycler";

/// Today's power-battery survey, and the one a year earlier: then the chain also had a firm that
/// has left since (with a supply, a demand problem and a resolved one), it lacked today's last
/// supply, and a problem solved since was still open.
fn two_surveys() -> (Bundle, Bundle) {
    let today: Bundle = serde_json::from_str(&fixture("power_battery_jiangsu.json")).unwrap();
    let mut earlier = today.clone();
    let mut left = earlier
        .organizations
        .iter()
        .find(|o| o.id == "pb-yc-lithium")
        .unwrap()
        .clone();
    left.id = LEFT.into();
    left.name = "盐城旧电池回收有限公司".into();
    earlier.organizations.push(left);
    let mut supply = earlier.supplies[0].clone();
    supply.supplier = LEFT.into();
    supply.part = "回收碳酸锂".into();
    earlier.supplies.pop();
    earlier.supplies.push(supply);
    let template = earlier.problems[0].clone();
    for (id, status) in [
        ("pb-left-open", Status::Open),
        ("pb-left-done", Status::Resolved),
    ] {
        let mut p = template.clone();
        p.id = id.into();
        p.org = LEFT.into();
        p.status = status;
        earlier.problems.push(p);
    }
    let solved = today
        .problems
        .iter()
        .find(|p| p.status == Status::Resolved)
        .unwrap()
        .id
        .clone();
    for p in &mut earlier.problems {
        if p.id == solved {
            p.status = Status::Open;
        }
    }
    (earlier, today)
}

fn bytes(b: &Bundle) -> Vec<u8> {
    serde_json::to_vec(b).unwrap()
}

/// An app holding the two surveys: revision 1 `2024年度调查`, revision 2 `2025年度调查` (replace).
async fn surveyed() -> (TestApp, Bundle, Bundle) {
    let (earlier, today) = two_surveys();
    let app = spawn_app();
    let first = app
        .post_bytes("/api/v1/import?label=2024年度调查", bytes(&earlier))
        .await
        .ok(StatusCode::OK);
    assert_eq!(first["revision"], 1);
    assert_eq!(
        first["changes"]["organizations"]["added"],
        earlier.organizations.len()
    );
    (app, earlier, today)
}

#[tokio::test]
async fn a_replacing_survey_removes_what_the_file_lacks_and_keeps_organization_records() {
    let (app, earlier, today) = surveyed().await;
    let outcome = app
        .post_bytes(
            "/api/v1/import?label=2025年度调查&replace=true",
            bytes(&today),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(outcome["revision"], 2);
    assert_eq!(
        outcome["replaced"][CHAIN],
        serde_json::json!({"memberships": 1, "supplies": 1, "problems": 1,
                           "resolved_kept": 0, "resolved_removed": 1, "tackled_kept": 0})
    );
    // Added: today's last supply; changed: the solved problem and the firm that left (its
    // record, without the membership); removed: its supply and its two problems.
    assert_eq!(
        outcome["changes"]["supplies"],
        serde_json::json!({"added": 1, "changed": 0, "removed": 1})
    );
    assert_eq!(
        outcome["changes"]["problems"],
        serde_json::json!({"added": 0, "changed": 1, "removed": 2})
    );
    assert_eq!(
        outcome["changes"]["organizations"],
        serde_json::json!({"added": 0, "changed": 1, "removed": 0})
    );
    // The firm's record stays, off the chain; the chain is exactly today's file.
    let left = app
        .get(&format!("/api/v1/organizations/{LEFT}"))
        .await
        .ok(StatusCode::OK);
    assert!(
        left.get("chains")
            .is_none_or(|c| c == &serde_json::json!([])),
        "{left}"
    );
    let mut expected = Dataset::from_bundle(today.clone());
    let mut gone = earlier.organizations.last().unwrap().clone();
    gone.chains = Some(Vec::new());
    expected.organizations.insert(gone.id.clone(), gone);
    let exported: Bundle = serde_json::from_slice(&app.export().await).unwrap();
    assert_eq!(exported, expected.to_bundle());

    let revisions = app.get("/api/v1/revisions").await.ok(StatusCode::OK);
    let labels: Vec<&Value> = revisions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["label"])
        .collect();
    assert_eq!(labels, ["2024年度调查", "2025年度调查"]);
    assert!(revisions[1]["actor"].is_string(), "admins see who wrote it");
    assert_eq!(revisions[1]["counts"], outcome["changes"]);

    // The same survey again writes a revision that changes nothing.
    let again = app
        .post_bytes("/api/v1/import?replace=true", bytes(&today))
        .await
        .ok(StatusCode::OK);
    assert_eq!(again["revision"], 3);
    assert_eq!(
        again["changes"]["supplies"],
        serde_json::json!({"added": 0, "changed": 0, "removed": 0})
    );
}

/// Every chain read as of revision 1 answers exactly as a store holding only the first survey.
#[tokio::test]
async fn reads_as_of_an_earlier_revision_answer_as_the_data_stood() {
    let (app, earlier, today) = surveyed().await;
    app.post_bytes(
        "/api/v1/import?label=2025年度调查&replace=true",
        bytes(&today),
    )
    .await
    .ok(StatusCode::OK);
    let then = spawn_app();
    then.post_bytes("/api/v1/import", bytes(&earlier))
        .await
        .ok(StatusCode::OK);
    for path in [
        "/api/v1/chains".to_string(),
        format!("/api/v1/chains/{CHAIN}"),
        format!("/api/v1/chains/{CHAIN}/map"),
        format!("/api/v1/chains/{CHAIN}/map?limit=5"),
        format!("/api/v1/chains/{CHAIN}/weak-links"),
        format!("/api/v1/chains/{CHAIN}/coverage"),
        format!("/api/v1/chains/{CHAIN}/problems?per_page=1000"),
        format!("/api/v1/chains/{CHAIN}/gaps"),
        format!("/api/v1/chains/{CHAIN}/projects"),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let old = app
            .get(&format!("{path}{sep}revision=1"))
            .await
            .ok(StatusCode::OK);
        let expected = then.get(&path).await.ok(StatusCode::OK);
        assert_eq!(old, expected, "{path} as of revision 1");
        let now = app.get(&path).await.ok(StatusCode::OK);
        assert_ne!(old, now, "{path}: the surveys differ there");
        assert_eq!(
            app.get(&format!("{path}{sep}revision=2"))
                .await
                .ok(StatusCode::OK),
            now,
            "{path} as of the current revision"
        );
    }
}

#[tokio::test]
async fn changes_between_two_surveys_are_the_analysis_of_both() {
    let (app, earlier, today) = surveyed().await;
    app.post_bytes(
        "/api/v1/import?label=2025年度调查&replace=true",
        bytes(&today),
    )
    .await
    .ok(StatusCode::OK);
    let body = app
        .get(&format!("/api/v1/chains/{CHAIN}/changes"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(body["from"]["revision"], 1);
    assert_eq!(body["from"]["label"], "2024年度调查");
    assert_eq!(body["to"]["label"], "2025年度调查");
    // Against the analysis run directly on the two datasets.
    let a = Dataset::from_bundle(earlier);
    let b: Bundle = serde_json::from_slice(&app.export().await).unwrap();
    let b = Dataset::from_bundle(b);
    let (ga, gb) = (Graphs::build(&a), Graphs::build(&b));
    let (ra, rb) = (
        analyze_full(&a, &ga, Some(CHAIN)),
        analyze_full(&b, &gb, Some(CHAIN)),
    );
    let direct = chain_changes(
        CHAIN,
        &Side::new(&a, ra.chains.first().map(|c| &**c)),
        &Side::new(&b, rb.chains.first().map(|c| &**c)),
    );
    let mut answered = body.clone();
    let answered = answered.as_object_mut().unwrap();
    answered.remove("from");
    answered.remove("to");
    assert_eq!(Value::Object(answered.clone()), to_value(&direct));
    // What the two surveys differ in, by name.
    assert_eq!(body["firms"]["left"][0]["id"], LEFT);
    assert_eq!(body["firms"]["left"][0]["name"], "盐城旧电池回收有限公司");
    assert_eq!(body["summary"]["supplies_added"], 1);
    // The solved problem, and the demand problem of the firm that left (its resolved one was
    // no demand at the first survey).
    assert_eq!(body["summary"]["problems_resolved"], 2);

    // Explicit revisions give the same; reversed, the lists swap.
    let explicit = app
        .get(&format!("/api/v1/chains/{CHAIN}/changes?from=1&to=2"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(explicit, body);
    let back = app
        .get(&format!("/api/v1/chains/{CHAIN}/changes?from=2&to=1"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(back["firms"]["joined"], body["firms"]["left"]);
    assert_eq!(back["supplies"]["removed"], body["supplies"]["added"]);
    assert_eq!(
        back["critical_nodes"]["appeared"],
        body["critical_nodes"]["disappeared"]
    );
}

#[tokio::test]
async fn history_gives_the_chain_figures_at_every_survey() {
    let (app, _earlier, today) = surveyed().await;
    app.post_bytes(
        "/api/v1/import?label=2025年度调查&replace=true",
        bytes(&today),
    )
    .await
    .ok(StatusCode::OK);
    // An unlabelled write in between is not a survey.
    app.post_bytes("/api/v1/import", bytes(&today))
        .await
        .ok(StatusCode::OK);
    let history = app
        .get(&format!("/api/v1/chains/{CHAIN}/history"))
        .await
        .ok(StatusCode::OK);
    let points = history.as_array().unwrap();
    assert_eq!(points.len(), 2);
    for (point, revision) in points.iter().zip([1, 2]) {
        assert_eq!(point["revision"], revision);
        let row = app
            .get(&format!("/api/v1/chains/{CHAIN}?revision={revision}"))
            .await
            .ok(StatusCode::OK)["summary"]
            .clone();
        for figure in [
            "firms",
            "masters",
            "critical_nodes",
            "single_source_parts",
            "foreign_only_parts",
            "demand_problems",
            "coverage",
        ] {
            assert_eq!(point[figure], row[figure], "{figure} at {revision}");
        }
        assert_eq!(point["needs"], row["coverage"]["needs_total"]);
    }
    assert_eq!(
        points[0]["firms"].as_u64().unwrap(),
        points[1]["firms"].as_u64().unwrap() + 1,
        "a firm left"
    );
}

#[tokio::test]
async fn unknown_revisions_and_missing_surveys_are_clear_404s() {
    let (app, _earlier, today) = surveyed().await;
    app.get(&format!("/api/v1/chains/{CHAIN}/map?revision=9"))
        .await
        .error(StatusCode::NOT_FOUND, "unknown_revision");
    app.get("/api/v1/chains?revision=9")
        .await
        .error(StatusCode::NOT_FOUND, "unknown_revision");
    app.get("/api/v1/chains?revision=abc")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    // One survey only: nothing to compare with by default, but any two revisions may be named.
    app.get(&format!("/api/v1/chains/{CHAIN}/changes"))
        .await
        .error(StatusCode::NOT_FOUND, "no_earlier_survey");
    app.get(&format!("/api/v1/chains/{CHAIN}/changes?from=0&to=1"))
        .await
        .ok(StatusCode::OK);
    app.get(&format!("/api/v1/chains/{CHAIN}/changes?from=1&to=7"))
        .await
        .error(StatusCode::NOT_FOUND, "unknown_revision");
    app.get("/api/v1/chains/no-such-chain/changes?from=0&to=1")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    // A label that is not one.
    app.post_bytes("/api/v1/import?label=%20", bytes(&today))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(app.revision().await, 1);
}

/// A token of `role` (an enterprise's for `org`), made in the app's store.
fn token(app: &TestApp, role: AccessRole, org: Option<&str>) -> String {
    app.bearer(role, org, &[])
}

#[tokio::test]
async fn a_planner_sees_figures_only_and_an_enterprise_its_upstream() {
    let (app, _earlier, today) = surveyed().await;
    app.post_bytes(
        "/api/v1/import?label=2025年度调查&replace=true",
        bytes(&today),
    )
    .await
    .ok(StatusCode::OK);
    let uri = format!("/api/v1/chains/{CHAIN}/changes");
    let full = app.get(&uri).await.ok(StatusCode::OK);
    let planner = token(&app, AccessRole::Planner, None);
    let figures = app
        .get_with(&uri, &[("authorization", &planner)])
        .await
        .ok(StatusCode::OK);
    assert_eq!(figures["summary"], full["summary"]);
    assert_eq!(figures["coverage"], full["coverage"]);
    assert_eq!(figures["firms"]["left"], serde_json::json!([]));
    assert_eq!(figures["problems"]["resolved"], serde_json::json!([]));
    let revisions = app
        .get_with("/api/v1/revisions", &[("authorization", &planner)])
        .await
        .ok(StatusCode::OK);
    assert!(revisions[0].get("actor").is_none(), "{revisions}");
    app.get_with(
        &format!("/api/v1/chains/{CHAIN}/history"),
        &[("authorization", &planner)],
    )
    .await
    .ok(StatusCode::OK);

    // An enterprise with nothing upstream of it that changed sees no firm's changes but its own.
    let enterprise = token(&app, AccessRole::Enterprise, Some("pb-yc-lithium"));
    let mine = app
        .get_with(&uri, &[("authorization", &enterprise)])
        .await
        .ok(StatusCode::OK);
    for list in [&mine["firms"]["left"], &mine["supplies"]["removed"]] {
        assert_eq!(list, &serde_json::json!([]), "{mine}");
    }
    assert!(
        mine["summary"]["firms_left"].as_u64() < full["summary"]["firms_left"].as_u64(),
        "{mine}"
    );
}

fn project(id: &str, lead: &str, problems: &[&str]) -> qmap::model::Project {
    serde_json::from_value(serde_json::json!({
        "id": id, "title": "隔膜一致性攻关", "category": "key_product", "chain": CHAIN,
        "lead": lead, "participants": [], "problems": problems, "year": 2025,
        "status": "in_progress"
    }))
    .unwrap()
}

/// A problem a project tackles stays when a survey no longer lists it; a firm that leads a
/// project cannot leave the chain by a survey (the import is refused, nothing written).
#[tokio::test]
async fn a_replacing_survey_keeps_what_projects_refer_to_and_refuses_to_strand_a_lead() {
    let (earlier, today) = two_surveys();
    let mut with_project = earlier.clone();
    let mut gone = with_project.problems[0].clone();
    gone.id = "pb-gone-open".into();
    gone.org = "pb-yc-lithium".into();
    gone.status = Status::Open;
    with_project.problems.push(gone);
    with_project
        .projects
        .push(project("pj-kept", "pb-yc-lithium", &["pb-gone-open"]));
    let app = spawn_app();
    app.post_bytes("/api/v1/import?label=2024年度调查", bytes(&with_project))
        .await
        .ok(StatusCode::OK);
    let outcome = app
        .post_bytes(
            "/api/v1/import?label=2025年度调查&replace=true",
            bytes(&today),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(outcome["replaced"][CHAIN]["tackled_kept"], 1, "{outcome}");
    app.get("/api/v1/problems/pb-gone-open")
        .await
        .ok(StatusCode::OK);

    let mut led = earlier.clone();
    led.projects.push(project("pj-led", LEFT, &[]));
    let app = spawn_app();
    app.post_bytes("/api/v1/import", bytes(&led))
        .await
        .ok(StatusCode::OK);
    let before = app.fingerprint().await;
    let refused = app
        .post_bytes("/api/v1/import?replace=true", bytes(&today))
        .await
        .error(StatusCode::CONFLICT, "still_referenced");
    assert!(
        refused["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pj-led"),
        "{refused}"
    );
    app.assert_unchanged(&before).await;
}
