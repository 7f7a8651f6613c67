//! Import and export of whole bundles.

use crate::errors::{details, pair};
use crate::helpers::*;
use axum::http::StatusCode;
use qmap::model::{Bundle, Dataset};

/// Every fixture file; their ids are unique across files, so they load together.
const ALL_FIXTURES: [&str; 7] = [
    "power_battery_jiangsu.json",
    "hydrogen_shaanxi.json",
    "optoelectronics_suzhou.json",
    "linear.json",
    "diamond.json",
    "cycle.json",
    "foreign_only.json",
];

#[tokio::test]
async fn a_dry_run_import_validates_and_writes_nothing() {
    let app = spawn_app();
    let before = app.fingerprint().await;
    let text = fixture("power_battery_jiangsu.json");
    let outcome = app
        .post_bytes("/api/v1/import?dry_run=true", text.clone())
        .await
        .ok(StatusCode::OK);
    let bundle: Bundle = serde_json::from_str(&text).unwrap();
    assert_eq!(outcome["dry_run"], true);
    assert!(outcome.get("revision").is_none(), "{outcome}");
    assert_eq!(
        outcome["counts"]["organizations"],
        bundle.organizations.len()
    );
    assert_eq!(outcome["counts"]["supplies"], bundle.supplies.len());
    assert_eq!(outcome["counts"]["problems"], bundle.problems.len());
    app.assert_unchanged(&before).await;
    app.get("/api/v1/chains/pb-power-battery")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");

    // A dry run reports the same errors an import would.
    let mut broken: serde_json::Value = serde_json::from_str(&text).unwrap();
    broken["problems"][0]["org"] = "ghost".into();
    let body = app
        .post("/api/v1/import?dry_run=true", &broken)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(body["details"][0]["path"], "/problems/0/org");
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn an_import_then_export_round_trips_every_fixture() {
    let app = spawn_app();
    let r0 = app.revision().await;
    let mut last = r0;
    for name in ALL_FIXTURES {
        let outcome = app
            .post_bytes("/api/v1/import", fixture(name))
            .await
            .ok(StatusCode::OK);
        assert_eq!(outcome["dry_run"], false);
        let revision = outcome["revision"].as_u64().unwrap();
        assert!(revision > last, "{name}");
        last = revision;
    }
    assert_eq!(app.revision().await, last);

    let exported: Bundle = serde_json::from_slice(&app.export().await).unwrap();
    assert_eq!(exported.version, 1);
    assert_eq!(
        Dataset::from_bundle(exported),
        fixtures_dataset(&ALL_FIXTURES)
    );
    let chains = app.get("/api/v1/chains").await.ok(StatusCode::OK);
    assert_eq!(chains.as_array().unwrap().len(), 7);

    // The export imports into a fresh store and exports the same bytes again.
    let export = app.export().await;
    let copy = spawn_app();
    copy.post_bytes("/api/v1/import", export.clone())
        .await
        .ok(StatusCode::OK);
    assert!(copy.export().await == export);
}

#[tokio::test]
async fn importing_the_same_bundle_twice_is_an_upsert_that_changes_no_record() {
    let app = spawn_app();
    app.import_fixtures(&["diamond.json"]).await;
    let (export, revision) = (app.export().await, app.revision().await);
    app.import_fixtures(&["diamond.json"]).await;
    assert!(app.export().await == export);
    assert!(
        app.revision().await > revision,
        "a second import is a new revision"
    );
    let exported: Bundle = serde_json::from_slice(&app.export().await).unwrap();
    assert_eq!(
        Dataset::from_bundle(exported),
        fixtures_dataset(&["diamond.json"])
    );
}

#[tokio::test]
async fn an_empty_store_exports_an_empty_bundle_and_lists_no_chains() {
    let app = spawn_app();
    let exported: Bundle = serde_json::from_slice(&app.export().await).unwrap();
    assert_eq!(exported, Bundle::new());
    assert_eq!(
        app.get("/api/v1/chains").await.ok(StatusCode::OK),
        serde_json::json!([])
    );
    let comparison = app.get("/api/v1/comparison").await.ok(StatusCode::OK);
    assert_eq!(comparison["chains"], serde_json::json!([]));
    assert_eq!(comparison["dataset"]["needs_total"], 0);
}

/// The catalogue is written by import and read from `GET /api/v1/capabilities` in code order;
/// a bad entry refuses the whole import with its path, and nothing is written.
#[tokio::test]
async fn the_capability_catalogue_is_imported_and_read_back() {
    let app = spawn_app();
    let empty = app.get("/api/v1/capabilities").await.ok(StatusCode::OK);
    assert_eq!(empty, serde_json::json!([]));
    let catalogue = serde_json::json!({"version": 1, "capabilities": [
        {"code": "testing:thermal-runaway", "name": "热失控测试",
         "standards": ["GB 38031-2020"]},
        {"code": "rd:bms", "name": "电池管理系统研发", "description": "BMS 算法与功能安全"}
    ]});
    let outcome = app
        .post("/api/v1/import", &catalogue)
        .await
        .ok(StatusCode::OK);
    assert_eq!(outcome["counts"]["capabilities"], 2);
    let listed = app.get("/api/v1/capabilities").await.ok(StatusCode::OK);
    assert_eq!(
        listed,
        serde_json::json!([
            {"code": "rd:bms", "name": "电池管理系统研发", "description": "BMS 算法与功能安全"},
            {"code": "testing:thermal-runaway", "name": "热失控测试",
             "standards": ["GB 38031-2020"]}
        ])
    );

    let before = app.fingerprint().await;
    let bad = serde_json::json!({"version": 1, "capabilities": [
        {"code": "rd:bms", "name": " "},
        {"code": "testing thermal", "name": "热失控"}
    ]});
    let body = app
        .post("/api/v1/import", &bad)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        [
            pair("/capabilities/0/name", "empty_name"),
            pair("/capabilities/1/code", "invalid_capability")
        ]
    );
    app.assert_unchanged(&before).await;
}

/// A change of the catalogue renames the capabilities of every cached map and gaps report at
/// once (the names live in cached analyses: the write must drop them).
#[tokio::test]
async fn a_catalogue_change_renames_capabilities_in_cached_maps() {
    let app = spawn_demo_app();
    let map = app
        .get("/api/v1/chains/pb-power-battery/map")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        map["capability_names"]["testing:thermal-runaway"],
        "热失控测试"
    );
    let gaps = app
        .get("/api/v1/chains/pb-power-battery/gaps")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        gaps["capability_names"]["rd:dry-electrode"],
        "干法电极工艺研发"
    );
    let renamed = serde_json::json!({"version": 1, "capabilities": [
        {"code": "testing:thermal-runaway", "name": "电池热失控安全测试"},
        {"code": "rd:dry-electrode", "name": "干法电极研发"}
    ]});
    app.post("/api/v1/import", &renamed)
        .await
        .ok(StatusCode::OK);
    let map = app
        .get("/api/v1/chains/pb-power-battery/map")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        map["capability_names"]["testing:thermal-runaway"],
        "电池热失控安全测试"
    );
    let gaps = app
        .get("/api/v1/chains/pb-power-battery/gaps")
        .await
        .ok(StatusCode::OK);
    assert_eq!(gaps["capability_names"]["rd:dry-electrode"], "干法电极研发");
}
