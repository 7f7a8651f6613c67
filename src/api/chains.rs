//! Chains and everything the analyses know about them: summaries, the quality map, the three
//! lists (problems, key projects, gaps with build recommendations), weak links, coverage, the
//! supplier view of a chain master, scenarios, provider what-ifs and the chain comparison.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::{AppState, Snapshot};
use super::{json_body, query, ApiPath};
use crate::analysis::assignment::Assignment;
use crate::analysis::compare::{ChainRow, QiReport};
use crate::analysis::coverage::{Coverage, CoverageReport, ElementCoverage, Gaps};
use crate::analysis::eligibility::Scope;
use crate::analysis::projects::KeyProjects;
use crate::analysis::recommend::{what_if, Recommendation, WhatIf, WhatIfResult};
use crate::analysis::{
    chain_scenario, run_scenario_on, supplier_view, AnalysisError, ChainReport, ChainScenario,
    Failure, ScenarioReport, SupplierView,
};
use crate::map::QualityMap;
use crate::model::{Category, Chain, Problem, Status};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_chains))
        .routes(routes!(get_chain))
        .routes(routes!(get_chain_map))
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

/// Runs an analysis of the current snapshot off the async threads.
async fn analysed<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Snapshot) -> Result<T, ApiError> + Send + 'static,
{
    let snap = state.snapshot();
    state.blocking(move || f(&snap)).await
}

/// A chain's key figures, as listed and compared.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainSummary {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chief: Option<String>,
    pub segments: usize,
    pub firms: usize,
    pub masters: usize,
    pub supplies: usize,
    pub demand_problems: usize,
    pub critical_nodes: usize,
    pub single_source_parts: usize,
    pub foreign_only_parts: usize,
    pub coverage: Coverage,
    pub coverage_by_element: Vec<ElementCoverage>,
}

fn summary(chain: &Chain, a: &crate::analysis::ChainAnalysis) -> ChainSummary {
    ChainSummary {
        id: chain.id.clone(),
        name: chain.name.clone(),
        chief: chain.chief.clone(),
        segments: chain.segments.len(),
        firms: a.weak.firms,
        masters: a.weak.masters.len(),
        supplies: a.weak.supplies,
        demand_problems: a.weak.segments.iter().map(|s| s.demand_problems).sum(),
        critical_nodes: a.weak.critical_nodes.len(),
        single_source_parts: a.weak.single_source_parts.len(),
        foreign_only_parts: a.weak.foreign_only_parts.len(),
        coverage: a.qi.coverage,
        coverage_by_element: a.qi.by_element.clone(),
    }
}

/// Every chain with its key figures, in id order.
#[utoipa::path(get, path = "/api/v1/chains", tag = "chains",
    responses((status = 200, body = Vec<ChainSummary>)))]
