//! Capacity-aware assignment of needs to QI providers (`docs/analyses.md`, "Assignment"): the
//! lexicographic optimum, first the largest total severity assigned, then the smallest total
//! distance tier.
//!
//! # Algorithm
//!
//! Needs only compete within one capability code (a capacity belongs to one provider's code), so
//! each code is solved independently as a min-cost flow ([`super::flow`]):
//!
//! ```text
//!   source ──(count, −sev·B)──▶ group ──(∞, tier)──▶ slot ──(capacity)──▶ sink
//! ```
//!
//! A *group* aggregates interchangeable needs: same severity and same *location class*. Firms of
//! two counties see exactly the same eligible providers at the same tiers unless a provider of the
//! code sits in one of the counties, so the class is the county when a provider of the code sits
//! there, else the city when one sits in the city, else the province likewise, else "far"
//! (only national providers at tier 3, the same as a foreign firm). With `B = 3·n + 1` for the
//! code's n needs, a unit of severity outweighs any tier total, so the min-cost flow of any amount
//! is exactly the lexicographic optimum.
//!
//! The flow is then disaggregated deterministically: within a group, needs in need order
//! (problem id, then list order) take the group's flows in provider rank order (tier, level,
//! name, id).
//!
//! # Complexity
//!
//! Collecting needs O(P log F); per code with G groups, S slots and E = Σ eligible slots per group,
//! the flow costs O(phases · (E log(G+S) + (G+S)·E)), with few phases because costs take few
//! values. Disaggregation is O(N log N) for N needs.

use super::coverage::Coverage;
use super::eligibility::{needs, FastMap, Need, Place, ProviderIndex, Scope};
use super::flow::Network;
use crate::model::{region, Dataset};
use rayon::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// One need assigned to a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AssignedNeed {
    pub problem: String,
    pub code: String,
    /// The enterprise holding the problem.
    pub org: String,
    pub chain: String,
    pub provider: String,
    pub tier: u8,
    pub severity: u8,
}

/// One need left without a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnassignedNeed {
    pub problem: String,
    pub code: String,
    pub org: String,
    pub chain: String,
    pub severity: u8,
    /// True: some provider is eligible but out of capacity (a capacity gap); false: none is
    /// eligible (an infrastructure gap).
    pub reachable: bool,
}

/// The optimal assignment of a scope.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Assignment {
    pub scope: Scope,
    /// Assigned needs, in need order (problem id, then list order).
    pub assigned: Vec<AssignedNeed>,
    /// Unassigned needs, in need order.
    pub unassigned: Vec<UnassignedNeed>,
    /// The figures of the whole scope.
    pub totals: Coverage,
}

/// The optimal assignment for `scope`, with capacities of the whole dataset's providers.
///
/// Arguments: the dataset and the scope.
/// Returns: the assignment (see the module documentation for the algorithm).
/// Complexity: see the module documentation.
pub fn assign(d: &Dataset, scope: &Scope) -> Assignment {
    let index = ProviderIndex::from_dataset(d);
    assign_needs(&needs(d, scope), &index, scope.clone())
}

/// Where a need stands after solving: index of its provider, or unassigned and whether reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Assigned { provider: u32, tier: u8 },
    Unassigned { reachable: bool },
}

