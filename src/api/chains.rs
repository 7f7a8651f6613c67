//! Chains and everything the analyses know about them: summaries, the quality map, the three
//! lists (problems, key projects, gaps with build recommendations), weak links, coverage, the
//! supplier view of a chain master, scenarios, provider what-ifs and the chain comparison.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{doc, json_body, query, ApiPath};
use crate::analysis::assignment::Assignment;
use crate::analysis::coverage::CoverageReport;
use crate::analysis::projects::KeyProjects;
use crate::analysis::recommend::WhatIf;
use crate::analysis::recommend::WhatIfResult;
use crate::analysis::{ChainReport, ChainScenario, Failure, ScenarioReport, SupplierView};
use crate::map::{GroupPage, QualityMap};
use crate::model::Problem;
use crate::service::chains::{
    self, ChainDetail, Comparison, DatasetCoverage, GapReport, ListedChain, ProblemFilter,
    ProblemPage, ProblemRow, ScenarioRequest, WeakLinks, WhatIfRequest,
};
use crate::service::work::ProjectRef;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::openapi::{schema::Schema, RefOr};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_chains))
        .routes(routes!(get_chain))
        .routes(routes!(get_chain_map))
        .routes(routes!(get_chain_map_group))
        .routes(routes!(get_chain_graphml))
        .routes(routes!(list_chain_problems))
        .routes(routes!(get_chain_projects))
        .routes(routes!(get_chain_gaps))
        .routes(routes!(get_chain_weak_links))
        .routes(routes!(get_chain_coverage))
        .routes(routes!(get_chain_assignment))
        .routes(routes!(get_supplier_view))
        .routes(routes!(run_chain_scenario))
        .routes(routes!(run_dataset_scenario))
        .routes(routes!(run_what_if))
        .routes(routes!(get_comparison))
        .routes(routes!(get_dataset_coverage))
}

/// Which revision a chain read answers as of.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtRevision {
    /// Answer as the data stood right after this revision (see `/api/v1/revisions`; a survey's
    /// revision, typically). Default: the current data. An unknown revision is 404
    /// `unknown_revision`; one whose history is gone, 404 `revision_not_kept`.
    revision: Option<u64>,
}

/// The revision asked for, or a 400 when the parameter does not parse.
fn at(q: Result<Query<AtRevision>, QueryRejection>) -> Result<Option<u64>, ApiError> {
    Ok(query(q)?.revision)
}

/// Every chain with its key figures, in id order. Right after a start or an import, a chain
/// whose analysis is still being computed is listed at once with the figures that need none and
/// `pending: true` (its analysis figures absent); such an answer is incomplete, so it says
/// `Cache-Control: no-store` and carries no `ETag`: ask again (every few seconds) until no row
/// is pending. As of an earlier revision every row is complete.
#[utoipa::path(get, path = "/api/v1/chains", tag = "chains", params(AtRevision),
    responses((status = 200, body = Vec<ListedChain>), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn list_chains(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    revision: Result<Query<AtRevision>, QueryRejection>,
) -> Result<Response, ApiError> {
    let rows = match at(revision)? {
        Some(revision) => state
            .read_at(Some(revision), move |snap| chains::summaries(snap, &who))
            .await?
            .into_iter()
            .map(ListedChain::Ready)
            .collect(),
        None => {
            let service = state.service().clone();
            state
                .read(move |snap| service.chain_list(snap, &who))
                .await?
        }
    };
    let partial = rows.iter().any(ListedChain::is_pending);
    let mut res = Json(rows).into_response();
    if partial {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(super::etag::NO_STORE),
        );
    }
    Ok(res)
}

/// One chain.
#[utoipa::path(get, path = "/api/v1/chains/{id}", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), AtRevision),
    responses((status = 200, body = ChainDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    revision: Result<Query<AtRevision>, QueryRejection>,
) -> Result<Json<ChainDetail>, ApiError> {
    state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            chains::detail(snap, &who, &id)
        })
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapParams {
    /// List at most this many firms individually, the most important first; the others are
    /// counted in their segment's groups (default and 0: as the grouping allows: a segment of
    /// more than 60 firms lists its masters, critical and foreign firms and groups the rest by
    /// risk class).
    limit: Option<usize>,
    /// Answer as the data stood right after this revision (default: the current data).
    revision: Option<u64>,
}

