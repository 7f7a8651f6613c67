//! The OpenAPI document, its coverage by these tests, `/healthz` and the Swagger UI.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
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

// ---- The document against what the server answers ----------------------------------------------

/// Keywords of a schema that `check` reads or that do not constrain a value.
const KEYWORDS: [&str; 21] = [
    "$ref",
    "maxLength",
    "minLength",
    "pattern",
    "title",
    "type",
    "enum",
    "minimum",
    "maximum",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "prefixItems",
    "allOf",
    "anyOf",
    "oneOf",
    "description",
    "format",
    "default",
];

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown schema type {other:?}"),
    }
}

/// What `value` breaks of `schema` (a schema of `doc`), one line each, at JSON Pointer `at`.
/// A small JSON Schema 2020-12 checker for the keywords the document uses; an unknown keyword
/// fails the test rather than pass anything unchecked.
fn violations(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, "", &mut out);
    out
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let Some(keywords) = schema.as_object() else {
        panic!("a schema is an object: {schema}")
    };
    for key in keywords.keys() {
        assert!(
            KEYWORDS.contains(&key.as_str()),
            "unchecked keyword {key:?}"
        );
    }
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("not a component: {target}"));
        let component = &doc["components"]["schemas"][name];
        assert!(component.is_object(), "{target} is not in the document");
        check(doc, component, value, at, out);
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
            other => panic!("type is {other}"),
        };
        if !types.iter().any(|t| has_type(value, t)) {
            out.push(format!("{at}: {value} is not of type {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(min), Some(v)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if v < min {
            out.push(format!("{at}: {v} is below the minimum {min}"));
        }
    }
    if let (Some(max), Some(v)) = (
        schema.get("maximum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if v > max {
            out.push(format!("{at}: {v} is above the maximum {max}"));
        }
    }
    if let Some(text) = value.as_str() {
        // Lengths count characters (code points), as JSON Schema does.
        let chars = text.chars().count() as u64;
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if chars > max {
                out.push(format!("{at}: {chars} characters, more than {max}"));
            }
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if chars < min {
                out.push(format!("{at}: {chars} characters, fewer than {min}"));
            }
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            let re = regex::Regex::new(pattern)
                .unwrap_or_else(|e| panic!("pattern {pattern:?} does not compile: {e}"));
            if !re.is_match(text) {
                out.push(format!("{at}: {text:?} does not match {pattern:?}"));
            }
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(name.as_str().unwrap()) {
                out.push(format!("{at}: the required {name} is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, v) in object {
            let here = format!("{at}/{name}");
            if let Some(names) = schema.get("propertyNames") {
                check(doc, names, &Value::String(name.clone()), &here, out);
            }
            match (
                properties.and_then(|p| p.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(property), _) => check(doc, property, v, &here, out),
                (None, Some(Value::Bool(false))) => {
                    out.push(format!("{at}: {name:?} is not a documented property"))
                }
                (None, Some(more @ Value::Object(_))) => check(doc, more, v, &here, out),
                (None, _) => {}
            }
        }
    }
    if let Some(items) = value.as_array() {
        let prefix = schema["prefixItems"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for (i, item) in items.iter().enumerate() {
            let here = format!("{at}/{i}");
            match (prefix.get(i), schema.get("items")) {
                (Some(first), _) => check(doc, first, item, &here, out),
                (None, Some(rest)) => check(doc, rest, item, &here, out),
                (None, None) => {}
            }
        }
    }
    for all in schema["allOf"].as_array().into_iter().flatten() {
        check(doc, all, value, at, out);
    }
    let matching = |list: &Value| {
        list.as_array().map(|alternatives| {
            alternatives
                .iter()
                .filter(|s| violations_at(doc, s, value, at).is_empty())
                .count()
        })
    };
    if let Some(n) = matching(&schema["anyOf"]) {
        if n == 0 {
            out.push(format!("{at}: {value} matches no anyOf alternative"));
        }
    }
    if let Some(n) = matching(&schema["oneOf"]) {
        if n != 1 {
            out.push(format!(
                "{at}: {value} matches {n} oneOf alternatives, not one"
            ));
        }
    }
}

fn violations_at(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, at, &mut out);
    out
}

/// The documented operation `method` `template`.
fn operation<'a>(doc: &'a Value, method: &str, template: &str) -> &'a Value {
    let op = &doc["paths"][template][method];
    assert!(op.is_object(), "{method} {template} is not documented");
    op
}

