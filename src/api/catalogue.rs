//! The capability catalogue (能力目录): reference data every role reads, written by import.

use super::error::ApiError;
use super::state::AppState;
use crate::model::CatalogueEntry;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_capabilities))
}

/// The capability catalogue, in code order: the Chinese name, standards and description of each
/// catalogued capability code. Every role reads it (it names codes, it holds no one's data); a
/// code without an entry is shown as it is. Written by import (`capabilities` of a bundle).
#[utoipa::path(get, path = "/api/v1/capabilities", tag = "chains",
    responses((status = 200, body = Vec<CatalogueEntry>)))]
async fn get_capabilities(
    State(state): State<AppState>,
) -> Result<Json<Vec<CatalogueEntry>>, ApiError> {
    state
        .read(|snap| Ok(snap.dataset.capabilities.values().cloned().collect()))
        .await
        .map(Json)
}
