//! `GET /api/v1/metrics`: counters in the Prometheus text exposition format (version 0.0.4),
//! for admins only.
//!
//! The HTTP counters live here: [`record`] is a middleware in the router stack that counts every
//! answer by route template (axum's `MatchedPath`, e.g. `/api/v1/chains/{id}/map`; never the raw
//! path, so the number of series stays bounded; `unmatched` for a path no route knows), method
//! and status, and times it. The service's own counters (cache, writes, snapshot, store) come
//! from [`crate::service::Service::metrics`]; this module only formats them.

use super::auth::Principal;
use super::error::ApiError;
use super::state::AppState;
use crate::service::metrics::{Histogram, HistogramReading, Readings};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_metrics))
}

/// Requests counted per route template, method and status, and timed per route and method.
#[derive(Default)]
pub struct HttpMetrics {
    requests: Mutex<BTreeMap<(String, &'static str, u16), u64>>,
    durations: Mutex<BTreeMap<(String, &'static str), Arc<Histogram>>>,
}

impl HttpMetrics {
    fn observe(&self, route: String, method: &'static str, status: u16, took: std::time::Duration) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((route.clone(), method, status))
            .or_default() += 1;
        let histogram = self
            .durations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((route, method))
            .or_default()
            .clone();
        histogram.observe(took);
    }
}

/// The method as a label: the standard ones by name, anything else as `other` (a client may
/// send any token as a method; the label must stay bounded).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// Middleware: counts and times every request, and hands the counters to the handler of
/// `/api/v1/metrics` as a request extension.
pub async fn record(
    State(metrics): State<Arc<HttpMetrics>>,
    mut req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = method_label(req.method());
    req.extensions_mut().insert(metrics.clone());
    let started = Instant::now();
    let response = next.run(req).await;
    metrics.observe(route, method, response.status().as_u16(), started.elapsed());
    response
}

/// Counters in the Prometheus text format (admins only).
///
/// Requests and their latency by route template, analysis cache hits and misses, write
/// latency, the snapshot's revision and age, and the store's size on disk.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text exposition format 0.0.4",
               body = String, content_type = "text/plain")))]
async fn get_metrics(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    http: Option<Extension<Arc<HttpMetrics>>>,
) -> Result<Response, ApiError> {
    who.require(who.is_admin())?;
    let service = state.service().clone();
    let readings = tokio::task::spawn_blocking(move || service.metrics())
        .await
        .map_err(ApiError::internal)?;
    let text = format(http.as_ref().map(|Extension(h)| h.as_ref()), &readings);
    Ok((
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}

/// The whole exposition.
fn format(http: Option<&HttpMetrics>, r: &Readings) -> String {
    let mut out = String::new();
    header_lines(
        &mut out,
        "qmap_http_requests_total",
        "counter",
        "HTTP requests answered, by route template, method and status.",
    );
    if let Some(http) = http {
        let requests = http
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for ((route, method, status), n) in requests {
            let _ = writeln!(
                out,
                "qmap_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                escape(&route)
            );
        }
    }
    header_lines(
        &mut out,
        "qmap_http_request_duration_seconds",
        "histogram",
        "Time from a request's arrival at the router to its response, by route template and method.",
    );
    if let Some(http) = http {
        let durations: Vec<_> = http
            .durations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, h)| (k.clone(), h.read()))
            .collect();
        for ((route, method), reading) in durations {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(&route));
            histogram(
                &mut out,
                "qmap_http_request_duration_seconds",
                &labels,
                &reading,
            );
        }
    }
    header_lines(
        &mut out,
        "qmap_analysis_cache_hits_total",
        "counter",
        "Cached analysis results returned, by kind of result.",
    );
    for c in &r.cache {
        let _ = writeln!(
            out,
            "qmap_analysis_cache_hits_total{{cache=\"{}\"}} {}",
            c.cache, c.hits
        );
    }
    header_lines(
        &mut out,
        "qmap_analysis_cache_misses_total",
        "counter",
        "Analysis results computed because none was cached, by kind of result.",
    );
    for c in &r.cache {
        let _ = writeln!(
            out,
            "qmap_analysis_cache_misses_total{{cache=\"{}\"}} {}",
            c.cache, c.misses
        );
    }
    header_lines(
        &mut out,
        "qmap_write_duration_seconds",
        "histogram",
        "Time of committed writes (imports and record writes), validation to publication.",
    );
    histogram(&mut out, "qmap_write_duration_seconds", "", &r.writes);
    header_lines(
        &mut out,
        "qmap_snapshot_revision",
        "gauge",
        "Store revision of the snapshot being served.",
    );
    let _ = writeln!(out, "qmap_snapshot_revision {}", r.revision);
    header_lines(
        &mut out,
        "qmap_snapshot_age_seconds",
        "gauge",
        "Seconds since the snapshot being served was published.",
    );
    let _ = writeln!(
        out,
        "qmap_snapshot_age_seconds {}",
        number(r.snapshot_age.as_secs_f64())
    );
    header_lines(
        &mut out,
        "qmap_store_size_bytes",
        "gauge",
        "Size of the store's files on disk, in bytes.",
    );
    if let Some(size) = r.store_size_bytes {
        let _ = writeln!(out, "qmap_store_size_bytes {size}");
    }
    out
}

fn header_lines(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The `_bucket`, `_sum` and `_count` lines of one histogram; `labels` without braces.
fn histogram(out: &mut String, name: &str, labels: &str, h: &HistogramReading) {
    let sep = if labels.is_empty() { "" } else { "," };
    for (le, n) in &h.cumulative {
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"{}\"}} {n}",
            number(*le)
        );
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
    let braces = if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    };
    let _ = writeln!(out, "{name}_sum{braces} {}", number(h.sum_seconds));
    let _ = writeln!(out, "{name}_count{braces} {}", h.count);
}

/// A float as Prometheus reads it (`0.005`, `1`, `30`).
fn number(x: f64) -> String {
    format!("{x}")
}

/// A label value escaped as the text format asks: backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn a_histogram_without_labels_has_no_empty_braces_on_sum_and_count() {
        let h = Histogram::default();
        h.observe(std::time::Duration::from_millis(1));
        let mut out = String::new();
        histogram(&mut out, "x", "", &h.read());
        assert!(out.contains("x_bucket{le=\"0.005\"} 1\n"));
        assert!(out.contains("x_bucket{le=\"+Inf\"} 1\n"));
        assert!(out.contains("x_count 1\n"));
        assert!(!out.contains("{}"));
    }
}
