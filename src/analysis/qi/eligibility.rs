//! QI eligibility and distance (`docs/analyses.md`, "Eligibility and distance tiers"), the needs
//! of a scope, and the provider index that makes "who can take this need" a few hash lookups.
//!
//! This module owns the rules: which provider may serve which firm, the distance tier between
//! them, and which problems count as demand in a [`Scope`]. It does not decide who *does* serve
//! whom under capacities: that is [`super::assignment`].

use crate::model::{region, Dataset, Level, Organization, Problem};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// The problems an analysis looks at, and whether capacities are shared.
///
/// `Chain(id)`: only that chain's problems, with every capability's full capacity (capacities are
/// not shared with other scopes). `All`: every problem of the dataset, capacities shared across
/// chains. Serialized as `{"chain": "id"}` or `"all"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Chain(String),
    All,
}

impl Scope {
    /// Whether problems of `chain` belong to this scope.
    pub fn contains_chain(&self, chain: &str) -> bool {
        match self {
            Scope::Chain(id) => id == chain,
            Scope::All => true,
        }
    }
}

/// Where a firm is, as far as eligibility and distance care: a six-digit region code, or foreign.
///
/// A domestic firm without a region (which validation rejects) is treated as foreign: only
/// national providers serve it, at tier 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place<'a> {
    Domestic(&'a str),
    Foreign,
}

impl<'a> Place<'a> {
    /// The place of an organization (`None`: an unknown firm, treated as foreign).
    pub fn of(org: Option<&'a Organization>) -> Place<'a> {
        match org {
            Some(o) if !o.foreign => match o.region.as_deref() {
                Some(code) => Place::Domestic(code),
                None => Place::Foreign,
            },
            _ => Place::Foreign,
        }
    }
}

/// Whether a provider of `level` located in `provider_region` serves a firm at `firm`.
///
/// National serves everyone (foreign firms too); provincial serves domestic firms whose code shares
/// the first 2 digits; municipal, the first 4.
///
/// Complexity: O(1).
pub fn serves(level: Level, provider_region: &str, firm: Place<'_>) -> bool {
    match (level, firm) {
        (Level::National, _) => true,
        (_, Place::Foreign) => false,
        (Level::Provincial, Place::Domestic(r)) => {
            region::province(r) == region::province(provider_region)
        }
        (Level::Municipal, Place::Domestic(r)) => region::city(r) == region::city(provider_region),
    }
}

/// Distance tier between a firm and a provider: 0 same county (all 6 digits), 1 same city
/// (4 digits), 2 same province (2 digits), 3 otherwise; foreign firms are always 3.
///
/// Complexity: O(1).
pub fn tier(firm: Place<'_>, provider_region: &str) -> u8 {
    match firm {
        Place::Foreign => 3,
        Place::Domestic(r) if r == provider_region => 0,
        Place::Domestic(r) if region::city(r) == region::city(provider_region) => 1,
        Place::Domestic(r) if region::province(r) == region::province(provider_region) => 2,
        Place::Domestic(_) => 3,
    }
}

/// One need: a demand problem's capability code, weighted by the problem's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need<'a> {
    pub problem: &'a str,
    pub code: &'a str,
    /// The enterprise holding the problem.
    pub org: &'a str,
    pub chain: &'a str,
    pub severity: u8,
    /// Where the firm is.
    pub place: Place<'a>,
}

/// The needs of a scope: every demand problem (open or in progress) of the scope contributes one
/// need per entry of its `needs`, in problem-id order and then list order.
///
/// Arguments: the dataset and the scope.
/// Returns: the needs, borrowing from the dataset.
/// Complexity: O(P log F) for P problems and F organizations (one firm lookup per problem).
pub fn needs<'a>(d: &'a Dataset, scope: &Scope) -> Vec<Need<'a>> {
    let mut out = Vec::new();
    for p in d.problems.values() {
        if p.is_demand() && scope.contains_chain(&p.chain) {
            push_needs(d, p, &mut out);
        }
    }
    out
}

