//! `GET /api/v1/metrics`: the Prometheus text format, request counts by route template, cache
//! hits and misses, writes, the snapshot and the store; admins only.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt;

/// A parsed exposition: the type of every family, and every sample by its series text
/// (`name{labels}` as written).
struct Exposition {
    types: BTreeMap<String, String>,
    samples: BTreeMap<String, f64>,
}

impl Exposition {
    /// Parses `text` line by line, failing on any line that is not a HELP or TYPE line or a
    /// sample of a family declared before it.
    fn parse(text: &str) -> Exposition {
        let mut types = BTreeMap::new();
        let mut helped = BTreeSet::new();
        let mut samples = BTreeMap::new();
        assert!(text.ends_with('\n'), "the text must end with a newline");
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect(line);
                assert!(valid_name(name) && !help.is_empty(), "{line}");
                assert!(helped.insert(name.to_string()), "HELP twice: {line}");
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect(line);
                assert!(valid_name(name), "{line}");
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                assert!(
                    types.insert(name.to_string(), kind.to_string()).is_none(),
                    "TYPE twice: {line}"
                );
            } else {
                let (series, value) = line.rsplit_once(' ').expect(line);
                let value: f64 = match value {
                    "+Inf" => f64::INFINITY,
                    v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
                };
                let name = match series.split_once('{') {
                    Some((name, labels)) => {
                        let labels = labels.strip_suffix('}').expect(line);
                        check_labels(labels, line);
                        name
                    }
                    None => series,
                };
                assert!(valid_name(name), "{line}");
                let family = ["_bucket", "_sum", "_count"]
                    .iter()
                    .filter_map(|s| name.strip_suffix(s))
                    .find(|f| types.get(*f).is_some_and(|k| k == "histogram"))
                    .unwrap_or(name);
                assert!(types.contains_key(family), "sample before its TYPE: {line}");
                assert!(
                    samples.insert(series.to_string(), value).is_none(),
                    "series twice: {line}"
                );
            }
        }
        for name in types.keys() {
            assert!(helped.contains(name), "no HELP for {name}");
        }
        Exposition { types, samples }
    }

    #[track_caller]
    fn value(&self, series: &str) -> f64 {
        *self
            .samples
            .get(series)
            .unwrap_or_else(|| panic!("no series {series} in {:#?}", self.samples.keys()))
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `a="x",b="y"`: names valid, values quoted with only `\\`, `\"` and `\n` escaped.
fn check_labels(labels: &str, line: &str) {
    let mut rest = labels;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").expect(line);
        assert!(valid_name(name), "{line}");
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().expect(line) {
                (_, '\\') => {
                    let (_, c) = chars.next().expect(line);
                    assert!(matches!(c, '\\' | '"' | 'n'), "{line}");
                }
                (i, '"') => break i,
                _ => {}
            }
        };
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

const MAP: &str = "/api/v1/chains/{id}/map";

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_cache_misses_then_hits() {
    let app = spawn_app();
    app.import_fixtures(&DEMO).await;
    let map = format!("/api/v1/chains/{BATTERY}/map");
    app.get(&map).await.ok(StatusCode::OK);
    app.get(&map).await.ok(StatusCode::OK);
    app.get("/api/v1/chains/nowhere/map")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/no/such/route")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");

    let res = app.get("/api/v1/metrics").await;
    assert_eq!(res.status, StatusCode::OK);
    let content_type = res.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = res.text();
    let m = Exposition::parse(&text);

    for (family, kind) in [
        ("qmap_http_requests_total", "counter"),
        ("qmap_http_request_duration_seconds", "histogram"),
        ("qmap_analysis_cache_hits_total", "counter"),
        ("qmap_analysis_cache_misses_total", "counter"),
        ("qmap_write_duration_seconds", "histogram"),
        ("qmap_snapshot_revision", "gauge"),
        ("qmap_snapshot_age_seconds", "gauge"),
        ("qmap_store_size_bytes", "gauge"),
    ] {
        assert_eq!(
            m.types.get(family).map(String::as_str),
            Some(kind),
            "{family}"
        );
    }

    // By route template, never by raw path: no chain id appears in any label.
    let requests = |route: &str, method: &str, status: u16| {
        m.value(&format!(
            "qmap_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
        ))
    };
    assert_eq!(requests(MAP, "GET", 200), 2.0);
    assert_eq!(requests(MAP, "GET", 404), 1.0);
    assert_eq!(requests("unmatched", "GET", 404), 1.0);
    assert_eq!(requests("/api/v1/import", "POST", 200), DEMO.len() as f64);
    assert!(
        !text.contains(BATTERY) && !text.contains("nowhere"),
        "{text}"
    );
    // The request for the metrics is counted once it is answered, so not in its own answer.
    assert!(!text.contains("route=\"/api/v1/metrics\""), "{text}");

    let latency = |suffix: &str, le: Option<&str>| {
        let le = le.map_or(String::new(), |le| format!(",le=\"{le}\""));
        m.value(&format!(
            "qmap_http_request_duration_seconds{suffix}{{route=\"{MAP}\",method=\"GET\"{le}}}"
        ))
    };
    assert_eq!(latency("_count", None), 3.0);
    assert_eq!(latency("_bucket", Some("+Inf")), 3.0);
    assert!(latency("_bucket", Some("0.005")) <= latency("_bucket", Some("30")));
    assert!(latency("_sum", None) > 0.0);

    // The first map was computed, the second came from the cache.
    let cache = |what: &str, cache: &str| {
        m.value(&format!(
            "qmap_analysis_cache_{what}_total{{cache=\"{cache}\"}}"
        ))
    };
    assert_eq!(cache("misses", "default_map"), 1.0);
    assert_eq!(cache("hits", "default_map"), 1.0);
    assert_eq!(cache("misses", "chain_analysis"), 1.0);
    assert_eq!(cache("misses", "chain_graph"), 1.0);

    assert_eq!(
        m.value("qmap_write_duration_seconds_count"),
        DEMO.len() as f64
    );
    assert_eq!(
        m.value("qmap_write_duration_seconds_bucket{le=\"+Inf\"}"),
        DEMO.len() as f64
    );
    assert_eq!(
        m.value("qmap_snapshot_revision"),
        app.state.store().revision() as f64
    );
    assert!(m.value("qmap_snapshot_age_seconds") >= 0.0);
    assert!(m.value("qmap_store_size_bytes") > 0.0);

    // Asked again, the first request for the metrics is counted, and a write renews the
    // snapshot's revision.
    let before = app.state.store().revision();
    app.delete("/api/v1/problems/pb-p001")
        .await
        .ok(StatusCode::NO_CONTENT);
    let again = Exposition::parse(&app.get("/api/v1/metrics").await.text());
    assert_eq!(
        again.value(
            "qmap_http_requests_total{route=\"/api/v1/metrics\",method=\"GET\",status=\"200\"}"
        ),
        1.0
    );
    assert_eq!(again.value("qmap_snapshot_revision"), (before + 1) as f64);
    assert_eq!(
        again.value("qmap_write_duration_seconds_count"),
        (DEMO.len() + 1) as f64
    );
}

