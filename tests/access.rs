//! Access control: every `/api/v1` endpoint called with every role, and with no token, an
//! expired token, a revoked token and a token of another organization; each call is allowed or
//! refused exactly as the roles say, and no allowed answer to an enterprise carries another
//! organization's problems.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use qmap::api::{ApiConfig, AppState};
use qmap::model::access::AccessRole;
use qmap::store::Store;
use std::collections::BTreeSet;
use tower::ServiceExt;

const PB: &str = "pb-power-battery";
const H2: &str = "h2-hydrogen";
/// A chain master of the battery chain, holding problems pb-p001..pb-p004.
const FIRM: &str = "pb-ly-cell";
/// A firm of the hydrogen chain: "another organization".
const OTHER: &str = "h2-ym-coalh2";
/// A project of the battery chain led by FIRM, tackling FIRM's pb-p002 and pb-cz-ev's pb-p005
/// (which FIRM must not see through it).
const PB_PROJECT: &str = "acc-pb-project";
/// A project of the hydrogen chain led by OTHER.
const H2_PROJECT: &str = "acc-h2-project";
/// A consortium of the battery chain led by FIRM.
const PB_CONSORTIUM: &str = "acc-pb-consortium";
const TOOL: &str = "acc-tool";
/// A pending disclosure request to OTHER from a customer of it on the hydrogen chain.
const REQUEST: &str = "dr-acc";
const GOAL: &str = "acc-goal";
/// A notice about a supplier of FIRM naming one of the supplier's undisclosed problems, with
/// FIRM among its recipients.
const NOTICE: &str = "nt-900";

/// The quality-work records the matrix reads and writes, beside the demo's.
fn work_records() -> serde_json::Value {
    serde_json::json!({"version": 1,
        "projects": [
            {"id": PB_PROJECT, "title": "电芯一致性攻关", "category": "key_product", "chain": PB,
             "lead": FIRM, "participants": ["pb-q-nat-lithium"], "problems": ["pb-p002", "pb-p005"],
             "year": 2025, "status": "approved"},
            {"id": H2_PROJECT, "title": "煤制氢纯度攻关", "category": "common_technology",
             "chain": H2, "lead": OTHER, "problems": ["h2-p007"], "year": 2025,
             "status": "in_progress"}],
        "consortia": [
            {"id": PB_CONSORTIUM, "name": "动力电池质量创新联合体", "chain": PB, "lead": FIRM,
             "members": ["pb-q-nat-lithium"], "founded": 2024},
            {"id": "acc-h2-consortium", "name": "氢能质量创新联合体", "chain": H2, "lead": OTHER,
             "members": [], "founded": 2024}],
        "policy_tools": [
            {"id": TOOL, "title": "检验检测能力提升补助", "kind": "testing",
             "issuer": "江苏省市场监督管理局", "region": "32", "year": 2025,
             "elements": ["testing"], "gaps": ["infrastructure"]}],
        "goals": [
            {"id": GOAL, "region": "32", "year": 2025, "targets": {"key_product": 10},
             "international_share": 0.6}],
        "notices": [
            {"id": NOTICE, "chain": PB, "about": {"firm": "pb-cz-lfp", "problem": "pb-p026"},
             "kind": "defect", "severity": 4, "message": "正极批次异常", "direction": "downstream",
             "sender": "pb-cz-lfp", "sent_at": 1,
             "recipients": [{"org": FIRM, "relation": "customer", "master": true}]}]})
}

/// Whether enterprise `org` may read `p`, as docs/domain.md says (written here apart from the
/// service's rule): its own; disclosed to `chain` and `org` a member of its chain; disclosed to
/// `customers` and `org` downstream of the holder on its chain.
fn readable_by(d: &qmap::model::Dataset, org: &str, p: &qmap::model::Problem) -> bool {
    use qmap::model::Disclosure;
    match p.disclosure {
        _ if p.org == org => true,
        Disclosure::Private => false,
        Disclosure::Chain => d
            .organizations
            .get(org)
            .is_some_and(|o| o.membership(&p.chain).is_some()),
        Disclosure::Customers => {
            // Walk downstream from the holder.
            let mut seen = BTreeSet::from([p.org.clone()]);
            let mut todo = vec![p.org.clone()];
            while let Some(f) = todo.pop() {
                for s in d
                    .supplies
                    .iter()
                    .filter(|s| s.chain == p.chain && s.supplier == f)
                {
                    if seen.insert(s.customer.clone()) {
                        todo.push(s.customer.clone());
                    }
                }
            }
            seen.contains(org)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Admin,
    Regulator,
    /// A regulator given only the battery chain.
    Limited,
    /// The enterprise FIRM.
    Firm,
    /// The enterprise OTHER.
    Other,
    Planner,
    Nobody,
    Expired,
    Revoked,
}

use Who::*;

const EVERYONE: [Who; 9] = [
    Admin, Regulator, Limited, Firm, Other, Planner, Nobody, Expired, Revoked,
];

struct App {
    router: axum::Router,
    state: AppState,
    tokens: Vec<(Who, String)>,
    /// The id of a token nobody uses, for the revocation cases.
    spare: String,
    dataset: qmap::model::Dataset,
    _dir: tempfile::TempDir,
}

fn issue(
    store: &Store,
    role: AccessRole,
    org: Option<&str>,
    chains: &[String],
) -> qmap::access::Issued {
    let issued =
        qmap::access::issue(role, org, chains, Some(30), qmap::access::now(), store).unwrap();
    store.put_token(&issued.token).unwrap();
    issued
}

fn app() -> App {
    app_with(ApiConfig {
        // The matrix makes many refused calls from one (in-process) address.
        failed_attempts_per_minute: 10_000,
        notices_per_minute: 10_000,
        ..ApiConfig::default()
    })
}

fn app_with(config: ApiConfig) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());
    let work = qmap::validate::parse_bundle(work_records().to_string().as_bytes(), &store)
        .expect("the matrix's work records are valid");
    store
        .commit(
            &qmap::model::ChangeSet::upsert(work),
            &qmap::model::SupplyList::new(),
            &qmap::model::WriteNote::default(),
            &|_, _| {},
        )
        .unwrap();
    let mut tokens = vec![
        (Admin, issue(&store, AccessRole::Admin, None, &[]).secret),
        (
            Regulator,
            issue(&store, AccessRole::Regulator, None, &[]).secret,
        ),
        (
            Limited,
            issue(&store, AccessRole::Regulator, None, &[PB.to_string()]).secret,
        ),
        (
            Firm,
            issue(&store, AccessRole::Enterprise, Some(FIRM), &[]).secret,
        ),
        (
            Other,
            issue(&store, AccessRole::Enterprise, Some(OTHER), &[]).secret,
        ),
        (
            Planner,
            issue(&store, AccessRole::Planner, None, &[]).secret,
        ),
    ];
    let mut expired = issue(&store, AccessRole::Admin, None, &[]);
    expired.token.expires_at = Some(1);
    store.put_token(&expired.token).unwrap();
    tokens.push((Expired, expired.secret));
    let mut revoked = issue(&store, AccessRole::Admin, None, &[]);
    revoked.token.revoked_at = Some(qmap::access::now());
    store.put_token(&revoked.token).unwrap();
    tokens.push((Revoked, revoked.secret));
    let spare = issue(&store, AccessRole::Planner, None, &[]).token.id;
    // A pending disclosure request to OTHER from its customer, for the answer case.
    store
        .put_disclosure_request(&qmap::model::disclosure::DisclosureRequest {
            id: REQUEST.into(),
            chain: H2.into(),
            from: "h2-ym-trailer".into(),
            supplier: OTHER.into(),
            problem: None,
            message: "请披露质量问题".into(),
            at: 1,
            by: "t".into(),
            status: qmap::model::disclosure::RequestStatus::Pending,
            answer: None,
        })
        .unwrap();
    let dataset = store.load().unwrap();
    let state = AppState::new(store, config).unwrap();
    App {
        router: qmap::api::router(state.clone()),
        state,
        tokens,
        spare,
        dataset,
        _dir: dir,
    }
}

