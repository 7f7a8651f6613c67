//! The records of the quality work run on chains: tackling projects, consortia, policy tools and
//! yearly goals (see `crate::model::work`) — lists with filters and pages, reads, create,
//! replace and delete, each checked against the holder's role and applied atomically through
//! [`Service::write`] (validated like an import, a new revision each).
//!
//! Who reads and writes what:
//!
//! - **Projects and consortia** are written by admins and by regulators of their chain (of both
//!   chains when a write moves one to another chain). Admins, regulators of the chain and
//!   anonymous demo visitors read them whole. An enterprise reads the projects it leads or takes
//!   part in and the consortia it leads or is a member of, and nothing else; of a project's
//!   `problems` it sees only its own. A planner reads every project and consortium, with no
//!   project's `problems` (no firm-level problem reaches a planner), and the counts of a list.
//! - **Policy tools and goals** are public measures and targets without firm data: every holder
//!   reads them; admins and regulators of every chain write them.
//!
//! A project's status may change in any direction (a cancelled project revived, a completed one
//! reopened when its acceptance is withdrawn): unlike a problem's, its status carries no history
//! that a step back would falsify. Validation keeps `level` on completed projects only
//! (`level_before_completion`), so a project leaving `completed` drops its level in the same
//! write.
//!
//! Order of checks in a write, as for the other records (see [`super::records`]): what the role
//! may write at all ([`may_write`], before the body is parsed), what the new record says (its
//! chain), validation of the change, and only then what depends on the stored records (the old
//! version's chain, the id being taken).

use super::records::Mode;
use super::{Error, How, Prepared, Principal, Service, Snapshot};
use crate::model::access::AccessRole;
use crate::model::{
    region, Bundle, ChangeSet, Consortium, Dataset, Goal, PolicyKind, PolicyTool, Project,
    ProjectCategory, ProjectStatus,
};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The four kinds of quality-work record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkKind {
    Project,
    Consortium,
    PolicyTool,
    Goal,
}

/// Refuses at once a holder whose role writes no record of `kind`: projects and consortia are
/// for admins and regulators, policy tools and goals for admins and regulators of every chain.
/// Called before a body is parsed.
pub fn may_write(who: &Principal, kind: WorkKind) -> Result<(), Error> {
    who.require(match kind {
        WorkKind::Project | WorkKind::Consortium => {
            matches!(who.role(), Some(AccessRole::Admin | AccessRole::Regulator))
        }
        WorkKind::PolicyTool | WorkKind::Goal => who.writes_all(),
    })
}

/// What the generic reads and writes need to know of a kind of record.
pub trait WorkRecord: Clone + Send + Sync + 'static {
    const KIND: WorkKind;
    /// How a message names one (`project`).
    const NAME: &'static str;
    fn id(&self) -> &str;
    /// The stored records of this kind.
    fn stored(d: &Dataset) -> &OrdMap<String, Self>;
    /// A bundle holding only this record.
    fn bundle(self) -> Bundle;
    /// A change deleting the record with this id.
    fn deletion(id: String) -> ChangeSet;
    /// Whether `who` may write this version of the record (its chain, if it has one).
    fn writable(&self, who: &Principal) -> bool;
    /// Whether `who` may read the record at all.
    fn readable(&self, who: &Principal) -> bool;
    /// The record as `who` sees it (see the module's roles).
    fn seen_by(self, _who: &Principal, _d: &Dataset) -> Self {
        self
    }
}

/// Firm-level reads of a chain's work records: holders who read the chain (admins, its
/// regulators, anonymous demo visitors).
fn reads_whole(who: &Principal, chain: &str) -> bool {
    who.org().is_none() && who.reads_chain(chain)
}