/// The quality map of a chain (一图): one document with everything a page needs to draw it.
#[utoipa::path(get, path = "/api/v1/chains/{id}/map", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), MapParams),
    responses((status = 200, body = QualityMap), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_map(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    params: Result<Query<MapParams>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    who.require_chain(&id)?;
    let params = query(params)?;
    let snap = state.snapshot();
    // The default map is large (hundreds of KB on a big chain) and asked for most: it is also
    // kept gzip-compressed, so serving it costs neither compression nor a tenth of the bytes.
    let gzip = params.limit.is_none() && accepts_gzip(&headers);
    // The default map of a warm chain is served from cached bytes without leaving this thread.
    let bytes = if params.revision.is_none()
        && params.limit.is_none()
        && snap.default_map_ready(&id, gzip)
    {
        if gzip {
            snap.default_map_gzip(&id)?
        } else {
            snap.default_map(&id)?
        }
    } else {
        state
            .read_chain_at(params.revision, &id.clone(), move |snap| {
                match params.limit {
                    None if gzip => snap.default_map_gzip(&id),
                    None => snap.default_map(&id),
                    Some(limit) => {
                        let limit = (limit > 0).then_some(limit);
                        let map = snap.quality_map(&id, limit)?;
                        Ok(Bytes::from(
                            serde_json::to_vec(&map).map_err(crate::service::Error::internal)?,
                        ))
                    }
                }
            })
            .await?
    };
    let mut response = ([(header::CONTENT_TYPE, "application/json")], bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupParams {
    /// The `limit` of the map the group belongs to (default: none).
    limit: Option<usize>,
    /// Firms of the group to skip, the most important first (default 0).
    offset: Option<usize>,
    /// Firms to answer (default 200, at most 2000).
    page_size: Option<usize>,
    /// Answer as the data stood right after this revision (default: the current data).
    revision: Option<u64>,
}

/// One page of the firms of a group of the chain's map (`groups[].id` of
/// `GET /api/v1/chains/{id}/map`), most important first, with their supplies to the firms drawn,
/// their problems and providers: what the page needs to expand the group.
#[utoipa::path(get, path = "/api/v1/chains/{id}/map/groups/{group}", tag = "chains",
    params(("id" = String, Path, description = "Chain id"),
           ("group" = String, Path, description = "Group id, e.g. `cell~high`"), GroupParams),
    responses((status = 200, body = GroupPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_map_group(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath((id, group)): ApiPath<(String, String)>,
    params: Result<Query<GroupParams>, QueryRejection>,
) -> Result<Json<GroupPage>, ApiError> {
    who.require_chain(&id)?;
    let params = query(params)?;
    let size = params.page_size.unwrap_or(crate::map::GROUP_PAGE);
    if size == 0 || size > crate::map::GROUP_PAGE_MAX {
        return Err(ApiError::BadRequest(format!(
            "page_size must be between 1 and {}",
            crate::map::GROUP_PAGE_MAX
        )));
    }
    let limit = params.limit.filter(|&l| l > 0);
    let offset = params.offset.unwrap_or(0);
    state
        .read_chain_at(params.revision, &id.clone(), move |snap| {
            snap.map_group(&id, limit, &group, offset, size)?
                .ok_or_else(|| crate::service::Error::not_found("map group", group))
        })
        .await
        .map(Json)
}

/// A chain as a GraphML document for graph tools (Gephi, yEd, networkx): the member firms and
/// the providers its optimal assignment gives a need as nodes (name, kind, role, segment,
/// region, foreign, risk, critical, problem_load), its supplies as directed edges supplier →
/// customer (part, single_source, foreign_only). Nodes in id order.
#[utoipa::path(get, path = "/api/v1/chains/{id}/graph.graphml", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), AtRevision),
    responses((status = 200, content_type = "application/graphml+xml", body = String,
               description = "The chain's firms, serving providers and supplies as GraphML"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_graphml(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    revision: Result<Query<AtRevision>, QueryRejection>,
) -> Result<Response, ApiError> {
    who.require_chain(&id)?;
    let document = state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            let analysis = snap.chain_analysis(&id)?;
            let chain = snap
                .dataset
                .chains
                .get(&id)
                .ok_or_else(|| crate::service::Error::not_found("chain", &id))?;
            Ok(crate::render::graphml::chain_graphml(
                &snap.dataset,
                chain,
                &analysis,
            ))
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, crate::render::graphml::CONTENT_TYPE)],
        document,
    )
        .into_response())
}

/// Whether `Accept-Encoding` admits gzip (`gzip` or `*`, unless given `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// The problem list of a chain, filtered and paginated (most severe first, then id).
#[utoipa::path(get, path = "/api/v1/chains/{id}/problems", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), ProblemFilter, AtRevision),
    responses((status = 200, body = ProblemPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_chain_problems(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    filter: Result<Query<ProblemFilter>, QueryRejection>,
    revision: Result<Query<AtRevision>, QueryRejection>,
) -> Result<Json<ProblemPage>, ApiError> {
    let f = query(filter)?;
    state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            chains::problems(snap, &who, &id, f)
        })
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftYear {
    /// The year of the drafts the candidates carry (default: this year).
    #[param(minimum = 1990, maximum = 2100)]
    year: Option<u16>,
}

/// Key-project candidates of a chain (重点项目清单), ranked, in three categories: what no live
/// project tackles yet. For those who may write the chain's projects each carries a `draft`, a
/// project record (status `proposed`) to `POST /api/v1/projects` as it is (立项 in one step).
#[utoipa::path(get, path = "/api/v1/chains/{id}/projects", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), AtRevision, DraftYear),
    responses((status = 200, body = KeyProjects), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_projects(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    revision: Result<Query<AtRevision>, QueryRejection>,
    year: Result<Query<DraftYear>, QueryRejection>,
) -> Result<Json<KeyProjects>, ApiError> {
    let year = query(year)?.year;
    state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            crate::service::tackling::candidates_of(snap, &who, &id, year)
        })
        .await
        .map(Json)
}

/// Where a gaps report's recommendations and capacity advice may point.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Within {
    /// Keep every placement and every provider to expand inside this region prefix: two digits
    /// for a province (`32`), four for a city (`3205`); `all` for no limit. Default: for a
    /// regulator limited to some chains, the province where most of the chain's firms sit; for
    /// others no limit. Anything else is 400.
    #[param(pattern = "^([0-9]{2}|[0-9]{4}|all)$")]
    within: Option<String>,
}

/// Infrastructure and capacity gaps of a chain, with build recommendations (one per capability
/// and city, larger levels folded in as alternatives) and advice to expand full providers, kept
/// inside a jurisdiction (`within`).
#[utoipa::path(get, path = "/api/v1/chains/{id}/gaps", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), AtRevision, Within),
    responses((status = 200, body = GapReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_gaps(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    revision: Result<Query<AtRevision>, QueryRejection>,
    within: Result<Query<Within>, QueryRejection>,
) -> Result<Json<GapReport>, ApiError> {
    let within = query(within)?.within;
    state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            chains::gaps(snap, &who, &id, within.as_deref())
        })
        .await
        .map(Json)
}

/// Weak links of a chain: critical nodes with evidence, single-source and foreign-only parts,
/// segments, risk and problem load, and per weak firm the projects tackling its problems.
#[utoipa::path(get, path = "/api/v1/chains/{id}/weak-links", tag = "analyses",
    params(("id" = String, Path, description = "Chain id"), AtRevision),
    responses((status = 200, body = WeakLinks), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_weak_links(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    revision: Result<Query<AtRevision>, QueryRejection>,
) -> Result<Json<WeakLinks>, ApiError> {
    state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            chains::weak_links(snap, &who, &id)
        })
        .await
        .map(Json)
}

/// QI coverage of a chain (its own capacities), by segment, element, province and city.
#[utoipa::path(get, path = "/api/v1/chains/{id}/coverage", tag = "analyses",
    params(("id" = String, Path, description = "Chain id"), AtRevision),
    responses((status = 200, body = CoverageReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_chain_coverage(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    revision: Result<Query<AtRevision>, QueryRejection>,
) -> Result<Json<CoverageReport>, ApiError> {
    state
        .read_chain_at(at(revision)?, &id.clone(), move |snap| {
            chains::coverage(snap, &who, &id)
        })
        .await
        .map(Json)
}

/// The optimal assignment of a chain's needs to providers, need by need.
#[utoipa::path(get, path = "/api/v1/chains/{id}/assignment", tag = "analyses",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = Assignment), (status = 404, body = ErrorBody)))]
async fn get_chain_assignment(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Assignment>, ApiError> {
    state
        .read(move |snap| chains::assignment(snap, &who, &id))
        .await
        .map(Json)
}

/// The supplier view of a chain master: every firm upstream at any tier, critical ones first.
#[utoipa::path(get, path = "/api/v1/chains/{id}/masters/{org}/suppliers", tag = "analyses",
    params(("id" = String, Path, description = "Chain id"), ("org" = String, Path, description = "Chain master id")),
    responses((status = 200, body = SupplierView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_supplier_view(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath((id, org)): ApiPath<(String, String)>,
) -> Result<Json<SupplierView>, ApiError> {
    state
        .read(move |snap| chains::suppliers(snap, &who, &id, &org))
        .await
        .map(Json)
}

/// What-if failures on one chain: which firms and masters are disabled.
#[utoipa::path(post, path = "/api/v1/chains/{id}/scenarios", tag = "analyses",
    params(("id" = String, Path, description = "Chain id")), request_body = ScenarioRequest,
    responses((status = 200, body = ChainScenario), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn run_chain_scenario(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ChainScenario>, ApiError> {
    who.require_chain(&id)?;
    let request: ScenarioRequest = json_body(body, &state)?;
    state
        .read(move |snap| chains::chain_scenario_of(snap, &who, &id, &request))
        .await
        .map(Json)
}

/// What-if failures across every chain.
#[utoipa::path(post, path = "/api/v1/scenarios", tag = "analyses", request_body = ScenarioRequest,
    responses((status = 200, body = ScenarioReport), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_dataset_scenario(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ScenarioReport>, ApiError> {
    who.require(who.all_chains())?;
    let request: ScenarioRequest = json_body(body, &state)?;
    state
        .read(move |snap| chains::dataset_scenario(snap, &who, &request))
        .await
        .map(Json)
}

/// Coverage before and after adding hypothetical providers or removing real ones.
#[utoipa::path(post, path = "/api/v1/what-if", tag = "analyses", request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfResult), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn run_what_if(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WhatIfResult>, ApiError> {
    let request: WhatIfRequest = json_body(body, &state)?;
    state
        .read(move |snap| chains::what_if_of(snap, &who, request))
        .await
        .map(Json)
}

/// The chain comparison for planners.
///
/// Right after a write, while the figures of the current data are being computed, a serving process may answer those of an earlier revision, marked
/// `as_of_revision` and `Cache-Control: no-store` (no `ETag`): ask again until it is absent.
#[utoipa::path(get, path = "/api/v1/comparison", tag = "analyses",
    responses((status = 200, body = Comparison), (status = 202, body = ErrorBody,
               description = "`computing`: the whole dataset's figures are being computed for the first time since the service started (the work goes on); ask again after `Retry-After` seconds")))]
async fn get_comparison(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Response, ApiError> {
    let service = state.service().clone();
    let comparison = state
        .read(move |snap| chains::comparison(snap, &who, |s| service.dataset_scope(s)))
        .await?;
    let earlier = comparison.as_of_revision.is_some();
    Ok(super::etag::no_store_if(
        earlier,
        Json(comparison).into_response(),
    ))
}

/// Coverage of the whole dataset (capacities shared across chains), with gaps and
/// recommendations.
///
/// Right after a write it may be an earlier revision's, marked as the comparison is (see
/// `/api/v1/comparison`).
#[utoipa::path(get, path = "/api/v1/coverage", tag = "analyses",
    responses((status = 200, body = DatasetCoverage), (status = 202, body = ErrorBody,
               description = "`computing`: the whole dataset's figures are being computed for the first time since the service started (the work goes on); ask again after `Retry-After` seconds")))]
async fn get_dataset_coverage(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Response, ApiError> {
    let service = state.service().clone();
    let coverage = state
        .read(move |snap| chains::dataset_coverage(snap, &who, |s| service.dataset_scope(s)))
        .await?;
    let earlier = coverage.as_of_revision.is_some();
    Ok(super::etag::no_store_if(
        earlier,
        Json(coverage).into_response(),
    ))
}

// The schemas of request and response shapes whose derived schema would not say what the server
// reads or writes (a flattened record with fields beside it; scenario failures whose object
// forms take one key only).

/// The schema of a [`ProblemRow`]: the problem's own schema with `firm_name`, `segment`,
/// `projects` and `tackled`.
impl utoipa::PartialSchema for ProblemRow {
    fn schema() -> RefOr<Schema> {
        doc::extended(
            <Problem as utoipa::PartialSchema>::schema(),
            "A problem with where it sits on the chain and the projects tackling it.",
            &[
                (
                    "firm_name",
                    doc::string("The name of the firm holding the problem."),
                    true,
                ),
                (
                    "segment",
                    doc::string("The chain segment of that firm."),
                    true,
                ),
                (
                    "projects",
                    project_refs(
                        "The projects listing the problem that the token reads, live ones \
                         (neither cancelled nor completed) first, then by id.",
                    ),
                    true,
                ),
                (
                    "tackled",
                    doc::boolean("Whether one of `projects` is live."),
                    true,
                ),
            ],
        )
    }
}

impl ToSchema for ProblemRow {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <Problem as ToSchema>::schemas(schemas);
        project_ref_schemas(schemas);
    }
}

/// A list of [`ProjectRef`]s.
fn project_refs(description: &str) -> RefOr<Schema> {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name(ProjectRef::name()))
        .description(Some(description))
        .into()
}

/// An object keyed by firm id whose values are lists of [`ProjectRef`]s.
fn per_firm(description: &str) -> RefOr<Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder};
    ObjectBuilder::new()
        .description(Some(description))
        .additional_properties(Some(AdditionalProperties::RefOr(project_refs(
            "The projects, live ones first, then by id.",
        ))))
        .into()
}

/// [`ProjectRef`] and what it refers to, for the schemas that list projects.
fn project_ref_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((
        ProjectRef::name().into_owned(),
        <ProjectRef as utoipa::PartialSchema>::schema(),
    ));
    <ProjectRef as ToSchema>::schemas(schemas);
}

/// The schema of [`WeakLinks`]: the weak-link report's own schema with `projects_by_firm`.
impl utoipa::PartialSchema for WeakLinks {
    fn schema() -> RefOr<Schema> {
        doc::extended(
            <ChainReport as utoipa::PartialSchema>::schema(),
            "The weak links of a chain, with the projects tackling problems of each weak firm.",
            &[(
                "projects_by_firm",
                per_firm(
                    "Per firm that is a critical node or the buyer of a single-source or \
                     foreign-only part: the projects of the chain tackling one of its problems \
                     (any status), live ones first, then by id. A firm with none is left out.",
                ),
                true,
            )],
        )
    }
}

impl ToSchema for WeakLinks {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <ChainReport as ToSchema>::schemas(schemas);
        project_ref_schemas(schemas);
    }
}

/// The schema of a [`Failure`] as the server reads it: an object form has its one key only.
struct FailureSchema;

impl utoipa::PartialSchema for FailureSchema {
    fn schema() -> RefOr<Schema> {
        doc::closed_alternatives(<Failure as utoipa::PartialSchema>::schema())
    }
}

impl ToSchema for FailureSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        <Failure as ToSchema>::name()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <Failure as ToSchema>::schemas(schemas);
    }
}