/// The needs of `problems` that count as demand, in the order given.
///
/// Complexity: O(needs of the problems), plus one lookup of each holder.
pub fn needs_of<'a>(
    d: &'a Dataset,
    problems: impl IntoIterator<Item = &'a Problem>,
) -> Vec<Need<'a>> {
    let mut out = Vec::new();
    for p in problems {
        if p.is_demand() {
            push_needs(d, p, &mut out);
        }
    }
    out
}

fn push_needs<'a>(d: &'a Dataset, p: &'a Problem, out: &mut Vec<Need<'a>>) {
    if p.needs.is_empty() {
        return;
    }
    let place = Place::of(d.organizations.get(&p.org));
    for code in &p.needs {
        out.push(Need {
            problem: &p.id,
            code,
            org: &p.org,
            chain: &p.chain,
            severity: p.severity,
            place,
        });
    }
}

/// A `HashMap` with foldhash's fast fixed-seed hasher: the analyses hash millions of short ids
/// and codes, where SipHash's protection against adversarial keys costs more than it is worth
/// (the keys are our own data).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
/// A `HashSet` with the same hasher as [`FastMap`].
pub type FastSet<K> = HashSet<K, foldhash::fast::FixedState>;

/// A provider as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub level: Level,
    pub region: String,
}

/// One (provider, code) capability: the unit that has a capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Index into [`ProviderIndex::providers`].
    pub provider: u32,
    /// How many needs it can take; `None` = unlimited.
    pub capacity: Option<u32>,
}

/// Every provider of one capability code, split by the area they serve.
#[derive(Debug, Clone, Default)]
pub struct CodeProviders {
    pub slots: Vec<Slot>,
    /// Slot indices of national providers.
    pub national: Vec<u32>,
    /// Slot indices of provincial providers by province prefix.
    pub provincial: FastMap<String, Vec<u32>>,
    /// Slot indices of municipal providers by city prefix.
    pub municipal: FastMap<String, Vec<u32>>,
    /// Region codes (6 digits), cities (4) and provinces (2) where some provider of this code sits:
    /// firms elsewhere see identical eligible sets and tiers (used to aggregate needs).
    pub counties: FastSet<String>,
    pub cities: FastSet<String>,
    pub provinces: FastSet<String>,
}

impl CodeProviders {
    /// Slot indices eligible for a firm at `place`, in no particular order.
    pub fn eligible<'s>(&'s self, place: Place<'_>) -> impl Iterator<Item = u32> + 's {
        let (prov, city): (&[u32], &[u32]) = match place {
            Place::Foreign => (&[], &[]),
            Place::Domestic(r) => (
                self.provincial
                    .get(region::province(r))
                    .map_or(&[][..], |v| v),
                self.municipal.get(region::city(r)).map_or(&[][..], |v| v),
            ),
        };
        self.national
            .iter()
            .chain(prov.iter())
            .chain(city.iter())
            .copied()
    }

    /// Whether at least one provider of this code serves a firm at `place`.
    pub fn reaches(&self, place: Place<'_>) -> bool {
        self.eligible(place).next().is_some()
    }
}

/// A candidate provider for a need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Candidate {
    pub provider: String,
    pub name: String,
    #[schema(value_type = String)]
    pub level: Level,
    pub tier: u8,
    /// The capability's capacity; `None` = unlimited.
    pub capacity: Option<u32>,
}

/// Providers indexed by capability code, built once per analysis.
///
/// A provider listing the same code twice gets one slot whose capacity is the sum (unlimited if
/// either is). Providers without a level or region (which validation rejects) are skipped.
#[derive(Debug, Clone, Default)]
pub struct ProviderIndex {
    pub providers: Vec<ProviderInfo>,
    pub codes: FastMap<String, CodeProviders>,
}