impl WorkRecord for Project {
    const KIND: WorkKind = WorkKind::Project;
    const NAME: &'static str = "project";
    fn id(&self) -> &str {
        &self.id
    }
    fn stored(d: &Dataset) -> &OrdMap<String, Project> {
        &d.projects
    }
    fn bundle(self) -> Bundle {
        Bundle {
            projects: vec![self],
            ..Bundle::new()
        }
    }
    fn deletion(id: String) -> ChangeSet {
        ChangeSet {
            delete_projects: vec![id],
            ..ChangeSet::default()
        }
    }
    fn writable(&self, who: &Principal) -> bool {
        who.writes_chain(&self.chain)
    }
    fn readable(&self, who: &Principal) -> bool {
        match who.org() {
            Some(own) => self.organizations().any(|o| o == own),
            None => who.is_planner() || reads_whole(who, &self.chain),
        }
    }
    fn seen_by(mut self, who: &Principal, d: &Dataset) -> Project {
        if who.org().is_some() {
            let sight = who.sight(d);
            self.problems
                .retain(|id| d.problems.get(id).is_some_and(|p| sight.sees(p)));
        } else if !reads_whole(who, &self.chain) {
            self.problems.clear();
        }
        self
    }
}

impl WorkRecord for Consortium {
    const KIND: WorkKind = WorkKind::Consortium;
    const NAME: &'static str = "consortium";
    fn id(&self) -> &str {
        &self.id
    }
    fn stored(d: &Dataset) -> &OrdMap<String, Consortium> {
        &d.consortia
    }
    fn bundle(self) -> Bundle {
        Bundle {
            consortia: vec![self],
            ..Bundle::new()
        }
    }
    fn deletion(id: String) -> ChangeSet {
        ChangeSet {
            delete_consortia: vec![id],
            ..ChangeSet::default()
        }
    }
    fn writable(&self, who: &Principal) -> bool {
        who.writes_chain(&self.chain)
    }
    fn readable(&self, who: &Principal) -> bool {
        match who.org() {
            Some(own) => self.organizations().any(|o| o == own),
            None => who.is_planner() || reads_whole(who, &self.chain),
        }
    }
}

impl WorkRecord for PolicyTool {
    const KIND: WorkKind = WorkKind::PolicyTool;
    const NAME: &'static str = "policy tool";
    fn id(&self) -> &str {
        &self.id
    }
    fn stored(d: &Dataset) -> &OrdMap<String, PolicyTool> {
        &d.policy_tools
    }
    fn bundle(self) -> Bundle {
        Bundle {
            policy_tools: vec![self],
            ..Bundle::new()
        }
    }
    fn deletion(id: String) -> ChangeSet {
        ChangeSet {
            delete_policy_tools: vec![id],
            ..ChangeSet::default()
        }
    }
    fn writable(&self, who: &Principal) -> bool {
        who.writes_all()
    }
    fn readable(&self, _who: &Principal) -> bool {
        true
    }
}

impl WorkRecord for Goal {
    const KIND: WorkKind = WorkKind::Goal;
    const NAME: &'static str = "goal";
    fn id(&self) -> &str {
        &self.id
    }
    fn stored(d: &Dataset) -> &OrdMap<String, Goal> {
        &d.goals
    }
    fn bundle(self) -> Bundle {
        Bundle {
            goals: vec![self],
            ..Bundle::new()
        }
    }
    fn deletion(id: String) -> ChangeSet {
        ChangeSet {
            delete_goals: vec![id],
            ..ChangeSet::default()
        }
    }
    fn writable(&self, who: &Principal) -> bool {
        who.writes_all()
    }
    fn readable(&self, _who: &Principal) -> bool {
        true
    }
}

/// One record, as the holder sees it. A record the holder may not read is refused like one that
/// does not exist, unless the holder reads every chain (then: 404).
pub fn get<T: WorkRecord>(snap: &Snapshot, who: &Principal, id: &str) -> Result<T, Error> {
    let d = &snap.dataset;
    let record = T::stored(d)
        .get(id)
        .filter(|r| r.readable(who))
        .ok_or_else(|| missing::<T>(who, id))?;
    Ok(record.clone().seen_by(who, d))
}

