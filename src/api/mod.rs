//! The HTTP JSON API (axum): the only module that knows axum.
//!
//! `router` builds the whole application from one list of routes (utoipa-axum's `OpenApiRouter`),
//! so the OpenAPI document (`openapi()`) and the routes cannot drift apart. Handlers are thin: they
//! parse a request, call one function of the service layer ([`crate::service`]) and shape the
//! answer. Every error goes through `ApiError`, the one place that picks a status code.

mod attempts;
pub mod auth;
mod bundle;
mod catalogue;
mod chains;
mod disclosure;
mod doc;
pub mod error;
mod etag;
mod geo;
mod history;
mod lists;
mod metrics;
mod notices;
mod page;
mod records;
mod state;
mod tackling;
mod tokens;
mod work;

pub use crate::service::{Me, MeChain, Snapshot};
pub use error::{ApiError, ErrorBody};
pub use state::{ApiConfig, AppState};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

#[derive(utoipa::OpenApi)]
#[openapi(
    modifiers(&BearerScheme),
    security(("token" = [])),
    info(
        title = "qmap",
        description = "产业链质量图谱 — industry-chain quality maps: chains, weak links and quality-infrastructure matching."
    ),
    tags(
        (name = "bundle", description = "Import and export whole bundles (format 1)"),
        (name = "chains", description = "Chains and their quality maps"),
        (name = "analyses", description = "Weak links, coverage, scenarios and what-ifs"),
        (name = "surveys", description = "Revisions and surveys: what changed between two, and trends"),
        (name = "records", description = "Single organizations, supplies and problems"),
        (name = "disclosure", description = "Who may read a problem, and disclosure requests between firms and their suppliers"),
        (name = "notices", description = "Quality notices (质量通报) along a chain: send, inbox and outbox, acknowledge"),
        (name = "work", description = "The quality work (一图三清单): projects, consortia, policy tools and yearly goals"),
        (name = "tokens", description = "API tokens (admins only)"),
        (name = "service", description = "Health")
    )
)]
struct ApiDoc;

/// Declares the `token` security scheme: `Authorization: Bearer qmap_…` (see `qmap token`).
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `qmap token create`; its role (admin, regulator, \
                         enterprise, planner) decides what each route returns",
                    ))
                    .build(),
            ),
        );
    }
}

/// The routes of `/api/v1` and `/healthz` with their OpenAPI description.
fn api_router() -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(<ApiDoc as utoipa::OpenApi>::openapi())
        .routes(utoipa_axum::routes!(healthz))
        .routes(utoipa_axum::routes!(get_me))
        .merge(bundle::router())
        .merge(catalogue::router())
        .merge(chains::router())
        .merge(geo::router())
        .merge(history::router())
        .merge(tackling::router())
        .merge(records::router())
        .merge(disclosure::router())
        .merge(notices::router())
        .merge(work::router())
        .merge(lists::router())
        .merge(tokens::router())
        .merge(metrics::router())
        .merge(page::router());
    utoipa::Modify::modify(&doc::SecuredResponses, router.get_openapi_mut());
    router
}

/// The OpenAPI 3.1 document of the API, as served at `/api/openapi.json`.
pub fn openapi() -> OpenApi {
    api_router().split_for_parts().1
}

/// The whole application: API routes, OpenAPI document, Swagger UI, and the middleware stack
/// (request ids, one log line per request, request counters for `/api/v1/metrics`, compressed
/// answers, body limit with an over-limit `Content-Length` refused before reading, panics as JSON
/// 500s, ETags and 304 for reads).
pub fn router(state: AppState) -> Router {
    let body_limit = state.config().body_limit;
    let (api, doc) = api_router().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    api.merge(SwaggerUi::new("/docs").url("/api/openapi.json", doc))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            etag::revalidate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            body_limit,
            refuse_oversized,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("handler panicked".into()).into_response()
        }))
        // gzip, br or zstd as the client prefers, for answers over 1 KiB not already compressed.
        .layer(CompressionLayer::new().compress_when(
            SizeAbove::new(1024)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-")
                        .to_string();
                    tracing::info_span!("request", id = %id, method = %req.method(), uri = %req.uri())
                })
                .on_request(())
                .on_response(
                    |res: &Response, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(
                            status = res.status().as_u16(),
                            ms = format_args!("{:.2}", latency.as_secs_f64() * 1e3),
                            "served"
                        );
                    },
                )
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, Sequential::default()))
        // Outermost, so that every answer is counted (413s and panics too); layers of a `Router`
        // run after routing, so the route template is known.
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(metrics::HttpMetrics::default()),
            metrics::record,
        ))
}

