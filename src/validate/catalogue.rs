//! Warnings of the capability catalogue: capability codes that a document uses (a provider's
//! `capabilities[].code`, a problem's `needs`) and no catalogue entry names. Such references
//! stay legal (a need may name a capability no one has catalogued yet); `qmap validate` lists
//! them so that the catalogue can be completed. Without any catalogue every code would be
//! reported, so none is: the codes are then shown as they are.

use crate::model::Bundle;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The stable code of the warning.
pub const UNCATALOGUED_CAPABILITY: &str = "uncatalogued_capability";

/// One capability code used in a document without a catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uncatalogued {
    /// Always [`UNCATALOGUED_CAPABILITY`].
    pub code: &'static str,
    /// The capability code.
    pub capability: String,
    /// The JSON Pointer of its first use in the document.
    pub path: String,
    /// How many times the document uses it.
    pub uses: usize,
}

impl std::fmt::Display for Uncatalogued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let times = if self.uses == 1 { "use" } else { "uses" };
        write!(
            f,
            "{}: capability {:?} has no catalogue entry ({} {times}) [{}]",
            self.path, self.capability, self.uses, self.code
        )
    }
}

/// The capability codes `bundle` uses that neither its own catalogue nor `catalogued` (e.g. the
/// store's catalogue) names, each once with its first path and its number of uses, in order of
/// first use. `None` when there is no catalogue at all (`has_catalogue` false and the bundle's
/// own empty): then nothing can be judged.
pub fn uncatalogued(
    bundle: &Bundle,
    has_catalogue: bool,
    catalogued: &dyn Fn(&str) -> bool,
) -> Option<Vec<Uncatalogued>> {
    if !has_catalogue && bundle.capabilities.is_empty() {
        return None;
    }
    let own: HashSet<&str> = bundle
        .capabilities
        .iter()
        .map(|e| e.code.as_str())
        .collect();
    // Every use in document order, its path made only for the first use of a code.
    let org_uses = bundle
        .organizations
        .iter()
        .enumerate()
        .flat_map(|(i, org)| {
            org.capability_list()
                .iter()
                .enumerate()
                .map(move |(k, cap)| (cap.code.as_str(), Use::Capability(i, k)))
        });
    let need_uses = bundle.problems.iter().enumerate().flat_map(|(i, p)| {
        p.needs
            .iter()
            .enumerate()
            .map(move |(k, need)| (need.as_str(), Use::Need(i, k)))
    });
    let mut found: Vec<Uncatalogued> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (code, at) in org_uses.chain(need_uses) {
        if own.contains(code) || catalogued(code) {
            continue;
        }
        match index.get(code) {
            Some(&i) => found[i].uses += 1,
            None => {
                index.insert(code, found.len());
                found.push(Uncatalogued {
                    code: UNCATALOGUED_CAPABILITY,
                    capability: code.to_owned(),
                    path: at.path(),
                    uses: 1,
                });
            }
        }
    }
    Some(found)
}

/// Where a code is used.
enum Use {
    /// `organizations[i].capabilities[k].code`
    Capability(usize, usize),
    /// `problems[i].needs[k]`
    Need(usize, usize),
}

impl Use {
    fn path(&self) -> String {
        match self {
            Use::Capability(i, k) => format!("/organizations/{i}/capabilities/{k}/code"),
            Use::Need(i, k) => format!("/problems/{i}/needs/{k}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle(catalogue: serde_json::Value) -> Bundle {
        serde_json::from_value(json!({
            "version": 1,
            "capabilities": catalogue,
            "chains": [{"id": "c", "name": "链", "segments": [{"id": "s", "name": "环节"}]}],
            "organizations": [
                {"id": "a", "name": "甲", "kind": "enterprise", "region": "320500",
                 "chains": [{"chain": "c", "role": "member", "segment": "s"}]},
                {"id": "q", "name": "检测院", "kind": "inspection_center", "level": "national",
                 "region": "320500",
                 "capabilities": [{"code": "testing:cells"}, {"code": "testing:cycle-life"}]}
            ],
            "problems": [
                {"id": "p", "org": "a", "chain": "c", "title": "t", "category": "testing",
                 "severity": 3, "status": "open",
                 "needs": ["testing:cycle-life", "rd:bms", "testing:cycle-life"]}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn codes_without_an_entry_are_listed_once_with_their_first_path_and_uses() {
        let b = bundle(json!([{"code": "testing:cells", "name": "电芯测试"}]));
        let found = uncatalogued(&b, false, &|_| false).unwrap();
        let got: Vec<(&str, &str, usize)> = found
            .iter()
            .map(|u| (u.capability.as_str(), u.path.as_str(), u.uses))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "testing:cycle-life",
                    "/organizations/1/capabilities/1/code",
                    3
                ),
                ("rd:bms", "/problems/0/needs/1", 1),
            ]
        );
        assert_eq!(
            found[1].to_string(),
            "/problems/0/needs/1: capability \"rd:bms\" has no catalogue entry (1 use) \
             [uncatalogued_capability]"
        );
        // The store's catalogue counts too.
        let store_has = |c: &str| c == "rd:bms";
        assert_eq!(uncatalogued(&b, true, &store_has).unwrap().len(), 1);
    }

    #[test]
    fn without_any_catalogue_nothing_is_judged() {
        let b = bundle(json!([]));
        assert_eq!(uncatalogued(&b, false, &|_| false), None);
        assert_eq!(uncatalogued(&b, true, &|_| false).unwrap().len(), 3);
    }
}