impl App {
    async fn call(
        &self,
        who: Who,
        method: Method,
        uri: &str,
        body: Option<String>,
    ) -> (StatusCode, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some((_, t)) = self.tokens.iter().find(|(w, _)| *w == who) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = req
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Problem ids the enterprise `who` must never see: another firm's, unless disclosed to it.
    fn foreign_problems(&self, who: Who) -> Vec<String> {
        let own = match who {
            Firm => FIRM,
            Other => OTHER,
            _ => return Vec::new(),
        };
        self.dataset
            .problems
            .values()
            .filter(|p| !readable_by(&self.dataset, own, p))
            .map(|p| p.id.clone())
            .collect()
    }
}

fn json(value: serde_json::Value) -> Option<String> {
    Some(value.to_string())
}

/// One endpoint call and the callers allowed to make it.
struct Case {
    method: Method,
    uri: String,
    body: Option<String>,
    allowed: &'static [Who],
}

fn case(method: Method, uri: &str, body: Option<String>, allowed: &'static [Who]) -> Case {
    Case {
        method,
        uri: uri.to_string(),
        body,
        allowed,
    }
}

fn cases(app: &App) -> Vec<Case> {
    let own_problem = app.dataset.problems.get("pb-p001").unwrap();
    assert_eq!(own_problem.org, FIRM);
    let firm = app.dataset.organizations.get(FIRM).unwrap();
    let supply = app
        .dataset
        .supplies
        .iter()
        .find(|s| s.customer == FIRM)
        .unwrap()
        .clone();
    let other_problem = app
        .dataset
        .problems
        .values()
        .find(|p| p.org == OTHER)
        .unwrap()
        .clone();
    const ALL_READERS: &[Who] = &[Admin, Regulator, Limited];
    let work = work_records();
    vec![
        case(
            Method::GET,
            "/api/v1/me",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            "/api/v1/chains",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}"),
            None,
            &[Admin, Regulator, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/map"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/map"),
            None,
            &[Admin, Regulator],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/map.svg"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/map/groups/raw~low?limit=5"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/map/groups/production~low?limit=5"),
            None,
            &[Admin, Regulator],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/map.png?limit=3&scale=0.25"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/map.png?limit=3&scale=0.25"),
            None,
            &[Admin, Regulator],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/map.pdf?limit=3"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/graph.graphml"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/problems"),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/problems?firm={OTHER}"),
            None,
            // An enterprise may filter by any firm; it gets what it may read of it (nothing
            // here: OTHER is on another chain).
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/projects"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/gaps"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/weak-links"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/coverage"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/assignment"),
            None,
            ALL_READERS,
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/masters/{FIRM}/suppliers"),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::POST,
            &format!("/api/v1/chains/{PB}/scenarios"),
            json(serde_json::json!({"failures": ["all_foreign"]})),
            ALL_READERS,
        ),
        case(
            Method::POST,
            "/api/v1/scenarios",
            json(serde_json::json!({"failures": ["all_foreign"]})),
            &[Admin, Regulator],
        ),
        case(
            Method::POST,
            "/api/v1/what-if",
            json(serde_json::json!({"chain": PB, "remove": ["pb-q-nat-battery"]})),
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::POST,
            "/api/v1/what-if",
            json(serde_json::json!({"remove": ["pb-q-nat-battery"]})),
            &[Admin, Regulator, Planner],
        ),
        case(
            Method::GET,
            "/api/v1/comparison",
            None,
            &[Admin, Regulator, Planner],
        ),
        // Surveys: the revision list for every reader; a chain's changes for its readers, its
        // members (their upstream) and planners (figures); its trend for aggregate readers.
        case(
            Method::GET,
            "/api/v1/revisions",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/changes"),
            None,
            &[Admin, Regulator, Limited, Firm, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/changes"),
            None,
            &[Admin, Regulator, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/history"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            "/api/v1/coverage",
            None,
            &[Admin, Regulator, Planner],
        ),
        case(
            Method::GET,
            "/api/v1/coverage/regions.geojson?level=city&province=32",
            None,
            &[Admin, Regulator, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/coverage/regions.geojson?chain={PB}"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/coverage/regions.geojson?chain={H2}"),
            None,
            &[Admin, Regulator, Planner],
        ),
        case(
            Method::POST,
            "/api/v1/import?dry_run=true",
            Some(include_str!("../fixtures/linear.json").to_string()),
            &[Admin],
        ),
        case(Method::GET, "/api/v1/export", None, &[Admin]),
        // The search answers every holder, with what each may read (an empty page at worst).
        case(
            Method::GET,
            &format!("/api/v1/organizations?q=ndsd&chain={PB}&limit=5"),
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/organizations/{FIRM}"),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::GET,
            &format!("/api/v1/organizations/{}", supply.supplier),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::GET,
            &format!("/api/v1/organizations/{OTHER}"),
            None,
            &[Admin, Regulator, Other],
        ),
        case(
            Method::GET,
            "/api/v1/organizations/pb-q-nat-battery",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/organizations/{FIRM}"),
            json(serde_json::to_value(firm).unwrap()),
            &[Admin, Regulator, Limited],
        ),
        case(
            Method::GET,
            &format!("/api/v1/problems/{}", own_problem.id),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/problems/{}", own_problem.id),
            json(serde_json::to_value(own_problem).unwrap()),
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::GET,
            &format!("/api/v1/problems/{}", other_problem.id),
            None,
            &[Admin, Regulator, Other],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/problems/{}", other_problem.id),
            json(serde_json::to_value(&other_problem).unwrap()),
            &[Admin, Regulator, Other],
        ),
        case(
            Method::GET,
            &format!(
                "/api/v1/supplies?chain={PB}&from={}&to={}&part={}",
                supply.supplier,
                supply.customer,
                urlencode(&supply.part)
            ),
            None,
            ALL_READERS,
        ),
        case(
            Method::PUT,
            "/api/v1/supplies",
            json(serde_json::to_value(&supply).unwrap()),
            &[Admin, Regulator, Limited],
        ),
        // The quality work's questions: untackled and the policy-tool list for the chain's
        // readers (planners: counts, no firms); consortia also for their member enterprises;
        // goals progress for everyone.
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/untackled"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/untackled"),
            None,
            &[Admin, Regulator, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/policy-tools"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/consortia"),
            None,
            &[Admin, Regulator, Limited, Firm, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/consortia"),
            None,
            &[Admin, Regulator, Other, Planner],
        ),
        case(
            Method::GET,
            "/api/v1/goals/progress?region=32",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        // The three lists as workbooks: each exactly as its JSON route.
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/lists.xlsx?list=problems"),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/lists.xlsx?list=projects"),
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{H2}/lists.xlsx?list=projects"),
            None,
            &[Admin, Regulator, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/chains/{PB}/lists.xlsx?list=policy_tools"),
            None,
            &[Admin, Regulator, Limited, Planner],
        ),
        // The capability catalogue is reference data: every role reads it.
        case(
            Method::GET,
            "/api/v1/capabilities",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        // The quality work: projects and consortia by chain (enterprises: their own, with their
        // own problems only; planners: all, without problems); policy tools and goals for all.
        case(
            Method::GET,
            "/api/v1/projects",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/projects?chain={H2}"),
            None,
            &[Admin, Regulator, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/projects/{PB_PROJECT}"),
            None,
            &[Admin, Regulator, Limited, Firm, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/projects/{H2_PROJECT}"),
            None,
            &[Admin, Regulator, Other, Planner],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/projects/{PB_PROJECT}"),
            json(work["projects"][0].clone()),
            &[Admin, Regulator, Limited],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/projects/{H2_PROJECT}"),
            json(work["projects"][1].clone()),
            &[Admin, Regulator],
        ),
        case(
            Method::GET,
            "/api/v1/consortia",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/consortia?chain={H2}"),
            None,
            &[Admin, Regulator, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/consortia/{PB_CONSORTIUM}"),
            None,
            &[Admin, Regulator, Limited, Firm, Planner],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/consortia/{PB_CONSORTIUM}"),
            json(work["consortia"][0].clone()),
            &[Admin, Regulator, Limited],
        ),
        case(
            Method::GET,
            "/api/v1/policy-tools?region=3205",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/policy-tools/{TOOL}"),
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/policy-tools/{TOOL}"),
            json(work["policy_tools"][0].clone()),
            &[Admin, Regulator],
        ),
        case(
            Method::GET,
            "/api/v1/goals?year=2025",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            &format!("/api/v1/goals/{GOAL}"),
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::PUT,
            &format!("/api/v1/goals/{GOAL}"),
            json(work["goals"][0].clone()),
            &[Admin, Regulator],
        ),
        // Tokens: admins only. Making and revoking tokens changes no data revision, so they
        // are here rather than among the write cases.
        case(Method::GET, "/api/v1/tokens", None, &[Admin]),
        case(
            Method::POST,
            "/api/v1/tokens",
            json(serde_json::json!({"role": "planner", "expires_days": 1})),
            &[Admin],
        ),
        case(
            Method::DELETE,
            &format!("/api/v1/tokens/{}", app.spare),
            None,
            &[Admin],
        ),
        // Metrics: admins only.
        case(Method::GET, "/api/v1/metrics", None, &[Admin]),
        // Disclosure requests: sent by an enterprise on the chain to a firm upstream of it,
        // listed by everyone but planners, answered by the supplier only (they change no data
        // revision unless an answer accepts).
        case(
            Method::POST,
            &format!("/api/v1/chains/{PB}/disclosure-requests"),
            json(serde_json::json!({"supplier": "pb-cz-separator", "message": "请披露隔膜问题"})),
            &[Firm],
        ),
        case(
            Method::GET,
            "/api/v1/disclosure-requests",
            None,
            &[Admin, Regulator, Limited, Firm, Other],
        ),
        case(
            Method::POST,
            &format!("/api/v1/disclosure-requests/{REQUEST}/answer"),
            json(serde_json::json!({"accept": false, "note": "暂不披露"})),
            &[Other],
        ),
        // Notices: every token reads (a planner counts only); sending and acknowledging are
        // among the write cases.
        case(
            Method::GET,
            "/api/v1/notices",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
        case(
            Method::GET,
            "/api/v1/notices?box=out",
            None,
            &[Admin, Regulator, Limited, Firm, Other, Planner],
        ),
    ]
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether a concrete path matches an OpenAPI path template such as `/api/v1/chains/{id}`.
fn matches_template(template: &str, uri: &str) -> bool {
    let path = uri.split('?').next().unwrap();
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// Every operation of the OpenAPI document that needs a token, as (method, template).
fn secured_operations() -> Vec<(String, String)> {
    let doc = serde_json::to_value(qmap::api::openapi()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security") != Some(&serde_json::json!([{}])) {
                ops.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn every_endpoint_answers_every_caller_as_its_role_allows() {
    let app = app();
    let mut failures = Vec::new();
    let called: Vec<(String, String)> = cases(&app)
        .iter()
        .map(|c| (c.method.to_string(), c.uri.clone()))
        .chain(
            write_cases(&app)
                .into_iter()
                .map(|(m, u, _, _)| (m.to_string(), u)),
        )
        .collect();
    for (method, template) in secured_operations() {
        if !called
            .iter()
            .any(|(m, uri)| *m == method && matches_template(&template, uri))
        {
            failures.push(format!("{method} {template} is not in the matrix"));
        }
    }
    for c in cases(&app) {
        for who in EVERYONE {
            let (status, body) = app
                .call(who, c.method.clone(), &c.uri, c.body.clone())
                .await;
            let expected_ok = c.allowed.contains(&who);
            let fine = if expected_ok {
                status.is_success()
            } else if matches!(who, Nobody | Expired | Revoked) {
                status == StatusCode::UNAUTHORIZED
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !fine {
                failures.push(format!(
                    "{} {} as {who:?}: {status} {}",
                    c.method,
                    c.uri,
                    &body[..body.len().min(160)]
                ));
            }
            if status.is_success() || status == StatusCode::FORBIDDEN {
                for p in app.foreign_problems(who) {
                    if body.contains(&format!("\"{p}\"")) {
                        failures.push(format!(
                            "{} {} as {who:?}: leaks problem {p}",
                            c.method, c.uri
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn an_enterprise_lists_its_own_and_the_disclosed_problems_with_their_total() {
    let app = app();
    let (status, body) = app
        .call(
            Firm,
            Method::GET,
            &format!("/api/v1/chains/{PB}/problems?per_page=1000"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let own: BTreeSet<&str> = app
        .dataset
        .problems
        .values()
        .filter(|p| p.chain == PB && readable_by(&app.dataset, FIRM, p))
        .map(|p| p.id.as_str())
        .collect();
    // The demo's suppliers of FIRM disclosed some of theirs.
    assert!(own.iter().any(|id| app.dataset.problems[*id].org != FIRM));
    assert_eq!(page["total"], own.len());
    let listed: BTreeSet<&str> = page["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, own);
}

#[tokio::test]
async fn the_supplier_view_of_an_enterprise_lists_only_the_problems_disclosed_to_it() {
    let app = app();
    let (status, body) = app
        .call(
            Firm,
            Method::GET,
            &format!("/api/v1/chains/{PB}/masters/{FIRM}/suppliers"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let suppliers = view["suppliers"].as_array().unwrap();
    assert!(suppliers.len() > 3);
    // Only what its suppliers disclosed to it is listed; the rest is counted.
    let mut listed = 0;
    let mut hidden = 0;
    for s in suppliers {
        for p in s["problems"].as_array().unwrap() {
            let p = &app.dataset.problems[p["id"].as_str().unwrap()];
            assert!(readable_by(&app.dataset, FIRM, p), "{}", p.id);
            listed += 1;
        }
        hidden += s["undisclosed"]["count"].as_u64().unwrap_or(0);
    }
    assert!(listed > 0 && hidden > 0, "{view}");
    assert_eq!(view["summary"]["disclosed"], listed);
    assert_eq!(view["summary"]["demand_problems"], listed + hidden);
    let (_, admin_body) = app
        .call(
            Admin,
            Method::GET,
            &format!("/api/v1/chains/{PB}/masters/{FIRM}/suppliers"),
            None,
        )
        .await;
    let admin_view: serde_json::Value = serde_json::from_str(&admin_body).unwrap();
    assert!(admin_view["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| !s["problems"].as_array().unwrap().is_empty()));
}

/// The ids `GET /api/v1/organizations?…` finds for `who` (every page of 200).
async fn found(app: &App, who: Who, query: &str) -> BTreeSet<String> {
    let (status, body) = app
        .call(
            who,
            Method::GET,
            &format!("/api/v1/organizations?{query}&limit=200"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(page["total"].as_u64().unwrap() <= 200, "one page holds all");
    page["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_enterprise_finds_itself_its_upstream_and_qi_bodies_but_no_other_firm() {
    let app = app();
    let d = &app.dataset;
    let upstream = qmap::service::upstream_of(d, FIRM);
    let other = &d.organizations[OTHER];
    assert!(!upstream.contains(OTHER));
    // Admins find OTHER by its name; FIRM does not, nor by its id.
    let by_name = format!("q={}", urlencode(&other.name));
    assert!(found(&app, Admin, &by_name).await.contains(OTHER));
    assert!(!found(&app, Firm, &by_name).await.contains(OTHER));
    assert!(!found(&app, Firm, &format!("q={OTHER}"))
        .await
        .contains(OTHER));
    // Everything FIRM finds on its chain is itself, upstream of it, or a QI body.
    let all = found(&app, Firm, &format!("chain={PB}")).await;
    assert!(all.contains(FIRM));
    assert!(!upstream.is_empty() && upstream.iter().all(|u| all.contains(u)));
    for id in &all {
        assert!(
            id == FIRM || upstream.contains(id) || d.organizations[id].is_provider(),
            "{id}"
        );
    }
    // A planner finds QI bodies only.
    let planner = found(&app, Planner, "kind=enterprise").await;
    assert!(planner.is_empty(), "{planner:?}");
    assert!(!found(&app, Planner, "kind=inspection_center")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_planner_sees_gaps_as_counts_without_firms_or_problems() {
    let app = app();
    let (status, body) = app
        .call(
            Planner,
            Method::GET,
            &format!("/api/v1/chains/{PB}/gaps"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let gaps: serde_json::Value = serde_json::from_str(&body).unwrap();
    let groups: Vec<&serde_json::Value> = gaps["gaps"]["infrastructure"]
        .as_array()
        .unwrap()
        .iter()
        .chain(gaps["gaps"]["capacity"].as_array().unwrap())
        .collect();
    assert!(!groups.is_empty());
    for g in groups {
        assert!(g["needs"].as_u64().unwrap() > 0);
        assert!(g["firms"].as_array().unwrap().is_empty());
        assert!(g["problems"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_limited_regulator_lists_only_its_chains() {
    let app = app();
    let (status, body) = app.call(Limited, Method::GET, "/api/v1/chains", None).await;
    assert_eq!(status, StatusCode::OK);
    let chains: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = chains
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![PB]);
    let (_, me) = app.call(Limited, Method::GET, "/api/v1/me", None).await;
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    assert_eq!(me["role"], "regulator");
    assert_eq!(
        me["chains"],
        serde_json::json!([{"id": PB, "name": "动力电池"}])
    );
}

#[tokio::test]
async fn refusals_carry_the_error_shape_and_no_detail() {
    let app = app();
    let (status, body) = app.call(Nobody, Method::GET, "/api/v1/chains", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["code"], "unauthorized");
    let (status, body) = app
        .call(Other, Method::GET, "/api/v1/problems/pb-p001", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["code"], "forbidden");
    assert!(!body.contains("pb-p001") && !body.contains(FIRM), "{body}");
    // An id that does not exist is refused alike, so refusals say nothing about what exists.
    let (status, _) = app
        .call(Other, Method::GET, "/api/v1/problems/no-such-problem", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A refusal looks the same whether or not the thing named exists (issue: existence oracles).
/// Each pair below differs only in whether an id the caller may not see exists; the answers
/// must be equal once that id is replaced by a placeholder.
#[tokio::test]
async fn refusals_and_errors_do_not_tell_whether_a_hidden_record_exists() {
    let app = app();
    let hidden_problem = app
        .dataset
        .problems
        .values()
        .find(|p| p.org != FIRM)
        .unwrap()
        .id
        .clone();
    let answer = |status: StatusCode, body: String, id: &str| (status, body.replace(id, "<id>"));

    // A firm creating a problem under another firm's problem id, with an invalid body, gets
    // the same 422 as under an unused id: validation comes before what depends on stored data.
    let invalid = |id: &str| {
        json(
            serde_json::json!({"id": id, "org": FIRM, "chain": PB, "title": "极片一致性差",
            "category": "measurement", "severity": 9, "status": "open", "needs": []}),
        )
    };
    // Nor does it learn that a hidden problem is tackled by a project (h2-p007 is, by the
    // hydrogen project of `work_records`): moving it would break that project.
    let tackled = app.dataset.problems.get("h2-p007").unwrap();
    assert_ne!(tackled.org, FIRM);
    for (method, uri, hidden) in [
        (
            Method::POST,
            "/api/v1/problems".to_string(),
            hidden_problem.as_str(),
        ),
        (
            Method::PUT,
            "/api/v1/problems/{}".to_string(),
            hidden_problem.as_str(),
        ),
        (Method::PUT, "/api/v1/problems/{}".to_string(), "h2-p007"),
    ] {
        let mut seen = Vec::new();
        for id in [hidden, "no-such-problem"] {
            let uri = uri.replace("{}", id);
            let (status, body) = app.call(Firm, method.clone(), &uri, invalid(id)).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {uri}: {body}"
            );
            seen.push(answer(status, body, id));
        }
        assert_eq!(seen[0], seen[1], "{method} {uri}");
    }

    // A regulator of the battery chain naming a hydrogen firm in a battery scenario gets the
    // same 422 as for a firm that does not exist.
    let mut seen = Vec::new();
    for firm in [OTHER, "no-such-firm"] {
        let request = json(serde_json::json!({"failures": [{"firms": [firm]}]}));
        let (status, body) = app
            .call(
                Limited,
                Method::POST,
                &format!("/api/v1/chains/{PB}/scenarios"),
                request,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        seen.push(answer(status, body, firm));
    }
    assert_eq!(seen[0], seen[1]);

    // A firm asking for its supplier view on a chain it is not on: the same refusal whether the
    // chain exists or not.
    let mut seen = Vec::new();
    for chain in [H2, "no-such-chain"] {
        let uri = format!("/api/v1/chains/{chain}/masters/{FIRM}/suppliers");
        let (status, body) = app.call(Firm, Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
        seen.push(answer(status, body, chain));
    }
    assert_eq!(seen[0], seen[1]);
}

/// The caller's permission is checked before its body is parsed: a planner's write with a huge
/// invalid body is a short 403, not a long 422.
#[tokio::test]
async fn a_write_the_role_may_not_make_is_refused_before_its_body_is_read() {
    let app = app();
    let huge = format!("[{}]", vec!["{}"; 200_000].join(","));
    for (who, method, uri) in [
        (Planner, Method::PUT, "/api/v1/organizations/x"),
        (Planner, Method::POST, "/api/v1/organizations"),
        (Planner, Method::PUT, "/api/v1/supplies"),
        (Planner, Method::POST, "/api/v1/problems"),
        (Firm, Method::PUT, "/api/v1/organizations/x"),
        (Firm, Method::PUT, "/api/v1/supplies"),
        (Planner, Method::POST, "/api/v1/projects"),
        (Firm, Method::PUT, "/api/v1/projects/x"),
        (Firm, Method::POST, "/api/v1/consortia"),
        (Limited, Method::POST, "/api/v1/policy-tools"),
        (Limited, Method::PUT, "/api/v1/goals/x"),
    ] {
        let (status, body) = app.call(who, method.clone(), uri, Some(huge.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?} {method} {uri}");
        assert!(
            body.len() < 1_000,
            "{who:?} {method} {uri}: {} bytes",
            body.len()
        );
    }
}

#[tokio::test]
async fn public_routes_need_no_token() {
    let app = app();
    for uri in ["/healthz", "/api/openapi.json"] {
        let (status, _) = app.call(Nobody, Method::GET, uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn failed_attempts_are_rate_limited() {
    let app = app_with(ApiConfig::default());
    let forged =
        "qmap_000000000000_0000000000000000000000000000000000000000000000000000000000000000";
    for _ in 0..qmap::api::auth::MAX_FAILURES {
        let mut req = Request::builder().uri("/api/v1/chains");
        req = req.header(header::AUTHORIZATION, format!("Bearer {forged}"));
        let res = app
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (status, body) = app.call(Admin, Method::GET, "/api/v1/chains", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn writes_are_audited_with_who_made_them() {
    let app = app();
    let problem = serde_json::to_value(app.dataset.problems.get("pb-p001").unwrap()).unwrap();
    let (status, _) = app
        .call(
            Firm,
            Method::PUT,
            "/api/v1/problems/pb-p001",
            Some(problem.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call(
            Other,
            Method::PUT,
            "/api/v1/problems/pb-p001",
            Some(problem.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let id_of = |who: Who| {
        let secret = &app.tokens.iter().find(|(w, _)| *w == who).unwrap().1;
        secret.split('_').nth(1).unwrap().to_string()
    };
    let log = app.state.store().audit(None).unwrap();
    let writes: Vec<(String, String, String)> = log
        .iter()
        .map(|e| (e.actor.clone(), e.action.clone(), e.outcome.clone()))
        .collect();
    assert_eq!(
        writes,
        vec![
            (
                id_of(Firm),
                "PUT /api/v1/problems/pb-p001".to_string(),
                "200".to_string()
            ),
            (
                id_of(Other),
                "PUT /api/v1/problems/pb-p001".to_string(),
                "403".to_string()
            ),
        ]
    );
    assert_eq!(log[0].role, Some(AccessRole::Enterprise));
}

#[test]
fn the_openapi_document_declares_the_bearer_scheme_and_each_routes_requirement() {
    let doc = serde_json::to_value(qmap::api::openapi()).unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
    assert_eq!(doc["security"], serde_json::json!([{"token": []}]));
    assert_eq!(
        doc["paths"]["/healthz"]["get"]["security"],
        serde_json::json!([{}])
    );
}

type WriteCase = (Method, String, Option<String>, &'static [Who]);

/// Writes that change the data (see `every_write_answers_every_caller_as_its_role_allows`).
fn write_cases(probe: &App) -> Vec<WriteCase> {
    let supply = probe
        .dataset
        .supplies
        .iter()
        .find(|s| s.customer == FIRM)
        .unwrap()
        .clone();
    let mut new_problem =
        serde_json::to_value(probe.dataset.problems.get("pb-p001").unwrap()).unwrap();
    new_problem["id"] = "pb-p-new".into();
    let provider = serde_json::json!({"id": "q-new", "name": "新建计量站", "kind": "metrology_center",
        "level": "municipal", "region": "320500", "capabilities": [{"code": "metrology:new", "capacity": 3}]});
    let work = work_records();
    let renamed = |record: &serde_json::Value, id: &str| {
        let mut r = record.clone();
        r["id"] = id.into();
        json(r)
    };
    vec![
        (
            Method::POST,
            "/api/v1/projects".into(),
            renamed(&work["projects"][0], "acc-new-project"),
            &[Admin, Regulator, Limited],
        ),
        (
            Method::DELETE,
            format!("/api/v1/projects/{PB_PROJECT}"),
            None,
            &[Admin, Regulator, Limited],
        ),
        (
            Method::POST,
            "/api/v1/consortia".into(),
            renamed(&work["consortia"][0], "acc-new-consortium"),
            &[Admin, Regulator, Limited],
        ),
        (
            Method::DELETE,
            format!("/api/v1/consortia/{PB_CONSORTIUM}"),
            None,
            &[Admin, Regulator, Limited],
        ),
        (
            Method::POST,
            "/api/v1/policy-tools".into(),
            renamed(&work["policy_tools"][0], "acc-new-tool"),
            &[Admin, Regulator],
        ),
        (
            Method::DELETE,
            format!("/api/v1/policy-tools/{TOOL}"),
            None,
            &[Admin, Regulator],
        ),
        (
            Method::POST,
            "/api/v1/goals".into(),
            renamed(&work["goals"][0], "acc-new-goal"),
            &[Admin, Regulator],
        ),
        (
            Method::DELETE,
            format!("/api/v1/goals/{GOAL}"),
            None,
            &[Admin, Regulator],
        ),
        (
            Method::DELETE,
            "/api/v1/problems/pb-p001".into(),
            None,
            &[Admin, Regulator, Limited, Firm],
        ),
        (
            Method::PUT,
            "/api/v1/problems/pb-p001/disclosure".into(),
            json(serde_json::json!({"disclosure": "customers"})),
            &[Admin, Regulator, Limited, Firm],
        ),
        (
            Method::POST,
            "/api/v1/problems/pb-p001/status".into(),
            json(serde_json::json!({"status": "in_progress"})),
            &[Admin, Regulator, Limited, Firm],
        ),
        (
            Method::POST,
            "/api/v1/problems".into(),
            json(new_problem),
            &[Admin, Regulator, Limited, Firm],
        ),
        (
            Method::POST,
            "/api/v1/notices".into(),
            json(
                serde_json::json!({"chain": PB, "about": {"firm": FIRM}, "kind": "delay",
                "severity": 2, "message": "交付延期", "direction": "both"}),
            ),
            &[Admin, Regulator, Limited, Firm],
        ),
        (
            Method::POST,
            format!("/api/v1/notices/{NOTICE}/ack"),
            None,
            &[Firm],
        ),
        (
            Method::POST,
            "/api/v1/organizations".into(),
            json(provider),
            &[Admin, Regulator],
        ),
        (
            Method::DELETE,
            "/api/v1/organizations/pb-q-nat-battery".into(),
            None,
            &[Admin, Regulator],
        ),
        (
            Method::DELETE,
            format!(
                "/api/v1/supplies?chain={PB}&from={}&to={}&part={}",
                supply.supplier,
                supply.customer,
                urlencode(&supply.part)
            ),
            None,
            &[Admin, Regulator, Limited],
        ),
    ]
}

/// Writes that change the data, each tried by every caller on a fresh copy of the demo, so
/// that one caller's success cannot hide another's answer.
#[tokio::test]
async fn every_write_answers_every_caller_as_its_role_allows() {
    let writes = write_cases(&app());
    let mut failures = Vec::new();
    for (method, uri, body, allowed) in &writes {
        for who in EVERYONE {
            let app = app();
            let before = app.state.snapshot().revision;
            let (status, text) = app.call(who, method.clone(), uri, body.clone()).await;
            let after = app.state.snapshot().revision;
            let fine = if allowed.contains(&who) {
                status.is_success() && after > before
            } else if matches!(who, Nobody | Expired | Revoked) {
                status == StatusCode::UNAUTHORIZED && after == before
            } else {
                status == StatusCode::FORBIDDEN && after == before
            };
            if !fine {
                failures.push(format!(
                    "{method} {uri} as {who:?}: {status} {}",
                    &text[..text.len().min(160)]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `serve --demo` on a store without tokens: reads are open to all.
fn open_demo_app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());
    let dataset = store.load().unwrap();
    let config = ApiConfig {
        anonymous_read: true,
        ..ApiConfig::default()
    };
    let state = AppState::new(store, config).unwrap();
    App {
        router: qmap::api::router(state.clone()),
        state,
        tokens: Vec::new(),
        spare: String::new(),
        dataset,
        _dir: dir,
    }
}

#[tokio::test]
async fn the_open_demo_closes_once_a_token_exists() {
    let app = open_demo_app();
    let (status, _) = app.call(Nobody, Method::GET, "/api/v1/chains", None).await;
    assert_eq!(status, StatusCode::OK);
    // A token made while the server runs (as `qmap token create` beside it would).
    issue(app.state.store(), AccessRole::Admin, None, &[]);
    let (status, _) = app.call(Nobody, Method::GET, "/api/v1/chains", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_open_demo_reads_without_a_token_but_never_writes() {
    let app = open_demo_app();
    let (status, _) = app
        .call(
            Nobody,
            Method::GET,
            &format!("/api/v1/chains/{PB}/map"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, me) = app.call(Nobody, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(me.contains("\"anonymous\""), "{me}");
    let problem = serde_json::to_value(app.dataset.problems.get("pb-p001").unwrap()).unwrap();
    let (status, _) = app
        .call(
            Nobody,
            Method::PUT,
            "/api/v1/problems/pb-p001",
            Some(problem.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call(Nobody, Method::GET, "/api/v1/export", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A scenario computes without writing: the open demo may run it, and it is not audited.
    let scenario = json(serde_json::json!({"failures": ["all_foreign"]}));
    let (status, _) = app
        .call(
            Nobody,
            Method::POST,
            &format!("/api/v1/chains/{PB}/scenarios"),
            scenario,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let audited: Vec<String> = app
        .state
        .store()
        .audit(None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    // The refused write came without a token: it is logged, not stored.
    assert!(audited.is_empty(), "{audited:?}");
}

/// A bad token that has the shape of a real one.
const FORGED: &str =
    "qmap_000000000000_0000000000000000000000000000000000000000000000000000000000000000";

#[tokio::test]
async fn unauthenticated_write_attempts_add_nothing_to_the_audit_log() {
    let app = app();
    let long_id = "x".repeat(16_000);
    for who in [Nobody, Expired, Revoked] {
        let (status, _) = app
            .call(
                who,
                Method::DELETE,
                &format!("/api/v1/problems/{long_id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{who:?}");
    }
    let req = Request::builder()
        .method(Method::DELETE)
        .uri(format!("/api/v1/problems/{long_id}"))
        .header(header::AUTHORIZATION, format!("Bearer {FORGED}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.state.store().audit(None).unwrap(), Vec::new());
}

#[tokio::test]
async fn an_audit_row_keeps_a_capped_action() {
    let app = app();
    let long_id = "x".repeat(16_000);
    let (status, _) = app
        .call(
            Admin,
            Method::DELETE,
            &format!("/api/v1/problems/{long_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let log = app.state.store().audit(None).unwrap();
    assert_eq!(log.len(), 1);
    let action = &log[0].action;
    assert!(
        action.starts_with("DELETE /api/v1/problems/xxx"),
        "{action}"
    );
    assert!(action.chars().count() < 400, "{} chars kept", action.len());
    assert!(action.ends_with("[cut: 16024 chars in all]"), "{action}");
    assert_eq!(log[0].outcome, "404");
}

#[tokio::test]
async fn the_bearer_scheme_is_matched_in_any_case() {
    let app = app();
    let secret = &app.tokens.iter().find(|(w, _)| *w == Admin).unwrap().1;
    let answer = |authorization: String| {
        let req = Request::builder()
            .uri("/api/v1/chains")
            .header(header::AUTHORIZATION, authorization)
            .body(Body::empty())
            .unwrap();
        let router = app.router.clone();
        async move { router.oneshot(req).await.unwrap().status() }
    };
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let status = answer(format!("{scheme} {secret}")).await;
        assert_eq!(status, StatusCode::OK, "{scheme}");
    }
    // Several spaces after the scheme are allowed too (RFC 9110: 1*SP).
    assert_eq!(answer(format!("bearer   {secret}")).await, StatusCode::OK);
    for other in [
        format!("Basic {secret}"),
        format!("Bearer{secret}"),
        secret.clone(),
    ] {
        assert_eq!(
            answer(other.clone()).await,
            StatusCode::UNAUTHORIZED,
            "{other}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Disclosure levels × roles on a hand-drawn chain:
//
//   B ──极片──▶ A ──电芯──▶ M (chain master)
//               C ──外壳──────▶ M
//
// B holds one problem, the only one of the chain. At each level it is read exactly so:
//   private:   B, regulators, admins
//   customers: also A and M (downstream of B), not C (another branch)
//   chain:     also C (a member of the chain)
// and planners never. Whoever may not read it finds its id, title and need in no answer.

const HD: &str = "hd-chain";
const HD_PROBLEM: &str = "hd-b1";
const HD_TITLE: &str = "手绘链极片涂布隐患";
const HD_NEED: &str = "testing:hd-coating-secret";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Viewer {
    M,
    A,
    B,
    C,
    Planner,
    Regulator,
}

struct HandDrawn {
    router: axum::Router,
    state: AppState,
    tokens: Vec<(Viewer, String)>,
    _dir: tempfile::TempDir,
}

fn hand_drawn() -> HandDrawn {
    let chain = |id: &str| {
        serde_json::json!({"id": id, "name": "手绘链",
        "segments": [{"id": "s", "name": "环节"}]})
    };
    let firm = |id: &str, role: &str| {
        serde_json::json!({"id": id, "name": format!("企业{id}"),
        "kind": "enterprise", "region": "320583",
        "chains": [{"chain": HD, "role": role, "segment": "s"}]})
    };
    let bundle = serde_json::json!({"version": 1,
        "chains": [chain(HD)],
        "organizations": [
            firm("hd-m", "chain_master"), firm("hd-a", "member"), firm("hd-b", "member"),
            firm("hd-c", "member"),
            {"id": "hd-q", "name": "手绘检测中心", "kind": "inspection_center", "level": "provincial",
             "region": "320500", "capabilities": [{"code": HD_NEED, "capacity": 5}]}],
        "supplies": [
            {"chain": HD, "from": "hd-b", "to": "hd-a", "part": "极片"},
            {"chain": HD, "from": "hd-a", "to": "hd-m", "part": "电芯"},
            {"chain": HD, "from": "hd-c", "to": "hd-m", "part": "外壳"}],
        "consortia": [
            {"id": "hd-con", "name": "手绘联合体", "chain": HD, "lead": "hd-m",
             "members": ["hd-b", "hd-q"], "founded": 2024}],
        "problems": [
            {"id": HD_PROBLEM, "org": "hd-b", "chain": HD, "title": HD_TITLE,
             "category": "testing", "severity": 4, "status": "open", "needs": [HD_NEED]}]});
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let bundle = qmap::validate::parse_bundle(bundle.to_string().as_bytes(), &store)
        .expect("the hand-drawn chain is valid");
    store.import(&bundle).unwrap();
    let enterprise = |org: &str| issue(&store, AccessRole::Enterprise, Some(org), &[]).secret;
    let tokens = vec![
        (Viewer::M, enterprise("hd-m")),
        (Viewer::A, enterprise("hd-a")),
        (Viewer::B, enterprise("hd-b")),
        (Viewer::C, enterprise("hd-c")),
        (
            Viewer::Planner,
            issue(&store, AccessRole::Planner, None, &[]).secret,
        ),
        (
            Viewer::Regulator,
            issue(&store, AccessRole::Regulator, None, &[HD.to_string()]).secret,
        ),
    ];
    let state = AppState::new(store, ApiConfig::default()).unwrap();
    HandDrawn {
        router: qmap::api::router(state.clone()),
        state,
        tokens,
        _dir: dir,
    }
}

impl HandDrawn {
    async fn call(
        &self,
        who: Viewer,
        method: Method,
        uri: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, String) {
        let token = &self.tokens.iter().find(|(w, _)| *w == who).unwrap().1;
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, who: Viewer, uri: &str) -> (StatusCode, serde_json::Value) {
        let (status, body) = self.call(who, Method::GET, uri, None).await;
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }
}

/// Whether `who` may read B's problem at `level`, as the issue says.
fn expected_sight(who: Viewer, level: &str) -> bool {
    match who {
        Viewer::B | Viewer::Regulator => true,
        Viewer::Planner => false,
        Viewer::M | Viewer::A => level != "private",
        Viewer::C => level == "chain",
    }
}

/// Every GET route of the API, with its path parameters filled in for the hand-drawn chain.
fn hand_drawn_reads() -> Vec<String> {
    let doc = serde_json::to_value(qmap::api::openapi()).unwrap();
    let mut uris = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let parts: Vec<&str> = path.split('/').collect();
        let filled: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let before = if i > 0 { parts[i - 1] } else { "" };
                match (*part, before) {
                    ("{id}", "chains") => HD.to_string(),
                    ("{id}", "problems") => HD_PROBLEM.to_string(),
                    ("{id}", "organizations") => "hd-b".to_string(),
                    ("{org}", _) => "hd-m".to_string(),
                    (p, _) if p.starts_with('{') => "x".to_string(),
                    (p, _) => p.to_string(),
                }
            })
            .collect();
        uris.push(filled.join("/"));
    }
    uris.push(format!("/api/v1/chains/{HD}/problems?firm=hd-b"));
    uris.push(format!("/api/v1/chains/{HD}/map.svg"));
    uris
}

#[tokio::test]
async fn each_disclosure_level_is_seen_exactly_as_the_issue_says_and_leaks_nowhere() {
    use Viewer::*;
    let app = hand_drawn();
    let supplier_view = format!("/api/v1/chains/{HD}/masters/hd-m/suppliers");
    let reads = hand_drawn_reads();
    let mut failures = Vec::new();
    for level in ["private", "customers", "chain"] {
        let (status, body) = app
            .call(
                B,
                Method::PUT,
                &format!("/api/v1/problems/{HD_PROBLEM}/disclosure"),
                Some(serde_json::json!({ "disclosure": level })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{level}: {body}");
        for who in [M, A, B, C, Planner, Regulator] {
            let sees = expected_sight(who, level);
            let at = format!("{level} as {who:?}");
            // The record.
            let (status, p) = app
                .get(who, &format!("/api/v1/problems/{HD_PROBLEM}"))
                .await;
            if sees != (status == StatusCode::OK) || (sees && p["title"] != HD_TITLE) {
                failures.push(format!("{at}: GET the problem: {status} {p}"));
            }
            // The chain's problem list, with its total.
            let (status, page) = app.get(who, &format!("/api/v1/chains/{HD}/problems")).await;
            let listed = page["total"] == 1 && page["problems"][0]["id"] == HD_PROBLEM;
            let expected_status = if who == Planner {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::OK
            };
            if status != expected_status || (status == StatusCode::OK && listed != sees) {
                failures.push(format!("{at}: the problem list: {status} {page}"));
            }
            if status == StatusCode::OK && !sees && page["total"] != 0 {
                failures.push(format!("{at}: the list total counts it: {page}"));
            }
            // Every read route: no trace of the problem for those who may not read it.
            if !sees {
                for uri in &reads {
                    let (_, text) = app.call(who, Method::GET, uri, None).await;
                    for secret in [HD_PROBLEM, HD_TITLE, HD_NEED] {
                        if text.contains(secret) {
                            failures.push(format!("{at}: GET {uri} leaks {secret}"));
                        }
                    }
                }
            }
        }
        // The master's supplier view: B in full or as aggregates, and the summary counts it.
        let (status, view) = app.get(M, &supplier_view).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        let b = view["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "hd-b")
            .unwrap()
            .clone();
        assert_eq!(b["tier"], 2, "{b}");
        assert_eq!(view["summary"]["demand_problems"], 1, "{level}: {view}");
        if expected_sight(M, level) {
            assert_eq!(b["problems"][0]["id"], HD_PROBLEM, "{level}: {b}");
            assert_eq!(b["problems"][0]["needs"][0], HD_NEED, "{level}: {b}");
            assert_eq!(b["problems"][0]["providers"][0]["provider"], "hd-q", "{b}");
            assert!(b.get("undisclosed").is_none(), "{b}");
            assert_eq!(b["problem_load"], 4, "{b}");
            assert_eq!(view["summary"]["disclosed"], 1, "{view}");
        } else {
            // A supplier with a single problem: its aggregates, nothing that names it.
            assert_eq!(b["problems"], serde_json::json!([]), "{level}: {b}");
            assert_eq!(
                b["undisclosed"],
                serde_json::json!({"count": 1, "by_category": {"testing": 1},
                    "highest_severity": 4}),
                "{level}: {b}"
            );
            assert_eq!(b["problem_load"], 0, "{b}");
            assert_eq!(view["summary"]["disclosed"], 0, "{view}");
            assert_eq!(
                view["summary"]["by_tier"],
                serde_json::json!([
                    {"tier": 1, "suppliers": 2, "demand_problems": 0, "disclosed": 0},
                    {"tier": 2, "suppliers": 1, "demand_problems": 1, "disclosed": 0}]),
                "{view}"
            );
        }
        // A, no master, has a supplier view of its own upstream: B at tier 1.
        let (status, own) = app
            .get(A, &format!("/api/v1/chains/{HD}/masters/hd-a/suppliers"))
            .await;
        assert_eq!(status, StatusCode::OK, "{own}");
        assert_eq!(own["suppliers"][0]["id"], "hd-b", "{own}");
        assert_eq!(own["suppliers"][0]["tier"], 1, "{own}");
        assert_eq!(
            own["suppliers"][0]["problems"]
                .to_string()
                .contains(HD_PROBLEM),
            expected_sight(A, level),
            "{level}: {own}"
        );
        assert_eq!(
            own["suppliers"][0].get("undisclosed").is_some(),
            !expected_sight(A, level),
            "{level}: {own}"
        );
        // The master's consortium lists B's need when M may read the problem.
        let (status, report) = app.get(M, &format!("/api/v1/chains/{HD}/consortia")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let needs = report["consortia"][0]["needs"].to_string();
        assert_eq!(
            needs.contains(HD_PROBLEM),
            expected_sight(M, level),
            "{level}: {report}"
        );
        // The regulator's view of the same master uses everything.
        let (_, full) = app.get(Regulator, &supplier_view).await;
        assert_eq!(full["summary"]["disclosed"], 1, "{level}: {full}");
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn another_firm_cannot_set_a_disclosure_and_a_bad_level_is_a_422_with_its_path() {
    use Viewer::*;
    let app = hand_drawn();
    let uri = format!("/api/v1/problems/{HD_PROBLEM}/disclosure");
    for who in [M, A, C, Planner] {
        let (status, body) = app
            .call(
                who,
                Method::PUT,
                &uri,
                Some(serde_json::json!({"disclosure": "chain"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}: {body}");
        assert!(!body.contains(HD_TITLE), "{body}");
    }
    let (status, body) = app
        .call(
            B,
            Method::PUT,
            &uri,
            Some(serde_json::json!({"disclosure": "everyone"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["details"][0]["code"], "unknown_disclosure", "{e}");
    assert_eq!(e["details"][0]["path"], "/disclosure", "{e}");
    // The regulator of the chain may; the change is audited with the level.
    let (status, body) = app
        .call(
            Regulator,
            Method::PUT,
            &uri,
            Some(serde_json::json!({"disclosure": "chain"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let audit = app.state.store().audit(None).unwrap();
    assert!(
        audit.iter().any(|a| a.action
            == format!("PUT /api/v1/problems/{HD_PROBLEM}/disclosure (disclosure chain)")
            && a.outcome == "200"),
        "{audit:?}"
    );
}

#[tokio::test]
async fn a_master_asks_a_supplier_to_disclose_and_the_supplier_answers() {
    use Viewer::*;
    let app = hand_drawn();
    let requests = format!("/api/v1/chains/{HD}/disclosure-requests");
    let ask =
        |supplier: &str| serde_json::json!({"supplier": supplier, "message": "请披露极片问题"});
    // C is not downstream of B; an unknown firm is answered the same way.
    for (who, supplier) in [(C, "hd-b"), (M, "nobody")] {
        let (status, body) = app
            .call(who, Method::POST, &requests, Some(ask(supplier)))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let e: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(e["details"][0]["code"], "not_upstream", "{e}");
        assert_eq!(e["details"][0]["path"], "/supplier", "{e}");
    }
    for who in [Regulator, Planner] {
        let (status, _) = app
            .call(who, Method::POST, &requests, Some(ask("hd-b")))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}");
    }
    let (status, body) = app
        .call(M, Method::POST, &requests, Some(ask("hd-b")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = sent["id"].as_str().unwrap().to_string();
    assert_eq!(sent["status"], "pending");
    // Sender, supplier and regulator see it; the firm in between and C do not; planners 403.
    for (who, sees) in [
        (M, true),
        (B, true),
        (Regulator, true),
        (A, false),
        (C, false),
    ] {
        let (status, list) = app.get(who, "/api/v1/disclosure-requests").await;
        assert_eq!(status, StatusCode::OK);
        let found = list.as_array().unwrap().iter().any(|r| r["id"] == id);
        assert_eq!(found, sees, "{who:?}: {list}");
    }
    let (status, _) = app.get(Planner, "/api/v1/disclosure-requests").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Only the supplier answers; accepting needs a level.
    let answer = format!("/api/v1/disclosure-requests/{id}/answer");
    let accept = serde_json::json!({"accept": true, "disclosure": "customers", "note": "同意"});
    for who in [M, A, C, Regulator, Planner] {
        let (status, _) = app
            .call(who, Method::POST, &answer, Some(accept.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who:?}");
    }
    let (status, body) = app
        .call(
            B,
            Method::POST,
            &answer,
            Some(serde_json::json!({"accept": true})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("/disclosure"), "{body}");
    let (_, p) = app.get(M, &format!("/api/v1/problems/{HD_PROBLEM}")).await;
    assert!(p.get("title").is_none(), "nothing changed yet: {p}");

    let (status, body) = app
        .call(B, Method::POST, &answer, Some(accept.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answered: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answered["request"]["status"], "accepted");
    assert_eq!(
        answered["request"]["answer"]["problems"],
        serde_json::json!([HD_PROBLEM])
    );
    assert!(answered["revision"].as_u64().is_some(), "{answered}");
    // M (downstream) now reads it, C (another branch) still does not.
    let (status, p) = app.get(M, &format!("/api/v1/problems/{HD_PROBLEM}")).await;
    assert_eq!(
        (status, &p["disclosure"]),
        (StatusCode::OK, &"customers".into())
    );
    let (status, _) = app.get(C, &format!("/api/v1/problems/{HD_PROBLEM}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Answered once.
    let (status, body) = app.call(B, Method::POST, &answer, Some(accept)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("already_answered"), "{body}");
    // Audited: the request and the answer, with what they did.
    let audit = app.state.store().audit(None).unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|a| a.outcome.starts_with('2'))
        .map(|a| a.action.as_str())
        .collect();
    assert!(
        actions.contains(&format!("POST {requests} (request {id} to hd-b)").as_str()),
        "{actions:?}"
    );
    assert!(
        actions
            .contains(&format!("POST {answer} (accepted: 1 problems set to customers)").as_str()),
        "{actions:?}"
    );
    // The request outlives the server: it is in the store.
    let stored = app.state.store().disclosure_request(&id).unwrap().unwrap();
    assert_eq!(stored.status.as_str(), "accepted");
}
