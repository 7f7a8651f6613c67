//! Key-project candidates (重点项目清单) in Shanghai's three categories of quality-tackling
//! projects (质量攻关), the categories of a recorded project ([`ProjectCategory`]):
//! common-technology breakthrough (共性技术), chain collaboration (链上协同) and key product
//! performance (重点产品).
//!
//! This module reads an [`Assignment`] to weigh projects by how much of their need current QI
//! leaves unserved. The weak links (critical nodes, single-source suppliers, chain masters) come
//! in as plain sets ([`WeakLinks`]) so this file does not depend on the weak-link analyses.
//!
//! Candidates are drawn from the demand problems that no live project (see
//! [`crate::model::ProjectStatus::is_live`]) of the dataset tackles yet, and each can carry a
//! ready [`Project`] record ([`KeyProjects::add_drafts`]) that a regulator files in one step.
//!
//! # Ranking
//!
//! Every project gets `score = severity × (1 + unserved_share) × weight`, where `severity` is the
//! total severity behind it (needs for common technology, problems otherwise), `unserved_share` is
//! the severity of its unassigned needs over the severity of all its needs (0 without needs), and
//! `weight` is 1, except for chain-collaboration projects where it counts the weak-link roles of
//! the firm (critical node, single-source supplier: 1 or 2). Each list is sorted by score
//! (descending), then chain, then title.

use super::assignment::Assignment;
use super::eligibility::{FastMap, FastSet, Need, Place, ProviderIndex, Scope};
use crate::model::{
    limits, region, Dataset, Level, Organization, Problem, Project, ProjectCategory, ProjectStatus,
    Role,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// A common-technology project needs the same capability at this many distinct firms of a chain.
pub const COMMON_MIN_FIRMS: usize = 3;
/// A key-product project takes problems of at least this severity at chain masters.
pub const KEY_PRODUCT_MIN_SEVERITY: u8 = 4;
/// Candidate providers listed per project.
pub const MAX_CANDIDATES: usize = 5;

/// Weak links found by the weak-link analyses, by chain id: the input of chain-collaboration
/// projects (which firms make one, and which chain master leads it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeakLinks {
    /// Critical firm ids per chain.
    pub critical: BTreeMap<String, BTreeSet<String>>,
    /// Ids of firms that are the single supplier of some part, per chain.
    pub single_source: BTreeMap<String, BTreeSet<String>>,
    /// Chain master ids per chain.
    pub masters: BTreeMap<String, BTreeSet<String>>,
    /// Per chain, per critical firm, the first chain master (smallest id) its failure disables.
    pub first_disabled_master: BTreeMap<String, BTreeMap<String, String>>,
}

/// A provider that could take part in a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectCandidate {
    pub provider: String,
    pub name: String,
    #[schema(value_type = String)]
    pub level: Level,
    /// Codes of the project's needs it is eligible for, sorted.
    pub codes: Vec<String>,
    /// How many of the project's needs it is eligible for (capacity ignored).
    pub needs_served: u64,
    /// Its smallest distance tier to a firm whose need it can take.
    pub best_tier: u8,
}

/// One key-project candidate.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KeyProject {
    /// `common_technology` (共性技术攻关: the same capability need at ≥ 3 firms of a chain),
    /// `chain_collaboration` (链上协同: demand problems at a critical node or single-source
    /// supplier) or `key_product` (重点产品: severe problems, severity ≥ 4, at a chain master).
    pub category: ProjectCategory,
    pub chain: String,
    pub title: String,
    /// The shared capability code (common-technology projects only).
    pub code: Option<String>,
    /// Firms behind the project, sorted.
    pub firms: Vec<String>,
    /// Problems behind the project, sorted.
    pub problems: Vec<String>,
    pub severity: u64,
    /// Share of the project's need severity that the assignment leaves unserved, in [0, 1].
    pub unserved_share: f64,
    /// See the module documentation.
    pub score: f64,
    /// Up to five providers, ranked by needs served (descending), best tier, level, name.
    pub candidates: Vec<ProjectCandidate>,
    /// Who would lead it (牵头单位): for a chain-collaboration project a chain master (the firm
    /// itself when it is one, else the first master its failure disables, else the chain's
    /// first master); otherwise the firm with the most severity behind it (ties: smallest id).
    pub lead: String,
    /// A ready project record (status `proposed`) to file as it is; present where the caller
    /// asked for drafts for a year ([`KeyProjects::add_drafts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<Project>,
}

/// Projects kept per list: a key-project list is a short list (Shanghai's yearly goals are in
/// the tens to a hundred and fifty), and each kept project names its candidate providers.
pub const MAX_PROJECTS: usize = 200;

/// The three lists, each ranked, each cut to the best [`MAX_PROJECTS`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct KeyProjects {
    pub common_technology: Vec<KeyProject>,
    pub chain_collaboration: Vec<KeyProject>,
    pub key_product: Vec<KeyProject>,
    /// How many candidates each list had before it was cut.
    pub totals: ProjectTotals,
}

/// Candidate counts per list, before the lists are cut to [`MAX_PROJECTS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectTotals {
    pub common_technology: usize,
    pub chain_collaboration: usize,
    pub key_product: usize,
}

impl KeyProjects {
    /// Gives every candidate of the three lists a ready [`KeyProject::draft`] for `year`: a
    /// project record with status `proposed` that validates against `d` as it is (given a
    /// `year` from 1990 to 2100) and that a regulator files in one step (立项).
    ///
    /// The draft carries: an id suggestion `{chain}-{category}-{year}-{n}`, with n the smallest
    /// number from 1 up that no project of `d` and no earlier draft uses (the chain id cut short
    /// when the id would pass 128 characters); the candidate's title (cut to 500 characters),
    /// category and chain; its [`KeyProject::lead`]; as participants its other firms (sorted),
    /// then its candidate providers (in rank order); its problems; `year`; status `proposed`; no
    /// level, consortium or results.
    ///
    /// Complexity: O(k log J) for k candidates and J projects of `d`.
    pub fn add_drafts(&mut self, d: &Dataset, year: u16) {
        let mut used: BTreeSet<String> = BTreeSet::new();
        // (chain, category) → the next number to try.
        let mut next: BTreeMap<(String, ProjectCategory), u32> = BTreeMap::new();
        for project in self
            .common_technology
            .iter_mut()
            .chain(self.chain_collaboration.iter_mut())
            .chain(self.key_product.iter_mut())
        {
            let n = next
                .entry((project.chain.clone(), project.category))
                .or_insert(1);
            let id = loop {
                let id = draft_id(&project.chain, project.category, year, *n);
                *n += 1;
                if !d.projects.contains_key(&id) && !used.contains(&id) {
                    break id;
                }
            };
            used.insert(id.clone());
            let mut participants: Vec<String> = Vec::new();
            let mut listed: BTreeSet<&str> = BTreeSet::from([project.lead.as_str()]);
            let firms = project.firms.iter();
            for org in firms.chain(project.candidates.iter().map(|c| &c.provider)) {
                if listed.insert(org) {
                    participants.push(org.clone());
                }
            }
            project.draft = Some(Project {
                id,
                title: project.title.chars().take(limits::TEXT).collect(),
                category: project.category,
                chain: project.chain.clone(),
                lead: project.lead.clone(),
                participants,
                problems: project.problems.clone(),
                year,
                status: ProjectStatus::Proposed,
                level: None,
                consortium: None,
                results: None,
            });
        }
    }
}