/// The schema of a [`ScenarioRequest`]: `failures`, each a closed [`FailureSchema`].
impl utoipa::PartialSchema for ScenarioRequest {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder};
        ObjectBuilder::new()
            .description(Some("Firms that fail together."))
            .property(
                "failures",
                ArrayBuilder::new()
                    .items(<FailureSchema as utoipa::PartialSchema>::schema())
                    .description(Some(
                        "E.g. `[{\"firms\": [\"f1\", \"f2\"]}, \"all_foreign\", \
                         {\"region_prefix\": \"3205\"}]`.",
                    )),
            )
            .required("failures")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ScenarioRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <FailureSchema as ToSchema>::schemas(schemas);
    }
}

/// The schema of a [`WhatIfRequest`]: the change's own schema with `chain`.
impl utoipa::PartialSchema for WhatIfRequest {
    fn schema() -> RefOr<Schema> {
        let chain = utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::Type::String,
                utoipa::openapi::Type::Null,
            ]))
            .description(Some(
                "A chain id (its own capacities), or absent for the whole dataset (capacities \
                 shared).",
            ))
            .build();
        doc::extended(
            <WhatIf as utoipa::PartialSchema>::schema(),
            "Hypothetical providers to add and real ones to remove, for one chain or the whole \
             dataset.",
            &[("chain", chain.into(), false)],
        )
    }
}

impl ToSchema for WhatIfRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <WhatIf as ToSchema>::schemas(schemas);
    }
}
