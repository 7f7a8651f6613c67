//! `TestApp`: the whole router over a temporary store, called in-process with `oneshot`.
//!
//! Every request of the in-process tests goes through `get`, `post`, `put` or `delete` (or their
//! `_bytes` forms) with the URI written out as a literal: `openapi::every_documented_operation_is_exercised`
//! reads the test sources for those calls, so a documented operation without a test fails.

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use qmap::api::{ApiConfig, AppState};
use qmap::model::{Bundle, Dataset};
use qmap::store::Store;
use serde_json::Value;
use tower::ServiceExt;

/// The demo chains, as `qmap serve --demo` loads them.
pub const BATTERY: &str = "pb-power-battery";
pub const HYDROGEN: &str = "h2-hydrogen";
pub const FIBER: &str = "oe-optical-fiber";

/// A fixture file's text.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The records of fixture files as one dataset (what the store holds after importing them).
pub fn fixtures_dataset(names: &[&str]) -> Dataset {
    let mut d = Dataset::new();
    for name in names {
        let bundle: Bundle = serde_json::from_str(&fixture(name)).unwrap();
        let change = qmap::model::ChangeSet::upsert(bundle);
        d.apply(&change);
    }
    d
}

/// The three demo fixtures.
pub const DEMO: [&str; 3] = [
    "power_battery_jiangsu.json",
    "hydrogen_shaanxi.json",
    "optoelectronics_suzhou.json",
];

pub struct TestApp {
    pub state: AppState,
    /// An admin token every request carries (access control is tested in tests/access.rs).
    token: String,
    router: Router,
    _dir: tempfile::TempDir,
}

/// An app over an empty store with the default configuration.
impl TestApp {
    /// The `authorization` header value of a new token of `role` (an enterprise's for `org`,
    /// limited to `chains` when some are given), made in the app's store.
    pub fn bearer(
        &self,
        role: qmap::model::access::AccessRole,
        org: Option<&str>,
        chains: &[&str],
    ) -> String {
        let chains: Vec<String> = chains.iter().map(|c| c.to_string()).collect();
        let store = self.state.store();
        let issued =
            qmap::access::issue(role, org, &chains, None, qmap::access::now(), store).unwrap();
        store.put_token(&issued.token).unwrap();
        format!("Bearer {}", issued.secret)
    }
}

impl TestApp {
    /// The app as a new process over the same store would be (the same token): nothing
    /// analysed, only what the store holds.
    pub fn restarted(self) -> TestApp {
        let state = AppState::new(self.state.store().clone(), ApiConfig::default()).unwrap();
        TestApp {
            token: self.token,
            router: qmap::api::router(state.clone()),
            state,
            _dir: self._dir,
        }
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(ApiConfig::default(), false)
}

/// An app over a store holding the demo chains.
pub fn spawn_demo_app() -> TestApp {
    spawn_app_with(ApiConfig::default(), true)
}

/// An app over a store holding the demo chains without their quality work (projects,
/// consortia, policy tools, goals): for tests that make their own.
pub fn spawn_demo_app_without_work() -> TestApp {
    spawn_app_inner(ApiConfig::default(), true, true)
}

pub fn spawn_app_with(config: ApiConfig, demo: bool) -> TestApp {
    spawn_app_inner(config, demo, false)
}

fn spawn_app_inner(config: ApiConfig, demo: bool, without_work: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    if demo {
        assert!(qmap::cli::load_demo(&store).unwrap());
    }
    if without_work {
        let d = store.load().unwrap();
        store
            .apply(&qmap::model::ChangeSet {
                delete_projects: d.projects.keys().cloned().collect(),
                delete_consortia: d.consortia.keys().cloned().collect(),
                delete_policy_tools: d.policy_tools.keys().cloned().collect(),
                delete_goals: d.goals.keys().cloned().collect(),
                ..Default::default()
            })
            .unwrap();
    }
    let issued = qmap::access::issue(
        qmap::model::access::AccessRole::Admin,
        None,
        &[],
        None,
        qmap::access::now(),
        &store,
    )
    .unwrap();
    store.put_token(&issued.token).unwrap();
    let state = AppState::new(store, config).unwrap();
    TestApp {
        token: issued.secret,
        router: qmap::api::router(state.clone()),
        state,
        _dir: dir,
    }
}

/// A response with its body read.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }

    /// Asserts a success status and returns the JSON body.
    #[track_caller]
    pub fn ok(&self, status: StatusCode) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts an error response of `status` and `code` in the API's one error shape
    /// (`{code, message, details?}` and nothing else); returns the body.
    #[track_caller]
    pub fn error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_error_shape(&self.json());
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        assert_eq!(
            self.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
        body
    }
}

