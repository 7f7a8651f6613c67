//! What to build where: ranked capability additions that would close infrastructure gaps, and a
//! what-if that re-runs the assignment with providers added or removed.
//!
//! Candidate additions come from the infrastructure gaps of an assignment: for each gap code, a
//! municipal provider in each city with gap needs, a provincial one in each province with gap
//! needs (placed in that province's city with the most gap severity), and one national provider
//! (placed in the city with the most gap severity overall). The what-if never clones the dataset:
//! it builds a provider index from the real providers minus the removed ones plus the
//! hypothetical ones.

use super::assignment::{assign_needs, Assignment};
use super::coverage::{element_of, CoverageReport};
use super::eligibility::{needs, Place, ProviderIndex, Scope};
use crate::model::{region, Dataset, Level};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// One candidate addition: a capability at a level in a city.
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
}

/// Candidate additions ranked by severity made reachable (descending), then level (municipal,
/// provincial, national: the smaller investment first when it does as much), then needs
/// (descending), code and city.
///
/// Arguments: the dataset (for firm regions) and an assignment.
/// Returns: every candidate addition derived from the assignment's infrastructure gaps.
/// Complexity: O(U log U) for U unreachable needs.
pub fn recommendations(d: &Dataset, a: &Assignment) -> Vec<Recommendation> {
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
                Recommendation {
                    code: code.to_string(),
                    element: element_of(code).to_string(),
                    level,
                    city: city.map(str::to_string),
                    city_name: city.and_then(name_of),
                    province: city.map(|c| region::province(c).to_string()),
                    needs,
                    severity,
                    firms: firms.len() as u64,
                }
            };
        // The heaviest city of a set: most severity, then smallest code.
        let heaviest = |filter: &dyn Fn(&str) -> bool| {
            cities
                .iter()
                .filter_map(|(c, v)| c.filter(|c| filter(c)).map(|c| (c, v.1)))
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(c, _)| c)
        };
        for (&city, acc) in &cities {
            if let Some(city) = city {
                out.push(make(
                    Level::Municipal,
                    Some(city),
                    &mut std::iter::once(acc),
                ));
            }
        }
        let provinces: BTreeSet<&str> = cities
            .keys()
            .flatten()
            .map(|c| region::province(c))
            .collect();
        for province in provinces {
            let city = heaviest(&|c| region::province(c) == province);
            let mut parts = cities
                .iter()
                .filter(|(c, _)| c.is_some_and(|c| region::province(c) == province))
                .map(|(_, v)| v);
            out.push(make(Level::Provincial, city, &mut parts));
        }
        let city = heaviest(&|_| true);
        out.push(make(Level::National, city, &mut cities.values()));
    }
    let level_rank = |l: Level| match l {
        Level::Municipal => 0,
        Level::Provincial => 1,
        Level::National => 2,
    };
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

    #[test]
    fn recommendations_cover_each_gap_city_province_and_the_nation() {
        let mut d = battery();
        // A second rd:electrolyte gap in 南京 (3201), severity 2; c1 (苏州 3205) has severity 5.
        d.organizations.insert(
            "n1".into(),
            firm("n1", Some("320102"), "battery", "cells", Role::Member),
        );
        d.problems.insert(
            "p7".into(),
            problem("p7", "n1", "battery", 2, Status::Open, &["rd:electrolyte"]),
        );
        let recs = recommendations(&d, &assign(&d, &Scope::All));
        let got: Vec<(Level, Option<&str>, u64, u64)> = recs
            .iter()
            .map(|r| (r.level, r.city.as_deref(), r.needs, r.severity))
            .collect();
        assert_eq!(
            got,
            [
                (Level::Provincial, Some("3205"), 2, 7),
                (Level::National, Some("3205"), 2, 7),
                (Level::Municipal, Some("3205"), 1, 5),
                (Level::Municipal, Some("3201"), 1, 2),
            ]
        );
        assert_eq!(recs[0].city_name.as_deref(), Some("苏州市"));
        assert_eq!(recs[0].province.as_deref(), Some("32"));
        assert!(recs
            .iter()
            .all(|r| r.code == "rd:electrolyte" && r.element == "rd"));
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
        let recs = recommendations(&d, &assign(&d, &Scope::All));
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
