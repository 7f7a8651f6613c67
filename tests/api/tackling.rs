//! The quality work's questions over HTTP on the demo (its facts: fixtures/README.md "Quality
//! work"): untackled lists, goals progress, the policy-tool list, consortia, and candidates with
//! drafts that become projects in one step.

use crate::helpers::*;
use axum::http::StatusCode;
use qmap::model::access::AccessRole;
use serde_json::Value;

const PB: &str = "pb-power-battery";

fn planner(app: &TestApp) -> String {
    app.bearer(AccessRole::Planner, None, &[])
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e.pointer(field).unwrap().as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn untackled_lists_what_no_live_project_tackles_and_planners_get_the_counts() {
    let app = spawn_demo_app();
    let uri = format!("/api/v1/chains/{PB}/untackled");
    let list = app.get(&uri).await.ok(StatusCode::OK);
    assert_eq!(list["counts"]["demand_problems"], 57);
    assert_eq!(list["counts"]["untackled_problems"], 36);
    assert_eq!(list["problems"].as_array().unwrap().len(), 36);
    let mut nodes = ids(&list["critical_nodes"], "/firm/id");
    nodes.sort();
    assert_eq!(
        nodes,
        [
            "pb-cz-cnt",
            "pb-jp-coater",
            "pb-jy-alfoil",
            "pb-nj-essbms",
            "pb-nj-pcs",
            "pb-wx-equipment"
        ]
    );
    let mut needs = ids(&list["common_needs"], "/code");
    needs.sort();
    assert_eq!(
        needs,
        [
            "certification:carbon-footprint",
            "metrology:areal-density",
            "testing:thermal-runaway"
        ]
    );
    let planner = planner(&app);
    let figures = app
        .get_with(&uri, &[("authorization", &planner)])
        .await
        .ok(StatusCode::OK);
    assert_eq!(figures["counts"], list["counts"]);
    assert_eq!(figures["problems"], serde_json::json!([]));
    assert_eq!(figures["critical_nodes"], serde_json::json!([]));
}

#[tokio::test]
async fn goals_progress_says_which_lines_are_met() {
    let app = spawn_demo_app();
    let progress = app
        .get("/api/v1/goals/progress?region=32&year=2025")
        .await
        .ok(StatusCode::OK);
    let goals = progress["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 1, "{progress}");
    let g = &goals[0];
    assert_eq!(g["id"], "pb-goal-2025");
    assert_eq!(g["met"], false);
    let common: Vec<&Value> = g["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["category"] == "common_technology")
        .collect();
    assert_eq!(
        (
            &common[0]["target"],
            &common[0]["actual"],
            &common[0]["met"]
        ),
        (&Value::from(3), &Value::from(1), &Value::from(false))
    );
    // A Shaanxi goal is not in Jiangsu's answer; every goal without filters.
    let all = app.get("/api/v1/goals/progress").await.ok(StatusCode::OK);
    assert_eq!(all["goals"].as_array().unwrap().len(), 4);
    for bad in ["region=3x", "region=3", "year=abc", "year=1800"] {
        app.get(&format!("/api/v1/goals/progress?{bad}"))
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn the_policy_tool_list_names_the_policy_gaps_and_planners_see_no_firms() {
    let app = spawn_demo_app();
    let uri = format!("/api/v1/chains/{PB}/policy-tools");
    let list = app.get(&uri).await.ok(StatusCode::OK);
    let uncovered: Vec<String> = ids(&list["uncovered"], "/code");
    assert!(
        uncovered.contains(&"rd:silicon-anode".to_string()),
        "{uncovered:?}"
    );
    assert!(uncovered.contains(&"metrology:areal-density".to_string()));
    assert!(list["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| !g["tools"].as_array().unwrap().is_empty()));
    let planner = planner(&app);
    let figures = app
        .get_with(&uri, &[("authorization", &planner)])
        .await
        .ok(StatusCode::OK);
    assert_eq!(figures["counts"], list["counts"]);
    for g in figures["gaps"].as_array().unwrap() {
        assert_eq!(g["firms"], serde_json::json!([]));
        assert_eq!(g["problems"], serde_json::json!([]));
    }
}

#[tokio::test]
async fn consortia_show_their_members_and_what_their_providers_can_take() {
    let app = spawn_demo_app();
    let report = app
        .get(&format!("/api/v1/chains/{PB}/consortia"))
        .await
        .ok(StatusCode::OK);
    let consortia = report["consortia"].as_array().unwrap();
    assert_eq!(consortia.len(), 2);
    for c in consortia {
        assert!(c["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["lead"] == true));
        assert!(c["needs_takeable"].as_u64() <= c["needs_total"].as_u64());
    }
    app.get("/api/v1/chains/no-such-chain/consortia")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

/// A candidate's draft is a project ready to post: posted as it is, it is created, and its
/// problems leave the candidates.
#[tokio::test]
async fn a_candidates_draft_becomes_a_project_in_one_step() {
    let app = spawn_demo_app();
    let uri = format!("/api/v1/chains/{PB}/projects?year=2026");
    let candidates = app.get(&uri).await.ok(StatusCode::OK);
    let first = candidates["key_product"][0].clone();
    let draft = first["draft"].clone();
    assert_eq!(draft["status"], "proposed");
    assert_eq!(draft["year"], 2026);
    assert_eq!(draft["chain"], PB);
    app.post("/api/v1/projects", &draft)
        .await
        .ok(StatusCode::CREATED);
    let after = app.get(&uri).await.ok(StatusCode::OK);
    let tackled: Vec<&Value> = draft["problems"].as_array().unwrap().iter().collect();
    for list in ["key_product", "common_technology", "chain_collaboration"] {
        for c in after[list].as_array().unwrap() {
            for p in c["problems"].as_array().unwrap() {
                assert!(
                    !tackled.contains(&p),
                    "{p} is tackled but still a candidate"
                );
            }
        }
    }
    // A draft must be a valid project: a year out of range is refused, not drafted.
    for bad in ["1989", "2101", "x"] {
        app.get(&format!("/api/v1/chains/{PB}/projects?year={bad}"))
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
    }
    // Planners read no candidates (they name firms); without write rights, no drafts.
    let planner = planner(&app);
    app.get_with(&uri, &[("authorization", &planner)])
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
}
