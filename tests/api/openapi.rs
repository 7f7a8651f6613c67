//! The OpenAPI document, its coverage by these tests, `/healthz` and the Swagger UI.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

/// The helper methods whose URI argument names an operation (see `helpers`).
const CALLS: [(&str, &str); 6] = [
    ("get", "get"),
    ("delete", "delete"),
    ("post", "post"),
    ("post_bytes", "post"),
    ("put", "put"),
    ("put_bytes", "put"),
];

/// Every (method, URI path) that a test of this binary calls with a literal URI.
fn calls_in_test_sources() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api");
    let mut calls = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (name, method) in CALLS {
            let needle = format!(".{name}(");
            for (at, _) in source.match_indices(&needle) {
                let rest = source[at + needle.len()..].trim_start();
                let rest = rest.strip_prefix("&format!(").unwrap_or(rest);
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = rest.find('"') else { continue };
                let uri = &rest[..end];
                if uri.starts_with('/') {
                    let path = uri.split('?').next().unwrap();
                    calls.insert((method.to_string(), path.to_string()));
                }
            }
        }
    }
    calls
}

/// Whether a called path (whose `{…}` segments are format arguments) matches a documented
/// template (whose `{…}` segments are parameters).
fn matches(template: &str, called: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let c: Vec<&str> = called.split('/').collect();
    t.len() == c.len()
        && t.iter()
            .zip(&c)
            .all(|(t, c)| (t.starts_with('{') && !c.is_empty()) || c.starts_with('{') || t == c)
}

/// Every (method, path template) of the document.
fn documented_operations(doc: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                ops.push((method.to_string(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn the_served_openapi_document_is_the_generated_one() {
    let app = spawn_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    assert_eq!(doc, to_value(&qmap::api::openapi()));
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(documented_operations(&doc).len() >= 25);
}

#[tokio::test]
async fn every_documented_operation_is_exercised_by_a_test() {
    let app = spawn_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let calls = calls_in_test_sources();
    // The scanner itself must see the calls of this very file.
    assert!(calls.contains(&("get".into(), "/api/openapi.json".into())));
    let untested: Vec<String> = documented_operations(&doc)
        .into_iter()
        .filter(|(method, template)| {
            !calls
                .iter()
                .any(|(m, called)| m == method && matches(template, called))
        })
        .map(|(m, t)| format!("{} {t}", m.to_uppercase()))
        .collect();
    assert!(
        untested.is_empty(),
        "documented operations no test calls: {untested:?}"
    );
}

#[test]
fn a_called_path_matches_only_templates_of_its_shape() {
    assert!(matches("/api/v1/chains/{id}/map", "/api/v1/chains/pb/map"));
    assert!(matches(
        "/api/v1/chains/{id}/map",
        "/api/v1/chains/{chain}/map"
    ));
    assert!(!matches(
        "/api/v1/chains/{id}/map",
        "/api/v1/chains/pb/gaps"
    ));
    assert!(!matches("/api/v1/chains/{id}", "/api/v1/chains/pb/map"));
    assert!(!matches("/api/v1/chains/{id}", "/api/v1/chains/"));
}

#[tokio::test]
async fn healthz_reports_ok_and_the_store_revision() {
    let app = spawn_demo_app();
    let health = app.get("/healthz").await.ok(StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["revision"], app.state.store().revision());
    assert!(health["revision"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app();
    let first = app.get("/healthz").await;
    let second = app.get("/api/v1/nope").await;
    let id = |r: &TestResponse| {
        r.headers
            .get("x-request-id")
            .expect("x-request-id")
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(id(&first), id(&second));
}

/// `src="…"` and `href="…"` values of an HTML page.
fn sources(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\"", "src='", "href='"] {
        let quote = attr.chars().last().unwrap();
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            out.push(rest[..rest.find(quote).unwrap()].to_string());
        }
    }
    out
}

fn off_host(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

#[tokio::test]
async fn the_swagger_ui_is_served_from_this_host_only() {
    let app = spawn_app();
    let page = app.get("/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    let sources = sources(&html);
    assert!(!sources.is_empty());
    for source in &sources {
        assert!(!off_host(source), "the page loads {source} from elsewhere");
        let asset = format!("/docs/{}", source.trim_start_matches("./"));
        assert_eq!(app.get(&asset).await.status, StatusCode::OK, "{asset}");
    }
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status, StatusCode::OK);
    let init = init.text();
    assert!(init.contains("/api/openapi.json"), "{init}");
    for quote in ['"', '\''] {
        for (at, _) in init.match_indices(quote) {
            let rest = &init[at + 1..];
            assert!(
                !off_host(rest),
                "the initializer points elsewhere: {}",
                &rest[..rest.len().min(60)]
            );
        }
    }
}

#[tokio::test]
async fn me_names_the_role_of_the_token() {
    let app = spawn_demo_app();
    let me = app.get("/api/v1/me").await.ok(StatusCode::OK);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["chains"].as_array().unwrap().len(), 3);
    assert_eq!(me["compares"], true);
}
