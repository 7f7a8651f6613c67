//! Coverage by region as GeoJSON (`render::geojson`, `GET /api/v1/coverage/regions.geojson`,
//! `qmap export --format geojson`): the documents of the demo are valid GeoJSON on China's
//! boundaries, their figures are the coverage report's, and roles apply as to the JSON routes.

#[path = "common/mod.rs"]
mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use qmap::analysis::coverage::{Coverage, CoverageReport};
use qmap::model::access::AccessRole;
use qmap::model::{Dataset, Level};
use qmap::render::boundaries::RegionLevel;
use qmap::service::{Principal, Snapshot};
use qmap::store::Store;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use tower::ServiceExt;

const PB: &str = "pb-power-battery";
const DEMO: [&str; 3] = [
    "power_battery_jiangsu.json",
    "hydrogen_shaanxi.json",
    "optoelectronics_suzhou.json",
];
const PROPERTIES: [&str; 14] = [
    "code",
    "name",
    "level",
    "needs",
    "reachable",
    "assigned",
    "severity_total",
    "severity_assigned",
    "severity_unmet",
    "infrastructure_gaps",
    "capacity_gaps",
    "coverage_share",
    "providers",
    "firms",
];

/// The document of `chain` (or the whole dataset) as the service writes it for anyone who may
/// read everything.
fn document(
    snap: &Snapshot,
    chain: Option<&str>,
    level: RegionLevel,
    province: Option<&str>,
) -> Value {
    let text =
        qmap::service::chains::regions_geojson(snap, &Principal::Anonymous, chain, level, province)
            .unwrap();
    serde_json::from_str(&text).expect("the document is JSON")
}

/// Checks one ring: at least four [lon, lat] positions inside China's bounding box (南海 islands
/// reach 3.8° N), first equal to last.
fn check_ring(ring: &Value, code: &str) {
    let points = ring.as_array().expect("a ring is an array");
    assert!(
        points.len() >= 4,
        "{code}: a ring of {} points",
        points.len()
    );
    assert_eq!(points.first(), points.last(), "{code}: ring not closed");
    for p in points {
        let p = p.as_array().expect("a position is an array");
        assert_eq!(p.len(), 2, "{code}: position {p:?}");
        let (lon, lat) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        assert!((73.0..=136.0).contains(&lon), "{code}: longitude {lon}");
        assert!((3.0..=54.0).contains(&lat), "{code}: latitude {lat}");
    }
}

/// Checks the shape RFC 7946 asks for and that every property is present; returns the features'
/// properties by code.
fn check(doc: &Value, level: &str) -> BTreeMap<String, Value> {
    assert_eq!(doc["type"], "FeatureCollection");
    let mut by_code = BTreeMap::new();
    for f in doc["features"].as_array().expect("features") {
        assert_eq!(f["type"], "Feature");
        let props = &f["properties"];
        let code = props["code"].as_str().expect("code").to_string();
        assert_eq!(code.len(), 6, "{code}");
        assert_eq!(f["id"], code.as_str());
        for key in PROPERTIES {
            assert!(props.get(key).is_some(), "{code}: no {key}");
        }
        assert_eq!(props["level"], level);
        assert!(!props["name"].as_str().unwrap().is_empty());
        for key in ["national", "provincial", "municipal"] {
            assert!(props["providers"][key].is_u64(), "{code}: providers.{key}");
        }
        let geometry = &f["geometry"];
        match geometry["type"].as_str() {
            Some("Polygon") => {
                for ring in geometry["coordinates"].as_array().unwrap() {
                    check_ring(ring, &code);
                }
            }
            Some("MultiPolygon") => {
                for polygon in geometry["coordinates"].as_array().unwrap() {
                    assert!(!polygon.as_array().unwrap().is_empty(), "{code}");
                    for ring in polygon.as_array().unwrap() {
                        check_ring(ring, &code);
                    }
                }
            }
            other => panic!("{code}: geometry {other:?}"),
        }
        assert!(
            by_code.insert(code.clone(), props.clone()).is_none(),
            "{code} twice"
        );
    }
    by_code
}

/// The coverage figures of a feature, as the report's [`Coverage`] would have them.
fn figures(props: &Value) -> (u64, u64, u64, u64, u64) {
    let n = |k: &str| props[k].as_u64().unwrap();
    (
        n("needs"),
        n("reachable"),
        n("assigned"),
        n("severity_total"),
        n("severity_assigned"),
    )
}

fn of(c: &Coverage) -> (u64, u64, u64, u64, u64) {
    (
        c.needs_total,
        c.needs_reachable,
        c.needs_assigned,
        c.severity_total,
        c.severity_assigned,
    )
}

