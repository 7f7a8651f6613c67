//! "Find anything": organizations by name, in Chinese or in pinyin, within what the caller may
//! read. A query matches a name by substring (宁德), by pinyin initials (`ndsd` → 宁德时代, at any
//! character: `sd` finds it too) and by full pinyin from the start of any character (`ningde`,
//! `shidai`); an ASCII query also matches the id and Latin letters of a name.
//!
//! The pinyin of every name is computed once per snapshot ([`SearchIndex`], kept in the
//! snapshot's cache and carried over by writes that change no organization), not per request.

use super::{upstream_of, Error, Principal, Snapshot};
use crate::model::{Dataset, Level, OrgKind};
use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::{IntoParams, ToSchema};

/// One organization's name prepared for matching.
#[derive(Debug)]
struct Entry {
    id: String,
    /// The name, lowercased.
    name: String,
    /// One letter per character: the initial of a Chinese character's pinyin, an ASCII letter
    /// or digit lowercased, nothing for anything else.
    initials: String,
    /// The full pinyin (or lowercased letter) of each character with one.
    syllables: Vec<String>,
}

/// The prepared names of every organization of a snapshot, in id order.
#[derive(Debug, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

impl SearchIndex {
    /// Complexity: O(total length of the names).
    pub fn build(d: &Dataset) -> SearchIndex {
        let entries = d
            .organizations
            .values()
            .map(|o| {
                let mut initials = String::new();
                let mut syllables = Vec::new();
                for c in o.name.chars() {
                    if let Some(p) = c.to_pinyin() {
                        initials.push_str(p.first_letter());
                        syllables.push(p.plain().to_string());
                    } else if c.is_ascii_alphanumeric() {
                        let l = c.to_ascii_lowercase();
                        initials.push(l);
                        syllables.push(l.to_string());
                    }
                }
                Entry {
                    id: o.id.clone(),
                    name: o.name.to_lowercase(),
                    initials,
                    syllables,
                }
            })
            .collect();
        SearchIndex { entries }
    }
}

impl Entry {
    /// How well the entry matches `q` (lowercased, trimmed): 0 the whole name, 1 from its start,
    /// 2 inside it; `None` when it does not match.
    fn rank(&self, q: &str) -> Option<u8> {
        if self.name == q {
            return Some(0);
        }
        let mut best: Option<u8> = None;
        let mut note = |r: u8| best = Some(best.map_or(r, |b| b.min(r)));
        if let Some(at) = self.name.find(q) {
            note(if at == 0 { 1 } else { 2 });
        }
        if q.is_ascii() {
            if let Some(at) = self.initials.find(q) {
                note(if at == 0 { 1 } else { 2 });
            }
            if let Some(at) = self.pinyin_from(q) {
                note(if at == 0 { 1 } else { 2 });
            }
            if self.id.to_lowercase().contains(q) {
                note(2);
            }
        }
        best
    }

    /// The first character from which the full pinyin of the name starts with `q`.
    fn pinyin_from(&self, q: &str) -> Option<usize> {
        (0..self.syllables.len()).find(|&start| {
            let mut rest = q;
            for s in &self.syllables[start..] {
                if rest.len() <= s.len() {
                    return s.starts_with(rest);
                }
                match rest.strip_prefix(s.as_str()) {
                    Some(r) => rest = r,
                    None => return false,
                }
            }
            rest.is_empty()
        })
    }
}

/// The query of `GET /api/v1/organizations`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// Part of the name (宁德), its pinyin initials (`ndsd`) or the start of its full pinyin
    /// (`ningde`); also part of the id. Empty or absent: every organization the filters keep.
    pub q: Option<String>,
    pub kind: Option<OrgKind>,
    /// Region code or prefix (GB/T 2260): `32` for 江苏, `3205` for 苏州.
    pub region: Option<String>,
    /// Only members of this chain.
    pub chain: Option<String>,
    /// At most this many results (default 20, at most 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// Results to skip (default 0).
    pub offset: Option<usize>,
}

/// A chain an organization sits on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgHitChain {
    pub id: String,
    pub name: String,
}

/// One organization found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgHit {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The region's name (e.g. 江苏省苏州市), when the code is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    /// A QI body's level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The chains it sits on that the caller reads (for an enterprise: the chains it sits on
    /// itself), in id order.
    pub chains: Vec<OrgHitChain>,
}

/// One page of organizations found: best matches first (whole name, then from the start of
/// the name or its pinyin, then inside it), then shorter names, then by id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgPage {
    /// Organizations matching, over all pages.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub organizations: Vec<OrgHit>,
}