/// The id suggestion `{chain}-{category}-{year}-{n}` of a draft, at most [`limits::ID`]
/// characters (the chain id is cut short when needed).
fn draft_id(chain: &str, category: ProjectCategory, year: u16, n: u32) -> String {
    let suffix = format!("-{}-{year}-{n}", category.as_str());
    let room = limits::ID.saturating_sub(suffix.chars().count());
    let head: String = chain.chars().take(room).collect();
    format!("{head}{suffix}")
}

/// Key-project candidates of an assignment's scope.
///
/// Arguments: the dataset (its live projects take the problems they tackle out of the
/// candidates), the assignment of the scope (for unserved shares), and the weak links (empty
/// [`WeakLinks`] yields no chain-collaboration projects).
/// Returns: the three ranked lists, without drafts (see [`KeyProjects::add_drafts`]).
/// Complexity: O(J) for the dataset's J project records, O(P + N) to group P problems and N
/// needs, plus O(k log k) per project for its k eligible providers.
pub fn key_projects(d: &Dataset, a: &Assignment, weak: &WeakLinks) -> KeyProjects {
    let index = ProviderIndex::from_dataset(d);
    let problems: Vec<&Problem> = d.problems.values().collect();
    key_projects_with(d, a, weak, &index, &problems, &[])
}

/// [`key_projects`] with a provider index built by the caller, over `problems` (those of the
/// scope, or more: problems outside the assignment's scope are skipped), in id order, given
/// the `needs` the assignment was made from (they carry the places of the firms; any problem
/// they leave out has its firm looked up).
///
/// How it stays cheap on a national dataset: one pass over the problems, walked side by side
/// with the assignment (both in id order), gives every demand problem its served severities,
/// its chain and firm as small numbers, and its distinct codes; the groups of the three lists
/// are then keyed by those numbers. Organization records are looked up once per firm, and only
/// for firms that need a name, a role or a place. Firms, problems, candidates and leads are
/// worked out only for the projects that make the cut.
pub fn key_projects_with(
    d: &Dataset,
    a: &Assignment,
    weak: &WeakLinks,
    index: &ProviderIndex,
    problems: &[&Problem],
    needs: &[Need<'_>],
) -> KeyProjects {
    // Problems a live project of the scope tackles already: no candidate takes them.
    let tackled: FastSet<&str> = d
        .projects
        .values()
        .filter(|j| j.is_live() && a.scope.contains_chain(&j.chain))
        .flat_map(|j| j.problems.iter().map(String::as_str))
        .collect();
    let table = Demand::build(a, problems, needs, &tackled);
    let mut firms = Firms::new(d, &table.firms);

    // Common technology: (chain, code) → its problems, by position in the table.
    let mut by_code: FastMap<(u32, &str), Vec<u32>> = FastMap::default();
    for (i, row) in table.rows.iter().enumerate() {
        for need in table.codes_of(row) {
            by_code
                .entry((row.chain, need.code))
                .or_default()
                .push(i as u32);
        }
    }
    // Distinct firms of a group, counted with a mark per firm (the group's number).
    let mut mark: Vec<u32> = vec![u32::MAX; table.firms.len()];
    let mut common = Vec::new();
    for (group, ((chain, code), rows)) in by_code.into_iter().enumerate() {
        let mut count = 0usize;
        for &i in &rows {
            let firm = table.rows[i as usize].firm as usize;
            if mark[firm] != group as u32 {
                mark[firm] = group as u32;
                count += 1;
            }
        }
        if count < COMMON_MIN_FIRMS {
            continue;
        }
        // The severity of each problem counts once per time the code is listed in its needs;
        // each (problem, code) brings its needs' served figures once.
        let (mut severity, mut unserved, mut need_severity) = (0u64, 0u64, 0u64);
        for &i in &rows {
            let row = &table.rows[i as usize];
            let need = table
                .codes_of(row)
                .iter()
                .find(|n| n.code == code)
                .expect("the group was made from this code");
            severity += row.problem.severity as u64 * need.times;
            unserved += need.unserved;
            need_severity += need.total;
        }
        // Named by the capability catalogue; a code without an entry as it is.
        let title = format!(
            "{} 共性技术攻关（{} 家企业）",
            d.capability_label(code),
            count
        );
        common.push(Listed {
            category: ProjectCategory::CommonTechnology,
            chain: table.chains[chain as usize],
            title,
            named: None,
            code: Some(code),
            tie: code,
            rows,
            severity,
            unserved_share: share(unserved, need_severity),
            weight: 1.0,
        });
    }

    // Chain collaboration and key products: (chain, firm) → its problems on the chain.
    let mut by_firm: FastMap<(u32, u32), (Vec<u32>, u8)> = FastMap::default();
    for (i, row) in table.rows.iter().enumerate() {
        by_firm
            .entry((row.chain, row.firm))
            .or_default()
            .0
            .push(i as u32);
    }
    // Weak-link roles (critical node, single-source supplier), walked from the (short) sets.
    for sets in [&weak.critical, &weak.single_source] {
        for (chain, ids) in sets {
            let Some(&c) = table.chain_ids.get(chain.as_str()) else {
                continue;
            };
            for id in ids {
                let Some(&f) = table.firm_ids.get(id.as_str()) else {
                    continue;
                };
                if let Some(group) = by_firm.get_mut(&(c, f)) {
                    group.1 += 1;
                }
            }
        }
    }
    let mut collaborative = Vec::new();
    let mut key_product = Vec::new();
    for ((chain_no, firm_no), (rows, weight)) in by_firm {
        let chain = table.chains[chain_no as usize];
        let firm = table.firms[firm_no as usize];
        if weight > 0 {
            let (severity, unserved, need_severity) = table.sums(rows.iter().copied());
            // Tens of thousands on a national dataset: named only if they come near the cut.
            collaborative.push(Listed {
                category: ProjectCategory::ChainCollaboration,
                chain,
                title: String::new(),
                named: Some((firm_no, " 链上协同质量提升")),
                code: None,
                tie: firm,
                rows: rows.clone(),
                severity,
                unserved_share: share(unserved, need_severity),
                weight: weight as f64,
            });
        }
        let severe: Vec<u32> = rows
            .into_iter()
            .filter(|&i| table.rows[i as usize].problem.severity >= KEY_PRODUCT_MIN_SEVERITY)
            .collect();
        if severe.is_empty() {
            continue;
        }
        let org = firms.org(firm_no);
        let is_master = org
            .and_then(|o| o.membership(chain))
            .is_some_and(|m| m.role == Role::ChainMaster);
        if is_master {
            let name = org.map_or(firm, |o| o.name.as_str());
            let (severity, unserved, need_severity) = table.sums(severe.iter().copied());
            key_product.push(Listed {
                category: ProjectCategory::KeyProduct,
                chain,
                title: format!("{name} 重点产品性能提升"),
                named: None,
                code: None,
                tie: firm,
                rows: severe,
                severity,
                unserved_share: share(unserved, need_severity),
                weight: 1.0,
            });
        }
    }
    let totals = ProjectTotals {
        common_technology: common.len(),
        chain_collaboration: collaborative.len(),
        key_product: key_product.len(),
    };
    let ctx = Context { d, index, weak };
    KeyProjects {
        common_technology: ctx.rank(common, &table, &mut firms),
        chain_collaboration: ctx.rank(collaborative, &table, &mut firms),
        key_product: ctx.rank(key_product, &table, &mut firms),
        totals,
    }
}

/// Unserved over total need severity (0 without needs).
fn share(unserved: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        unserved as f64 / total as f64
    }
}

