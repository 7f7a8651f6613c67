//! Every error status of the API, each in the one error shape `{code, message, details?}`, and
//! never a 5xx for bad input (`TestApp::send` fails any test that sees a 5xx).

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use qmap::api::ApiConfig;
use serde_json::{json, Value};

/// A new enterprise on the battery chain, not yet in the store.
pub fn new_firm(id: &str) -> Value {
    json!({"id": id, "name": "新成员企业", "kind": "enterprise", "region": "320583",
           "chains": [{"chain": BATTERY, "role": "member", "segment": "cell"}]})
}

/// A new open problem of `org` on the battery chain.
pub fn new_problem(id: &str, org: &str) -> Value {
    json!({"id": id, "org": org, "chain": BATTERY, "title": "极片面密度一致性差",
           "category": "measurement", "severity": 3, "status": "open",
           "needs": ["metrology:areal-density"]})
}

/// The (path, code) pairs of an error body's details.
pub fn details(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| {
                    (
                        e["path"].as_str().unwrap().to_string(),
                        e["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn pair(path: &str, code: &str) -> (String, String) {
    (path.to_string(), code.to_string())
}

// ---- 400 ----

#[tokio::test]
async fn malformed_json_is_a_400_with_line_and_column() {
    let app = spawn_demo_app();
    let text = "{\"version\": 1,\n  \"chains\": [\n}";
    let body = app
        .post_bytes("/api/v1/import", text)
        .await
        .error(StatusCode::BAD_REQUEST, "malformed_json");
    let first = &body["details"][0];
    assert_eq!(first["code"], "malformed_json");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(1))
    );

    for (uri, text) in [
        ("/api/v1/organizations", "{\"id\": \"x\",\n\"name\": }"),
        ("/api/v1/problems", "{\"id\": \"x\",\n\"name\": }"),
        ("/api/v1/supplies", "[1, 2,\n\n"),
        ("/api/v1/scenarios", "{\"failures\": [\n'all_foreign']}"),
        ("/api/v1/what-if", "{\"add\": [}"),
    ] {
        let res = if uri == "/api/v1/supplies" {
            app.put_bytes("/api/v1/supplies", text).await
        } else {
            app.post_bytes(uri, text).await
        };
        let body = res.error(StatusCode::BAD_REQUEST, "malformed_json");
        let first = &body["details"][0];
        assert!(first["line"].as_u64().unwrap() >= 1, "{uri}: {body}");
        assert!(first["column"].as_u64().unwrap() >= 1, "{uri}: {body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_a_400() {
    let app = spawn_demo_app();
    let res = app
        .post_bytes("/api/v1/import", vec![b'{', 0xff, 0xfe, b'}'])
        .await;
    res.error(StatusCode::BAD_REQUEST, "malformed_json");
}

#[tokio::test]
async fn query_parameters_that_do_not_parse_are_a_400() {
    let app = spawn_demo_app();
    for uri in [
        "/api/v1/chains/pb-power-battery/problems?severity=high",
        "/api/v1/chains/pb-power-battery/problems?category=nonsense",
        "/api/v1/chains/pb-power-battery/problems?status=closed",
        "/api/v1/chains/pb-power-battery/problems?page=-1",
        "/api/v1/chains/pb-power-battery/map?limit=-3",
        "/api/v1/chains/pb-power-battery/map?limit=many",
        "/api/v1/supplies?chain=pb-power-battery&from=pb-yc-lithium",
    ] {
        let body = app
            .get(uri)
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(!body["message"].as_str().unwrap().is_empty(), "{uri}");
    }
    app.post_bytes("/api/v1/import?dry_run=maybe", fixture("linear.json"))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.delete("/api/v1/supplies?chain=pb-power-battery")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn pages_out_of_range_are_a_400() {
    let app = spawn_demo_app();
    for query in ["page=0", "per_page=0", "per_page=1001"] {
        app.get(&format!("/api/v1/chains/pb-power-battery/problems?{query}"))
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_a_400_in_the_error_shape() {
    let app = spawn_demo_app();
    app.get("/api/v1/chains/%FF/map")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    app.get("/api/v1/organizations/%C3%28")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
}

// ---- 404 ----

#[tokio::test]
async fn an_unknown_chain_is_a_404_on_every_chain_route() {
    let app = spawn_demo_app();
    for uri in [
        "/api/v1/chains/nope",
        "/api/v1/chains/nope/map",
        "/api/v1/chains/nope/map?limit=3",
        "/api/v1/chains/nope/problems",
        "/api/v1/chains/nope/projects",
        "/api/v1/chains/nope/gaps",
        "/api/v1/chains/nope/weak-links",
        "/api/v1/chains/nope/coverage",
        "/api/v1/chains/nope/assignment",
        "/api/v1/chains/nope/masters/pb-ly-cell/suppliers",
    ] {
        let body = app.get(uri).await.error(StatusCode::NOT_FOUND, "not_found");
        assert!(
            body["message"].as_str().unwrap().contains("nope"),
            "{uri}: {body}"
        );
    }
    app.post(
        "/api/v1/chains/nope/scenarios",
        &json!({"failures": ["all_foreign"]}),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    app.post("/api/v1/what-if", &json!({"chain": "nope", "add": []}))
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn unknown_records_are_a_404() {
    let app = spawn_demo_app();
    app.get("/api/v1/organizations/nobody")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/organizations/nobody")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/problems/p-none")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/problems/p-none")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.post(
        "/api/v1/problems/p-none/status",
        &json!({"status": "resolved"}),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/supplies?chain=pb-power-battery&from=pb-yc-lithium&to=pb-yc-converter&part=%E9%93%9C")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    let missing = "/api/v1/supplies?chain=pb-power-battery&from=pb-yc-lithium&to=pb-yc-converter&part=%E9%93%9C";
    app.get(missing)
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete(missing)
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/chains/pb-power-battery/masters/nobody/suppliers")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.post(
        "/api/v1/what-if",
        &json!({"chain": BATTERY, "remove": ["pb-ly-cell"]}),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn an_unknown_route_is_a_404_in_the_error_shape() {
    let app = spawn_demo_app();
    for uri in ["/api/v1/nope", "/nope", "/api/v2/chains"] {
        let body = app.get(uri).await.error(StatusCode::NOT_FOUND, "not_found");
        assert!(body["message"].as_str().unwrap().contains(uri), "{body}");
    }
}

#[tokio::test]
async fn a_method_a_route_does_not_have_is_a_405_in_the_error_shape() {
    let app = spawn_demo_app();
    let res = app
        .send(Method::DELETE, "/api/v1/chains/pb-power-battery", None)
        .await;
    res.error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert!(res.headers.get("allow").is_some());
}

// ---- 409 ----

#[tokio::test]
async fn creating_an_existing_id_is_a_409() {
    let app = spawn_demo_app();
    app.post("/api/v1/organizations", &new_firm("pb-ly-cell"))
        .await
        .error(StatusCode::CONFLICT, "already_exists");
    app.post("/api/v1/problems", &new_problem("pb-p001", "pb-ly-cell"))
        .await
        .error(StatusCode::CONFLICT, "already_exists");
}

#[tokio::test]
async fn deleting_an_organization_still_referenced_is_a_409_naming_the_references() {
    let app = spawn_demo_app();
    let body = app
        .delete("/api/v1/organizations/pb-ly-cell")
        .await
        .error(StatusCode::CONFLICT, "still_referenced");
    // The request has no body: the detail is about the record the URL names.
    assert_eq!(details(&body), vec![pair("", "still_referenced")]);
    let message = body["details"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("suppl") && message.contains("problem"),
        "{message}"
    );
    // Still there.
    app.get("/api/v1/organizations/pb-ly-cell")
        .await
        .ok(StatusCode::OK);
}

#[tokio::test]
async fn a_status_change_that_is_not_forward_is_a_409() {
    let app = spawn_demo_app();
    // pb-p007 is resolved; pb-p002 is in progress; pb-p001 is open.
    for (id, to) in [
        ("pb-p007", "open"),
        ("pb-p007", "in_progress"),
        ("pb-p002", "open"),
        ("pb-p001", "open"),
    ] {
        let uri = format!("/api/v1/problems/{id}/status");
        let body = app
            .post(&uri, &json!({"status": to}))
            .await
            .error(StatusCode::CONFLICT, "invalid_transition");
        assert!(body["message"].as_str().unwrap().contains(to), "{body}");
    }
}

// ---- 413 ----

#[tokio::test]
async fn a_body_over_the_configured_limit_is_a_413() {
    let config = ApiConfig {
        body_limit: 2048,
        ..ApiConfig::default()
    };
    let app = spawn_app_with(config, true);
    let big = fixture("power_battery_jiangsu.json");
    assert!(big.len() > 2048);
    let mut padded = new_firm("big");
    padded["name"] = json!("厂".repeat(1000));
    let padded = serde_json::to_vec(&padded).unwrap();
    let before = app.fingerprint().await;
    for res in [
        app.post_bytes("/api/v1/import", big.clone()).await,
        app.post_bytes("/api/v1/import?dry_run=true", big).await,
        app.post_bytes("/api/v1/organizations", padded.clone())
            .await,
        app.put_bytes("/api/v1/organizations/big", padded.clone())
            .await,
        app.post_bytes("/api/v1/scenarios", padded).await,
    ] {
        let body = res.error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        assert!(body["message"].as_str().unwrap().contains("2048"), "{body}");
    }
    app.assert_unchanged(&before).await;
    // Under the limit, the same app accepts a write.
    app.post("/api/v1/organizations", &new_firm("small"))
        .await
        .ok(StatusCode::CREATED);
}

// ---- 422 ----

#[tokio::test]
async fn an_invalid_bundle_is_a_422_with_json_pointers_and_codes() {
    let app = spawn_demo_app();
    let bundle = json!({
        "version": 1,
        "organizations": [
            {"id": "x1", "name": "企业", "kind": "enterprise", "region": "320583", "regoin": "1",
             "chains": [{"chain": BATTERY, "role": "member", "segment": "nowhere"}]}
        ],
        "supplies": [{"chain": BATTERY, "from": "pb-ly-cell", "to": "ghost", "part": "电芯"}],
        "problems": [{"id": "", "org": "pb-ly-cell", "chain": BATTERY, "title": "t",
                      "category": "testing", "severity": 4, "status": "open", "needs": []}]
    });
    let body = app
        .post("/api/v1/import", &bundle)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let found = details(&body);
    assert!(
        found.contains(&pair("/organizations/0/regoin", "unknown_field")),
        "{found:?}"
    );
    // Unknown fields stop the shape check; the references are checked once the shape is right.
    let mut bundle = bundle;
    bundle["organizations"][0]
        .as_object_mut()
        .unwrap()
        .remove("regoin");
    let body = app
        .post("/api/v1/import", &bundle)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let found = details(&body);
    for expected in [
        pair("/organizations/0/chains/0/segment", "unknown_segment"),
        pair("/supplies/0/to", "unknown_organization"),
        pair("/problems/0/id", "empty_id"),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    app.post("/api/v1/import", &json!({"version": 2}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn a_record_of_the_wrong_shape_is_a_422_with_the_field_path() {
    let app = spawn_demo_app();
    let mut problem = new_problem("pb-new", "pb-ly-cell");
    problem["severity"] = json!("high");
    let body = app
        .post("/api/v1/problems", &problem)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        details(&body).contains(&pair("/severity", "wrong_type")),
        "{body}"
    );

    let mut firm = new_firm("x2");
    firm["chains"][0]["chain"] = json!("no-such-chain");
    let body = app
        .post("/api/v1/organizations", &firm)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    // The paths point into the body sent, not into a bundle wrapped around it.
    assert_eq!(
        details(&body),
        vec![pair("/chains/0/chain", "unknown_chain")]
    );
    let body = app
        .put("/api/v1/problems/pb-new", &new_problem("pb-new", "ghost"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/org", "unknown_organization")]);
    let body = app
        .put(
            "/api/v1/supplies",
            &json!({"chain": BATTERY, "from": "pb-zjg-additive", "to": "ghost", "part": "添加剂"}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/to", "unknown_organization")]);

    let body = app
        .post(
            "/api/v1/problems/pb-p001/status",
            &json!({"status": "closed"}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(!details(&body).is_empty());
}

#[tokio::test]
async fn a_body_id_that_differs_from_the_path_id_is_a_422() {
    let app = spawn_demo_app();
    let body = app
        .put("/api/v1/organizations/x3", &new_firm("x4"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "id_mismatch")]);
    let body = app
        .put(
            "/api/v1/problems/pb-p001",
            &new_problem("pb-p002", "pb-ly-cell"),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "id_mismatch")]);
}

#[tokio::test]
async fn the_supplier_view_of_a_firm_that_is_no_chain_master_is_a_422() {
    let app = spawn_demo_app();
    let body = app
        .get("/api/v1/chains/pb-power-battery/masters/pb-zjg-additive/suppliers")
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(body["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("pb-zjg-additive"));
}

#[tokio::test]
async fn a_scenario_naming_an_unknown_firm_is_a_422_pointing_at_it() {
    let app = spawn_demo_app();
    let request = json!({"failures": ["all_foreign", {"firms": ["pb-ly-cell", "ghost"]}]});
    for uri in [
        "/api/v1/scenarios",
        "/api/v1/chains/pb-power-battery/scenarios",
    ] {
        let body = app
            .post(uri, &request)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(
            details(&body),
            vec![pair("/failures/1/firms/1", "unknown_organization")]
        );
    }
    let body = app
        .post(
            "/api/v1/scenarios",
            &json!({"failures": [{"everyone": true}]}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(!details(&body).is_empty());
}

/// Bodies that are wrong in every way, sent to every documented operation that takes one.
#[tokio::test]
async fn garbage_bodies_are_a_4xx_on_every_write() {
    let app = spawn_demo_app();
    let doc = to_value(&qmap::api::openapi());
    let garbage: [&[u8]; 7] = [
        b"",
        b"null",
        b"[]",
        b"\"x\"",
        b"{\"unknown\": 1}",
        b"{\"id\": 1e400}",
        b"\xef\xbb\xbf{}",
    ];
    let before = app.fingerprint().await;
    let mut sent = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_none() {
                continue;
            }
            let uri = template
                .replace("{id}", "pb-p001")
                .replace("/chains/pb-p001", "/chains/pb-power-battery");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for body in garbage {
                let res = app
                    .send(method.clone(), &uri, Some(body.to_vec().into()))
                    .await;
                assert!(
                    res.status.is_client_error(),
                    "{method} {uri} with {:?}: {}",
                    String::from_utf8_lossy(body),
                    res.status
                );
                assert_error_shape(&res.json());
                sent += 1;
            }
        }
    }
    assert!(sent >= 7 * 8);
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_misspelt_field_in_a_what_if_is_a_422_not_an_empty_change() {
    let app = spawn_demo_app();
    for request in [
        json!({"chain": BATTERY, "ad": []}),
        json!({"chain": BATTERY, "remove": [], "remvoe": ["pb-q-nat-battery"]}),
        json!({"add": [{"id": "n", "name": "n", "level": "national", "region": "320500",
                        "code": "testing:x", "capacty": 3}]}),
    ] {
        let body = app
            .post("/api/v1/what-if", &request)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(body["details"][0]["code"], "unknown_field", "{request}");
    }
}

/// A hypothetical provider of a what-if that the demo data accepts, changed by `change`.
fn hypothetical(change: Value) -> Value {
    let mut provider = json!({"id": "new-lab", "name": "新建检测实验室", "level": "municipal",
                              "region": "320500", "code": "testing:cell-safety", "capacity": 10});
    for (key, value) in change.as_object().unwrap() {
        provider[key] = value.clone();
    }
    provider
}

#[tokio::test]
async fn a_what_if_with_a_bad_hypothetical_provider_is_a_422_at_its_fields() {
    let app = spawn_demo_app();
    let long_id = "x".repeat(129);
    let long_name = "名".repeat(501);
    let long_code = format!("testing:{}", "x".repeat(121));
    let cases = [
        (
            json!({"region": "3205"}),
            vec![pair("/add/0/region", "invalid_region")],
        ),
        (
            json!({"region": "32050a"}),
            vec![pair("/add/0/region", "invalid_region")],
        ),
        (
            json!({"region": "999999"}),
            vec![pair("/add/0/region", "unknown_region")],
        ),
        (
            json!({"region": "三二〇五〇〇"}),
            vec![pair("/add/0/region", "invalid_region")],
        ),
        (
            json!({"code": "GB/T 31485"}),
            vec![pair("/add/0/code", "invalid_capability")],
        ),
        (
            json!({"code": "chemistry:x"}),
            vec![pair("/add/0/code", "invalid_capability")],
        ),
        (
            json!({"code": "testing:"}),
            vec![pair("/add/0/code", "invalid_capability")],
        ),
        (
            json!({"code": "testing:a b"}),
            vec![pair("/add/0/code", "invalid_capability")],
        ),
        (
            json!({"code": "testing:a\u{1}"}),
            vec![pair("/add/0/code", "invalid_id")],
        ),
        (
            json!({"code": long_code}),
            vec![pair("/add/0/code", "too_long")],
        ),
        (
            json!({"capacity": 0}),
            vec![pair("/add/0/capacity", "invalid_capacity")],
        ),
        (json!({"id": ""}), vec![pair("/add/0/id", "empty_id")]),
        (
            json!({"id": "new\u{0}lab"}),
            vec![pair("/add/0/id", "invalid_id")],
        ),
        (
            json!({"id": "new\u{85}lab"}),
            vec![pair("/add/0/id", "invalid_id")],
        ),
        (json!({"id": long_id}), vec![pair("/add/0/id", "too_long")]),
        (
            json!({"name": long_name}),
            vec![pair("/add/0/name", "too_long")],
        ),
        (
            json!({"id": "", "region": "32", "code": "testing", "capacity": 0}),
            vec![
                pair("/add/0/id", "empty_id"),
                pair("/add/0/region", "invalid_region"),
                pair("/add/0/code", "invalid_capability"),
                pair("/add/0/capacity", "invalid_capacity"),
            ],
        ),
    ];
    for (change, expected) in cases {
        for chain in [Some(BATTERY), None] {
            let request = json!({"chain": chain, "add": [hypothetical(change.clone())]});
            let body = app
                .post("/api/v1/what-if", &request)
                .await
                .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
            assert_eq!(details(&body), expected, "{request}");
            assert!(
                body["details"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|d| !d["message"].as_str().unwrap().is_empty()),
                "{body}"
            );
        }
    }

    // Each provider is reported at its own index; two with one id, at the later one.
    let request = json!({"chain": BATTERY, "add": [
        hypothetical(json!({})),
        hypothetical(json!({"id": "second", "capacity": 0})),
        hypothetical(json!({})),
    ], "remove": ["pb-q-nat-battery"]});
    let body = app
        .post("/api/v1/what-if", &request)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        [
            pair("/add/1/capacity", "invalid_capacity"),
            pair("/add/2/id", "duplicate_id"),
        ]
    );
    assert!(
        body["details"][1]["message"]
            .as_str()
            .unwrap()
            .contains("/add/0"),
        "{body}"
    );

    // A bad hypothetical provider is bad input even when a removed one does not exist.
    app.post(
        "/api/v1/what-if",
        &json!({"add": [hypothetical(json!({"capacity": 0}))], "remove": ["nobody"]}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");

    // A good one still gets its answer, and so do codes at the limits.
    let limits = hypothetical(json!({
        "id": "x".repeat(128), "name": "名".repeat(500),
        "code": format!("rd:{}", "x".repeat(125)), "capacity": 1,
    }));
    for add in [hypothetical(json!({})), limits] {
        let result = app
            .post("/api/v1/what-if", &json!({"chain": BATTERY, "add": [add]}))
            .await
            .ok(StatusCode::OK);
        assert!(result["after"]["coverage"].is_object(), "{result}");
    }
}

/// A bundle of `n` organizations that are each `{}`: three missing fields each.
fn empty_organizations(n: usize) -> Vec<u8> {
    let mut text = String::with_capacity(40 + 3 * n);
    text.push_str("{\"version\": 1, \"organizations\": [");
    for i in 0..n {
        text.push_str(if i == 0 { "{}" } else { ",{}" });
    }
    text.push_str("]}");
    text.into_bytes()
}

#[tokio::test]
async fn an_import_with_300_000_errors_lists_the_first_thousand_and_counts_them_all() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;
    let bundle = empty_organizations(100_000);
    for uri in ["/api/v1/import", "/api/v1/import?dry_run=true"] {
        let body = app
            .post_bytes(uri, bundle.clone())
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let listed = details(&body);
        assert_eq!(listed.len(), 1000, "{uri}");
        assert_eq!(listed[0], pair("/organizations/0/id", "missing_field"));
        assert_eq!(listed[999], pair("/organizations/333/id", "missing_field"));
        assert_eq!(body["truncated"], true, "{uri}");
        assert_eq!(body["counts"], json!({"missing_field": 300_000}), "{uri}");
        assert!(
            body["message"].as_str().unwrap().contains("300000"),
            "{body:.300}"
        );
    }
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_record_write_with_many_errors_lists_the_first_thousand_and_counts_them_all() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;
    let capabilities: Vec<Value> = (0..1500)
        .map(|i| json!({"code": format!("cooking:dish-{i}")}))
        .collect();
    let provider = json!({"id": "q-many", "name": "检测中心", "kind": "institute",
                          "region": "320500", "level": "national", "capabilities": capabilities});
    let res = app.post("/api/v1/organizations", &provider).await;
    let body = res.error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let listed = details(&body);
    assert_eq!(listed.len(), 1000);
    assert_eq!(
        listed[0],
        pair("/capabilities/0/code", "invalid_capability")
    );
    assert_eq!(body["truncated"], true);
    assert_eq!(body["counts"], json!({"invalid_capability": 1500}));
    // A few errors are listed in full, without `truncated` or `counts`.
    let mut provider = provider;
    provider["capabilities"] = json!([{"code": "cooking:rice"}, {"code": "testing:x"}]);
    let body = app
        .put("/api/v1/organizations/q-many", &provider)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        vec![pair("/capabilities/0/code", "invalid_capability")]
    );
    assert!(body.get("truncated").is_none() && body.get("counts").is_none());
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_nul_in_an_id_or_part_is_a_422_at_its_path_on_every_write() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;
    let supply = json!({"chain": BATTERY, "from": "pb-zjg-additive", "to": "pb-ly-cell",
                        "part": "a\u{0}b"});
    for uri in ["/api/v1/import", "/api/v1/import?dry_run=true"] {
        let bundle = json!({"version": 1, "supplies": [supply]});
        let body = app
            .post(uri, &bundle)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(
            details(&body),
            vec![pair("/supplies/0/part", "invalid_id")],
            "{uri}"
        );
    }
    let body = app
        .put("/api/v1/supplies", &supply)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/part", "invalid_id")]);
    let mut ends = supply.clone();
    ends["part"] = json!("添加剂");
    ends["from"] = json!("pb-zjg-additive\u{0}");
    ends["chain"] = json!("\u{0}");
    let body = app
        .put("/api/v1/supplies", &ends)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        vec![pair("/chain", "invalid_id"), pair("/from", "invalid_id")]
    );

    let body = app
        .post("/api/v1/organizations", &new_firm("x\u{0}1"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "invalid_id")]);
    let body = app
        .put("/api/v1/organizations/x%001", &new_firm("x\u{0}1"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "invalid_id")]);
    let mut firm = new_firm("x2");
    firm["chains"][0]["segment"] = json!("cell\u{0}");
    let body = app
        .put("/api/v1/organizations/x2", &firm)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        vec![pair("/chains/0/segment", "invalid_id")]
    );

    let body = app
        .post("/api/v1/problems", &new_problem("p\u{0}1", "pb-ly-cell"))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "invalid_id")]);
    let body = app
        .put(
            "/api/v1/problems/p%001",
            &new_problem("p\u{0}1", "pb-ly-cell"),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "invalid_id")]);
    let mut problem = new_problem("p-new", "pb-ly-cell\u{0}");
    problem["needs"] = json!(["metrology:a\u{0}"]);
    let body = app
        .put("/api/v1/problems/p-new", &problem)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        vec![pair("/org", "invalid_id"), pair("/needs/0", "invalid_id")]
    );

    // Reads and deletes of such ids find nothing.
    app.get("/api/v1/organizations/x%001")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.delete("/api/v1/problems/p%001")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn ids_and_names_over_their_limits_are_a_422_too_long() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;
    // The reported case: a 100,000-character id imported, then could not be read back (414).
    let long = "x".repeat(100_000);
    let bundle = json!({"version": 1, "organizations": [new_firm(&long)]});
    let body = app
        .post("/api/v1/import", &bundle)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        details(&body),
        vec![pair("/organizations/0/id", "too_long")]
    );
    // The message names the value, cut short.
    assert!(body.to_string().len() < 2000, "{body:.300}");

    let body = app
        .post("/api/v1/organizations", &new_firm(&"x".repeat(129)))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/id", "too_long")]);
    let mut problem = new_problem("pb-new", "pb-ly-cell");
    problem["title"] = json!("题".repeat(501));
    let body = app
        .put("/api/v1/problems/pb-new", &problem)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/title", "too_long")]);
    let body = app
        .put(
            "/api/v1/supplies",
            &json!({"chain": BATTERY, "from": "pb-zjg-additive", "to": "pb-ly-cell",
                    "part": "剂".repeat(201)}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(details(&body), vec![pair("/part", "too_long")]);
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_path_like_id_is_plain_data_read_back_by_its_encoded_url_and_exported() {
    let app = spawn_demo_app();
    let id = "../../etc/passwd";
    let bundle = json!({"version": 1, "organizations": [new_firm(id)],
        "problems": [new_problem("../p?#%", id)]});
    app.post("/api/v1/import", &bundle).await.ok(StatusCode::OK);
    let firm = app
        .get("/api/v1/organizations/..%2F..%2Fetc%2Fpasswd")
        .await
        .ok(StatusCode::OK);
    assert_eq!(firm["id"], id);
    let problem = app
        .get("/api/v1/problems/..%2Fp%3F%23%25")
        .await
        .ok(StatusCode::OK);
    assert_eq!(problem["org"], id);
    let export: Value = serde_json::from_slice(&app.export().await).unwrap();
    let exported = export["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id);
    assert_eq!(exported, Some(&firm));
}

#[tokio::test]
async fn an_import_that_is_not_json_by_its_content_type_is_a_415() {
    let app = spawn_demo_app();
    let before = app.fingerprint().await;
    let bundle = fixture("linear.json");
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
        "multipart/form-data; boundary=x",
    ] {
        for uri in ["/api/v1/import", "/api/v1/import?dry_run=true"] {
            let res = app
                .send_with(
                    Method::POST,
                    uri,
                    &[("content-type", content_type)],
                    Some(bundle.clone().into()),
                )
                .await;
            let body = res.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
            assert!(
                body["message"].as_str().unwrap().contains(content_type),
                "{body}"
            );
        }
    }
    app.assert_unchanged(&before).await;
    // JSON with a charset, in any case, is JSON.
    for content_type in ["application/json; charset=utf-8", "Application/JSON"] {
        let res = app
            .send_with(
                Method::POST,
                "/api/v1/import?dry_run=true",
                &[("content-type", content_type)],
                Some(bundle.clone().into()),
            )
            .await;
        assert_eq!(res.ok(StatusCode::OK)["dry_run"], true, "{content_type}");
    }
}
