//! The token API: an admin makes, lists and revokes tokens while the server runs (the roles
//! that may not are in tests/access.rs).

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

/// The status of `GET /api/v1/me` with `secret` as the only token.
async fn me_with(app: &TestApp, secret: &str) -> StatusCode {
    let req = Request::builder()
        .uri("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    let router = qmap::api::router(app.state.clone());
    router.oneshot(req).await.unwrap().status()
}

#[tokio::test]
async fn an_admin_makes_lists_and_revokes_a_token() {
    let app = spawn_demo_app();
    let made = app
        .post(
            "/api/v1/tokens",
            &json!({"role": "regulator", "chains": [BATTERY], "expires_days": 30}),
        )
        .await;
    assert_eq!(made.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let made = made.ok(StatusCode::CREATED);
    let secret = made["secret"].as_str().unwrap().to_string();
    let id = made["token"]["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with(&format!("qmap_{id}_")), "{made}");
    assert_eq!(made["token"]["role"], "regulator");
    assert_eq!(made["token"]["chains"], json!([BATTERY]));
    assert_eq!(made["token"]["state"], "active");
    let created = made["token"]["created_at"].as_u64().unwrap();
    assert_eq!(
        made["token"]["expires_at"].as_u64(),
        Some(created + 30 * 86_400)
    );
    // The new token works at once.
    assert_eq!(me_with(&app, &secret).await, StatusCode::OK);

    let listed = app.get("/api/v1/tokens").await;
    let list = listed.ok(StatusCode::OK);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&id.as_str()));
    // Never a secret, nor the hash of one.
    let text = listed.text();
    assert!(
        !text.contains("sha256") && !text.contains(&secret[18..]),
        "{text}"
    );

    let revoked = app
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(revoked["state"], "revoked");
    let at = revoked["revoked_at"].as_u64().unwrap();
    assert_eq!(me_with(&app, &secret).await, StatusCode::UNAUTHORIZED);
    // Revoking again changes nothing.
    let again = app
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(again["revoked_at"].as_u64(), Some(at));
    app.delete("/api/v1/tokens/000000000000")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");

    // Audited, with the id of the token made.
    let actions: Vec<String> = app
        .state
        .store()
        .audit(None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&format!("POST /api/v1/tokens (created {id} (regulator))")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&format!("DELETE /api/v1/tokens/{id}")),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_token_that_cannot_be_made_is_refused_with_the_path_of_the_problem() {
    let app = spawn_demo_app();
    let firm = "pb-ly-cell";
    let provider = "pb-q-nat-battery";
    let cases: [(Value, &str, &str); 9] = [
        (json!({"role": "enterprise"}), "/org", "missing_field"),
        (
            json!({"role": "enterprise", "org": "nobody"}),
            "/org",
            "unknown_organization",
        ),
        (
            json!({"role": "enterprise", "org": provider}),
            "/org",
            "not_an_enterprise",
        ),
        (
            json!({"role": "planner", "org": firm}),
            "/org",
            "unknown_field",
        ),
        (
            json!({"role": "admin", "chains": [BATTERY]}),
            "/chains",
            "unknown_field",
        ),
        (
            json!({"role": "regulator", "chains": [BATTERY, "nowhere"]}),
            "/chains/1",
            "unknown_chain",
        ),
        (json!({"role": "superuser"}), "/role", "wrong_type"),
        (
            json!({"role": "admin", "expires_days": 0}),
            "/expires_days",
            "wrong_type",
        ),
        (
            json!({"role": "admin", "colour": "red"}),
            "/colour",
            "unknown_field",
        ),
    ];
    for (body, path, code) in cases {
        let res = app.post("/api/v1/tokens", &body).await;
        let error = res.error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let detail = &error["details"][0];
        assert_eq!(
            (detail["path"].as_str(), detail["code"].as_str()),
            (Some(path), Some(code)),
            "{body}: {error}"
        );
    }
    app.post_bytes("/api/v1/tokens", "{\"role\": ")
        .await
        .error(StatusCode::BAD_REQUEST, "malformed_json");
    // Nothing was made: only the test's own admin token exists.
    assert_eq!(app.state.store().tokens().unwrap().len(), 1);
    let enterprise = app
        .post(
            "/api/v1/tokens",
            &json!({"role": "enterprise", "org": firm}),
        )
        .await
        .ok(StatusCode::CREATED);
    assert_eq!(enterprise["token"]["org"], firm);
}