/// Every domestic region of the report is a feature with the report's figures, and every other
/// feature has none; the derived figures agree.
fn check_figures(
    features: &BTreeMap<String, Value>,
    report: &CoverageReport,
    level: RegionLevel,
    province: &str,
) {
    let entries = match level {
        RegionLevel::Province => &report.by_province,
        RegionLevel::City => &report.by_city,
    };
    let mut seen = BTreeSet::new();
    let domestic = entries
        .iter()
        .filter(|e| e.region != "foreign" && e.region.starts_with(province));
    for entry in domestic {
        let props = features
            .iter()
            .find(|(code, _)| code.starts_with(&entry.region))
            .unwrap_or_else(|| panic!("region {} of the report has no feature", entry.region))
            .1;
        assert_eq!(figures(props), of(&entry.coverage), "{}", entry.region);
        seen.insert(props["code"].as_str().unwrap().to_string());
    }
    for (code, props) in features {
        let (needs, _, assigned, total, done) = figures(props);
        assert_eq!(props["severity_unmet"].as_u64().unwrap(), total - done);
        if needs == 0 {
            assert!(props["coverage_share"].is_null(), "{code}");
        } else {
            let share = props["coverage_share"].as_f64().unwrap();
            assert!(
                (share - assigned as f64 / needs as f64).abs() < 1e-12,
                "{code}"
            );
        }
        if !seen.contains(code) {
            assert_eq!(figures(props), (0, 0, 0, 0, 0), "{code} has figures");
        }
    }
    assert!(!seen.is_empty(), "some region has needs");
}

#[test]
fn the_geojson_of_the_demo_is_valid_and_carries_the_coverage_reports_figures() {
    let dataset = common::loaded(&DEMO);
    let snap = Snapshot::of(dataset.clone(), 0);
    let all = snap.dataset_analysis().unwrap();

    // 34 provinces: the 31 of GB/T 2260's table and 台湾, 香港, 澳门 (data/boundaries/README.md).
    let doc = document(&snap, None, RegionLevel::Province, None);
    let provinces = check(&doc, "province");
    assert_eq!(provinces.len(), 34);
    assert_eq!(provinces["320000"]["name"], "江苏省");
    check_figures(&provinces, &all.qi.figures, RegionLevel::Province, "");
    // Regions without firms are features too, with zero figures.
    assert_eq!(provinces["650000"]["firms"], 0);
    assert!(provinces["650000"]["coverage_share"].is_null());

    // Cities: every prefecture-level code of the table and the three above (345).
    let cities = check(&document(&snap, None, RegionLevel::City, None), "city");
    assert_eq!(cities.len(), 345);
    check_figures(&cities, &all.qi.figures, RegionLevel::City, "");

    // The 13 cities of 江苏.
    let jiangsu = check(
        &document(&snap, None, RegionLevel::City, Some("32")),
        "city",
    );
    assert_eq!(jiangsu.len(), 13);
    assert!(jiangsu.keys().all(|c| c.starts_with("32")));
    assert_eq!(jiangsu["320500"]["name"], "苏州市");
    for (code, props) in &jiangsu {
        assert_eq!(props, &cities[code], "{code}: the same feature either way");
    }

    // Firms and providers by place, counted from the data.
    let mut firms: BTreeMap<&str, u64> = BTreeMap::new();
    let mut national: BTreeMap<&str, u64> = BTreeMap::new();
    for o in dataset.organizations.values().filter(|o| !o.foreign) {
        let Some(region) = o.region.as_deref() else {
            continue;
        };
        if !o.is_provider() {
            *firms.entry(&region[..2]).or_default() += 1;
        } else if o.level == Some(Level::National) {
            *national.entry(&region[..2]).or_default() += 1;
        }
    }
    for (code, props) in &provinces {
        let prefix = &code[..2];
        assert_eq!(
            props["firms"],
            firms.get(prefix).copied().unwrap_or(0),
            "{code}"
        );
        assert_eq!(
            props["providers"]["national"],
            national.get(prefix).copied().unwrap_or(0),
            "{code}"
        );
    }
    assert!(provinces["320000"]["firms"].as_u64().unwrap() > 0);
    let providers: u64 = provinces
        .values()
        .flat_map(|p| ["national", "provincial", "municipal"].map(|k| &p["providers"][k]))
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(providers > 0, "the demo's providers are counted");

    // One chain: its own report, its own firms.
    let analysis = snap.chain_analysis(PB).unwrap();
    let chain = check(
        &document(&snap, Some(PB), RegionLevel::City, Some("32")),
        "city",
    );
    check_figures(&chain, &analysis.qi.figures, RegionLevel::City, "32");
    let members = dataset
        .organizations
        .values()
        .filter(|o| !o.foreign && o.membership(PB).is_some())
        .filter(|o| o.region.as_deref().is_some_and(|r| r.starts_with("3205")))
        .count() as u64;
    assert!(members > 0);
    assert_eq!(chain["320500"]["firms"], members);

    // The same data gives the same bytes.
    let text = |p| {
        qmap::service::chains::regions_geojson(
            &snap,
            &Principal::Anonymous,
            None,
            RegionLevel::Province,
            p,
        )
        .unwrap()
    };
    assert_eq!(text(None), text(None));
}

