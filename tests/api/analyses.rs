//! Scenarios, what-ifs, the chain comparison and dataset-wide coverage, against `qmap::analysis`
//! called directly.

use crate::common::HeldScope;
use crate::helpers::*;
use axum::http::StatusCode;
use qmap::analysis::eligibility::Scope;
use qmap::analysis::recommend::{what_if, WhatIf};
use qmap::analysis::{analyze_full, chain_scenario, run_scenario, Failure};
use qmap::graph::Graphs;
use serde_json::{json, Value};

fn failures(request: &Value) -> Vec<Failure> {
    serde_json::from_value(request["failures"].clone()).unwrap()
}

#[tokio::test]
async fn scenarios_agree_with_the_analysis_for_foreign_region_and_named_firms() {
    let app = spawn_demo_app();
    let d = fixtures_dataset(&DEMO);
    let graphs = Graphs::build(&d);
    for request in [
        json!({"failures": ["all_foreign"]}),
        json!({"failures": [{"region_prefix": "3204"}]}),
        json!({"failures": [{"region_prefix": "61"}]}),
        json!({"failures": [{"firms": ["pb-zjg-additive"]}]}),
        json!({"failures": [{"firms": ["h2-it-valve", "oe-us-dsp"]}, {"region_prefix": "320583"}]}),
        json!({"failures": []}),
    ] {
        let failures = failures(&request);
        let report = app
            .post("/api/v1/scenarios", &request)
            .await
            .ok(StatusCode::OK);
        assert_eq!(
            report,
            to_value(&run_scenario(&d, &graphs, &failures)),
            "{request}"
        );
        for (i, chain) in [HYDROGEN, FIBER, BATTERY].into_iter().enumerate() {
            let one = app
                .post(&format!("/api/v1/chains/{chain}/scenarios"), &request)
                .await
                .ok(StatusCode::OK);
            let name = d.chains[chain].name.clone();
            let expected = chain_scenario(graphs.chain(chain).unwrap(), name, &failures);
            assert_eq!(one, to_value(&expected), "{chain} {request}");
            assert_eq!(one, report["chains"][i], "{chain} {request}");
        }
    }
}