/// Finds organizations the caller may read (see [`Principal::reads_organization`]).
///
/// Complexity: O(N·|name|) over the snapshot's N organizations, with the pinyin precomputed;
/// for an enterprise, plus one walk upstream of it.
pub fn organizations(snap: &Snapshot, who: &Principal, f: OrgQuery) -> Result<OrgPage, Error> {
    let limit = f.limit.unwrap_or(20);
    let offset = f.offset.unwrap_or(0);
    if limit == 0 || limit > 200 {
        return Err(Error::BadRequest("limit must be between 1 and 200".into()));
    }
    let d = &snap.dataset;
    if let Some(c) = &f.chain {
        if !d.chains.contains_key(c) {
            return Err(Error::not_found("chain", c));
        }
    }
    let q = f.q.as_deref().unwrap_or("").trim().to_lowercase();
    let index = snap.search_index();
    // An enterprise reads itself and its upstream: walk the supplies once, not per firm.
    let own = who.org().map(|own| (own, upstream_of(d, own)));
    let own_chains: BTreeSet<&str> = who
        .org()
        .and_then(|o| d.organizations.get(o))
        .map(|o| o.memberships().iter().map(|m| m.chain.as_str()).collect())
        .unwrap_or_default();
    let readable = |id: &str, provider: bool| match &own {
        Some((own, upstream)) => provider || *own == id || upstream.contains(id),
        None => who.reads_organization(d, id),
    };
    let mut found: Vec<(u8, usize, &str)> = index
        .entries
        .iter()
        .filter_map(|e| {
            let rank = if q.is_empty() { 0 } else { e.rank(&q)? };
            let o = d.organizations.get(&e.id)?;
            if f.kind.is_some_and(|k| o.kind != k) {
                return None;
            }
            if let Some(prefix) = &f.region {
                if !o
                    .region
                    .as_deref()
                    .is_some_and(|r| r.starts_with(prefix.as_str()))
                {
                    return None;
                }
            }
            if let Some(c) = &f.chain {
                o.membership(c)?;
            }
            if !readable(&o.id, o.is_provider()) {
                return None;
            }
            Some((rank, o.name.chars().count(), o.id.as_str()))
        })
        .collect();
    found.sort_unstable();
    let total = found.len();
    let organizations = found
        .into_iter()
        .skip(offset)
        .take(limit)
        .filter_map(|(_, _, id)| {
            let o = d.organizations.get(id)?;
            let chains = o
                .memberships()
                .iter()
                .filter(|m| {
                    if who.org().is_some() {
                        own_chains.contains(m.chain.as_str())
                    } else {
                        who.reads_chain_aggregates(&m.chain)
                    }
                })
                .filter_map(|m| {
                    let c = d.chains.get(&m.chain)?;
                    Some(OrgHitChain {
                        id: c.id.clone(),
                        name: c.name.clone(),
                    })
                })
                .collect();
            Some(OrgHit {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: o.kind,
                region_name: o.region.as_deref().and_then(region_name),
                region: o.region.clone(),
                level: o.level,
                chains,
            })
        })
        .collect();
    Ok(OrgPage {
        total,
        limit,
        offset,
        organizations,
    })
}

/// The full name of a region code: province, city and county (福建省宁德市蕉城区).
fn region_name(code: &str) -> Option<String> {
    use crate::model::divisions::label_of;
    let (p, c) = (code.get(..2)?, code.get(..4)?);
    let mut name = String::new();
    for part in [format!("{p}0000"), format!("{c}00"), code.to_string()] {
        if let Some(l) = label_of(&part) {
            if !matches!(l, "市辖区" | "县") && !name.ends_with(l) {
                name.push_str(l);
            }
        }
    }
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> Entry {
        let mut d = Dataset::default();
        let o: crate::model::Organization = serde_json::from_value(serde_json::json!({
            "id": "x", "name": name, "kind": "enterprise"
        }))
        .unwrap();
        d.organizations.insert(o.id.clone(), o);
        SearchIndex::build(&d).entries.pop().unwrap()
    }

    #[test]
    fn names_match_by_substring_initials_and_pinyin() {
        let e = entry("宁德时代新能源科技");
        assert_eq!(e.rank("宁德时代新能源科技"), Some(0));
        assert_eq!(e.rank("宁德"), Some(1));
        assert_eq!(e.rank("时代"), Some(2));
        assert_eq!(e.rank("ndsd"), Some(1));
        assert_eq!(e.rank("sd"), Some(2));
        assert_eq!(e.rank("ningde"), Some(1));
        assert_eq!(e.rank("ningdes"), Some(1));
        assert_eq!(e.rank("shidai"), Some(2));
        assert_eq!(e.rank("ningdx"), None);
        assert_eq!(e.rank("比亚迪"), None);
        assert_eq!(e.rank("x"), Some(2), "the id matches too");
    }

    #[test]
    fn latin_letters_of_a_name_count() {
        let e = entry("ABB 电机");
        assert_eq!(e.rank("abb"), Some(1));
        assert_eq!(e.rank("abbdj"), Some(1));
    }
}