/// Asserts that the document names the status of `response` for the operation, and that its
/// JSON body matches the schema documented for that status.
#[track_caller]
pub(crate) fn assert_documented(
    doc: &Value,
    method: &str,
    template: &str,
    response: &TestResponse,
) {
    let status = response.status.as_str();
    let documented = &operation(doc, method, template)["responses"][status];
    assert!(
        documented.is_object(),
        "{method} {template} answered {status}, which it does not document: {}",
        String::from_utf8_lossy(&response.body)
    );
    if let Some(schema) = documented["content"]
        .get("application/json")
        .map(|c| &c["schema"])
    {
        let broken = violations(doc, schema, &response.json());
        assert!(
            broken.is_empty(),
            "{method} {template} {status} breaks its documented schema: {broken:#?}"
        );
    }
}

/// The JSON schema of an operation's request body.
fn request_schema<'a>(doc: &'a Value, method: &str, template: &str) -> &'a Value {
    &operation(doc, method, template)["requestBody"]["content"]["application/json"]["schema"]
}

#[test]
fn the_schema_checker_finds_what_a_value_breaks() {
    let doc = json!({"components": {"schemas": {
        "Closed": {"type": "object", "required": ["a"], "additionalProperties": false,
                   "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 5}}},
        "Either": {"oneOf": [{"type": "string", "enum": ["x"]},
                             {"type": "object", "required": ["y"], "additionalProperties": false,
                              "properties": {"y": {"type": ["string", "null"]}}}]}
    }}});
    let closed = json!({"$ref": "#/components/schemas/Closed"});
    let either = json!({"type": "array", "items": {"$ref": "#/components/schemas/Either"}});
    assert!(violations(&doc, &closed, &json!({"a": 3})).is_empty());
    assert_eq!(violations(&doc, &closed, &json!({"a": 0})).len(), 1);
    assert_eq!(violations(&doc, &closed, &json!({"a": 6, "b": 1})).len(), 2);
    assert_eq!(violations(&doc, &closed, &json!({})).len(), 1);
    assert_eq!(violations(&doc, &closed, &json!({"a": "3"})).len(), 1);
    assert!(violations(&doc, &either, &json!(["x", {"y": null}, {"y": "z"}])).is_empty());
    assert_eq!(violations(&doc, &either, &json!(["w"])).len(), 1);
    assert_eq!(
        violations(&doc, &either, &json!([{"y": "z", "w": 1}])).len(),
        1
    );
    // allOf: each part on its own, so a closed part refuses what another part adds.
    let all_of = json!({"allOf": [{"$ref": "#/components/schemas/Closed"},
                                  {"type": "object", "properties": {"b": {"type": "integer"}}}]});
    assert!(violations(&doc, &all_of, &json!({"a": 1})).is_empty());
    assert_eq!(violations(&doc, &all_of, &json!({"a": 1, "b": 2})).len(), 1);
}

#[tokio::test]
async fn every_operation_that_needs_a_token_documents_its_refusals() {
    let app = spawn_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let global = &doc["security"];
    assert_eq!(global, &json!([{"token": []}]));
    let mut secured = 0;
    for (method, template) in documented_operations(&doc) {
        let op = operation(&doc, &method, &template);
        let security = op.get("security").unwrap_or(global);
        let open = security
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_object().unwrap().is_empty());
        let responses = op["responses"].as_object().unwrap();
        if open {
            assert_eq!(template, "/healthz", "only /healthz is open");
            assert!(!responses.contains_key("401"));
            continue;
        }
        secured += 1;
        for status in ["401", "403", "429"] {
            let refusal = &responses
                .get(status)
                .unwrap_or_else(|| panic!("{method} {template} does not document {status}"));
            assert_eq!(
                refusal["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {template} {status}"
            );
            assert!(!refusal["description"].as_str().unwrap().is_empty());
        }
    }
    assert!(secured >= 30, "{secured} operations need a token");
}

#[tokio::test]
async fn reads_of_the_demo_match_their_documented_schemas() {
    let app = spawn_demo_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let reads = [
        ("/healthz", app.get("/healthz").await),
        ("/api/v1/me", app.get("/api/v1/me").await),
        ("/api/v1/chains", app.get("/api/v1/chains").await),
        (
            "/api/v1/chains/{id}",
            app.get("/api/v1/chains/pb-power-battery").await,
        ),
        (
            "/api/v1/chains/{id}/map",
            app.get("/api/v1/chains/pb-power-battery/map?limit=40")
                .await,
        ),
        (
            "/api/v1/chains/{id}/problems",
            app.get("/api/v1/chains/pb-power-battery/problems?per_page=1000")
                .await,
        ),
        (
            "/api/v1/chains/{id}/projects",
            app.get("/api/v1/chains/h2-hydrogen/projects").await,
        ),
        (
            "/api/v1/chains/{id}/gaps",
            app.get("/api/v1/chains/oe-optical-fiber/gaps").await,
        ),
        (
            "/api/v1/chains/{id}/weak-links",
            app.get("/api/v1/chains/pb-power-battery/weak-links").await,
        ),
        (
            "/api/v1/chains/{id}/coverage",
            app.get("/api/v1/chains/pb-power-battery/coverage").await,
        ),
        (
            "/api/v1/chains/{id}/assignment",
            app.get("/api/v1/chains/pb-power-battery/assignment").await,
        ),
        ("/api/v1/comparison", app.get("/api/v1/comparison").await),
        ("/api/v1/coverage", app.get("/api/v1/coverage").await),
        (
            "/api/v1/organizations/{id}",
            app.get("/api/v1/organizations/pb-ly-cell").await,
        ),
        (
            "/api/v1/problems/{id}",
            app.get("/api/v1/problems/pb-p001").await,
        ),
        ("/api/v1/export", app.get("/api/v1/export").await),
        (
            "/api/v1/chains/{id}",
            app.get("/api/v1/chains/no-such-chain").await,
        ),
        (
            "/api/v1/chains/{id}/map/groups/{group}",
            app.get("/api/v1/chains/pb-power-battery/map/groups/raw~low?limit=5")
                .await,
        ),
    ];
    for (template, response) in &reads {
        assert!(
            response.status.is_success() || template == &"/api/v1/chains/{id}",
            "{template}: {}",
            response.status
        );
        assert_documented(&doc, "get", template, response);
    }
    // The problem list is checked row by row above; it must have rows to check.
    let problems = reads[5].1.json();
    assert!(problems["problems"].as_array().unwrap().len() > 10);
    assert!(problems["problems"][0]["firm_name"].is_string());
}

#[tokio::test]
async fn the_problem_list_parameters_are_documented_as_the_server_reads_them() {
    let app = spawn_demo_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let op = operation(&doc, "get", "/api/v1/chains/{id}/problems");
    let param = |name: &str| {
        op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no parameter {name}"))["schema"]
            .clone()
    };
    assert_eq!(param("page")["minimum"], 1);
    assert!(param("page").get("maximum").is_none());
    assert_eq!(param("per_page")["minimum"], 1);
    assert_eq!(param("per_page")["maximum"], 1000);
    assert_eq!(param("severity")["minimum"], 1);
    assert_eq!(param("severity")["maximum"], 5);
    // The server refuses exactly what the document leaves out, with a documented 400.
    for refused in [
        app.get("/api/v1/chains/pb-power-battery/problems?page=0")
            .await,
        app.get("/api/v1/chains/pb-power-battery/problems?per_page=0")
            .await,
        app.get("/api/v1/chains/pb-power-battery/problems?per_page=1001")
            .await,
        app.get("/api/v1/chains/pb-power-battery/problems?severity=0")
            .await,
        app.get("/api/v1/chains/pb-power-battery/problems?severity=6")
            .await,
    ] {
        refused.error(StatusCode::BAD_REQUEST, "bad_request");
        assert_documented(&doc, "get", "/api/v1/chains/{id}/problems", &refused);
    }
    let edges = app
        .get("/api/v1/chains/pb-power-battery/problems?page=1&per_page=1000&severity=5")
        .await;
    let page = edges.ok(StatusCode::OK);
    assert!(page["total"].as_u64().unwrap() > 0);
    assert!(page["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["severity"] == 5));
    let lowest = app
        .get("/api/v1/chains/pb-power-battery/problems?severity=1")
        .await
        .ok(StatusCode::OK);
    let all = app
        .get("/api/v1/chains/pb-power-battery/problems")
        .await
        .ok(StatusCode::OK);
    assert_eq!(lowest["total"], all["total"]);
}

#[tokio::test]
async fn a_scenario_failure_takes_no_other_key_in_the_document_or_the_server() {
    let app = spawn_demo_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let schema = request_schema(&doc, "post", "/api/v1/scenarios");
    let good =
        json!({"failures": [{"firms": ["pb-ly-cell"]}, "all_foreign", {"region_prefix": "32"}]});
    assert!(violations(&doc, schema, &good).is_empty());
    let answer = app.post("/api/v1/scenarios", &good).await;
    answer.ok(StatusCode::OK);
    assert_documented(&doc, "post", "/api/v1/scenarios", &answer);
    for bad in [
        json!({"failures": [{"firms": ["pb-ly-cell"], "region_prefix": "32"}]}),
        json!({"failures": [{"region_prefix": "32", "note": "x"}]}),
    ] {
        assert!(
            !violations(&doc, schema, &bad).is_empty(),
            "the document admits {bad}"
        );
        for (template, answer) in [
            (
                "/api/v1/scenarios",
                app.post("/api/v1/scenarios", &bad).await,
            ),
            (
                "/api/v1/chains/{id}/scenarios",
                app.post("/api/v1/chains/pb-power-battery/scenarios", &bad)
                    .await,
            ),
        ] {
            answer.error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
            assert_documented(&doc, "post", template, &answer);
        }
    }
}

#[tokio::test]
async fn a_what_if_for_one_chain_matches_its_documented_schema() {
    let app = spawn_demo_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let schema = request_schema(&doc, "post", "/api/v1/what-if");
    for good in [
        json!({"chain": "pb-power-battery", "remove": []}),
        json!({"chain": null}),
        json!({}),
    ] {
        assert!(
            violations(&doc, schema, &good).is_empty(),
            "{good}: {:?}",
            violations(&doc, schema, &good)
        );
        let answer = app.post("/api/v1/what-if", &good).await;
        answer.ok(StatusCode::OK);
        assert_documented(&doc, "post", "/api/v1/what-if", &answer);
    }
    let provider = |level: &str| {
        json!({"id": "new-lab", "name": "新建实验室", "level": level, "region": "320500",
               "code": "testing:GB/T-31485", "capacity": 10})
    };
    // What the server refuses in a hypothetical provider, the document refuses too.
    let with = |field: &str, value: Value| {
        let mut p = provider("municipal");
        p[field] = value;
        json!({"chain": "pb-power-battery", "add": [p]})
    };
    let good = json!({"chain": "pb-power-battery", "add": [provider("municipal")]});
    assert!(violations(&doc, schema, &good).is_empty());
    let answer = app.post("/api/v1/what-if", &good).await;
    answer.ok(StatusCode::OK);
    assert_documented(&doc, "post", "/api/v1/what-if", &answer);
    for bad in [
        json!({"chain": "pb-power-battery", "bogus": 1}),
        json!({"add": [provider("")]}),
        json!({"add": [provider("county")]}),
        with("region", json!("3205")),
        with("region", json!("32050a")),
        with("code", json!("GB/T 31485")),
        with("code", json!("chemistry:x")),
        with("code", json!(format!("rd:{}", "x".repeat(126)))),
        with("capacity", json!(0)),
        with("id", json!("")),
        with("id", json!("new\u{0}lab")),
        with("id", json!("x".repeat(129))),
        with("name", json!("名".repeat(501))),
    ] {
        assert!(
            !violations(&doc, schema, &bad).is_empty(),
            "the document admits {bad}"
        );
        let answer = app.post("/api/v1/what-if", &bad).await;
        answer.error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_documented(&doc, "post", "/api/v1/what-if", &answer);
    }
}

#[tokio::test]
async fn a_status_change_of_the_wrong_shape_is_a_documented_422() {
    let app = spawn_demo_app();
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let template = "/api/v1/problems/{id}/status";
    for bad in [json!({"status": "closed"}), json!({"state": "resolved"})] {
        assert!(!violations(&doc, request_schema(&doc, "post", template), &bad).is_empty());
        let answer = app.post("/api/v1/problems/pb-p001/status", &bad).await;
        answer.error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_documented(&doc, "post", template, &answer);
    }
    let answer = app
        .post(
            "/api/v1/problems/pb-p001/status",
            &json!({"status": "resolved"}),
        )
        .await;
    answer.ok(StatusCode::OK);
    assert_documented(&doc, "post", template, &answer);
}

/// Every `$ref` anywhere in `value`, with where it stands.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push((at.to_string(), target.clone())),
                    _ => refs(v, &format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A parameter or body whose schema names a component the document does not hold cannot be
/// read by any client (schemathesis stops at it): every reference must resolve.
#[test]
fn every_schema_reference_of_the_document_resolves() {
    let doc = serde_json::to_value(qmap::api::openapi()).unwrap();
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 100, "references found: {}", found.len());
    let dangling: Vec<&(String, String)> = found
        .iter()
        .filter(|(_, target)| {
            let Some(name) = target.strip_prefix("#/components/schemas/") else {
                return true;
            };
            doc["components"]["schemas"].get(name).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "unresolved: {dangling:?}");
}

/// The chain list while its rows are being computed (pending rows) and once they are (full
/// rows) matches its documented schema: each row exactly one of the two shapes.
#[tokio::test]
async fn pending_and_full_chain_rows_match_their_documented_schema() {
    let app = spawn_demo_app();
    app.state
        .service()
        .set_row_wait(qmap::service::chains::RowWait::AtMost(
            std::time::Duration::ZERO,
        ));
    let doc = app.get("/api/openapi.json").await.ok(StatusCode::OK);
    let pending = app.get("/api/v1/chains").await;
    assert_eq!(pending.json()[0]["pending"], true);
    assert_documented(&doc, "get", "/api/v1/chains", &pending);
    app.state.snapshot().chain_rows().unwrap();
    let full = app.get("/api/v1/chains").await;
    assert!(full.json()[0].get("pending").is_none());
    assert!(full.json()[0]["coverage"].is_object());
    assert_documented(&doc, "get", "/api/v1/chains", &full);
}