/// The optimal assignment of `needs` against `index` (which may hold hypothetical providers).
///
/// Arguments: the needs (all sharing capacities), the provider index, the scope to record.
/// Returns: the assignment.
/// Complexity: see the module documentation.
pub fn assign_needs(needs: &[Need<'_>], index: &ProviderIndex, scope: Scope) -> Assignment {
    assign_needs_with(needs, index, scope, None)
}

/// [`assign_needs`], reusing the solution of every code whose needs are exactly those of a
/// previous run over the same provider index (see [`SolveMemo`]).
pub fn assign_needs_with(
    needs: &[Need<'_>],
    index: &ProviderIndex,
    scope: Scope,
    memo: Option<&SolveMemo>,
) -> Assignment {
    let outcomes = solve_with(needs, index, memo);
    let mut out = Assignment {
        scope,
        assigned: Vec::new(),
        unassigned: Vec::new(),
        totals: Coverage::default(),
    };
    for (n, o) in needs.iter().zip(&outcomes) {
        out.totals.add(n.severity, *o);
        match *o {
            Outcome::Assigned { provider, tier } => out.assigned.push(AssignedNeed {
                problem: n.problem.to_string(),
                code: n.code.to_string(),
                org: n.org.to_string(),
                chain: n.chain.to_string(),
                provider: index.providers[provider as usize].id.clone(),
                tier,
                severity: n.severity,
            }),
            Outcome::Unassigned { reachable } => out.unassigned.push(UnassignedNeed {
                problem: n.problem.to_string(),
                code: n.code.to_string(),
                org: n.org.to_string(),
                chain: n.chain.to_string(),
                severity: n.severity,
                reachable,
            }),
        }
    }
    out
}

/// The location class of a firm for one code (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class<'a> {
    County(&'a str),
    City(&'a str),
    Province(&'a str),
    Far,
}

/// Solves every code and returns one outcome per need, in input order.
///
/// Complexity: see the module documentation.
pub fn solve(needs: &[Need<'_>], index: &ProviderIndex) -> Vec<Outcome> {
    solve_with(needs, index, None)
}

/// The solutions of a scope's codes, kept from one run to the next over the same provider index,
/// so that after a write only the codes whose needs changed are solved again (the dataset scope
/// after a one-problem write: the problem's codes). Codes share nothing (a capacity belongs to
/// one provider's code), so a code's solution depends only on its needs (problem, severity,
/// place, in need order) and on the index; the needs are compared exactly, byte for byte.
///
/// Only valid with the provider index it was filled with: the service keeps one beside its
/// index and drops both when a provider changes.
#[derive(Debug, Default)]
pub struct SolveMemo {
    codes: std::sync::Mutex<std::collections::HashMap<String, Solved>>,
    solved: std::sync::atomic::AtomicUsize,
}

/// One code's solution and what it was solved for ([`SolveMemo::key`]).
#[derive(Debug)]
struct Solved {
    key: Vec<u8>,
    outcomes: Vec<Outcome>,
}

impl SolveMemo {
    /// How many codes were solved (not reused) since the memo was made.
    pub fn solved(&self) -> usize {
        self.solved.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What a code's solution depends on besides the index, as bytes compared exactly.
    fn key(needs: &[Need<'_>], members: &[u32]) -> Vec<u8> {
        let mut key = Vec::with_capacity(members.len() * 24);
        for &i in members {
            let n = &needs[i as usize];
            key.extend_from_slice(n.problem.as_bytes());
            key.push(0);
            key.push(n.severity);
            match n.place {
                Place::Domestic(r) => key.extend_from_slice(r.as_bytes()),
                Place::Foreign => key.push(0xFF),
            }
            key.push(0);
        }
        key
    }

    fn lookup(&self, code: &str, key: &[u8]) -> Option<Vec<Outcome>> {
        let codes = self.codes.lock().unwrap_or_else(|p| p.into_inner());
        codes
            .get(code)
            .filter(|s| s.key.as_slice() == key)
            .map(|s| s.outcomes.clone())
    }

    fn keep(&self, code: &str, key: Vec<u8>, outcomes: &[Outcome]) {
        self.solved
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut codes = self.codes.lock().unwrap_or_else(|p| p.into_inner());
        codes.insert(
            code.to_string(),
            Solved {
                key,
                outcomes: outcomes.to_vec(),
            },
        );
    }
}

/// [`solve`], reusing what `memo` holds for codes whose needs did not change.
pub fn solve_with(
    needs: &[Need<'_>],
    index: &ProviderIndex,
    memo: Option<&SolveMemo>,
) -> Vec<Outcome> {
    let mut outcomes = vec![Outcome::Unassigned { reachable: false }; needs.len()];
    let mut by_code: FastMap<&str, Vec<u32>> = FastMap::default();
    for (i, n) in needs.iter().enumerate() {
        by_code.entry(n.code).or_default().push(i as u32);
    }
    let mut codes: Vec<(&str, Vec<u32>)> = by_code.into_iter().collect();
    codes.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // Codes share nothing, so they are solved on the available cores; each code's outcomes
    // (by position in its member list) are then put in place.
    let solved: Vec<Option<Vec<Outcome>>> = codes
        .par_iter()
        .map(|(code, members)| {
            let cp = index.code(code)?;
            let Some(memo) = memo else {
                return Some(solve_code(needs, members, index, cp));
            };
            let key = SolveMemo::key(needs, members);
            if let Some(outcomes) = memo.lookup(code, &key) {
                return Some(outcomes);
            }
            let outcomes = solve_code(needs, members, index, cp);
            memo.keep(code, key, &outcomes);
            Some(outcomes)
        })
        .collect();
    for ((_, members), local) in codes.iter().zip(solved) {
        for (&i, o) in members.iter().zip(local.into_iter().flatten()) {
            outcomes[i as usize] = o;
        }
    }
    outcomes
}

/// The outcomes of one code's needs (`members`, indices into `needs`), by position in `members`.
fn solve_code(
    needs: &[Need<'_>],
    members: &[u32],
    index: &ProviderIndex,
    cp: &super::eligibility::CodeProviders,
) -> Vec<Outcome> {
    let mut outcomes = vec![Outcome::Unassigned { reachable: false }; members.len()];
    // Groups of interchangeable needs, in first-appearance order (deterministic); a group lists
    // positions in `members`.
    let mut group_of: FastMap<(Class<'_>, u8), usize> = FastMap::default();
    let mut groups: Vec<(Place<'_>, u8, Vec<u32>)> = Vec::new();
    for (k, &i) in members.iter().enumerate() {
        let n = &needs[i as usize];
        let class = match n.place {
            Place::Foreign => Class::Far,
            Place::Domestic(r) => {
                if cp.counties.contains(r) {
                    Class::County(r)
                } else if cp.cities.contains(region::city(r)) {
                    Class::City(region::city(r))
                } else if cp.provinces.contains(region::province(r)) {
                    Class::Province(region::province(r))
                } else {
                    Class::Far
                }
            }
        };
        let g = *group_of.entry((class, n.severity)).or_insert_with(|| {
            groups.push((n.place, n.severity, Vec::new()));
            groups.len() - 1
        });
        groups[g].2.push(k as u32);
    }

    let n_needs = members.len() as i64;
    let big = 3 * n_needs + 1;
    let source = 0;
    let sink = 1;
    let mut net = Network::new(2 + groups.len());
    // The network node of each slot, once some group reaches it (`usize::MAX`: not yet).
    let mut slot_node: Vec<usize> = vec![usize::MAX; cp.slots.len()];
    let mut any_slot = false;
    let mut regions = Regions::default();
    let mut slot_region: Vec<Option<[u32; 3]>> = vec![None; cp.slots.len()];
    // Per group: (edge id, slot) of its group → slot edges.
    let mut group_edges: Vec<Vec<(usize, u32)>> = Vec::with_capacity(groups.len());
    for (g, (place, severity, list)) in groups.iter().enumerate() {
        let mut edges = Vec::new();
        let mut eligible = cp.eligible(*place).peekable();
        if eligible.peek().is_none() {
            group_edges.push(edges);
            continue;
        }
        for &i in list {
            outcomes[i as usize] = Outcome::Unassigned { reachable: true };
        }
        let count = list.len() as i64;
        net.add_edge(source, 2 + g, count, -(*severity as i64) * big);
        let at = match place {
            Place::Domestic(r) => Some(regions.key(r)),
            Place::Foreign => None,
        };
        for s in eligible {
            let slot = cp.slots[s as usize];
            let node = match slot_node[s as usize] {
                usize::MAX => {
                    let node = net.add_node();
                    let cap = slot.capacity.map_or(n_needs, |c| (c as i64).min(n_needs));
                    net.add_edge(node, sink, cap, 0);
                    slot_node[s as usize] = node;
                    any_slot = true;
                    node
                }
                node => node,
            };
            let of_slot = *slot_region[s as usize].get_or_insert_with(|| {
                regions.key(&index.providers[slot.provider as usize].region)
            });
            let e = net.add_edge(2 + g, node, count, Regions::tier(at, of_slot) as i64);
            edges.push((e, s));
        }
        group_edges.push(edges);
    }
    if !any_slot {
        return outcomes;
    }
    net.min_cost_flow(source, sink);

    for ((place, _, list), edges) in groups.iter().zip(&group_edges) {
        let mut flows: Vec<(u32, i64)> = edges
            .iter()
            .map(|&(e, s)| (cp.slots[s as usize].provider, net.flow(e)))
            .filter(|&(_, f)| f > 0)
            .collect();
        flows.sort_by(|a, b| {
            index
                .rank_key(a.0, *place)
                .cmp(&index.rank_key(b.0, *place))
        });
        let mut next = list.iter();
        for (provider, f) in flows {
            let tier = super::eligibility::tier(*place, &index.providers[provider as usize].region);
            for &i in next.by_ref().take(f as usize) {
                outcomes[i as usize] = Outcome::Assigned { provider, tier };
            }
        }
    }
    outcomes
}

/// Region codes (counties, cities and provinces alike) as small integers within one code's
/// network, so that the distance tier of each group–slot pair is a few integer comparisons: the
/// same answer as [`super::eligibility::tier`], which compares the strings.
#[derive(Default)]
struct Regions<'a> {
    ids: FastMap<&'a str, u32>,
}

impl<'a> Regions<'a> {
    fn id(&mut self, code: &'a str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(code).or_insert(next)
    }

    /// The ids of a region code, of its city and of its province.
    fn key(&mut self, code: &'a str) -> [u32; 3] {
        [
            self.id(code),
            self.id(region::city(code)),
            self.id(region::province(code)),
        ]
    }

    /// The tier between a firm (`None`: foreign) and a provider, by their keys.
    fn tier(firm: Option<[u32; 3]>, provider: [u32; 3]) -> u8 {
        match firm {
            None => 3,
            Some(f) if f[0] == provider[0] => 0,
            Some(f) if f[1] == provider[1] => 1,
            Some(f) if f[2] == provider[2] => 2,
            Some(_) => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::eligibility::tests::{firm, problem, provider};
    use crate::model::{Level, Organization, Problem, Role, Status};
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn dataset(orgs: Vec<Organization>, problems: Vec<Problem>) -> Dataset {
        let mut d = Dataset::new();
        for o in orgs {
            d.organizations.insert(o.id.clone(), o);
        }
        for p in problems {
            d.problems.insert(p.id.clone(), p);
        }
        d
    }

    fn pairs(a: &Assignment) -> Vec<(&str, &str, u8)> {
        a.assigned
            .iter()
            .map(|n| (n.problem.as_str(), n.provider.as_str(), n.tier))
            .collect()
    }

    /// ```text
    ///   f1 (320506, sev 5) ─┐             ┌─ near (municipal 320583, capacity 1)
    ///   f2 (320506, sev 2) ─┼─ testing:x ─┤
    ///   f3 (foreign, sev 3)─┘             └─ far (national 110105, capacity 1)
    /// ```
    /// Three needs, two units of capacity: severity 5 and 3 win; the foreign firm can only use the
    /// national provider, so the severity-5 need takes the near one.
    #[test]
    fn capacity_limits_keep_the_most_severe_needs_and_the_nearest_providers() {
        let d = dataset(
            vec![
                firm("f1", Some("320506"), "c", "s", Role::Member),
                firm("f2", Some("320506"), "c", "s", Role::Member),
                firm("f3", None, "c", "s", Role::Member),
                provider(
                    "near",
                    Level::Municipal,
                    "320583",
                    &[("testing:x", Some(1))],
                ),
                provider("far", Level::National, "110105", &[("testing:x", Some(1))]),
            ],
            vec![
                problem("p1", "f1", "c", 5, Status::Open, &["testing:x"]),
                problem("p2", "f2", "c", 2, Status::Open, &["testing:x"]),
                problem("p3", "f3", "c", 3, Status::InProgress, &["testing:x"]),
            ],
        );
        let a = assign(&d, &Scope::All);
        assert_eq!(pairs(&a), [("p1", "near", 1), ("p3", "far", 3)]);
        assert_eq!(a.unassigned.len(), 1);
        assert_eq!(a.unassigned[0].problem, "p2");
        assert!(a.unassigned[0].reachable);
        assert_eq!(a.totals.severity_assigned, 8);
        assert_eq!(a.totals.tier_cost, 4);
        assert_eq!(a.totals.needs_reachable, 3);
    }

    #[test]
    fn resolved_problems_are_not_assigned_and_unreachable_needs_are_infrastructure_gaps() {
        let d = dataset(
            vec![
                firm("f1", Some("320506"), "c", "s", Role::Member),
                firm("f2", None, "c", "s", Role::Member),
                provider("prov", Level::Provincial, "320100", &[("testing:x", None)]),
            ],
            vec![
                problem("p1", "f1", "c", 4, Status::Resolved, &["testing:x"]),
                problem("p2", "f2", "c", 4, Status::Open, &["testing:x"]),
                problem(
                    "p3",
                    "f1",
                    "c",
                    1,
                    Status::Open,
                    &["testing:x", "metrology:y"],
                ),
            ],
        );
        let a = assign(&d, &Scope::Chain("c".into()));
        assert_eq!(pairs(&a), [("p3", "prov", 2)]);
        let gaps: Vec<(&str, &str, bool)> = a
            .unassigned
            .iter()
            .map(|n| (n.problem.as_str(), n.code.as_str(), n.reachable))
            .collect();
        assert_eq!(
            gaps,
            [("p2", "testing:x", false), ("p3", "metrology:y", false)]
        );
        assert_eq!(a.totals.needs_total, 3);
        assert_eq!(a.totals.needs_reachable, 1);
    }

    /// Two equally severe needs, one slot near both: ties break by need order (problem id), and
    /// equal providers by level then name.
    #[test]
    fn ties_are_broken_deterministically() {
        let d = dataset(
            vec![
                firm("f1", Some("320506"), "c", "s", Role::Member),
                firm("f2", Some("320506"), "c", "s", Role::Member),
                provider("b", Level::Municipal, "320506", &[("testing:x", Some(1))]),
                provider("a", Level::Municipal, "320506", &[("testing:x", Some(1))]),
                provider("n", Level::National, "320506", &[("testing:x", Some(1))]),
            ],
            vec![
                problem("p2", "f2", "c", 3, Status::Open, &["testing:x"]),
                problem("p1", "f1", "c", 3, Status::Open, &["testing:x"]),
                problem("p0", "f1", "c", 3, Status::Open, &["testing:x"]),
            ],
        );
        let a = assign(&d, &Scope::All);
        assert_eq!(pairs(&a), [("p0", "n", 0), ("p1", "a", 0), ("p2", "b", 0)]);
    }

    #[test]
    fn chain_scopes_do_not_share_capacity_but_the_whole_dataset_does() {
        let d = dataset(
            vec![
                firm("f1", Some("320506"), "c1", "s", Role::Member),
                firm("f2", Some("320506"), "c2", "s", Role::Member),
                provider("q", Level::National, "110105", &[("testing:x", Some(1))]),
            ],
            vec![
                problem("p1", "f1", "c1", 2, Status::Open, &["testing:x"]),
                problem("p2", "f2", "c2", 3, Status::Open, &["testing:x"]),
            ],
        );
        assert_eq!(assign(&d, &Scope::Chain("c1".into())).assigned.len(), 1);
        assert_eq!(assign(&d, &Scope::Chain("c2".into())).assigned.len(), 1);
        let all = assign(&d, &Scope::All);
        assert_eq!(pairs(&all), [("p2", "q", 3)]);
    }

    /// The dataset scope of the three demo chains, solved with a memo, then again after one
    /// problem's severity changed: the same outcomes as solving from scratch, and only the codes
    /// of that problem solved again.
    #[test]
    fn a_memo_solves_again_only_the_codes_whose_needs_changed() {
        let mut d = Dataset::new();
        for (_, text) in crate::cli::DEMO_FIXTURES {
            d.apply(&crate::model::ChangeSet::upsert(
                serde_json::from_str(text).unwrap(),
            ));
        }
        let index = ProviderIndex::from_dataset(&d);
        let memo = SolveMemo::default();
        let first = solve_with(&needs(&d, &Scope::All), &index, Some(&memo));
        assert_eq!(first, solve(&needs(&d, &Scope::All), &index));
        let codes_with_providers = {
            let n = needs(&d, &Scope::All);
            let codes: std::collections::BTreeSet<&str> = n
                .iter()
                .map(|n| n.code)
                .filter(|c| index.code(c).is_some())
                .collect();
            codes.len()
        };
        assert_eq!(memo.solved(), codes_with_providers);

        // Nothing changed: nothing is solved.
        let again = solve_with(&needs(&d, &Scope::All), &index, Some(&memo));
        assert_eq!(again, first);
        assert_eq!(memo.solved(), codes_with_providers);

        // One demand problem's severity changes.
        let changed = d
            .problems
            .values()
            .find(|p| p.is_demand() && p.needs.iter().any(|c| index.code(c).is_some()))
            .unwrap()
            .clone();
        let mut p = changed.clone();
        p.severity = if p.severity == 5 { 1 } else { 5 };
        d.problems.insert(p.id.clone(), p);
        let after = needs(&d, &Scope::All);
        let memoised = solve_with(&after, &index, Some(&memo));
        assert_eq!(memoised, solve(&after, &index));
        let its_codes: std::collections::BTreeSet<&String> = changed
            .needs
            .iter()
            .filter(|c| index.code(c).is_some())
            .collect();
        assert_eq!(memo.solved(), codes_with_providers + its_codes.len());
    }

    // ---- property test against brute force ----

    const REGIONS: [&str; 5] = ["320506", "320583", "320102", "110105", "foreign"];

    #[derive(Debug, Clone)]
    struct Instance {
        needs: Vec<(usize, u8)>,                     // (region index, severity)
        providers: Vec<(Level, usize, Option<u32>)>, // (level, region index, capacity)
    }

    fn instance() -> impl Strategy<Value = Instance> {
        let need = (0..REGIONS.len(), 1u8..=5);
        let level = prop_oneof![
            Just(Level::National),
            Just(Level::Provincial),
            Just(Level::Municipal)
        ];
        let prov = (
            level,
            0..REGIONS.len() - 1,
            prop_oneof![Just(None), (1u32..=2).prop_map(Some)],
        );
        (
            proptest::collection::vec(need, 0..=7),
            proptest::collection::vec(prov, 0..=4),
        )
            .prop_map(|(needs, providers)| Instance { needs, providers })
    }

    fn build(inst: &Instance) -> Dataset {
        let mut orgs = Vec::new();
        let mut problems = Vec::new();
        for (i, &(r, sev)) in inst.needs.iter().enumerate() {
            let region = (REGIONS[r] != "foreign").then_some(REGIONS[r]);
            // Two needs per firm sometimes: firms are shared by needs of the same region.
            let id = format!("f{r}");
            orgs.push(firm(&id, region, "c", "s", Role::Member));
            problems.push(problem(
                &format!("p{i}"),
                &id,
                "c",
                sev,
                Status::Open,
                &["testing:x"],
            ));
        }
        for (j, &(level, r, cap)) in inst.providers.iter().enumerate() {
            orgs.push(provider(
                &format!("q{j}"),
                level,
                REGIONS[r],
                &[("testing:x", cap)],
            ));
        }
        dataset(orgs, problems)
    }

    /// Best (severity assigned, −tier cost) over every assignment, by enumeration.
    fn brute_force(d: &Dataset) -> (u64, u64) {
        let ns = needs(d, &Scope::All);
        let provs: Vec<&Organization> = d.providers().collect();
        let mut used = vec![0u32; provs.len()];
        let mut best = (0u64, 0u64);
        fn go(
            i: usize,
            ns: &[Need<'_>],
            provs: &[&Organization],
            used: &mut [u32],
            sev: u64,
            cost: u64,
            best: &mut (u64, u64),
        ) {
            if i == ns.len() {
                if sev > best.0 || (sev == best.0 && cost < best.1) {
                    *best = (sev, cost);
                }
                return;
            }
            go(i + 1, ns, provs, used, sev, cost, best);
            for (j, p) in provs.iter().enumerate() {
                let cap = p.capability_list()[0].capacity;
                let region = p.region.as_deref().unwrap();
                if super::super::eligibility::serves(p.level.unwrap(), region, ns[i].place)
                    && cap.is_none_or(|c| used[j] < c)
                {
                    used[j] += 1;
                    let t = super::super::eligibility::tier(ns[i].place, region) as u64;
                    go(
                        i + 1,
                        ns,
                        provs,
                        used,
                        sev + ns[i].severity as u64,
                        cost + t,
                        best,
                    );
                    used[j] -= 1;
                }
            }
        }
        go(0, &ns, &provs, &mut used, 0, 0, &mut best);
        best
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn assignment_totals_match_the_brute_force_optimum_and_are_feasible(inst in instance()) {
            let d = build(&inst);
            let a = assign(&d, &Scope::All);
            let (sev, cost) = brute_force(&d);
            prop_assert_eq!(a.totals.severity_assigned, sev);
            prop_assert_eq!(a.totals.tier_cost, cost);
            // Feasible: eligible providers, correct tiers, capacities respected.
            let mut load: HashMap<&str, u32> = HashMap::new();
            for n in &a.assigned {
                let p = &d.organizations[&n.provider];
                let place = Place::of(d.organizations.get(&n.org));
                let region = p.region.as_deref().unwrap();
                prop_assert!(super::super::eligibility::serves(p.level.unwrap(), region, place));
                prop_assert_eq!(n.tier, super::super::eligibility::tier(place, region));
                *load.entry(&n.provider).or_default() += 1;
            }
            for (id, used) in load {
                if let Some(c) = d.organizations[id].capability_list()[0].capacity {
                    prop_assert!(used <= c);
                }
            }
            prop_assert_eq!(a.assigned.len() + a.unassigned.len(), d.problems.len());
            let sev_sum: u64 = a.assigned.iter().map(|n| n.severity as u64).sum();
            prop_assert_eq!(sev_sum, a.totals.severity_assigned);
        }
    }
}