impl ProviderIndex {
    /// The index of every provider of the dataset.
    ///
    /// Complexity: O(C) hash inserts for C capabilities in total.
    pub fn from_dataset(d: &Dataset) -> ProviderIndex {
        ProviderIndex::from_providers(d.providers())
    }

    /// The index of the given providers (non-providers are skipped).
    pub fn from_providers<'a>(orgs: impl IntoIterator<Item = &'a Organization>) -> ProviderIndex {
        let mut index = ProviderIndex::default();
        for o in orgs {
            index.add_organization(o);
        }
        index
    }

    /// Adds a provider organization with all its capabilities.
    pub fn add_organization(&mut self, o: &Organization) {
        let (Some(level), Some(region)) = (o.level, o.region.as_deref()) else {
            return;
        };
        if !o.is_provider() {
            return;
        }
        let p = self.add_provider(&o.id, &o.name, level, region);
        for c in o.capability_list() {
            self.add_capability(p, &c.code, c.capacity);
        }
    }

    /// Adds a provider without capabilities; returns its index.
    pub fn add_provider(&mut self, id: &str, name: &str, level: Level, region: &str) -> u32 {
        self.providers.push(ProviderInfo {
            id: id.to_string(),
            name: name.to_string(),
            level,
            region: region.to_string(),
        });
        (self.providers.len() - 1) as u32
    }

    /// Adds capability `code` with `capacity` (None = unlimited) to provider `p`.
    pub fn add_capability(&mut self, p: u32, code: &str, capacity: Option<u32>) {
        let info = &self.providers[p as usize];
        let cp = self.codes.entry(code.to_string()).or_default();
        if let Some(slot) = cp.slots.iter_mut().rev().find(|s| s.provider == p) {
            slot.capacity = match (slot.capacity, capacity) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                _ => None,
            };
            return;
        }
        let s = cp.slots.len() as u32;
        cp.slots.push(Slot {
            provider: p,
            capacity,
        });
        let r = info.region.as_str();
        match info.level {
            Level::National => cp.national.push(s),
            Level::Provincial => cp
                .provincial
                .entry(region::province(r).to_string())
                .or_default()
                .push(s),
            Level::Municipal => cp
                .municipal
                .entry(region::city(r).to_string())
                .or_default()
                .push(s),
        }
        cp.counties.insert(r.to_string());
        cp.cities.insert(region::city(r).to_string());
        cp.provinces.insert(region::province(r).to_string());
    }

    /// The providers of `code`, if any.
    pub fn code(&self, code: &str) -> Option<&CodeProviders> {
        self.codes.get(code)
    }

    /// Whether any provider can take a need for `code` of a firm at `place` (capacity ignored).
    ///
    /// Complexity: O(1) expected (three hash lookups).
    pub fn reaches(&self, code: &str, place: Place<'_>) -> bool {
        self.code(code).is_some_and(|cp| cp.reaches(place))
    }

    /// The sort key of a slot for a firm: tier, then level (national, provincial, municipal), then
    /// name, then id, so every ranking and tie-break in the analyses is deterministic.
    pub fn rank_key(&self, p: u32, place: Place<'_>) -> (u8, Level, &str, &str) {
        let info = &self.providers[p as usize];
        (
            tier(place, &info.region),
            info.level,
            info.name.as_str(),
            info.id.as_str(),
        )
    }

    /// Eligible providers of `code` for a firm at `place`, ranked by distance tier, then level
    /// (national, provincial, municipal: the order of [`Level`]), then name, then id.
    ///
    /// Complexity: O(k log k) for k eligible providers, after three hash lookups.
    pub fn candidates(&self, code: &str, place: Place<'_>) -> Vec<Candidate> {
        let Some(cp) = self.code(code) else {
            return Vec::new();
        };
        let mut slots: Vec<Slot> = cp.eligible(place).map(|s| cp.slots[s as usize]).collect();
        slots.sort_by(|a, b| {
            self.rank_key(a.provider, place)
                .cmp(&self.rank_key(b.provider, place))
        });
        slots
            .into_iter()
            .map(|s| {
                let info = &self.providers[s.provider as usize];
                Candidate {
                    provider: info.id.clone(),
                    name: info.name.clone(),
                    level: info.level,
                    tier: tier(place, &info.region),
                    capacity: s.capacity,
                }
            })
            .collect()
    }
}

