//! The boundaries of China's provinces and cities, built into the binary.
//!
//! The files are `data/boundaries/provinces.geojson` and `data/boundaries/cities.geojson`,
//! generated from the Apache-2.0 China maps of the npm package `echarts` 4.9.0 by
//! `data/boundaries/update.py` (see `data/boundaries/README.md`). Each feature has the
//! properties `code` (six-digit GB/T 2260 code: a province `XX0000`, a city `XXXX00`) and `name`,
//! and a Polygon or MultiPolygon geometry of `[lon, lat]` rings. Nothing is fetched at build or
//! run time.
//!
//! A city here is what the coverage report calls one: a 4-digit prefix. The county-level
//! divisions directly under a province are one feature (`429000` for 湖北's), 北京, 天津 and
//! 上海 are one city each, 重庆 two (`500100`, `500200`); 台湾, 香港 and 澳门, which have no
//! city-level codes, are one feature each at city level with their province-level code.

use serde::Deserialize;
use std::sync::OnceLock;

const PROVINCES: &str = include_str!("../../data/boundaries/provinces.geojson");
const CITIES: &str = include_str!("../../data/boundaries/cities.geojson");

/// One region's boundary.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// Six-digit GB/T 2260 code.
    pub code: String,
    pub name: String,
    /// `Polygon` or `MultiPolygon`.
    pub geometry_type: String,
    /// The GeoJSON geometry object as compact JSON text, ready to be written out.
    pub geometry: String,
}

impl Boundary {
    /// The prefix the coverage report keys this region by: 2 digits for a province, 4 for a city
    /// (`7100` for 台湾 at city level, the prefix its codes would have).
    pub fn prefix(&self, level: RegionLevel) -> &str {
        &self.code[..level.prefix_len()]
    }
}

/// Provinces or cities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    Province,
    City,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
        }
    }

    /// Digits of a region code that name a region of this level.
    pub fn prefix_len(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
        }
    }
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: serde_json::Value,
}

#[derive(Deserialize)]
struct Properties {
    code: String,
    name: String,
}

fn parse(text: &str, file: &str) -> Vec<Boundary> {
    let collection: Collection = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("data/boundaries/{file} is not the expected GeoJSON: {e}"));
    let mut boundaries: Vec<Boundary> = collection
        .features
        .into_iter()
        .map(|f| Boundary {
            code: f.properties.code,
            name: f.properties.name,
            geometry_type: f.geometry["type"].as_str().unwrap_or_default().to_string(),
            geometry: f.geometry.to_string(),
        })
        .collect();
    boundaries.sort_by(|a, b| a.code.cmp(&b.code));
    boundaries
}

/// The boundaries of a level, sorted by code (parsed once).
pub fn all(level: RegionLevel) -> &'static [Boundary] {
    static PROVINCE: OnceLock<Vec<Boundary>> = OnceLock::new();
    static CITY: OnceLock<Vec<Boundary>> = OnceLock::new();
    match level {
        RegionLevel::Province => PROVINCE.get_or_init(|| parse(PROVINCES, "provinces.geojson")),
        RegionLevel::City => CITY.get_or_init(|| parse(CITIES, "cities.geojson")),
    }
}

/// Whether `prefix` is the 2-digit prefix of a province with a boundary.
pub fn is_province(prefix: &str) -> bool {
    prefix.len() == 2
        && all(RegionLevel::Province)
            .iter()
            .any(|b| b.prefix(RegionLevel::Province) == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_boundary_parses_with_a_code_and_a_polygon() {
        for level in [RegionLevel::Province, RegionLevel::City] {
            for b in all(level) {
                assert!(crate::model::region::is_valid(&b.code), "{}", b.code);
                assert!(
                    matches!(b.geometry_type.as_str(), "Polygon" | "MultiPolygon"),
                    "{} is a {}",
                    b.code,
                    b.geometry_type
                );
            }
        }
        assert_eq!(all(RegionLevel::Province).len(), 34);
        assert!(is_province("32"));
        assert!(!is_province("99"));
        assert!(!is_province("3205"));
    }

    #[test]
    fn every_city_of_the_division_table_has_a_boundary() {
        let cities = all(RegionLevel::City);
        for d in crate::model::divisions::all() {
            if d.code.ends_with("00") && !d.code.ends_with("0000") {
                assert!(
                    cities
                        .binary_search_by(|b| b.code.as_str().cmp(d.code))
                        .is_ok(),
                    "{} {} has no boundary",
                    d.code,
                    d.name
                );
            }
        }
    }
}
