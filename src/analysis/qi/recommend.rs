//! What to build where: ranked capability additions that would close infrastructure gaps, advice
//! to expand providers that are full (capacity gaps), and a what-if that re-runs the assignment
//! with providers added or removed.
//!
//! Candidate additions come from the infrastructure gaps of an assignment: for each gap code, a
//! municipal provider in each city with gap needs, a provincial one in each province with gap
//! needs (placed in that province's city with the most gap severity), and one national provider
//! (placed in the city with the most gap severity overall). The candidates placed in one city are
//! folded into one recommendation: the smallest level (municipal) with the larger ones as its
//! `alternatives`. An optional region prefix keeps every placement inside a jurisdiction. The
//! what-if never clones the dataset: it builds a provider index from the real providers minus the
//! removed ones plus the hypothetical ones.

use super::assignment::{assign_needs, Assignment};
use super::coverage::{element_of, CoverageReport};
use super::eligibility::{needs, Place, ProviderIndex, Scope};
use crate::model::{region, Dataset, Level};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// A larger provider that could be built in the same place as a [`Recommendation`] instead: it
/// costs more and reaches more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Alternative {
    #[schema(value_type = String)]
    pub level: Level,
    /// City prefix (4 digits) to build in (the same as the recommendation's).
    pub city: Option<String>,
    pub city_name: Option<String>,
    pub province: Option<String>,
    /// Currently unreachable needs it would make reachable.
    pub needs: u64,
    /// Their total severity.
    pub severity: u64,
    /// Distinct firms behind those needs.
    pub firms: u64,
}

/// One capability to build in one place, at the smallest level that closes that place's gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Recommendation {
    pub code: String,
    pub element: String,
    #[schema(value_type = String)]
    pub level: Level,
    /// City prefix (4 digits) to build in; `None` for a national provider whose gap needs are all
    /// at foreign firms (any location serves them at tier 3).
    pub city: Option<String>,
    pub city_name: Option<String>,
    /// Province prefix (2 digits) of `city`.
    pub province: Option<String>,
    /// Currently unreachable needs it would make reachable.
    pub needs: u64,
    /// Their total severity.
    pub severity: u64,
    /// Distinct firms behind those needs.
    pub firms: u64,
    /// Larger providers of the same code that could be built in the same city instead
    /// (provincial, then national), each with what it would reach; empty when none reaches more
    /// than this one's city.
    pub alternatives: Vec<Alternative>,
}

/// Investment order of the levels: municipal (smallest) first.
fn level_rank(l: Level) -> u8 {
    match l {
        Level::Municipal => 0,
        Level::Provincial => 1,
        Level::National => 2,
    }
}

/// Whether `city` (4 digits) lies inside the region prefix `within` (2 or 4 digits; `None`: no
/// limit).
fn inside(city: &str, within: Option<&str>) -> bool {
    within.is_none_or(|w| city.starts_with(w) || w.starts_with(city))
}