#[tokio::test]
async fn when_all_foreign_firms_fail_the_documented_masters_go_down() {
    let app = spawn_demo_app();
    let pb = app
        .post(
            "/api/v1/chains/pb-power-battery/scenarios",
            &json!({"failures": ["all_foreign"]}),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(pb["failed_count"], 14);
    assert_eq!(pb["disabled_masters"], json!(["pb-cz-ev", "pb-ly-cell"]));
    let domestic = pb["disabled"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["failed"] == false)
        .count();
    assert_eq!(domestic, 12);

    let additive = app
        .post(
            "/api/v1/chains/pb-power-battery/scenarios",
            &json!({"failures": [{"firms": ["pb-zjg-additive"]}]}),
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(additive["disabled"].as_array().unwrap().len(), 14);
    assert_eq!(
        additive["disabled_masters"],
        json!(["pb-cz-ev", "pb-ly-cell", "pb-yc-ess"])
    );
}

#[tokio::test]
async fn a_what_if_reports_coverage_before_and_after_as_the_analysis_does() {
    let app = spawn_demo_app();
    let d = fixtures_dataset(&DEMO);
    let passport = json!({"id": "new-passport", "name": "电池护照认证中心", "level": "national",
                          "region": "320500", "code": "standard:battery-passport"});
    for request in [
        json!({"chain": BATTERY, "add": [passport]}),
        json!({"chain": BATTERY, "remove": ["pb-q-nat-battery"]}),
        json!({"add": [passport], "remove": ["pb-q-nat-battery"]}),
        json!({"chain": HYDROGEN}),
    ] {
        let result = app
            .post("/api/v1/what-if", &request)
            .await
            .ok(StatusCode::OK);
        let scope = match request["chain"].as_str() {
            Some(chain) => Scope::Chain(chain.to_string()),
            None => Scope::All,
        };
        let mut change = request.clone();
        change.as_object_mut().unwrap().remove("chain");
        let change: WhatIf = serde_json::from_value(change).unwrap();
        assert_eq!(result, to_value(&what_if(&d, &scope, &change)), "{request}");
    }

    let result = app
        .post(
            "/api/v1/what-if",
            &json!({"chain": BATTERY, "add": [passport]}),
        )
        .await
        .ok(StatusCode::OK);
    let coverage = app
        .get("/api/v1/chains/pb-power-battery/coverage")
        .await
        .ok(StatusCode::OK);
    assert_eq!(result["before"]["coverage"], coverage["coverage"]);
    // Three firms need a battery passport standard and nobody could serve them.
    let reachable = |c: &Value| c["coverage"]["needs_reachable"].as_u64().unwrap();
    assert_eq!(
        reachable(&result["after"]),
        reachable(&result["before"]) + 3
    );
    let removed = app
        .post(
            "/api/v1/what-if",
            &json!({"chain": BATTERY, "remove": ["pb-q-nat-battery"]}),
        )
        .await
        .ok(StatusCode::OK);
    let assigned = |c: &Value| c["coverage"]["needs_assigned"].as_u64().unwrap();
    assert!(assigned(&removed["after"]) < assigned(&removed["before"]));
    // A what-if is hypothetical: the store and the served coverage stay as they were.
    let again = app
        .get("/api/v1/chains/pb-power-battery/coverage")
        .await
        .ok(StatusCode::OK);
    assert_eq!(again, coverage);
}

#[tokio::test]
async fn the_comparison_has_one_row_per_chain_matching_each_chain() {
    let app = spawn_demo_app();
    let comparison = app.get("/api/v1/comparison").await.ok(StatusCode::OK);
    let rows = comparison["chains"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let list = app.get("/api/v1/chains").await.ok(StatusCode::OK);
    // One row type: the comparison's rows are the chain list's rows.
    assert_eq!(rows, list.as_array().unwrap());
    assert_eq!(rows[0]["id"], "h2-hydrogen");
    let pb = &rows[2];
    let gaps =
        |c: &Value| c["needs_total"].as_u64().unwrap() - c["needs_reachable"].as_u64().unwrap();
    assert_eq!(pb["infrastructure_gaps"], gaps(&pb["coverage"]));
    assert_eq!(pb["capacity_gaps"], 3);

    let d = fixtures_dataset(&DEMO);
    let full = analyze_full(&d, &Graphs::build(&d), None);
    let dataset = full.dataset.unwrap();
    assert_eq!(
        comparison["dataset"],
        to_value(&dataset.qi.figures.coverage)
    );
    assert_eq!(
        comparison["dataset_by_element"],
        to_value(&dataset.qi.figures.by_element)
    );
    assert_eq!(comparison["chains"], to_value(&dataset.comparison));
}

#[tokio::test]
async fn dataset_coverage_shares_capacities_across_chains_as_the_analysis_does() {
    let app = spawn_demo_app();
    let coverage = app.get("/api/v1/coverage").await.ok(StatusCode::OK);
    let d = fixtures_dataset(&DEMO);
    let full = analyze_full(&d, &Graphs::build(&d), None);
    assert_eq!(coverage, to_value(&full.dataset.unwrap().qi));
    // Capability codes never cross fixtures, so the whole is the sum of the chains.
    assert_eq!(coverage["coverage"]["needs_total"], 58 + 51 + 46);
    assert_eq!(coverage["coverage"]["needs_assigned"], 44 + 36 + 35);
    assert_eq!(coverage["scope"], to_value(&Scope::All));
}

#[tokio::test]
async fn coverage_by_region_is_geojson_with_the_reports_figures_and_bad_parameters_are_400() {
    let app = spawn_demo_app();
    let res = app
        .get("/api/v1/coverage/regions.geojson?level=province")
        .await;
    assert_eq!(
        res.headers.get(axum::http::header::CONTENT_TYPE).unwrap(),
        "application/geo+json"
    );
    let doc = res.ok(StatusCode::OK);
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 34);
    let coverage = app.get("/api/v1/coverage").await.ok(StatusCode::OK);
    let needs: u64 = features
        .iter()
        .map(|f| f["properties"]["needs"].as_u64().unwrap())
        .sum();
    let foreign = coverage["by_province"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "foreign")
        .map_or(0, |r| r["coverage"]["needs_total"].as_u64().unwrap());
    assert_eq!(
        needs + foreign,
        coverage["coverage"]["needs_total"].as_u64().unwrap()
    );

    let jiangsu = app
        .get("/api/v1/coverage/regions.geojson?chain=pb-power-battery&level=city&province=32")
        .await
        .ok(StatusCode::OK);
    assert_eq!(jiangsu["features"].as_array().unwrap().len(), 13);

    app.get("/api/v1/coverage/regions.geojson?level=county")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.get("/api/v1/coverage/regions.geojson?level=city&province=3205")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.get("/api/v1/coverage/regions.geojson?chain=no-such-chain")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

/// Right after a write, with no wait and the new dataset scope being computed (held here by
/// another thread, as the background would hold it), `/comparison`, `/coverage` and the
/// dataset's regions answer the previous revision's figures marked `as_of_revision`, with
/// `Cache-Control: no-store` and no `ETag`, and match their documented schemas; once the new
/// scope is computed, they answer it, unmarked and tagged as before.
#[tokio::test]
async fn dataset_reads_right_after_a_write_answer_the_previous_revision_marked() {
    use axum::http::header;
    use qmap::service::chains::RowWait;
    let app = spawn_demo_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    const GEO: &str = "/api/v1/coverage/regions.geojson";
    let before = app.revision().await;
    let comparison = app.get("/api/v1/comparison").await;
    assert!(comparison.headers.get(header::ETAG).is_some());
    let comparison = comparison.ok(StatusCode::OK);
    assert!(comparison.get("as_of_revision").is_none());
    let coverage = app.get("/api/v1/coverage").await.ok(StatusCode::OK);
    assert!(coverage.get("as_of_revision").is_none());
    let regions = app.get(GEO).await.ok(StatusCode::OK);
    assert!(regions.get("as_of_revision").is_none());
    // From here on, reads do not wait (the figures above were computed, so a read right after
    // the write has an earlier revision's to show).
    app.state
        .service()
        .set_scope_wait(RowWait::AtMost(std::time::Duration::ZERO));

    // A write changing a need's severity: the dataset's figures change.
    let snap = app.state.snapshot();
    let mut p = snap
        .dataset
        .problems
        .values()
        .find(|p| p.is_demand() && !p.needs.is_empty())
        .unwrap()
        .clone();
    p.severity = if p.severity == 5 { 1 } else { 5 };
    app.post("/api/v1/import", &json!({"version": 1, "problems": [p]}))
        .await
        .ok(StatusCode::OK);
    let after = app.state.snapshot();
    assert!(after.revision > before);
    let fresh = qmap::service::Snapshot::of((*after.dataset).clone(), after.revision)
        .dataset_analysis()
        .unwrap();

    let held = HeldScope::hold(&after, fresh.clone());
    for (uri, earlier) in [
        ("/api/v1/comparison", &comparison),
        ("/api/v1/coverage", &coverage),
        (GEO, &regions),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert!(res.headers.get(header::ETAG).is_none(), "{uri}");
        assert_eq!(res.headers[header::CACHE_CONTROL], "no-store", "{uri}");
        let mut body = res.json();
        assert_eq!(body["as_of_revision"], before, "{uri}");
        if uri != GEO {
            crate::openapi::assert_documented(&doc, "get", uri, &res);
        }
        body.as_object_mut().unwrap().remove("as_of_revision");
        assert_eq!(&body, earlier, "{uri}");
    }
    // `*` gets the marked answer, not a 304.
    let any = app
        .get_with("/api/v1/comparison", &[("if-none-match", "*")])
        .await;
    assert_eq!(any.status, StatusCode::OK);
    assert_eq!(any.json()["as_of_revision"], before);

    held.release();
    let res = app.get("/api/v1/comparison").await;
    assert!(res.headers.get(header::ETAG).is_some());
    assert_eq!(res.headers[header::CACHE_CONTROL], "private, no-cache");
    let now = res.ok(StatusCode::OK);
    assert!(now.get("as_of_revision").is_none());
    assert_eq!(now["chains"], to_value(&fresh.comparison));
    assert_ne!(now, comparison);
    let coverage = app.get("/api/v1/coverage").await.ok(StatusCode::OK);
    assert_eq!(coverage, to_value(&fresh.qi));
    assert!(app
        .get(GEO)
        .await
        .ok(StatusCode::OK)
        .get("as_of_revision")
        .is_none());
}

/// The first dataset-wide read after a start, not allowed to wait while the figures are being
/// computed (here held by another thread), answers 202 `computing` with `Retry-After`, never
/// cached; the computation goes on, and once done the same reads answer 200.
#[tokio::test]
async fn the_first_dataset_reads_while_computing_answer_202_computing() {
    use axum::http::header;
    use qmap::service::chains::RowWait;
    let app = spawn_demo_app();
    app.state
        .service()
        .set_scope_wait(RowWait::AtMost(std::time::Duration::ZERO));
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let snap = app.state.snapshot();
    let fresh = qmap::service::Snapshot::of((*snap.dataset).clone(), snap.revision)
        .dataset_analysis()
        .unwrap();
    let held = HeldScope::hold(&snap, fresh.clone());
    const URIS: [&str; 3] = [
        "/api/v1/comparison",
        "/api/v1/coverage",
        "/api/v1/coverage/regions.geojson",
    ];
    for uri in URIS {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{uri}");
        assert_eq!(res.headers[header::RETRY_AFTER], "2", "{uri}");
        assert_eq!(res.headers[header::CACHE_CONTROL], "no-store", "{uri}");
        assert!(res.headers.get(header::ETAG).is_none(), "{uri}");
        res.error(StatusCode::ACCEPTED, "computing");
        crate::openapi::assert_documented(&doc, "get", uri, &res);
    }
    held.release();
    for uri in URIS {
        let body = app.get(uri).await.ok(StatusCode::OK);
        assert!(body.get("as_of_revision").is_none(), "{uri}");
    }
}
