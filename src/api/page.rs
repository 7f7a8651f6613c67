//! The map page and the map picture: `/` serves the single-page application embedded by
//! `render::assets`, `/assets/{file}` its files, and `/api/v1/chains/{id}/map.svg` the quality map
//! drawn by `render::svg` (documented in the OpenAPI document like every other API route), with
//! its text as outlines of the embedded CJK font (`render::font`); `map.png` and `map.pdf` are the
//! same picture drawn by resvg and put on a printed page (`render::png`, `render::pdf`).

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
        .routes(routes!(get_chain_map_png))
        .routes(routes!(get_chain_map_pdf))
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

/// The quality map of a chain as a standalone SVG picture. Its text is drawn as outlines of the
/// embedded Noto Sans CJK SC font (the text itself stays in the document, transparent, for search
/// and selection), so it looks the same on a machine without Chinese fonts.
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
            Ok(crate::render::font::embed_glyphs(
                &crate::render::svg::chain_map_svg(&map),
            ))
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}

/// `limit` as the map routes read it: absent is the default, 0 is every firm.
fn map_limit(limit: Option<usize>) -> Option<usize> {
    match limit {
        None => Some(crate::map::DEFAULT_LIMIT),
        Some(0) => None,
        Some(n) => Some(n),
    }
}

/// A picture that cannot be made: a bad scale or too many pixels is the caller's (400), the
/// rest a defect (500).
fn picture_error(e: crate::render::png::PictureError) -> ApiError {
    use crate::render::png::PictureError;
    match e {
        PictureError::BadScale(_) | PictureError::TooLarge { .. } => {
            ApiError::BadRequest(format!("{e} ({})", e.code()))
        }
        PictureError::Svg(_) | PictureError::Pdf(_) => ApiError::internal(e),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PngParams {
    /// Draw at most this many firms, the most important first (default 400; 0 = all).
    limit: Option<usize>,
    /// Pixels per SVG unit, 0.25 to 4 (default 1; 2 for sharp slides).
    scale: Option<f32>,
}

/// The quality map of a chain as a PNG picture: the SVG picture drawn by resvg with the embedded
/// CJK font only (no system fonts), so it is the same on every machine.
#[utoipa::path(get, path = "/api/v1/chains/{id}/map.png", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), PngParams),
    responses((status = 200, content_type = "image/png", body = Vec<u8>,
               description = "The map as PNG"),
              (status = 400, body = ErrorBody, description = "A scale outside 0.25–4, or a picture of more than 32 Mi pixels"),
              (status = 404, body = ErrorBody)))]
async fn get_chain_map_png(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Principal>,
    Path(id): Path<String>,
    params: Result<Query<PngParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    who.require_chain(&id)?;
    let params = query(params)?;
    let scale =
        crate::render::png::check_scale(params.scale.unwrap_or(1.0)).map_err(picture_error)?;
    let limit = map_limit(params.limit);
    let png = state
        .read(move |snap| {
            let map = snap.quality_map(&id, limit)?;
            Ok(crate::render::png::chain_map_png(&map, scale))
        })
        .await?
        .map_err(picture_error)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PdfParams {
    /// Draw at most this many firms, the most important first (default 400; 0 = all).
    limit: Option<usize>,
    /// The paper, landscape: `a4` (default) or `a3`.
    #[param(inline)]
    paper: Option<crate::render::pdf::Paper>,
}

/// The quality map of a chain on one printed page (PDF, A4 or A3 landscape): the chain, the data
/// revision and the date above the map with its title, coverage line and legend; text as
/// outlines of the embedded CJK font.
#[utoipa::path(get, path = "/api/v1/chains/{id}/map.pdf", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), PdfParams),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>,
               description = "The map on one landscape page"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_map_pdf(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Principal>,
    Path(id): Path<String>,
    params: Result<Query<PdfParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    who.require_chain(&id)?;
    let params = query(params)?;
    let paper = params.paper.unwrap_or_default();
    let limit = map_limit(params.limit);
    let date = crate::render::pdf::day(crate::access::now());
    let pdf = state
        .read(move |snap| {
            let map = snap.quality_map(&id, limit)?;
            Ok(crate::render::pdf::chain_map_pdf(
                &map,
                paper,
                snap.revision,
                &date,
            ))
        })
        .await?
        .map_err(picture_error)?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}