async fn list_chains(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<Vec<ChainSummary>>, ApiError> {
    analysed(&state, move |snap| {
        snap.dataset
            .chains
            .values()
            .filter(|c| who.reads_chain_aggregates(&c.id))
            .map(|c| {
                let a = snap.chain_analysis(&c.id)?;
                Ok(summary(c, &a))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await
    .map(Json)
}

/// A chain record with its key figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainDetail {
    pub chain: Chain,
    pub summary: ChainSummary,
}

/// One chain.
#[utoipa::path(get, path = "/api/v1/chains/{id}", tag = "chains",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = ChainDetail), (status = 404, body = ErrorBody)))]
async fn get_chain(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ChainDetail>, ApiError> {
    who.require(who.reads_chain_aggregates(&id))?;
    analysed(&state, move |snap| {
        let chain = snap
            .dataset
            .chains
            .get(&id)
            .ok_or_else(|| ApiError::not_found("chain", id.clone()))?;
        let a = snap.chain_analysis(&id)?;
        Ok(ChainDetail {
            chain: chain.clone(),
            summary: summary(chain, &a),
        })
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapParams {
    /// List at most this many firms, the most important first (default 400; 0 = all).
    limit: Option<usize>,
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
    let cached = params.limit.is_none()
        && snap.cache.chain(&id).is_some_and(|e| {
            if gzip {
                e.map_gzip.get().is_some()
            } else {
                e.map.get().is_some()
            }
        });
    let bytes = if cached && gzip {
        snap.default_map_gzip(&id)?
    } else if cached {
        snap.default_map(&id)?
    } else {
        state
            .blocking(move || match params.limit {
                None if gzip => snap.default_map_gzip(&id),
                None => snap.default_map(&id),
                Some(limit) => {
                    let limit = (limit > 0).then_some(limit);
                    let map = snap.quality_map(&id, limit)?;
                    Ok(Bytes::from(
                        serde_json::to_vec(&map).map_err(ApiError::internal)?,
                    ))
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemFilter {
    /// Only problems of firms in this segment.
    segment: Option<String>,
    category: Option<Category>,
    /// Only problems of at least this severity.
    severity: Option<u8>,
    status: Option<Status>,
    /// Only problems of this firm.
    firm: Option<String>,
    /// 1-based page (default 1).
    page: Option<usize>,
    /// Problems per page (default 50, at most 1000).
    per_page: Option<usize>,
}

/// A problem with where it sits on the chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemRow {
    #[serde(flatten)]
    pub problem: Problem,
    pub firm_name: String,
    pub segment: String,
}

/// One page of a chain's problem list (问题清单).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemPage {
    /// Problems matching the filter, over all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub problems: Vec<ProblemRow>,
}

/// The problem list of a chain, filtered and paginated (most severe first, then id).
#[utoipa::path(get, path = "/api/v1/chains/{id}/problems", tag = "chains",
    params(("id" = String, Path, description = "Chain id"), ProblemFilter),
    responses((status = 200, body = ProblemPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_chain_problems(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    filter: Result<Query<ProblemFilter>, QueryRejection>,
) -> Result<Json<ProblemPage>, ApiError> {
    let mut f = query(filter)?;
    // An enterprise sees its own problems on its chains, and nobody else's (not even a count).
    if let Some(own) = who.org() {
        let on_chain = state
            .snapshot()
            .dataset
            .organizations
            .get(own)
            .is_some_and(|o| o.membership(&id).is_some());
        who.require(on_chain && f.firm.as_deref().is_none_or(|firm| firm == own))?;
        f.firm = Some(own.to_string());
    } else {
        who.require_chain(&id)?;
    }
    let page = f.page.unwrap_or(1);
    let per_page = f.per_page.unwrap_or(50);
    if page == 0 || per_page == 0 || per_page > 1000 {
        return Err(ApiError::BadRequest(
            "page must be at least 1 and per_page between 1 and 1000".into(),
        ));
    }
    let snap = state.snapshot();
    let d = &snap.dataset;
    if !d.chains.contains_key(&id) {
        return Err(ApiError::not_found("chain", id));
    }
    let mut rows: Vec<ProblemRow> = d
        .problems_of_chain(&id)
        .filter(|p| f.category.is_none_or(|c| p.category == c))
        .filter(|p| f.severity.is_none_or(|s| p.severity >= s))
        .filter(|p| f.status.is_none_or(|s| p.status == s))
        .filter(|p| f.firm.as_ref().is_none_or(|firm| &p.org == firm))
        .filter_map(|p| {
            let org = d.organizations.get(&p.org)?;
            let segment = org.membership(&id)?.segment.clone();
            if f.segment.as_ref().is_some_and(|s| s != &segment) {
                return None;
            }
            Some(ProblemRow {
                problem: p.clone(),
                firm_name: org.name.clone(),
                segment,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.problem
            .severity
            .cmp(&a.problem.severity)
            .then_with(|| a.problem.id.cmp(&b.problem.id))
    });
    let total = rows.len();
    let problems = rows
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Ok(Json(ProblemPage {
        total,
        page,
        per_page,
        problems,
    }))
}

/// Key-project candidates of a chain (重点项目清单), ranked, in three categories.
#[utoipa::path(get, path = "/api/v1/chains/{id}/projects", tag = "chains",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = KeyProjects), (status = 404, body = ErrorBody)))]
async fn get_chain_projects(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<KeyProjects>, ApiError> {
    who.require_chain(&id)?;
    analysed(&state, move |snap| {
        Ok(snap.chain_analysis(&id)?.qi.projects.clone())
    })
    .await
    .map(Json)
}

/// Gaps of a scope and what to build where.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapReport {
    pub gaps: Gaps,
    /// Ranked (capability code, city, level) additions.
    pub recommendations: Vec<Recommendation>,
}

/// Infrastructure and capacity gaps of a chain, with ranked build recommendations.
#[utoipa::path(get, path = "/api/v1/chains/{id}/gaps", tag = "chains",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = GapReport), (status = 404, body = ErrorBody)))]
async fn get_chain_gaps(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GapReport>, ApiError> {
    who.require(who.reads_chain_aggregates(&id))?;
    analysed(&state, move |snap| {
        let a = snap.chain_analysis(&id)?;
        let mut gaps = a.qi.gaps.clone();
        if !who.reads_chain(&id) {
            // Aggregated for planners: how many needs and how much severity, not whose.
            for g in gaps
                .infrastructure
                .iter_mut()
                .chain(gaps.capacity.iter_mut())
            {
                g.firms.clear();
                g.problems.clear();
            }
        }
        Ok(GapReport {
            gaps,
            recommendations: a.qi.recommendations.clone(),
        })
    })
    .await
    .map(Json)
}

/// Weak links of a chain: critical nodes with evidence, single-source and foreign-only parts,
/// segments, risk and problem load.
#[utoipa::path(get, path = "/api/v1/chains/{id}/weak-links", tag = "analyses",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = ChainReport), (status = 404, body = ErrorBody)))]
async fn get_chain_weak_links(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ChainReport>, ApiError> {
    who.require_chain(&id)?;
    analysed(&state, move |snap| {
        Ok(snap.chain_analysis(&id)?.weak.clone())
    })
    .await
    .map(Json)
}

/// The coverage part of a QI report.
fn coverage_report(q: &QiReport) -> CoverageReport {
    CoverageReport {
        scope: q.scope.clone(),
        coverage: q.coverage,
        by_segment: q.by_segment.clone(),
        by_element: q.by_element.clone(),
        by_province: q.by_province.clone(),
        by_city: q.by_city.clone(),
    }
}

/// QI coverage of a chain (its own capacities), by segment, element, province and city.
#[utoipa::path(get, path = "/api/v1/chains/{id}/coverage", tag = "analyses",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = CoverageReport), (status = 404, body = ErrorBody)))]
async fn get_chain_coverage(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CoverageReport>, ApiError> {
    who.require(who.reads_chain_aggregates(&id))?;
    analysed(&state, move |snap| {
        Ok(coverage_report(&snap.chain_analysis(&id)?.qi))
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
    who.require_chain(&id)?;
    analysed(&state, move |snap| {
        Ok(snap.chain_analysis(&id)?.assignment.clone())
    })
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
    let own = who.org().is_some_and(|own| own == org);
    who.require(own || who.reads_chain(&id))?;
    analysed(&state, move |snap| {
        let graphs = snap.chain_graph(&id)?;
        let graph = graphs
            .chain(&id)
            .ok_or_else(|| ApiError::not_found("chain", id.clone()))?;
        let mut view = supplier_view(&snap.dataset, graph, &org).map_err(analysis_error)?;
        if !who.reads_chain(&id) {
            // A firm sees its supply base, not its suppliers' confidential problems.
            for s in &mut view.suppliers {
                s.problems.clear();
            }
        }
        Ok(view)
    })
    .await
    .map(Json)
}

fn analysis_error(e: AnalysisError) -> ApiError {
    match e {
        AnalysisError::UnknownChain { chain } => ApiError::not_found("chain", chain),
        AnalysisError::NotOnChain { firm, .. } => ApiError::not_found("chain member", firm),
        e @ AnalysisError::NotAChainMaster { .. } => ApiError::Invalid(
            crate::validate::ValidationError::new(
                crate::validate::ErrorCode::NotAMember,
                "",
                e.to_string(),
            )
            .into(),
        ),
    }
}

/// Firms that fail together.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    /// E.g. `[{"firms": ["f1", "f2"]}, "all_foreign", {"region_prefix": "3205"}]`.
    pub failures: Vec<Failure>,
}

/// What-if failures on one chain: which firms and masters are disabled.
#[utoipa::path(post, path = "/api/v1/chains/{id}/scenarios", tag = "analyses",
    params(("id" = String, Path, description = "Chain id")), request_body = ScenarioRequest,
    responses((status = 200, body = ChainScenario), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_chain_scenario(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ChainScenario>, ApiError> {
    who.require_chain(&id)?;
    let request: ScenarioRequest = json_body(body, &state)?;
    analysed(&state, move |snap| {
        unknown_firms(&snap.dataset, &request)?;
        let graphs = snap.chain_graph(&id)?;
        let graph = graphs
            .chain(&id)
            .ok_or_else(|| ApiError::not_found("chain", id.clone()))?;
        let name = snap.dataset.chains.get(&id).map(|c| c.name.clone());
        Ok(chain_scenario(
            graph,
            name.unwrap_or_default(),
            &request.failures,
        ))
    })
    .await
    .map(Json)
}

/// Named firms that do not exist are a 422 with the path of each.
fn unknown_firms(d: &crate::model::Dataset, request: &ScenarioRequest) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, f) in request.failures.iter().enumerate() {
        if let Failure::Firms(ids) = f {
            for (j, id) in ids.iter().enumerate() {
                if !d.organizations.contains_key(id) {
                    errors.push(crate::validate::ValidationError::new(
                        crate::validate::ErrorCode::UnknownOrganization,
                        format!("/failures/{i}/firms/{j}"),
                        format!("unknown organization {id:?}"),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(errors.into()))
    }
}

/// What-if failures across every chain.
#[utoipa::path(post, path = "/api/v1/scenarios", tag = "analyses", request_body = ScenarioRequest,
    responses((status = 200, body = ScenarioReport), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_dataset_scenario(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ScenarioReport>, ApiError> {
    who.require(who.all_chains())?;
    let request: ScenarioRequest = json_body(body, &state)?;
    analysed(&state, move |snap| {
        unknown_firms(&snap.dataset, &request)?;
        let graphs: Vec<Arc<crate::graph::Graphs>> = snap
            .dataset
            .chains
            .keys()
            .map(|id| snap.chain_graph(id))
            .collect::<Result<_, _>>()?;
        Ok(run_scenario_on(
            &snap.dataset,
            graphs.iter().flat_map(|g| g.iter()),
            &request.failures,
        ))
    })
    .await
    .map(Json)
}

/// Hypothetical providers to add and real ones to remove, for one chain or the whole dataset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// A chain id (its own capacities), or absent for the whole dataset (capacities shared).
    #[serde(default)]
    pub chain: Option<String>,
    #[serde(flatten)]
    pub change: WhatIf,
}

/// Coverage before and after adding hypothetical providers or removing real ones.
#[utoipa::path(post, path = "/api/v1/what-if", tag = "analyses", request_body = WhatIfRequest,
    responses((status = 200, body = WhatIfResult), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_what_if(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WhatIfResult>, ApiError> {
    let request: WhatIfRequest = json_body(body, &state)?;
    analysed(&state, move |snap| {
        who.require(match &request.chain {
            Some(id) => who.reads_chain_aggregates(id),
            None => who.reads_dataset_aggregates(),
        })?;
        let scope = match request.chain {
            Some(id) if !snap.dataset.chains.contains_key(&id) => {
                return Err(ApiError::not_found("chain", id))
            }
            Some(id) => Scope::Chain(id),
            None => Scope::All,
        };
        if let Some(id) = request.change.remove.iter().find(|id| {
            !snap
                .dataset
                .organizations
                .get(*id)
                .is_some_and(|o| o.is_provider())
        }) {
            return Err(ApiError::not_found("provider", id.clone()));
        }
        Ok(what_if(&snap.dataset, &scope, &request.change))
    })
    .await
    .map(Json)
}

/// Planners' comparison: one row per chain, plus the dataset-wide coverage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub chains: Vec<ChainRow>,
    /// All needs matched at once, capacities shared across chains.
    pub dataset: Coverage,
    pub dataset_by_element: Vec<ElementCoverage>,
}

/// The chain comparison for planners.
#[utoipa::path(get, path = "/api/v1/comparison", tag = "analyses",
    responses((status = 200, body = Comparison)))]
async fn get_comparison(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<Comparison>, ApiError> {
    who.require(who.reads_dataset_aggregates())?;
    analysed(&state, |snap| {
        let all = snap.dataset_analysis()?;
        Ok(Comparison {
            chains: all.comparison.clone(),
            dataset: all.qi.coverage,
            dataset_by_element: all.qi.by_element.clone(),
        })
    })
    .await
    .map(Json)
}

/// Coverage of the whole dataset (capacities shared across chains), with gaps and
/// recommendations.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "analyses",
    responses((status = 200, body = QiReport)))]
async fn get_dataset_coverage(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<QiReport>, ApiError> {
    who.require(who.reads_dataset_aggregates())?;
    analysed(&state, move |snap| {
        let mut qi = snap.dataset_analysis()?.qi.clone();
        if !who.all_chains() {
            // Aggregated for planners: no firms, problems or projects.
            for g in qi
                .gaps
                .infrastructure
                .iter_mut()
                .chain(qi.gaps.capacity.iter_mut())
            {
                g.firms.clear();
                g.problems.clear();
            }
            qi.projects = Default::default();
        }
        Ok(qi)
    })
    .await
    .map(Json)
}