/// `{code, message, details?}`: a non-empty snake_case code, a message, and details only as a
/// non-empty list of `{code, path, message, line?, column?}`; when the details were cut, also
/// `truncated: true` and `counts` (each code's total, together more than the details listed).
#[track_caller]
pub fn assert_error_shape(body: &Value) {
    let obj = body.as_object().expect("an error body is an object");
    for key in obj.keys() {
        assert!(
            ["code", "message", "details", "truncated", "counts"].contains(&key.as_str()),
            "unexpected key {key:?} in {body}"
        );
    }
    let code = obj["code"].as_str().expect("code is a string");
    assert!(
        !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "code {code:?} is not snake_case"
    );
    assert!(obj["message"].as_str().is_some_and(|m| !m.is_empty()));
    if let Some(details) = obj.get("details") {
        let details = details.as_array().expect("details is a list");
        assert!(!details.is_empty(), "details, when present, are not empty");
        for d in details {
            assert!(d["code"].is_string() && d["path"].is_string() && d["message"].is_string());
        }
    }
    assert_eq!(
        obj.contains_key("truncated"),
        obj.contains_key("counts"),
        "truncated and counts come together: {body}"
    );
    if let Some(truncated) = obj.get("truncated") {
        assert_eq!(truncated, &Value::Bool(true), "{body}");
        let listed = obj["details"].as_array().expect("cut details").len() as u64;
        let counts = obj["counts"].as_object().expect("counts is an object");
        let total: u64 = counts
            .values()
            .map(|n| n.as_u64().expect("a count is a number"))
            .sum();
        assert!(total > listed, "counts {total} ≤ details {listed}");
    }
}

/// What a failed write must leave as it was: the exported bytes and the served revision.
#[derive(Debug, PartialEq)]
pub struct Fingerprint {
    export: Bytes,
    revision: u64,
}

impl TestApp {
    pub async fn send(&self, method: Method, uri: &str, body: Option<Bytes>) -> TestResponse {
        self.send_with(method, uri, &[], body).await
    }

    /// A GET with extra request headers (an `authorization` header replaces the admin token).
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.send_with(Method::GET, uri, headers, None).await
    }

    pub async fn send_with(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(uri);
        // The admin token, unless the test sends its own.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        // JSON, unless the test sends its own content type.
        let typed = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        // Bad input is never a 5xx. The one 5xx a test may see is a 503 `timeout`, and only from
        // an app configured with a request timeout shorter than the work.
        let timeout = status == StatusCode::SERVICE_UNAVAILABLE
            && self.state.config().request_timeout < ApiConfig::default().request_timeout;
        assert!(
            !status.is_server_error() || timeout,
            "{uri} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Method::GET, uri, None).await
    }

    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.send(Method::DELETE, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: &Value) -> TestResponse {
        self.post_bytes(uri, serde_json::to_vec(body).unwrap())
            .await
    }

    pub async fn put(&self, uri: &str, body: &Value) -> TestResponse {
        self.put_bytes(uri, serde_json::to_vec(body).unwrap()).await
    }

    pub async fn post_bytes(&self, uri: &str, body: impl Into<Bytes>) -> TestResponse {
        self.send(Method::POST, uri, Some(body.into())).await
    }

    pub async fn put_bytes(&self, uri: &str, body: impl Into<Bytes>) -> TestResponse {
        self.send(Method::PUT, uri, Some(body.into())).await
    }

    /// The revision `/healthz` reports.
    pub async fn revision(&self) -> u64 {
        let health = self.get("/healthz").await.ok(StatusCode::OK);
        assert_eq!(health["status"], "ok");
        health["revision"].as_u64().unwrap()
    }

    pub async fn export(&self) -> Bytes {
        let res = self.get("/api/v1/export").await;
        assert_eq!(res.status, StatusCode::OK);
        res.body
    }

    pub async fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            export: self.export().await,
            revision: self.revision().await,
        }
    }

    /// Asserts the export is byte-identical and the revision unchanged since `before`.
    #[track_caller]
    pub fn assert_unchanged<'a>(
        &'a self,
        before: &'a Fingerprint,
    ) -> impl std::future::Future<Output = ()> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let after = self.fingerprint().await;
            assert_eq!(after.revision, before.revision, "revision moved ({caller})");
            assert!(
                after.export == before.export,
                "the export changed after a failed write ({caller})"
            );
        }
    }

    /// Imports fixture files through the API.
    pub async fn import_fixtures(&self, names: &[&str]) {
        for name in names {
            self.post_bytes("/api/v1/import", fixture(name))
                .await
                .ok(StatusCode::OK);
        }
    }
}

/// The JSON value of any serializable result, for comparing API answers with direct calls. It
/// goes through text as a response does: serde_json's default float parser can differ from the
/// value serialized in the last digit, so both sides must be parsed the same way.
pub fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(t).unwrap()).unwrap()
}