/// A record that is not there or not to be seen: 404 for a holder who may know what exists
/// (those who read every chain, planners, who read every project and consortium, and anyone
/// for policy tools and goals, which every holder reads), 403 for everyone else.
fn missing<T: WorkRecord>(who: &Principal, id: &str) -> Error {
    match T::KIND {
        WorkKind::PolicyTool | WorkKind::Goal => Error::not_found(T::NAME, id),
        WorkKind::Project | WorkKind::Consortium if who.is_planner() => {
            Error::not_found(T::NAME, id)
        }
        WorkKind::Project | WorkKind::Consortium => who.not_found(T::NAME, id),
    }
}

fn already_exists(kind: &'static str, id: &str) -> Error {
    Error::Conflict {
        code: "already_exists",
        message: format!("{kind} {id:?} already exists"),
        details: Default::default(),
    }
}

/// Creates (`Mode::Create`: refused with 409 `already_exists` when the id is taken) or creates
/// or replaces a record. Returns the revision and whether one was replaced.
pub fn put<T: WorkRecord>(
    service: &Service,
    who: &Principal,
    how: How,
    record: T,
    mode: Mode,
) -> Result<(u64, bool), Error> {
    may_write(who, T::KIND)?;
    who.require(record.writable(who))?;
    service.write(how, move |data| {
        let old = T::stored(data).get(record.id());
        let existed = old.is_some();
        let refused_old = old.is_some_and(|r| !r.writable(who));
        let taken = mode == Mode::Create && existed;
        let id = record.id().to_string();
        Ok(Prepared::new(ChangeSet::upsert(record.bundle()), existed)
            .unless(refused_old, || Error::Forbidden)
            .unless(taken, || already_exists(T::NAME, &id)))
    })
}

/// Deletes a record (a consortium only while no project names it: 409 `still_referenced`).
/// Returns the revision.
pub fn delete<T: WorkRecord>(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
) -> Result<u64, Error> {
    may_write(who, T::KIND)?;
    service
        .write(how, move |data| {
            let Some(old) = T::stored(data).get(&id) else {
                return Err(who.not_found(T::NAME, id));
            };
            who.require(old.writable(who))?;
            Ok(Prepared::new(T::deletion(id), ()))
        })
        .map(|(revision, ())| revision)
}

/// Page bounds of every list here: 1-based `page` (default 1), `per_page` from 1 to 1000
/// (default 50).
pub(super) fn page_bounds(
    page: Option<usize>,
    per_page: Option<usize>,
) -> Result<(usize, usize), Error> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(50);
    if page == 0 || per_page == 0 || per_page > 1000 {
        return Err(Error::BadRequest(
            "page must be at least 1 and per_page between 1 and 1000".into(),
        ));
    }
    Ok((page, per_page))
}

pub(super) fn page_of<T>(rows: Vec<T>, page: usize, per_page: usize) -> Vec<T> {
    rows.into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect()
}

/// A `region` filter must be a region prefix (2, 4 or 6 digits).
pub(super) fn check_region(region: Option<&str>) -> Result<(), Error> {
    match region {
        Some(r) if !region::is_prefix(r) => Err(Error::BadRequest(format!(
            "region {r:?} is not a region prefix of 2, 4 or 6 digits"
        ))),
        _ => Ok(()),
    }
}

/// A `chain` filter names a chain: a holder who reads some chains whole (a regulator limited to
/// some chains) is refused another chain's list, as its other reads of that chain. Enterprises
/// and planners, who read across chains what concerns them, just get the filtered list.
fn check_chain(who: &Principal, chain: Option<&str>) -> Result<(), Error> {
    match chain {
        Some(c) if who.org().is_none() && !who.is_planner() => who.require_chain(c),
        _ => Ok(()),
    }
}

/// Filters and page of the project list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    /// Only projects on this chain.
    pub chain: Option<String>,
    /// Only projects of this year.
    pub year: Option<u16>,
    pub status: Option<ProjectStatus>,
    pub category: Option<ProjectCategory>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Projects per page (default 50, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<usize>,
}

/// How many projects of a list (all pages) are in each status and category; a status or
/// category with none is left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ProjectCounts {
    #[schema(value_type = BTreeMap<ProjectStatus, usize>)]
    pub by_status: BTreeMap<ProjectStatus, usize>,
    #[schema(value_type = BTreeMap<ProjectCategory, usize>)]
    pub by_category: BTreeMap<ProjectCategory, usize>,
}