#[tokio::test]
async fn metrics_are_for_admins_only() {
    let app = spawn_demo_app();
    let made = app
        .post("/api/v1/tokens", &json!({"role": "regulator"}))
        .await
        .ok(StatusCode::CREATED);
    let secret = made["secret"].as_str().unwrap();
    let router = qmap::api::router(app.state.clone());
    let ask = |auth: Option<String>| {
        let mut req = Request::builder().uri("/api/v1/metrics");
        if let Some(auth) = auth {
            req = req.header(header::AUTHORIZATION, auth);
        }
        router.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    let regulator = ask(Some(format!("Bearer {secret}"))).await.unwrap();
    assert_eq!(regulator.status(), StatusCode::FORBIDDEN);
    let nobody = ask(None).await.unwrap();
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    // The refusals are counted like any answer.
    let admin = app.get("/api/v1/metrics").await;
    assert_eq!(admin.status, StatusCode::OK);
    let m = Exposition::parse(&admin.text());
    assert_eq!(
        m.value(
            "qmap_http_requests_total{route=\"/api/v1/tokens\",method=\"POST\",status=\"201\"}"
        ),
        1.0
    );
}

#[tokio::test]
async fn a_body_refused_for_its_announced_length_is_counted_too() {
    let app = spawn_app_with(
        qmap::api::ApiConfig {
            body_limit: 1024,
            ..Default::default()
        },
        false,
    );
    let refused = app
        .send_with(
            axum::http::Method::POST,
            "/api/v1/import",
            &[(header::CONTENT_LENGTH.as_str(), "4096")],
            Some(vec![b' '; 4096].into()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    let m = Exposition::parse(&app.get("/api/v1/metrics").await.text());
    assert_eq!(
        m.value(
            "qmap_http_requests_total{route=\"/api/v1/import\",method=\"POST\",status=\"413\"}"
        ),
        1.0
    );
}

#[test]
fn the_parser_refuses_what_is_not_the_text_format() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\"} 1\n";
    assert_eq!(Exposition::parse(good).value("a_total{x=\"q\\\"\"}"), 1.0);
    for bad in [
        "a_total 1\n",
        "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q} 1\n",
        "# HELP a_total A.\n# TYPE a_total counter\na_total one\n",
        "# TYPE a_total counter\na_total 1\n",
    ] {
        let refused = std::panic::catch_unwind(|| Exposition::parse(bad));
        assert!(refused.is_err(), "{bad:?} was accepted");
    }
}
