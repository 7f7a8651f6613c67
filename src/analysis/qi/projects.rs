//! Key-project candidates (重点项目清单) in Shanghai's three categories of quality-tackling
//! projects (质量攻关): common-technology breakthrough (共性技术), chain-collaborative improvement
//! (链上协同) and key product performance (重点产品).
//!
//! This module reads an [`Assignment`] to weigh projects by how much of their need current QI
//! leaves unserved. The weak links (critical nodes, single-source suppliers) come in as plain sets
//! ([`WeakLinks`]) so this file does not depend on the weak-link analyses.
//!
//! # Ranking
//!
//! Every project gets `score = severity × (1 + unserved_share) × weight`, where `severity` is the
//! total severity behind it (needs for common technology, problems otherwise), `unserved_share` is
//! the severity of its unassigned needs over the severity of all its needs (0 without needs), and
//! `weight` is 1, except for chain-collaborative projects where it counts the weak-link roles of
//! the firm (critical node, single-source supplier: 1 or 2). Each list is sorted by score
//! (descending), then chain, then title.

use super::assignment::{Assignment, Outcome};
use super::coverage::views;
use super::eligibility::{FastMap, FastSet, Place, ProviderIndex, Scope};
use crate::model::{region, Dataset, Level, Problem, Role};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// A common-technology project needs the same capability at this many distinct firms of a chain.
pub const COMMON_MIN_FIRMS: usize = 3;
/// A key-product project takes problems of at least this severity at chain masters.
pub const KEY_PRODUCT_MIN_SEVERITY: u8 = 4;
/// Candidate providers listed per project.
pub const MAX_CANDIDATES: usize = 5;

/// Weak links found by the weak-link analyses, by chain id: the input of chain-collaborative
/// projects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeakLinks {
    /// Critical firm ids per chain.
    pub critical: BTreeMap<String, BTreeSet<String>>,
    /// Ids of firms that are the single supplier of some part, per chain.
    pub single_source: BTreeMap<String, BTreeSet<String>>,
}

/// The category of a key-project candidate.
// Named `CandidateCategory` in the OpenAPI document: `ProjectCategory` there is the category of
// a recorded project (`crate::model::ProjectCategory`, whose `chain_collaboration` this calls
// `chain_collaborative`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CandidateCategory)]
pub enum ProjectCategory {
    /// 共性技术攻关: the same capability need at ≥3 firms of a chain.
    CommonTechnology,
    /// 链上协同: demand problems at critical nodes or single-source suppliers.
    ChainCollaborative,
    /// 重点产品: severe problems (severity ≥ 4) at chain masters.
    KeyProduct,
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
}

/// Projects kept per list: a key-project list is a short list (Shanghai's yearly goals are in
/// the tens to a hundred and fifty), and each kept project names its candidate providers.
pub const MAX_PROJECTS: usize = 200;

/// The three lists, each ranked, each cut to the best [`MAX_PROJECTS`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct KeyProjects {
    pub common_technology: Vec<KeyProject>,
    pub chain_collaborative: Vec<KeyProject>,
    pub key_product: Vec<KeyProject>,
    /// How many candidates each list had before it was cut.
    pub totals: ProjectTotals,
}

/// Candidate counts per list, before the lists are cut to [`MAX_PROJECTS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectTotals {
    pub common_technology: usize,
    pub chain_collaborative: usize,
    pub key_product: usize,
}

/// Key-project candidates of an assignment's scope.
///
/// Arguments: the dataset, the assignment of the scope (for unserved shares), and the weak links
/// (empty [`WeakLinks`] yields no chain-collaborative projects).
/// Returns: the three ranked lists.
/// Complexity: O(P + N) to group P problems and N needs, plus O(k log k) per project for its k
/// eligible providers.
pub fn key_projects(d: &Dataset, a: &Assignment, weak: &WeakLinks) -> KeyProjects {
    let index = ProviderIndex::from_dataset(d);
    let problems: Vec<&Problem> = d.problems.values().collect();
    key_projects_with(d, a, weak, &index, &problems)
}

/// [`key_projects`] with a provider index built by the caller, over `problems` (those of the
/// scope, or more: problems outside the assignment's scope are skipped), in id order.
pub fn key_projects_with(
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
    let ctx = Context { d, index, served };
    let demand: Vec<&Problem> = problems
        .iter()
        .copied()
        .filter(|p| p.is_demand() && a.scope.contains_chain(&p.chain))
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
            .map(|p| p.severity as u64 * p.needs.iter().filter(|c| *c == code).count() as u64)
            .sum();
        let title = format!("{code} 共性技术攻关（{} 家企业）", firms.len());
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

    // Chain collaborative: (chain, firm) with a weak-link role → its problems on the chain.
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
                    ProjectCategory::ChainCollaborative,
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
        chain_collaborative: collaborative.len(),
        key_product: key_product.len(),
    };
    KeyProjects {
        common_technology: ctx.rank(common),
        chain_collaborative: ctx.rank(collaborative),
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

struct Context<'a> {
    d: &'a Dataset,
    index: &'a ProviderIndex,
    served: FastMap<(&'a str, &'a str), (u64, u64)>,
}

impl<'a> Context<'a> {
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
                let firms: BTreeSet<&str> = problems.iter().map(|p| p.org.as_str()).collect();
                let ids: BTreeSet<&str> = problems.iter().map(|p| p.id.as_str()).collect();
                project.firms = firms.into_iter().map(str::to_string).collect();
                project.problems = ids.into_iter().map(str::to_string).collect();
                project.candidates = self.candidates(&needs);
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
        }
    }

    fn candidates(&self, needs: &[(&Problem, &str)]) -> Vec<ProjectCandidate> {
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
        // Consecutive needs mostly share their firm: its place is looked up once for them.
        let mut last: Option<(&str, Place<'_>)> = None;
        for &(p, code) in needs {
            let s = spread.entry(code).or_default();
            s.total += 1;
            let place = match last {
                Some((org, place)) if org == p.org => place,
                _ => {
                    let place = Place::of(self.d.organizations.get(&p.org));
                    last = Some((&p.org, place));
                    place
                }
            };
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
    key_projects_with(d, &a, weak, &index, &problems)
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
        assert!(p.chain_collaborative.is_empty());

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
    fn weak_link_firms_with_demand_problems_are_chain_collaborative_projects() {
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
        };
        let p = key_projects(&d, &assign(&d, &Scope::All), &weak);
        let got: Vec<(&str, u64, f64)> = p
            .chain_collaborative
            .iter()
            .map(|k| (k.firms[0].as_str(), k.severity, k.score))
            .collect();
        // m1: severity 4, both roles (×2), fully served → 8. m2: severity 2, one role, unserved → 4.
        assert_eq!(got, [("m1", 4, 8.0), ("m2", 2, 4.0)]);
    }
}