/// The demand problems of a scope that no live project tackles, in id order, with what the
/// key projects read of them.
struct Demand<'a> {
    rows: Vec<Row<'a>>,
    /// The distinct codes of every row, row after row (see [`Row::codes`]).
    codes: Vec<CodeNeeds<'a>>,
    /// Chain ids by number, and numbers by id.
    chains: Vec<&'a str>,
    chain_ids: FastMap<&'a str, u32>,
    /// Firm ids by number, and numbers by id.
    firms: Vec<&'a str>,
    firm_ids: FastMap<&'a str, u32>,
}

struct Row<'a> {
    problem: &'a Problem,
    chain: u32,
    firm: u32,
    /// Where the firm is, when the needs given said so.
    place: Option<Place<'a>>,
    /// Unassigned and total severity of all the problem's needs in the assignment.
    unserved: u64,
    total: u64,
    /// The problem's distinct codes: `codes[start..end]` of the table.
    codes: (u32, u32),
}

/// One distinct code of a problem's needs.
struct CodeNeeds<'a> {
    code: &'a str,
    /// How many times the problem lists it.
    times: u64,
    /// Unassigned and total severity of the problem's needs of this code in the assignment.
    unserved: u64,
    total: u64,
}

impl<'a> Demand<'a> {
    /// One pass over `problems` (in id order) beside the assignment's needs (in need order:
    /// problem id, then list order, as [`Assignment`] keeps them).
    fn build(
        a: &'a Assignment,
        problems: &[&'a Problem],
        needs: &[Need<'a>],
        tackled: &FastSet<&str>,
    ) -> Self {
        let mut t = Demand {
            rows: Vec::new(),
            codes: Vec::new(),
            chains: Vec::new(),
            chain_ids: FastMap::default(),
            firms: Vec::new(),
            firm_ids: FastMap::default(),
        };
        let (mut next_assigned, mut next_unassigned, mut next_need) = (0usize, 0usize, 0usize);
        // The assignment's needs of the problem at hand: (code, severity, unassigned).
        let mut own: Vec<(&str, u64, bool)> = Vec::new();
        for &p in problems {
            own.clear();
            let id = p.id.as_str();
            // Needs of problems not in the list (there are none when the list covers the
            // scope) are passed over.
            let assigned = &a.assigned;
            while next_assigned < assigned.len() && assigned[next_assigned].problem.as_str() < id {
                next_assigned += 1;
            }
            while next_assigned < assigned.len() && assigned[next_assigned].problem == id {
                let n = &assigned[next_assigned];
                own.push((&n.code, n.severity as u64, false));
                next_assigned += 1;
            }
            let unassigned = &a.unassigned;
            while next_unassigned < unassigned.len()
                && unassigned[next_unassigned].problem.as_str() < id
            {
                next_unassigned += 1;
            }
            while next_unassigned < unassigned.len() && unassigned[next_unassigned].problem == id {
                let n = &unassigned[next_unassigned];
                own.push((&n.code, n.severity as u64, true));
                next_unassigned += 1;
            }
            while next_need < needs.len() && needs[next_need].problem < id {
                next_need += 1;
            }
            let place = needs
                .get(next_need)
                .filter(|n| n.problem == id)
                .map(|n| n.place);
            if !(p.is_demand() && a.scope.contains_chain(&p.chain) && !tackled.contains(id)) {
                continue;
            }
            let chain = intern(&mut t.chains, &mut t.chain_ids, &p.chain);
            let firm = intern(&mut t.firms, &mut t.firm_ids, &p.org);
            // The distinct codes, sorted, with how often each is listed.
            let start = t.codes.len();
            t.codes.extend(p.needs.iter().map(|code| CodeNeeds {
                code,
                times: 1,
                unserved: 0,
                total: 0,
            }));
            t.codes[start..].sort_unstable_by(|x, y| x.code.cmp(y.code));
            let mut end = start;
            for i in start..t.codes.len() {
                if end > start && t.codes[end - 1].code == t.codes[i].code {
                    t.codes[end - 1].times += 1;
                } else {
                    t.codes.swap(end, i);
                    end += 1;
                }
            }
            t.codes.truncate(end);
            let (mut unserved, mut total) = (0, 0);
            for &(code, severity, open) in &own {
                let unserved_part = if open { severity } else { 0 };
                unserved += unserved_part;
                total += severity;
                if let Some(c) = t.codes[start..end].iter_mut().find(|c| c.code == code) {
                    c.unserved += unserved_part;
                    c.total += severity;
                }
            }
            t.rows.push(Row {
                problem: p,
                chain,
                firm,
                place,
                unserved,
                total,
                codes: (start as u32, end as u32),
            });
        }
        t
    }

    fn codes_of(&self, row: &Row<'_>) -> &[CodeNeeds<'a>] {
        &self.codes[row.codes.0 as usize..row.codes.1 as usize]
    }

    /// Severity, unassigned need severity and total need severity of some rows.
    fn sums(&self, rows: impl Iterator<Item = u32>) -> (u64, u64, u64) {
        rows.map(|i| &self.rows[i as usize])
            .fold((0, 0, 0), |(s, u, t), r| {
                (s + r.problem.severity as u64, u + r.unserved, t + r.total)
            })
    }
}

/// The number of `id` in `names`, given it one if it has none.
fn intern<'a>(names: &mut Vec<&'a str>, ids: &mut FastMap<&'a str, u32>, id: &'a str) -> u32 {
    *ids.entry(id).or_insert_with(|| {
        names.push(id);
        (names.len() - 1) as u32
    })
}

/// Organization records of the table's firms, looked up once each and only when asked for.
struct Firms<'a> {
    d: &'a Dataset,
    ids: &'a [&'a str],
    found: Vec<Option<Option<&'a Organization>>>,
}

impl<'a> Firms<'a> {
    fn new(d: &'a Dataset, ids: &'a [&'a str]) -> Self {
        Firms {
            d,
            ids,
            found: vec![None; ids.len()],
        }
    }

    fn org(&mut self, firm: u32) -> Option<&'a Organization> {
        let (d, ids) = (self.d, self.ids);
        *self.found[firm as usize].get_or_insert_with(|| d.organizations.get(ids[firm as usize]))
    }
}

/// A project before the cut: what ranks it, and the rows behind it, from which the kept ones get
/// their firms, problems, candidates and lead.
struct Listed<'a> {
    category: ProjectCategory,
    chain: &'a str,
    title: String,
    /// A title still to write: the firm (whose name, or id without a record, comes first) and
    /// the rest.
    named: Option<(u32, &'static str)>,
    code: Option<&'a str>,
    /// What orders projects equal in score, chain and title: the code (common technology) or
    /// the firm (the other two), unique within a chain.
    tie: &'a str,
    rows: Vec<u32>,
    severity: u64,
    unserved_share: f64,
    weight: f64,
}