/// The candidates of one need.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NeedCandidates {
    pub problem: String,
    pub code: String,
    pub org: String,
    pub severity: u8,
    /// Ranked by tier, level, name (empty: an infrastructure gap).
    pub candidates: Vec<Candidate>,
}

/// Candidate providers for every need of a scope, capacity ignored.
///
/// Arguments: the dataset and the scope.
/// Returns: one entry per need, in need order (problem id, then list order).
/// Complexity: O(C) to index C capabilities, then O(k log k) per need for k candidates.
pub fn candidates(d: &Dataset, scope: &Scope) -> Vec<NeedCandidates> {
    let index = ProviderIndex::from_dataset(d);
    needs(d, scope)
        .into_iter()
        .map(|n| NeedCandidates {
            problem: n.problem.to_string(),
            code: n.code.to_string(),
            org: n.org.to_string(),
            severity: n.severity,
            candidates: index.candidates(n.code, n.place),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Capability, Category, Membership, OrgKind, Problem, Role, Status};

    pub fn firm(
        id: &str,
        region: Option<&str>,
        chain: &str,
        segment: &str,
        role: Role,
    ) -> Organization {
        Organization {
            id: id.into(),
            name: format!("firm {id}"),
            kind: OrgKind::Enterprise,
            region: region.map(str::to_string),
            foreign: region.is_none(),
            country: region.is_none().then(|| "JP".to_string()),
            chains: Some(vec![Membership {
                chain: chain.into(),
                role,
                segment: segment.into(),
            }]),
            level: None,
            capabilities: None,
        }
    }

    pub fn provider(
        id: &str,
        level: Level,
        region: &str,
        caps: &[(&str, Option<u32>)],
    ) -> Organization {
        Organization {
            id: id.into(),
            name: format!("provider {id}"),
            kind: OrgKind::InspectionCenter,
            region: Some(region.into()),
            foreign: false,
            country: None,
            chains: None,
            level: Some(level),
            capabilities: Some(
                caps.iter()
                    .map(|(code, capacity)| Capability {
                        code: code.to_string(),
                        capacity: *capacity,
                    })
                    .collect(),
            ),
        }
    }

    pub fn problem(
        id: &str,
        org: &str,
        chain: &str,
        severity: u8,
        status: Status,
        needs: &[&str],
    ) -> Problem {
        Problem {
            disclosure: Default::default(),
            id: id.into(),
            org: org.into(),
            chain: chain.into(),
            title: format!("problem {id}"),
            category: Category::Testing,
            severity,
            status,
            needs: needs.iter().map(|s| s.to_string()).collect(),
        }
    }

    const SUZHOU_WUZHONG: Place<'static> = Place::Domestic("320506");

    #[test]
    fn a_national_provider_serves_every_firm_including_foreign_ones() {
        assert!(serves(Level::National, "110000", SUZHOU_WUZHONG));
        assert!(serves(Level::National, "110000", Place::Foreign));
    }

    #[test]
    fn a_provincial_provider_serves_only_domestic_firms_of_its_province() {
        assert!(serves(Level::Provincial, "320100", SUZHOU_WUZHONG));
        assert!(!serves(Level::Provincial, "330100", SUZHOU_WUZHONG));
        assert!(!serves(Level::Provincial, "320100", Place::Foreign));
    }

    #[test]
    fn a_municipal_provider_serves_only_domestic_firms_of_its_city() {
        assert!(serves(Level::Municipal, "320583", SUZHOU_WUZHONG));
        assert!(!serves(Level::Municipal, "320100", SUZHOU_WUZHONG));
        assert!(!serves(Level::Municipal, "320506", Place::Foreign));
    }

    #[test]
    fn tiers_run_from_same_county_to_elsewhere_and_foreign_is_always_three() {
        assert_eq!(tier(SUZHOU_WUZHONG, "320506"), 0);
        assert_eq!(tier(SUZHOU_WUZHONG, "320583"), 1);
        assert_eq!(tier(SUZHOU_WUZHONG, "320102"), 2);
        assert_eq!(tier(SUZHOU_WUZHONG, "110105"), 3);
        assert_eq!(tier(Place::Foreign, "320506"), 3);
    }

    #[test]
    fn candidates_are_ranked_by_tier_then_level_then_name() {
        let orgs = [
            provider(
                "far-national",
                Level::National,
                "110105",
                &[("testing:x", None)],
            ),
            provider(
                "b-near-national",
                Level::National,
                "320583",
                &[("testing:x", None)],
            ),
            provider(
                "a-near-municipal",
                Level::Municipal,
                "320583",
                &[("testing:x", Some(1))],
            ),
            provider(
                "z-near-municipal",
                Level::Municipal,
                "320585",
                &[("testing:x", None)],
            ),
            provider(
                "same-county",
                Level::Provincial,
                "320506",
                &[("testing:x", None)],
            ),
            provider(
                "other-province",
                Level::Provincial,
                "330100",
                &[("testing:x", None)],
            ),
            provider(
                "other-code",
                Level::National,
                "320506",
                &[("testing:y", None)],
            ),
        ];
        let index = ProviderIndex::from_providers(&orgs);
        let ids: Vec<String> = index
            .candidates("testing:x", SUZHOU_WUZHONG)
            .into_iter()
            .map(|c| c.provider)
            .collect();
        assert_eq!(
            ids,
            [
                "same-county",
                "b-near-national",
                "a-near-municipal",
                "z-near-municipal",
                "far-national"
            ]
        );
        let foreign: Vec<String> = index
            .candidates("testing:x", Place::Foreign)
            .into_iter()
            .map(|c| c.provider)
            .collect();
        assert_eq!(foreign, ["b-near-national", "far-national"]);
        assert!(index.candidates("testing:none", SUZHOU_WUZHONG).is_empty());
        assert!(index.reaches("testing:y", Place::Foreign));
    }

    #[test]
    fn the_code_must_match_exactly() {
        let orgs = [provider(
            "q",
            Level::National,
            "110105",
            &[("testing:battery", None)],
        )];
        let index = ProviderIndex::from_providers(&orgs);
        assert!(index.reaches("testing:battery", SUZHOU_WUZHONG));
        assert!(!index.reaches("testing:battery-safety", SUZHOU_WUZHONG));
        assert!(!index.reaches("metrology:battery", SUZHOU_WUZHONG));
    }

    #[test]
    fn resolved_problems_contribute_no_needs_and_scope_filters_chains() {
        let mut d = Dataset::new();
        d.organizations.insert(
            "f".into(),
            firm("f", Some("320506"), "c1", "s", Role::Member),
        );
        for p in [
            problem(
                "p1",
                "f",
                "c1",
                3,
                Status::Open,
                &["testing:a", "metrology:b"],
            ),
            problem("p2", "f", "c1", 2, Status::InProgress, &["testing:a"]),
            problem("p3", "f", "c1", 5, Status::Resolved, &["testing:a"]),
            problem("p4", "f", "c2", 4, Status::Open, &["testing:a"]),
        ] {
            d.problems.insert(p.id.clone(), p);
        }
        let c1: Vec<(&str, &str)> = needs(&d, &Scope::Chain("c1".into()))
            .iter()
            .map(|n| (n.problem, n.code))
            .collect();
        assert_eq!(
            c1,
            [
                ("p1", "testing:a"),
                ("p1", "metrology:b"),
                ("p2", "testing:a")
            ]
        );
        assert_eq!(needs(&d, &Scope::All).len(), 4);
    }
}
