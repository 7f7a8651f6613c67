//! The map page and the map picture: `/` serves the single-page application embedded by
//! `render::assets`, `/assets/{file}` its files, and `/api/v1/chains/{id}/map.svg` the quality map
//! drawn by `render::svg` (documented in the OpenAPI document like every other API route).

use super::error::{ApiError, ErrorBody};
use super::query;
use super::state::AppState;
use crate::render::assets;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_chain_map_svg))
        .route("/", get(get_page))
        .route("/assets/{file}", get(get_asset))
}

/// The page: served as a document that must not be cached, so a new binary shows a new page.
async fn get_page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        assets::INDEX_HTML,
    )
        .into_response()
}

async fn get_asset(Path(file): Path<String>) -> Result<Response, ApiError> {
    let asset = assets::asset(&file).ok_or_else(|| ApiError::not_found("asset", &file))?;
    // A versioned vendor file is kept for good; the page's own files are revalidated, so that a
    // new binary shows a new page.
    let cache = if assets::immutable(&file) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SvgParams {
    /// Draw at most this many firms individually, the most important first; the others are
    /// counted in their segment's groups (default and 0: as the grouping allows).
    limit: Option<usize>,
}

/// The quality map of a chain as a standalone SVG picture.
#[utoipa::path(get, path = "/api/v1/chains/{id}/map.svg", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), SvgParams),
    responses((status = 200, content_type = "image/svg+xml", body = String,
               description = "The map: segment columns, firms, supplies, providers, legend"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_map_svg(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Principal>,
    Path(id): Path<String>,
    params: Result<Query<SvgParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    who.require_chain(&id)?;
    let params = query(params)?;
    let limit = match params.limit {
        None | Some(0) => None,
        Some(n) => Some(n),
    };
    let svg = state
        .read(move |snap| {
            let map = snap.quality_map(&id, limit)?;
            Ok(crate::render::svg::chain_map_svg(&map))
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}