impl Listed<'_> {
    fn score(&self) -> f64 {
        self.severity as f64 * (1.0 + self.unserved_share) * self.weight
    }
}

struct Context<'a> {
    d: &'a Dataset,
    index: &'a ProviderIndex,
    weak: &'a WeakLinks,
}

impl<'a> Context<'a> {
    /// Ranks a list by score, then chain, then title, keeps the best [`MAX_PROJECTS`] and names
    /// their firms, problems and candidates (only for those kept: a national dataset has tens of
    /// thousands of weak-link firms).
    ///
    /// Projects equal in score, chain and title follow their code or firm: the order the lists
    /// had when they were built in (chain, code or firm) order and sorted stably. That makes
    /// the order total, so the best few are picked first and only they are sorted.
    fn rank(
        &self,
        list: Vec<Listed<'a>>,
        table: &Demand<'a>,
        firms: &mut Firms<'a>,
    ) -> Vec<KeyProject> {
        let mut list: Vec<(f64, Listed<'a>)> = list.into_iter().map(|l| (l.score(), l)).collect();
        let order = |(sa, a): &(f64, Listed<'a>), (sb, b): &(f64, Listed<'a>)| {
            sb.total_cmp(sa)
                .then_with(|| a.chain.cmp(b.chain))
                .then_with(|| a.title.cmp(&b.title))
                .then_with(|| a.tie.cmp(b.tie))
        };
        if list.len() > MAX_PROJECTS {
            // Only projects scoring at least as well as the last kept one can make the cut.
            let mut scores: Vec<f64> = list.iter().map(|(score, _)| *score).collect();
            scores.select_nth_unstable_by(MAX_PROJECTS - 1, |a, b| b.total_cmp(a));
            let bar = scores[MAX_PROJECTS - 1];
            list.retain(|(score, _)| score.total_cmp(&bar).is_ge());
        }
        for (_, l) in &mut list {
            if let Some((firm, rest)) = l.named.take() {
                let id = table.firms[firm as usize];
                let name = firms.org(firm).map_or(id, |o| o.name.as_str());
                l.title = format!("{name}{rest}");
            }
        }
        if list.len() > MAX_PROJECTS {
            list.select_nth_unstable_by(MAX_PROJECTS - 1, order);
            list.truncate(MAX_PROJECTS);
        }
        list.sort_unstable_by(order);
        list.into_iter()
            .map(|(score, l)| {
                let problems: Vec<&Problem> = l
                    .rows
                    .iter()
                    .map(|&i| table.rows[i as usize].problem)
                    .collect();
                // Each need with the place of its firm: a common-technology project reads its
                // code once per problem, the others every code listed.
                let mut needs: Vec<(&Problem, &str, Place<'_>)> = Vec::new();
                for &i in &l.rows {
                    let row = &table.rows[i as usize];
                    let place = match row.place {
                        Some(place) => place,
                        None => Place::of(firms.org(row.firm)),
                    };
                    match l.code {
                        Some(code) => needs.push((row.problem, code, place)),
                        None => needs.extend(
                            row.problem
                                .needs
                                .iter()
                                .map(|c| (row.problem, c.as_str(), place)),
                        ),
                    }
                }
                let ids: BTreeSet<&str> = problems.iter().map(|p| p.org.as_str()).collect();
                let problem_ids: BTreeSet<&str> = problems.iter().map(|p| p.id.as_str()).collect();
                let mut project = KeyProject {
                    category: l.category,
                    chain: l.chain.to_string(),
                    title: l.title,
                    code: l.code.map(str::to_string),
                    firms: ids.into_iter().map(str::to_string).collect(),
                    problems: problem_ids.into_iter().map(str::to_string).collect(),
                    severity: l.severity,
                    unserved_share: l.unserved_share,
                    score,
                    candidates: self.candidates(&needs),
                    lead: String::new(),
                    draft: None,
                };
                // The firm with the most severity behind it (for common technology, severity ×
                // occurrences of the code in the problem's needs); ties: the smallest id.
                let mut weight: FastMap<u32, u64> = FastMap::default();
                for &i in &l.rows {
                    let row = &table.rows[i as usize];
                    let times = match l.code {
                        Some(code) => table
                            .codes_of(row)
                            .iter()
                            .find(|n| n.code == code)
                            .map_or(0, |n| n.times),
                        None => 1,
                    };
                    *weight.entry(row.firm).or_default() += row.problem.severity as u64 * times;
                }
                let main = weight
                    .iter()
                    .map(|(&firm, &w)| (w, table.firms[firm as usize]))
                    .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)))
                    .map_or("", |(_, id)| id);
                project.lead = self.lead(&project, main);
                project
            })
            .collect()
    }

    /// The lead of a kept project whose firm with the most severity behind it is `main` (see
    /// [`KeyProject::lead`]): `main` itself, except that chain collaboration is led by a chain
    /// master.
    fn lead(&self, project: &KeyProject, main: &str) -> String {
        if project.category != ProjectCategory::ChainCollaboration {
            return main.to_string();
        }
        let chain = project.chain.as_str();
        let is_master = self
            .d
            .organizations
            .get(main)
            .and_then(|o| o.membership(chain))
            .is_some_and(|m| m.role == Role::ChainMaster);
        if is_master {
            return main.to_string();
        }
        self.weak
            .first_disabled_master
            .get(chain)
            .and_then(|m| m.get(main))
            .or_else(|| self.weak.masters.get(chain).and_then(|m| m.first()))
            .map_or(main, String::as_str)
            .to_string()
    }

    /// The candidate providers of a kept project, from its needs, each with the place of its
    /// firm.
    fn candidates(&self, needs: &[(&Problem, &str, Place<'_>)]) -> Vec<ProjectCandidate> {
        // Where the needs of each code sit. A national provider serves all of them, a
        // provincial one those of its province, a municipal one those of its city; its best tier
        // follows from whether any need sits in its county, city or province. So each provider
        // list is walked once per code and place present, not once per need.
        #[derive(Default)]
        struct Spread<'a> {
            total: u64,
            by_province: FastMap<&'a str, u64>,
            by_city: FastMap<&'a str, u64>,
            counties: FastSet<&'a str>,
        }
        let mut spread: BTreeMap<&str, Spread<'_>> = BTreeMap::new();
        for &(_, code, place) in needs {
            let s = spread.entry(code).or_default();
            s.total += 1;
            if let Place::Domestic(r) = place {
                *s.by_province.entry(region::province(r)).or_default() += 1;
                *s.by_city.entry(region::city(r)).or_default() += 1;
                s.counties.insert(r);
            }
        }
        // provider index → (needs served, best tier); the codes of the few kept are found after.
        let mut acc: FastMap<u32, (u64, u8)> = FastMap::default();
        for (code, s) in &spread {
            let Some(cp) = self.index.code(code) else {
                continue;
            };
            let tier_at = |region: &str| -> u8 {
                if s.counties.contains(region) {
                    0
                } else if s.by_city.contains_key(region::city(region)) {
                    1
                } else if s.by_province.contains_key(region::province(region)) {
                    2
                } else {
                    3
                }
            };
            let mut put = |slot: u32, served: u64| {
                let provider = cp.slots[slot as usize].provider;
                let tier = tier_at(&self.index.providers[provider as usize].region);
                let e = acc.entry(provider).or_insert((0, u8::MAX));
                e.0 += served;
                e.1 = e.1.min(tier);
            };
            for &slot in &cp.national {
                put(slot, s.total);
            }
            for (province, &n) in &s.by_province {
                for &slot in cp.provincial.get(*province).into_iter().flatten() {
                    put(slot, n);
                }
            }
            for (city, &n) in &s.by_city {
                for &slot in cp.municipal.get(*city).into_iter().flatten() {
                    put(slot, n);
                }
            }
        }
        // Ranked by needs served (most first), best tier, level, name, id: a total order (the
        // id is unique), so the best few are picked first and only they are sorted and copied.
        let mut list: Vec<(u32, (u64, u8))> = acc.into_iter().collect();
        let providers = &self.index.providers;
        let order = |a: &(u32, (u64, u8)), b: &(u32, (u64, u8))| {
            let (pa, pb) = (&providers[a.0 as usize], &providers[b.0 as usize]);
            b.1 .0
                .cmp(&a.1 .0)
                .then(a.1 .1.cmp(&b.1 .1))
                .then(pa.level.cmp(&pb.level))
                .then_with(|| pa.name.cmp(&pb.name))
                .then_with(|| pa.id.cmp(&pb.id))
        };
        if list.len() > MAX_CANDIDATES {
            list.select_nth_unstable_by(MAX_CANDIDATES - 1, order);
            list.truncate(MAX_CANDIDATES);
        }
        list.sort_by(order);
        list.into_iter()
            .map(|(p, (needs_served, best_tier))| {
                let info = &providers[p as usize];
                // The codes (in order) for which some need of the project is in its area, as
                // walked above.
                let codes: Vec<&str> = spread
                    .iter()
                    .filter(|(code, s)| {
                        self.index.code(code).is_some_and(|cp| {
                            cp.slots.iter().any(|slot| slot.provider == p)
                                && match info.level {
                                    Level::National => true,
                                    Level::Provincial => {
                                        s.by_province.contains_key(region::province(&info.region))
                                    }
                                    Level::Municipal => {
                                        s.by_city.contains_key(region::city(&info.region))
                                    }
                                }
                        })
                    })
                    .map(|(code, _)| *code)
                    .collect();
                ProjectCandidate {
                    provider: info.id.clone(),
                    name: info.name.clone(),
                    level: info.level,
                    codes: codes.into_iter().map(str::to_string).collect(),
                    needs_served,
                    best_tier,
                }
            })
            .collect()
    }
}