/// One recommendation per capability code and city, ranked by severity made reachable
/// (descending), then level (municipal, provincial, national), then needs (descending), code and
/// city.
///
/// Arguments: the dataset (for firm regions), an assignment, and an optional region prefix
/// (`32`, `3205`): every placement (of the recommendations and their alternatives) then lies
/// inside it; a code whose gap needs are all outside it gets none.
/// Returns: the recommendations derived from the assignment's infrastructure gaps.
/// Complexity: O(U log U) for U unreachable needs.
pub fn recommendations(d: &Dataset, a: &Assignment, within: Option<&str>) -> Vec<Recommendation> {
    // code → city (None: foreign) → (needs, severity, firms)
    type Acc<'a> = BTreeMap<Option<&'a str>, (u64, u64, BTreeSet<&'a str>)>;
    let mut gaps: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for n in a.unassigned.iter().filter(|n| !n.reachable) {
        let city = match Place::of(d.organizations.get(&n.org)) {
            Place::Domestic(r) => Some(region::city(r)),
            Place::Foreign => None,
        };
        let e = gaps.entry(&n.code).or_default().entry(city).or_default();
        e.0 += 1;
        e.1 += n.severity as u64;
        e.2.insert(&n.org);
    }
    let name_of = |city: &str| d.region_name(&format!("{city}00")).map(str::to_string);
    let mut out = Vec::new();
    for (code, cities) in gaps {
        let make =
            |level: Level,
             city: Option<&str>,
             parts: &mut dyn Iterator<Item = &(u64, u64, BTreeSet<&str>)>| {
                let mut needs = 0;
                let mut severity = 0;
                let mut firms = BTreeSet::new();
                for (n, s, f) in parts {
                    needs += n;
                    severity += s;
                    firms.extend(f.iter().copied());
                }
                Alternative {
                    level,
                    city: city.map(str::to_string),
                    city_name: city.and_then(name_of),
                    province: city.map(|c| region::province(c).to_string()),
                    needs,
                    severity,
                    firms: firms.len() as u64,
                }
            };
        // The heaviest city of a set inside the jurisdiction: most severity, then smallest code.
        let heaviest = |filter: &dyn Fn(&str) -> bool| {
            cities
                .iter()
                .filter_map(|(c, v)| {
                    c.filter(|c| filter(c) && inside(c, within))
                        .map(|c| (c, v.1))
                })
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(c, _)| c)
        };
        // Every candidate, by the city it is placed in.
        let mut placed: BTreeMap<Option<&str>, Vec<Alternative>> = BTreeMap::new();
        for (&city, acc) in &cities {
            if let Some(city) = city.filter(|c| inside(c, within)) {
                placed.entry(Some(city)).or_default().push(make(
                    Level::Municipal,
                    Some(city),
                    &mut std::iter::once(acc),
                ));
            }
        }
        let provinces: BTreeSet<&str> = cities
            .keys()
            .flatten()
            .filter(|c| inside(c, within))
            .map(|c| region::province(c))
            .collect();
        for province in provinces {
            let city = heaviest(&|c| region::province(c) == province);
            let mut parts = cities
                .iter()
                .filter(|(c, _)| c.is_some_and(|c| region::province(c) == province))
                .map(|(_, v)| v);
            placed
                .entry(city)
                .or_default()
                .push(make(Level::Provincial, city, &mut parts));
        }
        let city = heaviest(&|_| true);
        // Inside a jurisdiction, a national provider must be placed there too.
        if city.is_some() || within.is_none() {
            placed
                .entry(city)
                .or_default()
                .push(make(Level::National, city, &mut cities.values()));
        }
        for (_, mut candidates) in placed {
            candidates.sort_by_key(|c| level_rank(c.level));
            let mut candidates = candidates.into_iter();
            let Some(first) = candidates.next() else {
                continue;
            };
            out.push(Recommendation {
                code: code.to_string(),
                element: element_of(code).to_string(),
                level: first.level,
                city: first.city,
                city_name: first.city_name,
                province: first.province,
                needs: first.needs,
                severity: first.severity,
                firms: first.firms,
                alternatives: candidates.collect(),
            });
        }
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(level_rank(a.level).cmp(&level_rank(b.level)))
            .then(b.needs.cmp(&a.needs))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.city.cmp(&b.city))
    });
    out
}

/// Advice to expand a provider that is full: "expand `provider`'s capacity for `code` by
/// `expand_by`", which would let it take that many of the code's capacity-gap needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CapacityAdvice {
    pub provider: String,
    pub provider_name: String,
    #[schema(value_type = String)]
    pub level: Level,
    /// The provider's six-digit region code.
    pub region: String,
    pub code: String,
    pub element: String,
    /// Its present capacity for `code`.
    pub capacity: Option<u32>,
    /// How many more needs it should take: the capacity-gap needs of `code` it is eligible for
    /// (and no earlier advice of the same code takes).
    pub expand_by: u64,
    /// The severity of those needs: what the expansion would let the assignment serve (at
    /// least; re-solving may shift other needs too).
    pub severity: u64,
    /// Distinct firms behind those needs.
    pub firms: u64,
}

