//! The three lists of a chain (三清单) as XLSX downloads: `GET /api/v1/chains/{id}/lists.xlsx
//! ?list=problems|projects|policy_tools`. What each download holds, and who may have it, is the
//! JSON route's of the same list (`service::lists`).

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{query, ApiPath};
use crate::service::lists::{chain_list, ListKind};
use crate::sheet::lists::{workbook, CONTENT_TYPE};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_chain_list_xlsx))
}

/// Which list to download.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListName {
    /// 问题清单: the chain's problems the caller reads, most severe first.
    Problems,
    /// 重点项目清单: the stored projects, and the ranked candidates where the caller reads them.
    Projects,
    /// 政策工具清单: the gaps with the policy tools that apply to each.
    PolicyTools,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `problems`, `projects` or `policy_tools`.
    #[param(inline)]
    list: ListName,
}

/// One of the three lists of a chain as an XLSX workbook (frozen header, autofilter, names
/// rather than codes, codes in columns of their own). Each list is given to exactly those who
/// may read it as JSON (`/chains/{id}/problems`, `/projects?chain=` and `/chains/{id}/projects`,
/// `/chains/{id}/policy-tools`), with the same rows.
#[utoipa::path(get, path = "/api/v1/chains/{id}/lists.xlsx", tag = "work",
    params(("id" = String, Path, description = "Chain id"), ListParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               body = Vec<u8>, description = "The list as a workbook"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_list_xlsx(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let kind = match query(params)?.list {
        ListName::Problems => ListKind::Problems,
        ListName::Projects => ListKind::Projects,
        ListName::PolicyTools => ListKind::PolicyTools,
    };
    let chain = id.clone();
    let tables = state
        .read(move |snap| chain_list(snap, &who, &chain, kind))
        .await?;
    let bytes =
        workbook(&tables).map_err(|e| ApiError::Internal(format!("writing the workbook: {e}")))?;
    let file = format!("{id}-{}.xlsx", kind.title());
    Ok((
        [
            (header::CONTENT_TYPE, CONTENT_TYPE.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}.xlsx\"; filename*=UTF-8''{}",
                    kind_ascii(kind),
                    percent_encode(&file)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A plain-ASCII file name for clients that ignore `filename*`.
fn kind_ascii(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Problems => "problems",
        ListKind::Projects => "projects",
        ListKind::PolicyTools => "policy-tools",
    }
}

/// RFC 5987 encoding of a file name: unreserved characters as they are, every other byte as %XX.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