/// Key projects of a scope, computing the assignment.
///
/// Arguments: the dataset, the scope, the weak links.
/// Returns: the three ranked lists.
/// Complexity: that of [`super::assignment::assign`] plus [`key_projects`].
pub fn key_projects_of_scope(d: &Dataset, scope: &Scope, weak: &WeakLinks) -> KeyProjects {
    let index = ProviderIndex::from_dataset(d);
    let needs = super::eligibility::needs(d, scope);
    let a = super::assignment::assign_needs(&needs, &index, scope.clone());
    let problems: Vec<&Problem> = d.problems.values().collect();
    key_projects_with(d, &a, weak, &index, &problems, &needs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::assignment::assign;
    use crate::analysis::coverage::tests::battery;
    use crate::analysis::eligibility::tests::{firm, problem};
    use crate::model::Status;

    #[test]
    fn a_capability_needed_by_three_firms_of_a_chain_is_a_common_technology_project() {
        let mut d = battery();
        // battery: testing:safety is needed by m1, m2, c1, x1 (p5 is resolved and ignored);
        // metrology:thickness only by m1.
        let scope = Scope::Chain("battery".into());
        let p = key_projects(&d, &assign(&d, &scope), &WeakLinks::default());
        assert_eq!(p.common_technology.len(), 1);
        let ct = &p.common_technology[0];
        assert_eq!(ct.code.as_deref(), Some("testing:safety"));
        assert_eq!(ct.firms, ["c1", "m1", "m2", "x1"]);
        assert_eq!(ct.problems, ["p1", "p2", "p3", "p4"]);
        assert_eq!(ct.severity, 14);
        // m2 (2) and x1 (3) are unserved: 5 of 14.
        assert!((ct.unserved_share - 5.0 / 14.0).abs() < 1e-12);
        assert!((ct.score - 19.0).abs() < 1e-12);
        // qn (national) can serve all four needs, qs (苏州 municipal) two.
        let cands: Vec<(&str, u64, u8)> = ct
            .candidates
            .iter()
            .map(|c| (c.provider.as_str(), c.needs_served, c.best_tier))
            .collect();
        assert_eq!(cands, [("qn", 4, 3), ("qs", 2, 1)]);
        assert!(p.chain_collaboration.is_empty());
        assert_eq!(ct.title, "testing:safety 共性技术攻关（4 家企业）");

        // With a catalogue entry, the title names the capability.
        d.capabilities.insert(
            "testing:safety".into(),
            crate::model::CatalogueEntry {
                code: "testing:safety".into(),
                name: "电池安全检测".into(),
                standards: vec!["GB 38031-2020".into()],
                description: None,
            },
        );
        let p = key_projects(&d, &assign(&d, &scope), &WeakLinks::default());
        assert_eq!(
            p.common_technology[0].title,
            "电池安全检测 共性技术攻关（4 家企业）"
        );

        // Only two firms: no project.
        d.problems.remove("p4");
        d.problems.remove("p2");
        let p = key_projects(&d, &assign(&d, &scope), &WeakLinks::default());
        assert!(p.common_technology.is_empty());
    }

    #[test]
    fn severe_problems_of_chain_masters_are_key_product_projects() {
        let mut d = battery();
        d.organizations.insert(
            "c2".into(),
            firm("c2", Some("320583"), "battery", "cells", Role::ChainMaster),
        );
        d.problems.insert(
            "p6".into(),
            problem("p6", "c2", "battery", 3, Status::Open, &["testing:safety"]),
        );
        let p = key_projects(&d, &assign(&d, &Scope::All), &WeakLinks::default());
        // c1's p3 (severity 5, open) qualifies; c1's p5 is resolved; c2's p6 is not severe.
        assert_eq!(p.key_product.len(), 1);
        let kp = &p.key_product[0];
        assert_eq!(
            (kp.chain.as_str(), kp.firms.clone(), kp.problems.clone()),
            ("battery", vec!["c1".to_string()], vec!["p3".to_string()])
        );
        assert_eq!(kp.severity, 5);
    }

    #[test]
    fn weak_link_firms_with_demand_problems_are_chain_collaboration_projects() {
        let d = battery();
        let weak = WeakLinks {
            critical: [(
                "battery".to_string(),
                ["m1".to_string(), "m2".to_string()].into(),
            )]
            .into(),
            single_source: [(
                "battery".to_string(),
                ["m1".to_string(), "nobody".to_string()].into(),
            )]
            .into(),
            ..WeakLinks::default()
        };
        let p = key_projects(&d, &assign(&d, &Scope::All), &weak);
        let got: Vec<(&str, u64, f64)> = p
            .chain_collaboration
            .iter()
            .map(|k| (k.firms[0].as_str(), k.severity, k.score))
            .collect();
        // m1: severity 4, both roles (×2), fully served → 8. m2: severity 2, one role, unserved → 4.
        assert_eq!(got, [("m1", 4, 8.0), ("m2", 2, 4.0)]);
    }

    fn project(id: &str, status: ProjectStatus, problems: &[&str]) -> Project {
        Project {
            id: id.into(),
            title: format!("project {id}"),
            category: ProjectCategory::KeyProduct,
            chain: "battery".into(),
            lead: "c1".into(),
            participants: vec![],
            problems: problems.iter().map(|s| s.to_string()).collect(),
            year: 2025,
            status,
            level: None,
            consortium: None,
            results: None,
        }
    }

    #[test]
    fn problems_a_live_project_tackles_leave_the_candidates() {
        // battery: testing:safety is needed by m1 (p1), m2 (p2), c1 (p3), x1 (p4); c1's p3
        // (severity 5) is a key product.
        let mut d = battery();
        for j in [
            project("j1", ProjectStatus::InProgress, &["p2"]),
            project("j2", ProjectStatus::Cancelled, &["p1"]),
            project("j3", ProjectStatus::Completed, &["p4"]),
        ] {
            d.projects.insert(j.id.clone(), j);
        }
        let scope = Scope::Chain("battery".into());
        let p = key_projects(&d, &assign(&d, &scope), &WeakLinks::default());
        // m2's p2 is tackled; the cancelled and the completed project tackle nothing: three
        // firms are left, still a common-technology project.
        let ct: Vec<(&[String], &[String], u64)> = p
            .common_technology
            .iter()
            .map(|k| (&k.firms[..], &k.problems[..], k.severity))
            .collect();
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (firms, problems) = (strings(&["c1", "m1", "x1"]), strings(&["p1", "p3", "p4"]));
        assert_eq!(ct, [(&firms[..], &problems[..], 12)]);
        assert_eq!(p.key_product.len(), 1);
        // A live project on c1's p3: the key product is gone (all its problems are tackled),
        // and two firms are left for testing:safety: no common-technology project.
        d.projects
            .insert("j4".into(), project("j4", ProjectStatus::Proposed, &["p3"]));
        let p = key_projects(&d, &assign(&d, &scope), &WeakLinks::default());
        assert_eq!((p.common_technology.len(), p.key_product.len()), (0, 0));
        assert_eq!(p.totals, ProjectTotals::default());
    }

    #[test]
    fn candidates_carry_drafts_that_validate_against_the_dataset() {
        let mut d = battery();
        // A project already holds the first id a draft would take.
        d.projects.insert(
            "battery-common_technology-2026-1".into(),
            Project {
                id: "battery-common_technology-2026-1".into(),
                ..project("j", ProjectStatus::Completed, &[])
            },
        );
        let weak = WeakLinks {
            critical: [("battery".to_string(), ["m2".to_string()].into())].into(),
            single_source: [("battery".to_string(), ["m1".to_string()].into())].into(),
            masters: [("battery".to_string(), ["c1".to_string()].into())].into(),
            first_disabled_master: [(
                "battery".to_string(),
                [("m2".to_string(), "c1".to_string())].into(),
            )]
            .into(),
        };
        let mut p = key_projects(&d, &assign(&d, &Scope::Chain("battery".into())), &weak);
        assert!(p
            .common_technology
            .iter()
            .chain(&p.chain_collaboration)
            .chain(&p.key_product)
            .all(|k| k.draft.is_none()));
        p.add_drafts(&d, 2026);
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Common technology: led by c1 (severity 5 of testing:safety), with the other firms,
        // then the candidate providers (qn, qs).
        let ct = p.common_technology[0].draft.clone().unwrap();
        assert_eq!(
            ct,
            Project {
                id: "battery-common_technology-2026-2".into(),
                title: "testing:safety 共性技术攻关（4 家企业）".into(),
                category: ProjectCategory::CommonTechnology,
                chain: "battery".into(),
                lead: "c1".into(),
                participants: strings(&["m1", "m2", "x1", "qn", "qs"]),
                problems: strings(&["p1", "p2", "p3", "p4"]),
                year: 2026,
                status: ProjectStatus::Proposed,
                level: None,
                consortium: None,
                results: None,
            }
        );
        assert_eq!(p.common_technology[0].lead, "c1");
        // Chain collaboration: m1 (a single source, not critical) and m2 (critical, disabling
        // c1), both led by the chain master c1.
        let cc: Vec<(String, String, Vec<String>, Vec<String>)> = p
            .chain_collaboration
            .iter()
            .map(|k| {
                let j = k.draft.clone().unwrap();
                (j.id, j.lead, j.participants, j.problems)
            })
            .collect();
        assert_eq!(
            cc,
            [
                (
                    "battery-chain_collaboration-2026-1".to_string(),
                    "c1".to_string(),
                    strings(&["m1", "qs", "qm", "qn"]),
                    strings(&["p1"])
                ),
                (
                    "battery-chain_collaboration-2026-2".to_string(),
                    "c1".to_string(),
                    strings(&["m2", "qn"]),
                    strings(&["p2"])
                ),
            ]
        );
        // Key product: the master's own.
        let kp = p.key_product[0].draft.clone().unwrap();
        assert_eq!(
            (kp.id.as_str(), kp.lead.as_str(), kp.participants.clone()),
            ("battery-key_product-2026-1", "c1", strings(&["qs", "qn"]))
        );
        // Each draft, filed as it is, is a valid project.
        let drafts: Vec<Project> = p
            .common_technology
            .iter()
            .chain(&p.chain_collaboration)
            .chain(&p.key_product)
            .map(|k| k.draft.clone().unwrap())
            .collect();
        assert_eq!(drafts.len(), 4);
        let bundle = crate::model::Bundle {
            projects: drafts.clone(),
            ..crate::model::Bundle::new()
        };
        let bytes = serde_json::to_vec(&bundle).unwrap();
        let parsed = crate::validate::parse_bundle(&bytes, &d).expect("the drafts are valid");
        assert_eq!(parsed.projects, drafts);
    }

    #[test]
    fn draft_ids_stay_within_the_id_limit() {
        let long = "链".repeat(limits::ID);
        let id = draft_id(&long, ProjectCategory::KeyProduct, 2025, 12);
        assert_eq!(id.chars().count(), limits::ID);
        assert!(id.ends_with("链-key_product-2025-12"));
        assert_eq!(
            draft_id("c", ProjectCategory::CommonTechnology, 2025, 1),
            "c-common_technology-2025-1"
        );
    }

    /// The straightforward computation the module had before its per-scope table: a hash map
    /// of served severities by (problem, code) looked up need by need, groups sorted by their
    /// string keys, every project built in full and the lists sorted stably. The tests below
    /// check that the table gives the same lists, byte for byte.
    mod reference {
        use super::super::*;
        use crate::analysis::assignment::Outcome;
        use crate::analysis::coverage::views;

        pub(super) fn key_projects_with(
            d: &Dataset,
            a: &Assignment,
            weak: &WeakLinks,
            index: &ProviderIndex,
            problems: &[&Problem],
        ) -> KeyProjects {
            // (problem, code) → (unassigned severity, total severity) of its needs.
            let mut served: FastMap<(&str, &str), (u64, u64)> = FastMap::default();
            for n in views(a) {
                let e = served.entry((n.problem, n.code)).or_default();
                e.1 += n.severity as u64;
                if matches!(n.outcome, Outcome::Unassigned { .. }) {
                    e.0 += n.severity as u64;
                }
            }
            let ctx = Plain {
                d,
                index,
                served,
                weak,
            };
            // Problems a live project of the scope tackles already: no candidate takes them.
            let tackled: FastSet<&str> = d
                .projects
                .values()
                .filter(|j| j.is_live() && a.scope.contains_chain(&j.chain))
                .flat_map(|j| j.problems.iter().map(String::as_str))
                .collect();
            let demand: Vec<&Problem> = problems
                .iter()
                .copied()
                .filter(|p| {
                    p.is_demand()
                        && a.scope.contains_chain(&p.chain)
                        && !tackled.contains(p.id.as_str())
                })
                .collect();

            // Common technology: chain → code → problems.
            // Grouped by hash, then put in key order (as a BTreeMap would iterate).
            let mut by_code: FastMap<(&str, &str), Vec<&Problem>> = FastMap::default();
            for p in &demand {
                let mut codes: Vec<&str> = p.needs.iter().map(String::as_str).collect();
                codes.sort_unstable();
                codes.dedup();
                for code in codes {
                    by_code.entry((&p.chain, code)).or_default().push(p);
                }
            }
            let mut by_code: Vec<((&str, &str), Vec<&Problem>)> = by_code.into_iter().collect();
            by_code.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let mut common = Vec::new();
            for ((chain, code), problems) in by_code {
                let firms: BTreeSet<&str> = problems.iter().map(|p| p.org.as_str()).collect();
                if firms.len() < COMMON_MIN_FIRMS {
                    continue;
                }
                let needs: Vec<(&Problem, &str)> = problems.iter().map(|p| (*p, code)).collect();
                let severity: u64 = problems
                    .iter()
                    .map(|p| {
                        p.severity as u64 * p.needs.iter().filter(|c| *c == code).count() as u64
                    })
                    .sum();
                // Named by the capability catalogue; a code without an entry as it is.
                let title = format!(
                    "{} 共性技术攻关（{} 家企业）",
                    d.capability_label(code),
                    firms.len()
                );
                common.push((
                    ctx.project(
                        ProjectCategory::CommonTechnology,
                        chain,
                        title,
                        Some(code),
                        &needs,
                        severity,
                        1.0,
                    ),
                    problems,
                    needs,
                ));
            }

            // Chain collaboration: (chain, firm) with a weak-link role → its problems on the chain.
            let mut collaborative = Vec::new();
            let mut key_product = Vec::new();
            let mut by_firm: FastMap<(&str, &str), Vec<&Problem>> = FastMap::default();
            for p in &demand {
                by_firm.entry((&p.chain, &p.org)).or_default().push(p);
            }
            let mut by_firm: Vec<((&str, &str), Vec<&Problem>)> = by_firm.into_iter().collect();
            by_firm.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            // The weak-link sets of the chain at hand (firms come grouped by chain).
            type Firms<'s> = Option<&'s BTreeSet<String>>;
            let mut sets: Option<(&str, Firms<'_>, Firms<'_>)> = None;
            for &((chain, firm), ref problems) in &by_firm {
                let (critical, single) = match sets {
                    Some((c, critical, single)) if c == chain => (critical, single),
                    _ => {
                        let found = (weak.critical.get(chain), weak.single_source.get(chain));
                        sets = Some((chain, found.0, found.1));
                        found
                    }
                };
                let has = |set: Option<&BTreeSet<String>>| set.is_some_and(|s| s.contains(firm));
                let org = d.organizations.get(firm);
                let name = org.map_or(firm, |o| o.name.as_str());
                let weight = has(critical) as u8 + has(single) as u8;
                if weight > 0 {
                    let needs = needs_of(problems);
                    let severity = problems.iter().map(|p| p.severity as u64).sum();
                    collaborative.push((
                        ctx.project(
                            ProjectCategory::ChainCollaboration,
                            chain,
                            format!("{name} 链上协同质量提升"),
                            None,
                            &needs,
                            severity,
                            weight as f64,
                        ),
                        problems.clone(),
                        needs,
                    ));
                }
                let is_master = org
                    .and_then(|o| o.membership(chain))
                    .is_some_and(|m| m.role == Role::ChainMaster);
                if is_master {
                    let severe: Vec<&Problem> = problems
                        .iter()
                        .copied()
                        .filter(|p| p.severity >= KEY_PRODUCT_MIN_SEVERITY)
                        .collect();
                    if !severe.is_empty() {
                        let needs = needs_of(&severe);
                        let severity = severe.iter().map(|p| p.severity as u64).sum();
                        key_product.push((
                            ctx.project(
                                ProjectCategory::KeyProduct,
                                chain,
                                format!("{name} 重点产品性能提升"),
                                None,
                                &needs,
                                severity,
                                1.0,
                            ),
                            severe,
                            needs,
                        ));
                    }
                }
            }
            let totals = ProjectTotals {
                common_technology: common.len(),
                chain_collaboration: collaborative.len(),
                key_product: key_product.len(),
            };
            KeyProjects {
                common_technology: ctx.rank(common),
                chain_collaboration: ctx.rank(collaborative),
                key_product: ctx.rank(key_product),
                totals,
            }
        }

        fn needs_of<'a>(problems: &[&'a Problem]) -> Vec<(&'a Problem, &'a str)> {
            problems
                .iter()
                .flat_map(|p| p.needs.iter().map(move |c| (*p, c.as_str())))
                .collect()
        }

        /// A project before the cut: with the problems and needs behind it, from which the kept ones
        /// get their firms, problems and candidates.
        type Listed<'a> = (KeyProject, Vec<&'a Problem>, Vec<(&'a Problem, &'a str)>);

        struct Plain<'a> {
            d: &'a Dataset,
            index: &'a ProviderIndex,
            served: FastMap<(&'a str, &'a str), (u64, u64)>,
            weak: &'a WeakLinks,
        }

        impl<'a> Plain<'a> {
            /// Ranks a list by score, keeps the best [`MAX_PROJECTS`] and names their firms, problems
            /// and candidates (only for those kept: a national dataset has tens of thousands of
            /// weak-link firms).
            fn rank(&self, mut list: Vec<Listed<'a>>) -> Vec<KeyProject> {
                list.sort_by(|(a, _, _), (b, _, _)| {
                    b.score
                        .total_cmp(&a.score)
                        .then_with(|| a.chain.cmp(&b.chain))
                        .then_with(|| a.title.cmp(&b.title))
                });
                list.truncate(MAX_PROJECTS);
                list.into_iter()
                    .map(|(mut project, problems, needs)| {
                        let firms: BTreeSet<&str> =
                            problems.iter().map(|p| p.org.as_str()).collect();
                        let ids: BTreeSet<&str> = problems.iter().map(|p| p.id.as_str()).collect();
                        project.firms = firms.into_iter().map(str::to_string).collect();
                        project.problems = ids.into_iter().map(str::to_string).collect();
                        let ctx = super::super::Context {
                            d: self.d,
                            index: self.index,
                            weak: self.weak,
                        };
                        let placed: Vec<(&Problem, &str, Place<'_>)> = needs
                            .iter()
                            .map(|&(p, c)| (p, c, Place::of(self.d.organizations.get(&p.org))))
                            .collect();
                        project.candidates = ctx.candidates(&placed);
                        project.lead = self.lead(&project, &problems);
                        project
                    })
                    .collect()
            }

            #[allow(clippy::too_many_arguments)]
            fn project(
                &self,
                category: ProjectCategory,
                chain: &str,
                title: String,
                code: Option<&str>,
                needs: &[(&Problem, &str)],
                severity: u64,
                weight: f64,
            ) -> KeyProject {
                // A common-technology project reads only its code's share of each problem.
                let mut unserved = 0u64;
                let mut need_severity = 0u64;
                // Each (problem, code) counts once. The needs of one problem come in one run (every
                // caller lists each problem once, with its codes), so repeats are only looked for there.
                let mut run: Option<&Problem> = None;
                let mut seen: Vec<&str> = Vec::new();
                for &(p, c) in needs {
                    if !run.is_some_and(|r| std::ptr::eq(r, p)) {
                        run = Some(p);
                        seen.clear();
                    }
                    if seen.contains(&c) {
                        continue;
                    }
                    seen.push(c);
                    if let Some(&(u, t)) = self.served.get(&(p.id.as_str(), c)) {
                        unserved += u;
                        need_severity += t;
                    }
                }
                let unserved_share = if need_severity == 0 {
                    0.0
                } else {
                    unserved as f64 / need_severity as f64
                };
                KeyProject {
                    category,
                    chain: chain.to_string(),
                    title,
                    code: code.map(str::to_string),
                    // Filled in, like the candidates, for the projects that make the cut.
                    firms: Vec::new(),
                    problems: Vec::new(),
                    severity,
                    unserved_share,
                    score: severity as f64 * (1.0 + unserved_share) * weight,
                    // Filled in for the projects that make the cut (see `rank`).
                    candidates: Vec::new(),
                    lead: String::new(),
                    draft: None,
                }
            }

            /// The lead of a kept project: the firm with the most severity behind it (for common
            /// technology, severity × occurrences of the code in the problem's needs; ties: smallest
            /// id); for chain collaboration a chain master instead (see [`KeyProject::lead`]).
            fn lead(&self, project: &KeyProject, problems: &[&Problem]) -> String {
                let mut weight: BTreeMap<&str, u64> = BTreeMap::new();
                for p in problems {
                    let times = match &project.code {
                        Some(code) => p.needs.iter().filter(|c| *c == code).count() as u64,
                        None => 1,
                    };
                    *weight.entry(p.org.as_str()).or_default() += p.severity as u64 * times;
                }
                // Most weight, then the smallest id (the map iterates in id order; `max_by` keeps the
                // last of equals, so the order is reversed).
                let main = weight
                    .iter()
                    .rev()
                    .max_by_key(|(_, w)| **w)
                    .map_or("", |(id, _)| *id);
                if project.category != ProjectCategory::ChainCollaboration {
                    return main.to_string();
                }
                let chain = project.chain.as_str();
                let is_master = self
                    .d
                    .organizations
                    .get(main)
                    .and_then(|o| o.membership(chain))
                    .is_some_and(|m| m.role == Role::ChainMaster);
                if is_master {
                    return main.to_string();
                }
                self.weak
                    .first_disabled_master
                    .get(chain)
                    .and_then(|m| m.get(main))
                    .or_else(|| self.weak.masters.get(chain).and_then(|m| m.first()))
                    .map_or(main, String::as_str)
                    .to_string()
            }
        }
    }

    /// The generated dataset of `chains` × `firms`, with firm names drawn from three (so that
    /// titles tie and the order falls to the firm ids), a few live and dead projects, and the
    /// weak links of a full analysis.
    fn generated(chains: usize, firms: usize, seed: u64) -> (Dataset, WeakLinks) {
        use crate::generate::{generate, GenOptions};
        let mut d = Dataset::from_bundle(generate(&GenOptions {
            chains,
            firms,
            seed,
        }));
        let renamed: Vec<_> = d
            .organizations
            .values()
            .filter(|o| !o.is_provider())
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(i, o)| {
                let mut o = o.clone();
                o.name = ["甲公司", "乙公司", "丙公司"][i % 3].to_string();
                o
            })
            .collect();
        for o in renamed {
            d.organizations.insert(o.id.clone(), o);
        }
        let demand: Vec<Problem> = d
            .problems
            .values()
            .filter(|p| p.is_demand())
            .take(40)
            .cloned()
            .collect();
        for (i, p) in demand.iter().enumerate() {
            let status = [ProjectStatus::InProgress, ProjectStatus::Cancelled][i % 2];
            let j = Project {
                id: format!("j{i}"),
                chain: p.chain.clone(),
                ..project(&format!("j{i}"), status, &[p.id.as_str()])
            };
            d.projects.insert(j.id.clone(), j);
        }
        let graphs = crate::graph::Graphs::build(&d);
        let report = crate::analysis::analyze_full(&d, &graphs, None);
        let weak = crate::analysis::quality::weak_links(report.chains.iter().map(|c| &c.weak));
        (d, weak)
    }

    #[test]
    fn the_table_gives_the_lists_of_the_plain_computation_byte_for_byte() {
        // Whether some list was longer than the cut (the pick of the best few is exercised).
        let mut cut = false;
        for (chains, firms, seed) in [(3, 120, 1), (8, 150, 7), (2, 400, 42)] {
            let (d, weak) = generated(chains, firms, seed);
            let index = ProviderIndex::from_dataset(&d);
            let all: Vec<&Problem> = d.problems.values().collect();
            let mut scopes: Vec<Scope> = d.chains.keys().map(|c| Scope::Chain(c.clone())).collect();
            scopes.push(Scope::All);
            for scope in scopes {
                let a = assign(&d, &scope);
                // The scope's own problems (as a chain's analysis passes them), and all of them.
                let own: Vec<&Problem> = all
                    .iter()
                    .copied()
                    .filter(|p| scope.contains_chain(&p.chain))
                    .collect();
                let needs = crate::analysis::eligibility::needs(&d, &scope);
                for (problems, needs) in [(&own, &needs[..]), (&all, &needs[..]), (&all, &[][..])] {
                    let got = key_projects_with(&d, &a, &weak, &index, problems, needs);
                    let want = reference::key_projects_with(&d, &a, &weak, &index, problems);
                    assert_eq!(
                        serde_json::to_string(&got).unwrap(),
                        serde_json::to_string(&want).unwrap(),
                        "{chains} × {firms}, seed {seed}, {scope:?}"
                    );
                    cut |= got.totals.chain_collaboration > MAX_PROJECTS;
                    assert!(got.totals.common_technology > 0, "{scope:?}");
                }
            }
        }
        assert!(cut);
    }
}