/// Advice for the capacity gaps of an assignment: per code, greedily, the eligible provider
/// whose expansion unlocks the most severity among the code's capacity-gap needs not yet
/// advised for (ties: more needs, then provider id), until every such need is advised for.
/// Sorted by severity (descending), then code and provider.
///
/// Arguments: the dataset (for firm places), the assignment, the provider index it was solved
/// against, and an optional region prefix (2 or 4 digits) that the advised providers must sit in.
/// Returns: the advice.
/// Complexity: O(R · U · k) for U capacity-gap needs with k eligible providers each and R
/// pieces of advice per code.
pub fn capacity_advice(
    d: &Dataset,
    a: &Assignment,
    index: &ProviderIndex,
    within: Option<&str>,
) -> Vec<CapacityAdvice> {
    // code → its capacity-gap needs (place, severity, firm)
    let mut by_code: BTreeMap<&str, Vec<(Place<'_>, u64, &str)>> = BTreeMap::new();
    for n in a.unassigned.iter().filter(|n| n.reachable) {
        by_code.entry(&n.code).or_default().push((
            Place::of(d.organizations.get(&n.org)),
            n.severity as u64,
            &n.org,
        ));
    }
    let mut out = Vec::new();
    for (code, mut remaining) in by_code {
        let Some(cp) = index.code(code) else {
            continue;
        };
        let allowed = |s: u32| {
            let info = &index.providers[cp.slots[s as usize].provider as usize];
            within.is_none_or(|w| info.region.starts_with(w))
        };
        loop {
            // slot → (severity, needs, firms)
            let mut tally: BTreeMap<u32, (u64, u64, BTreeSet<&str>)> = BTreeMap::new();
            for (place, severity, org) in &remaining {
                for s in cp.eligible(*place).filter(|&s| allowed(s)) {
                    let e = tally.entry(s).or_default();
                    e.0 += severity;
                    e.1 += 1;
                    e.2.insert(org);
                }
            }
            let id_of = |s: u32| {
                index.providers[cp.slots[s as usize].provider as usize]
                    .id
                    .as_str()
            };
            let Some((slot, (severity, needs, firms))) = tally.into_iter().max_by(|a, b| {
                (a.1 .0, a.1 .1)
                    .cmp(&(b.1 .0, b.1 .1))
                    .then_with(|| id_of(b.0).cmp(id_of(a.0)))
            }) else {
                break;
            };
            let info = &index.providers[cp.slots[slot as usize].provider as usize];
            out.push(CapacityAdvice {
                provider: info.id.clone(),
                provider_name: info.name.clone(),
                level: info.level,
                region: info.region.clone(),
                code: code.to_string(),
                element: element_of(code).to_string(),
                capacity: cp.slots[slot as usize].capacity,
                expand_by: needs,
                severity,
                firms: firms.len() as u64,
            });
            remaining.retain(|(place, _, _)| !cp.eligible(*place).any(|s| s == slot));
        }
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.provider.cmp(&b.provider))
    });
    out
}

/// A provider that does not exist (yet), with one capability. Its fields follow the rules of
/// the same fields of a provider record.
// Checked by `crate::validate::check_provider_fields` (in `service::chains`); the schema
// attributes below are those of `Organization` and `Capability`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HypotheticalProvider {
    /// Unique among the providers added; no control characters.
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schema(max_length = 500)]
    pub name: String,
    pub level: Level,
    /// Six-digit GB/T 2260 region code where it would sit.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub region: String,
    /// `element:subject`, element one of metrology, testing, standard, certification, rd.
    #[schema(
        max_length = 128,
        pattern = r"^(metrology|testing|standard|certification|rd):[^\s\x00-\x1F\x7F-\x9F]+$"
    )]
    pub code: String,
    /// How many needs it can take, a whole number of at least 1; absent (or null) means no
    /// limit.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    pub capacity: Option<u32>,
}

impl HypotheticalProvider {
    /// The provider a [`Recommendation`] describes, placed at the city's `00` county code (or in
    /// Beijing, 110000, for a national provider with no city), with unlimited capacity.
    pub fn from_recommendation(r: &Recommendation) -> HypotheticalProvider {
        let region = r
            .city
            .as_ref()
            .map_or_else(|| "110000".to_string(), |c| format!("{c}00"));
        HypotheticalProvider {
            id: format!("new:{}:{}:{}", r.level.as_str(), r.code, region),
            name: format!("新建 {} {}", r.level.as_str(), r.code),
            level: r.level,
            region,
            code: r.code.clone(),
            capacity: None,
        }
    }
}