#[test]
fn a_province_that_is_not_one_is_refused() {
    let snap = Snapshot::of(Dataset::new(), 0);
    for bad in ["99", "3", "320", "3x", "", "32 "] {
        let err = qmap::service::chains::regions_geojson(
            &snap,
            &Principal::Anonymous,
            None,
            RegionLevel::City,
            Some(bad),
        )
        .unwrap_err();
        assert!(
            matches!(err, qmap::service::Error::BadRequest(_)),
            "{bad:?}: {err:?}"
        );
    }
    // An empty dataset: every region, all zero.
    let doc = document(&snap, None, RegionLevel::Province, None);
    let provinces = check(&doc, "province");
    assert!(provinces.values().all(|p| figures(p) == (0, 0, 0, 0, 0)));
}

/// `GET uri` over `store` as a token of `role` (for an enterprise, `org`).
async fn get(
    store: &Store,
    role: AccessRole,
    org: Option<&str>,
    uri: &str,
) -> (StatusCode, String, String) {
    let issued = qmap::access::issue(role, org, &[], Some(30), qmap::access::now(), store).unwrap();
    store.put_token(&issued.token).unwrap();
    let state = qmap::api::AppState::new(store.clone(), qmap::api::ApiConfig::default()).unwrap();
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", issued.secret))
        .body(Body::empty())
        .unwrap();
    let res = qmap::api::router(state).oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn roles_apply_as_to_the_json_coverage_routes_and_the_cli_writes_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let store = Store::open(&data).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());

    // A planner reads the dataset's and a chain's coverage by region; a firm neither.
    let uri = "/api/v1/coverage/regions.geojson?level=city&province=32";
    let (status, content_type, planner) = get(&store, AccessRole::Planner, None, uri).await;
    assert_eq!(status, StatusCode::OK, "{planner}");
    assert_eq!(content_type, "application/geo+json");
    assert_eq!(
        check(&serde_json::from_str(&planner).unwrap(), "city").len(),
        13
    );
    let (_, _, admin) = get(&store, AccessRole::Admin, None, uri).await;
    assert_eq!(
        planner, admin,
        "the figures carry nothing a planner may not see"
    );
    let chain_uri = format!("/api/v1/coverage/regions.geojson?chain={PB}");
    let (status, _, body) = get(&store, AccessRole::Planner, None, &chain_uri).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for uri in [uri, chain_uri.as_str()] {
        let (status, _, body) = get(&store, AccessRole::Enterprise, Some("pb-ly-cell"), uri).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
        assert!(!body.contains("FeatureCollection"));
    }
    // Bad parameters: 400 with the API's code; an unknown chain 404 (to a planner, who may
    // read any chain's aggregates); a firm asking for one is refused alike.
    for bad in [
        "/api/v1/coverage/regions.geojson?level=county",
        "/api/v1/coverage/regions.geojson?level=city&province=99",
        "/api/v1/coverage/regions.geojson?province=%EF%BC%93%EF%BC%92",
    ] {
        let (status, content_type, body) = get(&store, AccessRole::Planner, None, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(content_type, "application/json");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["code"], "bad_request", "{bad}");
    }
    let unknown = "/api/v1/coverage/regions.geojson?chain=no-such-chain";
    let (status, _, body) = get(&store, AccessRole::Planner, None, unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("not_found"));
    let (status, _, _) = get(&store, AccessRole::Enterprise, Some("pb-ly-cell"), unknown).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    drop(store);

    // The command line writes the document the API serves.
    let qmap = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qmap"))
            .args(args)
            .env_remove("QMAP_DATA")
            .output()
            .unwrap()
    };
    let data_arg = data.to_str().unwrap();
    let file = dir.path().join("js.geojson");
    let out = qmap(&[
        "export",
        "--format",
        "geojson",
        "--level",
        "city",
        "--province",
        "32",
        "--data",
        data_arg,
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), admin);
    // --level goes with geojson only; an unknown chain or province is a clear error.
    let out = qmap(&["export", "--level", "city", "--data", data_arg]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format geojson"));
    assert!(out.stdout.is_empty());
    let out = qmap(&[
        "export", "--format", "geojson", "--chain", "no-such", "--data", data_arg,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such"));
    let out = qmap(&[
        "export",
        "--format",
        "geojson",
        "--province",
        "99",
        "--data",
        data_arg,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("province"));
    // One chain, provinces by default.
    let out = qmap(&[
        "export", "--format", "geojson", "--chain", PB, "--data", data_arg,
    ]);
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&doc, "province").len(), 34);
}