/// One page of the project list (重点项目清单).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPage {
    /// Projects matching the filter that the holder reads, over all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// Over all pages.
    pub counts: ProjectCounts,
    pub projects: Vec<Project>,
}

/// The projects the holder reads, filtered and paginated: latest year first, then by id.
///
/// Complexity: O(J log J) for the stored projects.
pub fn projects(snap: &Snapshot, who: &Principal, f: ProjectFilter) -> Result<ProjectPage, Error> {
    check_chain(who, f.chain.as_deref())?;
    let (page, per_page) = page_bounds(f.page, f.per_page)?;
    let d = &snap.dataset;
    let mut rows: Vec<&Project> = d
        .projects
        .values()
        .filter(|p| f.chain.as_ref().is_none_or(|c| &p.chain == c))
        .filter(|p| f.year.is_none_or(|y| p.year == y))
        .filter(|p| f.status.is_none_or(|s| p.status == s))
        .filter(|p| f.category.is_none_or(|c| p.category == c))
        .filter(|p| p.readable(who))
        .collect();
    rows.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.id.cmp(&b.id)));
    let mut counts = ProjectCounts::default();
    for p in &rows {
        *counts.by_status.entry(p.status).or_default() += 1;
        *counts.by_category.entry(p.category).or_default() += 1;
    }
    let total = rows.len();
    let projects = page_of(rows, page, per_page)
        .into_iter()
        .map(|p| p.clone().seen_by(who, d))
        .collect();
    Ok(ProjectPage {
        total,
        page,
        per_page,
        counts,
        projects,
    })
}

/// Filters and page of the consortium list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsortiumFilter {
    /// Only consortia on this chain.
    pub chain: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Consortia per page (default 50, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<usize>,
}

/// One page of the consortium list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsortiumPage {
    /// Consortia matching the filter that the holder reads, over all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub consortia: Vec<Consortium>,
}

/// The consortia the holder reads, filtered and paginated, by id.
pub fn consortia(
    snap: &Snapshot,
    who: &Principal,
    f: ConsortiumFilter,
) -> Result<ConsortiumPage, Error> {
    check_chain(who, f.chain.as_deref())?;
    let (page, per_page) = page_bounds(f.page, f.per_page)?;
    let rows: Vec<&Consortium> = snap
        .dataset
        .consortia
        .values()
        .filter(|c| f.chain.as_ref().is_none_or(|chain| &c.chain == chain))
        .filter(|c| c.readable(who))
        .collect();
    let total = rows.len();
    Ok(ConsortiumPage {
        total,
        page,
        per_page,
        consortia: page_of(rows, page, per_page).into_iter().cloned().collect(),
    })
}

/// Filters and page of the policy-tool list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyToolFilter {
    /// Only tools that apply somewhere in this region prefix (2, 4 or 6 digits): the tool's
    /// region and this one are prefixes of one another (a province's tools apply in its cities;
    /// a city's tools are among its province's).
    #[param(pattern = r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$")]
    pub region: Option<String>,
    /// Only tools issued in this year.
    pub year: Option<u16>,
    pub kind: Option<PolicyKind>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Tools per page (default 50, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<usize>,
}

/// One page of the policy-tool list (政策工具清单).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyToolPage {
    /// Tools matching the filter, over all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub policy_tools: Vec<PolicyTool>,
}

/// The policy tools, filtered and paginated: latest year first, then by id.
pub fn policy_tools(
    snap: &Snapshot,
    _who: &Principal,
    f: PolicyToolFilter,
) -> Result<PolicyToolPage, Error> {
    check_region(f.region.as_deref())?;
    let (page, per_page) = page_bounds(f.page, f.per_page)?;
    let mut rows: Vec<&PolicyTool> = snap
        .dataset
        .policy_tools
        .values()
        .filter(|t| {
            f.region
                .as_deref()
                .is_none_or(|r| region::overlap(&t.region, r))
        })
        .filter(|t| f.year.is_none_or(|y| t.year == y))
        .filter(|t| f.kind.is_none_or(|k| t.kind == k))
        .collect();
    rows.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.id.cmp(&b.id)));
    let total = rows.len();
    Ok(PolicyToolPage {
        total,
        page,
        per_page,
        policy_tools: page_of(rows, page, per_page).into_iter().cloned().collect(),
    })
}

