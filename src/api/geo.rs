//! Coverage by region as GeoJSON: `GET /api/v1/coverage/regions.geojson`, drawn by
//! `render::geojson` on the vendored boundaries, with the access rules of the JSON coverage
//! routes (see `service::chains::regions_geojson`).

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::query;
use super::state::AppState;
use crate::render::boundaries::RegionLevel;
use crate::service::chains;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_regions_geojson))
}

/// Provinces or cities.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelParam {
    #[default]
    Province,
    City,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionsParams {
    /// One chain's coverage (its own capacities), with the access rules of
    /// `/api/v1/chains/{id}/coverage`. Default: the whole dataset (capacities shared across
    /// chains), with those of `/api/v1/coverage`.
    chain: Option<String>,
    /// `province` (default) or `city`.
    #[param(inline)]
    level: Option<LevelParam>,
    /// Only the regions of this province: its two-digit code, e.g. `32` (江苏).
    #[param(pattern = "^[0-9]{2}$")]
    province: Option<String>,
}

/// QI coverage by province or city as a GeoJSON FeatureCollection: one feature per region with
/// its boundary (Polygon or MultiPolygon of `[lon, lat]`) and the properties `code`, `name`,
/// `level`, `needs`, `reachable`, `assigned`, `severity_total`, `severity_assigned`,
/// `severity_unmet`, `infrastructure_gaps`, `capacity_gaps`, `coverage_share` (null without
/// needs), `providers` (`national`, `provincial`, `municipal` counts located there) and `firms`.
/// Regions without firms are features with zero figures. Right after a write, the dataset's
/// may be an earlier revision's, marked by a top-level `as_of_revision` and `Cache-Control:
/// no-store` (no `ETag`), as `/api/v1/comparison` is. Boundaries: the China maps of
/// `echarts` 4.9.0 (Apache-2.0), vendored.
#[utoipa::path(get, path = "/api/v1/coverage/regions.geojson", tag = "analyses",
    params(RegionsParams),
    responses((status = 200, content_type = "application/geo+json", body = Object,
               description = "A FeatureCollection, one feature per province or city"),
              (status = 202, body = ErrorBody,
               description = "`computing`: the whole dataset's figures are being computed for the first time since the service started (the work goes on); ask again after `Retry-After` seconds"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_regions_geojson(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    params: Result<Query<RegionsParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let level = match params.level.unwrap_or_default() {
        LevelParam::Province => RegionLevel::Province,
        LevelParam::City => RegionLevel::City,
    };
    let service = state.service().clone();
    let (document, earlier) = state
        .read(move |snap| {
            let mut earlier = false;
            let document = chains::regions_geojson_from(
                snap,
                &who,
                params.chain.as_deref(),
                level,
                params.province.as_deref(),
                |s| {
                    let scope = service.dataset_scope(s)?;
                    earlier = scope.as_of_revision.is_some();
                    Ok(scope)
                },
            )?;
            Ok((document, earlier))
        })
        .await?;
    Ok(super::etag::no_store_if(
        earlier,
        (
            [(header::CONTENT_TYPE, crate::render::geojson::CONTENT_TYPE)],
            document,
        )
            .into_response(),
    ))
}