/// A change to the provider set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    #[serde(default)]
    pub add: Vec<HypotheticalProvider>,
    /// Ids of real providers to take away.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// Coverage before and after a [`WhatIf`].
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WhatIfResult {
    pub before: CoverageReport,
    pub after: CoverageReport,
}

/// The provider index of the dataset changed by `change`.
///
/// Complexity: O(C) for C capabilities.
pub fn changed_index(d: &Dataset, change: &WhatIf) -> ProviderIndex {
    let removed: BTreeSet<&str> = change.remove.iter().map(String::as_str).collect();
    let mut index =
        ProviderIndex::from_providers(d.providers().filter(|o| !removed.contains(o.id.as_str())));
    for h in &change.add {
        let p = index.add_provider(&h.id, &h.name, h.level, &h.region);
        index.add_capability(p, &h.code, h.capacity);
    }
    index
}

/// Re-runs the assignment of `scope` with providers added and/or removed.
///
/// Arguments: the dataset (not modified, not cloned), the scope, the change.
/// Returns: coverage reports before and after.
/// Complexity: two assignments of the scope (see [`super::assignment`]).
pub fn what_if(d: &Dataset, scope: &Scope, change: &WhatIf) -> WhatIfResult {
    let needs = needs(d, scope);
    let report = |index: &ProviderIndex| {
        let a = assign_needs(&needs, index, scope.clone());
        super::coverage::coverage(d, &a)
    };
    WhatIfResult {
        before: report(&ProviderIndex::from_dataset(d)),
        after: report(&changed_index(d, change)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::assignment::assign;
    use crate::analysis::coverage::tests::battery;
    use crate::analysis::eligibility::tests::{firm, problem};
    use crate::model::{Role, Status};

    /// The battery chain with a second rd:electrolyte gap in 南京 (3201), severity 2, beside
    /// c1's in 苏州 (3205), severity 5.
    fn battery_with_nanjing() -> Dataset {
        let mut d = battery();
        d.organizations.insert(
            "n1".into(),
            firm("n1", Some("320102"), "battery", "cells", Role::Member),
        );
        d.problems.insert(
            "p7".into(),
            problem("p7", "n1", "battery", 2, Status::Open, &["rd:electrolyte"]),
        );
        d
    }

    type Row<'a> = (Level, Option<&'a str>, u64, u64);

    fn rows(recs: &[Recommendation]) -> Vec<(Row<'_>, Vec<Row<'_>>)> {
        recs.iter()
            .map(|r| {
                let alternatives = r
                    .alternatives
                    .iter()
                    .map(|a| (a.level, a.city.as_deref(), a.needs, a.severity))
                    .collect();
                (
                    (r.level, r.city.as_deref(), r.needs, r.severity),
                    alternatives,
                )
            })
            .collect()
    }

    /// One recommendation per code and city: the municipal provider, with the provincial and
    /// national ones placed in the same city folded in as alternatives.
    #[test]
    fn recommendations_fold_the_larger_levels_of_a_city_into_its_municipal_one() {
        let d = battery_with_nanjing();
        let recs = recommendations(&d, &assign(&d, &Scope::All), None);
        assert_eq!(
            rows(&recs),
            [
                (
                    (Level::Municipal, Some("3205"), 1, 5),
                    vec![
                        (Level::Provincial, Some("3205"), 2, 7),
                        (Level::National, Some("3205"), 2, 7),
                    ]
                ),
                ((Level::Municipal, Some("3201"), 1, 2), vec![]),
            ]
        );
        assert_eq!(recs[0].city_name.as_deref(), Some("苏州市"));
        assert_eq!(recs[0].province.as_deref(), Some("32"));
        assert_eq!(recs[0].alternatives[0].city_name.as_deref(), Some("苏州市"));
        assert!(recs
            .iter()
            .all(|r| r.code == "rd:electrolyte" && r.element == "rd"));
    }

    /// A gap at a foreign firm only is closed by a national provider anywhere (no city).
    #[test]
    fn a_gap_at_foreign_firms_only_gets_a_national_provider_without_a_city() {
        let mut d = battery();
        d.problems.insert(
            "p8".into(),
            problem("p8", "x1", "battery", 4, Status::Open, &["rd:separator"]),
        );
        let recs = recommendations(&d, &assign(&d, &Scope::All), None);
        let separator: Vec<_> = recs.iter().filter(|r| r.code == "rd:separator").collect();
        assert_eq!(separator.len(), 1);
        assert_eq!(
            (
                separator[0].level,
                separator[0].city.as_deref(),
                separator[0].severity
            ),
            (Level::National, None, 4)
        );
        assert!(separator[0].alternatives.is_empty());
        // Inside a jurisdiction there is nowhere to place it.
        let recs = recommendations(&d, &assign(&d, &Scope::All), Some("32"));
        assert!(recs.iter().all(|r| r.code != "rd:separator"));
    }

    /// With a region prefix every placement lies inside it: a gap in 深圳 (4403) heavier than the
    /// Jiangsu ones no longer draws the national provider there, nor gets one of its own.
    #[test]
    fn recommendations_within_a_jurisdiction_place_nothing_outside_it() {
        let mut d = battery_with_nanjing();
        d.organizations.insert(
            "s1".into(),
            firm("s1", Some("440305"), "battery", "cells", Role::Member),
        );
        d.problems.insert(
            "p9".into(),
            problem("p9", "s1", "battery", 9, Status::Open, &["rd:electrolyte"]),
        );
        let a = assign(&d, &Scope::All);
        // Without a limit the national provider goes to 深圳, the heaviest city.
        let all = recommendations(&d, &a, None);
        assert_eq!(
            rows(&all)[0],
            (
                (Level::Municipal, Some("4403"), 1, 9),
                vec![
                    (Level::Provincial, Some("4403"), 1, 9),
                    (Level::National, Some("4403"), 3, 16),
                ]
            )
        );
        let jiangsu = recommendations(&d, &a, Some("32"));
        assert_eq!(
            rows(&jiangsu),
            [
                (
                    (Level::Municipal, Some("3205"), 1, 5),
                    vec![
                        (Level::Provincial, Some("3205"), 2, 7),
                        (Level::National, Some("3205"), 3, 16),
                    ]
                ),
                ((Level::Municipal, Some("3201"), 1, 2), vec![]),
            ]
        );
        // A city prefix keeps that city only.
        let nanjing = recommendations(&d, &a, Some("3201"));
        assert_eq!(
            rows(&nanjing),
            [(
                (Level::Municipal, Some("3201"), 1, 2),
                vec![
                    (Level::Provincial, Some("3201"), 2, 7),
                    (Level::National, Some("3201"), 3, 16),
                ]
            )]
        );
    }

    /// The battery chain's testing:safety capacity gaps (m2 in 杭州, severity 2; x1 foreign,
    /// severity 3) can only go to the national qn (capacity 1): expand it by 2, unlocking 5;
    /// the what-if of that expansion confirms it.
    #[test]
    fn a_capacity_gap_gets_advice_to_expand_the_provider_that_can_take_it() {
        let d = battery();
        let index = ProviderIndex::from_dataset(&d);
        let a = assign(&d, &Scope::All);
        let advice = capacity_advice(&d, &a, &index, None);
        assert_eq!(advice.len(), 1);
        let got = &advice[0];
        assert_eq!(
            (
                got.provider.as_str(),
                got.code.as_str(),
                got.capacity,
                got.expand_by,
                got.severity,
                got.firms
            ),
            ("qn", "testing:safety", Some(1), 2, 5, 2)
        );
        let change = WhatIf {
            add: vec![HypotheticalProvider {
                id: "qn+".into(),
                name: "qn expanded".into(),
                level: got.level,
                region: got.region.clone(),
                code: got.code.clone(),
                capacity: Some(1 + got.expand_by as u32),
            }],
            remove: vec!["qn".into()],
        };
        let r = what_if(&d, &Scope::All, &change);
        assert_eq!(
            r.after.coverage.severity_assigned,
            r.before.coverage.severity_assigned + got.severity
        );
        // qn sits in Beijing: a Jiangsu jurisdiction gets no advice to expand it.
        assert!(capacity_advice(&d, &a, &index, Some("32")).is_empty());
    }

    /// Several full providers: the one unlocking the most severity is advised first, and a need
    /// it covers is not advised for twice.
    #[test]
    fn capacity_advice_takes_the_heaviest_provider_first_and_counts_each_need_once() {
        let mut d = battery();
        // m2 (杭州) gets a second testing:safety need (severity 4); a full municipal provider in
        // 杭州 can take both of m2's needs, qn (national) can take m2's and x1's.
        d.problems.insert(
            "p6".into(),
            problem("p6", "m2", "battery", 4, Status::Open, &["testing:safety"]),
        );
        let hz = crate::analysis::eligibility::tests::provider(
            "qh",
            Level::Municipal,
            "330100",
            &[("testing:safety", Some(1))],
        );
        d.organizations.insert("qh".into(), hz);
        let index = ProviderIndex::from_dataset(&d);
        let a = assign(&d, &Scope::All);
        let gaps: u64 = a
            .unassigned
            .iter()
            .filter(|n| n.reachable)
            .map(|n| n.severity as u64)
            .sum();
        let advice = capacity_advice(&d, &a, &index, None);
        let got: Vec<(&str, u64, u64)> = advice
            .iter()
            .map(|c| (c.provider.as_str(), c.expand_by, c.severity))
            .collect();
        // Every capacity-gap need is advised for exactly once.
        assert_eq!(advice.iter().map(|c| c.severity).sum::<u64>(), gaps);
        assert_eq!(advice.iter().map(|c| c.expand_by).sum::<u64>(), 2);
        assert_eq!(got[0].0, "qn");
        assert!(got.windows(2).all(|w| w[0].2 >= w[1].2));
    }

    /// The schema of a hypothetical provider bounds each field as the schema of the same field
    /// of a provider record does (the validation is the same: `check_provider_fields`).
    #[test]
    fn a_hypothetical_provider_is_bounded_as_a_provider_record_is() {
        use crate::model::{Capability, Organization};
        use utoipa::PartialSchema;
        let ours = serde_json::to_value(HypotheticalProvider::schema()).unwrap();
        let organization = serde_json::to_value(Organization::schema()).unwrap();
        let capability = serde_json::to_value(Capability::schema()).unwrap();
        for (field, record, keys) in [
            (
                "id",
                &organization,
                &["minLength", "maxLength", "pattern"][..],
            ),
            ("name", &organization, &["maxLength"]),
            ("region", &organization, &["pattern"]),
            ("code", &capability, &["maxLength", "pattern"]),
            ("capacity", &capability, &["minimum", "maximum"]),
        ] {
            for key in keys {
                let theirs = &record["properties"][field][key];
                assert!(!theirs.is_null(), "{field}.{key}");
                assert_eq!(&ours["properties"][field][key], theirs, "{field}.{key}");
            }
        }
    }

    #[test]
    fn what_if_adding_a_recommended_provider_closes_its_gaps() {
        let d = battery();
        let recs = recommendations(&d, &assign(&d, &Scope::All), None);
        let change = WhatIf {
            add: vec![HypotheticalProvider::from_recommendation(&recs[0])],
            remove: vec![],
        };
        let r = what_if(&d, &Scope::All, &change);
        assert_eq!(r.before.coverage.needs_reachable, 5);
        assert_eq!(r.after.coverage.needs_reachable, 6);
        assert_eq!(
            r.after.coverage.severity_assigned,
            r.before.coverage.severity_assigned + 5
        );
        // The dataset is untouched.
        assert_eq!(d, battery());
    }

    #[test]
    fn what_if_removing_a_provider_loses_what_only_it_served() {
        let d = battery();
        let change = WhatIf {
            add: vec![],
            remove: vec!["qm".into()],
        };
        let r = what_if(&d, &Scope::All, &change);
        let metrology = |c: &CoverageReport| c.by_element[0].coverage;
        assert_eq!(metrology(&r.before).needs_assigned, 1);
        assert_eq!(metrology(&r.after).needs_reachable, 0);
        assert_eq!(
            r.after.coverage.needs_assigned,
            r.before.coverage.needs_assigned - 1
        );
    }
}