/// Filters and page of the goal list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalFilter {
    /// Only goals of regions that this region prefix (2, 4 or 6 digits) contains or lies in:
    /// the goal's region and this one are prefixes of one another.
    #[param(pattern = r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$")]
    pub region: Option<String>,
    /// Only goals of this year.
    pub year: Option<u16>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Goals per page (default 50, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<usize>,
}

/// One page of the goal list (年度目标).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalPage {
    /// Goals matching the filter, over all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub goals: Vec<Goal>,
}

/// The goals, filtered and paginated: latest year first, then by region and id.
pub fn goals(snap: &Snapshot, _who: &Principal, f: GoalFilter) -> Result<GoalPage, Error> {
    check_region(f.region.as_deref())?;
    let (page, per_page) = page_bounds(f.page, f.per_page)?;
    let mut rows: Vec<&Goal> = snap
        .dataset
        .goals
        .values()
        .filter(|g| {
            f.region
                .as_deref()
                .is_none_or(|r| region::overlap(&g.region, r))
        })
        .filter(|g| f.year.is_none_or(|y| g.year == y))
        .collect();
    rows.sort_by(|a, b| {
        b.year
            .cmp(&a.year)
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.id.cmp(&b.id))
    });
    let total = rows.len();
    Ok(GoalPage {
        total,
        page,
        per_page,
        goals: page_of(rows, page, per_page).into_iter().cloned().collect(),
    })
}

/// A project as a list of other records names it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProjectRef {
    pub id: String,
    pub title: String,
    pub category: ProjectCategory,
    pub status: ProjectStatus,
    pub year: u16,
}

impl ProjectRef {
    pub fn of(p: &Project) -> ProjectRef {
        ProjectRef {
            id: p.id.clone(),
            title: p.title.clone(),
            category: p.category,
            status: p.status,
            year: p.year,
        }
    }
}

/// Live projects first (neither cancelled nor completed), then by id.
pub fn live_first(refs: &mut [ProjectRef]) {
    refs.sort_by(|a, b| {
        b.status
            .is_live()
            .cmp(&a.status.is_live())
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Per problem id of `chain`, the projects on it that list the problem and that `who` reads,
/// live first.
///
/// Complexity: O(J_c·k) for the chain's projects and the problems each lists.
pub fn tackling(d: &Dataset, who: &Principal, chain: &str) -> BTreeMap<String, Vec<ProjectRef>> {
    let mut by_problem: BTreeMap<String, Vec<ProjectRef>> = BTreeMap::new();
    for p in d.projects_of_chain(chain).filter(|p| p.readable(who)) {
        let mut listed: Vec<&String> = p.problems.iter().collect();
        listed.sort();
        listed.dedup();
        for problem in listed {
            by_problem
                .entry(problem.clone())
                .or_default()
                .push(ProjectRef::of(p));
        }
    }
    for refs in by_problem.values_mut() {
        live_first(refs);
    }
    by_problem
}

/// Per firm, the projects on `chain` that tackle one of its problems (any status), live first.
///
/// Complexity: O(J_c·k·log P) for the chain's projects and the problems each lists.
pub fn tackling_firms(d: &Dataset, chain: &str) -> BTreeMap<String, Vec<ProjectRef>> {
    let mut by_firm: BTreeMap<String, Vec<ProjectRef>> = BTreeMap::new();
    for p in d.projects_of_chain(chain) {
        let mut firms: Vec<&str> = p
            .problems
            .iter()
            .filter_map(|id| d.problems.get(id))
            .map(|q| q.org.as_str())
            .collect();
        firms.sort_unstable();
        firms.dedup();
        for firm in firms {
            by_firm
                .entry(firm.to_string())
                .or_default()
                .push(ProjectRef::of(p));
        }
    }
    for refs in by_firm.values_mut() {
        live_first(refs);
    }
    by_firm
}
