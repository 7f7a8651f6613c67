//! Coverage by region as a GeoJSON FeatureCollection (RFC 7946), for GIS tools and the page's
//! geographic view: `GET /api/v1/coverage/regions.geojson` and `qmap export --format geojson`.
//!
//! One feature per province (`level` province) or per city (`level` city, optionally only the
//! cities of one province), with its boundary from [`super::boundaries`] (a Polygon or
//! MultiPolygon of `[lon, lat]` rings) and these properties:
//!
//! | property | value |
//! |---|---|
//! | `code` | six-digit GB/T 2260 code (`320000`, `320500`) |
//! | `name` | the region's name |
//! | `level` | `province` or `city` |
//! | `needs`, `reachable`, `assigned` | needs of firms located there, those with an eligible provider, those assigned one |
//! | `severity_total`, `severity_assigned`, `severity_unmet` | severity points of those needs |
//! | `infrastructure_gaps`, `capacity_gaps` | needs without any eligible provider; reachable needs left unassigned |
//! | `coverage_share` | `assigned / needs`, `null` when the region has no needs |
//! | `providers` | QI providers located there, by level: `{"national", "provincial", "municipal"}` |
//! | `firms` | firms located there (members of the chain, or every domestic enterprise) |
//!
//! The coverage figures are the coverage report's `by_province` / `by_city` entries; a region
//! without needs or firms is still a feature, with zero figures. Features are in code order, so
//! the same data always gives the same bytes. Like the rest of `render`, this only reads what the
//! analyses computed (plus where organizations are).

use super::boundaries::{self, RegionLevel};
use crate::analysis::coverage::{Coverage, CoverageReport};
use crate::model::{Dataset, Level};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write;

/// The content type of a GeoJSON document.
pub const CONTENT_TYPE: &str = "application/geo+json";

/// QI providers of a region by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProvidersByLevel {
    pub national: u64,
    pub provincial: u64,
    pub municipal: u64,
}

#[derive(Serialize)]
struct Properties<'a> {
    code: &'a str,
    name: &'a str,
    level: &'a str,
    needs: u64,
    reachable: u64,
    assigned: u64,
    severity_total: u64,
    severity_assigned: u64,
    severity_unmet: u64,
    infrastructure_gaps: u64,
    capacity_gaps: u64,
    coverage_share: Option<f64>,
    providers: ProvidersByLevel,
    firms: u64,
}

/// The coverage of `report` by region as a GeoJSON FeatureCollection.
///
/// Arguments: the dataset (where firms and providers are), the coverage report of the scope,
/// the chain of the scope (`None`: the whole dataset; firms are then every domestic enterprise),
/// the level, and for cities an optional province prefix (2 digits) to keep only its cities.
/// Complexity: linear in organizations, report entries and the boundary text written.
pub fn coverage_geojson(
    d: &Dataset,
    report: &CoverageReport,
    chain: Option<&str>,
    level: RegionLevel,
    province: Option<&str>,
) -> String {
    let len = level.prefix_len();
    let entries = match level {
        RegionLevel::Province => &report.by_province,
        RegionLevel::City => &report.by_city,
    };
    let coverage: HashMap<&str, &Coverage> = entries
        .iter()
        .map(|r| (r.region.as_str(), &r.coverage))
        .collect();

    let mut providers: HashMap<&str, ProvidersByLevel> = HashMap::new();
    let mut firms: HashMap<&str, u64> = HashMap::new();
    for o in d.organizations.values() {
        let Some(region) = o.region.as_deref().filter(|_| !o.foreign) else {
            continue;
        };
        let Some(prefix) = region.get(..len) else {
            continue;
        };
        if o.is_provider() {
            let counts = providers.entry(prefix).or_default();
            match o.level {
                Some(Level::National) => counts.national += 1,
                Some(Level::Provincial) => counts.provincial += 1,
                Some(Level::Municipal) => counts.municipal += 1,
                None => {}
            }
        } else if chain.is_none_or(|c| o.membership(c).is_some()) {
            *firms.entry(prefix).or_default() += 1;
        }
    }

    let mut out = String::with_capacity(1 << 16);
    out.push_str("{\"type\":\"FeatureCollection\",\"features\":[");
    let mut first = true;
    for b in boundaries::all(level) {
        let prefix = b.prefix(level);
        if province.is_some_and(|p| !prefix.starts_with(p)) {
            continue;
        }
        let c = coverage.get(prefix).copied().copied().unwrap_or_default();
        let properties = Properties {
            code: &b.code,
            name: &b.name,
            level: level.as_str(),
            needs: c.needs_total,
            reachable: c.needs_reachable,
            assigned: c.needs_assigned,
            severity_total: c.severity_total,
            severity_assigned: c.severity_assigned,
            severity_unmet: c.severity_total - c.severity_assigned,
            infrastructure_gaps: c.infrastructure_gaps(),
            capacity_gaps: c.capacity_gaps(),
            coverage_share: (c.needs_total > 0)
                .then(|| c.needs_assigned as f64 / c.needs_total as f64),
            providers: providers.get(prefix).copied().unwrap_or_default(),
            firms: firms.get(prefix).copied().unwrap_or_default(),
        };
        if !first {
            out.push(',');
        }
        first = false;
        let properties =
            serde_json::to_string(&properties).expect("plain numbers and strings serialize");
        let _ = write!(
            out,
            "\n{{\"type\":\"Feature\",\"id\":\"{}\",\"properties\":{properties},\"geometry\":{}}}",
            b.code, b.geometry
        );
    }
    out.push_str("\n]}\n");
    out
}