/// Request ids: a per-process sequence, shown in the log line and the `x-request-id` header.
#[derive(Clone, Default)]
struct Sequential(std::sync::Arc<AtomicU64>);

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        axum::http::HeaderValue::from_str(&format!("{n:08x}"))
            .ok()
            .map(RequestId::new)
    }
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found("route", uri.path().to_string())
}

/// Without this, axum answers 405 with an empty body; axum still adds the `Allow` header.
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_string(),
    }
}

/// Health of the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// The store revision the service is serving.
    pub revision: u64,
}

/// Liveness and the revision being served (no token needed).
#[utoipa::path(get, path = "/healthz", tag = "service", security(()),
    responses((status = 200, body = Health)))]
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        revision: state.snapshot().revision,
    })
}

/// Who the token belongs to and what it opens (the page asks this after login).
#[utoipa::path(get, path = "/api/v1/me", tag = "service",
    responses((status = 200, body = Me)))]
async fn get_me(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::Extension(who): axum::Extension<auth::Principal>,
) -> Json<Me> {
    Json(crate::service::me(&state.snapshot(), &who))
}

/// What a write returns: the id written and the store revision that holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    pub id: String,
    pub revision: u64,
}

/// Parses a record sent on its own (an organization, supply or problem), with the API's error
/// shape for every failure: 413 over the body limit, 400 for malformed JSON (with line and
/// column), 422 for the wrong shape (every error, with the JSON Pointer of the offending field).
pub(crate) fn record_body<T: crate::validate::Record>(
    body: Result<Bytes, BytesRejection>,
    state: &AppState,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|rejection| body_rejection(rejection, state))?;
    crate::validate::parse_record(&bytes).map_err(ApiError::from_validation)
}

/// Parses any other JSON request body (scenarios, what-ifs, status changes): 413, 400 as for
/// records; 422 with the path serde stopped at for the wrong shape.
pub(crate) fn json_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    state: &AppState,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|rejection| body_rejection(rejection, state))?;
    crate::validate::parse_json(&bytes).map_err(ApiError::from_validation)
}

/// A body that could not be read: too large (413) or broken off (400).
pub(crate) fn body_rejection(rejection: BytesRejection, state: &AppState) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge {
            limit: state.config().body_limit,
        }
    } else {
        ApiError::BadRequest(rejection.body_text())
    }
}

/// Query parameters, with a 400 in the API's shape when they do not parse.
pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

/// Path parameters, with a 400 in the API's shape when they do not decode (a percent-encoded
/// segment that is not UTF-8); axum's own `Path` rejection is a plain-text body.
pub(crate) struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(ApiPath(t)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// Limits of the HTTP server itself: how long a client may take to send a request, and how many
/// connections are served at once. They keep slow or idle clients from holding the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Longest wait for a whole request head (request line and headers), on a new connection
    /// and on a keep-alive connection between requests; then the connection is closed.
    pub header_timeout: Duration,
    /// Longest pause while a request body arrives; then the request fails (400) and the
    /// connection is closed.
    pub body_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog until one closes.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Runs the service until SIGINT or SIGTERM; in-flight requests finish, and every acknowledged
/// write is already durable (the store flushes before a write is acknowledged).
///
/// Each connection is served by hyper's HTTP/1 server with a header read timeout, each request
/// body under a body timeout, and each request knows the client's address (`ConnectInfo`), which
/// the failed-login lockout counts by.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    options: ServeOptions,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let app = tower::ServiceBuilder::new()
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            options.body_timeout,
        ))
        .service(router(state));
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(client));
            app.clone().oneshot(req)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %client, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// An accept that failed: a connection that went away before it was accepted is nothing; running
/// out of file descriptors is waited out (retrying at once would spin).
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Refuses a request whose `Content-Length` exceeds the body limit at once, before any of the
/// body is read (otherwise the client would be kept sending it until the limit is reached).
async fn refuse_oversized(
    axum::extract::State(limit): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return ApiError::TooLarge { limit }.into_response();
    }
    next.run(req).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
